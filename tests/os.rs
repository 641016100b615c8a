//! The OS backend on the real Winsock (Windows, or the Windows build under
//! Wine in the Wine stage). These check the backend itself: that calls reach
//! Winsock and come back intact, and that faulty arguments are passed
//! soundly. What Winsock answers to the documented clauses is the
//! conformance run's business (`conform --backend os`).
#![cfg(windows)]

use winsock_double::os::OsWinsock;
use winsock_double::*;

/// The tests share one process's Winsock: one closes a socket twice on
/// purpose, and a handle value freed by one test can be reused by another
/// running at the same time. They take turns.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn udp(ws: &OsWinsock) -> (Socket, std::net::SocketAddr) {
    let s = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    ws.bind(s, &"127.0.0.1:0".parse().unwrap()).unwrap();
    (s, ws.getsockname(s).unwrap())
}

#[test]
fn datagrams_round_trip_through_every_call() {
    let _turn = serial();
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
    let _turn = serial();
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

#[test]
fn overlapped_receive_by_event_routine_and_port() {
    use std::sync::{Arc, Mutex};
    let _turn = serial();
    let ws = OsWinsock;
    ws.wsa_startup(WINSOCK_VERSION_2_2).unwrap();
    let (s, a) = udp(&ws);

    // By event and WSAGetOverlappedResult.
    let ev = ws.wsa_create_event().unwrap();
    let ovl = Overlapped::with_event(1, ev);
    let p = ws
        .wsa_recv_overlapped(s, vec![WsaBuf::zeroed(4), WsaBuf::zeroed(8)], 0, ovl, None)
        .unwrap();
    assert!(p.is_pending(), "{p:?}");
    ws.send_to(s, b"overlapped", &a).unwrap();
    assert_eq!(
        ws.wsa_wait_for_multiple_events(&[ev], true, 5000, false)
            .unwrap(),
        WaitResult::Event(0)
    );
    let c = ws.wsa_get_overlapped_result(s, &ovl, false).unwrap();
    assert_eq!((c.error, c.bytes), (0, 10));
    assert_eq!(c.data(), b"overlapped");
    assert_eq!(c.buffers[0].bytes(), b"over");

    // By completion routine, run in an alertable wait.
    let got = Arc::new(Mutex::new(vec![]));
    let g = got.clone();
    let from = NameBuf::storage();
    ws.wsa_recv_from_overlapped(
        s,
        vec![WsaBuf::zeroed(16)],
        0,
        from,
        Overlapped::new(2),
        Some(Box::new(move |c| g.lock().unwrap().push(c))),
    )
    .unwrap();
    ws.send_to(s, b"routine", &a).unwrap();
    let mut ran = false;
    for _ in 0..50 {
        if ws.sleep_ex(100, true).unwrap() == WaitResult::IoCompletion {
            ran = true;
            break;
        }
    }
    assert!(ran, "the routine ran in an alertable wait");
    let c = got.lock().unwrap().pop().unwrap();
    assert_eq!(c.data(), b"routine");
    assert_eq!(c.name.unwrap().decode().unwrap(), a);

    // By completion port, with WSARecvMsg.
    let (t, b) = udp(&ws);
    let port = ws.create_io_completion_port(1).unwrap();
    ws.associate_completion_port(port, t, 77).unwrap();
    ws.wsa_recv_msg_overlapped(t, WsaMsg::for_recv(&[3], 0), Overlapped::new(3), None)
        .unwrap();
    ws.send_to(s, b"truncated", &b).unwrap();
    let pk = ws.get_queued_completion_status(port, 5000).unwrap();
    assert_eq!(pk.key, 77);
    assert_eq!(pk.overlapped.map(|o| o.id), Some(3));
    let c = pk.completion.unwrap();
    assert_eq!(c.data(), b"tru");
    println!(
        "WSARecvMsg truncated through a port: error {} flags {:#x}",
        c.error, c.flags
    );
    ws.post_queued_completion_status(port, 5, 9, Some(Overlapped::new(4)))
        .unwrap();
    let pk = ws.get_queued_completion_status(port, 5000).unwrap();
    assert_eq!(
        (pk.key, pk.bytes, pk.overlapped.map(|o| o.id)),
        (9, 5, Some(4))
    );
    ws.close_port(port).unwrap();

    // Closing a socket aborts what is outstanding.
    let ev2 = ws.wsa_create_event().unwrap();
    ws.wsa_recv_overlapped(
        t,
        vec![WsaBuf::zeroed(8)],
        0,
        Overlapped::with_event(5, ev2),
        None,
    )
    .unwrap();
    ws.cancel_io_ex(t, Some(&Overlapped::new(5))).unwrap();
    ws.wsa_wait_for_multiple_events(&[ev2], true, 5000, false)
        .unwrap();
    let c = ws
        .wsa_get_overlapped_result(t, &Overlapped::new(5), false)
        .unwrap();
    assert_eq!(c.error, WSA_OPERATION_ABORTED);
    ws.wsa_close_event(ev).unwrap();
    ws.wsa_close_event(ev2).unwrap();
    ws.close_socket(s).unwrap();
    ws.close_socket(t).unwrap();
    ws.wsa_cleanup().unwrap();
}
