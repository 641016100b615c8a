//! What the DLL's unit tests share: two UDP sockets on loopback, and
//! kernel32's functions looked up as Go's runtime looks them up.

use crate::exports::*;
use std::net::SocketAddr;
use winsock_model::contract::*;

/// Two UDP sockets on loopback: (a, b, b's address encoded).
pub(crate) fn pair() -> (usize, usize, Vec<u8>) {
    let a = sock::socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    let b = sock::socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    let any = addr::encode(&"127.0.0.1:0".parse::<SocketAddr>().unwrap());
    let mut name = [0u8; 128];
    let mut len = 128i32;
    // SAFETY: valid buffers.
    unsafe {
        assert_eq!(sock::bind(a, any.as_ptr().cast(), any.len() as i32), 0);
        assert_eq!(sock::bind(b, any.as_ptr().cast(), any.len() as i32), 0);
        assert_eq!(sock::getsockname(b, name.as_mut_ptr().cast(), &mut len), 0);
    }
    (a, b, name[..len as usize].to_vec())
}

/// kernel32's `name` through `GetProcAddress` (the DLL's function for a
/// hooked one), as Go's `syscall.NewLazyDLL("kernel32.dll").NewProc(name)`
/// finds it.
#[cfg(windows)]
pub(crate) fn lookup(name: &std::ffi::CStr) -> usize {
    use windows_sys::Win32::System::LibraryLoader::{GetModuleHandleA, GetProcAddress};
    // SAFETY: NUL-terminated names; kernel32 is loaded.
    unsafe {
        let k32 = GetModuleHandleA(c"kernel32.dll".as_ptr().cast());
        GetProcAddress(k32, name.as_ptr().cast()).map_or(0, |f| f as usize)
    }
}
