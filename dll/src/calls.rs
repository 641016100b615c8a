//! The one process-wide model and the frame every exported call runs in:
//! the model's answer (or the DLL's own check) becomes a return value and
//! the thread's last error, after the call's log line is written.

use crate::config::{OnReport, Settings};
use crate::handles::{Handles, Meta};
use crate::os;
use crate::table::Fail;
use parking_lot::Mutex;
use std::collections::BTreeSet;
use std::io::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::OnceLock;
use winsock_model::contract::{error_name, ModelReport, ReportKind, WsaError};
use winsock_model::{Config, Sim, SimHost, Socket, TraceEvent};

/// `WSASYSCALLFAILURE`: the DLL itself failed (a panic inside the model
/// or the DLL, caught at the export).
const WSASYSCALLFAILURE: i32 = windows_sys::Win32::Networking::WinSock::WSASYSCALLFAILURE;
const WSAEOPNOTSUPP: i32 = winsock_model::contract::WSAEOPNOTSUPP;
const WSANOTINITIALISED: i32 = winsock_model::contract::WSANOTINITIALISED;
const WSAENOTSOCK: i32 = winsock_model::contract::WSAENOTSOCK;

/// The model behind the DLL: one simulated world with one host, the
/// process's.
pub(crate) struct Dll {
    pub(crate) sim: Sim,
    pub(crate) host: SimHost,
    pub(crate) settings: Settings,
    pub(crate) state: Mutex<State>,
    /// Exported calls under way (the unload notification writes the
    /// trace only when none is: a thread killed by the process's exit
    /// may hold the world's lock).
    in_calls: AtomicUsize,
    /// The first OS thread that called into the DLL (0: none yet).
    first_thread: AtomicU32,
    /// Whether a second OS thread has called into the DLL (an exported
    /// call or a hooked kernel32 wait): the program is multi-threaded,
    /// and the waits on a completion port are paced (`iocp.rs`).
    threaded: AtomicBool,
    log: Mutex<Option<std::fs::File>>,
    /// The program's outstanding overlapped operations (`ovl.rs`).
    pub(crate) ovls: Mutex<crate::ovl::Ovls>,
    /// The model's stand-ins for the program's `WSAEventSelect` events
    /// (`exports/netevents.rs`).
    pub(crate) netsel: Mutex<crate::exports::netevents::StandIns>,
}

/// What the DLL keeps beside the model.
pub(crate) struct State {
    pub(crate) handles: Handles,
    /// Successful `WSAStartup`s not yet matched by a `WSACleanup` (the
    /// model counts them too; the DLL's count lets it refuse a call with
    /// `WSANOTINITIALISED` before reading the call's pointers).
    pub(crate) startups: u32,
    /// Trace lines of the DLL's own (calls answered without the model,
    /// calls not modelled), each with the length the model's trace had
    /// when it happened, to merge the two.
    notes: Vec<(usize, TraceEvent)>,
    /// The `addrinfo` lists handed out and not yet freed (heads).
    pub(crate) addrinfo: BTreeSet<usize>,
}

static DLL: OnceLock<Dll> = OnceLock::new();

/// Whether the trace is kept: with `WSD_TRACE`, and always in the crate's
/// own tests (they read it, on Linux and under Wine alike).
fn keeps_trace(s: &Settings) -> bool {
    s.trace.is_some() || cfg!(test)
}

/// The model, made at the first call from the environment. A setting
/// that cannot be used ends the process (exit code 2) with a message.
pub(crate) fn dll() -> &'static Dll {
    DLL.get_or_init(|| match Dll::from_env() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("winsock-double ws2_32.dll: {e}");
            os::exit(2)
        }
    })
}

/// The model if a call made it already.
pub(crate) fn dll_if_made() -> Option<&'static Dll> {
    DLL.get()
}

impl Dll {
    fn from_env() -> Result<Dll, String> {
        Dll::new(Settings::from_env()?)
    }

