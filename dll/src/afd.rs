//! AFD polls (issue 20, 2(c)): what mio, and so tokio, waits with.
//!
//! mio never waits through Winsock: it opens the AFD device
//! (`NtCreateFile` on `\Device\Afd\Mio`), associates that handle with its
//! completion port, and asks for each socket's readiness with
//! `NtDeviceIoControlFile(afd, NULL, NULL, apc_context, iosb,
//! IOCTL_AFD_POLL, info, len, info, len)` (mio 1.x,
//! `src/sys/windows/afd.rs`). The program's ntdll import entries come to
//! the DLL (`ntdll.rs`); this module keeps the AFD handles the program
//! opened (real handles of the device: `CloseHandle`,
//! `CreateIoCompletionPort` and `SetFileCompletionNotificationModes` work
//! on them as on any file; the DLL notes the port and the modes), the
//! outstanding polls in posting order, and completes each from the
//! model's readiness (`SimHost::afd_events_now`) at the end of every
//! exported call (`settle.rs`), in the waits that let virtual time pass
//! (`iocp.rs`), and when cancelled: it writes the output `AFD_POLL_INFO`
//! and the `IO_STATUS_BLOCK`, then queues the packet to the port (the
//! key, the apc_context as the `OVERLAPPED` pointer, as the I/O manager
//! does) or sets the event.
//!
//! The validation is Windows', as Wine's `dlls/ws2_32/tests/afd.c`
//! `test_poll` records it (run on Windows; lines of Debian's wine
//! 8.0~repack-4): an output smaller than the input, a missing buffer, no
//! handles or an input shorter than its handles is
//! `STATUS_INVALID_PARAMETER` (afd.c:225-252); a handle that is no socket
//! `STATUS_INVALID_HANDLE` (afd.c:233-235, 245-247); a zero time-out
//! completes at once with what is ready (afd.c:256-273); a poll with
//! something ready completes at once (afd.c:309-318), else it pends
//! (`STATUS_PENDING`) until a socket is ready (afd.c:290-307) or its
//! time-out passes (`STATUS_TIMEOUT`, no handles: afd.c:278-286). Not
//! modelled (`STATUS_NOT_SUPPORTED`, a `dll` trace line): any other
//! control code on an AFD handle. An APC routine is queued to the thread
//! that made the poll; that thread's end cancels its polls
//! ([`orphaned`]). The `Exclusive` flag is
//! `test_poll_exclusive`'s (afd.c:980-1294): [`exclusive_check`].

#![cfg_attr(not(windows), allow(dead_code))]

use crate::calls::Dll;
use crate::{mem, os};
use std::collections::BTreeMap;
use std::time::Duration;

/// `IOCTL_AFD_POLL`.
pub(crate) const IOCTL_AFD_POLL: u32 = 0x0001_2024;
/// `AFD_POLL_LOCAL_CLOSE`: the socket was closed while polled.
pub(crate) const AFD_POLL_LOCAL_CLOSE: u32 = 0x20;

/// `STATUS_SUCCESS`.
pub(crate) const STATUS_SUCCESS: u32 = 0;
/// `STATUS_PENDING`.
pub(crate) const STATUS_PENDING: u32 = 0x0000_0103;
/// `STATUS_TIMEOUT`.
pub(crate) const STATUS_TIMEOUT: u32 = 0x0000_0102;
/// `STATUS_CANCELLED`.
pub(crate) const STATUS_CANCELLED: u32 = 0xC000_0120;
/// `STATUS_NOT_FOUND`.
pub(crate) const STATUS_NOT_FOUND: u32 = 0xC000_0225;
/// `STATUS_INVALID_PARAMETER`.
pub(crate) const STATUS_INVALID_PARAMETER: u32 = 0xC000_000D;
/// `STATUS_INVALID_HANDLE`.
pub(crate) const STATUS_INVALID_HANDLE: u32 = 0xC000_0008;
/// `STATUS_NOT_SUPPORTED`.
pub(crate) const STATUS_NOT_SUPPORTED: u32 = 0xC000_00BB;
/// `STATUS_ACCESS_VIOLATION`: a buffer that cannot be read or written.
pub(crate) const STATUS_ACCESS_VIOLATION: u32 = 0xC000_0005;

/// `FILE_SKIP_COMPLETION_PORT_ON_SUCCESS`.
const SKIP_PORT_ON_SUCCESS: u8 = 1;

/// The size of `AFD_POLL_INFO`'s head (`Timeout`, `NumberOfHandles`,
/// `Exclusive`) and of each handle's entry (`Handle`, `Events`,
/// `Status`), x64.
const HEAD: usize = 16;
const ENTRY: usize = 16;

