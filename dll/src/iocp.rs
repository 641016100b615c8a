//! Completion ports on the DLL's sockets (issue 20, 2(c)), through the
//! program's own kernel32 calls.
//!
//! A `SOCKET` is an event object (`handles.rs`), and Wine's kernel refuses
//! to associate one with a port: `CreateIoCompletionPort(socket, ..)` is
//! `NULL` with `ERROR_INVALID_HANDLE`, and `SetFileCompletionNotificationModes`
//! fails (measured under Wine 8.0; docs/dll.md). So at the first
//! `WSAStartup` the DLL points the main program's import-table entries of
//! these kernel32 functions at its own (the loader filled them with the
//! functions' addresses; an entry holding exactly such an address is
//! replaced, whatever module name it was imported under), which answer
//! for the DLL's sockets and pass everything else on unchanged:
//!
//! - `CreateIoCompletionPort(socket, port, key, n)`: remembers the
//!   association and gives the port (a new one, made by the real function
//!   with `INVALID_HANDLE_VALUE`, when `port` is `NULL`); the DLL then
//!   queues each completion of the socket to the real port with
//!   `NtSetIoCompletion` (`os::post_completion`), so the real
//!   `GetQueuedCompletionStatus(Ex)` gives the key, the byte count, the
//!   `OVERLAPPED` and the status;
//! - `SetFileCompletionNotificationModes(socket, modes)`: remembered;
//! - `CancelIoEx(socket, ovl)`, `CancelIo(socket)`: the model's `CancelIoEx`
//!   (`ERROR_NOT_FOUND` when nothing is outstanding); the aborted
//!   operations are delivered before the call returns;
//! - `GetQueuedCompletionStatus(Ex)`, `WaitForSingleObject(Ex)`,
//!   `SleepEx`: first let virtual time pass while an operation they would
//!   see the end of is pending (`settle::virtual_wait`), then the real call;
//!   a wait on a port in a multi-threaded program is paced instead
//!   ([`paced_wait`]);
//! - `GetProcAddress`: the real answer, except that a hooked function's
//!   address becomes the DLL's (Go's runtime and `syscall` package find
//!   `CancelIoEx` and `SetFileCompletionNotificationModes` so).
//!
//! The program's ntdll imports mio's AFD polls use are hooked the same
//! way (`ntdll.rs`, `afd.rs`); the port waits above let virtual time pass
//! while a poll is outstanding ([`afd_wait`]). What this does not reach:
//! other modules' imports and lookups (a libuv DLL, .NET's runtime).

use crate::calls::{dll_if_made, in_model, Dll};
pub(crate) use crate::hooks::{patch_imports, real, Hook};
use crate::ops::{self, Ovls};
use crate::settle;
use std::sync::atomic::{AtomicUsize, Ordering};
use windows_sys::Win32::Foundation::{
    GetLastError, SetLastError, ERROR_INVALID_PARAMETER, ERROR_NOT_FOUND, HANDLE,
    INVALID_HANDLE_VALUE, WAIT_TIMEOUT,
};
use windows_sys::Win32::System::IO::{OVERLAPPED, OVERLAPPED_ENTRY};
use winsock_model::{Overlapped, WinsockOverlapped};

/// `WAIT_IO_COMPLETION`.
const WAIT_IO_COMPLETION: u32 = 0xC0;

/// The DLL's functions, in the order of [`HOOKS`], then [`WAIT_ONE`],
/// then [`GET_PROC`].
fn ours() -> [usize; 10] {
    [
        create_io_completion_port as *const () as usize,
        set_file_completion_notification_modes as *const () as usize,
        cancel_io_ex as *const () as usize,
        cancel_io as *const () as usize,
        get_queued_completion_status as *const () as usize,
        get_queued_completion_status_ex as *const () as usize,
        wait_for_single_object_ex as *const () as usize,
        sleep_ex as *const () as usize,
        wait_for_single_object as *const () as usize,
        get_proc_address as *const () as usize,
    ]
}

