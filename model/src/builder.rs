//! [`SimBuilder`]: a [`Sim`] made knob by knob, with defaults from the
//! environment (`WSD_SEED`, `WSD_PROFILE`, ...), so that a failing run can
//! be replayed, or a suite run under another profile, without editing the
//! test.

use crate::contract::quirks::{Base, Profile, Quirk};
use crate::sim::{
    CompletionTiming, Config, ConfigError, DatagramFaults, Injection, RoutineOrder, Sim,
    StreamReads,
};
use std::time::Duration;

/// Settings of a [`Sim`] before it is made: the seed and every knob of
/// [`Config`], each with a method.
///
/// [`Sim::builder`] starts from the defaults and the environment variables
/// below (a variable that is not set, or empty, leaves the default); each
/// method then overrides one knob. So a test that sets no seed runs under
/// `WSD_SEED` when it is given, and one that sets `.seed(42)` always runs
/// under 42. [`SimBuilder::new`] ignores the environment.
///
/// | variable | knob | values | default |
/// |---|---|---|---|
/// | `WSD_SEED` | [`seed`](SimBuilder::seed) | decimal, or hex with `0x` | `0` |
/// | `WSD_PROFILE` | [`profile`](SimBuilder::profile) | `documented`, `windows`, `wine-8` | `documented` |
/// | `WSD_WITH_QUIRKS` | [`with_quirk`](SimBuilder::with_quirk) | quirk ids (`winsock-double quirks`), comma-separated | none |
/// | `WSD_WITHOUT_QUIRKS` | [`without_quirk`](SimBuilder::without_quirk) | quirk ids, comma-separated | none |
/// | `WSD_COMPLETION` | [`completion_timing`](SimBuilder::completion_timing) | `seeded`, `immediate`, `pending` | `seeded` |
/// | `WSD_ROUTINE_ORDER` | [`routine_order`](SimBuilder::routine_order) | `seeded`, `fifo` | `seeded` |
/// | `WSD_STREAM_READS` | [`stream_reads`](SimBuilder::stream_reads) | `seeded`, `whole` | `seeded` |
///
/// `WSD_SEED`, `WSD_PROFILE`, `WSD_STREAM_READS` and `WSD_COMPLETION` mean
/// what they mean to the drop-in DLL (whose default profile is `windows`,
/// as a Windows program expects); [`try_seeds`](crate::try_seeds) reads
/// `WSD_SEED` too, as the one seed to run.
///
/// ```
/// use std::time::Duration;
/// use winsock_double::*;
///
/// let sim = Sim::builder()
///     .seed(7)
///     .profile(Profile::windows())
///     .without_quirk(Quirk::SendMsgAutoBinds) // WSASendMsg unbound fails, as documented
///     .completion_timing(CompletionTiming::Pending) // every overlapped call pends
///     .latency(Duration::from_millis(2))
///     .datagram_faults(DatagramFaults { loss: 20, ..DatagramFaults::default() }) // 2 % lost
///     .inject("setsockopt", 1, WSAENOBUFS) // the first setsockopt fails
///     .build();
/// assert_eq!(sim.seed(), 7);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimBuilder {
    seed: u64,
    cfg: Config,
}

impl Default for SimBuilder {
    fn default() -> SimBuilder {
        SimBuilder::new()
    }
}

impl Sim {
    /// A [`SimBuilder`] with the defaults and the `WSD_*` environment
    /// variables (see there).
    ///
    /// # Panics
    ///
    /// When a variable is set to something it cannot mean (a seed that is
    /// not a number, an unknown profile or quirk): the message names it.
    #[track_caller]
    pub fn builder() -> SimBuilder {
        match SimBuilder::from_vars(|k| std::env::var(k).ok()) {
            Ok(b) => b,
            Err(e) => panic!("{e}"),
        }
    }
}

/// A seed as the DLL reads it: decimal, or hex after `0x`.
fn parse_seed(v: &str) -> Option<u64> {
    let v = v.trim();
    match v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => v.parse().ok(),
    }
}

fn quirk_list(var: &str, v: &str) -> Result<Vec<Quirk>, ConfigError> {
    v.split(',')
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(|q| {
            Quirk::from_id(q)
                .ok_or_else(|| ConfigError(format!("{var}={v}: `{q}` is not a quirk id")))
        })
        .collect()
}

impl SimBuilder {
    /// Seed 0 and [`Config::default`], whatever the environment says.
    pub fn new() -> SimBuilder {
        SimBuilder {
            seed: 0,
            cfg: Config::default(),
        }
    }

