//! The kernel32 hooks as a program that looks its functions up with
//! `GetProcAddress` meets them (Go's runtime and `syscall` package), and
//! the paced wait on a completion port of a multi-threaded program (Go's
//! netpoller). Windows only: the hooks patch the test program's own
//! import table (it is the main program here).

use crate::calls::TEST_LOCK;
use crate::exports::*;
use crate::test_support::{lookup, pair};
use std::time::{Duration, Instant};
use windows_sys::Win32::Foundation::{HANDLE, INVALID_HANDLE_VALUE, WAIT_TIMEOUT};
use windows_sys::Win32::Networking::WinSock::{WSABUF, WSADATA};
use windows_sys::Win32::System::IO::OVERLAPPED;
use winsock_model::contract::ntstatus::STATUS_PENDING;
use winsock_model::contract::*;

fn start() -> parking_lot::MutexGuard<'static, ()> {
    let g = TEST_LOCK.lock();
    let mut data: WSADATA = unsafe { std::mem::zeroed() };
    // SAFETY: a WSADATA to write.
    assert_eq!(unsafe { startup::WSAStartup(0x0202, &mut data) }, 0);
    g
}

/// An overlapped `WSARecvFrom` on `s` into `buf`: pending.
fn post_recv(s: usize, buf: &mut [u8; 16], ov: &mut OVERLAPPED) {
    let bufs = [WSABUF {
        len: 16,
        buf: buf.as_mut_ptr(),
    }];
    let mut fl = 0u32;
    // SAFETY: the buffer and the OVERLAPPED outlive the operation (the
    // callers cancel it or wait for it).
    let r = unsafe {
        data::WSARecvFrom(
            s,
            bufs.as_ptr(),
            1,
            std::ptr::null_mut(),
            &mut fl,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            ov,
            None,
        )
    };
    assert_eq!((r, startup::WSAGetLastError()), (-1, WSA_IO_PENDING));
}

type CreatePort = unsafe extern "system" fn(HANDLE, HANDLE, usize, u32) -> HANDLE;
type Gqcs =
    unsafe extern "system" fn(HANDLE, *mut u32, *mut usize, *mut *mut OVERLAPPED, u32) -> i32;
type CancelIoEx = unsafe extern "system" fn(HANDLE, *mut OVERLAPPED) -> i32;

#[test]
fn get_proc_address_gives_the_dlls_hooks_and_cancel_io_ex_through_it_cancels() {
    let _g = start();
    let cancel = lookup(c"CancelIoEx");
    assert_eq!(cancel, crate::iocp::cancel_io_ex as *const () as usize);
    assert_eq!(
        lookup(c"GetQueuedCompletionStatusEx"),
        crate::iocp::get_queued_completion_status_ex as *const () as usize
    );
    // A function the DLL does not hook is the real one.
    let close = lookup(c"CloseHandle");
    assert!(close != 0 && close != cancel);
    // SAFETY: the address GetProcAddress gave for CancelIoEx.
    let cancel: CancelIoEx = unsafe { std::mem::transmute::<usize, CancelIoEx>(cancel) };

    let (a, b, _) = pair();
    let (mut buf, mut ov) = ([0u8; 16], unsafe { std::mem::zeroed::<OVERLAPPED>() });
    post_recv(b, &mut buf, &mut ov);
    // SAFETY: a socket of the DLL's and its pending operation.
    assert_eq!(unsafe { cancel(b as HANDLE, &mut ov) }, 1);
    assert_eq!(ov.Internal as u32, ntstatus::STATUS_CANCELLED);
    let (mut n, mut f) = (0u32, 0u32);
    // SAFETY: valid outputs.
    let r = unsafe { events::WSAGetOverlappedResult(b, &mut ov, &mut n, 0, &mut f) };
    assert_eq!((r, startup::WSAGetLastError()), (0, WSA_OPERATION_ABORTED));
    // Nothing left to cancel: ERROR_NOT_FOUND (1168).
    // SAFETY: as above.
    assert_eq!(unsafe { cancel(b as HANDLE, &mut ov) }, 0);
    assert_eq!(crate::os::last_error(), 1168);
    sock::closesocket(a);
    sock::closesocket(b);
    assert_eq!(startup::WSACleanup(), 0);
}

