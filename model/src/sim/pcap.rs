//! The packets the model put on its wires, as a capture keeps them
//! ([`Wire`], when `Config::capture` is on), and their pcapng form: one
//! interface per host (the host's side of its links: a packet is recorded
//! where it arrives), nanosecond time stamps of virtual time, raw IP
//! packets with their UDP, TCP or ICMP headers and correct checksums.
//! Plain data: this module imports no room of the model.
//!
//! The model's connections carry no sequence numbers; the capture numbers
//! each direction's bytes from 0 (the SYN takes one, a FIN one), which is
//! what Wireshark shows as relative sequence numbers.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};

/// The most payload one captured TCP packet carries: what an IPv4 packet
/// of 65,535 bytes holds after its headers. A longer segment of the model
/// is captured as several packets.
pub(crate) const TCP_MAX_PAYLOAD: usize = 65_535 - 20 - 20;

/// One packet on a wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Wire {
    /// When it arrives (virtual nanoseconds) and the event's sequence
    /// number: the order the model runs arrivals in.
    pub(crate) key: (u64, u64),
    /// The host it arrives at.
    pub(crate) host: usize,
    pub(crate) src: SocketAddr,
    pub(crate) dst: SocketAddr,
    /// Hop limit as it arrives, and the TOS / traffic class byte.
    pub(crate) ttl: u8,
    pub(crate) tos: u8,
    pub(crate) body: Body,
}

/// What a packet carries above IP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Body {
    /// A UDP datagram's payload.
    Udp(Vec<u8>),
    /// A raw socket's payload under IP protocol `proto`.
    Raw { proto: u8, data: Vec<u8> },
    /// A TCP segment.
    Tcp(Tcp),
    /// An ICMP error about a datagram from `dst` (the packet's
    /// destination) to `about`.
    Icmp {
        kind: Icmp,
        about: SocketAddr,
        /// The IP protocol and payload length of the datagram it is about.
        proto: u8,
        len: usize,
    },
}

/// A TCP segment of the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tcp {
    Syn,
    SynAck,
    Ack,
    /// Bytes; `urgent`: the offset just past the last urgent byte.
    Data {
        data: Vec<u8>,
        urgent: Option<u16>,
    },
    Fin,
    Rst,
}

/// The ICMP errors the model sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Icmp {
    /// No socket at the destination port (type 3 code 3; ICMPv6 1/4).
    PortUnreachable,
    /// The hop limit ran out on the way (type 11 code 0; ICMPv6 3/0).
    TimeExceeded,
}

const TCP_FIN: u8 = 0x01;
const TCP_SYN: u8 = 0x02;
const TCP_RST: u8 = 0x04;
const TCP_PSH: u8 = 0x08;
const TCP_ACK: u8 = 0x10;
const TCP_URG: u8 = 0x20;

impl Wire {
    /// The IP protocol number.
    fn proto(&self) -> u8 {
        match (&self.body, self.dst.is_ipv6()) {
            (Body::Udp(_), _) => 17,
            (Body::Raw { proto, .. }, _) => *proto,
            (Body::Tcp(_), _) => 6,
            (Body::Icmp { .. }, false) => 1,
            (Body::Icmp { .. }, true) => 58,
        }
    }

    /// The packet, one line: what the trace says of it (`wire` lines).
    pub(crate) fn describe(&self) -> String {
        let (s, d) = (self.src, self.dst);
        match &self.body {
            Body::Udp(data) => format!("UDP {s} -> {d} len={}", data.len()),
            Body::Raw { proto, data } => {
                format!(
                    "IP proto={proto} {} -> {} len={}",
                    s.ip(),
                    d.ip(),
                    data.len()
                )
            }
            Body::Tcp(t) => {
                let (flags, n) = match t {
                    Tcp::Syn => ("SYN", 0),
                    Tcp::SynAck => ("SYN ACK", 0),
                    Tcp::Ack => ("ACK", 0),
                    Tcp::Data { data, urgent: None } => ("PSH ACK", data.len()),
                    Tcp::Data { data, .. } => ("PSH ACK URG", data.len()),
                    Tcp::Fin => ("FIN ACK", 0),
                    Tcp::Rst => ("RST ACK", 0),
                };
                format!("TCP {s} -> {d} [{flags}] len={n}")
            }
            Body::Icmp { kind, about, .. } => {
                let k = match kind {
                    Icmp::PortUnreachable => "port-unreachable",
                    Icmp::TimeExceeded => "time-exceeded",
                };
                format!("ICMP {k} {} -> {} about {about}", s.ip(), d.ip())
            }
        }
    }
}

