//! WSARecvMsg on datagram and raw sockets: each test cites the clause ids it
//! checks (see model/CONTRACT.md).

mod common;
use common::*;
use winsock_double::cmsg::{self, Pktinfo};
use winsock_double::*;

#[test]
fn recvmsg_trunc_dgram_keeps_first_part_and_loses_the_rest() {
    // RECVMSG-TRUNC-DGRAM, RECVMSG-OUT-TRUNC, RECVMSG-EMSGSIZE
    let (_sim, h) = local(1);
    let (s, a) = udp4(&h);
    send(&h, s, &pattern(100), a);
    send(&h, s, b"next", a);
    let (r, n, msg) = recv_msg(&h, s, &[10], 0);
    assert_err(r, WSAEMSGSIZE);
    assert_eq!(n, 10);
    assert_eq!(msg.data(10), pattern(10));
    assert_eq!(msg.flags & MSG_TRUNC, MSG_TRUNC);
    // The excess is lost: the next receive gets the next datagram.
    let (r, n, msg) = recv_msg(&h, s, &[100], 0);
    r.unwrap();
    assert_eq!(msg.data(n as usize), b"next");
    assert_eq!(msg.flags & MSG_TRUNC, 0);
}

#[test]
fn recvmsg_buffer_order_fills_in_array_order_without_holes() {
    // RECVMSG-BUFFER-ORDER
    let (_sim, h) = local(1);
    let (s, a) = udp4(&h);
    send(&h, s, &pattern(10), a);
    let (r, n, msg) = recv_msg(&h, s, &[3, 0, 4, 8], 0);
    r.unwrap();
    assert_eq!(n, 10);
    assert_eq!(msg.buffers[0].bytes(), &pattern(10)[0..3]);
    assert_eq!(msg.buffers[1].bytes(), b"");
    assert_eq!(msg.buffers[2].bytes(), &pattern(10)[3..7]);
    assert_eq!(&msg.buffers[3].bytes()[..3], &pattern(10)[7..10]);
    assert_eq!(&msg.buffers[3].bytes()[3..], &[0u8; 5]);
}

#[test]
fn recvmsg_peek_copies_without_removing() {
    // RECVMSG-PEEK, RECVMSG-EWOULDBLOCK-NONBLOCKING
    let (_sim, h) = local(1);
    let (s, a) = udp4(&h);
    send(&h, s, b"once", a);
    let mut msg = WsaMsg::for_recv(&[16], 0);
    msg.flags = MSG_PEEK;
    let mut n = 0;
    h.wsa_recv_msg(s, &mut msg, Some(&mut n)).unwrap();
    assert_eq!(msg.data(n as usize), b"once");
    let (r, n, msg) = recv_msg(&h, s, &[16], 0);
    r.unwrap();
    assert_eq!(msg.data(n as usize), b"once");
    h.set_nonblocking(s, true).unwrap();
    assert_err(recv_msg(&h, s, &[16], 0).0, WSAEWOULDBLOCK);
}

#[test]
fn recvmsg_peek_truncated_keeps_the_datagram() {
    // RECVMSG-PEEK, RECVMSG-TRUNC-DGRAM
    let (_sim, h) = local(1);
    let (s, a) = udp4(&h);
    send(&h, s, &pattern(20), a);
    let mut msg = WsaMsg::for_recv(&[5], 0);
    msg.flags = MSG_PEEK;
    let mut n = 0;
    assert_err(h.wsa_recv_msg(s, &mut msg, Some(&mut n)), WSAEMSGSIZE);
    let (r, n, _) = recv_msg(&h, s, &[20], 0);
    r.unwrap();
    assert_eq!(n, 20);
}

#[test]
fn recvmsg_peek_only_input_flag() {
    // RECVMSG-PEEK-ONLY-INPUT
    let (_sim, h) = local(1);
    let (s, a) = udp4(&h);
    send(&h, s, b"x", a);
    for bad in [
        MSG_OOB,
        MSG_WAITALL,
        MSG_PARTIAL,
        MSG_DONTROUTE,
        MSG_PEEK | MSG_OOB,
    ] {
        let mut msg = WsaMsg::for_recv(&[16], 0);
        msg.flags = bad;
        let mut n = 0;
        assert_err(h.wsa_recv_msg(s, &mut msg, Some(&mut n)), WSAEOPNOTSUPP);
    }
    // The datagram is still there.
    assert_eq!(recv_msg(&h, s, &[16], 0).1, 1);
}

