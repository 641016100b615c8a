//! Datagram and raw sockets: binding, routing, sending, delivery, receiving.
//!
//! The rules here carry the clause ids of the seed documents they implement
//! (see `contract::clauses`). Where the seeds are silent the model makes a
//! stated choice, marked `model choice:` in a comment; the conformance run
//! against a real Winsock is what confirms or corrects it.
//!
//! Deliberately not modelled: IP options, fragmentation and MTU, ARP,
//! `IP_HDRINCL` header parsing on send, the ICMP messages themselves on raw
//! sockets, source-specific multicast, multicast interface selection
//! (`IP_MULTICAST_IF`: the first interface of the family is used).

use super::call::{Few, RouteInfo};
use super::events::{Event, Packet};
use super::net::{is_loopback, is_multicast, HostId, LOOPBACK_INDEX};
use super::pcap::Icmp;
use super::socket::{Datagram, RxItem, SocketState};
use super::world::World;
use crate::contract::cmsg::{Cmsg, In6Pktinfo, InPktinfo};
use crate::contract::consts::*;
use crate::contract::{addr, WsaError};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4};

pub(crate) fn code(c: i32) -> WsaError {
    WsaError::Code(c)
}

/// An IPv4 address seen through a socket: v4-mapped on IPv6 sockets.
pub(crate) fn view(st: &SocketState, a: SocketAddr) -> SocketAddr {
    match a {
        SocketAddr::V4(v4) if st.is_v6() => SocketAddr::V6(addr::map_v4(v4)),
        other => other,
    }
}

/// The wire form of an address a socket names: v4-mapped becomes IPv4 on a
/// dual-stack socket. Families that do not fit the socket are refused.
#[inline]
pub(crate) fn wire(st: &SocketState, a: SocketAddr) -> Result<SocketAddr, i32> {
    match (st.is_v6(), a) {
        (false, SocketAddr::V4(_)) => Ok(a),
        (true, SocketAddr::V6(v6)) => match addr::is_v4_mapped(v6.ip()) {
            Some(ip4) if st.dual_stack() => Ok(SocketAddr::V4(SocketAddrV4::new(ip4, v6.port()))),
            // model choice: a v4-mapped destination on an IPv6-only socket
            // is unreachable.
            Some(_) => Err(WSAENETUNREACH),
            None => Ok(a),
        },
        _ => Err(WSAEAFNOSUPPORT),
    }
}

/// The local IP of a bound socket in wire form.
#[inline]
pub(crate) fn wire_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => addr::is_v4_mapped(&v6).map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// The address socket `st` is bound to, in wire form, when it is specific
/// and of `dst`'s family: the source of what it sends to `dst`.
#[inline]
fn bound_source(st: &SocketState, dst: IpAddr) -> Option<IpAddr> {
    st.local
        .map(|l| wire_ip(l.ip()))
        .filter(|ip| !ip.is_unspecified() && ip.is_ipv4() == dst.is_ipv4())
}

pub(crate) fn unspecified(v6: bool) -> IpAddr {
    if v6 {
        IpAddr::V6(Ipv6Addr::UNSPECIFIED)
    } else {
        IpAddr::V4(Ipv4Addr::UNSPECIFIED)
    }
}

/// Builds the 20-byte IPv4 header a raw IPv4 socket receives in front of
/// the payload (Windows "TCP/IP Raw Sockets": received IPv4 datagrams
/// include the IP header; IPv6 ones do not).
pub(crate) fn ipv4_header(
    id: u16,
    ttl: u8,
    proto: u8,
    src: Ipv4Addr,
    dst: Ipv4Addr,
    payload: usize,
) -> [u8; 20] {
    let total = (20 + payload).min(0xFFFF) as u16;
    let mut h = [0u8; 20];
    h[0] = 0x45;
    h[2..4].copy_from_slice(&total.to_be_bytes());
    h[4..6].copy_from_slice(&id.to_be_bytes());
    h[8] = ttl;
    h[9] = proto;
    h[12..16].copy_from_slice(&src.octets());
    h[16..20].copy_from_slice(&dst.octets());
    let mut sum: u32 = 0;
    for pair in h.chunks(2) {
        sum += u32::from(u16::from_be_bytes([pair[0], pair[1]]));
    }
    while sum > 0xFFFF {
        sum = (sum & 0xFFFF) + (sum >> 16);
    }
    h[10..12].copy_from_slice(&(!(sum as u16)).to_be_bytes());
    h
}

