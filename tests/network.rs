//! The network around the calls: start-up, binding, routing, broadcast and
//! multicast, ICMP errors, TTL, network failure, buffer limits, time-outs.

mod common;
use common::*;
use std::time::Duration;
use winsock_double::*;

fn two_hosts(seed: u64) -> (Sim, SimHost, SimHost) {
    let sim = Sim::new(seed);
    let a = started(&sim, "a", &["10.0.0.1/24", "fd00::1/64"]);
    let b = started(&sim, "b", &["10.0.0.2/24", "fd00::2/64"]);
    (sim, a, b)
}

#[test]
fn startup_is_reference_counted_and_last_cleanup_closes_sockets() {
    // RECVMSG-ENOTINITIALISED, SENDMSG-ENOTINITIALISED
    let sim = Sim::new(1);
    let h = sim.add_host("h", &[]).unwrap();
    assert_err(h.wsa_cleanup(), WSANOTINITIALISED);
    let d = h.wsa_startup(0x0202).unwrap();
    assert_eq!((d.version, d.high_version), (0x0202, 0x0202));
    assert_eq!(h.wsa_startup(0x0303).unwrap().version, 0x0202);
    assert_err(h.wsa_startup(0x0000), WSAVERNOTSUPPORTED);
    let (s, a) = udp4(&h);
    h.wsa_cleanup().unwrap();
    // One user left: the socket lives.
    send(&h, s, b"x", a);
    h.wsa_cleanup().unwrap();
    assert_err(h.getsockname(s), WSANOTINITIALISED);
    let msg = WsaMsg::for_send(Some(&a), b"x");
    let mut n = 0;
    assert_err(h.wsa_send_msg(s, &msg, 0, Some(&mut n)), WSANOTINITIALISED);
    h.wsa_startup(0x0202).unwrap();
    assert_err(h.getsockname(s), WSAENOTSOCK);
}

#[test]
fn socket_creation_checks_family_type_protocol() {
    let (_sim, h) = local(1);
    assert_err(h.socket(99, SOCK_DGRAM, 0), WSAEAFNOSUPPORT);
    assert_err(h.socket(AF_INET, 42, 0), WSAESOCKTNOSUPPORT);
    assert_err(
        h.socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP),
        WSAEPROTONOSUPPORT,
    );
    assert_err(h.wsa_socket(AF_INET, SOCK_DGRAM, 0, 0x8000), WSAEINVAL);
    let s = h.socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6).unwrap();
    assert_eq!(
        h.get_sock_opt_int(s, SOL_SOCKET, SO_TYPE).unwrap(),
        SOCK_RAW
    );
}

#[test]
fn bind_errors_addrinuse_addrnotavail_einval() {
    let (_sim, h) = local(1);
    let (s, a) = udp4(&h);
    let t = h.socket(AF_INET, SOCK_DGRAM, 0).unwrap();
    assert_err(h.bind(t, &a), WSAEADDRINUSE);
    assert_err(h.bind(t, &"10.1.2.3:0".parse().unwrap()), WSAEADDRNOTAVAIL);
    assert_err(h.bind(s, &"127.0.0.1:0".parse().unwrap()), WSAEINVAL);
    // With SO_REUSEADDR on both, the same address binds twice.
    let u = h.socket(AF_INET, SOCK_DGRAM, 0).unwrap();
    let v = h.socket(AF_INET, SOCK_DGRAM, 0).unwrap();
    for x in [u, v] {
        h.set_sock_opt_int(x, SOL_SOCKET, SO_REUSEADDR, 1).unwrap();
        h.bind(x, &"127.0.0.1:7777".parse().unwrap()).unwrap();
    }
}

#[test]
fn ephemeral_ports_are_in_the_dynamic_range_and_follow_the_seed() {
    let ports = |seed| {
        let (_sim, h) = local(seed);
        (0..5).map(|_| udp4(&h).1.port()).collect::<Vec<_>>()
    };
    assert_eq!(ports(9), ports(9));
    assert_ne!(ports(9), ports(10));
    assert!(ports(11).iter().all(|&p| p >= 49152));
}

#[test]
fn icmp_port_unreachable_is_wsaeconnreset_on_a_later_receive() {
    // RECVMSG-ECONNRESET-ICMP, RECV-ECONNRESET-ICMP
    let (_sim, a, _b) = two_hosts(1);
    let s = a.socket(AF_INET, SOCK_DGRAM, 0).unwrap();
    a.bind(s, &"10.0.0.1:0".parse().unwrap()).unwrap();
    a.send_to(s, b"anyone?", &"10.0.0.2:9".parse().unwrap())
        .unwrap();
    let (r, _, _) = recv_msg(&a, s, &[16], 0);
    assert_err(r, WSAECONNRESET);
    // Reported once: the socket stays usable.
    a.set_nonblocking(s, true).unwrap();
    assert_err(recv_msg(&a, s, &[16], 0).0, WSAEWOULDBLOCK);
}

