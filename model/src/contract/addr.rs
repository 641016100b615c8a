//! `SOCKADDR_IN` and `SOCKADDR_IN6`: encode and decode the x64 byte images.
//!
//! Layouts (checked against `windows-sys`, `Win32::Networking::WinSock`):
//!
//! | offset | `SOCKADDR_IN` (16 bytes)        | `SOCKADDR_IN6` (28 bytes)              |
//! |---|---|---|
//! | 0  | `sin_family`: u16, little-endian | `sin6_family`: u16, little-endian      |
//! | 2  | `sin_port`: u16, big-endian      | `sin6_port`: u16, big-endian           |
//! | 4  | `sin_addr`: 4 bytes              | `sin6_flowinfo`: u32, big-endian       |
//! | 8  | `sin_zero`: 8 zero bytes         | `sin6_addr`: 16 bytes                  |
//! | 24 |                                  | `sin6_scope_id`: u32, little-endian    |
//!
//! `sin6_flowinfo` holds the flow information in network byte order, so
//! [`SocketAddrV6::flowinfo`] is written and read big-endian (as the
//! `windows` crate's `From<SocketAddrV6> for SOCKADDR_IN6` does with
//! `flowinfo().to_be()`); `sin6_scope_id` is a plain host-order `ULONG`.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use super::consts::{
    AF_INET, AF_INET6, SOCKADDR_IN6_SIZE, SOCKADDR_IN_SIZE, WSAEAFNOSUPPORT, WSAEFAULT,
};

/// Why an address could not be encoded or decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddrError {
    /// The buffer holds fewer bytes than the structure needs.
    #[error("address buffer too short: need {need} bytes, got {got}")]
    TooShort {
        /// Bytes the structure needs.
        need: usize,
        /// Bytes the buffer has.
        got: usize,
    },
    /// The family field names neither `AF_INET` nor `AF_INET6`.
    #[error("unknown address family {0}")]
    UnknownFamily(u16),
}

impl AddrError {
    /// The Winsock error code a call reports for this fault:
    /// `WSAEFAULT` for a short buffer, `WSAEAFNOSUPPORT` for another family.
    pub fn wsa_code(&self) -> i32 {
        match self {
            AddrError::TooShort { .. } => WSAEFAULT,
            AddrError::UnknownFamily(_) => WSAEAFNOSUPPORT,
        }
    }
}

/// The family field value of `AF_INET`, as stored in a `SOCKADDR`.
const FAMILY_V4: u16 = AF_INET as u16;
/// The family field value of `AF_INET6`, as stored in a `SOCKADDR`.
const FAMILY_V6: u16 = AF_INET6 as u16;

/// The length of the structure `addr` encodes to: 16 for IPv4, 28 for IPv6.
pub fn encoded_len(addr: &SocketAddr) -> usize {
    match addr {
        SocketAddr::V4(_) => SOCKADDR_IN_SIZE,
        SocketAddr::V6(_) => SOCKADDR_IN6_SIZE,
    }
}

/// The `SOCKADDR_IN` or `SOCKADDR_IN6` image of `addr`, exactly
/// [`encoded_len`] bytes long.
pub fn encode(addr: &SocketAddr) -> Vec<u8> {
    let mut out = vec![0u8; encoded_len(addr)];
    // The buffer has exactly the needed length, so this cannot fail.
    let n = encode_into(addr, &mut out).unwrap_or(0);
    debug_assert_eq!(n, out.len());
    out
}

/// Writes the image of `addr` at the start of `out` and returns its length;
/// bytes of `out` past that length are left untouched.
///
/// Fails with [`AddrError::TooShort`] (and writes nothing) if `out` is
/// smaller than [`encoded_len`].
pub fn encode_into(addr: &SocketAddr, out: &mut [u8]) -> Result<usize, AddrError> {
    let need = encoded_len(addr);
    if out.len() < need {
        return Err(AddrError::TooShort {
            need,
            got: out.len(),
        });
    }
    let out = &mut out[..need];
    match addr {
        SocketAddr::V4(a) => {
            out[0..2].copy_from_slice(&FAMILY_V4.to_le_bytes());
            out[2..4].copy_from_slice(&a.port().to_be_bytes());
            out[4..8].copy_from_slice(&a.ip().octets());
            out[8..16].fill(0);
        }
        SocketAddr::V6(a) => {
            out[0..2].copy_from_slice(&FAMILY_V6.to_le_bytes());
            out[2..4].copy_from_slice(&a.port().to_be_bytes());
            out[4..8].copy_from_slice(&a.flowinfo().to_be_bytes());
            out[8..24].copy_from_slice(&a.ip().octets());
            out[24..28].copy_from_slice(&a.scope_id().to_le_bytes());
        }
    }
    Ok(need)
}