pub(crate) fn udp_header(src: u16, dst: u16, payload: usize) -> [u8; 8] {
    let mut h = [0u8; 8];
    h[0..2].copy_from_slice(&src.to_be_bytes());
    h[2..4].copy_from_slice(&dst.to_be_bytes());
    h[4..6].copy_from_slice(&((8 + payload).min(0xFFFF) as u16).to_be_bytes());
    h
}

impl World {
    // ---- routing ----

    /// Where a datagram from socket `st` of `host` to wire address `dst`
    /// goes. (A loopback destination, the commonest, is answered inline.)
    #[inline(always)]
    pub(crate) fn route(
        &self,
        host: HostId,
        st: &SocketState,
        dst: IpAddr,
        src_override: Option<IpAddr>,
    ) -> Result<RouteInfo, i32> {
        if is_loopback(&dst) {
            // Every host has both loopback interfaces (`Host::new`), so
            // `iface_of` gives the loopback index here.
            let chosen = match src_override {
                Some(ip) => Some(ip),
                None => bound_source(st, dst),
            };
            return Ok(RouteInfo {
                src_ip: chosen.unwrap_or_else(|| unspecified_loopback(dst.is_ipv4())),
                targets: Few::one((host, LOOPBACK_INDEX)),
                hops: 0,
                bcast: false,
                mcast: false,
                local: true,
            });
        }
        self.route_off_loopback(host, st, dst, src_override)
    }

    /// [`World::route`] to a destination that is not a loopback address.
    #[inline(never)]
    fn route_off_loopback(
        &self,
        host: HostId,
        st: &SocketState,
        dst: IpAddr,
        src_override: Option<IpAddr>,
    ) -> Result<RouteInfo, i32> {
        let h = &self.hosts[host];
        let chosen = src_override.or_else(|| bound_source(st, dst));
        let v4 = dst.is_ipv4();
        let mut r = RouteInfo {
            src_ip: dst,
            targets: Few::default(),
            hops: 0,
            bcast: false,
            mcast: false,
            local: false,
        };
        if h.owns(&dst) {
            let idx = h.iface_of(&dst).map(|i| i.index).unwrap_or(LOOPBACK_INDEX);
            r.src_ip = chosen.unwrap_or(dst);
            r.targets.push((host, idx));
            r.local = true;
            return Ok(r);
        }
        let limited = dst == IpAddr::V4(Ipv4Addr::BROADCAST);
        let subnet_bcast = match dst {
            IpAddr::V4(d) => h.bcast_iface(&d).copied(),
            _ => None,
        };
        if limited || subnet_bcast.is_some() {
            let iface = subnet_bcast
                .or_else(|| h.first_iface(true).copied())
                .ok_or(WSAENETUNREACH)?;
            r.src_ip = chosen.unwrap_or(iface.addr);
            r.bcast = true;
            r.targets = self.hosts_on(&iface.addr, iface.prefix);
            return Ok(r);
        }
        if is_multicast(&dst) {
            let iface = h.first_iface(v4).copied().ok_or(WSAENETUNREACH)?;
            r.src_ip = chosen.unwrap_or(iface.addr);
            r.mcast = true;
            r.targets = self
                .hosts_on(&iface.addr, iface.prefix)
                .into_iter()
                .filter(|&(t, _)| t != host || st.opts.mcast_loop)
                .collect();
            return Ok(r);
        }
        if let Some(iface) = h.on_link(&dst) {
            r.src_ip = chosen.unwrap_or(iface.addr);
            if let Some(owner) = self.owner_of(&dst) {
                let idx = self.hosts[owner]
                    .iface_of(&dst)
                    .map(|i| i.index)
                    .unwrap_or(LOOPBACK_INDEX);
                r.targets.push((owner, idx));
            }
            return Ok(r);
        }
        let best = self
            .routes
            .iter()
            .filter(|rt| rt.host == host && super::net::prefix_contains(&rt.net, rt.prefix, &dst))
            .max_by_key(|rt| rt.prefix);
        if let Some(rt) = best {
            let iface = h.first_iface(v4).copied().ok_or(WSAENETUNREACH)?;
            r.src_ip = chosen.unwrap_or(iface.addr);
            r.hops = rt.hops;
            if let Some(owner) = self.owner_of(&dst) {
                let idx = self.hosts[owner]
                    .iface_of(&dst)
                    .map(|i| i.index)
                    .unwrap_or(LOOPBACK_INDEX);
                r.targets.push((owner, idx));
            }
            return Ok(r);
        }
        // SENDMSG-ENETUNREACH: no route to the destination's network.
        Err(WSAENETUNREACH)
    }