/// The internet checksum of `parts` (RFC 1071).
fn checksum(parts: &[&[u8]]) -> u16 {
    let mut sum = 0u32;
    let mut odd: Option<u8> = None;
    for p in parts {
        for &b in p.iter() {
            match odd.take() {
                Some(hi) => sum += u32::from(u16::from_be_bytes([hi, b])),
                None => odd = Some(b),
            }
        }
    }
    if let Some(hi) = odd {
        sum += u32::from(hi) << 8;
    }
    while sum >> 16 != 0 {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// The pseudo-header of a transport checksum.
fn pseudo(src: IpAddr, dst: IpAddr, proto: u8, len: usize) -> Vec<u8> {
    let mut p = vec![];
    match (src, dst) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            p.extend_from_slice(&s.octets());
            p.extend_from_slice(&d.octets());
            p.extend_from_slice(&[0, proto]);
            p.extend_from_slice(&(len as u16).to_be_bytes());
        }
        (s, d) => {
            p.extend_from_slice(&v6(s));
            p.extend_from_slice(&v6(d));
            p.extend_from_slice(&(len as u32).to_be_bytes());
            p.extend_from_slice(&[0, 0, 0, proto]);
        }
    }
    p
}

/// An address as IPv6 (an IPv4 one mapped), for a packet whose ends are
/// of two families (a dual-stack socket's datagram is IPv6 on the wire).
fn v6(a: IpAddr) -> [u8; 16] {
    match a {
        IpAddr::V4(a) => a.to_ipv6_mapped().octets(),
        IpAddr::V6(a) => a.octets(),
    }
}

/// `payload` under an IP header from `src` to `dst`.
fn ip(src: IpAddr, dst: IpAddr, proto: u8, ttl: u8, tos: u8, id: u16, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![];
    match (src, dst) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            let total = (20 + payload.len()).min(usize::from(u16::MAX)) as u16;
            let mut h = vec![0x45, tos];
            h.extend_from_slice(&total.to_be_bytes());
            h.extend_from_slice(&id.to_be_bytes());
            h.extend_from_slice(&[0, 0, ttl, proto, 0, 0]);
            h.extend_from_slice(&s.octets());
            h.extend_from_slice(&d.octets());
            let c = checksum(&[&h]);
            h[10..12].copy_from_slice(&c.to_be_bytes());
            out.extend_from_slice(&h);
        }
        (s, d) => {
            let first = 0x6000_0000u32 | (u32::from(tos) << 20);
            out.extend_from_slice(&first.to_be_bytes());
            out.extend_from_slice(&(payload.len() as u16).to_be_bytes());
            out.extend_from_slice(&[proto, ttl]);
            out.extend_from_slice(&v6(s));
            out.extend_from_slice(&v6(d));
        }
    }
    out.extend_from_slice(payload);
    out
}

/// A UDP header and `data`, its checksum over the pseudo-header.
fn udp(src: SocketAddr, dst: SocketAddr, data: &[u8]) -> Vec<u8> {
    let len = 8 + data.len();
    let mut u = vec![];
    u.extend_from_slice(&src.port().to_be_bytes());
    u.extend_from_slice(&dst.port().to_be_bytes());
    u.extend_from_slice(&(len.min(usize::from(u16::MAX)) as u16).to_be_bytes());
    u.extend_from_slice(&[0, 0]);
    u.extend_from_slice(data);
    let mut c = checksum(&[&pseudo(src.ip(), dst.ip(), 17, len), &u]);
    if c == 0 {
        c = 0xffff;
    }
    u[6..8].copy_from_slice(&c.to_be_bytes());
    u
}

/// Renders packets as IP datagrams, numbering each TCP direction's bytes.
#[derive(Default)]
struct Packets {
    /// The next sequence number of each direction of a connection.
    next: BTreeMap<(SocketAddr, SocketAddr), u32>,
    /// The IPv4 identification of the next packet.
    id: u16,
}