/// Reads a `SOCKADDR_IN` or `SOCKADDR_IN6` from the start of `bytes`.
///
/// The family needs 2 bytes; `AF_INET` then needs 16 bytes in all and
/// `AF_INET6` 28. Bytes past the structure are ignored, so a whole
/// `SOCKADDR_STORAGE` decodes; `sin_zero` is not checked.
pub fn decode(bytes: &[u8]) -> Result<SocketAddr, AddrError> {
    let short = |need: usize| AddrError::TooShort {
        need,
        got: bytes.len(),
    };
    let family = match bytes {
        [lo, hi, ..] => u16::from_le_bytes([*lo, *hi]),
        _ => return Err(short(2)),
    };
    match family {
        FAMILY_V4 => {
            let b = bytes
                .get(..SOCKADDR_IN_SIZE)
                .ok_or_else(|| short(SOCKADDR_IN_SIZE))?;
            let port = u16::from_be_bytes([b[2], b[3]]);
            let ip = Ipv4Addr::new(b[4], b[5], b[6], b[7]);
            Ok(SocketAddr::V4(SocketAddrV4::new(ip, port)))
        }
        FAMILY_V6 => {
            let b = bytes
                .get(..SOCKADDR_IN6_SIZE)
                .ok_or_else(|| short(SOCKADDR_IN6_SIZE))?;
            let port = u16::from_be_bytes([b[2], b[3]]);
            let flowinfo = u32::from_be_bytes([b[4], b[5], b[6], b[7]]);
            let mut octets = [0u8; 16];
            octets.copy_from_slice(&b[8..24]);
            let scope_id = u32::from_le_bytes([b[24], b[25], b[26], b[27]]);
            Ok(SocketAddr::V6(SocketAddrV6::new(
                Ipv6Addr::from(octets),
                port,
                flowinfo,
                scope_id,
            )))
        }
        other => Err(AddrError::UnknownFamily(other)),
    }
}

/// The IPv4 address inside a v4-mapped IPv6 address (`::ffff:a.b.c.d`), or
/// `None` for any other form (including the deprecated v4-compatible `::a.b.c.d`).
pub fn is_v4_mapped(ip: &Ipv6Addr) -> Option<Ipv4Addr> {
    match ip.octets() {
        [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c, d] => Some(Ipv4Addr::new(a, b, c, d)),
        _ => None,
    }
}

/// Turns a v4-mapped IPv6 socket address into the IPv4 one (same port);
/// every other address is returned unchanged.
pub fn unmap(addr: SocketAddr) -> SocketAddr {
    match addr {
        SocketAddr::V6(v6) => match is_v4_mapped(v6.ip()) {
            Some(v4) => SocketAddr::V4(SocketAddrV4::new(v4, v6.port())),
            None => addr,
        },
        SocketAddr::V4(_) => addr,
    }
}

