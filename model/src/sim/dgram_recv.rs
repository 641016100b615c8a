//! Receiving on datagram and raw sockets: the documented checks in order,
//! waiting, and filling the buffers, name and control from the queue.

use super::call::{Mode, RecvArgs, RecvCall, RecvOut};
use super::dgram::{code, packet_info};
use super::ip_opts::IpOpts;
use super::net::HostId;
use super::sched_state::{Halt, Step};
use super::socket::{Datagram, RxItem, SocketState};
use super::world::{WaitEnd, World};
use crate::contract::cmsg::{self, Cmsg};
use crate::contract::consts::*;
use crate::contract::quirks::Quirk;
use crate::contract::{addr, WsaError};
use std::net::IpAddr;

impl World {
    // ---- receiving ----

    /// `WSARecv`, `WSARecvFrom`, `WSARecvMsg` on a message socket. The
    /// outputs are meaningful when `copied` is set, also with an error
    /// (`WSAEMSGSIZE` reports the bytes that were copied).
    pub(crate) fn recv(&mut self, host: HostId, s: u64, a: RecvArgs<'_>) -> (Step<()>, RecvOut) {
        let mut out = RecvOut::default();
        let waitall = a.flags_in & MSG_WAITALL != 0;
        let r = self.recv_inner(host, s, a, &mut out);
        if waitall && !matches!(r, Err(Halt::Block(_))) {
            // The call is over (not parked): a MSG_WAITALL receive no longer
            // widens the stream's window, however it ended.
            if let Some(st) = self.sockets.get_mut(&s).filter(|st| !st.is_dgram()) {
                st.tcp_mut().waitall_room = 0;
            }
        }
        (r, out)
    }

