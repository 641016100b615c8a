//! Throughput and memory of the model, measured beside what a user would
//! otherwise run, in the same run (issue 8).
//!
//! ```text
//! cargo bench --bench throughput                 # the table
//! cargo bench --bench throughput -- --json       # one JSON object per line
//! cargo bench --bench throughput -- --quick      # a short smoke run
//! ```
//!
//! Everything runs on one thread. Each figure is the median of several
//! batches; the model and its peer (the kernel's loopback through
//! `std::net`, or turmoil) run in alternating batches so that both see the
//! same machine. The model runs with tracing off (`Config::tracing`), as a
//! benchmark should, except where a row says otherwise. Memory is counted
//! by the global allocator of this binary.

use proptest::strategy::Strategy;
use proptest::test_runner::{Config as PtConfig, RngAlgorithm, TestRng, TestRunner};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::RefCell;
use std::hint::black_box;
use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::sync::atomic::{AtomicIsize, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use winsock_double::*;

// ---- a counting allocator ----

/// The system allocator, counting live bytes and allocation calls.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);
static ALLOCS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call goes to `System` with the caller's arguments; the
// counters are only statistics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's contract for `alloc` is passed on unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: `ptr` came from this allocator, that is from `System`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: as for `dealloc` and `alloc`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn live_bytes() -> isize {
    LIVE.load(Ordering::Relaxed)
}

fn alloc_calls() -> usize {
    ALLOCS.load(Ordering::Relaxed)
}

// ---- options and rows ----

/// Command-line options (cargo bench passes `--bench` too; it is ignored).
struct Opts {
    json: bool,
    quick: bool,
    /// `--only WORD`: only the sections whose name contains WORD.
    only: Option<String>,
}

impl Opts {
    fn parse() -> Opts {
        let args: Vec<String> = std::env::args().skip(1).collect();
        Opts {
            json: args.iter().any(|a| a == "--json"),
            quick: args.iter().any(|a| a == "--quick"),
            only: args
                .iter()
                .position(|a| a == "--only")
                .and_then(|i| args.get(i + 1).cloned()),
        }
    }

    /// Whether the section `name` runs.
    fn wants(&self, name: &str) -> bool {
        self.only.as_deref().is_none_or(|w| name.contains(w))
    }

    /// Wall time one batch should take.
    fn batch(&self) -> Duration {
        if self.quick {
            Duration::from_millis(20)
        } else {
            Duration::from_millis(250)
        }
    }

    /// Batches per figure (the median is reported).
    fn batches(&self) -> usize {
        if self.quick {
            1
        } else {
            5
        }
    }
}

/// One line of the report.
struct Row {
    name: String,
    unit: &'static str,
    /// The model's figure (a rate, or bytes for memory rows).
    value: f64,
    /// Whether `value` is a rate (`ops_per_s` in JSON) or a size.
    rate: bool,
    peer: Option<(&'static str, f64)>,
    /// Allocation calls per operation in the model, where measured.
    allocs: Option<f64>,
    /// The issue's target: at least this value (or, for a check, a pass).
    target: Option<Target>,
}

#[derive(Clone, Copy)]
enum Target {
    AtLeast(f64),
    RatioAtLeast(f64),
    AtMost(f64),
}

impl Row {
    fn rate(name: impl Into<String>, unit: &'static str, value: f64) -> Row {
        Row {
            name: name.into(),
            unit,
            value,
            rate: true,
            peer: None,
            allocs: None,
            target: None,
        }
    }

    fn size(name: impl Into<String>, value: f64) -> Row {
        Row {
            name: name.into(),
            unit: "bytes",
            value,
            rate: false,
            peer: None,
            allocs: None,
            target: None,
        }
    }

    fn peer(mut self, name: &'static str, value: f64) -> Row {
        self.peer = Some((name, value));
        self
    }

    fn allocs(mut self, a: f64) -> Row {
        self.allocs = Some(a);
        self
    }

    fn target(mut self, t: Target) -> Row {
        self.target = Some(t);
        self
    }

    fn ratio(&self) -> Option<f64> {
        self.peer.map(|(_, p)| self.value / p)
    }

    /// Whether the row meets its target (`None`: no target).
    fn met(&self) -> Option<bool> {
        self.target.map(|t| match t {
            Target::AtLeast(v) => self.value >= v,
            Target::RatioAtLeast(r) => self.ratio().is_some_and(|x| x >= r),
            Target::AtMost(v) => self.value <= v,
        })
    }

    fn target_text(&self) -> String {
        match self.target {
            None => String::new(),
            Some(Target::AtLeast(v)) => format!(">= {}", human(v)),
            Some(Target::RatioAtLeast(r)) => format!("ratio >= {r}"),
            Some(Target::AtMost(v)) => format!("<= {}", human(v)),
        }
    }

