//! How an overlapped operation's result is taken: `WSAGetOverlappedResult`
//! (polling, or waiting with fWait), and how operations end early:
//! `CancelIoEx`, and the aborts of closing, shutting down and breaking a
//! connection (posting and progress: `overlapped.rs`).

use super::net::HostId;
use super::overlapped::{by_page, code};
use super::ovl::Op;
use super::sched_state::Step;
use super::world::{WaitEnd, World};
use crate::contract::consts::*;
use crate::contract::overlapped::Completion;
use crate::contract::ReportKind;
use std::collections::VecDeque;

impl World {
    /// Ends every outstanding operation of `s` (all, or the one using
    /// `only`) with `error`; returns how many there were.
    pub(crate) fn abort_ops(
        &mut self,
        s: u64,
        only: Option<u64>,
        error: i32,
        rx: bool,
        tx: bool,
    ) -> usize {
        self.abort_where(s, error, |op, is_rx| {
            (if is_rx { rx } else { tx }) && only.is_none_or(|id| op.ovl.id == id)
        })
    }

    /// Ends the outstanding operations of `s` that `pick(op, is_receive)`
    /// selects with `error`; returns how many there were.
    pub(crate) fn abort_where(
        &mut self,
        s: u64,
        error: i32,
        pick: impl Fn(&Op, bool) -> bool,
    ) -> usize {
        let Some(st) = self.sockets.get_mut(&s) else {
            return 0;
        };
        let mut taken = vec![];
        for (q, is_rx) in [(&mut st.pending_rx, true), (&mut st.pending_tx, false)] {
            let (t, k): (VecDeque<Box<Op>>, VecDeque<Box<Op>>) = std::mem::take(q)
                .into_iter()
                .partition(|op| pick(op, is_rx));
            *q = k;
            taken.extend(t);
        }
        let n = taken.len();
        for op in taken {
            self.finish(op, error, 0, 0, false);
        }
        n
    }

    // ---- WSAGetOverlappedResult ----

    pub(crate) fn get_overlapped_result(
        &mut self,
        host: HostId,
        s: u64,
        id: u64,
        wait: bool,
    ) -> Step<Completion> {
        self.check_sock(host, s).map_err(code)?;
        // model choice: a WSAOVERLAPPED no operation used is an invalid
        // parameter (in C it would hold whatever memory holds).
        let Some(o) = self.ovl.get(&(host, id)) else {
            return Err(code(WSA_INVALID_PARAMETER).into());
        };
        // model choice: naming another socket than the operation's breaks
        // the call's precondition ("the same socket that was specified when
        // the overlapped operation was started"); Windows and Wine read the
        // status from the OVERLAPPED regardless, and wait on the wrong
        // handle when hEvent is NULL, so it is reported as misuse (found by
        // tests/os_fuzz.rs, where Wine answered for the other socket).
        if o.socket != s {
            let other = o.socket;
            return Err(self.report(
                ReportKind::Misuse,
                format!("WSAGetOverlappedResult on socket {s:#x} for OVERLAPPED {id}, whose operation is on socket {other:#x}"),
                None,
            ).into());
        }
        // RECV-OVL-NO-FWAIT-WITH-ROUTINE, RECVMSG-OVL-NO-FWAIT-WITH-ROUTINE,
        // SENDMSG-OVL-NO-FWAIT-WITH-ROUTINE
        if wait && o.routine {
            let clause = by_page(
                o.call,
                [
                    "RECV-OVL-NO-FWAIT-WITH-ROUTINE",
                    "RECVMSG-OVL-NO-FWAIT-WITH-ROUTINE",
                    "SENDMSG-OVL-NO-FWAIT-WITH-ROUTINE",
                ],
            );
            return Err(self.report(
                ReportKind::Misuse,
                format!("WSAGetOverlappedResult with fWait TRUE for OVERLAPPED {id}, whose operation has a completion routine: hEvent is the application's, so the wait is undefined"),
                Some(clause),
            ).into());
        }
        if o.pending {
            if !wait {
                return Err(code(WSA_IO_INCOMPLETE).into());
            }
            let r = self.wait_until(host, None, "WSAGetOverlappedResult", false, move |w| {
                w.ovl.get(&(host, id)).is_none_or(|o| !o.pending)
            });
            r.map_err(|end| end.halt(|| unreachable!("no deadline")))?;
        }
        let o = self.ovl.get_mut(&(host, id)).expect("still there");
        Ok(o.held.take().unwrap_or_else(|| {
            Completion::status_only(o.ovl, o.error, o.bytes, o.flags).with_status(o.status)
        }))
    }

    /// Takes the completions `host`'s `WSAOVERLAPPED`s hold (no routine
    /// and no port took them), in the order their operations finished.
    pub(crate) fn take_held(&mut self, host: HostId) -> Vec<Completion> {
        let mut held: Vec<(u64, u64)> = self
            .ovl
            .iter()
            .filter(|((h, _), o)| *h == host && o.held.is_some())
            .map(|((_, id), o)| (o.finished, *id))
            .collect();
        held.sort_unstable();
        held.into_iter()
            .filter_map(|(_, id)| self.ovl.get_mut(&(host, id)).and_then(|o| o.held.take()))
            .collect()
    }

    /// Waits until one of the operations of `host` using the
    /// `WSAOVERLAPPED`s `ids` is no longer pending (`true`), or until
    /// `timeout_ms` passed (`false`).
    pub(crate) fn wait_ops(
        &mut self,
        host: HostId,
        ids: &[u64],
        timeout_ms: u32,
        what: &str,
    ) -> Step<bool> {
        self.check_init(host).map_err(code)?;
        let deadline = super::overlapped::wait_deadline(self.now, timeout_ms);
        let ids = ids.to_vec();
        let r = self.wait_until(host, deadline, what, false, move |w| {
            ids.iter()
                .any(|id| w.ovl.get(&(host, *id)).is_none_or(|o| !o.pending))
        });
        match r {
            Ok(()) => Ok(true),
            Err(WaitEnd::Timeout) => Ok(false),
            Err(end) => Err(end.halt(|| unreachable!("handled"))),
        }
    }

    // ---- cancellation ----

    /// `CancelIoEx`.
    pub(crate) fn cancel(&mut self, host: HostId, s: u64, only: Option<u64>) -> Result<(), i32> {
        self.sock(host, s).map_err(|_| WSA_INVALID_HANDLE)?;
        if self.abort_ops(s, only, WSA_OPERATION_ABORTED, true, true) == 0 {
            return Err(ERROR_NOT_FOUND);
        }
        Ok(())
    }
}
