//! The world: every host, socket, in-flight packet and the virtual clock.
//!
//! All state sits in ordered containers (`BTreeMap`, `Vec`, `VecDeque`), so
//! nothing observable depends on hash order. Time only moves when a blocking
//! call waits or the user advances it; it jumps straight to the next event.

use super::config::Config;
use super::events::{Event, Events, Packet};
use super::handles::Handles;
use super::net::{Host, HostId, Route};
use super::ovl::{Apc, EventObj, OvlStatus, PortObj, ThreadKey};
use super::rng::Rng;
use super::sched_state::{Block, Halt, Sched, Tid, Wait, MAIN};
use super::socket::SocketState;
use super::table::Sockets;
use super::trace::TraceEvent;
use crate::contract::consts::*;
use crate::contract::error::{ModelReport, ReportKind};
use crate::contract::overlapped::{Event as EventHandle, Port};
use crate::contract::quirks::Quirk;
use crate::contract::WsaError;
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

/// The largest buffer [`World::recycle`] keeps (a UDP datagram's payload
/// fits).
const SPARE_MAX: usize = 64 * 1024;

/// The most spare buffers, and spare packet boxes, kept at once (as many
/// datagrams as are in flight in a busy run, up to this, allocate
/// nothing).
const SPARE_COUNT: usize = 1024;

/// The most bytes the spare buffers hold together.
const SPARE_BYTES: usize = 1024 * 1024;

/// How a wait ended without its condition.
#[derive(Debug)]
pub(crate) enum WaitEnd {
    Timeout,
    Deadlock(WsaError),
    /// The thread must park, or first run its routines; the caller
    /// returns `Halt::Block` at once (see [`Halt`]).
    Park(Block),
}

impl WaitEnd {
    /// The wait's end as the end of the call's run, with `timeout` for a
    /// time-out.
    #[inline]
    pub(crate) fn halt(self, timeout: impl FnOnce() -> WsaError) -> Halt {
        match self {
            WaitEnd::Timeout => Halt::Error(timeout()),
            WaitEnd::Deadlock(e) => Halt::Error(e),
            WaitEnd::Park(b) => Halt::Block(b),
        }
    }
}

