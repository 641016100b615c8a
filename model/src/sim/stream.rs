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
//! This file has the connection's set-up (listen, accept, connect) and its
//! end (close, shutdown); `stream_wire.rs` moves bytes and segments between
//! the two ends, and `stream_io.rs` has the receive and send calls' stream
//! halves.
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

use super::events::Event;
use super::net::HostId;
use super::sched_state::Step;
use super::socket::SocketState;
use super::tcp::{Seg, Tcp, TcpState};
use super::world::World;
use crate::contract::consts::*;
use crate::contract::{Quirk, WsaError};
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

pub(crate) fn code(c: i32) -> WsaError {
    WsaError::Code(c)
}

/// The receive window of a socket: its `SO_RCVBUF` (or the room of a
/// `MSG_WAITALL` receive waiting on it, if larger) minus what it holds and
/// what is on the way.
pub(crate) fn window(st: &SocketState) -> usize {
    let ovl_waitall = st
        .pending_rx
        .iter()
        .filter(|op| op.flags_in & MSG_WAITALL != 0)
        .map(|op| op.buffers.iter().map(|b| b.len as usize).sum::<usize>())
        .max()
        .unwrap_or(0);
    let limit = (st.opts.rcvbuf as usize)
        .max(st.tcp().waitall_room)
        .max(ovl_waitall);
    limit.saturating_sub(st.tcp().rcvq.len() + st.tcp().incoming)
}

/// Whether a stream receive with `flags` asking for `room` bytes (all of
/// them with `MSG_WAITALL`) could complete now.
pub(crate) fn rx_ready(st: &SocketState, room: usize, flags: u32) -> bool {
    let t = &st.tcp();
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
    st.tcp().sndq.len() < (st.opts.sndbuf as usize).max(1)
}

impl World {
    /// The one-way latency between two hosts.
    pub(crate) fn link_latency(&self, a: HostId, b: HostId) -> u64 {
        if a == b {
            self.cfg.loopback_latency_ns
        } else {
            self.cfg.latency_ns
        }
    }

    pub(crate) fn send_seg(&mut self, from_host: HostId, to_host: HostId, seg: Seg) {
        let at = self.now + self.link_latency(from_host, to_host);
        self.schedule(at, Event::Tcp(Box::new(seg)));
    }

    pub(crate) fn host_of(&self, s: u64) -> Option<HostId> {
        self.sockets.get(&s).map(|st| st.host)
    }

    // ---- listen, accept, connect ----

    pub(crate) fn listen(&mut self, host: HostId, s: u64, backlog: i32) -> Result<(), i32> {
        self.check_sock(host, s)?;
        let st = self.sock_mut(host, s)?;
        if st.is_dgram() {
            return Err(WSAEOPNOTSUPP);
        }
        match st.tcp().state {
            TcpState::Closed if st.local.is_none() => return Err(WSAEINVAL),
            TcpState::Closed | TcpState::Listening => {}
            TcpState::Established | TcpState::SynReceived { .. } => return Err(WSAEISCONN),
            // model choice: a socket still connecting cannot listen.
            TcpState::Connecting => return Err(WSAEINVAL),
        }
        // SOMAXCONN: "a maximum reasonable value"; SOMAXCONN_HINT(N) is -N,
        // put within (200, 65535). model choice: 0 is 1, and a plain backlog
        // above 200 is 200. A second listen changes the backlog.
        st.tcp_mut().backlog = if backlog == SOMAXCONN {
            MAX_BACKLOG
        } else if backlog < 0 {
            (backlog.unsigned_abs() as usize).clamp(MAX_BACKLOG, MAX_BACKLOG_HINT)
        } else {
            (backlog as usize).clamp(1, MAX_BACKLOG)
        };
        st.tcp_mut().state = TcpState::Listening;
        let (local, b) = (st.local, st.tcp().backlog);
        self.log(host, "listen", || {
            format!("socket {s:#x} on {} backlog={b}", local.expect("bound"))
        });
        Ok(())
    }

