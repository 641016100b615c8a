//! `WSAAsyncSelect`'s window messages (the model's rules:
//! `model/src/sim/netevents.rs`, its messages: `host_msg.rs`) reaching the
//! program's windows.
//!
//! The model keeps each message it posts; [`post`] (from
//! `netsel::mirror`, at the end of every exported call and in the waits,
//! and from the message waits below)
//! takes them and posts each with the real `PostMessageW(hWnd, wMsg,
//! socket, WSAMAKESELECTREPLY(event, error))`, the socket being the
//! program's handle. user32 is not imported: its functions are looked up
//! in the process's user32 when a program first selects (a program with a
//! window has it loaded), so a program without windows never loads it.
//!
//! A message loop waits in user32, where virtual time does not pass: at
//! that first selection the program's import entries of
//! `MsgWaitForMultipleObjects(Ex)` and `GetMessageA/W` are pointed at the
//! DLL's (as `iocp.rs` does for kernel32's), which, while the real queue
//! has nothing, let virtual time pass until the model posts a message
//! (`SimHost::wait_window_message`) or the wait's time-out passes, then
//! make the real call.

use crate::calls::Dll;
use crate::fault::Fault;
use std::sync::atomic::{AtomicBool, Ordering};
use winsock_model::{Socket, WinsockOverlapped};

/// Whether a program selected window messages (until then [`post`] costs
/// one load).
static ACTIVE: AtomicBool = AtomicBool::new(false);

/// `WSAAsyncSelect(s, hwnd, msg, mask)` on the model's socket `s`: a
/// `hwnd` that is not a window is `WSAEINVAL` (the page's list) when
/// events are selected.
pub(crate) fn select(d: &Dll, s: Socket, hwnd: usize, msg: u32, mask: i32) -> Result<(), Fault> {
    if mask != 0 && hwnd != 0 && !os::is_window(hwnd) {
        return Err(Fault::Dll(
            winsock_model::contract::WSAEINVAL,
            format!("hWnd {hwnd:#x} is not a window"),
        ));
    }
    os::install();
    ACTIVE.store(true, Ordering::Release);
    d.host.wsa_async_select(s, hwnd, msg, mask)?;
    Ok(())
}

/// Posts every message the model posted since the last call to its
/// window.
pub(crate) fn post(d: &Dll) {
    if !ACTIVE.load(Ordering::Acquire) {
        return;
    }
    let msgs = d.host.take_window_messages();
    if msgs.is_empty() {
        return;
    }
    let state = d.state.lock();
    for m in msgs {
        // An accepted socket that inherited the selection has its handle
        // by now (the accept's); a socket already closed has none.
        let Some(user) = state.handles.user_of(m.socket) else {
            continue;
        };
        os::post(m.hwnd as usize, m.msg, user, m.lparam() as isize);
    }
}

#[cfg(windows)]
mod os {
    //! user32, looked up at run time, and the hooks of the program's
    //! message waits.
    use crate::calls::{dll_if_made, in_model};
    use crate::hooks::{patch_imports, real, Hook};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use windows_sys::Win32::System::LibraryLoader::{GetModuleHandleA, GetProcAddress};
    use winsock_model::WaitResult;

    /// `WAIT_TIMEOUT`.
    const WAIT_TIMEOUT: u32 = 258;
    /// `INFINITE`.
    const INFINITE: u32 = u32::MAX;

    /// The user32 functions the DLL calls (0 until found).
    static POST_MESSAGE: AtomicUsize = AtomicUsize::new(0);
    static IS_WINDOW: AtomicUsize = AtomicUsize::new(0);
    static PEEK_MESSAGE: AtomicUsize = AtomicUsize::new(0);

    static HOOKS: [Hook; 4] = [
        Hook::new(c"MsgWaitForMultipleObjects"),
        Hook::new(c"MsgWaitForMultipleObjectsEx"),
        Hook::new(c"GetMessageA"),
        Hook::new(c"GetMessageW"),
    ];

    /// The address of `name` in the process's user32 (0 when user32 is
    /// not loaded or has no such function).
    fn user32(name: &std::ffi::CStr) -> usize {
        // SAFETY: a NUL-terminated module name; no module is loaded.
        let m = unsafe { GetModuleHandleA(c"user32.dll".as_ptr().cast()) };
        if m.is_null() {
            return 0;
        }
        // SAFETY: a module handle and a NUL-terminated name.
        unsafe { GetProcAddress(m, name.as_ptr().cast()) }.map_or(0, |p| p as usize)
    }

