//! Stream sockets (TCP): connections, byte streams, close and shutdown.
//!
//! The model is TCP at the level of the connection, not of segments: a
//! handshake takes its round trips of virtual time, bytes travel in order
//! with the link's latency, the receiver's `SO_RCVBUF` is the window that
//! stops a sender, and `SO_SNDBUF` bounds what a sender's transport holds
//! before `send` waits. A `FIN` follows the data sent before it; an `RST`
//! ends a connection at once.
//!
//! Rules carry the clause ids they implement; choices the documentation does
//! not make are marked `model choice:`.
//!
//! The same connection machinery carries the simulated message protocols
//! (`message.rs`: message boundaries, `MSG_PARTIAL`, `WSAEDISCON`); urgent
//! data is in `urgent.rs`, and connections the network breaks (keep-alive,
//! retransmission time-outs) in `faults.rs`.
//!
//! Deliberately not modelled: segments, MSS, congestion control, Nagle
//! (`TCP_NODELAY` is kept but changes nothing), window scaling and
//! window-update latency (a reader's room is seen by the sender at once),
//! `TIME_WAIT`, simultaneous open, `ConnectEx`/`AcceptEx`.

use super::net::HostId;
use super::sched_state::{Halt, Step};
use super::socket::SocketState;
use super::tcp::{copy_out, take_front, Piece, Seg, StreamReads, Tcp, TcpState};
use super::world::{Event, WaitEnd, World};
use crate::contract::consts::*;
use crate::contract::quirks::Quirk;
use crate::contract::types::WsaBuf;
use crate::contract::WsaError;
use std::net::SocketAddr;

/// How long an unanswered SYN is retried before `connect` fails with
/// `WSAETIMEDOUT`: Windows' default `TcpMaxConnectRetransmissions` (2) with
/// an initial retransmission time-out of 3 s doubling each time, 3 + 6 + 12
/// seconds (model setting).
pub(crate) const CONNECT_TIMEOUT_NS: u64 = 21_000_000_000;

/// The backlog `listen` grants for `SOMAXCONN`, and the most a plain
/// backlog gets (model setting: the `listen` documentation puts
/// `SOMAXCONN_HINT(N)` "within the range (200, 65535)"; openjdk/jdk pull
/// request 25819 reports no backlog above 200 on Windows 8 and later).
pub(crate) const MAX_BACKLOG: usize = 200;

/// The most `SOMAXCONN_HINT(N)` (a negative backlog) grants.
pub(crate) const MAX_BACKLOG_HINT: usize = 65535;

/// How many times Windows sends a SYN again after a reset answered it, and
/// the pause before each: a refused `connect` fails only after them, about
/// two seconds even on loopback (Wine's `test_select`: "w10pro64 sometimes
/// takes over 2 seconds for an error to be reported"; libuv's
/// `uv__tcp_try_connect` lowers the loopback RTO "instead of waiting for
/// 2s"). Model setting: two retries, one second apart.
pub(crate) const REFUSED_RETRIES: u32 = 2;
pub(crate) const REFUSED_RETRY_NS: u64 = 1_000_000_000;

fn code(c: i32) -> WsaError {
    WsaError::Code(c)
}

/// The receive window of a socket: its `SO_RCVBUF` (or the room of a
/// `MSG_WAITALL` receive waiting on it, if larger) minus what it holds and
/// what is on the way.
fn window(st: &SocketState) -> usize {
    let ovl_waitall = st
        .pending_rx
        .iter()
        .filter(|op| op.flags_in & MSG_WAITALL != 0)
        .map(|op| op.buffers.iter().map(|b| b.len as usize).sum::<usize>())
        .max()
        .unwrap_or(0);
    let limit = (st.opts.rcvbuf as usize)
        .max(st.tcp.waitall_room)
        .max(ovl_waitall);
    limit.saturating_sub(st.tcp.rcvq.len() + st.tcp.incoming)
}

/// Whether a stream receive with `flags` asking for `room` bytes (all of
/// them with `MSG_WAITALL`) could complete now.
pub(crate) fn rx_ready(st: &SocketState, room: usize, flags: u32) -> bool {
    let t = &st.tcp;
    if t.broken.is_some() || t.fin_rcvd || st.shut_rd {
        return true;
    }
    if flags & MSG_OOB != 0 {
        return !t.oob.is_empty();
    }
    if st.is_seqpacket() {
        return super::message::msg_ready(st, flags);
    }
    if flags & MSG_WAITALL != 0 {
        t.rcvq.len() >= room
    } else {
        !t.rcvq.is_empty()
    }
}

/// Whether the send buffer has room for more data: a send is taken whole
/// when the buffer is not full (model choice: Windows' AFD takes a send
/// whole when it has any buffer room).
pub(crate) fn tx_ready(st: &SocketState) -> bool {
    st.tcp.sndq.len() < (st.opts.sndbuf as usize).max(1)
}

impl World {
    /// The one-way latency between two hosts.
    fn link_latency(&self, a: HostId, b: HostId) -> u64 {
        if a == b {
            self.cfg.loopback_latency_ns
        } else {
            self.cfg.latency_ns
        }
    }

    fn send_seg(&mut self, from_host: HostId, to_host: HostId, seg: Seg) {
        let at = self.now + self.link_latency(from_host, to_host);
        self.schedule(at, Event::Tcp(Box::new(seg)));
    }

    fn host_of(&self, s: u64) -> Option<HostId> {
        self.sockets.get(&s).map(|st| st.host)
    }

    // ---- listen, accept, connect ----

