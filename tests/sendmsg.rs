//! WSASendMsg on datagram and raw sockets, citing clause ids.

mod common;
use common::*;
use std::net::SocketAddr;
use winsock_double::cmsg::{self, In6Pktinfo, InPktinfo};
use winsock_double::*;

fn send_msg(h: &SimHost, s: Socket, msg: &WsaMsg, flags: u32) -> (Result<(), WsaError>, u32) {
    let mut n = u32::MAX;
    let r = h.wsa_send_msg(s, msg, flags, Some(&mut n));
    (r, n)
}

#[test]
fn sendmsg_sends_gathered_buffers_in_order() {
    // SENDMSG-BUFFER-ORDER
    let (_sim, h) = local(1);
    let (s, a) = udp4(&h);
    let msg = WsaMsg {
        name: NameBuf::addr(&a),
        buffers: vec![
            WsaBuf::from(&b"ab"[..]),
            WsaBuf::from(&b""[..]),
            WsaBuf::from(&b"cde"[..]),
        ],
        ..Default::default()
    };
    let (r, n) = send_msg(&h, s, &msg, 0);
    r.unwrap();
    assert_eq!(n, 5);
    let (r, n, m) = recv_msg(&h, s, &[16], 0);
    r.unwrap();
    assert_eq!(m.data(n as usize), b"abcde");
}

#[test]
fn sendmsg_flags_allowed_and_others_rejected() {
    // SENDMSG-FLAGS-ALLOWED, SENDMSG-EOPNOTSUPP-FLAGS, SENDMSG-PARTIAL-EOPNOTSUPP
    let (_sim, h) = local(1);
    let (s, a) = udp4(&h);
    let msg = WsaMsg::for_send(Some(&a), b"x");
    send_msg(&h, s, &msg, MSG_DONTROUTE).0.unwrap();
    for bad in [MSG_PEEK, MSG_WAITALL, MSG_PUSH_IMMEDIATE, 0x4000_0000] {
        assert_err(send_msg(&h, s, &msg, bad).0, WSAEOPNOTSUPP);
    }
    // Allowed by the call but not by UDP: MSG_PARTIAL and MSG_OOB.
    assert_err(send_msg(&h, s, &msg, MSG_PARTIAL).0, WSAEOPNOTSUPP);
    assert_err(send_msg(&h, s, &msg, MSG_OOB).0, WSAEOPNOTSUPP);
    // Only the one good send arrived.
    h.set_nonblocking(s, true).unwrap();
    recv_msg(&h, s, &[4], 0).0.unwrap();
    assert_err(recv_msg(&h, s, &[4], 0).0, WSAEWOULDBLOCK);
}

#[test]
fn sendmsg_msg_flags_ignored_on_input() {
    // SENDMSG-MSG-FLAGS-IGNORED
    let (_sim, h) = local(1);
    let (s, a) = udp4(&h);
    let mut msg = WsaMsg::for_send(Some(&a), b"x");
    msg.flags = MSG_PEEK | MSG_OOB | 0x7000_0000;
    let (r, n) = send_msg(&h, s, &msg, 0);
    r.unwrap();
    assert_eq!(n, 1);
}

#[test]
fn sendmsg_emsgsize_max_transmits_nothing() {
    // SENDMSG-EMSGSIZE-MAX, SENDMSG-MAX-MSG-SIZE-OPTION
    let (_sim, h) = local(1);
    let (s, a) = udp4(&h);
    let max = h.get_sock_opt_int(s, SOL_SOCKET, SO_MAX_MSG_SIZE).unwrap();
    assert_eq!(max, 65_507);
    let msg = WsaMsg::for_send(Some(&a), &pattern(max as usize + 1));
    assert_err(send_msg(&h, s, &msg, 0).0, WSAEMSGSIZE);
    let msg = WsaMsg::for_send(Some(&a), &pattern(65_535));
    assert_err(send_msg(&h, s, &msg, 0).0, WSAEMSGSIZE);
    h.set_nonblocking(s, true).unwrap();
    assert_err(recv_msg(&h, s, &[16], 0).0, WSAEWOULDBLOCK);
    let msg = WsaMsg::for_send(Some(&a), &pattern(max as usize));
    send_msg(&h, s, &msg, 0).0.unwrap();
    assert_eq!(recv_msg(&h, s, &[70_000], 0).1, max as u32);
}

