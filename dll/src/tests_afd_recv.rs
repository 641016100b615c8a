//! AFD receives (`afd_recv.rs`) as Wine's `afd.c` `test_recv` makes them
//! (run on Windows; lines of Debian's wine 8.0~repack-4): the statuses the
//! call returns, what its `IO_STATUS_BLOCK` holds and when, the buffers,
//! the APC routine. On Linux (events and ports are stand-ins there) and
//! under Wine.

use crate::afd::{
    Request, STATUS_ACCESS_VIOLATION, STATUS_INVALID_PARAMETER, STATUS_PENDING, STATUS_SUCCESS,
};
use crate::afd_recv::{ioctl, STATUS_DEVICE_NOT_READY, STATUS_PIPE_DISCONNECTED};
use crate::calls::{dll, TEST_LOCK};
use crate::exports::*;
use std::net::SocketAddr;
use windows_sys::Win32::Networking::WinSock::{WSABUF, WSADATA};
use winsock_model::contract::ntstatus::{
    STATUS_BUFFER_OVERFLOW, STATUS_CANCELLED, STATUS_INVALID_CONNECTION,
};
use winsock_model::contract::*;

pub(crate) fn start() -> parking_lot::MutexGuard<'static, ()> {
    let g = TEST_LOCK.lock();
    let mut data: WSADATA = unsafe { std::mem::zeroed() };
    // SAFETY: a WSADATA to write.
    assert_eq!(unsafe { startup::WSAStartup(0x0202, &mut data) }, 0);
    g
}

/// `struct afd_recv_params` (afd.h:102-108), 24 bytes on x64.
#[repr(C)]
struct Params {
    buffers: *const WSABUF,
    count: u32,
    recv_flags: u32,
    msg_flags: u32,
}

const NOT_OOB: u32 = 0x20;
const OOB: u32 = 0x40;
const PEEK: u32 = 0x80;
const WAITALL: u32 = 0x4000;
const FORCE_ASYNC: u32 = 0x2;

/// `IO_STATUS_BLOCK`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Iosb {
    pub(crate) status: u64,
    pub(crate) information: u64,
}

pub(crate) const UNTOUCHED: Iosb = Iosb {
    status: 0xdead_beef,
    information: 0xdead_beef,
};

/// `NtDeviceIoControlFile(s, NULL, apc, ctx, iosb, IOCTL_AFD_RECV,
/// params, len, NULL, 0)`, as the DLL's hook makes it.
fn afd_recv(s: usize, p: Option<&Params>, len: u32, io: &mut Iosb, apc: usize, ctx: usize) -> u32 {
    let r = Request {
        file: s,
        event: 0,
        apc,
        apc_context: ctx,
        iosb: io as *mut Iosb as usize,
        input: p.map_or(0, |p| p as *const Params as usize),
        in_len: len,
        out: 0,
        out_len: 0,
    };
    // SAFETY: the parameters, buffers and IO_STATUS_BLOCK outlive the
    // request (each test ends it before they go).
    unsafe { ioctl(dll(), &r) }
}

/// An 8-byte buffer the DLL writes by its address, touched here only
/// through that address.
struct Buf(*mut u8);

impl Buf {
    fn new() -> Buf {
        let b = Buf(Box::into_raw(Box::new([0u8; 8])).cast());
        b.clear();
        b
    }

    /// Fills it with 0xcc, as the test's `memset` does.
    fn clear(&self) {
        // SAFETY: the 8 bytes this owns.
        unsafe { std::ptr::write_bytes(self.0, 0xcc, 8) };
    }

    fn got(&self, n: usize) -> Vec<u8> {
        // SAFETY: at most the 8 bytes this owns.
        unsafe { std::slice::from_raw_parts(self.0, n.min(8)).to_vec() }
    }

    /// One WSABUF of all 8 bytes.
    fn whole(&self) -> [WSABUF; 1] {
        [WSABUF {
            len: 8,
            buf: self.0,
        }]
    }

    /// Two WSABUFs, 2 bytes at 0 and 4 at 3 (afd.c:1497-1500).
    fn split(&self) -> [WSABUF; 2] {
        [
            WSABUF {
                len: 2,
                buf: self.0,
            },
            WSABUF {
                len: 4,
                buf: self.0.wrapping_add(3),
            },
        ]
    }
}

