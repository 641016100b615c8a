//! Byte order: `htonl`, `htons`, `ntohl`, `ntohs` (pure), and the
//! `WSAHtonl` family, which Winsock answers only for a socket.

use crate::fault::Fault;
use crate::frame::run;
use windows_sys::Win32::Networking::WinSock::SOCKET;

/// `htonl`.
#[export_name = "wsd_htonl"]
pub extern "system" fn htonl(v: u32) -> u32 {
    v.to_be()
}

/// `htons`.
#[export_name = "wsd_htons"]
pub extern "system" fn htons(v: u16) -> u16 {
    v.to_be()
}

/// `ntohl`.
#[export_name = "wsd_ntohl"]
pub extern "system" fn ntohl(v: u32) -> u32 {
    u32::from_be(v)
}

/// `ntohs`.
#[export_name = "wsd_ntohs"]
pub extern "system" fn ntohs(v: u16) -> u16 {
    u16::from_be(v)
}

/// The `WSAHtonl` family: `WSANOTINITIALISED`, `WSAENOTSOCK` for a handle
/// that is no socket, `WSAEFAULT` for a `NULL` result pointer (the
/// documented errors), else the converted value.
///
/// # Safety
/// `out` is `NULL` or valid for writes of a `T`.
unsafe fn convert<T: Copy + std::fmt::Debug>(
    name: &'static str,
    s: SOCKET,
    v: T,
    f: fn(T) -> T,
    out: *mut T,
) -> i32 {
    run(
        name,
        |_| -1,
        || format!("{s:#x}, {v:?}"),
        |d| {
            d.known(s)?;
            if out.is_null() {
                return Err(Fault::efault("the result pointer is NULL"));
            }
            // SAFETY: not NULL; the caller promises room for a T.
            unsafe { out.write_unaligned(f(v)) };
            Ok(0)
        },
    )
}

/// `WSAHtonl`.
///
/// # Safety
/// `out` is `NULL` or valid for writes of a `u_long`.
#[export_name = "wsd_WSAHtonl"]
pub unsafe extern "system" fn WSAHtonl(s: SOCKET, v: u32, out: *mut u32) -> i32 {
    // SAFETY: passed on.
    unsafe { convert("WSAHtonl", s, v, u32::to_be, out) }
}

/// `WSAHtons`.
///
/// # Safety
/// `out` is `NULL` or valid for writes of a `u_short`.
#[export_name = "wsd_WSAHtons"]
pub unsafe extern "system" fn WSAHtons(s: SOCKET, v: u16, out: *mut u16) -> i32 {
    // SAFETY: passed on.
    unsafe { convert("WSAHtons", s, v, u16::to_be, out) }
}

/// `WSANtohl`.
///
/// # Safety
/// `out` is `NULL` or valid for writes of a `u_long`.
#[export_name = "wsd_WSANtohl"]
pub unsafe extern "system" fn WSANtohl(s: SOCKET, v: u32, out: *mut u32) -> i32 {
    // SAFETY: passed on.
    unsafe { convert("WSANtohl", s, v, u32::from_be, out) }
}

/// `WSANtohs`.
///
/// # Safety
/// `out` is `NULL` or valid for writes of a `u_short`.
#[export_name = "wsd_WSANtohs"]
pub unsafe extern "system" fn WSANtohs(s: SOCKET, v: u16, out: *mut u16) -> i32 {
    // SAFETY: passed on.
    unsafe { convert("WSANtohs", s, v, u16::from_be, out) }
}