    /// Seed and settings as given.
    pub fn with_config(seed: u64, cfg: Config) -> SimBuilder {
        SimBuilder { seed, cfg }
    }

    /// The defaults with the variables that `get` gives (a variable's
    /// value, if it is set): what [`Sim::builder`] does with the process
    /// environment, for a caller that has the values elsewhere.
    ///
    /// ```
    /// use winsock_double::*;
    /// let b = SimBuilder::from_vars(|k| match k {
    ///     "WSD_SEED" => Some("0x10".into()),
    ///     "WSD_PROFILE" => Some("wine-8".into()),
    ///     _ => None,
    /// })
    /// .unwrap();
    /// assert_eq!(b.seed_value(), 16);
    /// assert_eq!(b.config().profile, Profile::wine8());
    /// let e = SimBuilder::from_vars(|k| (k == "WSD_SEED").then(|| "seven".into()));
    /// assert!(e.unwrap_err().to_string().contains("WSD_SEED=seven"));
    /// ```
    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> Result<SimBuilder, ConfigError> {
        let var = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        let bad = |k: &str, v: &str, what: &str| ConfigError(format!("{k}={v}: {what}"));
        let mut b = SimBuilder::new();
        if let Some(v) = var("WSD_SEED") {
            b.seed = parse_seed(&v).ok_or_else(|| bad("WSD_SEED", &v, "not a number"))?;
        }
        if let Some(v) = var("WSD_PROFILE") {
            let base = Base::from_name(v.trim())
                .ok_or_else(|| bad("WSD_PROFILE", &v, "not one of documented, windows, wine-8"))?;
            b.cfg.profile = Profile::named(base);
        }
        if let Some(v) = var("WSD_WITH_QUIRKS") {
            for q in quirk_list("WSD_WITH_QUIRKS", &v)? {
                b.cfg.profile = b.cfg.profile.with(q);
            }
        }
        if let Some(v) = var("WSD_WITHOUT_QUIRKS") {
            for q in quirk_list("WSD_WITHOUT_QUIRKS", &v)? {
                b.cfg.profile = b.cfg.profile.without(q);
            }
        }
        if let Some(v) = var("WSD_COMPLETION") {
            b.cfg.completion_timing = match v.trim() {
                "seeded" => CompletionTiming::Seeded,
                "immediate" => CompletionTiming::Immediate,
                "pending" => CompletionTiming::Pending,
                _ => {
                    let what = "not one of seeded, immediate, pending";
                    return Err(bad("WSD_COMPLETION", &v, what));
                }
            };
        }
        if let Some(v) = var("WSD_ROUTINE_ORDER") {
            b.cfg.routine_order = match v.trim() {
                "seeded" => RoutineOrder::Seeded,
                "fifo" => RoutineOrder::Fifo,
                _ => return Err(bad("WSD_ROUTINE_ORDER", &v, "not one of seeded, fifo")),
            };
        }
        if let Some(v) = var("WSD_STREAM_READS") {
            b.cfg.stream_reads = match v.trim() {
                "seeded" => StreamReads::Seeded,
                "whole" => StreamReads::Whole,
                _ => return Err(bad("WSD_STREAM_READS", &v, "not one of seeded, whole")),
            };
        }
        Ok(b)
    }

    // ---- the knobs ----

    /// The seed: it fixes every choice the model makes where the
    /// documentation allows several (ephemeral ports, handles, whether an
    /// overlapped call completes at once, short stream reads, which
    /// simulated thread runs next, which datagrams the faults hit). The
    /// same seed and settings give the same run, trace and all.
    pub fn seed(mut self, seed: u64) -> SimBuilder {
        self.seed = seed;
        self
    }

    /// Whose behaviour to follow where implementations differ: a
    /// [`Profile`] is a set of quirks, each a departure from the documented
    /// contract with its source. [`Profile::documented`] (the default) has
    /// none; [`Profile::windows`] and [`Profile::wine8`] are Windows and
    /// Wine 8.0 as measured.
    pub fn profile(mut self, profile: Profile) -> SimBuilder {
        self.cfg.profile = profile;
        self
    }

    /// The profile with one quirk more.
    pub fn with_quirk(mut self, quirk: Quirk) -> SimBuilder {
        self.cfg.profile = self.cfg.profile.with(quirk);
        self
    }

    /// The profile with one quirk less.
    pub fn without_quirk(mut self, quirk: Quirk) -> SimBuilder {
        self.cfg.profile = self.cfg.profile.without(quirk);
        self
    }

