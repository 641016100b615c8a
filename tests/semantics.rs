//! Clauses about the calls' general semantics: return values, blocking,
//! buffered data, one message per receive, flags in and out, the codes the
//! model never returns.

mod common;
use common::*;
use std::time::Duration;
use winsock_double::cmsg::{self, Pktinfo};
use winsock_double::*;

fn wsa_recv(
    h: &SimHost,
    s: Socket,
    sizes: &[usize],
    flags: u32,
) -> (Result<(), WsaError>, u32, u32) {
    let mut bufs: Vec<WsaBuf> = sizes.iter().map(|&n| WsaBuf::zeroed(n)).collect();
    let mut n = u32::MAX;
    let mut f = flags;
    let r = h.wsa_recv(s, &mut bufs, Some(&mut n), &mut f);
    (r, n, f)
}

#[test]
fn return_is_ok_on_immediate_success_and_a_code_otherwise() {
    // RECV-RETURN, RECVMSG-RETURN, SENDMSG-RETURN
    let (_sim, h) = local(1);
    let (s, a) = udp4(&h);
    let mut n = 0;
    assert_eq!(
        h.wsa_send_msg(s, &WsaMsg::for_send(Some(&a), b"ab"), 0, Some(&mut n)),
        Ok(())
    );
    assert_eq!(recv_msg(&h, s, &[8], 0).0, Ok(()));
    send(&h, s, b"c", a);
    assert_eq!(wsa_recv(&h, s, &[8], 0).0, Ok(()));
    h.set_nonblocking(s, true).unwrap();
    assert_eq!(
        wsa_recv(&h, s, &[8], 0).0,
        Err(WsaError::Code(WSAEWOULDBLOCK))
    );
    assert_eq!(
        recv_msg(&h, s, &[8], 0).0,
        Err(WsaError::Code(WSAEWOULDBLOCK))
    );
    assert_eq!(
        h.wsa_send_msg(s, &WsaMsg::for_send(Some(&a), b"x"), MSG_PEEK, Some(&mut n)),
        Err(WsaError::Code(WSAEOPNOTSUPP))
    );
}

#[test]
fn winsock_1_1_codes_never_come_back() {
    // RECV-EINPROGRESS-WS11, RECV-EINTR-WS11, RECVMSG-EINPROGRESS-WS11,
    // RECVMSG-EINTR-WS11, SENDMSG-EINPROGRESS-WS11, SENDMSG-EINTR-WS11: with
    // one thread nothing cancels a call (tests/threads/sched.rs has the close
    // from another thread).
    let (sim, h) = local(2);
    let (s, a) = udp4(&h);
    h.set_recv_timeout(s, Duration::from_millis(5)).unwrap();
    let mut codes = std::collections::BTreeSet::new();
    for i in 0..200usize {
        let mut msg = WsaMsg::for_recv(&[i % 7], i % 3 * 16);
        msg.flags = if i % 5 == 0 { MSG_PEEK } else { 0 };
        let mut n = 0;
        if i % 2 == 0 {
            let _ = h.wsa_send_msg(
                s,
                &WsaMsg::for_send(Some(&a), &pattern(i % 11)),
                (i % 4) as u32,
                Some(&mut n),
            );
        }
        for r in [
            h.wsa_recv_msg(s, &mut msg, Some(&mut n)),
            wsa_recv(&h, s, &[i % 5], (i % 3) as u32).0,
        ] {
            if let Err(e) = r {
                codes.insert(e.code().expect("no model report here"));
            }
        }
    }
    assert!(
        !codes.contains(&WSAEINPROGRESS) && !codes.contains(&WSAEINTR),
        "{codes:?}"
    );
    assert!(
        codes.contains(&WSAETIMEDOUT) && codes.contains(&WSAEMSGSIZE),
        "the loop reached the error paths: {codes:?}"
    );
    assert!(sim.now() > Duration::ZERO);
}