impl Packets {
    fn tcp(&mut self, w: &Wire, t: &Tcp) -> Vec<u8> {
        let (s, d) = (w.src, w.dst);
        if matches!(t, Tcp::Syn) {
            self.next.remove(&(d, s));
        }
        let seq = *self.next.get(&(s, d)).unwrap_or(&0);
        let ack = *self.next.get(&(d, s)).unwrap_or(&0);
        let (flags, data, urgent, takes): (u8, &[u8], u16, u32) = match t {
            Tcp::Syn => (TCP_SYN, &[], 0, 1),
            Tcp::SynAck => (TCP_SYN | TCP_ACK, &[], 0, 1),
            Tcp::Ack => (TCP_ACK, &[], 0, 0),
            Tcp::Data { data, urgent } => (
                TCP_PSH | TCP_ACK | if urgent.is_some() { TCP_URG } else { 0 },
                data,
                urgent.unwrap_or(0),
                data.len() as u32,
            ),
            Tcp::Fin => (TCP_FIN | TCP_ACK, &[], 0, 1),
            Tcp::Rst => (TCP_RST | TCP_ACK, &[], 0, 0),
        };
        let (seq, ack) = match t {
            Tcp::Syn => (0, 0),
            Tcp::SynAck => (0, ack),
            _ => (seq, ack),
        };
        self.next.insert((s, d), seq.wrapping_add(takes));
        let mut h = vec![];
        h.extend_from_slice(&s.port().to_be_bytes());
        h.extend_from_slice(&d.port().to_be_bytes());
        h.extend_from_slice(&seq.to_be_bytes());
        h.extend_from_slice(&(if flags & TCP_ACK != 0 { ack } else { 0 }).to_be_bytes());
        h.extend_from_slice(&[5 << 4, flags]);
        h.extend_from_slice(&u16::MAX.to_be_bytes());
        h.extend_from_slice(&[0, 0]);
        h.extend_from_slice(&urgent.to_be_bytes());
        h.extend_from_slice(data);
        let c = checksum(&[&pseudo(s.ip(), d.ip(), 6, h.len()), &h]);
        h[16..18].copy_from_slice(&c.to_be_bytes());
        h
    }

    /// The whole packet, from its IP header on.
    fn packet(&mut self, w: &Wire) -> Vec<u8> {
        let proto = w.proto();
        let payload = match &w.body {
            Body::Udp(data) => udp(w.src, w.dst, data),
            Body::Raw { data, .. } => data.clone(),
            Body::Tcp(t) => self.tcp(w, t),
            Body::Icmp {
                kind,
                about,
                proto: about_proto,
                len,
            } => {
                // The datagram it is about: its IP header and the first
                // eight bytes of its payload (the UDP header).
                let (orig_src, orig_dst) = (w.dst, *about);
                let head = if *about_proto == 17 {
                    let mut u = udp(orig_src, orig_dst, &[]);
                    u[4..6].copy_from_slice(&((8 + len).min(65_535) as u16).to_be_bytes());
                    u
                } else {
                    vec![]
                };
                let mut quoted = ip(orig_src.ip(), orig_dst.ip(), *about_proto, 64, 0, 0, &head);
                if orig_dst.is_ipv4() {
                    let total = (28 + len).min(65_535) as u16;
                    quoted[2..4].copy_from_slice(&total.to_be_bytes());
                } else {
                    quoted[4..6].copy_from_slice(&((8 + len).min(65_535) as u16).to_be_bytes());
                }
                let (ty, code) = match (kind, w.dst.is_ipv6()) {
                    (Icmp::PortUnreachable, false) => (3, 3),
                    (Icmp::TimeExceeded, false) => (11, 0),
                    (Icmp::PortUnreachable, true) => (1, 4),
                    (Icmp::TimeExceeded, true) => (3, 0),
                };
                let mut m = vec![ty, code, 0, 0, 0, 0, 0, 0];
                m.extend_from_slice(&quoted);
                let c = if w.dst.is_ipv6() {
                    checksum(&[&pseudo(w.src.ip(), w.dst.ip(), 58, m.len()), &m])
                } else {
                    checksum(&[&m])
                };
                m[2..4].copy_from_slice(&c.to_be_bytes());
                m
            }
        };
        self.id = self.id.wrapping_add(1);
        ip(
            w.src.ip(),
            w.dst.ip(),
            proto,
            w.ttl,
            w.tos,
            self.id,
            &payload,
        )
    }
}

