//! Runs a scenario on any [`Backend`] and records what every step gave.

mod calls;
mod ovl;

use super::format::{
    to_hex, AddrSpec, BufSpec, Expect, NameSpec, Op, Scenario, SockRef, Step, SCENARIO_MESSAGE,
    SCENARIO_WINDOW,
};
use super::names;
pub use super::outcome::Outcome;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use winsock_model::cmsg::{self, Pktinfo};
use winsock_model::consts::*;
use winsock_model::{
    Event, NameBuf, Overlapped, Port, Sim, SimHost, Socket, WindowMessage, Winsock,
    WinsockOverlapped, WsaBuf, WsaError,
};

/// Something a scenario can run on: the model, or a real Winsock.
pub trait Backend: Clone + Send + 'static {
    /// The Winsock implementation of one host (cloned into completion
    /// routines that make calls of their own).
    type W: WinsockOverlapped<Socket = Socket, Event = Event, Port = Port> + Clone + Send + 'static;
    /// A thread started by a `spawn` step.
    type Thread: Send;
    /// What this backend is (`"model seed=3"`, `"Wine 8.0"`).
    fn describe(&self) -> String;
    /// Whether this backend can run `sc` at all (`Err` says why not: the
    /// run is reported as skipped, not failed).
    fn supports(&self, _sc: &Scenario) -> Result<(), String> {
        Ok(())
    }
    /// Builds the hosts of the scenario.
    fn setup(&mut self, sc: &Scenario, seed: u64) -> Result<(), String>;
    /// Called when the scenario's last step has run.
    fn finish(&mut self) {}
    /// Whether the backend had to abort the scenario (the OS watchdog): the
    /// steps after that are not run.
    fn aborted(&self) -> bool {
        false
    }
    /// One host's Winsock.
    fn host(&self, name: &str) -> Option<&Self::W>;
    /// Lets time pass.
    fn advance(&self, ms: u64);
    /// Fails or restores a host's network.
    fn network_down(&self, host: &str, down: bool) -> Result<(), String>;
    /// The trace of the run, rendered.
    fn trace(&self) -> Vec<String>;
    /// Whether a step's `result` means the backend did not make the call at
    /// all (the OS backend does not pass undefined behaviour to Windows): the
    /// step is then reported as not run.
    fn refused(&self, _result: &str) -> bool {
        false
    }
    /// Runs `f` on a new thread of host `host` (`spawn` steps).
    fn spawn(&self, host: &str, name: &str, f: ThreadBody) -> Result<Self::Thread, String>;
    /// Waits for a thread and gives its step records (`join` steps).
    fn join(&self, t: &mut Self::Thread) -> Result<Vec<StepRecord>, WsaError>;
    /// A step is about to run (`label`: its op as the report names it;
    /// `clauses`: the ids it cites): the model keeps it for a timeline.
    fn step_begins(&self, _label: &str, _clauses: &[String]) {}

    /// The window messages `WSAAsyncSelect` posted on `host` since the
    /// last call, in order, after waiting up to `timeout_ms` for one when
    /// there is none (the model's; a backend without it says so).
    fn window_messages(&self, host: &str, timeout_ms: u32) -> Result<Vec<WindowMessage>, String> {
        let _ = (host, timeout_ms);
        Err("window messages are the model's only".into())
    }

    /// The clause ids of the diagnostics the backend made so far, if it
    /// makes any (the model does).
    fn diagnostics(&self) -> Option<Vec<String>> {
        None
    }
}

/// What a `spawn` step's thread runs: its steps, giving their records.
pub type ThreadBody = Box<dyn FnOnce() -> Vec<StepRecord> + Send>;

/// The model as a backend.
#[derive(Default, Clone)]
pub struct SimBackend {
    sim: Option<Sim>,
    hosts: BTreeMap<String, SimHost>,
    profile: winsock_model::Profile,
    capture: bool,
    /// The steps of the run so far, where each began in the trace.
    steps: std::sync::Arc<std::sync::Mutex<Vec<crate::timeline::StepMark>>>,
    /// The profile the last run followed (the scenario's quirks applied).
    ran_with: Option<winsock_model::Profile>,
}

impl SimBackend {
    /// The model following `profile` where implementations differ.
    pub fn with_profile(profile: winsock_model::Profile) -> SimBackend {
        SimBackend {
            profile,
            ..SimBackend::default()
        }
    }

    /// The same, keeping every packet the model puts on a wire
    /// ([`Config::capture`](winsock_model::Config::capture)), for
    /// [`SimBackend::pcapng`].
    pub fn capturing(self) -> SimBackend {
        SimBackend {
            capture: true,
            ..self
        }
    }

    /// The last run as a timeline page ([`crate::timeline::html`]), titled
    /// `title`: `None` before a run.
    pub fn timeline(&self, title: &str) -> Option<String> {
        let sim = self.sim.as_ref()?;
        let steps = self.steps.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let mut notes = vec![];
        if let Some(p) = self.ran_with {
            let quirks: Vec<&str> = p.quirks().map(|q| q.id()).collect();
            notes.push(if quirks.is_empty() {
                format!("Profile {p}: the documented contract, no quirk.")
            } else {
                format!("Profile {p}, with the quirks {}.", quirks.join(", "))
            });
        }
        Some(crate::timeline::html(
            title,
            &notes,
            &sim.trace(),
            &sim.spans(),
            &steps,
        ))
    }

    /// The last run's packets as a pcapng file ([`Sim::pcapng`]): `None`
    /// before a run or without [`SimBackend::capturing`].
    pub fn pcapng(&self) -> Option<Vec<u8>> {
        self.sim.as_ref().and_then(Sim::pcapng)
    }
}

