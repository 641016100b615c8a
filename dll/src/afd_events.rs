//! AFD's network-event requests on a socket: `IOCTL_AFD_EVENT_SELECT`
//! (`struct afd_event_select_params`: an event and a mask of
//! `AFD_POLL_*` bits) and `IOCTL_AFD_GET_EVENTS` (`struct
//! afd_get_events_params`: the events recorded, as `AFD_POLL_*` bits, and
//! a status per bit), what `WSAEventSelect` and `WSAEnumNetworkEvents` are
//! made of on Windows, made by a program directly (`ntdll.rs` routes them
//! here). Each is the DLL's own `WSAEventSelect` or `WSAEnumNetworkEvents`
//! (`exports/netevents.rs`, over the model's record), the bits translated:
//! `AFD_POLL_READ` is `FD_READ`, `OOB` `FD_OOB`, `WRITE` `FD_WRITE`,
//! `ACCEPT` `FD_ACCEPT`, `CONNECT` and `CONNECT_ERR` `FD_CONNECT` (with no
//! error, or with one), `HUP` and `RESET` `FD_CLOSE` (likewise). The
//! structures are Wine's `include/wine/afd.h` (Debian's wine
//! 8.0~repack-4): the codes afd.h:45-46, the bits afd.h:48-74, the
//! parameters afd.h:162-185.
//!
//! What Windows does is Wine's `dlls/ws2_32/tests/afd.c` (run on Windows;
//! lines of the same package), `test_event_select`, `test_get_events` and
//! `test_get_events_reset`:
//! - `IOCTL_AFD_EVENT_SELECT` without parameters, or with events asked and
//!   no event, is `STATUS_INVALID_PARAMETER`, which the `IO_STATUS_BLOCK`
//!   says too (afd.c:1809-1823); a selection succeeds with the block
//!   `{0, 0}`, and `WSAEnumNetworkEvents` then reports what it recorded
//!   (afd.c:1825-1854); no event and no mask cancels it (afd.c:1862-1881);
//! - `IOCTL_AFD_GET_EVENTS` without room for its output is
//!   `STATUS_INVALID_PARAMETER` (afd.c:1912-1916); it reports the recorded
//!   events and clears them, as `WSAEnumNetworkEvents` does, each of the 13
//!   statuses 0 (afd.c:1918-1962), also for a reset connection
//!   (afd.c:2036-2069: `AFD_POLL_RESET`, status 0); a failed connection's
//!   `AFD_POLL_CONNECT_ERR` has its status (afd.c:1985-1997, run only
//!   interactively: `STATUS_CONNECTION_REFUSED`).

#![cfg_attr(not(windows), allow(dead_code))]

use crate::afd::{Request, STATUS_ACCESS_VIOLATION, STATUS_INVALID_PARAMETER, STATUS_SUCCESS};
use crate::afd_recv::status_of_code;
use crate::calls::{in_model, Dll};
use crate::exports::netevents::{WSAEnumNetworkEvents, WSAEventSelect};
use crate::ops::{Nt, Out};
use crate::{mem, os, ovl, settle};
use windows_sys::Win32::Networking::WinSock::WSANETWORKEVENTS;
use winsock_model::contract::{Completion, WSAEINVAL};
use winsock_model::Overlapped;

/// `IOCTL_AFD_EVENT_SELECT` (afd.h:45).
pub(crate) const IOCTL_AFD_EVENT_SELECT: u32 = 0x0001_2087;
/// `IOCTL_AFD_GET_EVENTS` (afd.h:46).
pub(crate) const IOCTL_AFD_GET_EVENTS: u32 = 0x0001_208B;

/// `sizeof(struct afd_event_select_params)` on x64 (a handle, an `int`,
/// padded).
const SELECT_PARAMS: usize = 16;
/// `sizeof(struct afd_get_events_params)`: the flags and 13 statuses.
const EVENTS_PARAMS: usize = 56;

/// (`FD_*` bit, `AFD_POLL_*` bit without an error, with one).
const BITS: [(usize, u32, u32); 6] = [
    (0, 0, 0), // FD_READ: AFD_POLL_READ
    (1, 2, 2), // FD_WRITE: AFD_POLL_WRITE
    (2, 1, 1), // FD_OOB: AFD_POLL_OOB
    (3, 7, 7), // FD_ACCEPT: AFD_POLL_ACCEPT
    (4, 6, 8), // FD_CONNECT: AFD_POLL_CONNECT, AFD_POLL_CONNECT_ERR
    (5, 3, 4), // FD_CLOSE: AFD_POLL_HUP, AFD_POLL_RESET
];

/// The `FD_*` mask of an `AFD_POLL_*` mask.
fn fd_mask(afd: u32) -> i32 {
    BITS.iter()
        .filter(|&&(_, ok, err)| afd & (1 << ok | 1 << err) != 0)
        .fold(0, |m, &(fd, _, _)| m | 1 << fd)
}

/// `struct afd_get_events_params` of a `WSANETWORKEVENTS`: the bits, and
/// the status of a failed connection at `AFD_POLL_BIT_CONNECT_ERR` (0
/// elsewhere, a reset's too: afd.c:2051, 2069).
fn get_events_params(ev: &WSANETWORKEVENTS) -> Vec<u8> {
    let mut flags = 0u32;
    let mut status = [0u32; 13];
    for &(fd, ok, err) in &BITS {
        if ev.lNetworkEvents & (1 << fd) == 0 {
            continue;
        }
        let code = ev.iErrorCode[fd];
        let bit = if code == 0 { ok } else { err };
        flags |= 1 << bit;
        if fd == 4 && code != 0 {
            status[bit as usize] = status_of_code(code, false);
        }
    }
    let mut out = flags.to_le_bytes().to_vec();
    for s in status {
        out.extend_from_slice(&s.to_le_bytes());
    }
    out
}