    /// The function at `slot` (looked up once), as `F`.
    ///
    /// # Safety
    /// `F` is the signature of user32's `name`.
    unsafe fn func<F: Copy>(slot: &AtomicUsize, name: &std::ffi::CStr) -> Option<F> {
        let mut p = slot.load(Ordering::Acquire);
        if p == 0 {
            p = user32(name);
            slot.store(p, Ordering::Release);
        }
        // SAFETY: `p` is user32's `name`, whose signature is `F`.
        (p != 0).then(|| unsafe { std::mem::transmute_copy::<usize, F>(&p) })
    }

    /// `IsWindow(hwnd)`; false without user32.
    pub(super) fn is_window(hwnd: usize) -> bool {
        type F = unsafe extern "system" fn(usize) -> i32;
        // SAFETY: IsWindow's signature; it takes any handle value.
        unsafe { func::<F>(&IS_WINDOW, c"IsWindow").is_some_and(|f| f(hwnd) != 0) }
    }

    /// `PostMessageW(hwnd, msg, wparam, lparam)`.
    pub(super) fn post(hwnd: usize, msg: u32, wparam: usize, lparam: isize) {
        type F = unsafe extern "system" fn(usize, u32, usize, isize) -> i32;
        // SAFETY: PostMessageW's signature; by-value arguments (a window
        // gone since its selection makes it fail, which is the program's
        // affair, as on Windows).
        if let Some(f) = unsafe { func::<F>(&POST_MESSAGE, c"PostMessageW") } {
            unsafe { f(hwnd, msg, wparam, lparam) };
        }
    }

    /// Whether the thread's queue has a message `GetMessage(hwnd, min,
    /// max)` would take (`PeekMessageW` with `PM_NOREMOVE`).
    fn queued(hwnd: usize, min: u32, max: u32) -> bool {
        type F = unsafe extern "system" fn(*mut u8, usize, u32, u32, u32) -> i32;
        let mut msg = [0u8; 64];
        // SAFETY: PeekMessageW's signature; `msg` is larger than a MSG
        // (48 bytes on x64) and PM_NOREMOVE (0) leaves the queue as it is.
        unsafe {
            func::<F>(&PEEK_MESSAGE, c"PeekMessageW")
                .is_some_and(|f| f(msg.as_mut_ptr(), hwnd, min, max, 0) != 0)
        }
    }

    /// Points the main program's user32 import entries of [`HOOKS`] at
    /// the DLL's; once per process, when user32 is there.
    pub(super) fn install() {
        static ONCE: std::sync::Once = std::sync::Once::new();
        if user32(c"PostMessageW") == 0 {
            return;
        }
        ONCE.call_once(|| {
            let ours = [
                msg_wait as *const () as usize,
                msg_wait_ex as *const () as usize,
                get_message_a as *const () as usize,
                get_message_w as *const () as usize,
            ];
            let mut pairs = vec![];
            for (h, ours) in HOOKS.iter().zip(ours) {
                let p = user32(h.name);
                if p != 0 {
                    h.real.store(p, Ordering::Release);
                    pairs.push((p, ours));
                }
            }
            // SAFETY: NULL names the main program's module, loaded for
            // the process's life.
            let base = unsafe { GetModuleHandleA(std::ptr::null()) } as usize;
            // SAFETY: `base` is a loaded image; patch_imports reads its
            // headers and writes only import-table slots.
            let n = unsafe { patch_imports(base, &pairs) };
            if let Some(d) = dll_if_made() {
                d.note(format!(
                    "user32 import entries of the program pointed at the DLL: {n}"
                ));
            }
        });
    }

    /// Lets virtual time pass, at most `ms`, until the model posts a
    /// window message, and posts it: `Some(true)` when one was posted,
    /// `Some(false)` when `ms` of virtual time passed without one, `None`
    /// when nothing in flight could post one (the model's report is in
    /// the trace) or no program selected window messages.
    fn virtual_wait(ms: u32) -> Option<bool> {
        if !super::ACTIVE.load(Ordering::Acquire) {
            return None;
        }
        let d = dll_if_made()?;
        let _m = in_model(d);
        super::post(d);
        let r = d.host.wait_window_message(ms);
        super::post(d);
        match r {
            Ok(WaitResult::Event(_)) => Some(true),
            Ok(_) => Some(false),
            Err(_) => None,
        }
    }