#[test]
fn both_null_means_non_overlapped_even_on_an_overlapped_socket() {
    // RECV-BOTH-NULL-NONOVERLAPPED, RECVMSG-BOTH-NULL-NONOVERLAPPED,
    // SENDMSG-BOTH-NULL-NONOVERLAPPED
    let (sim, h) = local(1);
    // `socket` creates an overlapped socket (WSA_FLAG_OVERLAPPED); the calls
    // without an OVERLAPPED block like recv and send.
    let (s, a) = udp4(&h);
    h.set_recv_timeout(s, Duration::from_millis(40)).unwrap();
    assert_err(recv_msg(&h, s, &[8], 0).0, WSAETIMEDOUT);
    assert_err(wsa_recv(&h, s, &[8], 0).0, WSAETIMEDOUT);
    assert_eq!(sim.now(), Duration::from_millis(80));
    let mut n = 0;
    h.wsa_send_msg(s, &WsaMsg::for_send(Some(&a), b"x"), 0, Some(&mut n))
        .unwrap();
    assert_eq!(n, 1, "completed before returning, count written");
}

#[test]
fn buffered_data_is_copied_without_waiting() {
    // RECV-BUFFERED-DATA-COPIED, RECVMSG-BUFFERED-DATA-COPIED
    let (sim, h) = local(1);
    let (s, a) = udp4(&h);
    send(&h, s, b"ready", a);
    send(&h, s, b"set", a);
    let t = sim.now();
    let (r, n, _) = wsa_recv(&h, s, &[8], 0);
    r.unwrap();
    assert_eq!(n, 5);
    let (r, n, _) = recv_msg(&h, s, &[8], 0);
    r.unwrap();
    assert_eq!(n, 3);
    assert_eq!(sim.now(), t);
}

#[test]
fn no_standard_timeout_a_blocking_receive_waits_as_long_as_it_takes() {
    // RECV-NO-STANDARD-TIMEOUT, RECVMSG-NO-STANDARD-TIMEOUT, RECV-BLOCKING-WAITS
    let cfg = Config {
        latency_ns: 3_600 * 1_000_000_000,
        ..Config::default()
    };
    let sim = Sim::with_config(1, cfg);
    let a = started(&sim, "a", &["10.0.0.1/24"]);
    let b = started(&sim, "b", &["10.0.0.2/24"]);
    let rx = b.socket(AF_INET, SOCK_DGRAM, 0).unwrap();
    b.bind(rx, &"10.0.0.2:99".parse().unwrap()).unwrap();
    let tx = a.socket(AF_INET, SOCK_DGRAM, 0).unwrap();
    a.send_to(tx, b"slow", &"10.0.0.2:99".parse().unwrap())
        .unwrap();
    a.send_to(tx, b"slower", &"10.0.0.2:99".parse().unwrap())
        .unwrap();
    let (r, n, _) = wsa_recv(&b, rx, &[8], 0);
    r.unwrap();
    assert_eq!(n, 4);
    assert_eq!(
        sim.now(),
        Duration::from_secs(3600),
        "an hour of virtual time, no time-out"
    );
    let (r, n, _) = recv_msg(&b, rx, &[8], 0);
    r.unwrap();
    assert_eq!(n, 6);
    // With nothing in flight, the wait is a deadlock report, not a hang.
    assert!(recv_msg(&b, rx, &[8], 0).0.unwrap_err().report().is_some());
}

#[test]
fn one_message_per_receive_and_whole_messages_only() {
    // RECV-DGRAM-ONE-MESSAGE, RECVMSG-DGRAM-ONE-MESSAGE, RECV-MESSAGE-UNBLOCKS,
    // RECVMSG-MESSAGE-UNBLOCKS, RECV-TRUNC-FIRST-PART
    let (_sim, h) = local(1);
    let (s, a) = udp4(&h);
    send(&h, s, b"one", a);
    send(&h, s, b"two", a);
    let (r, n, _) = wsa_recv(&h, s, &[64], 0);
    r.unwrap();
    assert_eq!(n, 3, "the second message is not appended");
    let (r, n, m) = recv_msg(&h, s, &[64], 0);
    r.unwrap();
    assert_eq!(m.data(n as usize), b"two");
    send(&h, s, b"first part only", a);
    let mut bufs = vec![WsaBuf::zeroed(5)];
    let (mut n, mut f) = (0, 0);
    assert_err(h.wsa_recv(s, &mut bufs, Some(&mut n), &mut f), WSAEMSGSIZE);
    assert_eq!(bufs[0].bytes(), b"first");
}