    /// One JSON object: the issue's five keys first, in its order, then
    /// the unit and, where they apply, the size, allocations and target.
    fn json(&self) -> String {
        use serde_json::Value;
        let num = |v: f64| Value::from((v * 10.0).round() / 10.0);
        let mut fields: Vec<(&str, Value)> = vec![
            ("name", self.name.clone().into()),
            (
                "ops_per_s",
                if self.rate {
                    num(self.value)
                } else {
                    Value::Null
                },
            ),
            ("peer", self.peer.map_or(Value::Null, |(n, _)| n.into())),
            (
                "peer_ops_per_s",
                self.peer.map_or(Value::Null, |(_, v)| num(v)),
            ),
            (
                "ratio",
                self.ratio()
                    .map_or(Value::Null, |r| Value::from((r * 1000.0).round() / 1000.0)),
            ),
            ("unit", self.unit.into()),
        ];
        if !self.rate {
            fields.push(("value", num(self.value)));
        }
        if let Some(a) = self.allocs {
            fields.push(("allocs_per_op", Value::from((a * 100.0).round() / 100.0)));
        }
        if let Some(m) = self.met() {
            fields.push(("target", self.target_text().into()));
            fields.push(("met", m.into()));
        }
        let parts: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{}:{v}", Value::from(*k)))
            .collect();
        format!("{{{}}}", parts.join(","))
    }
}

/// `12345678.9` as `12.35 M`.
fn human(v: f64) -> String {
    let a = v.abs();
    if a >= 1e9 {
        format!("{:.2} G", v / 1e9)
    } else if a >= 1e6 {
        format!("{:.2} M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.1} k", v / 1e3)
    } else {
        format!("{v:.0}")
    }
}

fn print_table(rows: &[Row]) {
    let head = [
        "benchmark",
        "model",
        "unit",
        "peer",
        "peer",
        "ratio",
        "allocs/op",
        "target",
        "met",
    ];
    let cells: Vec<[String; 9]> = rows
        .iter()
        .map(|r| {
            [
                r.name.clone(),
                human(r.value),
                r.unit.to_string(),
                r.peer.map_or(String::new(), |(n, _)| n.to_string()),
                r.peer.map_or(String::new(), |(_, v)| human(v)),
                // Two decimals below 10: a scale row's 0.79 is not 0.8.
                r.ratio().map_or(String::new(), |x| {
                    if x < 10.0 {
                        format!("{x:.2}x")
                    } else {
                        format!("{x:.1}x")
                    }
                }),
                r.allocs.map_or(String::new(), |a| format!("{a:.1}")),
                r.target_text(),
                match r.met() {
                    None => String::new(),
                    Some(true) => "yes".into(),
                    Some(false) => "NO".into(),
                },
            ]
        })
        .collect();
    let mut width = head.map(str::len);
    for c in &cells {
        for (w, s) in width.iter_mut().zip(c) {
            *w = (*w).max(s.len());
        }
    }
    let line = |c: &[String]| {
        let parts: Vec<String> = c
            .iter()
            .zip(width)
            .enumerate()
            .map(|(i, (s, w))| {
                if i == 1 || i == 4 || i == 5 || i == 6 {
                    format!("{s:>w$}")
                } else {
                    format!("{s:<w$}")
                }
            })
            .collect();
        println!("| {} |", parts.join(" | "));
    };
    line(&head.map(String::from));
    let rule: Vec<String> = width.iter().map(|&w| "-".repeat(w)).collect();
    println!("|-{}-|", rule.join("-|-"));
    for c in &cells {
        line(c);
    }
}

// ---- timing ----

/// Something measured: `run(n)` performs `n` operations.
type Job<'a> = Box<dyn FnMut(u64) + 'a>;

/// The count of operations one batch of `job` takes about `target` for.
fn calibrate(job: &mut Job<'_>, target: Duration) -> u64 {
    let mut n = 16u64;
    loop {
        let t = Instant::now();
        job(n);
        let e = t.elapsed();
        if e >= target / 8 || n >= 1 << 40 {
            let per = e.as_secs_f64() / n as f64;
            return ((target.as_secs_f64() / per.max(1e-12)) as u64).max(1);
        }
        n *= 4;
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Operations per second of each job, batches alternating between them;
/// with the model's allocation calls per operation for the first job.
fn measure(opts: &Opts, jobs: &mut [Job<'_>]) -> (Vec<f64>, f64) {
    let counts: Vec<u64> = jobs
        .iter_mut()
        .map(|j| calibrate(j, opts.batch()))
        .collect();
    let mut rates = vec![Vec::new(); jobs.len()];
    let mut allocs = Vec::new();
    for _ in 0..opts.batches() {
        for (k, job) in jobs.iter_mut().enumerate() {
            let a0 = alloc_calls();
            let t = Instant::now();
            job(counts[k]);
            let e = t.elapsed().as_secs_f64();
            if k == 0 {
                allocs.push((alloc_calls() - a0) as f64 / counts[k] as f64);
            }
            rates[k].push(counts[k] as f64 / e);
        }
    }
    (rates.into_iter().map(median).collect(), median(allocs))
}

// ---- the model ----

fn bench_config() -> Config {
    Config {
        tracing: false,
        ..Config::default()
    }
}

/// One host with one started Winsock.
fn model_host(cfg: Config) -> SimHost {
    let sim = Sim::with_config(1, cfg);
    let host = sim.add_host("local", &[]).expect("host");
    host.wsa_startup(WINSOCK_VERSION_2_2).expect("startup");
    host
}

/// A UDP socket bound to 127.0.0.1 and its address.
fn model_udp(host: &SimHost) -> (Socket, SocketAddr) {
    let s = host
        .socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)
        .expect("socket");
    host.bind(s, &"127.0.0.1:0".parse().expect("addr"))
        .expect("bind");
    (s, host.getsockname(s).expect("name"))
}

/// `WSASendMsg` then `WSARecvMsg` of one `size`-byte datagram, to itself.
fn model_pairs(size: usize) -> Job<'static> {
    pairs_on(model_host(bench_config()), size)
}

/// The pairs of [`model_pairs`] on a socket of `host` (which keeps its
/// world alive).
fn pairs_on(host: SimHost, size: usize) -> Job<'static> {
    let (s, me) = model_udp(&host);
    let out = WsaMsg::for_send(Some(&me), &vec![7u8; size]);
    let mut inn = WsaMsg::for_recv(&[2048], 0);
    Box::new(move |n| {
        for _ in 0..n {
            let mut sent = 0;
            host.wsa_send_msg(s, black_box(&out), 0, Some(&mut sent))
                .expect("send");
            let mut got = 0;
            host.wsa_recv_msg(s, &mut inn, Some(&mut got))
                .expect("recv");
            debug_assert_eq!(got as usize, size);
            black_box(&inn);
        }
    })
}

/// [`model_pairs`] of 64 bytes on one socket of the first of `hosts` hosts
/// (one network, 10.0.0.0/8), in a world of `sockets` bound UDP sockets
/// spread over them.
fn model_pairs_crowded(hosts: usize, sockets: usize) -> Job<'static> {
    let sim = Sim::with_config(1, bench_config());
    let mut first = None;
    for h in 0..hosts {
        let addr = format!("10.{}.{}.1/8", h >> 8, h & 255);
        let host = sim.add_host(&format!("h{h}"), &[&addr]).expect("host");
        host.wsa_startup(WINSOCK_VERSION_2_2).expect("startup");
        for _ in 0..sockets / hosts {
            let s = host
                .socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)
                .expect("socket");
            host.bind(s, &"0.0.0.0:0".parse().expect("addr"))
                .expect("bind");
        }
        first.get_or_insert(host);
    }
    pairs_on(first.expect("a host"), 64)
}

