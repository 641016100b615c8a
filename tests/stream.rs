//! Stream sockets: connections, byte-stream receives, sends, close and
//! shutdown. Each test names the clause ids it checks.

mod common;
use common::*;
use std::net::SocketAddr;
use std::time::Duration;
use winsock_double::ntstatus::*;
use winsock_double::*;

/// A TCP/IPv4 socket listening on 127.0.0.1 (ephemeral port).
fn listener(h: &SimHost) -> (Socket, SocketAddr) {
    let l = h.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP).unwrap();
    h.bind(l, &"127.0.0.1:0".parse().unwrap()).unwrap();
    h.listen(l, SOMAXCONN).unwrap();
    let a = h.getsockname(l).unwrap();
    (l, a)
}

/// A connected pair on one host: (client, server side).
fn pair(h: &SimHost) -> (Socket, Socket) {
    let (l, a) = listener(h);
    let c = h.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP).unwrap();
    h.connect(c, &a).unwrap();
    let (s, peer) = h.accept(l).unwrap();
    assert_eq!(peer, h.getsockname(c).unwrap());
    h.close_socket(l).unwrap();
    (c, s)
}

fn send_all(h: &SimHost, s: Socket, data: &[u8]) {
    let mut n = 0;
    h.wsa_send(s, &[WsaBuf::from(data)], Some(&mut n), 0)
        .unwrap();
    assert_eq!(n as usize, data.len());
}

/// One `WSARecv` with buffers of the given sizes.
fn recv(
    h: &SimHost,
    s: Socket,
    sizes: &[usize],
    flags: u32,
) -> (Result<(), WsaError>, u32, u32, Vec<WsaBuf>) {
    let mut bufs: Vec<WsaBuf> = sizes.iter().map(|&n| WsaBuf::zeroed(n)).collect();
    let mut n = u32::MAX;
    let mut f = flags;
    let r = h.wsa_recv(s, &mut bufs, Some(&mut n), &mut f);
    (r, n, f, bufs)
}

/// Receives until `want` bytes or the end of the stream.
fn recv_until(h: &SimHost, s: Socket, want: usize) -> Vec<u8> {
    let mut got = vec![];
    while got.len() < want {
        let (r, n, _, bufs) = recv(h, s, &[want - got.len()], 0);
        r.unwrap();
        if n == 0 {
            break;
        }
        got.extend(gather(&bufs, n as usize));
    }
    got
}

#[test]
fn connect_accept_and_names() {
    // RECV-ACCEPT-BOUND: the accepted socket receives without bind.
    let (_sim, h) = local(1);
    let (l, la) = listener(&h);
    let c = h.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP).unwrap();
    assert_err(h.getsockname(c), WSAEINVAL);
    assert_err(h.getpeername(c), WSAENOTCONN);
    h.connect(c, &la).unwrap();
    let ca = h.getsockname(c).unwrap();
    assert_eq!(ca.ip(), la.ip());
    assert!(ca.port() >= 49152);
    assert_eq!(h.getpeername(c).unwrap(), la);
    let (s, peer) = h.accept(l).unwrap();
    assert_eq!(peer, ca);
    assert_eq!(h.getsockname(s).unwrap(), la);
    assert_eq!(h.getpeername(s).unwrap(), ca);
    send_all(&h, c, b"hello");
    assert_eq!(recv_until(&h, s, 5), b"hello");
    assert_eq!(h.get_sock_opt_int(l, SOL_SOCKET, SO_ACCEPTCONN).unwrap(), 1);
    assert_eq!(h.get_sock_opt_int(s, SOL_SOCKET, SO_ACCEPTCONN).unwrap(), 0);
}

#[test]
fn handshake_takes_round_trips_of_virtual_time() {
    let sim = Sim::new(3);
    let a = started(&sim, "a", &["10.0.0.1/24"]);
    let b = started(&sim, "b", &["10.0.0.2/24"]);
    let l = b.socket(AF_INET, SOCK_STREAM, 0).unwrap();
    b.bind(l, &"10.0.0.2:80".parse().unwrap()).unwrap();
    b.listen(l, 5).unwrap();
    let c = a.socket(AF_INET, SOCK_STREAM, 0).unwrap();
    let t0 = sim.now();
    a.connect(c, &"10.0.0.2:80".parse().unwrap()).unwrap();
    // SYN there, SYN-ACK back: one round trip of 2 x 100 us.
    assert_eq!(sim.now() - t0, Duration::from_micros(200));
    // The ACK reaches b a latency later; then accept returns.
    let (s, from) = b.accept(l).unwrap();
    assert_eq!(sim.now() - t0, Duration::from_micros(300));
    assert_eq!(from.ip().to_string(), "10.0.0.1");
    assert_eq!(a.getsockname(c).unwrap().ip().to_string(), "10.0.0.1");
    send_all(&a, c, b"x");
    let (r, n, _, _) = recv(&b, s, &[4], 0);
    r.unwrap();
    assert_eq!(n, 1);
}

