//! The world: every host, socket, in-flight packet and the virtual clock.
//!
//! All state sits in ordered containers (`BTreeMap`, `Vec`, `VecDeque`), so
//! nothing observable depends on hash order. Time only moves when a blocking
//! call waits or the user advances it; it jumps straight to the next event.

use super::net::{Host, HostId, Route};
use super::ovl::{Apc, CompletionTiming, EventObj, OvlStatus, PortObj, RoutineOrder, ThreadKey};
use super::rng::Rng;
use super::sched_state::{Block, Halt, Sched, Tid, Wait, MAIN};
use super::socket::{SocketState, Sockets};
use super::tcp::{Seg, StreamReads};
use super::trace::TraceEvent;
use crate::contract::consts::*;
use crate::contract::error::{ModelReport, ReportKind};
use crate::contract::quirks::{Profile, Quirk};
use crate::contract::WsaError;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::net::{IpAddr, SocketAddr};

/// Settings of the simulated world.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// One-way latency between different hosts, in virtual nanoseconds.
    pub latency_ns: u64,
    /// Latency of loopback and of packets a host sends to itself.
    pub loopback_latency_ns: u64,
    /// Transmit rate of every host's interface in bytes per virtual second;
    /// `None` transmits instantly (sends never wait for `SO_SNDBUF` room).
    pub tx_rate: Option<u64>,
    /// Record the trace (on by default; benchmarks turn it off).
    pub tracing: bool,
    /// Bytes of transport buffer memory each host has for all its sockets
    /// (queued receives plus untransmitted sends); a send that would need
    /// more fails with `WSAENOBUFS`. `None`: unlimited.
    pub buffer_pool: Option<usize>,
    /// Whose behaviour to follow where implementations differ.
    pub profile: Profile,
    /// At most this many overlapped operations outstanding on one socket;
    /// one more fails with `WSAEWOULDBLOCK`
    /// (`RECV-EWOULDBLOCK-OVERLAPPED-LIMIT`). Windows names no number.
    pub max_outstanding: usize,
    /// Whether an overlapped operation that could complete at once does so
    /// or returns `WSA_IO_PENDING`.
    pub completion_timing: CompletionTiming,
    /// The order in which a thread's queued completion routines run.
    pub routine_order: RoutineOrder,
    /// How many of the buffered bytes a stream receive returns.
    pub stream_reads: StreamReads,
    /// Loss, duplication and reordering of datagrams (off by default).
    pub datagram_faults: DatagramFaults,
}

/// What the network may do to a datagram, each by the seed: lose it,
/// deliver it twice, or hold it back so that later ones overtake it. UDP
/// promises none of delivery, uniqueness or order (`RECV-TRUNC-DGRAM-UNRELIABLE`
/// calls datagrams unreliable), so a program must cope with all three.
/// Rates are per mille of datagrams (per target, for broadcast and
/// multicast). Streams are not affected: their bytes stay reliable and in
/// order, as TCP makes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatagramFaults {
    /// Datagrams lost, per mille.
    #[serde(default)]
    pub loss: u16,
    /// Datagrams delivered a second time, per mille.
    #[serde(default)]
    pub duplicate: u16,
    /// Datagrams held back, per mille.
    #[serde(default)]
    pub reorder: u16,
    /// How long a held-back datagram waits at most, in virtual
    /// microseconds (default 1,000); the wait is drawn by the seed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reorder_us: Option<u64>,
}

impl DatagramFaults {
    /// Whether any fault is on.
    pub fn any(&self) -> bool {
        self.loss > 0 || self.duplicate > 0 || self.reorder > 0
    }
}

impl Default for Config {
    fn default() -> Config {
        Config {
            latency_ns: 100_000,
            loopback_latency_ns: 0,
            tx_rate: None,
            tracing: true,
            buffer_pool: None,
            profile: Profile::documented(),
            max_outstanding: 1024,
            completion_timing: CompletionTiming::Seeded,
            routine_order: RoutineOrder::Seeded,
            stream_reads: StreamReads::Seeded,
            datagram_faults: DatagramFaults::default(),
        }
    }
}

/// A packet on the wire, on its way to one host.
#[derive(Debug, Clone)]
pub(crate) struct Packet {
    /// The socket that sent it (for ICMP errors back to it).
    pub(crate) src_sock: u64,
    pub(crate) src_host: HostId,
    pub(crate) src: SocketAddr,
    pub(crate) dst: SocketAddr,
    /// IP protocol: 17 for UDP, or a raw socket's protocol.
    pub(crate) proto: i32,
    /// Whether it came from a UDP socket (raw sockets send bare payloads).
    pub(crate) udp: bool,
    pub(crate) ttl: u8,
    pub(crate) bcast: bool,
    pub(crate) mcast: bool,
    /// The receiving host's interface index.
    pub(crate) ifindex: u32,
    pub(crate) data: Vec<u8>,
}