#[test]
fn a_port_wait_of_a_threaded_program_is_paced_and_ends_with_another_threads_send() {
    let _g = start();
    // SAFETY: the addresses GetProcAddress gave for these names.
    let (create, gqcs) = unsafe {
        (
            std::mem::transmute::<usize, CreatePort>(lookup(c"CreateIoCompletionPort")),
            std::mem::transmute::<usize, Gqcs>(lookup(c"GetQueuedCompletionStatus")),
        )
    };
    let (a, b, to) = pair();
    // SAFETY: a new port, then the DLL's socket on it (key 7).
    let port = unsafe { create(INVALID_HANDLE_VALUE, std::ptr::null_mut(), 0, 0) };
    assert!(!port.is_null());
    // SAFETY: as above.
    assert_eq!(unsafe { create(b as HANDLE, port, 7, 0) }, port);

    // Nothing comes: the wait times out after its time-out in wall time,
    // and in virtual time as much passed (slices of 10 ms), not more.
    // Another thread calls in first, so the DLL counts the program
    // multi-threaded.
    let (a2, to2) = (a, to.clone());
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let peer = std::thread::spawn(move || {
        let mut name = [0u8; 128];
        let mut len = 128i32;
        // SAFETY: valid buffers.
        assert_eq!(
            unsafe { sock::getsockname(a2, name.as_mut_ptr().cast(), &mut len) },
            0
        );
        tx.send(()).unwrap();
        while !PEER_GO.load(std::sync::atomic::Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(1));
        }
        std::thread::sleep(Duration::from_millis(50));
        // SAFETY: valid buffers.
        let sent = unsafe {
            data::sendto(
                a2,
                b"pace".as_ptr(),
                4,
                0,
                to2.as_ptr().cast(),
                to2.len() as i32,
            )
        };
        assert_eq!(sent, 4);
    });
    rx.recv().unwrap();
    let (mut buf, mut ov) = ([0u8; 16], unsafe { std::mem::zeroed::<OVERLAPPED>() });
    post_recv(b, &mut buf, &mut ov);
    let d = crate::calls::dll();
    let (v0, w0) = (d.sim.now(), Instant::now());
    let (mut n, mut key, mut got) = (0u32, 0usize, std::ptr::null_mut::<OVERLAPPED>());
    // SAFETY: valid outputs.
    let r = unsafe { gqcs(port, &mut n, &mut key, &mut got, 100) };
    assert_eq!(
        (r, crate::os::last_error(), got),
        (0, WAIT_TIMEOUT, std::ptr::null_mut())
    );
    assert!(
        w0.elapsed() >= Duration::from_millis(90),
        "{:?}",
        w0.elapsed()
    );
    assert_eq!(d.sim.now() - v0, Duration::from_millis(100));

    // The other thread sends 50 ms (wall) from now: the wait of 5 s ends
    // with its datagram, with virtual time paced (not run on to 5 s).
    PEER_GO.store(true, std::sync::atomic::Ordering::SeqCst);
    let (v1, w1) = (d.sim.now(), Instant::now());
    // SAFETY: valid outputs.
    let r = unsafe { gqcs(port, &mut n, &mut key, &mut got, 5000) };
    let (vt, wt) = (d.sim.now() - v1, w1.elapsed());
    assert_eq!((r, n, key, got), (1, 4, 7, &mut ov as *mut OVERLAPPED));
    assert_eq!(&buf[..4], b"pace");
    peer.join().unwrap();
    assert!(wt < Duration::from_secs(4), "{wt:?}");
    assert!(vt > Duration::ZERO && vt < Duration::from_secs(4), "{vt:?}");
    sock::closesocket(a);
    sock::closesocket(b);
    assert_eq!(startup::WSACleanup(), 0);
    // SAFETY: the port made above.
    unsafe { windows_sys::Win32::Foundation::CloseHandle(port) };
}

/// Set when the peer thread of the paced-wait test may send.
static PEER_GO: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// A new descriptor of `s` (`WSADuplicateSocketW`, then `WSASocketW`, as
/// sock.c's `test_completion_port` makes one).
fn duplicate(s: usize) -> usize {
    let mut info: windows_sys::Win32::Networking::WinSock::WSAPROTOCOL_INFOW =
        unsafe { std::mem::zeroed() };
    // SAFETY: a structure to write.
    assert_eq!(
        unsafe { share::WSADuplicateSocketW(s, std::process::id(), &mut info) },
        0
    );
    // SAFETY: the structure filled above.
    let dup = unsafe { sock::WSASocketW(-1, -1, -1, &info, 0, WSA_FLAG_OVERLAPPED) };
    assert_ne!(dup, !0);
    dup
}

/// One `GetQueuedCompletionStatus` of `ms`: (result, last error, bytes,
/// key, OVERLAPPED).
fn dequeue(port: HANDLE, ms: u32) -> (i32, u32, u32, usize, *mut OVERLAPPED) {
    // SAFETY: the address GetProcAddress gave for the name.
    let gqcs = unsafe { std::mem::transmute::<usize, Gqcs>(lookup(c"GetQueuedCompletionStatus")) };
    let (mut n, mut key, mut got) = (0xdead_beefu32, 0xdead_beef, std::ptr::null_mut());
    // SAFETY: valid outputs.
    let r = unsafe { gqcs(port, &mut n, &mut key, &mut got, ms) };
    (r, crate::os::last_error(), n, key, got)
}

