//! `AcceptEx`, run by the DLL over the model's `accept` and `WSARecv`
//! (the model has no overlapped accept).
//!
//! The call is always pending (`ERROR_IO_PENDING`, allowed: "If no
//! error occurs, the AcceptEx function completed successfully ...
//! [otherwise] ERROR_IO_PENDING ... the operation was successfully
//! initiated and is still in progress", AcceptEx's page). At the end of
//! every exported call ([`progress`], from `settle::settle`) each pending
//! `AcceptEx` whose listener has a connection takes it (the model's
//! `accept`); with a receive buffer (`dwReceiveDataLength` > 0) it then
//! waits for the first data, as Windows does, and takes it (the model's
//! `WSARecv`). The accepting socket's `SOCKET` then stands for the
//! accepted connection (its own model socket is closed), the buffer gets
//! the data and the two address blocks that the DLL's
//! `GetAcceptExSockaddrs` reads, and the completion goes to the
//! `OVERLAPPED`, the event and the listening socket's completion port.
//! Closing either socket ends a pending `AcceptEx` with
//! `WSA_OPERATION_ABORTED` (`STATUS_CANCELLED`).
//!
//! `ConnectEx` is the model's `connect` (waiting in virtual time for a
//! non-blocking socket's connection to finish) and `WSASend` of the
//! data, made inside the call; the call returns `ERROR_IO_PENDING` with
//! its completion already delivered (allowed: the completion may come at
//! any time after the call starts).
//!
//! What is not modelled: a connection that arrives while the program
//! waits without calling the DLL (the model's connections on one host
//! are made by the program's own calls, so none arrives that way), and
//! `AcceptEx` completing at once (`TRUE`).

use crate::calls::Dll;
use crate::mem;
use crate::ops::Accept;
use std::net::SocketAddr;
use winsock_model::contract::ntstatus::status_of_wsa;
use winsock_model::contract::{addr, WSA_OPERATION_ABORTED};
use winsock_model::{Completion, Overlapped, Winsock, WsaBuf};

/// Completes the DLL's own operation `id` (`AcceptEx`, `ConnectEx`)
/// with `error` and `bytes`.
pub(crate) fn complete(d: &Dll, id: u64, error: i32, bytes: u32) {
    let c = Completion {
        overlapped: Overlapped::new(id),
        error,
        bytes,
        status: status_of_wsa(error, false),
        flags: 0,
        buffers: vec![],
        name: None,
        control: None,
    };
    crate::ovl::deliver_one(d, c);
}

/// Writes an address block: a 4-byte length, then the address, within
/// `len` bytes at `at`.
fn block(at: usize, len: u32, a: &SocketAddr) {
    let enc = addr::encode(a);
    if (len as usize) < 4 + enc.len() {
        return;
    }
    let mut b = (enc.len() as u32).to_le_bytes().to_vec();
    b.extend_from_slice(&enc);
    // SAFETY: the program's buffer, probed by write_bytes; `b` fits the
    // block's length.
    let _ = unsafe { mem::write_bytes(at as *mut u8, &b) };
}

/// Serializes [`progress`] and [`abort`] between the program's threads.
static STEP: parking_lot::Mutex<()> = parking_lot::Mutex::new(());

/// Moves every pending `AcceptEx` on as far as the model's state allows.
pub(crate) fn progress(d: &Dll) {
    // One thread at a time: two that both saw a connection ready for the
    // same AcceptEx would both take one (the second then waits for a
    // connection that never comes: a deadlock report, the AcceptEx
    // failed and the connection reset; seen in 2 of 5 runs of the Go
    // program). A thread that waits here then sees what the other left.
    let _one = STEP.lock();
    let pending = d.ovls.lock().accepts();
    for (id, mut a) in pending {
        let listen = d.sock(a.listen);
        if a.got.is_none() {
            if !d.host.readable_now(listen) {
                continue;
            }
            match d.host.accept(listen) {
                Ok(g) => a.got = Some(g),
                Err(e) => {
                    complete(d, id, e.code().unwrap_or(WSA_OPERATION_ABORTED), 0);
                    continue;
                }
            }
        }
        let (n, peer) = a.got.expect("taken above");
        let mut bytes = 0u32;
        if a.recv_len > 0 {
            if !d.host.readable_now(n) {
                d.ovls.lock().set_accept(id, a);
                continue;
            }
            let mut bufs = [WsaBuf::zeroed(a.recv_len as usize)];
            let (mut cnt, mut fl) = (0u32, 0u32);
            if let Err(e) = d.host.wsa_recv(n, &mut bufs, Some(&mut cnt), &mut fl) {
                let _ = d.host.close_socket(n);
                complete(d, id, e.code().unwrap_or(WSA_OPERATION_ABORTED), 0);
                continue;
            }
            let got = (cnt as usize).min(bufs[0].bytes().len());
            // SAFETY: the program's buffer of `recv_len` bytes, probed.
            let _ = unsafe { mem::write_bytes(a.buf as *mut u8, &bufs[0].bytes()[..got]) };
            bytes = got as u32;
        }
        if let Ok(local) = d.host.getsockname(n) {
            block(a.buf + a.recv_len as usize, a.local_len, &local);
        }
        block(
            a.buf + a.recv_len as usize + a.local_len as usize,
            a.remote_len,
            &peer,
        );
        let old = d.state.lock().handles.rebind(a.accept, n);
        if let Some(old) = old {
            let _ = d.host.close_socket(old);
        }
        d.note(format!(
            "AcceptEx ovl={id}: the accepting socket is now {:#x}",
            n.0
        ));
        complete(d, id, 0, bytes);
    }
}

/// Ends the pending `AcceptEx`es on `SOCKET` `s` (listening or
/// accepting; every one when `None`) with `WSA_OPERATION_ABORTED`.
pub(crate) fn abort(d: &Dll, s: Option<usize>) {
    end_where(d, |_, a| s.is_none_or(|s| s == a.listen || s == a.accept));
}

/// `CancelIoEx(s, ovl)` (`ovl` `None`: every operation) for the pending
/// `AcceptEx`es of listening or accepting socket `s`: each one named ends
/// with `WSA_OPERATION_ABORTED` (as the model's own operations do);
/// whether there was one. Go's `Close` of a listener cancels its pending
/// `AcceptEx` so, and waits for the completion.
#[cfg(windows)]
pub(crate) fn cancel(d: &Dll, s: usize, ovl: Option<usize>) -> bool {
    let wanted = match ovl {
        Some(addr) => match d.ovls.lock().pending(addr) {
            Some(id) => Some(id),
            None => return false,
        },
        None => None,
    };
    end_where(d, |id, a| {
        (s == a.listen || s == a.accept) && wanted.is_none_or(|w| w == id)
    })
}

/// Ends with `WSA_OPERATION_ABORTED` each pending `AcceptEx` (id, record)
/// that `which` names, closing the connection it took; whether any.
fn end_where(d: &Dll, which: impl Fn(u64, &Accept) -> bool) -> bool {
    let _one = STEP.lock();
    let pending = d.ovls.lock().accepts();
    let mut any = false;
    for (id, a) in pending.into_iter().filter(|(id, a)| which(*id, a)) {
        if let Some((n, _)) = a.got {
            let _ = d.host.close_socket(n);
        }
        complete(d, id, WSA_OPERATION_ABORTED, 0);
        any = true;
    }
    any
}