static HOOKS: [Hook; 8] = [
    Hook {
        name: c"CreateIoCompletionPort",
        real: AtomicUsize::new(0),
    },
    Hook {
        name: c"SetFileCompletionNotificationModes",
        real: AtomicUsize::new(0),
    },
    Hook {
        name: c"CancelIoEx",
        real: AtomicUsize::new(0),
    },
    Hook {
        name: c"CancelIo",
        real: AtomicUsize::new(0),
    },
    Hook {
        name: c"GetQueuedCompletionStatus",
        real: AtomicUsize::new(0),
    },
    Hook {
        name: c"GetQueuedCompletionStatusEx",
        real: AtomicUsize::new(0),
    },
    Hook {
        name: c"WaitForSingleObjectEx",
        real: AtomicUsize::new(0),
    },
    Hook {
        name: c"SleepEx",
        real: AtomicUsize::new(0),
    },
];

/// `WaitForSingleObject` is `WaitForSingleObjectEx(h, ms, FALSE)`: its
/// entry gets [`wait_for_single_object`], which calls the real `Ex`.
static WAIT_ONE: Hook = Hook {
    name: c"WaitForSingleObject",
    real: AtomicUsize::new(0),
};

/// `GetProcAddress`: its entry gets [`get_proc_address`], which gives
/// the DLL's function for a lookup of a hooked one (Go's runtime and its
/// `syscall` package find `CancelIoEx` and
/// `SetFileCompletionNotificationModes` that way: `syscall.NewLazyDLL`,
/// whose lookups are the runtime's `GetProcAddress` import).
static GET_PROC: Hook = Hook {
    name: c"GetProcAddress",
    real: AtomicUsize::new(0),
};

/// The pairs (real function, the DLL's) of the hooks whose real function
/// was found, filled once by [`install`] (what [`get_proc_address`]
/// answers with).
static PAIRS: std::sync::OnceLock<Vec<(usize, usize)>> = std::sync::OnceLock::new();

/// Points the main program's import entries of the hooked functions at
/// the DLL's; once per process (at the first `WSAStartup`).
pub(crate) fn install() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        use windows_sys::Win32::System::LibraryLoader::{GetModuleHandleA, GetProcAddress};
        // SAFETY: a NUL-terminated name; kernel32 is loaded in every
        // process.
        let k32 = unsafe { GetModuleHandleA(c"kernel32.dll".as_ptr().cast()) };
        let mut pairs = vec![];
        let all = HOOKS
            .iter()
            .chain(std::iter::once(&WAIT_ONE))
            .chain(std::iter::once(&GET_PROC));
        for (h, ours) in all.zip(ours()) {
            // SAFETY: a module handle and a NUL-terminated name.
            let Some(p) = (unsafe { GetProcAddress(k32, h.name.as_ptr().cast()) }) else {
                continue;
            };
            h.real.store(p as usize, Ordering::Release);
            pairs.push((p as usize, ours));
        }
        // SAFETY: NULL names the main program's module, loaded for the
        // process's life.
        let base = unsafe { GetModuleHandleA(std::ptr::null()) } as usize;
        // SAFETY: `base` is a loaded image; patch_imports reads its
        // headers and writes only import-table slots.
        let n = unsafe { patch_imports(base, &pairs) };
        // GetProcAddress itself is not among the functions it redirects.
        pairs.retain(|&(_, ours)| ours != get_proc_address as *const () as usize);
        let _ = PAIRS.set(pairs);
        if let Some(d) = dll_if_made() {
            d.note(format!(
                "kernel32 import entries of the program pointed at the DLL: {n}"
            ));
        }
    });
}