    pub(crate) fn listen(&mut self, host: HostId, s: u64, backlog: i32) -> Result<(), i32> {
        self.check_sock(host, s)?;
        let st = self.sock_mut(host, s)?;
        if st.is_dgram() {
            return Err(WSAEOPNOTSUPP);
        }
        match st.tcp.state {
            TcpState::Closed if st.local.is_none() => return Err(WSAEINVAL),
            TcpState::Closed | TcpState::Listening => {}
            TcpState::Established | TcpState::SynReceived { .. } => return Err(WSAEISCONN),
            // model choice: a socket still connecting cannot listen.
            TcpState::Connecting => return Err(WSAEINVAL),
        }
        // SOMAXCONN: "a maximum reasonable value"; SOMAXCONN_HINT(N) is -N,
        // put within (200, 65535). model choice: 0 is 1, and a plain backlog
        // above 200 is 200. A second listen changes the backlog.
        st.tcp.backlog = if backlog == SOMAXCONN {
            MAX_BACKLOG
        } else if backlog < 0 {
            (backlog.unsigned_abs() as usize).clamp(MAX_BACKLOG, MAX_BACKLOG_HINT)
        } else {
            (backlog as usize).clamp(1, MAX_BACKLOG)
        };
        st.tcp.state = TcpState::Listening;
        let (local, b) = (st.local, st.tcp.backlog);
        self.log(host, "listen", || {
            format!("socket {s:#x} on {} backlog={b}", local.expect("bound"))
        });
        Ok(())
    }

    /// What a blocking stream call (`accept`, `connect`) checks first;
    /// returns whether the call is being run again after a wait.
    fn blocking_call_start(&self, host: HostId, s: u64, call: &str) -> Result<bool, WsaError> {
        let resuming = self.resuming();
        if resuming && !self.sockets.contains_key(&s) {
            // model choice: closed by another thread meanwhile (see
            // `wait_tx_room`).
            return Err(code(WSAEINTR));
        }
        self.check_nested_blocking_on(host, s, call)?;
        self.check_sock(host, s).map_err(code)?;
        Ok(resuming)
    }

    /// `accept`: the next established connection, blocking (alertably) on
    /// a blocking socket until there is one.
    pub(crate) fn accept(&mut self, host: HostId, s: u64) -> Step<(u64, SocketAddr)> {
        let resuming = self.blocking_call_start(host, s, "accept")?;
        let st = &self.sockets[&s];
        if st.is_dgram() {
            return Err(code(WSAEOPNOTSUPP).into());
        }
        if st.tcp.state != TcpState::Listening {
            return Err(code(WSAEINVAL).into());
        }
        if st.tcp.accept_q.is_empty() {
            if st.nonblocking && !resuming {
                return Err(code(WSAEWOULDBLOCK).into());
            }
            let r = self.wait_until(host, None, "accept", true, move |w| {
                w.sockets.get(&s).is_none_or(|st| {
                    !st.tcp.accept_q.is_empty() || st.tcp.state != TcpState::Listening
                })
            });
            r.map_err(|end| end.halt(|| unreachable!("accept has no time-out")))?;
            if !self.sockets.contains_key(&s) {
                return Err(code(WSAEINTR).into());
            }
        }
        let child = self
            .sockets
            .get_mut(&s)
            .expect("checked")
            .tcp
            .accept_q
            .pop_front();
        let child = child.ok_or(code(WSAEINVAL))?;
        // accept: the new socket has the listening socket's properties
        // (Wine's test_accept_inheritance, run on Windows: options and
        // time-outs; its blocking mode too).
        let (nonblocking, opts) = {
            let l = &self.sockets[&s];
            (l.nonblocking, l.opts.clone())
        };
        let st = self.sockets.get_mut(&child).expect("queued sockets exist");
        st.nonblocking = nonblocking;
        st.opts = opts;
        let peer = st.peer.expect("an accepted socket has a peer");
        self.log(host, "accept", || {
            format!("socket {s:#x} -> {child:#x} from {peer}")
        });
        Ok((child, peer))
    }

    /// `connect` on a stream socket.
    pub(crate) fn stream_connect(&mut self, host: HostId, s: u64, a: SocketAddr) -> Step<()> {
        let resuming = self.blocking_call_start(host, s, "connect")?;
        let st = &self.sockets[&s];
        if !resuming {
            match st.tcp.state {
                TcpState::Closed => {}
                TcpState::Listening => return Err(code(WSAEINVAL).into()),
                TcpState::Connecting => return Err(code(WSAEALREADY).into()),
                TcpState::Established | TcpState::SynReceived { .. } => {
                    return Err(code(WSAEISCONN).into())
                }
            }
            if a.is_ipv6() != st.is_v6() {
                return Err(code(WSAEAFNOSUPPORT).into());
            }
            if a.ip().is_unspecified() || a.port() == 0 {
                return Err(code(WSAEADDRNOTAVAIL).into());
            }
            let w = super::dgram::wire(st, a).map_err(code)?;
            let route = self.route(host, st, w.ip(), None).map_err(code)?;
            if route.bcast || route.mcast {
                // model choice: TCP cannot reach a group.
                return Err(code(WSAEADDRNOTAVAIL).into());
            }
            let src_ip = if self.sockets[&s].is_v6() {
                match route.src_ip {
                    std::net::IpAddr::V4(v4) => std::net::IpAddr::V6(v4.to_ipv6_mapped()),
                    v6 => v6,
                }
            } else {
                route.src_ip
            };
            let target = route.targets.first().map(|&(h, _)| h);
            if self.sockets[&s].local.is_none() {
                self.implicit_bind(s, Some(src_ip)).map_err(code)?;
            }
            let src = {
                let st = self.sockets.get_mut(&s).expect("checked");
                st.peer = Some(a);
                st.tcp.state = TcpState::Connecting;
                st.tcp.attempt += 1;
                st.tcp.syn_retries = 0;
                // Wine's test_select (on Windows): a new connect does not
                // clear SO_ERROR; a connection that is made does.
                let l = st.local.expect("bound");
                let src = SocketAddr::new(route.src_ip, l.port());
                st.tcp.syn = Some((src, w, target));
                src
            };
            let attempt = self.sockets[&s].tcp.attempt;
            self.log(host, "syn", || format!("{src} -> {w}"));
            self.send_syn(s);
            let key = self.schedule_key(
                self.now + CONNECT_TIMEOUT_NS,
                Event::Tcp(Box::new(Seg::ConnectTimeout { to: s, attempt })),
            );
            self.sockets.get_mut(&s).expect("checked").tcp.connect_timer = Some(key);
            if self.sockets[&s].nonblocking {
                return Err(code(WSAEWOULDBLOCK).into());
            }
        }
        let r = self.wait_until(host, None, "connect", true, move |w| {
            w.sockets
                .get(&s)
                .is_none_or(|st| st.tcp.state != TcpState::Connecting)
        });
        r.map_err(|end| end.halt(|| unreachable!("connect's time-out is an event")))?;
        let Some(st) = self.sockets.get_mut(&s) else {
            return Err(code(WSAEINTR).into());
        };
        match st.tcp.state {
            TcpState::Established => Ok(()),
            _ => {
                let e = std::mem::take(&mut st.tcp.so_error);
                Err(code(if e == 0 { WSAECONNREFUSED } else { e }).into())
            }
        }
    }

