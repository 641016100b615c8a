//! The one process-wide model: the simulated world and its host, the
//! DLL's handles, log and trace lines beside it, and the registry of the
//! program's outstanding operations (`ops.rs`). The frame every exported
//! call runs in is `frame.rs`, above this and the delivery of completions.

use crate::config::{OnReport, Settings};
use crate::fault::Fault;
use crate::handles::{Handles, Meta};
use crate::ops::Ovls;
use crate::os;
use parking_lot::Mutex;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::OnceLock;
use winsock_model::contract::{ModelReport, ReportKind};
use winsock_model::{Config, Event, Sim, SimHost, Socket, TraceEvent};

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
    /// The program's outstanding overlapped operations (`ops.rs`).
    pub(crate) ovls: Mutex<Ovls>,
    /// The model's stand-ins for the program's `WSAEventSelect` events
    /// (`exports/netevents.rs`).
    pub(crate) netsel: Mutex<StandIns>,
    /// Exported calls ended so far, on any thread, with [`Dll::ended_cv`]:
    /// a paced call's wait in wall time ends when another thread's call
    /// does (`pace.rs`).
    pub(crate) ended: Mutex<u64>,
    /// Notified at the end of every exported call.
    pub(crate) ended_cv: parking_lot::Condvar,
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

/// The model's stand-in for each program event `WSAEventSelect` named.
#[derive(Debug, Default)]
pub(crate) struct StandIns {
    pub(crate) by_real: BTreeMap<usize, Event>,
}

impl StandIns {
    /// Whether no program event was selected yet.
    pub(crate) fn is_empty(&self) -> bool {
        self.by_real.is_empty()
    }
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
            ovls: Mutex::new(Ovls::default()),
            netsel: Mutex::new(Default::default()),
            ended: Mutex::new(0),
            ended_cv: parking_lot::Condvar::new(),
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
                        "a second thread calls into the DLL: its blocking calls and waits are paced by the wall clock"
                            .into(),
                    );
                }
                true
            }
        }
    }

    /// Counts an exported call's end and wakes the paced waits
    /// (`pace.rs`).
    pub(crate) fn call_ended(&self) {
        *self.ended.lock() += 1;
        self.ended_cv.notify_all();
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
        merged(&model, &self.state.lock().notes)
    }

    /// At process exit while a call was under way (a thread ended inside
    /// it may hold a lock for ever): the trace and the capture written as
    /// [`Dll::write_trace`] does if neither the world nor the DLL's state
    /// is locked now; otherwise a message says why there is none.
    #[cfg(windows)]
    pub(crate) fn write_trace_at_exit(&self) {
        let (Some(model), Some(st)) = (self.sim.try_trace(), self.state.try_lock()) else {
            eprintln!(
                "winsock-double ws2_32.dll: no trace written: the process ended while a thread was inside the model"
            );
            return;
        };
        let text = merged(&model, &st.notes);
        drop(st);
        if let Some(p) = &self.settings.trace {
            if let Err(e) = std::fs::write(p, text) {
                eprintln!("winsock-double ws2_32.dll: WSD_TRACE={}: {e}", p.display());
            }
        }
        if let (Some(p), Some(Some(file))) = (&self.settings.pcap, self.sim.try_pcapng()) {
            if let Err(e) = std::fs::write(p, file) {
                eprintln!("winsock-double ws2_32.dll: WSD_PCAP={}: {e}", p.display());
            }
        }
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
    pub(crate) fn model_report(&self, call: &str, r: &ModelReport) -> i32 {
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
            // (The frame makes a stopped call again: never reported.)
            ReportKind::Paused | ReportKind::Stalled => winsock_model::contract::WSAEINTR,
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

/// Counts a call under way while it lives.
pub(crate) struct InCall(&'static Dll);

/// Counts the caller as a call under way while the guard lives: an
/// exported call (`frame::run`), and a hooked kernel32 function
/// (`iocp.rs`) while it is in the model (a settle, a wait in virtual time,
/// a cancellation), so that the unload notification does not take the
/// world's lock that a thread killed at process exit may hold. Not while
/// it waits in wall time (Go's netpoller is there when the process exits).
pub(crate) fn in_model(d: &'static Dll) -> InCall {
    d.in_calls.fetch_add(1, Ordering::SeqCst);
    InCall(d)
}

/// Runs `f` (a wait in wall time) as not under way: the call's count,
/// taken by [`in_model`], is given back meanwhile.
pub(crate) fn outside_model<T>(d: &'static Dll, f: impl FnOnce() -> T) -> T {
    d.in_calls.fetch_sub(1, Ordering::SeqCst);
    let r = f();
    d.in_calls.fetch_add(1, Ordering::SeqCst);
    r
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

/// Every exported call is made from one process-wide model; tests that
/// call exports take this lock so they do not see each other's sockets.
#[cfg(test)]
pub(crate) static TEST_LOCK: Mutex<()> = Mutex::new(());

/// The model's trace lines with the DLL's own merged in (each note
/// before the model line it was written at), one line per event.
fn merged(model: &[TraceEvent], notes: &[(usize, TraceEvent)]) -> String {
    let mut out = String::new();
    let mut notes = notes.iter().peekable();
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
