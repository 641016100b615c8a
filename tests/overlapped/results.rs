//! Completion: the outputs of an immediate or a pending operation, buffers
//! filled in posting order, `WSAGetOverlappedResult` (polling, waiting,
//! its misuse with a routine).

use super::{recorder, signalled, world};
use crate::common::*;
use parking_lot::Mutex;
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Arc;
use winsock_double::*;

// RECV-OVL-IMMEDIATE, RECVMSG-OVL-IMMEDIATE, RECV-BYTES-PTR-OVERLAPPED,
// RECVMSG-BYTES-PTR-OVERLAPPED, RECV-OVL-EVENT-SIGNALED,
// RECVMSG-OVL-EVENT-SIGNALED, RECV-OVL-LIFETIME
#[test]
fn immediate_completion_writes_outputs_and_still_signals() {
    let (_sim, h) = world(1, CompletionTiming::Immediate);
    let (s, me) = udp4(&h);
    send(&h, s, b"hello", me);
    let ev = h.wsa_create_event().unwrap();
    let ovl = Overlapped::with_event(1, ev);
    let posted = h
        .wsa_recv_overlapped(s, vec![WsaBuf::zeroed(16)], 0, ovl, None)
        .unwrap();
    // The counts a pointer would receive at once ...
    assert_eq!(
        posted,
        Posted::Completed {
            error: 0,
            bytes: 5,
            flags: 0
        }
    );
    // ... and the completion is still indicated, with the same count.
    assert!(signalled(&h, ev));
    let done = h.wsa_get_overlapped_result(s, &ovl, false).unwrap();
    assert_eq!((done.error, done.bytes), (0, 5));
    assert_eq!(done.data(), b"hello");
    assert_eq!(done.overlapped, ovl);

    // WSARecvMsg: the output flags are there at once too.
    send(&h, s, &pattern(40), me);
    let msg = WsaMsg::for_recv(&[8], 0);
    let ovl2 = Overlapped::new(2);
    let posted = h.wsa_recv_msg_overlapped(s, msg, ovl2, None).unwrap();
    assert_eq!(
        posted,
        Posted::Completed {
            error: WSAEMSGSIZE,
            bytes: 8,
            flags: MSG_TRUNC
        }
    );
    let done = h.wsa_get_overlapped_result(s, &ovl2, false).unwrap();
    assert_eq!(
        (done.error, done.bytes, done.flags),
        (WSAEMSGSIZE, 8, MSG_TRUNC)
    );
    assert_eq!(done.data(), pattern(8));
}

// RECV-WSA-IO-PENDING, RECV-OVL-PENDING-NO-UPDATE, RECV-OVL-FINAL-STATUS,
// RECV-OVL-TRANSFER-COUNT, RECV-OVL-FLAGS-RESULT, RECV-OVL-WAIT-OR-POLL,
// RECV-OVL-POST-BUFFERS, RECV-OVL-DGRAM-COMPLETES, RECVMSG-WSA-IO-PENDING,
// RECVMSG-OVL-PENDING-NO-UPDATE, RECVMSG-OVL-FINAL-STATUS,
// RECVMSG-OVL-TRANSFER-COUNT, RECVMSG-OVL-FLAGS-RESULT,
// RECVMSG-OVL-WAIT-OR-POLL, RECVMSG-OVL-POST-BUFFERS,
// RECVMSG-OVL-DGRAM-COMPLETES, RECVMSG-OVL-COMPLETION-INDICATION,
// RECVMSG-OVL-LIFETIME
#[test]
fn pending_receive_completes_when_a_datagram_arrives() {
    let sim = Sim::new(2);
    let a = started(&sim, "a", &["10.0.0.1/24"]);
    let b = started(&sim, "b", &["10.0.0.2/24"]);
    let rx = b.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    b.bind(rx, &"10.0.0.2:5000".parse().unwrap()).unwrap();
    let tx = a.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();

    let ev = b.wsa_create_event().unwrap();
    let ovl = Overlapped::with_event(7, ev);
    let msg = WsaMsg::for_recv(&[4, 4], 64);
    // Nothing is queued: the receive must pend, whatever the seed.
    assert_eq!(
        b.wsa_recv_msg_overlapped(rx, msg, ovl, None).unwrap(),
        Posted::Pending
    );
    // Polling: not yet.
    assert_err(
        b.wsa_get_overlapped_result(rx, &ovl, false),
        WSA_IO_INCOMPLETE,
    );
    assert!(!signalled(&b, ev));

    a.send_to(tx, &pattern(12), &"10.0.0.2:5000".parse().unwrap())
        .unwrap();
    // Waiting: virtual time moves to the arrival.
    let t0 = sim.now();
    assert_eq!(
        b.wsa_wait_for_multiple_events(&[ev], true, WSA_INFINITE, false)
            .unwrap(),
        WaitResult::Event(0)
    );
    assert!(sim.now() > t0);
    let done = b.wsa_get_overlapped_result(rx, &ovl, false).unwrap();
    // One message completes it, truncated to the 8 bytes posted.
    assert_eq!(
        (done.error, done.bytes, done.flags),
        (WSAEMSGSIZE, 8, MSG_TRUNC)
    );
    assert_eq!(done.buffers[0].bytes(), &pattern(8)[..4]);
    assert_eq!(done.buffers[1].bytes(), &pattern(8)[4..]);
    let from = done.name.as_ref().unwrap().decode().unwrap();
    assert_eq!(from.ip().to_string(), "10.0.0.1");
    // A second look gives the same status without the buffers.
    let again = b.wsa_get_overlapped_result(rx, &ovl, false).unwrap();
    assert_eq!((again.error, again.bytes), (WSAEMSGSIZE, 8));
    assert!(again.buffers.is_empty());
}