#[test]
fn sendmsg_eacces_broadcast_without_so_broadcast() {
    // SENDMSG-EACCES-BROADCAST
    let sim = Sim::new(2);
    let a = started(&sim, "a", &["10.0.0.1/24"]);
    let s = a.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    a.bind(s, &"10.0.0.1:0".parse().unwrap()).unwrap();
    for dst in ["10.0.0.255:9", "255.255.255.255:9"] {
        let msg = WsaMsg::for_send(Some(&dst.parse().unwrap()), b"x");
        assert_err(send_msg(&a, s, &msg, 0).0, WSAEACCES);
    }
    a.set_sock_opt_int(s, SOL_SOCKET, SO_BROADCAST, 1).unwrap();
    let msg = WsaMsg::for_send(Some(&"10.0.0.255:9".parse().unwrap()), b"x");
    send_msg(&a, s, &msg, 0).0.unwrap();
}

#[test]
fn sendmsg_efault_null_name_and_null_control() {
    // SENDMSG-EFAULT-NULL-NAME, SENDMSG-EFAULT-NULL-CONTROL
    let (_sim, h) = local(1);
    let (s, a) = udp4(&h);
    let mut msg = WsaMsg::for_send(Some(&a), b"x");
    msg.name = NameBuf::null(16);
    assert_err(send_msg(&h, s, &msg, 0).0, WSAEFAULT);
    let mut msg = WsaMsg::for_send(Some(&a), b"x");
    msg.control = WsaBuf::null(16);
    assert_err(send_msg(&h, s, &msg, 0).0, WSAEFAULT);
    msg.control = WsaBuf::overlong(vec![0; 4], 24);
    assert_err(send_msg(&h, s, &msg, 0).0, WSAEFAULT);
}

#[test]
fn sendmsg_efault_buffers_and_bytes_pointer() {
    // SENDMSG-EFAULT-BUFFERS, SENDMSG-EFAULT-POINTERS, SENDMSG-EFAULT-BYTES-NULL
    let (_sim, h) = local(1);
    let (s, a) = udp4(&h);
    let mut msg = WsaMsg::for_send(Some(&a), b"x");
    msg.buffers.push(WsaBuf::overlong(vec![1, 2], 10));
    assert_err(send_msg(&h, s, &msg, 0).0, WSAEFAULT);
    let msg = WsaMsg::for_send(Some(&a), b"x");
    assert_err(h.wsa_send_msg(s, &msg, 0, None), WSAEFAULT);
}

#[test]
fn sendmsg_einval_unbound_and_not_overlapped() {
    // SENDMSG-EINVAL-UNBOUND, SENDMSG-EINVAL-NOT-OVERLAPPED
    let (_sim, h) = local(1);
    let (_, a) = udp4(&h);
    let s = h.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    let msg = WsaMsg::for_send(Some(&a), b"x");
    assert_err(send_msg(&h, s, &msg, 0).0, WSAEINVAL);
    let n = h.wsa_socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP, 0).unwrap();
    h.bind(n, &"127.0.0.1:0".parse().unwrap()).unwrap();
    assert_err(send_msg(&h, n, &msg, 0).0, WSAEINVAL);
}

#[test]
fn sendmsg_dgram_raw_only() {
    // SENDMSG-DGRAM-RAW-ONLY
    let (_sim, h) = local(1);
    let (_, a) = udp4(&h);
    let t = h.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP).unwrap();
    h.bind(t, &"127.0.0.1:0".parse().unwrap()).unwrap();
    assert_err(
        send_msg(&h, t, &WsaMsg::for_send(Some(&a), b"x"), 0).0,
        WSAEINVAL,
    );
}

#[test]
fn sendmsg_enotconn_without_name_on_unconnected_socket() {
    // SENDMSG-ENOTCONN
    let (_sim, h) = local(1);
    let (s, a) = udp4(&h);
    assert_err(
        send_msg(&h, s, &WsaMsg::for_send(None, b"x"), 0).0,
        WSAENOTCONN,
    );
    h.connect(s, &a).unwrap();
    send_msg(&h, s, &WsaMsg::for_send(None, b"x"), 0).0.unwrap();
}