#[test]
fn recv_flags_are_rewritten_on_output_and_partial_cleared() {
    // RECV-FLAGS-INOUT, RECV-PARTIAL-CLEARED-COMPLETE, RECV-PARTIAL-DGRAM
    let (_sim, h) = local(1);
    let (s, a) = udp4(&h);
    send(&h, s, b"whole", a);
    let (r, n, f) = wsa_recv(&h, s, &[16], MSG_PARTIAL | MSG_PEEK);
    r.unwrap();
    assert_eq!(
        (n, f),
        (5, 0),
        "output flags replace the input: complete message, no MSG_PARTIAL"
    );
    let (r, _, f) = wsa_recv(&h, s, &[16], MSG_PARTIAL);
    r.unwrap();
    assert_eq!(f & MSG_PARTIAL, 0);
}

#[test]
fn recvmsg_output_flags_are_only_the_four() {
    // RECVMSG-OUT-FLAGS-SET
    let sim = Sim::new(8);
    let a = started(&sim, "a", &["10.0.0.1/24"]);
    let b = started(&sim, "b", &["10.0.0.2/24"]);
    let rx = b.socket(AF_INET, SOCK_DGRAM, 0).unwrap();
    b.bind(rx, &"0.0.0.0:5000".parse().unwrap()).unwrap();
    b.set_sock_opt_int(rx, IPPROTO_IP, IP_PKTINFO, 1).unwrap();
    b.set_sock_opt(
        rx,
        IPPROTO_IP,
        IP_ADD_MEMBERSHIP,
        &[239, 0, 0, 9, 0, 0, 0, 0],
    )
    .unwrap();
    let tx = a.socket(AF_INET, SOCK_DGRAM, 0).unwrap();
    a.set_sock_opt_int(tx, SOL_SOCKET, SO_BROADCAST, 1).unwrap();
    let allowed = MSG_BCAST | MSG_CTRUNC | MSG_MCAST | MSG_TRUNC;
    let mut seen = 0;
    for i in 0..30usize {
        let dst = ["10.0.0.2:5000", "10.0.0.255:5000", "239.0.0.9:5000"][i % 3];
        a.send_to(tx, &pattern(i), &dst.parse().unwrap()).unwrap();
        let mut msg = WsaMsg::for_recv(&[i % 13], [0, 8, 64][i % 3]);
        msg.flags = if i % 4 == 0 { MSG_PEEK } else { 0 };
        let mut n = 0;
        let _ = b.wsa_recv_msg(rx, &mut msg, Some(&mut n));
        assert_eq!(msg.flags & !allowed, 0, "flags {:#x}", msg.flags);
        seen |= msg.flags;
        if i % 4 == 0 {
            let mut m2 = WsaMsg::for_recv(&[64], 64);
            let _ = b.wsa_recv_msg(rx, &mut m2, Some(&mut n));
        }
    }
    assert_eq!(seen, allowed, "every one of the four occurred");
}