impl Backend for SimBackend {
    type Thread = winsock_model::SimThread<Vec<StepRecord>>;
    type W = SimHost;

    fn window_messages(&self, host: &str, timeout_ms: u32) -> Result<Vec<WindowMessage>, String> {
        let h = self
            .host(host)
            .ok_or_else(|| format!("unknown host `{host}`"))?;
        let mut got = h.take_window_messages();
        if got.is_empty() && timeout_ms != 0 {
            h.wait_window_message(timeout_ms)
                .map_err(|e| format!("waiting for a window message: {e}"))?;
            got = h.take_window_messages();
        }
        Ok(got)
    }

    fn describe(&self) -> String {
        match &self.sim {
            Some(s) if self.profile != winsock_model::Profile::documented() => {
                format!("model ({}) seed={}", self.profile, s.seed())
            }
            Some(s) => format!("model seed={}", s.seed()),
            None => "model".into(),
        }
    }

    fn setup(&mut self, sc: &Scenario, seed: u64) -> Result<(), String> {
        self.ran_with = Some(sc.quirks.apply(self.profile));
        let mut cfg = winsock_model::Config {
            tx_rate: sc.tx_rate,
            buffer_pool: sc.buffer_pool,
            profile: sc.quirks.apply(self.profile),
            capture: self.capture,
            ..Default::default()
        };
        if let Some(t) = sc.completion_timing {
            cfg.completion_timing = t;
        }
        if let Some(m) = sc.max_outstanding {
            cfg.max_outstanding = m;
        }
        if let Some(r) = sc.stream_reads {
            cfg.stream_reads = r;
        }
        if let Some(f) = sc.datagram_faults {
            cfg.datagram_faults = f;
        }
        for i in &sc.inject {
            let error = super::names::error_code(&i.error)?;
            cfg.injected
                .push(winsock_model::Injection::new(&i.call, i.nth, error));
        }
        if let Some(ms) = sc.latency_ms {
            cfg.latency_ns = ms.saturating_mul(1_000_000);
        }
        let sim = Sim::with_config(seed, cfg);
        self.hosts.clear();
        if sc.hosts.is_empty() {
            self.hosts.insert(
                "local".into(),
                sim.add_host("local", &[]).map_err(|e| e.to_string())?,
            );
        }
        for h in &sc.hosts {
            let addrs: Vec<&str> = h.addrs.iter().map(String::as_str).collect();
            self.hosts.insert(
                h.name.clone(),
                sim.add_host(&h.name, &addrs).map_err(|e| e.to_string())?,
            );
            if let Some(mtu) = h.mtu {
                for a in &addrs {
                    let ip = a.split('/').next().unwrap_or(a);
                    sim.set_mtu(&h.name, ip, mtu).map_err(|e| e.to_string())?;
                }
            }
        }
        for r in &sc.routes {
            sim.add_route(&r.host, &r.prefix, r.hops)
                .map_err(|e| e.to_string())?;
        }
        self.sim = Some(sim);
        self.steps.lock().unwrap_or_else(|e| e.into_inner()).clear();
        Ok(())
    }

    fn step_begins(&self, label: &str, clauses: &[String]) {
        if let Some(sim) = &self.sim {
            let at_line = sim.trace_len();
            let mut steps = self.steps.lock().unwrap_or_else(|e| e.into_inner());
            steps.push(crate::timeline::StepMark {
                at_line,
                label: label.to_string(),
                clauses: clauses.to_vec(),
            });
        }
    }

    fn host(&self, name: &str) -> Option<&SimHost> {
        self.hosts.get(name)
    }

    fn advance(&self, ms: u64) {
        if let Some(s) = &self.sim {
            s.advance(std::time::Duration::from_millis(ms));
        }
    }

    fn network_down(&self, host: &str, down: bool) -> Result<(), String> {
        let sim = self.sim.as_ref().ok_or("no world")?;
        sim.set_network_down(host, down).map_err(|e| e.to_string())
    }

    fn trace(&self) -> Vec<String> {
        self.sim
            .as_ref()
            .map(|s| s.trace().iter().map(ToString::to_string).collect())
            .unwrap_or_default()
    }

    fn spawn(&self, host: &str, name: &str, f: ThreadBody) -> Result<Self::Thread, String> {
        let h = self
            .hosts
            .get(host)
            .ok_or_else(|| format!("unknown host `{host}`"))?;
        h.spawn(name, move |_| f()).map_err(|e| e.to_string())
    }

    fn join(&self, t: &mut Self::Thread) -> Result<Vec<StepRecord>, WsaError> {
        t.join()
    }

    fn diagnostics(&self) -> Option<Vec<String>> {
        let sim = self.sim.as_ref()?;
        Some(
            sim.diagnostics()
                .into_iter()
                .map(|d| d.clause.unwrap_or_default())
                .collect(),
        )
    }
}

/// How a step compares with its expectation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Matches the expectation.
    Pass,
    /// Differs from it.
    Fail,
    /// No expectation: the outcome is recorded.
    Recorded,
    /// The step could not run (a name it uses is unknown, ...).
    Error,
    /// Not run: the backend aborted the scenario before it.
    Skipped,
}

/// One step's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRecord {
    /// 0-based step index.
    pub index: usize,
    /// The op name.
    pub op: String,
    /// Clause ids the step exercises.
    pub clauses: Vec<String>,
    /// What happened.
    pub outcome: Outcome,
    /// Against the expectation.
    pub verdict: Verdict,
    /// Why it failed or could not run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

