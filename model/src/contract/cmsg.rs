//! The `WSACMSGHDR` control-data codec (x64 layout) and the
//! `IN_PKTINFO` / `IN6_PKTINFO` payloads.
//!
//! One control message in a `WSAMSG.Control` buffer is laid out as
//!
//! | offset | field | x64 |
//! |---|---|---|
//! | 0  | `cmsg_len`: `SIZE_T` | u64, little-endian: header + data, without padding |
//! | 8  | `cmsg_level`: `INT`  | i32, little-endian |
//! | 12 | `cmsg_type`: `INT`   | i32, little-endian |
//! | 16 | data                 | `cmsg_len - 16` bytes |
//!
//! followed by zero padding up to the next multiple of 8, where the next
//! header starts.
//!
//! The arithmetic follows the macros of `ws2def.h` (read in mingw-w64's
//! `include/ws2def.h`; `MAX_NATURAL_ALIGNMENT` is `sizeof(ULONGLONG)` under
//! `_WIN64` in `winnt.h`):
//!
//! - `WSA_CMSGHDR_ALIGN(n)` rounds `n` up to `TYPE_ALIGNMENT(WSACMSGHDR)`,
//!   8 on x64 (the `SIZE_T` member): [`cmsg_align`].
//! - `WSA_CMSGDATA_ALIGN(n)` rounds `n` up to `MAX_NATURAL_ALIGNMENT`, also 8
//!   on x64, so `WSA_CMSG_DATA(c)` is `c + WSA_CMSGDATA_ALIGN(16)` = `c + 16`.
//! - `WSA_CMSG_SPACE(n)` = `WSA_CMSGDATA_ALIGN(16 + WSA_CMSGHDR_ALIGN(n))`
//!   = `16 + align8(n)`: [`cmsg_space`].
//! - `WSA_CMSG_LEN(n)` = `WSA_CMSGDATA_ALIGN(16) + n` = `16 + n`: [`cmsg_len`].
//! - `WSA_CMSG_FIRSTHDR` is the buffer start if `Control.len >= 16`;
//!   `WSA_CMSG_NXTHDR` steps by `WSA_CMSGHDR_ALIGN(cmsg_len)` and stops when a
//!   whole header no longer fits before `Control.buf + Control.len`.
//!
//! Wine's `include/ws2def.h` defines no `WSA_CMSG_SPACE`/`WSA_CMSG_LEN`, but
//! aligns to `sizeof(SIZE_T)` and puts the data at `(WSACMSGHDR *)c + 1`:
//! the same numbers on x64.
//!
//! [`parse`] is stricter than the macros: they never look at `cmsg_len`
//! itself, while `parse` rejects one that is shorter than the header or runs
//! past the buffer, and a tail of 1 to 15 bytes that cannot hold a header.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::consts::{
    IN6_PKTINFO_SIZE, IN_PKTINFO_SIZE, IPPROTO_IP, IPPROTO_IPV6, IPV6_PKTINFO, IP_PKTINFO,
    WSACMSGHDR_SIZE,
};

/// The alignment of control messages on x64: `TYPE_ALIGNMENT(WSACMSGHDR)`
/// and `MAX_NATURAL_ALIGNMENT`, both 8.
pub const CMSG_ALIGN: usize = 8;

/// The offset of the data from the start of its header:
/// `WSA_CMSGDATA_ALIGN(sizeof(WSACMSGHDR))` = 16 on x64.
pub const CMSG_DATA_OFFSET: usize = cmsg_align(WSACMSGHDR_SIZE);

/// `n` rounded up to a multiple of [`CMSG_ALIGN`] (`WSA_CMSGHDR_ALIGN`).
pub const fn cmsg_align(n: usize) -> usize {
    (n + (CMSG_ALIGN - 1)) & !(CMSG_ALIGN - 1)
}

