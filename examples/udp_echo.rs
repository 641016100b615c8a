//! A downstream example: a small UDP request/response service written
//! against the `Winsock` traits, and property tests that run it on the
//! model.
//!
//! The server answers each request with `ok:` and the request, and a
//! request longer than [`MAX_REQUEST`] with `too-big`. The client sends a
//! request, posts an overlapped `WSARecvFrom` for the answer and waits on
//! its event, sending again after a time-out (datagrams may be lost).
//!
//! [`Bugs`] switches on four classic Windows mistakes, one at a time:
//!
//! | bug | the mistake | what the model does that exposes it |
//! |---|---|---|
//! | `ignore_msgsize` | the server takes a `WSAEMSGSIZE` receive as a whole request | a long request is truncated to the buffer and the rest is lost |
//! | `connreset_fatal` | the server stops on `WSAECONNRESET` | a client that went away leaves an ICMP port-unreachable, which the next `WSARecvFrom` reports on a UDP socket |
//! | `assume_pending` | the client treats any return but `WSA_IO_PENDING` from an overlapped receive as failure | an answer already queued completes the receive at once |
//! | `reuse_overlapped` | after a time-out the client posts the receive again with the same `OVERLAPPED` | while the first receive is outstanding the model reports misuse; once it has completed unreaped, its answer is overwritten and the wait finds the new receive incomplete (`WSA_IO_INCOMPLETE`) |
//!
//! `cargo run --example udp_echo` runs the properties on the good version
//! and on each buggy one and prints the smallest failing case proptest
//! finds, with the model's trace; `cargo test --example udp_echo` checks that
//! each bug is caught and the good version passes.

use proptest::prelude::*;
use proptest::test_runner::{Config as PtConfig, RngAlgorithm, TestError, TestRng, TestRunner};
use std::net::SocketAddr;
use winsock_double::*;

/// The longest request the server reads.
pub const MAX_REQUEST: usize = 64;

/// Which classic mistakes the code makes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Bugs {
    /// The server ignores `WSAEMSGSIZE`.
    pub ignore_msgsize: bool,
    /// The server treats `WSAECONNRESET` on UDP as fatal.
    pub connreset_fatal: bool,
    /// The client assumes an overlapped receive always pends.
    pub assume_pending: bool,
    /// The client reposts with an `OVERLAPPED` that is still in use.
    pub reuse_overlapped: bool,
}

/// Serves every request waiting on the server's (non-blocking) socket;
/// returns how many it answered, or the error that stopped the server.
pub fn serve<W: Winsock>(ws: &W, s: W::Socket, bugs: Bugs) -> Result<usize, WsaError> {
    let mut answered = 0;
    loop {
        let mut buf = [0u8; MAX_REQUEST];
        let (reply, to) = match ws.recv_from_full(s, &mut buf) {
            Ok((n, from)) => ([b"ok:", &buf[..n]].concat(), from),
            Err((e, n, from)) if e.is(WSAEMSGSIZE) => {
                if bugs.ignore_msgsize {
                    ([b"ok:", &buf[..n]].concat(), from)
                } else {
                    (b"too-big".to_vec(), from)
                }
            }
            Err((e, _, _)) if e.is(WSAECONNRESET) && !bugs.connreset_fatal => continue,
            Err((e, _, _)) if e.is(WSAEWOULDBLOCK) => return Ok(answered),
            Err((e, _, _)) => return Err(e),
        };
        ws.send_to(s, &reply, &to)?;
        answered += 1;
    }
}

