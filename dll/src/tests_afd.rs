//! AFD polls (`afd.rs`) as mio makes them: the DLL's `NtCreateFile`,
//! `NtDeviceIoControlFile` and `NtCancelIoFileEx` (the functions the
//! program's ntdll import entries reach), with the device's handle on a
//! completion port. Windows only (the real `\Device\Afd` and ports).

use crate::afd::{
    IOCTL_AFD_POLL, STATUS_INVALID_HANDLE, STATUS_INVALID_PARAMETER, STATUS_NOT_FOUND,
    STATUS_PENDING, STATUS_SUCCESS, STATUS_TIMEOUT,
};
use crate::calls::TEST_LOCK;
use crate::exports::*;
use crate::ntdll::{nt_cancel_io_file_ex, nt_create_file, nt_device_io_control_file};
use crate::test_support::{lookup, pair};
use windows_sys::Win32::Foundation::{HANDLE, INVALID_HANDLE_VALUE, WAIT_TIMEOUT};
use windows_sys::Win32::Networking::WinSock::WSADATA;
use windows_sys::Win32::System::IO::OVERLAPPED;
use winsock_model::contract::*;

fn start() -> parking_lot::MutexGuard<'static, ()> {
    let g = TEST_LOCK.lock();
    let mut data: WSADATA = unsafe { std::mem::zeroed() };
    // SAFETY: a WSADATA to write.
    assert_eq!(unsafe { startup::WSAStartup(0x0202, &mut data) }, 0);
    g
}

type CreatePort = unsafe extern "system" fn(HANDLE, HANDLE, usize, u32) -> HANDLE;
type Gqcs =
    unsafe extern "system" fn(HANDLE, *mut u32, *mut usize, *mut *mut OVERLAPPED, u32) -> i32;

/// `AFD_POLL_INFO` with one handle (mio's shape).
#[repr(C)]
#[derive(Clone, Copy, Default)]
struct Info {
    timeout: i64,
    count: u32,
    exclusive: u32,
    handle: usize,
    events: u32,
    status: u32,
}

/// `IO_STATUS_BLOCK`.
#[repr(C)]
#[derive(Clone, Copy, Default)]
struct Iosb {
    status: u64,
    information: u64,
}

/// An AFD handle as mio opens one, on a new port with key 7: (afd, port).
fn afd_on_port() -> (usize, HANDLE) {
    let name: Vec<u16> = "\\Device\\Afd\\Mio".encode_utf16().collect();
    #[repr(C)]
    struct Unicode {
        len: u16,
        max: u16,
        buf: *const u16,
    }
    #[repr(C)]
    struct Attrs {
        len: u32,
        root: usize,
        name: *const Unicode,
        attributes: u32,
        sd: usize,
        sqos: usize,
    }
    let u = Unicode {
        len: (name.len() * 2) as u16,
        max: (name.len() * 2) as u16,
        buf: name.as_ptr(),
    };
    let attrs = Attrs {
        len: std::mem::size_of::<Attrs>() as u32,
        root: 0,
        name: &u,
        attributes: 0,
        sd: 0,
        sqos: 0,
    };
    let (mut h, mut io) = (0usize, Iosb::default());
    // SAFETY: mio's arguments (SYNCHRONIZE, share read|write, FILE_OPEN).
    let st = unsafe {
        nt_create_file(
            &mut h,
            0x0010_0000,
            (&attrs as *const Attrs).cast(),
            (&mut io as *mut Iosb).cast(),
            std::ptr::null_mut(),
            0,
            3,
            1,
            0,
            std::ptr::null_mut(),
            0,
        )
    };
    assert_eq!(st, 0, "NtCreateFile(\\Device\\Afd\\Mio)");
    assert!(crate::afd::is_device(h));
    // SAFETY: the address GetProcAddress gave for the name.
    let create: CreatePort =
        unsafe { std::mem::transmute::<usize, CreatePort>(lookup(c"CreateIoCompletionPort")) };
    // SAFETY: a new port, then the AFD handle on it.
    let port = unsafe { create(INVALID_HANDLE_VALUE, std::ptr::null_mut(), 0, 0) };
    assert!(!port.is_null());
    // SAFETY: as above.
    assert_eq!(unsafe { create(h as HANDLE, port, 7, 0) }, port);
    (h, port)
}

/// `IOCTL_AFD_POLL` on `afd` for `info`, in and out the same buffer (as
/// mio does), with `ctx` as the apc_context.
fn poll(afd: usize, info: &mut Info, iosb: &mut Iosb, ctx: usize, lens: (u32, u32)) -> u32 {
    let p = info as *mut Info as usize;
    // SAFETY: the buffers outlive the request (each test ends it).
    unsafe {
        nt_device_io_control_file(
            afd,
            0,
            0,
            ctx,
            iosb as *mut Iosb as usize,
            IOCTL_AFD_POLL,
            p,
            lens.0,
            p,
            lens.1,
        )
    }
}

