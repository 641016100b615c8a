//! Overlapped I/O on the real Winsock: every operation's `OVERLAPPED` and
//! the memory its pointers name live in one heap record at a stable address
//! until the completion is reaped.
//!
//! A record is shared by two parties: the posting call (which reads the
//! immediate outputs Windows wrote into it) and the reaper
//! (`WSAGetOverlappedResult`, `GetQueuedCompletionStatus(Ex)` or the
//! completion-routine trampoline). Each holds one reference; the last to
//! let go frees it. Pointers that come back from Windows
//! (`lpOverlapped` of a packet or an APC) are only dereferenced after they
//! were found in the table of live records, so a packet this backend did not
//! expect is reported without its buffers, never read through.

use super::{copy_back, name_arg, name_back, refused, wsabufs, Name, Region};
use std::collections::{BTreeMap, BTreeSet};
use std::ptr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;
use windows_sys::Win32::Foundation::{CloseHandle, GetLastError, HANDLE, INVALID_HANDLE_VALUE};
use windows_sys::Win32::Networking::WinSock as ws;
use windows_sys::Win32::System::IO::{
    CancelIoEx, CreateIoCompletionPort, GetQueuedCompletionStatus, GetQueuedCompletionStatusEx,
    PostQueuedCompletionStatus, OVERLAPPED, OVERLAPPED_ENTRY,
};
use winsock_model::{
    consts, Completion, CompletionRoutine, DataCall, DataRequest, Event, NameBuf, Overlapped,
    PortPacket, Posted, RecvCall, SendCall, WsaBuf, WsaError,
};

/// The memory an operation's pointers name, handed back at completion.
pub(super) struct Payload {
    pub(super) buffers: Vec<WsaBuf>,
    /// The `WSABUF` array (Windows may read it until the call returns; it
    /// is kept until completion all the same).
    _arr: Vec<ws::WSABUF>,
    regions: Vec<Region>,
    pub(super) name: Option<NameBuf>,
    name_arg: Option<Name>,
    pub(super) control: Option<WsaBuf>,
    cregions: Vec<Region>,
}

/// Where the completion goes, so that only one party reaps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Delivery {
    /// `WSAGetOverlappedResult` reaps.
    Result,
    /// A completion-port packet reaps.
    Port,
    /// The completion routine (through the trampoline) reaps.
    Routine,
}

/// One operation. `ovl` is first so that the `OVERLAPPED` pointer Windows
/// hands back is the record's address.
#[repr(C)]
pub(super) struct Rec {
    ovl: OVERLAPPED,
    id: u64,
    h_event: Option<Event>,
    socket: usize,
    /// Which call posted it; `None` for a packet of
    /// `PostQueuedCompletionStatus` with an `OVERLAPPED`.
    kind: Option<DataCall>,
    /// 2 while both the poster and the reaper hold it.
    refs: AtomicU32,
    /// `lpNumberOfBytes*` and `lpFlags` of the call.
    bytes: u32,
    flags: u32,
    /// `lpFromlen` of `WSARecvFrom`.
    fromlen: i32,
    /// The `WSAMSG` of `WSARecvMsg` / `WSASendMsg`.
    msg: ws::WSAMSG,
    payload: Mutex<Option<Payload>>,
    routine: Mutex<Option<CompletionRoutine>>,
    delivery: Mutex<Delivery>,
}

/// Live records by `OVERLAPPED` id, with their addresses.
struct Table {
    live: BTreeMap<u64, usize>,
    /// Reaped operations (socket, status without buffers, and the
    /// `OVERLAPPED` as Windows left it), for a second
    /// `WSAGetOverlappedResult`.
    reaped: BTreeMap<u64, (usize, Completion, Done)>,
    /// Sockets associated with a completion port, and those that skip
    /// packets for immediate success.
    assoc: BTreeSet<usize>,
    skip: BTreeSet<usize>,
    /// Sockets created without `WSA_FLAG_OVERLAPPED`.
    sync: BTreeSet<usize>,
}