/// The whole simulated world.
#[derive(Debug)]
pub(crate) struct World {
    pub(crate) cfg: Config,
    pub(crate) seed: u64,
    pub(crate) rng: Rng,
    pub(crate) now: u64,
    pub(crate) hosts: Vec<Host>,
    pub(crate) routes: Vec<Route>,
    pub(crate) sockets: Sockets,
    pub(crate) next_handle: u64,
    /// The handles the program holds for its sockets (reuse).
    pub(crate) handles: Handles,
    pub(crate) events: Events,
    pub(crate) seq: u64,
    pub(crate) trace: Vec<TraceEvent>,
    /// Where each `call` line's call began (kept with the trace).
    pub(crate) spans: Vec<super::trace::CallSpan>,
    pub(crate) ip_id: u16,
    /// Every `WSAOVERLAPPED` an operation used, by (host, id).
    pub(crate) ovl: BTreeMap<(HostId, u64), OvlStatus>,
    /// Overlapped operations finished so far (their order, `OvlStatus::finished`).
    pub(crate) finished_ops: u64,
    /// Completion routines queued to each thread.
    pub(crate) apcs: BTreeMap<ThreadKey, Vec<Apc>>,
    /// Sockets one of whose completion routines is running.
    pub(crate) in_routine: Vec<u64>,
    /// Event objects.
    pub(crate) wsa_events: BTreeMap<EventHandle, EventObj>,
    /// Completion ports.
    pub(crate) ports: BTreeMap<Port, PortObj>,
    /// The sockets' network-event records (`WSAEventSelect`), by socket
    /// id; empty while no socket selected any (the calls then pay one
    /// `is_empty`).
    pub(crate) netsel: BTreeMap<u64, super::ovl::NetRec>,
    /// The window messages `WSAAsyncSelect` asked for, in the order they
    /// were posted, until a front end takes them (`SimHost::take_window_messages`).
    pub(crate) window_msgs: Vec<(HostId, crate::contract::types::WindowMessage)>,
    /// Where the call being made was written (for misuse reports).
    pub(crate) caller: Option<&'static std::panic::Location<'static>>,
    /// Simulated threads and the baton.
    pub(crate) sched: Sched<World>,
    /// The simulated thread making the current call.
    pub(crate) me: Tid,
    /// Diagnostics that do not fail the call (`*-THREADS-SIMULTANEOUS`).
    pub(crate) diagnostics: Vec<ModelReport>,
    /// Sockets a diagnostic was already given for.
    pub(crate) diagnosed: BTreeSet<u64>,
    /// The memory of a consumed datagram, kept for the next send to
    /// gather its bytes into (see [`World::recycle`]); not observable.
    pub(crate) spare: Vec<u8>,
    /// More of them while `spare` is taken (datagrams in flight at once),
    /// and the bytes these hold; not observable.
    pub(crate) spares: Vec<Vec<u8>>,
    pub(crate) spares_bytes: usize,
    /// The packets put on the wires so far (`Config::capture`).
    pub(crate) capture: Option<Vec<super::pcap::Wire>>,
    /// Whether a raw socket was ever made (until then no arrival looks for
    /// one).
    pub(crate) raw_made: bool,
    /// The box of a delivered packet, kept for the next one (see
    /// [`World::boxed_packet`]), and more of them while that one is
    /// taken; not observable.
    pub(crate) spare_packet: Option<Box<Packet>>,
    // The boxes themselves are what is kept (an event holds a box).
    #[allow(clippy::vec_box)]
    pub(crate) spare_packets: Vec<Box<Packet>>,
    /// Calls made so far, by name, while `Config::injected` names any.
    pub(crate) call_counts: BTreeMap<&'static str, u32>,
    /// The paced OS threads (`pace.rs`); empty unless `Sim::pace` was
    /// called.
    pub(crate) paces: Vec<super::sched_state::Pace<World>>,
}

impl World {
    pub(crate) fn new(seed: u64, cfg: Config) -> World {
        let mut rng = Rng::new(seed);
        // Socket handles are kernel handles on Windows: multiples of 4 from
        // some base. The base comes from the seed so that no test can come to
        // depend on a particular value.
        let next_handle = 0x100 + 4 * rng.below(0x400);
        let handles = Handles::new(seed, cfg.reuse_handles);
        let capture = cfg.capture.then(Vec::new);
        World {
            cfg,
            seed,
            rng,
            now: 0,
            hosts: Vec::new(),
            routes: Vec::new(),
            sockets: Sockets::default(),
            next_handle,
            handles,
            events: Events::default(),
            seq: 0,
            trace: Vec::new(),
            spans: Vec::new(),
            ip_id: 0,
            ovl: BTreeMap::new(),
            finished_ops: 0,
            apcs: BTreeMap::new(),
            in_routine: Vec::new(),
            wsa_events: BTreeMap::new(),
            ports: BTreeMap::new(),
            netsel: BTreeMap::new(),
            window_msgs: Vec::new(),
            caller: None,
            sched: Sched::new(),
            me: MAIN,
            diagnostics: Vec::new(),
            diagnosed: BTreeSet::new(),
            spare: Vec::new(),
            spares: Vec::new(),
            spares_bytes: 0,
            capture,
            raw_made: false,
            spare_packet: None,
            spare_packets: Vec::new(),
            call_counts: BTreeMap::new(),
            paces: Vec::new(),
        }
    }

    // ---- trace ----

    pub(crate) fn log(&mut self, host: HostId, kind: &str, detail: impl FnOnce() -> String) {
        if self.cfg.tracing {
            let name = self
                .hosts
                .get(host)
                .map(|h| h.name.clone())
                .unwrap_or_default();
            self.trace.push(TraceEvent {
                t: self.now,
                host: name,
                kind: kind.to_string(),
                detail: detail(),
            });
        }
    }