/// An AFD handle the program opened: the port it is associated with
/// (port, key) and its completion modes.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Device {
    pub(crate) port: Option<(usize, usize)>,
    pub(crate) modes: u8,
}

/// An outstanding poll.
#[derive(Debug, Clone)]
struct Poll {
    /// The handle the request was made on.
    file: usize,
    event: usize,
    apc_context: usize,
    iosb: usize,
    out: usize,
    timeout: i64,
    /// The virtual time its relative time-out ends at.
    deadline: Option<Duration>,
    /// The program's `SOCKET`s and the events asked of each.
    socks: Vec<(usize, u32)>,
    /// The completion port of the socket the poll was made on, as it was
    /// then (its packet still goes there when that socket was closed).
    port: Option<(usize, usize)>,
    /// Its number (for the sockets' main polls).
    id: u64,
    /// Its `PIO_APC_ROUTINE`, or 0.
    apc: usize,
    /// A handle to the thread that made it (`os::thread_handle`): its APC
    /// goes there, and its end cancels the poll unless the completion
    /// goes to a port by key alone.
    thread: usize,
    /// The `Exclusive` flag.
    exclusive: bool,
}

/// The AFD handles and the outstanding polls.
#[derive(Default)]
struct State {
    devices: BTreeMap<usize, Device>,
    polls: Vec<Poll>,
    /// Each socket's main poll (by id): the first made while it had none
    /// outstanding; an exclusive one ends when another exclusive poll of
    /// the socket is made.
    main: BTreeMap<usize, u64>,
    next_id: u64,
}

static STATE: parking_lot::Mutex<State> = parking_lot::Mutex::new(State {
    devices: BTreeMap::new(),
    polls: Vec::new(),
    main: BTreeMap::new(),
    next_id: 0,
});

/// Whether a `\`-separated NT path names the AFD device (`\Device\Afd`,
/// `\Device\Afd\Anything`; any case).
pub(crate) fn is_afd_path(units: &[u16]) -> bool {
    let s = String::from_utf16_lossy(units).to_ascii_lowercase();
    s == "\\device\\afd" || s.starts_with("\\device\\afd\\")
}

/// Records `h` as an AFD handle the program opened (a handle value used
/// again starts afresh).
pub(crate) fn opened(h: usize) {
    STATE.lock().devices.insert(h, Device::default());
}

/// The program closed AFD handle `h`.
pub(crate) fn closed(h: usize) {
    let mut st = STATE.lock();
    st.devices.remove(&h);
    st.polls.retain(|p| p.file != h);
}

/// Whether `h` is an AFD handle the program opened.
pub(crate) fn is_device(h: usize) -> bool {
    STATE.lock().devices.contains_key(&h)
}

/// `CreateIoCompletionPort(afd, port, key, ..)` succeeded.
pub(crate) fn associated(h: usize, port: usize, key: usize) {
    if let Some(dev) = STATE.lock().devices.get_mut(&h) {
        dev.port = Some((port, key));
    }
}

/// `SetFileCompletionNotificationModes(afd, modes)` succeeded.
pub(crate) fn set_modes(h: usize, modes: u8) {
    if let Some(dev) = STATE.lock().devices.get_mut(&h) {
        dev.modes = modes;
    }
}

/// Whether a poll is outstanding.
pub(crate) fn outstanding() -> bool {
    !STATE.lock().polls.is_empty()
}

/// The arguments of `NtDeviceIoControlFile` the DLL reads.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Request {
    pub(crate) file: usize,
    pub(crate) event: usize,
    pub(crate) apc: usize,
    pub(crate) apc_context: usize,
    pub(crate) iosb: usize,
    pub(crate) input: usize,
    pub(crate) in_len: u32,
    pub(crate) out: usize,
    pub(crate) out_len: u32,
}