/// `GetProcAddress(module, name)`: the real function's answer, except
/// that the address of a hooked kernel32 function (under whatever module
/// or name, by ordinal too, it was asked for) is replaced by the DLL's,
/// as the import entries are. Only the main program's lookups come here
/// (its import entry), so Wine's own modules keep the real functions.
unsafe extern "system" fn get_proc_address(module: usize, name: *const u8) -> usize {
    type F = unsafe extern "system" fn(usize, *const u8) -> usize;
    // SAFETY: the real function's signature; the program's call, passed
    // on unchanged.
    let p = unsafe { real::<F>(&GET_PROC)(module, name) };
    redirect(p)
}

/// The DLL's function for `p` when `p` is a hooked real function, else
/// `p`.
fn redirect(p: usize) -> usize {
    if p == 0 {
        return p;
    }
    PAIRS
        .get()
        .and_then(|pairs| pairs.iter().find(|&&(real, _)| real == p))
        .map_or(p, |&(_, ours)| ours)
}

/// The model and the socket for `h`, if `h` is one of the DLL's sockets.
fn socket_of(h: HANDLE) -> Option<&'static Dll> {
    let d = dll_if_made()?;
    d.state.lock().handles.get(h as usize).map(|_| d)
}

unsafe extern "system" fn create_io_completion_port(
    file: HANDLE,
    existing: HANDLE,
    key: usize,
    threads: u32,
) -> HANDLE {
    type F = unsafe extern "system" fn(HANDLE, HANDLE, usize, u32) -> HANDLE;
    // SAFETY: the real function's signature; install ran (we are hooked).
    let real_fn: F = unsafe { real(&HOOKS[0]) };
    if crate::afd::is_device(file as usize) {
        // An AFD handle (afd.rs): the device's real handle; the port and
        // key noted for its polls' packets.
        // SAFETY: the program's call, passed on unchanged.
        let port = unsafe { real_fn(file, existing, key, threads) };
        if !port.is_null() {
            crate::afd::associated(file as usize, port as usize, key);
        }
        return port;
    }
    let Some(d) = socket_of(file) else {
        // SAFETY: the program's call, passed on unchanged.
        return unsafe { real_fn(file, existing, key, threads) };
    };
    let _m = in_model(d);
    let s = file as usize;
    // The association is the socket's, whichever of its descriptors
    // (WSADuplicateSocket) it was made through (sock.c:10422-10474 of
    // Wine 8.0: an AcceptEx issued through a duplicate completes to the
    // port the first descriptor was associated with).
    let all = d.state.lock().handles.descriptors(s);
    if all.iter().any(|u| d.ovls.lock().assoc.contains_key(u)) {
        // A file is associated with one port, once.
        // SAFETY: sets the thread's error slot.
        unsafe { SetLastError(ERROR_INVALID_PARAMETER) };
        return std::ptr::null_mut();
    }
    let port = if existing.is_null() {
        // SAFETY: a new port, no file.
        unsafe { real_fn(INVALID_HANDLE_VALUE, std::ptr::null_mut(), 0, threads) }
    } else {
        existing
    };
    if port.is_null() {
        return port;
    }
    let a = ops::Assoc {
        port: port as usize,
        key,
    };
    let mut o = d.ovls.lock();
    for u in all {
        o.assoc.insert(u, a);
    }
    drop(o);
    let m = d.sock(s);
    d.note(format!(
        "CreateIoCompletionPort({:#x}, key={key}): the socket's completions go to the port",
        m.0
    ));
    port
}

unsafe extern "system" fn set_file_completion_notification_modes(file: HANDLE, modes: u8) -> i32 {
    type F = unsafe extern "system" fn(HANDLE, u8) -> i32;
    if crate::afd::is_device(file as usize) {
        // SAFETY: the real function's signature; the program's call.
        let r = unsafe { real::<F>(&HOOKS[1])(file, modes) };
        if r != 0 {
            crate::afd::set_modes(file as usize, modes);
        }
        return r;
    }
    let Some(d) = socket_of(file) else {
        // SAFETY: the real function's signature; the program's call.
        return unsafe { real::<F>(&HOOKS[1])(file, modes) };
    };
    let _m = in_model(d);
    let all = d.state.lock().handles.descriptors(file as usize);
    let mut o = d.ovls.lock();
    for u in all {
        o.modes.insert(u, modes);
    }
    drop(o);
    let m = d.sock(file as usize);
    d.note(format!(
        "SetFileCompletionNotificationModes({:#x}, {modes:#x})",
        m.0
    ));
    1
}

