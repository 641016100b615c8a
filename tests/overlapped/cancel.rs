//! Ending what is outstanding: closesocket, SIO_FLUSH, CancelIoEx, a
//! receive-side shutdown.

use super::{msg_to, recorder, signalled, slow_sender, world};
use crate::common::*;
use parking_lot::Mutex;
use std::sync::Arc;
use winsock_double::*;

// RECV-OPERATION-ABORTED-CLOSE, RECVMSG-OPERATION-ABORTED-CLOSE,
// SENDMSG-OPERATION-ABORTED-CLOSE
#[test]
fn closing_the_socket_aborts_what_is_outstanding() {
    // By routine.
    let (_sim, a, s, to) = slow_sender(17, Config::default());
    let log = Arc::new(Mutex::new(vec![]));
    a.wsa_recv_msg_overlapped(
        s,
        WsaMsg::for_recv(&[8], 0),
        Overlapped::new(1),
        Some(recorder(&log)),
    )
    .unwrap();
    a.send_to(s, b"first", &to).unwrap();
    a.wsa_send_msg_overlapped(
        s,
        msg_to(&to, b"s"),
        0,
        Overlapped::new(2),
        Some(recorder(&log)),
    )
    .unwrap();
    a.close_socket(s).unwrap();
    a.sleep_ex(0, true).unwrap();
    let mut got: Vec<(u64, i32)> = log
        .lock()
        .iter()
        .map(|c| (c.overlapped.id, c.error))
        .collect();
    got.sort();
    assert_eq!(
        got,
        [(1, WSA_OPERATION_ABORTED), (2, WSA_OPERATION_ABORTED)]
    );
    let h = a;
    // By completion port: the packet says so and hands the buffers back.
    let (s, _) = udp4(&h);
    let port = h.create_io_completion_port(0).unwrap();
    h.associate_completion_port(port, s, 3).unwrap();
    h.wsa_recv_overlapped(s, vec![WsaBuf::zeroed(8)], 0, Overlapped::new(3), None)
        .unwrap();
    h.close_socket(s).unwrap();
    let p = h.get_queued_completion_status(port, 0).unwrap();
    assert_eq!((p.error, p.bytes, p.key), (WSA_OPERATION_ABORTED, 0, 3));
    assert_eq!(p.completion.unwrap().buffers.len(), 1);
    // By event: signalled; the socket is gone, so its result cannot be read.
    let (s, _) = udp4(&h);
    let ev = h.wsa_create_event().unwrap();
    h.wsa_recv_overlapped(
        s,
        vec![WsaBuf::zeroed(8)],
        0,
        Overlapped::with_event(4, ev),
        None,
    )
    .unwrap();
    h.close_socket(s).unwrap();
    assert!(signalled(&h, ev));
    assert_err(
        h.wsa_get_overlapped_result(s, &Overlapped::new(4), false),
        WSAENOTSOCK,
    );
}

// SENDMSG-OPERATION-ABORTED-FLUSH
#[test]
fn sio_flush_cancels_outstanding_sends() {
    let (_sim, a, s, to) = slow_sender(18, Config::default());
    let port = a.create_io_completion_port(0).unwrap();
    a.associate_completion_port(port, s, 0).unwrap();
    a.send_to(s, b"first", &to).unwrap();
    a.wsa_send_msg_overlapped(s, msg_to(&to, b"1"), 0, Overlapped::new(1), None)
        .unwrap();
    a.wsa_recv_overlapped(s, vec![WsaBuf::zeroed(8)], 0, Overlapped::new(2), None)
        .unwrap();
    a.wsa_ioctl(s, SIO_FLUSH, &[], &mut []).unwrap();
    let p = a.get_queued_completion_status(port, 0).unwrap();
    assert_eq!(
        (p.overlapped.unwrap().id, p.error),
        (1, WSA_OPERATION_ABORTED)
    );
    // The receive is untouched.
    assert_err(a.get_queued_completion_status(port, 0), WSA_WAIT_TIMEOUT);
}

// CancelIoEx: one operation or all of them, WSA_OPERATION_ABORTED each.
#[test]
fn cancel_io_ex_one_or_all() {
    let (_sim, h) = world(24, CompletionTiming::Pending);
    let (s, _) = udp4(&h);
    for id in 1..=3 {
        h.wsa_recv_overlapped(s, vec![WsaBuf::zeroed(8)], 0, Overlapped::new(id), None)
            .unwrap();
    }
    h.cancel_io_ex(s, Some(&Overlapped::new(2))).unwrap();
    let c = h
        .wsa_get_overlapped_result(s, &Overlapped::new(2), false)
        .unwrap();
    assert_eq!(c.error, WSA_OPERATION_ABORTED);
    assert_err(
        h.wsa_get_overlapped_result(s, &Overlapped::new(1), false),
        WSA_IO_INCOMPLETE,
    );
    h.cancel_io_ex(s, None).unwrap();
    for id in [1, 3] {
        let c = h
            .wsa_get_overlapped_result(s, &Overlapped::new(id), false)
            .unwrap();
        assert_eq!(c.error, WSA_OPERATION_ABORTED);
    }
    assert_err(h.cancel_io_ex(s, None), ERROR_NOT_FOUND);
}

// Model choice: receives outstanding when the receive side shuts down end
// with WSAESHUTDOWN, as a new receive would (RECV-ESHUTDOWN).
#[test]
fn shutdown_receive_ends_outstanding_receives() {
    let (_sim, h) = world(25, CompletionTiming::Pending);
    let (s, _) = udp4(&h);
    h.wsa_recv_overlapped(s, vec![WsaBuf::zeroed(8)], 0, Overlapped::new(1), None)
        .unwrap();
    h.shutdown(s, SD_RECEIVE).unwrap();
    let c = h
        .wsa_get_overlapped_result(s, &Overlapped::new(1), false)
        .unwrap();
    assert_eq!(c.error, WSAESHUTDOWN);
}