#[test]
fn sendmsg_eshutdown_after_sd_send() {
    // SENDMSG-ESHUTDOWN
    let (_sim, h) = local(1);
    let (s, a) = udp4(&h);
    h.shutdown(s, SD_SEND).unwrap();
    assert_err(
        send_msg(&h, s, &WsaMsg::for_send(Some(&a), b"x"), 0).0,
        WSAESHUTDOWN,
    );
    let (s2, _) = udp4(&h);
    h.shutdown(s2, SD_BOTH).unwrap();
    assert_err(
        send_msg(&h, s2, &WsaMsg::for_send(Some(&a), b"x"), 0).0,
        WSAESHUTDOWN,
    );
}

#[test]
fn sendmsg_pktinfo_chooses_the_source_v4() {
    // SENDMSG-PKTINFO-SOURCE-V4
    let sim = Sim::new(4);
    let a = started(&sim, "a", &["10.0.0.1/24", "10.0.0.7/24"]);
    let b = started(&sim, "b", &["10.0.0.2/24"]);
    let rx = b.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    b.bind(rx, &"10.0.0.2:9000".parse().unwrap()).unwrap();
    let tx = a.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    a.bind(tx, &"0.0.0.0:0".parse().unwrap()).unwrap();
    let mut msg = WsaMsg::for_send(Some(&"10.0.0.2:9000".parse().unwrap()), b"x");
    msg.control = WsaBuf::from(cmsg::encode(&[InPktinfo {
        addr: "10.0.0.7".parse().unwrap(),
        ifindex: 0,
    }
    .to_cmsg()]));
    send_msg(&a, tx, &msg, 0).0.unwrap();
    let (r, _, m) = recv_msg(&b, rx, &[8], 0);
    r.unwrap();
    assert_eq!(m.name.decode().unwrap().ip().to_string(), "10.0.0.7");
    // Without it the route's interface is the source.
    let msg = WsaMsg::for_send(Some(&"10.0.0.2:9000".parse().unwrap()), b"x");
    send_msg(&a, tx, &msg, 0).0.unwrap();
    let (_, _, m) = recv_msg(&b, rx, &[8], 0);
    assert_eq!(m.name.decode().unwrap().ip().to_string(), "10.0.0.1");
    // A source address the host does not have.
    let mut msg = WsaMsg::for_send(Some(&"10.0.0.2:9000".parse().unwrap()), b"x");
    msg.control = WsaBuf::from(cmsg::encode(&[InPktinfo {
        addr: "10.9.9.9".parse().unwrap(),
        ifindex: 0,
    }
    .to_cmsg()]));
    assert_err(send_msg(&a, tx, &msg, 0).0, WSAEADDRNOTAVAIL);
}

#[test]
fn sendmsg_pktinfo_chooses_the_source_v6_and_dualstack() {
    // SENDMSG-PKTINFO-SOURCE-V6, SENDMSG-PKTINFO-DUALSTACK
    let sim = Sim::new(4);
    let a = started(
        &sim,
        "a",
        &["fd00::1/64", "fd00::7/64", "10.0.0.1/24", "10.0.0.7/24"],
    );
    let b = started(&sim, "b", &["fd00::2/64", "10.0.0.2/24"]);
    let rx6 = b.socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    b.set_sock_opt_int(rx6, IPPROTO_IPV6, IPV6_V6ONLY, 0)
        .unwrap();
    b.bind(rx6, &"[::]:9000".parse().unwrap()).unwrap();
    let tx = a.socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    a.set_sock_opt_int(tx, IPPROTO_IPV6, IPV6_V6ONLY, 0)
        .unwrap();
    a.bind(tx, &"[::]:0".parse().unwrap()).unwrap();
    let both = cmsg::encode(&[
        InPktinfo {
            addr: "10.0.0.7".parse().unwrap(),
            ifindex: 0,
        }
        .to_cmsg(),
        In6Pktinfo {
            addr: "fd00::7".parse().unwrap(),
            ifindex: 0,
        }
        .to_cmsg(),
    ]);
    // To an IPv6 destination the in6_pktinfo applies.
    let mut msg = WsaMsg::for_send(Some(&"[fd00::2]:9000".parse().unwrap()), b"6");
    msg.control = WsaBuf::from(both.clone());
    send_msg(&a, tx, &msg, 0).0.unwrap();
    let (_, _, m) = recv_msg(&b, rx6, &[8], 0);
    assert_eq!(m.name.decode().unwrap().ip().to_string(), "fd00::7");
    // To an IPv4-mapped destination the in_pktinfo applies.
    let mut msg = WsaMsg::for_send(Some(&"[::ffff:10.0.0.2]:9000".parse().unwrap()), b"4");
    msg.control = WsaBuf::from(both);
    send_msg(&a, tx, &msg, 0).0.unwrap();
    let (_, _, m) = recv_msg(&b, rx6, &[8], 0);
    let from: SocketAddr = m.name.decode().unwrap();
    assert_eq!(from.ip().to_string(), "::ffff:10.0.0.7");
}