    fn recv_inner(&mut self, host: HostId, s: u64, a: RecvArgs<'_>, out: &mut RecvOut) -> Step<()> {
        let resuming = self.resuming();
        if resuming && !self.sockets.contains_key(&s) {
            // model choice: closed by another thread while this one waited
            // (see `wait_tx_room`).
            return Err(code(WSAEINTR).into());
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
        if st.dgram().rxq.is_empty() {
            // RECV-EWOULDBLOCK-NONBLOCKING, RECVMSG-EWOULDBLOCK-NONBLOCKING (a
            // call already waiting goes on waiting if another thread makes the
            // socket non-blocking); RECV-TIMEO-BLOCKING-ONLY,
            // RECVMSG-RCVTIMEO-BLOCKING-ONLY: so no time-out either.
            if st.nonblocking && !resuming {
                return Err(code(WSAEWOULDBLOCK).into());
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
                    .is_none_or(|st| !st.dgram().rxq.is_empty() || st.shut_rd)
            });
            match r {
                Ok(()) => {}
                Err(WaitEnd::Timeout) => return Err(code(WSAETIMEDOUT).into()),
                Err(WaitEnd::Deadlock(e)) => return Err(e.into()),
                Err(WaitEnd::Park(b)) => {
                    let me = self.me;
                    if let Some(w) = self.sched.rec_mut(me).wait.as_mut() {
                        w.recv_on = Some(s);
                    }
                    return Err(Halt::Block(b));
                }
            }
            let Some(st) = self.sockets.get(&s) else {
                // model choice: closed by another thread meanwhile (see
                // `wait_tx_room`; RECV-EINTR-WS11, RECVMSG-EINTR-WS11).
                return Err(code(WSAEINTR).into());
            };
            if st.shut_rd {
                return Err(code(WSAESHUTDOWN).into());
            }
        }
        Ok(self.recv_fill(host, s, a, name_ok, out)?)
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
        // WIN-RECV-NO-BUFFERS: a WSARecv or WSARecvFrom of no WSABUF.
        if a.bufs.is_empty() && a.call != RecvCall::RecvMsg && p.has(Quirk::RecvNoBuffersInvalid) {
            return Err(code(WSAEINVAL));
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
        // RECV-PEEK-NONOVERLAPPED-ONLY, RECVMSG-PEEK-NONOVERLAPPED-ONLY;
        // WIN-OVL-PEEK-PROBE: Windows takes an overlapped peek on a datagram
        // socket (libuv's and Go's readiness probe): it pends, then peeks as
        // a direct receive does (recv_fill).
        let probe = p.has(Quirk::OvlPeekProbe) && st.is_dgram() && a.call != RecvCall::RecvMsg;
        // WIN-OVL-PEEK-STREAM: and an overlapped peek on a stream socket
        // peeks (stream_fill), at once or when bytes arrive.
        let probe = probe || (p.has(Quirk::OvlPeekStream) && stream && a.call != RecvCall::RecvMsg);
        if peek && mode == Mode::Overlapped && !probe {
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
                if stream && st.tcp().state != super::tcp::TcpState::Established {
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
            st.dgram().rxq.front().cloned()
        } else {
            st.dgram_mut().rxq.pop_front()
        };
        let mut d = match item.expect("the queue is not empty") {
            // RECV-ECONNRESET-ICMP, RECV-ENETRESET-TTL: an ICMP message's error.
            RxItem::Error(e) => return Err(code(e)),
            RxItem::Datagram(d) => d,
        };
        if !peek {
            st.dgram_mut().rx_bytes -= d.data.len();
        }
        // WIN-URO: a run of datagrams like this one, taken with it.
        let coalesced = if !peek && p.has(Quirk::RecvCoalescing) {
            let room: usize = a.bufs.iter().map(|b| b.len as usize).sum();
            coalesce(st, &mut d, room)
        } else {
            None
        };
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
                st.dgram_mut().rx_bytes += rest.data.len();
                st.dgram_mut().rxq.push_front(RxItem::Datagram(rest));
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
            // RECVMSG-PKTINFO-V4, RECVMSG-PKTINFO-V6: the packet information;
            // WIN-RECV-TTL-TOS: the hop limit and the TOS byte; WIN-ECN: the
            // codepoint; WIN-URO: the segment size.
            let info = packet_info(st, &d);
            let ip = st.opts.ip();
            let (hops, tos) = if p.has(Quirk::RecvHopLimitTos) {
                (hop_limit_info(ip, &d), tos_info(ip, &d))
            } else {
                (None, None)
            };
            let ecn = p.has(Quirk::Ecn).then(|| ecn_info(ip, &d)).flatten();
            let coal =
                coalesced.map(|size| Cmsg::int(IPPROTO_UDP, UDP_COALESCED_INFO, size as i32));
            let written = match (info, hops, tos, ecn, coal) {
                (Some(info), None, None, None, None) => {
                    cmsg::write(std::slice::from_ref(&info), c.bytes_mut())
                }
                // (No object: writing none writes nothing.)
                (None, None, None, None, None) => cmsg::Written {
                    len: 0,
                    truncated: false,
                },
                (info, hops, tos, ecn, coal) => {
                    let all: Vec<Cmsg> =
                        [info, hops, tos, ecn, coal].into_iter().flatten().collect();
                    cmsg::write(&all, c.bytes_mut())
                }
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

/// `WIN-ECN`: the `IP_ECN` / `IPV6_ECN` object of a datagram, an `INT`
/// with its codepoint, when the socket asked for the family's
/// (`IP_RECVECN` for an IPv4 datagram, `IPV6_RECVECN` for an IPv6 one).
fn ecn_info(ip: &IpOpts, d: &Datagram) -> Option<Cmsg> {
    let codepoint = i32::from(d.tos & 3);
    match d.dst {
        IpAddr::V4(_) if ip.recvecn4 => Some(Cmsg::int(IPPROTO_IP, IP_ECN, codepoint)),
        IpAddr::V6(_) if ip.recvecn6 => Some(Cmsg::int(IPPROTO_IPV6, IPV6_ECN, codepoint)),
        _ => None,
    }
}

/// `WIN-RECV-TTL-TOS`: the `IP_TTL` / `IPV6_HOPLIMIT` object of a
/// datagram, an `INT` with the hop limit it arrived with, when the socket
/// asked for the family's (`IP_RECVTTL`, `IPV6_HOPLIMIT`).
fn hop_limit_info(ip: &IpOpts, d: &Datagram) -> Option<Cmsg> {
    let hops = i32::from(d.ttl);
    match d.dst {
        IpAddr::V4(_) if ip.recvttl4 => Some(Cmsg::int(IPPROTO_IP, IP_TTL, hops)),
        IpAddr::V6(_) if ip.recvhop6 => Some(Cmsg::int(IPPROTO_IPV6, IPV6_HOPLIMIT, hops)),
        _ => None,
    }
}

/// `WIN-RECV-TTL-TOS`: the `IP_TOS` / `IPV6_TCLASS` object of a datagram,
/// an `INT` with the whole byte it arrived with (ECN bits included), when
/// the socket asked for the family's (`IP_RECVTOS`, `IPV6_RECVTCLASS`).
fn tos_info(ip: &IpOpts, d: &Datagram) -> Option<Cmsg> {
    let tos = i32::from(d.tos);
    match d.dst {
        IpAddr::V4(_) if ip.recvtos4 => Some(Cmsg::int(IPPROTO_IP, IP_TOS, tos)),
        IpAddr::V6(_) if ip.recvtclass6 => Some(Cmsg::int(IPPROTO_IPV6, IPV6_TCLASS, tos)),
        _ => None,
    }
}

/// `WIN-URO`: with `UDP_RECV_MAX_COALESCED_SIZE` set on a UDP socket, the
/// datagrams queued behind `d` that came from its source address and port
/// to its destination with its TOS byte, all of its size but a shorter last
/// one, join it while the whole fits the option's size and the receive's
/// room ("all datagrams coalesced will be of the same size, except the
/// last"). Returns the segment size when at least two were joined; a
/// datagram alone is delivered as it is, larger than the option or not.
/// Model choice: every such run queued at the receive is taken.
#[inline(never)]
fn coalesce(st: &mut SocketState, d: &mut Datagram, room: usize) -> Option<u32> {
    let max = st.opts.ip().max_coalesced as usize;
    let seg = d.data.len();
    if max == 0 || st.ty != SOCK_DGRAM || seg == 0 {
        return None;
    }
    let limit = max.min(room);
    let q = st.dgram_mut();
    let mut joined = 1;
    while let Some(RxItem::Datagram(n)) = q.rxq.front() {
        let fits = d.data.len() + n.data.len() <= limit;
        if !fits || n.from != d.from || n.dst != d.dst || n.tos != d.tos || n.data.len() > seg {
            break;
        }
        let last = n.data.len() < seg;
        let Some(RxItem::Datagram(n)) = q.rxq.pop_front() else {
            unreachable!("looked at just now")
        };
        q.rx_bytes -= n.data.len();
        d.data.extend_from_slice(&n.data);
        joined += 1;
        if last {
            break;
        }
    }
    (joined > 1).then_some(seg as u32)
}