    /// A message wait of `ms` (`real(t)` makes the real one for `t`):
    /// when the queue has nothing (`ready` false), virtual time passes
    /// first; the real wait follows for 0 ms when the model posted a
    /// message or its time-out passed (the virtual `ms` stood for the
    /// wall time), for `ms` when nothing in flight could post one.
    fn wait_then<R>(ms: u32, real: impl Fn(u32) -> R, ready: impl Fn(&R) -> bool) -> R {
        if ms == 0 || !super::ACTIVE.load(Ordering::Acquire) {
            return real(ms);
        }
        let r = real(0);
        if ready(&r) {
            return r;
        }
        match virtual_wait(ms) {
            Some(_) => real(0),
            None => real(ms),
        }
    }

    unsafe extern "system" fn msg_wait(
        n: u32,
        handles: *const usize,
        all: i32,
        ms: u32,
        mask: u32,
    ) -> u32 {
        type F = unsafe extern "system" fn(u32, *const usize, i32, u32, u32) -> u32;
        // SAFETY: the real function's signature; install ran.
        let f: F = unsafe { real(&HOOKS[0]) };
        // SAFETY (the calls): the program's arguments, passed on.
        let call = |t: u32| unsafe { f(n, handles, all, t, mask) };
        if n != 0 {
            return call(ms);
        }
        wait_then(ms, call, |r| *r != WAIT_TIMEOUT)
    }

    unsafe extern "system" fn msg_wait_ex(
        n: u32,
        handles: *const usize,
        ms: u32,
        mask: u32,
        flags: u32,
    ) -> u32 {
        type F = unsafe extern "system" fn(u32, *const usize, u32, u32, u32) -> u32;
        // SAFETY: the real function's signature; install ran.
        let f: F = unsafe { real(&HOOKS[1]) };
        // SAFETY (the calls): the program's arguments, passed on.
        let call = |t: u32| unsafe { f(n, handles, t, mask, flags) };
        if n != 0 {
            return call(ms);
        }
        wait_then(ms, call, |r| *r != WAIT_TIMEOUT)
    }

    /// `GetMessage` on an empty queue: virtual time passes until the
    /// model posts a message (a wait nothing in flight can end leaves it
    /// to the real call).
    fn before_get(hwnd: usize, min: u32, max: u32) {
        if super::ACTIVE.load(Ordering::Acquire) && !queued(hwnd, min, max) {
            let _ = virtual_wait(INFINITE);
        }
    }

    unsafe extern "system" fn get_message_a(msg: *mut u8, hwnd: usize, min: u32, max: u32) -> i32 {
        type F = unsafe extern "system" fn(*mut u8, usize, u32, u32) -> i32;
        before_get(hwnd, min, max);
        // SAFETY: the real function's signature and the program's call.
        unsafe { real::<F>(&HOOKS[2])(msg, hwnd, min, max) }
    }

    unsafe extern "system" fn get_message_w(msg: *mut u8, hwnd: usize, min: u32, max: u32) -> i32 {
        type F = unsafe extern "system" fn(*mut u8, usize, u32, u32) -> i32;
        before_get(hwnd, min, max);
        // SAFETY: the real function's signature and the program's call.
        unsafe { real::<F>(&HOOKS[3])(msg, hwnd, min, max) }
    }
}

#[cfg(not(windows))]
mod os {
    //! No windows off Windows: a window is any nonzero handle, and the
    //! messages are kept for the crate's tests ([`super::posted`]).

    /// The messages posted, for the tests: (hWnd, wMsg, wParam, lParam).
    pub(super) static POSTED: parking_lot::Mutex<Vec<(usize, u32, usize, isize)>> =
        parking_lot::Mutex::new(Vec::new());

    pub(super) fn is_window(hwnd: usize) -> bool {
        hwnd != 0
    }

    pub(super) fn install() {}

    pub(super) fn post(hwnd: usize, msg: u32, wparam: usize, lparam: isize) {
        POSTED.lock().push((hwnd, msg, wparam, lparam));
    }
}

/// The messages posted so far (off Windows, where there are no windows),
/// taken: (hWnd, wMsg, wParam, lParam).
#[cfg(all(test, not(windows)))]
pub(crate) fn posted() -> Vec<(usize, u32, usize, isize)> {
    std::mem::take(&mut *os::POSTED.lock())
}