#[test]
fn recvmsg_efault_null_name_with_nonzero_namelen() {
    // RECVMSG-EFAULT-NULL-NAME
    let (_sim, h) = local(1);
    let (s, a) = udp4(&h);
    send(&h, s, b"x", a);
    let mut msg = WsaMsg::for_recv(&[16], 0);
    msg.name = NameBuf::null(16);
    let mut n = 0;
    assert_err(h.wsa_recv_msg(s, &mut msg, Some(&mut n)), WSAEFAULT);
    // NULL with namelen 0 is "no address wanted" and succeeds.
    msg.name = NameBuf::null(0);
    h.wsa_recv_msg(s, &mut msg, Some(&mut n)).unwrap();
    assert_eq!(n, 1);
}

#[test]
fn recvmsg_efault_null_control_with_nonzero_len() {
    // RECVMSG-EFAULT-NULL-CONTROL
    let (_sim, h) = local(1);
    let (s, a) = udp4(&h);
    send(&h, s, b"x", a);
    let mut msg = WsaMsg::for_recv(&[16], 0);
    msg.control = WsaBuf::null(24);
    let mut n = 0;
    assert_err(h.wsa_recv_msg(s, &mut msg, Some(&mut n)), WSAEFAULT);
    msg.control = WsaBuf::overlong(vec![0; 4], 24);
    assert_err(h.wsa_recv_msg(s, &mut msg, Some(&mut n)), WSAEFAULT);
}

#[test]
fn recvmsg_efault_buffers_outside_memory() {
    // RECVMSG-EFAULT-BUFFERS, RECVMSG-EFAULT-POINTERS
    let (_sim, h) = local(1);
    let (s, a) = udp4(&h);
    send(&h, s, b"x", a);
    for bad in [WsaBuf::null(8), WsaBuf::overlong(vec![0; 4], 8)] {
        let mut msg = WsaMsg::for_recv(&[], 0);
        msg.buffers = vec![WsaBuf::zeroed(4), bad];
        let mut n = 0;
        assert_err(h.wsa_recv_msg(s, &mut msg, Some(&mut n)), WSAEFAULT);
    }
    // A NULL buffer of length 0 is valid.
    let mut msg = WsaMsg::for_recv(&[], 0);
    msg.buffers = vec![WsaBuf::null(0), WsaBuf::zeroed(4)];
    let mut n = 0;
    h.wsa_recv_msg(s, &mut msg, Some(&mut n)).unwrap();
    assert_eq!(n, 1);
}

#[test]
fn recvmsg_efault_name_too_small_for_the_address() {
    // RECVMSG-EFAULT-NAME-SMALL
    let (_sim, h) = local(1);
    let (s, a) = udp4(&h);
    send(&h, s, b"x", a);
    let mut msg = WsaMsg::for_recv(&[16], 0);
    msg.name = NameBuf::room(8);
    let mut n = 0;
    assert_err(h.wsa_recv_msg(s, &mut msg, Some(&mut n)), WSAEFAULT);
    msg.name = NameBuf::room(16);
    h.wsa_recv_msg(s, &mut msg, Some(&mut n)).unwrap();
    assert_eq!(msg.name.namelen, 16);
    assert_eq!(msg.name.decode().unwrap(), a);
}

#[test]
fn recvmsg_efault_null_bytes_pointer_without_overlapped() {
    // RECVMSG-EFAULT-BYTES-NULL
    let (_sim, h) = local(1);
    let (s, a) = udp4(&h);
    send(&h, s, b"x", a);
    let mut msg = WsaMsg::for_recv(&[16], 0);
    assert_err(h.wsa_recv_msg(s, &mut msg, None), WSAEFAULT);
}

#[test]
fn recvmsg_einval_unbound() {
    // RECVMSG-EINVAL-UNBOUND
    let (_sim, h) = local(1);
    let s = h.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    assert_err(recv_msg(&h, s, &[16], 0).0, WSAEINVAL);
}

