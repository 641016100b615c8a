//! The frame every exported call runs in: the model's answer (or the
//! DLL's own check) becomes a return value and the thread's last error,
//! after the call's log line is written; and what a stub of an export not
//! modelled does.

use crate::calls::{dll, in_model, Dll};
use crate::fault::Fault;
use crate::os;
use crate::table::Fail;
use parking_lot::Mutex;
use std::collections::BTreeSet;
use winsock_model::contract::{error_name, WsaError};

/// `WSASYSCALLFAILURE`: the DLL itself failed (a panic inside the model
/// or the DLL, caught at the export).
const WSASYSCALLFAILURE: i32 = windows_sys::Win32::Networking::WinSock::WSASYSCALLFAILURE;
const WSAEOPNOTSUPP: i32 = winsock_model::contract::WSAEOPNOTSUPP;

/// Renders a code for the log.
pub(crate) fn code_name(c: i32) -> String {
    match error_name(c) {
        Some(n) => n.to_string(),
        None => c.to_string(),
    }
}

/// Runs an exported call: `body` asks the model; its success is returned
/// with last error 0 (Windows clears it: Wine's conformance tests, run on
/// Windows, check `!WSAGetLastError()` after successful `setsockopt`,
/// `WSAIoctl`, `WSASendTo`, `WSAPoll`: `dlls/ws2_32/tests/sock.c` lines
/// 1473, 5328, 7303, 7825 of Wine 8.0), a failure returns `fail(code)`
/// with the code as last error. The log line is written first, the last error
/// set last. A panic is caught: `WSASYSCALLFAILURE`.
///
/// In a multi-threaded program the body runs paced (`pace.rs`): a
/// blocking call that the model stops at its horizon is made again
/// after a slice of wall time, so `body` may run more than once (it
/// reads the program's memory again each time; the model's call goes on
/// where it stopped).
pub(crate) fn run<R: std::fmt::Debug>(
    name: &'static str,
    fail: impl FnOnce(i32) -> R,
    args: impl FnOnce() -> String,
    mut body: impl FnMut(&'static Dll) -> Result<R, Fault>,
) -> R {
    let d = dll();
    d.saw_thread();
    let guard = in_model(d);
    let shown = if d.logging() { args() } else { String::new() };
    // Completions the call made (or let happen) reach the program's
    // memory and objects before it returns (`settle.rs`).
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let r = crate::pace::call(d, &mut body);
        crate::settle::settle(d);
        crate::netsel::mirror(d);
        r
    }));
    drop(guard);
    d.call_ended();
    let (ret, code, what) = match r {
        Ok(Ok(v)) => {
            let what = format!("{v:?}");
            (v, 0, what)
        }
        Ok(Err(Fault::Model(WsaError::Code(c)))) => (fail(c), c, code_name(c)),
        Ok(Err(Fault::Model(WsaError::Model(rep)))) => {
            let c = d.model_report(name, &rep);
            (
                fail(c),
                c,
                format!("{} (model {})", code_name(c), rep.kind.name()),
            )
        }
        Ok(Err(Fault::Dll(c, why))) => {
            d.note(format!("{name}({shown}) -> {} ({why})", code_name(c)));
            (
                fail(c),
                c,
                format!("{} ({why}; checked by the DLL)", code_name(c)),
            )
        }
        Ok(Err(Fault::NotModelled(what))) => {
            let line = format!("not modelled: {name}: {what}");
            d.note(line.clone());
            eprintln_once(&line);
            (
                fail(WSAEOPNOTSUPP),
                WSAEOPNOTSUPP,
                format!("WSAEOPNOTSUPP ({line})"),
            )
        }
        Err(p) => {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            let line = format!("internal error in {name}: {msg}");
            eprintln!("winsock-double ws2_32.dll: {line}");
            d.note(line.clone());
            (
                fail(WSASYSCALLFAILURE),
                WSASYSCALLFAILURE,
                format!("WSASYSCALLFAILURE ({line})"),
            )
        }
    };
    d.log(|| format!("{name}({shown}) -> {what}"));
    os::set_last_error(code as u32);
    ret
}

/// What a stub of an export that is not modelled does: a trace line and a
/// log line, `WSAEOPNOTSUPP` as last error, the failure value of its kind
/// (`-1`, `0`, or the code itself).
pub(crate) fn not_modelled(name: &'static str, fail: Fail) -> isize {
    let d = dll();
    let line = format!("not modelled: {name}");
    d.note(line.clone());
    d.log(|| format!("{name}(..) -> WSAEOPNOTSUPP ({line})"));
    eprintln_once(&line);
    os::set_last_error(WSAEOPNOTSUPP as u32);
    match fail {
        Fail::SocketError => -1,
        Fail::Null | Fail::Void => 0,
        Fail::Code => WSAEOPNOTSUPP as isize,
    }
}

/// Tells standard error about a call that is not modelled, once per
/// message: a program that fails after it should say why.
fn eprintln_once(line: &str) {
    static SEEN: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());
    if SEEN.lock().insert(line.to_string()) {
        eprintln!("winsock-double ws2_32.dll: {line}");
    }
}