/// A whole run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunReport {
    /// Scenario name.
    pub scenario: String,
    /// The backend, described.
    pub backend: String,
    /// The seed used.
    pub seed: u64,
    /// Every step.
    pub steps: Vec<StepRecord>,
    /// The backend's trace.
    pub trace: Vec<String>,
    /// Why the backend did not run the scenario at all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
}

impl RunReport {
    /// Whether no step failed or errored.
    pub fn passed(&self) -> bool {
        self.steps
            .iter()
            .all(|s| matches!(s.verdict, Verdict::Pass | Verdict::Recorded))
    }
}

struct Ctx<'b, B: Backend> {
    b: &'b B,
    default_host: String,
    sockets: BTreeMap<String, (String, <B::W as Winsock>::Socket)>,
    /// Sockets whose `socket` step failed: steps using them are skipped.
    dead: std::collections::BTreeSet<String>,
    events: BTreeMap<String, Event>,
    ports: BTreeMap<String, Port>,
    routine_log: ovl::RoutineLog,
    /// Threads started by `spawn` steps and not joined yet.
    threads: BTreeMap<String, B::Thread>,
    /// The step records a `join` step brought, to go before its own.
    joined: Vec<StepRecord>,
}

/// What a step's call gave, or why the step could not make it.
type Made = Result<Result<(), WsaError>, StepError>;

/// Why a step could not be made at all (its record then has no outcome).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    /// The step cannot run here: it uses a socket whose `socket` step
    /// failed. Reported as skipped.
    #[error("{0}")]
    Skipped(String),
    /// The scenario asks for what it cannot have (a name it never made, a
    /// constant that does not exist). [`super::check`] finds these before
    /// a scenario runs; a scenario built in code may still hold one.
    #[error("{0}")]
    Input(String),
    /// The backend could not do what the step needs (start a thread, tell
    /// a socket's address).
    #[error("{0}")]
    Backend(String),
}

/// The name and constant readers of the format say what is wrong as text.
impl From<String> for StepError {
    fn from(e: String) -> StepError {
        StepError::Input(e)
    }
}

fn result_name(r: &Result<(), WsaError>) -> String {
    match r {
        Ok(()) => "ok".into(),
        Err(WsaError::Code(c)) => error_name(*c)
            .map(str::to_string)
            .unwrap_or_else(|| c.to_string()),
        Err(WsaError::Model(m)) => format!("model:{}", m.kind.name()),
    }
}

fn bufs(specs: &[BufSpec]) -> Vec<WsaBuf> {
    specs
        .iter()
        .map(|b| match *b {
            BufSpec::Size(n) => WsaBuf::zeroed(n as usize),
            BufSpec::Null { null } => WsaBuf::null(null),
            BufSpec::Overlong { len, mem } => WsaBuf::overlong(vec![0; mem as usize], len),
        })
        .collect()
}

/// The payload split into buffers of the given sizes (the last takes the
/// rest), or fault buffers as given.
fn send_bufs(data: &[u8], specs: &Option<Vec<BufSpec>>) -> Vec<WsaBuf> {
    let Some(specs) = specs else {
        return vec![WsaBuf::from(data)];
    };
    let mut out = vec![];
    let mut at = 0;
    for (k, s) in specs.iter().enumerate() {
        match *s {
            BufSpec::Size(n) => {
                let end = if k + 1 == specs.len() {
                    data.len()
                } else {
                    (at + n as usize).min(data.len())
                };
                out.push(WsaBuf::from(&data[at..end]));
                at = end;
            }
            BufSpec::Null { null } => out.push(WsaBuf::null(null)),
            BufSpec::Overlong { len, mem } => {
                out.push(WsaBuf::overlong(vec![0; mem as usize], len))
            }
        }
    }
    out
}

fn name_buf(n: &Option<NameSpec>) -> NameBuf {
    match n {
        None => NameBuf::storage(),
        Some(NameSpec::Null { null }) => NameBuf::null(*null),
        Some(NameSpec::Room { room }) => NameBuf::room(*room),
    }
}

/// Renders a control object as scenarios write it.
pub fn render_cmsg(c: &cmsg::Cmsg) -> String {
    match cmsg::pktinfo(c) {
        Some(Pktinfo::V4(p)) => format!("IP_PKTINFO {} if={}", p.addr, p.ifindex),
        Some(Pktinfo::V6(p)) => format!("IPV6_PKTINFO {} if={}", p.addr, p.ifindex),
        None => {
            let named = INT_OBJECTS
                .iter()
                .find(|(level, kind, _)| (*level, *kind) == (c.level, c.kind));
            match (named, c.as_int()) {
                (Some((_, _, name)), Some(v)) if c.data.len() == 4 => format!("{name} {v}"),
                _ => format!("level={} type={} len={}", c.level, c.kind, c.data.len()),
            }
        }
    }
}

/// The control objects carrying one `INT` / `DWORD` a receive delivers,
/// rendered as `NAME value`.
const INT_OBJECTS: [(i32, i32, &str); 7] = [
    (IPPROTO_IP, IP_TTL, "IP_TTL"),
    (IPPROTO_IPV6, IPV6_HOPLIMIT, "IPV6_HOPLIMIT"),
    (IPPROTO_IP, IP_TOS, "IP_TOS"),
    (IPPROTO_IPV6, IPV6_TCLASS, "IPV6_TCLASS"),
    (IPPROTO_IP, IP_ECN, "IP_ECN"),
    (IPPROTO_IPV6, IPV6_ECN, "IPV6_ECN"),
    (IPPROTO_UDP, UDP_COALESCED_INFO, "UDP_COALESCED_INFO"),
];