/// The model's `CancelIoEx` on a socket: `TRUE`, or `FALSE` with
/// `ERROR_NOT_FOUND`.
fn cancel(d: &'static Dll, s: usize, ovl_p: *mut OVERLAPPED) -> i32 {
    let _m = in_model(d);
    // The DLL's own operations first: the AFD polls made on the socket
    // (afd.c:1030, test_poll_exclusive: CancelIo ends them), a pending
    // AcceptEx.
    let ovl = (!ovl_p.is_null()).then_some(ovl_p as usize);
    let polls = crate::afd::cancel(d, s, ovl.unwrap_or(0)) == Some(crate::afd::STATUS_SUCCESS);
    let accepts = crate::accept::cancel(d, s, ovl) || polls;
    if accepts && ovl.is_some() {
        settle(d);
        return 1;
    }
    let id = if ovl_p.is_null() {
        None
    } else {
        match d.ovls.lock().pending(ovl_p as usize) {
            Some(id) => Some(Overlapped::new(id)),
            None => {
                // SAFETY: sets the thread's error slot.
                unsafe { SetLastError(ERROR_NOT_FOUND) };
                return 0;
            }
        }
    };
    let r = d.host.cancel_io_ex(d.sock(s), id.as_ref());
    settle(d);
    match r {
        Ok(()) => 1,
        // Nothing of the model's, but AcceptEx'es were cancelled.
        Err(_) if accepts => 1,
        Err(e) => {
            let code = e.code().map_or(ERROR_NOT_FOUND, |c| c as u32);
            // SAFETY: sets the thread's error slot.
            unsafe { SetLastError(code) };
            0
        }
    }
}

pub(crate) unsafe extern "system" fn cancel_io_ex(file: HANDLE, ovl_p: *mut OVERLAPPED) -> i32 {
    type F = unsafe extern "system" fn(HANDLE, *mut OVERLAPPED) -> i32;
    match socket_of(file) {
        Some(d) => cancel(d, file as usize, ovl_p),
        // SAFETY: the real function's signature; the program's call.
        None => unsafe { real::<F>(&HOOKS[2])(file, ovl_p) },
    }
}

unsafe extern "system" fn cancel_io(file: HANDLE) -> i32 {
    type F = unsafe extern "system" fn(HANDLE) -> i32;
    match socket_of(file) {
        // model choice: every operation of the socket, not only the
        // calling thread's.
        Some(d) => cancel(d, file as usize, std::ptr::null_mut()),
        // SAFETY: the real function's signature; the program's call.
        None => unsafe { real::<F>(&HOOKS[3])(file) },
    }
}

/// `INFINITE`.
const INFINITE: u32 = u32::MAX;

/// The virtual time a paced wait lets pass before each slice of wall
/// time it waits, and the length of that slice, in milliseconds.
pub(crate) const SLICE_MS: u32 = 10;

/// The model, when the program is multi-threaded and waits (`ms` not 0)
/// on a port one of the DLL's sockets is associated with: the waits
/// [`paced_wait`] runs.
fn threaded_port(port: HANDLE, ms: u32) -> Option<&'static Dll> {
    let d = dll_if_made()?;
    let threaded = d.saw_thread();
    (threaded && ms != 0 && d.ovls.lock().has_port(port as usize)).then_some(d)
}

