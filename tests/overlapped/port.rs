//! Completion ports: fill order, packets, skip on success, posted packets.

use super::{recorder, world};
use crate::common::*;
use parking_lot::Mutex;
use std::sync::Arc;
use winsock_double::*;

// RECV-IOCP-CALL-ORDER, RECVMSG-IOCP-CALL-ORDER: with a completion port,
// the order of the receive calls is the order their buffers are filled.
#[test]
fn completion_port_fill_order_is_call_order() {
    for seed in 0..200 {
        let (_sim, h) = world(seed, CompletionTiming::Seeded);
        let (s, me) = udp4(&h);
        let port = h.create_io_completion_port(1).unwrap();
        h.associate_completion_port(port, s, 42).unwrap();
        for id in 0..3 {
            h.wsa_recv_msg_overlapped(s, WsaMsg::for_recv(&[4], 0), Overlapped::new(id), None)
                .unwrap();
        }
        for k in 0..3u8 {
            send(&h, s, &[b'a' + k], me);
        }
        let pkts = h
            .get_queued_completion_status_ex(port, 8, WSA_INFINITE, false)
            .unwrap();
        let mut all = pkts;
        while all.len() < 3 {
            all.push(h.get_queued_completion_status(port, WSA_INFINITE).unwrap());
        }
        for p in &all {
            assert_eq!(p.key, 42);
            let c = p.completion.as_ref().unwrap();
            let id = p.overlapped.unwrap().id;
            assert_eq!(c.data(), vec![b'a' + id as u8], "seed {seed}");
        }
    }
}

// Completion ports: a packet for every completion, immediate ones included,
// unless the socket skips them on success; packets of your own; time-outs.
#[test]
fn completion_port_packets_and_skip_on_success() {
    let (_sim, h) = world(23, CompletionTiming::Immediate);
    let (s, me) = udp4(&h);
    let port = h.create_io_completion_port(0).unwrap();
    h.associate_completion_port(port, s, 77).unwrap();
    assert_err(
        h.associate_completion_port(port, s, 78),
        WSA_INVALID_PARAMETER,
    );
    send(&h, s, b"now", me);
    let p = h
        .wsa_recv_overlapped(s, vec![WsaBuf::zeroed(8)], 0, Overlapped::new(1), None)
        .unwrap();
    assert!(matches!(p, Posted::Completed { bytes: 3, .. }));
    let pk = h.get_queued_completion_status(port, 0).unwrap();
    assert_eq!((pk.key, pk.bytes, pk.error), (77, 3, 0));

    h.set_file_completion_notification_modes(s, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS)
        .unwrap();
    send(&h, s, b"skip", me);
    let p = h
        .wsa_recv_overlapped(s, vec![WsaBuf::zeroed(8)], 0, Overlapped::new(2), None)
        .unwrap();
    assert!(matches!(p, Posted::Completed { bytes: 4, .. }));
    assert_err(h.get_queued_completion_status(port, 0), WSA_WAIT_TIMEOUT);
    // Its buffers come back through WSAGetOverlappedResult instead.
    let c = h
        .wsa_get_overlapped_result(s, &Overlapped::new(2), false)
        .unwrap();
    assert_eq!(c.data(), b"skip");
    // A pending operation still queues its packet.
    h.wsa_recv_overlapped(s, vec![WsaBuf::zeroed(8)], 0, Overlapped::new(3), None)
        .unwrap();
    send(&h, s, b"late", me);
    let pk = h.get_queued_completion_status(port, WSA_INFINITE).unwrap();
    assert_eq!(pk.completion.unwrap().data(), b"late");

    h.post_queued_completion_status(port, 5, 9, None).unwrap();
    h.post_queued_completion_status(port, 6, 10, Some(Overlapped::new(99)))
        .unwrap();
    let pks = h
        .get_queued_completion_status_ex(port, 8, 0, false)
        .unwrap();
    let got: Vec<(usize, u32)> = pks.iter().map(|p| (p.key, p.bytes)).collect();
    assert_eq!(got, [(9, 5), (10, 6)]);
    assert!(pks[1].completion.is_none());
    // A completion routine on a socket with a port is refused.
    assert_err(
        h.wsa_recv_overlapped(
            s,
            vec![WsaBuf::zeroed(8)],
            0,
            Overlapped::new(4),
            Some(Box::new(|_| {})),
        ),
        WSAEINVAL,
    );
    // Alertable GetQueuedCompletionStatusEx runs routines of other sockets.
    let (t, t_addr) = udp4(&h);
    let log = Arc::new(Mutex::new(vec![]));
    send(&h, t, b"r", t_addr);
    h.wsa_recv_overlapped(
        t,
        vec![WsaBuf::zeroed(8)],
        0,
        Overlapped::new(5),
        Some(recorder(&log)),
    )
    .unwrap();
    assert_err(
        h.get_queued_completion_status_ex(port, 1, WSA_INFINITE, true),
        WSA_WAIT_IO_COMPLETION,
    );
    assert_eq!(log.lock().len(), 1);
    h.close_port(port).unwrap();
    assert_err(h.get_queued_completion_status(port, 0), WSA_INVALID_HANDLE);
}
