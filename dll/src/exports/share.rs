//! Shared sockets: `WSADuplicateSocketW` and `WSADuplicateSocketA` fill a
//! `WSAPROTOCOL_INFO` from which `WSASocket` makes another descriptor for
//! the same socket (`sock.rs`, `shared`); `closesocket` closes the socket
//! at its last descriptor. Rust std's `TcpStream::try_clone` and
//! `UdpSocket::try_clone` are these two calls (`WSADuplicateSocketW` with
//! the process's own id, then `WSASocketW` with the structure). One world
//! per process: a socket shared with another process is not modelled.

use crate::fault::Fault;
use crate::frame::run;
use crate::{mem, os};
use windows_sys::Win32::Networking::WinSock::{SOCKET, WSAPROTOCOL_INFOA, WSAPROTOCOL_INFOW};
use winsock_model::contract::{SOL_SOCKET, SO_PROTOCOL_INFOW};
use winsock_model::Winsock;

/// Where `dwProviderReserved` is, in both forms of the structure (the
/// DLL's token for the shared socket goes there).
const RESERVED: usize = std::mem::offset_of!(WSAPROTOCOL_INFOW, dwProviderReserved);
const _: () = assert!(RESERVED == std::mem::offset_of!(WSAPROTOCOL_INFOA, dwProviderReserved));

/// Both forms: the socket's protocol information (`SO_PROTOCOL_INFOW`'s,
/// in its ANSI form for `wide` false) with a token of the DLL's in
/// `dwProviderReserved`, which one `WSASocket` takes. The checks: the
/// start-up, the socket, then `lpProtocolInfo` (`WSAEFAULT` when it
/// cannot be written); another process's id is not modelled.
fn duplicate(name: &'static str, s: SOCKET, pid: u32, info: *mut u8, wide: bool) -> i32 {
    run(
        name,
        |_| -1,
        || format!("{s:#x}, pid={pid}"),
        |d| {
            d.known(s)?;
            let size = if wide {
                std::mem::size_of::<WSAPROTOCOL_INFOW>()
            } else {
                std::mem::size_of::<WSAPROTOCOL_INFOA>()
            };
            if !mem::writable(info, size) {
                return Err(Fault::efault("lpProtocolInfo cannot be written"));
            }
            if pid != os::process_id() {
                return Err(Fault::NotModelled(format!(
                    "sharing a socket with process {pid}: the model is one world per process"
                )));
            }
            let mut w = vec![0u8; std::mem::size_of::<WSAPROTOCOL_INFOW>()];
            d.host
                .get_sock_opt(d.sock(s), SOL_SOCKET, SO_PROTOCOL_INFOW, &mut w)?;
            let token = d.state.lock().handles.share(s).expect("known above");
            w[RESERVED..RESERVED + 4].copy_from_slice(&token.to_le_bytes());
            let bytes = if wide { w } else { super::sock::info_a(&w) };
            // SAFETY: `size` bytes at `info` were probed writable.
            unsafe { mem::write_bytes(info, &bytes)? };
            d.note(format!(
                "{name}({s:#x}) -> token {token:#x} for socket {:#x}",
                d.sock(s).0
            ));
            Ok(0)
        },
    )
}

/// `WSADuplicateSocketW`.
///
/// # Safety
/// `info` is `NULL` or valid for writes of a `WSAPROTOCOL_INFOW`.
#[export_name = "wsd_WSADuplicateSocketW"]
pub unsafe extern "system" fn WSADuplicateSocketW(
    s: SOCKET,
    pid: u32,
    info: *mut WSAPROTOCOL_INFOW,
) -> i32 {
    duplicate("WSADuplicateSocketW", s, pid, info.cast(), true)
}

/// `WSADuplicateSocketA`.
///
/// # Safety
/// `info` is `NULL` or valid for writes of a `WSAPROTOCOL_INFOA`.
#[export_name = "wsd_WSADuplicateSocketA"]
pub unsafe extern "system" fn WSADuplicateSocketA(
    s: SOCKET,
    pid: u32,
    info: *mut WSAPROTOCOL_INFOA,
) -> i32 {
    duplicate("WSADuplicateSocketA", s, pid, info.cast(), false)
}
