//! Posting: what an overlapped call does at once on each kind of socket,
//! the failures that start nothing, and the misuse it reports.

use super::{msg_to, recorder, signalled, slow_sender, world};
use crate::common::*;
use parking_lot::Mutex;
use std::net::SocketAddr;
use std::sync::Arc;
use winsock_double::*;

// RECV-NO-COMPLETION-ON-ERROR, RECVMSG-NO-COMPLETION-ON-ERROR: a call that
// fails starts nothing: no event, no routine, no packet.
#[test]
fn a_failed_call_indicates_nothing() {
    let (_sim, h) = world(12, CompletionTiming::Seeded);
    let unbound = h.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    let ev = h.wsa_create_event().unwrap();
    let log = Arc::new(Mutex::new(vec![]));
    assert_err(
        h.wsa_recv_overlapped(
            unbound,
            vec![WsaBuf::zeroed(8)],
            0,
            Overlapped::with_event(1, ev),
            None,
        ),
        WSAEINVAL,
    );
    assert_err(
        h.wsa_recv_msg_overlapped(
            unbound,
            WsaMsg::for_recv(&[8], 0),
            Overlapped::new(2),
            Some(recorder(&log)),
        ),
        WSAEINVAL,
    );
    let (s, _) = udp4(&h);
    let port = h.create_io_completion_port(0).unwrap();
    h.associate_completion_port(port, s, 1).unwrap();
    assert_err(
        h.wsa_recv_overlapped(s, vec![WsaBuf::null(8)], 0, Overlapped::new(3), None),
        WSAEFAULT,
    );
    assert!(!signalled(&h, ev));
    assert_eq!(h.sleep_ex(10, true).unwrap(), WaitResult::Timeout);
    assert!(log.lock().is_empty());
    assert_err(h.get_queued_completion_status(port, 0), WSA_WAIT_TIMEOUT);
    // The OVERLAPPED was never used: there is no status to read.
    assert_err(
        h.wsa_get_overlapped_result(s, &Overlapped::new(3), false),
        WSA_INVALID_PARAMETER,
    );
}

// RECV-PEEK-NONOVERLAPPED-ONLY, RECVMSG-PEEK-NONOVERLAPPED-ONLY
#[test]
fn peek_on_an_overlapped_receive_is_misuse() {
    let (_sim, h) = world(13, CompletionTiming::Seeded);
    let (s, me) = udp4(&h);
    send(&h, s, b"x", me);
    let err = h
        .wsa_recv_overlapped(
            s,
            vec![WsaBuf::zeroed(8)],
            MSG_PEEK,
            Overlapped::new(1),
            None,
        )
        .unwrap_err();
    let r = err.report().expect("a model report");
    assert_eq!(r.kind, ReportKind::Misuse);
    assert_eq!(r.clause.as_deref(), Some("RECV-PEEK-NONOVERLAPPED-ONLY"));
    // The report blames this file, where the call was written.
    assert!(r.location.as_deref().unwrap().contains(file!()), "{r}");
    let mut msg = WsaMsg::for_recv(&[8], 0);
    msg.flags = MSG_PEEK;
    let err = h
        .wsa_recv_msg_overlapped(s, msg, Overlapped::new(2), None)
        .unwrap_err();
    assert_eq!(
        err.report().unwrap().clause.as_deref(),
        Some("RECVMSG-PEEK-NONOVERLAPPED-ONLY")
    );
    // The datagram is still there for a proper receive.
    let mut buf = [0u8; 8];
    assert_eq!(h.recv_from(s, &mut buf).unwrap().0, 1);
}

// RECV-OVL-SEPARATE-STRUCT, RECVMSG-OVL-SEPARATE-STRUCT,
// SENDMSG-OVL-SEPARATE-STRUCT
#[test]
fn reusing_an_outstanding_overlapped_is_misuse() {
    let (_sim, h) = world(14, CompletionTiming::Seeded);
    let (s, me) = udp4(&h);
    let ovl = Overlapped::new(5);
    h.wsa_recv_msg_overlapped(s, WsaMsg::for_recv(&[8], 0), ovl, None)
        .unwrap();
    let err = h
        .wsa_recv_msg_overlapped(s, WsaMsg::for_recv(&[8], 0), ovl, None)
        .unwrap_err();
    assert_eq!(
        err.report().unwrap().clause.as_deref(),
        Some("RECVMSG-OVL-SEPARATE-STRUCT")
    );
    let err = h
        .wsa_send_msg_overlapped(s, WsaMsg::for_send(Some(&me), b"z"), 0, ovl, None)
        .unwrap_err();
    assert_eq!(
        err.report().unwrap().clause.as_deref(),
        Some("SENDMSG-OVL-SEPARATE-STRUCT")
    );
    // Once it has completed, the structure may be used again.
    send(&h, s, b"y", me);
    h.wsa_get_overlapped_result(s, &ovl, true).unwrap();
    h.wsa_recv_overlapped(s, vec![WsaBuf::zeroed(8)], 0, ovl, None)
        .unwrap();
}

