//! The model's stand-ins for the events `WSAEventSelect` names, reaching
//! the program's events: [`mirror`] (at the end of every exported call and
//! in the waits) sets the program's event of every stand-in the model
//! signalled; [`virtual_wait`] lets virtual time pass for a wait on such
//! an event. The exports themselves are `exports/netevents.rs`, above the
//! frame of every call (`frame.rs`), which calls [`mirror`].

use crate::calls::Dll;
use crate::os;
use winsock_model::{Event, WaitResult, WinsockOverlapped, WsaError};

/// `WAIT_TIMEOUT`.
const WAIT_TIMEOUT: u32 = 258;

/// Lets the events due now happen and sets the program's event of every
/// stand-in the model signalled (resetting the stand-in). Nothing while no
/// program event was selected.
pub(crate) fn mirror(d: &Dll) {
    // The window messages WSAAsyncSelect asked for (`winmsg.rs`).
    crate::winmsg::post(d);
    if d.netsel.lock().is_empty() {
        return;
    }
    d.sim.advance(std::time::Duration::ZERO);
    let pairs: Vec<(usize, Event)> = d
        .netsel
        .lock()
        .by_real
        .iter()
        .map(|(r, e)| (*r, *e))
        .collect();
    for (real, e) in pairs {
        if d.host.take_signal(e) {
            os::signal_event(real);
        }
    }
}

/// The part of a wait on `handles` that passes in virtual time: while one
/// of them is a program event with a stand-in, the model waits (up to
/// `timeout`) for a stand-in to be signalled; `poll` asks the real
/// objects again after. `None` when no handle has a stand-in or nothing
/// in flight can signal one: the real wait follows.
#[cfg(windows)]
pub(crate) fn virtual_wait(
    d: &Dll,
    handles: &[usize],
    timeout: u32,
    poll: impl FnMut() -> Option<u32>,
) -> Option<u32> {
    // (Not paced: a paced call's wait is `virtual_wait_paced`.)
    virtual_wait_paced(d, handles, timeout, poll).unwrap_or(None)
}

/// [`virtual_wait`] inside an exported call, which the frame paces
/// (`pace.rs`): the model's stop is passed on (`Err`), for the frame to
/// make the call again.
pub(crate) fn virtual_wait_paced(
    d: &Dll,
    handles: &[usize],
    timeout: u32,
    mut poll: impl FnMut() -> Option<u32>,
) -> Result<Option<u32>, WsaError> {
    let evs: Vec<Event> = {
        let n = d.netsel.lock();
        handles
            .iter()
            .filter_map(|h| n.by_real.get(h).copied())
            .collect()
    };
    if evs.is_empty() {
        return Ok(None);
    }
    match d
        .host
        .wsa_wait_for_multiple_events(&evs, false, timeout, false)
    {
        Ok(WaitResult::Timeout) => {
            mirror(d);
            Ok(Some(poll().unwrap_or(WAIT_TIMEOUT)))
        }
        Ok(_) => {
            mirror(d);
            Ok(poll())
        }
        Err(e) if crate::settle::is_stop(&e) => Err(e),
        // Nothing in flight can signal it: only the program can.
        Err(_) => Ok(None),
    }
}