#[test]
fn pktinfo_address_is_the_destination_not_the_sender() {
    // RECVMSG-PKTINFO-V4-ADDR, RECVMSG-PKTINFO-V6-ADDR
    let sim = Sim::new(1);
    let a = started(&sim, "a", &["10.0.0.1/24", "fd00::1/64"]);
    let b = started(&sim, "b", &["10.0.0.2/24", "fd00::2/64"]);
    for (af, level, opt, bind, dst, want) in [
        (
            AF_INET,
            IPPROTO_IP,
            IP_PKTINFO,
            "0.0.0.0:700",
            "10.0.0.2:700",
            "10.0.0.2",
        ),
        (
            AF_INET6,
            IPPROTO_IPV6,
            IPV6_PKTINFO,
            "[::]:701",
            "[fd00::2]:701",
            "fd00::2",
        ),
    ] {
        let rx = b.socket(af, SOCK_DGRAM, 0).unwrap();
        b.set_sock_opt_int(rx, level, opt, 1).unwrap();
        b.bind(rx, &bind.parse().unwrap()).unwrap();
        let tx = a.socket(af, SOCK_DGRAM, 0).unwrap();
        a.send_to(tx, b"x", &dst.parse().unwrap()).unwrap();
        let (r, _, msg) = recv_msg(&b, rx, &[8], 64);
        r.unwrap();
        let c = cmsg::parse(msg.control_bytes()).unwrap();
        let (addr, ifindex) = match cmsg::pktinfo(&c[0]).unwrap() {
            Pktinfo::V4(p) => (p.addr.to_string(), p.ifindex),
            Pktinfo::V6(p) => (p.addr.to_string(), p.ifindex),
        };
        assert_eq!(addr, want);
        assert_ne!(ifindex, 1, "not loopback");
    }
}

#[test]
fn null_optional_pointers_2014_signature() {
    // RECVMSG-PARAMS-NONOPTIONAL-2014: the current page's optional
    // parameters are honoured: NULL completion routine and NULL OVERLAPPED
    // (the non-overlapped call) are accepted; a NULL byte count is the
    // documented WSAEFAULT only because the call is non-overlapped.
    let (_sim, h) = local(1);
    let (s, a) = udp4(&h);
    send(&h, s, b"x", a);
    let mut msg = WsaMsg::for_recv(&[8], 0);
    assert_err(h.wsa_recv_msg(s, &mut msg, None), WSAEFAULT);
    let mut n = 0;
    h.wsa_recv_msg(s, &mut msg, Some(&mut n)).unwrap();
    assert_eq!(n, 1);
}

#[test]
fn recv_family_of_errors() {
    // RECV-ENETRESET-TTL, RECV-EWOULDBLOCK-NONBLOCKING, RECV-ENOTINITIALISED,
    // RECV-TIMEO-BLOCKING-ONLY
    let sim = Sim::new(1);
    let a = sim.add_host("a", &["10.0.0.1/24"]).unwrap();
    let far = sim.add_host("far", &["10.9.0.1/24"]).unwrap();
    sim.add_route("a", "10.9.0.0/16", 2).unwrap();
    assert_err(wsa_recv(&a, Socket(4), &[8], 0).0, WSANOTINITIALISED);
    for h in [&a, &far] {
        h.wsa_startup(WINSOCK_VERSION_2_2).unwrap();
    }
    let s = a.socket(AF_INET, SOCK_DGRAM, 0).unwrap();
    a.bind(s, &"10.0.0.1:0".parse().unwrap()).unwrap();
    a.set_sock_opt_int(s, IPPROTO_IP, IP_TTL, 1).unwrap();
    a.send_to(s, b"x", &"10.9.0.1:9".parse().unwrap()).unwrap();
    assert_err(wsa_recv(&a, s, &[8], 0).0, WSAENETRESET);
    a.set_nonblocking(s, true).unwrap();
    a.set_recv_timeout(s, Duration::from_millis(10)).unwrap();
    let t = sim.now();
    assert_err(wsa_recv(&a, s, &[8], 0).0, WSAEWOULDBLOCK);
    assert_eq!(
        sim.now(),
        t,
        "SO_RCVTIMEO does not apply to a non-blocking socket"
    );
}