/// Appends a pcapng block: type, length, `body` padded to 32 bits, length.
fn block(out: &mut Vec<u8>, ty: u32, body: &[u8]) {
    let pad = (4 - body.len() % 4) % 4;
    let len = (12 + body.len() + pad) as u32;
    out.extend_from_slice(&ty.to_le_bytes());
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(body);
    out.extend(std::iter::repeat_n(0u8, pad));
    out.extend_from_slice(&len.to_le_bytes());
}

/// Appends a pcapng option: code, length, value padded to 32 bits.
fn option(out: &mut Vec<u8>, code: u16, value: &[u8]) {
    out.extend_from_slice(&code.to_le_bytes());
    out.extend_from_slice(&(value.len() as u16).to_le_bytes());
    out.extend_from_slice(value);
    out.extend(std::iter::repeat_n(0u8, (4 - value.len() % 4) % 4));
}

/// The capture as a pcapng file: an interface per host of `hosts` (named
/// after it), the packets in the order they arrive.
pub(crate) fn pcapng(hosts: &[String], wires: &[Wire]) -> Vec<u8> {
    let mut out = vec![];
    // Section header: byte-order magic, version 1.0, length unknown.
    let mut shb = vec![];
    shb.extend_from_slice(&0x1A2B_3C4Du32.to_le_bytes());
    shb.extend_from_slice(&1u16.to_le_bytes());
    shb.extend_from_slice(&0u16.to_le_bytes());
    shb.extend_from_slice(&(-1i64).to_le_bytes());
    option(&mut shb, 4, b"winsock-double"); // shb_userappl
    option(&mut shb, 0, &[]);
    block(&mut out, 0x0A0D_0D0A, &shb);
    for name in hosts {
        // Interface: LINKTYPE_RAW (IPv4 or IPv6 by the version nibble),
        // no snap length, nanosecond time stamps.
        let mut idb = vec![];
        idb.extend_from_slice(&101u16.to_le_bytes());
        idb.extend_from_slice(&0u16.to_le_bytes());
        idb.extend_from_slice(&0u32.to_le_bytes());
        option(&mut idb, 2, name.as_bytes()); // if_name
        option(&mut idb, 9, &[9]); // if_tsresol: 10^-9 s
        option(&mut idb, 0, &[]);
        block(&mut out, 1, &idb);
    }
    let mut sorted: Vec<&Wire> = wires.iter().collect();
    sorted.sort_by_key(|w| w.key);
    let mut packets = Packets::default();
    for w in sorted {
        let p = packets.packet(w);
        let t = w.key.0;
        let mut epb = vec![];
        epb.extend_from_slice(&(w.host as u32).to_le_bytes());
        epb.extend_from_slice(&((t >> 32) as u32).to_le_bytes());
        epb.extend_from_slice(&(t as u32).to_le_bytes());
        epb.extend_from_slice(&(p.len() as u32).to_le_bytes());
        epb.extend_from_slice(&(p.len() as u32).to_le_bytes());
        epb.extend_from_slice(&p);
        block(&mut out, 6, &epb);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(body: Body, src: &str, dst: &str) -> Wire {
        Wire {
            key: (1_500, 1),
            host: 0,
            src: src.parse().unwrap(),
            dst: dst.parse().unwrap(),
            ttl: 128,
            tos: 0,
            body,
        }
    }

    /// The checksum of a header with its checksum in place is 0 (RFC
    /// 1071's check), for the IP header and the UDP datagram.
    #[test]
    fn checksums_verify() {
        let w = wire(
            Body::Udp(b"hello".to_vec()),
            "10.0.0.1:5000",
            "10.0.0.2:6000",
        );
        let p = Packets::default().packet(&w);
        assert_eq!(p.len(), 20 + 8 + 5);
        assert_eq!(checksum(&[&p[..20]]), 0, "IPv4 header");
        let u = &p[20..];
        assert_eq!(
            checksum(&[&pseudo(w.src.ip(), w.dst.ip(), 17, u.len()), u]),
            0,
            "UDP"
        );
        assert_eq!(&u[8..], b"hello");
        // A different byte breaks it: the check can fail.
        let mut bad = p.clone();
        bad[8] ^= 1;
        assert_ne!(checksum(&[&bad[..20]]), 0, "changed header");
    }

    /// Each direction of a connection numbers its bytes: the SYN and the
    /// FIN take one, data its length; an ACK acknowledges the other side.
    #[test]
    fn tcp_numbers_each_direction() {
        let (c, s) = ("127.0.0.1:40000", "127.0.0.1:80");
        let mut ps = Packets::default();
        let seq_ack = |p: &[u8]| {
            let t = &p[20..];
            (
                u32::from_be_bytes(t[4..8].try_into().unwrap()),
                u32::from_be_bytes(t[8..12].try_into().unwrap()),
                t[13],
            )
        };
        let syn = ps.packet(&wire(Body::Tcp(Tcp::Syn), c, s));
        assert_eq!(seq_ack(&syn), (0, 0, TCP_SYN));
        let synack = ps.packet(&wire(Body::Tcp(Tcp::SynAck), s, c));
        assert_eq!(seq_ack(&synack), (0, 1, TCP_SYN | TCP_ACK));
        let ack = ps.packet(&wire(Body::Tcp(Tcp::Ack), c, s));
        assert_eq!(seq_ack(&ack), (1, 1, TCP_ACK));
        let data = Body::Tcp(Tcp::Data {
            data: vec![7; 10],
            urgent: None,
        });
        let d = ps.packet(&wire(data, c, s));
        assert_eq!(seq_ack(&d), (1, 1, TCP_PSH | TCP_ACK));
        let fin = ps.packet(&wire(Body::Tcp(Tcp::Fin), c, s));
        assert_eq!(seq_ack(&fin), (11, 1, TCP_FIN | TCP_ACK));
        let back = ps.packet(&wire(Body::Tcp(Tcp::Fin), s, c));
        assert_eq!(seq_ack(&back), (1, 12, TCP_FIN | TCP_ACK));
        let t = &d[20..];
        assert_eq!(
            checksum(&[&pseudo(d_ip(c), d_ip(s), 6, t.len()), t]),
            0,
            "TCP checksum"
        );
    }

    fn d_ip(a: &str) -> IpAddr {
        a.parse::<SocketAddr>().unwrap().ip()
    }

    /// The file is blocks whose two length fields agree and add up to the
    /// whole: a section header, an interface per host, a packet each.
    #[test]
    fn pcapng_blocks_add_up() {
        let hosts = vec!["a".to_string(), "b".to_string()];
        let ws = vec![
            wire(Body::Udp(vec![1, 2, 3]), "[::1]:1", "[::1]:2"),
            Wire {
                key: (0, 2),
                host: 1,
                body: Body::Icmp {
                    kind: Icmp::PortUnreachable,
                    about: "10.0.0.2:9".parse().unwrap(),
                    proto: 17,
                    len: 3,
                },
                ..wire(Body::Udp(vec![]), "10.0.0.2:0", "10.0.0.1:5")
            },
        ];
        let f = pcapng(&hosts, &ws);
        let mut at = 0;
        let (mut types, mut packets) = (vec![], vec![]);
        while at < f.len() {
            let word = |i: usize| u32::from_le_bytes(f[i..i + 4].try_into().unwrap());
            let (ty, len) = (word(at), word(at + 4) as usize);
            assert_eq!(len, word(at + len - 4) as usize, "block at {at}");
            assert_eq!(len % 4, 0);
            if ty == 6 {
                let n = word(at + 20) as usize;
                packets.push((word(at + 8), f[at + 28..at + 28 + n].to_vec()));
            }
            types.push(ty);
            at += len;
        }
        assert_eq!(at, f.len());
        assert_eq!(types, vec![0x0A0D_0D0A, 1, 1, 6, 6]);
        // In the order of arrival: the ICMP error (time 0) on host b's
        // interface first, its checksum verifying, the UDP datagram's
        // quoted header after the error's own.
        let (iface, icmp) = &packets[0];
        assert_eq!(*iface, 1);
        assert_eq!(icmp[0] >> 4, 4);
        assert_eq!(&icmp[20..22], &[3, 3], "port unreachable");
        assert_eq!(checksum(&[&icmp[20..]]), 0, "ICMP checksum");
        assert_eq!(&icmp[28 + 12..28 + 16], &[10, 0, 0, 1], "quoted source");
        assert_eq!(&icmp[28 + 22..28 + 24], &9u16.to_be_bytes(), "quoted port");
        assert_eq!(packets[1].1[0] >> 4, 6, "IPv6");
    }
}
