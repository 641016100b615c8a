//! What the scheduler reports as misuse or diagnoses: a blocking call in a
//! routine that interrupted one, receives from two threads at once, a call
//! from an OS thread that is not a simulated one.

use super::{alertable_case, Blocking};
use crate::common::*;
use std::collections::BTreeSet;
use winsock_double::*;

// RECV-APC-NESTED-BLOCKING-UB, RECVMSG-APC-NESTED-BLOCKING-UB,
// SENDMSG-APC-NESTED-BLOCKING-UB: a blocking call inside a routine that
// interrupted a blocking call is reported as misuse, naming the clause of
// the interrupted call; a non-blocking call there is fine.
#[test]
fn a_blocking_call_inside_an_interrupting_routine_is_misuse() {
    let cases = [
        (Blocking::RecvFrom, "RECV-APC-NESTED-BLOCKING-UB"),
        (Blocking::RecvMsg, "RECVMSG-APC-NESTED-BLOCKING-UB"),
        (Blocking::SendMsg, "SENDMSG-APC-NESTED-BLOCKING-UB"),
    ];
    for (kind, clause) in cases {
        let (r, nested, _, _) = alertable_case(7, kind, |h| {
            let s = h.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
            h.bind(s, &"10.0.0.1:0".parse().unwrap()).unwrap();
            h.recv_from(s, &mut [0u8; 4]).err()
        });
        r.unwrap();
        let e = nested.expect("the nested call failed");
        let rep = e.report().expect("a model report");
        assert_eq!(rep.kind, ReportKind::Misuse);
        assert_eq!(rep.clause.as_deref(), Some(clause), "{kind:?}");
        assert!(rep.location.as_deref().unwrap().contains(file!()));
    }
    // The same call on a non-blocking socket is allowed.
    let (r, nested, _, _) = alertable_case(7, Blocking::RecvFrom, |h| {
        let s = h.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
        h.bind(s, &"10.0.0.1:0".parse().unwrap()).unwrap();
        let mut on = 1u32;
        h.ioctl_socket(s, FIONBIO, &mut on).unwrap();
        h.recv_from(s, &mut [0u8; 4]).err()
    });
    r.unwrap();
    assert!(nested.unwrap().is(WSAEWOULDBLOCK));
}

// RECV-THREADS-SIMULTANEOUS: two threads in blocking receives on one
// socket: the model records a diagnostic (once), both calls go on, and
// which thread gets which datagram depends on the seed.
#[test]
fn receives_from_two_threads_at_once_are_diagnosed() {
    let mut assignments = BTreeSet::new();
    for seed in 0..40 {
        let (sim, h) = local(seed);
        let (s, me) = udp4(&h);
        let recv_one = move |h: SimHost| {
            let mut b = [0u8; 4];
            let (n, _) = h.recv_from(s, &mut b).unwrap();
            b[..n].to_vec()
        };
        let mut t1 = h.spawn("one", recv_one).unwrap();
        let mut t2 = h.spawn("two", recv_one).unwrap();
        h.sleep_ex(1, false).unwrap(); // both are waiting by now
        send(&h, s, b"A", me);
        send(&h, s, b"B", me);
        let got = (t1.join().unwrap(), t2.join().unwrap());
        assignments.insert(got);
        let d = sim.diagnostics();
        assert_eq!(d.len(), 1, "seed {seed}");
        assert_eq!(d[0].clause.as_deref(), Some("RECV-THREADS-SIMULTANEOUS"));
        assert!(d[0].message.contains("`one`") && d[0].message.contains("`two`"));
    }
    assert_eq!(assignments.len(), 2, "{assignments:?}");
}

// RECVMSG-THREADS-SIMULTANEOUS: overlapped receives posted on one socket
// from two threads are diagnosed; several from one thread are not.
#[test]
fn overlapped_receives_from_two_threads_are_diagnosed() {
    let (sim, h) = local(5);
    let (s, _) = udp4(&h);
    for id in 1..=2 {
        h.wsa_recv_msg_overlapped(s, WsaMsg::for_recv(&[8], 0), Overlapped::new(id), None)
            .unwrap();
    }
    assert!(sim.diagnostics().is_empty());
    let mut t = h
        .spawn("other", move |h| {
            h.wsa_recv_msg_overlapped(s, WsaMsg::for_recv(&[8], 0), Overlapped::new(3), None)
                .unwrap()
        })
        .unwrap();
    assert_eq!(t.join().unwrap(), Posted::Pending);
    let d = sim.diagnostics();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].clause.as_deref(), Some("RECVMSG-THREADS-SIMULTANEOUS"));
}

// A call from an OS thread that is not a simulated one, while simulated
// threads run, is misuse (it would run beside them).
#[test]
fn a_call_from_a_foreign_os_thread_is_misuse() {
    let (_sim, h) = local(12);
    let (s, me) = udp4(&h);
    let mut t = h
        .spawn("receiver", move |h| {
            h.recv_from(s, &mut [0u8; 4]).map(|_| ())
        })
        .unwrap();
    let h2 = h.clone();
    let foreign = std::thread::spawn(move || h2.sleep_ex(0, false))
        .join()
        .unwrap();
    assert_eq!(
        foreign.unwrap_err().report().unwrap().kind,
        ReportKind::Misuse
    );
    send(&h, s, b"x", me);
    t.join().unwrap().unwrap();
    // With every spawned thread finished, any OS thread may go on.
    let h3 = h.clone();
    let later = std::thread::spawn(move || h3.sleep_ex(0, false))
        .join()
        .unwrap();
    assert_eq!(later.unwrap(), WaitResult::Timeout);
}