    /// Drops the time-out of `s`'s connection attempt: a stale timer must
    /// not move the clock.
    fn stop_connect_timer(&mut self, s: u64) {
        self.cancel_timer(s, |t| &mut t.connect_timer);
    }

    /// Drops the pending timer event of `s` kept in the `Tcp` field that
    /// `slot` picks (a connect, retransmission or keep-alive timer), if
    /// the socket and the timer exist.
    pub(crate) fn cancel_timer(&mut self, s: u64, slot: fn(&mut Tcp) -> &mut Option<(u64, u64)>) {
        if let Some(key) = self
            .sockets
            .get_mut(&s)
            .and_then(|st| slot(&mut st.tcp).take())
        {
            self.events.remove(&key);
        }
    }

    /// Sends the SYN of `s`'s connection attempt (again).
    fn send_syn(&mut self, s: u64) {
        let st = &self.sockets[&s];
        let host = st.host;
        let Some((src, dst, target)) = st.tcp.syn else {
            return;
        };
        match target {
            Some(target) => self.send_seg(
                host,
                target,
                Seg::Syn {
                    host: target,
                    from: s,
                    src,
                    dst,
                },
            ),
            None => self.log(host, "drop", || format!("{dst}: no host has this address")),
        }
    }

    // ---- data ----

    /// Moves bytes from `s`'s send buffer to the wire as far as the peer's
    /// window allows (all of them when `flush`), then the FIN if one is
    /// queued and the buffer is empty. A `SOCK_SEQPACKET` socket sends each
    /// send call's piece whole: when it fits the window, when the peer
    /// holds nothing, or when it continues a message the peer has begun
    /// (model choice: so that a receive waiting for a whole message larger
    /// than `SO_RCVBUF` can complete); a pseudo-stream's bytes flow as
    /// TCP's do. Nothing leaves while the peer cannot be reached
    /// (`faults.rs`).
    pub(crate) fn pump(&mut self, s: u64, flush: bool) {
        let Some(st) = self.sockets.get(&s) else {
            return;
        };
        if st.tcp.state != TcpState::Established || st.tcp.broken.is_some() {
            return;
        }
        let Some(p) = st.tcp.peer_sock else { return };
        let from_host = st.host;
        let (mut room, to_host, mut peer_empty) = match self.sockets.get(&p) {
            Some(ps) => (
                window(ps),
                ps.host,
                ps.tcp.rcvq.is_empty() && ps.tcp.incoming == 0,
            ),
            // The peer is gone: what we send draws a reset.
            None => (usize::MAX, from_host, true),
        };
        if st.tcp.output_pending() {
            if !self.reachable(from_host, to_host) {
                // RECV-ETIMEDOUT-DROPPED: the data waits; the
                // retransmission time-out runs.
                self.start_retx_timer(s);
                return;
            }
            self.stop_retx_timer(s);
        }
        loop {
            let st = self.sockets.get_mut(&s).expect("checked");
            let (n, msg) = if st.is_seqpacket() {
                let Some(&c) = st.tcp.snd_msgs.front() else {
                    break;
                };
                if !(flush || c.len <= room || peer_empty || st.tcp.snd_open_msg) {
                    break;
                }
                st.tcp.snd_msgs.pop_front();
                st.tcp.snd_open_msg = !c.eom;
                (c.len, Some(c.eom))
            } else {
                let n = if flush {
                    st.tcp.sndq.len()
                } else {
                    room.min(st.tcp.sndq.len())
                };
                if n == 0 {
                    break;
                }
                (n, None)
            };
            let data = take_front(&mut st.tcp.sndq, n);
            let urg = super::urgent::take_urgent(&mut st.tcp.snd_urg, n);
            room = room.saturating_sub(n);
            peer_empty = false;
            if let Some(ps) = self.sockets.get_mut(&p) {
                ps.tcp.incoming += n;
            }
            self.log(from_host, "send", || {
                format!(
                    "socket {s:#x} -> {p:#x} len={n}{}{}",
                    match msg {
                        Some(false) => " (part)",
                        _ => "",
                    },
                    if urg.is_empty() { "" } else { " (urgent)" }
                )
            });
            self.send_seg(
                from_host,
                to_host,
                Seg::Data {
                    to: p,
                    from: s,
                    data,
                    msg,
                    urg,
                },
            );
            if msg.is_none() {
                break;
            }
        }
        let st = self.sockets.get_mut(&s).expect("checked");
        if st.tcp.sndq.is_empty()
            && st.tcp.snd_msgs.is_empty()
            && st.tcp.fin_queued
            && !st.tcp.fin_sent
        {
            st.tcp.fin_sent = true;
            self.log(from_host, "fin", || format!("socket {s:#x} -> {p:#x}"));
            self.send_seg(from_host, to_host, Seg::Fin { to: p });
        }
    }

