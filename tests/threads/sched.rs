//! The scheduler: one simulated thread at a time, seeded interleavings,
//! parked waits, virtual time across threads, deadlock reports, try_seeds.

use crate::common::*;
use parking_lot::Mutex;
use std::collections::BTreeSet;
use std::net::SocketAddr;
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