/// The buffer space one control message with `data_len` bytes of data takes,
/// padding included (`WSA_CMSG_SPACE`): `16 + cmsg_align(data_len)`.
pub const fn cmsg_space(data_len: usize) -> usize {
    cmsg_align(CMSG_DATA_OFFSET + cmsg_align(data_len))
}

/// The `cmsg_len` value of a control message with `data_len` bytes of data
/// (`WSA_CMSG_LEN`): `16 + data_len`.
pub const fn cmsg_len(data_len: usize) -> usize {
    CMSG_DATA_OFFSET + data_len
}

/// One control message: its level, its type and its data.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Cmsg {
    /// `cmsg_level`: the protocol level (`IPPROTO_IP`, `IPPROTO_IPV6`, ...).
    pub level: i32,
    /// `cmsg_type`: the type within the level (`IP_PKTINFO`, ...).
    pub kind: i32,
    /// The data that follows the header, without padding.
    pub data: Vec<u8>,
}

impl Cmsg {
    /// A control message carrying a 4-byte `INT` / `DWORD` (`IP_ECN`,
    /// `UDP_SEND_MSG_SIZE`, `UDP_COALESCED_INFO`), little-endian as on x64.
    pub fn int(level: i32, kind: i32, value: i32) -> Self {
        Cmsg::new(level, kind, value.to_le_bytes())
    }

    /// The `INT` / `DWORD` a control message carries: its first 4 bytes;
    /// `None` if it has fewer.
    pub fn as_int(&self) -> Option<i32> {
        let b: [u8; 4] = self.data.get(..4)?.try_into().ok()?;
        Some(i32::from_le_bytes(b))
    }

    /// A control message with the given level, type and data.
    pub fn new(level: i32, kind: i32, data: impl Into<Vec<u8>>) -> Self {
        Cmsg {
            level,
            kind,
            data: data.into(),
        }
    }

    /// Its `cmsg_len`: header plus data.
    pub fn len(&self) -> usize {
        cmsg_len(self.data.len())
    }

    /// Whether it carries no data (it still takes a 16-byte header).
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The buffer space it takes with padding (`WSA_CMSG_SPACE`).
    pub fn space(&self) -> usize {
        cmsg_space(self.data.len())
    }

    /// Writes header and data at the start of `out` (at least `self.len()`
    /// bytes long) and zeroes whatever padding up to `self.space()` fits.
    fn write_to(&self, out: &mut [u8]) {
        let len = self.len();
        out[0..8].copy_from_slice(&(len as u64).to_le_bytes());
        out[8..12].copy_from_slice(&self.level.to_le_bytes());
        out[12..16].copy_from_slice(&self.kind.to_le_bytes());
        out[CMSG_DATA_OFFSET..len].copy_from_slice(&self.data);
        let pad_end = self.space().min(out.len());
        out[len..pad_end].fill(0);
    }
}

/// `IN_PKTINFO`: the local address and interface of an IPv4 datagram.
///
/// 8 bytes: `ipi_addr` (4 address bytes, network order) then `ipi_ifindex`
/// (u32, little-endian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InPktinfo {
    /// `ipi_addr`: the datagram's destination (receive) or source (send) address.
    pub addr: Ipv4Addr,
    /// `ipi_ifindex`: the interface index.
    pub ifindex: u32,
}

impl InPktinfo {
    /// The 8-byte `IN_PKTINFO` image.
    pub fn to_bytes(&self) -> [u8; IN_PKTINFO_SIZE] {
        let mut out = [0u8; IN_PKTINFO_SIZE];
        out[0..4].copy_from_slice(&self.addr.octets());
        out[4..8].copy_from_slice(&self.ifindex.to_le_bytes());
        out
    }

    /// Reads an `IN_PKTINFO` from the first 8 bytes; `None` if there are fewer.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let b = bytes.get(..IN_PKTINFO_SIZE)?;
        Some(InPktinfo {
            addr: Ipv4Addr::new(b[0], b[1], b[2], b[3]),
            ifindex: u32::from_le_bytes([b[4], b[5], b[6], b[7]]),
        })
    }

    /// The control message that carries it: `IPPROTO_IP` / `IP_PKTINFO`.
    pub fn to_cmsg(&self) -> Cmsg {
        Cmsg::new(IPPROTO_IP, IP_PKTINFO, self.to_bytes())
    }
}