#[test]
fn refused_after_windows_syn_retries() {
    let (sim, h) = local(1);
    let c = h.socket(AF_INET, SOCK_STREAM, 0).unwrap();
    let t0 = sim.now();
    assert_err(
        h.connect(c, &"127.0.0.1:9".parse().unwrap()),
        WSAECONNREFUSED,
    );
    assert_eq!(sim.now() - t0, Duration::from_secs(2));
    // A blocking refusal leaves no SO_ERROR behind.
    assert_eq!(h.get_sock_opt_int(c, SOL_SOCKET, SO_ERROR).unwrap(), 0);
}

#[test]
fn connect_to_nobody_times_out() {
    let sim = Sim::new(1);
    let a = started(&sim, "a", &["10.0.0.1/24"]);
    let c = a.socket(AF_INET, SOCK_STREAM, 0).unwrap();
    assert_err(a.connect(c, &"10.0.0.9:80".parse().unwrap()), WSAETIMEDOUT);
    assert_eq!(sim.now(), Duration::from_secs(21));
}

#[test]
fn nonblocking_connect_sequence() {
    let sim = Sim::new(1);
    let a = started(&sim, "a", &["10.0.0.1/24"]);
    let h = started(&sim, "b", &["10.0.0.2/24"]);
    let l = h.socket(AF_INET, SOCK_STREAM, 0).unwrap();
    h.bind(l, &"10.0.0.2:80".parse().unwrap()).unwrap();
    h.listen(l, 1).unwrap();
    let la = h.getsockname(l).unwrap();
    let c = a.socket(AF_INET, SOCK_STREAM, 0).unwrap();
    a.set_nonblocking(c, true).unwrap();
    assert_err(a.connect(c, &la), WSAEWOULDBLOCK);
    assert_err(a.connect(c, &la), WSAEALREADY);
    // Windows: a connect under way already has its peer.
    assert_eq!(a.getpeername(c).unwrap(), la);
    let mut n = 0;
    assert_err(
        a.wsa_send(c, &[WsaBuf::from(&b"x"[..])], Some(&mut n), 0),
        WSAENOTCONN,
    );
    sim.run_until_idle();
    assert_err(a.connect(c, &la), WSAEISCONN);
    h.set_nonblocking(l, true).unwrap();
    let (s, _) = h.accept(l).unwrap();
    assert_err(h.accept(l), WSAEWOULDBLOCK);
    // An accepted socket has the listening socket's blocking mode.
    assert_err(recv(&h, s, &[4], 0).0, WSAEWOULDBLOCK);
    // A refused non-blocking connect leaves its error in SO_ERROR, which
    // reading does not clear.
    let d = h.socket(AF_INET, SOCK_STREAM, 0).unwrap();
    h.set_nonblocking(d, true).unwrap();
    assert_err(
        h.connect(d, &"127.0.0.1:9".parse().unwrap()),
        WSAEWOULDBLOCK,
    );
    sim.run_until_idle();
    for _ in 0..2 {
        assert_eq!(
            h.get_sock_opt_int(d, SOL_SOCKET, SO_ERROR).unwrap(),
            WSAECONNREFUSED
        );
    }
}

#[test]
fn recv_enotconn_on_unconnected_stream() {
    // RECV-ENOTCONN, RECVMSG-ENOTCONN-STREAM
    let (_sim, h) = local(1);
    let s = h.socket(AF_INET, SOCK_STREAM, 0).unwrap();
    assert_err(recv(&h, s, &[4], 0).0, WSAENOTCONN);
    let (l, _) = listener(&h);
    assert_err(recv(&h, l, &[4], 0).0, WSAENOTCONN);
    assert_err(recv_msg(&h, s, &[4], 0).0, WSAENOTCONN);
    let mut n = 0;
    assert_err(
        h.wsa_send(s, &[WsaBuf::from(&b"x"[..])], Some(&mut n), 0),
        WSAENOTCONN,
    );
}

