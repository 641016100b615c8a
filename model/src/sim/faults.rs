//! Connections the network breaks: retransmission time-outs and keep-alive
//! failures.
//!
//! A connection's peer is unreachable while either end's host has its
//! network down ([`Sim::set_network_down`](crate::Sim::set_network_down)).
//! Then nothing leaves: data and FINs wait in the send buffer. If output
//! waits for the whole retransmission time-out, the connection is dropped
//! with `WSAETIMEDOUT`, the code the `WSARecv` seed gives
//! (RECV-ETIMEDOUT-DROPPED; Microsoft's error-code page ties
//! `WSAECONNABORTED` to "a data transmission time-out", and field reports
//! see that code on Windows: a Windows profile would differ here). An idle
//! connection with `SO_KEEPALIVE` is dropped once its keep-alive probes
//! have gone unanswered (after `SIO_KEEPALIVE_VALS`, with that
//! connection's time and interval): operations in progress fail with `WSAENETRESET`
//! (RECV-ENETRESET-KEEPALIVE), later ones with `WSAECONNRESET`. When the
//! network comes back before that, the waiting output leaves and nothing
//! is reported.
//!
//! Model choices: the time-outs count from the moment the peer became
//! unreachable (or the output was queued), not from the last segment, and
//! segments already on the wire when a host goes down still arrive. Only
//! data and FINs are held back: resets (an abortive close, `shutdown` with
//! unread data) still reach the peer. Output still waiting when its socket
//! is closed is discarded with it. The ends are not told of each other's
//! failure: each side finds out by its own time-outs, and a connection
//! whose peer socket is gone has nothing to time out.
//!
//! Deliberately not modelled: individual retransmissions and probes, RTT
//! estimation, `TCP_MAXRT`, `TCP_KEEPALIVE`,
//! `TCP_KEEPCNT`, `TCP_KEEPINTVL`, partitions between two hosts that are
//! both up, and ICMP errors on connections.

use super::events::Event;
use super::net::HostId;
use super::tcp::{Seg, TcpState};
use super::world::World;
use crate::contract::consts::*;
use crate::contract::quirks::Quirk;

/// How long unacknowledged data is retransmitted before the connection is
/// dropped: Windows' `TcpMaxDataRetransmissions` (5, KB170359) with a
/// retransmission time-out of 300 ms doubling each time, 63 × 0.3 s (model
/// setting; a field report measured about 20 s on a LAN).
pub(crate) const DATA_RETX_TIMEOUT_NS: u64 = 18_900_000_000;

/// How long a connection is idle before the first keep-alive probe:
/// Windows' `KeepAliveTime` default, two hours (model setting).
pub(crate) const KEEPALIVE_TIME_NS: u64 = 7_200_000_000_000;

/// The pause between unanswered keep-alive probes: `KeepAliveInterval`,
/// one second (model setting).
pub(crate) const KEEPALIVE_INTERVAL_NS: u64 = 1_000_000_000;

/// Unanswered probes before the connection is dropped: 10 on Windows Vista
/// and later (model setting).
pub(crate) const KEEPALIVE_PROBES: u64 = 10;

impl World {
    /// Whether segments can pass between two hosts now.
    pub(crate) fn reachable(&self, a: HostId, b: HostId) -> bool {
        !self.hosts[a].down && !self.hosts[b].down
    }

    /// Whether the peer of connection `s` can be reached (true when the
    /// socket has no live connection: nothing to time out).
    fn peer_reachable(&self, s: u64) -> bool {
        let Some(st) = self.sockets.get(&s) else {
            return true;
        };
        match st.tcp().peer_sock.and_then(|p| self.sockets.get(&p)) {
            Some(ps) => self.reachable(st.host, ps.host),
            None => true,
        }
    }

    fn live(&self, s: u64) -> bool {
        self.sockets
            .get(&s)
            .is_some_and(|st| st.tcp().state == TcpState::Established && st.tcp().broken.is_none())
    }

    /// Output of `s` cannot leave: starts the retransmission time-out if it
    /// is not running.
    pub(crate) fn start_retx_timer(&mut self, s: u64) {
        if self.sockets[&s].tcp().retx_timer.is_some() {
            return;
        }
        let key = self.schedule_key(
            self.now + DATA_RETX_TIMEOUT_NS,
            Event::Tcp(Box::new(Seg::RetxTimeout { to: s })),
        );
        self.sockets
            .get_mut(&s)
            .expect("checked")
            .tcp_mut()
            .retx_timer = Some(key);
    }

