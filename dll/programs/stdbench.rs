//! Round trips per second through Rust's std::net, for the DLL's overhead
//! row (issue 23, item 5): scripts/dll-bench.sh builds it for Windows and
//! runs the same binary under Wine on the model's ws2_32.dll and on Wine's
//! own ws2_32, and prints both rates and their ratio.
//!
//! One thread holds both ends of each exchange, so no call waits for
//! another thread: a UDP request and its response between two sockets
//! (`send_to`, `recv_from`, `send_to`, `recv_from`), and a TCP ping-pong of
//! 64 bytes each way on one loopback connection (`write`, `read_exact`,
//! `write`, `read_exact`, `TCP_NODELAY` on both ends). Every byte that
//! comes back is checked. Natively it runs on the host's sockets.
//!
//! Usage: `wsd-stdbench [ROUND_TRIPS]` (default 20,000 of each kind);
//! prints `udp_round_trips N SECONDS RATE` and `tcp_round_trips N SECONDS
//! RATE`, then `done`.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::time::Instant;

/// Round trips made before the clock starts (first-call set-up, caches).
const WARM_UP: u32 = 200;

fn main() {
    let n: u32 = std::env::args()
        .nth(1)
        .map(|a| a.parse().expect("ROUND_TRIPS is a number"))
        .unwrap_or(20_000);
    report("udp_round_trips", n, udp(n));
    report("tcp_round_trips", n, tcp(n));
    println!("done");
}

/// Prints one rate line.
fn report(name: &str, n: u32, secs: f64) {
    println!("{name} {n} {secs:.6} {:.1}", f64::from(n) / secs);
}

/// Fails the program when a round trip brought back something else.
fn expect(what: &str, ok: bool) {
    if !ok {
        println!("FAIL {what}");
        std::process::exit(1);
    }
}

/// Seconds `n` UDP request/response round trips take.
fn udp(n: u32) -> f64 {
    let a = UdpSocket::bind("127.0.0.1:0").expect("bind a");
    let b = UdpSocket::bind("127.0.0.1:0").expect("bind b");
    let (aa, ba) = (a.local_addr().expect("a"), b.local_addr().expect("b"));
    let mut req = [7u8; 64];
    let mut buf = [0u8; 128];
    let mut once = |i: u32| {
        req[..4].copy_from_slice(&i.to_le_bytes());
        a.send_to(&req, ba).expect("udp request");
        let (k, from) = b.recv_from(&mut buf).expect("udp request in");
        expect(
            "udp: the request",
            k == 64 && from == aa && buf[..64] == req,
        );
        b.send_to(&buf[..k], from).expect("udp response");
        let (k, from) = a.recv_from(&mut buf).expect("udp response in");
        expect(
            "udp: the response",
            k == 64 && from == ba && buf[..64] == req,
        );
    };
    for i in 0..WARM_UP {
        once(i);
    }
    let t = Instant::now();
    for i in 0..n {
        once(i);
    }
    t.elapsed().as_secs_f64()
}

/// Seconds `n` TCP ping-pongs of 64 bytes take.
fn tcp(n: u32) -> f64 {
    let l = TcpListener::bind("127.0.0.1:0").expect("listen");
    let mut c = TcpStream::connect(l.local_addr().expect("name")).expect("connect");
    let (mut s, _) = l.accept().expect("accept");
    c.set_nodelay(true).expect("nodelay c");
    s.set_nodelay(true).expect("nodelay s");
    let mut ping = [9u8; 64];
    let mut buf = [0u8; 64];
    let mut once = |i: u32| {
        ping[..4].copy_from_slice(&i.to_le_bytes());
        c.write_all(&ping).expect("tcp ping");
        s.read_exact(&mut buf).expect("tcp ping in");
        expect("tcp: the ping", buf == ping);
        s.write_all(&buf).expect("tcp pong");
        c.read_exact(&mut buf).expect("tcp pong in");
        expect("tcp: the pong", buf == ping);
    };
    for i in 0..WARM_UP {
        once(i);
    }
    let t = Instant::now();
    for i in 0..n {
        once(i);
    }
    t.elapsed().as_secs_f64()
}