#[test]
fn sio_udp_connreset_off_silences_port_unreachable() {
    // RECVMSG-ECONNRESET-ICMP (SIO_UDP_CONNRESET)
    let (sim, a, _b) = two_hosts(1);
    let s = a.socket(AF_INET, SOCK_DGRAM, 0).unwrap();
    a.bind(s, &"10.0.0.1:0".parse().unwrap()).unwrap();
    a.wsa_ioctl(s, SIO_UDP_CONNRESET, &0i32.to_le_bytes(), &mut [])
        .unwrap();
    a.send_to(s, b"anyone?", &"10.0.0.2:9".parse().unwrap())
        .unwrap();
    sim.run_until_idle();
    a.set_nonblocking(s, true).unwrap();
    assert_err(recv_msg(&a, s, &[16], 0).0, WSAEWOULDBLOCK);
}

#[test]
fn sendmsg_reports_a_pending_port_unreachable() {
    // SENDMSG-ECONNRESET-ICMP
    let (sim, a, _b) = two_hosts(1);
    let s = a.socket(AF_INET, SOCK_DGRAM, 0).unwrap();
    a.bind(s, &"10.0.0.1:0".parse().unwrap()).unwrap();
    let msg = WsaMsg::for_send(Some(&"10.0.0.2:9".parse().unwrap()), b"x");
    let mut n = 0;
    a.wsa_send_msg(s, &msg, 0, Some(&mut n)).unwrap();
    sim.run_until_idle();
    assert_err(a.wsa_send_msg(s, &msg, 0, Some(&mut n)), WSAECONNRESET);
}

#[test]
fn ttl_expiry_is_wsaenetreset() {
    // RECVMSG-ENETRESET-TTL, SENDMSG-ENETRESET-TTL
    let sim = Sim::new(1);
    let a = sim.add_host("a", &["10.0.0.1/24"]).unwrap();
    let far = sim.add_host("far", &["10.9.0.1/24"]).unwrap();
    sim.add_route("a", "10.9.0.0/16", 3).unwrap();
    for h in [&a, &far] {
        h.wsa_startup(WINSOCK_VERSION_2_2).unwrap();
    }
    let rx = far.socket(AF_INET, SOCK_DGRAM, 0).unwrap();
    far.bind(rx, &"10.9.0.1:4000".parse().unwrap()).unwrap();
    let s = a.socket(AF_INET, SOCK_DGRAM, 0).unwrap();
    a.bind(s, &"10.0.0.1:0".parse().unwrap()).unwrap();
    a.set_sock_opt_int(s, IPPROTO_IP, IP_TTL, 3).unwrap();
    a.send_to(s, b"too far", &"10.9.0.1:4000".parse().unwrap())
        .unwrap();
    assert_err(recv_msg(&a, s, &[16], 0).0, WSAENETRESET);
    a.set_sock_opt_int(s, IPPROTO_IP, IP_TTL, 4).unwrap();
    a.send_to(s, b"just", &"10.9.0.1:4000".parse().unwrap())
        .unwrap();
    let mut buf = [0u8; 8];
    assert_eq!(far.recv_from(rx, &mut buf).unwrap().0, 4);
}