    /// Faults of the network: datagrams lost, duplicated, held back so
    /// that later ones overtake them, or marked congested, each per mille
    /// and chosen by the seed (off by default; streams stay reliable).
    pub fn datagram_faults(mut self, faults: DatagramFaults) -> SimBuilder {
        self.cfg.datagram_faults = faults;
        self
    }

    /// A fault of a call: the `nth` call (from 1) named `call` (as the
    /// trace names it: `"setsockopt"`, `"WSARecvMsg"`, ...), counted over
    /// all hosts, fails with the Winsock code `error` before it runs. May
    /// be given several times.
    pub fn inject(mut self, call: &str, nth: u32, error: i32) -> SimBuilder {
        self.cfg.injected.push(Injection::new(call, nth, error));
        self
    }

    /// Timing: the one-way latency between different hosts, in virtual
    /// time (default 100 µs).
    pub fn latency(mut self, d: Duration) -> SimBuilder {
        self.cfg.latency_ns = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        self
    }

    /// Timing: the latency of loopback and of packets a host sends to
    /// itself (default zero).
    pub fn loopback_latency(mut self, d: Duration) -> SimBuilder {
        self.cfg.loopback_latency_ns = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        self
    }

    /// Timing: every interface's transmit rate in bytes per virtual
    /// second; `None` (the default) transmits at once, so that sends
    /// never wait for `SO_SNDBUF` room.
    pub fn tx_rate(mut self, bytes_per_second: Option<u64>) -> SimBuilder {
        self.cfg.tx_rate = bytes_per_second;
        self
    }

    /// Timing: whether an overlapped operation that could complete at once
    /// does so or returns `WSA_IO_PENDING`: both are documented, and by
    /// default the seed picks per operation.
    pub fn completion_timing(mut self, t: CompletionTiming) -> SimBuilder {
        self.cfg.completion_timing = t;
        self
    }

    /// Timing: the order in which a thread's queued completion routines
    /// run (by default the seed picks: the documentation allows any).
    pub fn routine_order(mut self, o: RoutineOrder) -> SimBuilder {
        self.cfg.routine_order = o;
        self
    }

    /// How many of the buffered bytes a stream receive returns: by default
    /// sometimes fewer (by seed, at least one), so that code meets short
    /// reads; [`StreamReads::Whole`] returns all that is buffered and fits.
    pub fn stream_reads(mut self, r: StreamReads) -> SimBuilder {
        self.cfg.stream_reads = r;
        self
    }

    /// At most this many overlapped operations outstanding on one socket
    /// (default 1,024); one more fails with `WSAEWOULDBLOCK`.
    pub fn max_outstanding(mut self, n: usize) -> SimBuilder {
        self.cfg.max_outstanding = n;
        self
    }

    /// The bytes of buffer memory each host has for all its sockets; a
    /// send that would need more fails with `WSAENOBUFS`. `None` (the
    /// default): unlimited.
    pub fn buffer_pool(mut self, bytes: Option<usize>) -> SimBuilder {
        self.cfg.buffer_pool = bytes;
        self
    }

    /// Whether the world records its trace (on by default; off only for
    /// speed: a failure then has no trace to show).
    pub fn tracing(mut self, on: bool) -> SimBuilder {
        self.cfg.tracing = on;
        self
    }

    /// Whether the world keeps every packet it puts on a wire, for
    /// [`Sim::pcapng`] (off by default).
    pub fn capture(mut self, on: bool) -> SimBuilder {
        self.cfg.capture = on;
        self
    }

    // ---- reading and making ----

    /// The seed so far.
    pub fn seed_value(&self) -> u64 {
        self.seed
    }

    /// The settings so far.
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// The seed and the settings, for [`Sim::with_config`] or
    /// [`try_seeds_with`](crate::try_seeds_with).
    pub fn into_parts(self) -> (u64, Config) {
        (self.seed, self.cfg)
    }

    /// The world.
    pub fn build(self) -> Sim {
        Sim::with_config(self.seed, self.cfg)
    }

    /// Runs `test` on a fresh world with these settings for each seed
    /// `0..n` and reports the first failing seed with its trace: see
    /// [`try_seeds_with`](crate::try_seeds_with) (the builder's own seed
    /// is not used; `WSD_SEED` picks one seed of the run).
    #[track_caller]
    pub fn try_seeds(self, n: u64, test: impl Fn(&Sim)) {
        crate::try_seeds_with(n, self.cfg, test)
    }
}
