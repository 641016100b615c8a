//! Simulated threads on the model: blocking calls across threads, the
//! seeded scheduler, deadlock reports, completion routines on their own
//! thread, alertable blocking calls, thread exit and the I/O it issued.
//! Each test names the clauses it checks.

mod common;

use common::*;
use parking_lot::Mutex;
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use winsock_double::*;

const RX: &str = "10.0.0.2:5000";

fn rx_addr() -> SocketAddr {
    RX.parse().unwrap()
}

/// Host `a` sends five datagrams from a thread; host `b` receives them in
/// a thread with blocking receives. Returns what was received.
fn sender_and_receiver(sim: &Sim) -> Vec<Vec<u8>> {
    let a = started(sim, "a", &["10.0.0.1/24"]);
    let b = started(sim, "b", &["10.0.0.2/24"]);
    let rx = b.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    b.bind(rx, &rx_addr()).unwrap();
    let mut receiver = b
        .spawn("receiver", move |h| {
            (0..5)
                .map(|_| {
                    let mut buf = [0u8; 64];
                    let (n, _) = h.recv_from(rx, &mut buf).unwrap(); // RECV-BLOCKING-WAITS
                    buf[..n].to_vec()
                })
                .collect::<Vec<_>>()
        })
        .unwrap();
    let mut sender = a
        .spawn("sender", move |h| {
            let tx = h.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
            for i in 0..5u8 {
                h.send_to(tx, &[i; 3], &rx_addr()).unwrap();
            }
            h.close_socket(tx).unwrap();
        })
        .unwrap();
    sender.join().unwrap();
    receiver.join().unwrap()
}

/// The scheduler's decisions in a trace: the `sched` lines, in order.
fn interleaving(trace: &str) -> String {
    trace
        .lines()
        .filter(|l| l.contains(" sched "))
        .collect::<Vec<_>>()
        .join("\n")
}

// Issue 4: a blocking receiver thread and a sender thread, 1,000 seeds;
// each seed's trace is the same when run twice; the interleaving differs
// across seeds.
#[test]
fn blocking_receiver_and_sender_for_1000_seeds() {
    let schedules = Mutex::new(BTreeSet::new());
    try_seeds(1000, |sim| {
        let got = sender_and_receiver(sim);
        let want: Vec<Vec<u8>> = (0..5u8).map(|i| vec![i; 3]).collect();
        assert_eq!(got, want);
        let again = Sim::new(sim.seed());
        assert_eq!(sender_and_receiver(&again), want);
        let trace = sim.trace_text();
        assert_eq!(trace, again.trace_text(), "same seed, same trace");
        schedules.lock().insert(interleaving(&trace));
    });
    let n = schedules.lock().len();
    assert!(n >= 10, "only {n} interleavings in 1,000 seeds");
}

// Issue 4: a deadlock is reported, naming each thread and its wait, and
// every thread's blocked call returns the report, within one second of wall
// time.
#[test]
fn a_deadlock_is_reported_not_hung() {
    let (done, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let (_sim, h) = local(1);
        let (s1, _) = udp4(&h);
        let (s2, _) = udp4(&h);
        let wait_on = |s: Socket| {
            move |h: SimHost| {
                let mut b = [0u8; 4];
                h.recv_from(s, &mut b).map(|_| ())
            }
        };
        let mut left = h.spawn("left", wait_on(s1)).unwrap();
        let mut right = h.spawn("right", wait_on(s2)).unwrap();
        let first = left.join().unwrap_err();
        // The threads got the report too, in their own blocked calls.
        let l = left.join().unwrap().unwrap_err();
        let r = right.join().unwrap().unwrap_err();
        done.send((first, l, r)).unwrap();
    });
    let (first, l, r) = rx
        .recv_timeout(Duration::from_secs(1))
        .expect("no deadlock report within one second");
    for e in [&first, &l, &r] {
        let rep = e.report().expect("a model report");
        assert_eq!(rep.kind, ReportKind::Deadlock);
        for name in ["`main` waits in join of thread `left`", "`left`", "`right`"] {
            assert!(rep.message.contains(name), "{}", rep.message);
        }
        assert!(
            rep.message.contains("a blocking receive"),
            "{}",
            rep.message
        );
    }
}

