//! Shared set-up for the integration tests.
#![allow(dead_code)]

use std::net::SocketAddr;
use winsock_double::*;

/// A world with one host `local` (loopback only), Winsock started.
pub fn local(seed: u64) -> (Sim, SimHost) {
    let sim = Sim::new(seed);
    let h = sim.add_host("local", &[]).unwrap();
    h.wsa_startup(WINSOCK_VERSION_2_2).unwrap();
    (sim, h)
}

/// A UDP/IPv4 socket bound to 127.0.0.1 on an ephemeral port.
pub fn udp4(h: &SimHost) -> (Socket, SocketAddr) {
    let s = h.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    h.bind(s, &"127.0.0.1:0".parse().unwrap()).unwrap();
    let a = h.getsockname(s).unwrap();
    (s, a)
}

/// A UDP/IPv6 socket bound to ::1 on an ephemeral port.
pub fn udp6(h: &SimHost) -> (Socket, SocketAddr) {
    let s = h.socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    h.bind(s, &"[::1]:0".parse().unwrap()).unwrap();
    let a = h.getsockname(s).unwrap();
    (s, a)
}

/// Sends `data` from `s` to `to` with WSASendTo.
pub fn send(h: &SimHost, s: Socket, data: &[u8], to: SocketAddr) {
    assert_eq!(h.send_to(s, data, &to).unwrap(), data.len());
}

/// `WSARecvMsg` with buffers of the given sizes and `control` bytes of
/// control room; returns the call's result, the bytes reported and the msg.
pub fn recv_msg(
    h: &SimHost,
    s: Socket,
    sizes: &[usize],
    control: usize,
) -> (Result<(), WsaError>, u32, WsaMsg) {
    let mut msg = WsaMsg::for_recv(sizes, control);
    let mut n = u32::MAX;
    let r = h.wsa_recv_msg(s, &mut msg, Some(&mut n));
    (r, n, msg)
}

/// Asserts a result is the given Winsock error.
#[track_caller]
pub fn assert_err<T: std::fmt::Debug>(r: Result<T, WsaError>, code: i32) {
    match r {
        Err(e) if e.is(code) => {}
        other => panic!(
            "expected {}, got {other:?}",
            error_name(code).unwrap_or("?")
        ),
    }
}

/// A payload of `n` bytes: `i % 251`.
pub fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

/// Adds a host to `sim` and starts Winsock on it.
pub fn started(sim: &Sim, name: &str, addrs: &[&str]) -> SimHost {
    let h = sim.add_host(name, addrs).unwrap();
    h.wsa_startup(WINSOCK_VERSION_2_2).unwrap();
    h
}

/// A world with one host `local` whose stream receives return all that is
/// buffered and fits (`StreamReads::Whole`), Winsock started.
pub fn whole_reads(seed: u64) -> (Sim, SimHost) {
    let cfg = Config {
        stream_reads: StreamReads::Whole,
        ..Config::default()
    };
    let sim = Sim::with_config(seed, cfg);
    let h = started(&sim, "local", &[]);
    (sim, h)
}

/// A connected pair of `ty`/`protocol` sockets on 127.0.0.1: (client,
/// accepted side). The listener gets `SO_RCVBUF` `rcvbuf` (inherited by the
/// accepted side) when given, and is closed.
pub fn conn_pair(h: &SimHost, ty: i32, protocol: i32, rcvbuf: Option<i32>) -> (Socket, Socket) {
    let l = h.socket(AF_INET, ty, protocol).unwrap();
    h.bind(l, &"127.0.0.1:0".parse().unwrap()).unwrap();
    if let Some(n) = rcvbuf {
        h.set_sock_opt_int(l, SOL_SOCKET, SO_RCVBUF, n).unwrap();
    }
    h.listen(l, SOMAXCONN).unwrap();
    let a = h.getsockname(l).unwrap();
    let c = h.socket(AF_INET, ty, protocol).unwrap();
    h.connect(c, &a).unwrap();
    let (s, _) = h.accept(l).unwrap();
    h.close_socket(l).unwrap();
    (c, s)
}

/// How many cases a property test runs: `default`, or `PROPTEST_CASES`
/// (the Wine stage runs fewer: every simulated thread is an OS thread, and
/// Wine's thread hand-offs are slow; the model is the same on every
/// platform).
pub fn proptest_cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
