//! Overlapped operations of the program: the model runs them, the DLL
//! hands their completions on to the program's real objects.
//!
//! An overlapped data call posts the operation on the model with an id
//! of the DLL's standing for the program's `OVERLAPPED` (ids, not
//! addresses, so the trace does not depend on where the program's memory
//! is), and without the program's event or completion routine: the
//! model's operation completes into its `WSAOVERLAPPED` stand-in, and the
//! DLL takes every such completion (`settle::settle`, at the end of every
//! exported call while an operation is outstanding, after the events due
//! at that instant of virtual time have happened) and delivers it as
//! Windows does: the received bytes into the program's buffers (which it
//! keeps valid while the operation is pending, as Windows asks), the
//! sender's name and the `WSAMSG`, then the `OVERLAPPED` (`Offset` the
//! flags, `InternalHigh` the bytes, `Internal` the final `NTSTATUS`,
//! written last), then either the completion routine queued as a user APC
//! to the thread that issued the call (run by that thread's next
//! alertable wait, `SleepEx(.., TRUE)` among them), or the event set (the
//! socket's own handle when `hEvent` is `NULL`, as a file object is).
//!
//! So a completion the model makes while a call runs (a datagram sent to
//! oneself on loopback arrives at the same instant) has reached the
//! program's memory and kernel objects when that call returns, and a
//! kernel32 wait the DLL never sees finds it. A completion that needs
//! virtual time to pass (a datagram held back by a fault, a time-out) is
//! delivered when the program next waits through the DLL
//! (`WSAWaitForMultipleEvents`, `WSAGetOverlappedResult` with `fWait`, a
//! blocking call, `select`), which lets that time pass.
//!
//! The registry of outstanding operations is plain data (`ops.rs`); when
//! completions are taken and delivered is `settle.rs`, above this and
//! `accept.rs`.

use crate::calls::Dll;
use crate::fault::Fault;
use crate::ops::{Accept, Nt, Op, Out, Routine};
use crate::{mem, os};
use windows_sys::Win32::Networking::WinSock::{LPWSAOVERLAPPED_COMPLETION_ROUTINE, WSAMSG};
use windows_sys::Win32::System::IO::OVERLAPPED;
use winsock_model::contract::ntstatus::STATUS_PENDING;
use winsock_model::contract::{Completion, Posted, WsaError, WSA_IO_PENDING};

/// An overlapped call about to be posted.
pub(crate) struct Begun {
    pub(crate) id: u64,
    addr: usize,
    event: usize,
    no_port: bool,
    routine: Option<Routine>,
    fresh: bool,
    /// An AFD request's: `addr` is its `IO_STATUS_BLOCK`.
    nt: Option<Nt>,
}

