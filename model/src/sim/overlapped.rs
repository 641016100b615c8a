//! Overlapped I/O: posting an operation, filling it, completing it to a
//! routine, a port or its `WSAOVERLAPPED`. Taking results and cancelling
//! are in `reap.rs`; routines in `apc.rs`, events in `event.rs`, ports in
//! `port.rs`.
//!
//! An operation lives in its socket's pending queue (`pending_rx` for
//! receives, `pending_tx` for sends) until it completes; receives are filled
//! from the receive queue strictly in posting order
//! (`RECV-OVL-BUFFER-FILL-ORDER`, `RECV-IOCP-CALL-ORDER`), sends leave in
//! posting order (`SENDMSG-OVL-SEND-ORDER`). At completion its status goes
//! into the `WSAOVERLAPPED` stand-in (`World::ovl`, read by
//! `WSAGetOverlappedResult`), and its buffers go to exactly one place: the
//! issuing thread's APC queue (with a routine), the socket's completion port
//! (as a packet), or the `WSAOVERLAPPED` itself until
//! `WSAGetOverlappedResult` takes them.
//!
//! Choices the documentation leaves open are made by seed: whether an
//! operation that could complete at once does so or returns
//! `WSA_IO_PENDING`, and the order in which queued completion routines run
//! (`RECV-OVL-ROUTINE-ANY-ORDER`). See [`super::Config`].
//!
//! Deliberately not modelled: the low-order bit of `hEvent` that keeps a
//! completion off the port; `CancelIo` (per thread) and `CancelSynchronousIo`;
//! completion-port concurrency limits (the `concurrency` argument is kept but
//! does not throttle), and `WSAIoctl` or `TransmitFile`/`AcceptEx` operations.

use super::call::{Mode, RecvArgs, RecvCall, RecvOut, SendCall};
use super::events::Event as WorldEvent;
use super::ovl::CompletionTiming;
use super::ovl::{Apc, Op, OvlStatus};
use super::sched_state::State;
use super::world::World;
use crate::contract::consts::*;
use crate::contract::overlapped::{ran_despite, Completion, PortPacket, Posted};
use crate::contract::quirks::Quirk;
use crate::contract::DataCall;
use crate::contract::{ReportKind, WsaError};

