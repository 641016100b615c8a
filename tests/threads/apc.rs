//! Completion routines and threads: a routine runs on its issuing thread,
//! inside its blocking calls too (alertable), with its own waits; a
//! panicking one leaves nothing behind.

use super::{alertable_case, note_thread, Blocking, Log};
use crate::common::*;
use parking_lot::Mutex;
use std::sync::Arc;
use std::time::Duration;
use winsock_double::*;

// RECV-OVL-ROUTINE-ALERTABLE, RECVMSG-OVL-ROUTINE-ALERTABLE: the routine
// runs on the thread that issued the operation, in its alertable wait; the
// main thread's alertable wait does not run it.
#[test]
fn a_routine_runs_on_its_issuing_thread() {
    for seed in 0..50 {
        let (_sim, h) = local(seed);
        let (s, me) = udp4(&h);
        let log: Log = Arc::default();
        let l = log.clone();
        let mut worker = h
            .spawn("worker", move |h| {
                h.wsa_recv_msg_overlapped(
                    s,
                    WsaMsg::for_recv(&[16], 0),
                    Overlapped::new(1),
                    Some(note_thread(&l)),
                )
                .unwrap();
                h.sleep_ex(WSA_INFINITE, true).unwrap()
            })
            .unwrap();
        send(&h, s, b"ping", me);
        assert_eq!(h.sleep_ex(10, true).unwrap(), WaitResult::Timeout);
        assert_eq!(worker.join().unwrap(), WaitResult::IoCompletion);
        assert_eq!(*log.lock(), ["sim-worker"], "seed {seed}");
    }
}

// RECV-BLOCKING-ALERTABLE, RECVMSG-BLOCKING-ALERTABLE,
// SENDMSG-BLOCKING-ALERTABLE: the routine queued to the thread runs during
// its blocking call (the worker makes no other alertable wait), and the
// call goes on waiting and then completes.
#[test]
fn blocking_calls_wait_alertably() {
    for kind in [Blocking::RecvFrom, Blocking::RecvMsg, Blocking::SendMsg] {
        for seed in 0..20 {
            let (r, nested, ran, returned) = alertable_case(seed, kind, |_| None);
            r.unwrap();
            assert!(nested.is_none());
            assert!(ran < returned, "{kind:?} seed {seed}: {ran:?} {returned:?}");
        }
    }
}

// RECV-BLOCKING-ALERTABLE: a routine that runs inside a blocking receive
// may wait itself (SleepEx); its wait has its own time-out, and the
// receive keeps its SO_RCVTIMEO deadline.
#[test]
fn a_routine_inside_a_blocking_receive_waits_on_its_own_clock() {
    let (sim, h) = local(11);
    let (s, me) = udp4(&h);
    let (p, _) = udp4(&h);
    h.set_sock_opt_int(p, SOL_SOCKET, SO_RCVTIMEO, 50).unwrap();
    let seen: Arc<Mutex<Vec<(WaitResult, Duration)>>> = Arc::default();
    let (s2, hh) = (seen.clone(), h.clone());
    let routine: CompletionRoutine = Box::new(move |_| {
        let a = hh.sleep_ex(0, true).unwrap();
        let at_a = hh.sim().now();
        let b = hh.sleep_ex(5, false).unwrap();
        s2.lock().extend([(a, at_a), (b, hh.sim().now())]);
    });
    h.wsa_recv_overlapped(
        s,
        vec![WsaBuf::zeroed(4)],
        0,
        Overlapped::new(1),
        Some(routine),
    )
    .unwrap();
    send(&h, s, b"a", me);
    assert_err(h.recv_from(p, &mut [0u8; 4]), WSAETIMEDOUT);
    assert_eq!(sim.now(), Duration::from_millis(50));
    assert_eq!(
        *seen.lock(),
        [
            (WaitResult::Timeout, Duration::ZERO),
            (WaitResult::Timeout, Duration::from_millis(5))
        ]
    );
}

// A routine that panics inside a blocking receive: the panic reaches the
// caller, and afterwards the thread is no longer "inside a routine" and
// the socket's next routine runs.
#[test]
fn a_panicking_routine_leaves_no_state_behind() {
    let (_sim, h) = local(13);
    let (s, me) = udp4(&h);
    let (p, pa) = udp4(&h);
    h.wsa_recv_overlapped(
        s,
        vec![WsaBuf::zeroed(4)],
        0,
        Overlapped::new(1),
        Some(Box::new(|_| panic!("routine panics"))),
    )
    .unwrap();
    send(&h, s, b"a", me);
    let hh = h.clone();
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        hh.recv_from(p, &mut [0u8; 4])
    }));
    assert!(r.is_err());
    // Not "inside a routine": a blocking call is fine.
    send(&h, p, b"b", pa);
    assert_eq!(h.recv_from(p, &mut [0u8; 4]).unwrap().0, 1);
    let log: Log = Arc::default();
    h.wsa_recv_overlapped(
        s,
        vec![WsaBuf::zeroed(4)],
        0,
        Overlapped::new(2),
        Some(note_thread(&log)),
    )
    .unwrap();
    send(&h, s, b"c", me);
    assert_eq!(h.sleep_ex(0, true).unwrap(), WaitResult::IoCompletion);
    assert_eq!(log.lock().len(), 1);
}
