//! `WSAPoll` (`SimHost::poll`) and `select` (`SimHost::select`): readiness
//! read from the model's socket state. Each test cites what it checks:
//! a sentence of Microsoft's `WSAPoll` or `select` page, or a line of Wine's
//! `dlls/ws2_32/tests/sock.c` (Debian's wine 8.0~repack-4, the source
//! `scripts/wine-suite.sh` extracts), whose plain `ok()` lines record what
//! Windows does (the Wine project runs them there).

mod common;
use common::*;
use std::net::SocketAddr;
use std::time::Duration;
use winsock_double::sim::*;
use winsock_double::*;

/// What `check_poll` of sock.c asks: POLLRDNORM | POLLRDBAND | POLLWRNORM.
const ALL: i16 = POLLRDNORM | POLLRDBAND | POLLWRNORM;

/// `INVALID_SOCKET`, "negative" in `WSAPOLLFD.fd`.
const INVALID: Socket = Socket(u64::MAX);

/// A handle that is no socket (sock.c's 0xabacab).
const NOT_A_SOCKET: Socket = Socket(0xabacab);

fn listener(h: &SimHost) -> (Socket, SocketAddr) {
    let l = h.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP).unwrap();
    h.bind(l, &"127.0.0.1:0".parse().unwrap()).unwrap();
    h.listen(l, SOMAXCONN).unwrap();
    let a = h.getsockname(l).unwrap();
    (l, a)
}

/// A connected pair on one host: (client, server side), both non-blocking
/// as sock.c makes them.
fn pair(h: &SimHost) -> (Socket, Socket) {
    let (l, a) = listener(h);
    let c = h.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP).unwrap();
    h.connect(c, &a).unwrap();
    let (s, _) = h.accept(l).unwrap();
    h.close_socket(l).unwrap();
    h.set_nonblocking(c, true).unwrap();
    h.set_nonblocking(s, true).unwrap();
    (c, s)
}

fn send(h: &SimHost, s: Socket, data: &[u8], flags: u32) {
    let mut n = 0;
    h.wsa_send(s, &[WsaBuf::from(data)], Some(&mut n), flags)
        .unwrap();
    assert_eq!(n as usize, data.len());
}

/// Receives `want` bytes (the model's stream reads may be short, by seed).
fn recv(h: &SimHost, s: Socket, want: usize, flags: u32) -> Vec<u8> {
    let mut got = vec![];
    while got.len() < want {
        let mut bufs = [WsaBuf::zeroed(want - got.len())];
        let (mut n, mut f) = (0, flags);
        h.wsa_recv(s, &mut bufs, Some(&mut n), &mut f).unwrap();
        got.extend(gather(&bufs, n as usize));
    }
    got
}

/// sock.c's `check_poll_`: one element, 1000 ms; the count matches.
#[track_caller]
fn poll1(h: &SimHost, s: Socket, events: i16) -> i16 {
    let mut fds = [PollFd {
        socket: s,
        events,
        revents: 0xdead_u16 as i16,
    }];
    let n = h.poll(&mut fds, 1000).unwrap();
    assert_eq!(
        n,
        usize::from(fds[0].revents != 0),
        "the count (sock.c:242)"
    );
    fds[0].revents
}

fn fd(socket: Socket, events: i16) -> PollFd {
    PollFd {
        socket,
        events,
        revents: 0xdead_u16 as i16,
    }
}

#[test]
fn invalid_arguments() {
    let (_sim, h) = local(1);
    // sock.c:7775-7789: no elements is WSAEINVAL, whatever the timeout.
    assert_err(h.poll(&mut [], 0), WSAEINVAL);
    assert_err(h.poll(&mut [], 1), WSAEINVAL);
    let (l, _) = listener(&h);
    // sock.c:7800-7809: POLLERR, POLLHUP, POLLNVAL, 0x8, POLLWRBAND, 0x40,
    // 0x80, POLLPRI, 0x800 ... 0x8000 in events: WSAEINVAL ("Any other
    // values are considered errors", WSAPoll, Remarks).
    for bad in [
        POLLERR, POLLHUP, POLLNVAL, 0x8, POLLWRBAND, 0x40, 0x80, POLLPRI, 0x800, 0x1000, 0x2000,
        0x4000, -0x8000,
    ] {
        let mut fds = [fd(l, bad)];
        assert_err(h.poll(&mut fds, 0), WSAEINVAL);
    }
}

