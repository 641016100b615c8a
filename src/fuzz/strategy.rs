//! proptest strategies: random Winsock programs as scenarios.
//!
//! A generated [`Case`] is a [`Scenario`] in the fixtures format (so a
//! failing case, once shrunk, is saved as a file that `winsock-double run`
//! replays) plus the profile to run it under. Its parts are strategies of
//! their own, for building other generators:
//!
//! - [`buffer_shapes`]: `WSABUF` arrays, sizes including zero, and now and
//!   then a faulty pointer or length;
//! - [`recv_flags`], [`send_flags`]: flag sets, the undefined combinations
//!   included;
//! - [`datagram_faults`]: loss, duplication, reordering;
//! - [`settings`]: seed, profile, and the nondeterminism knobs (completion
//!   timing, short stream reads, the outstanding-operation limit);
//! - [`ops`]: a sequence of calls over the [`Shape`]'s sockets, including
//!   the fault events (a socket closed under its peers, which brings ICMP
//!   port-unreachable; a datagram whose TTL runs out on the way to the far
//!   host; the network going down; a connection reset by a zero-linger
//!   close).
//!
//! - [`wsa_bufs`]: the same shapes as the [`WsaBuf`]s they describe, for
//!   code that calls the traits directly.
//!
//! [`Settings`] is also `Arbitrary` (`any::<Settings>()`, or
//! `any_with::<Settings>(SettingsParams { model_settings: false })`) and
//! becomes a world's settings ([`Settings::config`],
//! [`Settings::builder`]); [`Case::check`] runs every invariant on a case
//! under its own seed and profile.
//!
//! ```
//! use proptest::prelude::*;
//! use proptest::test_runner::TestRunner;
//! use winsock_double::fuzz::strategy;
//!
//! let mut runner = TestRunner::deterministic();
//! runner
//!     .run(&strategy::case(strategy::Shape::default(), 20), |case| {
//!         case.check().map_err(|v| TestCaseError::fail(v.to_string()))?;
//!         Ok(())
//!     })
//!     .unwrap();
//! ```
//!
//! The positional forms stay: [`settings`]`(model_settings)` is
//! `any_with::<Settings>(..)`, and
//! [`check_all`]`(sc, seed, profile, misuse)` is what
//! [`Case::check_with`] calls.

use super::invariants::{check_all, Violation};
pub use super::program::Shape;
use super::program::{assemble, step, to};
use crate::scenario::format::{BufSpec, Data, NameSpec, Op, OvlSpec, Scenario, Step};
use crate::scenario::runner::RunReport;
use proptest::prelude::*;
use std::path::PathBuf;
use winsock_model::{
    CompletionTiming, Config, DatagramFaults, Profile, SimBuilder, StreamReads, WsaBuf,
};

/// A generated program and the profile to run it under.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// The program; its `seed` is the run's seed.
    pub scenario: Scenario,
    /// Whose behaviour the model follows.
    pub profile: Profile,
}

/// The run settings of a case.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The seed.
    pub seed: u64,
    /// The profile.
    pub profile: Profile,
    /// Immediate, pending, or seeded completion of overlapped operations.
    pub completion_timing: Option<CompletionTiming>,
    /// Whole or seeded-short stream reads.
    pub stream_reads: Option<StreamReads>,
    /// The outstanding-operation limit per socket.
    pub max_outstanding: Option<usize>,
    /// Datagram faults.
    pub datagram_faults: Option<DatagramFaults>,
}

/// Loss, duplication and reordering rates (none a third of the time).
pub fn datagram_faults() -> impl Strategy<Value = Option<DatagramFaults>> {
    prop_oneof![
        1 => Just(None),
        2 => (0u16..=300, 0u16..=200, 0u16..=300, prop::option::of(1u64..=5_000)).prop_map(
            |(loss, duplicate, reorder, reorder_us)| Some(DatagramFaults {
                loss,
                duplicate,
                reorder,
                reorder_us,
                ce_mark: 0,
            })
        ),
    ]
}

/// What [`Case::check_with`] checks beyond the invariants every run must
/// keep (the named form of [`check_all`]'s last argument).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checks {
    /// Whether the model's reports of undefined calls (`model:misuse`,
    /// `model:deadlock`) are allowed results: generated programs make such
    /// calls on purpose, so by default they are.
    pub allow_misuse: bool,
}