impl<'b, B: Backend> Ctx<'b, B> {
    /// A window message as a step's `messages` shows it: the socket's
    /// name (its handle when the scenario named none), the event, and `=`
    /// with the error code's name when it is not 0.
    fn render_message(&self, m: &WindowMessage) -> String {
        let who = self
            .sockets
            .iter()
            .find(|(_, (_, s))| s.0 == m.socket.0)
            .map_or_else(|| format!("{:#x}", m.socket.0), |(n, _)| n.clone());
        let ev = winsock_model::NetworkEvents {
            events: m.event,
            errors: [m.error; FD_MAX_EVENTS],
        };
        let what = names::net_event_names(&ev).join(" ");
        format!("{who} {what}")
    }

    fn host_of(&self, step: &Step) -> Result<&'b B::W, StepError> {
        let name = step.host.as_deref().unwrap_or(&self.default_host);
        self.b
            .host(name)
            .ok_or_else(|| StepError::Input(format!("unknown host `{name}`")))
    }

    fn sock(&self, name: &str) -> Result<(&'b B::W, <B::W as Winsock>::Socket), StepError> {
        if self.dead.contains(name) {
            return Err(StepError::Skipped(format!(
                "socket `{name}` was not created (its `socket` step failed)"
            )));
        }
        let (h, s) = self
            .sockets
            .get(name)
            .ok_or_else(|| format!("unknown socket `{name}`"))?;
        let w = self
            .b
            .host(h)
            .ok_or_else(|| format!("unknown host `{h}`"))?;
        Ok((w, *s))
    }

    /// The socket a `poll` or `select` element names: a named socket (of
    /// any host), or the raw handle.
    fn sock_ref(&self, r: &SockRef) -> Result<Socket, StepError> {
        match r {
            SockRef::Handle { handle } => Ok(Socket(*handle)),
            SockRef::Name(name) => {
                if self.dead.contains(name) {
                    return Err(StepError::Skipped(format!(
                        "socket `{name}` was not created (its `socket` step failed)"
                    )));
                }
                self.sockets
                    .get(name)
                    .map(|(_, s)| *s)
                    .ok_or_else(|| StepError::Input(format!("unknown socket `{name}`")))
            }
        }
    }

    /// The name a step gave socket `s` (the first, in name order, if a
    /// closed one's handle came back), or its value in hex.
    fn name_of(&self, s: Socket) -> String {
        self.sockets
            .iter()
            .find(|(_, (_, x))| *x == s)
            .map(|(n, _)| n.clone())
            .unwrap_or_else(|| format!("{:#x}", s.0))
    }

    /// A send's destination name: a faulty one, an address, or `NULL`
    /// with length 0 (the connected peer).
    fn destination(
        &self,
        to: &Option<AddrSpec>,
        fault: &Option<NameSpec>,
    ) -> Result<NameBuf, StepError> {
        Ok(match (to, fault) {
            (_, Some(f)) => name_buf(&Some(f.clone())),
            (Some(a), None) => NameBuf::addr(&self.addr(a)?),
            (None, None) => NameBuf::null(0),
        })
    }

    fn addr(&self, a: &AddrSpec) -> Result<SocketAddr, StepError> {
        match a {
            AddrSpec::Literal(s) => s
                .parse()
                .map_err(|_| StepError::Input(format!("`{s}` is not a socket address"))),
            AddrSpec::Socket { socket, ip } => {
                let (w, s) = self.sock(socket)?;
                let mut a = w
                    .getsockname(s)
                    .map_err(|e| StepError::Backend(format!("getsockname of `{socket}`: {e}")))?;
                if let Some(ip) = ip {
                    let ip: IpAddr = ip
                        .parse()
                        .map_err(|_| format!("`{ip}` is not an IP address"))?;
                    a.set_ip(ip);
                }
                Ok(a)
            }
        }
    }

    fn exec(&mut self, step: &Step, at: usize) -> Result<Outcome, StepError> {
        let mut o = self.exec_inner(step, at)?;
        let ran = self.routine_log.drain();
        if !ran.is_empty() {
            o.routines = Some(ran);
        }
        Ok(o)
    }

    /// Makes a step's call: the one dispatch of [`Op`]. Every call is
    /// named here once and made by its room: the receives and sends, the
    /// kernel objects' calls (`ovl.rs`), the threads (`spawn`, `join`),
    /// and the other calls, inline or in `calls.rs`.
    fn exec_inner(&mut self, step: &Step, at: usize) -> Result<Outcome, StepError> {
        let mut o = Outcome::default();
        let r: Result<(), WsaError> = match &step.op {
            // Receives and sends: one request, made direct or overlapped.
            op @ (Op::Send { .. }
            | Op::SendTo { .. }
            | Op::SendMsg { .. }
            | Op::Recv { .. }
            | Op::RecvFrom { .. }
            | Op::RecvMsg { .. }) => {
                let r = self.resolve(op)?;
                self.run_data(r, &mut o)?;
                Ok(())
            }
            // Events and waits.
            Op::CreateEvent { name } => {
                let e = self.host_of(step)?.wsa_create_event();
                e.map(|e| {
                    self.events.insert(name.clone(), e);
                })
            }
            Op::SetEvent { event } => self.host_of(step)?.wsa_set_event(self.event(event)?),
            Op::ResetEvent { event } => self.host_of(step)?.wsa_reset_event(self.event(event)?),
            Op::CloseEvent { event } => self.host_of(step)?.wsa_close_event(self.event(event)?),
            Op::WaitEvents {
                events,
                all,
                timeout_ms,
                alertable,
            } => self.wait_events(step, events, (*all, *alertable), *timeout_ms, &mut o)?,
            Op::SleepEx { ms, alertable } => self
                .host_of(step)?
                .sleep_ex(*ms, *alertable)
                .map(|r| o.wait = Some(ovl::render_wait(r))),
            // Network events.
            Op::EventSelect {
                socket,
                event,
                events,
            } => {
                let (w, s) = self.sock(socket)?;
                let ev = event.as_deref().map(|e| self.event(e)).transpose()?;
                let mask = names::fd_events(events).map_err(StepError::Input)?;
                w.wsa_event_select(s, ev, mask)
            }
            Op::AsyncSelect { socket, events } => {
                let (w, s) = self.sock(socket)?;
                let mask = names::fd_events(events).map_err(StepError::Input)?;
                w.wsa_async_select(s, SCENARIO_WINDOW, SCENARIO_MESSAGE, mask)
            }
            Op::WindowMessages { timeout_ms } => {
                let host = step.host.as_deref().unwrap_or(&self.default_host);
                let got = self
                    .b
                    .window_messages(host, timeout_ms.unwrap_or(0))
                    .map_err(StepError::Backend)?;
                o.messages = Some(got.iter().map(|m| self.render_message(m)).collect());
                Ok(())
            }
            Op::EnumNetworkEvents { socket, event } => {
                let (w, s) = self.sock(socket)?;
                let ev = event.as_deref().map(|e| self.event(e)).transpose()?;
                w.wsa_enum_network_events(s, ev)
                    .map(|r| o.net_events = Some(names::net_event_names(&r)))
            }
            // Results of overlapped operations, and cancelling them.
            Op::GetOverlappedResult { socket, id, wait } => {
                self.get_overlapped_result(socket, *id, *wait, &mut o)?
            }
            Op::Cancel { socket, id } => {
                let (w, s) = self.sock(socket)?;
                w.cancel_io_ex(s, id.map(Overlapped::new).as_ref())
            }
            // Completion ports.
            Op::CreatePort { name } => {
                let p = self.host_of(step)?.create_io_completion_port(0);
                p.map(|p| {
                    self.ports.insert(name.clone(), p);
                })
            }
            Op::Associate { port, socket, key } => {
                let p = self.port(port)?;
                let (w, s) = self.sock(socket)?;
                w.associate_completion_port(p, s, *key)
            }
            Op::NotificationModes { socket, modes } => {
                let (w, s) = self.sock(socket)?;
                w.set_file_completion_notification_modes(s, *modes)
            }
            Op::Dequeue {
                port,
                timeout_ms,
                max,
                alertable,
            } => self.dequeue(step, port, (*timeout_ms, *max, *alertable), &mut o)?,
            Op::PostPacket {
                port,
                bytes,
                key,
                id,
            } => {
                let w = self.host_of(step)?;
                w.post_queued_completion_status(
                    self.port(port)?,
                    *bytes,
                    *key,
                    id.map(Overlapped::new),
                )
            }
            Op::ClosePort { port } => self.host_of(step)?.close_port(self.port(port)?),
            // Threads: a join brings the thread's step records with it.
            Op::Spawn {
                thread,
                steps: body,
            } => {
                o = self.spawn(step, thread, body, at)?;
                Ok(())
            }
            Op::Join { thread } => {
                let (joined, records) = self.join(thread)?;
                o = joined;
                self.joined.extend(records);
                Ok(())
            }
            // Start-up and sockets.
            Op::Startup { version } => self
                .host_of(step)?
                .wsa_startup(version.unwrap_or(WINSOCK_VERSION_2_2))
                .map(|_| ()),
            Op::Cleanup {} => self.host_of(step)?.wsa_cleanup(),
            Op::Socket {
                name,
                af,
                ty,
                protocol,
                non_overlapped,
            } => self.socket(step, name, (af, ty, protocol.as_deref()), *non_overlapped)?,
            Op::Bind { socket, addr } => {
                let a = self.addr(addr)?;
                let (w, s) = self.sock(socket)?;
                w.bind(s, &a)
            }
            Op::Connect { socket, addr } => {
                let a = self.addr(addr)?;
                let (w, s) = self.sock(socket)?;
                w.connect(s, &a)
            }
            Op::Listen { socket, backlog } => {
                let (w, s) = self.sock(socket)?;
                let b = match backlog {
                    Some(b) => names::int(b)?,
                    None => SOMAXCONN,
                };
                w.listen(s, b)
            }
            Op::Accept { socket, name } => self.accept(socket, name, &mut o)?,
            Op::Getsockname { socket } => {
                let (w, s) = self.sock(socket)?;
                w.getsockname(s).map(|a| o.from = Some(a.to_string()))
            }
            Op::Getpeername { socket } => {
                let (w, s) = self.sock(socket)?;
                w.getpeername(s).map(|a| o.from = Some(a.to_string()))
            }
            Op::Shutdown { socket, how } => {
                let (w, s) = self.sock(socket)?;
                w.shutdown(s, names::int(how)?)
            }
            Op::Close { socket } => {
                let (w, s) = self.sock(socket)?;
                w.close_socket(s)
            }
            // A stream read to its end; readiness.
            Op::RecvAll {
                socket,
                want,
                buffers,
            } => self.recv_all(socket, *want, buffers, &mut o)?,
            Op::Poll { fds, timeout_ms } => self.poll(step, fds, *timeout_ms, &mut o)?,
            Op::Select {
                read,
                write,
                except,
                timeout_ms,
            } => self.select(step, [read, write, except], *timeout_ms, &mut o)?,
            // Winsock 1's data calls.
            Op::Winsock1Recv {
                socket,
                buffer,
                flags,
            } => {
                let (w, s) = self.sock(socket)?;
                let mut b = [buffer.wsa_buf()];
                let r = w.recv(s, &mut b[0], names::flags(flags)? as i32);
                winsock1_received(&mut o, &r, &b);
                r.map(|_| ())
            }
            Op::Winsock1Recvfrom {
                socket,
                buffer,
                flags,
                from,
            } => self.winsock1_recvfrom(socket, buffer, flags, from, &mut o)?,
            Op::Winsock1Send {
                socket,
                data,
                flags,
            } => self.winsock1_send(socket, data, flags, &mut o)?,
            Op::Winsock1Sendto {
                socket,
                to,
                to_fault,
                data,
                flags,
            } => {
                let (w, s) = self.sock(socket)?;
                let name = self.destination(to, to_fault)?;
                let b = WsaBuf::from(&data.bytes()?[..]);
                w.sendto(s, &b, names::flags(flags)? as i32, &name)
                    .map(|n| o.bytes = Some(n as u32))
            }
            // Options and ioctls.
            Op::Setsockopt {
                socket,
                level,
                name,
                value,
                hex,
            } => self.setsockopt(socket, (level, name), *value, hex)?,
            Op::Getsockopt {
                socket,
                level,
                name,
                room,
            } => self.getsockopt(step, socket, (level, name), *room, &mut o)?,
            Op::Ioctl { socket, cmd, arg } => {
                let (w, s) = self.sock(socket)?;
                let mut a = *arg;
                let r = w.ioctl_socket(s, names::uint(cmd)?, &mut a);
                if r.is_ok() {
                    o.value = Some(i64::from(a));
                }
                r
            }
            Op::WsaIoctl {
                socket,
                code,
                input,
                value,
                out,
                overlapped,
            } => self.wsa_ioctl(
                socket,
                code,
                (input.as_deref(), *value),
                (*out, *overlapped),
                &mut o,
            )?,
            // Virtual time and the network.
            Op::Advance { ms } => {
                self.b.advance(*ms);
                Ok(())
            }
            Op::NetworkDown { target, down } => {
                self.b
                    .network_down(target, *down)
                    .map_err(StepError::Backend)?;
                Ok(())
            }
        };
        // The data calls and the threads' steps name their own result, and
        // so may a kernel call (`WSAGetOverlappedResult`).
        if o.result.is_empty() {
            o.result = result_name(&r);
        }
        Ok(o)
    }
}

