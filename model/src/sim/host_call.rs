//! How every call of a [`SimHost`] runs: a scheduling point, the call's
//! body on the locked world (run again after a park, or after completion
//! routines ran in an alertable wait), one trace line.

use super::host::{bufs_shape, err_text, SimHost};
use super::sched_state::{Block, Halt, IntoStep};
use super::world::World;
use super::{sched, sched_state};
use crate::contract::types::WsaBuf;
use crate::contract::WsaError;

impl SimHost {
    /// Runs `f` on the world and records one trace line for the call.
    #[track_caller]
    pub(super) fn call<T: std::fmt::Debug, R: IntoStep<T>>(
        &self,
        name: &'static str,
        args: impl FnOnce() -> String,
        f: impl FnMut(&mut World) -> R,
    ) -> Result<T, WsaError> {
        self.call_with(name, args, f, |v| format!("ok {v:?}"))
    }

    /// As [`SimHost::call`], with `render` giving the trace text of a
    /// success.
    ///
    /// The call is a scheduling point: other simulated threads may run
    /// first. A blocking call that cannot complete returns `Halt::Block`
    /// from `f`: its thread parks (see `sched.rs`) and `f` runs again when
    /// the thread may go on; a wait that
    /// finds completion routines queued to the thread runs them with the
    /// world unlocked and goes on waiting (`*-BLOCKING-ALERTABLE`).
    #[track_caller]
    pub(super) fn call_with<T, R: IntoStep<T>>(
        &self,
        name: &'static str,
        args: impl FnOnce() -> String,
        f: impl FnMut(&mut World) -> R,
        render: impl FnOnce(&T) -> String,
    ) -> Result<T, WsaError> {
        self.call_locked(self.world.lock(), name, args, f, render)
    }

    /// [`SimHost::call_with`] with the world already locked by the caller
    /// (who looked at it first).
    #[track_caller]
    pub(super) fn call_locked<T, R: IntoStep<T>>(
        &self,
        mut w: parking_lot::MutexGuard<'_, World>,
        name: &'static str,
        args: impl FnOnce() -> String,
        f: impl FnMut(&mut World) -> R,
        render: impl FnOnce(&T) -> String,
    ) -> Result<T, WsaError> {
        let caller = std::panic::Location::caller();
        w.caller = Some(caller);
        let me = sched::enter(&mut w, &self.cv)?;
        w.caller = Some(caller);
        let paced = !w.paces.is_empty();
        if paced {
            w.pace_enter(me, name);
        }
        let began = (w.trace.len(), w.now);
        // Whatever is due by now has happened before the call looks
        // (zero-latency loopback delivers "at once").
        let now = w.now;
        w.advance_to(now);
        // Config::injected: this call fails before it runs.
        let injected = if w.cfg.injected.is_empty() {
            None
        } else {
            w.injected(name)
        };
        let r = if let Some(e) = injected {
            Err(WsaError::Code(e))
        } else {
            self.run_body(&mut w, me, caller, name, f)
        };
        // The network events the call made happen (or re-enabled) are
        // recorded before it returns (netevents.rs).
        if !w.netsel.is_empty() {
            w.note_net_events();
        }
        if paced {
            let stopped = r.as_ref().err().is_some_and(super::pace::is_stop);
            w.pace_leave(me, name, stopped);
            if stopped {
                // Not made yet: no trace line (it comes when the call,
                // made again, ends).
                w.call_done(me);
                return r;
            }
        }
        w.call_done(me);
        if w.cfg.tracing {
            let shown = match &r {
                Ok(v) => render(v),
                Err(e) => err_text(e),
            };
            let tag = if me == sched_state::MAIN {
                String::new()
            } else {
                format!("[{}] ", w.sched.rec(me).name)
            };
            let line = format!("{tag}{name}({}) -> {shown}", args());
            w.log(self.host, "call", || line);
            let thread = w.sched.rec(me).name.clone();
            let span = super::trace::CallSpan {
                line: w.trace.len() - 1,
                start_line: began.0,
                start: began.1,
                thread,
            };
            w.spans.push(span);
        }
        r
    }

    /// The call's body, run (again) until it is done: a body that blocks
    /// parks its thread, or runs its routines first (`sched.rs`).
    #[inline]
    fn run_body<T, R: IntoStep<T>>(
        &self,
        w: &mut parking_lot::MutexGuard<'_, World>,
        me: sched_state::Tid,
        caller: &'static std::panic::Location<'static>,
        name: &'static str,
        mut f: impl FnMut(&mut World) -> R,
    ) -> Result<T, WsaError> {
        loop {
            match f(w).into_step() {
                Ok(v) => return Ok(v),
                Err(Halt::Error(e)) => return Err(e),
                Err(Halt::Block(Block::Park)) => sched::block(w, &self.cv, me),
                Err(Halt::Block(Block::RunApcs)) => self.run_apcs_inside(w, me, name),
            }
            w.me = me;
            w.caller = Some(caller);
        }
    }

    /// Runs the completion routines queued to thread `me` inside its
    /// blocking call `name`, with the world unlocked
    /// (`*-BLOCKING-ALERTABLE`). The routines' own calls have waits of
    /// their own: the call's (its first deadline) is put aside meanwhile,
    /// and a routine's blocking call is misuse (`in_apc_of`). A routine's
    /// panic goes on to the caller, with that state restored.
    pub(super) fn run_apcs_inside(
        &self,
        w: &mut parking_lot::MutexGuard<'_, World>,
        me: sched_state::Tid,
        name: &'static str,
    ) {
        let rec = w.sched.rec_mut(me);
        let wait = rec
            .wait
            .take()
            .expect("a wait that runs routines saved itself");
        rec.outer_waits.push(wait);
        let outer = rec.in_apc_of.replace(name);
        let ran = parking_lot::MutexGuard::unlocked(w, || {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.run_apcs()))
        });
        let rec = w.sched.rec_mut(me);
        rec.in_apc_of = outer;
        rec.wait = rec.outer_waits.pop();
        if let Err(p) = ran {
            // Unwinding drops the caller's guard, unlocking the world.
            w.call_done(me);
            std::panic::resume_unwind(p);
        }
    }

    /// The buffers' shape for the trace line of a call that changes them;
    /// empty (and not computed) when the world keeps no trace.
    pub(super) fn shape(&self, b: &[WsaBuf]) -> String {
        if self.tracing {
            bufs_shape(b)
        } else {
            String::new()
        }
    }
}