    /// Output of `s` left: the retransmission time-out stops.
    pub(crate) fn stop_retx_timer(&mut self, s: u64) {
        self.cancel_timer(s, |t| &mut t.retx_timer);
    }

    pub(crate) fn stop_keepalive_timer(&mut self, s: u64) {
        self.cancel_timer(s, |t| &mut t.keepalive_timer);
    }

    /// The connection ended: its fault timers must not move the clock.
    pub(crate) fn stop_fault_timers(&mut self, s: u64) {
        self.stop_retx_timer(s);
        self.stop_keepalive_timer(s);
    }

    /// Starts or stops `s`'s keep-alive count down after its option or its
    /// peer's reachability changed.
    pub(crate) fn watch_connection(&mut self, s: u64) {
        if !self.live(s) {
            return;
        }
        let st = &self.sockets[&s];
        let armed = st.tcp().keepalive_timer.is_some();
        let want = st.opts.keepalive && !self.peer_reachable(s);
        if want && !armed {
            // SIO_KEEPALIVE_VALS: the connection's own time and interval;
            // "the number of keep-alive probes is set to 10 and cannot be
            // changed" (Windows Vista and later).
            let (time, interval) = st
                .tcp()
                .keepalive_vals
                .unwrap_or((KEEPALIVE_TIME_NS, KEEPALIVE_INTERVAL_NS));
            let at = self.now + time + KEEPALIVE_PROBES * interval;
            let key = self.schedule_key(at, Event::Tcp(Box::new(Seg::KeepaliveCheck { to: s })));
            self.sockets
                .get_mut(&s)
                .expect("checked")
                .tcp_mut()
                .keepalive_timer = Some(key);
        } else if !want && armed {
            self.stop_keepalive_timer(s);
        }
    }

    /// A host's network went down or came back: every connection looks
    /// again at its peer (in socket order, so the trace is deterministic).
    pub(crate) fn network_changed(&mut self) {
        let ids: Vec<u64> = self
            .sockets
            .iter()
            .filter(|(_, st)| !st.is_dgram())
            .map(|(&id, _)| id)
            .collect();
        for s in ids {
            if !self.live(s) {
                continue;
            }
            self.watch_connection(s);
            // Output that waited leaves now (or starts its time-out).
            if self.sockets[&s].tcp().output_pending() {
                self.pump(s, false);
            }
        }
    }

    /// RECV-ETIMEDOUT-DROPPED: output could not leave for the whole
    /// retransmission time-out.
    pub(crate) fn retx_timeout(&mut self, s: u64) {
        let Some(st) = self.sockets.get_mut(&s) else {
            return;
        };
        st.tcp_mut().retx_timer = None;
        if !self.live(s) || self.peer_reachable(s) || !self.sockets[&s].tcp().output_pending() {
            return;
        }
        let h = self.sockets[&s].host;
        self.log(h, "retransmission-timeout", || format!("socket {s:#x}"));
        let e = if self.quirk(Quirk::RetxTimeoutConnAborted) {
            WSAECONNABORTED
        } else {
            WSAETIMEDOUT
        };
        self.break_connection(s, e);
    }

    /// RECV-ENETRESET-KEEPALIVE: the probes of an idle connection went
    /// unanswered. A connection with output waiting is left to its
    /// retransmission time-out.
    pub(crate) fn keepalive_check(&mut self, s: u64) {
        let Some(st) = self.sockets.get_mut(&s) else {
            return;
        };
        st.tcp_mut().keepalive_timer = None;
        if !self.live(s) || self.peer_reachable(s) || !self.sockets[&s].opts.keepalive {
            return;
        }
        if self.sockets[&s].tcp().output_pending() {
            return;
        }
        let h = self.sockets[&s].host;
        self.log(h, "keepalive-failed", || format!("socket {s:#x}"));
        // Operations in progress fail with WSAENETRESET, later ones with
        // WSAECONNRESET (Microsoft's Windows Sockets error codes,
        // WSAECONNRESET).
        self.break_connection_as(s, WSAENETRESET, WSAECONNRESET);
    }
}
