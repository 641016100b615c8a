//! Connections the network breaks: keep-alive failures and retransmission
//! time-outs. Each test names the clause ids it checks.

mod common;
use common::*;
use std::net::SocketAddr;
use std::time::Duration;
use winsock_double::*;

/// Two hosts and a connection from `a` to `b`: (sim, a, b, a's socket,
/// b's socket).
fn connected(seed: u64) -> (Sim, SimHost, SimHost, Socket, Socket) {
    let sim = Sim::new(seed);
    let a = started(&sim, "a", &["10.0.0.1/24"]);
    let b = started(&sim, "b", &["10.0.0.2/24"]);
    let l = b.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP).unwrap();
    let at: SocketAddr = "10.0.0.2:80".parse().unwrap();
    b.bind(l, &at).unwrap();
    b.listen(l, 1).unwrap();
    let c = a.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP).unwrap();
    a.connect(c, &at).unwrap();
    let (s, _) = b.accept(l).unwrap();
    (sim, a, b, c, s)
}

fn recv(h: &SimHost, s: Socket) -> (Result<(), WsaError>, u32) {
    let mut bufs = vec![WsaBuf::zeroed(16)];
    let mut n = u32::MAX;
    let mut f = 0;
    let r = h.wsa_recv(s, &mut bufs, Some(&mut n), &mut f);
    (r, n)
}

fn send(h: &SimHost, s: Socket, data: &[u8]) -> Result<(), WsaError> {
    let mut n = 0;
    h.wsa_send(s, &[WsaBuf::from(data)], Some(&mut n), 0)
}

const KEEPALIVE_FAILS: Duration = Duration::from_secs(2 * 3600 + 10);

#[test]
fn keepalive_failure_resets_the_call_in_progress() {
    // RECV-ENETRESET-KEEPALIVE: the peer's host is gone; after the
    // keep-alive time and ten unanswered probes the receive in progress
    // fails with WSAENETRESET, later calls with WSAECONNRESET.
    let (sim, a, _b, c, _s) = connected(1);
    a.set_sock_opt_int(c, SOL_SOCKET, SO_KEEPALIVE, 1).unwrap();
    let t0 = sim.now();
    sim.set_network_down("b", true).unwrap();
    let (r, _) = recv(&a, c);
    assert_err(r, WSAENETRESET);
    assert_eq!(sim.now() - t0, KEEPALIVE_FAILS);
    assert_err(recv(&a, c).0, WSAECONNRESET);
    assert_err(send(&a, c, b"x"), WSAECONNRESET);
}

#[test]
fn keepalive_failure_completes_an_overlapped_receive() {
    // RECV-ENETRESET-KEEPALIVE on an outstanding overlapped receive.
    let (sim, a, _b, c, _s) = connected(2);
    a.set_sock_opt_int(c, SOL_SOCKET, SO_KEEPALIVE, 1).unwrap();
    let ev = a.wsa_create_event().unwrap();
    let ovl = Overlapped::with_event(1, ev);
    let p = a
        .wsa_recv_overlapped(c, vec![WsaBuf::zeroed(8)], 0, ovl, None)
        .unwrap();
    assert!(matches!(p, Posted::Pending));
    sim.set_network_down("b", true).unwrap();
    sim.advance(KEEPALIVE_FAILS - Duration::from_secs(1));
    assert_err(
        a.wsa_get_overlapped_result(c, &ovl, false),
        WSA_IO_INCOMPLETE,
    );
    sim.advance(Duration::from_secs(1));
    let done = a.wsa_get_overlapped_result(c, &ovl, false).unwrap();
    assert_eq!(done.error, WSAENETRESET);
}

#[test]
fn keepalive_off_or_network_back_breaks_nothing() {
    // RECV-ENETRESET-KEEPALIVE needs SO_KEEPALIVE, and a peer that stays
    // unreachable: when the network comes back in time, nothing happens.
    let (sim, a, b, c, s) = connected(3);
    sim.set_network_down("b", true).unwrap();
    sim.advance(KEEPALIVE_FAILS * 2);
    a.set_sock_opt_int(c, SOL_SOCKET, SO_KEEPALIVE, 1).unwrap();
    sim.advance(Duration::from_secs(3600));
    sim.set_network_down("b", false).unwrap();
    sim.advance(KEEPALIVE_FAILS * 2);
    send(&b, s, b"still here").unwrap();
    let (r, n) = recv(&a, c);
    r.unwrap();
    assert!(n >= 1, "a byte of the data, not the end");
}

#[test]
fn unacknowledged_data_drops_the_connection() {
    // RECV-ETIMEDOUT-DROPPED: data sent while the peer cannot be reached is
    // retransmitted until the time-out; then the connection is dropped and
    // the receive fails with WSAETIMEDOUT.
    let (sim, a, _b, c, _s) = connected(4);
    sim.set_network_down("b", true).unwrap();
    let t0 = sim.now();
    send(&a, c, b"lost").unwrap();
    assert_err(recv(&a, c).0, WSAETIMEDOUT);
    assert_eq!(sim.now() - t0, Duration::from_millis(18_900));
    assert_err(recv(&a, c).0, WSAETIMEDOUT);
}

