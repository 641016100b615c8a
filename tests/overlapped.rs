//! Overlapped I/O on the model: posting, completion through events,
//! `WSAGetOverlappedResult`, completion routines in alertable waits and
//! completion ports; cancellation; the misuse the documentation calls
//! undefined. Each test names the clauses it checks.

mod common;

use common::*;
use parking_lot::Mutex;
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Arc;
use winsock_double::*;

/// One host `local`, Winsock started, with the given completion timing.
fn world(seed: u64, timing: CompletionTiming) -> (Sim, SimHost) {
    let sim = Sim::with_config(
        seed,
        Config {
            completion_timing: timing,
            ..Config::default()
        },
    );
    let h = started(&sim, "local", &[]);
    (sim, h)
}

/// A routine that records its `Completion` in `log`.
fn recorder(log: &Arc<Mutex<Vec<Completion>>>) -> CompletionRoutine {
    let log = log.clone();
    Box::new(move |c| log.lock().push(c))
}

fn signalled(h: &SimHost, e: Event) -> bool {
    h.wsa_wait_for_multiple_events(&[e], false, 0, false)
        .unwrap()
        == WaitResult::Event(0)
}

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

// RECV-OVL-ROUTINE-ALERTABLE, RECV-IMMEDIATE-ROUTINE-SCHEDULED,
// RECV-OVL-ROUTINE-ARGS, RECV-OVL-ROUTINE-FLAGS,
// RECV-OVL-HEVENT-IGNORED-WITH-ROUTINE, RECVMSG-OVL-ROUTINE-ALERTABLE,
// RECVMSG-IMMEDIATE-ROUTINE-SCHEDULED, RECVMSG-OVL-ROUTINE-ARGS,
// RECVMSG-OVL-ROUTINE-FLAGS, RECVMSG-OVL-HEVENT-IGNORED-WITH-ROUTINE,
// RECVMSG-OVL-COMPLETION-INDICATION
#[test]
fn routines_run_only_in_alertable_waits() {
    let (_sim, h) = world(4, CompletionTiming::Immediate);
    let (s, me) = udp4(&h);
    send(&h, s, &pattern(30), me);
    let log = Arc::new(Mutex::new(vec![]));
    // hEvent carries context for the routine; it is never signalled.
    let ctx = h.wsa_create_event().unwrap();
    let ovl = Overlapped::with_event(1, ctx);
    let posted = h
        .wsa_recv_msg_overlapped(s, WsaMsg::for_recv(&[10], 0), ovl, Some(recorder(&log)))
        .unwrap();
    assert!(matches!(posted, Posted::Completed { bytes: 10, .. }));
    // Completed at once, but the routine waits for an alertable wait.
    assert!(log.lock().is_empty());
    assert_eq!(h.sleep_ex(5, false).unwrap(), WaitResult::Timeout);
    assert!(log.lock().is_empty());
    assert!(!signalled(&h, ctx));
    assert_eq!(h.sleep_ex(5, true).unwrap(), WaitResult::IoCompletion);
    let got = log.lock().clone();
    assert_eq!(got.len(), 1);
    let c = &got[0];
    // dwError, cbTransferred, and the dwFlags lpFlags would have held.
    assert_eq!((c.error, c.bytes, c.flags), (WSAEMSGSIZE, 10, MSG_TRUNC));
    assert_eq!(c.overlapped.h_event, Some(ctx));
    assert_eq!(c.data(), pattern(10));
    assert!(!signalled(&h, ctx));
}