/// `ERROR_OPERATION_ABORTED`.
const ABORTED: u32 = 995;

#[test]
fn a_receive_through_a_duplicate_pends_until_the_last_descriptor_closes_and_ends_on_the_port() {
    // sock.c:10476-10533 of Wine 8.0 (run on Windows): the port is the
    // socket's, whichever descriptor it was associated through, and
    // closing the descriptor an operation was issued through does not end
    // it while another descriptor keeps the socket open.
    let _g = start();
    // SAFETY: the address GetProcAddress gave for the name.
    let create =
        unsafe { std::mem::transmute::<usize, CreatePort>(lookup(c"CreateIoCompletionPort")) };
    let (a, b, _) = pair();
    // SAFETY: a new port for b (key 125).
    let port = unsafe { create(b as HANDLE, std::ptr::null_mut(), 125, 0) };
    assert!(!port.is_null());
    let dup = duplicate(b);
    // The duplicate is on the port already: a second association fails.
    // SAFETY: as above.
    assert!(unsafe { create(dup as HANDLE, port, 7, 0) }.is_null());
    let (mut buf, mut ov) = ([0u8; 16], unsafe { std::mem::zeroed::<OVERLAPPED>() });
    post_recv(dup, &mut buf, &mut ov);
    assert_eq!(sock::closesocket(dup), 0);
    let none = dequeue(port, 0);
    assert_eq!(
        (none.0, none.1, none.4),
        (0, WAIT_TIMEOUT, std::ptr::null_mut())
    );
    assert_eq!(ov.Internal as u32, STATUS_PENDING);
    assert_eq!(sock::closesocket(b), 0);
    let ended = dequeue(port, 0);
    assert_eq!(
        ended,
        (0, ABORTED, 0, 125, &mut ov as *mut OVERLAPPED),
        "the cancelled receive's packet"
    );
    assert_eq!(ov.Internal as u32, ntstatus::STATUS_CANCELLED);
    assert_eq!(dequeue(port, 0).1, WAIT_TIMEOUT);
    sock::closesocket(a);
    assert_eq!(startup::WSACleanup(), 0);
    // SAFETY: the port made above.
    unsafe { windows_sys::Win32::Foundation::CloseHandle(port) };
}

#[test]
fn an_accept_ex_through_a_duplicate_ends_on_the_first_descriptors_port_at_the_last_close() {
    // sock.c:10422-10474 and 10535-10588 of Wine 8.0 (run on Windows):
    // an AcceptEx issued through the duplicate of a listener that was
    // associated with a port ends, when both descriptors are closed (in
    // either order), with a cancelled packet on that port, and not before.
    let _g = start();
    // SAFETY: the address GetProcAddress gave for the name.
    let create =
        unsafe { std::mem::transmute::<usize, CreatePort>(lookup(c"CreateIoCompletionPort")) };
    let any = addr::encode(&"127.0.0.1:0".parse::<std::net::SocketAddr>().unwrap());
    let mut port = std::ptr::null_mut();
    for original_first in [true, false] {
        let l = sock::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
        // SAFETY: a valid address.
        assert_eq!(
            unsafe { sock::bind(l, any.as_ptr().cast(), any.len() as i32) },
            0
        );
        assert_eq!(sock::listen(l, 4), 0);
        // SAFETY: a new port the first time, then the same.
        port = unsafe { create(l as HANDLE, port, 125, 0) };
        assert!(!port.is_null());
        let dup = duplicate(l);
        let acc = sock::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
        let mut buf = [0u8; 2 * 32];
        let mut ov: OVERLAPPED = unsafe { std::mem::zeroed() };
        let mut n = 0u32;
        // SAFETY: the buffer and the OVERLAPPED outlive the operation.
        let r = unsafe {
            ext::AcceptEx(
                dup,
                acc,
                buf.as_mut_ptr().cast(),
                0,
                32,
                32,
                &mut n,
                &mut ov,
            )
        };
        assert_eq!((r, startup::WSAGetLastError()), (0, WSA_IO_PENDING));
        let (first, last) = if original_first { (l, dup) } else { (dup, l) };
        assert_eq!(sock::closesocket(first), 0);
        assert_eq!(
            dequeue(port, 0).1,
            WAIT_TIMEOUT,
            "original first: {original_first}"
        );
        assert_eq!(sock::closesocket(last), 0);
        assert_eq!(
            dequeue(port, 0),
            (0, ABORTED, 0, 125, &mut ov as *mut OVERLAPPED),
            "original first: {original_first}"
        );
        assert_eq!(ov.Internal as u32, ntstatus::STATUS_CANCELLED);
        sock::closesocket(acc);
    }
    assert_eq!(startup::WSACleanup(), 0);
    // SAFETY: the port made above.
    unsafe { windows_sys::Win32::Foundation::CloseHandle(port) };
}