/// `IN6_PKTINFO`: the local address and interface of an IPv6 datagram.
///
/// 20 bytes: `ipi6_addr` (16 address bytes) then `ipi6_ifindex` (u32,
/// little-endian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct In6Pktinfo {
    /// `ipi6_addr`: the datagram's destination (receive) or source (send) address.
    pub addr: Ipv6Addr,
    /// `ipi6_ifindex`: the interface index.
    pub ifindex: u32,
}

impl In6Pktinfo {
    /// The 20-byte `IN6_PKTINFO` image.
    pub fn to_bytes(&self) -> [u8; IN6_PKTINFO_SIZE] {
        let mut out = [0u8; IN6_PKTINFO_SIZE];
        out[0..16].copy_from_slice(&self.addr.octets());
        out[16..20].copy_from_slice(&self.ifindex.to_le_bytes());
        out
    }

    /// Reads an `IN6_PKTINFO` from the first 20 bytes; `None` if there are fewer.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let b = bytes.get(..IN6_PKTINFO_SIZE)?;
        let mut octets = [0u8; 16];
        octets.copy_from_slice(&b[0..16]);
        Some(In6Pktinfo {
            addr: Ipv6Addr::from(octets),
            ifindex: u32::from_le_bytes([b[16], b[17], b[18], b[19]]),
        })
    }

    /// The control message that carries it: `IPPROTO_IPV6` / `IPV6_PKTINFO`.
    pub fn to_cmsg(&self) -> Cmsg {
        Cmsg::new(IPPROTO_IPV6, IPV6_PKTINFO, self.to_bytes())
    }
}

/// Either packet-info payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Pktinfo {
    /// `IP_PKTINFO` at level `IPPROTO_IP`.
    V4(InPktinfo),
    /// `IPV6_PKTINFO` at level `IPPROTO_IPV6`.
    V6(In6Pktinfo),
}

impl Pktinfo {
    /// The address it carries.
    pub fn addr(&self) -> IpAddr {
        match self {
            Pktinfo::V4(p) => IpAddr::V4(p.addr),
            Pktinfo::V6(p) => IpAddr::V6(p.addr),
        }
    }

    /// The interface index it carries.
    pub fn ifindex(&self) -> u32 {
        match self {
            Pktinfo::V4(p) => p.ifindex,
            Pktinfo::V6(p) => p.ifindex,
        }
    }

    /// The control message that carries it.
    pub fn to_cmsg(&self) -> Cmsg {
        match self {
            Pktinfo::V4(p) => p.to_cmsg(),
            Pktinfo::V6(p) => p.to_cmsg(),
        }
    }
}

/// The packet info in `cmsg`, if it is an `IP_PKTINFO` or `IPV6_PKTINFO`
/// message whose data is long enough (extra data bytes are ignored).
pub fn pktinfo(cmsg: &Cmsg) -> Option<Pktinfo> {
    match (cmsg.level, cmsg.kind) {
        (IPPROTO_IP, IP_PKTINFO) => InPktinfo::from_bytes(&cmsg.data).map(Pktinfo::V4),
        (IPPROTO_IPV6, IPV6_PKTINFO) => In6Pktinfo::from_bytes(&cmsg.data).map(Pktinfo::V6),
        _ => None,
    }
}

/// The first packet info among `cmsgs` (see [`pktinfo`]).
pub fn find_pktinfo(cmsgs: &[Cmsg]) -> Option<Pktinfo> {
    cmsgs.iter().find_map(pktinfo)
}