    fn new(settings: Settings) -> Result<Dll, String> {
        let cfg = Config {
            profile: settings.profile,
            stream_reads: settings.stream_reads,
            completion_timing: settings.completion,
            // The trace is kept only for WSD_TRACE (and in the crate's
            // tests): a long-running program without it would keep every
            // line in memory.
            tracing: keeps_trace(&settings),
            capture: settings.pcap.is_some(),
            ..Config::default()
        };
        let sim = Sim::with_config(settings.seed, cfg);
        let addrs: Vec<&str> = settings.addrs.iter().map(String::as_str).collect();
        let host = sim
            .add_host(&settings.host, &addrs)
            .map_err(|e| format!("WSD_HOST/WSD_ADDRS: {e}"))?;
        for r in &settings.routes {
            // One router on the way: the gateway.
            sim.add_route(&settings.host, r, 1)
                .map_err(|e| format!("WSD_ROUTES: {e}"))?;
        }
        let log = match &settings.log {
            None => None,
            Some(p) => Some(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(p)
                    .map_err(|e| format!("WSD_LOG={}: {e}", p.display()))?,
            ),
        };
        Ok(Dll {
            sim,
            host,
            state: Mutex::new(State {
                handles: Handles::new(settings.handles),
                startups: 0,
                notes: Vec::new(),
                addrinfo: BTreeSet::new(),
            }),
            settings,
            in_calls: AtomicUsize::new(0),
            first_thread: AtomicU32::new(0),
            threaded: AtomicBool::new(false),
            log: Mutex::new(log),
            ovls: Mutex::new(crate::ovl::Ovls::default()),
            netsel: Mutex::new(Default::default()),
        })
    }

    /// Notes the calling thread; whether the program is multi-threaded
    /// (a second OS thread has called into the DLL, now or before).
    pub(crate) fn saw_thread(&self) -> bool {
        if self.threaded.load(Ordering::Relaxed) {
            return true;
        }
        let me = os::thread_id();
        match self
            .first_thread
            .compare_exchange(0, me, Ordering::SeqCst, Ordering::SeqCst)
        {
            Ok(_) => false,
            Err(first) if first == me => false,
            Err(_) => {
                if !self.threaded.swap(true, Ordering::SeqCst) {
                    self.note(
                        "a second thread calls into the DLL: waits on a completion port are paced by the wall clock"
                            .into(),
                    );
                }
                true
            }
        }
    }

    /// Appends a line to the log (`WSD_LOG`), with the virtual time.
    pub(crate) fn log(&self, line: impl FnOnce() -> String) {
        let mut log = self.log.lock();
        if let Some(f) = log.as_mut() {
            let t = self.sim.now().as_nanos();
            let _ = writeln!(
                f,
                "[{}.{:09}] {}",
                t / 1_000_000_000,
                t % 1_000_000_000,
                line()
            );
        }
    }

    /// Whether calls are logged.
    pub(crate) fn logging(&self) -> bool {
        self.log.lock().is_some()
    }

    /// A trace line of the DLL's own (kind `dll`); nothing when no trace
    /// is kept.
    pub(crate) fn note(&self, detail: String) {
        if !keeps_trace(&self.settings) {
            return;
        }
        let at = self.sim.trace().len();
        let t = u64::try_from(self.sim.now().as_nanos()).unwrap_or(u64::MAX);
        let ev = TraceEvent {
            t,
            host: self.settings.host.clone(),
            kind: "dll".into(),
            detail,
        };
        self.state.lock().notes.push((at, ev));
    }

    /// The model's trace with the DLL's lines merged in, one line per
    /// event.
    pub(crate) fn trace_text(&self) -> String {
        let model = self.sim.trace();
        let st = self.state.lock();
        let mut out = String::new();
        let mut notes = st.notes.iter().peekable();
        for (i, ev) in model.iter().enumerate() {
            while let Some((_, n)) = notes.next_if(|(at, _)| *at <= i) {
                out.push_str(&n.to_string());
                out.push('\n');
            }
            out.push_str(&ev.to_string());
            out.push('\n');
        }
        for (_, n) in notes {
            out.push_str(&n.to_string());
            out.push('\n');
        }
        out
    }

    /// Writes the trace to `WSD_TRACE` and the capture to `WSD_PCAP`, each
    /// if set.
    pub(crate) fn write_trace(&self) {
        if let Some(p) = &self.settings.trace {
            if let Err(e) = std::fs::write(p, self.trace_text()) {
                eprintln!("winsock-double ws2_32.dll: WSD_TRACE={}: {e}", p.display());
            }
        }
        if let (Some(p), Some(file)) = (&self.settings.pcap, self.sim.pcapng()) {
            if let Err(e) = std::fs::write(p, file) {
                eprintln!("winsock-double ws2_32.dll: WSD_PCAP={}: {e}", p.display());
            }
        }
    }

