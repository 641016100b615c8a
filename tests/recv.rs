//! WSARecv, WSARecvFrom, WSASend, WSASendTo on datagram sockets.

mod common;
use common::*;
use winsock_double::*;

fn wsa_recv(
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

#[test]
fn recv_buffer_order_packed() {
    // RECV-BUFFER-ORDER
    let (_sim, h) = local(1);
    let (s, a) = udp4(&h);
    send(&h, s, b"abcdefg", a);
    let (r, n, _, bufs) = wsa_recv(&h, s, &[2, 0, 3, 10], 0);
    r.unwrap();
    assert_eq!(n, 7);
    assert_eq!(bufs[0].bytes(), b"ab");
    assert_eq!(bufs[2].bytes(), b"cde");
    assert_eq!(&bufs[3].bytes()[..2], b"fg");
}

#[test]
fn recv_trunc_dgram_unreliable_loses_excess() {
    // RECV-TRUNC-DGRAM-UNRELIABLE, RECV-EMSGSIZE
    let (_sim, h) = local(1);
    let (s, a) = udp4(&h);
    send(&h, s, &pattern(50), a);
    send(&h, s, b"second", a);
    let (r, n, _, bufs) = wsa_recv(&h, s, &[20], 0);
    assert_err(r, WSAEMSGSIZE);
    assert_eq!(n, 20);
    assert_eq!(bufs[0].bytes(), &pattern(50)[..20]);
    let (r, n, _, bufs) = wsa_recv(&h, s, &[50], 0);
    r.unwrap();
    assert_eq!(&bufs[0].bytes()[..n as usize], b"second");
}

#[test]
fn recv_connected_filter_discards_other_senders() {
    // RECV-CONNECTED-FILTER
    let (_sim, h) = local(1);
    let (rx, ra) = udp4(&h);
    let (peer, pa) = udp4(&h);
    let (other, _) = udp4(&h);
    h.connect(rx, &pa).unwrap();
    send(&h, other, b"stranger", ra);
    send(&h, peer, b"friend", ra);
    let mut buf = [0u8; 16];
    let (n, from) = h.recv_from(rx, &mut buf).unwrap();
    assert_eq!(&buf[..n], b"friend");
    assert_eq!(from, pa);
    h.set_nonblocking(rx, true).unwrap();
    assert_err(h.recv_from(rx, &mut buf), WSAEWOULDBLOCK);
    // Dissolving the association (connect to the unspecified address)
    // lets everyone in again.
    h.connect(rx, &"0.0.0.0:0".parse().unwrap()).unwrap();
    send(&h, other, b"stranger", ra);
    assert_eq!(h.recv_from(rx, &mut buf).unwrap().0, 8);
}

#[test]
fn recv_peek_then_read() {
    // RECV-PEEK
    let (_sim, h) = local(1);
    let (s, a) = udp4(&h);
    send(&h, s, b"peekaboo", a);
    let (r, n, _, _) = wsa_recv(&h, s, &[16], MSG_PEEK);
    r.unwrap();
    assert_eq!(n, 8);
    let (r, n, _, _) = wsa_recv(&h, s, &[16], 0);
    r.unwrap();
    assert_eq!(n, 8);
}

#[test]
fn recv_eopnotsupp_oob_waitall_on_datagram() {
    // RECV-EOPNOTSUPP-OOB, RECV-WAITALL-DGRAM
    let (_sim, h) = local(1);
    let (s, a) = udp4(&h);
    send(&h, s, b"x", a);
    for f in [MSG_OOB, MSG_WAITALL, MSG_WAITALL | MSG_PEEK] {
        assert_err(wsa_recv(&h, s, &[16], f).0, WSAEOPNOTSUPP);
    }
    wsa_recv(&h, s, &[16], 0).0.unwrap();
}

#[test]
fn recv_einval_unbound_and_local_address_from_sendto() {
    // RECV-EINVAL-UNBOUND, RECV-IMPLICIT-BIND
    let (_sim, h) = local(1);
    let (rx, ra) = udp4(&h);
    let s = h.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    assert_err(wsa_recv(&h, s, &[16], 0).0, WSAEINVAL);
    assert_err(h.getsockname(s), WSAEINVAL);
    // sendto binds implicitly: wildcard address, an ephemeral port.
    send(&h, s, b"hi", ra);
    let local = h.getsockname(s).unwrap();
    assert!(local.ip().is_unspecified());
    assert!(local.port() >= 49152);
    let mut buf = [0u8; 8];
    let (_, from) = h.recv_from(rx, &mut buf).unwrap();
    assert_eq!(from.port(), local.port());
    // ... after which receiving is allowed.
    h.set_nonblocking(s, true).unwrap();
    assert_err(wsa_recv(&h, s, &[16], 0).0, WSAEWOULDBLOCK);
}

#[test]
fn recv_eshutdown_after_sd_receive() {
    // RECV-ESHUTDOWN
    let (_sim, h) = local(1);
    let (s, a) = udp4(&h);
    send(&h, s, b"queued", a);
    h.shutdown(s, SD_RECEIVE).unwrap();
    assert_err(wsa_recv(&h, s, &[16], 0).0, WSAESHUTDOWN);
    // Sending still works after SD_RECEIVE only.
    send(&h, s, b"out", a);
}

#[test]
fn recv_enotsock_and_enotinitialised() {
    // RECV-ENOTSOCK, RECVMSG-ENOTINITIALISED
    let (_sim, h) = local(1);
    assert_err(wsa_recv(&h, Socket(0xdead), &[16], 0).0, WSAENOTSOCK);
    let (s, _) = udp4(&h);
    h.close_socket(s).unwrap();
    assert_err(wsa_recv(&h, s, &[16], 0).0, WSAENOTSOCK);
    assert_err(h.close_socket(s), WSAENOTSOCK);
    let sim = Sim::new(1);
    let cold = sim.add_host("cold", &[]).unwrap();
    assert_err(cold.socket(AF_INET, SOCK_DGRAM, 0), WSANOTINITIALISED);
    let mut m = WsaMsg::for_recv(&[4], 0);
    let mut n = 0;
    assert_err(
        cold.wsa_recv_msg(s, &mut m, Some(&mut n)),
        WSANOTINITIALISED,
    );
}

#[test]
fn recv_efault_buffers_and_null_bytes_pointer() {
    // RECV-EFAULT-BUFFERS, RECV-EFAULT-BYTES-NULL
    let (_sim, h) = local(1);
    let (s, a) = udp4(&h);
    send(&h, s, b"x", a);
    let mut bufs = vec![WsaBuf::overlong(vec![0; 2], 100)];
    let mut n = 0;
    let mut f = 0;
    assert_err(h.wsa_recv(s, &mut bufs, Some(&mut n), &mut f), WSAEFAULT);
    let mut bufs = vec![WsaBuf::zeroed(8)];
    assert_err(h.wsa_recv(s, &mut bufs, None, &mut f), WSAEFAULT);
}

#[test]
fn recvfrom_efault_small_from() {
    // WSARecvFrom has no seed page: lpFrom too small is WSAEFAULT as for WSARecvMsg's name
    let (_sim, h) = local(1);
    let (s, a) = udp4(&h);
    send(&h, s, b"x", a);
    let mut bufs = vec![WsaBuf::zeroed(8)];
    let (mut n, mut f) = (0, 0);
    let mut from = NameBuf::room(4);
    assert_err(
        h.wsa_recv_from(s, &mut bufs, Some(&mut n), &mut f, &mut from),
        WSAEFAULT,
    );
    let mut from = NameBuf::null(0);
    h.wsa_recv_from(s, &mut bufs, Some(&mut n), &mut f, &mut from)
        .unwrap();
    assert_eq!(n, 1);
}

#[test]
fn send_enotconn_and_sendto_edestaddrreq() {
    // WSASend/WSASendTo have no seed page: WSAENOTCONN / WSAEDESTADDRREQ as their Windows pages say
    let (_sim, h) = local(1);
    let (s, _) = udp4(&h);
    let mut n = 0;
    assert_err(
        h.wsa_send(s, &[WsaBuf::from(&b"x"[..])], Some(&mut n), 0),
        WSAENOTCONN,
    );
    assert_err(
        h.wsa_send_to(
            s,
            &[WsaBuf::from(&b"x"[..])],
            Some(&mut n),
            0,
            &NameBuf::null(0),
        ),
        WSAEDESTADDRREQ,
    );
}

#[test]
fn sendto_wrong_family_and_bad_name() {
    // WSASendTo has no seed page: a short or NULL lpTo is WSAEFAULT
    let (_sim, h) = local(1);
    let (s, _) = udp4(&h);
    let mut n = 0;
    let data = [WsaBuf::from(&b"x"[..])];
    assert_err(
        h.wsa_send_to(
            s,
            &data,
            Some(&mut n),
            0,
            &NameBuf::addr(&"[::1]:9".parse().unwrap()),
        ),
        WSAEAFNOSUPPORT,
    );
    assert_err(
        h.wsa_send_to(s, &data, Some(&mut n), 0, &NameBuf::room(4)),
        WSAEFAULT,
    );
    assert_err(
        h.wsa_send_to(s, &data, Some(&mut n), 0, &NameBuf::null(16)),
        WSAEFAULT,
    );
}

#[test]
fn recv_etimedout_after_so_rcvtimeo_in_virtual_time() {
    // RECVMSG-ETIMEDOUT-RCVTIMEO
    let (sim, h) = local(1);
    let (s, _) = udp4(&h);
    h.set_recv_timeout(s, std::time::Duration::from_millis(250))
        .unwrap();
    let t0 = sim.now();
    let mut buf = [0u8; 4];
    assert_err(h.recv_from(s, &mut buf), WSAETIMEDOUT);
    assert_eq!(sim.now() - t0, std::time::Duration::from_millis(250));
}

#[test]
fn recv_rcvtimeo_applies_only_to_blocking_sockets() {
    // RECVMSG-RCVTIMEO-BLOCKING-ONLY
    let (sim, h) = local(1);
    let (s, _) = udp4(&h);
    h.set_recv_timeout(s, std::time::Duration::from_millis(250))
        .unwrap();
    h.set_nonblocking(s, true).unwrap();
    let mut buf = [0u8; 4];
    assert_err(h.recv_from(s, &mut buf), WSAEWOULDBLOCK);
    assert_eq!(sim.now(), std::time::Duration::ZERO);
}

#[test]
fn recv_blocking_waits_for_a_datagram_in_flight() {
    // RECVMSG-BLOCKING-WAITS, RECVMSG-MESSAGE-UNBLOCKS
    let sim = Sim::new(1);
    let a = started(&sim, "a", &["10.0.0.1/24"]);
    let b = started(&sim, "b", &["10.0.0.2/24"]);
    let rx = b.socket(AF_INET, SOCK_DGRAM, 0).unwrap();
    b.bind(rx, &"10.0.0.2:53".parse().unwrap()).unwrap();
    let tx = a.socket(AF_INET, SOCK_DGRAM, 0).unwrap();
    a.send_to(tx, &pattern(300), &"10.0.0.2:53".parse().unwrap())
        .unwrap();
    b.set_nonblocking(rx, true).unwrap();
    let mut buf = [0u8; 512];
    assert_err(b.recv_from(rx, &mut buf), WSAEWOULDBLOCK);
    b.set_nonblocking(rx, false).unwrap();
    let (n, _) = b.recv_from(rx, &mut buf).unwrap();
    assert_eq!(n, 300, "a whole message unblocks the caller");
    assert_eq!(sim.now(), std::time::Duration::from_micros(100));
}

#[test]
fn recv_blocking_forever_is_a_deadlock_report_not_a_hang() {
    // RECVMSG-BLOCKING-WAITS (never satisfiable)
    let (_sim, h) = local(1);
    let (s, _) = udp4(&h);
    let mut buf = [0u8; 4];
    let e = h.recv_from(s, &mut buf).unwrap_err();
    let rep = e.report().expect("a model report");
    assert_eq!(rep.kind, ReportKind::Deadlock);
    assert!(rep.message.contains("blocks forever"));
    assert!(
        rep.trace.iter().any(|l| l.contains("bind")),
        "the report carries the trace"
    );
}