static TABLE: Mutex<Table> = Mutex::new(Table {
    live: BTreeMap::new(),
    reaped: BTreeMap::new(),
    assoc: BTreeSet::new(),
    skip: BTreeSet::new(),
    sync: BTreeSet::new(),
});

fn table() -> std::sync::MutexGuard<'static, Table> {
    TABLE.lock().unwrap_or_else(|e| e.into_inner())
}

pub(super) fn note_socket(s: usize, overlapped: bool) {
    let mut t = table();
    if overlapped {
        t.sync.remove(&s);
    } else {
        t.sync.insert(s);
    }
    t.assoc.remove(&s);
    t.skip.remove(&s);
}

pub(super) fn forget_all() {
    let mut t = table();
    // The records stay allocated (leaked): a late completion for one is
    // not found in the table and so never read.
    t.live.clear();
    t.reaped.clear();
    t.assoc.clear();
    t.skip.clear();
}

pub(super) fn note_assoc(s: usize) {
    table().assoc.insert(s);
}

pub(super) fn note_skip(s: usize, on: bool) {
    let mut t = table();
    if on {
        t.skip.insert(s);
    } else {
        t.skip.remove(&s);
    }
}

fn code(c: i32) -> WsaError {
    WsaError::Code(c)
}

/// This thread's last Win32 error (`GetLastError`) as a code.
fn win32_error() -> i32 {
    // SAFETY: GetLastError only reads this thread's last error value.
    unsafe { GetLastError() as i32 }
}

/// This thread's last Winsock error (`WSAGetLastError`).
fn wsa_last() -> i32 {
    // SAFETY: WSAGetLastError only reads this thread's last error value.
    unsafe { ws::WSAGetLastError() }
}

/// WSAGetOverlappedResult naming another socket than the operation's: the
/// model reports it as misuse, so it is not passed on either.
fn other_socket() -> WsaError {
    refused(
        "WSAGetOverlappedResult on another socket than the operation's",
        None,
    )
}

/// Drops one reference; frees the record at zero.
///
/// # Safety
/// `p` is a record from `Box::into_raw` whose reference the caller holds and
/// gives up here.
unsafe fn release(p: *mut Rec) {
    // SAFETY: the caller holds a reference, so the record is alive.
    if unsafe { (*p).refs.fetch_sub(1, Ordering::AcqRel) } == 1 {
        // SAFETY: the last reference is gone: nobody else can reach it.
        drop(unsafe { Box::from_raw(p) });
    }
}

/// Finds the live record at address `p`, removing it from the table (this
/// caller becomes its reaper).
fn take_live(p: *mut OVERLAPPED) -> Option<*mut Rec> {
    let mut t = table();
    let id = t
        .live
        .iter()
        .find(|(_, &addr)| addr == p as usize)
        .map(|(&id, _)| id)?;
    t.live.remove(&id);
    Some(p.cast())
}

