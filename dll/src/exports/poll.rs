//! `select`, `WSAPoll` and `__WSAFDIsSet`: the C layouts (`fd_set`,
//! `TIMEVAL`, `WSAPOLLFD`) around the model's `SimHost::select` and
//! `SimHost::poll`, which make the checks and the waits.

use crate::calls::Dll;
use crate::fault::Fault;
use crate::frame::run;
use crate::mem;
use std::time::Duration;
use windows_sys::Win32::Networking::WinSock::{FD_SET, SOCKET, TIMEVAL, WSAPOLLFD};
use winsock_model::contract::WSAENOBUFS;
use winsock_model::sim::PollFd;
use winsock_model::Socket;

/// What `handle` stands for in the model, for a readiness call: the
/// model's socket, or for a handle the DLL never gave out one the model
/// does not have (a "negative" one, top bit set, stays negative: `WSAPoll`
/// treats those apart).
fn model_of(d: &Dll, handle: usize) -> Socket {
    if (handle as isize) < 0 && d.state.lock().handles.get(handle).is_none() {
        return Socket(handle as u64);
    }
    d.sock(handle)
}

/// The handle the program gave for model socket `s` (the first of
/// `inputs` that stands for it).
fn user_of(inputs: &[(usize, Socket)], s: Socket) -> usize {
    inputs
        .iter()
        .find(|(_, m)| *m == s)
        .map_or(s.0 as usize, |(u, _)| *u)
}

/// `select`. `nfds` is ignored ("included only for compatibility with
/// Berkeley sockets"); a `NULL` `timeout` blocks, `{0, 0}` polls (a
/// negative time-out is taken as zero: model choice). Each set is read
/// whole before anything is written, so sets given twice (the same
/// pointer as two arguments, sock.c:4097-4110) get the sockets ready in
/// either, once; the count is of what is written (sock.c:4105-4110,
/// 4129-4135). A set that fails the call is left as it was.
///
/// # Safety
/// Each set is `NULL` or valid for its `fd_count` and that many entries;
/// `timeout` is `NULL` or valid for a `TIMEVAL`.
#[export_name = "wsd_select"]
pub unsafe extern "system" fn select(
    _nfds: i32,
    readfds: *mut FD_SET,
    writefds: *mut FD_SET,
    exceptfds: *mut FD_SET,
    timeout: *const TIMEVAL,
) -> i32 {
    run(
        "select",
        |_| -1,
        || format!("{readfds:p}, {writefds:p}, {exceptfds:p}, {timeout:p}"),
        |d| {
            let ptrs = [readfds, writefds, exceptfds];
            let mut sets: [Option<Vec<usize>>; 3] = [None, None, None];
            for (set, p) in sets.iter_mut().zip(ptrs) {
                // SAFETY: passed on.
                *set = unsafe { mem::fd_set_in(p) }.map_err(|f| d.started().err().unwrap_or(f))?;
            }
            // SAFETY: passed on.
            let t = unsafe { mem::read(timeout) }
                .map_err(|f| d.started().err().unwrap_or(f))?
                .map(|t| {
                    let us = i64::from(t.tv_sec) * 1_000_000 + i64::from(t.tv_usec);
                    Duration::from_micros(us.max(0) as u64)
                });
            let mut inputs: Vec<(usize, Socket)> = vec![];
            let mut model: [Option<Vec<Socket>>; 3] = [None, None, None];
            for (m, set) in model.iter_mut().zip(&sets) {
                *m = set.as_ref().map(|v| {
                    v.iter()
                        .map(|&u| {
                            let s = model_of(d, u);
                            inputs.push((u, s));
                            s
                        })
                        .collect()
                });
            }
            let [mut r, mut w, mut e] = model;
            if d.host.select(r.as_mut(), w.as_mut(), e.as_mut(), t)? == 0 {
                // The wait ended without a socket: it was alertable, so
                // the thread's user APCs have run (sock.c:4064-4072 on
                // Windows: an APC queued before a select that finds
                // nothing runs in it; one before a select that finds a
                // socket at once does not, sock.c:4074-4084).
                crate::os::run_user_apcs();
            }
            // The sets ready, by the memory they go to: a pointer given
            // twice gets the union, in argument order.
            let got = [r, w, e];
            let mut out: Vec<(*mut FD_SET, Vec<usize>)> = vec![];
            for (p, g) in ptrs.iter().zip(&got) {
                let Some(g) = g else { continue };
                let at = match out.iter().position(|(q, _)| q == p) {
                    Some(i) => i,
                    None => {
                        out.push((*p, vec![]));
                        out.len() - 1
                    }
                };
                for s in g {
                    let u = user_of(&inputs, *s);
                    if !out[at].1.contains(&u) {
                        out[at].1.push(u);
                    }
                }
            }
            let mut n = 0;
            for (p, handles) in &out {
                n += handles.len();
                // SAFETY: at most as many entries as the set (or the sets
                // sharing its memory) held on input: each ready socket came
                // from one of them.
                unsafe { mem::fd_set_out(*p, handles)? };
            }
            Ok(n as i32)
        },
    )
}