/// Records a receive's outputs when a datagram was copied (also with
/// `WSAEMSGSIZE`): the buffers and flags always, the byte count and data
/// only if the call wrote the count (`u32::MAX` was preset). Returns whether
/// a datagram was copied.
fn record_recv(
    o: &mut Outcome,
    r: &Result<(), WsaError>,
    n: u32,
    flags: u32,
    bs: &[WsaBuf],
) -> bool {
    let copied = r.is_ok() || r.as_ref().err().is_some_and(|e| e.is(WSAEMSGSIZE));
    if copied {
        if n != u32::MAX {
            o.bytes = Some(n);
            o.data = Some(to_hex(&winsock_model::gather(bs, n as usize)));
        }
        o.flags = Some(names::flag_names(flags));
        o.buffers = Some(bs.iter().map(|b| to_hex(b.bytes())).collect());
    }
    copied
}

/// What a Winsock 1 receive gave: the count it returned and the data (a
/// datagram too large fills the buffer and returns no count), the buffer;
/// no flags (the call returns none). Whether the buffer was written.
fn winsock1_received(o: &mut Outcome, r: &Result<usize, WsaError>, b: &[WsaBuf]) -> bool {
    let n = match r {
        Ok(n) => *n as u32,
        Err(_) => u32::MAX,
    };
    let done = r.as_ref().map(|_| ()).map_err(Clone::clone);
    let copied = record_recv(o, &done, n, 0, b);
    o.flags = None;
    copied
}