    /// Every host with an interface in `net/prefix`, with that interface.
    fn hosts_on(&self, net: &IpAddr, prefix: u8) -> Few<(HostId, u32)> {
        let mut out = Few::default();
        for (id, h) in self.hosts.iter().enumerate() {
            if let Some(i) = h.ifaces.iter().find(|i| {
                i.index != LOOPBACK_INDEX && super::net::prefix_contains(net, prefix, &i.addr)
            }) {
                out.push((id, i.index));
            }
        }
        out
    }

    // ---- delivery ----

    pub(crate) fn run_event(&mut self, ev: Event) {
        match ev {
            Event::Arrive { host, packet } => self.arrive(host, packet),
            Event::IcmpError {
                socket,
                code: c,
                about,
            } => {
                let Some(st) = self.sockets.get_mut(&socket) else {
                    return;
                };
                // RECV-ECONNRESET-ICMP, RECVMSG-ECONNRESET-ICMP,
                // SENDMSG-ECONNRESET-ICMP; SIO_UDP_CONNRESET turns it off.
                // RECV-ENETRESET-TTL, RECVMSG-ENETRESET-TTL,
                // SENDMSG-ENETRESET-TTL; SIO_UDP_NETRESET turns that off.
                if (c == WSAECONNRESET && !st.opts.connreset)
                    || (c == WSAENETRESET && !st.opts.netreset)
                {
                    return;
                }
                st.dgram_mut().rxq.push_back(RxItem::Error(c));
                let h = st.host;
                let serve = !st.pending_rx.is_empty();
                self.log(h, "icmp", || {
                    format!(
                        "{} about {about} for socket {socket:#x}",
                        error_name(c).unwrap_or("?")
                    )
                });
                if serve {
                    self.serve(socket);
                }
            }
            Event::TxDone => self.serve_senders(),
            Event::Serve { socket } => self.serve(socket),
            Event::Tcp(seg) => self.tcp_arrive(*seg),
        }
    }

    pub(crate) fn arrive(&mut self, host: HostId, mut p: Box<Packet>) {
        if self.hosts[host].down {
            self.log(host, "drop", || {
                format!("{} -> {}: network down", p.src, p.dst)
            });
            return;
        }
        self.deliver_raw(host, &p);
        if !p.udp {
            return;
        }
        // A unicast datagram to a port one socket of the host is bound to,
        // which accepts it (the commonest arrival): that socket takes the
        // bytes themselves, as below.
        if let [id] = *self.sockets.bound_to(host, p.dst.port()) {
            if !p.bcast && !p.mcast && self.udp_rank(host, &p, id).is_some() {
                let data = std::mem::take(&mut p.data);
                self.enqueue(id, &p, p.src, data);
                self.recycle_packet(p);
                return;
            }
        }
        let matches = self.udp_matches(host, &p);
        if matches.is_empty() {
            if !p.bcast && !p.mcast {
                // ICMP port unreachable back to the sender.
                let back = if host == p.src_host {
                    self.cfg.loopback_latency_ns
                } else {
                    self.cfg.latency_ns
                };
                self.log(host, "drop", || {
                    format!("{} -> {}: port unreachable", p.src, p.dst)
                });
                let key = self.schedule_key(
                    self.now + back,
                    Event::IcmpError {
                        socket: p.src_sock,
                        code: WSAECONNRESET,
                        about: p.dst,
                    },
                );
                if self.capture.is_some() {
                    let ends = (p.dst, p.src, p.dst);
                    let (to, proto, n) = (p.src_host, p.proto, p.data.len());
                    self.tap_icmp(key, to, Icmp::PortUnreachable, ends, proto, n);
                }
            } else {
                self.log(host, "drop", || {
                    format!("{} -> {}: no listener", p.src, p.dst)
                });
            }
            return;
        }
        let chosen: Few<u64> = if p.bcast || p.mcast || matches.len() == 1 {
            matches
        } else {
            // Several sockets share the address with SO_REUSEADDR: which
            // one gets a unicast datagram is not documented; the seed picks.
            let k = self.rng.below(matches.len() as u64) as usize;
            Few::one(matches.take(k))
        };
        if chosen.len() == 1 {
            // One socket (the common case) takes the bytes themselves.
            let id = *chosen.first().expect("one");
            let data = std::mem::take(&mut p.data);
            self.enqueue(id, &p, p.src, data);
            self.recycle_packet(p);
            return;
        }
        for (id, last) in chosen.into_marked() {
            // The last socket takes the bytes themselves.
            let data = if last {
                std::mem::take(&mut p.data)
            } else {
                p.data.clone()
            };
            self.enqueue(id, &p, p.src, data);
        }
        self.recycle_packet(p);
    }