/// A long virtual run with many timers: `sockets` UDP sockets on host a
/// each send a 64-byte datagram to host b (100 µs away: each arrival is a
/// timed event), then virtual time moves 600 ms and b reads them all;
/// one job is `steps` such rounds (1,000 rounds: 10 virtual minutes).
/// Counted per datagram.
fn model_timers(sockets: usize) -> Job<'static> {
    let sim = Sim::with_config(1, bench_config());
    let a = sim.add_host("a", &["10.0.0.1/24"]).expect("host a");
    let b = sim.add_host("b", &["10.0.0.2/24"]).expect("host b");
    a.wsa_startup(WINSOCK_VERSION_2_2).expect("startup");
    b.wsa_startup(WINSOCK_VERSION_2_2).expect("startup");
    let rx = b.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).expect("socket");
    let big = i32::try_from(sockets * 4096).expect("a buffer size");
    b.set_sock_opt_int(rx, SOL_SOCKET, SO_RCVBUF, big.max(65_536))
        .expect("rcvbuf");
    b.bind(rx, &"10.0.0.2:9000".parse().expect("addr"))
        .expect("bind");
    let to: SocketAddr = "10.0.0.2:9000".parse().expect("addr");
    let txs: Vec<Socket> = (0..sockets)
        .map(|_| {
            let s = a.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).expect("socket");
            a.bind(s, &"10.0.0.1:0".parse().expect("addr"))
                .expect("bind");
            s
        })
        .collect();
    let payload = [7u8; 64];
    let mut buf = [0u8; 128];
    let mut round = 0usize;
    Box::new(move |n| {
        // `n` datagrams, in rounds of one from each socket.
        let mut left = n as usize;
        while left > 0 {
            let k = left.min(txs.len());
            for &s in &txs[..k] {
                a.send_to(s, &payload, &to).expect("send");
            }
            sim.advance(std::time::Duration::from_millis(600));
            for _ in 0..k {
                b.recv_from(rx, &mut buf).expect("recv");
            }
            left -= k;
            round += 1;
        }
        black_box(round);
    })
}

/// Live bytes per outstanding overlapped receive (each with a 64-byte
/// buffer, counted in).
fn mem_outstanding_op(count: usize) -> f64 {
    let host = model_host(bench_config());
    park_receives(&host, 1, 1_000_000);
    let before = live_bytes();
    park_receives(&host, count, 2_000_000);
    (live_bytes() - before) as f64 / count as f64
}

