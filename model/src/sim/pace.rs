//! Paced blocking calls: [`Sim::pace`] and [`Sim::unpace`].
//!
//! The model's blocking calls wait in virtual time: while nothing can end
//! a wait, the clock jumps to the next event or time-out, and a wait
//! nothing can end is a deadlock. That holds while every thread that can
//! act is a simulated one. A caller whose other OS threads act outside
//! the model (the DLL serving a multi-threaded program: a server thread
//! in `accept` while another thread, not inside any call, is about to
//! connect) cannot let a wait run on so: the other thread's next call
//! would come seconds of virtual time late, or never, after a deadlock
//! report. Such a caller paces the OS thread's calls: a paced blocking
//! call that cannot complete within the horizon (a slice of virtual time
//! from [`Sim::pace`]) stops there and fails with a report of kind
//! [`ReportKind::Paused`] (something in flight or a time-out lies beyond
//! the horizon) or [`ReportKind::Stalled`] (nothing is in flight and no
//! time-out is set: unpaced, a deadlock), without a trace line. The
//! caller then waits outside the model (the DLL: a slice of wall time, or
//! until another thread's call ends) and makes the same call again; it
//! goes on where it stopped, as a parked call goes on when it is run
//! again (`sched.rs`): its first deadline and what it began are kept
//! (the wait is kept for the next call of the same name from the same
//! OS thread, until [`Sim::unpace`]).
//!
//! Nothing changes for a thread that is not paced (the calls pay one
//! `is_empty`).

use super::sched_state::{Pace, Tid};
use super::world::World;
use super::Sim;
use crate::contract::{ModelReport, ReportKind, WsaError};
use std::time::Duration;

impl World {
    /// At the start of call `name` of thread `me`: the calling OS thread's
    /// horizon, and the wait it kept for a call of this name.
    pub(crate) fn pace_enter(&mut self, me: Tid, name: &'static str) {
        let os = std::thread::current().id();
        let Some(p) = self.paces.iter_mut().find(|p| p.os == os) else {
            return;
        };
        let kept = match &p.kept {
            Some((n, _)) if *n == name => p.kept.take().map(|k| k.1),
            _ => None,
        };
        let until = p.until;
        let rec = self.sched.rec_mut(me);
        rec.horizon = until;
        if kept.is_some() {
            rec.wait = kept;
        }
    }

    /// At the end of call `name` of thread `me`: a call stopped at its
    /// horizon keeps its wait for the next call of that name.
    pub(crate) fn pace_leave(&mut self, me: Tid, name: &'static str, stopped: bool) {
        let rec = self.sched.rec_mut(me);
        rec.horizon = None;
        rec.paused = None;
        let wait = if stopped { rec.wait.take() } else { None };
        let os = std::thread::current().id();
        if let (Some(w), Some(p)) = (wait, self.paces.iter_mut().find(|p| p.os == os)) {
            p.kept = Some((name, w));
        }
    }

    /// Whether a blocked thread's horizon comes before anything that could
    /// end its wait (the next event or time-out, `next`): it is then
    /// stopped there, the clock moved to the horizon; `true` when one was.
    pub(crate) fn pause_at_horizon(&mut self, next: Option<u64>) -> bool {
        let horizon = self
            .sched
            .threads
            .iter()
            .filter(|r| r.is_blocked_paced())
            .filter_map(|r| r.horizon)
            .min();
        let Some(h) = horizon else {
            return false;
        };
        if next.is_some_and(|t| t <= h) {
            return false;
        }
        self.now = self.now.max(h);
        let (now, stalled) = (self.now, next.is_none());
        for r in &mut self.sched.threads {
            if r.is_blocked_paced() && r.horizon.is_some_and(|h| h <= now) {
                r.paused = Some(stalled);
            }
        }
        true
    }

    /// The end of a stopped wait, for thread `me` whose horizon passed
    /// (`None` while it has not).
    pub(crate) fn take_pause(&mut self, me: Tid, what: &str) -> Option<WsaError> {
        let stalled = self.sched.rec_mut(me).paused.take()?;
        let (kind, why) = if stalled {
            (
                ReportKind::Stalled,
                "nothing is in flight and no time-out is set: only another thread can end it",
            )
        } else {
            (
                ReportKind::Paused,
                "its horizon came before anything that could end it",
            )
        };
        Some(WsaError::Model(Box::new(ModelReport {
            kind,
            message: format!("{what} stopped at its pace: {why}; make the call again"),
            clause: None,
            location: self.caller.map(ToString::to_string),
            trace: Vec::new(),
        })))
    }
}

impl<W> super::sched_state::ThreadRec<W> {
    /// Parked in a paced call, not yet stopped or given a report.
    fn is_blocked_paced(&self) -> bool {
        self.state == super::sched_state::State::Blocked
            && self.horizon.is_some()
            && self.paused.is_none()
            && self.deadlock.is_none()
    }
}

/// Whether `e` is a paced call's stop ([`ReportKind::Paused`] or
/// [`ReportKind::Stalled`]).
pub(crate) fn is_stop(e: &WsaError) -> bool {
    matches!(e, WsaError::Model(r) if r.kind.is_pace_stop())
}

impl Sim {
    /// Paces the calling OS thread's blocking calls (see the module
    /// documentation of `pace.rs`): until the next `pace` or
    /// [`Sim::unpace`], a blocking call of this OS thread that cannot
    /// complete within `slice` of virtual time from now fails with a
    /// [`ReportKind::Paused`] or [`ReportKind::Stalled`] report, writes no
    /// trace line, and goes on where it stopped when the same call is made
    /// again. `None`: no horizon, but a call stopped before still goes on
    /// (so that the caller can let it run to its end, a deadlock report
    /// included).
    ///
    /// ```
    /// use std::time::Duration;
    /// use winsock_double::{ReportKind, Sim, Winsock, AF_INET, IPPROTO_UDP, SOCK_DGRAM};
    /// let sim = Sim::new(1);
    /// let h = sim.add_host("h", &[]).unwrap();
    /// h.wsa_startup(0x0202).unwrap();
    /// let s = h.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    /// h.bind(s, &"127.0.0.1:9".parse().unwrap()).unwrap();
    /// sim.pace(Some(Duration::from_millis(10)));
    /// let mut buf = [0u8; 8];
    /// // Nothing can end the wait but another thread: it stops at 10 ms.
    /// let e = h.recv_from(s, &mut buf).unwrap_err();
    /// assert_eq!(e.report().unwrap().kind, ReportKind::Stalled);
    /// assert_eq!(sim.now(), Duration::from_millis(10));
    /// sim.unpace();
    /// ```
    pub fn pace(&self, slice: Option<Duration>) {
        let mut w = self.world.lock();
        let until = slice.map(|d| {
            w.now
                .saturating_add(u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
        });
        let os = std::thread::current().id();
        match w.paces.iter_mut().find(|p| p.os == os) {
            Some(p) => p.until = until,
            None => w.paces.push(Pace {
                os,
                until,
                kept: None,
            }),
        }
    }

    /// Ends the pacing of the calling OS thread's calls, forgetting a
    /// stopped call's wait.
    pub fn unpace(&self) {
        let os = std::thread::current().id();
        self.world.lock().paces.retain(|p| p.os != os);
    }
}
