//! `WSAAddressToStringA` and `WSAAddressToStringW`: a socket address as
//! text, as Windows writes it (Wine's `test_WSAAddressToString`,
//! `dlls/ws2_32/tests/protocol.c:1246-1372` of Wine 8.0, run on Windows):
//! IPv4 `a.b.c.d`, with `:port` when the port is not 0; IPv6 in its
//! compressed form, `%scope` when the scope id is not 0, and in brackets
//! with `]:port` when the port is not 0. The length is in characters and
//! counts the terminating NUL; a buffer too small (or `NULL`) is
//! `WSAEFAULT` with the length needed written (protocol.c:1284-1301).

use crate::fault::Fault;
use crate::frame::run;
use crate::mem;
use std::net::{Ipv4Addr, Ipv6Addr};
use windows_sys::Win32::Networking::WinSock::{SOCKADDR, WSAPROTOCOL_INFOA, WSAPROTOCOL_INFOW};
use winsock_model::contract::{AF_INET, AF_INET6, WSAEINVAL};

/// The text of the `len` bytes of socket address at `sa`.
///
/// # Safety
/// `sa` is `NULL` or valid for reads of `len` bytes.
unsafe fn text(sa: *const SOCKADDR, len: u32) -> Result<String, Fault> {
    if sa.is_null() {
        return Err(Fault::efault("lpsaAddress is NULL"));
    }
    // SAFETY: passed on; the family's two bytes first.
    let fam = unsafe { mem::bytes_at(sa.cast(), 2)? };
    let family = i32::from(u16::from_le_bytes([fam[0], fam[1]]));
    let need = match family {
        AF_INET => 16,
        AF_INET6 => 28,
        _ => return Err(Fault::Dll(WSAEINVAL, format!("family {family}"))),
    };
    if (len as usize) < need {
        return Err(Fault::efault(
            "dwAddressLength is under the family's address size",
        ));
    }
    // SAFETY: passed on; `need` <= `len` bytes.
    let b = unsafe { mem::bytes_at(sa.cast(), need)? };
    let port = u16::from_be_bytes([b[2], b[3]]);
    Ok(if family == AF_INET {
        let ip = Ipv4Addr::new(b[4], b[5], b[6], b[7]);
        match port {
            0 => ip.to_string(),
            p => format!("{ip}:{p}"),
        }
    } else {
        let mut a = [0u8; 16];
        a.copy_from_slice(&b[8..24]);
        let ip = Ipv6Addr::from(a);
        let scope = u32::from_le_bytes([b[24], b[25], b[26], b[27]]);
        let host = match scope {
            0 => ip.to_string(),
            s => format!("{ip}%{s}"),
        };
        match port {
            0 => host,
            p => format!("[{host}]:{p}"),
        }
    })
}

/// Both forms: the text into `out` (`wide`: UTF-16 units), its length
/// with the NUL into `*out_len`.
fn to_string(
    name: &'static str,
    sa: *const SOCKADDR,
    sa_len: u32,
    out: *mut u8,
    out_len: *mut u32,
    wide: bool,
) -> i32 {
    run(
        name,
        |_| -1,
        || format!("{sa:p}, {sa_len}"),
        |d| {
            d.started()?;
            // SAFETY: the caller's pointers, probed by `mem`.
            let s = unsafe { text(sa, sa_len)? };
            // SAFETY: as above.
            let room = unsafe { mem::read(out_len.cast_const())? }
                .ok_or_else(|| Fault::efault("lpdwAddressStringLength is NULL"))?;
            let units: Vec<u16> = s.encode_utf16().chain([0]).collect();
            let needed = units.len() as u32;
            if out.is_null() || room < needed {
                // SAFETY: read above, so writable as the caller's DWORD.
                unsafe { mem::write(out_len, needed)? };
                return Err(Fault::efault("lpszAddressString is NULL or too short"));
            }
            let bytes: Vec<u8> = if wide {
                units.iter().flat_map(|u| u.to_le_bytes()).collect()
            } else {
                s.bytes().chain([0]).collect()
            };
            if !mem::writable(out, bytes.len()) {
                return Err(Fault::efault("lpszAddressString cannot be written"));
            }
            // SAFETY: probed writable for its length.
            unsafe {
                mem::write_bytes(out, &bytes)?;
                mem::write(out_len, needed)?;
            }
            Ok(0)
        },
    )
}