/// The kernel's UDP loopback: `sendto` then `recvfrom` of one datagram.
fn kernel_pairs(size: usize) -> Job<'static> {
    let s = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).expect("kernel socket");
    let me = s.local_addr().expect("kernel name");
    let data = vec![7u8; size];
    let mut buf = vec![0u8; 2048];
    Box::new(move |n| {
        for _ in 0..n {
            s.send_to(black_box(&data), me).expect("kernel send");
            let (got, _) = s.recv_from(&mut buf).expect("kernel recv");
            debug_assert_eq!(got, size);
        }
    })
}

/// turmoil: `send_to` then `recv_from` on one host's loopback, inside one
/// simulation of `n` pairs (a loopback datagram arrives on the next tick).
#[cfg(not(windows))]
fn turmoil_pairs(size: usize) -> Job<'static> {
    Box::new(move |n| {
        let mut sim = turmoil::Builder::new()
            .tick_duration(Duration::from_millis(1))
            .simulation_duration(Duration::from_millis(2 * n + 1000))
            .build();
        sim.client("local", async move {
            let s = turmoil::net::UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).await?;
            let me = s.local_addr()?;
            let data = vec![7u8; size];
            let mut buf = vec![0u8; 2048];
            for _ in 0..n {
                s.send_to(black_box(&data), me).await?;
                let (got, _) = s.recv_from(&mut buf).await?;
                debug_assert_eq!(got, size);
            }
            Ok(())
        });
        sim.run().expect("turmoil run");
    })
}

/// How an overlapped receive's completion is reaped.
#[derive(Clone, Copy)]
enum Reap {
    /// `WSAWaitForMultipleEvents`, `WSAGetOverlappedResult`, `WSAResetEvent`.
    Event,
    /// `GetQueuedCompletionStatus`.
    Port,
    /// A completion routine, run by `SleepEx(INFINITE, TRUE)`.
    Routine,
}

thread_local! {
    /// Where the benchmark's completion routine leaves its completion: a
    /// routine runs on the thread that waits alertably, this one, so a
    /// thread-local slot is enough (and its closure, capturing nothing,
    /// costs no allocation).
    static ROUTINE_SLOT: RefCell<Option<Completion>> = const { RefCell::new(None) };
}

/// Post an overlapped receive, send a 64-byte datagram, reap the
/// completion; the buffers go round from completion to the next post.
fn model_overlapped(reap: Reap) -> Job<'static> {
    overlapped_on(model_host(bench_config()), reap)
}

/// [`model_overlapped`] on a host that holds `outstanding` more
/// overlapped receives, pending on sockets of their own that nothing is
/// sent to (1,000 a socket).
fn model_overlapped_beside(outstanding: usize) -> Job<'static> {
    let host = model_host(bench_config());
    park_receives(&host, outstanding, 1_000_000);
    overlapped_on(host, Reap::Event)
}

/// `n` overlapped receives left pending on `host`, 1,000 a socket, their
/// `OVERLAPPED`s numbered from `first` up (each must be its own while
/// its operation is outstanding).
fn park_receives(host: &SimHost, n: usize, first: u64) {
    let mut left = n;
    let mut id = first;
    while left > 0 {
        let (s, _) = model_udp(host);
        for _ in 0..left.min(1_000) {
            id += 1;
            let posted = host
                .wsa_recv_overlapped(s, vec![WsaBuf::zeroed(64)], 0, Overlapped::new(id), None)
                .expect("post");
            assert!(posted.is_pending());
            left -= 1;
        }
    }
}

/// The overlapped cycle of [`model_overlapped`] on `host`.
fn overlapped_on(host: SimHost, reap: Reap) -> Job<'static> {
    let (s, me) = model_udp(&host);
    let out = WsaMsg::for_send(Some(&me), &[7u8; 64]);
    let ev = host.wsa_create_event().expect("event");
    let port = host.create_io_completion_port(1).expect("port");
    if let Reap::Port = reap {
        host.associate_completion_port(port, s, 9)
            .expect("associate");
    }
    let mut bufs = Some(vec![WsaBuf::zeroed(2048)]);
    Box::new(move |n| {
        for _ in 0..n {
            let b = bufs.take().expect("buffers came back");
            let (ovl, routine) = match reap {
                Reap::Event => (Overlapped::with_event(1, ev), None),
                Reap::Port => (Overlapped::new(1), None),
                Reap::Routine => {
                    let r: CompletionRoutine = Box::new(|c: Completion| {
                        ROUTINE_SLOT.with(|slot| *slot.borrow_mut() = Some(c));
                    });
                    (Overlapped::new(1), Some(r))
                }
            };
            let posted = host
                .wsa_recv_overlapped(s, b, 0, ovl, routine)
                .expect("post");
            debug_assert!(posted.is_pending());
            let mut sent = 0;
            host.wsa_send_msg(s, &out, 0, Some(&mut sent))
                .expect("send");
            let done = match reap {
                Reap::Event => {
                    host.wsa_wait_for_multiple_events(&[ev], false, WSA_INFINITE, false)
                        .expect("wait");
                    let c = host
                        .wsa_get_overlapped_result(s, &ovl, false)
                        .expect("result");
                    host.wsa_reset_event(ev).expect("reset");
                    c
                }
                Reap::Port => host
                    .get_queued_completion_status(port, WSA_INFINITE)
                    .expect("dequeue")
                    .completion
                    .expect("an operation's packet"),
                Reap::Routine => {
                    let r = host.sleep_ex(WSA_INFINITE, true).expect("sleep");
                    debug_assert_eq!(r, WaitResult::IoCompletion);
                    ROUTINE_SLOT
                        .with(|slot| slot.borrow_mut().take())
                        .expect("the routine ran")
                }
            };
            debug_assert_eq!(done.bytes, 64);
            bufs = Some(done.buffers);
        }
    })
}