// RECV-EWOULDBLOCK-OVERLAPPED-LIMIT, RECVMSG-EWOULDBLOCK-OVERLAPPED-LIMIT,
// SENDMSG-EWOULDBLOCK-OVERLAPPED-LIMIT
#[test]
fn too_many_outstanding_requests_is_ewouldblock() {
    let cfg = Config {
        max_outstanding: 2,
        completion_timing: CompletionTiming::Immediate,
        ..Config::default()
    };
    let (_sim, a, s, to) = slow_sender(16, cfg);
    // Outstanding: one receive (nothing to receive) and one send (waiting
    // for room behind the first, which left at once).
    let p = a
        .wsa_recv_overlapped(s, vec![WsaBuf::zeroed(8)], 0, Overlapped::new(1), None)
        .unwrap();
    assert!(p.is_pending());
    let p = a
        .wsa_send_msg_overlapped(s, msg_to(&to, b"a"), 0, Overlapped::new(2), None)
        .unwrap();
    assert!(!p.is_pending());
    let p = a
        .wsa_send_msg_overlapped(s, msg_to(&to, b"b"), 0, Overlapped::new(3), None)
        .unwrap();
    assert!(p.is_pending());
    assert_err(
        a.wsa_recv_msg_overlapped(s, WsaMsg::for_recv(&[8], 0), Overlapped::new(4), None),
        WSAEWOULDBLOCK,
    );
    assert_err(
        a.wsa_send_msg_overlapped(s, msg_to(&to, b"c"), 0, Overlapped::new(5), None),
        WSAEWOULDBLOCK,
    );
    // Once one completes, there is room again.
    let c = a
        .wsa_get_overlapped_result(s, &Overlapped::new(3), true)
        .unwrap();
    assert_eq!(c.bytes, 1);
    a.wsa_recv_msg_overlapped(s, WsaMsg::for_recv(&[8], 0), Overlapped::new(4), None)
        .unwrap();
}

// RECV-NONOVERLAPPED-IGNORES-OVERLAPPED,
// RECVMSG-NONOVERLAPPED-IGNORES-OVERLAPPED,
// SENDMSG-NONOVERLAPPED-IGNORES-OVERLAPPED
#[test]
fn a_non_overlapped_socket_ignores_the_overlapped_arguments() {
    let (_sim, h) = world(19, CompletionTiming::Pending);
    let s = h.wsa_socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP, 0).unwrap();
    h.bind(s, &"127.0.0.1:0".parse().unwrap()).unwrap();
    let me = h.getsockname(s).unwrap();
    send(&h, s, b"sync", me);
    let ev = h.wsa_create_event().unwrap();
    let log = Arc::new(Mutex::new(vec![]));
    let p = h
        .wsa_recv_msg_overlapped(
            s,
            WsaMsg::for_recv(&[8], 0),
            Overlapped::with_event(1, ev),
            Some(recorder(&log)),
        )
        .unwrap();
    let Posted::Synchronous(c) = p else {
        panic!("expected a direct call, got {p:?}")
    };
    assert_eq!(c.data(), b"sync");
    assert!(!signalled(&h, ev));
    h.sleep_ex(0, true).unwrap();
    assert!(log.lock().is_empty());
    // WSASendMsg still needs an overlapped socket (SENDMSG-EINVAL-NOT-OVERLAPPED).
    assert_err(
        h.wsa_send_msg_overlapped(
            s,
            WsaMsg::for_send(Some(&me), b"x"),
            0,
            Overlapped::with_event(2, ev),
            Some(recorder(&log)),
        ),
        WSAEINVAL,
    );
    h.sleep_ex(0, true).unwrap();
    assert!(log.lock().is_empty());
    assert!(!signalled(&h, ev));
    // WSASendTo runs directly too.
    let p = h
        .wsa_send_to_overlapped(
            s,
            vec![WsaBuf::from(&b"xyz"[..])],
            0,
            NameBuf::addr(&me),
            Overlapped::new(3),
            None,
        )
        .unwrap();
    assert!(matches!(
        p,
        Posted::Synchronous(Completion { bytes: 3, .. })
    ));
}

// RECVMSG-OVERLAPPED-SOCKET-FLAG, SENDMSG-OVERLAPPED-SOCKET-FLAG,
// RECVMSG-BOTH-NULL-NONOVERLAPPED: on an overlapped socket the same call is
// overlapped with an OVERLAPPED and direct without one.
#[test]
fn an_overlapped_socket_uses_overlapped_io_when_asked() {
    let (_sim, h) = world(20, CompletionTiming::Pending);
    let s = h
        .wsa_socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP, WSA_FLAG_OVERLAPPED)
        .unwrap();
    h.bind(s, &"127.0.0.1:0".parse().unwrap()).unwrap();
    let me = h.getsockname(s).unwrap();
    let p = h
        .wsa_send_msg_overlapped(
            s,
            WsaMsg::for_send(Some(&me), b"o"),
            0,
            Overlapped::new(1),
            None,
        )
        .unwrap();
    assert!(p.is_pending());
    let p = h
        .wsa_recv_msg_overlapped(s, WsaMsg::for_recv(&[8], 0), Overlapped::new(2), None)
        .unwrap();
    assert!(p.is_pending());
    h.wsa_get_overlapped_result(s, &Overlapped::new(2), true)
        .unwrap();
    // Without an OVERLAPPED: the blocking call.
    h.send_to(s, b"d", &me).unwrap();
    let (r, n, msg) = recv_msg(&h, s, &[8], 0);
    r.unwrap();
    assert_eq!(msg.data(n as usize), b"d");
}

