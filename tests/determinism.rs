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