#[test]
fn recvmsg_refuses_a_connected_stream_and_leaves_its_bytes() {
    // RECVMSG-DGRAM-RAW-ONLY, RECVMSG-STREAM-AS-MUCH-AS-POSSIBLE,
    // RECVMSG-STREAM-ONE-BYTE-UNBLOCKS: no byte stream reaches WSARecvMsg.
    let (_sim, h) = local(1);
    let (c, s) = pair(&h);
    send_all(&h, c, b"abc");
    assert_err(recv_msg(&h, s, &[8], 0).0, WSAEOPNOTSUPP);
    assert_eq!(recv_until(&h, s, 3), b"abc");
}

#[test]
fn stream_reads_return_what_fits_or_by_seed_fewer() {
    // RECV-STREAM-AS-MUCH-AS-POSSIBLE, RECV-STREAM-ONE-BYTE-UNBLOCKS,
    // RECV-ACTS-AS-STREAM-NOT-MSG: TCP is not message oriented, so two
    // sends can come back in one receive and one send in several.
    let mut whole = 0;
    let mut short = 0;
    for seed in 0..64 {
        let (_sim, h) = local(seed);
        let (c, s) = pair(&h);
        send_all(&h, c, b"abc");
        send_all(&h, c, b"defgh");
        let (r, n, f, bufs) = recv(&h, s, &[6], 0);
        r.unwrap();
        assert_eq!(f, 0);
        assert!((1..=6).contains(&n), "seed {seed}: {n}");
        assert_eq!(gather(&bufs, n as usize), &b"abcdef"[..n as usize]);
        if n == 6 {
            whole += 1;
        } else {
            short += 1;
        }
    }
    assert!(whole > 10 && short > 10, "whole {whole}, short {short}");
}

#[test]
fn whole_reads_config_never_shortens() {
    // RECV-STREAM-AS-MUCH-AS-POSSIBLE
    for seed in 0..32 {
        let cfg = Config {
            stream_reads: StreamReads::Whole,
            ..Config::default()
        };
        let sim = Sim::with_config(seed, cfg);
        let h = started(&sim, "local", &[]);
        let (c, s) = pair(&h);
        send_all(&h, c, b"abcdefgh");
        let (r, n, _, _) = recv(&h, s, &[3, 2, 10], 0);
        r.unwrap();
        assert_eq!(n, 8);
    }
}

#[test]
fn stream_fill_packs_buffers_in_order() {
    // RECV-STREAM-FILL, RECV-BUFFER-ORDER
    let cfg = Config {
        stream_reads: StreamReads::Whole,
        ..Config::default()
    };
    let sim = Sim::with_config(1, cfg);
    let h = started(&sim, "local", &[]);
    let (c, s) = pair(&h);
    send_all(&h, c, b"abcdefg");
    let (r, n, _, bufs) = recv(&h, s, &[2, 0, 3, 10], 0);
    r.unwrap();
    assert_eq!(n, 7);
    assert_eq!(bufs[0].bytes(), b"ab");
    assert_eq!(bufs[2].bytes(), b"cde");
    assert_eq!(&bufs[3].bytes()[..2], b"fg");
}

#[test]
fn graceful_close_is_zero_bytes_after_the_data() {
    // RECV-GRACEFUL-BYTESTREAM
    let (_sim, h) = local(5);
    let (c, s) = pair(&h);
    send_all(&h, c, b"last words");
    h.close_socket(c).unwrap();
    assert_eq!(recv_until(&h, s, 100), b"last words");
    for _ in 0..2 {
        let (r, n, _, _) = recv(&h, s, &[8], 0);
        r.unwrap();
        assert_eq!(n, 0);
    }
}

