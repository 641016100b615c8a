//! Readiness: what a socket could do now without blocking, computed from
//! its state without doing anything to it, and the wait of `WSAPoll` and
//! `select` for it (the calls themselves are in `host_poll.rs`).
//!
//! A socket's readiness is a set of conditions ([`Ready`]) close to what
//! Windows' AFD driver reports; `WSAPoll` and `select` each map it their
//! own way, because Windows does: a connection attempt that failed is
//! `POLLWRNORM | POLLHUP | POLLERR` to `WSAPoll` but only the exception set
//! to `select`, a reset is `POLLHUP | POLLERR | POLLWRNORM` to `WSAPoll` and
//! the read and write sets to `select` (Wine's `test_WSAPoll`,
//! `test_select` and `test_tcp_reset`, `dlls/ws2_32/tests/sock.c` of Debian's
//! wine 8.0~repack-4, which the Wine project runs on Windows; the lines are
//! cited where each rule is made).

use super::net::HostId;
use super::sched_state::{Halt, Step};
use super::socket::{SocketState, Transport};
use super::tcp::TcpState;
use super::world::{WaitEnd, World};
use crate::contract::consts::*;
use crate::contract::error::ReportKind;
use crate::contract::types::Socket;
use crate::contract::WsaError;

/// What a socket is ready for: a set of conditions, as Windows' AFD poll
/// reports them (`AFD_POLL_*`), which `WSAPoll` and `select` map each
/// their own way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Ready(u16);

impl Ready {
    /// Normal data (or a zero-length message) to read.
    pub(crate) const READ: Ready = Ready(1);
    /// Urgent data held apart from the stream (`SO_OOBINLINE` off).
    pub(crate) const OOB: Ready = Ready(2);
    /// A send would not block.
    pub(crate) const WRITE: Ready = Ready(4);
    /// A listening socket has an established connection to accept.
    pub(crate) const ACCEPT: Ready = Ready(8);
    /// The peer's FIN arrived.
    pub(crate) const HUP: Ready = Ready(16);
    /// The connection broke (reset, aborted, timed out).
    pub(crate) const RESET: Ready = Ready(32);
    /// The socket's connection attempt failed.
    pub(crate) const CONNECT_ERR: Ready = Ready(64);
    /// The socket was closed while the call waited.
    pub(crate) const CLOSED: Ready = Ready(128);
    pub(crate) fn has(self, o: Ready) -> bool {
        self.0 & o.0 != 0
    }

    pub(crate) fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub(crate) fn and(self, o: Ready) -> Ready {
        Ready(self.0 & o.0)
    }

    fn set(&mut self, o: Ready, on: bool) {
        if on {
            self.0 |= o.0;
        }
    }
}

impl std::ops::BitOr for Ready {
    type Output = Ready;
    fn bitor(self, o: Ready) -> Ready {
        Ready(self.0 | o.0)
    }
}

/// Whether a socket handle is "negative" in `WSAPOLLFD.fd`'s sense: its
/// top bit set, as `INVALID_SOCKET` (`~0`) has.
pub(crate) fn negative(s: Socket) -> bool {
    (s.0 as i64) < 0
}

/// The conditions of a stream socket.
fn stream_ready(st: &SocketState) -> Ready {
    let t = st.tcp();
    let mut r = Ready::default();
    match t.state {
        // `WSAPoll`, Remarks (TCP and UDP sockets): a listening socket with
        // a connection pending is POLLRDNORM, "a subsequent call to accept
        // is guaranteed to complete without blocking"; it is never
        // writable (sock.c:7885-7892, 7920-7924).
        TcpState::Listening => r.set(Ready::ACCEPT, !t.accept_q.is_empty()),
        // Not connected: nothing, unless an attempt was made and failed
        // (the state is back to Closed after a failure; a made connection
        // is Established). A new socket reports nothing (sock.c:3983-3989).
        TcpState::Closed => r.set(Ready::CONNECT_ERR, t.attempt > 0),
        // Still connecting: nothing yet (select: "If processing a connect
        // call (nonblocking), connection has succeeded" is the write set).
        TcpState::Connecting | TcpState::SynReceived { .. } => {}
        TcpState::Established => {
            let data = if st.is_seqpacket() {
                super::message::msg_ready(st, 0)
            } else {
                !t.rcvq.is_empty()
            };
            r.set(Ready::READ, data);
            // SO_OOBINLINE off: the urgent byte is apart, POLLRDBAND and
            // the exception set (sock.c:7966-7968, 4203-4210); inline it
            // is normal data (sock.c:7986-7988, 4220-4225).
            r.set(Ready::OOB, !t.oob.is_empty());
            // A FIN: POLLHUP, and POLLRDNORM only while bytes are left
            // (sock.c:8026-8027, 8049-8050); `WSAPoll`, Remarks: POLLHUP
            // "when a remote peer shuts down a send operation (a TCP FIN
            // was received)".
            r.set(Ready::HUP, t.fin_rcvd);
            r.set(Ready::RESET, t.broken.is_some());
            // Writable while the send buffer has room; also after the
            // local shutdown of sends (sock.c:8009: POLLWRNORM) and after
            // a reset (sock.c:13332: POLLERR | POLLHUP | POLLWRNORM): a
            // send fails at once then, it does not block.
            let room = super::stream::tx_ready(st);
            r.set(Ready::WRITE, room || st.shut_wr || t.broken.is_some());
        }
    }
    r
}

