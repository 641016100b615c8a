//! Blocking calls and the completion routines that interrupt them.
//!
//! A blocking call waits alertably, so a completion routine of the same
//! thread can run inside it; another blocking call made by that routine is
//! undefined (`RECV-APC-NESTED-BLOCKING-UB`, `RECVMSG-APC-NESTED-BLOCKING-UB`,
//! `SENDMSG-APC-NESTED-BLOCKING-UB`). The backend
//! does not pass such a call to Windows: it knows which blocking call the
//! thread is in, whether a routine is running inside it, and which sockets
//! were made non-blocking (`FIONBIO`), whose calls never block.

use std::cell::Cell;
use std::collections::BTreeSet;
use std::sync::Mutex;
use winsock_model::WsaError;

thread_local! {
    /// The blocking call this thread is in.
    static BLOCKING: Cell<Option<&'static str>> = const { Cell::new(None) };
    /// While a completion routine runs: the blocking call it interrupted.
    static IN_APC_OF: Cell<Option<&'static str>> = const { Cell::new(None) };
}

/// Sockets in non-blocking mode.
static NONBLOCKING: Mutex<BTreeSet<usize>> = Mutex::new(BTreeSet::new());

fn nonblocking() -> std::sync::MutexGuard<'static, BTreeSet<usize>> {
    NONBLOCKING.lock().unwrap_or_else(|e| e.into_inner())
}

/// Records a socket's mode (`ioctlsocket(FIONBIO)`, a new or closed socket).
pub(super) fn set_nonblocking(s: usize, on: bool) {
    if on {
        nonblocking().insert(s);
    } else {
        nonblocking().remove(&s);
    }
}

/// Whether `ioctlsocket(FIONBIO)` made `s` non-blocking.
pub(super) fn is_nonblocking(s: usize) -> bool {
    nonblocking().contains(&s)
}

/// While alive, this thread is in a blocking call.
pub(super) struct InCall(Option<&'static str>);

impl Drop for InCall {
    fn drop(&mut self) {
        BLOCKING.with(|b| b.set(self.0));
    }
}

/// Enters the receive or send `call` on `s`; refuses it when it is a
/// blocking call made by a routine that interrupted a blocking call.
pub(super) fn enter(s: usize, call: &'static str) -> Result<Option<InCall>, WsaError> {
    if nonblocking().contains(&s) {
        return Ok(None);
    }
    if let Some(of) = IN_APC_OF.with(Cell::get) {
        return Err(super::refused(
            &format!(
                "a blocking {call} inside a completion routine that interrupted a blocking {of}"
            ),
            winsock_model::clauses::apc_nested_blocking_clause(of),
        ));
    }
    Ok(Some(InCall(BLOCKING.with(|b| b.replace(Some(call))))))
}

/// Runs a completion routine, noting the blocking call it interrupts.
pub(super) fn in_routine<R>(f: impl FnOnce() -> R) -> R {
    let of = BLOCKING.with(Cell::get);
    let outer = IN_APC_OF.with(|a| a.replace(of));
    // The routine's own calls are not inside the interrupted one.
    let blocking = BLOCKING.with(|b| b.replace(None));
    let r = f();
    BLOCKING.with(|b| b.set(blocking));
    IN_APC_OF.with(|a| a.set(outer));
    r
}