impl Default for Checks {
    fn default() -> Checks {
        Checks { allow_misuse: true }
    }
}

impl Case {
    /// Every invariant ([`check_all`]) on the case, under its own seed and
    /// profile, model reports of undefined calls allowed.
    pub fn check(&self) -> Result<RunReport, Violation> {
        self.check_with(Checks::default())
    }

    /// Every invariant on the case, under its own seed and profile, with
    /// `checks`.
    ///
    /// ```
    /// use proptest::prelude::*;
    /// use proptest::strategy::ValueTree;
    /// use proptest::test_runner::TestRunner;
    /// use winsock_double::fuzz::strategy::{self, Checks};
    ///
    /// let case = strategy::case(strategy::Shape::default(), 10)
    ///     .new_tree(&mut TestRunner::deterministic())
    ///     .unwrap()
    ///     .current();
    /// let strict = Checks { allow_misuse: false };
    /// let _ = case.check_with(strict); // a misuse report would be a violation
    /// ```
    pub fn check_with(&self, checks: Checks) -> Result<RunReport, Violation> {
        check_all(
            &self.scenario,
            self.scenario.seed,
            self.profile,
            checks.allow_misuse,
        )
    }

    /// Saves the case as a scenario named `test` for replay
    /// ([`save_failure`](super::save_failure)), with `why` as its
    /// description; returns the file.
    pub fn save_failure(&self, test: &str, why: &str) -> PathBuf {
        super::save_failure(test, &self.scenario, self.profile, why)
    }

    /// The case's settings as a world's: what the runner gives the model
    /// for it (the hosts, routes and MTUs are the scenario's steps to
    /// make, not settings).
    pub fn config(&self) -> Config {
        let mut cfg = Config {
            tx_rate: self.scenario.tx_rate,
            buffer_pool: self.scenario.buffer_pool,
            profile: self.scenario.quirks.apply(self.profile),
            ..Config::default()
        };
        if let Some(t) = self.scenario.completion_timing {
            cfg.completion_timing = t;
        }
        if let Some(m) = self.scenario.max_outstanding {
            cfg.max_outstanding = m;
        }
        if let Some(r) = self.scenario.stream_reads {
            cfg.stream_reads = r;
        }
        if let Some(f) = self.scenario.datagram_faults {
            cfg.datagram_faults = f;
        }
        if let Some(ms) = self.scenario.latency_ms {
            cfg.latency_ns = ms.saturating_mul(1_000_000);
        }
        for i in &self.scenario.inject {
            // A generated case names only codes the tables have.
            if let Ok(error) = crate::scenario::names::error_code(&i.error) {
                cfg.injected
                    .push(winsock_model::Injection::new(&i.call, i.nth, error));
            }
        }
        cfg
    }
}

impl Settings {
    /// The world's settings these describe (a knob left `None` keeps
    /// [`Config::default`]'s value).
    ///
    /// ```
    /// use proptest::prelude::*;
    /// use proptest::strategy::ValueTree;
    /// use proptest::test_runner::TestRunner;
    /// use winsock_double::fuzz::strategy::Settings;
    /// use winsock_double::*;
    ///
    /// let s = any::<Settings>().new_tree(&mut TestRunner::deterministic()).unwrap().current();
    /// let sim = s.builder().build();
    /// assert_eq!(sim.seed(), s.seed);
    /// assert_eq!(s.config().profile, s.profile);
    /// ```
    pub fn config(&self) -> Config {
        let d = Config::default();
        Config {
            profile: self.profile,
            completion_timing: self.completion_timing.unwrap_or(d.completion_timing),
            stream_reads: self.stream_reads.unwrap_or(d.stream_reads),
            max_outstanding: self.max_outstanding.unwrap_or(d.max_outstanding),
            datagram_faults: self.datagram_faults.unwrap_or(d.datagram_faults),
            ..d
        }
    }

    /// A [`SimBuilder`] with the seed and [`Settings::config`] (the
    /// environment is not read: the settings are the generated ones).
    pub fn builder(&self) -> SimBuilder {
        SimBuilder::with_config(self.seed, self.config())
    }
}