impl Drop for Buf {
    fn drop(&mut self) {
        // SAFETY: made by Box::into_raw in `new`, freed once.
        drop(unsafe { Box::from_raw(self.0.cast::<[u8; 8]>()) });
    }
}

fn recv(s: usize, p: &Params, io: &mut Iosb) -> u32 {
    afd_recv(s, Some(p), 24, io, 0, 0)
}

pub(crate) fn encode(a: SocketAddr) -> Vec<u8> {
    addr::encode(&a)
}

pub(crate) fn name_of(s: usize) -> Vec<u8> {
    let mut name = [0u8; 128];
    let mut len = 128i32;
    // SAFETY: valid buffers.
    assert_eq!(
        unsafe { sock::getsockname(s, name.as_mut_ptr().cast(), &mut len) },
        0
    );
    name[..len as usize].to_vec()
}

/// A listener and a connection to it: (listener, client, server).
pub(crate) fn tcp() -> (usize, usize, usize) {
    let l = sock::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    let any = encode("127.0.0.1:0".parse().unwrap());
    // SAFETY: valid buffers.
    unsafe {
        assert_eq!(sock::bind(l, any.as_ptr().cast(), any.len() as i32), 0);
        assert_eq!(sock::listen(l, 1), 0);
        let to = name_of(l);
        let c = sock::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
        assert_eq!(sock::connect(c, to.as_ptr().cast(), to.len() as i32), 0);
        let s = sock::accept(l, std::ptr::null_mut(), std::ptr::null_mut());
        assert_ne!(s, usize::MAX);
        (l, c, s)
    }
}

fn send(s: usize, data: &[u8], flags: i32) {
    // SAFETY: a valid buffer.
    let n = unsafe { data::send(s, data.as_ptr(), data.len() as i32, flags) };
    assert_eq!(n, data.len() as i32);
}

fn nonblocking(s: usize, on: bool) {
    let mut arg = u32::from(on);
    // SAFETY: a valid argument.
    assert_eq!(unsafe { sock::ioctlsocket(s, FIONBIO as i32, &mut arg) }, 0);
}

#[test]
fn a_stream_receive_checks_then_pends_or_completes_at_once() {
    let _g = start();
    let (l, c, s) = tcp();
    let mut io = Iosb {
        status: 0,
        information: 0,
    };
    // afd.c:1445-1449: a listener is not connected, whatever the arguments.
    assert_eq!(
        afd_recv(l, None, 0, &mut io, 0, 0),
        STATUS_INVALID_CONNECTION
    );
    // afd.c:1457-1466: no parameters, or one byte short.
    assert_eq!(
        afd_recv(c, None, 0, &mut io, 0, 0),
        STATUS_INVALID_PARAMETER
    );
    let buf = Buf::new();
    let whole = buf.whole();
    let mut p = Params {
        buffers: whole.as_ptr(),
        count: 1,
        recv_flags: 0,
        msg_flags: NOT_OOB,
    };
    assert_eq!(
        afd_recv(c, Some(&p), 23, &mut io, 0, 0),
        STATUS_INVALID_PARAMETER
    );
    assert_eq!(io.status, 0);

    // afd.c:1468-1491: nothing there, so it pends and the block is left
    // alone; the parameters need not outlive the call.
    io = UNTOUCHED;
    assert_eq!(recv(c, &p, &mut io), STATUS_PENDING);
    assert_eq!(io, UNTOUCHED);
    p.count = 0xcccc;
    send(s, b"data\0", 0);
    assert_eq!((io.status, io.information), (0, 5));
    assert_eq!(buf.got(5), b"data\0");

    // afd.c:1495-1524: two buffers, pending and at once.
    let split = buf.split();
    p.buffers = split.as_ptr();
    p.count = 2;
    buf.clear();
    assert_eq!(recv(c, &p, &mut io), STATUS_PENDING);
    send(s, b"data\0", 0);
    assert_eq!((io.status, io.information), (0, 5));
    assert_eq!(buf.got(6), b"da\xccta\0");
    send(s, b"data\0", 0);
    buf.clear();
    io = UNTOUCHED;
    assert_eq!(recv(c, &p, &mut io), STATUS_SUCCESS);
    assert_eq!((io.status, io.information), (0, 5));
    assert_eq!(buf.got(6), b"da\xccta\0");

    // afd.c:1602-1616: msg_flags needs exactly one of NOT_OOB and OOB; a
    // failure leaves the block alone.
    for bad in [0, OOB | NOT_OOB] {
        p.msg_flags = bad;
        io = UNTOUCHED;
        assert_eq!(recv(c, &p, &mut io), STATUS_INVALID_PARAMETER);
        assert_eq!(io, UNTOUCHED);
    }
    // A WSABUF array that cannot be read.
    p.msg_flags = NOT_OOB;
    p.buffers = std::ptr::dangling::<WSABUF>();
    assert_eq!(recv(c, &p, &mut io), STATUS_ACCESS_VIOLATION);
    assert_eq!(io, UNTOUCHED);
    for h in [c, s, l] {
        assert_eq!(sock::closesocket(h), 0);
    }
    assert_eq!(startup::WSACleanup(), 0);
}

