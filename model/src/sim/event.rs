//! Event objects: WSACreateEvent, set, reset, close, and
//! WSAWaitForMultipleEvents (any or all, time-outs in virtual time,
//! alertable).

use super::net::HostId;
use super::overlapped::{code, wait_deadline};
use super::ovl::{EventObj, ThreadKey, WaitStep};
use super::sched_state::Step;
use super::world::{WaitEnd, World};
use crate::contract::consts::*;
use crate::contract::overlapped::{Event, WaitResult};

/// The event handles a wait is on, owned by its readiness test: one (the
/// usual case) without an allocation.
enum WaitHandles {
    One(Event),
    Many(Vec<Event>),
}

impl WaitHandles {
    fn new(events: &[Event]) -> WaitHandles {
        match events {
            [one] => WaitHandles::One(*one),
            many => WaitHandles::Many(many.to_vec()),
        }
    }

    fn as_slice(&self) -> &[Event] {
        match self {
            WaitHandles::One(h) => std::slice::from_ref(h),
            WaitHandles::Many(v) => v,
        }
    }
}

impl World {
    // ---- event objects ----

    pub(crate) fn create_event(&mut self, host: HostId) -> Result<Event, i32> {
        self.check_init(host)?;
        let h = Event(self.alloc_handle());
        self.wsa_events.insert(
            h,
            EventObj {
                host,
                signaled: false,
            },
        );
        Ok(h)
    }

    fn event_mut(&mut self, host: HostId, e: Event) -> Result<&mut EventObj, i32> {
        self.check_init(host)?;
        match self.wsa_events.get_mut(&e) {
            Some(ev) if ev.host == host => Ok(ev),
            _ => Err(WSA_INVALID_HANDLE),
        }
    }

    pub(crate) fn close_event(&mut self, host: HostId, e: Event) -> Result<(), i32> {
        self.event_mut(host, e)?;
        self.wsa_events.remove(&e);
        Ok(())
    }

    pub(crate) fn set_event(&mut self, host: HostId, e: Event, on: bool) -> Result<(), i32> {
        self.event_mut(host, e)?.signaled = on;
        Ok(())
    }

    /// Which wait result the events give now, if any.
    fn events_ready(&self, events: &[Event], all: bool) -> Option<usize> {
        let on = |e: &Event| self.wsa_events.get(e).is_some_and(|ev| ev.signaled);
        if all {
            events.iter().all(on).then_some(0)
        } else {
            events.iter().position(on)
        }
    }

    /// `WSAWaitForMultipleEvents` (RECV-OVL-WAIT-OR-POLL,
    /// RECVMSG-OVL-WAIT-OR-POLL, SENDMSG-OVL-WAIT-OR-POLL,
    /// RECV-OVL-ALL-ROUTINES-BEFORE-WAIT, RECVMSG-OVL-ALL-ROUTINES-BEFORE-WAIT,
    /// SENDMSG-OVL-ALL-ROUTINES-BEFORE-WAIT).
    pub(crate) fn wait_events(
        &mut self,
        t: ThreadKey,
        events: &[Event],
        all: bool,
        timeout_ms: u32,
        alertable: bool,
    ) -> Step<WaitStep<WaitResult>> {
        let host = t.0;
        self.check_init(host).map_err(code)?;
        if events.is_empty() || events.len() > WSA_MAXIMUM_WAIT_EVENTS {
            return Err(code(WSA_INVALID_PARAMETER).into());
        }
        for e in events {
            if self.wsa_events.get(e).is_none_or(|ev| ev.host != host) {
                return Err(code(WSA_INVALID_HANDLE).into());
            }
        }
        // model choice: routines already queued run before signalled events
        // are looked at (the seed: all of them run before the wait is
        // satisfied with WSA_WAIT_IO_COMPLETION).
        let deadline = wait_deadline(self.now, timeout_ms);
        let evs = WaitHandles::new(events);
        let r = self.wait_until(
            host,
            deadline,
            "WSAWaitForMultipleEvents",
            false,
            move |w| {
                // RECV-OVL-ROUTINE-ALERTABLE, RECVMSG-OVL-ROUTINE-ALERTABLE,
                // SENDMSG-OVL-ROUTINE-ALERTABLE: routines end an alertable wait only.
                (alertable && w.runnable_apc(t)) || w.events_ready(evs.as_slice(), all).is_some()
            },
        );
        match r {
            Ok(()) if alertable && self.runnable_apc(t) => Ok(WaitStep::RunApcs),
            Ok(()) => Ok(WaitStep::Done(WaitResult::Event(
                self.events_ready(WaitHandles::new(events).as_slice(), all)
                    .expect("ready"),
            ))),
            Err(WaitEnd::Timeout) => Ok(WaitStep::Done(WaitResult::Timeout)),
            Err(end) => Err(end.halt(|| unreachable!("handled"))),
        }
    }

    /// `SleepEx`.
    pub(crate) fn sleep(
        &mut self,
        t: ThreadKey,
        ms: u32,
        alertable: bool,
    ) -> Step<WaitStep<WaitResult>> {
        let deadline = wait_deadline(self.now, ms);
        let r = self.wait_until(t.0, deadline, "SleepEx", false, move |w| {
            alertable && w.runnable_apc(t)
        });
        match r {
            Ok(()) => Ok(WaitStep::RunApcs),
            Err(WaitEnd::Timeout) => Ok(WaitStep::Done(WaitResult::Timeout)),
            Err(end) => Err(end.halt(|| unreachable!("handled"))),
        }
    }
}