#[test]
fn sendmsg_success_is_not_delivery() {
    // SENDMSG-NO-DELIVERY-GUARANTEE
    let sim = Sim::new(1);
    let a = started(&sim, "a", &["10.0.0.1/24"]);
    let s = a.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    a.bind(s, &"0.0.0.0:0".parse().unwrap()).unwrap();
    // No host has 10.0.0.99: the send succeeds, nothing arrives anywhere.
    let (r, n) = send_msg(
        &a,
        s,
        &WsaMsg::for_send(Some(&"10.0.0.99:9".parse().unwrap()), b"lost"),
        0,
    );
    r.unwrap();
    assert_eq!(n, 4);
    sim.run_until_idle();
    assert!(sim.trace_text().contains("no host has this address"));
}

#[test]
fn sendmsg_enetunreach_without_route() {
    // SENDMSG-ENETUNREACH
    let sim = Sim::new(1);
    let a = started(&sim, "a", &["10.0.0.1/24"]);
    let s = a.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    a.bind(s, &"0.0.0.0:0".parse().unwrap()).unwrap();
    assert_err(
        send_msg(
            &a,
            s,
            &WsaMsg::for_send(Some(&"192.168.5.5:9".parse().unwrap()), b"x"),
            0,
        )
        .0,
        WSAENETUNREACH,
    );
}

#[test]
fn sendmsg_extension_pointer_through_wsaioctl() {
    // SENDMSG-EXTENSION-POINTER
    let (_sim, h) = local(1);
    let (s, _) = udp4(&h);
    let mut out = [0u8; 8];
    assert_eq!(
        h.wsa_ioctl(
            s,
            SIO_GET_EXTENSION_FUNCTION_POINTER,
            &WSAID_WSASENDMSG.to_bytes(),
            &mut out
        )
        .unwrap(),
        8
    );
    assert_ne!(out, [0; 8]);
    assert_err(
        h.wsa_ioctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &[1, 2, 3], &mut out),
        WSAEFAULT,
    );
}

// WIN-SENDMSG-EFAULT-BINDS: on Windows a direct WSASendMsg with a NULL byte
// count binds the unbound datagram socket before failing with WSAEFAULT
// (test_WSASendMsg, sock.c:7234-7246); the documented model, and Wine 8,
// leave it unbound (SENDMSG-EFAULT-BYTES-NULL).
#[test]
fn a_null_count_still_binds_on_windows() {
    for (profile, binds) in [
        (Profile::documented(), false),
        (Profile::wine8(), false),
        (Profile::windows(), true),
    ] {
        let sim = Sim::with_config(
            2,
            Config {
                profile,
                ..Config::default()
            },
        );
        let h = started(&sim, "local", &[]);
        let (_dst, to) = udp4(&h);
        let s = h.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
        let msg = WsaMsg::for_send(Some(&to), b"x");
        assert_err(h.wsa_send_msg(s, &msg, 0, None), WSAEFAULT);
        match h.getsockname(s) {
            Ok(a) => {
                assert!(binds, "{profile}");
                assert!(a.ip().is_unspecified() && a.port() != 0, "{a}");
            }
            Err(e) => {
                assert!(!binds, "{profile}");
                assert_eq!(e, WsaError::Code(WSAEINVAL));
            }
        }
    }
}