// SENDMSG-IMMEDIATE-ROUTINE-SCHEDULED, SENDMSG-OVL-ROUTINE-ALERTABLE,
// SENDMSG-OVL-ROUTINE-ARGS, SENDMSG-OVL-ROUTINE-FLAGS-ZERO,
// SENDMSG-OVL-HEVENT-IGNORED-WITH-ROUTINE, SENDMSG-OVL-IMMEDIATE,
// SENDMSG-BYTES-PTR-OVERLAPPED, SENDMSG-OVL-TRANSFER-COUNT
#[test]
fn send_routine_gets_the_count_and_no_flags() {
    let (_sim, h) = world(5, CompletionTiming::Immediate);
    let (s, me) = udp4(&h);
    let log = Arc::new(Mutex::new(vec![]));
    let ctx = h.wsa_create_event().unwrap();
    let posted = h
        .wsa_send_msg_overlapped(
            s,
            WsaMsg::for_send(Some(&me), &pattern(77)),
            0,
            Overlapped::with_event(9, ctx),
            Some(recorder(&log)),
        )
        .unwrap();
    assert_eq!(
        posted,
        Posted::Completed {
            error: 0,
            bytes: 77,
            flags: 0
        }
    );
    assert!(log.lock().is_empty());
    assert_eq!(
        h.wsa_wait_for_multiple_events(&[ctx], false, 1000, true)
            .unwrap(),
        WaitResult::IoCompletion
    );
    let c = log.lock()[0].clone();
    assert_eq!((c.error, c.bytes, c.flags), (0, 77, 0));
    assert!(!signalled(&h, ctx));
}

// RECV-OVL-NO-NESTING, RECV-OVL-ROUTINE-RETURN-NEXT, RECVMSG-OVL-NO-NESTING,
// RECVMSG-OVL-ROUTINE-RETURN-NEXT, SENDMSG-OVL-NO-NESTING,
// SENDMSG-OVL-ROUTINE-RETURN-NEXT, RECV-OVL-FROM-COMPLETION-ROUTINE,
// RECVMSG-OVL-FROM-COMPLETION-ROUTINE, SENDMSG-OVL-FROM-COMPLETION-ROUTINE
#[test]
fn routines_of_one_socket_never_nest() {
    for seed in 0..50 {
        let (_sim, h) = world(seed, CompletionTiming::Seeded);
        let (a, a_addr) = udp4(&h);
        let (b, b_addr) = udp4(&h);
        // (socket, event) in the order things happened.
        let events = Arc::new(Mutex::new(Vec::<(char, &str)>::new()));
        let depth = Arc::new(Mutex::new(BTreeSet::<char>::new()));
        let mk = |tag: char, nested_wait: bool| -> CompletionRoutine {
            let (events, depth, h) = (events.clone(), depth.clone(), h.clone());
            Box::new(move |_c: Completion| {
                assert!(
                    depth.lock().insert(tag),
                    "a routine of socket {tag} started inside another of the same socket"
                );
                events.lock().push((tag, "start"));
                if nested_wait {
                    // An alertable wait inside a routine: routines of other
                    // sockets may run here, never one of this socket.
                    h.sleep_ex(0, true).unwrap();
                }
                depth.lock().remove(&tag);
                events.lock().push((tag, "end"));
            })
        };
        for id in 0..2 {
            h.wsa_recv_overlapped(
                a,
                vec![WsaBuf::zeroed(8)],
                0,
                Overlapped::new(id),
                Some(mk('a', true)),
            )
            .unwrap();
        }
        h.wsa_recv_overlapped(
            b,
            vec![WsaBuf::zeroed(8)],
            0,
            Overlapped::new(10),
            Some(mk('b', false)),
        )
        .unwrap();
        send(&h, a, b"1", a_addr);
        send(&h, a, b"2", a_addr);
        send(&h, a, b"3", b_addr);
        // Let every datagram arrive (loopback: at once), then run them all.
        assert_eq!(h.sleep_ex(1, true).unwrap(), WaitResult::IoCompletion);
        let ev = events.lock().clone();
        assert_eq!(ev.len(), 6, "seed {seed}: {ev:?}");
        // The two routines of `a` do not overlap.
        let a_marks: Vec<&str> = ev.iter().filter(|e| e.0 == 'a').map(|e| e.1).collect();
        assert_eq!(a_marks, ["start", "end", "start", "end"], "seed {seed}");
    }

    // A routine may post the next operations, receive and send alike.
    let (_sim, h) = world(9, CompletionTiming::Seeded);
    let (s, me) = udp4(&h);
    let got = Arc::new(Mutex::new(vec![]));
    let (h2, got2) = (h.clone(), got.clone());
    let routine: CompletionRoutine = Box::new(move |c| {
        got2.lock().push(c.data());
        h2.wsa_recv_msg_overlapped(
            s,
            WsaMsg::for_recv(&[8], 0),
            Overlapped::new(2),
            Some(recorder_into(&got2)),
        )
        .unwrap();
        h2.wsa_send_msg_overlapped(
            s,
            WsaMsg::for_send(Some(&me), b"two"),
            0,
            Overlapped::new(3),
            None,
        )
        .unwrap();
    });
    h.wsa_recv_overlapped(
        s,
        vec![WsaBuf::zeroed(8)],
        0,
        Overlapped::new(1),
        Some(routine),
    )
    .unwrap();
    send(&h, s, b"one", me);
    while got.lock().len() < 2 {
        h.sleep_ex(1, true).unwrap();
    }
    assert_eq!(*got.lock(), vec![b"one".to_vec(), b"two".to_vec()]);
}

