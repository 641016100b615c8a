//! `WSAIoctl`'s address queries, answered by the DLL from the model's
//! network (`SimHost::route_source`, `SimHost::local_addresses`):
//! `SIO_ROUTING_INTERFACE_QUERY` (the local address for a destination, a
//! `SOCKADDR`) and `SIO_ADDRESS_LIST_QUERY` (the host's addresses of the
//! socket's family, a `SOCKET_ADDRESS_LIST` whose pointers point into the
//! program's buffer: only the DLL knows where that is).
//!
//! How Windows answers, from Wine's `test_sioRoutingInterfaceQuery` and
//! `test_address_list_query` (sock.c:9699-9811, 11230-11373 of Wine 8.0,
//! run on Windows): a failure leaves `*lpcbBytesReturned` as it was, but
//! an output buffer too small (or `NULL`, for the list) is `WSAEFAULT`
//! with the size needed written; a list buffer under 4 bytes (not
//! `NULL`, not 0) is `WSAEINVAL` with 0 written; a destination shorter
//! than a `SOCKADDR_IN`, or `NULL`, is `WSAEINVAL`, one of another family
//! `WSAEAFNOSUPPORT`, the unspecified address `WSAEINVAL`. With an
//! `OVERLAPPED` a success returns 0 at once with the size written, and is
//! indicated as an operation completed at once with 0 bytes (the port's
//! packet, or the routine); a failure is the same direct failure, the
//! `OVERLAPPED` untouched.

use crate::calls::Dll;
use crate::fault::Fault;
use crate::mem;
use std::ffi::c_void;
use std::net::{IpAddr, SocketAddr};
use windows_sys::Win32::Networking::WinSock::{
    LPWSAOVERLAPPED_COMPLETION_ROUTINE, SIO_ADDRESS_LIST_QUERY, SIO_ROUTING_INTERFACE_QUERY, SOCKET,
};
use windows_sys::Win32::System::IO::OVERLAPPED;
use winsock_model::contract::{addr, AF_INET, WSAEAFNOSUPPORT, WSAEFAULT, WSAEINVAL};
use winsock_model::WsaError;

/// Whether [`query`] answers `code`.
pub(super) fn answers(code: u32) -> bool {
    matches!(code, SIO_ROUTING_INTERFACE_QUERY | SIO_ADDRESS_LIST_QUERY)
}

/// The answer: the bytes to write at `base` (the output buffer's address,
/// for the list's pointers), or the error with the size to report
/// (`None`: `*lpcbBytesReturned` left).
type Reply = Result<Vec<u8>, (i32, Option<u32>)>;

/// `SIO_ROUTING_INTERFACE_QUERY` of socket `s` for the destination `input`.
fn routing(d: &Dll, s: SOCKET, input: Option<&[u8]>, room: Option<usize>) -> Reply {
    // The destination: a SOCKADDR_IN at least (sock.c:9718-9728).
    let input = input.filter(|i| i.len() >= 16).ok_or((WSAEINVAL, None))?;
    let Ok(dst) = addr::decode(input) else {
        return Err((WSAEAFNOSUPPORT, None));
    };
    if dst.ip().is_unspecified() {
        return Err((WSAEINVAL, None));
    }
    let src = d
        .host
        .route_source(d.sock(s), dst.ip())
        .map_err(|e| (e.code().unwrap_or(WSAEINVAL), None))?;
    let out = addr::encode(&SocketAddr::new(src, 0));
    match room {
        None => Err((WSAEFAULT, None)),
        Some(r) if r < out.len() => Err((WSAEFAULT, Some(out.len() as u32))),
        Some(_) => Ok(out),
    }
}

/// `SIO_ADDRESS_LIST_QUERY` of socket `s`: `iAddressCount` (and 4 bytes
/// of padding), then a `SOCKET_ADDRESS` (pointer and length, 16 bytes)
/// per address, then the addresses, the pointers pointing at them at
/// `base`.
fn address_list(d: &Dll, s: SOCKET, base: usize, room: Option<usize>) -> Reply {
    let af = d.state.lock().handles.get(s).map_or(AF_INET, |m| m.af);
    let addrs: Vec<Vec<u8>> = d
        .host
        .local_addresses(af == AF_INET)
        .into_iter()
        .filter(|a| !a.is_loopback())
        .map(|a: IpAddr| addr::encode(&SocketAddr::new(a, 0)))
        .collect();
    let head = 8 + 16 * addrs.len();
    let need = head + addrs.iter().map(Vec::len).sum::<usize>();
    match room {
        None | Some(0) => return Err((WSAEFAULT, Some(need as u32))),
        Some(r) if r < 4 => return Err((WSAEINVAL, Some(0))),
        Some(r) if r < need => return Err((WSAEFAULT, Some(need as u32))),
        Some(_) => {}
    }
    let mut out = vec![0u8; need];
    out[..4].copy_from_slice(&(addrs.len() as i32).to_le_bytes());
    let mut at = head;
    for (i, a) in addrs.iter().enumerate() {
        let e = 8 + 16 * i;
        out[e..e + 8].copy_from_slice(&((base + at) as u64).to_le_bytes());
        out[e + 8..e + 12].copy_from_slice(&(a.len() as i32).to_le_bytes());
        out[at..at + a.len()].copy_from_slice(a);
        at += a.len();
    }
    Ok(out)
}

/// `WSAIoctl(s, code, ...)` for a code [`answers`] says it answers; the
/// caller checked `returned` (not `NULL`, writable) and `overlapped`
/// (`NULL` or writable).
///
/// # Safety
/// As `WSAIoctl`'s.
#[allow(clippy::too_many_arguments)]
pub(super) unsafe fn query(
    d: &Dll,
    s: SOCKET,
    code: u32,
    (inbuf, insize): (*const c_void, u32),
    (outbuf, outsize): (*mut c_void, u32),
    returned: *mut u32,
    overlapped: *mut OVERLAPPED,
    routine: LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> Result<i32, Fault> {
    d.known(s)?;
    let input = if inbuf.is_null() {
        None
    } else {
        // SAFETY: passed on (at most a SOCKADDR_STORAGE is read).
        Some(unsafe { mem::bytes_at(inbuf.cast(), (insize as usize).min(128))? })
    };
    let room = if outbuf.is_null() {
        None
    } else {
        let r = outsize as usize;
        if !mem::writable(outbuf.cast(), r) {
            return Err(Fault::efault("lpvOutBuffer cannot be written"));
        }
        Some(r)
    };
    let reply = if code == SIO_ROUTING_INTERFACE_QUERY {
        routing(d, s, input.as_deref(), room)
    } else {
        address_list(d, s, outbuf as usize, room)
    };
    match reply {
        Ok(out) => {
            // SAFETY: `out` fits the room checked writable above.
            unsafe { mem::write_bytes(outbuf.cast(), &out)? };
            // SAFETY: the caller checked `returned`.
            unsafe { mem::write(returned, out.len() as u32)? };
            if !overlapped.is_null() {
                // SAFETY: the caller checked `overlapped` writable.
                unsafe { crate::ovl::complete_at_once(d, s, overlapped, 0, 0, routine)? };
            }
            Ok(0)
        }
        Err((error, size)) => {
            if let Some(n) = size {
                // SAFETY: the caller checked `returned`.
                unsafe { mem::write(returned, n)? };
            }
            Err(WsaError::Code(error).into())
        }
    }
}