const STREAM_SEND: usize = 64 * 1024;

/// A connected pair on one host: (client, accepted).
fn model_conn(host: &SimHost) -> (Socket, Socket) {
    let l = host
        .socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)
        .expect("socket");
    host.bind(l, &"127.0.0.1:0".parse().expect("addr"))
        .expect("bind");
    host.listen(l, SOMAXCONN).expect("listen");
    let c = host
        .socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)
        .expect("socket");
    host.connect(c, &host.getsockname(l).expect("name"))
        .expect("connect");
    let (a, _) = host.accept(l).expect("accept");
    (c, a)
}

/// 64 KiB sends through a model connection, each read back before the
/// next; one operation is one byte.
fn model_stream() -> Job<'static> {
    let host = model_host(bench_config());
    let (c, a) = model_conn(&host);
    let out = [WsaBuf::from(vec![5u8; STREAM_SEND])];
    let mut inn = [WsaBuf::zeroed(STREAM_SEND)];
    Box::new(move |n| {
        let sends = n.div_ceil(STREAM_SEND as u64);
        for _ in 0..sends {
            let mut sent = 0;
            host.wsa_send(c, &out, Some(&mut sent), 0).expect("send");
            debug_assert_eq!(sent as usize, STREAM_SEND);
            let mut got = 0;
            while got < STREAM_SEND {
                let (mut k, mut flags) = (0, 0);
                host.wsa_recv(a, &mut inn, Some(&mut k), &mut flags)
                    .expect("recv");
                got += k as usize;
            }
        }
    })
}

/// The same over the kernel's TCP loopback (non-blocking, so that one
/// thread can write and read without deadlock).
fn kernel_stream() -> Job<'static> {
    let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("listen");
    let mut c = TcpStream::connect(l.local_addr().expect("name")).expect("connect");
    let (mut a, _) = l.accept().expect("accept");
    c.set_nonblocking(true).expect("nonblocking");
    a.set_nonblocking(true).expect("nonblocking");
    let out = vec![5u8; STREAM_SEND];
    let mut buf = vec![0u8; STREAM_SEND];
    Box::new(move |n| {
        let sends = n.div_ceil(STREAM_SEND as u64);
        for _ in 0..sends {
            let (mut put, mut got) = (0, 0);
            while got < STREAM_SEND {
                if put < STREAM_SEND {
                    match c.write(&out[put..]) {
                        Ok(k) => put += k,
                        Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                        Err(e) => panic!("kernel write: {e}"),
                    }
                }
                match a.read(&mut buf) {
                    Ok(k) => got += k,
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                    Err(e) => panic!("kernel read: {e}"),
                }
            }
        }
    })
}

// ---- proptest ----

/// Sockets in a generated scenario.
const PROP_SOCKETS: usize = 3;
/// Operations in a generated scenario.
const PROP_OPS: usize = 50;

/// One generated operation on the sockets of a scenario.
#[derive(Debug, Clone)]
enum PropOp {
    /// `WSASendMsg` of `len` bytes from one socket to another.
    Send { from: usize, to: usize, len: usize },
    /// `WSARecvMsg` into `room` bytes (truncation when short).
    Recv { on: usize, room: usize, peek: bool },
    /// `WSARecvFrom` into `room` bytes.
    RecvFrom { on: usize, room: usize },
    /// `setsockopt(SO_RCVBUF)`.
    RcvBuf { on: usize, size: i32 },
    /// `ioctlsocket(FIONREAD)`.
    Fionread { on: usize },
    /// `shutdown(SD_RECEIVE)`.
    ShutRecv { on: usize },
    /// Virtual time passes.
    Advance { us: u64 },
}

