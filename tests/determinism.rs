//! Same seed, same calls: the same trace, byte for byte.

mod common;
use common::{pattern, started};
use winsock_double::*;

/// A workload touching ports, broadcast, multicast-free unicast, ICMP,
/// truncation, reuse-address choice and dual-stack pktinfo choices.
fn workload(seed: u64) -> String {
    let sim = Sim::new(seed);
    let a = started(&sim, "a", &["10.0.0.1/24", "fd00::1/64"]);
    let b = started(&sim, "b", &["10.0.0.2/24", "fd00::2/64"]);
    let mut rx = vec![];
    for _ in 0..3 {
        let s = b.socket(AF_INET, SOCK_DGRAM, 0).unwrap();
        b.set_sock_opt_int(s, SOL_SOCKET, SO_REUSEADDR, 1).unwrap();
        b.bind(s, &"10.0.0.2:5353".parse().unwrap()).unwrap();
        rx.push(s);
    }
    let d6 = b.socket(AF_INET6, SOCK_DGRAM, 0).unwrap();
    b.set_sock_opt_int(d6, IPPROTO_IPV6, IPV6_V6ONLY, 0)
        .unwrap();
    b.set_sock_opt_int(d6, IPPROTO_IPV6, IPV6_PKTINFO, 1)
        .unwrap();
    b.bind(d6, &"[::]:6000".parse().unwrap()).unwrap();
    let tx = a.socket(AF_INET, SOCK_DGRAM, 0).unwrap();
    for i in 0..20usize {
        a.send_to(tx, &pattern(i * 7), &"10.0.0.2:5353".parse().unwrap())
            .unwrap();
        a.send_to(tx, &pattern(i), &"10.0.0.2:6000".parse().unwrap())
            .unwrap();
        a.send_to(tx, b"nobody", &"10.0.0.2:1".parse().unwrap())
            .unwrap();
    }
    sim.run_until_idle();
    for &s in rx.iter().chain([&d6]) {
        b.set_nonblocking(s, true).unwrap();
        loop {
            let (r, _, _) = common::recv_msg(&b, s, &[40], 64);
            if r.as_ref().err().is_some_and(|e| e.is(WSAEWOULDBLOCK)) {
                break;
            }
        }
    }
    a.set_nonblocking(tx, true).unwrap();
    while common::recv_msg(&a, tx, &[8], 0)
        .0
        .is_err_and(|e| !e.is(WSAEWOULDBLOCK))
    {}
    serde_json::to_string(&sim.trace()).unwrap()
}

#[test]
fn hundred_seeds_twice_give_identical_traces() {
    let mut distinct = std::collections::BTreeSet::new();
    for seed in 0..100 {
        let first = workload(seed);
        let second = workload(seed);
        assert_eq!(first, second, "seed {seed} gave two traces");
        distinct.insert(first);
    }
    // The seed matters: ports, reuse-address choice, pktinfo choice.
    assert!(
        distinct.len() > 90,
        "only {} distinct traces",
        distinct.len()
    );
}

/// The trace of one seed is recorded in `fixtures/golden/`: the model must
/// give it byte for byte on every platform (this test also runs under Wine,
/// in the Windows build). `UPDATE_GOLDEN=1` rewrites the file after a
/// deliberate change of the model.
#[test]
fn seed_7_trace_matches_the_recorded_one_on_every_platform() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/golden/workload-seed7.json");
    let got = workload(7);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &got).unwrap();
    }
    let want = std::fs::read_to_string(&path)
        .expect("fixtures/golden/workload-seed7.json (UPDATE_GOLDEN=1 writes it)");
    assert!(got == want, "the trace of seed 7 changed; if deliberate, rerun with UPDATE_GOLDEN=1 and commit the file");
}

/// A threaded workload: an echo server thread, two client threads and a
/// thread waiting alertably for a completion routine; the scheduler's picks
/// and the routine order come from the seed.
fn threaded_workload(seed: u64) -> String {
    let sim = Sim::new(seed);
    let a = started(&sim, "a", &["10.0.0.1/24"]);
    let b = started(&sim, "b", &["10.0.0.2/24"]);
    let srv = b.socket(AF_INET, SOCK_DGRAM, 0).unwrap();
    b.bind(srv, &"10.0.0.2:7".parse().unwrap()).unwrap();
    let mut echo = b
        .spawn("echo", move |h| {
            for _ in 0..6 {
                let mut buf = [0u8; 32];
                let (n, from) = h.recv_from(srv, &mut buf).unwrap();
                h.send_to(srv, &buf[..n], &from).unwrap();
            }
        })
        .unwrap();
    let client = |tag: u8| {
        move |h: SimHost| {
            let s = h.socket(AF_INET, SOCK_DGRAM, 0).unwrap();
            let mut got = vec![];
            for i in 0..3u8 {
                h.send_to(s, &[tag, i], &"10.0.0.2:7".parse().unwrap())
                    .unwrap();
                let mut buf = [0u8; 8];
                let (n, _) = h.recv_from(s, &mut buf).unwrap();
                got.push(buf[..n].to_vec());
            }
            got
        }
    };
    let mut c1 = a.spawn("client-1", client(1)).unwrap();
    let mut c2 = a.spawn("client-2", client(2)).unwrap();
    let mut waiter = a
        .spawn("waiter", |h| {
            let s = h.socket(AF_INET, SOCK_DGRAM, 0).unwrap();
            h.bind(s, &"10.0.0.1:9".parse().unwrap()).unwrap();
            for id in 1..=2 {
                h.wsa_recv_overlapped(
                    s,
                    vec![WsaBuf::zeroed(8)],
                    0,
                    Overlapped::new(id),
                    Some(Box::new(|_| {})),
                )
                .unwrap();
            }
            h.send_to(s, b"x", &"10.0.0.1:9".parse().unwrap()).unwrap();
            h.send_to(s, b"y", &"10.0.0.1:9".parse().unwrap()).unwrap();
            h.sleep_ex(WSA_INFINITE, true).unwrap()
        })
        .unwrap();
    assert_eq!(c1.join().unwrap().len(), 3);
    assert_eq!(c2.join().unwrap().len(), 3);
    assert_eq!(waiter.join().unwrap(), WaitResult::IoCompletion);
    echo.join().unwrap();
    serde_json::to_string(&sim.trace()).unwrap()
}

/// As the seed-7 test, for the threaded workload: the scheduler is
/// deterministic on every platform (this test also runs under Wine).
#[test]
fn threaded_seed_7_trace_matches_the_recorded_one_on_every_platform() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/golden/threads-seed7.json");
    let got = threaded_workload(7);
    assert_eq!(got, threaded_workload(7), "two runs of seed 7 differ");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &got).unwrap();
    }
    let want = std::fs::read_to_string(&path)
        .expect("fixtures/golden/threads-seed7.json (UPDATE_GOLDEN=1 writes it)");
    assert!(got == want, "the threaded trace of seed 7 changed; if deliberate, rerun with UPDATE_GOLDEN=1 and commit the file");
}