    pub(crate) fn rendered_trace(&self) -> Vec<String> {
        self.trace.iter().map(ToString::to_string).collect()
    }

    #[cold]
    pub(crate) fn report(
        &self,
        kind: ReportKind,
        message: String,
        clause: Option<&str>,
    ) -> WsaError {
        WsaError::Model(Box::new(ModelReport {
            kind,
            message,
            clause: clause.map(str::to_string),
            location: self.caller.map(ToString::to_string),
            trace: self.rendered_trace(),
        }))
    }

    // ---- handles ----

    pub(crate) fn alloc_handle(&mut self) -> u64 {
        let h = self.next_handle;
        self.next_handle += 4;
        h
    }

    /// The handle the program gets for its new socket `id` (`WSASocket`,
    /// `accept`): its id, or a closed socket's handle (`handles.rs`).
    pub(crate) fn give_handle(&mut self, host: HostId, id: u64) -> u64 {
        let (h, reused) = self.handles.give(id);
        if reused {
            self.log(host, "handle", || {
                format!("{h:#x} given again: now socket {id:#x}")
            });
        }
        h
    }

    /// The socket `s` of `host`, or `WSAENOTSOCK`.
    pub(crate) fn sock(&self, host: HostId, s: u64) -> Result<&SocketState, i32> {
        match self.sockets.get(&s) {
            Some(st) if st.host == host => Ok(st),
            _ => Err(WSAENOTSOCK),
        }
    }

    pub(crate) fn sock_mut(&mut self, host: HostId, s: u64) -> Result<&mut SocketState, i32> {
        match self.sockets.get_mut(&s) {
            Some(st) if st.host == host => Ok(st),
            _ => Err(WSAENOTSOCK),
        }
    }

    /// The checks every call on a socket starts with: `WSANOTINITIALISED`,
    /// `WSAENOTSOCK`, `WSAENETDOWN`. Gives the socket.
    pub(crate) fn check_sock(&self, host: HostId, s: u64) -> Result<&SocketState, i32> {
        if self.quirk(Quirk::EnotsockAfterCleanup) {
            // The socket is looked up first: after the last WSACleanup the
            // sockets are gone and a call says WSAENOTSOCK.
            self.sock(host, s)?;
        }
        self.check_init(host)?;
        // RECV-ENOTSOCK, SENDMSG-ENOTSOCK
        let st = self.sock(host, s)?;
        // RECV-ENETDOWN, RECVMSG-ENETDOWN, SENDMSG-ENETDOWN
        if self.hosts[host].down {
            return Err(WSAENETDOWN);
        }
        Ok(st)
    }

    /// Whether the profile in force has quirk `q` (the table is
    /// `contract/quirks.rs`).
    /// Counts a call of `name` and gives the code it is made to fail with
    /// (`Config::injected`), if this is the call.
    #[cold]
    pub(crate) fn injected(&mut self, name: &'static str) -> Option<i32> {
        let n = self.call_counts.entry(name).or_insert(0);
        *n += 1;
        let n = *n;
        self.cfg
            .injected
            .iter()
            .find(|i| i.call == name && i.nth == n)
            .map(|i| i.error)
    }

    pub(crate) fn quirk(&self, q: Quirk) -> bool {
        self.cfg.profile.has(q)
    }

    pub(crate) fn check_init(&self, host: HostId) -> Result<(), i32> {
        // RECV-ENOTINITIALISED, RECVMSG-ENOTINITIALISED, SENDMSG-ENOTINITIALISED
        if self.hosts[host].startups == 0 {
            Err(WSANOTINITIALISED)
        } else {
            Ok(())
        }
    }

    // ---- time ----

    pub(crate) fn schedule(&mut self, at: u64, ev: Event) {
        self.schedule_key(at, ev);
    }