// A single thread's deadlock keeps its plain message.
#[test]
fn a_single_thread_deadlock_says_no_other_thread_exists() {
    let (_sim, h) = local(2);
    let (s, _) = udp4(&h);
    let mut b = [0u8; 4];
    let rep = h.recv_from(s, &mut b).unwrap_err();
    let rep = rep.report().unwrap();
    assert!(
        rep.message.contains("no other thread exists"),
        "{}",
        rep.message
    );
}

#[test]
fn join_gives_the_value_and_resumes_a_panic() {
    let (_sim, h) = local(3);
    let mut t = h.spawn("adder", |_| 2 + 2).unwrap();
    assert_eq!(t.join().unwrap(), 4);
    let again = t.join().unwrap_err();
    assert_eq!(again.report().unwrap().kind, ReportKind::Misuse);
    let mut p = h
        .spawn("panicker", |_| -> u32 {
            panic!("boom in a simulated thread")
        })
        .unwrap();
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| p.join()));
    let msg = r.unwrap_err();
    assert_eq!(
        msg.downcast_ref::<&str>(),
        Some(&"boom in a simulated thread")
    );
}

// A blocking receive with SO_RCVTIMEO times out in virtual time while
// another thread sleeps (RECVMSG-ETIMEDOUT-RCVTIMEO with threads).
#[test]
fn time_outs_are_virtual_across_threads() {
    let (sim, h) = local(4);
    let (s, me) = udp4(&h);
    h.set_sock_opt_int(s, SOL_SOCKET, SO_RCVTIMEO, 50).unwrap();
    let mut t = h
        .spawn("receiver", move |h| {
            let mut b = [0u8; 4];
            let r = h.recv_from(s, &mut b).map(|_| ());
            (r, h.sim().now())
        })
        .unwrap();
    h.sleep_ex(100, false).unwrap();
    let (r, at) = t.join().unwrap();
    assert_err(r, WSAETIMEDOUT);
    assert_eq!(at, Duration::from_millis(50));
    assert_eq!(sim.now(), Duration::from_millis(100));
    // The socket still works for the main thread.
    send(&h, s, b"x", me);
}

// RECV-EINTR-WS11 (model choice): closesocket from another thread ends a
// blocking receive with WSAEINTR.
#[test]
fn closing_a_socket_interrupts_another_threads_blocking_receive() {
    for seed in 0..20 {
        let (_sim, h) = local(seed);
        let (s, _) = udp4(&h);
        let mut t = h
            .spawn("receiver", move |h| {
                let mut b = [0u8; 4];
                h.recv_from(s, &mut b).map(|_| ())
            })
            .unwrap();
        h.sleep_ex(1, false).unwrap(); // the receiver is waiting by now
        h.close_socket(s).unwrap();
        assert_err(t.join().unwrap(), WSAEINTR);
    }
}

type Log = Arc<Mutex<Vec<String>>>;

/// A routine that records the name of the OS thread it runs on.
fn note_thread(log: &Log) -> CompletionRoutine {
    let log = log.clone();
    Box::new(move |_| {
        let name = std::thread::current().name().unwrap_or("?").to_string();
        log.lock().push(name);
    })
}

