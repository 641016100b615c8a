//! Blocking calls across threads (`pace.rs`): a server thread blocked in
//! `accept` and `recv` while the main thread, outside the DLL, takes its
//! time before it connects and sends; a time-out of a threaded program's
//! blocking receive; a wait only a thread could end that none does. On
//! Linux and, in the Wine stage, on Windows.

use crate::calls::TEST_LOCK;
use crate::exports::*;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use windows_sys::Win32::Networking::WinSock::WSADATA;
use winsock_model::contract::*;

fn start() -> parking_lot::MutexGuard<'static, ()> {
    let g = TEST_LOCK.lock();
    let mut data: WSADATA = unsafe { std::mem::zeroed() };
    // SAFETY: a WSADATA to write.
    assert_eq!(unsafe { startup::WSAStartup(0x0202, &mut data) }, 0);
    g
}

fn name_of(s: usize) -> Vec<u8> {
    let mut buf = [0u8; 128];
    let mut len = 128i32;
    // SAFETY: 128 bytes of room.
    let r = unsafe { sock::getsockname(s, buf.as_mut_ptr().cast(), &mut len) };
    assert_eq!(r, 0);
    buf[..len as usize].to_vec()
}

/// The trace lines written since `from` lines.
fn trace_since(from: usize) -> String {
    let t = crate::trace_text();
    t.lines().skip(from).collect::<Vec<_>>().join("\n")
}

fn trace_len() -> usize {
    crate::trace_text().lines().count()
}

/// `recv` into `buf`.
fn recv(s: usize, buf: &mut [u8]) -> i32 {
    // SAFETY: `buf` is valid for its length.
    unsafe { data::recv(s, buf.as_mut_ptr(), buf.len() as i32, 0) }
}

/// Four bytes from stream socket `s` (a stream receive may give fewer
/// than are there: `WSD_STREAM_READS=seeded`).
fn recv_4(s: usize) -> Vec<u8> {
    let mut buf = [0u8; 4];
    let mut got = 0;
    while got < 4 {
        let n = recv(s, &mut buf[got..]);
        assert!(n > 0, "recv: {}", startup::WSAGetLastError());
        got += n as usize;
    }
    buf.to_vec()
}

/// `send` of `bytes`.
fn send(s: usize, bytes: &[u8]) -> i32 {
    // SAFETY: `bytes` is valid for its length.
    unsafe { data::send(s, bytes.as_ptr(), bytes.len() as i32, 0) }
}

/// A listening TCP socket on loopback and its address.
fn listener() -> (usize, Vec<u8>) {
    let l = sock::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    let any = addr::encode(&"127.0.0.1:0".parse::<SocketAddr>().unwrap());
    // SAFETY: valid buffers.
    unsafe {
        assert_eq!(sock::bind(l, any.as_ptr().cast(), 16), 0);
    }
    assert_eq!(sock::listen(l, 4), 0);
    let to = name_of(l);
    (l, to)
}

#[test]
fn a_server_thread_blocked_in_accept_and_recv_waits_for_the_main_threads_connect() {
    let _g = start();
    let from = trace_len();
    let (l, to) = listener();
    // The server blocks in accept, then in recv, long before the main
    // thread connects: unpaced, nothing in flight could end its wait and
    // the model would call it a deadlock at once.
    let server = std::thread::spawn(move || {
        // SAFETY: NULL address outputs are allowed.
        let s = unsafe { sock::accept(l, std::ptr::null_mut(), std::ptr::null_mut()) };
        assert_ne!(s, !0, "accept: {}", startup::WSAGetLastError());
        let buf = recv_4(s);
        assert_eq!(send(s, b"pong"), 4);
        assert_eq!(sock::closesocket(s), 0);
        buf[..4].to_vec()
    });
    let w0 = Instant::now();
    std::thread::sleep(Duration::from_millis(150));
    let c = sock::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    // SAFETY: valid buffers.
    assert_eq!(unsafe { sock::connect(c, to.as_ptr().cast(), 16) }, 0);
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(send(c, b"ping"), 4);
    assert_eq!(recv_4(c), b"pong");
    assert_eq!(server.join().unwrap(), b"ping");
    assert!(w0.elapsed() >= Duration::from_millis(200));
    let trace = trace_since(from);
    assert!(!trace.contains("deadlock"), "{trace}");
    // One line for each blocking call, however many times it was made.
    assert_eq!(trace.matches("accept(").count(), 1, "{trace}");
    assert_eq!(sock::closesocket(c), 0);
    assert_eq!(sock::closesocket(l), 0);
    assert_eq!(startup::WSACleanup(), 0);
}

#[test]
fn a_threaded_programs_receive_times_out_after_its_time_out_in_both_clocks() {
    let _g = start();
    let s = sock::socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    let any = addr::encode(&"127.0.0.1:0".parse::<SocketAddr>().unwrap());
    let ms: u32 = 120;
    // SAFETY: valid buffers.
    unsafe {
        assert_eq!(sock::bind(s, any.as_ptr().cast(), 16), 0);
        assert_eq!(
            sock::setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, (&ms as *const u32).cast(), 4),
            0
        );
    }
    // Another thread of the program has called in: it is threaded.
    std::thread::spawn(move || assert_ne!(name_of(s).len(), 0))
        .join()
        .unwrap();
    let d = crate::calls::dll();
    let (v0, w0) = (d.sim.now(), Instant::now());
    let mut buf = [0u8; 8];
    assert_eq!(recv(s, &mut buf), -1);
    assert_eq!(startup::WSAGetLastError(), WSAETIMEDOUT);
    // The first deadline holds across the slices (not 120 ms per slice),
    // and the wall clock waited about as long.
    assert_eq!(d.sim.now() - v0, Duration::from_millis(120));
    assert!(
        w0.elapsed() >= Duration::from_millis(100),
        "{:?}",
        w0.elapsed()
    );
    assert!(w0.elapsed() < Duration::from_secs(2), "{:?}", w0.elapsed());
    assert_eq!(sock::closesocket(s), 0);
    assert_eq!(startup::WSACleanup(), 0);
}

#[test]
fn a_wait_only_a_thread_could_end_gets_the_deadlock_report_when_none_acts() {
    let _g = start();
    let from = trace_len();
    let s = sock::socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    let any = addr::encode(&"127.0.0.1:0".parse::<SocketAddr>().unwrap());
    // SAFETY: valid buffers.
    unsafe {
        assert_eq!(sock::bind(s, any.as_ptr().cast(), 16), 0);
    }
    std::thread::spawn(move || assert_ne!(name_of(s).len(), 0))
        .join()
        .unwrap();
    let stall = Duration::from_millis(crate::calls::dll().settings.stall_ms);
    let w0 = Instant::now();
    let mut buf = [0u8; 8];
    assert_eq!(recv(s, &mut buf), -1);
    assert_eq!(startup::WSAGetLastError(), WSAETIMEDOUT);
    assert!(w0.elapsed() >= stall, "{:?}", w0.elapsed());
    let trace = trace_since(from);
    assert!(trace.contains("deadlock"), "{trace}");
    assert!(
        trace.contains("no other thread called into the DLL"),
        "{trace}"
    );
    assert_eq!(sock::closesocket(s), 0);
    assert_eq!(startup::WSACleanup(), 0);
}