/// The control buffer an application would allocate for `cmsgs`: each
/// message's header and data, padded to [`cmsg_space`].
pub fn encode(cmsgs: &[Cmsg]) -> Vec<u8> {
    let total = cmsgs.iter().map(Cmsg::space).sum();
    let mut out = vec![0u8; total];
    let mut pos = 0;
    for c in cmsgs {
        c.write_to(&mut out[pos..]);
        pos += c.space();
    }
    out
}

/// What [`write()`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Written {
    /// Bytes written: the value `Control.len` is rewritten to.
    pub len: usize,
    /// Whether some message was left out for lack of room (`MSG_CTRUNC`).
    pub truncated: bool,
}

/// Writes as many whole messages of `cmsgs`, in order, as fit in `out`.
///
/// A message fits if its [`cmsg_space`] fits in the room left; a message
/// for which only its [`cmsg_len`] fits is still written, without its
/// padding, and is then the last one written (fewer than 8 bytes are left,
/// too few for another header). The first message that does not fit ends
/// the writing, and `truncated` is set if any message was left out. Bytes of
/// `out` past [`Written::len`] are left untouched.
pub fn write(cmsgs: &[Cmsg], out: &mut [u8]) -> Written {
    let mut pos = 0;
    for (i, c) in cmsgs.iter().enumerate() {
        let room = out.len() - pos;
        if c.space() <= room {
            c.write_to(&mut out[pos..]);
            pos += c.space();
        } else if c.len() <= room {
            c.write_to(&mut out[pos..pos + c.len()]);
            pos += c.len();
            return Written {
                len: pos,
                truncated: i + 1 < cmsgs.len(),
            };
        } else {
            return Written {
                len: pos,
                truncated: true,
            };
        }
    }
    Written {
        len: pos,
        truncated: false,
    }
}

/// Why a control buffer could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CmsgError {
    /// Between 1 and 15 bytes are left where the next header would start.
    #[error(
        "control buffer ends with {remaining} bytes at offset {offset}, too few for a WSACMSGHDR"
    )]
    Truncated {
        /// Where the partial header starts.
        offset: usize,
        /// How many bytes are left there.
        remaining: usize,
    },
    /// A `cmsg_len` smaller than the header or running past the buffer.
    #[error("bad cmsg_len {len} in the header at offset {offset}")]
    BadLength {
        /// Where the header starts.
        offset: usize,
        /// The `cmsg_len` value read.
        len: u64,
    },
}