// RECV-OVL-ROUTINE-ALERTABLE, RECVMSG-OVL-ROUTINE-ALERTABLE: the routine
// runs on the thread that issued the operation, in its alertable wait; the
// main thread's alertable wait does not run it.
#[test]
fn a_routine_runs_on_its_issuing_thread() {
    for seed in 0..50 {
        let (_sim, h) = local(seed);
        let (s, me) = udp4(&h);
        let log: Log = Arc::default();
        let l = log.clone();
        let mut worker = h
            .spawn("worker", move |h| {
                h.wsa_recv_msg_overlapped(
                    s,
                    WsaMsg::for_recv(&[16], 0),
                    Overlapped::new(1),
                    Some(note_thread(&l)),
                )
                .unwrap();
                h.sleep_ex(WSA_INFINITE, true).unwrap()
            })
            .unwrap();
        send(&h, s, b"ping", me);
        assert_eq!(h.sleep_ex(10, true).unwrap(), WaitResult::Timeout);
        assert_eq!(worker.join().unwrap(), WaitResult::IoCompletion);
        assert_eq!(*log.lock(), ["sim-worker"], "seed {seed}");
    }
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

// RECV-BLOCKING-ALERTABLE, RECVMSG-BLOCKING-ALERTABLE,
// SENDMSG-BLOCKING-ALERTABLE: the routine queued to the thread runs during
// its blocking call (the worker makes no other alertable wait), and the
// call goes on waiting and then completes.
#[test]
fn blocking_calls_wait_alertably() {
    for kind in [Blocking::RecvFrom, Blocking::RecvMsg, Blocking::SendMsg] {
        for seed in 0..20 {
            let (r, nested, ran, returned) = alertable_case(seed, kind, |_| None);
            r.unwrap();
            assert!(nested.is_none());
            assert!(ran < returned, "{kind:?} seed {seed}: {ran:?} {returned:?}");
        }
    }
}

// RECV-APC-NESTED-BLOCKING-UB, RECVMSG-APC-NESTED-BLOCKING-UB,
// SENDMSG-APC-NESTED-BLOCKING-UB: a blocking call inside a routine that
// interrupted a blocking call is reported as misuse, naming the clause of
// the interrupted call; a non-blocking call there is fine.
#[test]
fn a_blocking_call_inside_an_interrupting_routine_is_misuse() {
    let cases = [
        (Blocking::RecvFrom, "RECV-APC-NESTED-BLOCKING-UB"),
        (Blocking::RecvMsg, "RECVMSG-APC-NESTED-BLOCKING-UB"),
        (Blocking::SendMsg, "SENDMSG-APC-NESTED-BLOCKING-UB"),
    ];
    for (kind, clause) in cases {
        let (r, nested, _, _) = alertable_case(7, kind, |h| {
            let s = h.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
            h.bind(s, &"10.0.0.1:0".parse().unwrap()).unwrap();
            h.recv_from(s, &mut [0u8; 4]).err()
        });
        r.unwrap();
        let e = nested.expect("the nested call failed");
        let rep = e.report().expect("a model report");
        assert_eq!(rep.kind, ReportKind::Misuse);
        assert_eq!(rep.clause.as_deref(), Some(clause), "{kind:?}");
        assert!(rep.location.as_deref().unwrap().contains("threads.rs"));
    }
    // The same call on a non-blocking socket is allowed.
    let (r, nested, _, _) = alertable_case(7, Blocking::RecvFrom, |h| {
        let s = h.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
        h.bind(s, &"10.0.0.1:0".parse().unwrap()).unwrap();
        let mut on = 1u32;
        h.ioctl_socket(s, FIONBIO, &mut on).unwrap();
        h.recv_from(s, &mut [0u8; 4]).err()
    });
    r.unwrap();
    assert!(nested.unwrap().is(WSAEWOULDBLOCK));
}

// RECV-THREADS-SIMULTANEOUS: two threads in blocking receives on one
// socket: the model records a diagnostic (once), both calls go on, and
// which thread gets which datagram depends on the seed.
#[test]
fn receives_from_two_threads_at_once_are_diagnosed() {
    let mut assignments = BTreeSet::new();
    for seed in 0..40 {
        let (sim, h) = local(seed);
        let (s, me) = udp4(&h);
        let recv_one = move |h: SimHost| {
            let mut b = [0u8; 4];
            let (n, _) = h.recv_from(s, &mut b).unwrap();
            b[..n].to_vec()
        };
        let mut t1 = h.spawn("one", recv_one).unwrap();
        let mut t2 = h.spawn("two", recv_one).unwrap();
        h.sleep_ex(1, false).unwrap(); // both are waiting by now
        send(&h, s, b"A", me);
        send(&h, s, b"B", me);
        let got = (t1.join().unwrap(), t2.join().unwrap());
        assignments.insert(got);
        let d = sim.diagnostics();
        assert_eq!(d.len(), 1, "seed {seed}");
        assert_eq!(d[0].clause.as_deref(), Some("RECV-THREADS-SIMULTANEOUS"));
        assert!(d[0].message.contains("`one`") && d[0].message.contains("`two`"));
    }
    assert_eq!(assignments.len(), 2, "{assignments:?}");
}

// RECVMSG-THREADS-SIMULTANEOUS: overlapped receives posted on one socket
// from two threads are diagnosed; several from one thread are not.
#[test]
fn overlapped_receives_from_two_threads_are_diagnosed() {
    let (sim, h) = local(5);
    let (s, _) = udp4(&h);
    for id in 1..=2 {
        h.wsa_recv_msg_overlapped(s, WsaMsg::for_recv(&[8], 0), Overlapped::new(id), None)
            .unwrap();
    }
    assert!(sim.diagnostics().is_empty());
    let mut t = h
        .spawn("other", move |h| {
            h.wsa_recv_msg_overlapped(s, WsaMsg::for_recv(&[8], 0), Overlapped::new(3), None)
                .unwrap()
        })
        .unwrap();
    assert_eq!(t.join().unwrap(), Posted::Pending);
    let d = sim.diagnostics();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].clause.as_deref(), Some("RECVMSG-THREADS-SIMULTANEOUS"));
}

