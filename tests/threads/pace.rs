//! Paced blocking calls (`Sim::pace`, model/src/sim/pace.rs): what the DLL
//! uses so that a blocking call of one OS thread lets the program's other
//! OS threads, which act outside the model, make their calls meanwhile.
//! A paced call stops at its horizon without a trace line and goes on
//! where it stopped when made again: its first deadline holds, and what it
//! ends with is what the unpaced call ends with.

use super::*;

const SLICE: Option<Duration> = Some(Duration::from_millis(10));

/// Two hosts 45 ms apart, Winsock started, a UDP socket on `b` bound to
/// 10.0.0.2:99 and one on `a`.
fn apart(seed: u64) -> (Sim, SimHost, SimHost, Socket, Socket) {
    let cfg = Config {
        latency_ns: 45_000_000,
        ..Config::default()
    };
    let sim = Sim::with_config(seed, cfg);
    let a = started(&sim, "a", &["10.0.0.1/24"]);
    let b = started(&sim, "b", &["10.0.0.2/24"]);
    let rx = b.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    b.bind(rx, &"10.0.0.2:99".parse().unwrap()).unwrap();
    let tx = a.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    (sim, a, b, tx, rx)
}

fn kind(e: &WsaError) -> Option<ReportKind> {
    e.report().map(|r| r.kind)
}

/// Makes a paced call until it does not stop; the stops' kinds.
fn paced<T>(
    sim: &Sim,
    mut call: impl FnMut() -> Result<T, WsaError>,
) -> (Result<T, WsaError>, Vec<ReportKind>) {
    let mut stops = Vec::new();
    loop {
        sim.pace(SLICE);
        match call() {
            Err(e) if kind(&e).is_some_and(ReportKind::is_pace_stop) => {
                stops.push(kind(&e).unwrap());
            }
            r => {
                sim.unpace();
                return (r, stops);
            }
        }
    }
}

#[test]
fn a_paced_receive_stops_at_each_horizon_and_ends_as_the_unpaced_one() {
    let (sim, a, b, tx, rx) = apart(3);
    a.send_to(tx, b"slow", &"10.0.0.2:99".parse().unwrap())
        .unwrap();
    let mut buf = [0u8; 8];
    let (r, stops) = paced(&sim, || b.recv_from(rx, &mut buf));
    assert_eq!(r.unwrap().0, 4);
    // 10, 20, 30, 40 ms: something in flight (the datagram) each time.
    assert_eq!(stops, [ReportKind::Paused; 4]);
    assert_eq!(sim.now(), Duration::from_millis(45));

    // The same run unpaced: the same trace (the stops wrote no line).
    let (sim2, a2, b2, tx2, rx2) = apart(3);
    a2.send_to(tx2, b"slow", &"10.0.0.2:99".parse().unwrap())
        .unwrap();
    assert_eq!(b2.recv_from(rx2, &mut buf).unwrap().0, 4);
    assert_eq!(sim.trace_text(), sim2.trace_text());
}

#[test]
fn a_paced_receive_keeps_its_first_deadline() {
    // RECV-BLOCKING-WAITS with SO_RCVTIMEO: the time-out counts from the
    // first attempt, not from each one made again.
    let (sim, _a, b, _tx, rx) = apart(1);
    b.set_sock_opt_int(rx, SOL_SOCKET, SO_RCVTIMEO, 25).unwrap();
    let mut buf = [0u8; 8];
    let (r, stops) = paced(&sim, || b.recv_from(rx, &mut buf));
    assert_err(r, WSAETIMEDOUT);
    assert_eq!(stops, [ReportKind::Paused; 2]);
    assert_eq!(sim.now(), Duration::from_millis(25));
}