// SIO_UDP_NETRESET off: the time-exceeded message is not reported, as
// SIO_UDP_CONNRESET keeps port-unreachable quiet (RECV-ENETRESET-TTL is the
// report it turns off; the Winsock IOCTLs page, SIO_UDP_NETRESET).
#[test]
fn sio_udp_netreset_turns_ttl_reports_off() {
    let sim = Sim::new(1);
    let a = sim.add_host("a", &["10.0.0.1/24"]).unwrap();
    sim.add_host("far", &["10.9.0.1/24"]).unwrap();
    sim.add_route("a", "10.9.0.0/16", 3).unwrap();
    a.wsa_startup(WINSOCK_VERSION_2_2).unwrap();
    let s = a.socket(AF_INET, SOCK_DGRAM, 0).unwrap();
    a.bind(s, &"10.0.0.1:0".parse().unwrap()).unwrap();
    a.set_sock_opt_int(s, IPPROTO_IP, IP_TTL, 1).unwrap();
    a.wsa_ioctl(s, SIO_UDP_NETRESET, &0u32.to_le_bytes(), &mut [])
        .unwrap();
    a.send_to(s, b"too far", &"10.9.0.1:4000".parse().unwrap())
        .unwrap();
    a.set_nonblocking(s, true).unwrap();
    sim.advance(std::time::Duration::from_millis(10));
    assert_err(recv_msg(&a, s, &[16], 0).0, WSAEWOULDBLOCK);
    // Back on, the next expiry is reported.
    a.wsa_ioctl(s, SIO_UDP_NETRESET, &1u32.to_le_bytes(), &mut [])
        .unwrap();
    a.send_to(s, b"too far", &"10.9.0.1:4000".parse().unwrap())
        .unwrap();
    sim.advance(std::time::Duration::from_millis(10));
    assert_err(recv_msg(&a, s, &[16], 0).0, WSAENETRESET);
    // Only datagram sockets take it.
    let t = a.socket(AF_INET, SOCK_STREAM, 0).unwrap();
    assert_err(
        a.wsa_ioctl(t, SIO_UDP_NETRESET, &0u32.to_le_bytes(), &mut []),
        WSAEINVAL,
    );
}

// mio's and libuv's base-handle lookup: SIO_BASE_HANDLE and the
// SIO_BSP_HANDLE* forms give the socket itself (no layered provider in the
// model); an output under 8 bytes is WSAEFAULT (the Winsock IOCTLs page).
#[test]
fn base_handles_are_the_socket() {
    let sim = Sim::new(2);
    let h = sim.add_host("h", &[]).unwrap();
    h.wsa_startup(WINSOCK_VERSION_2_2).unwrap();
    for ty in [SOCK_DGRAM, SOCK_STREAM] {
        let s = h.socket(AF_INET, ty, 0).unwrap();
        for code in [
            SIO_BASE_HANDLE,
            SIO_BSP_HANDLE,
            SIO_BSP_HANDLE_SELECT,
            SIO_BSP_HANDLE_POLL,
        ] {
            let mut out = [0u8; 8];
            assert_eq!(h.wsa_ioctl(s, code, &[], &mut out), Ok(8));
            assert_eq!(u64::from_le_bytes(out), s.0);
            assert_err(h.wsa_ioctl(s, code, &[], &mut [0u8; 4]), WSAEFAULT);
        }
    }
}

#[test]
fn network_down_is_wsaenetdown() {
    // RECVMSG-ENETDOWN, SENDMSG-ENETDOWN, RECV-ENETDOWN
    let (sim, a, b) = two_hosts(1);
    let rx = b.socket(AF_INET, SOCK_DGRAM, 0).unwrap();
    b.bind(rx, &"10.0.0.2:5000".parse().unwrap()).unwrap();
    let tx = a.socket(AF_INET, SOCK_DGRAM, 0).unwrap();
    a.bind(tx, &"10.0.0.1:0".parse().unwrap()).unwrap();
    sim.set_network_down("a", true).unwrap();
    let msg = WsaMsg::for_send(Some(&"10.0.0.2:5000".parse().unwrap()), b"x");
    let mut n = 0;
    assert_err(a.wsa_send_msg(tx, &msg, 0, Some(&mut n)), WSAENETDOWN);
    assert_err(recv_msg(&a, tx, &[8], 0).0, WSAENETDOWN);
    let mut bufs = [WsaBuf::zeroed(8)];
    let mut f = 0;
    assert_err(a.wsa_recv(tx, &mut bufs, Some(&mut n), &mut f), WSAENETDOWN);
    sim.set_network_down("a", false).unwrap();
    a.wsa_send_msg(tx, &msg, 0, Some(&mut n)).unwrap();
    // A datagram to a host that is down is lost.
    sim.set_network_down("b", true).unwrap();
    sim.run_until_idle();
    sim.set_network_down("b", false).unwrap();
    b.set_nonblocking(rx, true).unwrap();
    assert_err(recv_msg(&b, rx, &[8], 0).0, WSAEWOULDBLOCK);
}