// RECV-THREAD-EXIT-CANCELS, RECV-THREAD-EXIT-OVERLAPPED-FAIL: a receive
// with an event, on a socket without a completion port, ends with
// WSA_OPERATION_ABORTED when its thread exits; the event is signalled.
#[test]
fn thread_exit_cancels_its_receive() {
    let (_sim, h) = local(6);
    let (s, me) = udp4(&h);
    let ev = h.wsa_create_event().unwrap();
    let ovl = Overlapped::with_event(1, ev);
    let mut t = h
        .spawn("poster", move |h| {
            h.wsa_recv_overlapped(s, vec![WsaBuf::zeroed(8)], 0, ovl, None)
                .unwrap()
        })
        .unwrap();
    assert_eq!(t.join().unwrap(), Posted::Pending);
    assert_eq!(
        h.wsa_wait_for_multiple_events(&[ev], false, 0, false)
            .unwrap(),
        WaitResult::Event(0)
    );
    let c = h.wsa_get_overlapped_result(s, &ovl, false).unwrap();
    assert_eq!((c.error, c.bytes), (WSA_OPERATION_ABORTED, 0));
    // A later datagram waits for the next receive.
    send(&h, s, b"late", me);
    assert_eq!(&h.recv_from(s, &mut [0u8; 8]).unwrap().0, &4);
}

// RECVMSG-THREAD-EXIT-CANCELS, RECVMSG-THREAD-EXIT-OVERLAPPED-FAIL
// (thread-agnostic I/O): on a socket bound to
// a completion port an event-less receive outlives its thread and
// completes through the port; one with an event is cancelled, its packet
// posted.
#[test]
fn a_port_bound_request_without_event_survives_its_thread() {
    let (_sim, h) = local(7);
    let (s, me) = udp4(&h);
    let port = h.create_io_completion_port(0).unwrap();
    h.associate_completion_port(port, s, 9).unwrap();
    let ev = h.wsa_create_event().unwrap();
    let mut t = h
        .spawn("poster", move |h| {
            let a = h
                .wsa_recv_msg_overlapped(s, WsaMsg::for_recv(&[8], 0), Overlapped::new(1), None)
                .unwrap();
            let b = h
                .wsa_recv_msg_overlapped(
                    s,
                    WsaMsg::for_recv(&[8], 0),
                    Overlapped::with_event(2, ev),
                    None,
                )
                .unwrap();
            (a, b)
        })
        .unwrap();
    assert_eq!(t.join().unwrap(), (Posted::Pending, Posted::Pending));
    // The one with an event was cancelled at the exit.
    let p = h.get_queued_completion_status(port, 0).unwrap();
    assert_eq!(
        (p.overlapped.unwrap().id, p.error),
        (2, WSA_OPERATION_ABORTED)
    );
    // The event-less one is still there, and takes the next datagram.
    assert_err(h.get_queued_completion_status(port, 0), WSA_WAIT_TIMEOUT);
    send(&h, s, b"kept", me);
    let p = h.get_queued_completion_status(port, 100).unwrap();
    assert_eq!((p.overlapped.unwrap().id, p.error, p.bytes), (1, 0, 4));
}