/// `WSARecvFrom` into `buf`, keeping the byte count and sender on
/// `WSAEMSGSIZE` too (the truncated datagram's first part is in `buf`).
trait RecvFull: Winsock {
    fn recv_from_full(
        &self,
        s: Self::Socket,
        buf: &mut [u8],
    ) -> Result<(usize, SocketAddr), (WsaError, usize, SocketAddr)> {
        let mut bufs = [WsaBuf::zeroed(buf.len())];
        let mut from = NameBuf::storage();
        let (mut n, mut flags) = (0u32, 0u32);
        let r = self.wsa_recv_from(s, &mut bufs, Some(&mut n), &mut flags, &mut from);
        let n = n as usize;
        buf[..n].copy_from_slice(&bufs[0].bytes()[..n]);
        let addr = from.decode().unwrap_or_else(|_| ([0, 0, 0, 0], 0).into());
        match r {
            Ok(()) => Ok((n, addr)),
            Err(e) => Err((e, n, addr)),
        }
    }
}

impl<W: Winsock> RecvFull for W {}

/// One request: send, let the server run (`pump`), receive the answer
/// through an overlapped `WSARecvFrom` and its event; up to 4 tries, 50 ms
/// apart.
pub fn request<W: WinsockOverlapped>(
    ws: &W,
    s: W::Socket,
    server: SocketAddr,
    payload: &[u8],
    bugs: Bugs,
    mut pump: impl FnMut() -> Result<(), WsaError>,
) -> Result<Vec<u8>, WsaError> {
    let ev = ws.wsa_create_event()?;
    let ovl = Overlapped::with_event(1, ev);
    ws.send_to(s, payload, &server)?;
    pump()?;
    let posted = ws.wsa_recv_from_overlapped(
        s,
        vec![WsaBuf::zeroed(MAX_REQUEST + 8)],
        0,
        NameBuf::storage(),
        ovl,
        None,
    )?;
    if bugs.assume_pending && posted != Posted::Pending {
        // The classic: "SOCKET_ERROR with WSA_IO_PENDING, else it failed".
        return Err(WsaError::Code(WSAEINVAL));
    }
    for _ in 0..4 {
        match ws.wsa_wait_for_multiple_events(&[ev], false, 50, false)? {
            WaitResult::Event(_) => {
                let done = ws.wsa_get_overlapped_result(s, &ovl, false)?;
                ws.wsa_close_event(ev)?;
                done.result()?;
                return Ok(done.data());
            }
            _ => {
                // Lost: ask again. The receive is still posted.
                ws.send_to(s, payload, &server)?;
                pump()?;
                if bugs.reuse_overlapped {
                    ws.wsa_recv_from_overlapped(
                        s,
                        vec![WsaBuf::zeroed(MAX_REQUEST + 8)],
                        0,
                        NameBuf::storage(),
                        ovl,
                        None,
                    )?;
                }
            }
        }
    }
    ws.cancel_io_ex(s, Some(&ovl)).ok();
    Err(WsaError::Code(WSAETIMEDOUT))
}

/// What a property run is made of: the requests, which clients vanish
/// after sending, the network's loss, the seed.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Request sizes, in order, each from client `i % 2`.
    pub requests: Vec<usize>,
    /// Client 1 gives up: it sends its first request and closes its socket
    /// at once, so the server's answer draws an ICMP port-unreachable.
    pub vanish: bool,
    /// Datagram loss per mille.
    pub loss: u16,
    /// The seed.
    pub seed: u64,
}

fn plans() -> impl Strategy<Value = Plan> {
    (
        prop::collection::vec(
            prop_oneof![4 => 1usize..=MAX_REQUEST, 1 => 65usize..=200],
            1..8,
        ),
        any::<bool>(),
        prop_oneof![2 => Just(0u16), 1 => 1u16..=300],
        any::<u64>(),
    )
        .prop_map(|(requests, vanish, loss, seed)| Plan {
            requests,
            vanish,
            loss,
            seed,
        })
}

/// Runs a plan on the model with `bugs`; `Err` says which promise broke,
/// with the model's trace.
pub fn check(plan: &Plan, bugs: Bugs) -> Result<(), String> {
    drive(&world(plan), plan, bugs)
}