// RECV-CAPTURE-WSABUF, RECVMSG-CAPTURE-WSABUF, SENDMSG-CAPTURE-WSABUF: the
// WSABUF array belongs to the operation from the call on; the caller's copy
// can be gone while it is pending.
#[test]
fn the_wsabuf_array_is_captured_at_the_call() {
    let (_sim, h) = world(21, CompletionTiming::Pending);
    let (s, me) = udp4(&h);
    {
        let shape = vec![WsaBuf::zeroed(3), WsaBuf::zeroed(0), WsaBuf::zeroed(5)];
        let msg = WsaMsg {
            buffers: shape,
            ..WsaMsg::for_recv(&[], 0)
        };
        h.wsa_recv_msg_overlapped(s, msg, Overlapped::new(1), None)
            .unwrap();
    }
    {
        let parts = vec![WsaBuf::from(&b"abc"[..]), WsaBuf::from(&b"defgh"[..])];
        let msg = WsaMsg {
            buffers: parts,
            ..WsaMsg::for_send(Some(&me), b"")
        };
        h.wsa_send_msg_overlapped(s, msg, 0, Overlapped::new(2), None)
            .unwrap();
    }
    let c = h
        .wsa_get_overlapped_result(s, &Overlapped::new(1), true)
        .unwrap();
    let lens: Vec<usize> = c.buffers.iter().map(|b| b.bytes().len()).collect();
    assert_eq!(lens, [3, 0, 5]);
    assert_eq!(c.buffers[0].bytes(), b"abc");
    assert_eq!(c.buffers[2].bytes(), b"defgh");
}

// RECV-NO-COMPLETION-ON-ERROR, RECVMSG-NO-COMPLETION-ON-ERROR: a receive
// that could complete at once, but with an error and nothing received (the
// ICMP port-unreachable a send left), fails at once and indicates nothing:
// no event, no routine, no packet, and the OVERLAPPED keeps its earlier
// status. (It completed with the error, the event set, before.)
#[test]
fn an_immediate_failure_indicates_nothing() {
    let (_sim, h) = world(27, CompletionTiming::Immediate);
    let (s, _) = udp4(&h);
    let ev = h.wsa_create_event().unwrap();
    let log = Arc::new(Mutex::new(vec![]));
    let nobody: SocketAddr = "127.0.0.1:9".parse().unwrap();
    // An earlier receive with OVERLAPPED 1 completes: 2 bytes.
    h.send_to(s, b"hi", &h.getsockname(s).unwrap()).unwrap();
    assert!(matches!(
        h.wsa_recv_overlapped(
            s,
            vec![WsaBuf::zeroed(8)],
            0,
            Overlapped::with_event(1, ev),
            None
        )
        .unwrap(),
        Posted::Completed {
            error: 0,
            bytes: 2,
            ..
        }
    ));
    h.wsa_reset_event(ev).unwrap();
    h.send_to(s, b"x", &nobody).unwrap();
    assert_err(
        h.wsa_recv_overlapped(
            s,
            vec![WsaBuf::zeroed(8)],
            0,
            Overlapped::with_event(1, ev),
            None,
        ),
        WSAECONNRESET,
    );
    assert!(!signalled(&h, ev));
    let c = h
        .wsa_get_overlapped_result(s, &Overlapped::new(1), false)
        .unwrap();
    assert_eq!((c.error, c.bytes), (0, 2), "the earlier status");
    h.send_to(s, b"x", &nobody).unwrap();
    assert_err(
        h.wsa_recv_msg_overlapped(
            s,
            WsaMsg::for_recv(&[8], 0),
            Overlapped::new(2),
            Some(recorder(&log)),
        ),
        WSAECONNRESET,
    );
    assert_eq!(h.sleep_ex(10, true).unwrap(), WaitResult::Timeout);
    assert!(log.lock().is_empty());
    // The port is told nothing either.
    let port = h.create_io_completion_port(0).unwrap();
    h.associate_completion_port(port, s, 7).unwrap();
    h.send_to(s, b"x", &nobody).unwrap();
    assert_err(
        h.wsa_recv_overlapped(s, vec![WsaBuf::zeroed(8)], 0, Overlapped::new(3), None),
        WSAECONNRESET,
    );
    assert_err(h.get_queued_completion_status(port, 0), WSA_WAIT_TIMEOUT);
    // The error was the call's: the socket receives normally after it.
    h.send_to(s, b"ok", &h.getsockname(s).unwrap()).unwrap();
    assert!(matches!(
        h.wsa_recv_overlapped(s, vec![WsaBuf::zeroed(8)], 0, Overlapped::new(4), None)
            .unwrap(),
        Posted::Completed {
            error: 0,
            bytes: 2,
            ..
        }
    ));
}
