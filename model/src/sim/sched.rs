//! Simulated threads under a deterministic scheduler.
//!
//! Every simulated thread is a real OS thread, but only the one holding the
//! baton ([`Sched::current`]) runs; the others sleep on the world's condition
//! variable. The baton changes hands only at scheduling points:
//!
//! - the start of every call: the seed picks among the threads that can run
//!   (no draw is made while only one can, so single-threaded programs keep
//!   their traces);
//! - a blocking call that cannot complete: the thread leaves its wait
//!   condition here ([`Wait`]) and parks; it is picked again once the
//!   condition holds, its time-out has passed, a completion routine is
//!   queued to it (alertable waits), or a deadlock is declared;
//! - a thread's exit.
//!
//! When no thread can run, virtual time jumps to the next event or time-out.
//! When nothing is left, every waiting thread gets a deadlock report naming
//! each thread and what it waits for.
//!
//! A blocking call's body returns a `Step` (`sched_state.rs`): its value,
//! its error, or `Halt::Block` when its wait cannot end yet (never an error
//! code standing for "parked"). Its thread then parks, and the body runs
//! again from its start when the thread is picked: the checks before a
//! wait have no side effects, and the first attempt's deadline is kept
//! ([`World::resuming`]).
//!
//! Not modelled: preemption between calls (user code between two calls runs
//! as one step), priorities, `SuspendThread` and `TerminateThread`.

use super::net::HostId;
use super::sched_state::{State, Tid, MAIN};
use super::world::World;
use crate::contract::error::ReportKind;
use crate::contract::WsaError;
use parking_lot::{Condvar, MutexGuard};

impl World {
    /// Whether thread `t` could run now.
    fn can_run(&self, t: Tid) -> bool {
        let r = self.sched.rec(t);
        match r.state {
            State::Runnable => true,
            State::Finished => false,
            State::Blocked => {
                r.deadlock.is_some()
                    || r.paused.is_some()
                    || r.wait.as_ref().is_some_and(|w| {
                        (w.ready)(self)
                            || (w.alertable && self.runnable_apc((w.host, t)))
                            || self.timed_out(w.deadline)
                    })
            }
        }
    }

    /// The threads that could run now, in number order.
    fn candidates(&self) -> Vec<Tid> {
        (0..self.sched.threads.len() as Tid)
            .filter(|&t| self.can_run(t))
            .collect()
    }

    /// The seed's pick among `c` (no draw when there is no choice).
    fn pick(&mut self, c: &[Tid]) -> Tid {
        if c.len() == 1 {
            c[0]
        } else {
            c[self.rng.below(c.len() as u64) as usize]
        }
    }

    /// Whether a wait with `deadline` has timed out: the deadline has come
    /// and every event due by then has happened.
    pub(crate) fn timed_out(&self, deadline: Option<u64>) -> bool {
        deadline.is_some_and(|d| d <= self.now && self.next_event_time().is_none_or(|t| t > d))
    }

    /// The earliest time-out of a parked thread.
    fn next_deadline(&self) -> Option<u64> {
        self.sched
            .threads
            .iter()
            .filter(|r| r.state == State::Blocked && r.deadlock.is_none() && r.paused.is_none())
            .filter_map(|r| r.wait.as_ref().and_then(|w| w.deadline))
            .min()
    }

    /// Every thread waits and nothing can wake any: each gets a report
    /// naming every thread and what it waits for.
    fn declare_deadlock(&mut self) {
        let blocked: Vec<Tid> = (0..self.sched.threads.len() as Tid)
            .filter(|&t| self.sched.rec(t).state == State::Blocked)
            .collect();
        assert!(
            !blocked.is_empty(),
            "the scheduler found no thread to run and none waiting"
        );
        let describe = |w: &World, t: Tid| {
            let r = w.sched.rec(t);
            let wait = r.wait.as_ref().expect("a blocked thread has a wait");
            (
                wait.host,
                format!(
                    "thread `{}` waits in {} on host `{}`",
                    r.name, wait.what, w.hosts[wait.host].name
                ),
            )
        };
        let (host, msg) = if self.sched.threaded() {
            let parts: Vec<String> = blocked.iter().map(|&t| describe(self, t).1).collect();
            let host = describe(self, blocked[0]).0;
            (
                host,
                format!(
                    "deadlock: no thread can run, nothing is in flight and no timer is set; {}",
                    parts.join("; ")
                ),
            )
        } else {
            let r = self.sched.rec(MAIN);
            let wait = r.wait.as_ref().expect("a blocked thread has a wait");
            let host = wait.host;
            (
                host,
                format!(
                    "{} on host `{}` blocks forever: nothing is in flight, no timer is set, and no other thread exists to act",
                    wait.what, self.hosts[host].name
                ),
            )
        };
        self.log(host, "deadlock", || msg.clone());
        let report = self.report(ReportKind::Deadlock, msg, None);
        for t in blocked {
            self.sched.rec_mut(t).deadlock = Some(report.clone());
        }
    }