#[test]
fn linger_zero_close_resets() {
    // RECV-ABORTIVE-ECONNRESET, RECV-ECONNRESET-STREAM
    let (_sim, h) = local(5);
    let (c, s) = pair(&h);
    send_all(&h, c, b"lost");
    h.set_sock_opt(c, SOL_SOCKET, SO_LINGER, &[1, 0, 0, 0])
        .unwrap();
    h.close_socket(c).unwrap();
    // The reset overtakes nothing: bytes already delivered are discarded.
    assert_err(recv(&h, s, &[8], 0).0, WSAECONNRESET);
    // The socket stays unusable.
    assert_err(recv(&h, s, &[8], 0).0, WSAECONNRESET);
    let mut n = 0;
    assert_err(
        h.wsa_send(s, &[WsaBuf::from(&b"x"[..])], Some(&mut n), 0),
        WSAECONNRESET,
    );
    assert_err(h.getpeername(s), WSAENOTCONN);
}

#[test]
fn close_with_unread_bytes_resets() {
    // RECV-ABORTIVE-ECONNRESET (RFC 1122 4.2.2.13)
    let (_sim, h) = local(5);
    let (c, s) = pair(&h);
    send_all(&h, s, b"unread");
    h.close_socket(c).unwrap();
    assert_err(recv(&h, s, &[8], 0).0, WSAECONNRESET);
}

#[test]
fn send_after_peer_closed_aborts() {
    // RECV-ECONNABORTED: the reset that answers data sent to a peer that
    // closed arrives after its FIN.
    let (_sim, h) = local(5);
    let (c, s) = pair(&h);
    h.close_socket(c).unwrap();
    send_all(&h, s, b"anyone?");
    assert_err(recv(&h, s, &[8], 0).0, WSAECONNABORTED);
}

#[test]
fn shutdown_send_ends_the_stream_and_refuses_sends() {
    // RECV-GRACEFUL-BYTESTREAM, SENDMSG-ESHUTDOWN's WSASend twin
    let (_sim, h) = local(2);
    let (c, s) = pair(&h);
    send_all(&h, c, b"bye");
    h.shutdown(c, SD_SEND).unwrap();
    let mut n = 0;
    assert_err(
        h.wsa_send(c, &[WsaBuf::from(&b"x"[..])], Some(&mut n), 0),
        WSAESHUTDOWN,
    );
    assert_eq!(recv_until(&h, s, 10), b"bye");
    // Half-close: the other direction still works.
    send_all(&h, s, b"ok");
    assert_eq!(recv_until(&h, c, 2), b"ok");
}

#[test]
fn shutdown_receive() {
    // RECV-ESHUTDOWN on a stream
    let (_sim, h) = local(2);
    let (c, s) = pair(&h);
    h.shutdown(s, SD_RECEIVE).unwrap();
    assert_err(recv(&h, s, &[4], 0).0, WSAESHUTDOWN);
    // shutdown: data that arrives afterwards resets the connection.
    send_all(&h, c, b"late");
    let (r, ..) = recv(&h, c, &[4], 0);
    assert_err(r, WSAECONNRESET);
    let unconnected = h.socket(AF_INET, SOCK_STREAM, 0).unwrap();
    assert_err(h.shutdown(unconnected, SD_SEND), WSAENOTCONN);
}

#[test]
fn peek_leaves_the_bytes() {
    // RECV-PEEK on a stream
    let (_sim, h) = local(9);
    let (c, s) = pair(&h);
    send_all(&h, c, b"peekaboo");
    let (r, n, _, bufs) = recv(&h, s, &[16], MSG_PEEK);
    r.unwrap();
    assert!(n >= 1);
    assert_eq!(gather(&bufs, n as usize), &b"peekaboo"[..n as usize]);
    assert_eq!(recv_until(&h, s, 8), b"peekaboo");
}

#[test]
fn waitall_fills_the_buffers() {
    // RECV-WAITALL: across several sends, and larger than SO_RCVBUF.
    for seed in 0..16 {
        let (_sim, h) = local(seed);
        let (c, s) = pair(&h);
        h.set_sock_opt_int(s, SOL_SOCKET, SO_RCVBUF, 1000).unwrap();
        let data = pattern(5000);
        let t = {
            let h2 = h.clone();
            h.spawn("sender", move |_| {
                for chunk in data.chunks(700) {
                    send_all(&h2, c, chunk);
                }
            })
            .unwrap()
        };
        let (r, n, _, bufs) = recv(&h, s, &[3000, 2000], MSG_WAITALL);
        r.unwrap();
        assert_eq!(n, 5000);
        assert_eq!(gather(&bufs, 5000), pattern(5000));
        let mut t = t;
        t.join().unwrap();
    }
}

