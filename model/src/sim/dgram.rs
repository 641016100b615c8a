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

use super::call::{
    Few, Mode, RecvArgs, RecvCall, RecvOut, RouteInfo, SendArgs, SendCall, SendPlan,
};
use super::net::{is_loopback, is_multicast, HostId, LOOPBACK_INDEX};
use super::socket::{Datagram, RxItem, SocketState};
use super::world::{parked, Event, Packet, WaitEnd, World};
use crate::contract::cmsg::{self, Cmsg, In6Pktinfo, InPktinfo, Pktinfo};
use crate::contract::consts::*;
use crate::contract::quirks::Quirk;
use crate::contract::{addr, WsaError};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4};

/// The ephemeral port range of current Windows (`netsh int ipv4 show
/// dynamicport udp`: start 49152, 16384 ports).
const EPHEMERAL_FIRST: u16 = 49152;
const EPHEMERAL_COUNT: u16 = 16384;

fn code(c: i32) -> WsaError {
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
pub(crate) fn wire_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => addr::is_v4_mapped(&v6).map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

fn unspecified(v6: bool) -> IpAddr {
    if v6 {
        IpAddr::V6(Ipv6Addr::UNSPECIFIED)
    } else {
        IpAddr::V4(Ipv4Addr::UNSPECIFIED)
    }
}

/// Builds the 20-byte IPv4 header a raw IPv4 socket receives in front of
/// the payload (Windows "TCP/IP Raw Sockets": received IPv4 datagrams
/// include the IP header; IPv6 ones do not).
fn ipv4_header(
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

fn udp_header(src: u16, dst: u16, payload: usize) -> [u8; 8] {
    let mut h = [0u8; 8];
    h[0..2].copy_from_slice(&src.to_be_bytes());
    h[2..4].copy_from_slice(&dst.to_be_bytes());
    h[4..6].copy_from_slice(&((8 + payload).min(0xFFFF) as u16).to_be_bytes());
    h
}

impl World {
    // ---- creation, binding, connecting, closing ----

    pub(crate) fn socket_create(
        &mut self,
        host: HostId,
        af: i32,
        ty: i32,
        protocol: i32,
        flags: u32,
    ) -> Result<u64, i32> {
        self.check_init(host)?;
        if self.hosts[host].down {
            return Err(WSAENETDOWN);
        }
        if af != AF_INET && af != AF_INET6 {
            return Err(WSAEAFNOSUPPORT);
        }
        // The simulated message protocols (model only) sit beside TCP and
        // UDP: IPPROTO_SIM_MSG as a pseudo-stream or SOCK_SEQPACKET,
        // IPPROTO_SIM_MSG_PARTIAL as SOCK_SEQPACKET or SOCK_DGRAM.
        let ok_proto = match ty {
            SOCK_DGRAM => matches!(protocol, 0 | IPPROTO_UDP | IPPROTO_SIM_MSG_PARTIAL),
            SOCK_STREAM => matches!(protocol, 0 | IPPROTO_TCP | IPPROTO_SIM_MSG),
            SOCK_SEQPACKET => matches!(protocol, 0 | IPPROTO_SIM_MSG | IPPROTO_SIM_MSG_PARTIAL),
            SOCK_RAW => (0..=255).contains(&protocol),
            _ => return Err(WSAESOCKTNOSUPPORT),
        };
        if !ok_proto {
            return Err(WSAEPROTONOSUPPORT);
        }
        if flags & !(WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT) != 0 {
            return Err(WSAEINVAL);
        }
        let protocol = match (ty, protocol) {
            (SOCK_DGRAM, 0) => IPPROTO_UDP,
            (SOCK_STREAM, 0) => IPPROTO_TCP,
            (SOCK_SEQPACKET, 0) => IPPROTO_SIM_MSG,
            (_, p) => p,
        };
        let h = self.alloc_handle();
        self.raw_made |= ty == SOCK_RAW;
        self.sockets.insert(
            h,
            SocketState::new(host, af, ty, protocol, flags & WSA_FLAG_OVERLAPPED != 0),
        );
        Ok(h)
    }

    /// Whether binding `s` to `a` collides with another socket's binding.
    fn bind_conflict(&self, s: u64, a: &SocketAddr) -> bool {
        let me = &self.sockets[&s];
        if me.ty == SOCK_RAW || a.port() == 0 {
            return false;
        }
        let mine = wire_ip(a.ip());
        let me_dual = me.dual_stack() && a.ip().is_unspecified();
        self.sockets.iter().any(|(&id, o)| {
            let Some(l) = o.local else { return false };
            if id == s
                || o.host != me.host
                || o.ty != me.ty
                || o.protocol != me.protocol
                || l.port() != a.port()
            {
                return false;
            }
            let theirs = wire_ip(l.ip());
            let o_dual = o.dual_stack() && l.ip().is_unspecified();
            let same = theirs == mine
                || (me_dual && theirs == IpAddr::V4(Ipv4Addr::UNSPECIFIED))
                || (o_dual && mine == IpAddr::V4(Ipv4Addr::UNSPECIFIED));
            let wildcard_overlap = theirs.is_ipv4() == mine.is_ipv4()
                && (theirs.is_unspecified() || mine.is_unspecified());
            if same {
                !(me.opts.reuseaddr && o.opts.reuseaddr) || me.opts.exclusive || o.opts.exclusive
            } else {
                wildcard_overlap && (me.opts.exclusive || o.opts.exclusive)
            }
        })
    }

    pub(crate) fn bind(&mut self, host: HostId, s: u64, a: SocketAddr) -> Result<(), i32> {
        self.check_sock(host, s)?;
        let st = &self.sockets[&s];
        if st.local.is_some() {
            return Err(WSAEINVAL);
        }
        if a.is_ipv6() != st.is_v6() {
            return Err(WSAEFAULT);
        }
        let ip = wire_ip(a.ip());
        if ip.is_ipv4() && a.is_ipv6() && !st.dual_stack() {
            return Err(WSAEADDRNOTAVAIL);
        }
        if !self.is_local(host, &ip) && !is_multicast(&ip) {
            return Err(WSAEADDRNOTAVAIL);
        }
        let mut a = a;
        if a.port() == 0 && st.ty != SOCK_RAW {
            let port = self.ephemeral(s, a.ip())?;
            a.set_port(port);
        }
        if self.bind_conflict(s, &a) {
            return Err(WSAEADDRINUSE);
        }
        self.sockets.get_mut(&s).expect("checked").local = Some(a);
        Ok(())
    }

    /// Picks a free ephemeral port: a seeded start in the dynamic range, then
    /// upwards, as Windows randomises its choice.
    fn ephemeral(&mut self, s: u64, ip: IpAddr) -> Result<u16, i32> {
        let start = self.rng.below(u64::from(EPHEMERAL_COUNT)) as u16;
        for k in 0..EPHEMERAL_COUNT {
            let port = EPHEMERAL_FIRST + (start + k) % EPHEMERAL_COUNT;
            if !self.bind_conflict(s, &SocketAddr::new(ip, port)) {
                return Ok(port);
            }
        }
        Err(WSAENOBUFS)
    }

    /// Binds an unbound socket to the wildcard address and an ephemeral port
    /// (what `sendto` and `connect` do implicitly).
    pub(crate) fn implicit_bind(&mut self, s: u64, ip: Option<IpAddr>) -> Result<(), i32> {
        let st = &self.sockets[&s];
        if st.local.is_some() {
            return Ok(());
        }
        let ip = ip.unwrap_or_else(|| unspecified(st.is_v6()));
        let port = if st.ty == SOCK_RAW {
            0
        } else {
            self.ephemeral(s, ip)?
        };
        self.sockets.get_mut(&s).expect("checked").local = Some(SocketAddr::new(ip, port));
        Ok(())
    }

    pub(crate) fn connect(&mut self, host: HostId, s: u64, a: SocketAddr) -> Result<(), i32> {
        self.check_sock(host, s)?;
        let st = &self.sockets[&s];
        if !st.is_dgram() {
            return Err(WSAEOPNOTSUPP);
        }
        if a.is_ipv6() != st.is_v6() {
            return Err(WSAEAFNOSUPPORT);
        }
        // `connect` documentation: an all-zero address dissolves the
        // association of a connectionless socket.
        if a.ip().is_unspecified() {
            self.sockets.get_mut(&s).expect("checked").peer = None;
            return Ok(());
        }
        let w = wire(st, a)?;
        let route = self.route(host, st, w.ip(), None)?;
        // RECV-IMPLICIT-BIND: connect binds an unbound socket.
        if self.sockets[&s].local.is_none() {
            let src = if self.sockets[&s].is_v6() && route.src_ip.is_ipv4() {
                match route.src_ip {
                    IpAddr::V4(v4) => IpAddr::V6(v4.to_ipv6_mapped()),
                    v6 => v6,
                }
            } else {
                route.src_ip
            };
            self.implicit_bind(s, Some(src))?;
        }
        self.sockets.get_mut(&s).expect("checked").peer = Some(a);
        Ok(())
    }

    pub(crate) fn close(&mut self, host: HostId, s: u64) -> Result<(), i32> {
        self.check_init(host)?;
        let st = self.sock(host, s)?;
        // A connected stream socket's outstanding operations end with
        // WSAECONNABORTED under this quirk.
        let aborted = if self.quirk(Quirk::CloseAbortsStreamOpsConnAborted)
            && !st.is_dgram()
            && st.peer.is_some()
        {
            WSAECONNABORTED
        } else {
            WSA_OPERATION_ABORTED
        };
        if !st.is_dgram() {
            self.stream_close(s);
        }
        // RECV-OPERATION-ABORTED-CLOSE, RECVMSG-OPERATION-ABORTED-CLOSE,
        // SENDMSG-OPERATION-ABORTED-CLOSE
        self.abort_ops(s, None, aborted, true, true);
        self.sockets.remove(&s);
        Ok(())
    }

    // ---- routing ----

    /// Where a datagram from socket `st` of `host` to wire address `dst`
    /// goes.
    pub(crate) fn route(
        &self,
        host: HostId,
        st: &SocketState,
        dst: IpAddr,
        src_override: Option<IpAddr>,
    ) -> Result<RouteInfo, i32> {
        let h = &self.hosts[host];
        let bound = st
            .local
            .map(|l| wire_ip(l.ip()))
            .filter(|ip| !ip.is_unspecified() && ip.is_ipv4() == dst.is_ipv4());
        let chosen = src_override.or(bound);
        let v4 = dst.is_ipv4();
        let mut r = RouteInfo {
            src_ip: dst,
            targets: Few::default(),
            hops: 0,
            bcast: false,
            mcast: false,
            local: false,
        };
        if is_loopback(&dst) {
            // Every host has both loopback interfaces (`Host::new`), so
            // `iface_of` gives the loopback index here.
            r.src_ip = chosen.unwrap_or_else(|| unspecified_loopback(v4));
            r.targets.push((host, LOOPBACK_INDEX));
            r.local = true;
            return Ok(r);
        }
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

    // ---- sending ----

    /// `WSASend`, `WSASendTo`, `WSASendMsg` on a message socket.
    pub(crate) fn send(&mut self, host: HostId, s: u64, a: SendArgs<'_>) -> Result<u32, WsaError> {
        if self.resuming() && !self.sockets.contains_key(&s) {
            // model choice: see `wait_tx_room`.
            return Err(code(WSAEINTR));
        }
        self.check_nested_blocking_on(host, s, a.call.name())?;
        // SENDMSG-BOTH-NULL-NONOVERLAPPED: a direct call, on an overlapped
        // socket too.
        let plan = self.send_prepare(host, s, &a, Mode::Direct)?;
        let Some(route) = plan.route else {
            let data = self.gather(a.bufs, plan.len);
            return self.stream_send(host, s, data, a.flags);
        };
        // SENDMSG-BLOCKING-LIKE-SEND, SENDMSG-BLOCKING-CONSUMES-ALL: it waits
        // for room for the whole datagram, which the transport then takes;
        // SENDMSG-BUFFER-ORDER: its bytes gathered in array order.
        self.wait_tx_room(host, s, plan.len)?;
        let data = self.gather(a.bufs, plan.len);
        if let Some(data) = self.dgram_piece(s, a.flags, data) {
            self.transmit(host, s, plan.dst, route, data);
        }
        // SENDMSG-NO-DELIVERY-GUARANTEE: success, delivered or not.
        Ok(plan.len as u32)
    }

    /// SENDMSG-PARTIAL on a datagram protocol with partial messages: a send
    /// with `MSG_PARTIAL` holds its bytes as the start of a message; the
    /// next send without it completes the message, which leaves as one
    /// datagram to that send's destination (model choice). Returns the
    /// datagram to transmit, if any.
    #[inline(always)]
    pub(crate) fn dgram_piece(&mut self, s: u64, flags: u32, data: Vec<u8>) -> Option<Vec<u8>> {
        let st = self.sockets.get_mut(&s).expect("checked");
        if !st.xp1(XP1_PARTIAL_MESSAGE) {
            return Some(data);
        }
        if flags & MSG_PARTIAL != 0 {
            st.partial_tx.extend_from_slice(&data);
            let (h, n) = (st.host, data.len());
            self.log(h, "buffered", || format!("socket {s:#x} len={n} (part)"));
            return None;
        }
        let mut whole = std::mem::take(&mut st.partial_tx);
        whole.extend_from_slice(&data);
        Some(whole)
    }

    /// Every check of a send, the implicit bind, and the route: all that
    /// happens at the call, before the data waits for send-buffer room.
    #[inline(always)]
    pub(crate) fn send_prepare(
        &mut self,
        host: HostId,
        s: u64,
        a: &SendArgs<'_>,
        mode: Mode,
    ) -> Result<SendPlan, WsaError> {
        let st = self.check_sock(host, s).map_err(code)?;
        let p = self.cfg.profile;
        // SENDMSG-EFAULT-BYTES-NULL, RECV/SEND: lpNumberOfBytesSent may be
        // NULL only with an overlapped structure.
        if !a.bytes_ptr && mode == Mode::Direct {
            return Err(code(WSAEFAULT));
        }
        // SENDMSG-EFAULT-BUFFERS
        if a.bufs.iter().any(|b| !b.is_valid()) {
            return Err(code(WSAEFAULT));
        }
        let bad_name = if p.has(Quirk::SendBadNameEinval) {
            WSAEINVAL
        } else {
            WSAEFAULT
        };
        let to = match a.to {
            Some(n) if !n.is_valid() => return Err(code(bad_name)), // SENDMSG-EFAULT-NULL-NAME
            Some(n) if n.is_absent() => None,
            // A name shorter than the socket family's address.
            Some(n) if (n.namelen as usize) < st.sockaddr_len() => return Err(code(bad_name)),
            Some(n) if a.call == SendCall::SendMsg || n.namelen != 0 => {
                let t = n.decode().map_err(|e| {
                    code(if p.has(Quirk::SendBadNameEinval) {
                        WSAEINVAL
                    } else {
                        e.wsa_code()
                    })
                })?;
                if p.has(Quirk::SendWrongFamilyEopnotsupp) && t.is_ipv6() != st.is_v6() {
                    return Err(code(WSAEOPNOTSUPP));
                }
                Some(t)
            }
            _ => None,
        };
        // The control objects (`None`: none, nothing to drop).
        let control = match a.control {
            // SENDMSG-EFAULT-NULL-CONTROL
            Some(c) if !c.is_valid() && p.has(Quirk::SendMsgNullControlIgnored) => None,
            Some(c) if !c.is_valid() => return Err(code(WSAEFAULT)),
            // (An empty buffer parses to no objects.)
            Some(c) if c.bytes().is_empty() => None,
            Some(c) => Some(cmsg::parse(c.bytes()).map_err(|_| code(WSAEINVAL))?),
            None => None,
        };
        match a.call {
            SendCall::SendMsg => {
                if p.has(Quirk::DgramSendRefusesOnlyOob) {
                    // Only MSG_OOB is refused, before the socket's type.
                    if a.flags & MSG_OOB != 0 {
                        return Err(code(WSAEOPNOTSUPP));
                    }
                } else if a.flags & !(MSG_DONTROUTE | MSG_PARTIAL | MSG_OOB) != 0 {
                    // SENDMSG-FLAGS-ALLOWED, SENDMSG-EOPNOTSUPP-FLAGS;
                    // SENDMSG-DONTROUTE: MSG_DONTROUTE passes and changes
                    // nothing.
                    return Err(code(WSAEOPNOTSUPP));
                }
                // SENDMSG-DGRAM-RAW-ONLY (the code Windows gives in Wine's
                // test_WSASendMsg)
                if !st.is_dgram() {
                    return Err(code(if p.has(Quirk::SendMsgStreamConnReset) {
                        WSAECONNRESET
                    } else {
                        WSAEINVAL
                    }));
                }
                // SENDMSG-EINVAL-NOT-OVERLAPPED
                if !st.overlapped && !p.has(Quirk::SendMsgNonOverlappedOk) {
                    return Err(code(WSAEINVAL));
                }
                // SENDMSG-EINVAL-UNBOUND
                if st.local.is_none() && !p.has(Quirk::SendMsgAutoBinds) {
                    return Err(code(WSAEINVAL));
                }
            }
            SendCall::Send | SendCall::SendTo => {
                if !st.is_dgram() {
                    // WSASendTo: lpTo is ignored on connection-oriented
                    // sockets.
                    let len = a.bufs.iter().map(|b| b.len as usize).sum();
                    self.stream_send_check(s, a.flags, len)?;
                    return Ok(SendPlan {
                        dst: st.peer.expect("connected"),
                        route: None,
                        len,
                    });
                }
                if a.flags & !(MSG_DONTROUTE | MSG_PARTIAL | MSG_OOB) != 0
                    && !p.has(Quirk::DgramSendRefusesOnlyOob)
                {
                    // model choice for bits the seeds do not name.
                    return Err(code(WSAEOPNOTSUPP));
                }
            }
        }
        // SENDMSG-PARTIAL-EOPNOTSUPP: MSG_PARTIAL needs a transport with
        // partial messages (XP1_PARTIAL_MESSAGE, SENDMSG-PARTIAL).
        // SENDMSG-OOB: no datagram protocol has urgent data.
        let partial_ok = st.xp1(XP1_PARTIAL_MESSAGE) || p.has(Quirk::DgramSendPartialAccepted);
        if a.flags & MSG_OOB != 0 || (a.flags & MSG_PARTIAL != 0 && !partial_ok) {
            return Err(code(WSAEOPNOTSUPP));
        }
        if st.shut_wr {
            return Err(code(WSAESHUTDOWN)); // SENDMSG-ESHUTDOWN
        }
        let dest = match (to, st.peer) {
            (Some(t), _) => t,
            (None, Some(p)) => p,
            (None, None) => {
                // SENDMSG-ENOTCONN: no name and no peer.
                return Err(code(if p.has(Quirk::SendNoDestEinval) {
                    WSAEINVAL
                } else if a.call == SendCall::SendTo {
                    WSAEDESTADDRREQ
                } else {
                    WSAENOTCONN
                }));
            }
        };
        let dst = wire(st, dest).map_err(code)?;
        let len: usize = a.bufs.iter().map(|b| b.len as usize).sum();
        // SENDMSG-EMSGSIZE-MAX, SENDMSG-EMSGSIZE-MSG-ORIENTED: too large to
        // pass atomically; nothing sent (with the earlier pieces of a partial
        // message counted). SENDMSG-MAX-MSG-SIZE-OPTION: the limit is what
        // SO_MAX_MSG_SIZE gives, and a message of that size passes.
        if len + st.partial_tx.len() > st.max_msg_size() as usize {
            return Err(code(WSAEMSGSIZE));
        }
        // SENDMSG-ECONNRESET-ICMP, SENDMSG-ENETRESET-TTL: an error an ICMP
        // message left for this socket (model choice: the next call of either
        // direction reports it, in queue order).
        if let Some(RxItem::Error(e)) = st.rxq.front() {
            let e = *e;
            self.sockets.get_mut(&s).expect("checked").rxq.pop_front();
            return Err(code(e));
        }
        // SENDMSG-PKTINFO-SOURCE-V4, SENDMSG-PKTINFO-SOURCE-V6,
        // SENDMSG-PKTINFO-DUALSTACK
        let src_override = match &control {
            Some(objects) => self.pktinfo_source(host, s, objects, &dst).map_err(code)?,
            None => None,
        };
        let route = self.route(host, st, dst.ip(), src_override).map_err(code)?;
        // SENDMSG-EACCES-BROADCAST
        if route.bcast && !st.opts.broadcast {
            return Err(code(WSAEACCES));
        }
        // RECV-IMPLICIT-BIND: a send binds an unbound socket.
        if st.local.is_none() {
            self.implicit_bind(s, None).map_err(code)?;
        }
        // SENDMSG-ENOBUFS: the host's transport buffers are exhausted.
        if let Some(pool) = self.cfg.buffer_pool {
            if self.host_buffered(host) + len > pool {
                return Err(code(WSAENOBUFS));
            }
        }
        Ok(SendPlan {
            dst,
            route: Some(route),
            len,
        })
    }

    /// The source address an `in_pktinfo` / `in6_pktinfo` control object
    /// asks for, checked to be local.
    fn pktinfo_source(
        &self,
        host: HostId,
        s: u64,
        control: &[Cmsg],
        dst: &SocketAddr,
    ) -> Result<Option<IpAddr>, i32> {
        for c in control {
            let Some(p) = cmsg::pktinfo(c) else { continue };
            let st = &self.sockets[&s];
            let ip = match (p, dst.is_ipv4()) {
                (Pktinfo::V4(p), true) if !st.is_v6() || st.dual_stack() => IpAddr::V4(p.addr),
                (Pktinfo::V6(p), false) if st.is_v6() => IpAddr::V6(p.addr),
                // The object for the other family does not apply to this
                // destination (SENDMSG-PKTINFO-DUALSTACK).
                _ => continue,
            };
            if ip.is_unspecified() {
                return Ok(None);
            }
            if !self.hosts[host].owns(&ip) {
                // model choice: a source address the host does not have.
                return Err(WSAEADDRNOTAVAIL);
            }
            return Ok(Some(ip));
        }
        Ok(None)
    }

    /// Bytes the host's transport holds now: queued for receivers and not
    /// yet transmitted.
    fn host_buffered(&self, host: HostId) -> usize {
        let now = self.now;
        self.sockets
            .values()
            .filter(|st| st.host == host)
            .map(|st| {
                st.rx_bytes
                    + st.tx_inflight
                        .iter()
                        .filter(|&&(done, _)| done > now)
                        .map(|&(_, n)| n)
                        .sum::<usize>()
            })
            .sum()
    }

    /// Waits (in virtual time) for send-buffer room: `WSAEWOULDBLOCK` on a
    /// non-blocking socket, `WSAETIMEDOUT` after `SO_SNDTIMEO`.
    fn wait_tx_room(&mut self, host: HostId, s: u64, len: usize) -> Result<(), WsaError> {
        let now = self.now;
        let st = self.sockets.get_mut(&s).expect("checked");
        if st.tx_room(now, len) {
            return Ok(());
        }
        // SENDMSG-EWOULDBLOCK-NONBLOCKING; RECV-TIMEO-BLOCKING-ONLY,
        // SENDMSG-SNDTIMEO-BLOCKING-ONLY: so no time-out either.
        if st.nonblocking && !self.resuming() {
            return Err(code(WSAEWOULDBLOCK));
        }
        // SENDMSG-ETIMEDOUT-SNDTIMEO
        let deadline = self.deadline_ms(self.sockets[&s].opts.sndtimeo);
        // SENDMSG-BLOCKING-ALERTABLE: the wait runs completion routines.
        let r = self.wait_until(host, deadline, "a blocking send", true, move |w| {
            let now = w.now;
            w.sockets.get(&s).is_none_or(|st| st.has_tx_room(now, len))
        });
        match r {
            Ok(()) if self.sockets.contains_key(&s) => Ok(()),
            // model choice: closesocket from another thread ends the
            // blocking call with WSAEINTR (closesocket: "any pending blocking
            // ... calls issued by any thread in this process are canceled";
            // SENDMSG-EINTR-WS11).
            Ok(()) => Err(code(WSAEINTR)),
            Err(WaitEnd::Timeout) => Err(code(WSAETIMEDOUT)),
            Err(WaitEnd::Deadlock(e)) => Err(e),
            Err(WaitEnd::Park) => Err(parked()),
        }
    }

    /// Puts a datagram on the wire towards every target of its route.
    pub(crate) fn transmit(
        &mut self,
        host: HostId,
        s: u64,
        dst: SocketAddr,
        route: RouteInfo,
        data: Vec<u8>,
    ) {
        let st = &self.sockets[&s];
        let local = st.local.expect("bound before transmit");
        let src = SocketAddr::new(route.src_ip, local.port());
        let udp = st.ty == SOCK_DGRAM;
        let proto = st.protocol;
        let ttl = st.opts.ttl;
        let latency = if route.local {
            self.cfg.loopback_latency_ns
        } else {
            self.cfg.latency_ns
        };
        let mut depart = self.now;
        if let (Some(rate), false) = (self.cfg.tx_rate, route.local) {
            let start = self.hosts[host].tx_busy_until.max(self.now);
            let done = start + (data.len() as u64 * 1_000_000_000).div_ceil(rate.max(1));
            self.hosts[host].tx_busy_until = done;
            self.sockets
                .get_mut(&s)
                .expect("checked")
                .tx_inflight
                .push_back((done, data.len()));
            self.schedule(done, Event::TxDone);
            depart = done;
        }
        let n = data.len();
        self.log(host, "send", || {
            format!("{src} -> {dst} len={n} targets={}", route.targets.len())
        });
        // TTL: each router hop takes one; at zero the datagram dies and an
        // ICMP time-exceeded goes back (RECV-ENETRESET-TTL,
        // RECVMSG-ENETRESET-TTL, SENDMSG-ENETRESET-TTL).
        if route.hops > 0 && ttl <= route.hops {
            self.schedule(
                depart + 2 * latency,
                Event::IcmpError {
                    socket: s,
                    code: WSAENETRESET,
                    about: dst,
                },
            );
            return;
        }
        if route.targets.is_empty() {
            self.log(host, "drop", || format!("{dst}: no host has this address"));
        }
        let faults = self.cfg.datagram_faults;
        let mut data = data;
        for ((target, ifindex), last) in route.targets.into_marked() {
            // The last target takes the bytes themselves.
            let data = if last {
                std::mem::take(&mut data)
            } else {
                data.clone()
            };
            // Datagram faults draw from the seed only when switched on, so
            // runs without them keep their traces.
            let mut arrive = depart + latency;
            let mut twice = false;
            if faults.any() {
                if self.rng.below(1000) < u64::from(faults.loss) {
                    self.log(host, "lost", || format!("{src} -> {dst} len={n}"));
                    continue;
                }
                if self.rng.below(1000) < u64::from(faults.reorder) {
                    let most = faults.reorder_us.unwrap_or(1_000).max(1) * 1_000;
                    arrive += 1 + self.rng.below(most);
                }
                twice = self.rng.below(1000) < u64::from(faults.duplicate);
            }
            let packet = self.boxed_packet(Packet {
                src_sock: s,
                src_host: host,
                src,
                dst,
                proto,
                udp,
                ttl,
                bcast: route.bcast,
                mcast: route.mcast,
                ifindex,
                data,
            });
            if twice {
                self.log(host, "duplicated", || format!("{src} -> {dst} len={n}"));
                self.schedule(
                    arrive + 1,
                    Event::Arrive {
                        host: target,
                        packet: packet.clone(),
                    },
                );
            }
            self.schedule(
                arrive,
                Event::Arrive {
                    host: target,
                    packet,
                },
            );
        }
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
                if c == WSAECONNRESET && !st.opts.connreset {
                    return;
                }
                st.rxq.push_back(RxItem::Error(c));
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

    fn arrive(&mut self, host: HostId, mut p: Box<Packet>) {
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
                self.schedule(
                    self.now + back,
                    Event::IcmpError {
                        socket: p.src_sock,
                        code: WSAECONNRESET,
                        about: p.dst,
                    },
                );
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
            std::iter::once(matches.take(k)).collect()
        };
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
        let dst_ip = p.dst.ip();
        let all = p.bcast || p.mcast;
        let mut best = 0u8;
        let mut out: Few<u64> = Few::default();
        for (&id, st) in self.sockets.iter() {
            // A protocol's port space is its own (UDP, or the simulated
            // partial-message datagram protocol).
            if st.host != host || st.ty != SOCK_DGRAM || st.protocol != p.proto {
                continue;
            }
            let Some(local) = st.local else { continue };
            if local.port() != p.dst.port() {
                continue;
            }
            let lip = wire_ip(local.ip());
            let family_ok = if dst_ip.is_ipv4() {
                !st.is_v6() || (st.dual_stack() && (local.ip().is_unspecified() || lip.is_ipv4()))
            } else {
                st.is_v6() && lip.is_ipv6()
            };
            if !family_ok {
                continue;
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
                continue;
            };
            if p.mcast
                && !st
                    .groups
                    .iter()
                    .any(|&(g, i)| g == dst_ip && (i == 0 || i == p.ifindex))
            {
                continue;
            }
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
        } else if st.rx_bytes > 0 && st.rx_bytes + data.len() > st.opts.rcvbuf as usize {
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
        st.rx_bytes += n;
        st.rxq.push_back(RxItem::Datagram(Datagram {
            from,
            dst: p.dst.ip(),
            ifindex: p.ifindex,
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

    // ---- receiving ----

    /// `WSARecv`, `WSARecvFrom`, `WSARecvMsg` on a message socket. The
    /// outputs are meaningful when `copied` is set, also with an error
    /// (`WSAEMSGSIZE` reports the bytes that were copied).
    pub(crate) fn recv(
        &mut self,
        host: HostId,
        s: u64,
        a: RecvArgs<'_>,
    ) -> (Result<(), WsaError>, RecvOut) {
        let mut out = RecvOut::default();
        let waitall = a.flags_in & MSG_WAITALL != 0;
        let r = self.recv_inner(host, s, a, &mut out);
        if waitall && self.blocked.is_none() {
            // The call is over (not parked): a MSG_WAITALL receive no longer
            // widens the stream's window, however it ended.
            if let Some(st) = self.sockets.get_mut(&s) {
                st.tcp.waitall_room = 0;
            }
        }
        (r, out)
    }

    fn recv_inner(
        &mut self,
        host: HostId,
        s: u64,
        a: RecvArgs<'_>,
        out: &mut RecvOut,
    ) -> Result<(), WsaError> {
        let resuming = self.resuming();
        if resuming && !self.sockets.contains_key(&s) {
            // model choice: closed by another thread while this one waited
            // (see `wait_tx_room`).
            return Err(code(WSAEINTR));
        }
        self.check_nested_blocking_on(host, s, a.call.name())?;
        // RECV-BOTH-NULL-NONOVERLAPPED, RECVMSG-BOTH-NULL-NONOVERLAPPED: a
        // direct call, on an overlapped socket too.
        let name_ok = self.recv_check(host, s, &a, Mode::Direct)?;
        if !resuming {
            self.note_concurrent_recv(host, s, a.call.name());
        }
        let st = &self.sockets[&s];
        if !st.is_dgram() {
            return self.stream_recv(host, s, a.bufs, a.flags_in, out);
        }
        // RECV-BUFFERED-DATA-COPIED, RECVMSG-BUFFERED-DATA-COPIED: only an
        // empty queue waits.
        if st.rxq.is_empty() {
            // RECV-EWOULDBLOCK-NONBLOCKING, RECVMSG-EWOULDBLOCK-NONBLOCKING (a
            // call already waiting goes on waiting if another thread makes the
            // socket non-blocking); RECV-TIMEO-BLOCKING-ONLY,
            // RECVMSG-RCVTIMEO-BLOCKING-ONLY: so no time-out either.
            if st.nonblocking && !resuming {
                return Err(code(WSAEWOULDBLOCK));
            }
            // RECV-BLOCKING-WAITS, RECVMSG-BLOCKING-WAITS,
            // RECVMSG-ETIMEDOUT-RCVTIMEO; RECV-NO-STANDARD-TIMEOUT,
            // RECVMSG-NO-STANDARD-TIMEOUT: no deadline without SO_RCVTIMEO.
            let deadline = self.deadline_ms(st.opts.rcvtimeo);
            // RECVMSG-BLOCKING-ALERTABLE, RECV-BLOCKING-ALERTABLE: the wait
            // runs completion routines queued to the thread and goes on.
            // RECV-MESSAGE-UNBLOCKS, RECVMSG-MESSAGE-UNBLOCKS: it ends for a
            // queued datagram, a whole message.
            let r = self.wait_until(host, deadline, "a blocking receive", true, move |w| {
                w.sockets
                    .get(&s)
                    .is_none_or(|st| !st.rxq.is_empty() || st.shut_rd)
            });
            match r {
                Ok(()) => {}
                Err(WaitEnd::Timeout) => return Err(code(WSAETIMEDOUT)),
                Err(WaitEnd::Deadlock(e)) => return Err(e),
                Err(WaitEnd::Park) => {
                    let me = self.me;
                    if let Some(w) = self.sched.rec_mut(me).wait.as_mut() {
                        w.recv_on = Some(s);
                    }
                    return Err(parked());
                }
            }
            let Some(st) = self.sockets.get(&s) else {
                // model choice: closed by another thread meanwhile (see
                // `wait_tx_room`; RECV-EINTR-WS11, RECVMSG-EINTR-WS11).
                return Err(code(WSAEINTR));
            };
            if st.shut_rd {
                return Err(code(WSAESHUTDOWN));
            }
        }
        self.recv_fill(host, s, a, name_ok, out)
    }

    /// Every check a receive makes at the call. Returns whether the name can
    /// be written (Wine 8.0 leaves a bad one alone instead of failing).
    #[inline(always)]
    pub(crate) fn recv_check(
        &self,
        host: HostId,
        s: u64,
        a: &RecvArgs<'_>,
        mode: Mode,
    ) -> Result<bool, WsaError> {
        let st = self.check_sock(host, s).map_err(code)?;
        let p = self.cfg.profile;
        // RECV-EFAULT-BYTES-NULL, RECVMSG-EFAULT-BYTES-NULL: lpNumberOfBytesRecvd
        // may be NULL only with an overlapped structure (as WSARecvMsg.md has
        // it, not the 2014 signature: RECVMSG-PARAMS-NONOPTIONAL-2014).
        if !a.bytes_ptr && !p.has(Quirk::RecvNullCountAccepted) && mode == Mode::Direct {
            return Err(code(WSAEFAULT));
        }
        // RECV-EFAULT-BUFFERS, RECVMSG-EFAULT-BUFFERS
        if a.bufs.iter().any(|b| !b.is_valid()) {
            return Err(code(WSAEFAULT));
        }
        // What to do with the name: write it, or (a NULL or too small name
        // under RecvBadNameIgnored) leave it alone.
        let mut name_ok = true;
        // WSARecvFrom: lpFrom is ignored on connection-oriented sockets.
        let stream = !st.is_dgram();
        if let Some(n) = a.name.as_deref().filter(|_| !stream) {
            // RECVMSG-EFAULT-NULL-NAME
            if !n.is_valid() {
                if !p.has(Quirk::RecvBadNameIgnored) {
                    return Err(code(WSAEFAULT));
                }
                name_ok = false;
            }
            // RECVMSG-EFAULT-NAME-SMALL: the name buffer cannot hold the
            // peer address.
            if !n.is_absent() && (n.namelen as usize) < st.sockaddr_len() {
                if !p.has(Quirk::RecvBadNameIgnored) {
                    return Err(code(WSAEFAULT));
                }
                name_ok = false;
            }
        }
        // RECVMSG-EFAULT-NULL-CONTROL
        if a.control.as_deref().is_some_and(|c| !c.is_valid())
            && !p.has(Quirk::RecvMsgNullControlIgnored)
        {
            return Err(code(WSAEFAULT));
        }
        let peek = a.flags_in & MSG_PEEK != 0;
        // RECV-PEEK-NONOVERLAPPED-ONLY, RECVMSG-PEEK-NONOVERLAPPED-ONLY
        if peek && mode == Mode::Overlapped {
            let (call, clause) = match a.call {
                RecvCall::RecvMsg => ("WSARecvMsg", "RECVMSG-PEEK-NONOVERLAPPED-ONLY"),
                RecvCall::Recv => ("WSARecv", "RECV-PEEK-NONOVERLAPPED-ONLY"),
                RecvCall::RecvFrom => ("WSARecvFrom", "RECV-PEEK-NONOVERLAPPED-ONLY"),
            };
            return Err(self.report(
                crate::contract::ReportKind::Misuse,
                format!("{call} with MSG_PEEK and an OVERLAPPED: MSG_PEEK is valid only for non-overlapped calls"),
                Some(clause),
            ));
        }
        match a.call {
            RecvCall::RecvMsg => {
                // RECVMSG-PEEK-ONLY-INPUT (model choice of code for other bits)
                if a.flags_in & !MSG_PEEK != 0 && !p.has(Quirk::RecvFlagsUnchecked) {
                    return Err(code(WSAEOPNOTSUPP));
                }
                // RECVMSG-ENOTCONN-STREAM: an unconnected stream socket is
                // told so first (model choice of order).
                if stream && st.tcp.state != super::tcp::TcpState::Established {
                    return Err(code(WSAENOTCONN));
                }
                // RECVMSG-DGRAM-RAW-ONLY, RECVMSG-EOPNOTSUPP-PEEK-STREAM,
                // RECVMSG-STREAM-AS-MUCH-AS-POSSIBLE,
                // RECVMSG-STREAM-ONE-BYTE-UNBLOCKS: no byte stream reaches
                // WSARecvMsg.
                if stream {
                    if p.has(Quirk::RecvMsgOnStream) {
                        self.stream_recv_check(s, a.flags_in & MSG_PEEK)?;
                        return Ok(false);
                    }
                    return Err(code(WSAEOPNOTSUPP));
                }
            }
            RecvCall::Recv | RecvCall::RecvFrom => {
                if stream {
                    self.stream_recv_check(s, a.flags_in)?;
                    return Ok(false);
                }
                // RECV-EOPNOTSUPP-OOB, RECV-WAITALL-DGRAM. MSG_PARTIAL
                // on input only allows an early partial completion, which a
                // datagram never needs: accepted and cleared on output
                // (RECV-FLAGS-INOUT, RECV-PARTIAL-CLEARED-COMPLETE,
                // RECV-PARTIAL-DGRAM).
                // MSG_PUSH_IMMEDIATE is a hint (model choice: accepted).
                if a.flags_in & !(MSG_PEEK | MSG_PUSH_IMMEDIATE | MSG_PARTIAL) != 0
                    && !p.has(Quirk::RecvFlagsUnchecked)
                {
                    return Err(code(WSAEOPNOTSUPP));
                }
            }
        }
        // RECV-EINVAL-UNBOUND, RECVMSG-EINVAL-UNBOUND
        if st.local.is_none() && !p.has(Quirk::RecvUnboundWaits) {
            return Err(code(WSAEINVAL));
        }
        // RECV-ESHUTDOWN
        if st.shut_rd {
            return Err(code(WSAESHUTDOWN));
        }
        Ok(name_ok)
    }

    /// Takes the first item of the receive queue (which is not empty) into
    /// the receive's buffers: a datagram, or the error an ICMP message left.
    pub(crate) fn recv_fill(
        &mut self,
        host: HostId,
        s: u64,
        mut a: RecvArgs<'_>,
        name_ok: bool,
        out: &mut RecvOut,
    ) -> Result<(), WsaError> {
        let p = self.cfg.profile;
        let peek = a.flags_in & MSG_PEEK != 0;
        let st = self.sockets.get_mut(&s).expect("checked");
        // RECV-PEEK, RECVMSG-PEEK: a peek leaves the datagram queued.
        let item = if peek {
            st.rxq.front().cloned()
        } else {
            st.rxq.pop_front()
        };
        let d = match item.expect("the queue is not empty") {
            // RECV-ECONNRESET-ICMP, RECV-ENETRESET-TTL: an ICMP message's error.
            RxItem::Error(e) => return Err(code(e)),
            RxItem::Datagram(d) => d,
        };
        if !peek {
            st.rx_bytes -= d.data.len();
        }
        // RECVMSG-BUFFER-ORDER: array order, packed, no holes.
        // RECV-DGRAM-ONE-MESSAGE, RECVMSG-DGRAM-ONE-MESSAGE,
        // RECV-TRUNC-FIRST-PART: one datagram, up to the buffers' total size
        // (its first part when larger).
        let mut at = 0;
        for b in a.bufs.iter_mut() {
            let room = b.bytes_mut();
            let take = room.len().min(d.data.len() - at);
            room[..take].copy_from_slice(&d.data[at..at + take]);
            at += take;
            if at == d.data.len() {
                break;
            }
        }
        *out = RecvOut::filled(at as u32, out.flags);
        let mut truncated = at < d.data.len();
        if truncated && st.xp1(XP1_PARTIAL_MESSAGE) {
            // RECV-TRUNC-PARTIAL, RECV-PARTIAL-FLAG-SET: the rest of the
            // message stays for the next receives, MSG_PARTIAL says so.
            if !peek {
                let rest = Datagram {
                    data: d.data[at..].to_vec(),
                    ..d.clone()
                };
                st.rx_bytes += rest.data.len();
                st.rxq.push_front(RxItem::Datagram(rest));
            }
            out.flags |= MSG_PARTIAL;
            truncated = false;
        }
        if p.has(Quirk::RecvFlagsEchoInput) {
            out.flags = a.flags_in;
        }
        if p.has(Quirk::RecvEmsgsizeCountUnwritten) {
            out.count_written = !truncated;
        }
        if a.call == RecvCall::RecvMsg && !p.has(Quirk::RecvNoTruncFlag) {
            // RECVMSG-OUT-TRUNC, RECVMSG-OUT-BCAST, RECVMSG-OUT-MCAST; with
            // MSG_CTRUNC below the only flags WSARecvMsg sets on UDP and raw
            // sockets (RECVMSG-OUT-FLAGS-SET).
            if truncated {
                out.flags |= MSG_TRUNC;
            }
            if d.bcast {
                out.flags |= MSG_BCAST;
            }
            if d.mcast {
                out.flags |= MSG_MCAST;
            }
        }
        if let (Some(n), false) = (a.name.as_deref_mut(), name_ok) {
            if n.mem.is_some() {
                n.namelen = -1;
            }
        } else if let Some(n) = a.name {
            // RECVMSG-NAME-OUT: the sender's address and its length.
            if let Some(mem) = n.mem.as_mut() {
                let len = addr::encode_into(&d.from, mem).map_err(|e| code(e.wsa_code()))?;
                n.namelen = len as i32;
            }
        }
        if let Some(c) = a.control {
            let written = match packet_info(st, &d) {
                Some(info) => cmsg::write(std::slice::from_ref(&info), c.bytes_mut()),
                // (No object: writing none writes nothing.)
                None => cmsg::Written {
                    len: 0,
                    truncated: false,
                },
            };
            // RECVMSG-CONTROL-LEN: the control bytes written.
            c.len = written.len as u32;
            // RECVMSG-OUT-CTRUNC
            if written.truncated {
                out.flags |= MSG_CTRUNC;
                // The whole call fails (the datagram is gone).
                if p.has(Quirk::RecvMsgCtruncFails) {
                    out.count_written = !p.has(Quirk::RecvEmsgsizeCountUnwritten);
                    return Err(code(WSAEMSGSIZE));
                }
            }
        }
        let n = out.bytes;
        self.log(host, "recv", || {
            format!(
                "{} -> socket {s:#x} len={n}{}",
                d.from,
                if peek { " (peek)" } else { "" }
            )
        });
        self.recycle(d.data);
        // RECVMSG-TRUNC-DGRAM, RECV-EMSGSIZE, RECVMSG-EMSGSIZE: the first part
        // fills the buffers, the rest is lost, WSAEMSGSIZE.
        if truncated {
            return Err(code(WSAEMSGSIZE));
        }
        Ok(())
    }
}

/// The packet-information control object a datagram carries for a socket,
/// if any: there is at most one (RECVMSG-PKTINFO-V4, RECVMSG-PKTINFO-V6,
/// RECVMSG-PKTINFO-DUALSTACK).
#[inline]
fn packet_info(st: &SocketState, d: &Datagram) -> Option<Cmsg> {
    if !st.opts.pktinfo4 && !st.opts.pktinfo6 {
        // Neither option is set: no object (as the rules below give).
        return None;
    }
    packet_info_for(st, d)
}

/// [`packet_info`] once one of the options is set.
fn packet_info_for(st: &SocketState, d: &Datagram) -> Option<Cmsg> {
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

fn unspecified_loopback(v4: bool) -> IpAddr {
    if v4 {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    } else {
        IpAddr::V6(Ipv6Addr::LOCALHOST)
    }
}