fn prop_op() -> impl Strategy<Value = PropOp> {
    use proptest::prelude::*;
    let sock = 0..PROP_SOCKETS;
    prop_oneof![
        6 => (sock.clone(), sock.clone(), 0usize..1500)
            .prop_map(|(from, to, len)| PropOp::Send { from, to, len }),
        4 => (sock.clone(), 0usize..1500, any::<bool>())
            .prop_map(|(on, room, peek)| PropOp::Recv { on, room, peek }),
        2 => (sock.clone(), 0usize..1500).prop_map(|(on, room)| PropOp::RecvFrom { on, room }),
        1 => (sock.clone(), 0i32..8192).prop_map(|(on, size)| PropOp::RcvBuf { on, size }),
        1 => sock.clone().prop_map(|on| PropOp::Fionread { on }),
        1 => sock.prop_map(|on| PropOp::ShutRecv { on }),
        1 => (0u64..1000).prop_map(|us| PropOp::Advance { us }),
    ]
}

/// Runs one generated scenario on a fresh `Sim`; the model must not fail
/// in ways the contract does not allow (a model report, a panic).
fn run_scenario(seed: u64, cfg: Config, ops: &[PropOp]) {
    let sim = Sim::with_config(seed, cfg);
    let host = sim.add_host("local", &[]).expect("host");
    host.wsa_startup(WINSOCK_VERSION_2_2).expect("startup");
    let socks: Vec<(Socket, SocketAddr)> = (0..PROP_SOCKETS)
        .map(|_| {
            let (s, a) = model_udp(&host);
            host.set_nonblocking(s, true).expect("FIONBIO");
            (s, a)
        })
        .collect();
    let payload = [3u8; 1500];
    for op in ops {
        let r = match *op {
            PropOp::Send { from, to, len } => {
                let msg = WsaMsg::for_send(Some(&socks[to].1), &payload[..len]);
                let mut n = 0;
                host.wsa_send_msg(socks[from].0, &msg, 0, Some(&mut n))
            }
            PropOp::Recv { on, room, peek } => {
                let mut msg = WsaMsg::for_recv(&[room], 0);
                msg.flags = if peek { MSG_PEEK } else { 0 };
                let mut n = 0;
                host.wsa_recv_msg(socks[on].0, &mut msg, Some(&mut n))
            }
            PropOp::RecvFrom { on, room } => {
                let mut bufs = [WsaBuf::zeroed(room)];
                let mut from = NameBuf::storage();
                let (mut n, mut flags) = (0, 0);
                host.wsa_recv_from(socks[on].0, &mut bufs, Some(&mut n), &mut flags, &mut from)
            }
            PropOp::RcvBuf { on, size } => {
                host.set_sock_opt_int(socks[on].0, SOL_SOCKET, SO_RCVBUF, size)
            }
            PropOp::Fionread { on } => {
                let mut n = 0;
                host.ioctl_socket(socks[on].0, FIONREAD, &mut n)
            }
            PropOp::ShutRecv { on } => host.shutdown(socks[on].0, SD_RECEIVE),
            PropOp::Advance { us } => {
                sim.advance(Duration::from_micros(us));
                Ok(())
            }
        };
        if let Err(e) = r {
            assert!(e.report().is_none(), "a model report: {e}");
        }
    }
}

/// proptest cases per second: `TestRunner` over 50 random operations.
fn proptest_job(cfg: Config) -> Job<'static> {
    let strategy = proptest::collection::vec(prop_op(), PROP_OPS);
    Box::new(move |n| {
        let mut runner = TestRunner::new_with_rng(
            PtConfig {
                cases: u32::try_from(n).unwrap_or(u32::MAX),
                failure_persistence: None,
                ..PtConfig::default()
            },
            TestRng::deterministic_rng(RngAlgorithm::ChaCha),
        );
        let seed = std::cell::Cell::new(0u64);
        runner
            .run(&strategy, |ops| {
                seed.set(seed.get() + 1);
                run_scenario(seed.get(), cfg.clone(), &ops);
                Ok(())
            })
            .expect("every case passes");
    })
}

// ---- the fuzz targets ----

/// Inputs in the `ops` target's corpus.
const OPS_CORPUS: usize = 512;

/// A corpus for the `ops` fuzz target made by a seeded generator (the
/// corpus libFuzzer grows in `fuzz/corpus/ops` is not committed): byte
/// strings of 1 to 25 bytes (a seed, the settings byte, then calls), the
/// lengths of the inputs libFuzzer keeps for it.
fn ops_corpus() -> Vec<Vec<u8>> {
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        // xorshift64*
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    };
    (0..OPS_CORPUS)
        .map(|_| {
            let len = 1 + (next() % 25) as usize;
            (0..len).map(|_| next() as u8).collect()
        })
        .collect()
}

/// The `scenario_parser` target's seed corpus: the scenario files.
fn scenario_corpus() -> Vec<Vec<u8>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures/scenarios")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| std::fs::read(p).expect("a scenario file"))
        .collect()
}

/// Executions per second of a fuzz target's body over a corpus, in turn;
/// one operation is one execution.
fn fuzz_job(target: fn(&[u8]), corpus: Vec<Vec<u8>>) -> Job<'static> {
    let mut i = 0;
    Box::new(move |n| {
        for _ in 0..n {
            target(black_box(&corpus[i]));
            i = (i + 1) % corpus.len();
        }
    })
}

