//! A multi-threaded program on Rust's std::net alone, written as test
//! suites and small servers are: a server thread blocked in `accept` and
//! `read` while the main thread takes its time, a UDP echo thread with a
//! read time-out, threads handing each other addresses over channels,
//! several clients at once, a connection read on one thread through
//! `try_clone` while another writes. It knows nothing of the model.
//! scripts/dll-stage.sh builds it for Windows and runs it under Wine on
//! the model's ws2_32.dll and on Wine's own; natively it runs on the
//! host's sockets. One line per check (no port numbers, no timings: the
//! output is the same everywhere); exit code 1 on the first surprise.

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::sync::mpsc;
use std::thread;
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
    tcp_server_thread();
    udp_echo_thread();
    many_clients();
    cloned_stream();
    println!("done");
}

/// A server thread blocks in `accept`, then in `read`, before the client
/// exists; the main thread sleeps first.
fn tcp_server_thread() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let server = thread::spawn(move || {
        let (mut s, _) = l.accept().unwrap();
        let mut line = Vec::new();
        let mut buf = [0u8; 64];
        // Read to the client's end of stream, echoing upper-cased.
        loop {
            let n = s.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            line.extend_from_slice(&buf[..n]);
        }
        s.write_all(&line.to_ascii_uppercase()).unwrap();
        line.len()
    });
    thread::sleep(Duration::from_millis(100));
    let mut c = TcpStream::connect(addr).unwrap();
    c.write_all(b"hello from ").unwrap();
    thread::sleep(Duration::from_millis(30));
    c.write_all(b"the main thread").unwrap();
    c.shutdown(std::net::Shutdown::Write).unwrap();
    let mut back = String::new();
    c.read_to_string(&mut back).unwrap();
    let n = server.join().unwrap();
    check(
        "a server thread blocked in accept and read gets the main thread's connection and bytes",
        n == 26 && back == "HELLO FROM THE MAIN THREAD",
        (n, &back),
    );
}

/// A UDP echo thread that gives up after a read time-out with nothing
/// more coming; the address comes over a channel.
fn udp_echo_thread() {
    let (tx, rx) = mpsc::channel();
    let echo = thread::spawn(move || {
        let s = UdpSocket::bind("127.0.0.1:0").unwrap();
        s.set_read_timeout(Some(Duration::from_millis(300)))
            .unwrap();
        tx.send(s.local_addr().unwrap()).unwrap();
        let mut served = 0;
        let mut buf = [0u8; 32];
        loop {
            match s.recv_from(&mut buf) {
                Ok((n, from)) => {
                    s.send_to(&buf[..n], from).unwrap();
                    served += 1;
                }
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    return served;
                }
                Err(e) => panic!("{e}"),
            }
        }
    });
    let to = rx.recv().unwrap();
    let c = UdpSocket::bind("127.0.0.1:0").unwrap();
    c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut ok = true;
    for i in 0..5u8 {
        c.send_to(&[i; 8], to).unwrap();
        let mut buf = [0u8; 32];
        let (n, _) = c.recv_from(&mut buf).unwrap();
        ok &= n == 8 && buf[..8] == [i; 8];
        thread::sleep(Duration::from_millis(10));
    }
    let served = echo.join().unwrap();
    check(
        "a UDP echo thread answers five datagrams, then its read time-out ends it",
        ok && served == 5,
        served,
    );
}

/// Three client threads at once against one server thread that serves
/// them in turn.
fn many_clients() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let server = thread::spawn(move || {
        let mut total = 0;
        for _ in 0..3 {
            let (mut s, _) = l.accept().unwrap();
            let mut buf = [0u8; 1];
            s.read_exact(&mut buf).unwrap();
            s.write_all(&[buf[0] * 2]).unwrap();
            total += usize::from(buf[0]);
        }
        total
    });
    let clients: Vec<_> = (1..=3u8)
        .map(|i| {
            thread::spawn(move || {
                thread::sleep(Duration::from_millis(20 * u64::from(i)));
                let mut c = TcpStream::connect(addr).unwrap();
                c.write_all(&[i]).unwrap();
                let mut buf = [0u8; 1];
                c.read_exact(&mut buf).unwrap();
                buf[0]
            })
        })
        .collect();
    let answers: Vec<u8> = clients.into_iter().map(|c| c.join().unwrap()).collect();
    let total = server.join().unwrap();
    check(
        "three client threads at once, one server thread: each gets its answer",
        answers == [2, 4, 6] && total == 6,
        (answers, total),
    );
}

/// A connection's two halves on two threads: `try_clone` (which is
/// `WSADuplicateSocketW` and `WSASocketW`), a reader thread on the clone
/// handing each message over a channel to the thread that answers on the
/// original.
fn cloned_stream() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let server = thread::spawn(move || {
        let (mut s, _) = l.accept().unwrap();
        let mut r = s.try_clone().unwrap();
        let (tx, rx) = mpsc::channel();
        let reader = thread::spawn(move || {
            for _ in 0..3 {
                let mut m = [0u8; 3];
                r.read_exact(&mut m).unwrap();
                tx.send(m).unwrap();
            }
        });
        for m in rx {
            s.write_all(&[m[0], m[1], m[2], b'!']).unwrap();
        }
        reader.join().unwrap();
    });
    let mut c = TcpStream::connect(addr).unwrap();
    let mut answers = Vec::new();
    for m in [b"abc", b"def", b"ghi"] {
        c.write_all(m).unwrap();
        let mut a = [0u8; 4];
        c.read_exact(&mut a).unwrap();
        answers.push(String::from_utf8_lossy(&a).into_owned());
    }
    server.join().unwrap();
    check(
        "a connection read through try_clone on one thread and written on another",
        answers == ["abc!", "def!", "ghi!"],
        answers,
    );
}