#[test]
fn nothing_pending_is_zero() {
    // sock.c:7812-7818: "When no events are pending poll returns 0 with no
    // error", revents cleared.
    let (_sim, h) = local(1);
    let (l, _) = listener(&h);
    let mut fds = [fd(l, ALL)];
    assert_eq!(h.poll(&mut fds, 0).unwrap(), 0);
    assert_eq!(fds[0].revents, 0);
}

// WIN-POLL-NVAL-UNCOUNTED, WIN-POLL-NO-SOCKET-ENOTSOCK (Windows and Wine
// 8): elements without a socket on the Windows profile; the documented
// profile counts them and says WSAEINVAL when no element has a socket.
#[test]
fn elements_without_a_socket() {
    let sim = Sim::with_config(
        1,
        Config {
            profile: Profile::windows(),
            ..Config::default()
        },
    );
    let h = started(&sim, "local", &[]);
    let (l, _) = listener(&h);
    // sock.c:7820-7831: INVALID_SOCKET (with POLLERR, not checked) is
    // POLLNVAL and not counted.
    let mut fds = [fd(INVALID, POLLERR), fd(l, POLLIN)];
    assert_eq!(h.poll(&mut fds, 0).unwrap(), 0);
    assert_eq!((fds[0].revents, fds[1].revents), (POLLNVAL, 0));
    // sock.c:7833-7844: a handle that is no socket, likewise.
    let mut fds = [fd(l, POLLIN), fd(NOT_A_SOCKET, POLLIN)];
    assert_eq!(h.poll(&mut fds, 0).unwrap(), 0);
    assert_eq!((fds[0].revents, fds[1].revents), (0, POLLNVAL));
    // sock.c:7846-7856: its events are checked: WSAEINVAL, every revents 0.
    let mut fds = [fd(l, POLLIN), fd(NOT_A_SOCKET, POLLERR)];
    assert_err(h.poll(&mut fds, 0), WSAEINVAL);
    assert_eq!((fds[0].revents, fds[1].revents), (0, 0));
    // sock.c:7858-7870: no socket at all: WSAENOTSOCK, every element
    // POLLNVAL.
    let mut fds = [fd(INVALID, POLLERR), fd(NOT_A_SOCKET, POLLERR)];
    assert_err(h.poll(&mut fds, 0), WSAENOTSOCK);
    assert_eq!((fds[0].revents, fds[1].revents), (POLLNVAL, POLLNVAL));

    // The page: every nonzero revents is counted; no valid socket is
    // WSAEINVAL.
    let (_sim, h) = local(1);
    let (l, _) = listener(&h);
    let mut fds = [fd(l, POLLIN), fd(NOT_A_SOCKET, POLLIN)];
    assert_eq!(h.poll(&mut fds, 0).unwrap(), 1);
    assert_eq!((fds[0].revents, fds[1].revents), (0, POLLNVAL));
    let mut fds = [fd(INVALID, POLLERR), fd(NOT_A_SOCKET, POLLERR)];
    assert_err(h.poll(&mut fds, 0), WSAEINVAL);
    assert_eq!((fds[0].revents, fds[1].revents), (POLLNVAL, POLLNVAL));
}