    /// Raw sockets of the packet's protocol each get a copy (with the IPv4
    /// header, and the UDP header of a UDP datagram).
    fn deliver_raw(&mut self, host: HostId, p: &Packet) {
        if !self.raw_made {
            // No raw socket was ever made: none matches.
            return;
        }
        let raws: Vec<u64> = self
            .sockets
            .iter()
            .filter(|(_, st)| {
                st.host == host
                    && st.ty == SOCK_RAW
                    && st.protocol == p.proto
                    && st.is_v6() == p.dst.is_ipv6()
                    && st
                        .local
                        .is_some_and(|l| l.ip().is_unspecified() || l.ip() == p.dst.ip())
            })
            .map(|(&id, _)| id)
            .collect();
        for id in raws {
            let mut data = Vec::with_capacity(p.data.len() + 28);
            let payload = p.data.len() + if p.udp { 8 } else { 0 };
            if let (SocketAddr::V4(s4), SocketAddr::V4(d4)) = (p.src, p.dst) {
                let ip_id = self.next_ip_id();
                data.extend_from_slice(&ipv4_header(
                    ip_id,
                    p.ttl,
                    p.proto as u8,
                    *s4.ip(),
                    *d4.ip(),
                    payload,
                ));
            }
            if p.udp {
                data.extend_from_slice(&udp_header(p.src.port(), p.dst.port(), p.data.len()));
            }
            data.extend_from_slice(&p.data);
            let from = SocketAddr::new(p.src.ip(), 0);
            self.enqueue(id, p, from, data);
        }
    }

    /// UDP sockets of `host` that accept `p`, most specific binding first
    /// (for unicast only the most specific ones are returned).
    fn udp_matches(&self, host: HostId, p: &Packet) -> Few<u64> {
        let all = p.bcast || p.mcast;
        let mut best = 0u8;
        let mut out: Few<u64> = Few::default();
        // The host's datagram sockets bound to the port, in handle order
        // (the socket table's index).
        for &id in self.sockets.bound_to(host, p.dst.port()) {
            let Some(rank) = self.udp_rank(host, p, id) else {
                continue;
            };
            // For unicast only the most specific bindings are kept: a
            // better one found later drops those before it.
            if !all && rank > best {
                out.clear();
            }
            if all || rank >= best {
                best = best.max(rank);
                out.push(id);
            }
        }
        out
    }

    /// Whether the datagram socket `id` bound to the port of `p` accepts
    /// it, and how specific its binding is (2 for its address, 1 for the
    /// unspecified one).
    #[inline(always)]
    fn udp_rank(&self, host: HostId, p: &Packet, id: u64) -> Option<u8> {
        let dst_ip = p.dst.ip();
        let st = &self.sockets[&id];
        // A protocol's port space is its own (UDP, or the simulated
        // partial-message datagram protocol).
        if st.protocol != p.proto {
            return None;
        }
        let local = st.local?;
        let lip = wire_ip(local.ip());
        let family_ok = if dst_ip.is_ipv4() {
            !st.is_v6() || (st.dual_stack() && (local.ip().is_unspecified() || lip.is_ipv4()))
        } else {
            st.is_v6() && lip.is_ipv6()
        };
        if !family_ok {
            return None;
        }
        let rank = if lip == dst_ip {
            2
        } else if lip.is_unspecified() {
            1
        } else if (p.bcast || p.mcast)
            && self.hosts[host]
                .iface_of(&lip)
                .is_some_and(|i| i.index == p.ifindex)
        {
            // A socket bound to the receiving interface's address also
            // hears broadcasts and multicasts on it.
            2
        } else {
            return None;
        };
        if p.mcast
            && !st
                .groups
                .iter()
                .any(|&(g, i)| g == dst_ip && (i == 0 || i == p.ifindex))
        {
            return None;
        }
        Some(rank)
    }

