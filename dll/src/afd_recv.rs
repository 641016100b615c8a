//! AFD receives: `NtDeviceIoControlFile(socket, event, apc, apc_context,
//! iosb, IOCTL_AFD_RECV, &params, sizeof(params), NULL, 0)`, what
//! Winsock's own receives are made of on Windows, made by a program
//! directly (`ntdll.rs` routes the call here).
//!
//! An AFD receive is the model's overlapped receive (`WSARecv` with the
//! request's buffers and flags), whose completion writes the request's
//! `IO_STATUS_BLOCK` rather than an `OVERLAPPED` (`ovl::finish_nt`): the
//! event, the APC routine and the completion-port packet follow as the
//! I/O manager sends them. The structures are Wine's
//! `include/wine/afd.h` (Debian's wine 8.0~repack-4): the control code
//! (afd.h:42), `struct afd_recv_params` (afd.h:102-108: the `WSABUF`
//! array, its count, `recv_flags`, `msg_flags`; 24 bytes on x64) and the
//! flags (afd.h:95-100).
//!
//! What Windows does is Wine's `dlls/ws2_32/tests/afd.c` `test_recv`
//! (run on Windows; lines of the same package):
//! - a connection-oriented socket that is not connected (a listener) is
//!   `STATUS_INVALID_CONNECTION` before the parameters are read
//!   (afd.c:1445-1449); no parameters, or fewer bytes than
//!   `afd_recv_params`, `STATUS_INVALID_PARAMETER` (afd.c:1457-1466);
//! - `msg_flags` has exactly one of `AFD_MSG_NOT_OOB` and `AFD_MSG_OOB`,
//!   else `STATUS_INVALID_PARAMETER` with the `IO_STATUS_BLOCK` untouched
//!   (afd.c:1602-1616); `AFD_MSG_OOB`, `AFD_MSG_PEEK` and
//!   `AFD_MSG_WAITALL` are `MSG_OOB`, `MSG_PEEK` and `MSG_WAITALL`
//!   (afd.c:1618-1671);
//! - the parameters and the `WSABUF` array need not outlive the call, the
//!   buffers do (afd.c:1483-1485);
//! - nothing there: `STATUS_PENDING`, the `IO_STATUS_BLOCK` untouched
//!   until the data comes (afd.c:1474-1481); data there: `STATUS_SUCCESS`
//!   at once with the block written (afd.c:1516-1524); a datagram larger
//!   than the buffers: `STATUS_BUFFER_OVERFLOW`, at once or later, with
//!   the part that fit (afd.c:1740-1764);
//! - a non-blocking socket with nothing there: `STATUS_DEVICE_NOT_READY`
//!   at once, unless `recv_flags` has `AFD_RECV_FORCE_ASYNC` (then it
//!   pends: afd.c:1527-1577);
//! - the peer's close completes a pending receive with 0 bytes
//!   (afd.c:1678-1689); after `shutdown(SD_RECEIVE)`,
//!   `STATUS_PIPE_DISCONNECTED` (afd.c:1691-1699); an unbound datagram
//!   socket, `STATUS_INVALID_PARAMETER` (afd.c:1704-1709); closing the
//!   socket ends a pending receive with `STATUS_CANCELLED` (afd.c:1782-1790).
//!
//! A failure at once leaves the `IO_STATUS_BLOCK` and the event alone and
//! queues nothing (the I/O manager completes no request that failed so).

#![cfg_attr(not(windows), allow(dead_code))]

use crate::afd::{
    Request, STATUS_ACCESS_VIOLATION, STATUS_INVALID_HANDLE, STATUS_INVALID_PARAMETER,
    STATUS_NOT_SUPPORTED, STATUS_PENDING, STATUS_SUCCESS,
};
use crate::calls::{in_model, Dll};
use crate::fault::Fault;
use crate::ops::{Nt, Out};
use crate::ovl::{self, Started};
use crate::{mem, os, settle};
use windows_sys::Win32::Networking::WinSock::WSABUF;
use winsock_model::contract::ntstatus::{
    status_of_wsa, STATUS_BUFFER_OVERFLOW, STATUS_INVALID_CONNECTION,
};
use winsock_model::contract::{
    Completion, WsaError, MSG_OOB, MSG_PEEK, MSG_WAITALL, WSAEFAULT, WSAEINVAL, WSAEMSGSIZE,
    WSAENOTSOCK, WSAESHUTDOWN, WSAEWOULDBLOCK,
};
use winsock_model::{Overlapped, Winsock, WinsockOverlapped};