/// Checks the program's `OVERLAPPED` (readable and writable, else
/// `WSAEFAULT` after the socket's checks) and gives the operation its id.
pub(crate) fn begin(
    d: &Dll,
    s: usize,
    ovl: *mut OVERLAPPED,
    routine: LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> Result<Begun, Fault> {
    if !mem::writable(ovl.cast(), std::mem::size_of::<OVERLAPPED>()) {
        d.known(s)?;
        return Err(Fault::efault("lpOverlapped cannot be written"));
    }
    // SAFETY: checked readable and writable above.
    let o = unsafe { mem::read(ovl.cast_const())? }.expect("not NULL");
    let addr = ovl as usize;
    let mut ovls = d.ovls.lock();
    // A completion routine on a socket with a completion port is refused
    // as Windows' I/O manager refuses an APC routine for a file with a
    // port (Wine's sock.c:7585-7590, run on Windows: WSAEINVAL).
    if routine.is_some() && ovls.assoc.contains_key(&s) {
        return Err(WsaError::Code(winsock_model::contract::WSAEINVAL).into());
    }
    let fresh = ovls.pending(addr).is_none();
    let id = ovls.id_for(addr);
    // A completion kept for an id is its operation's only once that
    // operation is posted (after this).
    ovls.early.remove(&id);
    Ok(Begun {
        id,
        addr,
        event: o.hEvent as usize & !1,
        no_port: o.hEvent as usize & 1 != 0,
        routine,
        fresh,
        nt: None,
    })
}

/// [`begin`] for an AFD request made through `NtDeviceIoControlFile`
/// (`afd_recv.rs`): its `IO_STATUS_BLOCK` (16 bytes, written only when
/// the request completes) stands for the `OVERLAPPED`, `event` (or 0) is
/// the call's, and `nt` its APC routine and context. `None` when the
/// `IO_STATUS_BLOCK` cannot be written.
pub(crate) fn begin_nt(d: &Dll, iosb: usize, event: usize, nt: Nt) -> Option<Begun> {
    if !mem::writable(iosb as *const u8, 16) {
        return None;
    }
    let mut ovls = d.ovls.lock();
    let fresh = ovls.pending(iosb).is_none();
    let id = ovls.id_for(iosb);
    ovls.early.remove(&id);
    Some(Begun {
        id,
        addr: iosb,
        event,
        no_port: false,
        routine: None,
        fresh,
        nt: Some(nt),
    })
}

/// What the program's call returns for an operation the model took.
pub(crate) enum Started {
    /// `SOCKET_ERROR` with `WSA_IO_PENDING`.
    Pending,
    /// Completed at once: the error (0, `WSAEMSGSIZE`), the bytes and the
    /// flags the call's own outputs get; the completion follows anyway.
    Completed(i32, u32, u32),
}

/// Records what the model did with a posted operation. An operation the
/// model took is registered (its completion is delivered by `settle::settle`)
/// and its `OVERLAPPED` says `STATUS_PENDING`; the event is reset, as the
/// I/O manager resets it when an operation starts ("The ReadFile function
/// resets the event specified by the hEvent member ... when it begins the
/// I/O operation", ReadFile's page; Winsock's operations are I/O requests
/// on the socket's file). A socket without `WSA_FLAG_OVERLAPPED` ran the
/// call directly: its completion is copied back at once and nothing
/// follows.
pub(crate) fn posted(
    d: &Dll,
    s: usize,
    b: Begun,
    out: Out,
    r: Result<Posted, WsaError>,
) -> Result<Started, Fault> {
    let posted = match r {
        Ok(p) => p,
        Err(e) => {
            if b.fresh {
                d.ovls.lock().free.insert(b.id);
            }
            return Err(e.into());
        }
    };
    if let Posted::Synchronous(c) = posted {
        if b.nt.is_some() {
            // An AFD request on a socket without WSA_FLAG_OVERLAPPED: the
            // I/O manager waited for it; it completes as one that
            // completed at once.
            let started = Started::Completed(c.error, c.bytes, c.flags);
            complete_now(d, s, b, out, c, true);
            return Ok(started);
        }
        if b.fresh {
            d.ovls.lock().free.insert(b.id);
        }
        // SAFETY: the buffers were probed at the call, which has not
        // returned.
        unsafe { copy_out(&out, &c)? };
        // WIN-NONOVERLAPPED-RECV-BLOCKS: Windows writes a receive's result
        // to the OVERLAPPED (GetOverlappedResult reads it: sock.c
        // 12569-12574, 12733-12739 of Wine 8.0).
        if matches!(out, Out::Recv { .. } | Out::RecvMsg { .. })
            && b.nt.is_none()
            && d.settings
                .profile
                .has(winsock_model::Quirk::NonOverlappedRecvBlocks)
        {
            let ovl = b.addr as *mut OVERLAPPED;
            // SAFETY: checked writable by `begin`, in this call.
            unsafe {
                std::ptr::addr_of_mut!((*ovl).InternalHigh).write_unaligned(c.bytes as usize);
                std::ptr::addr_of_mut!((*ovl).Internal).write_unaligned(c.status as usize);
            }
        }
        if c.error != 0 && !winsock_model::contract::ran_despite(c.error) {
            return Err(WsaError::Code(c.error).into());
        }
        return Ok(Started::Completed(c.error, c.bytes, c.flags));
    }
    let ovl = b.addr as *mut OVERLAPPED;
    // An AFD request's IO_STATUS_BLOCK is left alone until it completes
    // (Wine's afd.c:1478-1481, run on Windows: 0xdeadbeef stays), and an
    // OVERLAPPED's `InternalHigh` keeps what the program left there until
    // the completion (Wine's sock.c:12615-12624 of Wine 8.0, run on
    // Windows).
    if b.nt.is_none() {
        // SAFETY: checked writable by `begin`, in this call.
        unsafe {
            std::ptr::addr_of_mut!((*ovl).Internal).write_unaligned(STATUS_PENDING as usize);
        }
    }
    if b.routine.is_none() {
        if b.event != 0 {
            os::reset_event(b.event);
        } else {
            os::reset_event(s);
        }
    }
    let immediate = !matches!(posted, Posted::Pending);
    let op = op_of(s, &b, out, immediate);
    let mut ovls = d.ovls.lock();
    ovls.ids.insert(b.addr, b.id);
    let early = ovls.early.remove(&b.id);
    ovls.by_id.insert(b.id, op);
    drop(ovls);
    if let Some(c) = early {
        deliver(d, c);
    }
    Ok(match posted {
        Posted::Pending => Started::Pending,
        Posted::Completed {
            error,
            bytes,
            flags,
        } => Started::Completed(error, bytes, flags),
        Posted::Synchronous(_) => unreachable!("handled above"),
    })
}

/// Registers an operation the DLL runs itself (`AcceptEx`, `ConnectEx`:
/// `accept.rs`) on `SOCKET` `listen`: the `OVERLAPPED` says
/// `STATUS_PENDING`, its event is reset; the completion goes to that
/// socket's event or port, as Windows sends it.
pub(crate) fn register_own(d: &Dll, listen: usize, b: Begun, a: Option<Accept>) {
    let ovl = b.addr as *mut OVERLAPPED;
    // (`InternalHigh` as in `posted`.)
    // SAFETY: checked writable by `begin`, in this call.
    unsafe {
        std::ptr::addr_of_mut!((*ovl).Internal).write_unaligned(STATUS_PENDING as usize);
    }
    os::reset_event(if b.event != 0 { b.event } else { listen });
    let mut ovls = d.ovls.lock();
    ovls.ids.insert(b.addr, b.id);
    ovls.by_id.insert(
        b.id,
        Op {
            addr: b.addr,
            socket: listen,
            out: Out::Send,
            event: b.event,
            routine: None,
            thread: 0,
            thread_id: os::thread_id(),
            immediate: false,
            no_port: b.no_port,
            accept: a.map(Box::new),
            nt: None,
        },
    );
}

/// The record of operation `b` on `SOCKET` `s`, its results going to
/// `out`.
fn op_of(s: usize, b: &Begun, out: Out, immediate: bool) -> Op {
    let apc = b.routine.is_some() || b.nt.is_some_and(|n| n.apc != 0);
    Op {
        addr: b.addr,
        socket: s,
        out,
        event: b.event,
        routine: b.routine,
        thread: if apc { os::apc_thread() } else { 0 },
        thread_id: os::thread_id(),
        immediate,
        no_port: b.no_port,
        accept: None,
        nt: b.nt,
    }
}

/// Completes an AFD request of `b`'s in this call with `c` (a receive
/// the DLL made directly, one the I/O manager waited for, a bind): as if
/// posted and delivered in this call. `immediate`: the call returns its
/// final status (else `STATUS_PENDING`), which
/// `FILE_SKIP_COMPLETION_PORT_ON_SUCCESS` keeps off the port.
pub(crate) fn complete_now(d: &Dll, s: usize, b: Begun, out: Out, c: Completion, immediate: bool) {
    if b.fresh {
        d.ovls.lock().free.insert(b.id);
    }
    finish(d, op_of(s, &b, out, immediate), c);
}

impl Started {
    /// The call's answer: 0, or `SOCKET_ERROR` with `WSA_IO_PENDING` or
    /// the immediate error; `write(bytes, flags)` writes the call's own
    /// outputs of an immediate completion.
    pub(crate) fn answer(
        self,
        write: impl FnOnce(u32, u32) -> Result<(), Fault>,
    ) -> Result<i32, Fault> {
        match self {
            Started::Pending => Err(WsaError::Code(WSA_IO_PENDING).into()),
            Started::Completed(error, bytes, flags) => {
                write(bytes, flags)?;
                match error {
                    0 => Ok(0),
                    e => Err(WsaError::Code(e).into()),
                }
            }
        }
    }
}

/// Copies a receive's results into the program's memory (probed first:
/// memory the program freed is left alone).
///
/// # Safety
/// The pointers in `out` are the program's, which it keeps valid while the
/// operation is pending.
unsafe fn copy_out(out: &Out, c: &Completion) -> Result<(), Fault> {
    let n = c.bytes as usize;
    match out {
        Out::Send => {}
        Out::Recv { bufs, from } => {
            // SAFETY: passed on.
            unsafe { mem::bufs_back_list(bufs, &c.buffers, n)? };
            if let (Some((p, lenp)), Some(name)) = (from, &c.name) {
                // SAFETY: passed on.
                unsafe { mem::name_back(*p as *mut _, *lenp as *mut i32, name)? };
            }
        }
        Out::RecvMsg { bufs, msg } => {
            // SAFETY: passed on.
            unsafe { mem::bufs_back_list(bufs, &c.buffers, n)? };
            let p = *msg as *mut WSAMSG;
            // SAFETY: passed on; read (probed) before it is written.
            let Some(mut m) = (unsafe { mem::read(p.cast_const())? }) else {
                return Ok(());
            };
            if let Some(name) = &c.name {
                if !m.name.is_null() {
                    // SAFETY: `namelen` is the copy's; the name's room
                    // is at most what it said at the call.
                    unsafe { mem::name_back(m.name, &mut m.namelen, name)? };
                }
            }
            if let Some(control) = &c.control {
                if !m.Control.buf.is_null() {
                    let k = (control.len as usize)
                        .min(control.bytes().len())
                        .min(m.Control.len as usize);
                    // SAFETY: `k` is at most the control buffer's length.
                    unsafe { mem::write_bytes(m.Control.buf, &control.bytes()[..k])? };
                }
                m.Control.len = control.len;
            }
            m.dwFlags = c.flags;
            // SAFETY: passed on.
            unsafe { mem::write(p, m)? };
        }
    }
    Ok(())
}

/// A completion routine's call, queued as a user APC.
struct RoutineCall {
    routine: Routine,
    error: u32,
    bytes: u32,
    ovl: usize,
    flags: u32,
}

/// The user APC that calls a completion routine with its completion
/// (`dwError`, `cbTransferred`, `lpOverlapped`, `dwFlags`).
unsafe extern "system" fn run_routine(param: usize) {
    // SAFETY: `param` is the box `deliver` leaked for this APC, which the
    // kernel runs once.
    let call = unsafe { Box::from_raw(param as *mut RoutineCall) };
    // SAFETY: the routine is the program's, called as Windows calls it.
    unsafe {
        (call.routine)(
            call.error,
            call.bytes,
            call.ovl as *mut OVERLAPPED,
            call.flags,
        )
    };
}

/// Hands a completion the model made on to the program.
pub(crate) fn deliver(d: &Dll, c: Completion) {
    let op = {
        let mut ovls = d.ovls.lock();
        match ovls.take(c.overlapped.id) {
            Some(op) => op,
            None => {
                // Its call has not registered it yet (another thread's
                // call took the completion): that call delivers it.
                ovls.early.insert(c.overlapped.id, c);
                return;
            }
        }
    };
    finish(d, op, c);
}

/// Delivers completion `c` of operation `op`: the program's buffers, its
/// `OVERLAPPED` (or `IO_STATUS_BLOCK`), then the routine or APC, the
/// event, the port.
fn finish(d: &Dll, op: Op, c: Completion) {
    if let Some(nt) = op.nt {
        finish_nt(d, op, nt, c);
        return;
    }
    // SAFETY: the program keeps the memory of a pending operation valid;
    // every pointer is probed before it is written.
    let copied = unsafe { copy_out(&op.out, &c) };
    if let Err(Fault::Dll(_, why)) = copied {
        d.note(format!(
            "completion ovl={}: the program's memory: {why}",
            c.overlapped.id
        ));
    }
    let ovl = op.addr as *mut OVERLAPPED;
    if mem::writable(ovl.cast(), std::mem::size_of::<OVERLAPPED>()) {
        // SAFETY: probed writable; `Internal`, written last, says the rest
        // is there (GetOverlappedResult reads it first).
        unsafe {
            // WSARecvMsg's flags go to its WSAMSG only: the OVERLAPPED's
            // Offset stays as the program left it (Wine's test_ip_pktinfo
            // on Windows, sock.c:2539-2540).
            if matches!(op.out, Out::Recv { .. }) {
                std::ptr::addr_of_mut!((*ovl).Anonymous.Anonymous.Offset).write_unaligned(c.flags);
            }
            std::ptr::addr_of_mut!((*ovl).InternalHigh).write_unaligned(c.bytes as usize);
            std::sync::atomic::fence(std::sync::atomic::Ordering::Release);
            std::ptr::addr_of_mut!((*ovl).Internal).write_unaligned(c.status as usize);
        }
    } else {
        d.note(format!(
            "completion ovl={}: the OVERLAPPED cannot be written",
            c.overlapped.id
        ));
    }
    match op.routine {
        Some(routine) => {
            // A WSARecvMsg routine gets no flags (they are in the WSAMSG:
            // sock.c:2418-2423, on Windows).
            let flags = if matches!(op.out, Out::RecvMsg { .. }) {
                0
            } else {
                c.flags
            };
            queue_routine(d, op.thread, routine, c.error, c.bytes, op.addr, flags)
        }
        None => {
            let (assoc, modes) = {
                let o = d.ovls.lock();
                (
                    o.assoc.get(&op.socket).copied(),
                    o.modes.get(&op.socket).copied().unwrap_or(0),
                )
            };
            if op.event != 0 {
                os::set_event(op.event);
            } else if modes & FILE_SKIP_SET_EVENT_ON_HANDLE == 0 {
                os::set_event(op.socket);
            }
            // FILE_SKIP_COMPLETION_PORT_ON_SUCCESS: "the I/O Manager does
            // not queue a completion entry to the port, when it would
            // ordinarily do so ... when the I/O operation returns with
            // success" (SetFileCompletionNotificationModes' page); a
            // truncated datagram counts as a success (ran_despite).
            let skip = op.immediate
                && winsock_model::contract::ran_despite(c.error)
                && modes & FILE_SKIP_COMPLETION_PORT_ON_SUCCESS != 0;
            if let (Some(a), false, false) = (assoc, op.no_port, skip) {
                if !os::post_completion(a.port, a.key, op.addr, c.status, c.bytes) {
                    d.note(format!(
                        "completion ovl={}: the completion port took no packet",
                        c.overlapped.id
                    ));
                }
            }
        }
    }
}

/// An AFD request's `PIO_APC_ROUTINE` call (`ApcContext`,
/// `IoStatusBlock`, `Reserved`), queued as a user APC.
struct NtApcCall {
    routine: usize,
    context: usize,
    iosb: usize,
}

/// The user APC that calls an AFD request's APC routine.
unsafe extern "system" fn run_nt_apc(param: usize) {
    // SAFETY: `param` is the box `finish_nt` leaked for this APC, which
    // the kernel runs once.
    let call = unsafe { Box::from_raw(param as *mut NtApcCall) };
    type Apc = unsafe extern "system" fn(usize, usize, u32);
    // SAFETY: the program passed this address as its PIO_APC_ROUTINE.
    let f = unsafe { std::mem::transmute::<usize, Apc>(call.routine) };
    // SAFETY: called as the I/O manager calls it.
    unsafe { f(call.context, call.iosb, 0) };
}

/// Delivers completion `c` of an AFD request (`afd_recv.rs`): the
/// received bytes, then its `IO_STATUS_BLOCK` (`Information` the bytes,
/// `Status` the `NTSTATUS`, written last; nothing past its 16 bytes),
/// then as the I/O manager completes a request: the event (the file's own
/// when the call gave none), the APC routine queued to the issuing
/// thread, and the packet to the socket's completion port with the
/// request's APC context as its "overlapped" value (none for a `NULL`
/// context: Wine's afd.c:1318-1322, run on Windows; none for a success
/// at once under `FILE_SKIP_COMPLETION_PORT_ON_SUCCESS`).
fn finish_nt(d: &Dll, op: Op, nt: Nt, c: Completion) {
    // SAFETY: the program keeps the memory of a pending request valid;
    // every pointer is probed before it is written.
    if let Err(Fault::Dll(_, why)) = unsafe { copy_out(&op.out, &c) } {
        d.note(format!("AFD completion: the program's memory: {why}"));
    }
    let info = (c.bytes as u64).to_le_bytes();
    let status = u64::from(c.status).to_le_bytes();
    // SAFETY: probed writes of the program's IO_STATUS_BLOCK; Status
    // last, after a fence.
    unsafe {
        let _ = mem::write_bytes((op.addr + 8) as *mut u8, &info);
        std::sync::atomic::fence(std::sync::atomic::Ordering::Release);
        let _ = mem::write_bytes(op.addr as *mut u8, &status);
    }
    let (assoc, modes) = {
        let o = d.ovls.lock();
        (
            o.assoc.get(&op.socket).copied(),
            o.modes.get(&op.socket).copied().unwrap_or(0),
        )
    };
    if op.event != 0 {
        os::set_event(op.event);
    } else if modes & FILE_SKIP_SET_EVENT_ON_HANDLE == 0 {
        os::set_event(op.socket);
    }
    if nt.apc != 0 {
        queue_nt_apc(d, op.thread, nt.apc, nt.apc_context, op.addr);
    }
    // NT_SUCCESS: a warning (STATUS_BUFFER_OVERFLOW) is no success.
    let success = c.status & 0x8000_0000 == 0;
    let skip = op.immediate && success && modes & FILE_SKIP_COMPLETION_PORT_ON_SUCCESS != 0;
    if let (Some(a), false, true) = (assoc, skip, nt.apc_context != 0) {
        if !os::post_completion(a.port, a.key, nt.apc_context, c.status, c.bytes) {
            d.note("AFD completion: the completion port took no packet".into());
        }
    }
}

/// Queues an AFD request's APC routine `routine(context, iosb, 0)` to
/// `thread` (a handle from `os::apc_thread` or `os::thread_handle`,
/// closed here); nothing when the thread has ended.
pub(crate) fn queue_nt_apc(d: &Dll, thread: usize, routine: usize, context: usize, iosb: usize) {
    let call = Box::new(NtApcCall {
        routine,
        context,
        iosb,
    });
    let param = Box::into_raw(call) as usize;
    if !os::queue_apc(thread, run_nt_apc, param) {
        // SAFETY: the APC was not queued, so the box is still ours.
        drop(unsafe { Box::from_raw(param as *mut NtApcCall) });
        d.note("an AFD request's thread is gone: its APC not queued".into());
    }
}

/// `FILE_SKIP_COMPLETION_PORT_ON_SUCCESS`.
pub(crate) const FILE_SKIP_COMPLETION_PORT_ON_SUCCESS: u8 = 1;
/// `FILE_SKIP_SET_EVENT_ON_HANDLE`.
pub(crate) const FILE_SKIP_SET_EVENT_ON_HANDLE: u8 = 2;

/// Queues `routine(error, bytes, ovl, flags)` as a user APC to `thread`
/// (a handle from `os::apc_thread`, closed here).
pub(crate) fn queue_routine(
    d: &Dll,
    thread: usize,
    routine: Routine,
    error: i32,
    bytes: u32,
    ovl: usize,
    flags: u32,
) {
    let call = Box::new(RoutineCall {
        routine,
        error: error as u32,
        bytes,
        ovl,
        flags,
    });
    let param = Box::into_raw(call) as usize;
    if !os::queue_apc(thread, run_routine, param) {
        // SAFETY: the APC was not queued, so the box is still ours.
        drop(unsafe { Box::from_raw(param as *mut RoutineCall) });
        d.note("a completion routine's thread is gone: not queued".into());
    }
}

/// Delivers one completion the program's call took from the model
/// (`WSAGetOverlappedResult` waiting for it), or one of the DLL's own
/// operations.
pub(crate) fn deliver_one(d: &Dll, c: Completion) {
    deliver(d, c);
}

/// An overlapped ioctl whose completion is known when the call returns:
/// its `OVERLAPPED` says so (`Internal` the status of `error`, 0 being
/// `STATUS_SUCCESS`; `InternalHigh` the bytes), and its completion
/// routine is queued to the calling thread (an APC, as for the data
/// calls: `ovl.rs`, with `error` as its `dwError`) or else its event is
/// set (the low bit of `hEvent` is the caller's flag, not part of the
/// handle) and the socket's completion port gets the packet, with the
/// status (a failed one makes `GetQueuedCompletionStatus` return `FALSE`
/// with its Win32 error).
///
/// # Safety
/// `ovl` is the caller's `OVERLAPPED`, checked writable.
pub(crate) unsafe fn complete_at_once(
    d: &Dll,
    s: usize,
    ovl: *mut OVERLAPPED,
    error: i32,
    n: usize,
    routine: LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> Result<(), Fault> {
    let status = if error == 0 {
        0
    } else {
        winsock_model::contract::ntstatus::status_of_wsa(error, false)
    };
    // SAFETY: passed on.
    let mut o = unsafe { mem::read(ovl.cast_const())? }.expect("not NULL");
    o.Internal = status as usize;
    o.InternalHigh = n;
    let event = o.hEvent as usize & !1;
    // SAFETY: passed on.
    unsafe { mem::write(ovl, o)? };
    if let Some(r) = routine {
        let thread = crate::os::apc_thread();
        crate::ovl::queue_routine(d, thread, r, error, n as u32, ovl as usize, 0);
        return Ok(());
    }
    if event != 0 {
        crate::os::set_event(event);
    }
    // A socket with a completion port gets the packet (not with the low
    // bit of hEvent set), as for any completed operation.
    let assoc = d.ovls.lock().assoc.get(&s).copied();
    if let (Some(a), false) = (assoc, o.hEvent as usize & 1 != 0) {
        crate::os::post_completion(a.port, a.key, ovl as usize, status, n as u32);
    }
    Ok(())
}