/// `NtDeviceIoControlFile(.., IOCTL_AFD_POLL, ..)` on an AFD handle or
/// one of the DLL's sockets: the `NTSTATUS` it returns.
///
/// # Safety
/// The pointers are the program's; every one is probed before use.
pub(crate) unsafe fn poll(d: &Dll, r: Request) -> u32 {
    let refuse = |why: &str, st: u32| {
        d.note(format!(
            "NtDeviceIoControlFile(IOCTL_AFD_POLL): {why}: {st:#x}"
        ));
        st
    };
    // The I/O manager clears the call's event (a socket's own without
    // one) before the request reaches the driver: afd.c:387-400, a poll
    // that pends leaves the event unset though an earlier one set it.
    if r.event != 0 {
        os::reset_event(r.event);
    } else if !is_device(r.file) {
        os::reset_event(r.file);
    }
    // The I/O manager refuses an APC routine for a file with a port
    // (afd.c:2562-2570, run on Windows).
    if r.apc != 0 && port_of(d, r.file, None).is_some() {
        return refuse("an APC routine on a port's file", STATUS_INVALID_PARAMETER);
    }
    // afd.c:225-231, 237-239: a buffer missing, or an output smaller than
    // the input.
    if r.input == 0 || r.out == 0 || (r.in_len as usize) < HEAD || r.out_len < r.in_len {
        return refuse("bad buffer lengths", STATUS_INVALID_PARAMETER);
    }
    // SAFETY: probed reads of the program's input buffer.
    let Ok(head) = (unsafe { mem::bytes_at(r.input as *const u8, HEAD) }) else {
        return refuse("input not readable", STATUS_ACCESS_VIOLATION);
    };
    let timeout = i64::from_le_bytes(head[0..8].try_into().expect("8 bytes"));
    let count = u32::from_le_bytes(head[8..12].try_into().expect("4 bytes")) as usize;
    // (A BOOLEAN, then padding.)
    let exclusive = head[12] != 0;
    // afd.c:241-243, 249-252: no handles, or fewer bytes than they need.
    if count == 0 || (r.in_len as usize) < HEAD + ENTRY * count {
        return refuse("no handles, or a short input", STATUS_INVALID_PARAMETER);
    }
    // SAFETY: probed read of the handles' entries.
    let Ok(body) = (unsafe { mem::bytes_at((r.input + HEAD) as *const u8, ENTRY * count) }) else {
        return refuse("input not readable", STATUS_ACCESS_VIOLATION);
    };
    if !mem::writable(r.out as *const u8, r.out_len as usize)
        || !mem::writable(r.iosb as *const u8, 16)
    {
        return refuse("output not writable", STATUS_ACCESS_VIOLATION);
    }
    let socks: Vec<(usize, u32)> = body
        .chunks(ENTRY)
        .map(|e| {
            let h = usize::from_le_bytes(e[0..8].try_into().expect("8 bytes"));
            (h, u32::from_le_bytes(e[8..12].try_into().expect("4 bytes")))
        })
        .collect();
    // afd.c:233-235: a handle that is no socket.
    if socks.iter().any(|&(h, _)| d.known(h).is_err()) {
        return refuse("a handle that is no socket", STATUS_INVALID_HANDLE);
    }
    let hundreds = |n: u64| Duration::from_nanos(n.saturating_mul(100));
    // A relative time-out in virtual time; an absolute one (a date in
    // 100 ns units since 1601, as NtQuerySystemTime gives) is as far off
    // in virtual time as it is from the system's clock now (model
    // choice: virtual time has no date; the program took the date from
    // that clock), and one already past ends the poll at once.
    let absolute = timeout > 0 && timeout != i64::MAX;
    let deadline = if timeout < 0 && timeout != i64::MIN {
        Some(d.sim.now() + hundreds(timeout.unsigned_abs()))
    } else if absolute {
        let left = timeout.saturating_sub(os::system_time()).max(0);
        Some(d.sim.now() + hundreds(left as u64))
    } else {
        None
    };
    let p = Poll {
        file: r.file,
        event: r.event,
        apc_context: r.apc_context,
        iosb: r.iosb,
        out: r.out,
        timeout,
        deadline,
        socks,
        port: d.ovls.lock().assoc.get(&r.file).map(|a| (a.port, a.key)),
        id: {
            let mut st = STATE.lock();
            st.next_id += 1;
            st.next_id
        },
        exclusive,
        apc: r.apc,
        thread: os::thread_handle(),
    };
    exclusive_check(d, &p);
    d.note(format!(
        "NtDeviceIoControlFile(IOCTL_AFD_POLL, {})",
        shown(d, &p.socks)
    ));
    if let Some(ready) = ready(d, &p, false) {
        // afd.c:309-318: something ready: done at once.
        finish(d, &p, STATUS_SUCCESS, &ready, true);
        return STATUS_SUCCESS;
    }
    if timeout == 0 {
        // afd.c:256-273: a zero time-out with nothing ready.
        finish(d, &p, STATUS_SUCCESS, &[], true);
        return STATUS_SUCCESS;
    }
    if absolute && p.deadline.is_some_and(|t| t <= d.sim.now()) {
        // afd.c:275-285, 320-330: a date already past pends and has
        // timed out by the time the event is looked at.
        finish(d, &p, STATUS_TIMEOUT, &[], false);
        return STATUS_PENDING;
    }
    // The IO_STATUS_BLOCK is left alone while the poll pends (afd.c:2597,
    // run on Windows: 0xcccccccc stays; mio writes STATUS_PENDING there
    // itself before the call).
    STATE.lock().polls.push(p);
    STATUS_PENDING
}