/// One packet from `port` without waiting: (ok, key, overlapped, bytes).
fn dequeue(port: HANDLE) -> Option<(i32, usize, usize, u32)> {
    // SAFETY: the address GetProcAddress gave for the name.
    let gqcs: Gqcs =
        unsafe { std::mem::transmute::<usize, Gqcs>(lookup(c"GetQueuedCompletionStatus")) };
    let (mut n, mut key, mut ov) = (0u32, 0usize, std::ptr::null_mut());
    // SAFETY: valid outputs.
    let r = unsafe { gqcs(port, &mut n, &mut key, &mut ov, 0) };
    if r == 0 && ov.is_null() {
        assert_eq!(crate::os::last_error(), WAIT_TIMEOUT);
        return None;
    }
    Some((r, key, ov as usize, n))
}

/// `CloseHandle` as the program's import entry reaches it (the DLL's
/// for an AFD handle, which forgets it).
fn close(h: usize) {
    // SAFETY: a handle of the test's, closed once.
    assert_ne!(unsafe { crate::ntdll::close_handle(h) }, 0);
}

const SIZE: u32 = std::mem::size_of::<Info>() as u32;
/// `AFD_POLL_RECEIVE`, `AFD_POLL_SEND`, `AFD_POLL_LOCAL_CLOSE`.
const RECEIVE: u32 = 0x1;
const SEND: u32 = 0x4;

fn one(s: usize, events: u32, timeout: i64) -> Info {
    Info {
        timeout,
        count: 1,
        handle: s,
        events,
        ..Info::default()
    }
}

#[test]
fn a_poll_with_nothing_ready_pends_and_a_datagram_completes_it_on_the_port() {
    let _g = start();
    let (afd, port) = afd_on_port();
    let (b, a, to) = pair();
    let (mut info, mut iosb, ctx) = (one(a, RECEIVE, i64::MAX), Iosb::default(), 0x5150usize);
    assert_eq!(
        poll(afd, &mut info, &mut iosb, ctx, (SIZE, SIZE)),
        STATUS_PENDING
    );
    assert_eq!(iosb.status, 0, "the block is left alone while pending");
    assert!(dequeue(port).is_none(), "nothing is ready yet");
    // SAFETY: a valid buffer and address.
    let n = unsafe { data::sendto(b, b"hi".as_ptr(), 2, 0, to.as_ptr().cast(), to.len() as i32) };
    assert_eq!(n, 2);
    // The send's end settled the poll: the packet (key, apc_context, the
    // bytes of the output), the IO_STATUS_BLOCK, the output.
    assert_eq!(dequeue(port), Some((1, 7, ctx, SIZE)));
    assert_eq!((iosb.status, iosb.information), (0, u64::from(SIZE)));
    assert_eq!((info.count, info.handle, info.events), (1, a, RECEIVE));
    assert_eq!(info.timeout, i64::MAX);
    sock::closesocket(a);
    sock::closesocket(b);
    close(afd);
    close(port as usize);
    assert_eq!(startup::WSACleanup(), 0);
}

#[test]
fn a_poll_with_something_ready_completes_at_once_and_queues_its_packet() {
    let _g = start();
    let (afd, port) = afd_on_port();
    let (b, a, _) = pair();
    // A UDP socket is writable from creation (sock.c:8143-8144).
    let (mut info, mut iosb, ctx) = (one(a, RECEIVE | SEND, i64::MAX), Iosb::default(), 0x77);
    assert_eq!(
        poll(afd, &mut info, &mut iosb, ctx, (SIZE, SIZE)),
        STATUS_SUCCESS
    );
    assert_eq!((info.count, info.events), (1, SEND));
    // mio takes its result from the packet, also of an immediate success.
    assert_eq!(dequeue(port), Some((1, 7, ctx, SIZE)));
    sock::closesocket(a);
    sock::closesocket(b);
    close(afd);
    close(port as usize);
    assert_eq!(startup::WSACleanup(), 0);
}