impl World {
    /// The conditions of socket `s` of `host`; `None` when it is not one
    /// of the host's sockets.
    pub(crate) fn readiness(&self, host: HostId, s: u64) -> Option<Ready> {
        let st = self.sock(host, s).ok()?;
        Some(match &st.transport {
            Transport::Stream(_) => stream_ready(st),
            Transport::Dgram(d) => {
                let mut r = Ready::default();
                // A datagram (or an error an ICMP message left: the next
                // receive completes at once with it).
                r.set(Ready::READ, !d.rxq.is_empty());
                // UDP sockets are writable from creation, bound or not
                // (sock.c:8143-8144, 8152-8153), while the send buffer has
                // room for another datagram.
                r.set(Ready::WRITE, st.has_tx_room(self.now, 1));
                r
            }
        })
    }

    /// The wait of `WSAPoll` and `select`: each entry is a socket and the
    /// conditions it is asked about (`mask`); returns, for each, those of
    /// its conditions that hold (`CLOSED` for a socket closed meanwhile)
    /// once any does, or none when `deadline` passes first. Alertable:
    /// completion routines queued to the thread run and the wait goes on
    /// (`WSAPoll`, Remarks: "Winsock performs an alertable wait in this
    /// situation").
    pub(crate) fn wait_ready(
        &mut self,
        host: HostId,
        entries: &[(u64, Ready)],
        deadline: Option<u64>,
        call: &'static str,
    ) -> Step<Vec<Ready>> {
        let found = |w: &World, e: &[(u64, Ready)]| -> Vec<Ready> {
            e.iter()
                .map(|&(s, mask)| w.readiness(host, s).unwrap_or(Ready::CLOSED).and(mask))
                .collect()
        };
        let now = found(self, entries);
        if now.iter().any(|r| !r.is_empty()) || deadline == Some(self.now) {
            return Ok(now);
        }
        if !self.resuming() {
            self.check_nested_blocking_poll(call)?;
        }
        let watched: Vec<(u64, Ready)> = entries.to_vec();
        let r = self.wait_until(host, deadline, call, true, move |w| {
            watched.iter().any(|&(s, mask)| {
                !w.readiness(host, s)
                    .unwrap_or(Ready::CLOSED)
                    .and(mask)
                    .is_empty()
            })
        });
        match r {
            Ok(()) | Err(WaitEnd::Timeout) => Ok(found(self, entries)),
            Err(WaitEnd::Deadlock(e)) => Err(e.into()),
            Err(WaitEnd::Park(b)) => Err(Halt::Block(b)),
        }
    }

    /// A `WSAPoll` or `select` that would wait, made by a completion
    /// routine running inside a blocking call of the same thread:
    /// "Issuing another blocking Winsock call inside an APC that
    /// interrupted an ongoing blocking Winsock call on the same thread will
    /// lead to undefined behavior" (`WSAPoll`, Remarks): a misuse report.
    fn check_nested_blocking_poll(&self, call: &str) -> Result<(), WsaError> {
        let Some(of) = self.sched.rec(self.me).in_apc_of else {
            return Ok(());
        };
        Err(self.report(
            ReportKind::Misuse,
            format!(
                "blocking {call} inside a completion routine that interrupted a blocking {of} on the same thread: undefined behaviour"
            ),
            crate::contract::clauses::apc_nested_blocking_clause(of),
        ))
    }

    /// The checks `WSAPoll` and `select` start with: `WSANOTINITIALISED`,
    /// `WSAENETDOWN`.
    pub(crate) fn poll_start(&self, host: HostId) -> Result<(), i32> {
        self.check_init(host)?;
        if self.hosts[host].down {
            return Err(WSAENETDOWN);
        }
        Ok(())
    }
}