/// A wait on a completion port in a multi-threaded program (Go's
/// netpoller: one OS thread blocks in `GetQueuedCompletionStatusEx` while
/// goroutines on other threads make the calls that end it). Another
/// thread may act at any moment of the wait, so the wait must not run
/// virtual time on to its time-out at once (the single-threaded waits'
/// rule, under which the other thread's next call would come seconds of
/// virtual time late), nor sleep in wall time while the model has in
/// flight what would end it. So it goes in slices: the completions due
/// are delivered and the port polled; if the model has an operation of
/// the port's pending, it runs up to [`SLICE_MS`] of virtual time (the
/// wait ends when one finishes); then the real wait for [`SLICE_MS`] of
/// wall time, in which the other threads' calls come (a packet they post
/// ends it). The time-out counts the slices, so virtual time passes about
/// as fast as the wall clock, never more than one slice ahead, and a
/// wait's time-out is the program's (Go's: its timers, in wall time).
/// `wait(ms)` is the real call (`Some`: it ended otherwise than by a
/// time-out).
fn paced_wait<R: Default>(
    d: &'static Dll,
    what: &'static str,
    ids: impl Fn(&Ovls) -> Vec<u64>,
    ms: u32,
    wait: impl Fn(u32) -> Option<R>,
) -> R {
    let mut left = ms;
    loop {
        settle(d);
        if let Some(r) = wait(0) {
            return r;
        }
        let step = left.min(SLICE_MS);
        let ids = ids(&d.ovls.lock());
        if !ids.is_empty() {
            let r = {
                let _m = in_model(d);
                d.host.wait_overlapped(what, &ids, step)
            };
            if let Ok(true) = r {
                // One finished: delivered, then the port is polled again.
                continue;
            }
        }
        if let Some(r) = wait(step) {
            return r;
        }
        if ms != INFINITE {
            left -= step;
            if left == 0 {
                // The real call's time-out: FALSE, WAIT_TIMEOUT.
                // SAFETY: sets the thread's error slot.
                unsafe { SetLastError(WAIT_TIMEOUT) };
                return R::default();
            }
        }
    }
}

/// `settle::settle`, counted as a call under way ([`in_model`]).
fn settle(d: &'static Dll) {
    let _m = in_model(d);
    settle::settle(d);
}

/// The model, when it has operations outstanding (the waits' fast path).
fn busy_model() -> Option<&'static Dll> {
    dll_if_made().filter(|d| !d.ovls.lock().is_empty() || !d.netsel.lock().is_empty())
}

/// A port wait of a single-threaded program while AFD polls are
/// outstanding (mio's: `afd.rs`): virtual time passes as far as the model
/// has something in flight (a datagram or segment arriving, a time-out of
/// the model's or of a poll), at most `ms` of it, each step completing
/// the polls that became ready, until `poll` finds a packet. The length
/// of a step is the model's, never the wall clock's (a runtime's timers
/// are wall time: `ms` only bounds the steps), so the trace does not
/// depend on it. `None`: nothing in flight ends it; the real wait follows.
fn afd_wait<R>(d: &'static Dll, ms: u32, mut poll: impl FnMut() -> Option<R>) -> Option<R> {
    let _m = in_model(d);
    let mut left = (ms != INFINITE).then(|| std::time::Duration::from_millis(u64::from(ms)));
    let mut idle = 0;
    loop {
        settle::settle(d);
        if let Some(r) = poll() {
            return Some(r);
        }
        if !crate::afd::outstanding() {
            return None;
        }
        let step = crate::afd::next_step(d, left)?;
        if step.is_zero() {
            // An event due now that settling did not run: once more, then
            // the real wait.
            idle += 1;
            if idle > 2 {
                return None;
            }
        }
        d.sim.advance(step);
        if let Some(l) = left.as_mut() {
            *l = l.saturating_sub(step);
        }
    }
}