#[test]
fn cancelling_a_pending_poll_completes_it_cancelled_and_a_second_cancel_finds_none() {
    let _g = start();
    let (afd, port) = afd_on_port();
    let (b, a, _) = pair();
    let (mut info, mut iosb, ctx) = (one(a, RECEIVE, i64::MAX), Iosb::default(), 0x99);
    assert_eq!(
        poll(afd, &mut info, &mut iosb, ctx, (SIZE, SIZE)),
        STATUS_PENDING
    );
    let mut cio = Iosb::default();
    let ip = &mut iosb as *mut Iosb as usize;
    // SAFETY: the pending request's IO_STATUS_BLOCK and one to write.
    let st = unsafe { nt_cancel_io_file_ex(afd, ip, (&mut cio as *mut Iosb).cast()) };
    assert_eq!(st, STATUS_SUCCESS);
    assert_eq!(iosb.status as u32, ntstatus::STATUS_CANCELLED);
    // The packet carries the status: GetQueuedCompletionStatus fails with
    // ERROR_OPERATION_ABORTED (995) and gives the apc_context.
    let (r, key, ov, _) = dequeue(port).expect("the cancelled poll's packet");
    assert_eq!((r, key, ov, crate::os::last_error()), (0, 7, ctx, 995));
    // SAFETY: as above.
    let st = unsafe { nt_cancel_io_file_ex(afd, ip, (&mut cio as *mut Iosb).cast()) };
    assert_eq!(st, STATUS_NOT_FOUND);
    sock::closesocket(a);
    sock::closesocket(b);
    close(afd);
    assert!(
        !crate::afd::is_device(afd),
        "a closed AFD handle is forgotten"
    );
    close(port as usize);
    assert_eq!(startup::WSACleanup(), 0);
}

#[test]
fn polls_are_validated_as_windows_does_and_a_zero_time_out_answers_at_once() {
    let _g = start();
    let (afd, port) = afd_on_port();
    let (b, a, _) = pair();
    let mut iosb = Iosb::default();
    // afd.c:237-239: an output smaller than the input.
    let mut info = one(a, RECEIVE, i64::MAX);
    assert_eq!(
        poll(afd, &mut info, &mut iosb, 0, (SIZE, SIZE - 1)),
        STATUS_INVALID_PARAMETER
    );
    // afd.c:249-252: an input shorter than its one handle.
    assert_eq!(
        poll(afd, &mut info, &mut iosb, 0, (SIZE - 1, SIZE - 1)),
        STATUS_INVALID_PARAMETER
    );
    // afd.c:241-243: no handles.
    let mut none = Info { count: 0, ..info };
    assert_eq!(
        poll(afd, &mut none, &mut iosb, 0, (SIZE, SIZE)),
        STATUS_INVALID_PARAMETER
    );
    // afd.c:233-235: a handle that is no socket.
    let mut bad = Info { handle: 0, ..info };
    assert_eq!(
        poll(afd, &mut bad, &mut iosb, 0, (SIZE, SIZE)),
        STATUS_INVALID_HANDLE
    );
    // afd.c:256-273: a zero time-out with nothing ready: at once, no
    // handles, the bytes of the head only.
    let mut zero = one(a, RECEIVE, 0);
    assert_eq!(
        poll(afd, &mut zero, &mut iosb, 0x42, (SIZE, SIZE)),
        STATUS_SUCCESS
    );
    assert_eq!((iosb.status, iosb.information, zero.count), (0, 16, 0));
    assert_eq!(dequeue(port), Some((1, 7, 0x42, 16)));
    assert!(dequeue(port).is_none(), "the refused polls queued nothing");
    sock::closesocket(a);
    sock::closesocket(b);
    close(afd);
    close(port as usize);
    assert_eq!(startup::WSACleanup(), 0);
}

/// `IOCTL_AFD_POLL` made on `file` (a socket or an AFD handle).
fn poll_on(file: usize, info: &mut Info, iosb: &mut Iosb) -> u32 {
    let p = info as *mut Info as usize;
    // SAFETY: the buffers outlive the request (the test ends it).
    unsafe {
        nt_device_io_control_file(
            file,
            0,
            0,
            0,
            iosb as *mut Iosb as usize,
            IOCTL_AFD_POLL,
            p,
            SIZE,
            p,
            SIZE,
        )
    }
}