fn recorder_into(log: &Arc<Mutex<Vec<Vec<u8>>>>) -> CompletionRoutine {
    let log = log.clone();
    Box::new(move |c| log.lock().push(c.data()))
}

// RECV-OVL-ALL-ROUTINES-BEFORE-WAIT, RECVMSG-OVL-ALL-ROUTINES-BEFORE-WAIT,
// SENDMSG-OVL-ALL-ROUTINES-BEFORE-WAIT
#[test]
fn every_queued_routine_runs_before_the_wait_returns() {
    let (_sim, h) = world(6, CompletionTiming::Seeded);
    let (s, me) = udp4(&h);
    let log = Arc::new(Mutex::new(vec![]));
    for i in 0..3 {
        h.wsa_send_msg_overlapped(
            s,
            WsaMsg::for_send(Some(&me), b"x"),
            0,
            Overlapped::new(i),
            Some(recorder(&log)),
        )
        .unwrap();
    }
    for i in 10..13 {
        h.wsa_recv_msg_overlapped(
            s,
            WsaMsg::for_recv(&[4], 0),
            Overlapped::new(i),
            Some(recorder(&log)),
        )
        .unwrap();
    }
    let ev = h.wsa_create_event().unwrap();
    h.wsa_set_event(ev).unwrap();
    // Routines are queued and the event is signalled: the routines run, all
    // of them, and the wait reports WSA_WAIT_IO_COMPLETION.
    assert_eq!(
        h.wsa_wait_for_multiple_events(&[ev], false, 0, true)
            .unwrap(),
        WaitResult::IoCompletion
    );
    assert_eq!(log.lock().len(), 6);
    // Nothing is left: the next wait sees the event.
    assert_eq!(
        h.wsa_wait_for_multiple_events(&[ev], false, 0, true)
            .unwrap(),
        WaitResult::Event(0)
    );
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
    assert!(
        r.location.as_deref().unwrap().contains("overlapped.rs"),
        "{r}"
    );
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
    assert_eq!(r.clause.as_deref(), Some("RECV-OVL-NO-FWAIT-WITH-ROUTINE"));
    // fWait FALSE is fine: a status (here, after the routine ran).
    h.sleep_ex(0, true).unwrap();
    let c = h.wsa_get_overlapped_result(s, &ovl, false).unwrap();
    assert_eq!(c.bytes, 1);
}

/// Host `a` with a UDP socket whose sends to host `b` wait for send-buffer
/// room (1,000 bytes per second, `SO_SNDBUF` 1): the first send leaves at
/// once, the next ones wait. Returns (a, socket, b's receiver's address).
fn slow_sender(seed: u64, cfg: Config) -> (Sim, SimHost, Socket, SocketAddr) {
    let sim = Sim::with_config(
        seed,
        Config {
            tx_rate: Some(1000),
            ..cfg
        },
    );
    let a = started(&sim, "a", &["10.0.0.1/24"]);
    let b = started(&sim, "b", &["10.0.0.2/24"]);
    let rx = b.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    b.bind(rx, &"10.0.0.2:5000".parse().unwrap()).unwrap();
    let tx = a.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    a.bind(tx, &"10.0.0.1:0".parse().unwrap()).unwrap();
    a.set_sock_opt_int(tx, SOL_SOCKET, SO_SNDBUF, 1).unwrap();
    (sim, a, tx, "10.0.0.2:5000".parse().unwrap())
}