/// `NtDeviceIoControlFile(socket, .., code, ..)` with `code`
/// `IOCTL_AFD_EVENT_SELECT` or `IOCTL_AFD_GET_EVENTS` on one of the DLL's
/// sockets: the `NTSTATUS` it returns. The thread's last error is left as
/// it was (the DLL's exports set it).
///
/// # Safety
/// The pointers are the program's; every one is probed before use.
pub(crate) unsafe fn ioctl(d: &'static Dll, code: u32, r: &Request) -> u32 {
    let last = os::last_error();
    os::reset_event(if r.event != 0 { r.event } else { r.file });
    // SAFETY: passed on.
    let st = unsafe {
        if code == IOCTL_AFD_EVENT_SELECT {
            event_select(d, r)
        } else {
            get_events(d, r)
        }
    };
    {
        let _m = in_model(d);
        d.note(format!(
            "NtDeviceIoControlFile({:#x}, {}) -> {st:#x}",
            d.sock(r.file).0,
            if code == IOCTL_AFD_EVENT_SELECT {
                "IOCTL_AFD_EVENT_SELECT"
            } else {
                "IOCTL_AFD_GET_EVENTS"
            }
        ));
        settle::settle(d);
    }
    os::set_last_error(last);
    st
}

/// Completes request `r` at once with `status` and the output `bytes`
/// (written first).
fn complete(d: &'static Dll, r: &Request, status: u32, bytes: &[u8]) -> u32 {
    let _m = in_model(d);
    let nt = Nt {
        apc: r.apc,
        apc_context: r.apc_context,
    };
    let Some(b) = ovl::begin_nt(d, r.iosb, r.event, nt) else {
        return STATUS_ACCESS_VIOLATION;
    };
    if !bytes.is_empty() {
        // SAFETY: a probed write of the output, checked long enough.
        if unsafe { mem::write_bytes(r.out as *mut u8, bytes) }.is_err() {
            return STATUS_ACCESS_VIOLATION;
        }
    }
    let c = Completion {
        overlapped: Overlapped::new(b.id),
        error: 0,
        bytes: bytes.len() as u32,
        status,
        flags: 0,
        buffers: vec![],
        name: None,
        control: None,
    };
    ovl::complete_now(d, r.file, b, Out::Send, c, true);
    status
}

/// `IOCTL_AFD_EVENT_SELECT`.
///
/// # Safety
/// As [`ioctl`].
unsafe fn event_select(d: &'static Dll, r: &Request) -> u32 {
    // afd.c:1809-1823: a failure says so in the IO_STATUS_BLOCK too.
    let refuse = |st: u32| {
        let mut io = u64::from(st).to_le_bytes().to_vec();
        io.extend_from_slice(&0u64.to_le_bytes());
        // SAFETY: a probed write of the program's IO_STATUS_BLOCK.
        let _ = unsafe { mem::write_bytes(r.iosb as *mut u8, &io) };
        st
    };
    if r.input == 0 || (r.in_len as usize) < SELECT_PARAMS {
        return refuse(STATUS_INVALID_PARAMETER);
    }
    // SAFETY: a probed read of the program's parameters.
    let Ok(p) = (unsafe { mem::bytes_at(r.input as *const u8, SELECT_PARAMS) }) else {
        return refuse(STATUS_ACCESS_VIOLATION);
    };
    let event = usize::from_le_bytes(p[0..8].try_into().expect("8 bytes"));
    let mask = u32::from_le_bytes(p[8..12].try_into().expect("4 bytes"));
    // The DLL's WSAEventSelect (events asked without an event: WSAEINVAL).
    let r2 = WSAEventSelect(r.file, event, fd_mask(mask));
    if r2 != 0 {
        return refuse(status_of_code(os::last_error() as i32, false));
    }
    complete(d, r, STATUS_SUCCESS, &[])
}

/// `IOCTL_AFD_GET_EVENTS`.
///
/// # Safety
/// As [`ioctl`].
unsafe fn get_events(d: &'static Dll, r: &Request) -> u32 {
    // afd.c:1912-1916.
    if r.out == 0 || (r.out_len as usize) < EVENTS_PARAMS {
        return STATUS_INVALID_PARAMETER;
    }
    if !mem::writable(r.out as *const u8, EVENTS_PARAMS) {
        return STATUS_ACCESS_VIOLATION;
    }
    // SAFETY: WSANETWORKEVENTS is plain integers.
    let mut ev: WSANETWORKEVENTS = unsafe { std::mem::zeroed() };
    // SAFETY: a WSANETWORKEVENTS to write.
    if unsafe { WSAEnumNetworkEvents(r.file, 0, &mut ev) } != 0 {
        let code = os::last_error() as i32;
        return status_of_code(if code == 0 { WSAEINVAL } else { code }, false);
    }
    // model choice: Information is the output's size, as Wine's server
    // replies (server/sock.c:2768).
    complete(d, r, STATUS_SUCCESS, &get_events_params(&ev))
}
