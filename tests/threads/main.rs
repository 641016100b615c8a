//! Simulated threads on the model: blocking calls across threads, the
//! seeded scheduler, deadlock reports, completion routines on their own
//! thread, alertable blocking calls, thread exit and the I/O it issued.
//! Each test names the clauses it checks.
//!
//! One module per room of `model/src/sim`: `sched` (the baton, seeded
//! interleavings, parked waits, time passing, deadlock reports, try_seeds),
//! `misuse` (what the scheduler reports as misuse or diagnoses: nested
//! blocking calls, simultaneous receives, foreign OS threads), `apc`
//! (routines on their thread, alertable blocking calls), `thread` (spawn and
//! join, a thread's exit and its I/O), `pace` (paced blocking calls, for
//! threads outside the model). The set-up they share is here.

#[path = "../common/mod.rs"]
mod common;

mod apc;
mod misuse;
mod pace;
mod sched;
mod thread;

use common::*;
use parking_lot::Mutex;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use winsock_double::*;

type Log = Arc<Mutex<Vec<String>>>;

/// A routine that records the name of the OS thread it runs on.
fn note_thread(log: &Log) -> CompletionRoutine {
    let log = log.clone();
    Box::new(move |_| {
        let name = std::thread::current().name().unwrap_or("?").to_string();
        log.lock().push(name);
    })
}

/// Two hosts; `a` has a receive socket `ra` that `b` sends to, and a sender
/// `ta` with a slow link (1,000 bytes/s) and a one-byte SO_SNDBUF, so a
/// second send waits for room.
struct Pair {
    sim: Sim,
    a: SimHost,
    b: SimHost,
    ra: Socket,
    ta: Socket,
    tb: Socket,
}

fn pair(seed: u64) -> Pair {
    let sim = Sim::with_config(
        seed,
        Config {
            tx_rate: Some(1000),
            ..Config::default()
        },
    );
    let a = started(&sim, "a", &["10.0.0.1/24"]);
    let b = started(&sim, "b", &["10.0.0.2/24"]);
    let ra = a.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    a.bind(ra, &"10.0.0.1:6000".parse().unwrap()).unwrap();
    let ta = a.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    a.bind(ta, &"10.0.0.1:0".parse().unwrap()).unwrap();
    a.set_sock_opt_int(ta, SOL_SOCKET, SO_SNDBUF, 1).unwrap();
    let tb = b.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    Pair {
        sim,
        a,
        b,
        ra,
        ta,
        tb,
    }
}

fn a_ra() -> SocketAddr {
    "10.0.0.1:6000".parse().unwrap()
}

/// The blocking calls of the alertable-wait tests, made by the worker
/// after it posted an overlapped receive with a routine on `ra`.
#[derive(Clone, Copy, Debug)]
enum Blocking {
    /// WSARecvFrom on a socket that gets a datagram 5 ms later.
    RecvFrom,
    /// WSARecvMsg, likewise.
    RecvMsg,
    /// Two 100-byte WSASendMsg calls on the slow sender: the second waits.
    SendMsg,
}

/// Worker: post a receive with a routine on `ra`, then make the `kind`
/// blocking call; `b` sends to `ra` meanwhile. `inside` runs in the
/// routine with the worker's own handle. Returns the blocking call's
/// result, the routine log and the times (routine ran, call returned).
fn alertable_case(
    seed: u64,
    kind: Blocking,
    inside: impl FnOnce(&SimHost) -> Option<WsaError> + Send + 'static,
) -> (Result<(), WsaError>, Option<WsaError>, Duration, Duration) {
    let p = pair(seed);
    let (a, ra, ta) = (p.a.clone(), p.ra, p.ta);
    // A socket for the blocking receives, fed 5 ms after the start.
    let rq = a.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    a.bind(rq, &"10.0.0.1:6001".parse().unwrap()).unwrap();
    let seen: Arc<Mutex<(Option<Duration>, Option<WsaError>)>> = Arc::default();
    let s2 = seen.clone();
    let mut worker = a
        .spawn("worker", move |h| {
            let hh = h.clone();
            let routine: CompletionRoutine = Box::new(move |_| {
                let nested = inside(&hh);
                *s2.lock() = (Some(hh.sim().now()), nested);
            });
            h.wsa_recv_overlapped(
                ra,
                vec![WsaBuf::zeroed(16)],
                0,
                Overlapped::new(1),
                Some(routine),
            )
            .unwrap();
            let r = match kind {
                Blocking::RecvFrom => h.recv_from(rq, &mut [0u8; 16]).map(|_| ()),
                Blocking::RecvMsg => {
                    let mut m = WsaMsg::for_recv(&[16], 0);
                    h.wsa_recv_msg(rq, &mut m, Some(&mut 0))
                }
                Blocking::SendMsg => {
                    let to: SocketAddr = "10.0.0.2:7000".parse().unwrap();
                    let m = WsaMsg::for_send(Some(&to), &[7u8; 100]);
                    h.wsa_send_msg(ta, &m, 0, Some(&mut 0))
                        .and_then(|_| h.wsa_send_msg(ta, &m, 0, Some(&mut 0)))
                }
            };
            (r, h.sim().now())
        })
        .unwrap();
    p.b.send_to(p.tb, b"apc", &a_ra()).unwrap();
    p.b.sleep_ex(5, false).unwrap();
    p.b.send_to(p.tb, b"data", &"10.0.0.1:6001".parse().unwrap())
        .unwrap();
    let (r, returned) = worker.join().unwrap();
    let (ran, nested) = seen.lock().clone();
    let _ = &p.sim;
    (
        r,
        nested,
        ran.expect("the routine ran inside the blocking call"),
        returned,
    )
}