/// `WSAPoll`. A `NULL` array with elements is `WSAEFAULT`
/// (sock.c:7780-7794); the rest (no elements, `events` flags, handles
/// that are no sockets, the wait) is the model's. `revents` is written
/// back into each element whenever the model wrote it.
///
/// # Safety
/// `fds` is `NULL` or valid for reads and writes of `nfds` `WSAPOLLFD`s.
#[export_name = "wsd_WSAPoll"]
pub unsafe extern "system" fn WSAPoll(fds: *mut WSAPOLLFD, nfds: u32, timeout: i32) -> i32 {
    run(
        "WSAPoll",
        |_| -1,
        || format!("{fds:p}, {nfds}, {timeout}"),
        |d| {
            let n = nfds as usize;
            let size = n.saturating_mul(std::mem::size_of::<WSAPOLLFD>());
            if n > 0 && !mem::writable(fds.cast(), size) {
                d.started()?;
                return Err(Fault::efault("fdArray is NULL or cannot be written"));
            }
            if n > mem::MAX_HANDLES {
                d.started()?;
                return Err(Fault::Dll(
                    WSAENOBUFS,
                    format!("{n} elements are past {}", mem::MAX_HANDLES),
                ));
            }
            let mut els: Vec<PollFd> = (0..n)
                .map(|i| {
                    // SAFETY: `i` < `nfds`, which the caller promises.
                    let f = unsafe { fds.wrapping_add(i).read_unaligned() };
                    PollFd {
                        socket: model_of(d, f.fd),
                        events: f.events,
                        revents: f.revents,
                    }
                })
                .collect();
            let r = d.host.poll(&mut els, timeout);
            if matches!(r, Ok(0)) {
                // As for select: the alertable wait ran the user APCs.
                crate::os::run_user_apcs();
            }
            for (i, e) in els.iter().enumerate() {
                let at =
                    i * std::mem::size_of::<WSAPOLLFD>() + std::mem::offset_of!(WSAPOLLFD, revents);
                // SAFETY: as above; only `revents` is written.
                unsafe {
                    fds.cast::<u8>()
                        .wrapping_add(at)
                        .cast::<i16>()
                        .write_unaligned(e.revents)
                };
            }
            Ok(r? as i32)
        },
    )
}

/// `__WSAFDIsSet` (the `FD_ISSET` macro): whether `s` is among the
/// `fd_count` handles of the set.
///
/// # Safety
/// `set` is `NULL` or valid for its `fd_count` and that many entries.
#[export_name = "wsd___WSAFDIsSet"]
pub unsafe extern "system" fn __WSAFDIsSet(s: SOCKET, set: *const FD_SET) -> i32 {
    // SAFETY: passed on.
    match unsafe { mem::fd_set_in(set) } {
        Ok(Some(v)) => i32::from(v.contains(&s)),
        _ => 0,
    }
}