unsafe extern "system" fn get_queued_completion_status(
    port: HANDLE,
    bytes: *mut u32,
    key: *mut usize,
    ovl_p: *mut *mut OVERLAPPED,
    ms: u32,
) -> i32 {
    type F =
        unsafe extern "system" fn(HANDLE, *mut u32, *mut usize, *mut *mut OVERLAPPED, u32) -> i32;
    // SAFETY: the real function's signature.
    let real_fn: F = unsafe { real(&HOOKS[4]) };
    if let Some(d) = threaded_port(port, ms) {
        // SAFETY (the real waits): the program's arguments, passed on.
        let wait = |t: u32| {
            let r = unsafe { real_fn(port, bytes, key, ovl_p, t) };
            // SAFETY: reads the thread's error slot.
            (r != 0 || unsafe { GetLastError() } != WAIT_TIMEOUT).then_some(r)
        };
        let ids = |o: &Ovls| o.on_port(port as usize);
        return paced_wait(d, "GetQueuedCompletionStatus", ids, ms, wait);
    }
    if let Some(d) = dll_if_made().filter(|_| ms != 0 && crate::afd::outstanding()) {
        // SAFETY (the polls): the program's arguments, passed on.
        let poll = || {
            let r = unsafe { real_fn(port, bytes, key, ovl_p, 0) };
            // SAFETY: reads the thread's error slot.
            (r != 0 || unsafe { GetLastError() } != WAIT_TIMEOUT).then_some(r)
        };
        if let Some(r) = afd_wait(d, ms, poll) {
            return r;
        }
    }
    if let Some(d) = busy_model() {
        settle(d);
        // SAFETY (the polls): the program's arguments, passed on.
        let poll = || {
            let r = unsafe { real_fn(port, bytes, key, ovl_p, 0) };
            // SAFETY: reads the thread's error slot.
            (r != 0 || unsafe { GetLastError() } != WAIT_TIMEOUT).then_some(r)
        };
        if ms != 0 {
            if let Some(r) = poll() {
                return r;
            }
            let ids = |o: &Ovls| o.on_port(port as usize);
            let timed_out = || poll().unwrap_or(0);
            let _m = in_model(d);
            if let Some(r) =
                settle::virtual_wait(d, "GetQueuedCompletionStatus", ids, ms, poll, timed_out)
            {
                return r;
            }
        }
    }
    // SAFETY: the program's call.
    unsafe { real_fn(port, bytes, key, ovl_p, ms) }
}

pub(crate) unsafe extern "system" fn get_queued_completion_status_ex(
    port: HANDLE,
    entries: *mut OVERLAPPED_ENTRY,
    count: u32,
    removed: *mut u32,
    ms: u32,
    alertable: i32,
) -> i32 {
    type F =
        unsafe extern "system" fn(HANDLE, *mut OVERLAPPED_ENTRY, u32, *mut u32, u32, i32) -> i32;
    // SAFETY: the real function's signature.
    let real_fn: F = unsafe { real(&HOOKS[5]) };
    if let Some(d) = threaded_port(port, ms) {
        // SAFETY (the real waits): the program's arguments, passed on.
        let wait = |t: u32| {
            let r = unsafe { real_fn(port, entries, count, removed, t, alertable) };
            // SAFETY: reads the thread's error slot.
            (r != 0 || unsafe { GetLastError() } != WAIT_TIMEOUT).then_some(r)
        };
        let ids = |o: &Ovls| {
            let mut v = o.on_port(port as usize);
            if alertable != 0 {
                v.extend(o.waited(&[], true));
            }
            v
        };
        return paced_wait(d, "GetQueuedCompletionStatusEx", ids, ms, wait);
    }
    if let Some(d) = dll_if_made().filter(|_| ms != 0 && crate::afd::outstanding()) {
        // SAFETY (the polls): the program's arguments, passed on.
        let poll = || {
            let r = unsafe { real_fn(port, entries, count, removed, 0, alertable) };
            // SAFETY: reads the thread's error slot.
            (r != 0 || unsafe { GetLastError() } != WAIT_TIMEOUT).then_some(r)
        };
        if let Some(r) = afd_wait(d, ms, poll) {
            return r;
        }
    }
    if let Some(d) = busy_model() {
        settle(d);
        // SAFETY (the polls): the program's arguments, passed on.
        let poll = || {
            let r = unsafe { real_fn(port, entries, count, removed, 0, alertable) };
            // SAFETY: reads the thread's error slot.
            (r != 0 || unsafe { GetLastError() } != WAIT_TIMEOUT).then_some(r)
        };
        if ms != 0 {
            if let Some(r) = poll() {
                return r;
            }
            let ids = |o: &Ovls| {
                let mut v = o.on_port(port as usize);
                if alertable != 0 {
                    v.extend(o.waited(&[], true));
                }
                v
            };
            let timed_out = || poll().unwrap_or(0);
            let _m = in_model(d);
            if let Some(r) =
                settle::virtual_wait(d, "GetQueuedCompletionStatusEx", ids, ms, poll, timed_out)
            {
                return r;
            }
        }
    }
    // SAFETY: the program's call.
    unsafe { real_fn(port, entries, count, removed, ms, alertable) }
}