/// Takes the payload of a completed record and builds the completion, then
/// gives up the reaper's reference.
///
/// # Safety
/// `p` is a live record this caller took with `take_live`, whose operation
/// Windows has completed (it no longer writes to the payload).
unsafe fn reap(
    p: *mut Rec,
    error: i32,
    bytes: u32,
    flags: u32,
) -> (Completion, Option<CompletionRoutine>) {
    // SAFETY: the record is alive (we hold the reaper's reference) and the
    // operation is over, so reading its fields races with nobody.
    let r = unsafe { &mut *p };
    let payload = r.payload.lock().unwrap_or_else(|e| e.into_inner()).take();
    let routine = r.routine.lock().unwrap_or_else(|e| e.into_inner()).take();
    let overlapped = Overlapped {
        id: r.id,
        h_event: r.h_event,
    };
    // OVERLAPPED.Internal: the NTSTATUS Windows left (the operation is
    // over, so it is final).
    let internal = r.ovl.Internal as u32;
    let status = Completion::status_only(overlapped, error, bytes, flags).with_status(internal);
    let mut c = status.clone();
    if let Some(mut pl) = payload {
        copy_back(&mut pl.buffers, &pl.regions);
        if let (Some(n), Some(mut na)) = (pl.name.as_mut(), pl.name_arg.take()) {
            na.len = match r.kind {
                Some(DataCall::Recv(RecvCall::RecvFrom)) => r.fromlen,
                Some(DataCall::Recv(RecvCall::RecvMsg)) => r.msg.namelen,
                _ => na.len,
            };
            name_back(n, &na);
        }
        if let Some(ctl) = pl.control.as_mut() {
            copy_back(std::slice::from_mut(ctl), &pl.cregions);
            if r.kind == Some(DataCall::Recv(RecvCall::RecvMsg)) {
                ctl.len = r.msg.Control.len;
            }
        }
        c.buffers = pl.buffers;
        c.name = pl.name;
        c.control = pl.control;
    }
    let done = Done::of(&r.ovl);
    table().reaped.insert(r.id, (r.socket, status, done));
    // SAFETY: this caller held the reaper's reference.
    unsafe { release(p) };
    (c, routine)
}

/// What Windows left in a completed `OVERLAPPED` (its status words and the
/// offset union; `hEvent` apart), kept as numbers so the table can be
/// shared between threads.
#[derive(Clone, Copy)]
struct Done {
    internal: usize,
    internal_high: usize,
    offsets: usize,
}

impl Done {
    fn of(o: &OVERLAPPED) -> Done {
        Done {
            internal: o.Internal,
            internal_high: o.InternalHigh,
            // SAFETY: the union's two members cover the same 8 bytes, and
            // any bit pattern is a valid pointer-sized integer.
            offsets: unsafe { o.Anonymous.Pointer } as usize,
        }
    }

    fn overlapped(&self) -> OVERLAPPED {
        let mut o = OVERLAPPED {
            Internal: self.internal,
            InternalHigh: self.internal_high,
            ..OVERLAPPED::default()
        };
        o.Anonymous.Pointer = self.offsets as *mut std::ffi::c_void;
        o
    }
}

/// A second `WSAGetOverlappedResult` for a reaped operation: Windows is
/// asked again, with a copy of the `OVERLAPPED` as it completed (the
/// original went with its record), so that a socket closed since is
/// Windows' to judge (the differential property found the cached status
/// answered without Windows).
fn get_again(s: usize, c: &Completion, done: Done) -> Result<Completion, WsaError> {
    let o = done.overlapped();
    let (mut bytes, mut flags) = (0u32, 0u32);
    // SAFETY: `o` is a valid, completed OVERLAPPED on this stack that
    // Windows only reads (fWait FALSE: nothing to wait for, no event).
    let ok = unsafe { ws::WSAGetOverlappedResult(s, &o, &mut bytes, 0, &mut flags) };
    if ok != 0 {
        return Ok(Completion::status_only(c.overlapped, 0, bytes, flags));
    }
    let e = wsa_last();
    if e == consts::WSAENOTSOCK || e == consts::WSANOTINITIALISED {
        return Err(code(e));
    }
    Ok(Completion::status_only(c.overlapped, e, bytes, flags))
}

/// The completion routine Windows calls: finds the record, reaps it and
/// calls the user's routine on this thread.
unsafe extern "system" fn trampoline(error: u32, bytes: u32, ovl: *mut OVERLAPPED, flags: u32) {
    let Some(p) = take_live(ovl) else {
        return;
    };
    // SAFETY: found live in the table: a record of ours whose operation has
    // completed (Windows calls the routine only then).
    let (c, routine) = unsafe { reap(p, error as i32, bytes, flags) };
    if let Some(f) = routine {
        super::nested::in_routine(|| f(c));
    }
}

/// An operation about to be posted.
pub(super) struct NewOp {
    pub(super) s: usize,
    /// The call and its arguments (a name only for the calls that take
    /// one, a control buffer only for the message calls).
    pub(super) req: DataRequest,
    pub(super) ovl: Overlapped,
    pub(super) routine: Option<CompletionRoutine>,
}