/// Something that happens at a point of virtual time.
#[derive(Debug, Clone)]
pub(crate) enum Event {
    /// A packet reaches a host. (Boxed, as the segment of `Tcp` is, so
    /// that events stay small to move; the box of a delivered datagram is
    /// used again, see [`World::boxed_packet`].)
    Arrive { host: HostId, packet: Box<Packet> },
    /// An ICMP error reaches the socket that caused it.
    IcmpError {
        socket: u64,
        code: i32,
        about: SocketAddr,
    },
    /// A host's transmitter finished a datagram: send-buffer room may have
    /// opened (nothing else happens; it wakes blocked senders).
    TxDone,
    /// Overlapped operations of a socket that can complete now do (one that
    /// could have completed at once but returned `WSA_IO_PENDING`).
    Serve { socket: u64 },
    /// Something on a TCP connection arrives.
    Tcp(Box<Seg>),
}

/// The event queue, in (time, sequence) order.
///
/// Most events are due at the instant they are scheduled (loopback has no
/// latency): those wait in a FIFO beside the map, whose keys all have one
/// time and rising sequence numbers, so popping takes the smaller of the
/// FIFO's front and the map's first key and the order is exactly the
/// map's. The FIFO only spares the map an insertion and a removal.
#[derive(Debug, Default)]
pub(crate) struct Events {
    map: BTreeMap<(u64, u64), Event>,
    /// Events for time `fifo_at`, by sequence number.
    fifo: VecDeque<(u64, Event)>,
    fifo_at: u64,
}

impl Events {
    /// Adds an event with key `(at, seq)`; `now` is the clock (an event for
    /// it goes to the FIFO).
    fn insert(&mut self, key: (u64, u64), ev: Event, now: u64) {
        let (at, seq) = key;
        let fifo_ok = self.fifo.back().is_none_or(|&(last, _)| last < seq);
        if at == now && fifo_ok && (self.fifo.is_empty() || self.fifo_at == at) {
            self.fifo_at = at;
            self.fifo.push_back((seq, ev));
        } else {
            self.map.insert(key, ev);
        }
    }

    /// Drops the event with `key`, if it is there.
    pub(crate) fn remove(&mut self, key: &(u64, u64)) -> Option<Event> {
        if key.0 == self.fifo_at {
            if let Some(i) = self.fifo.iter().position(|&(seq, _)| seq == key.1) {
                return self.fifo.remove(i).map(|(_, ev)| ev);
            }
        }
        self.map.remove(key)
    }

    /// The key of the earliest event and whether it is the FIFO's.
    fn first(&self) -> Option<((u64, u64), bool)> {
        let f = self.fifo.front().map(|&(seq, _)| (self.fifo_at, seq));
        let m = self.map.first_key_value().map(|(&k, _)| k);
        match (f, m) {
            (Some(f), Some(m)) if m < f => Some((m, false)),
            (Some(f), _) => Some((f, true)),
            (None, Some(m)) => Some((m, false)),
            (None, None) => None,
        }
    }

    /// The time of the earliest event.
    fn next_time(&self) -> Option<u64> {
        self.first().map(|((t, _), _)| t)
    }

    /// Takes the earliest event.
    fn pop_first(&mut self) -> Option<((u64, u64), Event)> {
        let (key, fifo) = self.first()?;
        if fifo {
            self.fifo.pop_front().map(|(_, ev)| (key, ev))
        } else {
            self.map.pop_first()
        }
    }
}

/// The largest buffer [`World::recycle`] keeps (a UDP datagram's payload
/// fits).
const SPARE_MAX: usize = 64 * 1024;

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
    pub(crate) events: Events,
    pub(crate) seq: u64,
    pub(crate) trace: Vec<TraceEvent>,
    pub(crate) ip_id: u16,
    /// Every `WSAOVERLAPPED` an operation used, by (host, id).
    pub(crate) ovl: BTreeMap<(HostId, u64), OvlStatus>,
    /// Completion routines queued to each thread.
    pub(crate) apcs: BTreeMap<ThreadKey, Vec<Apc>>,
    /// Sockets one of whose completion routines is running.
    pub(crate) in_routine: Vec<u64>,
    /// Event objects.
    pub(crate) wsa_events: BTreeMap<u64, EventObj>,
    /// Completion ports.
    pub(crate) ports: BTreeMap<u64, PortObj>,
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
    /// Whether a raw socket was ever made (until then no arrival looks for
    /// one).
    pub(crate) raw_made: bool,
    /// The box of a delivered packet, kept for the next one (see
    /// [`World::boxed_packet`]); not observable.
    pub(crate) spare_packet: Option<Box<Packet>>,
}