    /// Sends a reset to the other end of `s`'s connection, if it has one.
    pub(crate) fn reset_peer(&mut self, s: u64) {
        let Some(st) = self.sockets.get(&s) else {
            return;
        };
        let Some(p) = st.tcp.peer_sock else { return };
        let h = st.host;
        let to_host = self.host_of(p).unwrap_or(h);
        self.log(h, "rst", || format!("socket {s:#x} -> {p:#x}"));
        self.send_seg(h, to_host, Seg::Rst { to: p });
    }

    /// The connection of `s` breaks with `error`: buffered bytes are
    /// dropped and outstanding operations fail with it.
    pub(crate) fn break_connection(&mut self, s: u64, error: i32) {
        self.break_connection_as(s, error, error);
    }

    /// The connection of `s` breaks: operations in progress fail with
    /// `in_progress`, later calls with `later`.
    pub(crate) fn break_connection_as(&mut self, s: u64, in_progress: i32, later: i32) {
        let error = in_progress;
        let keep_unread = self.quirk(Quirk::ResetKeepsUnreadBytes);
        let Some(st) = self.sockets.get_mut(&s) else {
            return;
        };
        // model choice: unread bytes are discarded; the next receive gets
        // the error (RECV-ECONNRESET-STREAM: the socket is no longer usable).
        // Under ResetKeepsUnreadBytes they stay for the next receives.
        st.tcp.broken = Some(later);
        st.tcp.broken_in_progress = Some(in_progress);
        if !keep_unread {
            st.tcp.rcvq.clear();
        }
        st.tcp.sndq.clear();
        st.tcp.rcv_msgs.clear();
        st.tcp.snd_msgs.clear();
        st.tcp.oob.clear();
        st.tcp.snd_urg.clear();
        st.tcp.incoming = 0;
        st.tcp.peer_sock = None;
        let h = st.host;
        self.log(h, "broken", || {
            format!("socket {s:#x}: {}", error_name(error).unwrap_or("?"))
        });
        self.abort_ops(s, None, error, true, true);
        self.stop_fault_timers(s);
    }

    /// A segment arrives.
    pub(crate) fn tcp_arrive(&mut self, seg: Seg) {
        match seg {
            Seg::Syn {
                host,
                from,
                src,
                dst,
            } => self.syn_arrives(host, from, src, dst),
            Seg::SynAck { to, child } => {
                let ok = self
                    .sockets
                    .get(&to)
                    .is_some_and(|st| st.tcp.state == TcpState::Connecting);
                if !ok {
                    // The connecting socket is gone or gave up: reset the
                    // listener's half.
                    if let Some(h) = self.host_of(child) {
                        self.send_seg(h, h, Seg::Rst { to: child });
                    }
                    return;
                }
                self.stop_connect_timer(to);
                let st = self.sockets.get_mut(&to).expect("checked");
                st.tcp.state = TcpState::Established;
                st.tcp.peer_sock = Some(child);
                st.tcp.so_error = 0;
                let h = st.host;
                self.log(h, "connected", || format!("socket {to:#x} <-> {child:#x}"));
                let ch = self.host_of(child).unwrap_or(h);
                self.send_seg(h, ch, Seg::Ack { to: child });
            }
            Seg::Ack { to } => {
                let Some(st) = self.sockets.get(&to) else {
                    return;
                };
                let TcpState::SynReceived { listener } = st.tcp.state else {
                    return;
                };
                let h = st.host;
                let listening = self
                    .sockets
                    .get(&listener)
                    .is_some_and(|l| l.tcp.state == TcpState::Listening);
                self.sockets.get_mut(&to).expect("checked").tcp.state = TcpState::Established;
                if !listening {
                    // The listener closed meanwhile.
                    self.reset_peer(to);
                    self.sockets.remove(&to);
                    return;
                }
                let l = self.sockets.get_mut(&listener).expect("checked");
                l.tcp.half_open -= 1;
                l.tcp.accept_q.push_back(to);
                self.log(h, "established", || {
                    format!("socket {to:#x} ready for accept on {listener:#x}")
                });
                self.pump(to, false);
            }
            Seg::Data {
                to,
                from,
                data,
                msg,
                urg,
            } => self.data_arrives(to, from, data, msg, urg),
            Seg::RetxTimeout { to } => self.retx_timeout(to),
            Seg::KeepaliveCheck { to } => self.keepalive_check(to),
            Seg::Fin { to } => {
                let Some(st) = self.sockets.get_mut(&to) else {
                    return;
                };
                if st.tcp.broken.is_some() {
                    return;
                }
                st.tcp.fin_rcvd = true;
                // model choice: a message its sender left unfinished ends
                // with the connection (if nothing of it is left to read, it
                // is gone).
                if let Some(last) = st.tcp.rcv_msgs.back_mut().filter(|m| !m.eom) {
                    if last.len == 0 {
                        st.tcp.rcv_msgs.pop_back();
                    } else {
                        last.eom = true;
                    }
                }
                let h = st.host;
                self.log(h, "fin-received", || format!("socket {to:#x}"));
                self.serve(to);
            }
            Seg::Rst { to } => {
                let rst_is_reset = self.quirk(Quirk::RstAfterFinIsReset);
                let Some(st) = self.sockets.get_mut(&to) else {
                    return;
                };
                match st.tcp.state {
                    TcpState::Connecting if st.tcp.syn_retries < REFUSED_RETRIES => {
                        // Windows sends the SYN again before it gives up.
                        st.tcp.syn_retries += 1;
                        let attempt = st.tcp.attempt;
                        self.schedule(
                            self.now + REFUSED_RETRY_NS,
                            Event::Tcp(Box::new(Seg::Resyn { to, attempt })),
                        );
                    }
                    TcpState::Connecting => {
                        // A refused connection.
                        st.tcp.state = TcpState::Closed;
                        self.stop_connect_timer(to);
                        let st = self.sockets.get_mut(&to).expect("checked");
                        st.tcp.so_error = WSAECONNREFUSED;
                        st.peer = None;
                        let h = st.host;
                        self.log(h, "refused", || format!("socket {to:#x}"));
                    }
                    TcpState::SynReceived { listener } => {
                        if let Some(l) = self.sockets.get_mut(&listener) {
                            l.tcp.half_open -= 1;
                        }
                        self.sockets.remove(&to);
                    }
                    TcpState::Established if st.tcp.broken.is_none() => {
                        // RECV-ECONNRESET-STREAM, RECV-ABORTIVE-ECONNRESET.
                        // RECV-ECONNABORTED: a reset after the peer's FIN
                        // (the answer to data sent to a peer that closed)
                        // aborts instead (Wine's test_shutdown on Windows).
                        let e = if st.tcp.fin_rcvd && !rst_is_reset {
                            WSAECONNABORTED
                        } else {
                            WSAECONNRESET
                        };
                        self.break_connection(to, e);
                    }
                    _ => {}
                }
            }
            Seg::Resyn { to, attempt } => {
                let again = self.sockets.get(&to).is_some_and(|st| {
                    st.tcp.state == TcpState::Connecting && st.tcp.attempt == attempt
                });
                if again {
                    self.send_syn(to);
                }
            }
            Seg::ConnectTimeout { to, attempt } => {
                let Some(st) = self.sockets.get_mut(&to) else {
                    return;
                };
                if st.tcp.state == TcpState::Connecting && st.tcp.attempt == attempt {
                    st.tcp.state = TcpState::Closed;
                    st.tcp.connect_timer = None;
                    st.tcp.so_error = WSAETIMEDOUT;
                    st.peer = None;
                    let h = st.host;
                    self.log(h, "connect-timeout", || format!("socket {to:#x}"));
                }
            }
        }
    }