/// Builds the record, calls `call` with it, and sorts out who reaps.
/// Whether `ovl` is free for a new operation. An OVERLAPPED is in use while
/// its operation is outstanding (RECV-OVL-SEPARATE-STRUCT, as the model
/// has it); one whose operation Windows completed may be used again, its
/// first result lost, as in C. Such a record not reaped yet, if
/// `WSAGetOverlappedResult` is its reaper, is reaped here as that call
/// would (the differential property found the backend refusing what the
/// model allows). A record a routine or a port packet reaps stays in use
/// until they have.
fn reuse_completed(ovl: &Overlapped) -> bool {
    let Some(addr) = table().live.get(&ovl.id).copied() else {
        return true;
    };
    let p = addr as *mut Rec;
    // SAFETY: found live in the table just now: our record, which stays
    // allocated until its reaper's reference goes, and only this thread
    // reaps records whose delivery is `Result`.
    let (s, delivery) = unsafe {
        (
            (*p).socket,
            *(*p).delivery.lock().unwrap_or_else(|e| e.into_inner()),
        )
    };
    if delivery != Delivery::Result {
        return false;
    }
    // Reaps it if Windows completed it; WSA_IO_INCOMPLETE leaves it live.
    let _ = get_result(s, ovl, false);
    !table().live.contains_key(&ovl.id)
}

