//! Overlapped I/O on the model: posting, completion through events,
//! `WSAGetOverlappedResult`, completion routines in alertable waits and
//! completion ports; cancellation; the misuse the documentation calls
//! undefined. Each test names the clauses it checks.
//!
//! One module per room of `model/src/sim`: `post` (what a call does when
//! it posts, and the misuse it reports), `results` (completion, filling in
//! posting order, `WSAGetOverlappedResult`), `cancel` (closesocket,
//! SIO_FLUSH, CancelIoEx, shutdown), `apc` (completion routines, alertable
//! waits), `event` (event objects, WSAWaitForMultipleEvents), `port`
//! (completion ports). The set-up they share is here.

#[path = "../common/mod.rs"]
mod common;

mod apc;
mod cancel;
mod event;
mod port;
mod post;
mod results;

use common::*;
use parking_lot::Mutex;
use std::net::SocketAddr;
use std::sync::Arc;
use winsock_double::*;

/// One host `local`, Winsock started, with the given completion timing.
fn world(seed: u64, timing: CompletionTiming) -> (Sim, SimHost) {
    let sim = Sim::with_config(
        seed,
        Config {
            completion_timing: timing,
            ..Config::default()
        },
    );
    let h = started(&sim, "local", &[]);
    (sim, h)
}

/// A routine that records its `Completion` in `log`.
fn recorder(log: &Arc<Mutex<Vec<Completion>>>) -> CompletionRoutine {
    let log = log.clone();
    Box::new(move |c| log.lock().push(c))
}

fn signalled(h: &SimHost, e: Event) -> bool {
    h.wsa_wait_for_multiple_events(&[e], false, 0, false)
        .unwrap()
        == WaitResult::Event(0)
}

/// Host `a` with a UDP socket whose sends to host `b` wait for send-buffer
/// room (1,000 bytes per second, `SO_SNDBUF` 1): the first send leaves at
/// once, the next ones wait. Returns (a, socket, b's receiver's address).
fn slow_sender(seed: u64, cfg: Config) -> (Sim, SimHost, Socket, SocketAddr) {
    let sim = Sim::with_config(
        seed,
        Config {
            tx_rate: Some(1000),
            ..cfg
        },
    );
    let a = started(&sim, "a", &["10.0.0.1/24"]);
    let b = started(&sim, "b", &["10.0.0.2/24"]);
    let rx = b.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    b.bind(rx, &"10.0.0.2:5000".parse().unwrap()).unwrap();
    let tx = a.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    a.bind(tx, &"10.0.0.1:0".parse().unwrap()).unwrap();
    a.set_sock_opt_int(tx, SOL_SOCKET, SO_SNDBUF, 1).unwrap();
    (sim, a, tx, "10.0.0.2:5000".parse().unwrap())
}

fn msg_to(to: &SocketAddr, data: &[u8]) -> WsaMsg {
    WsaMsg::for_send(Some(to), data)
}