/// The main polls of `p`'s sockets: an exclusive main poll ends
/// (`STATUS_SUCCESS`, nothing fired) when `p` is exclusive too; `p` is the
/// main poll of each socket left without one. Made once, when the poll
/// is (afd.c:1040-1276, `test_poll_exclusive`, run on Windows: a poll that
/// later becomes the only one is not looked at again).
fn exclusive_check(d: &Dll, p: &Poll) {
    let mut ended = vec![];
    {
        let mut st = STATE.lock();
        for &(h, _) in &p.socks {
            let main = st
                .main
                .get(&h)
                .and_then(|id| st.polls.iter().position(|q| q.id == *id));
            let main = match main {
                Some(i) if st.polls[i].exclusive && p.exclusive => {
                    ended.push(st.polls.remove(i));
                    None
                }
                other => other,
            };
            if main.is_none() {
                st.main.insert(h, p.id);
            }
        }
    }
    for q in &ended {
        finish(d, q, STATUS_SUCCESS, &[], false);
    }
}

/// The sockets of a poll in the model's handles, with their events.
fn shown(d: &Dll, socks: &[(usize, u32)]) -> String {
    let v: Vec<String> = socks
        .iter()
        .map(|&(h, ev)| format!("{:#x}:{ev:#x}", d.sock(h).0))
        .collect();
    v.join(" ")
}

/// What a poll would report now: each socket's events that fired, or a
/// closed socket's `AFD_POLL_LOCAL_CLOSE` (asked or not); `None` when
/// nothing did. A poll that completes at once reports every entry of a
/// socket named more than once (afd.c:886-915); `later`, when it
/// completes after pending, the first only (afd.c:917-940).
fn ready(d: &Dll, p: &Poll, later: bool) -> Option<Vec<(usize, u32)>> {
    let mut v: Vec<(usize, u32)> = vec![];
    for &(h, mask) in &p.socks {
        if later && v.iter().any(|&(seen, _)| seen == h) {
            continue;
        }
        let ev = match d.known(h) {
            Ok(_) => d.host.afd_events_now(d.sock(h)).unwrap_or(0) & mask,
            // afd.c:486-512: AFD_POLL_CLOSE is reported whatever was asked.
            Err(_) => AFD_POLL_LOCAL_CLOSE,
        };
        if ev != 0 {
            v.push((h, ev));
        }
    }
    (!v.is_empty()).then_some(v)
}

/// Whether the socket the poll was made on (not an AFD handle) was
/// closed: the poll then ends with `STATUS_TIMEOUT` and no handles
/// (afd.c:691-709, 1348-1370, run on Windows).
fn file_closed(d: &Dll, p: &Poll) -> bool {
    !is_device(p.file) && d.known(p.file).is_err()
}