impl From<&Settings> for Config {
    fn from(s: &Settings) -> Config {
        s.config()
    }
}

/// The parameters of `any_with::<Settings>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettingsParams {
    /// Whether the model's own knobs vary (completion timing, stream
    /// reads, the outstanding limit, datagram faults); without them they
    /// stay at their defaults, as for a program also run on a real
    /// Winsock, which has none of them. On by default.
    pub model_settings: bool,
}

impl Default for SettingsParams {
    fn default() -> SettingsParams {
        SettingsParams {
            model_settings: true,
        }
    }
}

impl Arbitrary for Settings {
    type Parameters = SettingsParams;
    type Strategy = BoxedStrategy<Settings>;

    fn arbitrary_with(p: SettingsParams) -> BoxedStrategy<Settings> {
        settings(p.model_settings).boxed()
    }
}

/// Seed, profile and the nondeterminism knobs (the positional form of
/// `any_with::<Settings>(SettingsParams { model_settings })`).
pub fn settings(model_settings: bool) -> impl Strategy<Value = Settings> {
    let profile = prop_oneof![
        4 => Just(Profile::documented()),
        1 => Just(Profile::windows()),
        1 => Just(Profile::wine8()),
    ];
    let timing = prop::option::of(prop_oneof![
        Just(CompletionTiming::Immediate),
        Just(CompletionTiming::Pending),
        Just(CompletionTiming::Seeded),
    ]);
    let reads = prop::option::of(prop_oneof![
        Just(StreamReads::Whole),
        Just(StreamReads::Seeded)
    ]);
    (
        any::<u64>(),
        profile,
        timing,
        reads,
        prop::option::of(1usize..=4),
        datagram_faults(),
    )
        .prop_map(move |(seed, profile, t, r, m, f)| {
            // Without model settings the knobs stay at their defaults (a
            // real Winsock has none of them).
            Settings {
                seed,
                profile,
                completion_timing: t.filter(|_| model_settings),
                stream_reads: r.filter(|_| model_settings),
                max_outstanding: m.filter(|_| model_settings),
                datagram_faults: f.filter(|_| model_settings),
            }
        })
}

/// One to three `WSABUF`s of 0 to 64 bytes; one in sixteen arrays has a
/// `NULL` pointer or a length past the memory.
pub fn buffer_shapes() -> impl Strategy<Value = Vec<BufSpec>> {
    let one = prop_oneof![
        30 => (0u32..=64).prop_map(BufSpec::Size),
        1 => (1u32..=16).prop_map(|null| BufSpec::Null { null }),
        1 => (1u32..=8).prop_map(|mem| BufSpec::Overlong { len: mem + 8, mem }),
    ];
    prop::collection::vec(one, 1..=3)
}

/// [`buffer_shapes`] as the `WSABUF`s they describe: zeroed memory of each
/// size, a `NULL` pointer with a length, or a length past the memory
/// ([`BufSpec::wsa_buf`]), ready for the receive calls of the traits.
///
/// ```
/// use proptest::prelude::*;
/// use proptest::test_runner::TestRunner;
/// use winsock_double::fuzz::strategy;
/// use winsock_double::*;
///
/// let mut runner = TestRunner::deterministic();
/// runner
///     .run(&strategy::wsa_bufs(), |mut bufs| {
///         let sim = Sim::new(1);
///         let h = sim.add_host("h", &[]).unwrap();
///         h.wsa_startup(WINSOCK_VERSION_2_2).unwrap();
///         let s = h.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
///         h.bind(s, &"127.0.0.1:0".parse().unwrap()).unwrap();
///         h.send_to(s, b"hello", &h.getsockname(s).unwrap()).unwrap();
///         let (mut n, mut flags) = (0, 0);
///         let r = h.wsa_recv(s, &mut bufs, Some(&mut n), &mut flags);
///         // Faulty buffers are WSAEFAULT; small ones truncate.
///         prop_assert!(r.is_ok() || r.as_ref().is_err_and(|e| e.is(WSAEFAULT) || e.is(WSAEMSGSIZE)));
///         Ok(())
///     })
///     .unwrap();
/// ```
pub fn wsa_bufs() -> impl Strategy<Value = Vec<WsaBuf>> {
    buffer_shapes().prop_map(|v| v.iter().map(BufSpec::wsa_buf).collect())
}

