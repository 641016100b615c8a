//! Trace snapshots (insta) of a few representative scenarios: the model's
//! trace is its observable behaviour, so a change to it shows up here as a
//! reviewable diff (`cargo insta review`, or `INSTA_UPDATE=always`). The
//! traces are the same on every platform (the Wine stage runs these too).

use std::path::Path;
use winsock_double::scenario::{self, runner};

fn trace(name: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sc = scenario::load(&root.join("fixtures/scenarios").join(format!("{name}.json"))).unwrap();
    let r = runner::run(&mut runner::SimBackend::default(), &sc, sc.seed);
    assert!(r.passed(), "{name} passes");
    r.trace.join("\n")
}

#[test]
fn datagram_truncation() {
    insta::assert_snapshot!(trace("recvmsg-truncation"));
}

#[test]
fn overlapped_completion_routines() {
    insta::assert_snapshot!(trace("ovl-routines"));
}

#[test]
fn stream_close_and_reset() {
    insta::assert_snapshot!(trace("stream-close"));
}

#[test]
fn icmp_port_unreachable_on_udp() {
    insta::assert_snapshot!(trace("recvmsg-icmp-connreset"));
}

#[test]
fn a_network_fault() {
    insta::assert_snapshot!(trace("stream-faults"));
}