#[test]
fn broadcast_reaches_every_host_on_the_subnet() {
    let sim = Sim::new(1);
    let hosts: Vec<SimHost> = (1..=3)
        .map(|i| {
            sim.add_host(&format!("h{i}"), &[&format!("10.0.0.{i}/24")])
                .unwrap()
        })
        .collect();
    let mut rxs = vec![];
    for h in &hosts {
        h.wsa_startup(WINSOCK_VERSION_2_2).unwrap();
        let s = h.socket(AF_INET, SOCK_DGRAM, 0).unwrap();
        h.bind(s, &"0.0.0.0:6000".parse().unwrap()).unwrap();
        rxs.push(s);
    }
    let tx = hosts[0].socket(AF_INET, SOCK_DGRAM, 0).unwrap();
    hosts[0]
        .set_sock_opt_int(tx, SOL_SOCKET, SO_BROADCAST, 1)
        .unwrap();
    hosts[0]
        .send_to(tx, b"hello all", &"255.255.255.255:6000".parse().unwrap())
        .unwrap();
    for (h, s) in hosts.iter().zip(&rxs) {
        let (r, n, m) = recv_msg(h, *s, &[32], 0);
        r.unwrap();
        assert_eq!(n, 9);
        assert_eq!(m.flags, MSG_BCAST);
    }
}

#[test]
fn multicast_reaches_members_only() {
    let (_sim, a, b) = two_hosts(1);
    let member = b.socket(AF_INET6, SOCK_DGRAM, 0).unwrap();
    b.bind(member, &"[::]:8000".parse().unwrap()).unwrap();
    let mut mreq = "ff02::1:3"
        .parse::<std::net::Ipv6Addr>()
        .unwrap()
        .octets()
        .to_vec();
    mreq.extend(0u32.to_le_bytes());
    b.set_sock_opt(member, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &mreq)
        .unwrap();
    let other = b.socket(AF_INET6, SOCK_DGRAM, 0).unwrap();
    b.set_sock_opt_int(other, SOL_SOCKET, SO_REUSEADDR, 1)
        .unwrap();
    let tx = a.socket(AF_INET6, SOCK_DGRAM, 0).unwrap();
    a.send_to(tx, b"m", &"[ff02::1:3]:8000".parse().unwrap())
        .unwrap();
    let (r, _, m) = recv_msg(&b, member, &[8], 0);
    r.unwrap();
    assert_eq!(m.flags, MSG_MCAST);
}

#[test]
fn rcvbuf_full_drops_and_memory_does_not_grow() {
    let (sim, h) = local(1);
    let (s, a) = udp4(&h);
    h.set_sock_opt_int(s, SOL_SOCKET, SO_RCVBUF, 1000).unwrap();
    for _ in 0..50 {
        send(&h, s, &pattern(100), a);
    }
    sim.run_until_idle();
    let mut arg = 0;
    h.ioctl_socket(s, FIONREAD, &mut arg).unwrap();
    assert_eq!(arg, 1000);
    assert!(sim.trace_text().contains("SO_RCVBUF full"));
}

#[test]
fn blocking_send_waits_for_sndbuf_and_times_out_with_sndtimeo() {
    // SENDMSG-ETIMEDOUT-SNDTIMEO, SENDMSG-EWOULDBLOCK-NONBLOCKING
    let cfg = Config {
        tx_rate: Some(1_000_000),
        ..Config::default()
    };
    let sim = Sim::with_config(1, cfg);
    let a = started(&sim, "a", &["10.0.0.1/24"]);
    let s = a.socket(AF_INET, SOCK_DGRAM, 0).unwrap();
    a.bind(s, &"10.0.0.1:0".parse().unwrap()).unwrap();
    a.set_sock_opt_int(s, SOL_SOCKET, SO_SNDBUF, 2000).unwrap();
    let to: std::net::SocketAddr = "10.0.0.9:9".parse().unwrap();
    let msg = WsaMsg::for_send(Some(&to), &pattern(1500));
    let mut n = 0;
    a.wsa_send_msg(s, &msg, 0, Some(&mut n)).unwrap();
    // 1,500 bytes at 1 MB/s take 1.5 ms; a second one does not fit 2,000.
    a.set_nonblocking(s, true).unwrap();
    assert_err(a.wsa_send_msg(s, &msg, 0, Some(&mut n)), WSAEWOULDBLOCK);
    a.set_nonblocking(s, false).unwrap();
    a.set_sock_opt_int(s, SOL_SOCKET, SO_SNDTIMEO, 1).unwrap();
    assert_err(a.wsa_send_msg(s, &msg, 0, Some(&mut n)), WSAETIMEDOUT);
    assert_eq!(sim.now(), Duration::from_millis(1));
    // Without a timeout, the blocking send waits until the buffer drains.
    a.set_sock_opt_int(s, SOL_SOCKET, SO_SNDTIMEO, 0).unwrap();
    a.wsa_send_msg(s, &msg, 0, Some(&mut n)).unwrap();
    assert_eq!(sim.now(), Duration::from_micros(1500));
}