// RECV-OVL-WAIT-OR-POLL: fWait TRUE waits in virtual time; with nothing
// that could ever complete the operation the model reports a deadlock.
#[test]
fn get_overlapped_result_waits_or_reports_deadlock() {
    let sim = Sim::new(3);
    let a = started(&sim, "a", &["10.0.0.1/24"]);
    let b = started(&sim, "b", &["10.0.0.2/24"]);
    let rx = b.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    b.bind(rx, &"10.0.0.2:5000".parse().unwrap()).unwrap();
    let tx = a.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    let ovl = Overlapped::new(1);
    b.wsa_recv_overlapped(rx, vec![WsaBuf::zeroed(32)], 0, ovl, None)
        .unwrap();
    a.send_to(tx, b"later", &"10.0.0.2:5000".parse().unwrap())
        .unwrap();
    let done = b.wsa_get_overlapped_result(rx, &ovl, true).unwrap();
    assert_eq!(done.data(), b"later");
    assert_eq!(sim.now().as_micros(), 100);

    let ovl2 = Overlapped::new(2);
    b.wsa_recv_overlapped(rx, vec![WsaBuf::zeroed(32)], 0, ovl2, None)
        .unwrap();
    let err = b.wsa_get_overlapped_result(rx, &ovl2, true).unwrap_err();
    assert_eq!(err.report().unwrap().kind, ReportKind::Deadlock);
}

/// Posts four receives with routines, sends four datagrams, and returns
/// (what each posted receive got, in posting order; the order routines ran).
fn fill_and_run_order(seed: u64) -> (Vec<Vec<u8>>, Vec<u64>) {
    let (_sim, h) = world(seed, CompletionTiming::Seeded);
    let (s, me) = udp4(&h);
    let log = Arc::new(Mutex::new(vec![]));
    for id in 0..4 {
        h.wsa_recv_from_overlapped(
            s,
            vec![WsaBuf::zeroed(4)],
            0,
            NameBuf::storage(),
            Overlapped::new(id),
            Some(recorder(&log)),
        )
        .unwrap();
    }
    for k in 0..4u8 {
        send(&h, s, &[b'0' + k], me);
    }
    while log.lock().len() < 4 {
        h.sleep_ex(1, true).unwrap();
    }
    let ran: Vec<u64> = log.lock().iter().map(|c| c.overlapped.id).collect();
    let mut by_post = log.lock().clone();
    by_post.sort_by_key(|c| c.overlapped.id);
    (by_post.iter().map(Completion::data).collect(), ran)
}

// RECV-OVL-BUFFER-FILL-ORDER, RECV-OVL-ROUTINE-ANY-ORDER,
// RECVMSG-OVL-BUFFER-FILL-ORDER, RECVMSG-OVL-ROUTINE-ANY-ORDER,
// SENDMSG-OVL-ROUTINE-ANY-ORDER
#[test]
fn fill_order_is_posting_order_while_routine_order_varies() {
    let mut orders = BTreeSet::new();
    for seed in 0..1000 {
        let (filled, ran) = fill_and_run_order(seed);
        assert_eq!(
            filled,
            vec![b"0".to_vec(), b"1".to_vec(), b"2".to_vec(), b"3".to_vec()],
            "seed {seed}"
        );
        orders.insert(ran);
    }
    // Four routines have 24 orders; 1,000 seeds meet (nearly) all of them.
    assert!(orders.len() >= 20, "only {} orders", orders.len());
}

