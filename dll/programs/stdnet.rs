//! A program on Rust's std::net alone, as downstream code is written: it
//! knows nothing of the model. scripts/dll-stage.sh builds it for Windows
//! and runs it under Wine twice on the model's ws2_32.dll (same seed, the
//! traces must be identical) and once on Wine's own ws2_32 as the peer
//! implementation; natively it runs on the host's sockets.
//!
//! It checks what it sees and prints one line per check (no port numbers,
//! so the output is the same on every implementation); it exits with 1 on
//! the first surprise.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs, UdpSocket};
use std::time::Duration;

fn check(what: &str, ok: bool, detail: impl std::fmt::Debug) {
    if ok {
        println!("ok   {what}");
    } else {
        println!("FAIL {what}: {detail:?}");
        std::process::exit(1);
    }
}

fn main() {
    // Names: "localhost" goes through getaddrinfo.
    let local: Vec<SocketAddr> = ("localhost", 7).to_socket_addrs().unwrap().collect();
    check(
        "localhost resolves to a loopback address",
        !local.is_empty() && local.iter().all(|a| a.ip().is_loopback() && a.port() == 7),
        &local,
    );

    udp();
    tcp();
    println!("done");
}

fn udp() {
    let a = UdpSocket::bind("127.0.0.1:0").unwrap();
    let b = UdpSocket::bind("127.0.0.1:0").unwrap();
    let (aa, ba) = (a.local_addr().unwrap(), b.local_addr().unwrap());
    check(
        "udp: bound to ephemeral ports",
        aa.port() != 0 && ba.port() != 0 && aa != ba,
        (aa, ba),
    );

    // Echo: a -> b -> a.
    a.send_to(b"ping", ba).unwrap();
    let mut buf = [0u8; 64];
    let (n, from) = b.recv_from(&mut buf).unwrap();
    check(
        "udp: b receives ping from a",
        &buf[..n] == b"ping" && from == aa,
        (n, from),
    );
    b.send_to(&buf[..n], from).unwrap();
    let (n, from) = a.recv_from(&mut buf).unwrap();
    check(
        "udp: a receives the echo from b",
        &buf[..n] == b"ping" && from == ba,
        (n, from),
    );

    // A datagram larger than the buffer: Winsock's WSAEMSGSIZE (10040).
    a.send_to(&[9u8; 100], ba).unwrap();
    let mut small = [0u8; 10];
    let r = b.recv_from(&mut small);
    // (On Unix the rest of the datagram is dropped without an error.)
    check(
        "udp: a truncated datagram is WSAEMSGSIZE",
        match &r {
            Err(e) => cfg!(windows) && e.raw_os_error() == Some(10040),
            Ok((n, _)) => !cfg!(windows) && *n == 10,
        },
        &r,
    );

    // A read time-out (SO_RCVTIMEO) with nothing to read.
    b.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
    check(
        "udp: the read time-out reads back",
        // (Linux rounds it up to its clock tick.)
        matches!(b.read_timeout().unwrap(), Some(t) if t >= Duration::from_millis(50) && t < Duration::from_millis(70)),
        b.read_timeout(),
    );
    let r = b.recv_from(&mut buf);
    check(
        "udp: a receive with nothing sent times out",
        matches!(&r, Err(e) if e.kind() == ErrorKind::TimedOut || e.kind() == ErrorKind::WouldBlock),
        &r,
    );

    // Non-blocking (FIONBIO) with nothing to read.
    a.set_nonblocking(true).unwrap();
    let r = a.recv_from(&mut buf);
    check(
        "udp: a non-blocking receive would block",
        matches!(&r, Err(e) if e.kind() == ErrorKind::WouldBlock),
        &r,
    );
    a.set_nonblocking(false).unwrap();

    // connect() sets the default peer.
    a.connect(ba).unwrap();
    a.send(b"connected").unwrap();
    b.set_read_timeout(None).unwrap();
    let (n, from) = b.recv_from(&mut buf).unwrap();
    check(
        "udp: send on a connected socket",
        &buf[..n] == b"connected" && from == aa,
        (n, from),
    );
    check(
        "udp: peer_addr is the connected peer",
        a.peer_addr().unwrap() == ba,
        a.peer_addr(),
    );
}

fn tcp() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let la = l.local_addr().unwrap();
    check("tcp: listener bound", la.port() != 0, la);

    // Nothing to accept yet, non-blocking.
    l.set_nonblocking(true).unwrap();
    let r = l.accept();
    check(
        "tcp: a non-blocking accept with no connection would block",
        matches!(&r, Err(e) if e.kind() == ErrorKind::WouldBlock),
        r.map(|(_, a)| a),
    );
    l.set_nonblocking(false).unwrap();

    // connect (blocking, completes against the listener's backlog), then accept.
    let mut c = TcpStream::connect(la).unwrap();
    let (mut s, peer) = l.accept().unwrap();
    check(
        "tcp: accept gives the client's address",
        peer == c.local_addr().unwrap(),
        peer,
    );
    check(
        "tcp: the client's peer is the listener",
        c.peer_addr().unwrap() == la,
        c.peer_addr(),
    );

    c.set_nodelay(true).unwrap();
    c.write_all(b"hello over tcp").unwrap();
    let mut buf = [0u8; 14];
    s.read_exact(&mut buf).unwrap();
    check(
        "tcp: the server reads the request",
        &buf == b"hello over tcp",
        buf,
    );
    s.write_all(b"reply").unwrap();
    let mut r = [0u8; 5];
    c.read_exact(&mut r).unwrap();
    check("tcp: the client reads the reply", &r == b"reply", r);

    // A read time-out on a stream with nothing in it.
    c.set_read_timeout(Some(Duration::from_millis(30))).unwrap();
    let t = c.read(&mut r);
    check(
        "tcp: a read with nothing sent times out",
        matches!(&t, Err(e) if e.kind() == ErrorKind::TimedOut || e.kind() == ErrorKind::WouldBlock),
        &t,
    );

    // The server closes its sending side: the client reads the end.
    s.shutdown(Shutdown::Write).unwrap();
    c.set_read_timeout(None).unwrap();
    let n = c.read(&mut r).unwrap();
    check(
        "tcp: after the peer's shutdown the client reads 0",
        n == 0,
        n,
    );
    drop(s);
    drop(c);

    // connect_timeout: std makes a non-blocking connect and waits in
    // select (the write and exception sets), then reads SO_ERROR.
    let c = TcpStream::connect_timeout(&la, Duration::from_secs(5)).unwrap();
    let (s, peer) = l.accept().unwrap();
    check(
        "tcp: connect_timeout connects (non-blocking connect, select)",
        peer == c.local_addr().unwrap() && s.peer_addr().unwrap() == peer,
        peer,
    );
    drop(s);
    drop(c);
    // A port nobody listens on any more: refused within the time-out
    // (Windows retries a refused SYN for about 2 s).
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let r = TcpStream::connect_timeout(&closed, Duration::from_secs(10));
    check(
        "tcp: connect_timeout to a closed port is refused",
        matches!(&r, Err(e) if e.kind() == ErrorKind::ConnectionRefused),
        r.map(|c| c.local_addr()),
    );
}