pub(super) fn post(op: NewOp) -> Result<Posted, WsaError> {
    let NewOp {
        s,
        req,
        ovl,
        routine,
    } = op;
    let DataRequest {
        call: kind,
        mut buffers,
        name,
        control,
        flags,
        ..
    } = req;
    let mut name = kind.has_name().then_some(name);
    let mut control = kind.is_msg().then_some(control);
    if !reuse_completed(&ovl) {
        // Windows would corrupt the first operation: not passed on.
        return Err(refused(
            "an OVERLAPPED still in use by an outstanding operation",
            Some("RECV-OVL-SEPARATE-STRUCT"),
        ));
    }
    let (arr, regions) = wsabufs(&mut buffers)?;
    let name_arg = match name.as_mut() {
        Some(n) => Some(name_arg(n)?),
        None => None,
    };
    let (carr, cregions) = match control.as_mut() {
        Some(c) => wsabufs(std::slice::from_mut(c))?,
        None => (vec![], vec![]),
    };
    let has_routine = routine.is_some();
    let mut o = OVERLAPPED::default();
    o.hEvent = ovl.h_event.map_or(ptr::null_mut(), |e| e.0 as HANDLE);
    let rec = Box::new(Rec {
        ovl: o,
        id: ovl.id,
        h_event: ovl.h_event,
        socket: s,
        kind: Some(kind),
        refs: AtomicU32::new(2),
        bytes: 0,
        flags,
        fromlen: name_arg.as_ref().map_or(0, |n| n.len),
        msg: ws::WSAMSG {
            name: name_arg.as_ref().map_or(ptr::null_mut(), |n| n.ptr),
            namelen: name_arg.as_ref().map_or(0, |n| n.len),
            lpBuffers: arr.as_ptr() as *mut ws::WSABUF,
            dwBufferCount: arr.len() as u32,
            Control: carr.first().copied().unwrap_or(ws::WSABUF {
                len: 0,
                buf: ptr::null_mut(),
            }),
            dwFlags: flags,
        },
        payload: Mutex::new(Some(Payload {
            buffers,
            _arr: arr,
            regions,
            name,
            name_arg,
            control,
            cregions,
        })),
        routine: Mutex::new(routine),
        delivery: Mutex::new(Delivery::Result),
    });
    // RECV-OVL-LIFETIME, RECVMSG-OVL-LIFETIME, SENDMSG-OVL-LIFETIME: the
    // OVERLAPPED lives in the record, with the buffers, until it is reaped.
    let p = Box::into_raw(rec);
    table().live.insert(ovl.id, p as usize);
    let apc: ws::LPWSAOVERLAPPED_COMPLETION_ROUTINE =
        if has_routine { Some(trampoline) } else { None };
    // SAFETY: `p` is our record; it stays allocated until both references
    // are released. Every pointer passed below points into it or into its
    // payload (the WSABUF array and buffers are heap memory that does not
    // move), NULL, or guarded copies kept in the payload; they stay valid
    // until the reaper takes the payload after completion.
    let rc = unsafe {
        let r = &mut *p;
        let arr_ptr = r.msg.lpBuffers;
        let n = r.msg.dwBufferCount;
        match kind {
            DataCall::Recv(RecvCall::Recv) => {
                ws::WSARecv(s, arr_ptr, n, &mut r.bytes, &mut r.flags, &mut r.ovl, apc)
            }
            DataCall::Recv(RecvCall::RecvFrom) => {
                let lenp: *mut i32 = if r.msg.name.is_null() && r.fromlen == 0 {
                    ptr::null_mut()
                } else {
                    &mut r.fromlen
                };
                ws::WSARecvFrom(
                    s,
                    arr_ptr,
                    n,
                    &mut r.bytes,
                    &mut r.flags,
                    r.msg.name,
                    lenp,
                    &mut r.ovl,
                    apc,
                )
            }
            DataCall::Send(SendCall::Send) => {
                ws::WSASend(s, arr_ptr, n, &mut r.bytes, flags, &mut r.ovl, apc)
            }
            DataCall::Send(SendCall::SendTo) => ws::WSASendTo(
                s,
                arr_ptr,
                n,
                &mut r.bytes,
                flags,
                r.msg.name,
                r.msg.namelen,
                &mut r.ovl,
                apc,
            ),
            DataCall::Recv(RecvCall::RecvMsg) => match super::extension::<ws::LPFN_WSARECVMSG>(
                winsock_model::Socket(s as u64),
                consts::WSAID_WSARECVMSG,
                &super::RECVMSG,
            ) {
                Ok(Some(f)) => f(s, &mut r.msg, &mut r.bytes, &mut r.ovl, apc),
                _ => ws::SOCKET_ERROR,
            },
            DataCall::Send(SendCall::SendMsg) => match super::extension::<ws::LPFN_WSASENDMSG>(
                winsock_model::Socket(s as u64),
                consts::WSAID_WSASENDMSG,
                &super::SENDMSG,
            ) {
                Ok(Some(f)) => f(s, &r.msg, flags, &mut r.bytes, &mut r.ovl, apc),
                _ => ws::SOCKET_ERROR,
            },
        }
    };
    let err = if rc == 0 { 0 } else { wsa_last() };
    let (sync, assoc, skip) = {
        let t = table();
        (
            t.sync.contains(&s),
            t.assoc.contains(&s),
            t.skip.contains(&s),
        )
    };
    // SAFETY: the poster's reference keeps the record alive; Windows wrote
    // the immediate outputs during the call and writes nothing more there
    // for an operation that completed at once.
    let (bytes, out_flags) = unsafe {
        let r = &*p;
        let f = match kind {
            DataCall::Recv(RecvCall::RecvMsg) => r.msg.dwFlags,
            DataCall::Recv(_) => r.flags,
            DataCall::Send(_) => 0,
        };
        (r.bytes, f)
    };
    let ran = winsock_model::ran_despite(err);
    if !ran && err != consts::WSA_IO_PENDING {
        // RECV-NO-COMPLETION-ON-ERROR, RECVMSG-NO-COMPLETION-ON-ERROR: nothing
        // started, no completion will come. Both references go.
        table().live.remove(&ovl.id);
        // SAFETY: Windows keeps no pointer into a call that failed; we hold
        // both references.
        unsafe {
            release(p);
            release(p);
        }
        return Err(code(err));
    }
    if sync && ran {
        // A socket without WSA_FLAG_OVERLAPPED: the call ran directly. The
        // record stays registered (a stray completion finds it) but its
        // buffers come back now.
        let payload = {
            // SAFETY: the poster's reference keeps the record alive; the
            // call is over.
            let r = unsafe { &*p };
            r.payload.lock().unwrap_or_else(|e| e.into_inner()).take()
        };
        let mut c = Completion::status_only(ovl, err, bytes, out_flags);
        if let Some(mut pl) = payload {
            copy_back(&mut pl.buffers, &pl.regions);
            c.buffers = pl.buffers;
            c.name = pl.name;
            c.control = pl.control;
        }
        if !has_routine && !assoc {
            // Nothing can name the record any more (an event, if any, is
            // signalled without it): the OVERLAPPED is free for reuse.
            if let Some(p) = take_live(p.cast()) {
                // SAFETY: taken from the table: this caller holds the
                // reaper's reference, which it gives up.
                unsafe { release(p) };
            }
        }
        // SAFETY: the poster gives up its reference.
        unsafe { release(p) };
        return Ok(Posted::Synchronous(c));
    }
    let delivery = if has_routine {
        Delivery::Routine
    } else if assoc && !(rc == 0 && skip) {
        Delivery::Port
    } else {
        Delivery::Result
    };
    // SAFETY: the poster's reference keeps the record alive.
    unsafe {
        *(*p).delivery.lock().unwrap_or_else(|e| e.into_inner()) = delivery;
    }

    // SAFETY: the poster gives up its reference.
    unsafe { release(p) };
    if err == consts::WSA_IO_PENDING {
        return Ok(Posted::Pending);
    }
    Ok(Posted::Completed {
        error: err,
        bytes,
        flags: out_flags,
    })
}