#[test]
fn recvmsg_dgram_raw_only_and_peek_on_stream() {
    // RECVMSG-DGRAM-RAW-ONLY, RECVMSG-EOPNOTSUPP-PEEK-STREAM (on a
    // connected stream socket: an unconnected one is told WSAENOTCONN
    // first, RECVMSG-ENOTCONN-STREAM)
    let (_sim, h) = local(1);
    let l = h.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP).unwrap();
    h.bind(l, &"127.0.0.1:0".parse().unwrap()).unwrap();
    h.listen(l, 1).unwrap();
    let c = h.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP).unwrap();
    assert_err(recv_msg(&h, c, &[16], 0).0, WSAENOTCONN);
    h.connect(c, &h.getsockname(l).unwrap()).unwrap();
    let (t, _) = h.accept(l).unwrap();
    assert_err(recv_msg(&h, t, &[16], 0).0, WSAEOPNOTSUPP);
    let mut msg = WsaMsg::for_recv(&[16], 0);
    msg.flags = MSG_PEEK;
    let mut n = 0;
    assert_err(h.wsa_recv_msg(t, &mut msg, Some(&mut n)), WSAEOPNOTSUPP);
}

#[test]
fn recvmsg_raw_socket_receives_with_ip_header() {
    // RECVMSG-DGRAM-RAW-ONLY (raw half)
    let (_sim, h) = local(1);
    let r = h.socket(AF_INET, SOCK_RAW, 253).unwrap();
    h.bind(r, &"127.0.0.1:0".parse().unwrap()).unwrap();
    let t = h.socket(AF_INET, SOCK_RAW, 253).unwrap();
    h.bind(t, &"127.0.0.1:0".parse().unwrap()).unwrap();
    let msg = WsaMsg::for_send(Some(&"127.0.0.1:0".parse().unwrap()), b"raw!");
    let mut n = 0;
    h.wsa_send_msg(t, &msg, 0, Some(&mut n)).unwrap();
    // Both raw sockets of protocol 253 get a copy: 20-byte IPv4 header + payload.
    let (res, n, m) = recv_msg(&h, r, &[64], 0);
    res.unwrap();
    assert_eq!(n, 24);
    let d = m.data(24);
    assert_eq!(d[0], 0x45);
    assert_eq!(d[9], 253);
    assert_eq!(&d[20..], b"raw!");
}

#[test]
fn recvmsg_pktinfo_v4_reports_destination_and_interface() {
    // RECVMSG-PKTINFO-V4, RECVMSG-CONTROL-LEN
    let (_sim, h) = local(1);
    let (s, a) = udp4(&h);
    h.set_sock_opt_int(s, IPPROTO_IP, IP_PKTINFO, 1).unwrap();
    send(&h, s, b"x", a);
    let (r, _, msg) = recv_msg(&h, s, &[16], 64);
    r.unwrap();
    assert_eq!(msg.control.len as usize, cmsg::cmsg_space(IN_PKTINFO_SIZE));
    let c = cmsg::parse(msg.control_bytes()).unwrap();
    assert_eq!(c.len(), 1);
    assert_eq!((c[0].level, c[0].kind), (IPPROTO_IP, IP_PKTINFO));
    match cmsg::pktinfo(&c[0]) {
        Some(Pktinfo::V4(p)) => {
            assert_eq!(p.addr.to_string(), "127.0.0.1");
            assert_eq!(p.ifindex, 1);
        }
        other => panic!("expected in_pktinfo, got {other:?}"),
    }
}

#[test]
fn recvmsg_no_pktinfo_when_option_off() {
    // RECVMSG-PKTINFO-V4 (only when enabled)
    let (_sim, h) = local(1);
    let (s, a) = udp4(&h);
    send(&h, s, b"x", a);
    let (r, _, msg) = recv_msg(&h, s, &[16], 64);
    r.unwrap();
    assert_eq!(msg.control.len, 0);
    assert_eq!(msg.flags & MSG_CTRUNC, 0);
}

