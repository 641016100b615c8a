//! Spawn and join; what a thread's exit does to the I/O it issued.

use super::{note_thread, pair, Log};
use crate::common::*;
use std::net::SocketAddr;
use std::sync::Arc;
use winsock_double::*;

#[test]
fn join_gives_the_value_and_resumes_a_panic() {
    let (_sim, h) = local(3);
    let mut t = h.spawn("adder", |_| 2 + 2).unwrap();
    assert_eq!(t.join().unwrap(), 4);
    let again = t.join().unwrap_err();
    assert_eq!(again.report().unwrap().kind, ReportKind::Misuse);
    let mut p = h
        .spawn("panicker", |_| -> u32 {
            panic!("boom in a simulated thread")
        })
        .unwrap();
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| p.join()));
    let msg = r.unwrap_err();
    assert_eq!(
        msg.downcast_ref::<&str>(),
        Some(&"boom in a simulated thread")
    );
}

// RECV-THREAD-EXIT-CANCELS, RECV-THREAD-EXIT-OVERLAPPED-FAIL: a receive
// with an event, on a socket without a completion port, ends with
// WSA_OPERATION_ABORTED when its thread exits; the event is signalled.
#[test]
fn thread_exit_cancels_its_receive() {
    let (_sim, h) = local(6);
    let (s, me) = udp4(&h);
    let ev = h.wsa_create_event().unwrap();
    let ovl = Overlapped::with_event(1, ev);
    let mut t = h
        .spawn("poster", move |h| {
            h.wsa_recv_overlapped(s, vec![WsaBuf::zeroed(8)], 0, ovl, None)
                .unwrap()
        })
        .unwrap();
    assert_eq!(t.join().unwrap(), Posted::Pending);
    assert_eq!(
        h.wsa_wait_for_multiple_events(&[ev], false, 0, false)
            .unwrap(),
        WaitResult::Event(0)
    );
    let c = h.wsa_get_overlapped_result(s, &ovl, false).unwrap();
    assert_eq!((c.error, c.bytes), (WSA_OPERATION_ABORTED, 0));
    // A later datagram waits for the next receive.
    send(&h, s, b"late", me);
    assert_eq!(&h.recv_from(s, &mut [0u8; 8]).unwrap().0, &4);
}

// RECVMSG-THREAD-EXIT-CANCELS, RECVMSG-THREAD-EXIT-OVERLAPPED-FAIL
// (thread-agnostic I/O): on a socket bound to
// a completion port an event-less receive outlives its thread and
// completes through the port; one with an event is cancelled, its packet
// posted.
#[test]
fn a_port_bound_request_without_event_survives_its_thread() {
    let (_sim, h) = local(7);
    let (s, me) = udp4(&h);
    let port = h.create_io_completion_port(0).unwrap();
    h.associate_completion_port(port, s, 9).unwrap();
    let ev = h.wsa_create_event().unwrap();
    let mut t = h
        .spawn("poster", move |h| {
            let a = h
                .wsa_recv_msg_overlapped(s, WsaMsg::for_recv(&[8], 0), Overlapped::new(1), None)
                .unwrap();
            let b = h
                .wsa_recv_msg_overlapped(
                    s,
                    WsaMsg::for_recv(&[8], 0),
                    Overlapped::with_event(2, ev),
                    None,
                )
                .unwrap();
            (a, b)
        })
        .unwrap();
    assert_eq!(t.join().unwrap(), (Posted::Pending, Posted::Pending));
    // The one with an event was cancelled at the exit.
    let p = h.get_queued_completion_status(port, 0).unwrap();
    assert_eq!(
        (p.overlapped.unwrap().id, p.error),
        (2, WSA_OPERATION_ABORTED)
    );
    // The event-less one is still there, and takes the next datagram.
    assert_err(h.get_queued_completion_status(port, 0), WSA_WAIT_TIMEOUT);
    send(&h, s, b"kept", me);
    let p = h.get_queued_completion_status(port, 100).unwrap();
    assert_eq!((p.overlapped.unwrap().id, p.error, p.bytes), (1, 0, 4));
}

// SENDMSG-THREAD-EXIT-CANCELS, SENDMSG-THREAD-EXIT-OVERLAPPED-FAIL: a send
// still waiting for room when its thread exits is aborted.
#[test]
fn thread_exit_cancels_its_pending_send() {
    let p = pair(8);
    let ta = p.ta;
    let mut t =
        p.a.spawn("sender", move |h| {
            let to: SocketAddr = "10.0.0.2:7000".parse().unwrap();
            let msg = || WsaMsg::for_send(Some(&to), &[1u8; 100]);
            let first = h
                .wsa_send_msg_overlapped(ta, msg(), 0, Overlapped::new(1), None)
                .unwrap();
            let second = h
                .wsa_send_msg_overlapped(ta, msg(), 0, Overlapped::new(2), None)
                .unwrap();
            (first, second)
        })
        .unwrap();
    let (first, second) = t.join().unwrap();
    assert_eq!(second, Posted::Pending, "the second send waits for room");
    // The first one had left already: the exit does not touch it.
    if first == Posted::Pending {
        let c =
            p.a.wsa_get_overlapped_result(ta, &Overlapped::new(1), false)
                .unwrap();
        assert_eq!((c.error, c.bytes), (0, 100));
    } else {
        assert_eq!(
            first,
            Posted::Completed {
                error: 0,
                bytes: 100,
                flags: 0
            }
        );
    }
    let c =
        p.a.wsa_get_overlapped_result(ta, &Overlapped::new(2), false)
            .unwrap();
    assert_eq!(c.error, WSA_OPERATION_ABORTED);
}

// RECV-THREAD-EXIT-OVERLAPPED-FAIL, RECVMSG-THREAD-EXIT-OVERLAPPED-FAIL,
// SENDMSG-THREAD-EXIT-OVERLAPPED-FAIL: the routines of a thread that exits never
// run: the one already queued is discarded, and one of an operation the
// exit cancelled is never queued.
#[test]
fn routines_of_an_exited_thread_never_run() {
    let (sim, h) = local(9);
    let (s, me) = udp4(&h);
    send(&h, s, b"now", me);
    let log: Log = Arc::default();
    let l = log.clone();
    let mut t = h
        .spawn("poster", move |h| {
            for id in 1..=2 {
                h.wsa_recv_overlapped(
                    s,
                    vec![WsaBuf::zeroed(8)],
                    0,
                    Overlapped::new(id),
                    Some(note_thread(&l)),
                )
                .unwrap();
            }
        })
        .unwrap();
    t.join().unwrap();
    assert_eq!(h.sleep_ex(10, true).unwrap(), WaitResult::Timeout);
    assert!(log.lock().is_empty());
    let discarded = sim
        .trace_text()
        .lines()
        .filter(|l| l.contains("apc-discarded"))
        .count();
    assert_eq!(discarded, 2, "{}", sim.trace_text());
}
