//! `WSAStringToAddressA`/`W` ([`parse_v4`], [`parse_v6`]) and
//! `WSAAddressToStringA`/`W`: a socket address from and as text.
//!
//! To text, as Windows writes it (Wine's `test_WSAAddressToString`,
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

/// How a text form of an IPv4 address ended: the address (`None` when
/// the text failed before an address was made) and the rest of the text.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct V4Parse<'a> {
    pub(crate) addr: Option<u32>,
    pub(crate) rest: &'a [u8],
}

/// One number of the text form, as Windows reads it (Wine's
/// `test_WSAStringToAddress`, protocol.c:1374-1470, run on Windows): `0x`
/// or `0X` and at least one hex digit, or a `0` and octal digits (a
/// decimal digit that is not octal right after the `0` fails: `08`; one
/// later ends the number: `008` is 0 followed by `8`), or decimal digits;
/// the value wraps at 32 bits (`0x123456789` is `0x23456789`). `None`
/// when no number starts here.
fn number(s: &[u8]) -> Option<(u32, usize)> {
    let digit = |c: u8, base: u32| (c as char).to_digit(base);
    let (base, mut i) = match s {
        [b'0', b'x' | b'X', ..] => (16, 2),
        [b'0', c, ..] if c.is_ascii_digit() && digit(*c, 8).is_none() => return None,
        [b'0', ..] => (8, 1),
        [c, ..] if c.is_ascii_digit() => (10, 0),
        _ => return None,
    };
    let start = i;
    let mut v: u32 = 0;
    while let Some(d) = s.get(i).and_then(|&c| digit(c, base)) {
        v = v.wrapping_mul(base).wrapping_add(d);
        i += 1;
    }
    if base == 16 && i == start {
        return None;
    }
    Some((v, i))
}

/// The IPv4 address at the start of `s`: one to four numbers separated by
/// dots, the last filling the bytes left (`1.2` is 1.0.0.2, as
/// `inet_addr`); a number before the last over 255, a last one over what
/// its bytes hold, an empty number or a fifth one fail with no address.
pub(crate) fn parse_v4(s: &[u8]) -> V4Parse<'_> {
    let fail = V4Parse {
        addr: None,
        rest: s,
    };
    let mut parts: Vec<u32> = Vec::with_capacity(4);
    let mut i = 0;
    loop {
        let Some((v, n)) = number(&s[i..]) else {
            return fail;
        };
        parts.push(v);
        i += n;
        if s.get(i) != Some(&b'.') {
            break;
        }
        if parts.len() == 4 {
            return fail;
        }
        i += 1;
    }
    let (last, head) = parts.split_last().expect("one part at least");
    if head.iter().any(|&p| p > 255) {
        return fail;
    }
    let room = 8 * (4 - head.len() as u32);
    if room < 32 && *last >= 1 << room {
        return fail;
    }
    let mut addr = *last;
    for (k, p) in head.iter().enumerate() {
        addr |= p << (24 - 8 * k as u32);
    }
    V4Parse {
        addr: Some(addr),
        rest: &s[i..],
    }
}

/// A port after the address's `:`: one number (as [`number`]) to the end
/// of the text, 1 to 65535.
fn parse_port(s: &[u8]) -> Option<u16> {
    let (v, n) = number(s)?;
    (n == s.len()).then_some(())?;
    u16::try_from(v).ok().filter(|&p| p != 0)
}

/// The parse of an IPv6 text form: `addr`, `addr%scope`, `[addr]`,
/// `[addr%scope]:port`; the address, scope and port, and whether all of
/// the text was taken (an address read before a failure is given).
/// Not as Windows: the groups Windows keeps from a text that fails
/// inside the address (`1:2:3:` leaves 1:2:3 in it, protocol.c:1584):
/// here nothing is kept then.
pub(crate) fn parse_v6(s: &str) -> (Option<(Ipv6Addr, u32)>, u16, bool) {
    let host = |h: &str| -> Option<(Ipv6Addr, u32)> {
        let (a, scope) = match h.split_once('%') {
            Some((a, sc)) => (a, sc.parse::<u32>().ok()?),
            None => (h, 0),
        };
        Some((a.parse().ok()?, scope))
    };
    if let Some(inner) = s.strip_prefix('[') {
        let Some((h, after)) = inner.split_once(']') else {
            return (None, 0, false);
        };
        let addr = host(h);
        let port = match after {
            "" => Some(0),
            a => a.strip_prefix(':').and_then(|p| parse_port(p.as_bytes())),
        };
        match (addr, port) {
            (Some(a), Some(p)) => (Some(a), p, true),
            (a, _) => (a, 0, false),
        }
    } else {
        match host(s) {
            Some(a) => (Some(a), 0, true),
            // "::1]:65535": the address before the bracket is read.
            None => (s.split_once(']').and_then(|(h, _)| host(h)), 0, false),
        }
    }
}

