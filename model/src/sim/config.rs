//! The settings of a simulated world ([`Config`]) and the datagram faults
//! the network may inject ([`DatagramFaults`]). Plain data: this module
//! imports no room of the model.

use super::ovl::{CompletionTiming, RoutineOrder};
use super::tcp::StreamReads;
use crate::contract::quirks::Profile;

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
    /// Calls made to fail (none by default): the `nth` call of a name on
    /// any host returns the given Winsock code without running, so that a
    /// program's error paths can be driven.
    pub injected: Vec<Injection>,
    /// Whether a closed socket's handle may be given to a later socket
    /// (on by default): "the socket descriptor ... may immediately be
    /// reused by the system as soon as closesocket function is issued"
    /// (`closesocket`). A new socket takes, by seed, a fresh value or one a
    /// closed socket gave back.
    pub reuse_handles: bool,
    /// Keep every packet the model puts on a wire (off by default), for
    /// [`Sim::pcapng`](crate::Sim::pcapng); the trace then has a `wire`
    /// line per packet. Off, it costs a branch where a packet is sent.
    pub capture: bool,
}

/// One call made to fail: the `nth` (from 1) call named `call`
/// (`"WSAIoctl"`, `"setsockopt"`, `"WSARecvMsg"`, as the trace names calls),
/// counted over all hosts, fails with `error` before it runs; the call's
/// arguments are not looked at and nothing changes.
///
/// ```
/// use winsock_double::*;
/// let cfg = Config {
///     injected: vec![Injection::new("setsockopt", 1, WSAENOBUFS)],
///     ..Config::default()
/// };
/// let sim = Sim::with_config(1, cfg);
/// let h = sim.add_host("h", &[]).unwrap();
/// h.wsa_startup(WINSOCK_VERSION_2_2).unwrap();
/// let s = h.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
/// assert_eq!(h.set_sock_opt_int(s, SOL_SOCKET, SO_RCVBUF, 1), Err(WsaError::Code(WSAENOBUFS)));
/// assert_eq!(h.set_sock_opt_int(s, SOL_SOCKET, SO_RCVBUF, 1), Ok(()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Injection {
    /// The call's name, as the trace gives it.
    pub call: String,
    /// Which of its calls fails, from 1.
    pub nth: u32,
    /// The Winsock code it fails with.
    pub error: i32,
}

impl Injection {
    /// The `nth` call named `call` fails with `error`.
    pub fn new(call: &str, nth: u32, error: i32) -> Injection {
        Injection {
            call: call.to_string(),
            nth,
            error,
        }
    }
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
    /// ECN-capable datagrams (ECT(0) or ECT(1)) a congested router marks
    /// Congestion Encountered, per mille (`WIN-ECN`: what a receiver with
    /// `IP_RECVECN` then sees).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub ce_mark: u16,
}

fn is_zero(v: &u16) -> bool {
    *v == 0
}

impl DatagramFaults {
    /// Whether any fault is on.
    pub fn any(&self) -> bool {
        self.loss > 0 || self.duplicate > 0 || self.reorder > 0 || self.ce_mark > 0
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
            injected: Vec::new(),
            reuse_handles: true,
            capture: false,
        }
    }
}