    /// Lets virtual time pass until some thread can run: the next event
    /// runs, or the clock jumps to the next time-out; with neither, a
    /// deadlock is declared.
    fn pass_time(&mut self) {
        let (event, deadline) = (self.next_event_time(), self.next_deadline());
        // A paced call's horizon may come first (`pace.rs`).
        if !self.paces.is_empty() {
            let next = match (event, deadline) {
                (Some(t), Some(d)) => Some(t.min(d)),
                (t, d) => t.or(d),
            };
            if self.pause_at_horizon(next) {
                return;
            }
        }
        match (event, deadline) {
            (Some(t), Some(d)) if d < t => self.now = self.now.max(d),
            (None, Some(d)) => self.now = self.now.max(d),
            (Some(_), _) => {
                self.step();
            }
            (None, None) => self.declare_deadlock(),
        }
    }

    /// `*-APC-NESTED-BLOCKING-UB`: a blocking call made by a completion
    /// routine that runs inside a blocking call of the same thread is
    /// undefined; the model reports it.
    ///
    /// Checked first, before the call does anything, on a socket in
    /// blocking mode (as the OS backend refuses the call before Windows
    /// sees it).
    #[inline]
    pub(crate) fn check_nested_blocking_on(
        &self,
        host: HostId,
        s: u64,
        call: &str,
    ) -> Result<(), WsaError> {
        // (Outside a routine, the usual case, the socket is not looked up.)
        if self.sched.rec(self.me).in_apc_of.is_some()
            && self.sock(host, s).is_ok_and(|st| !st.nonblocking)
        {
            self.check_nested_blocking(call)
        } else {
            Ok(())
        }
    }

    #[cold]
    #[inline(never)]
    fn check_nested_blocking(&self, call: &str) -> Result<(), WsaError> {
        let Some(of) = self.sched.rec(self.me).in_apc_of else {
            return Ok(());
        };
        // RECV-APC-NESTED-BLOCKING-UB, RECVMSG-APC-NESTED-BLOCKING-UB,
        // SENDMSG-APC-NESTED-BLOCKING-UB
        let clause = crate::contract::clauses::apc_nested_blocking_clause(of);
        Err(self.report(
            ReportKind::Misuse,
            format!(
                "blocking {call} inside a completion routine that interrupted a blocking {of} on the same thread: undefined behaviour"
            ),
            clause,
        ))
    }

    /// `*-THREADS-SIMULTANEOUS`: a receive on socket `s` while a receive of
    /// another thread is outstanding on it (parked in a blocking call, or
    /// an overlapped one not yet complete). The buffer order between the
    /// threads is unpredictable; the call goes on and the model records a
    /// diagnostic, once per socket.
    #[inline(always)]
    pub(crate) fn note_concurrent_recv(&mut self, host: HostId, s: u64, call: &str) {
        if self.sched.threaded() {
            self.note_concurrent_recv_threaded(host, s, call);
        }
        // (Otherwise only the main thread was ever made: no other
        // thread's receive.)
    }

    /// [`World::note_concurrent_recv`] once threads were made.
    fn note_concurrent_recv_threaded(&mut self, host: HostId, s: u64, call: &str) {
        let me = self.me;
        let other_op = self.sockets.get(&s).and_then(|st| {
            st.pending_rx
                .iter()
                .find(|op| op.thread.1 != me)
                .map(|op| op.thread.1)
        });
        let other_parked = || {
            (0..self.sched.threads.len() as Tid).find(|&t| {
                let r = self.sched.rec(t);
                t != me
                    && r.wait
                        .iter()
                        .chain(&r.outer_waits)
                        .any(|w| w.recv_on == Some(s))
            })
        };
        let Some(other) = other_op.or_else(other_parked) else {
            return;
        };
        if !self.diagnosed.insert(s) {
            return;
        }
        let clause = if call == "WSARecvMsg" {
            "RECVMSG-THREADS-SIMULTANEOUS"
        } else {
            "RECV-THREADS-SIMULTANEOUS"
        };
        let msg = format!(
            "{call} on socket {s:#x} from thread `{}` while thread `{}` has a receive outstanding on it: the order in which their buffers are filled is unpredictable",
            self.sched.rec(me).name,
            self.sched.rec(other).name
        );
        self.log(host, "diagnostic", || format!("{clause}: {msg}"));
        if let WsaError::Model(r) = self.report(ReportKind::Misuse, msg, Some(clause)) {
            self.diagnostics.push(*r);
        }
    }