#[test]
fn sendmsg_semantics_like_send() {
    // SENDMSG-BLOCKING-LIKE-SEND, SENDMSG-DONTROUTE, SENDMSG-ENOTSOCK,
    // SENDMSG-EMSGSIZE-MSG-ORIENTED
    let (_sim, h) = local(1);
    let (s, a) = udp4(&h);
    let mut msg = WsaMsg::for_send(Some(&a), b"copied");
    let mut n = 0;
    h.wsa_send_msg(s, &msg, MSG_DONTROUTE, Some(&mut n))
        .unwrap();
    // The data was copied into the transport: changing the buffer now does
    // not change what arrives.
    msg.buffers[0] = WsaBuf::from(&b"CHANGED"[..]);
    let (r, n, m) = recv_msg(&h, s, &[16], 0);
    r.unwrap();
    assert_eq!(m.data(n as usize), b"copied");
    assert_err(
        h.wsa_send_msg(Socket(0x3), &msg, 0, Some(&mut 0)),
        WSAENOTSOCK,
    );
    // Raw IPv4 sockets are message-oriented too: their limit is 65,515.
    let r = h.socket(AF_INET, SOCK_RAW, 253).unwrap();
    h.bind(r, &"127.0.0.1:0".parse().unwrap()).unwrap();
    assert_eq!(
        h.get_sock_opt_int(r, SOL_SOCKET, SO_MAX_MSG_SIZE).unwrap(),
        65_515
    );
    let big = WsaMsg::for_send(Some(&"127.0.0.1:0".parse().unwrap()), &pattern(65_516));
    assert_err(h.wsa_send_msg(r, &big, 0, Some(&mut 0)), WSAEMSGSIZE);
}

#[test]
fn sendmsg_sndtimeo_only_for_blocking_and_blocking_consumes_all() {
    // SENDMSG-SNDTIMEO-BLOCKING-ONLY, SENDMSG-BLOCKING-CONSUMES-ALL
    let sim = Sim::with_config(
        1,
        Config {
            tx_rate: Some(1_000_000),
            ..Config::default()
        },
    );
    let a = started(&sim, "a", &["10.0.0.1/24"]);
    let s = a.socket(AF_INET, SOCK_DGRAM, 0).unwrap();
    a.bind(s, &"10.0.0.1:0".parse().unwrap()).unwrap();
    a.set_sock_opt_int(s, SOL_SOCKET, SO_SNDBUF, 1000).unwrap();
    a.set_sock_opt_int(s, SOL_SOCKET, SO_SNDTIMEO, 50).unwrap();
    let msg = WsaMsg::for_send(Some(&"10.0.0.5:9".parse().unwrap()), &pattern(900));
    let mut n = 0;
    a.wsa_send_msg(s, &msg, 0, Some(&mut n)).unwrap();
    a.set_nonblocking(s, true).unwrap();
    assert_err(a.wsa_send_msg(s, &msg, 0, Some(&mut n)), WSAEWOULDBLOCK);
    assert_eq!(sim.now(), Duration::ZERO);
    a.set_nonblocking(s, false).unwrap();
    n = 0;
    a.wsa_send_msg(s, &msg, 0, Some(&mut n)).unwrap();
    assert_eq!(n, 900, "the blocking send consumed everything");
    assert_eq!(sim.now(), Duration::from_micros(900));
}

#[test]
fn sendmsg_enobufs_when_the_host_has_no_buffer_left() {
    // SENDMSG-ENOBUFS
    let sim = Sim::with_config(
        1,
        Config {
            buffer_pool: Some(1000),
            ..Config::default()
        },
    );
    let h = started(&sim, "h", &[]);
    let (s, a) = udp4(&h);
    let mut n = 0;
    h.wsa_send_msg(
        s,
        &WsaMsg::for_send(Some(&a), &pattern(600)),
        0,
        Some(&mut n),
    )
    .unwrap();
    // 600 bytes sit in the receive queue; 600 more do not fit the pool.
    assert_err(
        h.wsa_send_msg(
            s,
            &WsaMsg::for_send(Some(&a), &pattern(600)),
            0,
            Some(&mut n),
        ),
        WSAENOBUFS,
    );
    recv_msg(&h, s, &[600], 0).0.unwrap();
    h.wsa_send_msg(
        s,
        &WsaMsg::for_send(Some(&a), &pattern(600)),
        0,
        Some(&mut n),
    )
    .unwrap();
}