#[test]
fn a_wait_nothing_can_end_stalls_and_unpaced_is_the_deadlock_report() {
    let (sim, _a, b, _tx, rx) = apart(1);
    let mut buf = [0u8; 8];
    for i in 1..=3u64 {
        sim.pace(SLICE);
        let e = b.recv_from(rx, &mut buf).unwrap_err();
        assert_eq!(kind(&e), Some(ReportKind::Stalled));
        assert_eq!(e.kind(), std::io::ErrorKind::Interrupted);
        assert_eq!(sim.now(), Duration::from_millis(10 * i));
    }
    // No horizon: the call stopped goes on, to its deadlock report.
    sim.pace(None);
    let e = b.recv_from(rx, &mut buf).unwrap_err();
    assert_eq!(kind(&e), Some(ReportKind::Deadlock));
    sim.unpace();
    assert!(!sim.trace_text().contains("stopped at its pace"));
}

#[test]
fn another_threads_call_between_two_stops_ends_the_wait() {
    // What the DLL does: the paced thread waits outside the model while
    // another OS thread sends; its call made again finds the datagram.
    let (sim, h) = local(5);
    let (rx, to) = udp4(&h);
    let (tx, _) = udp4(&h);
    let mut buf = [0u8; 8];
    sim.pace(SLICE);
    let e = h.recv_from(rx, &mut buf).unwrap_err();
    assert_eq!(kind(&e), Some(ReportKind::Stalled));
    std::thread::scope(|sc| {
        sc.spawn(|| send(&h, tx, b"hi", to));
    });
    sim.pace(SLICE);
    assert_eq!(h.recv_from(rx, &mut buf).unwrap().0, 2);
    sim.unpace();
    assert_eq!(&buf[..2], b"hi");
}

#[test]
fn a_stopped_wait_is_kept_only_for_the_same_call_of_the_same_os_thread() {
    let (sim, _a, b, _tx, rx) = apart(2);
    b.set_sock_opt_int(rx, SOL_SOCKET, SO_RCVTIMEO, 25).unwrap();
    let mut buf = [0u8; 8];
    sim.pace(SLICE);
    assert_eq!(
        kind(&b.recv_from(rx, &mut buf).unwrap_err()),
        Some(ReportKind::Paused)
    );
    // Another call of this thread, and a blocking receive of another OS
    // thread (not paced): neither takes the kept wait.
    b.getsockname(rx).unwrap();
    std::thread::scope(|sc| {
        sc.spawn(|| {
            let mut buf = [0u8; 8];
            // Its own 25 ms from 10 ms.
            assert_err(b.recv_from(rx, &mut buf), WSAETIMEDOUT);
        });
    });
    assert_eq!(sim.now(), Duration::from_millis(35));
    // The paced call made again: its deadline (25 ms) has passed.
    sim.pace(SLICE);
    assert_err(b.recv_from(rx, &mut buf), WSAETIMEDOUT);
    assert_eq!(sim.now(), Duration::from_millis(35));
    sim.unpace();
}

#[test]
fn a_paced_connect_goes_on_where_it_stopped() {
    // CONNECT-BLOCKING: made again after a stop, the connect goes on with
    // its handshake (not WSAEALREADY for a second connect).
    let cfg = Config {
        latency_ns: 30_000_000,
        ..Config::default()
    };
    let sim = Sim::with_config(4, cfg);
    let a = started(&sim, "a", &["10.0.0.1/24"]);
    let b = started(&sim, "b", &["10.0.0.2/24"]);
    let l = b.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP).unwrap();
    b.bind(l, &"10.0.0.2:80".parse().unwrap()).unwrap();
    b.listen(l, 1).unwrap();
    let c = a.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP).unwrap();
    let (r, stops) = paced(&sim, || a.connect(c, &"10.0.0.2:80".parse().unwrap()));
    r.unwrap();
    assert!(!stops.is_empty(), "the handshake takes 60 ms");
    assert!(stops.iter().all(|k| *k == ReportKind::Paused));
    let (r, _) = paced(&sim, || b.accept(l));
    let (_srv, peer) = r.unwrap();
    assert_eq!(peer, a.getsockname(c).unwrap());
}