/// Reads every control message of a control buffer, walking it as
/// `WSA_CMSG_FIRSTHDR` / `WSA_CMSG_NXTHDR` do.
///
/// Each header's `cmsg_len` must be at least 16 and end within `bytes`;
/// the next header starts at the current one plus `cmsg_align(cmsg_len)`.
/// The walk ends without error when no byte is left there (the padding of
/// the last message may be missing); 1 to 15 bytes left is
/// [`CmsgError::Truncated`]. An empty buffer holds no messages.
pub fn parse(bytes: &[u8]) -> Result<Vec<Cmsg>, CmsgError> {
    let mut out = Vec::new();
    let mut offset = 0;
    while offset < bytes.len() {
        let rest = &bytes[offset..];
        if rest.len() < WSACMSGHDR_SIZE {
            return Err(CmsgError::Truncated {
                offset,
                remaining: rest.len(),
            });
        }
        let raw = u64::from_le_bytes([
            rest[0], rest[1], rest[2], rest[3], rest[4], rest[5], rest[6], rest[7],
        ]);
        let len = usize::try_from(raw)
            .ok()
            .filter(|&l| (WSACMSGHDR_SIZE..=rest.len()).contains(&l))
            .ok_or(CmsgError::BadLength { offset, len: raw })?;
        out.push(Cmsg {
            level: i32::from_le_bytes([rest[8], rest[9], rest[10], rest[11]]),
            kind: i32::from_le_bytes([rest[12], rest[13], rest[14], rest[15]]),
            data: rest[CMSG_DATA_OFFSET..len].to_vec(),
        });
        offset += cmsg_align(len).min(rest.len());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4info() -> InPktinfo {
        InPktinfo {
            addr: Ipv4Addr::new(192, 168, 1, 20),
            ifindex: 7,
        }
    }

    fn v6info() -> In6Pktinfo {
        In6Pktinfo {
            addr: "fe80::1234:5678".parse().unwrap(),
            ifindex: 0x0102_0304,
        }
    }

    fn samples() -> Vec<Vec<Cmsg>> {
        vec![
            vec![],
            vec![v4info().to_cmsg()],
            vec![v6info().to_cmsg()],
            vec![v4info().to_cmsg(), v6info().to_cmsg()],
            vec![
                Cmsg::new(IPPROTO_IPV6, 21, 64i32.to_le_bytes()),
                Cmsg::new(0, 0, Vec::new()),
            ],
            vec![
                Cmsg::new(-1, i32::MIN, vec![0xEE; 1]),
                Cmsg::new(7, 9, vec![1; 8]),
                Cmsg::new(3, 4, vec![2; 13]),
            ],
        ]
    }

    #[test]
    fn sizes_match_ws2def_macros() {
        assert_eq!(CMSG_ALIGN, 8);
        assert_eq!(CMSG_DATA_OFFSET, 16);
        let table: &[(usize, usize, usize, usize)] = &[
            // n, align(n), WSA_CMSG_SPACE(n), WSA_CMSG_LEN(n)
            (0, 0, 16, 16),
            (1, 8, 24, 17),
            (4, 8, 24, 20),
            (7, 8, 24, 23),
            (8, 8, 24, 24),
            (9, 16, 32, 25),
            (16, 16, 32, 32),
            (20, 24, 40, 36),
            (24, 24, 40, 40),
        ];
        for &(n, a, s, l) in table {
            assert_eq!(cmsg_align(n), a, "align {n}");
            assert_eq!(cmsg_space(n), s, "space {n}");
            assert_eq!(cmsg_len(n), l, "len {n}");
        }
        assert_eq!(cmsg_space(IN_PKTINFO_SIZE), 24);
        assert_eq!(cmsg_space(IN6_PKTINFO_SIZE), 40);
        assert_eq!(cmsg_len(IN6_PKTINFO_SIZE), 36);
    }

    #[test]
    fn in_pktinfo_byte_image() {
        let c = v4info().to_cmsg();
        assert_eq!((c.level, c.kind), (0, 19));
        let img = encode(std::slice::from_ref(&c));
        #[rustfmt::skip]
        let want: [u8; 24] = [
            24, 0, 0, 0, 0, 0, 0, 0, // cmsg_len = WSA_CMSG_LEN(8)
            0, 0, 0, 0,              // cmsg_level = IPPROTO_IP
            19, 0, 0, 0,             // cmsg_type = IP_PKTINFO
            192, 168, 1, 20,         // ipi_addr
            7, 0, 0, 0,              // ipi_ifindex
        ];
        assert_eq!(img, want);
        assert_eq!(parse(&img), Ok(vec![c]));
    }

    #[test]
    fn in6_pktinfo_byte_image() {
        let p = v6info();
        let c = p.to_cmsg();
        assert_eq!((c.level, c.kind), (41, 19));
        let img = encode(std::slice::from_ref(&c));
        assert_eq!(img.len(), 40);
        assert_eq!(
            &img[0..16],
            &[36, 0, 0, 0, 0, 0, 0, 0, 41, 0, 0, 0, 19, 0, 0, 0]
        );
        assert_eq!(&img[16..32], &p.addr.octets());
        assert_eq!(&img[32..36], &[4, 3, 2, 1]);
        assert_eq!(&img[36..40], &[0, 0, 0, 0]);
        assert_eq!(parse(&img), Ok(vec![c]));
    }

    #[test]
    fn pktinfo_round_trips_and_lookup() {
        let v4 = v4info();
        let v6 = v6info();
        assert_eq!(InPktinfo::from_bytes(&v4.to_bytes()), Some(v4));
        assert_eq!(In6Pktinfo::from_bytes(&v6.to_bytes()), Some(v6));
        assert_eq!(InPktinfo::from_bytes(&v4.to_bytes()[..7]), None);
        assert_eq!(In6Pktinfo::from_bytes(&v6.to_bytes()[..19]), None);
        assert_eq!(pktinfo(&v4.to_cmsg()), Some(Pktinfo::V4(v4)));
        assert_eq!(pktinfo(&v6.to_cmsg()), Some(Pktinfo::V6(v6)));
        assert_eq!(
            pktinfo(&Cmsg::new(IPPROTO_IP, IP_PKTINFO, vec![1, 2, 3])),
            None
        );
        // Right type at the wrong level is not packet info.
        assert_eq!(
            pktinfo(&Cmsg::new(IPPROTO_IPV6, IP_PKTINFO, v4.to_bytes())),
            None
        );
        let list = [
            Cmsg::new(IPPROTO_IPV6, 21, vec![0; 4]),
            v6.to_cmsg(),
            v4.to_cmsg(),
        ];
        assert_eq!(find_pktinfo(&list), Some(Pktinfo::V6(v6)));
        assert_eq!(find_pktinfo(&list[..1]), None);
        assert_eq!(Pktinfo::V4(v4).addr(), IpAddr::V4(v4.addr));
        assert_eq!(Pktinfo::V6(v6).ifindex(), v6.ifindex);
        assert_eq!(Pktinfo::V4(v4).to_cmsg(), v4.to_cmsg());
    }

    #[test]
    fn round_trips() {
        for list in samples() {
            let img = encode(&list);
            assert_eq!(img.len(), list.iter().map(Cmsg::space).sum::<usize>());
            assert_eq!(img.len() % CMSG_ALIGN, 0);
            assert_eq!(parse(&img).as_ref(), Ok(&list));
            // write() into an exact or larger buffer gives the same image.
            let mut big = vec![0xCCu8; img.len() + 50];
            let w = write(&list, &mut big);
            assert_eq!(
                w,
                Written {
                    len: img.len(),
                    truncated: false
                }
            );
            assert_eq!(&big[..w.len], &img[..]);
            assert!(big[w.len..].iter().all(|&b| b == 0xCC));
            // Dropping the last message's padding still parses.
            if let Some(last) = list.last() {
                let short = img.len() - (last.space() - last.len());
                assert_eq!(parse(&img[..short]).as_ref(), Ok(&list));
            }
        }
    }

    #[test]
    fn serde_derives_present() {
        fn both<T: serde::Serialize + serde::de::DeserializeOwned>() {}
        both::<Cmsg>();
        both::<InPktinfo>();
        both::<In6Pktinfo>();
        both::<Pktinfo>();
    }

    #[test]
    fn write_truncates_to_whole_messages() {
        let list = vec![v4info().to_cmsg(), v6info().to_cmsg()];
        let img = encode(&list); // 24 + 40 = 64 bytes
        assert_eq!(img.len(), 64);
        for size in 0..=80 {
            let mut out = vec![0xCCu8; size];
            let w = write(&list, &mut out);
            let (len, truncated, n) = match size {
                0..=23 => (0, true, 0),
                24..=59 => (24, true, 1),
                60..=63 => (60, false, 2), // the second fits by WSA_CMSG_LEN only
                _ => (64, false, 2),
            };
            assert_eq!(w, Written { len, truncated }, "size {size}");
            assert!(out[w.len..].iter().all(|&b| b == 0xCC), "size {size}");
            assert_eq!(
                parse(&out[..w.len]).unwrap(),
                list[..n].to_vec(),
                "size {size}"
            );
        }
        // A message that fits by its length only ends the writing.
        let three = vec![
            Cmsg::new(1, 1, vec![9; 4]),
            Cmsg::new(2, 2, vec![8; 4]),
            Cmsg::new(3, 3, vec![]),
        ];
        let mut out = [0u8; 44];
        let w = write(&three, &mut out);
        assert_eq!(
            w,
            Written {
                len: 44,
                truncated: true
            }
        );
        assert_eq!(parse(&out).unwrap(), three[..2].to_vec());
        assert_eq!(
            write(&[], &mut []),
            Written {
                len: 0,
                truncated: false
            }
        );
    }

    #[test]
    fn parse_edges() {
        assert_eq!(parse(&[]), Ok(vec![]));
        for n in 1..16 {
            assert_eq!(
                parse(&vec![0u8; n]),
                Err(CmsgError::Truncated {
                    offset: 0,
                    remaining: n
                })
            );
        }
        let mut img = encode(&[v4info().to_cmsg()]);
        img.extend_from_slice(&[0; 8]);
        assert_eq!(
            parse(&img),
            Err(CmsgError::Truncated {
                offset: 24,
                remaining: 8
            })
        );
        // An all-zero header has cmsg_len 0.
        assert_eq!(
            parse(&[0u8; 16]),
            Err(CmsgError::BadLength { offset: 0, len: 0 })
        );
    }

    #[test]
    fn corrupted_lengths_are_errors() {
        let img = encode(&[v4info().to_cmsg(), v6info().to_cmsg()]);
        let cases: &[(usize, u64, CmsgError)] = &[
            (0, 0, CmsgError::BadLength { offset: 0, len: 0 }),
            (0, 15, CmsgError::BadLength { offset: 0, len: 15 }),
            (0, 65, CmsgError::BadLength { offset: 0, len: 65 }),
            (
                0,
                u64::MAX,
                CmsgError::BadLength {
                    offset: 0,
                    len: u64::MAX,
                },
            ),
            (
                0,
                1 << 63,
                CmsgError::BadLength {
                    offset: 0,
                    len: 1 << 63,
                },
            ),
            (
                24,
                41,
                CmsgError::BadLength {
                    offset: 24,
                    len: 41,
                },
            ),
            (24, 8, CmsgError::BadLength { offset: 24, len: 8 }),
            // 16 is a valid empty message; the next header then starts at 16,
            // where the first message's data (the IN_PKTINFO) is read as cmsg_len.
            (
                0,
                16,
                CmsgError::BadLength {
                    offset: 16,
                    len: u64::from_le_bytes([192, 168, 1, 20, 7, 0, 0, 0]),
                },
            ),
        ];
        for (at, len, want) in cases {
            let mut bad = img.clone();
            bad[*at..at + 8].copy_from_slice(&len.to_le_bytes());
            assert_eq!(parse(&bad).as_ref(), Err(want), "cmsg_len {len} at {at}");
        }
        // A first length that swallows everything leaves one message.
        let mut bad = img.clone();
        bad[0..8].copy_from_slice(&64u64.to_le_bytes());
        assert_eq!(parse(&bad).unwrap().len(), 1);
    }

    #[test]
    fn malformed_inputs_never_panic() {
        for list in samples() {
            let img = encode(&list);
            for n in 0..=img.len() {
                let _ = parse(&img[..n]);
            }
            for i in 0..img.len() {
                for v in [0u8, 1, 7, 8, 15, 16, 0x7F, 0x80, 0xFF] {
                    let mut bad = img.clone();
                    bad[i] = v;
                    if let Ok(got) = parse(&bad) {
                        // Whatever parses re-encodes within the buffer.
                        assert!(got.iter().map(Cmsg::len).sum::<usize>() <= bad.len());
                    }
                }
            }
        }
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..3000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 80) as usize;
            let mut b: Vec<u8> = (0..len)
                .map(|i| (seed.rotate_left(i as u32 * 5)) as u8)
                .collect();
            if len >= 8 {
                let l = (seed >> 32) % 90;
                b[0..8].copy_from_slice(&l.to_le_bytes());
            }
            let _ = parse(&b);
        }
    }
}