    /// [`World::schedule`], returning the event's key (to cancel it).
    pub(crate) fn schedule_key(&mut self, at: u64, ev: Event) -> (u64, u64) {
        self.seq += 1;
        if self.capture.is_some() {
            self.tap((at, self.seq), &ev);
        }
        self.events.insert((at, self.seq), ev, self.now);
        (at, self.seq)
    }

    pub(crate) fn next_event_time(&self) -> Option<u64> {
        self.events.next_time()
    }

    /// Runs the earliest event, moving the clock to it.
    #[inline]
    pub(crate) fn step(&mut self) -> bool {
        let Some((key, ev)) = self.events.pop_first() else {
            return false;
        };
        self.now = self.now.max(key.0);
        self.run_event(ev);
        if !self.netsel.is_empty() {
            self.note_net_events();
        }
        true
    }

    /// Runs every event up to `t` and sets the clock to `t`. (Every call
    /// starts with it, mostly with nothing due: that is asked inline.)
    #[inline]
    pub(crate) fn advance_to(&mut self, t: u64) {
        if self.events.due(t) {
            self.run_due(t);
        }
        self.now = self.now.max(t);
    }

    /// Runs every event due at or before `t`, in order.
    #[inline(never)]
    fn run_due(&mut self, t: u64) {
        // The commonest case, a datagram's arrival alone in the queue, is
        // run as `step` would run it, without looking at the other places.
        if let Some((key, host, packet)) = self.events.take_lone_arrival(t) {
            self.now = self.now.max(key.0);
            self.arrive(host, packet);
            if !self.netsel.is_empty() {
                self.note_net_events();
            }
        }
        while self.events.due(t) {
            self.step();
        }
    }

    /// A blocking call's wait: `Ok` once `ready` holds, `Timeout` once the
    /// `deadline` passes, `Deadlock` when nothing is left that could make it
    /// hold. Otherwise the call must park: `Park` is returned (to go up as
    /// `Halt::Block`), the wait is left in the thread's record, and
    /// `SimHost::call_with` parks the thread and runs the call again when
    /// it may go on (see `sched.rs`). An `alertable` wait also ends for the thread's queued
    /// completion routines; they run and the call goes on waiting.
    ///
    /// This is how blocking calls wait: in virtual time, never in wall time.
    pub(crate) fn wait_until(
        &mut self,
        host: HostId,
        deadline: Option<u64>,
        what: &str,
        alertable: bool,
        ready: impl Fn(&World) -> bool + Send + 'static,
    ) -> Result<(), WaitEnd> {
        let me = self.me;
        let rec = self.sched.rec_mut(me);
        if let Some(report) = rec.deadlock.take() {
            rec.wait = None;
            return Err(WaitEnd::Deadlock(report));
        }
        // A call run again keeps its first deadline.
        let deadline = rec.wait.as_ref().map_or(deadline, |w| w.deadline);
        if ready(self) {
            self.sched.rec_mut(me).wait = None;
            return Ok(());
        }
        if self.timed_out(deadline) {
            self.sched.rec_mut(me).wait = None;
            return Err(WaitEnd::Timeout);
        }
        // A paced call whose horizon passed stops (`pace.rs`); its wait is
        // kept for the call made again.
        if let Some(stop) = self.take_pause(me, what) {
            return Err(WaitEnd::Deadlock(stop));
        }
        // RECV-OVL-ROUTINE-ALERTABLE, RECVMSG-OVL-ROUTINE-ALERTABLE,
        // SENDMSG-OVL-ROUTINE-ALERTABLE: only an alertable wait runs routines.
        let run_apcs = alertable && self.runnable_apc((host, me));
        self.sched.rec_mut(me).wait = Some(Wait {
            what: what.to_string(),
            host,
            deadline,
            ready: Box::new(ready),
            alertable,
            recv_on: None,
        });
        Err(WaitEnd::Park(if run_apcs {
            Block::RunApcs
        } else {
            Block::Park
        }))
    }