/// `WSAGetOverlappedResult`.
pub(super) fn get_result(s: usize, ovl: &Overlapped, wait: bool) -> Result<Completion, WsaError> {
    let p = {
        let t = table();
        match t.live.get(&ovl.id) {
            Some(&p) => p as *mut Rec,
            None => {
                // An OVERLAPPED no operation of this socket used holds, in
                // C, whatever its memory holds: there is no defined call to
                // make (the model's choice is WSA_INVALID_PARAMETER). It
                // used to be answered here with that code, without Windows;
                // the differential property showed the answer was ours, not
                // the OS's.
                return match t.reaped.get(&ovl.id) {
                    Some((rs, c, done)) if *rs == s => {
                        let (c, done) = (c.clone(), *done);
                        drop(t);
                        get_again(s, &c, done)
                    }
                    Some(_) => Err(other_socket()),
                    None => Err(refused(
                        "WSAGetOverlappedResult with an OVERLAPPED no operation used",
                        None,
                    )),
                };
            }
        }
    };
    // SAFETY: `p` is a live record (found in the table just now).
    if unsafe { (*p).socket } != s {
        return Err(other_socket());
    }
    // SAFETY: `p` is a live record (found in the table just now).
    let delivery = unsafe { *(*p).delivery.lock().unwrap_or_else(|e| e.into_inner()) };
    if wait && delivery == Delivery::Routine {
        return Err(refused(
            "WSAGetOverlappedResult with fWait TRUE for an operation with a completion routine",
            Some("RECV-OVL-NO-FWAIT-WITH-ROUTINE"),
        ));
    }
    let mut bytes = 0u32;
    let mut flags = 0u32;
    // SAFETY: `p` is a live record (found in the table just now); only this
    // thread reaps in the backend's use, and the OVERLAPPED it points to is
    // the one Windows holds for the operation.
    let ok = unsafe {
        ws::WSAGetOverlappedResult(s, &(*p).ovl, &mut bytes, i32::from(wait), &mut flags)
    };
    let error = if ok != 0 {
        0
    } else {
        let e = wsa_last();
        if e == consts::WSA_IO_INCOMPLETE || e == consts::WSAENOTSOCK {
            return Err(code(e));
        }
        e
    };
    if delivery != Delivery::Result {
        // The routine or the packet hands the buffers back.
        // SAFETY: as above.
        let h_event = unsafe { (*p).h_event };
        let overlapped = Overlapped {
            id: ovl.id,
            h_event,
        };
        return Ok(Completion::status_only(overlapped, error, bytes, flags));
    }
    let Some(p) = take_live(p.cast()) else {
        return Err(code(consts::WSA_INVALID_PARAMETER));
    };
    // SAFETY: taken from the table by this caller; the operation completed
    // (WSAGetOverlappedResult said so).
    Ok(unsafe { reap(p, error, bytes, flags) }.0)
}