/// The model a plan runs on.
fn world(plan: &Plan) -> Sim {
    Sim::with_config(
        plan.seed,
        Config {
            datagram_faults: DatagramFaults {
                loss: plan.loss,
                ..DatagramFaults::default()
            },
            ..Config::default()
        },
    )
}

/// The run of a plan as a timeline page (`--timeline DIR`), with its
/// trace as text.
pub fn timeline(plan: &Plan, bugs: Bugs, title: &str) -> (String, String) {
    let sim = world(plan);
    let _ = drive(&sim, plan, bugs);
    let page = winsock_double::timeline::html(title, &[], &sim.trace(), &sim.spans(), &[]);
    (page, sim.trace_text())
}

/// Runs a plan on `sim`.
fn drive(sim: &Sim, plan: &Plan, bugs: Bugs) -> Result<(), String> {
    let h = sim.add_host("local", &[]).map_err(|e| e.to_string())?;
    let fail = |what: String| Err(format!("{what}\n--- model trace ---\n{}", sim.trace_text()));
    let setup = || -> Result<_, WsaError> {
        h.wsa_startup(WINSOCK_VERSION_2_2)?;
        let udp = || -> Result<_, WsaError> {
            let s = h.wsa_socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP, WSA_FLAG_OVERLAPPED)?;
            h.bind(s, &"127.0.0.1:0".parse().unwrap())?;
            Ok(s)
        };
        let server = udp()?;
        h.ioctl_socket(server, FIONBIO, &mut 1)?;
        Ok((server, [udp()?, udp()?]))
    };
    let (server, clients) = match setup() {
        Ok(x) => x,
        Err(e) => return fail(format!("set-up failed: {e}")),
    };
    let server_addr = h.getsockname(server).map_err(|e| e.to_string())?;
    let stopped: std::cell::RefCell<Option<WsaError>> = Default::default();
    let mut gone = false;
    for (k, &len) in plan.requests.iter().enumerate() {
        let c = k % 2;
        if c == 1 && gone {
            continue;
        }
        let payload: Vec<u8> = (0..len).map(|i| (i + k) as u8).collect();
        let want = if len > MAX_REQUEST {
            b"too-big".to_vec()
        } else {
            [b"ok:", &payload[..]].concat()
        };
        let pump = || {
            if let Some(e) = stopped.borrow().clone() {
                return Err(e);
            }
            serve(&h, server, bugs)
                .map(|_| ())
                .inspect_err(|e| *stopped.borrow_mut() = Some(e.clone()))
        };
        if c == 1 && plan.vanish {
            // A client that gives up: it sends and closes at once. The
            // server's answer then draws an ICMP port-unreachable.
            let r = h
                .send_to(clients[1], &payload, &server_addr)
                .and_then(|_| h.close_socket(clients[1]))
                .and_then(|_| pump());
            gone = true;
            if let Err(e) = r {
                return fail(format!("request {k} ({len} bytes) failed: {e}"));
            }
            continue;
        }
        match request(&h, clients[c], server_addr, &payload, bugs, pump) {
            Ok(got) if got == want => {}
            Ok(got) => {
                return fail(format!(
                    "request {k} ({len} bytes) got {} bytes {:?}..., not its answer",
                    got.len(),
                    String::from_utf8_lossy(&got[..got.len().min(10)])
                ))
            }
            // With loss, four lost tries are possible; anything else is a
            // broken promise.
            Err(e) if e.is(WSAETIMEDOUT) && plan.loss > 0 => {}
            Err(e) => return fail(format!("request {k} ({len} bytes) failed: {e}")),
        }
    }
    if let Some(e) = stopped.into_inner() {
        return fail(format!("the server stopped: {e}"));
    }
    Ok(())
}