    /// A report of the model (deadlock, misuse): to standard error and the
    /// log; with `WSD_ON_REPORT=exit` the trace is written and the
    /// process ends. Returns the code the call fails with.
    fn model_report(&self, call: &str, r: &ModelReport) -> i32 {
        let head = format!(
            "model {} in {call}: {}{}",
            r.kind.name(),
            r.message,
            r.clause
                .as_ref()
                .map(|c| format!(" [{c}]"))
                .unwrap_or_default()
        );
        eprintln!("winsock-double ws2_32.dll: {head}");
        self.log(|| head.clone());
        self.note(head);
        if self.settings.on_report == OnReport::Exit {
            self.write_trace();
            os::exit(3);
        }
        self.write_trace();
        match r.kind {
            // A wait that can never end: what a time-out would say.
            ReportKind::Deadlock => winsock_model::contract::WSAETIMEDOUT,
            ReportKind::Misuse => winsock_model::contract::WSAEINVAL,
        }
    }

    /// The DLL's view of socket `s` for a call that must be refused before
    /// the model sees it (a pointer fault): `WSANOTINITIALISED` without
    /// a `WSAStartup`, `WSAENOTSOCK` for a handle that is no socket.
    pub(crate) fn known(&self, s: usize) -> Result<Meta, Fault> {
        let st = self.state.lock();
        if st.startups == 0 {
            return Err(Fault::Dll(WSANOTINITIALISED, "no WSAStartup".into()));
        }
        st.handles
            .get(s)
            .ok_or_else(|| Fault::Dll(WSAENOTSOCK, format!("{s:#x} is no socket")))
    }

    /// The model's socket for `s` (an unknown handle becomes one the
    /// model does not have).
    pub(crate) fn sock(&self, s: usize) -> Socket {
        self.state.lock().handles.model(s)
    }

    /// Fails unless the library was started.
    pub(crate) fn started(&self) -> Result<(), Fault> {
        if self.state.lock().startups == 0 {
            return Err(Fault::Dll(WSANOTINITIALISED, "no WSAStartup".into()));
        }
        Ok(())
    }
}

/// Why a call failed.
#[derive(Debug)]
pub(crate) enum Fault {
    /// The model's answer: a Winsock code or a report.
    Model(WsaError),
    /// The DLL's own check, with what it found (the model never saw the
    /// call): a NULL pointer, a length too short.
    Dll(i32, String),
    /// Part of a modelled export that is not modelled yet (an overlapped
    /// argument, a condition function): `WSAEOPNOTSUPP`.
    NotModelled(String),
}

impl From<WsaError> for Fault {
    fn from(e: WsaError) -> Fault {
        Fault::Model(e)
    }
}

impl Fault {
    /// The DLL's check for a NULL or short pointer: `WSAEFAULT`.
    pub(crate) fn efault(what: impl Into<String>) -> Fault {
        Fault::Dll(winsock_model::contract::WSAEFAULT, what.into())
    }
}

/// Renders a code for the log.
pub(crate) fn code_name(c: i32) -> String {
    match error_name(c) {
        Some(n) => n.to_string(),
        None => c.to_string(),
    }
}