/// Both forms: the text (`wide`: UTF-16 units) as a `SOCKADDR_IN` or
/// `SOCKADDR_IN6` into `out`. Room under the family's structure is
/// `WSAEFAULT` with `*out_len` set to its size; the structure is zeroed,
/// then a text that is not an address of the family is `WSAEINVAL` with
/// the family left 0 (the address read before the failure is kept, as
/// Windows keeps it) and `*out_len` unchanged; success sets the family,
/// address and port and `*out_len` to the size (protocol.c:1492-1556).
fn from_string(
    name: &'static str,
    text: *const u8,
    wide: bool,
    family: i32,
    out: *mut SOCKADDR,
    out_len: *mut i32,
) -> i32 {
    run(
        name,
        |_| -1,
        || format!("family {family}"),
        |d| {
            d.started()?;
            let size: usize = match family {
                AF_INET => 16,
                AF_INET6 => 28,
                _ => return Err(Fault::Dll(WSAEINVAL, format!("family {family}"))),
            };
            // SAFETY: the caller's pointers, probed by `mem`.
            let room = unsafe { mem::read(out_len.cast_const())? }
                .ok_or_else(|| Fault::efault("lpAddressLength is NULL"))?;
            if out.is_null() || room < size as i32 {
                // SAFETY: read above.
                unsafe { mem::write(out_len, size as i32)? };
                return Err(Fault::efault(
                    "lpAddress is NULL or shorter than the family's address",
                ));
            }
            if !mem::writable(out.cast(), size) {
                return Err(Fault::efault("lpAddress cannot be written"));
            }
            if text.is_null() {
                return Err(Fault::Dll(WSAEINVAL, "AddressString is NULL".into()));
            }
            // SAFETY: a NUL-terminated string of the caller's, read by `mem`.
            let s = unsafe {
                if wide {
                    String::from_utf16_lossy(&mem::c_units(text.cast::<u16>())?)
                } else {
                    String::from_utf8_lossy(&mem::c_units(text)?).into_owned()
                }
            };
            let mut b = vec![0u8; size];
            let ok = if family == AF_INET {
                let p = parse_v4(s.as_bytes());
                if let Some(a) = p.addr {
                    b[4..8].copy_from_slice(&a.to_be_bytes());
                }
                let port = match p.rest {
                    [] => Some(0),
                    [b':', rest @ ..] => parse_port(rest),
                    _ => None,
                };
                match (p.addr, port) {
                    (Some(_), Some(port)) => {
                        b[2..4].copy_from_slice(&port.to_be_bytes());
                        true
                    }
                    _ => false,
                }
            } else {
                let (a, port, ok) = parse_v6(&s);
                if let Some((ip, scope)) = a {
                    b[8..24].copy_from_slice(&ip.octets());
                    if ok {
                        b[24..28].copy_from_slice(&scope.to_le_bytes());
                    }
                }
                if ok {
                    b[2..4].copy_from_slice(&port.to_be_bytes());
                }
                ok
            };
            if ok {
                b[..2].copy_from_slice(&(family as u16).to_le_bytes());
            }
            // SAFETY: probed writable for `size` bytes.
            unsafe { mem::write_bytes(out.cast(), &b)? };
            if !ok {
                return Err(Fault::Dll(
                    WSAEINVAL,
                    format!("{s:?} is no address of family {family}"),
                ));
            }
            // SAFETY: read above.
            unsafe { mem::write(out_len, size as i32)? };
            Ok(0)
        },
    )
}

/// `WSAStringToAddressW`; `info` (the provider) is not used.
///
/// # Safety
/// `text` is `NULL` or NUL-terminated; `out` is valid for `*out_len`
/// bytes; `out_len` for an `int`.
#[export_name = "wsd_WSAStringToAddressW"]
pub unsafe extern "system" fn WSAStringToAddressW(
    text: *const u16,
    family: i32,
    _info: *const WSAPROTOCOL_INFOW,
    out: *mut SOCKADDR,
    out_len: *mut i32,
) -> i32 {
    from_string(
        "WSAStringToAddressW",
        text.cast(),
        true,
        family,
        out,
        out_len,
    )
}

/// `WSAStringToAddressA`; `info` (the provider) is not used.
///
/// # Safety
/// As [`WSAStringToAddressW`].
#[export_name = "wsd_WSAStringToAddressA"]
pub unsafe extern "system" fn WSAStringToAddressA(
    text: *const u8,
    family: i32,
    _info: *const WSAPROTOCOL_INFOA,
    out: *mut SOCKADDR,
    out_len: *mut i32,
) -> i32 {
    from_string("WSAStringToAddressA", text, false, family, out, out_len)
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
    fn ipv4_text_forms_as_windows_reads_them() {
        let ok = |t: &str| {
            let p = parse_v4(t.as_bytes());
            (p.addr, String::from_utf8_lossy(p.rest).into_owned())
        };
        assert_eq!(ok("1.2"), (Some(0x0100_0002), String::new()));
        assert_eq!(ok("1.223756"), (Some(0x0103_6a0c), String::new()));
        assert_eq!(ok("0x123456789"), (Some(0x2345_6789), String::new()));
        assert_eq!(ok("1.1.1.010"), (Some(0x0101_0108), String::new()));
        // A non-octal digit right after the 0 fails; one later ends it.
        assert_eq!(ok("1.1.1.08").0, None);
        assert_eq!(ok("1.1.1.008"), (Some(0x0101_0100), "8".into()));
        assert_eq!(ok("1234BEEF"), (Some(1234), "BEEF".into()));
        assert_eq!(ok("3.4.65536").0, None);
        assert_eq!(ok("1.2.").0, None);
        assert_eq!(ok("3.4.5.6.7").0, None);
        assert_eq!(ok(" 3.4.5.6").0, None);
        assert_eq!(parse_port(b"0xAbCd"), Some(43981));
        assert_eq!(parse_port(b"0"), None);
        assert_eq!(parse_port(b"008"), None);
        assert_eq!(parse_port(b"65537"), None);
        assert_eq!(parse_v6("[::1]:65535").1, 65535);
        assert!(!parse_v6("::1]:65535").2);
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
