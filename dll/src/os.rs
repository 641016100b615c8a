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

    /// Sets an event object the program gave (an `OVERLAPPED.hEvent`).
    pub(crate) fn set_event(h: usize) {
        // SAFETY: SetEvent takes a handle; one that is no event makes it
        // fail, which changes nothing.
        unsafe { windows_sys::Win32::System::Threading::SetEvent(h as HANDLE) };
    }

    /// `CreateEventW`: a manual-reset event, not signalled (`None` when the
    /// kernel has none left).
    pub(crate) fn create_event() -> Option<usize> {
        // SAFETY: no security attributes, manual reset, not signalled, no
        // name; the caller owns the handle.
        let h = unsafe { CreateEventW(std::ptr::null(), 1, 0, std::ptr::null()) };
        (!h.is_null()).then_some(h as usize)
    }

    /// `CloseHandle`, `ResetEvent` on a handle the program gave: whether
    /// the kernel took it (an invalid handle makes the call fail, nothing
    /// else).
    pub(crate) fn close_event(h: usize) -> bool {
        // SAFETY: the handle is the program's, given to be closed.
        unsafe { CloseHandle(h as HANDLE) != 0 }
    }

    /// `ResetEvent`.
    pub(crate) fn reset_event(h: usize) -> bool {
        // SAFETY: ResetEvent takes a handle; a bad one makes it fail.
        unsafe { windows_sys::Win32::System::Threading::ResetEvent(h as HANDLE) != 0 }
    }

    /// `SetEvent`, as [`reset_event`].
    pub(crate) fn signal_event(h: usize) -> bool {
        // SAFETY: SetEvent takes a handle; a bad one makes it fail.
        unsafe { windows_sys::Win32::System::Threading::SetEvent(h as HANDLE) != 0 }
    }

    /// `WaitForMultipleObjectsEx` on `handles`: its return value.
    pub(crate) fn wait_events(handles: &[usize], all: bool, ms: u32, alertable: bool) -> u32 {
        let hs: Vec<HANDLE> = handles.iter().map(|&h| h as HANDLE).collect();
        // SAFETY: `hs` holds `hs.len()` handles (at most 64, checked by the
        // caller); the kernel only reads them.
        unsafe {
            windows_sys::Win32::System::Threading::WaitForMultipleObjectsEx(
                hs.len() as u32,
                hs.as_ptr(),
                i32::from(all),
                ms,
                i32::from(alertable),
            )
        }
    }

    /// Runs the user APCs queued to the calling thread (`SleepEx(0,
    /// TRUE)`): what an alertable wait that ends without its condition
    /// has done on Windows.
    pub(crate) fn run_user_apcs() {
        // SAFETY: SleepEx takes a time and a flag; with 0 it returns at
        // once, after running the thread's queued APCs.
        unsafe { windows_sys::Win32::System::Threading::SleepEx(0, 1) };
    }

    /// A handle to the calling thread that [`queue_apc`] can queue to
    /// (`OpenThread` with `THREAD_SET_CONTEXT`); 0 when there is none.
    pub(crate) fn apc_thread() -> usize {
        use windows_sys::Win32::System::Threading::{
            GetCurrentThreadId, OpenThread, THREAD_SET_CONTEXT,
        };
        // SAFETY: GetCurrentThreadId takes nothing; OpenThread takes an
        // access mask, a flag and a thread id, and returns a new handle
        // the caller owns (closed by `queue_apc` or `close_handle`).
        let h = unsafe { OpenThread(THREAD_SET_CONTEXT, 0, GetCurrentThreadId()) };
        h as usize
    }

    /// A handle to the calling thread that [`queue_apc`] can queue to and
    /// [`thread_ended`] can ask (`SYNCHRONIZE | THREAD_SET_CONTEXT`); 0
    /// when there is none. The caller closes it (`queue_apc` does).
    pub(crate) fn thread_handle() -> usize {
        use windows_sys::Win32::System::Threading::{
            GetCurrentThreadId, OpenThread, THREAD_SET_CONTEXT, THREAD_SYNCHRONIZE,
        };
        // SAFETY: as in apc_thread.
        let h = unsafe {
            OpenThread(
                THREAD_SET_CONTEXT | THREAD_SYNCHRONIZE,
                0,
                GetCurrentThreadId(),
            )
        };
        h as usize
    }

    /// Whether the thread behind `h` (from [`thread_handle`]) has ended.
    pub(crate) fn thread_ended(h: usize) -> bool {
        // SAFETY: a wait of no time on a handle of the DLL's; a bad
        // handle makes it fail (not ended).
        h != 0
            && unsafe { windows_sys::Win32::System::Threading::WaitForSingleObject(h as HANDLE, 0) }
                == 0
    }

    /// The system's clock: 100 ns units since 1601 (what
    /// `NtQuerySystemTime` gives).
    pub(crate) fn system_time() -> i64 {
        // SAFETY: writes the FILETIME it is given.
        let ft = unsafe {
            let mut ft = std::mem::zeroed();
            windows_sys::Win32::System::SystemInformation::GetSystemTimeAsFileTime(&mut ft);
            ft
        };
        (i64::from(ft.dwHighDateTime) << 32) | i64::from(ft.dwLowDateTime)
    }

    /// The process's id.
    pub(crate) fn process_id() -> u32 {
        // SAFETY: GetCurrentProcessId takes nothing.
        unsafe { windows_sys::Win32::System::Threading::GetCurrentProcessId() }
    }

    /// The calling thread's id.
    pub(crate) fn thread_id() -> u32 {
        // SAFETY: GetCurrentThreadId takes nothing.
        unsafe { windows_sys::Win32::System::Threading::GetCurrentThreadId() }
    }

    /// Whether the process has a thread besides the calling one (a
    /// snapshot of the system's threads, `CreateToolhelp32Snapshot`,
    /// looked through for this process's; `true` when it cannot be
    /// taken, the safe answer: the caller then paces its waits).
    pub(crate) fn other_threads() -> bool {
        use windows_sys::Win32::Foundation::INVALID_HANDLE_VALUE;
        use windows_sys::Win32::System::Diagnostics::ToolHelp::{
            CreateToolhelp32Snapshot, Thread32First, Thread32Next, TH32CS_SNAPTHREAD, THREADENTRY32,
        };
        use windows_sys::Win32::System::Threading::GetCurrentProcessId;
        // SAFETY: plain integers in; the snapshot handle is closed below.
        let snap = unsafe { CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0) };
        if snap == INVALID_HANDLE_VALUE {
            return true;
        }
        // SAFETY: takes nothing.
        let (pid, me) = (unsafe { GetCurrentProcessId() }, thread_id());
        // SAFETY: THREADENTRY32 is plain integers, valid when zeroed.
        let mut e: THREADENTRY32 = unsafe { std::mem::zeroed() };
        e.dwSize = std::mem::size_of::<THREADENTRY32>() as u32;
        let mut found = false;
        // SAFETY: `snap` is the snapshot taken above and `e` a
        // THREADENTRY32 with its size set, which the calls fill.
        let mut more = unsafe { Thread32First(snap, &mut e) } != 0;
        while more {
            if e.th32OwnerProcessID == pid && e.th32ThreadID != me {
                found = true;
                break;
            }
            // SAFETY: as for Thread32First.
            more = unsafe { Thread32Next(snap, &mut e) } != 0;
        }
        // SAFETY: the snapshot handle is ours, closed once.
        unsafe { CloseHandle(snap) };
        found
    }

    /// `QueueUserAPC(f, thread, param)`, then closes `thread` (a handle
    /// from [`apc_thread`]): whether the APC was queued. The kernel runs
    /// `f(param)` on that thread in its next alertable wait.
    pub(crate) fn queue_apc(
        thread: usize,
        f: unsafe extern "system" fn(usize),
        param: usize,
    ) -> bool {
        // SAFETY: `thread` is a thread handle with THREAD_SET_CONTEXT
        // (or 0, which makes the call fail); `f` is a function of the
        // APC's signature that lives as long as the DLL, which is never
        // unloaded before the process ends; `param` is `f`'s to interpret.
        let ok = unsafe {
            windows_sys::Win32::System::Threading::QueueUserAPC(Some(f), thread as HANDLE, param)
        } != 0;
        close_handle(thread);
        ok
    }

    /// `WaitForSingleObject(h, INFINITE)`: whether it was signalled.
    pub(crate) fn wait_one(h: usize) -> bool {
        // SAFETY: WaitForSingleObject takes a handle and a time; a bad
        // handle makes it fail.
        unsafe {
            windows_sys::Win32::System::Threading::WaitForSingleObject(h as HANDLE, u32::MAX) == 0
        }
    }

    /// Queues a completion packet to port `port` as the I/O manager
    /// queues one for a finished operation (`NtSetIoCompletion`: the key,
    /// the `OVERLAPPED` as the packet's value, the operation's `NTSTATUS`
    /// and byte count; `GetQueuedCompletionStatus` then fails with the
    /// status's Win32 error, as for a real operation, where
    /// `PostQueuedCompletionStatus` could only post a success): whether
    /// it was queued.
    pub(crate) fn post_completion(
        port: usize,
        key: usize,
        ovl: usize,
        status: u32,
        bytes: u32,
    ) -> bool {
        type SetIoCompletion = unsafe extern "system" fn(HANDLE, usize, usize, i32, usize) -> i32;
        static F: std::sync::OnceLock<Option<SetIoCompletion>> = std::sync::OnceLock::new();
        let f = F.get_or_init(|| {
            use windows_sys::Win32::System::LibraryLoader::{GetModuleHandleA, GetProcAddress};
            // SAFETY: both take NUL-terminated names; ntdll is loaded in
            // every process and stays so.
            let p = unsafe {
                GetProcAddress(
                    GetModuleHandleA(c"ntdll.dll".as_ptr().cast()),
                    c"NtSetIoCompletion".as_ptr().cast(),
                )
            }?;
            // SAFETY: NtSetIoCompletion has this signature (port, key,
            // value, status, information).
            Some(unsafe {
                std::mem::transmute::<unsafe extern "system" fn() -> isize, SetIoCompletion>(p)
            })
        });
        let Some(f) = f else {
            return false;
        };
        // SAFETY: the port handle is the program's (a bad one makes the
        // call fail); the other arguments are plain values.
        unsafe { f(port as HANDLE, key, ovl, status as i32, bytes as usize) == 0 }
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

    /// Whether the `len` bytes from `p` are committed memory the process
    /// may read (or, with `write`, write): what the kernel's probe of a
    /// user buffer asks before Winsock copies it, so that a bad pointer is
    /// `WSAEFAULT` instead of an access violation. Asked of `VirtualQuery`,
    /// region by region; a guard page or `PAGE_NOACCESS` is not accessible.
    pub(crate) fn accessible(p: usize, len: usize, write: bool) -> bool {
        use windows_sys::Win32::System::Memory::{
            VirtualQuery, MEMORY_BASIC_INFORMATION, MEM_COMMIT, PAGE_EXECUTE_READ,
            PAGE_EXECUTE_READWRITE, PAGE_EXECUTE_WRITECOPY, PAGE_GUARD, PAGE_NOACCESS,
            PAGE_READONLY, PAGE_READWRITE, PAGE_WRITECOPY,
        };
        if len == 0 {
            return true;
        }
        let Some(end) = p.checked_add(len) else {
            return false;
        };
        let writable =
            PAGE_READWRITE | PAGE_WRITECOPY | PAGE_EXECUTE_READWRITE | PAGE_EXECUTE_WRITECOPY;
        let readable = writable | PAGE_READONLY | PAGE_EXECUTE_READ;
        let mut at = p;
        while at < end {
            let mut mbi = std::mem::MaybeUninit::<MEMORY_BASIC_INFORMATION>::zeroed();
            // SAFETY: VirtualQuery only reads the address (it never
            // touches the memory there) and writes at most the given size
            // into `mbi`, which is that big.
            let n = unsafe {
                VirtualQuery(
                    at as *const std::ffi::c_void,
                    mbi.as_mut_ptr(),
                    std::mem::size_of::<MEMORY_BASIC_INFORMATION>(),
                )
            };
            if n == 0 {
                return false;
            }
            // SAFETY: VirtualQuery filled it (it returned non-zero); all
            // zeros was a valid value before.
            let mbi = unsafe { mbi.assume_init() };
            let prot = mbi.Protect;
            if mbi.State != MEM_COMMIT
                || prot & (PAGE_GUARD | PAGE_NOACCESS) != 0
                || prot & (if write { writable } else { readable }) == 0
            {
                return false;
            }
            let next = (mbi.BaseAddress as usize).saturating_add(mbi.RegionSize);
            if next <= at {
                return false;
            }
            at = next;
        }
        true
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

    /// No events off Windows.
    pub(crate) fn set_event(_h: usize) {}

    type Apc = (u32, unsafe extern "system" fn(usize), usize);

    /// The APCs queued off Windows: (thread, function, parameter).
    static APCS: parking_lot::Mutex<Vec<Apc>> = parking_lot::Mutex::new(Vec::new());

    thread_local! {
        static THREAD_ID: u32 = {
            static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        };
    }

    /// Off Windows a thread "handle" is its id.
    pub(crate) fn thread_handle() -> usize {
        thread_id() as usize
    }

    /// Off Windows no thread is seen to end.
    pub(crate) fn thread_ended(_h: usize) -> bool {
        false
    }

    /// The system's clock: 100 ns units since 1601.
    pub(crate) fn system_time() -> i64 {
        let unix = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() / 100);
        // 1601-01-01 to 1970-01-01 in 100 ns units.
        116_444_736_000_000_000 + unix as i64
    }

    /// The process's id.
    pub(crate) fn process_id() -> u32 {
        std::process::id()
    }

    /// The calling thread's id (a number of the DLL's off Windows).
    pub(crate) fn thread_id() -> u32 {
        THREAD_ID.with(|t| *t)
    }

    /// Off Windows (the tests) only the threads that call into the DLL
    /// count (`Dll::saw_thread`): the test harness's own are not the
    /// program's.
    pub(crate) fn other_threads() -> bool {
        false
    }

    /// Off Windows a thread "handle" is its id.
    pub(crate) fn apc_thread() -> usize {
        thread_id() as usize
    }

    /// Queues `f(param)` to run in `thread`'s next [`run_user_apcs`].
    pub(crate) fn queue_apc(
        thread: usize,
        f: unsafe extern "system" fn(usize),
        param: usize,
    ) -> bool {
        APCS.lock().push((thread as u32, f, param));
        true
    }

    /// Runs the APCs queued to the calling thread, in queue order (what
    /// `SleepEx(0, TRUE)` does on Windows).
    pub(crate) fn run_user_apcs() {
        let me = thread_id();
        loop {
            let next = {
                let mut q = APCS.lock();
                q.iter().position(|a| a.0 == me).map(|i| q.remove(i))
            };
            let Some((_, f, param)) = next else {
                return;
            };
            // SAFETY: `f` and `param` were queued together by the DLL,
            // which queues only functions that take their own parameter.
            unsafe { f(param) };
        }
    }

    /// No kernel waits off Windows.
    pub(crate) fn wait_one(_h: usize) -> bool {
        false
    }

    /// No completion ports off Windows.
    pub(crate) fn post_completion(_p: usize, _k: usize, _o: usize, _s: u32, _b: u32) -> bool {
        false
    }

    /// No kernel events off Windows.
    pub(crate) fn create_event() -> Option<usize> {
        None
    }

    /// No kernel events off Windows.
    pub(crate) fn close_event(_h: usize) -> bool {
        false
    }

    /// No kernel events off Windows.
    pub(crate) fn reset_event(_h: usize) -> bool {
        false
    }

    /// No kernel events off Windows.
    pub(crate) fn signal_event(_h: usize) -> bool {
        false
    }

    /// No kernel events off Windows: `WAIT_FAILED`.
    pub(crate) fn wait_events(_h: &[usize], _all: bool, _ms: u32, _alertable: bool) -> u32 {
        u32::MAX
    }

    /// Ends the process.
    pub(crate) fn exit(code: u32) -> ! {
        std::process::exit(code as i32)
    }

    /// Off Windows (the tests) memory cannot be asked about cheaply: a
    /// pointer into the first 64 KiB (never mapped on Windows) is taken
    /// as bad, any other as good.
    pub(crate) fn accessible(p: usize, len: usize, _write: bool) -> bool {
        len == 0 || (p >= 0x10000 && p.checked_add(len).is_some())
    }
}

pub(crate) use imp::*;