/// Compares an outcome with an expectation; returns the differences.
fn check<B: Backend>(ctx: &Ctx<'_, B>, e: &Expect, o: &Outcome) -> Result<Vec<String>, StepError> {
    let m = super::expect::matchers(e, |a| ctx.addr(a).map(|a| a.to_string()))?;
    Ok(m.iter().filter_map(|m| m.check(o)).collect())
}

/// Runs `list` in order on `ctx`: the main thread's steps, or a spawned
/// thread's (`thread`: its name and the index of its `spawn` step).
fn run_steps<B: Backend>(
    ctx: &mut Ctx<'_, B>,
    list: &[Step],
    thread: Option<(&str, usize)>,
) -> Vec<StepRecord> {
    let mut steps = vec![];
    for (i, step) in list.iter().enumerate() {
        let (index, op) = match thread {
            Some((t, at)) => (at, format!("{t}: {}", step.op.name())),
            None => (i, step.op.name()),
        };
        let record = |outcome, verdict, problems| StepRecord {
            index,
            op: op.clone(),
            clauses: step.clauses.clone(),
            outcome,
            verdict,
            problems,
        };
        if ctx.b.aborted() {
            steps.push(record(
                Outcome::default(),
                Verdict::Skipped,
                vec!["not run: the scenario was aborted before this step".into()],
            ));
            continue;
        }
        ctx.b.step_begins(&op, &step.clauses);
        let exec = ctx.exec(step, index);
        steps.append(&mut ctx.joined);
        let (outcome, verdict, mut problems) = match exec {
            Err(StepError::Skipped(why)) => (Outcome::default(), Verdict::Skipped, vec![why]),
            Err(e) => (Outcome::default(), Verdict::Error, vec![e.to_string()]),
            Ok(o) if ctx.b.refused(&o.result) => (
                o,
                Verdict::Skipped,
                vec!["not passed to this Winsock: the documentation calls it undefined".into()],
            ),
            Ok(mut o) => match &step.expect {
                None => (o, Verdict::Recorded, vec![]),
                Some(e) => {
                    if e.diagnostics.is_some() {
                        o.diagnostics = ctx.b.diagnostics();
                    }
                    match check(ctx, e, &o) {
                        Ok(p) if p.is_empty() => (o, Verdict::Pass, p),
                        Ok(p) => (o, Verdict::Fail, p),
                        Err(e) => (o, Verdict::Error, vec![e.to_string()]),
                    }
                }
            },
        };
        if ctx.b.aborted() {
            problems.push("this call blocked until the backend aborted the scenario".into());
        }
        steps.push(record(outcome, verdict, problems));
    }
    steps
}

