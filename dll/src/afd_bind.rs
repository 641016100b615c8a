//! AFD's bind and name requests on a socket: `IOCTL_AFD_BIND` (the
//! socket bound to the address in `struct afd_bind_params`, the bound
//! name written to the output) and `IOCTL_AFD_GETSOCKNAME`, made by a
//! program directly (`ntdll.rs` routes them here). Each is the model's
//! `bind` or `getsockname`; the answer goes to the `IO_STATUS_BLOCK`,
//! the event, the APC routine and the port as `ovl::finish_nt` sends
//! any AFD request's. The control codes and the parameters are Wine's
//! `include/wine/afd.h` (Debian's wine 8.0~repack-4): afd.h:40, 44,
//! `struct afd_bind_params` afd.h:77-82 (an `int`, then the address).
//!
//! What Windows does is Wine's `dlls/ws2_32/tests/afd.c` (run on Windows;
//! lines of the same package), `test_bind` and `test_getsockname`:
//! - a bind's parameters shorter than the family (`offsetof(addr.sa_data)`)
//!   are `STATUS_INVALID_PARAMETER`; an unknown family, or fewer bytes
//!   than its whole address (a `sockaddr_in6_old` too), `STATUS_INVALID_ADDRESS`
//!   (afd.c:2099-2119, 2236-2257); then an output smaller than the
//!   address, `STATUS_INVALID_PARAMETER` (afd.c:2129-2131, 2264-2279);
//! - a bind that gets that far returns `STATUS_PENDING` and is complete
//!   by the time the event is looked at (a zero wait): the bound name
//!   (its port chosen) in the output and `Information` its size
//!   (afd.c:2133-2146), or `STATUS_INVALID_ADDRESS_COMPONENT` for an
//!   address that is not the host's (afd.c:2121-2127) and
//!   `STATUS_SHARING_VIOLATION` with no bytes for one in use
//!   (afd.c:2160-2170); a socket already bound fails at once with
//!   `STATUS_ADDRESS_ALREADY_ASSOCIATED` (afd.c:2153-2156);
//! - `IOCTL_AFD_GETSOCKNAME` writes the name at once, `Information` its
//!   size (afd.c:2350-2372); a room too small is `STATUS_BUFFER_TOO_SMALL`
//!   (afd.c:2344-2348), an unbound socket `STATUS_INVALID_PARAMETER`
//!   whatever the room (afd.c:2376-2386).

#![cfg_attr(not(windows), allow(dead_code))]

use crate::afd::{Request, STATUS_ACCESS_VIOLATION, STATUS_INVALID_PARAMETER, STATUS_SUCCESS};
use crate::afd_recv::status_of_code;
use crate::calls::{in_model, Dll};
use crate::ops::{Nt, Out};
use crate::{mem, os, ovl, settle};
use winsock_model::contract::ntstatus::STATUS_BUFFER_TOO_SMALL;
use winsock_model::contract::{
    addr, Completion, WsaError, AF_INET, AF_INET6, WSAEADDRINUSE, WSAEADDRNOTAVAIL,
    WSAEAFNOSUPPORT, WSAEFAULT, WSAEINVAL,
};
use winsock_model::{Overlapped, Winsock};

/// `IOCTL_AFD_BIND` (afd.h:40).
pub(crate) const IOCTL_AFD_BIND: u32 = 0x0001_2003;
/// `IOCTL_AFD_GETSOCKNAME` (afd.h:44).
pub(crate) const IOCTL_AFD_GETSOCKNAME: u32 = 0x0001_202F;

/// `STATUS_INVALID_ADDRESS`: an address of no known family, or short.
const STATUS_INVALID_ADDRESS: u32 = 0xC000_0141;
/// `STATUS_INVALID_ADDRESS_COMPONENT`: an address the host does not have.
const STATUS_INVALID_ADDRESS_COMPONENT: u32 = 0xC000_0207;
/// `STATUS_SHARING_VIOLATION`: an address in use.
const STATUS_SHARING_VIOLATION: u32 = 0xC000_0043;
/// `STATUS_ADDRESS_ALREADY_ASSOCIATED`: the socket is bound already.
const STATUS_ADDRESS_ALREADY_ASSOCIATED: u32 = 0xC000_0238;
/// `STATUS_PENDING`.
const STATUS_PENDING: u32 = 0x0000_0103;

/// The `int` before the address in `struct afd_bind_params`.
const HEAD: usize = 4;

/// `NtDeviceIoControlFile(socket, .., code, ..)` with `code`
/// `IOCTL_AFD_BIND` or `IOCTL_AFD_GETSOCKNAME` on one of the DLL's
/// sockets: the `NTSTATUS` it returns, its completion in the program's
/// memory and objects when it returns.
///
/// # Safety
/// The pointers are the program's; every one is probed before use.
pub(crate) unsafe fn ioctl(d: &'static Dll, code: u32, r: &Request) -> u32 {
    let _m = in_model(d);
    settle::settle(d);
    // The I/O manager clears the call's event (the file's own without
    // one) before the request reaches the driver.
    os::reset_event(if r.event != 0 { r.event } else { r.file });
    // SAFETY: passed on.
    let st = unsafe {
        if code == IOCTL_AFD_BIND {
            bind(d, r)
        } else {
            getsockname(d, r)
        }
    };
    d.note(format!(
        "NtDeviceIoControlFile({:#x}, {}) -> {st:#x}",
        d.sock(r.file).0,
        if code == IOCTL_AFD_BIND {
            "IOCTL_AFD_BIND"
        } else {
            "IOCTL_AFD_GETSOCKNAME"
        }
    ));
    settle::settle(d);
    st
}