// SENDMSG-THREAD-EXIT-CANCELS, SENDMSG-THREAD-EXIT-OVERLAPPED-FAIL: a send
// still waiting for room when its thread exits is aborted.
#[test]
fn thread_exit_cancels_its_pending_send() {
    let p = pair(8);
    let ta = p.ta;
    let mut t =
        p.a.spawn("sender", move |h| {
            let to: SocketAddr = "10.0.0.2:7000".parse().unwrap();
            let msg = || WsaMsg::for_send(Some(&to), &[1u8; 100]);
            let first = h
                .wsa_send_msg_overlapped(ta, msg(), 0, Overlapped::new(1), None)
                .unwrap();
            let second = h
                .wsa_send_msg_overlapped(ta, msg(), 0, Overlapped::new(2), None)
                .unwrap();
            (first, second)
        })
        .unwrap();
    let (first, second) = t.join().unwrap();
    assert_eq!(second, Posted::Pending, "the second send waits for room");
    // The first one had left already: the exit does not touch it.
    if first == Posted::Pending {
        let c =
            p.a.wsa_get_overlapped_result(ta, &Overlapped::new(1), false)
                .unwrap();
        assert_eq!((c.error, c.bytes), (0, 100));
    } else {
        assert_eq!(
            first,
            Posted::Completed {
                error: 0,
                bytes: 100,
                flags: 0
            }
        );
    }
    let c =
        p.a.wsa_get_overlapped_result(ta, &Overlapped::new(2), false)
            .unwrap();
    assert_eq!(c.error, WSA_OPERATION_ABORTED);
}

// RECV-THREAD-EXIT-OVERLAPPED-FAIL, RECVMSG-THREAD-EXIT-OVERLAPPED-FAIL,
// SENDMSG-THREAD-EXIT-OVERLAPPED-FAIL: the routines of a thread that exits never
// run: the one already queued is discarded, and one of an operation the
// exit cancelled is never queued.
#[test]
fn routines_of_an_exited_thread_never_run() {
    let (sim, h) = local(9);
    let (s, me) = udp4(&h);
    send(&h, s, b"now", me);
    let log: Log = Arc::default();
    let l = log.clone();
    let mut t = h
        .spawn("poster", move |h| {
            for id in 1..=2 {
                h.wsa_recv_overlapped(
                    s,
                    vec![WsaBuf::zeroed(8)],
                    0,
                    Overlapped::new(id),
                    Some(note_thread(&l)),
                )
                .unwrap();
            }
        })
        .unwrap();
    t.join().unwrap();
    assert_eq!(h.sleep_ex(10, true).unwrap(), WaitResult::Timeout);
    assert!(log.lock().is_empty());
    let discarded = sim
        .trace_text()
        .lines()
        .filter(|l| l.contains("apc-discarded"))
        .count();
    assert_eq!(discarded, 2, "{}", sim.trace_text());
}