impl<B: Backend> Ctx<'_, B> {
    /// A `spawn` step: the thread runs `body` with the names known so far
    /// (what it names itself stays its own) and a routine log of its own.
    fn spawn(
        &mut self,
        step: &Step,
        name: &str,
        body: &[Step],
        at: usize,
    ) -> Result<Outcome, StepError> {
        if self.threads.contains_key(name) {
            return Err(StepError::Input(format!("thread `{name}` exists already")));
        }
        let host = step
            .host
            .clone()
            .unwrap_or_else(|| self.default_host.clone());
        let b = self.b.clone();
        let names = (
            self.default_host.clone(),
            self.sockets.clone(),
            self.dead.clone(),
            self.events.clone(),
            self.ports.clone(),
        );
        let (body, tname) = (body.to_vec(), name.to_string());
        let f: ThreadBody = Box::new(move || {
            let (default_host, sockets, dead, events, ports) = names;
            let mut ctx = Ctx {
                b: &b,
                default_host,
                sockets,
                dead,
                events,
                ports,
                routine_log: Default::default(),
                threads: BTreeMap::new(),
                joined: vec![],
            };
            let mut records = run_steps(&mut ctx, &body, Some((&tname, at)));
            records.extend(ctx.join_all());
            records
        });
        let t = self.b.spawn(&host, name, f).map_err(StepError::Backend)?;
        self.threads.insert(name.to_string(), t);
        Ok(Outcome {
            result: "ok".into(),
            ..Outcome::default()
        })
    }

    /// A `join` step: waits for the thread; its step records come with it.
    /// A join that deadlocks gives the report, and the thread stays
    /// joinable.
    fn join(&mut self, name: &str) -> Result<(Outcome, Vec<StepRecord>), StepError> {
        let mut t = self
            .threads
            .remove(name)
            .ok_or_else(|| format!("unknown thread `{name}`"))?;
        let (result, records) = match self.b.join(&mut t) {
            Ok(records) => ("ok".to_string(), records),
            Err(e) => {
                self.threads.insert(name.to_string(), t);
                (result_name(&Err(e)), vec![])
            }
        };
        Ok((
            Outcome {
                result,
                ..Outcome::default()
            },
            records,
        ))
    }

    /// Joins the threads no step joined, so that none is left behind.
    fn join_all(&mut self) -> Vec<StepRecord> {
        let mut out = vec![];
        while let Some(name) = self.threads.keys().next().cloned() {
            // A deadlocked join gives the thread its own report: it can
            // usually finish then, so the join is tried again (a bounded
            // number of times).
            for _ in 0..100 {
                if let Ok((_, records)) = self.join(&name) {
                    out.extend(records);
                }
                if !self.threads.contains_key(&name) {
                    break;
                }
            }
            self.threads.remove(&name);
        }
        out
    }
}

/// Runs `sc` on backend `b` with `seed`.
pub fn run<B: Backend>(b: &mut B, sc: &Scenario, seed: u64) -> RunReport {
    if let Err(why) = b.supports(sc) {
        return RunReport {
            scenario: sc.name.clone(),
            backend: b.describe(),
            seed,
            steps: vec![],
            trace: vec![],
            skipped: Some(why),
        };
    }
    // A scenario built in code has not been through `load`: the same
    // bounds hold for it (nothing runs that could exhaust memory).
    if let Err(why) = super::check::check(sc) {
        return RunReport {
            scenario: sc.name.clone(),
            backend: b.describe(),
            seed,
            steps: vec![StepRecord {
                index: 0,
                op: "check".into(),
                clauses: vec![],
                outcome: Outcome::default(),
                verdict: Verdict::Error,
                problems: vec![why],
            }],
            trace: vec![],
            skipped: None,
        };
    }
    let setup = b.setup(sc, seed);
    let default_host = sc
        .hosts
        .first()
        .map(|h| h.name.clone())
        .unwrap_or_else(|| "local".into());
    let mut steps = vec![];
    if let Err(e) = setup {
        steps.push(StepRecord {
            index: 0,
            op: "setup".into(),
            clauses: vec![],
            outcome: Outcome::default(),
            verdict: Verdict::Error,
            problems: vec![e],
        });
    } else {
        let mut ctx = Ctx {
            b: &*b,
            default_host,
            sockets: BTreeMap::new(),
            dead: Default::default(),
            events: BTreeMap::new(),
            ports: BTreeMap::new(),
            routine_log: Default::default(),
            threads: BTreeMap::new(),
            joined: vec![],
        };
        steps = run_steps(&mut ctx, &sc.steps, None);
        steps.extend(ctx.join_all());
    }
    b.finish();
    RunReport {
        scenario: sc.name.clone(),
        backend: b.describe(),
        seed,
        steps,
        trace: b.trace(),
        skipped: None,
    }
}