fn msg_to(to: &SocketAddr, data: &[u8]) -> WsaMsg {
    WsaMsg::for_send(Some(to), data)
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

// Events: manual reset, wait-any and wait-all, time-outs in virtual time,
// and the argument errors of WSAWaitForMultipleEvents.
#[test]
fn events_wait_any_all_and_time_out_in_virtual_time() {
    let (sim, h) = world(22, CompletionTiming::Seeded);
    let e1 = h.wsa_create_event().unwrap();
    let e2 = h.wsa_create_event().unwrap();
    assert_eq!(
        h.wsa_wait_for_multiple_events(&[e1, e2], false, 250, false)
            .unwrap(),
        WaitResult::Timeout
    );
    assert_eq!(sim.now().as_millis(), 250);
    h.wsa_set_event(e2).unwrap();
    assert_eq!(
        h.wsa_wait_for_multiple_events(&[e1, e2], false, 0, false)
            .unwrap(),
        WaitResult::Event(1)
    );
    // Manual reset: still signalled.
    assert_eq!(
        h.wsa_wait_for_multiple_events(&[e1, e2], false, 0, false)
            .unwrap(),
        WaitResult::Event(1)
    );
    assert_eq!(
        h.wsa_wait_for_multiple_events(&[e1, e2], true, 0, false)
            .unwrap(),
        WaitResult::Timeout
    );
    h.wsa_set_event(e1).unwrap();
    assert_eq!(
        h.wsa_wait_for_multiple_events(&[e1, e2], true, 0, false)
            .unwrap(),
        WaitResult::Event(0)
    );
    h.wsa_reset_event(e1).unwrap();
    h.wsa_reset_event(e2).unwrap();
    // Forever with nothing to come: a deadlock report, not a hang.
    let err = h
        .wsa_wait_for_multiple_events(&[e1], false, WSA_INFINITE, true)
        .unwrap_err();
    assert_eq!(err.report().unwrap().kind, ReportKind::Deadlock);
    assert_err(
        h.wsa_wait_for_multiple_events(&[], false, 0, false),
        WSA_INVALID_PARAMETER,
    );
    assert_err(
        h.wsa_wait_for_multiple_events(&[e1; 65], false, 0, false),
        WSA_INVALID_PARAMETER,
    );
    h.wsa_close_event(e1).unwrap();
    assert_err(
        h.wsa_wait_for_multiple_events(&[e1], false, 0, false),
        WSA_INVALID_HANDLE,
    );
    assert_err(h.wsa_set_event(Event(0xdead)), WSA_INVALID_HANDLE);
    assert_eq!(h.sleep_ex(30, false).unwrap(), WaitResult::Timeout);
    assert_eq!(sim.now().as_millis(), 280);
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

// Determinism: an overlapped workload gives the same trace for the same
// seed, and different seeds make different choices.
#[test]
fn overlapped_traces_are_deterministic() {
    let run = |seed| {
        let (sim, h) = world(seed, CompletionTiming::Seeded);
        three_receives_with_routines(&h);
        sim.trace_text()
    };
    for seed in 0..20 {
        assert_eq!(run(seed), run(seed));
    }
    let distinct: BTreeSet<String> = (0..20).map(run).collect();
    assert!(distinct.len() > 10);
}

fn three_receives_with_routines(h: &SimHost) {
    let (s, me) = udp4(h);
    let log = Arc::new(Mutex::new(vec![]));
    for id in 0..3 {
        h.wsa_recv_overlapped(
            s,
            vec![WsaBuf::zeroed(4)],
            0,
            Overlapped::new(id),
            Some(recorder(&log)),
        )
        .unwrap();
    }
    for k in 0..3u8 {
        send(h, s, &[k], me);
    }
    while log.lock().len() < 3 {
        h.sleep_ex(1, true).unwrap();
    }
}