/// Turns one dequeued entry into a packet, reaping the record it names.
fn packet(key: usize, bytes: u32, o: *mut OVERLAPPED, failed: Option<u32>) -> PortPacket {
    let mut pk = PortPacket {
        key,
        bytes,
        overlapped: None,
        error: 0,
        win32: failed.unwrap_or(0),
        completion: None,
    };
    if o.is_null() {
        return pk;
    }
    let Some(p) = take_live(o) else {
        // Not ours: report it without reading through the pointer.
        pk.error = failed.map_or(0, |e| e as i32);
        return pk;
    };
    // SAFETY: a live record of ours, just taken by this caller.
    let (kind, s, id, h_event) = unsafe { ((*p).kind, (*p).socket, (*p).id, (*p).h_event) };
    pk.overlapped = Some(Overlapped { id, h_event });
    if kind.is_none() {
        // SAFETY: our record; we are its reaper.
        let (_, _) = unsafe { reap(p, 0, bytes, 0) };
        return pk;
    }
    // The Winsock code and the flags come from WSAGetOverlappedResult, as
    // applications ask for them after dequeuing.
    let mut b = 0u32;
    let mut f = 0u32;
    // SAFETY: the record is alive and its operation completed (its packet
    // was dequeued).
    let ok = unsafe { ws::WSAGetOverlappedResult(s, &(*p).ovl, &mut b, 0, &mut f) };
    let error = if ok != 0 { 0 } else { wsa_last() };
    pk.error = error;
    // SAFETY: as above; we are the reaper.
    let (c, _) = unsafe { reap(p, error, bytes, f) };
    // GetQueuedCompletionStatusEx reports no error per entry: the one
    // GetQueuedCompletionStatus would have, from the status.
    if failed.is_none() && error != 0 {
        pk.win32 = winsock_model::ntstatus::win32_of_status(c.status);
    }
    pk.completion = Some(c);
    pk
}

/// `GetQueuedCompletionStatus`.
pub(super) fn dequeue_one(port: HANDLE, timeout: u32) -> Result<PortPacket, WsaError> {
    let mut bytes = 0u32;
    let mut key = 0usize;
    let mut o: *mut OVERLAPPED = ptr::null_mut();
    // SAFETY: out-pointers to locals; the port handle is the caller's.
    let ok = unsafe { GetQueuedCompletionStatus(port, &mut bytes, &mut key, &mut o, timeout) };
    if ok == 0 && o.is_null() {
        return Err(code(win32_error()));
    }
    let failed = (ok == 0).then(|| win32_error() as u32);
    Ok(packet(key, bytes, o, failed))
}

/// `GetQueuedCompletionStatusEx`.
pub(super) fn dequeue_many(
    port: HANDLE,
    max: usize,
    timeout: u32,
    alertable: bool,
) -> Result<Vec<PortPacket>, WsaError> {
    let mut entries = vec![OVERLAPPED_ENTRY::default(); max.max(1)];
    let mut n = 0u32;
    // SAFETY: `entries` has room for `max` entries; `n` is a local.
    let ok = unsafe {
        GetQueuedCompletionStatusEx(
            port,
            entries.as_mut_ptr(),
            max as u32,
            &mut n,
            timeout,
            i32::from(alertable),
        )
    };
    if ok == 0 {
        return Err(code(win32_error()));
    }
    Ok(entries[..n as usize]
        .iter()
        .map(|e| {
            packet(
                e.lpCompletionKey,
                e.dwNumberOfBytesTransferred,
                e.lpOverlapped,
                None,
            )
        })
        .collect())
}