// SENDMSG-OVL-SEND-ORDER, SENDMSG-WSA-IO-PENDING,
// SENDMSG-OVL-PENDING-NO-UPDATE, SENDMSG-OVL-FINAL-STATUS,
// SENDMSG-OVL-COMPLETION-INDICATION, SENDMSG-OVL-EVENT-SIGNALED,
// SENDMSG-OVL-WAIT-OR-POLL, SENDMSG-OVL-LIFETIME
#[test]
fn sends_wait_for_room_and_leave_in_posting_order() {
    let sim = Sim::with_config(
        11,
        Config {
            tx_rate: Some(1_000_000),
            completion_timing: CompletionTiming::Immediate,
            ..Config::default()
        },
    );
    let a = started(&sim, "a", &["10.0.0.1/24"]);
    let b = started(&sim, "b", &["10.0.0.2/24"]);
    let rx = b.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    b.bind(rx, &"10.0.0.2:5000".parse().unwrap()).unwrap();
    let to: SocketAddr = "10.0.0.2:5000".parse().unwrap();
    let tx = a.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    a.bind(tx, &"10.0.0.1:0".parse().unwrap()).unwrap();
    a.set_sock_opt_int(tx, SOL_SOCKET, SO_SNDBUF, 1000).unwrap();
    let mut posted = vec![];
    let mut evs = vec![];
    for i in 0..5u8 {
        let ev = a.wsa_create_event().unwrap();
        evs.push(ev);
        let p = a
            .wsa_send_msg_overlapped(
                tx,
                WsaMsg::for_send(Some(&to), &[i; 600]),
                0,
                Overlapped::with_event(u64::from(i), ev),
                None,
            )
            .unwrap();
        posted.push(p);
    }
    // The first fits the send buffer; the rest wait for room.
    assert!(matches!(posted[0], Posted::Completed { bytes: 600, .. }));
    assert!(posted[1..].iter().all(Posted::is_pending));
    assert_err(
        a.wsa_get_overlapped_result(tx, &Overlapped::new(4), false),
        WSA_IO_INCOMPLETE,
    );
    assert_eq!(
        a.wsa_wait_for_multiple_events(&evs, true, WSA_INFINITE, false)
            .unwrap(),
        WaitResult::Event(0)
    );
    for i in 0..5u64 {
        let c = a
            .wsa_get_overlapped_result(tx, &Overlapped::new(i), false)
            .unwrap();
        assert_eq!((c.error, c.bytes), (0, 600));
    }
    let mut buf = [0u8; 700];
    for i in 0..5u8 {
        let (n, _) = b.recv_from(rx, &mut buf).unwrap();
        assert_eq!(&buf[..n], &[i; 600][..]);
    }
}

// RECV-OVL-NO-FWAIT-WITH-ROUTINE, RECVMSG-OVL-NO-FWAIT-WITH-ROUTINE,
// SENDMSG-OVL-NO-FWAIT-WITH-ROUTINE
#[test]
fn fwait_true_with_a_routine_is_misuse() {
    let (_sim, h) = world(15, CompletionTiming::Seeded);
    let (s, me) = udp4(&h);
    let ovl = Overlapped::new(1);
    h.wsa_send_msg_overlapped(
        s,
        WsaMsg::for_send(Some(&me), b"q"),
        0,
        ovl,
        Some(Box::new(|_| {})),
    )
    .unwrap();
    let err = h.wsa_get_overlapped_result(s, &ovl, true).unwrap_err();
    let r = err.report().unwrap();
    assert_eq!(r.kind, ReportKind::Misuse);
    // The clause of the call's own page: this operation is a WSASendMsg.
    assert_eq!(
        r.clause.as_deref(),
        Some("SENDMSG-OVL-NO-FWAIT-WITH-ROUTINE")
    );
    // fWait FALSE is fine: a status (here, after the routine ran).
    h.sleep_ex(0, true).unwrap();
    let c = h.wsa_get_overlapped_result(s, &ovl, false).unwrap();
    assert_eq!(c.bytes, 1);
}

