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