#[test]
fn recvmsg_pktinfo_v6() {
    // RECVMSG-PKTINFO-V6
    let (_sim, h) = local(1);
    let (s, a) = udp6(&h);
    h.set_sock_opt_int(s, IPPROTO_IPV6, IPV6_PKTINFO, 1)
        .unwrap();
    send(&h, s, b"x", a);
    let (r, _, msg) = recv_msg(&h, s, &[16], 64);
    r.unwrap();
    let c = cmsg::parse(msg.control_bytes()).unwrap();
    assert_eq!((c[0].level, c[0].kind), (IPPROTO_IPV6, IPV6_PKTINFO));
    match cmsg::pktinfo(&c[0]) {
        Some(Pktinfo::V6(p)) => assert_eq!(p.addr.to_string(), "::1"),
        other => panic!("expected in6_pktinfo, got {other:?}"),
    }
}

#[test]
fn recvmsg_pktinfo_dualstack_ipv4_needs_ip_pktinfo() {
    // RECVMSG-PKTINFO-DUALSTACK
    let (_sim, h) = local(3);
    let s = h.socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    h.set_sock_opt_int(s, IPPROTO_IPV6, IPV6_V6ONLY, 0).unwrap();
    h.bind(s, &"[::]:0".parse().unwrap()).unwrap();
    let port = h.getsockname(s).unwrap().port();
    let (tx, _) = udp4(&h);
    // With IP_PKTINFO: an in_pktinfo for the IPv4 datagram, always.
    h.set_sock_opt_int(s, IPPROTO_IP, IP_PKTINFO, 1).unwrap();
    send(&h, tx, b"v4", format!("127.0.0.1:{port}").parse().unwrap());
    let (r, _, msg) = recv_msg(&h, s, &[16], 64);
    r.unwrap();
    let c = cmsg::parse(msg.control_bytes()).unwrap();
    assert!(matches!(cmsg::pktinfo(&c[0]), Some(Pktinfo::V4(_))));
    // The sender is reported v4-mapped on the IPv6 socket.
    assert!(msg
        .name
        .decode()
        .unwrap()
        .to_string()
        .starts_with("[::ffff:127.0.0.1]"));
    // With only IPV6_PKTINFO: "may not be provided": over many datagrams
    // the model gives both outcomes, and never an in_pktinfo.
    h.set_sock_opt_int(s, IPPROTO_IP, IP_PKTINFO, 0).unwrap();
    h.set_sock_opt_int(s, IPPROTO_IPV6, IPV6_PKTINFO, 1)
        .unwrap();
    let (mut some, mut none) = (0, 0);
    for _ in 0..64 {
        send(&h, tx, b"v4", format!("127.0.0.1:{port}").parse().unwrap());
        let (r, _, msg) = recv_msg(&h, s, &[16], 64);
        r.unwrap();
        match cmsg::parse(msg.control_bytes())
            .unwrap()
            .first()
            .and_then(cmsg::pktinfo)
        {
            Some(Pktinfo::V6(p)) => {
                assert_eq!(p.addr.to_string(), "::ffff:127.0.0.1");
                some += 1
            }
            None => none += 1,
            Some(Pktinfo::V4(_)) => panic!("in_pktinfo without IP_PKTINFO"),
        }
    }
    assert!(some > 0 && none > 0, "some={some} none={none}");
}

#[test]
fn recvmsg_ctrunc_when_control_room_is_short() {
    // RECVMSG-OUT-CTRUNC, RECVMSG-CONTROL-LEN
    let (_sim, h) = local(1);
    let (s, a) = udp4(&h);
    h.set_sock_opt_int(s, IPPROTO_IP, IP_PKTINFO, 1).unwrap();
    send(&h, s, b"x", a);
    let (r, n, msg) = recv_msg(&h, s, &[16], 16);
    r.unwrap();
    assert_eq!(n, 1);
    assert_eq!(msg.flags & MSG_CTRUNC, MSG_CTRUNC);
    assert_eq!(msg.control.len, 0);
    // No control room at all: truncated too.
    send(&h, s, b"x", a);
    let (r, _, msg) = recv_msg(&h, s, &[16], 0);
    r.unwrap();
    assert_eq!(msg.flags & MSG_CTRUNC, MSG_CTRUNC);
}