    fn syn_arrives(&mut self, host: HostId, from: u64, src: SocketAddr, dst: SocketAddr) {
        let from_host = self.host_of(from).unwrap_or(host);
        if self.hosts[host].down {
            self.log(host, "drop", || format!("{src} -> {dst}: network down"));
            return;
        }
        let proto = self.sockets.get(&from).map(|st| (st.ty, st.protocol));
        let Some(l) = proto.and_then(|p| self.listener_for(host, &dst, p)) else {
            self.log(host, "refuse", || format!("{src} -> {dst}: no listener"));
            self.send_seg(host, from_host, Seg::Rst { to: from });
            return;
        };
        let ls = &self.sockets[&l];
        if ls.tcp.accept_q.len() + ls.tcp.half_open >= ls.tcp.backlog {
            // listen: a request that finds the queue full is refused
            // (WSAECONNREFUSED at the client).
            self.log(host, "refuse", || format!("{src} -> {dst}: backlog full"));
            self.send_seg(host, from_host, Seg::Rst { to: from });
            return;
        }
        let mut child = SocketState::new(host, ls.af, ls.ty, ls.protocol, ls.overlapped);
        // accept: the new socket has the listening socket's properties.
        child.nonblocking = ls.nonblocking;
        child.opts = ls.opts.clone();
        // RECV-ACCEPT-BOUND: an accepted socket is bound.
        child.local = Some(super::dgram::view(ls, dst));
        child.peer = Some(super::dgram::view(ls, src));
        child.tcp.state = TcpState::SynReceived { listener: l };
        child.tcp.peer_sock = Some(from);
        let id = self.alloc_handle();
        self.sockets.insert(id, child);
        self.sockets.get_mut(&l).expect("checked").tcp.half_open += 1;
        self.log(host, "syn-received", || {
            format!("{src} -> {dst}: socket {id:#x} for listener {l:#x}")
        });
        self.send_seg(
            host,
            from_host,
            Seg::SynAck {
                to: from,
                child: id,
            },
        );
    }

    /// The listening socket of `host` a connection to `dst` (wire form)
    /// of protocol `proto` (type, protocol) reaches: one bound to that
    /// address, else one bound to the wildcard.
    fn listener_for(&self, host: HostId, dst: &SocketAddr, proto: (i32, i32)) -> Option<u64> {
        let ip = dst.ip();
        let mut best: Option<(u8, u64)> = None;
        for (&id, st) in self.sockets.iter() {
            if st.host != host
                || st.tcp.state != TcpState::Listening
                || (st.ty, st.protocol) != proto
            {
                continue;
            }
            let Some(local) = st.local else { continue };
            if local.port() != dst.port() {
                continue;
            }
            let lip = super::dgram::wire_ip(local.ip());
            let family_ok = if ip.is_ipv4() {
                !st.is_v6() || (st.dual_stack() && (local.ip().is_unspecified() || lip.is_ipv4()))
            } else {
                st.is_v6() && lip.is_ipv6()
            };
            if !family_ok {
                continue;
            }
            let rank = if lip == ip {
                2
            } else if lip.is_unspecified() {
                1
            } else {
                continue;
            };
            if best.is_none_or(|(r, _)| rank > r) {
                best = Some((rank, id));
            }
        }
        best.map(|(_, id)| id)
    }