fn flag_set(names: &'static [&'static str], rare: u32) -> impl Strategy<Value = Vec<String>> {
    prop_oneof![
        rare => Just(vec![]),
        1 => prop::sample::subsequence(names, 1..=2)
            .prop_map(|v| v.into_iter().map(str::to_string).collect()),
    ]
}

/// Receive flags: none most of the time, else one or two of `MSG_PEEK`,
/// `MSG_OOB`, `MSG_WAITALL`, `MSG_PARTIAL`, `MSG_PUSH_IMMEDIATE`.
pub fn recv_flags() -> impl Strategy<Value = Vec<String>> {
    flag_set(
        &[
            "MSG_PEEK",
            "MSG_OOB",
            "MSG_WAITALL",
            "MSG_PARTIAL",
            "MSG_PUSH_IMMEDIATE",
        ],
        4,
    )
}

/// Send flags: none most of the time, else `MSG_DONTROUTE`, `MSG_OOB`,
/// `MSG_PARTIAL` or `MSG_PEEK` (the last refused by WSASendMsg).
pub fn send_flags() -> impl Strategy<Value = Vec<String>> {
    flag_set(&["MSG_DONTROUTE", "MSG_OOB", "MSG_PARTIAL", "MSG_PEEK"], 6)
}

fn payload_len() -> impl Strategy<Value = usize> {
    prop_oneof![8 => 0usize..=48, 1 => 49usize..=1_500]
}

fn name_fault() -> impl Strategy<Value = Option<NameSpec>> {
    prop_oneof![
        10 => Just(None),
        1 => Just(Some(NameSpec::Null { null: 16 })),
        1 => (0usize..=8).prop_map(|room| Some(NameSpec::Room { room })),
    ]
}

