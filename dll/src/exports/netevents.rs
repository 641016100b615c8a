//! Network events: `WSAEventSelect` and `WSAEnumNetworkEvents` on the
//! model's record (`model/src/sim/netevents.rs`), and `WSAAsyncSelect`,
//! whose window messages `winmsg.rs` posts. The program's
//! `WSAEVENT` is a kernel event; the model is given an event of its own
//! standing for it (one per program event, made at its first
//! `WSAEventSelect`), and the DLL sets the program's event when the model
//! signals the stand-in (`netsel::mirror`, at the end of every exported
//! call and in the waits that let virtual time pass). A wait on such an
//! event (`WSAWaitForMultipleEvents`, the hooked `WaitForSingleObject(Ex)`)
//! lets virtual time pass until the model signals its stand-in or the
//! wait's time-out passes (`netsel::virtual_wait`). The stand-ins are
//! kept in the process-wide model (`calls::StandIns`).

use crate::calls::Dll;
use crate::fault::Fault;
use crate::frame::run;
use crate::netsel::mirror;
use crate::{mem, os};
use windows_sys::Win32::Foundation::HWND;
use windows_sys::Win32::Networking::WinSock::{SOCKET, WSANETWORKEVENTS};
use winsock_model::{Event, WinsockOverlapped};

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
/// (`WSAEFAULT` when it cannot be written, checked first): its
/// `lNetworkEvents` and the `iErrorCode` entries of the events it holds,
/// the other entries left as the program had them, as Windows does
/// (sock.c:3745-3757 of Wine 8.0, run on Windows: "Bits that are not set
/// in lNetworkEvents MUST not be changed"); the program's
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
            // SAFETY: `out` is not NULL (probed writable above); a
            // WSANETWORKEVENTS has no invalid bit patterns.
            let Some(mut v) = (unsafe { mem::read(out.cast_const())? }) else {
                return Err(Fault::efault("lpNetworkEvents is NULL"));
            };
            v.lNetworkEvents = r.events;
            for (i, e) in r.errors.iter().enumerate() {
                if r.events & (1 << i) != 0 {
                    v.iErrorCode[i] = *e;
                }
            }
            // SAFETY: probed writable above.
            unsafe { mem::write(out, v)? };
            Ok(0)
        },
    )
}

/// `WSAAsyncSelect`: the model's `WSAAsyncSelect` (`winmsg::select`:
/// an `hWnd` that is not a window is `WSAEINVAL` when events are
/// selected); each network event then posts `wMsg` to `hWnd` with the
/// socket and `WSAMAKESELECTREPLY(event, error)` (`winmsg::post`).
#[export_name = "wsd_WSAAsyncSelect"]
pub extern "system" fn WSAAsyncSelect(s: SOCKET, hwnd: HWND, msg: u32, mask: i32) -> i32 {
    let hwnd = hwnd as usize;
    run(
        "WSAAsyncSelect",
        |_| -1,
        || format!("{s:#x}, {hwnd:#x}, {msg:#x}, {mask:#x}"),
        |d| {
            d.known(s)?;
            crate::winmsg::select(d, d.sock(s), hwnd, msg, mask)?;
            Ok(0)
        },
    )
}