/// Counts a call under way while it lives.
pub(crate) struct InCall(&'static Dll);

/// Counts the caller as a call under way while the guard lives: a hooked
/// kernel32 function (`iocp.rs`) while it is in the model (a settle, a
/// wait in virtual time, a cancellation), as an exported call is counted,
/// so that the unload notification does not take the world's lock that a
/// thread killed at process exit may hold. Not while it waits in wall
/// time (Go's netpoller is there when the process exits).
#[cfg(windows)]
pub(crate) fn in_model(d: &'static Dll) -> InCall {
    d.in_calls.fetch_add(1, Ordering::SeqCst);
    InCall(d)
}

impl Drop for InCall {
    fn drop(&mut self) {
        self.0.in_calls.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Whether an exported call is under way (on any thread).
#[cfg(windows)]
pub(crate) fn busy() -> bool {
    dll_if_made().is_some_and(|d| d.in_calls.load(Ordering::SeqCst) > 0)
}

/// Runs an exported call: `body` asks the model; its success is returned
/// with last error 0 (Windows clears it: Wine's conformance tests, run on
/// Windows, check `!WSAGetLastError()` after successful `setsockopt`,
/// `WSAIoctl`, `WSASendTo`, `WSAPoll`: `dlls/ws2_32/tests/sock.c` lines
/// 1473, 5328, 7303, 7825 of Wine 8.0), a failure returns `fail(code)`
/// with the code as last error. The log line is written first, the last error
/// set last. A panic is caught: `WSASYSCALLFAILURE`.
pub(crate) fn run<R: std::fmt::Debug>(
    name: &'static str,
    fail: impl FnOnce(i32) -> R,
    args: impl FnOnce() -> String,
    body: impl FnOnce(&'static Dll) -> Result<R, Fault>,
) -> R {
    let d = dll();
    d.saw_thread();
    d.in_calls.fetch_add(1, Ordering::SeqCst);
    let guard = InCall(d);
    let shown = if d.logging() { args() } else { String::new() };
    // Completions the call made (or let happen) reach the program's
    // memory and objects before it returns (`ovl.rs`).
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let r = body(d);
        crate::ovl::settle(d);
        crate::exports::netevents::mirror(d);
        r
    }));
    drop(guard);
    let (ret, code, what) = match r {
        Ok(Ok(v)) => {
            let what = format!("{v:?}");
            (v, 0, what)
        }
        Ok(Err(Fault::Model(WsaError::Code(c)))) => (fail(c), c, code_name(c)),
        Ok(Err(Fault::Model(WsaError::Model(rep)))) => {
            let c = d.model_report(name, &rep);
            (
                fail(c),
                c,
                format!("{} (model {})", code_name(c), rep.kind.name()),
            )
        }
        Ok(Err(Fault::Dll(c, why))) => {
            d.note(format!("{name}({shown}) -> {} ({why})", code_name(c)));
            (
                fail(c),
                c,
                format!("{} ({why}; checked by the DLL)", code_name(c)),
            )
        }
        Ok(Err(Fault::NotModelled(what))) => {
            let line = format!("not modelled: {name}: {what}");
            d.note(line.clone());
            eprintln_once(&line);
            (
                fail(WSAEOPNOTSUPP),
                WSAEOPNOTSUPP,
                format!("WSAEOPNOTSUPP ({line})"),
            )
        }
        Err(p) => {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            let line = format!("internal error in {name}: {msg}");
            eprintln!("winsock-double ws2_32.dll: {line}");
            d.note(line.clone());
            (
                fail(WSASYSCALLFAILURE),
                WSASYSCALLFAILURE,
                format!("WSASYSCALLFAILURE ({line})"),
            )
        }
    };
    d.log(|| format!("{name}({shown}) -> {what}"));
    os::set_last_error(code as u32);
    ret
}

/// What a stub of an export that is not modelled does: a trace line and a
/// log line, `WSAEOPNOTSUPP` as last error, the failure value of its kind
/// (`-1`, `0`, or the code itself).
pub(crate) fn not_modelled(name: &'static str, fail: Fail) -> isize {
    let d = dll();
    let line = format!("not modelled: {name}");
    d.note(line.clone());
    d.log(|| format!("{name}(..) -> WSAEOPNOTSUPP ({line})"));
    eprintln_once(&line);
    os::set_last_error(WSAEOPNOTSUPP as u32);
    match fail {
        Fail::SocketError => -1,
        Fail::Null | Fail::Void => 0,
        Fail::Code => WSAEOPNOTSUPP as isize,
    }
}

/// Tells standard error about a call that is not modelled, once per
/// message: a program that fails after it should say why.
fn eprintln_once(line: &str) {
    static SEEN: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());
    if SEEN.lock().insert(line.to_string()) {
        eprintln!("winsock-double ws2_32.dll: {line}");
    }
}

/// Every exported call is made from one process-wide model; tests that
/// call exports take this lock so they do not see each other's sockets.
#[cfg(test)]
pub(crate) static TEST_LOCK: Mutex<()> = Mutex::new(());