/// The v4-mapped IPv6 form of an IPv4 socket address (`::ffff:a.b.c.d`, same
/// port, flowinfo and scope id 0).
pub fn map_v4(addr: SocketAddrV4) -> SocketAddrV6 {
    SocketAddrV6::new(addr.ip().to_ipv6_mapped(), addr.port(), 0, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples() -> Vec<SocketAddr> {
        let mut v = Vec::new();
        let v4s = [
            Ipv4Addr::UNSPECIFIED,
            Ipv4Addr::LOCALHOST,
            Ipv4Addr::BROADCAST,
            Ipv4Addr::new(10, 1, 2, 3),
            Ipv4Addr::new(224, 0, 0, 251),
            Ipv4Addr::new(192, 168, 255, 1),
        ];
        let v6s = [
            Ipv6Addr::UNSPECIFIED,
            Ipv6Addr::LOCALHOST,
            "fe80::1:2:3:4".parse().unwrap(),
            "ff02::fb".parse().unwrap(),
            "2001:db8::dead:beef".parse().unwrap(),
            "::ffff:10.0.0.1".parse().unwrap(),
        ];
        let ports = [0u16, 1, 53, 8080, 0x1234, 65535];
        for (i, ip) in v4s.iter().enumerate() {
            for p in ports {
                v.push(SocketAddr::V4(SocketAddrV4::new(
                    *ip,
                    p.wrapping_add(i as u16),
                )));
            }
        }
        let extras = [
            (0u32, 0u32),
            (1, 7),
            (0x000f_ffff, 0x1234_5678),
            (u32::MAX, u32::MAX),
        ];
        for ip in v6s {
            for p in ports {
                for (flow, scope) in extras {
                    v.push(SocketAddr::V6(SocketAddrV6::new(ip, p, flow, scope)));
                }
            }
        }
        v
    }

    #[test]
    fn v4_byte_image() {
        let a: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let img = encode(&a);
        assert_eq!(
            img,
            [2, 0, 0x1F, 0x90, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]
        );
        assert_eq!(decode(&img), Ok(a));
    }

    #[test]
    fn v6_byte_image_with_scope_and_flowinfo() {
        let a = SocketAddr::V6(SocketAddrV6::new(
            Ipv6Addr::LOCALHOST,
            8080,
            0x0001_2345,
            0x0102_0304,
        ));
        let img = encode(&a);
        let mut want = vec![23, 0, 0x1F, 0x90, 0x00, 0x01, 0x23, 0x45];
        want.extend_from_slice(&[0; 15]);
        want.push(1);
        want.extend_from_slice(&[0x04, 0x03, 0x02, 0x01]);
        assert_eq!(img, want);
        assert_eq!(img.len(), 28);
        assert_eq!(decode(&img), Ok(a));
    }

    #[test]
    fn v6_scope_id_only() {
        let a: SocketAddr = "[::1%5]:8080".parse().unwrap();
        let img = encode(&a);
        assert_eq!(&img[0..8], &[23, 0, 0x1F, 0x90, 0, 0, 0, 0]);
        assert_eq!(&img[24..28], &[5, 0, 0, 0]);
        assert_eq!(decode(&img), Ok(a));
    }

    #[test]
    fn round_trips() {
        for a in samples() {
            let img = encode(&a);
            assert_eq!(img.len(), encoded_len(&a));
            assert_eq!(decode(&img), Ok(a), "{a}");
            // Inside a zero-filled SOCKADDR_STORAGE, and with junk after it.
            let mut storage = [0u8; 128];
            assert_eq!(encode_into(&a, &mut storage), Ok(img.len()));
            assert_eq!(decode(&storage), Ok(a));
            let mut junk = [0xA5u8; 128];
            assert_eq!(encode_into(&a, &mut junk), Ok(img.len()));
            assert_eq!(&junk[..img.len()], &img[..]);
            assert!(junk[img.len()..].iter().all(|&b| b == 0xA5));
            assert_eq!(decode(&junk), Ok(a));
        }
    }

    #[test]
    fn short_buffers() {
        for a in samples() {
            let need = encoded_len(&a);
            let img = encode(&a);
            for n in 0..need {
                let mut out = vec![0x5Au8; n];
                assert_eq!(
                    encode_into(&a, &mut out),
                    Err(AddrError::TooShort { need, got: n })
                );
                assert!(out.iter().all(|&b| b == 0x5A), "nothing written");
                let want = if n < 2 { 2 } else { need };
                assert_eq!(
                    decode(&img[..n]),
                    Err(AddrError::TooShort { need: want, got: n })
                );
            }
        }
        assert_eq!(
            AddrError::TooShort { need: 16, got: 3 }.wsa_code(),
            WSAEFAULT
        );
    }

    #[test]
    fn unknown_family() {
        for fam in [0u16, 1, 3, 22, 24, 0xFFFF, 0x0200, 0x1700] {
            let mut b = [0u8; 128];
            b[..2].copy_from_slice(&fam.to_le_bytes());
            assert_eq!(decode(&b), Err(AddrError::UnknownFamily(fam)));
            assert_eq!(decode(&b[..2]), Err(AddrError::UnknownFamily(fam)));
        }
        assert_eq!(AddrError::UnknownFamily(0).wsa_code(), WSAEAFNOSUPPORT);
        assert_eq!(
            AddrError::UnknownFamily(7).to_string(),
            "unknown address family 7"
        );
    }

    #[test]
    fn decode_never_panics_on_arbitrary_bytes() {
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..2000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 40) as usize;
            let mut b: Vec<u8> = (0..len).map(|i| (seed >> (i % 56)) as u8).collect();
            if len >= 2 && seed & 1 == 0 {
                let fam = if seed & 2 == 0 { FAMILY_V4 } else { FAMILY_V6 };
                b[..2].copy_from_slice(&fam.to_le_bytes());
            }
            if let Ok(a) = decode(&b) {
                // Whatever decodes re-encodes to the same leading bytes,
                // except sin_zero, which decode does not check.
                let img = encode(&a);
                let cmp = if a.is_ipv4() { 8 } else { 28 };
                assert_eq!(&img[..cmp], &b[..cmp]);
            }
        }
    }

    #[test]
    fn mapping_helpers() {
        let m: Ipv6Addr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(is_v4_mapped(&m), Some(Ipv4Addr::new(192, 0, 2, 7)));
        for not in [
            "::192.0.2.7",
            "::1",
            "::",
            "64:ff9b::192.0.2.7",
            "::fffe:192.0.2.7",
            "1::ffff:192.0.2.7",
        ] {
            let ip: Ipv6Addr = not.parse().unwrap();
            assert_eq!(is_v4_mapped(&ip), None, "{not}");
        }
        for a in samples() {
            match a {
                SocketAddr::V4(v4) => {
                    let m = map_v4(v4);
                    assert_eq!(m.port(), v4.port());
                    assert_eq!(is_v4_mapped(m.ip()), Some(*v4.ip()));
                    assert_eq!(unmap(SocketAddr::V6(m)), a);
                    assert_eq!(unmap(a), a);
                }
                SocketAddr::V6(v6) => {
                    let u = unmap(a);
                    match is_v4_mapped(v6.ip()) {
                        Some(ip) => assert_eq!(u, SocketAddr::V4(SocketAddrV4::new(ip, v6.port()))),
                        None => assert_eq!(u, a),
                    }
                }
            }
        }
        assert_eq!(
            map_v4("10.0.0.1:53".parse().unwrap()),
            "[::ffff:10.0.0.1]:53".parse().unwrap()
        );
    }
}
