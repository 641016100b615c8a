//! Completion routines: queued to the issuing thread, run in alertable
//! waits, never nested per socket, in an order the seed picks.

use super::{recorder, signalled, world};
use crate::common::*;
use parking_lot::Mutex;
use std::collections::BTreeSet;
use std::sync::Arc;
use winsock_double::*;

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