#[test]
fn waitall_ends_early_at_close() {
    // RECV-WAITALL: the connection closed.
    let (_sim, h) = local(4);
    let (c, s) = pair(&h);
    send_all(&h, c, b"part");
    h.close_socket(c).unwrap();
    let (r, n, _, bufs) = recv(&h, s, &[100], MSG_WAITALL);
    r.unwrap();
    assert_eq!(gather(&bufs, n as usize), b"part");
}

#[test]
fn waitall_refusals() {
    // RECV-WAITALL-EOPNOTSUPP-COMBO, RECV-WAITALL-EOPNOTSUPP-NONBLOCKING
    let (_sim, h) = local(4);
    let (c, s) = pair(&h);
    send_all(&h, c, b"data");
    for f in [MSG_PEEK, MSG_PARTIAL] {
        assert_err(recv(&h, s, &[4], MSG_WAITALL | f).0, WSAEOPNOTSUPP);
    }
    h.set_nonblocking(s, true).unwrap();
    assert_err(recv(&h, s, &[4], MSG_WAITALL).0, WSAEOPNOTSUPP);
    assert_eq!(recv_until(&h, s, 4), b"data");
}

#[test]
fn push_immediate_is_accepted() {
    // RECV-PUSH-IMMEDIATE
    let (_sim, h) = local(4);
    let (c, s) = pair(&h);
    send_all(&h, c, b"now");
    let (r, n, _, bufs) = recv(&h, s, &[8], MSG_PUSH_IMMEDIATE);
    r.unwrap();
    assert_eq!(gather(&bufs, n as usize), &b"now"[..n as usize]);
}

#[test]
fn blocking_send_waits_for_a_reader() {
    // SENDMSG-BLOCKING-ALERTABLE's WSASend twin; SO_SNDBUF and the peer's
    // window hold a sender back until the reader reads.
    let (sim, h) = local(6);
    let (c, s) = pair(&h);
    h.set_sock_opt_int(s, SOL_SOCKET, SO_RCVBUF, 1000).unwrap();
    h.set_sock_opt_int(c, SOL_SOCKET, SO_SNDBUF, 1000).unwrap();
    // Fills the window (1000) and the send buffer (1000, taken whole).
    send_all(&h, c, &pattern(1000));
    send_all(&h, c, &pattern(1500));
    h.set_sock_opt_int(c, SOL_SOCKET, SO_SNDTIMEO, 50).unwrap();
    let t0 = sim.now();
    let mut n = 0;
    assert_err(
        h.wsa_send(c, &[WsaBuf::from(&b"more"[..])], Some(&mut n), 0),
        WSAETIMEDOUT,
    );
    assert_eq!(sim.now() - t0, Duration::from_millis(50));
    h.set_nonblocking(c, true).unwrap();
    assert_err(
        h.wsa_send(c, &[WsaBuf::from(&b"more"[..])], Some(&mut n), 0),
        WSAEWOULDBLOCK,
    );
    let got = recv_until(&h, s, 2500);
    assert_eq!(got.len(), 2500);
    send_all(&h, c, b"room again");
}

#[test]
fn overlapped_stream_receive_completes_with_what_came() {
    // RECV-OVL-STREAM-COMPLETES
    let cfg = Config {
        completion_timing: CompletionTiming::Pending,
        ..Config::default()
    };
    let sim = Sim::with_config(2, cfg);
    let h = started(&sim, "local", &[]);
    let (c, s) = pair(&h);
    let ev = h.wsa_create_event().unwrap();
    let ovl = Overlapped::with_event(1, ev);
    let posted = h
        .wsa_recv_overlapped(s, vec![WsaBuf::zeroed(100)], 0, ovl, None)
        .unwrap();
    assert!(matches!(posted, Posted::Pending));
    send_all(&h, c, b"short");
    let w = h
        .wsa_wait_for_multiple_events(&[ev], false, 1000, false)
        .unwrap();
    assert_eq!(w, WaitResult::Event(0));
    let done = h.wsa_get_overlapped_result(s, &ovl, false).unwrap();
    assert_eq!(done.error, 0);
    assert!((1..=5).contains(&done.bytes));
    let n = done.bytes as usize;
    assert_eq!(gather(&done.buffers, n), &b"short"[..n]);
}