#[test]
fn a_pending_connection_makes_the_listener_readable() {
    let (sim, h) = local(1);
    let (l, a) = listener(&h);
    let c = h.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP).unwrap();
    h.set_nonblocking(c, true).unwrap();
    assert_err(h.connect(c, &a), WSAEWOULDBLOCK);
    // sock.c:7875-7885: the wait ends with POLLRDNORM (POLLIN asked);
    // WSAPoll, Remarks: "a subsequent call to accept is guaranteed to
    // complete without blocking".
    let mut fds = [fd(l, POLLIN)];
    assert_eq!(h.poll(&mut fds, 100).unwrap(), 1);
    assert_eq!(fds[0].revents, POLLRDNORM);
    assert!(
        sim.now() < Duration::from_millis(100),
        "it did not wait out the time"
    );
    fds[0].revents = 0xdead_u16 as i16;
    assert_eq!(h.poll(&mut fds, 0).unwrap(), 1);
    assert_eq!(fds[0].revents, POLLRDNORM);
    // sock.c:7887-7892: not for POLLRDBAND | POLLWRNORM.
    let mut fds = [fd(l, POLLRDBAND | POLLWRNORM)];
    assert_eq!(h.poll(&mut fds, 0).unwrap(), 0);
    assert_eq!(fds[0].revents, 0);
    let (s, _) = h.accept(l).unwrap();
    // sock.c:7910-7924: connected sockets are writable, the listener
    // nothing.
    let mut fds = [fd(l, ALL), fd(s, ALL), fd(c, ALL)];
    assert_eq!(h.poll(&mut fds, 0).unwrap(), 2);
    let got: Vec<i16> = fds.iter().map(|f| f.revents).collect();
    assert_eq!(got, [0, POLLWRNORM, POLLWRNORM]);
}

#[test]
fn data_and_urgent_data() {
    let (_sim, h) = local(1);
    let (client, server) = pair(&h);
    // sock.c:7928-7939: data is POLLRDNORM until read.
    send(&h, server, b"1234", 0);
    assert_eq!(poll1(&h, client, POLLRDNORM | POLLRDBAND), POLLRDNORM);
    assert_eq!(poll1(&h, client, ALL), POLLRDNORM | POLLWRNORM);
    assert_eq!(poll1(&h, server, ALL), POLLWRNORM);
    assert_eq!(recv(&h, client, 4, 0), b"1234");
    assert_eq!(poll1(&h, client, ALL), POLLWRNORM);
    // sock.c:7962-7976: urgent data held apart is POLLRDBAND.
    send(&h, client, b"A", MSG_OOB);
    assert_eq!(poll1(&h, client, ALL), POLLWRNORM);
    assert_eq!(poll1(&h, server, POLLRDNORM | POLLRDBAND), POLLRDBAND);
    assert_eq!(poll1(&h, server, ALL), POLLWRNORM | POLLRDBAND);
    assert_eq!(recv(&h, server, 1, MSG_OOB), b"A");
    assert_eq!(poll1(&h, server, ALL), POLLWRNORM);
    // sock.c:7980-7996: with SO_OOBINLINE it is normal data.
    h.set_sock_opt(server, SOL_SOCKET, SO_OOBINLINE, &1i32.to_le_bytes())
        .unwrap();
    send(&h, client, b"A", MSG_OOB);
    assert_eq!(poll1(&h, server, POLLRDNORM | POLLRDBAND), POLLRDNORM);
    assert_eq!(poll1(&h, server, ALL), POLLWRNORM | POLLRDNORM);
    assert_eq!(recv(&h, server, 1, 0), b"A");
    assert_eq!(poll1(&h, server, ALL), POLLWRNORM);
}

#[test]
fn shutdown_and_close_are_pollhup() {
    let (_sim, h) = local(1);
    let (client, server) = pair(&h);
    // sock.c:7998-8004: shutting down receives changes nothing here.
    h.shutdown(client, SD_RECEIVE).unwrap();
    assert_eq!(poll1(&h, client, ALL), POLLWRNORM);
    assert_eq!(poll1(&h, server, ALL), POLLWRNORM);
    // sock.c:8006-8011: the peer's FIN is POLLHUP, asked or not; WSAPoll,
    // Remarks: POLLHUP "when a remote peer shuts down a send operation (a
    // TCP FIN was received)".
    h.shutdown(client, SD_SEND).unwrap();
    assert_eq!(poll1(&h, client, ALL), POLLWRNORM);
    assert_eq!(poll1(&h, server, 0), POLLHUP);
    assert_eq!(poll1(&h, server, ALL), POLLWRNORM | POLLHUP);

    // sock.c:8016-8027: closesocket of the peer, likewise.
    let (client, server) = pair(&h);
    h.close_socket(client).unwrap();
    assert_eq!(poll1(&h, server, 0), POLLHUP);
    assert_eq!(poll1(&h, server, ALL), POLLWRNORM | POLLHUP);

    // sock.c:8031-8050: data before the FIN stays POLLRDNORM beside POLLHUP.
    let (client, server) = pair(&h);
    send(&h, client, b"data\0", 0);
    assert_eq!(poll1(&h, server, POLLRDNORM | POLLRDBAND), POLLRDNORM);
    h.shutdown(client, SD_SEND).unwrap();
    assert_eq!(poll1(&h, client, ALL), POLLWRNORM);
    assert_eq!(poll1(&h, server, 0), POLLHUP);
    assert_eq!(poll1(&h, server, ALL), POLLWRNORM | POLLRDNORM | POLLHUP);
}