impl World {
    pub(crate) fn new(seed: u64, cfg: Config) -> World {
        let mut rng = Rng::new(seed);
        // Socket handles are kernel handles on Windows: multiples of 4 from
        // some base. The base comes from the seed so that no test can come to
        // depend on a particular value.
        let next_handle = 0x100 + 4 * rng.below(0x400);
        World {
            cfg,
            seed,
            rng,
            now: 0,
            hosts: Vec::new(),
            routes: Vec::new(),
            sockets: Sockets::default(),
            next_handle,
            events: Events::default(),
            seq: 0,
            trace: Vec::new(),
            ip_id: 0,
            ovl: BTreeMap::new(),
            apcs: BTreeMap::new(),
            in_routine: Vec::new(),
            wsa_events: BTreeMap::new(),
            ports: BTreeMap::new(),
            caller: None,
            sched: Sched::new(),
            me: MAIN,
            diagnostics: Vec::new(),
            diagnosed: BTreeSet::new(),
            spare: Vec::new(),
            raw_made: false,
            spare_packet: None,
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
        self.events.insert((at, self.seq), ev, self.now);
        (at, self.seq)
    }

    pub(crate) fn next_event_time(&self) -> Option<u64> {
        self.events.next_time()
    }

    /// Runs the earliest event, moving the clock to it.
    pub(crate) fn step(&mut self) -> bool {
        let Some((key, ev)) = self.events.pop_first() else {
            return false;
        };
        self.now = self.now.max(key.0);
        self.run_event(ev);
        true
    }

    /// Runs every event up to `t` and sets the clock to `t`.
    pub(crate) fn advance_to(&mut self, t: u64) {
        while self.next_event_time().is_some_and(|n| n <= t) {
            self.step();
        }
        self.now = self.now.max(t);
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

    /// The first `n` bytes of `bufs`, gathered into the spare buffer when
    /// there is one (the bytes are those of [`gather`](crate::gather)).
    pub(crate) fn gather(&mut self, bufs: &[crate::contract::types::WsaBuf], n: usize) -> Vec<u8> {
        crate::contract::types::gather_into(bufs, n, std::mem::take(&mut self.spare))
    }

    /// Keeps the memory of a datagram a receive consumed for the next
    /// send, when there is no spare buffer yet and it is not large: a
    /// datagram that goes out and comes back allocates nothing.
    pub(crate) fn recycle(&mut self, data: Vec<u8>) {
        if self.spare.capacity() == 0 && data.capacity() <= SPARE_MAX {
            self.spare = data;
        }
    }

    /// `p` in a box: the spare one when there is one, so that a datagram
    /// that goes out and is delivered allocates nothing.
    pub(crate) fn boxed_packet(&mut self, p: Packet) -> Box<Packet> {
        match self.spare_packet.take() {
            Some(mut b) => {
                *b = p;
                b
            }
            None => Box::new(p),
        }
    }

    /// Keeps the box of a delivered packet for [`World::boxed_packet`].
    pub(crate) fn recycle_packet(&mut self, p: Box<Packet>) {
        self.spare_packet = Some(p);
    }

    pub(crate) fn next_ip_id(&mut self) -> u16 {
        self.ip_id = self.ip_id.wrapping_add(1);
        self.ip_id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The FIFO beside the map changes nothing: events come out in the
    /// order a plain map of (time, sequence) gives, through insertions at
    /// the clock and later, removals, and the clock moving on.
    #[test]
    fn events_pop_in_map_order() {
        let mut rng = Rng::new(11);
        let mut q = Events::default();
        let mut reference: BTreeMap<(u64, u64), u64> = BTreeMap::new();
        let (mut now, mut seq) = (0u64, 0u64);
        let mut keys = Vec::new();
        for _ in 0..20_000 {
            match rng.below(6) {
                0..=2 => {
                    seq += 1;
                    let at = now + [0, 0, 1, 5][rng.below(4) as usize];
                    q.insert((at, seq), Event::Serve { socket: seq }, now);
                    reference.insert((at, seq), seq);
                    keys.push((at, seq));
                }
                3 if !keys.is_empty() => {
                    let k = keys.swap_remove(rng.below(keys.len() as u64) as usize);
                    let got = q.remove(&k).map(|e| match e {
                        Event::Serve { socket } => socket,
                        _ => unreachable!(),
                    });
                    assert_eq!(got, reference.remove(&k));
                }
                _ => {
                    assert_eq!(q.next_time(), reference.keys().next().map(|k| k.0));
                    let got = q.pop_first().map(|(k, e)| match e {
                        Event::Serve { socket } => (k, socket),
                        _ => unreachable!(),
                    });
                    let want = reference.pop_first();
                    assert_eq!(got, want);
                    if let Some((k, _)) = want {
                        now = now.max(k.0);
                    }
                }
            }
        }
    }
}