/// `n` calls over the shape's sockets.
pub fn ops(shape: Shape, n: usize) -> impl Strategy<Value = Vec<Step>> {
    let udp = shape.udp_names();
    let mut targets = udp.clone();
    if shape.far {
        targets.push("f0".into());
    }
    let socks = prop::sample::select(udp.clone());
    let dsts = prop::sample::select(targets);
    let ends = prop::sample::select(vec!["c".to_string(), "a".to_string()]);
    let far = shape.far;
    let dgram = prop_oneof![
        // Datagram sends.
        6 => (socks.clone(), dsts.clone(), payload_len(), send_flags()).prop_map(move |(s, d, len, flags)| {
            Op::SendTo { socket: s, to: Some(to(shape, &d)), to_fault: None, data: Data::Fill { fill: len }, buffers: None, flags, null_bytes_ptr: false, ovl: None }
        }),
        3 => (socks.clone(), dsts.clone(), payload_len(), send_flags(), any::<bool>()).prop_map(move |(s, d, len, flags, nb)| {
            Op::SendMsg { socket: s, to: Some(to(shape, &d)), name_fault: None, data: Data::Fill { fill: len }, buffers: None, control: vec![], control_fault: None, flags, msg_flags: vec![], null_bytes_ptr: nb && len % 7 == 0, ovl: None }
        }),
        // Receives.
        4 => (socks.clone(), buffer_shapes(), recv_flags(), name_fault(), prop::option::of(prop_oneof![Just(0u32), Just(1), Just(64)])).prop_map(|(s, b, flags, name, ctl)| {
            Op::RecvMsg { socket: s, buffers: b, control: ctl.map(BufSpec::Size), flags, name, null_bytes_ptr: false, ovl: None }
        }),
        3 => (socks.clone(), buffer_shapes(), recv_flags(), name_fault()).prop_map(|(s, b, flags, from)| {
            Op::RecvFrom { socket: s, buffers: b, flags, from, null_bytes_ptr: false, ovl: None }
        }),
        2 => (socks.clone(), buffer_shapes(), recv_flags()).prop_map(|(s, b, flags)| {
            Op::Recv { socket: s, buffers: b, flags, null_bytes_ptr: false, ovl: None }
        }),
        // Overlapped receives with an event, and their results.
        2 => (socks.clone(), 1u64..=3, buffer_shapes()).prop_map(|(s, id, b)| {
            Op::RecvMsg { socket: s, buffers: b, control: None, flags: vec![], name: None, null_bytes_ptr: false, ovl: Some(OvlSpec { id, event: Some("e".into()), routine: None }) }
        }),
        2 => (socks.clone(), 1u64..=3).prop_map(|(s, id)| Op::GetOverlappedResult { socket: s, id, wait: false }),
        // Settings and faults.
        1 => (socks.clone(), prop_oneof![Just(0i64), Just(16), Just(100), Just(8192)]).prop_map(|(s, v)| {
            Op::Setsockopt { socket: s, level: "SOL_SOCKET".into(), name: "SO_RCVBUF".into(), value: Some(v), hex: None }
        }),
        1 => (socks.clone(), prop_oneof![Just(1i64), Just(2), Just(3), Just(64)]).prop_map(|(s, v)| {
            Op::Setsockopt { socket: s, level: "IPPROTO_IP".into(), name: "IP_TTL".into(), value: Some(v), hex: None }
        }),
        1 => (0u64..=3).prop_map(|ms| Op::Advance { ms }),
        1 => socks.clone().prop_map(|s| Op::Close { socket: s }),
    ];
    let stream = prop_oneof![
        3 => (ends.clone(), 0usize..=3_000).prop_map(|(s, len)| Op::Send { socket: s, data: Data::Fill { fill: len }, buffers: None, flags: vec![], null_bytes_ptr: false, ovl: None }),
        3 => (ends.clone(), buffer_shapes(), prop_oneof![4 => Just(vec![]), 1 => Just(vec!["MSG_PEEK".to_string()])]).prop_map(|(s, b, flags)| {
            Op::Recv { socket: s, buffers: b, flags, null_bytes_ptr: false, ovl: None }
        }),
    ];
    let netdown = prop_oneof![
        1 => Just(Op::NetworkDown { target: "local".into(), down: true }),
        3 => Just(Op::NetworkDown { target: "local".into(), down: false }),
    ];
    // A zero-linger close resets the connection.
    let reset = prop_oneof![
        Just(Op::Setsockopt {
            socket: "c".into(),
            level: "SOL_SOCKET".into(),
            name: "SO_LINGER".into(),
            value: None,
            hex: Some("01000000".into())
        }),
        Just(Op::Close { socket: "c".into() }),
    ];
    let any_op = match (shape.stream, far || shape.model_settings) {
        (true, true) => prop_oneof![40 => dgram, 16 => stream, 1 => netdown, 3 => reset].boxed(),
        (true, false) => prop_oneof![40 => dgram, 16 => stream, 3 => reset].boxed(),
        (false, true) => prop_oneof![40 => dgram, 1 => netdown].boxed(),
        (false, false) => dgram.boxed(),
    };
    prop::collection::vec(any_op.prop_map(step), 1..=n)
}

/// A program for the differential: [`Shape::os`]'s sockets and up to `n`
/// calls, the model's settings at their defaults, run under `profile` (the
/// one that describes the Winsock it is compared with), without the steps
/// that depend on the machine under it
/// ([`differential::comparable`](super::differential::comparable)).
pub fn os_case(profile: Profile, n: usize) -> impl Strategy<Value = Case> {
    (any::<u64>(), ops(Shape::os(), n)).prop_map(move |(seed, body)| Case {
        scenario: super::differential::comparable(assemble(Shape::os(), seed, body), profile),
        profile,
    })
}

/// A whole program: the prelude and up to `n` calls, with its settings.
pub fn case(shape: Shape, n: usize) -> impl Strategy<Value = Case> {
    (settings(shape.model_settings), ops(shape, n)).prop_map(move |(s, body)| {
        let mut sc = assemble(shape, s.seed, body);
        sc.completion_timing = s.completion_timing;
        sc.max_outstanding = s.max_outstanding;
        sc.stream_reads = s.stream_reads;
        sc.datagram_faults = s.datagram_faults;
        Case {
            scenario: sc,
            profile: s.profile,
        }
    })
}