/// `IOCTL_AFD_RECV` (afd.h:42).
pub(crate) const IOCTL_AFD_RECV: u32 = 0x0001_2017;

/// `recv_flags`: pend rather than fail on a non-blocking socket.
const AFD_RECV_FORCE_ASYNC: u32 = 0x2;
/// `msg_flags` (afd.h:97-100).
const AFD_MSG_NOT_OOB: u32 = 0x0020;
const AFD_MSG_OOB: u32 = 0x0040;
const AFD_MSG_PEEK: u32 = 0x0080;
const AFD_MSG_WAITALL: u32 = 0x4000;

/// `sizeof(struct afd_recv_params)` on x64.
const PARAMS: usize = 24;

/// `STATUS_DEVICE_NOT_READY`: a non-blocking socket with nothing there.
pub(crate) const STATUS_DEVICE_NOT_READY: u32 = 0xC000_00A3;
/// `STATUS_PIPE_DISCONNECTED`: the receive side was shut down.
pub(crate) const STATUS_PIPE_DISCONNECTED: u32 = 0xC000_00B0;

/// The `NTSTATUS` of an AFD receive that failed at once with Winsock
/// code `e` (the status Windows' table maps back to it, as `test_recv`
/// sees them: afd.c:1530, 1697, 1706).
pub(crate) fn status_of_code(e: i32, datagram: bool) -> u32 {
    match e {
        0 => STATUS_SUCCESS,
        WSAEMSGSIZE => STATUS_BUFFER_OVERFLOW,
        WSAEWOULDBLOCK => STATUS_DEVICE_NOT_READY,
        WSAESHUTDOWN => STATUS_PIPE_DISCONNECTED,
        WSAEINVAL => STATUS_INVALID_PARAMETER,
        // model choice: a buffer that cannot be written is what probing
        // it raises.
        WSAEFAULT => STATUS_ACCESS_VIOLATION,
        WSAENOTSOCK => STATUS_INVALID_HANDLE,
        e => status_of_wsa(e, datagram),
    }
}

/// The `NTSTATUS` of a receive that failed at once with `f`.
fn status_of_fault(d: &Dll, f: Fault, datagram: bool) -> u32 {
    match f {
        Fault::Model(WsaError::Code(c)) => status_of_code(c, datagram),
        Fault::Model(WsaError::Model(rep)) => {
            status_of_code(d.model_report("IOCTL_AFD_RECV", &rep), datagram)
        }
        Fault::Dll(c, why) => {
            d.note(format!("IOCTL_AFD_RECV: {why}"));
            status_of_code(c, datagram)
        }
        Fault::NotModelled(what) => {
            d.note(format!("IOCTL_AFD_RECV: not modelled: {what}"));
            STATUS_NOT_SUPPORTED
        }
    }
}

/// `NtDeviceIoControlFile(socket, .., IOCTL_AFD_RECV, ..)` on one of the
/// DLL's sockets (`r.file`): the `NTSTATUS` it returns. The model's
/// events due now happen first; a completion at once is in the program's
/// memory and objects when it returns (`settle`).
///
/// # Safety
/// The pointers are the program's; every one is probed before use.
pub(crate) unsafe fn ioctl(d: &'static Dll, r: &Request) -> u32 {
    let _m = in_model(d);
    settle::settle(d);
    // SAFETY: passed on.
    let st = unsafe { recv(d, r) };
    settle::settle(d);
    st
}