#[test]
fn options_read_back_with_windows_defaults() {
    let (_sim, h) = local(1);
    let s = h.socket(AF_INET6, SOCK_DGRAM, 0).unwrap();
    assert_eq!(h.get_sock_opt_int(s, IPPROTO_IPV6, IPV6_V6ONLY).unwrap(), 1);
    assert_eq!(
        h.get_sock_opt_int(s, SOL_SOCKET, SO_MAX_MSG_SIZE).unwrap(),
        65_527
    );
    assert_eq!(h.get_sock_opt_int(s, SOL_SOCKET, SO_BROADCAST).unwrap(), 0);
    h.set_sock_opt_int(s, SOL_SOCKET, SO_RCVBUF, 4096).unwrap();
    assert_eq!(h.get_sock_opt_int(s, SOL_SOCKET, SO_RCVBUF).unwrap(), 4096);
    assert_err(h.set_sock_opt_int(s, SOL_SOCKET, 0x7777, 1), WSAENOPROTOOPT);
    assert_err(h.set_sock_opt(s, SOL_SOCKET, SO_RCVBUF, &[1, 2]), WSAEFAULT);
    assert_err(
        h.get_sock_opt(s, SOL_SOCKET, SO_RCVBUF, &mut [0u8; 2]),
        WSAEFAULT,
    );
    h.bind(s, &"[::1]:0".parse().unwrap()).unwrap();
    assert_err(
        h.set_sock_opt_int(s, IPPROTO_IPV6, IPV6_V6ONLY, 0),
        WSAEINVAL,
    );
}

// WIN-IOCTL-EOPNOTSUPP: codes Windows does not know, and SIO_FLUSH on a
// TCP socket, are WSAEOPNOTSUPP there (test_unsupported_ioctls), where the
// WSAIoctl page says WSAEINVAL; SIO_FLUSH still flushes a UDP socket.
#[test]
fn unknown_ioctls_are_not_supported_on_windows() {
    const FIOASYNC: u32 = 0x8004_667d;
    for (profile, unknown, flush_tcp) in [
        (Profile::documented(), WSAEINVAL, Ok(0)),
        (
            Profile::windows(),
            WSAEOPNOTSUPP,
            Err(WsaError::Code(WSAEOPNOTSUPP)),
        ),
        (
            Profile::wine8(),
            WSAEOPNOTSUPP,
            Err(WsaError::Code(WSAEOPNOTSUPP)),
        ),
    ] {
        let sim = Sim::with_config(
            1,
            Config {
                profile,
                ..Config::default()
            },
        );
        let h = sim.add_host("a", &[]).unwrap();
        h.wsa_startup(WINSOCK_VERSION_2_2).unwrap();
        let tcp = h.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP).unwrap();
        let udp = h.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
        for code in [0xdead_beef, FIOASYNC, 0x667e] {
            for s in [tcp, udp] {
                assert_err(h.wsa_ioctl(s, code, &[], &mut []), unknown);
            }
        }
        assert_eq!(
            h.wsa_ioctl(tcp, SIO_FLUSH, &[], &mut []),
            flush_tcp,
            "{profile}"
        );
        assert_eq!(h.wsa_ioctl(udp, SIO_FLUSH, &[], &mut []), Ok(0));
    }
}

// Winsock IOCTLs: FIONREAD and SIOCATMARK through WSAIoctl as through
// ioctlsocket, into a u_long (a shorter output is WSAEFAULT, as
// test_fionread_siocatmark checks on Windows, sock.c:5100-5116).
#[test]
fn fionread_and_siocatmark_through_wsaioctl() {
    let sim = Sim::new(1);
    let h = sim.add_host("a", &[]).unwrap();
    h.wsa_startup(WINSOCK_VERSION_2_2).unwrap();
    let l = h.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP).unwrap();
    h.bind(l, &"127.0.0.1:0".parse().unwrap()).unwrap();
    h.listen(l, 1).unwrap();
    let c = h.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP).unwrap();
    h.connect(c, &h.getsockname(l).unwrap()).unwrap();
    let (s, _) = h.accept(l).unwrap();
    let mut v = [0xffu8; 4];
    assert_eq!(h.wsa_ioctl(c, SIOCATMARK, &[], &mut v), Ok(4));
    assert_eq!(u32::from_le_bytes(v), 1, "no urgent data: at the mark");
    assert_err(h.wsa_ioctl(c, SIOCATMARK, &[], &mut v[..3]), WSAEFAULT);
    assert_err(h.wsa_ioctl(c, FIONREAD, &[], &mut v[..3]), WSAEFAULT);
    h.send_to(s, b"hello", &h.getsockname(c).unwrap()).unwrap();
    sim.advance(std::time::Duration::from_millis(1));
    assert_eq!(h.wsa_ioctl(c, FIONREAD, &[], &mut v), Ok(4));
    assert_eq!(u32::from_le_bytes(v), 5);
    let udp = h.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    let mut arg = 0;
    assert_eq!(
        h.ioctl_socket(udp, SIOCATMARK, &mut arg).is_err(),
        h.wsa_ioctl(udp, SIOCATMARK, &[], &mut v).is_err(),
        "the same answer both ways"
    );
}