#[test]
fn nonblocking_send_takes_part_or_all() {
    // SENDMSG-NONBLOCKING-STREAM-PARTIAL (through WSASend: WSASendMsg
    // refuses streams)
    let mut partial = 0;
    let mut whole = 0;
    for seed in 0..40 {
        let (_sim, h) = local(seed);
        let (c, s) = pair(&h);
        h.set_sock_opt_int(s, SOL_SOCKET, SO_RCVBUF, 1024).unwrap();
        h.set_sock_opt_int(c, SOL_SOCKET, SO_SNDBUF, 1024).unwrap();
        h.set_nonblocking(c, true).unwrap();
        let data = pattern(10_000);
        let mut n = 0;
        h.wsa_send(c, &[WsaBuf::from(&data[..])], Some(&mut n), 0)
            .unwrap();
        assert!((1..=10_000).contains(&n), "seed {seed}: {n}");
        if n < 10_000 {
            partial += 1;
        } else {
            whole += 1;
        }
        // What was taken arrives, in order, and nothing else.
        h.shutdown(c, SD_SEND).unwrap();
        assert_eq!(recv_until(&h, s, 20_000), &data[..n as usize]);
    }
    assert!(partial > 5 && whole > 5, "partial {partial}, whole {whole}");
}

#[test]
fn cleanup_resets_open_connections() {
    // RECV-ECONNRESET-STREAM: WSACleanup resets what is still open.
    let sim = Sim::new(8);
    let a = started(&sim, "a", &["10.0.0.1/24"]);
    let b = started(&sim, "b", &["10.0.0.2/24"]);
    let l = b.socket(AF_INET, SOCK_STREAM, 0).unwrap();
    b.bind(l, &"10.0.0.2:80".parse().unwrap()).unwrap();
    b.listen(l, 1).unwrap();
    let c = a.socket(AF_INET, SOCK_STREAM, 0).unwrap();
    a.connect(c, &"10.0.0.2:80".parse().unwrap()).unwrap();
    let (s, _) = b.accept(l).unwrap();
    a.wsa_cleanup().unwrap();
    assert_err(recv(&b, s, &[4], 0).0, WSAECONNRESET);
}

#[test]
fn a_waitall_that_fails_leaves_the_window_as_it_was() {
    // RECV-WAITALL: a request ended by shutdown no longer widens the window.
    let (_sim, h) = local(11);
    let (c, s) = pair(&h);
    h.set_sock_opt_int(s, SOL_SOCKET, SO_RCVBUF, 100).unwrap();
    let mut t = {
        let h2 = h.clone();
        h.spawn("closer", move |_| {
            h2.shutdown(s, SD_RECEIVE).unwrap();
        })
        .unwrap()
    };
    let (r, ..) = recv(&h, s, &[5000], MSG_WAITALL);
    assert_err(r, WSAESHUTDOWN);
    t.join().unwrap();
    // The peer may now send only what SO_RCVBUF allows onto the wire.
    h.set_nonblocking(c, true).unwrap();
    h.set_sock_opt_int(c, SOL_SOCKET, SO_SNDBUF, 1).unwrap();
    let mut n = 0;
    h.wsa_send(c, &[WsaBuf::from(&pattern(1000)[..])], Some(&mut n), 0)
        .unwrap();
    let trace = h.sim().trace_text();
    let sent: Vec<&str> = trace
        .lines()
        .filter(|l| l.contains(" send socket "))
        .collect();
    assert!(
        sent.last().is_some_and(|l| l.ends_with(" len=100")),
        "a window of 100: {sent:?}"
    );
}

// Sockets of every kind live side by side: closing a listener looks for its
// half-open connections among all sockets, datagram ones included (a panic
// once, found by the drop-in DLL's socket2 program).
#[test]
fn closing_a_listener_beside_a_datagram_socket() {
    let (_sim, h) = local(3);
    let u = h.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    let (l, a) = listener(&h);
    let c = h.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP).unwrap();
    h.connect(c, &a).unwrap();
    h.close_socket(l).unwrap();
    h.close_socket(c).unwrap();
    h.close_socket(u).unwrap();
}

