//! `WSAAsyncSelect` on [`SimHost`]: the call (its rules are
//! `netevents.rs`', beside `WSAEventSelect`'s), the hand-over of the
//! window messages it posts to a front end that has real windows
//! ([`SimHost::take_window_messages`]), and the wait of a message loop
//! ([`SimHost::wait_window_message`]), in which virtual time passes until
//! a message is posted.
//!
//! The model has no windows: a message is posted into the world's list
//! (`World::window_msgs`) in the order the events happened, and stays
//! there until the front end takes it (the DLL posts it with the real
//! `PostMessageW`). Source: WSAAsyncSelect
//! (<https://learn.microsoft.com/en-us/windows/win32/api/winsock2/nf-winsock2-wsaasyncselect>).

use super::host::{c, SimHost};
use super::net::HostId;
use super::overlapped::{code, wait_deadline};
use super::ovl::WaitStep;
use super::sched_state::Step;
use super::world::{WaitEnd, World};
use crate::contract::overlapped::WaitResult;
use crate::contract::types::{Socket, WindowMessage};
use crate::contract::WsaError;

impl SimHost {
    /// `WSAAsyncSelect(s, hWnd, wMsg, lEvent)`: from now on each network
    /// event of `lEvent` on `s` posts `wMsg` to `hWnd` (a message per
    /// event, taken by [`SimHost::take_window_messages`]); 0 cancels; the
    /// socket becomes non-blocking. `hwnd` is the front end's window
    /// handle, which the model does not look into (0 is `WSAEINVAL` when
    /// events are selected).
    #[track_caller]
    pub fn async_select(
        &self,
        s: Socket,
        hwnd: u64,
        msg: u32,
        network_events: i32,
    ) -> Result<(), WsaError> {
        let h = self.host;
        self.call(
            "WSAAsyncSelect",
            || format!("{:#x}, {hwnd:#x}, {msg:#x}, {network_events:#x}", s.0),
            |w| c(w.async_select(h, w.handles.id(s.0), hwnd, msg, network_events)),
        )
    }

    /// The window messages `WSAAsyncSelect` posted for this host since the
    /// last call, in the order they were posted, removed from the model:
    /// for a front end that posts them to real windows. Untraced (the
    /// events that posted them are in the trace).
    pub fn take_window_messages(&self) -> Vec<WindowMessage> {
        let mut w = self.world.lock();
        if w.window_msgs.is_empty() {
            return Vec::new();
        }
        let host = self.host;
        let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut w.window_msgs)
            .into_iter()
            .partition(|(h, _)| *h == host);
        w.window_msgs = rest;
        mine.into_iter().map(|(_, m)| m).collect()
    }

    /// A message loop's wait (`MsgWaitForMultipleObjects` with no handles,
    /// `GetMessage` on an empty queue): lets virtual time pass until a
    /// window message of this host is posted (not yet taken) or `timeout_ms`
    /// passes (`u32::MAX`: never). [`WaitResult::Event`]`(0)` when a
    /// message is there, [`WaitResult::Timeout`] otherwise; a wait nothing
    /// in flight can end is the model's deadlock report.
    #[track_caller]
    pub fn wait_window_message(&self, timeout_ms: u32) -> Result<WaitResult, WsaError> {
        let h = self.host;
        let step = self.call(
            "MsgWaitForMultipleObjects",
            || format!("{timeout_ms}ms"),
            |w| w.wait_message(h, timeout_ms),
        )?;
        match step {
            WaitStep::Done(r) => Ok(r),
            WaitStep::RunApcs => unreachable!("not alertable"),
        }
    }
}

impl World {
    /// Whether a window message of `host` is waiting to be taken.
    fn message_pending(&self, host: HostId) -> bool {
        self.window_msgs.iter().any(|(h, _)| *h == host)
    }

    /// The body of [`SimHost::wait_window_message`].
    fn wait_message(&mut self, host: HostId, timeout_ms: u32) -> Step<WaitStep<WaitResult>> {
        self.check_init(host).map_err(code)?;
        let deadline = wait_deadline(self.now, timeout_ms);
        let r = self.wait_until(
            host,
            deadline,
            "MsgWaitForMultipleObjects",
            false,
            move |w| w.message_pending(host),
        );
        match r {
            Ok(()) => Ok(WaitStep::Done(WaitResult::Event(0))),
            Err(WaitEnd::Timeout) => Ok(WaitStep::Done(WaitResult::Timeout)),
            Err(end) => Err(end.halt(|| unreachable!("handled"))),
        }
    }
}