// Issue 4: "try N seeds" names the failing seed and shows its trace.
#[test]
fn try_seeds_reports_the_failing_seed_and_its_trace() {
    let r = std::panic::catch_unwind(|| {
        try_seeds(10, |sim| {
            let h = started(sim, "h", &[]);
            h.sleep_ex(1, false).unwrap();
            assert!(sim.seed() != 6, "unlucky seed");
        })
    });
    let msg = r.unwrap_err();
    let msg = msg.downcast_ref::<String>().unwrap();
    assert!(msg.starts_with("seed 6 failed: unlucky seed"), "{msg}");
    assert!(msg.contains("WSD_SEED=6"), "{msg}");
    assert!(msg.contains("SleepEx(1ms, alertable=false)"), "{msg}");
}

// RECV-BLOCKING-ALERTABLE: a routine that runs inside a blocking receive
// may wait itself (SleepEx); its wait has its own time-out, and the
// receive keeps its SO_RCVTIMEO deadline.
#[test]
fn a_routine_inside_a_blocking_receive_waits_on_its_own_clock() {
    let (sim, h) = local(11);
    let (s, me) = udp4(&h);
    let (p, _) = udp4(&h);
    h.set_sock_opt_int(p, SOL_SOCKET, SO_RCVTIMEO, 50).unwrap();
    let seen: Arc<Mutex<Vec<(WaitResult, Duration)>>> = Arc::default();
    let (s2, hh) = (seen.clone(), h.clone());
    let routine: CompletionRoutine = Box::new(move |_| {
        let a = hh.sleep_ex(0, true).unwrap();
        let at_a = hh.sim().now();
        let b = hh.sleep_ex(5, false).unwrap();
        s2.lock().extend([(a, at_a), (b, hh.sim().now())]);
    });
    h.wsa_recv_overlapped(
        s,
        vec![WsaBuf::zeroed(4)],
        0,
        Overlapped::new(1),
        Some(routine),
    )
    .unwrap();
    send(&h, s, b"a", me);
    assert_err(h.recv_from(p, &mut [0u8; 4]), WSAETIMEDOUT);
    assert_eq!(sim.now(), Duration::from_millis(50));
    assert_eq!(
        *seen.lock(),
        [
            (WaitResult::Timeout, Duration::ZERO),
            (WaitResult::Timeout, Duration::from_millis(5))
        ]
    );
}

// A deadlock report a blocked call did not need (its data came before it
// ran again) is not returned by the thread's next blocking call.
#[test]
fn an_unused_deadlock_report_is_not_kept() {
    for seed in 0..30 {
        let (_sim, h) = local(seed);
        let (s1, a1) = udp4(&h);
        let (s2, a2) = udp4(&h);
        let mut a = h
            .spawn("a", move |h| h.recv_from(s1, &mut [0u8; 4]).map(|_| ()))
            .unwrap();
        let mut b = h
            .spawn("b", move |h| {
                let first = h.recv_from(s2, &mut [0u8; 4]).map(|(n, _)| n);
                let second = h.recv_from(s2, &mut [0u8; 4]).map(|(n, _)| n);
                (first, second)
            })
            .unwrap();
        let e = a.join().unwrap_err();
        assert_eq!(e.report().unwrap().kind, ReportKind::Deadlock);
        send(&h, s2, b"x", a2);
        h.sleep_ex(5, false).unwrap();
        send(&h, s2, b"y", a2);
        let (_, second) = b.join().unwrap();
        assert_eq!(second.unwrap(), 1, "seed {seed}");
        send(&h, s1, b"z", a1);
        let _ = a.join().unwrap();
    }
}

// RECVMSG-ETIMEDOUT-RCVTIMEO: a datagram arriving exactly at the deadline,
// behind another event due then, is received, not timed out (single
// thread, as before threads existed).
#[test]
fn every_event_due_at_a_deadline_happens_before_the_time_out() {
    let sim = Sim::with_config(
        1,
        Config {
            latency_ns: 1_000_000,
            ..Config::default()
        },
    );
    let a = started(&sim, "a", &["10.0.0.1/24"]);
    let b = started(&sim, "b", &["10.0.0.2/24"]);
    let r1 = b.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    b.bind(r1, &"10.0.0.2:1001".parse().unwrap()).unwrap();
    let r2 = b.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    b.bind(r2, &"10.0.0.2:1002".parse().unwrap()).unwrap();
    b.set_sock_opt_int(r2, SOL_SOCKET, SO_RCVTIMEO, 1).unwrap();
    let tx = a.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    a.send_to(tx, b"1", &"10.0.0.2:1001".parse().unwrap())
        .unwrap();
    a.send_to(tx, b"2", &"10.0.0.2:1002".parse().unwrap())
        .unwrap();
    assert_eq!(b.recv_from(r2, &mut [0u8; 4]).unwrap().0, 1);
    assert_eq!(sim.now(), Duration::from_millis(1));
}