/// `WSAAddressToStringW`; `info` (the provider) is not used.
///
/// # Safety
/// `sa` is `NULL` or valid for `len` bytes; `out` for `*out_len` units;
/// `out_len` for a `DWORD`.
#[export_name = "wsd_WSAAddressToStringW"]
pub unsafe extern "system" fn WSAAddressToStringW(
    sa: *const SOCKADDR,
    len: u32,
    _info: *const WSAPROTOCOL_INFOW,
    out: *mut u16,
    out_len: *mut u32,
) -> i32 {
    to_string("WSAAddressToStringW", sa, len, out.cast(), out_len, true)
}

/// `WSAAddressToStringA`; `info` (the provider) is not used.
///
/// # Safety
/// As [`WSAAddressToStringW`], `out` for `*out_len` bytes.
#[export_name = "wsd_WSAAddressToStringA"]
pub unsafe extern "system" fn WSAAddressToStringA(
    sa: *const SOCKADDR,
    len: u32,
    _info: *const WSAPROTOCOL_INFOA,
    out: *mut u8,
    out_len: *mut u32,
) -> i32 {
    to_string("WSAAddressToStringA", sa, len, out, out_len, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use winsock_model::contract::WSAEFAULT;

    fn v4(a: [u8; 4], port: u16) -> Vec<u8> {
        let mut b = vec![0u8; 16];
        b[..2].copy_from_slice(&(AF_INET as u16).to_le_bytes());
        b[2..4].copy_from_slice(&port.to_be_bytes());
        b[4..8].copy_from_slice(&a);
        b
    }

    fn v6(ip: &str, scope: u32, port: u16) -> Vec<u8> {
        let mut b = vec![0u8; 28];
        b[..2].copy_from_slice(&(AF_INET6 as u16).to_le_bytes());
        b[2..4].copy_from_slice(&port.to_be_bytes());
        b[8..24].copy_from_slice(&ip.parse::<Ipv6Addr>().unwrap().octets());
        b[24..28].copy_from_slice(&scope.to_le_bytes());
        b
    }

    fn show(b: &[u8]) -> Result<String, Fault> {
        // SAFETY: the vector's bytes.
        unsafe { text(b.as_ptr().cast(), b.len() as u32) }
    }

    #[test]
    fn the_forms_windows_writes() {
        assert_eq!(show(&v4([0, 0, 0, 0], 0)).unwrap(), "0.0.0.0");
        assert_eq!(show(&v4([255; 4], 65535)).unwrap(), "255.255.255.255:65535");
        assert_eq!(show(&v6("::1", 0, 0)).unwrap(), "::1");
        assert_eq!(
            show(&v6("20ab::2001", 0, 33274)).unwrap(),
            "[20ab::2001]:33274"
        );
        assert_eq!(
            show(&v6("20ab::2001", 4660, 33274)).unwrap(),
            "[20ab::2001%4660]:33274"
        );
        assert_eq!(show(&v6("20ab::2001", 4660, 0)).unwrap(), "20ab::2001%4660");
        // Too short for its family; an unknown family.
        assert!(matches!(
            show(&v4([1; 4], 0)[..15]),
            Err(Fault::Dll(WSAEFAULT, _))
        ));
        let mut odd = v4([1; 4], 0);
        odd[0] = 99;
        assert!(matches!(show(&odd), Err(Fault::Dll(WSAEINVAL, _))));
    }
}
