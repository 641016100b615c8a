//! When the model's completions reach the program: at the end of every
//! exported call ([`settle`]: the events due at this instant, pending
//! `AcceptEx`es moved on, every completion delivered), and in a wait of
//! the program's the model does not see ([`virtual_wait`]), which lets
//! virtual time pass until an operation it waits for ends. Above
//! `ovl.rs` (delivery) and `accept.rs` (`AcceptEx`, which delivers through
//! `ovl.rs`): neither imports it.

use crate::calls::Dll;
use crate::ops::Ovls;
use crate::{accept, ovl};
use winsock_model::WsaError;

/// Lets virtual time pass for a wait of the program's the model does not
/// see: while `ids` (asked again each round) names pending operations,
/// the model runs until one finishes (it is delivered, and `poll` asks the
/// real object again: `Some` ends the wait) or `timeout` passes (`poll`'s
/// answer, or `timed_out`). `None` when nothing is waited for or the
/// model has nothing in flight that could end the wait: the real wait
/// follows.
#[cfg(windows)]
pub(crate) fn virtual_wait<R>(
    d: &Dll,
    what: &'static str,
    ids: impl Fn(&Ovls) -> Vec<u64>,
    timeout: u32,
    poll: impl FnMut() -> Option<R>,
    timed_out: impl FnOnce() -> R,
) -> Option<R> {
    // (Not paced: a paced call's wait is `virtual_wait_paced`.)
    virtual_wait_paced(d, what, ids, timeout, poll, timed_out).unwrap_or(None)
}

/// Whether `e` is a paced call's stop (`pace.rs`).
pub(crate) fn is_stop(e: &WsaError) -> bool {
    e.report().is_some_and(|r| r.kind.is_pace_stop())
}

/// [`virtual_wait`] inside an exported call, which the frame paces
/// (`pace.rs`): the model's stop at the call's horizon is passed on
/// (`Err`), for the frame to make the call again.
pub(crate) fn virtual_wait_paced<R>(
    d: &Dll,
    what: &'static str,
    ids: impl Fn(&Ovls) -> Vec<u64>,
    timeout: u32,
    mut poll: impl FnMut() -> Option<R>,
    timed_out: impl FnOnce() -> R,
) -> Result<Option<R>, WsaError> {
    loop {
        let ids = ids(&d.ovls.lock());
        if ids.is_empty() {
            return Ok(None);
        }
        match d.host.wait_overlapped(what, &ids, timeout) {
            Ok(true) => {
                settle(d);
                if let Some(r) = poll() {
                    return Ok(Some(r));
                }
            }
            Ok(false) => return Ok(Some(poll().unwrap_or_else(timed_out))),
            Err(e) if is_stop(&e) => return Err(e),
            // Nothing in flight can end it: only the program can.
            Err(_) => return Ok(None),
        }
    }
}

/// Lets the events due at this instant of virtual time happen and
/// delivers every completion the model has made, in the order the
/// operations finished. Nothing while no operation is outstanding.
pub(crate) fn settle(d: &Dll) {
    // One thread at a time, so that a call returns only after a
    // completion another thread took is in the program's memory: the
    // call that completed at once returns its result (Go reads the buffer
    // then, with FILE_SKIP_COMPLETION_PORT_ON_SUCCESS), and without this
    // it could return while another thread was still copying the data
    // (the Go echo read back wrong bytes in 1 of 21 runs). Taken before
    // looking whether anything is outstanding: the other thread may have
    // taken the call's operation out already, and is still writing it
    // (tests_ovl.rs failed so under Wine, 1 round in 1,000).
    static DELIVERING: parking_lot::Mutex<()> = parking_lot::Mutex::new(());
    let _one = DELIVERING.lock();
    crate::afd::settle(d);
    if d.ovls.lock().is_empty() {
        return;
    }
    d.sim.advance(std::time::Duration::ZERO);
    accept::progress(d);
    for c in d.host.take_completions() {
        ovl::deliver(d, c);
    }
}