#[test]
fn nonblocking_flags_and_the_end_of_a_stream() {
    let _g = start();
    let (l, c, s) = tcp();
    let buf = Buf::new();
    let bufs = buf.split();
    let mut p = Params {
        buffers: bufs.as_ptr(),
        count: 2,
        recv_flags: 0,
        msg_flags: NOT_OOB,
    };
    let mut io = UNTOUCHED;
    // afd.c:1527-1561: non-blocking, nothing there: at once; data: at once.
    nonblocking(c, true);
    assert_eq!(recv(c, &p, &mut io), STATUS_DEVICE_NOT_READY);
    assert_eq!(io, UNTOUCHED);
    send(s, b"data\0", 0);
    assert_eq!(recv(c, &p, &mut io), STATUS_SUCCESS);
    assert_eq!((io.status, io.information), (0, 5));
    // afd.c:1563-1577: AFD_RECV_FORCE_ASYNC pends instead.
    p.recv_flags = FORCE_ASYNC;
    io = UNTOUCHED;
    assert_eq!(recv(c, &p, &mut io), STATUS_PENDING);
    assert_eq!(io, UNTOUCHED);
    send(s, b"data\0", 0);
    assert_eq!((io.status, io.information), (0, 5));
    p.recv_flags = 0;
    nonblocking(c, false);

    // afd.c:1583-1634: the urgent byte is kept apart from the stream.
    send(s, b"a", MSG_OOB as i32);
    send(s, b"data\0", 0);
    buf.clear();
    assert_eq!(recv(c, &p, &mut io), STATUS_SUCCESS);
    assert_eq!((io.status, io.information), (0, 5));
    assert_eq!(buf.got(6), b"da\xccta\0");
    p.msg_flags = OOB;
    buf.clear();
    io = UNTOUCHED;
    assert_eq!(recv(c, &p, &mut io), STATUS_SUCCESS);
    assert_eq!((io.status, io.information), (0, 1));
    assert_eq!(buf.got(1), b"a");

    // afd.c:1641-1664: a peek, twice, finds the same four bytes.
    p.msg_flags = NOT_OOB | PEEK;
    send(s, b"data", 0);
    for _ in 0..2 {
        buf.clear();
        io = UNTOUCHED;
        assert_eq!(recv(c, &p, &mut io), STATUS_SUCCESS);
        assert_eq!((io.status, io.information), (0, 4));
        assert_eq!(buf.got(5), b"da\xccta");
    }
    // afd.c:1666-1680: MSG_WAITALL waits for six bytes.
    p.msg_flags = NOT_OOB | WAITALL;
    buf.clear();
    io = UNTOUCHED;
    assert_eq!(recv(c, &p, &mut io), STATUS_PENDING);
    assert_eq!(io, UNTOUCHED);
    send(s, b"s\0", 0);
    assert_eq!((io.status, io.information), (0, 6));
    assert_eq!(buf.got(7), b"da\xcctas\0");

    // afd.c:1684-1699: the peer's close ends a pending receive with 0
    // bytes; after shutdown(SD_RECEIVE) a receive fails at once.
    p.msg_flags = NOT_OOB;
    io = UNTOUCHED;
    assert_eq!(recv(c, &p, &mut io), STATUS_PENDING);
    assert_eq!(sock::closesocket(s), 0);
    assert_eq!((io.status, io.information), (0, 0));
    assert_eq!(sock::shutdown(c, SD_RECEIVE), 0);
    io = UNTOUCHED;
    assert_eq!(recv(c, &p, &mut io), STATUS_PIPE_DISCONNECTED);
    assert_eq!(io, UNTOUCHED);
    assert_eq!(sock::closesocket(c), 0);
    assert_eq!(sock::closesocket(l), 0);
    assert_eq!(startup::WSACleanup(), 0);
}