    /// The deadline of a blocking call with a timeout option in milliseconds.
    pub(crate) fn deadline_ms(&self, ms: u32) -> Option<u64> {
        (ms != 0).then(|| self.now + u64::from(ms) * 1_000_000)
    }

    // ---- addresses ----

    /// Whether `ip` is a local address of `host` (or unspecified).
    pub(crate) fn is_local(&self, host: HostId, ip: &IpAddr) -> bool {
        ip.is_unspecified() || self.hosts[host].owns(ip)
    }

    /// Which host owns unicast address `ip` (loopback excluded).
    pub(crate) fn owner_of(&self, ip: &IpAddr) -> Option<HostId> {
        self.hosts.iter().position(|h| {
            h.ifaces
                .iter()
                .any(|i| i.addr == *ip && i.index != super::net::LOOPBACK_INDEX)
        })
    }

    // ---- datagram memory ----

    /// The first `n` bytes of `bufs`, gathered into a spare buffer when
    /// there is one (the bytes are those of [`gather`](crate::gather)).
    #[inline]
    pub(crate) fn gather(&mut self, bufs: &[crate::contract::types::WsaBuf], n: usize) -> Vec<u8> {
        let buf = if self.spare.capacity() > 0 || self.spares.is_empty() {
            std::mem::take(&mut self.spare)
        } else {
            self.take_spares()
        };
        crate::contract::types::gather_into(bufs, n, buf)
    }

    /// The last of [`World::spares`].
    #[inline(never)]
    fn take_spares(&mut self) -> Vec<u8> {
        let buf = self.spares.pop().unwrap_or_default();
        self.spares_bytes -= buf.capacity();
        buf
    }

    /// Keeps the memory of a datagram a receive consumed for a later
    /// send, when it is not large and the spare buffers are within their
    /// bounds: datagrams that go out and come back, up to `SPARE_COUNT`
    /// of them in flight at once, allocate nothing.
    #[inline]
    pub(crate) fn recycle(&mut self, data: Vec<u8>) {
        if self.spare.capacity() == 0 && data.capacity() <= SPARE_MAX {
            self.spare = data;
        } else {
            self.recycle_more(data);
        }
    }

    /// [`World::recycle`] into [`World::spares`].
    #[inline(never)]
    fn recycle_more(&mut self, data: Vec<u8>) {
        let cap = data.capacity();
        if cap > 0
            && cap <= SPARE_MAX
            && self.spares.len() < SPARE_COUNT
            && self.spares_bytes + cap <= SPARE_BYTES
        {
            self.spares_bytes += cap;
            self.spares.push(data);
        }
    }

    /// `p` in a box: the spare one when there is one, so that a datagram
    /// that goes out and is delivered allocates nothing.
    #[inline]
    pub(crate) fn boxed_packet(&mut self, p: Packet) -> Box<Packet> {
        match self.spare_packet.take() {
            Some(mut b) => {
                *b = p;
                b
            }
            None => self.boxed_packet_more(p),
        }
    }

    /// [`World::boxed_packet`] from [`World::spare_packets`].
    #[inline(never)]
    fn boxed_packet_more(&mut self, p: Packet) -> Box<Packet> {
        match self.spare_packets.pop() {
            Some(mut b) => {
                *b = p;
                b
            }
            None => Box::new(p),
        }
    }

    /// Keeps the box of a delivered packet for [`World::boxed_packet`].
    pub(crate) fn recycle_packet(&mut self, p: Box<Packet>) {
        if self.spare_packet.is_none() {
            self.spare_packet = Some(p);
        } else if self.spare_packets.len() < SPARE_COUNT {
            self.spare_packets.push(p);
        }
    }

    pub(crate) fn next_ip_id(&mut self) -> u16 {
        self.ip_id = self.ip_id.wrapping_add(1);
        self.ip_id
    }
}