#[test]
fn recvmsg_name_reports_the_sender() {
    // RECVMSG-NAME-OUT
    let (_sim, h) = local(1);
    let (rx, a) = udp4(&h);
    let (tx, ta) = udp4(&h);
    send(&h, tx, b"hi", a);
    let (r, _, msg) = recv_msg(&h, rx, &[16], 0);
    r.unwrap();
    assert_eq!(msg.name.decode().unwrap(), ta);
    assert_eq!(msg.name.namelen, 16);
}

#[test]
fn recvmsg_zero_length_and_maximum_datagrams() {
    // RECVMSG-TRUNC-DGRAM boundaries: 0 bytes and 65,507 bytes arrive whole.
    let (_sim, h) = local(1);
    let (s, a) = udp4(&h);
    send(&h, s, b"", a);
    let (r, n, msg) = recv_msg(&h, s, &[16], 0);
    r.unwrap();
    assert_eq!((n, msg.flags), (0, 0));
    send(&h, s, &pattern(65_507), a);
    let (r, n, msg) = recv_msg(&h, s, &[65_507], 0);
    r.unwrap();
    assert_eq!(n, 65_507);
    assert_eq!(msg.data(65_507), pattern(65_507));
    // Zero buffers: the whole datagram is excess.
    send(&h, s, b"abc", a);
    let (r, n, msg) = recv_msg(&h, s, &[], 0);
    assert_err(r, WSAEMSGSIZE);
    assert_eq!((n, msg.flags & MSG_TRUNC), (0, MSG_TRUNC));
}

#[test]
fn recvmsg_bcast_and_mcast_output_flags() {
    // RECVMSG-OUT-BCAST, RECVMSG-OUT-MCAST
    let sim = Sim::new(5);
    let a = started(&sim, "a", &["10.0.0.1/24"]);
    let b = started(&sim, "b", &["10.0.0.2/24"]);
    let rx = b.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    b.bind(rx, &"0.0.0.0:7000".parse().unwrap()).unwrap();
    let mut mreq = vec![239, 1, 2, 3];
    mreq.extend([0, 0, 0, 0]);
    b.set_sock_opt(rx, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq)
        .unwrap();
    let tx = a.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    a.set_sock_opt_int(tx, SOL_SOCKET, SO_BROADCAST, 1).unwrap();
    a.send_to(tx, b"all", &"10.0.0.255:7000".parse().unwrap())
        .unwrap();
    let (r, _, msg) = recv_msg(&b, rx, &[16], 0);
    r.unwrap();
    assert_eq!(msg.flags, MSG_BCAST);
    a.send_to(tx, b"group", &"239.1.2.3:7000".parse().unwrap())
        .unwrap();
    let (r, _, msg) = recv_msg(&b, rx, &[16], 0);
    r.unwrap();
    assert_eq!(msg.flags, MSG_MCAST);
    a.send_to(tx, b"one", &"10.0.0.2:7000".parse().unwrap())
        .unwrap();
    let (r, _, msg) = recv_msg(&b, rx, &[16], 0);
    r.unwrap();
    assert_eq!(msg.flags, 0);
}

#[test]
fn recvmsg_extension_pointer_through_wsaioctl() {
    // RECVMSG-EXTENSION-POINTER
    let (_sim, h) = local(1);
    let (s, _) = udp4(&h);
    let mut out = [0u8; 8];
    let n = h
        .wsa_ioctl(
            s,
            SIO_GET_EXTENSION_FUNCTION_POINTER,
            &WSAID_WSARECVMSG.to_bytes(),
            &mut out,
        )
        .unwrap();
    assert_eq!(n, 8);
    assert_ne!(out, [0; 8]);
    let unknown = Guid::new(1, 2, 3, [4; 8]);
    assert_err(
        h.wsa_ioctl(
            s,
            SIO_GET_EXTENSION_FUNCTION_POINTER,
            &unknown.to_bytes(),
            &mut out,
        ),
        WSAEINVAL,
    );
    assert_err(
        h.wsa_ioctl(
            s,
            SIO_GET_EXTENSION_FUNCTION_POINTER,
            &WSAID_WSARECVMSG.to_bytes(),
            &mut [0u8; 4],
        ),
        WSAEFAULT,
    );
}