fn fuzz_ops() -> Job<'static> {
    fuzz_job(winsock_double::fuzz::bytes::ops_target, ops_corpus())
}

fn fuzz_scenario_parser() -> Job<'static> {
    fuzz_job(
        winsock_double::fuzz::bytes::scenario_parser_target,
        scenario_corpus(),
    )
}

// ---- memory ----

/// Live bytes per idle socket (created and bound, nothing queued).
fn mem_idle_socket(count: usize) -> f64 {
    let host = model_host(bench_config());
    // One first, so that the maps exist before counting.
    model_udp(&host);
    let before = live_bytes();
    for _ in 0..count {
        model_udp(&host);
    }
    (live_bytes() - before) as f64 / count as f64
}

/// Live bytes per queued 64-byte datagram.
fn mem_queued_datagram(count: usize) -> f64 {
    let host = model_host(bench_config());
    let (rx, to) = model_udp(&host);
    let (tx, _) = model_udp(&host);
    let room = i32::try_from(count * 64 * 2).expect("a buffer size");
    host.set_sock_opt_int(rx, SOL_SOCKET, SO_RCVBUF, room)
        .expect("SO_RCVBUF");
    let one = [WsaBuf::from(vec![1u8; 64])];
    let name = NameBuf::addr(&to);
    let send = |host: &SimHost| {
        let mut n = 0;
        host.wsa_send_to(tx, &one, Some(&mut n), 0, &name)
            .expect("send");
    };
    // One queued first (the queue and the event map have their memory).
    send(&host);
    let mut queued = 0;
    host.ioctl_socket(rx, FIONREAD, &mut queued)
        .expect("FIONREAD");
    let before = live_bytes();
    for _ in 0..count {
        send(&host);
    }
    host.ioctl_socket(rx, FIONREAD, &mut queued)
        .expect("FIONREAD");
    assert_eq!(queued as usize, 64 * (count + 1), "every datagram queued");
    (live_bytes() - before) as f64 / count as f64
}

/// Growth of live bytes while `count` datagrams flood a socket whose
/// `SO_RCVBUF` is full (each one dropped).
fn mem_flood(count: usize) -> f64 {
    let host = model_host(bench_config());
    let (rx, to) = model_udp(&host);
    let (tx, _) = model_udp(&host);
    host.set_sock_opt_int(rx, SOL_SOCKET, SO_RCVBUF, 8192)
        .expect("SO_RCVBUF");
    let one = [WsaBuf::from(vec![1u8; 512])];
    let name = NameBuf::addr(&to);
    let send = |host: &SimHost| {
        let mut n = 0;
        host.wsa_send_to(tx, &one, Some(&mut n), 0, &name)
            .expect("send");
    };
    let queued = |host: &SimHost| {
        let mut q = 0;
        host.ioctl_socket(rx, FIONREAD, &mut q).expect("FIONREAD");
        q
    };
    // Fill the buffer, then some more so that every map has its size.
    for _ in 0..64 {
        send(&host);
    }
    let full = queued(&host);
    let before = live_bytes();
    for _ in 0..count {
        send(&host);
    }
    assert_eq!(queued(&host), full, "the full buffer took nothing more");
    (live_bytes() - before) as f64
}