/// Of a rule the three documentation pages state alike, the clause of the
/// page of `call`: `WSARecvMsg`'s, `WSASendMsg`'s, else `WSARecv`'s (which
/// `WSARecvFrom` shares; `WSASend` and `WSASendTo`, whose pages are not
/// among the modelled ones, get it too: model choice).
pub(crate) fn by_page(call: DataCall, [recv, recvmsg, sendmsg]: [&'static str; 3]) -> &'static str {
    match call {
        DataCall::Recv(RecvCall::RecvMsg) => recvmsg,
        DataCall::Send(SendCall::SendMsg) => sendmsg,
        DataCall::Recv(RecvCall::Recv | RecvCall::RecvFrom)
        | DataCall::Send(SendCall::Send | SendCall::SendTo) => recv,
    }
}

pub(crate) fn code(c: i32) -> WsaError {
    WsaError::Code(c)
}

/// Whether the first outstanding receive `op` of socket `st` could
/// complete now.
fn rx_ready(st: &super::socket::SocketState, op: &Op) -> bool {
    if st.is_dgram() {
        return !st.dgram().rxq.is_empty();
    }
    let room = op.buffers.iter().map(|b| b.len as usize).sum();
    super::stream::rx_ready(st, room, op.flags_in)
}

/// Whether a receive asks for urgent data: urgent and normal receives are
/// two queues, each filled in its own posting order, so that neither kind
/// of data waits behind a receive for the other.
fn is_oob(op: &Op) -> bool {
    op.flags_in & MSG_OOB != 0
}

/// The position of the outstanding receive that can complete now, if any:
/// the first normal or the first urgent receive, whichever is ready and was
/// posted first.
fn next_ready_rx(st: &super::socket::SocketState) -> Option<usize> {
    // The front is the first receive of its kind: ready, it goes first.
    // Otherwise only the first receive of the other kind may go.
    let q = &st.pending_rx;
    let front = q.front()?;
    if rx_ready(st, front) {
        return Some(0);
    }
    // (On a datagram socket every receive is ready or none is: a queued
    // datagram or error; alone, the front has no other kind.)
    if st.is_dgram() || q.len() == 1 {
        return None;
    }
    let kind = is_oob(front);
    let other = q.iter().position(|o| is_oob(o) != kind)?;
    rx_ready(st, &q[other]).then_some(other)
}

/// Whether an outstanding send of `len` bytes fits the send buffer now.
fn tx_room(st: &mut super::socket::SocketState, now: u64, len: usize) -> bool {
    if st.is_dgram() {
        st.tx_room(now, len)
    } else {
        super::stream::tx_ready(st)
    }
}

/// The deadline of a wait of `ms` milliseconds (`WSA_INFINITE`: none).
pub(crate) fn wait_deadline(now: u64, ms: u32) -> Option<u64> {
    (ms != WSA_INFINITE).then(|| now + u64::from(ms) * 1_000_000)
}

impl World {
    // ---- posting ----

    /// Starts an overlapped receive or send. `op` carries everything; on
    /// `Err` the operation did not start and nothing will follow.
    pub(crate) fn post(&mut self, op: Box<Op>) -> Result<Posted, WsaError> {
        let (host, s) = (op.thread.0, op.socket);
        self.check_sock(host, s).map_err(code)?;
        let st = &self.sockets[&s];
        // A socket without WSA_FLAG_OVERLAPPED runs the call directly; the
        // host does that before it gets here.
        assert!(st.overlapped, "a direct call reached post");
        let mut op = op;
        // Every check the direct call makes, in overlapped mode.
        match op.kind {
            DataCall::Recv(call) => {
                let args = RecvArgs {
                    call,
                    bufs: &mut op.buffers,
                    flags_in: op.flags_in,
                    name: op.name.as_mut(),
                    control: op.control.as_mut(),
                    bytes_ptr: false,
                };
                op.name_ok = self.recv_check(host, s, &args, Mode::Overlapped)?;
            }
            DataCall::Send(call) => {
                let args = super::call::SendArgs {
                    call,
                    bufs: &op.buffers,
                    flags: op.flags_in,
                    to: op.name.as_ref(),
                    control: op.control.as_ref(),
                    bytes_ptr: false,
                };
                op.plan = Some(self.send_prepare(host, s, &args, Mode::Overlapped)?);
            }
        }
        // RECV-OVL-SEPARATE-STRUCT, RECVMSG-OVL-SEPARATE-STRUCT,
        // SENDMSG-OVL-SEPARATE-STRUCT
        if self.ovl.get(&(host, op.ovl.id)).is_some_and(|o| o.pending) {
            let clause = by_page(
                op.kind,
                [
                    "RECV-OVL-SEPARATE-STRUCT",
                    "RECVMSG-OVL-SEPARATE-STRUCT",
                    "SENDMSG-OVL-SEPARATE-STRUCT",
                ],
            );
            return Err(self.report(
                ReportKind::Misuse,
                format!(
                    "{} reuses OVERLAPPED {} while the operation that uses it is still outstanding",
                    op.kind.name(),
                    op.ovl.id
                ),
                Some(clause),
            ));
        }
        let st = &self.sockets[&s];
        // RECV-EWOULDBLOCK-OVERLAPPED-LIMIT, RECVMSG-EWOULDBLOCK-OVERLAPPED-LIMIT,
        // SENDMSG-EWOULDBLOCK-OVERLAPPED-LIMIT
        if st.pending_rx.len() + st.pending_tx.len() >= self.cfg.max_outstanding {
            return Err(code(WSAEWOULDBLOCK));
        }
        // model choice: a completion routine on a socket associated with a
        // completion port is refused as Windows' I/O manager refuses an APC
        // routine for a file with a port (STATUS_INVALID_PARAMETER).
        if op.routine.is_some() && st.port.is_some() {
            return Err(code(WSAEINVAL));
        }
        // RECV-NO-COMPLETION-ON-ERROR, RECVMSG-NO-COMPLETION-ON-ERROR: a refusal
        // above returned before anything was recorded or queued.
        // A WSAOVERLAPPED used again (as real code does) is rewritten in
        // place.
        let key = (host, op.ovl.id);
        let (ovl, call, routine) = (op.ovl, op.kind, op.routine.is_some());
        let before = match self.ovl.get_mut(&key) {
            Some(o) => Some(o.restart(ovl, s, call, routine)),
            None => {
                self.ovl
                    .insert(key, OvlStatus::started(ovl, s, call, routine));
                None
            }
        };
        match op.kind {
            DataCall::Recv(_) => self.post_recv(s, op).inspect_err(|_| {
                // RECV-NO-COMPLETION-ON-ERROR, RECVMSG-NO-COMPLETION-ON-ERROR:
                // a receive that failed at once started nothing; the
                // OVERLAPPED holds what it held.
                match before {
                    Some(b) => {
                        if let Some(o) = self.ovl.get_mut(&key) {
                            o.restore(b);
                        }
                    }
                    None => {
                        self.ovl.remove(&key);
                    }
                }
            }),
            DataCall::Send(_) => Ok(self.post_send(s, op)),
        }
    }

    /// Whether an operation that could complete now returns pending instead.
    fn pends_anyway(&mut self) -> bool {
        match self.cfg.completion_timing {
            CompletionTiming::Immediate => false,
            CompletionTiming::Pending => true,
            CompletionTiming::Seeded => self.rng.coin(),
        }
    }

    fn post_recv(&mut self, s: u64, op: Box<Op>) -> Result<Posted, WsaError> {
        self.note_concurrent_recv(op.thread.0, s, op.kind.name());
        let st = &self.sockets[&s];
        // RECV-OVL-BUFFER-FILL-ORDER, RECVMSG-OVL-BUFFER-FILL-ORDER,
        // RECV-IOCP-CALL-ORDER, RECVMSG-IOCP-CALL-ORDER: posted buffers are
        // filled in posting order: only the first outstanding receive may take
        // a queued datagram.
        let ready = !st.pending_rx.iter().any(|o| is_oob(o) == is_oob(&op)) && rx_ready(st, &op);
        if ready && !self.pends_anyway() {
            // RECV-OVL-IMMEDIATE, RECVMSG-OVL-IMMEDIATE
            let (error, bytes, flags) = self.complete_recv(op, true).map_err(code)?;
            // Under the quirk lpNumberOfBytesRecvd says 0 when the call
            // completes at once with an error; WSAGetOverlappedResult then
            // gives the bytes.
            let bytes = if error != 0 && self.quirk(Quirk::OvlImmediateErrorZeroCount) {
                0
            } else {
                bytes
            };
            return Ok(Posted::Completed {
                error,
                bytes,
                flags,
            });
        }
        // RECV-WSA-IO-PENDING, RECVMSG-WSA-IO-PENDING; RECV-OVL-POST-BUFFERS,
        // RECVMSG-OVL-POST-BUFFERS: the buffers wait here and `serve` fills
        // them as data arrives.
        let st = self.sockets.get_mut(&s).expect("checked");
        st.pending_rx.push_back(op);
        let waitall = st
            .pending_rx
            .back()
            .is_some_and(|op| op.flags_in & MSG_WAITALL != 0);
        if let Some(p) = st.stream().and_then(|t| t.peer_sock).filter(|_| waitall) {
            // A MSG_WAITALL request may have widened the window.
            self.pump(p, false);
        }
        let st = &self.sockets[&s];
        if next_ready_rx(st).is_some() {
            let now = self.now;
            self.schedule(now, WorldEvent::Serve { socket: s });
        }
        Ok(Posted::Pending)
    }

    fn post_send(&mut self, s: u64, op: Box<Op>) -> Posted {
        let now = self.now;
        let len = op.plan.as_ref().map_or(0, |p| p.len);
        let st = self.sockets.get_mut(&s).expect("checked");
        let ready = st.pending_tx.is_empty() && tx_room(st, now, len);
        if ready && !self.pends_anyway() {
            // SENDMSG-OVL-IMMEDIATE
            let bytes = self.complete_send(op, true);
            return Posted::Completed {
                error: 0,
                bytes,
                flags: 0,
            };
        }
        // SENDMSG-WSA-IO-PENDING: it leaves when the send buffer has room,
        // after the sends posted before it (SENDMSG-OVL-SEND-ORDER).
        let st = self.sockets.get_mut(&s).expect("checked");
        st.pending_tx.push_back(op);
        if ready {
            self.schedule(now, WorldEvent::Serve { socket: s });
        }
        Posted::Pending
    }

    // ---- progress ----

    /// Completes the socket's outstanding receives from its receive queue,
    /// first posted first, and sends whatever fits the send buffer.
    pub(crate) fn serve(&mut self, s: u64) {
        loop {
            let Some(st) = self.sockets.get_mut(&s) else {
                return;
            };
            let Some(i) = next_ready_rx(st) else {
                break;
            };
            let op = st.pending_rx.remove(i).expect("a position in the queue");
            // (Only an immediate completion can be refused.)
            let _ = self.complete_recv(op, false);
        }
        loop {
            let now = self.now;
            let Some(st) = self.sockets.get_mut(&s) else {
                return;
            };
            let Some(front) = st.pending_tx.front() else {
                break;
            };
            let len = front.plan.as_ref().map_or(0, |p| p.len);
            if !tx_room(st, now, len) {
                break;
            }
            let op = st.pending_tx.pop_front().expect("not empty");
            self.complete_send(op, false);
        }
    }

    /// Serves every socket with sends waiting for room (after a transmitter
    /// finished a datagram).
    pub(crate) fn serve_senders(&mut self) {
        let waiting: Vec<u64> = self
            .sockets
            .iter()
            .filter(|(_, st)| !st.pending_tx.is_empty())
            .map(|(&id, _)| id)
            .collect();
        for s in waiting {
            self.serve(s);
        }
    }

    /// Fills a receive from the head of the receive queue and completes it.
    /// Fills a receive and completes it: its error, bytes and flags. An
    /// immediate one that fails without receiving (an ICMP error, a broken
    /// connection) completes nothing and is the call's error (`Err`).
    fn complete_recv(&mut self, mut op: Box<Op>, immediate: bool) -> Result<(i32, u32, u32), i32> {
        let host = op.thread.0;
        let DataCall::Recv(call) = op.kind else {
            unreachable!("a receive")
        };
        let mut out = RecvOut::default();
        let args = RecvArgs {
            call,
            bufs: &mut op.buffers,
            flags_in: op.flags_in,
            name: op.name.as_mut(),
            control: op.control.as_mut(),
            bytes_ptr: true,
        };
        let r = if self.sockets[&op.socket].is_dgram() {
            self.recv_fill(host, op.socket, args, op.name_ok, &mut out)
        } else {
            // RECV-OVL-STREAM-COMPLETES: whatever the bytes fill.
            self.stream_fill(host, op.socket, args.bufs, op.flags_in, &mut out)
        };
        // RECV-OVL-DGRAM-COMPLETES, RECVMSG-OVL-DGRAM-COMPLETES: one message,
        // whole or truncated
        // (WSAEMSGSIZE with the bytes copied and MSG_TRUNC), completes it.
        let (error, bytes, flags) = match r {
            Ok(()) => (0, out.bytes, out.flags),
            Err(WsaError::Code(e)) if out.copied => (e, out.bytes, out.flags),
            Err(WsaError::Code(e)) => (e, 0, 0),
            Err(WsaError::Model(_)) => unreachable!("filling reports no misuse"),
        };
        // RECV-NO-COMPLETION-ON-ERROR, RECVMSG-NO-COMPLETION-ON-ERROR: a
        // call that fails at once indicates nothing; WSAEMSGSIZE received a
        // datagram and does.
        if immediate && !ran_despite(error) {
            return Err(error);
        }
        // RECV-OVL-ROUTINE-FLAGS, RECVMSG-OVL-ROUTINE-FLAGS: the routine gets
        // the flags an immediate completion returns.
        self.finish(op, error, bytes, flags, immediate);
        Ok((error, bytes, flags))
    }

    /// Transmits a send and completes it.
    fn complete_send(&mut self, mut op: Box<Op>, immediate: bool) -> u32 {
        let host = op.thread.0;
        let mut plan = op.plan.take().expect("sends have a plan");
        let data = self.gather(&op.buffers, plan.len);
        let bytes = match plan.route.take() {
            None => self.stream_take(host, op.socket, data, op.flags_in),
            Some(route) => {
                if let Some(data) = self.dgram_piece(op.socket, op.flags_in, data) {
                    let (dst, tos, seg) = (plan.dst, plan.tos, plan.segment);
                    if seg == 0 || data.len() <= seg {
                        self.transmit(host, op.socket, dst, &route, tos, data);
                    } else {
                        self.transmit_segments(host, op.socket, dst, route, tos, seg, data);
                    }
                }
                plan.len as u32
            }
        };
        // SENDMSG-OVL-ROUTINE-FLAGS-ZERO: a send completes with no flags.
        self.finish(op, 0, bytes, 0, immediate);
        bytes
    }

    /// Records an operation's outcome in its `WSAOVERLAPPED` and hands its
    /// completion to the routine, the port, or the `WSAOVERLAPPED`.
    pub(crate) fn finish(
        &mut self,
        op: Box<Op>,
        error: i32,
        bytes: u32,
        flags: u32,
        immediate: bool,
    ) {
        let Op {
            ovl,
            thread,
            socket,
            kind,
            buffers,
            name,
            control,
            routine,
            ..
        } = *op;
        let host = thread.0;
        // OVERLAPPED.Internal: the status Windows leaves for this outcome
        // (a datagram socket's WSAECONNRESET is an ICMP port unreachable).
        let dgram = self.sockets.get(&socket).is_some_and(|st| st.is_dgram());
        let status = crate::contract::ntstatus::status_of_wsa(error, dgram);
        let completion = Completion {
            overlapped: ovl,
            error,
            bytes,
            status,
            flags,
            buffers,
            name,
            control,
        };
        let port = self.sockets.get(&socket).and_then(|st| {
            let skip = immediate
                && ran_despite(error)
                && st.notify_modes & FILE_SKIP_COMPLETION_PORT_ON_SUCCESS != 0;
            st.port.filter(|_| !skip)
        });
        let via = match (&routine, port) {
            (Some(_), _) => "routine",
            (None, Some(_)) => "port",
            (None, None) if ovl.h_event.is_some() => "event",
            (None, None) => "overlapped",
        };
        self.log(host, "complete", || {
            format!(
                "{} ovl={} socket={socket:#x} {} bytes={bytes} flags={} via {via}",
                kind.name(),
                ovl.id,
                completion.status_name(),
                msg_flags_to_string(flags)
            )
        });
        // RECV-OVL-FINAL-STATUS, RECVMSG-OVL-FINAL-STATUS, SENDMSG-OVL-FINAL-STATUS:
        // the status goes into the WSAOVERLAPPED (for WSAGetOverlappedResult)
        // and the completion, with the byte count (RECV-OVL-TRANSFER-COUNT,
        // RECVMSG-OVL-TRANSFER-COUNT, SENDMSG-OVL-TRANSFER-COUNT) and the flags
        // (RECV-OVL-FLAGS-RESULT, RECVMSG-OVL-FLAGS-RESULT).
        self.finished_ops += 1;
        let seq = self.finished_ops;
        if let Some(o) = self.ovl.get_mut(&(host, ovl.id)) {
            o.pending = false;
            o.finished = seq;
            o.error = error;
            o.status = status;
            o.bytes = bytes;
            o.flags = flags;
        }
        // RECVMSG-OVL-COMPLETION-INDICATION, SENDMSG-OVL-COMPLETION-INDICATION:
        // the routine is queued, or the event set.
        if let Some(routine) = routine {
            if self.sched.rec(thread.1).state == State::Finished {
                // RECV-THREAD-EXIT-OVERLAPPED-FAIL,
                // RECVMSG-THREAD-EXIT-OVERLAPPED-FAIL,
                // SENDMSG-THREAD-EXIT-OVERLAPPED-FAIL: a routine is queued to the
                // thread that issued the operation; once that thread has
                // exited, its APCs are discarded, never run (QueueUserAPC:
                // "the APCs in its queue are lost").
                self.log(host, "apc-discarded", || {
                    format!("routine ovl={}: its thread has exited", ovl.id)
                });
                return;
            }
            // RECV-OVL-HEVENT-IGNORED-WITH-ROUTINE, RECVMSG-OVL-HEVENT-IGNORED-WITH-ROUTINE,
            // SENDMSG-OVL-HEVENT-IGNORED-WITH-ROUTINE: the event is not touched;
            // RECV-IMMEDIATE-ROUTINE-SCHEDULED, RECVMSG-IMMEDIATE-ROUTINE-SCHEDULED,
            // SENDMSG-IMMEDIATE-ROUTINE-SCHEDULED: queued even when immediate.
            self.apcs.entry(thread).or_default().push(Apc {
                socket,
                routine,
                completion,
            });
            return;
        }
        // RECV-OVL-EVENT-SIGNALED, RECVMSG-OVL-EVENT-SIGNALED, SENDMSG-OVL-EVENT-SIGNALED
        if let Some(e) = ovl.h_event {
            if let Some(ev) = self.wsa_events.get_mut(&e) {
                ev.signaled = true;
            }
        }
        if let Some((p, key)) = port {
            if let Some(po) = self.ports.get_mut(&p) {
                po.packets.push_back(PortPacket {
                    key,
                    bytes,
                    overlapped: Some(ovl),
                    error,
                    // GetQueuedCompletionStatus's GetLastError: the Win32
                    // error of the status (ntstatus.rs).
                    win32: crate::contract::ntstatus::win32_of_status(status),
                    completion: Some(completion),
                });
                return;
            }
        }
        // RECV-OVL-LIFETIME, RECVMSG-OVL-LIFETIME, SENDMSG-OVL-LIFETIME: the
        // WSAOVERLAPPED holds the completion, with the buffers, until
        // WSAGetOverlappedResult reaps it.
        if let Some(o) = self.ovl.get_mut(&(host, ovl.id)) {
            o.held = Some(completion);
        }
    }
}