/// Runs the property for `bugs` with a fixed proptest seed (so the result
/// is the same every time); `Err` holds the shrunk plan and its failure.
pub fn property(bugs: Bugs, cases: u32) -> Result<(), (Plan, String)> {
    let cfg = PtConfig {
        cases,
        failure_persistence: None,
        ..PtConfig::default()
    };
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]);
    let mut runner = TestRunner::new_with_rng(cfg, rng);
    match runner.run(&plans(), |plan| {
        check(&plan, bugs)
            .map_err(|e| TestCaseError::fail(e.lines().next().unwrap_or("").to_string()))
    }) {
        Ok(()) => Ok(()),
        Err(TestError::Fail(_, plan)) => {
            let why = check(&plan, bugs).unwrap_err();
            Err((plan, why))
        }
        // Nothing here rejects cases, so proptest cannot give up.
        Err(TestError::Abort(why)) => panic!("proptest aborted: {why}"),
    }
}

/// The four buggy versions, by name.
pub fn buggy_versions() -> [(&'static str, Bugs); 4] {
    let none = Bugs::default();
    [
        (
            "ignore_msgsize",
            Bugs {
                ignore_msgsize: true,
                ..none
            },
        ),
        (
            "connreset_fatal",
            Bugs {
                connreset_fatal: true,
                ..none
            },
        ),
        (
            "assume_pending",
            Bugs {
                assume_pending: true,
                ..none
            },
        ),
        (
            "reuse_overlapped",
            Bugs {
                reuse_overlapped: true,
                ..none
            },
        ),
    ]
}

fn main() {
    // `--timeline DIR`: each caught bug's smallest case as DIR/NAME.html.
    let args: Vec<String> = std::env::args().collect();
    let pages = args
        .iter()
        .position(|a| a == "--timeline")
        .map(|i| std::path::PathBuf::from(args.get(i + 1).expect("--timeline DIR")));
    match property(Bugs::default(), 256) {
        Ok(()) => println!("good version: 256 cases pass"),
        Err((plan, why)) => println!("good version FAILS: {plan:?}\n{why}"),
    }
    for (name, bugs) in buggy_versions() {
        match property(bugs, 256) {
            Ok(()) => println!("\n{name}: NOT caught in 256 cases"),
            Err((plan, why)) => {
                let mut lines = why.lines();
                println!(
                    "\n{name}: caught. Smallest case: {plan:?}\n  {}",
                    lines.next().unwrap_or("")
                );
                for l in lines.skip(1).filter(|l| l.contains(" call ")).take(40) {
                    println!("  {l}");
                }
                if let Some(dir) = &pages {
                    let title = format!("udp_echo with {name}: the smallest failing case");
                    let path = dir.join(format!("{name}.html"));
                    let (page, trace) = timeline(&plan, bugs, &title);
                    std::fs::create_dir_all(dir)
                        .and_then(|()| std::fs::write(&path, page))
                        .and_then(|()| std::fs::write(dir.join(format!("{name}.trace.txt")), trace))
                        .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
                    println!("  timeline: {}", path.display());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_good_version_passes() {
        if let Err((plan, why)) = property(Bugs::default(), 128) {
            panic!("{plan:?}\n{why}");
        }
    }

    #[test]
    fn each_classic_bug_is_caught_and_shrunk() {
        for (name, bugs) in buggy_versions() {
            let (plan, why) = property(bugs, 128).expect_err(name);
            // Shrunk: few requests, and the failure names what broke.
            assert!(plan.requests.len() <= 5, "{name}: {plan:?}");
            let first = why.lines().next().unwrap_or("");
            match name {
                "ignore_msgsize" => assert!(first.contains("not its answer"), "{first}"),
                "connreset_fatal" => assert!(first.contains("WSAECONNRESET"), "{first}"),
                "assume_pending" => assert!(first.contains("WSAEINVAL"), "{first}"),
                // Reposted while the first is outstanding: misuse; after it
                // completed but before it was reaped: the first answer is
                // lost and the new receive is found incomplete.
                "reuse_overlapped" => assert!(
                    first.contains("misuse") || first.contains("WSA_IO_INCOMPLETE"),
                    "{first}"
                ),
                _ => unreachable!(),
            }
        }
    }
}