/// `--profile-job NAME N`: runs one model job `N` times and nothing else
/// (for `valgrind --tool=callgrind`).
fn profile_job(name: &str, n: u64) {
    let mut job = match name {
        "pairs64" => model_pairs(64),
        "pairs1400" => model_pairs(1400),
        "ovl-event" => model_overlapped(Reap::Event),
        "ovl-port" => model_overlapped(Reap::Port),
        "ovl-routine" => model_overlapped(Reap::Routine),
        "stream" => model_stream(),
        "proptest" => proptest_job(bench_config()),
        "fuzz-ops" => fuzz_ops(),
        "fuzz-scenario-parser" => fuzz_scenario_parser(),
        "timers1000" => model_timers(1_000),
        "timers1" => model_timers(1),
        other => panic!("no job `{other}`"),
    };
    job(n);
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--profile-job") {
        let n = args
            .get(i + 2)
            .and_then(|n| n.parse().ok())
            .unwrap_or(100_000);
        profile_job(&args[i + 1], n);
        return;
    }
    let opts = Opts::parse();
    let say = |what: &str| {
        if !opts.json {
            eprintln!("measuring {what} ...");
        }
    };
    let mut rows = Vec::new();

    for size in [64usize, 1400] {
        if !opts.wants(&format!("dgram_pair_{size}B")) {
            continue;
        }
        say(&format!("datagram pairs, {size} B"));
        let mut jobs = vec![model_pairs(size), kernel_pairs(size)];
        #[cfg(not(windows))]
        jobs.push(turmoil_pairs(size));
        let (r, allocs) = measure(&opts, &mut jobs);
        let name = format!("dgram_pair_{size}B");
        let mut kernel = Row::rate(&name, "pairs/s", r[0])
            .peer("kernel_udp_loopback", r[1])
            .allocs(allocs);
        if size == 64 {
            kernel = kernel.target(Target::RatioAtLeast(40.0));
        }
        rows.push(kernel);
        if let Some(&t) = r.get(2) {
            let mut turmoil = Row::rate(&name, "pairs/s", r[0])
                .peer("turmoil", t)
                .allocs(allocs);
            if size == 64 {
                turmoil = turmoil.target(Target::AtLeast(10e6));
            }
            rows.push(turmoil);
        }
    }

    for (reap, name) in [
        (Reap::Event, "overlapped_cycle_event"),
        (Reap::Port, "overlapped_cycle_port"),
        (Reap::Routine, "overlapped_cycle_routine"),
    ] {
        if !opts.wants(name) {
            continue;
        }
        say(name);
        let (r, allocs) = measure(&opts, &mut [model_overlapped(reap)]);
        rows.push(
            Row::rate(name, "cycles/s", r[0])
                .allocs(allocs)
                .target(Target::AtLeast(2e6)),
        );
    }

    if opts.wants("scale_") {
        // Cost that stays flat as the world grows: each against the
        // one-socket figure measured beside it.
        let (hosts, sockets) = if opts.quick {
            (100, 1_000)
        } else {
            (1_000, 10_000)
        };
        say(&format!("pairs among {sockets} sockets on {hosts} hosts"));
        let (r, _) = measure(
            &opts,
            &mut [model_pairs_crowded(hosts, sockets), model_pairs(64)],
        );
        rows.push(
            Row::rate(
                format!("scale_dgram_pair_64B_{sockets}_sockets_{hosts}_hosts"),
                "pairs/s",
                r[0],
            )
            .peer("dgram_pair_64B_one_socket", r[1])
            .target(Target::RatioAtLeast(0.8)),
        );
        let outstanding = if opts.quick { 10_000 } else { 100_000 };
        say(&format!(
            "overlapped cycles beside {outstanding} outstanding receives"
        ));
        let (r, _) = measure(
            &opts,
            &mut [
                model_overlapped_beside(outstanding),
                model_overlapped(Reap::Event),
            ],
        );
        rows.push(
            Row::rate(
                format!("scale_overlapped_cycle_event_{outstanding}_outstanding"),
                "cycles/s",
                r[0],
            )
            .peer("overlapped_cycle_event_alone", r[1])
            .target(Target::RatioAtLeast(0.8)),
        );
        say("a 10-minute virtual run with 1,000 timers");
        let (r, _) = measure(&opts, &mut [model_timers(1_000), model_timers(1)]);
        rows.push(
            Row::rate("scale_10min_virtual_1000_timers", "datagrams/s", r[0])
                .peer("one_timer", r[1])
                .target(Target::RatioAtLeast(0.8)),
        );
    }

    if opts.wants("stream_64KiB_sends") {
        say("stream throughput");
        let (r, _) = measure(&opts, &mut [model_stream(), kernel_stream()]);
        rows.push(
            Row::rate("stream_64KiB_sends", "bytes/s", r[0]).peer("kernel_tcp_loopback", r[1]),
        );
    }

    if opts.wants("proptest_50_ops") {
        say("proptest cases");
        let (r, _) = measure(&opts, &mut [proptest_job(bench_config())]);
        rows.push(Row::rate("proptest_50_ops", "cases/s", r[0]).target(Target::AtLeast(5000.0)));
        let (r, _) = measure(&opts, &mut [proptest_job(Config::default())]);
        rows.push(Row::rate("proptest_50_ops_traced", "cases/s", r[0]));
    }

    if opts.wants("fuzz_ops_target") {
        say("the fuzz targets' bodies");
        let (r, allocs) = measure(&opts, &mut [fuzz_ops(), fuzz_scenario_parser()]);
        rows.push(
            Row::rate("fuzz_ops_target", "execs/s", r[0])
                .peer("scenario_parser_target", r[1])
                .allocs(allocs)
                .target(Target::AtLeast(20_000.0)),
        );
    }

    let mut flood_ok = true;
    if opts.wants("mem_") {
        say("memory");
        let n = if opts.quick { 200 } else { 2000 };
        rows.push(Row::size("mem_per_idle_socket", mem_idle_socket(n)));
        rows.push(Row::size(
            "mem_per_outstanding_op_64B",
            mem_outstanding_op(n),
        ));
        rows.push(Row::size(
            "mem_per_queued_64B_datagram",
            mem_queued_datagram(n),
        ));
        let flood = if opts.quick { 10_000 } else { 200_000 };
        let row = Row::size(
            format!("mem_growth_flood_{flood}_full_rcvbuf"),
            mem_flood(flood),
        )
        .target(Target::AtMost(0.0));
        flood_ok = row.met() != Some(false);
        rows.push(row);
    }

    if opts.json {
        for r in &rows {
            println!("{}", r.json());
        }
    } else {
        print_table(&rows);
    }
    // The memory check is a property, not a speed: it fails the run.
    if !flood_ok {
        eprintln!("a flood into a full SO_RCVBUF grew memory");
        std::process::exit(1);
    }
}
