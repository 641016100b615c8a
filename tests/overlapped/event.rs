//! Event objects and WSAWaitForMultipleEvents.

use super::world;
use crate::common::*;
use winsock_double::*;

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