    /// The seed's pick among the threads that can run; while none can,
    /// time passes (or a deadlock is declared, which makes the waiting
    /// threads runnable).
    fn next_to_run(&mut self) -> Tid {
        loop {
            let c = self.candidates();
            if !c.is_empty() {
                return self.pick(&c);
            }
            self.pass_time();
        }
    }

    /// The running thread, as the thread of `host` that queues and runs
    /// completion routines.
    pub(crate) fn thread_on(&self, host: HostId) -> (HostId, Tid) {
        (host, self.me)
    }

    /// A call of thread `me` has returned: neither its wait nor a deadlock
    /// report it did not need (it found its condition when it ran again)
    /// is kept for a later call.
    #[inline]
    pub(crate) fn call_done(&mut self, me: Tid) {
        let rec = self.sched.rec_mut(me);
        rec.wait = None;
        rec.deadlock = None;
    }

    /// Whether the running thread is going back into a wait it already
    /// began (a blocking call run again after its thread was woken).
    #[inline]
    pub(crate) fn resuming(&self) -> bool {
        self.sched.rec(self.me).wait.is_some()
    }
}

/// Sleeps until thread `me` holds the baton.
pub(crate) fn wait_turn(g: &mut MutexGuard<'_, World>, cv: &Condvar, me: Tid) {
    while g.sched.current != me {
        cv.wait(g);
    }
    g.me = me;
}

/// Gives the baton to `to` (which may be `me`); returns once `me` holds it
/// again.
fn hand_over(g: &mut MutexGuard<'_, World>, cv: &Condvar, me: Tid, to: Tid) {
    g.sched.rec_mut(to).state = State::Runnable;
    if to == me {
        return;
    }
    switch_to(g, cv, to);
    wait_turn(g, cv, me);
}

fn switch_to(g: &mut MutexGuard<'_, World>, cv: &Condvar, to: Tid) {
    g.sched.current = to;
    g.sched.rec_mut(to).state = State::Runnable;
    if g.cfg.tracing {
        let name = g.sched.rec(to).name.clone();
        let t = g.now;
        g.trace.push(super::trace::TraceEvent {
            t,
            host: "-".into(),
            kind: "sched".into(),
            detail: format!("thread `{name}` runs"),
        });
    }
    cv.notify_all();
}

/// Where every call enters: the calling OS thread's simulated thread (a
/// misuse report for an OS thread that is not one), after a scheduling
/// point.
#[inline]
pub(crate) fn enter(g: &mut MutexGuard<'_, World>, cv: &Condvar) -> Result<Tid, WsaError> {
    let Some(me) = g.sched.lookup() else {
        return Err(not_simulated(g));
    };
    g.me = me;
    yield_point(g, cv, me);
    Ok(me)
}

/// The misuse report for a call from an OS thread that is not a simulated
/// thread.
#[cold]
#[inline(never)]
fn not_simulated(g: &World) -> WsaError {
    g.report(
        ReportKind::Misuse,
        "a call from an OS thread that is not a simulated thread, while simulated threads run: start threads with SimHost::spawn".into(),
        None,
    )
}

/// A scheduling point at the start of a call: the seed decides which of
/// the threads that can run goes next.
#[inline]
fn yield_point(g: &mut MutexGuard<'_, World>, cv: &Condvar, me: Tid) {
    if !g.sched.threaded() {
        return;
    }
    let to = g.next_to_run();
    hand_over(g, cv, me, to);
}

/// Parks `me`, whose blocking call left its wait in its record, until it
/// may go on; meanwhile other threads run and virtual time passes.
pub(crate) fn block(g: &mut MutexGuard<'_, World>, cv: &Condvar, me: Tid) {
    g.sched.rec_mut(me).state = State::Blocked;
    let to = g.next_to_run();
    hand_over(g, cv, me, to);
}

/// `me` has finished: the baton goes to a thread that can run.
pub(crate) fn leave(g: &mut MutexGuard<'_, World>, cv: &Condvar, me: Tid) {
    g.sched.rec_mut(me).state = State::Finished;
    let to = g.next_to_run();
    switch_to(g, cv, to);
}