#[test]
fn a_past_date_a_closed_socket_and_the_closed_requesting_socket_end_polls() {
    let _g = start();
    let (afd, port) = afd_on_port();
    let (b, a, _) = pair();
    let mut iosb = Iosb::default();
    // afd.c:275-285: an absolute time-out already past pends, and has
    // timed out by the time it is looked at: no handles, the date kept.
    let past = crate::os::system_time() - 1;
    let mut info = one(a, RECEIVE, past);
    assert_eq!(poll_on(afd, &mut info, &mut iosb), STATUS_PENDING);
    assert_eq!((iosb.status as u32, iosb.information), (STATUS_TIMEOUT, 16));
    assert_eq!((info.count, info.timeout), (0, past));
    // afd.c:486-512: a socket closed while polled for nothing reports
    // AFD_POLL_LOCAL_CLOSE.
    let mut info = one(a, 0, -10_000_000);
    assert_eq!(poll_on(a, &mut info, &mut iosb), STATUS_PENDING);
    sock::closesocket(a);
    assert_eq!((iosb.status, info.count, info.handle), (0, 1, a));
    assert_eq!(info.events, crate::afd::AFD_POLL_LOCAL_CLOSE);
    // afd.c:691-709: closing the socket a poll was made on ends its poll
    // of another socket with STATUS_TIMEOUT and no handles.
    let (c, d2, _) = pair();
    let mut info = one(d2, RECEIVE, -10_000_000);
    assert_eq!(poll_on(c, &mut info, &mut iosb), STATUS_PENDING);
    sock::closesocket(c);
    assert_eq!((iosb.status as u32, info.count), (STATUS_TIMEOUT, 0));
    for s in [b, d2] {
        sock::closesocket(s);
    }
    close(afd);
    close(port as usize);
    assert_eq!(startup::WSACleanup(), 0);
}

#[test]
fn an_exclusive_poll_ends_the_sockets_exclusive_main_poll_and_cancel_io_ends_a_sockets_polls() {
    let _g = start();
    let (b, a, _) = pair();
    let (mut i0, mut i1) = (Iosb::default(), Iosb::default());
    let excl = |timeout| Info {
        exclusive: 1,
        ..one(a, RECEIVE, timeout)
    };
    // afd.c:1040-1060: the first exclusive poll is the socket's main poll;
    // a second exclusive one ends it (success, nothing fired).
    let (mut p0, mut p1) = (excl(i64::MAX), excl(i64::MAX));
    assert_eq!(poll_on(b, &mut p0, &mut i0), STATUS_PENDING);
    assert_eq!(poll_on(b, &mut p1, &mut i1), STATUS_PENDING);
    assert_eq!((i0.status, i0.information, p0.count), (0, 16, 0));
    let pending = Iosb {
        status: 0xcccc_cccc,
        information: 0,
    };
    assert_eq!(i1.status, 0, "still pending");
    // afd.c:1066-1100: a non-exclusive poll made while the main poll is
    // outstanding ends nothing, and is not ended.
    let mut p2 = one(a, RECEIVE, i64::MAX);
    let mut i2 = pending;
    assert_eq!(poll_on(b, &mut p2, &mut i2), STATUS_PENDING);
    assert_eq!((i1.status, i2.status), (0, pending.status));
    // afd.c:1027-1033: CancelIo on the socket the polls were made on
    // ends them.
    type CancelIo = unsafe extern "system" fn(HANDLE) -> i32;
    // SAFETY: the address GetProcAddress gave for the name.
    let cancel: CancelIo = unsafe { std::mem::transmute::<usize, CancelIo>(lookup(c"CancelIo")) };
    // SAFETY: one of the DLL's sockets.
    assert_eq!(unsafe { cancel(b as HANDLE) }, 1);
    for io in [&i1, &i2] {
        assert_eq!(io.status as u32, ntstatus::STATUS_CANCELLED);
    }
    sock::closesocket(a);
    sock::closesocket(b);
    assert_eq!(startup::WSACleanup(), 0);
}

#[test]
fn a_poll_without_a_port_ends_with_its_thread() {
    // afd.c:2534-2556 (run on Windows): a pending poll of a thread that
    // ends is cancelled, its APC routine never run.
    let _g = start();
    let (b, a, _) = pair();
    let iosb = Box::leak(Box::new(Iosb::default()));
    let info = Box::leak(Box::new(one(a, RECEIVE, i64::MAX)));
    let (ip, pp) = (iosb as *mut Iosb as usize, info as *mut Info as usize);
    unsafe extern "system" fn apc(_: usize, _: usize, _: u32) {
        panic!("the APC of a poll whose thread ended ran");
    }
    let t = std::thread::spawn(move || {
        // SAFETY: the leaked buffers outlive the request.
        unsafe {
            nt_device_io_control_file(
                b,
                0,
                apc as unsafe extern "system" fn(usize, usize, u32) as usize,
                0,
                ip,
                IOCTL_AFD_POLL,
                pp,
                SIZE,
                pp,
                SIZE,
            )
        }
    });
    assert_eq!(t.join().unwrap(), STATUS_PENDING);
    crate::settle::settle(crate::calls::dll());
    // SAFETY: written by the DLL, read after the request ended.
    let st = unsafe { std::ptr::read_volatile(ip as *const Iosb) };
    assert_eq!(st.status as u32, ntstatus::STATUS_CANCELLED);
    crate::os::run_user_apcs();
    sock::closesocket(a);
    sock::closesocket(b);
    assert_eq!(startup::WSACleanup(), 0);
}