#[test]
fn a_reset_is_pollerr_and_pollhup_and_readable_and_writable_to_select() {
    let (_sim, h) = local(1);
    let (client, server) = pair(&h);
    // sock.c:216-228 close_with_rst: SO_LINGER on, 0 s.
    h.set_sock_opt(server, SOL_SOCKET, SO_LINGER, &[1, 0, 0, 0])
        .unwrap();
    h.close_socket(server).unwrap();
    // sock.c:13332.
    assert_eq!(poll1(&h, client, ALL), POLLERR | POLLHUP | POLLWRNORM);
    // sock.c:13334-13344: select: the read and write sets, not the
    // exception set.
    let (mut r, mut w, mut e) = (vec![client], vec![client], vec![client]);
    let n = h
        .select(
            Some(&mut r),
            Some(&mut w),
            Some(&mut e),
            Some(Duration::ZERO),
        )
        .unwrap();
    assert_eq!(n, 2);
    assert_eq!((r, w, e), (vec![client], vec![client], vec![]));
}

#[test]
fn datagram_sockets() {
    // sock.c:8137-8161: writable from creation, bound or not; a datagram
    // is POLLRDNORM.
    let (_sim, h) = local(1);
    let client = h.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    let server = h.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    assert_eq!(poll1(&h, client, ALL), POLLWRNORM);
    assert_eq!(poll1(&h, server, ALL), POLLWRNORM);
    h.bind(client, &"127.0.0.1:0".parse().unwrap()).unwrap();
    let a = h.getsockname(client).unwrap();
    assert_eq!(poll1(&h, client, ALL), POLLWRNORM);
    h.send_to(server, b"data\0", &a).unwrap();
    assert_eq!(poll1(&h, client, POLLRDNORM | POLLRDBAND), POLLRDNORM);
    assert_eq!(poll1(&h, client, ALL), POLLWRNORM | POLLRDNORM);
    assert_eq!(poll1(&h, server, ALL), POLLWRNORM);
}

#[test]
fn timeouts_are_virtual_time() {
    let (sim, h) = local(1);
    let (s, _) = udp4(&h);
    // WSAPoll, timeout: "Greater than zero: The time, in milliseconds, to
    // wait"; "Zero: No sockets were in the queried state before the timer
    // expired".
    let t0 = sim.now();
    let mut fds = [PollFd::new(s, POLLRDNORM)];
    assert_eq!(h.poll(&mut fds, 250).unwrap(), 0);
    assert_eq!(sim.now() - t0, Duration::from_millis(250));
    // "Zero: Return immediately."
    assert_eq!(h.poll(&mut fds, 0).unwrap(), 0);
    assert_eq!(sim.now() - t0, Duration::from_millis(250));
    // "Less than zero: Wait indefinitely": with nothing that could ever
    // arrive, the model's deadlock report instead of a hang.
    let e = h.poll(&mut fds, -1).unwrap_err();
    let rep = e.report().expect("a model report");
    assert_eq!(rep.kind, ReportKind::Deadlock);
    assert!(rep.message.contains("WSAPoll"), "{}", rep.message);
}