    fn data_arrives(
        &mut self,
        to: u64,
        from: u64,
        data: Vec<u8>,
        msg: Option<bool>,
        urg: Vec<usize>,
    ) {
        let n = data.len();
        let Some(st) = self.sockets.get_mut(&to) else {
            // Bytes for a socket that is gone draw a reset.
            if let Some(h) = self.host_of(from) {
                self.send_seg(h, h, Seg::Rst { to: from });
            }
            return;
        };
        st.tcp.incoming = st.tcp.incoming.saturating_sub(n);
        if st.tcp.broken.is_some() || st.tcp.peer_sock != Some(from) {
            return;
        }
        let h = st.host;
        if st.shut_rd {
            // shutdown: on TCP, data that arrives after SD_RECEIVE resets
            // the connection.
            self.log(h, "drop", || {
                format!("socket {to:#x}: {n} bytes after SD_RECEIVE")
            });
            self.reset_peer(to);
            self.break_connection(to, WSAECONNRESET);
            return;
        }
        if let Some(eom) = msg.filter(|_| st.is_seqpacket()) {
            super::message::piece_arrives(&mut st.tcp, n, eom);
        }
        let held_apart = !urg.is_empty() && !st.opts.oobinline;
        if urg.is_empty() {
            st.tcp.rcvq.extend(data);
        } else {
            super::urgent::urgent_arrives(st, data, &urg);
        }
        self.log(h, "deliver", || {
            format!("{from:#x} -> socket {to:#x} len={n}")
        });
        self.serve(to);
        if held_apart {
            // Urgent bytes kept apart take no room in the window: it
            // opened.
            self.pump(from, false);
        }
    }

    // ---- the calls' stream halves ----

    /// The checks a receive (`WSARecv`, `WSARecvFrom`) makes on a stream
    /// socket, after the buffer and pointer checks.
    pub(crate) fn stream_recv_check(&self, s: u64, flags: u32) -> Result<(), WsaError> {
        let st = &self.sockets[&s];
        // model choice: flags other than these fail as unsupported.
        let known = MSG_PEEK | MSG_OOB | MSG_WAITALL | MSG_PUSH_IMMEDIATE | MSG_PARTIAL;
        if flags & !known != 0 {
            return Err(code(WSAEOPNOTSUPP));
        }
        if flags & MSG_WAITALL != 0 {
            // RECV-WAITALL-EOPNOTSUPP-COMBO
            if flags & (MSG_OOB | MSG_PEEK | MSG_PARTIAL) != 0 {
                return Err(code(WSAEOPNOTSUPP));
            }
            // RECV-WAITALL-EOPNOTSUPP-NONBLOCKING
            if st.nonblocking {
                return Err(code(WSAEOPNOTSUPP));
            }
            // RECV-WAITALL-DGRAM: not on message-oriented sockets either.
            if st.is_seqpacket() {
                return Err(code(WSAEOPNOTSUPP));
            }
        }
        if flags & MSG_OOB != 0 {
            super::urgent::recv_oob_check(st).map_err(code)?;
        }
        if self.quirk(Quirk::BrokenRecvEndsStream) && st.tcp.broken.is_some() && !st.shut_rd {
            // The receive gets the end of the stream instead
            // (`end_of_broken`).
            return Ok(());
        }
        self.connection_check(s, st.shut_rd)
    }

    /// The checks a stream receive and send share, after their flags: the
    /// connection (RECV-ENOTCONN), the direction shut down (RECV-ESHUTDOWN),
    /// a broken connection, which stays broken (RECV-ECONNRESET-STREAM).
    fn connection_check(&self, s: u64, shut: bool) -> Result<(), WsaError> {
        let st = &self.sockets[&s];
        if st.tcp.state != TcpState::Established {
            return Err(code(WSAENOTCONN));
        }
        if shut {
            return Err(code(WSAESHUTDOWN));
        }
        if let Some(e) = st.tcp.broken {
            // A call that was waiting when the connection broke (it runs
            // again now) may get another code than later calls.
            let e = match st.tcp.broken_in_progress {
                Some(p) if self.resuming() => p,
                _ => e,
            };
            return Err(code(e));
        }
        Ok(())
    }

    /// A blocking or non-blocking receive on a stream socket, after its
    /// checks: waits for a byte, the end, or a failure, then fills.
    pub(crate) fn stream_recv(
        &mut self,
        host: HostId,
        s: u64,
        bufs: &mut [WsaBuf],
        flags: u32,
        out: &mut super::call::RecvOut,
    ) -> Step<()> {
        let resuming = self.resuming();
        let room: usize = bufs.iter().map(|b| b.len as usize).sum();
        let waitall = flags & MSG_WAITALL != 0;
        let st = &self.sockets[&s];
        if !rx_ready(st, room, flags) {
            if st.nonblocking && !resuming {
                return Err(code(WSAEWOULDBLOCK).into());
            }
            let deadline = self.deadline_ms(st.opts.rcvtimeo);
            if waitall {
                // RECV-WAITALL: a request larger than SO_RCVBUF still fills
                // (model choice: the window widens to it while it waits).
                self.sockets.get_mut(&s).expect("checked").tcp.waitall_room = room;
                if let Some(p) = self.sockets[&s].tcp.peer_sock {
                    self.pump(p, false);
                }
            }
            // RECV-BLOCKING-ALERTABLE
            let r = self.wait_until(host, deadline, "a blocking receive", true, move |w| {
                w.sockets.get(&s).is_none_or(|st| rx_ready(st, room, flags))
            });
            let end = match r {
                Ok(()) => None,
                Err(WaitEnd::Timeout) => Some(code(WSAETIMEDOUT)),
                Err(WaitEnd::Deadlock(e)) => Some(e),
                Err(WaitEnd::Park(b)) => {
                    let me = self.me;
                    if let Some(w) = self.sched.rec_mut(me).wait.as_mut() {
                        w.recv_on = Some(s);
                    }
                    return Err(Halt::Block(b));
                }
            };
            let Some(st) = self.sockets.get_mut(&s) else {
                return Err(code(WSAEINTR).into());
            };
            st.tcp.waitall_room = 0;
            if let Some(e) = end {
                return Err(e.into());
            }
        }
        Ok(self.stream_fill(host, s, bufs, flags, out)?)
    }