unsafe extern "system" fn wait_for_single_object_ex(h: HANDLE, ms: u32, alertable: i32) -> u32 {
    type F = unsafe extern "system" fn(HANDLE, u32, i32) -> u32;
    // SAFETY: the real function's signature.
    let real_fn: F = unsafe { real(&HOOKS[6]) };
    if ms != 0 {
        if let Some(d) = busy_model() {
            settle(d);
            // SAFETY (the polls): the program's arguments, passed on.
            let poll = || {
                let r = unsafe { real_fn(h, 0, alertable) };
                (r != WAIT_TIMEOUT).then_some(r)
            };
            if let Some(r) = poll() {
                return r;
            }
            let ids = |o: &Ovls| o.waited(&[h as usize], alertable != 0);
            let _m = in_model(d);
            if let Some(r) =
                settle::virtual_wait(d, "WaitForSingleObjectEx", ids, ms, poll, || WAIT_TIMEOUT)
            {
                return r;
            }
            // An event WSAEventSelect named (netsel.rs).
            crate::netsel::mirror(d);
            if let Some(r) = crate::netsel::virtual_wait(d, &[h as usize], ms, poll) {
                return r;
            }
        }
    }
    // SAFETY: the program's call.
    unsafe { real_fn(h, ms, alertable) }
}

unsafe extern "system" fn wait_for_single_object(h: HANDLE, ms: u32) -> u32 {
    // SAFETY: passed on.
    unsafe { wait_for_single_object_ex(h, ms, 0) }
}

unsafe extern "system" fn sleep_ex(ms: u32, alertable: i32) -> u32 {
    type F = unsafe extern "system" fn(u32, i32) -> u32;
    // SAFETY: the real function's signature.
    let real_fn: F = unsafe { real(&HOOKS[7]) };
    if ms == 0 && crate::afd::outstanding() {
        // A poll whose thread ended is cancelled before the APCs run.
        if let Some(d) = dll_if_made() {
            settle(d);
        }
    }
    if ms != 0 && alertable != 0 {
        if let Some(d) = busy_model() {
            settle(d);
            // SAFETY (the polls): a sleep of 0 runs the queued APCs.
            let poll = || {
                let r = unsafe { real_fn(0, 1) };
                (r == WAIT_IO_COMPLETION).then_some(r)
            };
            if let Some(r) = poll() {
                return r;
            }
            let ids = |o: &Ovls| o.waited(&[], true);
            let _m = in_model(d);
            if let Some(r) = settle::virtual_wait(d, "SleepEx", ids, ms, poll, || 0) {
                return r;
            }
        }
    }
    // SAFETY: the program's call.
    unsafe { real_fn(ms, alertable) }
}