static APC_CALLS: parking_lot::Mutex<Vec<(usize, usize, u32)>> =
    parking_lot::Mutex::new(Vec::new());

unsafe extern "system" fn apc(ctx: usize, iosb: usize, reserved: u32) {
    APC_CALLS.lock().push((ctx, iosb, reserved));
}

#[test]
fn datagrams_truncation_close_and_the_apc_routine() {
    let _g = start();
    let c = sock::socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    let s = sock::socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    let buf = Buf::new();
    let bufs = buf.split();
    let p = Params {
        buffers: bufs.as_ptr(),
        count: 2,
        recv_flags: 0,
        msg_flags: NOT_OOB,
    };
    let mut io = UNTOUCHED;
    // afd.c:1704-1709: an unbound datagram socket.
    assert_eq!(recv(c, &p, &mut io), STATUS_INVALID_PARAMETER);
    let any = encode("127.0.0.1:0".parse().unwrap());
    // SAFETY: valid buffers.
    assert_eq!(
        unsafe { sock::bind(c, any.as_ptr().cast(), any.len() as i32) },
        0
    );
    let to = name_of(c);
    let send_to = |data: &[u8]| {
        // SAFETY: valid buffers.
        let n = unsafe {
            data::sendto(
                s,
                data.as_ptr(),
                data.len() as i32,
                0,
                to.as_ptr().cast(),
                to.len() as i32,
            )
        };
        assert_eq!(n, data.len() as i32);
    };
    // afd.c:1716-1728: pending, then the datagram; with an APC routine
    // (queued to this thread, run by its next alertable wait) and context.
    APC_CALLS.lock().clear();
    let routine = apc as unsafe extern "system" fn(usize, usize, u32) as usize;
    assert_eq!(
        afd_recv(c, Some(&p), 24, &mut io, routine, 0x1234),
        STATUS_PENDING
    );
    send_to(b"data\0");
    assert_eq!((io.status, io.information), (0, 5));
    assert_eq!(buf.got(6), b"da\xccta\0");
    assert!(APC_CALLS.lock().is_empty(), "not before an alertable wait");
    crate::os::run_user_apcs();
    let at = &mut io as *mut Iosb as usize;
    assert_eq!(*APC_CALLS.lock(), [(0x1234, at, 0)]);

    // afd.c:1732-1764: a datagram larger than the buffers, pending and at
    // once: STATUS_BUFFER_OVERFLOW with the six bytes that fit.
    buf.clear();
    io = UNTOUCHED;
    assert_eq!(recv(c, &p, &mut io), STATUS_PENDING);
    send_to(b"moredata\0");
    let overflow = u64::from(STATUS_BUFFER_OVERFLOW);
    assert_eq!((io.status, io.information), (overflow, 6));
    assert_eq!(buf.got(8), b"mo\xccreda\xcc");
    send_to(b"moredata\0");
    buf.clear();
    io = UNTOUCHED;
    assert_eq!(recv(c, &p, &mut io), STATUS_BUFFER_OVERFLOW);
    assert_eq!((io.status, io.information), (overflow, 6));
    assert_eq!(buf.got(8), b"mo\xccreda\xcc");

    // afd.c:1768-1790: closing the socket cancels a pending receive.
    io = UNTOUCHED;
    assert_eq!(recv(c, &p, &mut io), STATUS_PENDING);
    assert_eq!(sock::closesocket(c), 0);
    assert_eq!(
        (io.status, io.information),
        (u64::from(STATUS_CANCELLED), 0)
    );
    assert_eq!(sock::closesocket(s), 0);
    assert_eq!(startup::WSACleanup(), 0);
}