    /// What a blocking stream call (`accept`, `connect`) checks first;
    /// returns whether the call is being run again after a wait.
    pub(crate) fn blocking_call_start(
        &self,
        host: HostId,
        s: u64,
        call: &str,
    ) -> Result<bool, WsaError> {
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
        if st.tcp().state != TcpState::Listening {
            return Err(code(WSAEINVAL).into());
        }
        if st.tcp().accept_q.is_empty() {
            if st.nonblocking && !resuming {
                return Err(code(WSAEWOULDBLOCK).into());
            }
            let r = self.wait_until(host, None, "accept", true, move |w| {
                w.sockets.get(&s).is_none_or(|st| {
                    !st.tcp().accept_q.is_empty() || st.tcp().state != TcpState::Listening
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
            .tcp_mut()
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
            match st.tcp().state {
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
                st.tcp_mut().state = TcpState::Connecting;
                st.tcp_mut().attempt += 1;
                st.tcp_mut().syn_retries = 0;
                // Wine's test_select (on Windows): a new connect does not
                // clear SO_ERROR; a connection that is made does.
                let l = st.local.expect("bound");
                let src = SocketAddr::new(route.src_ip, l.port());
                st.tcp_mut().syn = Some((src, w, target));
                src
            };
            let attempt = self.sockets[&s].tcp().attempt;
            self.log(host, "syn", || format!("{src} -> {w}"));
            self.send_syn(s);
            let key = self.schedule_key(
                self.now + CONNECT_TIMEOUT_NS,
                Event::Tcp(Box::new(Seg::ConnectTimeout { to: s, attempt })),
            );
            self.sockets
                .get_mut(&s)
                .expect("checked")
                .tcp_mut()
                .connect_timer = Some(key);
            if self.sockets[&s].nonblocking {
                return Err(code(WSAEWOULDBLOCK).into());
            }
        }
        let r = self.wait_until(host, None, "connect", true, move |w| {
            w.sockets
                .get(&s)
                .is_none_or(|st| st.tcp().state != TcpState::Connecting)
        });
        r.map_err(|end| end.halt(|| unreachable!("connect's time-out is an event")))?;
        let Some(st) = self.sockets.get_mut(&s) else {
            return Err(code(WSAEINTR).into());
        };
        match st.tcp().state {
            TcpState::Established => Ok(()),
            _ => {
                let e = std::mem::take(&mut st.tcp_mut().so_error);
                Err(code(if e == 0 { WSAECONNREFUSED } else { e }).into())
            }
        }
    }

    /// Drops the time-out of `s`'s connection attempt: a stale timer must
    /// not move the clock.
    pub(crate) fn stop_connect_timer(&mut self, s: u64) {
        self.cancel_timer(s, |t| &mut t.connect_timer);
    }

    /// Drops the pending timer event of `s` kept in the `Tcp` field that
    /// `slot` picks (a connect, retransmission or keep-alive timer), if
    /// the socket and the timer exist.
    pub(crate) fn cancel_timer(&mut self, s: u64, slot: fn(&mut Tcp) -> &mut Option<(u64, u64)>) {
        if let Some(key) = self
            .sockets
            .get_mut(&s)
            .and_then(|st| slot(st.tcp_mut()).take())
        {
            self.events.remove(&key);
        }
    }

    /// Sends the SYN of `s`'s connection attempt (again).
    pub(crate) fn send_syn(&mut self, s: u64) {
        let st = &self.sockets[&s];
        let host = st.host;
        let Some((src, dst, target)) = st.tcp().syn else {
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

    /// What `closesocket` does to a stream socket before it is removed.
    pub(crate) fn stream_close(&mut self, s: u64) {
        self.stop_connect_timer(s);
        self.stop_fault_timers(s);
        let st = &self.sockets[&s];
        match st.tcp().state {
            TcpState::Listening => {
                // Connections nobody accepted are reset.
                let mut children: Vec<u64> = st.tcp().accept_q.iter().copied().collect();
                children.extend(self.sockets.iter().filter_map(|(&id, c)| {
                    c.stream()
                        .is_some_and(|t| t.state == TcpState::SynReceived { listener: s })
                        .then_some(id)
                }));
                for c in children {
                    // Nobody holds their handles, so no operation is
                    // outstanding on them.
                    self.stop_fault_timers(c);
                    self.reset_peer(c);
                    self.sockets.remove(&c);
                }
            }
            TcpState::Established if st.tcp().broken.is_none() => {
                let abortive = st.opts.linger == Some(0) || st.tcp().unread();
                if abortive {
                    // SO_LINGER with a zero time-out, or unread bytes left
                    // (RFC 1122 4.2.2.13): a reset, not a FIN.
                    self.reset_peer(s);
                } else {
                    // model choice: what the application sent leaves at once,
                    // whatever the peer's window, and the FIN follows it.
                    let st = self.sockets.get_mut(&s).expect("checked");
                    st.tcp_mut().fin_queued = true;
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
        // WIN-SHUTDOWN-RECEIVE-PENDING: on Windows the receives outstanding
        // at SD_RECEIVE go on, and data arriving fills them.
        let keep = how == SD_RECEIVE
            && self.quirk(Quirk::ShutdownReceiveKeepsPending)
            && !self.sockets[&s].pending_rx.is_empty();
        let st = self.sockets.get_mut(&s).expect("checked");
        if st.tcp().state != TcpState::Established {
            return Err(WSAENOTCONN);
        }
        if !matches!(how, SD_RECEIVE | SD_SEND | SD_BOTH) {
            return Err(WSAEINVAL);
        }
        if how != SD_RECEIVE {
            st.shut_wr = true;
            st.tcp_mut().fin_queued = true;
        }
        let unread = st.tcp().unread();
        if keep {
            st.shut_rd_new = true;
        } else if how != SD_SEND {
            st.shut_rd = true;
            if unread && st.tcp().broken.is_none() {
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