#[test]
fn an_indefinite_wait_ends_with_the_datagram() {
    let (sim, a) = {
        let sim = Sim::new(3);
        let a = sim.add_host("a", &["10.0.0.1/24"]).unwrap();
        a.wsa_startup(WINSOCK_VERSION_2_2).unwrap();
        (sim, a)
    };
    let b = sim.add_host("b", &["10.0.0.2/24"]).unwrap();
    b.wsa_startup(WINSOCK_VERSION_2_2).unwrap();
    let rx = a.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    a.bind(rx, &"10.0.0.1:7000".parse().unwrap()).unwrap();
    let tx = b.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    b.send_to(tx, b"x", &"10.0.0.1:7000".parse().unwrap())
        .unwrap();
    let mut fds = [PollFd::new(rx, POLLIN)];
    assert_eq!(a.poll(&mut fds, -1).unwrap(), 1);
    assert_eq!(fds[0].revents, POLLRDNORM);
    assert!(
        sim.now() > Duration::ZERO,
        "it waited for the datagram in flight"
    );
    // The trace has one line for the call, with what it found.
    let t = sim.trace_text();
    assert!(t.contains("WSAPoll(["), "{t}");
    assert!(t.contains("-> ok 1 ["), "{t}");
}

#[test]
fn a_failed_connection_attempt() {
    let (_sim, h) = local(1);
    // A port nobody listens on: the attempt is refused (after the SYN
    // retries of stream.rs, about 2 s on Windows; sock.c:8083-8088).
    let (l, a) = listener(&h);
    h.close_socket(l).unwrap();
    let c = h.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP).unwrap();
    h.set_nonblocking(c, true).unwrap();
    assert_err(h.connect(c, &a), WSAEWOULDBLOCK);
    // Still connecting: nothing to report.
    assert_eq!(poll1(&h, c, 0), 0);
    // sock.c:8094-8098 (w10pro64): POLLWRNORM | POLLHUP | POLLERR.
    let mut fds = [fd(c, ALL)];
    assert_eq!(h.poll(&mut fds, 10_000).unwrap(), 1);
    assert_eq!(fds[0].revents, POLLWRNORM | POLLHUP | POLLERR);
    let mut err = [0u8; 4];
    h.get_sock_opt(c, SOL_SOCKET, SO_ERROR, &mut err).unwrap();
    assert_eq!(i32::from_le_bytes(err), WSAECONNREFUSED);
    // select: the exception set only ("If processing a connect call
    // (nonblocking), connection attempt failed"; sock.c:4292-4305).
    let (mut r, mut w, mut e) = (vec![c], vec![c], vec![c]);
    let n = h
        .select(
            Some(&mut r),
            Some(&mut w),
            Some(&mut e),
            Some(Duration::from_secs(10)),
        )
        .unwrap();
    assert_eq!(n, 1);
    assert_eq!((r, w, e), (vec![], vec![], vec![c]));
}

#[test]
fn select_arguments() {
    let (_sim, h) = local(1);
    let (c, s) = pair(&h);
    let z = Some(Duration::ZERO);
    // select, WSAEINVAL: "all three descriptor parameters were null";
    // sock.c:4032-4040: also when every set is empty.
    assert_err(h.select(None, None, None, z), WSAEINVAL);
    let (mut r, mut w, mut e) = (vec![], vec![], vec![]);
    assert_err(
        h.select(Some(&mut r), Some(&mut w), Some(&mut e), z),
        WSAEINVAL,
    );
    // WSAENOTSOCK: "One of the descriptor sets contains an entry that is
    // not a socket" (sock.c:4042-4062, INVALID_SOCKET in each set).
    let mut r = vec![INVALID];
    assert_err(h.select(Some(&mut r), None, None, z), WSAENOTSOCK);
    let mut w = vec![c, INVALID];
    assert_err(h.select(None, Some(&mut w), None, z), WSAENOTSOCK);
    // sock.c:4087-4095: a socket twice is counted and returned once.
    let mut w = vec![s, s];
    assert_eq!(h.select(None, Some(&mut w), None, z).unwrap(), 1);
    assert_eq!(w, vec![s]);
    // The time-out is virtual time, to the microsecond.
    let sim = h.sim();
    let t0 = sim.now();
    let mut r = vec![c];
    let n = h
        .select(Some(&mut r), None, None, Some(Duration::from_micros(500)))
        .unwrap();
    assert_eq!((n, r.len()), (0, 0));
    assert_eq!(sim.now() - t0, Duration::from_micros(500));
}