/// Makes UDP sockets until one is given `wanted` back (by seed, half of
/// the time when it is free); the sockets made on the way stay open.
fn socket_with_handle(h: &SimHost, wanted: Socket) -> Socket {
    for _ in 0..64 {
        let s = h.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
        if s == wanted {
            return s;
        }
    }
    panic!("{wanted:?} never came back");
}

// closesocket: "the socket descriptor passed in the s parameter may
// immediately be reused by the system as soon as closesocket function is
// issued. As a result, it is not reliable to expect further references to
// the socket descriptor ... to fail with the error WSAENOTSOCK." A closed
// handle comes back (by seed); what was on its way to the closed socket
// (queued datagrams, an ICMP error) never reaches the new one, whose base
// handle is the handle it was given.
#[test]
fn closed_handles_come_back_to_new_sockets_only() {
    let sim = Sim::new(3);
    let a = sim.add_host("a", &["10.0.0.1/24"]).unwrap();
    let b = sim.add_host("b", &["10.0.0.2/24"]).unwrap();
    for h in [&a, &b] {
        h.wsa_startup(WINSOCK_VERSION_2_2).unwrap();
    }
    // A datagram queued on the old socket.
    let old = a.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    a.bind(old, &"10.0.0.1:5000".parse().unwrap()).unwrap();
    let tx = b.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    b.send_to(tx, b"for old", &"10.0.0.1:5000".parse().unwrap())
        .unwrap();
    sim.advance(Duration::from_millis(1));
    // An ICMP port unreachable on its way back to it.
    a.send_to(old, b"nobody", &"10.0.0.2:9".parse().unwrap())
        .unwrap();
    a.close_socket(old).unwrap();
    let new = socket_with_handle(&a, old);
    sim.advance(Duration::from_millis(1));
    assert_err(a.getsockname(new), WSAEINVAL);
    a.bind(new, &"10.0.0.1:0".parse().unwrap()).unwrap();
    a.set_nonblocking(new, true).unwrap();
    assert_err(recv_msg(&a, new, &[16], 0).0, WSAEWOULDBLOCK);
    let mut base = [0u8; 8];
    a.wsa_ioctl(new, SIO_BASE_HANDLE, &[], &mut base).unwrap();
    assert_eq!(u64::from_le_bytes(base), new.0);
    // It works as any socket.
    let to = a.getsockname(new).unwrap();
    b.send_to(tx, b"for new", &to).unwrap();
    sim.advance(Duration::from_millis(1));
    let (r, n, _) = recv_msg(&a, new, &[16], 0);
    r.unwrap();
    assert_eq!(n, 7);
    assert!(sim
        .trace()
        .iter()
        .any(|e| e.to_string().contains("given again")));

    // Without reuse, a handle never comes back.
    let sim = Sim::with_config(
        3,
        Config {
            reuse_handles: false,
            ..Config::default()
        },
    );
    let h = sim.add_host("a", &[]).unwrap();
    h.wsa_startup(WINSOCK_VERSION_2_2).unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..32 {
        let s = h.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
        assert!(seen.insert(s), "{s:?} given twice");
        h.close_socket(s).unwrap();
    }
}