/// [`ioctl`]'s body.
///
/// # Safety
/// As [`ioctl`].
unsafe fn recv(d: &Dll, r: &Request) -> u32 {
    let s = r.file;
    let sock = d.sock(s);
    let refuse = |why: &str, st: u32| {
        d.note(format!(
            "NtDeviceIoControlFile(IOCTL_AFD_RECV): {why}: {st:#x}"
        ));
        st
    };
    // The I/O manager clears the call's event (the file's own without
    // one) before the request reaches the driver.
    os::reset_event(if r.event != 0 { r.event } else { s });
    let Some(state) = d.host.afd_socket_now(sock) else {
        return refuse("no socket", STATUS_INVALID_HANDLE);
    };
    let datagram = !state.connection_oriented;
    // afd.c:1445-1449: a listener, before its (missing) parameters.
    if state.connection_oriented && !state.connected {
        return refuse("not connected", STATUS_INVALID_CONNECTION);
    }
    // afd.c:1457-1466.
    if r.input == 0 || (r.in_len as usize) < PARAMS {
        return refuse("no afd_recv_params", STATUS_INVALID_PARAMETER);
    }
    // SAFETY: a probed read of the program's parameters.
    let Ok(p) = (unsafe { mem::bytes_at(r.input as *const u8, PARAMS) }) else {
        return refuse("parameters not readable", STATUS_ACCESS_VIOLATION);
    };
    let word = |at: usize| u32::from_le_bytes(p[at..at + 4].try_into().expect("4 bytes"));
    let buffers = usize::from_le_bytes(p[0..8].try_into().expect("8 bytes"));
    let (count, recv_flags, msg_flags) = (word(8), word(12), word(16));
    // afd.c:1602-1616: exactly one of the two.
    if (msg_flags & AFD_MSG_NOT_OOB != 0) == (msg_flags & AFD_MSG_OOB != 0) {
        return refuse(
            "msg_flags: not exactly one of NOT_OOB, OOB",
            STATUS_INVALID_PARAMETER,
        );
    }
    let flags = [
        (AFD_MSG_OOB, MSG_OOB),
        (AFD_MSG_PEEK, MSG_PEEK),
        (AFD_MSG_WAITALL, MSG_WAITALL),
    ]
    .iter()
    .filter(|(afd, _)| msg_flags & afd != 0)
    .fold(0, |a, (_, m)| a | m);
    // The I/O manager refuses an APC routine for a file with a port.
    if r.apc != 0 && d.ovls.lock().assoc.contains_key(&s) {
        return refuse(
            "an APC routine on a port's socket",
            STATUS_INVALID_PARAMETER,
        );
    }
    if !mem::writable(r.iosb as *const u8, 16) {
        return refuse("IO_STATUS_BLOCK not writable", STATUS_ACCESS_VIOLATION);
    }
    let wsabufs = buffers as *const WSABUF;
    // SAFETY: probed reads of the program's WSABUF array; the buffers are
    // probed writable.
    let room = unsafe {
        mem::bufs_room(wsabufs, count).and_then(|b| Ok((b, mem::bufs_list(wsabufs, count)?)))
    };
    let (bufs, list) = match room {
        Ok(v) => v,
        Err(f) => return status_of_fault(d, f, datagram),
    };
    d.note(format!(
        "NtDeviceIoControlFile({:#x}, IOCTL_AFD_RECV, {count} buffers, recv_flags {recv_flags:#x}, msg_flags {msg_flags:#x})",
        sock.0
    ));
    let nt = Nt {
        apc: r.apc,
        apc_context: r.apc_context,
    };
    let out = Out::Recv {
        bufs: list,
        from: None,
    };
    if state.nonblocking && recv_flags & AFD_RECV_FORCE_ASYNC == 0 {
        // afd.c:1527-1561: a non-blocking socket's receive does not pend.
        let (mut bufs, mut n, mut fl) = (bufs, 0u32, flags);
        let error = match d.host.wsa_recv(sock, &mut bufs, Some(&mut n), &mut fl) {
            Ok(()) => 0,
            Err(WsaError::Code(WSAEMSGSIZE)) => WSAEMSGSIZE,
            Err(e) => return status_of_fault(d, e.into(), datagram),
        };
        let status = status_of_code(error, datagram);
        let b = ovl::begin_nt(d, r.iosb, r.event, nt).expect("checked writable above");
        let c = Completion {
            overlapped: Overlapped::new(0),
            error,
            bytes: n,
            status,
            flags: fl,
            buffers: bufs,
            name: None,
            control: None,
        };
        ovl::complete_now(d, s, b, out, c, true);
        return status;
    }
    let b = ovl::begin_nt(d, r.iosb, r.event, nt).expect("checked writable above");
    let posted = d
        .host
        .wsa_recv_overlapped(sock, bufs, flags, Overlapped::new(b.id), None);
    match ovl::posted(d, s, b, out, posted) {
        Ok(Started::Pending) => STATUS_PENDING,
        Ok(Started::Completed(e, _, _)) => status_of_code(e, datagram),
        Err(f) => status_of_fault(d, f, datagram),
    }
}