/// Completes request `r` with `status`, `name` (written to the output
/// first) and `bytes`: `immediate` as [`ovl::complete_now`] takes it.
fn complete(d: &Dll, r: &Request, status: u32, name: &[u8], immediate: bool) -> Option<()> {
    let nt = Nt {
        apc: r.apc,
        apc_context: r.apc_context,
    };
    let b = ovl::begin_nt(d, r.iosb, r.event, nt)?;
    // SAFETY: a probed write of the output, at most its length (checked
    // by the callers).
    unsafe { mem::write_bytes(r.out as *mut u8, name).ok()? };
    let c = Completion {
        overlapped: Overlapped::new(b.id),
        error: 0,
        bytes: name.len() as u32,
        status,
        flags: 0,
        buffers: vec![],
        name: None,
        control: None,
    };
    ovl::complete_now(d, r.file, b, Out::Send, c, immediate);
    Some(())
}

/// `IOCTL_AFD_BIND`.
///
/// # Safety
/// As [`ioctl`].
unsafe fn bind(d: &Dll, r: &Request) -> u32 {
    let len = r.in_len as usize;
    // afd.c:2116-2119: not even the family.
    if r.input == 0 || len < HEAD + 2 {
        return STATUS_INVALID_PARAMETER;
    }
    // SAFETY: a probed read of the program's parameters (at most a
    // sockaddr_storage of address).
    let Ok(p) = (unsafe { mem::bytes_at(r.input as *const u8, len.min(HEAD + 128)) }) else {
        return STATUS_ACCESS_VIOLATION;
    };
    let family = i32::from(u16::from_le_bytes([p[HEAD], p[HEAD + 1]]));
    // afd.c:2099-2114, 2236-2262: the family's whole address.
    let need = match family {
        AF_INET => 16,
        AF_INET6 => 28,
        _ => return STATUS_INVALID_ADDRESS,
    };
    if p.len() < HEAD + need {
        return STATUS_INVALID_ADDRESS;
    }
    // afd.c:2129-2131, 2264-2279: room for the bound name.
    if r.out == 0 || (r.out_len as usize) < need {
        return STATUS_INVALID_PARAMETER;
    }
    if !mem::writable(r.out as *const u8, need) || !mem::writable(r.iosb as *const u8, 16) {
        return STATUS_ACCESS_VIOLATION;
    }
    let Ok(a) = addr::decode(&p[HEAD..HEAD + need]) else {
        return STATUS_INVALID_ADDRESS;
    };
    let sock = d.sock(r.file);
    let (status, name) = match d.host.bind(sock, &a) {
        Ok(()) => match d.host.getsockname(sock) {
            Ok(bound) => (STATUS_SUCCESS, addr::encode(&bound)),
            Err(e) => return status_of_error(e),
        },
        // afd.c:2121-2127.
        Err(WsaError::Code(WSAEADDRNOTAVAIL)) => (STATUS_INVALID_ADDRESS_COMPONENT, vec![]),
        // afd.c:2160-2170.
        Err(WsaError::Code(WSAEADDRINUSE)) => (STATUS_SHARING_VIOLATION, vec![]),
        // afd.c:2153-2156: bound already, at once.
        Err(WsaError::Code(WSAEINVAL)) => return STATUS_ADDRESS_ALREADY_ASSOCIATED,
        // model choice: an address of the other family is no address.
        Err(WsaError::Code(WSAEFAULT | WSAEAFNOSUPPORT)) => return STATUS_INVALID_ADDRESS,
        Err(e) => return status_of_error(e),
    };
    // afd.c:2133-2146: pending, and complete by the time it is looked at.
    match complete(d, r, status, &name, false) {
        Some(()) => STATUS_PENDING,
        None => STATUS_ACCESS_VIOLATION,
    }
}

/// The status of a model call's failure at once.
fn status_of_error(e: WsaError) -> u32 {
    status_of_code(e.code().unwrap_or(WSAEINVAL), false)
}

/// `IOCTL_AFD_GETSOCKNAME`.
///
/// # Safety
/// As [`ioctl`].
unsafe fn getsockname(d: &Dll, r: &Request) -> u32 {
    // afd.c:2376-2386: unbound, whatever the room.
    let name = match d.host.getsockname(d.sock(r.file)) {
        Ok(a) => addr::encode(&a),
        Err(WsaError::Code(WSAEINVAL)) => return STATUS_INVALID_PARAMETER,
        Err(e) => return status_of_error(e),
    };
    // afd.c:2344-2348.
    if r.out == 0 || (r.out_len as usize) < name.len() {
        return STATUS_BUFFER_TOO_SMALL;
    }
    if !mem::writable(r.out as *const u8, name.len()) || !mem::writable(r.iosb as *const u8, 16) {
        return STATUS_ACCESS_VIOLATION;
    }
    match complete(d, r, STATUS_SUCCESS, &name, true) {
        Some(()) => STATUS_SUCCESS,
        None => STATUS_ACCESS_VIOLATION,
    }
}
