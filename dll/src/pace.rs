//! Blocking calls of a multi-threaded program (issue 20, build item 3).
//!
//! The model lets a blocking call wait in virtual time: with nothing to
//! end it soon the clock runs on to the next event or time-out, and with
//! nothing at all it is a deadlock. In a program with other threads that
//! is wrong: the thread that would end the wait (the client of a server
//! thread blocked in `accept`) runs outside the model, and makes its call
//! whenever it gets there in wall time. So every exported call runs
//! paced (the model's `Sim::pace`): a blocking call that cannot complete
//! within [`SLICE`] of virtual time stops there; then, if the process has
//! another thread, the calling thread waits outside the model for a slice
//! of wall time, or less when another thread's call into the DLL ends, and
//! the call is made again (the model goes on where it stopped: its first
//! deadline, the connection it began). Virtual time so passes about as
//! fast as the wall clock while a thread waits, never more than a slice
//! ahead of it. In a single-threaded program (the calling thread the only
//! one, and no other ever called into the DLL) the call runs on in
//! virtual time at once, as unpaced: its trace is the same either way.
//!
//! A wait nothing in flight can end (the model says `Stalled`) is given
//! `WSD_STALL_MS` of wall time in which no other call into the DLL ends;
//! then it is made unpaced, which gives the model's deadlock report (or
//! its end, if something came meanwhile).
//!
//! What holds for a multi-threaded program: each call is atomic in the
//! model, and its result is one the documentation allows; which thread's
//! call comes first, and how much virtual time passes between two calls,
//! follow the wall clock: not reproducible from the seed.

use crate::calls::{outside_model, Dll};
use crate::fault::Fault;
use crate::{netsel, os, settle};
use std::time::{Duration, Instant};
use winsock_model::contract::{ReportKind, WsaError};

/// The virtual time a paced call may wait before it stops, and the wall
/// time its thread then waits before it makes the call again.
pub(crate) const SLICE: Duration = Duration::from_millis(10);

/// How a run of a paced call stopped, if it did.
fn stop<R>(r: &Result<R, Fault>) -> Option<ReportKind> {
    match r {
        Err(Fault::Model(WsaError::Model(rep))) if rep.kind.is_pace_stop() => Some(rep.kind),
        _ => None,
    }
}

/// `body` to its end, unpaced after a stop.
fn to_the_end<R>(
    d: &'static Dll,
    body: &mut impl FnMut(&'static Dll) -> Result<R, Fault>,
) -> Result<R, Fault> {
    d.sim.pace(None);
    let r = body(d);
    d.sim.unpace();
    r
}

/// Runs `body` (an exported call's) paced: made again after each stop
/// until it ends (see the module documentation).
pub(crate) fn call<R>(
    d: &'static Dll,
    body: &mut impl FnMut(&'static Dll) -> Result<R, Fault>,
) -> Result<R, Fault> {
    d.sim.pace(Some(SLICE));
    let mut r = body(d);
    let Some(mut kind) = stop(&r) else {
        d.sim.unpace();
        return r;
    };
    if !d.saw_thread() && !os::other_threads() {
        // Nothing outside the model can act: virtual time runs on.
        return to_the_end(d, body);
    }
    let stall = Duration::from_millis(d.settings.stall_ms);
    let mut seen = *d.ended.lock();
    let mut quiet_since = Instant::now();
    loop {
        // What the slice brought reaches the program (another thread's
        // operations may have completed in it).
        settle::settle(d);
        netsel::mirror(d);
        let now_seen = outside_model(d, || {
            let mut ended = d.ended.lock();
            if *ended == seen {
                d.ended_cv.wait_for(&mut ended, SLICE);
            }
            *ended
        });
        if now_seen != seen || kind == ReportKind::Paused {
            seen = now_seen;
            quiet_since = Instant::now();
        } else if !stall.is_zero() && quiet_since.elapsed() >= stall {
            d.note(format!(
                "no other thread called into the DLL for {} ms while a blocking call waited for what only a thread could do",
                stall.as_millis()
            ));
            return to_the_end(d, body);
        }
        d.sim.pace(Some(SLICE));
        r = body(d);
        match stop(&r) {
            None => {
                d.sim.unpace();
                return r;
            }
            Some(k) => kind = k,
        }
    }
}
