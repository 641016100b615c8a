//! The OS backend on the real Winsock (Windows, or the Windows build under
//! Wine in the Wine stage). These check the backend itself: that calls reach
//! Winsock and come back intact, and that faulty arguments are passed
//! soundly. What Winsock answers to the documented clauses is the
//! conformance run's business (`conform --backend os`).
#![cfg(windows)]

use winsock_double::os::OsWinsock;
use winsock_double::*;

fn udp(ws: &OsWinsock) -> (Socket, std::net::SocketAddr) {
    let s = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    ws.bind(s, &"127.0.0.1:0".parse().unwrap()).unwrap();
    (s, ws.getsockname(s).unwrap())
}

#[test]
fn datagrams_round_trip_through_every_call() {
    let ws = OsWinsock;
    let d = ws.wsa_startup(WINSOCK_VERSION_2_2).unwrap();
    assert_eq!(d.version, WINSOCK_VERSION_2_2);
    let (s, a) = udp(&ws);
    assert!(a.port() != 0);
    ws.send_to(s, b"to", &a).unwrap();
    let mut buf = [0u8; 8];
    let (n, from) = ws.recv_from(s, &mut buf).unwrap();
    assert_eq!((&buf[..n], from), (&b"to"[..], a));
    let mut n = 0;
    ws.wsa_send_msg(s, &WsaMsg::for_send(Some(&a), b"msg"), 0, Some(&mut n))
        .unwrap();
    assert_eq!(n, 3);
    let mut msg = WsaMsg::for_recv(&[1, 8], 0);
    ws.wsa_recv_msg(s, &mut msg, Some(&mut n)).unwrap();
    assert_eq!(msg.data(n as usize), b"msg");
    assert_eq!(msg.buffers[0].bytes(), b"m", "filled in array order");
    assert_eq!(msg.name.decode().unwrap(), a);
    assert_eq!(
        ws.get_sock_opt_int(s, SOL_SOCKET, SO_TYPE).unwrap(),
        SOCK_DGRAM
    );
    ws.close_socket(s).unwrap();
    assert!(ws.close_socket(s).unwrap_err().is(WSAENOTSOCK));
    ws.wsa_cleanup().unwrap();
}

#[test]
fn a_length_past_the_memory_is_a_fault_not_a_crash() {
    let ws = OsWinsock;
    ws.wsa_startup(WINSOCK_VERSION_2_2).unwrap();
    let (s, a) = udp(&ws);
    ws.set_nonblocking(s, true).unwrap();
    ws.send_to(s, &[9u8; 64], &a).unwrap();
    // 4 bytes of memory that claim 4,096: the excess is a guard page.
    let mut bufs = vec![WsaBuf::overlong(vec![0; 4], 4096)];
    let (mut n, mut f) = (0, 0);
    let r = ws.wsa_recv(s, &mut bufs, Some(&mut n), &mut f);
    assert!(r.as_ref().is_err_and(|e| e.is(WSAEFAULT)), "{r:?}");
    // The memory we own is intact or holds the datagram's start, nothing else.
    assert!(bufs[0]
        .buf
        .as_ref()
        .unwrap()
        .iter()
        .all(|&b| b == 0 || b == 9));
    ws.close_socket(s).unwrap();
    ws.wsa_cleanup().unwrap();
}