// RECV-OPERATION-ABORTED-CLOSE and, on the Windows profile,
// WIN-CLOSE-STREAM-CONNABORTED: closesocket with an overlapped receive
// pending on a connected stream ends the receive (its port packet carries
// the Win32 code and the NTSTATUS) and closes gracefully: with nothing
// unread the peer gets the FIN, a receive of 0 bytes, and no reset.
#[test]
fn closing_with_a_receive_pending_ends_it_and_the_peer_sees_a_fin() {
    for (profile, wsa, win32, status) in [
        (
            Profile::documented(),
            WSA_OPERATION_ABORTED,
            ERROR_OPERATION_ABORTED,
            STATUS_CANCELLED,
        ),
        (
            Profile::windows(),
            WSAECONNABORTED,
            ERROR_CONNECTION_ABORTED,
            STATUS_CONNECTION_ABORTED,
        ),
    ] {
        let sim = Sim::with_config(
            3,
            Config {
                profile,
                ..Config::default()
            },
        );
        let h = started(&sim, "local", &[]);
        let (c, s) = pair(&h);
        let port = h.create_io_completion_port(0).unwrap();
        h.associate_completion_port(port, s, 9).unwrap();
        let r = h.wsa_recv_overlapped(s, vec![WsaBuf::zeroed(8)], 0, Overlapped::new(1), None);
        assert!(matches!(r, Ok(Posted::Pending)), "{r:?}");
        h.close_socket(s).unwrap();
        let p = h.get_queued_completion_status(port, 0).unwrap();
        assert_eq!((p.error, p.bytes, p.key), (wsa, 0, 9), "{profile}");
        assert_eq!(p.win32, win32, "{profile}");
        assert_eq!(p.completion.unwrap().status, status, "{profile}");
        let (r, n, _, _) = recv(&h, c, &[8], 0);
        r.unwrap();
        assert_eq!(n, 0, "{profile}: the FIN, not a reset");
        send_all(&h, c, b"late");
    }
}

// Wine's test_shutdown on Windows (sock.c:8990-9069): after each side has
// shut down both directions and the FINs have crossed, the connection
// still names its peer, a second connect is WSAEISCONN and a bad `how` is
// WSAEINVAL.
#[test]
fn a_connection_shut_down_both_ways_keeps_its_peer() {
    for profile in [Profile::documented(), Profile::windows()] {
        let sim = Sim::with_config(
            4,
            Config {
                profile,
                ..Config::default()
            },
        );
        let h = started(&sim, "local", &[]);
        let (c, s) = pair(&h);
        let (ca, sa) = (h.getsockname(c).unwrap(), h.getsockname(s).unwrap());
        h.shutdown(c, SD_SEND).unwrap();
        assert_eq!(recv(&h, s, &[8], 0).1, 0);
        h.shutdown(s, SD_RECEIVE).unwrap();
        assert_err(recv(&h, s, &[8], 0).0, WSAESHUTDOWN);
        send_all(&h, s, b"test");
        assert_eq!(recv_until(&h, c, 4), b"test");
        h.shutdown(c, SD_RECEIVE).unwrap();
        assert_err(recv(&h, c, &[8], 0).0, WSAESHUTDOWN);
        h.shutdown(s, SD_SEND).unwrap();
        sim.advance(Duration::from_millis(10));
        assert_eq!(h.getpeername(c), Ok(sa), "{profile}");
        assert_eq!(h.getpeername(s), Ok(ca), "{profile}");
        assert_err(h.connect(c, &sa), WSAEISCONN);
        assert_err(h.shutdown(c, 0xdead), WSAEINVAL);
    }
}

// Wine's test_connecting_socket on Windows (sock.c:12279-12350): while a
// non-blocking connect is under way, a second connect is WSAEALREADY, the
// socket has its local name and names the peer it is connecting to, and a
// receive or a send is WSAENOTCONN.
#[test]
fn a_socket_still_connecting() {
    let sim = Sim::with_config(
        5,
        Config {
            profile: Profile::windows(),
            ..Config::default()
        },
    );
    let h = started(&sim, "local", &["10.0.0.1/24"]);
    let c = h.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP).unwrap();
    h.set_nonblocking(c, true).unwrap();
    h.bind(c, &"0.0.0.0:0".parse().unwrap()).unwrap();
    let nobody: SocketAddr = "10.0.0.99:255".parse().unwrap();
    assert_err(h.connect(c, &nobody), WSAEWOULDBLOCK);
    assert_err(h.connect(c, &nobody), WSAEALREADY);
    assert_ne!(h.getsockname(c).unwrap().port(), 0);
    assert_eq!(h.getpeername(c), Ok(nobody));
    assert_err(recv(&h, c, &[4], 0).0, WSAENOTCONN);
    let mut n = 0;
    assert_err(
        h.wsa_send(c, &[WsaBuf::from(&b"data"[..])], Some(&mut n), 0),
        WSAENOTCONN,
    );
}