    /// Puts a datagram into one socket's receive queue, or drops it.
    fn enqueue(&mut self, id: u64, p: &Packet, from_wire: SocketAddr, data: Vec<u8>) {
        let coin = self.rng.coin();
        let st = self.sockets.get_mut(&id).expect("matched sockets exist");
        let host = st.host;
        let from = view(st, from_wire);
        let reason = if st.shut_rd {
            Some("receive side shut down")
        } else if st.peer.is_some_and(|peer| peer != from) {
            // RECV-CONNECTED-FILTER: silently discarded.
            Some("not from the connected peer")
        } else if st.dgram().rx_bytes > 0
            && st.dgram().rx_bytes + data.len() > st.opts.rcvbuf as usize
        {
            Some("SO_RCVBUF full")
        } else {
            None
        };
        if let Some(reason) = reason {
            self.log(host, "drop", || {
                format!("{from} -> socket {id:#x}: {reason}")
            });
            return;
        }
        let n = data.len();
        st.dgram_mut().rx_bytes += n;
        st.dgram_mut().rxq.push_back(RxItem::Datagram(Datagram {
            from,
            dst: p.dst.ip(),
            ifindex: p.ifindex,
            tos: p.tos,
            ttl: p.ttl,
            bcast: p.bcast,
            mcast: p.mcast,
            // RECVMSG-PKTINFO-DUALSTACK: with only IPV6_PKTINFO set, an IPv4
            // datagram on a dual-stack socket may or may not carry packet
            // information; the seed decides, per datagram.
            v6_info_for_v4: coin,
            data,
        }));
        let serve = !st.pending_rx.is_empty();
        self.log(host, "deliver", || {
            format!("{from} -> socket {id:#x} len={n}")
        });
        if serve {
            self.serve(id);
        }
    }
}

/// The packet-information control object a datagram carries for a socket,
/// if any: there is at most one (RECVMSG-PKTINFO-V4, RECVMSG-PKTINFO-V6,
/// RECVMSG-PKTINFO-DUALSTACK).
#[inline]
pub(crate) fn packet_info(st: &SocketState, d: &Datagram) -> Option<Cmsg> {
    if !st.opts.pktinfo4 && !st.opts.pktinfo6 {
        // Neither option is set: no object (as the rules below give).
        return None;
    }
    packet_info_for(st, d)
}

/// [`packet_info`] once one of the options is set.
pub(crate) fn packet_info_for(st: &SocketState, d: &Datagram) -> Option<Cmsg> {
    match d.dst {
        IpAddr::V4(dst) => {
            // RECVMSG-PKTINFO-V4-ADDR: the address is the datagram's
            // destination.
            if st.opts.pktinfo4 {
                Some(
                    InPktinfo {
                        addr: dst,
                        ifindex: d.ifindex,
                    }
                    .to_cmsg(),
                )
            } else if st.dual_stack() && st.opts.pktinfo6 && d.v6_info_for_v4 {
                Some(
                    In6Pktinfo {
                        addr: dst.to_ipv6_mapped(),
                        ifindex: d.ifindex,
                    }
                    .to_cmsg(),
                )
            } else {
                None
            }
        }
        // RECVMSG-PKTINFO-V6-ADDR: likewise.
        IpAddr::V6(dst) => st.opts.pktinfo6.then(|| {
            In6Pktinfo {
                addr: dst,
                ifindex: d.ifindex,
            }
            .to_cmsg()
        }),
    }
}

pub(crate) fn unspecified_loopback(v4: bool) -> IpAddr {
    if v4 {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    } else {
        IpAddr::V6(Ipv6Addr::LOCALHOST)
    }
}