/// Completes poll `p` with `status` and the handles that fired: the
/// output `AFD_POLL_INFO` (the input's time-out, the count, each
/// handle's events with a zero status), the `IO_STATUS_BLOCK` (the
/// status, the bytes written: afd.c:262-263, 297), then the packet to the
/// port the file is associated with, or the event.
fn finish(d: &Dll, p: &Poll, status: u32, fired: &[(usize, u32)], at_once: bool) {
    let mut out = Vec::with_capacity(HEAD + ENTRY * fired.len());
    out.extend_from_slice(&p.timeout.to_le_bytes());
    out.extend_from_slice(&(fired.len() as u32).to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    for &(h, ev) in fired {
        out.extend_from_slice(&h.to_le_bytes());
        out.extend_from_slice(&ev.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
    }
    let mut iosb = Vec::with_capacity(16);
    iosb.extend_from_slice(&u64::from(status).to_le_bytes());
    iosb.extend_from_slice(&(out.len() as u64).to_le_bytes());
    // SAFETY: the program's output buffer and IO_STATUS_BLOCK of a request
    // still outstanding (the program may not free them before the
    // completion); probed again by write_bytes.
    unsafe {
        let _ = mem::write_bytes(p.out as *mut u8, &out);
        let _ = mem::write_bytes(p.iosb as *mut u8, &iosb);
    }
    let dev = STATE.lock().devices.get(&p.file).copied();
    let skip = dev.is_some_and(|dev| {
        at_once && status == STATUS_SUCCESS && dev.modes & SKIP_PORT_ON_SUCCESS != 0
    });
    let port = port_of(d, p.file, p.port).filter(|_| !skip);
    if let Some((port, key)) = port.filter(|_| p.apc_context != 0) {
        os::post_completion(port, key, p.apc_context, status, out.len() as u32);
    }
    if p.event != 0 {
        os::set_event(p.event);
    }
    if p.apc != 0 {
        // To the thread that made the poll (none when it has ended:
        // afd.c:2556, no APC).
        crate::ovl::queue_nt_apc(d, p.thread, p.apc, p.apc_context, p.iosb);
    } else {
        os::close_handle(p.thread);
    }
    let v: Vec<String> = fired
        .iter()
        .map(|&(h, ev)| format!("{:#x}:{ev:#x}", d.sock(h).0))
        .collect();
    d.note(format!("AFD poll completed {status:#x}: {}", v.join(" ")));
}

/// The completion port (port, key) of AFD handle or socket `file`
/// (`kept`: a closed socket's, as it was when the poll was made).
fn port_of(d: &Dll, file: usize, kept: Option<(usize, usize)>) -> Option<(usize, usize)> {
    match STATE.lock().devices.get(&file).copied() {
        Some(dev) => dev.port,
        None => d
            .ovls
            .lock()
            .assoc
            .get(&file)
            .map(|a| (a.port, a.key))
            .or(kept),
    }
}

/// Whether poll `p` is cancelled because the thread that made it ended:
/// every poll without a completion port is, and one with a port unless
/// its completion goes there by its context alone, without an event
/// (afd.c:2534-2611, test_async_thread_termination, run on Windows).
fn orphaned(d: &Dll, p: &Poll) -> bool {
    let by_port = port_of(d, p.file, p.port).is_some() && p.apc_context != 0 && p.event == 0;
    !by_port && os::thread_ended(p.thread)
}

/// Completes the outstanding polls that are ready or whose time-out
/// passed, in the order they were made: at the end of every exported
/// call (`settle.rs`) and in the waits (`iocp.rs`).
pub(crate) fn settle(d: &Dll) {
    if !outstanding() {
        return;
    }
    let polls = STATE.lock().polls.clone();
    let now = d.sim.now();
    let mut done = vec![];
    for p in &polls {
        if let Some(fired) = ready(d, p, true) {
            finish(d, p, STATUS_SUCCESS, &fired, false);
            done.push(p.id);
        } else if file_closed(d, p) || p.deadline.is_some_and(|t| t <= now) {
            finish(d, p, STATUS_TIMEOUT, &[], false);
            done.push(p.id);
        } else if orphaned(d, p) {
            finish(d, p, STATUS_CANCELLED, &[], false);
            done.push(p.id);
        }
    }
    if !done.is_empty() {
        STATE.lock().polls.retain(|p| !done.contains(&p.id));
    }
}

/// `NtCancelIoFileEx(file, iosb, ..)` on an AFD handle or a socket with
/// polls: the polls of `file` made with that `IO_STATUS_BLOCK` (every one
/// of `file`'s for `NULL`) complete with `STATUS_CANCELLED`;
/// `STATUS_NOT_FOUND` when there is none. `None`: not the DLL's (`file`
/// has no polls and is no AFD handle of the program's).
pub(crate) fn cancel(d: &Dll, file: usize, iosb: usize) -> Option<u32> {
    let gone: Vec<Poll> = {
        let mut st = STATE.lock();
        if !st.devices.contains_key(&file) && !st.polls.iter().any(|p| p.file == file) {
            return None;
        }
        let (gone, kept) = std::mem::take(&mut st.polls)
            .into_iter()
            .partition(|p| p.file == file && (iosb == 0 || p.iosb == iosb));
        st.polls = kept;
        gone
    };
    if gone.is_empty() {
        return Some(STATUS_NOT_FOUND);
    }
    for p in &gone {
        finish(d, p, STATUS_CANCELLED, &[], false);
    }
    Some(STATUS_SUCCESS)
}

/// The virtual time to the next thing the model has in flight, when it
/// is at most `left` away (all of it for `None`): how far a wait with
/// polls outstanding lets virtual time pass before it waits in wall time.
pub(crate) fn next_step(d: &Dll, left: Option<Duration>) -> Option<Duration> {
    let deadlines = STATE.lock().polls.iter().filter_map(|p| p.deadline).min();
    let now = d.sim.now();
    let next = [
        d.sim.next_event_in(),
        deadlines.map(|t| t.saturating_sub(now)),
    ]
    .into_iter()
    .flatten()
    .min()?;
    left.is_none_or(|l| next <= l).then_some(next)
}
