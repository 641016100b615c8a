//! Network events: `WSAEventSelect` and `WSAEnumNetworkEvents` on the
//! model's record (`model/src/sim/netevents.rs`). The program's
//! `WSAEVENT` is a kernel event; the model is given an event of its own
//! standing for it (one per program event, made at its first
//! `WSAEventSelect`), and the DLL sets the program's event when the model
//! signals the stand-in ([`mirror`], at the end of every exported call
//! and in the waits that let virtual time pass). A wait on such an event
//! (`WSAWaitForMultipleEvents`, the hooked `WaitForSingleObject(Ex)`)
//! lets virtual time pass until the model signals its stand-in or the
//! wait's time-out passes ([`virtual_wait`]).

use crate::calls::{run, Dll, Fault};
use crate::{mem, os};
use std::collections::BTreeMap;
use windows_sys::Win32::Networking::WinSock::{SOCKET, WSANETWORKEVENTS};
use winsock_model::{Event, WaitResult, WinsockOverlapped};

/// `WAIT_TIMEOUT`.
const WAIT_TIMEOUT: u32 = 258;

/// The model's stand-in for each program event `WSAEventSelect` named.
#[derive(Debug, Default)]
pub(crate) struct StandIns {
    by_real: BTreeMap<usize, Event>,
}

impl StandIns {
    /// Whether no program event was selected yet.
    pub(crate) fn is_empty(&self) -> bool {
        self.by_real.is_empty()
    }
}

/// The model's stand-in for the program's event `real`, made when it has
/// none.
fn stand_in(d: &Dll, real: usize) -> Result<Event, Fault> {
    if let Some(e) = d.netsel.lock().by_real.get(&real) {
        return Ok(*e);
    }
    let e = d.host.wsa_create_event()?;
    d.netsel.lock().by_real.insert(real, e);
    Ok(e)
}

/// Lets the events due now happen and sets the program's event of every
/// stand-in the model signalled (resetting the stand-in). Nothing while no
/// program event was selected.
pub(crate) fn mirror(d: &Dll) {
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
pub(crate) fn virtual_wait(
    d: &Dll,
    handles: &[usize],
    timeout: u32,
    mut poll: impl FnMut() -> Option<u32>,
) -> Option<u32> {
    let evs: Vec<Event> = {
        let n = d.netsel.lock();
        handles
            .iter()
            .filter_map(|h| n.by_real.get(h).copied())
            .collect()
    };
    if evs.is_empty() {
        return None;
    }
    match d
        .host
        .wsa_wait_for_multiple_events(&evs, false, timeout, false)
    {
        Ok(WaitResult::Timeout) => {
            mirror(d);
            Some(poll().unwrap_or(WAIT_TIMEOUT))
        }
        Ok(_) => {
            mirror(d);
            poll()
        }
        // Nothing in flight can signal it: only the program can.
        Err(_) => None,
    }
}

/// `WSAEventSelect`: the model's `WSAEventSelect` with the stand-in of
/// `hEventObject` (`NULL` stays `NULL`: the model refuses it unless
/// `lNetworkEvents` is 0, WSAEINVAL).
#[export_name = "wsd_WSAEventSelect"]
pub extern "system" fn WSAEventSelect(s: SOCKET, event: usize, mask: i32) -> i32 {
    run(
        "WSAEventSelect",
        |_| -1,
        || format!("{s:#x}, {event:#x}, {mask:#x}"),
        |d| {
            d.known(s)?;
            let e = match event {
                0 => None,
                h => Some(stand_in(d, h)?),
            };
            d.host.wsa_event_select(d.sock(s), e, mask)?;
            Ok(0)
        },
    )
}

/// `WSAEnumNetworkEvents`: the model's record into `*lpNetworkEvents`
/// (`WSAEFAULT` when it cannot be written, checked first); the program's
/// `hEventObject` is reset (and its stand-in, by the model).
///
/// # Safety
/// `out` is `NULL` or valid for a `WSANETWORKEVENTS`.
#[export_name = "wsd_WSAEnumNetworkEvents"]
pub unsafe extern "system" fn WSAEnumNetworkEvents(
    s: SOCKET,
    event: usize,
    out: *mut WSANETWORKEVENTS,
) -> i32 {
    run(
        "WSAEnumNetworkEvents",
        |_| -1,
        || format!("{s:#x}, {event:#x}"),
        |d| {
            d.known(s)?;
            if !mem::writable(out.cast(), std::mem::size_of::<WSANETWORKEVENTS>()) {
                return Err(Fault::efault("lpNetworkEvents cannot be written"));
            }
            mirror(d);
            let e = match event {
                0 => None,
                h => d.netsel.lock().by_real.get(&h).copied(),
            };
            let r = d.host.wsa_enum_network_events(d.sock(s), e)?;
            if event != 0 {
                os::reset_event(event);
            }
            let v = WSANETWORKEVENTS {
                lNetworkEvents: r.events,
                iErrorCode: r.errors,
            };
            // SAFETY: probed writable above.
            unsafe { mem::write(out, v)? };
            Ok(0)
        },
    )
}
