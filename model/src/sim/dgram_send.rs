//! Sending on datagram and raw sockets: the documented checks in order,
//! waiting for send-buffer room, transmitting along the route.

use super::call::{Mode, RouteInfo, SendArgs, SendCall, SendPlan};
use super::dgram::{code, wire};
use super::events::{Event, Packet};
use super::net::HostId;
use super::sched_state::Step;
use super::socket::{RxItem, Transport};
use super::world::World;
use crate::contract::cmsg::{self, Cmsg, Pktinfo};
use crate::contract::consts::*;
use crate::contract::quirks::Quirk;
use crate::contract::WsaError;
use std::net::{IpAddr, SocketAddr};

impl World {
    // ---- sending ----

    /// `WSASend`, `WSASendTo`, `WSASendMsg` on a message socket.
    pub(crate) fn send(&mut self, host: HostId, s: u64, a: SendArgs<'_>) -> Step<u32> {
        if self.resuming() && !self.sockets.contains_key(&s) {
            // model choice: see `wait_tx_room`.
            return Err(code(WSAEINTR).into());
        }
        self.check_nested_blocking_on(host, s, a.call.name())?;
        // SENDMSG-BOTH-NULL-NONOVERLAPPED: a direct call, on an overlapped
        // socket too.
        let SendPlan {
            dst,
            route,
            len,
            tos,
            segment,
        } = self.send_prepare(host, s, &a, Mode::Direct)?;
        let Some(route) = route else {
            let data = self.gather(a.bufs, len);
            return self.stream_send(host, s, data, a.flags);
        };
        // SENDMSG-BLOCKING-LIKE-SEND, SENDMSG-BLOCKING-CONSUMES-ALL: it waits
        // for room for the whole datagram, which the transport then takes;
        // SENDMSG-BUFFER-ORDER: its bytes gathered in array order.
        self.wait_tx_room(host, s, len)?;
        let data = self.gather(a.bufs, len);
        if let Some(data) = self.dgram_piece(s, a.flags, data) {
            if segment == 0 || data.len() <= segment {
                self.transmit(host, s, dst, &route, tos, data);
            } else {
                self.transmit_segments(host, s, dst, route, tos, segment, data);
            }
        }
        // SENDMSG-NO-DELIVERY-GUARANTEE: success, delivered or not.
        Ok(len as u32)
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
            st.dgram_mut().partial_tx.extend_from_slice(&data);
            let (h, n) = (st.host, data.len());
            self.log(h, "buffered", || format!("socket {s:#x} len={n} (part)"));
            return None;
        }
        let mut whole = std::mem::take(&mut st.dgram_mut().partial_tx);
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
            // WIN-SENDMSG-EFAULT-BINDS: WSASendMsg binds the unbound
            // datagram socket before it fails.
            if a.call == SendCall::SendMsg
                && st.is_dgram()
                && st.local.is_none()
                && p.has(Quirk::SendMsgFaultBinds)
            {
                self.implicit_bind(s, None).map_err(code)?;
            }
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
                        tos: 0,
                        segment: 0,
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
        // WIN-USO, WIN-ECN, WIN-DONTFRAGMENT: a profile without them sends
        // one datagram with TOS 0 (asked once, the common path).
        let offload = self.quirk(Quirk::SendSegmentation)
            || self.quirk(Quirk::Ecn)
            || self.quirk(Quirk::DontFragment);
        let (segment, tos) = if offload {
            self.offload_plan(host, st, control.as_deref().unwrap_or(&[]), dst, len)
                .map_err(code)?
        } else {
            (0, 0)
        };
        // SENDMSG-EMSGSIZE-MAX, SENDMSG-EMSGSIZE-MSG-ORIENTED: too large to
        // pass atomically; nothing sent (with the earlier pieces of a partial
        // message counted). SENDMSG-MAX-MSG-SIZE-OPTION: the limit is what
        // SO_MAX_MSG_SIZE gives, and a message of that size passes. (A
        // segmented send is held to its own limit, in segment_size.)
        if segment == 0 && len + st.dgram().partial_tx.len() > st.max_msg_size() as usize {
            return Err(code(WSAEMSGSIZE));
        }
        // SENDMSG-ECONNRESET-ICMP, SENDMSG-ENETRESET-TTL: an error an ICMP
        // message left for this socket (model choice: the next call of either
        // direction reports it, in queue order).
        if let Some(RxItem::Error(e)) = st.dgram().rxq.front() {
            let e = *e;
            self.sockets
                .get_mut(&s)
                .expect("checked")
                .dgram_mut()
                .rxq
                .pop_front();
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
        // (Dropped here only when there are objects: most sends have none.)
        if let Some(objects) = control {
            drop(objects);
        }
        Ok(SendPlan {
            dst,
            route: Some(route),
            len,
            tos,
            segment,
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
            .filter_map(|st| match &st.transport {
                Transport::Dgram(d) => Some(d.rx_bytes + d.tx_unfinished(now)),
                Transport::Stream(_) => None,
            })
            .sum()
    }

    /// Waits (in virtual time) for send-buffer room: `WSAEWOULDBLOCK` on a
    /// non-blocking socket, `WSAETIMEDOUT` after `SO_SNDTIMEO`.
    fn wait_tx_room(&mut self, host: HostId, s: u64, len: usize) -> Step<()> {
        let now = self.now;
        let st = self.sockets.get_mut(&s).expect("checked");
        if st.tx_room(now, len) {
            return Ok(());
        }
        // SENDMSG-EWOULDBLOCK-NONBLOCKING; RECV-TIMEO-BLOCKING-ONLY,
        // SENDMSG-SNDTIMEO-BLOCKING-ONLY: so no time-out either.
        if st.nonblocking && !self.resuming() {
            return Err(code(WSAEWOULDBLOCK).into());
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
            Ok(()) => Err(code(WSAEINTR).into()),
            Err(end) => Err(end.halt(|| code(WSAETIMEDOUT))),
        }
    }

    /// Puts a datagram on the wire towards every target of its route.
    pub(crate) fn transmit(
        &mut self,
        host: HostId,
        s: u64,
        dst: SocketAddr,
        route: &RouteInfo,
        tos: u8,
        data: Vec<u8>,
    ) {
        let st = &self.sockets[&s];
        let local = st.local.expect("bound before transmit");
        let src = SocketAddr::new(route.src_ip, local.port());
        let udp = st.ty == SOCK_DGRAM;
        let proto = st.protocol;
        // The hop limit it leaves with: IP_TTL / IPV6_UNICAST_HOPS, or for
        // a multicast datagram IP_MULTICAST_TTL / IPV6_MULTICAST_HOPS.
        let ttl = match (route.mcast, dst.is_ipv6()) {
            (false, _) => st.opts.ttl,
            (true, false) => st.opts.ip().mcast_ttl4.min(255) as u8,
            (true, true) => st.opts.ip().mcast_hops6.min(255) as u8,
        };
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
                .dgram_mut()
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
            // No ICMP error answers a multicast datagram (RFC 1812 4.3.2.7).
            if route.mcast {
                self.log(host, "drop", || {
                    format!("{dst}: multicast TTL {ttl} expired")
                });
                return;
            }
            let key = self.schedule_key(
                depart + 2 * latency,
                Event::IcmpError {
                    socket: s,
                    code: WSAENETRESET,
                    about: dst,
                },
            );
            if self.capture.is_some() {
                // The model's routers have no addresses of their own: the
                // error names the destination as its sender.
                let (n, kind) = (data.len(), super::pcap::Icmp::TimeExceeded);
                let proto = if udp { IPPROTO_UDP } else { proto };
                self.tap_icmp(key, host, kind, (dst, src, dst), proto, n);
            }
            return;
        }
        if route.targets.is_empty() {
            self.log(host, "drop", || format!("{dst}: no host has this address"));
        }
        let packet = |ifindex, data| Packet {
            src_sock: s,
            src_host: host,
            src,
            dst,
            proto,
            udp,
            // Each router on the way took one.
            ttl: ttl - route.hops,
            tos,
            bcast: route.bcast,
            mcast: route.mcast,
            ifindex,
            data,
        };
        let at = depart + latency;
        let (first, rest) = route.targets.parts();
        let Some(&(target, ifindex)) = first else {
            return;
        };
        // The last target takes the bytes themselves (one target, mostly).
        if rest.is_empty() {
            self.put_on_wire(at, target, packet(ifindex, data));
            return;
        }
        self.put_on_wire(at, target, packet(ifindex, data.clone()));
        let (k, mut data) = (rest.len(), data);
        for (i, &(target, ifindex)) in rest.iter().enumerate() {
            let data = if i + 1 == k {
                std::mem::take(&mut data)
            } else {
                data.clone()
            };
            self.put_on_wire(at, target, packet(ifindex, data));
        }
    }

    /// Sends one copy of a datagram towards `target`, to arrive at `at`
    /// unless a datagram fault says otherwise.
    #[inline(always)]
    fn put_on_wire(&mut self, at: u64, target: HostId, mut p: Packet) {
        let (host, src, dst, n) = (p.src_host, p.src, p.dst, p.data.len());
        // Datagram faults draw from the seed only when switched on, so
        // runs without them keep their traces.
        let mut arrive = at;
        let mut twice = false;
        if self.cfg.datagram_faults.any() {
            let faults = self.cfg.datagram_faults;
            if self.rng.below(1000) < u64::from(faults.loss) {
                self.log(host, "lost", || format!("{src} -> {dst} len={n}"));
                return;
            }
            if self.rng.below(1000) < u64::from(faults.reorder) {
                let most = faults.reorder_us.unwrap_or(1_000).max(1) * 1_000;
                arrive += 1 + self.rng.below(most);
            }
            twice = self.rng.below(1000) < u64::from(faults.duplicate);
        }
        // (A draw only for an ECN-capable datagram with marking on.)
        let ce_mark = self.cfg.datagram_faults.ce_mark;
        if ce_mark > 0
            && matches!(i32::from(p.tos & 3), ECN_ECT_0 | ECN_ECT_1)
            && self.rng.below(1000) < u64::from(ce_mark)
        {
            p.tos |= ECN_CE as u8;
            self.log(host, "ce-marked", || format!("{src} -> {dst} len={n}"));
        }
        let packet = self.boxed_packet(p);
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