// An ICMP port unreachable ends the next outstanding receive with
// WSAECONNRESET (RECV-ECONNRESET-ICMP through the completion).
#[test]
fn icmp_error_completes_a_pending_receive() {
    let (_sim, h) = world(26, CompletionTiming::Pending);
    let (s, _) = udp4(&h);
    h.wsa_recv_overlapped(s, vec![WsaBuf::zeroed(8)], 0, Overlapped::new(1), None)
        .unwrap();
    h.send_to(s, b"nobody", &"127.0.0.1:9".parse().unwrap())
        .unwrap();
    let c = h
        .wsa_get_overlapped_result(s, &Overlapped::new(1), true)
        .unwrap();
    assert_eq!((c.error, c.bytes), (WSAECONNRESET, 0));
}

// RECV-OVL-FINAL-STATUS, RECV-OVL-LIFETIME: a front end that hands
// completions on (the DLL) takes them in the order the operations
// finished (SimHost::take_completions), each once; and waits in virtual
// time for some of them (SimHost::wait_overlapped), with a time-out or
// the deadlock report when nothing is in flight.
#[test]
fn completions_are_taken_in_finishing_order_and_waited_for_in_virtual_time() {
    let sim = Sim::new(4);
    let a = started(&sim, "a", &["10.0.0.1/24"]);
    let b = started(&sim, "b", &["10.0.0.2/24"]);
    let (r1, r2) = (
        b.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap(),
        b.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap(),
    );
    b.bind(r1, &"10.0.0.2:5001".parse().unwrap()).unwrap();
    b.bind(r2, &"10.0.0.2:5002".parse().unwrap()).unwrap();
    let tx = a.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    // Ids in the reverse of the order they will finish in.
    for (s, id) in [(r1, 9), (r2, 3)] {
        let p = b
            .wsa_recv_overlapped(s, vec![WsaBuf::zeroed(8)], 0, Overlapped::new(id), None)
            .unwrap();
        assert_eq!(p, Posted::Pending);
    }
    assert!(b.take_completions().is_empty());
    assert!(!b.wait_overlapped("wait", &[9, 3], 1).unwrap(), "time-out");
    assert_eq!(sim.now().as_millis(), 1);
    a.send_to(tx, b"one", &"10.0.0.2:5001".parse().unwrap())
        .unwrap();
    a.send_to(tx, b"two", &"10.0.0.2:5002".parse().unwrap())
        .unwrap();
    assert!(b.wait_overlapped("wait", &[3], WSA_INFINITE).unwrap());
    let got: Vec<(u64, Vec<u8>)> = b
        .take_completions()
        .into_iter()
        .map(|c| (c.overlapped.id, c.data()))
        .collect();
    assert_eq!(got, vec![(9, b"one".to_vec()), (3, b"two".to_vec())]);
    assert!(b.take_completions().is_empty(), "each once");
    // The status stays for WSAGetOverlappedResult.
    let again = b
        .wsa_get_overlapped_result(r1, &Overlapped::new(9), false)
        .unwrap();
    assert_eq!((again.error, again.bytes), (0, 3));
    b.wsa_recv_overlapped(r1, vec![WsaBuf::zeroed(8)], 0, Overlapped::new(9), None)
        .unwrap();
    let err = b.wait_overlapped("wait", &[9], WSA_INFINITE).unwrap_err();
    assert_eq!(err.report().unwrap().kind, ReportKind::Deadlock);
}

// A front end that runs an operation the model does not post (the DLL's
// AcceptEx) asks whether a socket has something for a receive or an
// accept now: SimHost::readable_now, without a trace line.
#[test]
fn readable_now_sees_a_connection_and_data_without_a_trace_line() {
    let sim = Sim::new(5);
    let h = started(&sim, "h", &["10.0.0.1/24"]);
    let l = h.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP).unwrap();
    h.bind(l, &"10.0.0.1:80".parse().unwrap()).unwrap();
    h.listen(l, 4).unwrap();
    assert!(!h.readable_now(l));
    let c = h.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP).unwrap();
    h.connect(c, &"10.0.0.1:80".parse().unwrap()).unwrap();
    let lines = sim.trace().len();
    assert!(h.readable_now(l), "a connection to accept");
    let (a, _) = h.accept(l).unwrap();
    assert!(!h.readable_now(a));
    h.send_to(c, b"x", &"10.0.0.1:80".parse().unwrap()).ok();
    assert!(h.readable_now(a), "data");
    assert!(!h.readable_now(Socket(0x3)), "no such socket");
    assert!(sim.trace().len() > lines, "the calls between are traced");
}
