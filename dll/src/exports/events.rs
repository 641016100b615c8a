//! Event objects: `WSACreateEvent`, `WSACloseEvent`, `WSASetEvent`,
//! `WSAResetEvent`, `WSAWaitForMultipleEvents`. A `WSAEVENT` is a kernel
//! event, as on Windows ("WSACreateEvent ... creates a manual-reset event
//! object with an initial state of nonsignaled"; "Winsock 2 event objects
//! are system objects in Windows environments"), so a program may also
//! wait on it with `WaitForSingleObject` and friends. The DLL sets one
//! when an operation it completes at once names it (`WSAIoctl`,
//! `GetAddrInfoExW`); `WSAEventSelect` is not modelled yet, and a wait on
//! an event is a real wait, in wall time (the model's virtual time does
//! not reach kernel objects).

use crate::calls::{run, Fault};
use crate::{mem, os};
use windows_sys::Win32::Networking::WinSock::{
    WSA_INVALID_HANDLE, WSA_INVALID_PARAMETER, WSA_NOT_ENOUGH_MEMORY,
};

/// `WSA_MAXIMUM_WAIT_EVENTS`.
const MAX_EVENTS: u32 = 64;

/// `WSACreateEvent`: a new manual-reset event, not signalled;
/// `WSA_INVALID_EVENT` (`NULL`) with `WSA_NOT_ENOUGH_MEMORY` when the
/// kernel has none left.
#[export_name = "wsd_WSACreateEvent"]
pub extern "system" fn WSACreateEvent() -> usize {
    run(
        "WSACreateEvent",
        |_| 0,
        String::new,
        |_| {
            os::create_event()
                .ok_or_else(|| Fault::Dll(WSA_NOT_ENOUGH_MEMORY, "CreateEventW failed".into()))
        },
    )
}

/// The frame of the three calls on one event: `TRUE`, or `FALSE` with
/// `WSA_INVALID_HANDLE`.
fn on_event(name: &'static str, h: usize, f: fn(usize) -> bool) -> i32 {
    run(
        name,
        |_| 0,
        || format!("{h:#x}"),
        |_| {
            if f(h) {
                Ok(1)
            } else {
                Err(Fault::Dll(
                    WSA_INVALID_HANDLE,
                    format!("{h:#x} is no event"),
                ))
            }
        },
    )
}

/// `WSACloseEvent`.
#[export_name = "wsd_WSACloseEvent"]
pub extern "system" fn WSACloseEvent(h: usize) -> i32 {
    on_event("WSACloseEvent", h, os::close_event)
}

/// `WSASetEvent`.
#[export_name = "wsd_WSASetEvent"]
pub extern "system" fn WSASetEvent(h: usize) -> i32 {
    on_event("WSASetEvent", h, os::signal_event)
}

/// `WSAResetEvent`.
#[export_name = "wsd_WSAResetEvent"]
pub extern "system" fn WSAResetEvent(h: usize) -> i32 {
    on_event("WSAResetEvent", h, os::reset_event)
}

/// `WSAWaitForMultipleEvents`: `WaitForMultipleObjectsEx` on the events
/// (its return values are the `WSA_WAIT_*` ones); 0 or more than
/// `WSA_MAXIMUM_WAIT_EVENTS` events is `WSA_INVALID_PARAMETER`, an array
/// that cannot be read `WSAEFAULT`, a failed wait `WSA_WAIT_FAILED` with
/// the kernel's error (`WSA_INVALID_HANDLE` for a handle that is no
/// event).
///
/// # Safety
/// `events` is valid for `count` handles.
#[export_name = "wsd_WSAWaitForMultipleEvents"]
pub unsafe extern "system" fn WSAWaitForMultipleEvents(
    count: u32,
    events: *const usize,
    all: i32,
    timeout: u32,
    alertable: i32,
) -> u32 {
    run(
        "WSAWaitForMultipleEvents",
        |_| u32::MAX,
        || format!("{count}, all={all}, {timeout}ms, alertable={alertable}"),
        |_| {
            if count == 0 || count > MAX_EVENTS {
                return Err(Fault::Dll(WSA_INVALID_PARAMETER, format!("{count} events")));
            }
            let handles: Vec<usize> = (0..count as usize)
                .map(|i| {
                    // SAFETY: passed on; read one by one, probed.
                    unsafe { mem::read(events.wrapping_add(i)) }
                        .and_then(|h| h.ok_or_else(|| Fault::efault("lphEvents is NULL")))
                })
                .collect::<Result<_, _>>()?;
            let r = os::wait_events(&handles, all != 0, timeout, alertable != 0);
            if r == u32::MAX {
                let e = os::last_error() as i32;
                return Err(Fault::Dll(e, "the wait failed".into()));
            }
            Ok(r)
        },
    )
}