    /// Takes bytes from the receive buffer into `bufs` (a receive that can
    /// complete): the end, the failure, or at least one byte.
    pub(crate) fn stream_fill(
        &mut self,
        host: HostId,
        s: u64,
        bufs: &mut [WsaBuf],
        flags: u32,
        out: &mut super::call::RecvOut,
    ) -> Result<(), WsaError> {
        let peek = flags & MSG_PEEK != 0;
        let waitall = flags & MSG_WAITALL != 0;
        let room: usize = bufs.iter().map(|b| b.len as usize).sum();
        let st = &self.sockets[&s];
        if st.shut_rd {
            return Err(code(WSAESHUTDOWN));
        }
        if let Some(e) = st.tcp.broken {
            if !self.quirk(Quirk::BrokenRecvEndsStream) {
                return Err(code(e));
            }
            if st.tcp.rcvq.is_empty() || flags & MSG_OOB != 0 {
                return self.end_of_broken(host, s, flags, out);
            }
        }
        if flags & MSG_OOB != 0 {
            return self.oob_fill(host, s, bufs, flags, out);
        }
        if st.is_seqpacket() {
            return self.message_fill(host, s, bufs, flags, out);
        }
        let avail = st.tcp.rcvq.len();
        // RECV-STREAM-AS-MUCH-AS-POSSIBLE, RECV-STREAM-FILL: what is
        // buffered and fits ...
        let mut k = avail.min(room);
        // ... RECV-STREAM-ONE-BYTE-UNBLOCKS: or, by seed, fewer (at least
        // one). MSG_WAITALL asks for full buffers; MSG_PUSH_IMMEDIATE is a
        // hint that changes nothing here (RECV-PUSH-IMMEDIATE).
        if k > 1 && !waitall && self.cfg.stream_reads == StreamReads::Seeded && self.rng.coin() {
            k = 1 + self.rng.below(k as u64) as usize;
        }
        let flags_out = self.stream_flags_out(flags);
        let st = self.sockets.get_mut(&s).expect("checked");
        // RECV-BUFFER-ORDER: array order, packed.
        copy_out(&st.tcp.rcvq, bufs, k);
        // RECV-PEEK: a peek leaves the bytes queued.
        if !peek {
            st.tcp.rcvq.drain(..k);
        }
        *out = super::call::RecvOut::filled(k as u32, flags_out);
        let peer = st.tcp.peer_sock;
        self.log(host, "recv", || {
            if k == 0 {
                format!("socket {s:#x} end of stream")
            } else {
                format!("socket {s:#x} len={k}{}", if peek { " (peek)" } else { "" })
            }
        });
        // RECV-GRACEFUL-BYTESTREAM: zero bytes with success is the end.
        if !peek && k > 0 {
            if let Some(p) = peer {
                // The window opened.
                self.pump(p, false);
            }
        }
        Ok(())
    }

    /// The output flags of a stream receive: none, or the input flags
    /// handed back (`RecvFlagsEchoInput`, as for datagrams).
    pub(crate) fn stream_flags_out(&self, flags_in: u32) -> u32 {
        if self.quirk(Quirk::RecvFlagsEchoInput) {
            flags_in
        } else {
            0
        }
    }

    /// `BrokenRecvEndsStream`: a receive on a connection broken by a reset
    /// or an abort gets zero bytes and success, the end of the stream,
    /// where the pages say `WSAECONNRESET` or `WSAECONNABORTED`, once the
    /// bytes kept by `ResetKeepsUnreadBytes` are read.
    fn end_of_broken(
        &mut self,
        host: HostId,
        s: u64,
        flags: u32,
        out: &mut super::call::RecvOut,
    ) -> Result<(), WsaError> {
        *out = super::call::RecvOut::filled(0, self.stream_flags_out(flags));
        self.log(host, "recv", || {
            format!("socket {s:#x} end of stream (Wine 8.0: a broken connection)")
        });
        Ok(())
    }

    /// The checks a send (`WSASend`, `WSASendTo`) makes on a stream socket.
    pub(crate) fn stream_send_check(&self, s: u64, flags: u32, len: usize) -> Result<(), WsaError> {
        let st = &self.sockets[&s];
        // SENDMSG-PARTIAL: transports without partial messages refuse
        // MSG_PARTIAL with WSAEOPNOTSUPP; a protocol with
        // XP1_PARTIAL_MESSAGE continues the message in the next send.
        if flags & MSG_PARTIAL != 0 && !st.xp1(XP1_PARTIAL_MESSAGE) {
            return Err(code(WSAEOPNOTSUPP));
        }
        // SENDMSG-OOB: urgent data needs XP1_EXPEDITED_DATA (TCP).
        if flags & MSG_OOB != 0 && !st.xp1(XP1_EXPEDITED_DATA) {
            return Err(code(WSAEOPNOTSUPP));
        }
        if flags & !(MSG_DONTROUTE | MSG_OOB | MSG_PARTIAL) != 0 {
            return Err(code(WSAEOPNOTSUPP));
        }
        self.connection_check(s, st.shut_wr)?;
        // SENDMSG-EMSGSIZE-MAX: a message protocol's message must pass
        // atomically.
        if st.sends_messages() && len + st.tcp.snd_open_len > st.max_msg_size() as usize {
            return Err(code(WSAEMSGSIZE));
        }
        Ok(())
    }