#[test]
fn select_states() {
    // sock.c:4126-4240: "select() works in 3 distinct states".
    let (_sim, h) = local(1);
    let (l, a) = listener(&h);
    let t = Some(Duration::from_millis(1250));
    let sets = |s: &[Socket]| (s.to_vec(), s.to_vec(), s.to_vec());
    // sock.c:4140-4144: nothing pending: 0.
    let (mut r, mut w, mut e) = sets(&[l]);
    assert_eq!(
        h.select(Some(&mut r), Some(&mut w), Some(&mut e), t)
            .unwrap(),
        0
    );
    // sock.c:4146-4153: a connection attempt makes the listener readable.
    let c = h.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP).unwrap();
    h.set_nonblocking(c, true).unwrap();
    assert_err(h.connect(c, &a), WSAEWOULDBLOCK);
    let (mut r, mut w, mut e) = sets(&[l]);
    assert_eq!(
        h.select(Some(&mut r), Some(&mut w), Some(&mut e), t)
            .unwrap(),
        1
    );
    assert_eq!(r, vec![l]);
    let (s, _) = h.accept(l).unwrap();
    // sock.c:4155-4168: "The connector is signaled through the write
    // descriptor", and the accepted socket is writable.
    let (mut r, mut w, mut e) = sets(&[l, s, c]);
    assert_eq!(
        h.select(Some(&mut r), Some(&mut w), Some(&mut e), t)
            .unwrap(),
        2
    );
    assert_eq!(w, vec![s, c]);
    // sock.c:4170-4190: data is readable, not exceptional.
    send(&h, c, b"1234", 0);
    let (mut r, mut e) = (vec![l, s], vec![l, s]);
    let mut w = vec![l];
    assert_eq!(
        h.select(Some(&mut r), Some(&mut w), Some(&mut e), t)
            .unwrap(),
        1
    );
    assert_eq!((&r, &e), (&vec![s], &vec![]));
    assert_eq!(recv(&h, s, 4, 0), b"1234");
    // sock.c:4193-4206: urgent data is exceptional.
    send(&h, c, b"A", MSG_OOB);
    let (mut r, mut e) = (vec![l, s], vec![l, s]);
    let mut w = vec![l];
    assert_eq!(
        h.select(Some(&mut r), Some(&mut w), Some(&mut e), t)
            .unwrap(),
        1
    );
    assert_eq!(e, vec![s]);
    assert_eq!(recv(&h, s, 1, MSG_OOB), b"A");
    // sock.c:4208-4228: with SO_OOBINLINE, readable.
    h.set_sock_opt(s, SOL_SOCKET, SO_OOBINLINE, &1i32.to_le_bytes())
        .unwrap();
    send(&h, c, b"A", MSG_OOB);
    let (mut r, mut e) = (vec![l, s], vec![l, s]);
    let mut w = vec![l];
    assert_eq!(
        h.select(Some(&mut r), Some(&mut w), Some(&mut e), t)
            .unwrap(),
        1
    );
    assert_eq!(r, vec![s]);
    assert_eq!(recv(&h, s, 1, 0), b"A");
    // sock.c:4230-4241: "When the connection is closed the socket is set in
    // the read descriptor".
    h.close_socket(s).unwrap();
    let (mut r, mut e) = (vec![l, c], vec![l]);
    let mut w = vec![l];
    assert_eq!(
        h.select(Some(&mut r), Some(&mut w), Some(&mut e), t)
            .unwrap(),
        1
    );
    assert_eq!(r, vec![c]);
}

#[test]
fn poll_before_startup() {
    let sim = Sim::new(1);
    let h = sim.add_host("h", &[]).unwrap();
    let mut fds = [PollFd::new(Socket(0x104), POLLIN)];
    assert_err(h.poll(&mut fds, 0), WSANOTINITIALISED);
    let mut r = vec![Socket(0x104)];
    assert_err(h.select(Some(&mut r), None, None, None), WSANOTINITIALISED);
}