// A stream socket accepted into a closed socket's handle: the segments of
// the closed connection still on their way find no socket.
#[test]
fn an_accepted_socket_may_take_a_closed_handle() {
    let sim = Sim::new(8);
    let h = sim.add_host("a", &[]).unwrap();
    h.wsa_startup(WINSOCK_VERSION_2_2).unwrap();
    let l = h.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP).unwrap();
    h.bind(l, &"127.0.0.1:0".parse().unwrap()).unwrap();
    h.listen(l, 16).unwrap();
    let to = h.getsockname(l).unwrap();
    let mut freed = std::collections::BTreeSet::new();
    let mut reused = false;
    for _ in 0..32 {
        let c = h.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP).unwrap();
        h.connect(c, &to).unwrap();
        let (s, _) = h.accept(l).unwrap();
        reused |= freed.contains(&s) || freed.contains(&c);
        h.wsa_send(c, &[WsaBuf::from(&b"ping"[..])], Some(&mut 0), 0)
            .unwrap();
        let mut got = vec![];
        while got.len() < 4 {
            let mut bufs = [WsaBuf::zeroed(8)];
            let (mut n, mut f) = (0, 0);
            h.wsa_recv(s, &mut bufs, Some(&mut n), &mut f).unwrap();
            assert!(n > 0);
            got.extend(gather(&bufs, n as usize));
        }
        assert_eq!(got, b"ping", "the new connection's own bytes");
        for x in [c, s] {
            h.close_socket(x).unwrap();
            freed.insert(x);
        }
    }
    assert!(reused, "some handle came back within 32 connections");
}

// WIN-SOCKET-TRIPLE: Wine's test_WSASocket table (sock.c:3010-3046, run on
// Windows): the error of each triple, or the family, type and protocol the
// new socket's WSAPROTOCOL_INFOW reports.
#[test]
fn socket_triples_as_windows_matches_them() {
    const BAD: i32 = 0xdead;
    let ok = |af, ty, p| Ok((af, ty, p));
    type Triple = (i32, i32, i32);
    let rows: [(i32, i32, i32, Result<Triple, i32>); 29] = [
        (BAD, SOCK_STREAM, IPPROTO_TCP, Err(WSAEAFNOSUPPORT)),
        (-1, SOCK_STREAM, IPPROTO_TCP, Err(WSAEAFNOSUPPORT)),
        (AF_INET, BAD, IPPROTO_TCP, Err(WSAESOCKTNOSUPPORT)),
        (AF_INET, -1, IPPROTO_TCP, Err(WSAESOCKTNOSUPPORT)),
        (AF_INET, SOCK_STREAM, BAD, Err(WSAEPROTONOSUPPORT)),
        (AF_INET, SOCK_STREAM, -1, Err(WSAEPROTONOSUPPORT)),
        (BAD, BAD, IPPROTO_TCP, Err(WSAESOCKTNOSUPPORT)),
        (BAD, SOCK_STREAM, BAD, Err(WSAEAFNOSUPPORT)),
        (AF_INET, BAD, BAD, Err(WSAESOCKTNOSUPPORT)),
        (BAD, SOCK_STREAM, IPPROTO_UDP, Err(WSAEAFNOSUPPORT)),
        (
            AF_INET,
            SOCK_STREAM,
            0,
            ok(AF_INET, SOCK_STREAM, IPPROTO_TCP),
        ),
        (AF_INET, SOCK_DGRAM, 0, ok(AF_INET, SOCK_DGRAM, IPPROTO_UDP)),
        (AF_INET, BAD, 0, Err(WSAESOCKTNOSUPPORT)),
        (
            AF_INET,
            0,
            IPPROTO_TCP,
            ok(AF_INET, SOCK_STREAM, IPPROTO_TCP),
        ),
        (
            AF_INET,
            0,
            IPPROTO_UDP,
            ok(AF_INET, SOCK_DGRAM, IPPROTO_UDP),
        ),
        (AF_INET, 0, BAD, Err(WSAEPROTONOSUPPORT)),
        (AF_INET, 0, 0, ok(AF_INET, SOCK_STREAM, IPPROTO_TCP)),
        (AF_INET, SOCK_STREAM, IPPROTO_UDP, Err(WSAEPROTONOSUPPORT)),
        (AF_INET, SOCK_DGRAM, IPPROTO_TCP, Err(WSAEPROTONOSUPPORT)),
        (
            AF_UNSPEC,
            SOCK_STREAM,
            IPPROTO_TCP,
            ok(AF_INET, SOCK_STREAM, IPPROTO_TCP),
        ),
        (AF_UNSPEC, SOCK_STREAM, BAD, Err(WSAEPROTONOSUPPORT)),
        (AF_UNSPEC, BAD, IPPROTO_UDP, Err(WSAESOCKTNOSUPPORT)),
        (AF_UNSPEC, SOCK_STREAM, 0, Err(WSAEINVAL)),
        (AF_UNSPEC, SOCK_DGRAM, 0, Err(WSAEINVAL)),
        (AF_UNSPEC, BAD, 0, Err(WSAEINVAL)),
        (
            AF_UNSPEC,
            0,
            IPPROTO_TCP,
            ok(AF_INET, SOCK_STREAM, IPPROTO_TCP),
        ),
        (
            AF_UNSPEC,
            0,
            IPPROTO_UDP,
            ok(AF_INET, SOCK_DGRAM, IPPROTO_UDP),
        ),
        (AF_UNSPEC, 0, BAD, Err(WSAEPROTONOSUPPORT)),
        (AF_UNSPEC, 0, 0, Err(WSAEINVAL)),
    ];
    let sim = Sim::with_config(
        1,
        Config {
            profile: Profile::windows(),
            ..Config::default()
        },
    );
    let h = sim.add_host("a", &[]).unwrap();
    h.wsa_startup(WINSOCK_VERSION_2_2).unwrap();
    let field = |info: &[u8], at: usize| i32::from_le_bytes(info[at..at + 4].try_into().unwrap());
    for (i, (af, ty, p, want)) in rows.into_iter().enumerate() {
        let got = h.wsa_socket(af, ty, p, 0).map_err(|e| match e {
            WsaError::Code(c) => c,
            e => panic!("row {i}: {e:?}"),
        });
        let got = got.map(|s| {
            let mut info = [0u8; 628];
            h.get_sock_opt(s, SOL_SOCKET, SO_PROTOCOL_INFOW, &mut info)
                .unwrap();
            h.close_socket(s).unwrap();
            // iAddressFamily, iSocketType, iProtocol of WSAPROTOCOL_INFOW.
            (field(&info, 76), field(&info, 88), field(&info, 92))
        });
        assert_eq!(got, want, "row {i}: ({af:#x}, {ty:#x}, {p:#x})");
    }
    // The documented model names no AF_UNSPEC and no type 0.
    let sim = Sim::new(1);
    let h = sim.add_host("a", &[]).unwrap();
    h.wsa_startup(WINSOCK_VERSION_2_2).unwrap();
    assert_err(
        h.wsa_socket(AF_UNSPEC, SOCK_STREAM, IPPROTO_TCP, 0),
        WSAEAFNOSUPPORT,
    );
    assert_err(h.wsa_socket(AF_INET, 0, IPPROTO_TCP, 0), WSAESOCKTNOSUPPORT);
}