/// The real Winsock of this machine as a backend: one host, `local`.
///
/// A real Winsock may block where the model does not (a datagram the model
/// rejects, Windows accepts and consumes). So that such a difference is a
/// finding and not a hang, a watchdog ends every scenario after
/// [`OsBackend::WATCHDOG`]: it closes every socket (`WSACleanup` down to zero),
/// which makes the blocked call return, and says so in the trace.
#[cfg(windows)]
#[derive(Debug, Default, Clone)]
pub struct OsBackend {
    ws: crate::os::OsWinsock,
    generation: std::sync::Arc<std::sync::atomic::AtomicU64>,
    fired: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

#[cfg(windows)]
impl OsBackend {
    /// How long a scenario may run on the OS.
    pub const WATCHDOG: std::time::Duration = std::time::Duration::from_secs(5);

    fn cleanup_all(ws: &crate::os::OsWinsock) -> bool {
        (0..1000).any(|_| ws.wsa_cleanup().is_err())
    }
}

#[cfg(windows)]
impl Backend for OsBackend {
    type W = crate::os::OsWinsock;
    type Thread = Option<std::thread::JoinHandle<Vec<StepRecord>>>;

    fn describe(&self) -> String {
        crate::os::describe()
    }

    fn supports(&self, sc: &Scenario) -> Result<(), String> {
        if !sc.hosts.is_empty() {
            return Err("needs several hosts (model only)".into());
        }
        if sc.tx_rate.is_some()
            || sc.buffer_pool.is_some()
            || sc.latency_ms.is_some()
            || sc.datagram_faults.is_some_and(|f| f.any())
            || !sc.inject.is_empty()
        {
            return Err(
                "needs model settings (transmit rate, buffer pool, latency, datagram faults, injected failures)"
                    .into(),
            );
        }
        if sc
            .steps
            .iter()
            .any(|s| matches!(s.op, Op::NetworkDown { .. }))
        {
            return Err("fails the network (model only)".into());
        }
        if sc
            .steps
            .iter()
            .any(|s| matches!(&s.op, Op::AsyncSelect { .. } | Op::WindowMessages { .. }))
        {
            return Err("posts window messages (model only: no window here)".into());
        }
        if sc.steps.iter().any(|s| {
            matches!(&s.op, Op::Socket { protocol: Some(p), .. }
                if p.starts_with("IPPROTO_SIM_"))
        }) {
            return Err("uses a simulated protocol (model only)".into());
        }
        Ok(())
    }

    fn setup(&mut self, _sc: &Scenario, _seed: u64) -> Result<(), String> {
        use std::sync::atomic::Ordering;
        // A fresh library state: the last WSACleanup closes every socket an
        // earlier scenario left open.
        if !Self::cleanup_all(&self.ws) {
            return Err("WSACleanup never reported WSANOTINITIALISED".into());
        }
        // Completion routines of operations those sockets had outstanding are
        // queued to this thread as their aborts come in: let them run now
        // (an alertable wait until a quiet 50 ms), so that none wakes a wait
        // of this scenario, then forget the earlier scenario's OVERLAPPEDs.
        while self.ws.sleep_ex(50, true) == Ok(winsock_model::WaitResult::IoCompletion) {}
        crate::os::forget_overlapped();
        self.fired.store(false, Ordering::SeqCst);
        let mine = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        let (generation, fired) = (self.generation.clone(), self.fired.clone());
        std::thread::spawn(move || {
            std::thread::sleep(Self::WATCHDOG);
            if generation.load(Ordering::SeqCst) == mine {
                fired.store(true, Ordering::SeqCst);
                Self::cleanup_all(&crate::os::OsWinsock);
            }
        });
        Ok(())
    }

    fn finish(&mut self) {
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    fn aborted(&self) -> bool {
        self.fired.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn host(&self, name: &str) -> Option<&crate::os::OsWinsock> {
        (name == "local").then_some(&self.ws)
    }

    fn advance(&self, ms: u64) {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }

    fn network_down(&self, _host: &str, _down: bool) -> Result<(), String> {
        Err("the OS backend cannot fail the network".into())
    }

    fn refused(&self, result: &str) -> bool {
        // The backend only makes model reports when it refuses a call.
        result.starts_with("model:")
    }

    fn spawn(&self, host: &str, name: &str, f: ThreadBody) -> Result<Self::Thread, String> {
        if host != "local" {
            return Err(format!("unknown host `{host}`"));
        }
        std::thread::Builder::new()
            .name(name.to_string())
            .spawn(f)
            .map(Some)
            .map_err(|e| format!("CreateThread: {e}"))
    }

    fn join(&self, t: &mut Self::Thread) -> Result<Vec<StepRecord>, WsaError> {
        let h = t.take().expect("a thread is joined once");
        Ok(h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
    }

    fn trace(&self) -> Vec<String> {
        if self.fired.load(std::sync::atomic::Ordering::SeqCst) {
            vec![format!(
                "watchdog: the scenario was still running after {:?}; every socket was closed to end a blocked call",
                Self::WATCHDOG
            )]
        } else {
            vec![]
        }
    }
}