#[test]
fn data_waits_for_the_network_to_come_back() {
    // RECV-ETIMEDOUT-DROPPED only after the whole time-out: data sent while
    // the peer is unreachable arrives, in order, once it can.
    let (sim, a, b, c, s) = connected(5);
    sim.set_network_down("b", true).unwrap();
    send(&a, c, b"one ").unwrap();
    sim.advance(Duration::from_secs(10));
    send(&a, c, b"two").unwrap();
    sim.advance(Duration::from_secs(5));
    sim.set_network_down("b", false).unwrap();
    sim.advance(Duration::from_secs(60));
    let mut got = vec![];
    while got.len() < 7 {
        let mut bufs = vec![WsaBuf::zeroed(16)];
        let mut n = 0;
        let mut f = 0;
        b.wsa_recv(s, &mut bufs, Some(&mut n), &mut f).unwrap();
        got.extend(gather(&bufs, n as usize));
    }
    assert_eq!(got, b"one two");
    send(&b, s, b"ok").unwrap();
    assert!(recv(&a, c).0.is_ok());
}

#[test]
fn closed_sockets_leave_no_timers_behind() {
    // RECV-ENETRESET-KEEPALIVE, RECV-ETIMEDOUT-DROPPED: the time-outs of a
    // connection end with its socket: closing it (or the listener holding
    // it unaccepted) while the peer is unreachable does not move the clock.
    let sim = Sim::new(6);
    let a = started(&sim, "a", &["10.0.0.1/24"]);
    let b = started(&sim, "b", &["10.0.0.2/24"]);
    let l = b.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP).unwrap();
    let at: SocketAddr = "10.0.0.2:80".parse().unwrap();
    b.bind(l, &at).unwrap();
    b.set_sock_opt_int(l, SOL_SOCKET, SO_KEEPALIVE, 1).unwrap();
    b.listen(l, 2).unwrap();
    let c1 = a.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP).unwrap();
    a.connect(c1, &at).unwrap();
    let c2 = a.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP).unwrap();
    a.set_sock_opt_int(c2, SOL_SOCKET, SO_KEEPALIVE, 1).unwrap();
    a.connect(c2, &at).unwrap();
    sim.run_until_idle();
    sim.set_network_down("a", true).unwrap();
    let t0 = sim.now();
    b.close_socket(l).unwrap();
    sim.set_network_down("a", false).unwrap();
    sim.set_network_down("b", true).unwrap();
    send(&a, c1, b"unsent").unwrap();
    a.close_socket(c1).unwrap();
    a.close_socket(c2).unwrap();
    sim.run_until_idle();
    assert!(
        sim.now() - t0 < Duration::from_secs(1),
        "{:?}",
        sim.now() - t0
    );
}

/// A `tcp_keepalive`: on or off, the time and the interval in ms.
fn keepalive_vals(on: u32, time_ms: u32, interval_ms: u32) -> Vec<u8> {
    [on, time_ms, interval_ms]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect()
}

// SIO_KEEPALIVE_VALS: the connection's own keep-alive time and probe
// interval (ten probes, as on Windows Vista and later): with 1 s and 100
// ms, an unreachable peer is given up after 2 s; it also turns keep-alive
// on (SO_KEEPALIVE reads 1) or off. A short tcp_keepalive is WSAEFAULT
// and nothing comes back (Wine's test_keepalive_vals on Windows,
// sock.c:5414-5433).
#[test]
fn keepalive_vals_set_the_connection_s_own_times() {
    let (sim, a, _b, c, _s) = connected(4);
    let vals = keepalive_vals(1, 1000, 100);
    assert_err(
        a.wsa_ioctl(c, SIO_KEEPALIVE_VALS, &vals[..11], &mut []),
        WSAEFAULT,
    );
    assert_eq!(a.wsa_ioctl(c, SIO_KEEPALIVE_VALS, &vals, &mut []), Ok(0));
    assert_eq!(a.get_sock_opt_int(c, SOL_SOCKET, SO_KEEPALIVE), Ok(1));
    let t0 = sim.now();
    sim.set_network_down("b", true).unwrap();
    let (r, _) = recv(&a, c);
    assert_err(r, WSAENETRESET);
    assert_eq!(sim.now() - t0, Duration::from_secs(2));

    // Off: nothing breaks while the peer is away.
    let (sim, a, b, c, s) = connected(5);
    a.wsa_ioctl(
        c,
        SIO_KEEPALIVE_VALS,
        &keepalive_vals(1, 1000, 100),
        &mut [],
    )
    .unwrap();
    a.wsa_ioctl(
        c,
        SIO_KEEPALIVE_VALS,
        &keepalive_vals(0, 1000, 100),
        &mut [],
    )
    .unwrap();
    assert_eq!(a.get_sock_opt_int(c, SOL_SOCKET, SO_KEEPALIVE), Ok(0));
    sim.set_network_down("b", true).unwrap();
    sim.advance(Duration::from_secs(60));
    sim.set_network_down("b", false).unwrap();
    send(&b, s, b"back").unwrap();
    let (r, n) = recv(&a, c);
    r.unwrap();
    assert!(n >= 1);
}