/// `PostQueuedCompletionStatus`, with a record for the `OVERLAPPED`.
pub(super) fn post_packet(
    port: HANDLE,
    bytes: u32,
    key: usize,
    ovl: Option<Overlapped>,
) -> Result<(), WsaError> {
    let p: *mut Rec = match ovl {
        None => ptr::null_mut(),
        Some(o) => {
            if table().live.contains_key(&o.id) {
                return Err(code(consts::WSA_INVALID_PARAMETER));
            }
            let rec = Box::new(Rec {
                ovl: OVERLAPPED::default(),
                id: o.id,
                h_event: o.h_event,
                socket: 0,
                kind: None,
                // Only the reaper holds it.
                refs: AtomicU32::new(1),
                bytes: 0,
                flags: 0,
                fromlen: 0,
                msg: ws::WSAMSG {
                    name: ptr::null_mut(),
                    namelen: 0,
                    lpBuffers: ptr::null_mut(),
                    dwBufferCount: 0,
                    Control: ws::WSABUF {
                        len: 0,
                        buf: ptr::null_mut(),
                    },
                    dwFlags: 0,
                },
                payload: Mutex::new(None),
                routine: Mutex::new(None),
                delivery: Mutex::new(Delivery::Port),
            });
            let p = Box::into_raw(rec);
            table().live.insert(o.id, p as usize);
            p
        }
    };
    // SAFETY: the OVERLAPPED pointer is NULL or our record, alive until the
    // packet is dequeued and reaped.
    let ok = unsafe { PostQueuedCompletionStatus(port, bytes, key, p.cast()) };
    if ok == 0 {
        let e = win32_error();
        if !p.is_null() {
            if let Some(p) = take_live(p.cast()) {
                // SAFETY: never queued; we hold its only reference.
                unsafe { release(p) };
            }
        }
        return Err(code(e));
    }
    Ok(())
}

/// `CancelIoEx` for one operation (by id) or all of a socket's.
pub(super) fn cancel(s: usize, ovl: Option<&Overlapped>) -> Result<(), WsaError> {
    let p: *const OVERLAPPED = match ovl {
        None => ptr::null(),
        Some(o) => match table().live.get(&o.id) {
            Some(&p) => p as *const OVERLAPPED,
            None => return Err(code(consts::ERROR_NOT_FOUND)),
        },
    };
    // SAFETY: the socket is a handle; the OVERLAPPED is NULL or a live
    // record of ours (CancelIoEx only compares the address).
    let ok = unsafe { CancelIoEx(s as HANDLE, p) };
    if ok == 0 {
        return Err(code(win32_error()));
    }
    Ok(())
}

/// `CreateIoCompletionPort` for a new port.
pub(super) fn create_port(concurrency: u32) -> Result<HANDLE, WsaError> {
    // SAFETY: INVALID_HANDLE_VALUE with no existing port creates one.
    let h =
        unsafe { CreateIoCompletionPort(INVALID_HANDLE_VALUE, ptr::null_mut(), 0, concurrency) };
    if h.is_null() {
        return Err(code(win32_error()));
    }
    Ok(h)
}

/// `CreateIoCompletionPort(s, port, key, 0)`.
pub(super) fn associate(port: HANDLE, s: usize, key: usize) -> Result<(), WsaError> {
    // SAFETY: handles and integers only.
    let h = unsafe { CreateIoCompletionPort(s as HANDLE, port, key, 0) };
    if h.is_null() {
        return Err(code(win32_error()));
    }
    note_assoc(s);
    Ok(())
}

/// `CloseHandle` on a port.
pub(super) fn close_port(port: HANDLE) -> Result<(), WsaError> {
    // SAFETY: closes a handle the caller owns.
    if unsafe { CloseHandle(port) } == 0 {
        return Err(code(win32_error()));
    }
    Ok(())
}