    /// A blocking or non-blocking send on a stream socket, after its checks:
    /// waits for send-buffer room, then hands the bytes over.
    pub(crate) fn stream_send(
        &mut self,
        host: HostId,
        s: u64,
        data: Vec<u8>,
        flags: u32,
    ) -> Step<u32> {
        let resuming = self.resuming();
        let st = &self.sockets[&s];
        if !tx_ready(st) {
            if st.nonblocking && !resuming {
                return Err(code(WSAEWOULDBLOCK).into());
            }
            let deadline = self.deadline_ms(st.opts.sndtimeo);
            // SENDMSG-BLOCKING-ALERTABLE
            let r = self.wait_until(host, deadline, "a blocking send", true, move |w| {
                w.sockets
                    .get(&s)
                    .is_none_or(|st| tx_ready(st) || st.tcp.broken.is_some() || st.shut_wr)
            });
            r.map_err(|end| end.halt(|| code(WSAETIMEDOUT)))?;
            let Some(st) = self.sockets.get(&s) else {
                return Err(code(WSAEINTR).into());
            };
            if let Some(e) = st.tcp.broken {
                return Err(code(e).into());
            }
            if st.shut_wr {
                return Err(code(WSAESHUTDOWN).into());
            }
        }
        Ok(self.stream_take(host, s, data, flags))
    }

    /// Hands a send's bytes to the transport and starts them on their way;
    /// returns how many were taken.
    pub(crate) fn stream_take(&mut self, host: HostId, s: u64, data: Vec<u8>, flags: u32) -> u32 {
        let st = self.sockets.get_mut(&s).expect("checked");
        let mut n = data.len();
        let room = (st.opts.sndbuf as usize)
            .max(1)
            .saturating_sub(st.tcp.sndq.len());
        // SENDMSG-NONBLOCKING-STREAM-PARTIAL: a non-blocking socket with
        // too little room may take only part (the seed decides between that
        // and taking the whole send, which is what Windows' AFD does). A
        // message, and urgent data, are taken whole (model choice).
        let whole = st.sends_messages() || flags & MSG_OOB != 0;
        if !whole && st.nonblocking && n > room && room > 0 && self.rng.coin() {
            n = room;
        }
        let st = self.sockets.get_mut(&s).expect("checked");
        st.tcp.sndq.extend(&data[..n]);
        // A pseudo-stream's receiver sees bytes: only SOCK_SEQPACKET keeps
        // the pieces.
        if st.is_seqpacket() {
            st.tcp.snd_msgs.push_back(Piece {
                len: n,
                eom: flags & MSG_PARTIAL == 0,
            });
            st.tcp.snd_open_len = if flags & MSG_PARTIAL == 0 {
                0
            } else {
                st.tcp.snd_open_len + n
            };
        }
        // RECV-OOB: the last byte of an urgent send is the urgent byte.
        if flags & MSG_OOB != 0 && n > 0 {
            let end = st.tcp.sndq.len();
            st.tcp.snd_urg.push_back(end);
        }
        self.log(host, "buffered", || format!("socket {s:#x} len={n}"));
        self.pump(s, false);
        n as u32
    }

    /// What `closesocket` does to a stream socket before it is removed.
    pub(crate) fn stream_close(&mut self, s: u64) {
        self.stop_connect_timer(s);
        self.stop_fault_timers(s);
        let st = &self.sockets[&s];
        match st.tcp.state {
            TcpState::Listening => {
                // Connections nobody accepted are reset.
                let mut children: Vec<u64> = st.tcp.accept_q.iter().copied().collect();
                children.extend(self.sockets.iter().filter_map(|(&id, c)| {
                    (c.tcp.state == TcpState::SynReceived { listener: s }).then_some(id)
                }));
                for c in children {
                    // Nobody holds their handles, so no operation is
                    // outstanding on them.
                    self.stop_fault_timers(c);
                    self.reset_peer(c);
                    self.sockets.remove(&c);
                }
            }
            TcpState::Established if st.tcp.broken.is_none() => {
                let abortive = st.opts.linger == Some(0) || st.tcp.unread();
                if abortive {
                    // SO_LINGER with a zero time-out, or unread bytes left
                    // (RFC 1122 4.2.2.13): a reset, not a FIN.
                    self.reset_peer(s);
                } else {
                    // model choice: what the application sent leaves at once,
                    // whatever the peer's window, and the FIN follows it.
                    let st = self.sockets.get_mut(&s).expect("checked");
                    st.tcp.fin_queued = true;
                    self.pump(s, true);
                    // model choice: output that cannot reach the peer now
                    // (faults.rs) goes with the socket; the peer learns of
                    // the close only if its own time-outs tell it.
                    self.stop_fault_timers(s);
                }
            }
            _ => {}
        }
    }

    /// `shutdown` on a stream socket.
    pub(crate) fn stream_shutdown(&mut self, s: u64, how: i32) -> Result<(), i32> {
        let st = self.sockets.get_mut(&s).expect("checked");
        if st.tcp.state != TcpState::Established {
            return Err(WSAENOTCONN);
        }
        if !matches!(how, SD_RECEIVE | SD_SEND | SD_BOTH) {
            return Err(WSAEINVAL);
        }
        if how != SD_RECEIVE {
            st.shut_wr = true;
            st.tcp.fin_queued = true;
        }
        let unread = st.tcp.unread();
        if how != SD_SEND {
            st.shut_rd = true;
            if unread && st.tcp.broken.is_none() {
                // shutdown: bytes still waiting to be read reset the
                // connection.
                self.reset_peer(s);
                self.break_connection(s, WSAECONNRESET);
                return Ok(());
            }
        }
        self.pump(s, false);
        Ok(())
    }
}
