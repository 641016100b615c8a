//! Event objects: `WSACreateEvent`, `WSACloseEvent`, `WSASetEvent`,
//! `WSAResetEvent`, `WSAWaitForMultipleEvents`. A `WSAEVENT` is a kernel
//! event, as on Windows ("WSACreateEvent ... creates a manual-reset event
//! object with an initial state of nonsignaled"; "Winsock 2 event objects
//! are system objects in Windows environments"), so a program may also
//! wait on it with `WaitForSingleObject` and friends. The DLL sets one
//! when an operation names it and completes (`ovl.rs`). A wait on events
//! first lets virtual time pass while an overlapped operation whose
//! event is among them (or, alertable, one with a completion routine of
//! the calling thread) is pending and the model has something in flight
//! that could complete it: the wait's time-out is then virtual time. What
//! the model cannot complete (nothing in flight) only the program can
//! (`SetEvent` from another thread): the wait is then a real one, in wall
//! time. `WSAGetOverlappedResult` is here too. The events `WSAEventSelect`
//! names are set from the model's network-event records (`netevents.rs`).

use crate::fault::Fault;
use crate::frame::run;
use crate::{mem, os, ovl, settle};
use windows_sys::Win32::Networking::WinSock::{
    SOCKET, WSA_INVALID_HANDLE, WSA_INVALID_PARAMETER, WSA_IO_INCOMPLETE, WSA_NOT_ENOUGH_MEMORY,
};
use windows_sys::Win32::System::IO::OVERLAPPED;
use winsock_model::contract::ntstatus::{wsa_of_status, STATUS_PENDING};
use winsock_model::{Overlapped, WinsockOverlapped, WsaError};

/// `WAIT_TIMEOUT`.
const WAIT_TIMEOUT: u32 = 258;

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
        |d| {
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
            let (all, alertable) = (all != 0, alertable != 0);
            settle::settle(d);
            let mut r = os::wait_events(&handles, all, 0, alertable);
            if r == WAIT_TIMEOUT && timeout != 0 {
                let poll = || {
                    let r = os::wait_events(&handles, all, 0, alertable);
                    (r != WAIT_TIMEOUT).then_some(r)
                };
                // (A stop of the paced call goes up to the frame, which
                // makes the call again: `pace.rs`.)
                r = match virtual_wait(d, &handles, all, timeout, alertable)? {
                    Some(r) => r,
                    None => {
                        // Events WSAEventSelect named (netsel.rs).
                        crate::netsel::mirror(d);
                        let v = match poll() {
                            Some(r) => Some(r),
                            None => crate::netsel::virtual_wait_paced(d, &handles, timeout, poll)?,
                        };
                        v.unwrap_or_else(|| os::wait_events(&handles, all, timeout, alertable))
                    }
                };
            }
            if r == u32::MAX {
                let e = os::last_error() as i32;
                return Err(Fault::Dll(e, "the wait failed".into()));
            }
            Ok(r)
        },
    )
}

/// The part of a wait on `handles` that passes in virtual time
/// (`settle::virtual_wait`): operations whose event is among them, or
/// (alertable) with a completion routine of the calling thread.
fn virtual_wait(
    d: &crate::calls::Dll,
    handles: &[usize],
    all: bool,
    timeout: u32,
    alertable: bool,
) -> Result<Option<u32>, WsaError> {
    let poll = || {
        let r = os::wait_events(handles, all, 0, alertable);
        (r != WAIT_TIMEOUT).then_some(r)
    };
    settle::virtual_wait_paced(
        d,
        "WSAWaitForMultipleEvents",
        |o| o.waited(handles, alertable),
        timeout,
        poll,
        || WAIT_TIMEOUT,
    )
}

/// `WSAGetOverlappedResult`: the result of the overlapped operation
/// that used `lpOverlapped`, read from the `OVERLAPPED` as Windows reads
/// it (`Internal` the status, `InternalHigh` the bytes, `Offset` the
/// flags: Wine 8.0's `dlls/ws2_32/socket.c:3714-3737`). An operation still
/// pending in the model is `WSA_IO_INCOMPLETE` without `fWait`; with it,
/// the model's `WSAGetOverlappedResult` waits in virtual time (a deadlock
/// report when nothing can complete it) and the completion is delivered
/// first. A `NULL` `lpOverlapped` is `WSA_INVALID_PARAMETER`, checked
/// before the socket (as Wine 8.0 does, `socket.c:3699-3710`).
///
/// # Safety
/// `lpOverlapped` is `NULL` or the program's `OVERLAPPED`; `transfer`
/// and `flags` are `NULL` or valid for a `DWORD`.
#[export_name = "wsd_WSAGetOverlappedResult"]
pub unsafe extern "system" fn WSAGetOverlappedResult(
    s: SOCKET,
    overlapped: *mut OVERLAPPED,
    transfer: *mut u32,
    wait: i32,
    flags: *mut u32,
) -> i32 {
    run(
        "WSAGetOverlappedResult",
        |_| 0,
        || format!("{s:#x}, fWait={wait}"),
        |d| {
            if overlapped.is_null() {
                return Err(Fault::Dll(
                    WSA_INVALID_PARAMETER,
                    "lpOverlapped is NULL".into(),
                ));
            }
            d.known(s)?;
            if !mem::writable(overlapped.cast(), std::mem::size_of::<OVERLAPPED>()) {
                return Err(Fault::efault("lpOverlapped cannot be read"));
            }
            settle::settle(d);
            let pending = d.ovls.lock().pending(overlapped as usize);
            if let Some(id) = pending {
                let c =
                    d.host
                        .wsa_get_overlapped_result(d.sock(s), &Overlapped::new(id), wait != 0)?;
                ovl::deliver_one(d, c);
            }
            // SAFETY: probed readable above.
            let mut o = unsafe { mem::read(overlapped.cast_const())? }.expect("not NULL");
            if o.Internal as u32 == STATUS_PENDING {
                // Not the model's (or not yet delivered): as Windows, the
                // event or the socket's handle.
                if wait == 0 {
                    return Err(WsaError::Code(WSA_IO_INCOMPLETE).into());
                }
                let h = match o.hEvent as usize & !1 {
                    0 => s,
                    e => e,
                };
                os::wait_one(h);
                // SAFETY: as above.
                o = unsafe { mem::read(overlapped.cast_const())? }.expect("not NULL");
            }
            // SAFETY: the caller promises DWORDs or NULL.
            unsafe {
                mem::write(transfer, o.InternalHigh as u32)?;
                // SAFETY: reading a union field of plain integers.
                mem::write(flags, o.Anonymous.Anonymous.Offset)?;
            }
            let status = o.Internal as u32;
            if (status as i32) < 0 {
                return Err(WsaError::Code(wsa_of_status(status)).into());
            }
            Ok(1)
        },
    )
}