// Wine's test_tcp_reset on Windows (sock.c:13286-13335): a reset ends a
// pending overlapped receive with STATUS_CONNECTION_RESET (GetOverlappedResult:
// ERROR_NETNAME_DELETED, 0 bytes); SO_ERROR stays 0 (the error went to the
// operation); a later overlapped receive fails at once with WSAECONNRESET;
// WSAPoll reports POLLERR | POLLHUP | POLLWRNORM.
#[test]
fn a_reset_under_a_pending_receive() {
    let sim = Sim::with_config(
        6,
        Config {
            profile: Profile::windows(),
            ..Config::default()
        },
    );
    let h = started(&sim, "local", &[]);
    let (c, s) = pair(&h);
    let ev = h.wsa_create_event().unwrap();
    let r = h.wsa_recv_overlapped(
        c,
        vec![WsaBuf::zeroed(10)],
        0,
        Overlapped::with_event(1, ev),
        None,
    );
    assert!(matches!(r, Ok(Posted::Pending)), "{r:?}");
    h.set_sock_opt(s, SOL_SOCKET, SO_LINGER, &[1, 0, 0, 0])
        .unwrap();
    h.close_socket(s).unwrap();
    assert_eq!(
        h.wsa_wait_for_multiple_events(&[ev], true, 1000, false),
        Ok(WaitResult::Event(0))
    );
    let done = h
        .wsa_get_overlapped_result(c, &Overlapped::new(1), false)
        .unwrap();
    assert_eq!((done.error, done.bytes), (WSAECONNRESET, 0));
    assert_eq!(done.status, STATUS_CONNECTION_RESET);
    assert_eq!(win32_of_status(done.status), ERROR_NETNAME_DELETED);
    assert_eq!(h.get_sock_opt_int(c, SOL_SOCKET, SO_ERROR), Ok(0));
    let r = h.wsa_recv_overlapped(
        c,
        vec![WsaBuf::zeroed(10)],
        0,
        Overlapped::with_event(2, ev),
        None,
    );
    assert_err(r, WSAECONNRESET);
    let mut fds = [winsock_double::sim::PollFd::new(
        c,
        winsock_double::sim::POLLRDNORM | winsock_double::sim::POLLWRNORM,
    )];
    h.poll(&mut fds, 0).unwrap();
    use winsock_double::sim::{POLLERR, POLLHUP, POLLWRNORM};
    assert_eq!(fds[0].revents, POLLERR | POLLHUP | POLLWRNORM);
}

/// RECV-STREAM-FILL, RECV-BUFFER-ORDER: a receive whose buffer is exactly
/// the size of what one send buffered gets those bytes (the model hands
/// the send's memory over instead of copying it), the sends after it
/// (gathered into the receive's old memory) carry their own bytes, and a
/// buffer whose memory is longer than its `len` keeps the bytes beyond it.
#[test]
fn exact_size_receives_get_each_sends_bytes() {
    let (_sim, h) = whole_reads(3);
    let (c, s) = conn_pair(&h, SOCK_STREAM, IPPROTO_TCP, None);
    let (mut n, mut flags) = (0, 0);
    for k in 0..4u8 {
        let data: Vec<u8> = pattern(1000).iter().map(|b| b ^ k).collect();
        h.wsa_send(c, &[WsaBuf::from(data.clone())], Some(&mut n), 0)
            .unwrap();
        let mut bufs = [WsaBuf::zeroed(1000)];
        h.wsa_recv(s, &mut bufs, Some(&mut n), &mut flags).unwrap();
        assert_eq!((n, bufs[0].bytes()), (1000, &data[..]), "send {k}");
    }
    h.wsa_send(c, &[WsaBuf::from(pattern(10))], Some(&mut n), 0)
        .unwrap();
    let mut longer = [WsaBuf {
        len: 10,
        buf: Some(vec![0xEE; 20]),
    }];
    h.wsa_recv(s, &mut longer, Some(&mut n), &mut flags)
        .unwrap();
    let mut want = pattern(10);
    want.extend([0xEE; 10]);
    assert_eq!((n, longer[0].buf.as_deref()), (10, Some(&want[..])));
}
