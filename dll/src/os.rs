//! The few operating-system services the DLL needs: the thread's last-error
//! slot, kernel handles that stand for sockets, and ending the process.
//! On Windows they are Win32 calls; elsewhere (the tests on Linux) a
//! thread-local slot and the model's own handles stand in.

#[cfg(windows)]
mod imp {
    use windows_sys::Win32::Foundation::{CloseHandle, GetLastError, SetLastError, HANDLE};
    use windows_sys::Win32::System::Threading::{CreateEventW, ExitProcess};

    /// `SetLastError`: the calling thread's Win32 last-error slot, which
    /// is what `WSAGetLastError` reads on Windows.
    pub(crate) fn set_last_error(code: u32) {
        // SAFETY: SetLastError takes a plain integer and writes only the
        // calling thread's error slot in its TEB.
        unsafe { SetLastError(code) }
    }

    /// `GetLastError`.
    pub(crate) fn last_error() -> u32 {
        // SAFETY: GetLastError takes nothing and reads the calling
        // thread's error slot.
        unsafe { GetLastError() }
    }

    /// A new kernel handle for a socket: an unnamed manual-reset event
    /// that is never signalled. It makes the `SOCKET` a real handle, so
    /// kernel32 calls on it (`SetHandleInformation`, `CloseHandle`, a
    /// wait) find an object rather than someone else's handle.
    pub(crate) fn new_handle() -> Option<usize> {
        // SAFETY: all four arguments may be NULL/FALSE (no security
        // attributes, manual reset, not signalled, no name); the returned
        // handle is owned by the caller, who closes it with `close_handle`.
        let h = unsafe { CreateEventW(std::ptr::null(), 1, 0, std::ptr::null()) };
        (!h.is_null()).then_some(h as usize)
    }

    /// Closes a handle made by [`new_handle`].
    pub(crate) fn close_handle(h: usize) {
        // SAFETY: `h` came from `new_handle` and is closed once (the
        // handle table forgets it first); CloseHandle on it touches only
        // that event object.
        unsafe { CloseHandle(h as HANDLE) };
    }

    /// Ends the process (`ExitProcess`).
    pub(crate) fn exit(code: u32) -> ! {
        // SAFETY: ExitProcess takes an exit code; it runs DLL detach
        // notifications and does not return.
        unsafe { ExitProcess(code) }
    }
}

#[cfg(not(windows))]
mod imp {
    use std::cell::Cell;

    thread_local! {
        static LAST_ERROR: Cell<u32> = const { Cell::new(0) };
    }

    /// The thread's last-error slot (a thread-local off Windows).
    pub(crate) fn set_last_error(code: u32) {
        LAST_ERROR.with(|c| c.set(code));
    }

    /// Reads the slot.
    pub(crate) fn last_error() -> u32 {
        LAST_ERROR.with(Cell::get)
    }

    /// No kernel handles off Windows: the model's handle values are used.
    pub(crate) fn new_handle() -> Option<usize> {
        None
    }

    /// Nothing to close.
    pub(crate) fn close_handle(_h: usize) {}

    /// Ends the process.
    pub(crate) fn exit(code: u32) -> ! {
        std::process::exit(code as i32)
    }
}

pub(crate) use imp::*;
