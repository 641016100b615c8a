//! tokio on a current_thread runtime: a TCP echo (listener and client in
//! one task set), a UDP round trip, a receive under `tokio::time::timeout`
//! that fires, and a datagram larger than the receive buffer. One line per
//! check; the same lines on the model's ws2_32.dll and on Wine's. With the
//! argument `multi`, the same on a multi_thread runtime.

use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};

fn check(what: &str, ok: bool, detail: String) {
    println!("{}: {} {}", what, if ok { "ok" } else { "FAILED" }, detail);
    if !ok {
        std::process::exit(1);
    }
}

async fn tcp_echo() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local_addr");
    check("tcp listener on loopback", addr.ip().is_loopback(), String::new());
    let server = tokio::spawn(async move {
        let (mut s, _) = listener.accept().await.expect("accept");
        let mut buf = vec![0u8; 1024];
        let mut total = 0usize;
        loop {
            let n = s.read(&mut buf).await.expect("server read");
            if n == 0 {
                break;
            }
            s.write_all(&buf[..n]).await.expect("server write");
            total += n;
        }
        s.shutdown().await.expect("server shutdown");
        total
    });
    let mut c = TcpStream::connect(addr).await.expect("connect");
    check("tcp connect", c.peer_addr().expect("peer_addr") == addr, String::new());
    let msg: Vec<u8> = (0..5000u32).map(|i| (i % 251) as u8).collect();
    let (mut rd, mut wr) = c.split();
    let writer = async {
        wr.write_all(&msg).await.expect("client write");
        wr.shutdown().await.expect("client shutdown");
    };
    let mut back = Vec::new();
    let reader = async {
        rd.read_to_end(&mut back).await.expect("client read");
    };
    tokio::join!(writer, reader);
    check("tcp echo of 5000 bytes", back == msg, format!("({} back)", back.len()));
    let total = server.await.expect("server task");
    check("tcp server saw end of stream", total == 5000, format!("({total} echoed)"));
}

async fn udp() {
    let a = UdpSocket::bind("127.0.0.1:0").await.expect("bind a");
    let b = UdpSocket::bind("127.0.0.1:0").await.expect("bind b");
    let (aa, ba) = (a.local_addr().unwrap(), b.local_addr().unwrap());
    a.send_to(b"ping", ba).await.expect("send_to");
    let mut buf = [0u8; 64];
    let (n, from) = b.recv_from(&mut buf).await.expect("recv_from");
    check("udp datagram", &buf[..n] == b"ping" && from == aa, format!("({n} bytes)"));
    b.send_to(b"pong!", from).await.expect("reply");
    let (n, _) = a.recv_from(&mut buf).await.expect("recv reply");
    check("udp reply", &buf[..n] == b"pong!", format!("({n} bytes)"));

    let r = tokio::time::timeout(Duration::from_millis(200), a.recv_from(&mut buf)).await;
    check("udp recv under a 200 ms timeout that fires", r.is_err(), String::new());

    b.send_to(&[7u8; 100], aa).await.expect("send 100");
    let mut small = [0u8; 10];
    let r = a.recv_from(&mut small).await;
    let detail = match &r {
        Ok((n, _)) => format!("(Ok {n})"),
        Err(e) => format!("(error {:?})", e.raw_os_error()),
    };
    // Windows: WSAEMSGSIZE (10040), the first 10 bytes in the buffer.
    check(
        "udp datagram of 100 bytes into 10",
        matches!(&r, Err(e) if e.raw_os_error() == Some(10040)) && small == [7u8; 10],
        detail,
    );
    // The rest of it is gone: the next datagram is the next one.
    b.send_to(b"next", aa).await.expect("send next");
    let (n, _) = a.recv_from(&mut buf).await.expect("recv next");
    check("udp next datagram after the truncated one", &buf[..n] == b"next", String::new());
}

fn main() {
    // `multi`: a multi_thread runtime of two workers instead.
    let rt = if std::env::args().nth(1).as_deref() == Some("multi") {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    }
    .expect("runtime");
    rt.block_on(async {
        tcp_echo().await;
        udp().await;
    });
    println!("done");
}