#[test]
fn the_protocol_catalog_is_what_sockets_of_its_protocols_say() {
    // SimHost::protocols (WSAEnumProtocolsW's answer on the DLL): TCP and
    // UDP over IPv4 and IPv6, each entry byte for byte the
    // SO_PROTOCOL_INFOW of such a socket, with the service flags Wine's
    // test_service_flags checks on Windows (dlls/ws2_32/tests/protocol.c).
    let sim = Sim::new(1);
    let h = started(&sim, "a", &["10.0.0.1/24", "fd00::1/64"]);
    let field = |info: &[u8], at: usize| u32::from_le_bytes(info[at..at + 4].try_into().unwrap());
    let cat = h.protocols();
    let kinds: Vec<_> = cat
        .iter()
        .map(|i| {
            (
                field(i, 76) as i32,
                field(i, 88) as i32,
                field(i, 92) as i32,
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            (AF_INET, SOCK_STREAM, IPPROTO_TCP),
            (AF_INET, SOCK_DGRAM, IPPROTO_UDP),
            (AF_INET6, SOCK_STREAM, IPPROTO_TCP),
            (AF_INET6, SOCK_DGRAM, IPPROTO_UDP),
        ]
    );
    const TCP: u32 = XP1_GUARANTEED_DELIVERY
        | XP1_GUARANTEED_ORDER
        | XP1_GRACEFUL_CLOSE
        | XP1_EXPEDITED_DATA
        | XP1_IFS_HANDLES;
    const UDP: u32 = XP1_CONNECTIONLESS
        | XP1_MESSAGE_ORIENTED
        | XP1_SUPPORT_BROADCAST
        | XP1_SUPPORT_MULTIPOINT
        | XP1_IFS_HANDLES;
    for (info, &(af, ty, p)) in cat.iter().zip(&kinds) {
        assert_eq!(info.len(), 628);
        assert_eq!(field(info, 0), if ty == SOCK_STREAM { TCP } else { UDP });
        assert_eq!(field(info, 72), 2, "iVersion");
        let s = h.wsa_socket(af, ty, p, 0).unwrap();
        let mut own = [0u8; 628];
        h.get_sock_opt(s, SOL_SOCKET, SO_PROTOCOL_INFOW, &mut own)
            .unwrap();
        h.close_socket(s).unwrap();
        assert_eq!(info.as_slice(), own.as_slice(), "({af}, {ty}, {p})");
    }
}