// Sim::advance with threads parked: the caller waits like a sleep, and a
// parked receive times out at its own deadline.
#[test]
fn advance_lets_parked_threads_time_out_in_order() {
    for seed in 0..10 {
        let (sim, h) = local(seed);
        let (s, me) = udp4(&h);
        h.set_sock_opt_int(s, SOL_SOCKET, SO_RCVTIMEO, 10).unwrap();
        let mut t = h
            .spawn("receiver", move |h| {
                let r = h.recv_from(s, &mut [0u8; 4]).map(|_| ());
                (r, h.sim().now())
            })
            .unwrap();
        sim.advance(Duration::from_millis(50));
        assert_eq!(sim.now(), Duration::from_millis(50));
        send(&h, s, b"late", me);
        let (r, at) = t.join().unwrap();
        assert_err(r, WSAETIMEDOUT);
        assert_eq!(at, Duration::from_millis(10), "seed {seed}");
    }
}

// A call from an OS thread that is not a simulated one, while simulated
// threads run, is misuse (it would run beside them).
#[test]
fn a_call_from_a_foreign_os_thread_is_misuse() {
    let (_sim, h) = local(12);
    let (s, me) = udp4(&h);
    let mut t = h
        .spawn("receiver", move |h| {
            h.recv_from(s, &mut [0u8; 4]).map(|_| ())
        })
        .unwrap();
    let h2 = h.clone();
    let foreign = std::thread::spawn(move || h2.sleep_ex(0, false))
        .join()
        .unwrap();
    assert_eq!(
        foreign.unwrap_err().report().unwrap().kind,
        ReportKind::Misuse
    );
    send(&h, s, b"x", me);
    t.join().unwrap().unwrap();
    // With every spawned thread finished, any OS thread may go on.
    let h3 = h.clone();
    let later = std::thread::spawn(move || h3.sleep_ex(0, false))
        .join()
        .unwrap();
    assert_eq!(later.unwrap(), WaitResult::Timeout);
}

// A routine that panics inside a blocking receive: the panic reaches the
// caller, and afterwards the thread is no longer "inside a routine" and
// the socket's next routine runs.
#[test]
fn a_panicking_routine_leaves_no_state_behind() {
    let (_sim, h) = local(13);
    let (s, me) = udp4(&h);
    let (p, pa) = udp4(&h);
    h.wsa_recv_overlapped(
        s,
        vec![WsaBuf::zeroed(4)],
        0,
        Overlapped::new(1),
        Some(Box::new(|_| panic!("routine panics"))),
    )
    .unwrap();
    send(&h, s, b"a", me);
    let hh = h.clone();
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        hh.recv_from(p, &mut [0u8; 4])
    }));
    assert!(r.is_err());
    // Not "inside a routine": a blocking call is fine.
    send(&h, p, b"b", pa);
    assert_eq!(h.recv_from(p, &mut [0u8; 4]).unwrap().0, 1);
    let log: Log = Arc::default();
    h.wsa_recv_overlapped(
        s,
        vec![WsaBuf::zeroed(4)],
        0,
        Overlapped::new(2),
        Some(note_thread(&log)),
    )
    .unwrap();
    send(&h, s, b"c", me);
    assert_eq!(h.sleep_ex(0, true).unwrap(), WaitResult::IoCompletion);
    assert_eq!(log.lock().len(), 1);
}
