//! The kernel objects of overlapped I/O as the model keeps them: an
//! outstanding operation and what it owns, the status an `OVERLAPPED`
//! holds, queued completion routines, events and completion ports, and the
//! settings of when operations complete and routines run. Plain data: this
//! module imports no room of the model.

use super::call::SendPlan;
use super::net::HostId;
use crate::contract::overlapped::{Completion, CompletionRoutine, Overlapped, PortPacket};
use crate::contract::types::{NameBuf, WsaBuf};
use crate::contract::DataCall;
use std::collections::VecDeque;

/// A simulated thread: the host it runs on and its number there.
pub(crate) type ThreadKey = (HostId, u32);

/// An outstanding overlapped operation and everything it owns.
pub(crate) struct Op {
    pub(crate) ovl: Overlapped,
    pub(crate) thread: ThreadKey,
    pub(crate) socket: u64,
    /// Which call posted it.
    pub(crate) kind: DataCall,
    pub(crate) flags_in: u32,
    pub(crate) buffers: Vec<WsaBuf>,
    pub(crate) name: Option<NameBuf>,
    pub(crate) control: Option<WsaBuf>,
    pub(crate) routine: Option<CompletionRoutine>,
    /// Whether the receive may write its name (see `recv_check`).
    pub(crate) name_ok: bool,
    /// For a send: where it goes.
    pub(crate) plan: Option<SendPlan>,
}

impl std::fmt::Debug for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Op")
            .field("ovl", &self.ovl)
            .field("socket", &self.socket)
            .field("kind", &self.kind)
            .field("routine", &self.routine.is_some())
            .finish_non_exhaustive()
    }
}

/// What a `WSAOVERLAPPED` holds after its operation started: the status
/// `WSAGetOverlappedResult` reads (`Internal`, `InternalHigh`, `Offset`).
#[derive(Debug)]
pub(crate) struct OvlStatus {
    pub(crate) ovl: Overlapped,
    pub(crate) socket: u64,
    /// The call of the operation that last used it.
    pub(crate) call: DataCall,
    pub(crate) pending: bool,
    pub(crate) routine: bool,
    pub(crate) error: i32,
    /// `OVERLAPPED.Internal`.
    pub(crate) status: u32,
    pub(crate) bytes: u32,
    pub(crate) flags: u32,
    /// The completion, with the buffers, while nobody has taken it.
    pub(crate) held: Option<Completion>,
    /// When the operation finished, as a count of the world's finished
    /// operations (0 while pending): the order
    /// `SimHost::take_completions` gives completions in.
    pub(crate) finished: u64,
}

/// What an [`OvlStatus`] held before an operation started on it
/// ([`OvlStatus::restart`]), to put back if the operation does not start.
#[derive(Debug)]
pub(crate) struct OvlWas {
    ovl: Overlapped,
    socket: u64,
    call: DataCall,
    pending: bool,
    routine: bool,
    error: i32,
    status: u32,
    bytes: u32,
    flags: u32,
    finished: u64,
    held: Option<Completion>,
}

impl OvlStatus {
    /// The status of an operation that starts (`STATUS_PENDING`).
    pub(crate) fn started(ovl: Overlapped, socket: u64, call: DataCall, routine: bool) -> Self {
        OvlStatus {
            ovl,
            socket,
            call,
            pending: true,
            routine,
            error: 0,
            status: crate::contract::ntstatus::STATUS_PENDING,
            bytes: 0,
            flags: 0,
            held: None,
            finished: 0,
        }
    }

    /// Rewrites the status in place as [`OvlStatus::started`] gives it (a
    /// `WSAOVERLAPPED` used again, as real code does); returns what it
    /// held. (In place: the status is large, and held nothing mostly.)
    pub(crate) fn restart(
        &mut self,
        ovl: Overlapped,
        socket: u64,
        call: DataCall,
        routine: bool,
    ) -> OvlWas {
        let held = if self.held.is_some() {
            self.held.take()
        } else {
            None
        };
        let was = OvlWas {
            ovl: self.ovl,
            socket: self.socket,
            call: self.call,
            pending: self.pending,
            routine: self.routine,
            error: self.error,
            status: self.status,
            bytes: self.bytes,
            flags: self.flags,
            finished: self.finished,
            held,
        };
        (self.ovl, self.socket, self.call, self.routine) = (ovl, socket, call, routine);
        (self.pending, self.error, self.finished) = (true, 0, 0);
        self.status = crate::contract::ntstatus::STATUS_PENDING;
        (self.bytes, self.flags) = (0, 0);
        was
    }

    /// Puts back what [`OvlStatus::restart`] took.
    pub(crate) fn restore(&mut self, was: OvlWas) {
        (self.ovl, self.socket, self.call, self.routine) =
            (was.ovl, was.socket, was.call, was.routine);
        (self.pending, self.error, self.finished) = (was.pending, was.error, was.finished);
        (self.status, self.bytes, self.flags) = (was.status, was.bytes, was.flags);
        self.held = was.held;
    }
}

/// A completion routine waiting for its thread's alertable wait.
pub(crate) struct Apc {
    pub(crate) socket: u64,
    pub(crate) routine: CompletionRoutine,
    pub(crate) completion: Completion,
}

impl std::fmt::Debug for Apc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Apc")
            .field("socket", &self.socket)
            .field("completion", &self.completion.overlapped)
            .finish_non_exhaustive()
    }
}

/// An event object.
#[derive(Debug)]
pub(crate) struct EventObj {
    pub(crate) host: HostId,
    pub(crate) signaled: bool,
}

/// A completion port.
#[derive(Debug)]
pub(crate) struct PortObj {
    pub(crate) host: HostId,
    pub(crate) packets: VecDeque<PortPacket>,
}

/// What a wait found: a result, or completion routines to run first (the
/// caller runs them outside the world's lock, then reports
/// `WSA_WAIT_IO_COMPLETION`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WaitStep<T> {
    Done(T),
    RunApcs,
}

/// When an operation that could complete at once does so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CompletionTiming {
    /// Always at once, as Windows does when data is already there.
    Immediate,
    /// Always `WSA_IO_PENDING`; the completion follows at the same instant.
    Pending,
    /// The seed decides, per operation: both are documented behaviour.
    #[default]
    Seeded,
}

/// The order in which a thread's queued completion routines run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RoutineOrder {
    /// Queue order, as Windows runs user APCs.
    Fifo,
    /// The seed picks each next routine: the documentation allows any order
    /// (`RECV-OVL-ROUTINE-ANY-ORDER`).
    #[default]
    Seeded,
}

/// Where a socket's network events go: `WSAEventSelect`'s event object
/// (recorded, then handed over by `WSAEnumNetworkEvents`) or
/// `WSAAsyncSelect`'s window (one message per event, in
/// `World::window_msgs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NetSink {
    /// `hEventObject`.
    Event(crate::contract::overlapped::Event),
    /// `hWnd` and `wMsg`.
    Window {
        /// `hWnd`.
        hwnd: u64,
        /// `wMsg`.
        msg: u32,
    },
}

/// A socket's network-event record (`WSAEventSelect`, `WSAAsyncSelect`):
/// what it selected, where its events go, the events recorded since the last
/// `WSAEnumNetworkEvents` with their error codes, which events may be
/// recorded now (an event once recorded waits for its re-enabling call)
/// and which were reported since their re-enabling call.
#[derive(Debug, Clone)]
pub(crate) struct NetRec {
    pub(crate) host: HostId,
    /// `lNetworkEvents`.
    pub(crate) mask: i32,
    /// The event object or the window.
    pub(crate) sink: NetSink,
    /// The internal network event record.
    pub(crate) recorded: i32,
    /// `iErrorCode`, by bit.
    pub(crate) errors: [i32; crate::contract::consts::FD_MAX_EVENTS],
    /// The events that may be recorded (not recorded since their
    /// re-enabling call).
    pub(crate) enabled: i32,
    /// The events `WSAEnumNetworkEvents` reported since their re-enabling
    /// call (WIN-EVENTSELECT-REPORTED).
    pub(crate) reported: i32,
    /// A listener's established connections not yet accepted when the
    /// conditions were last read (WIN-EVENTSELECT-ACCEPT-EACH).
    pub(crate) queued: usize,
    /// The bytes readable and the urgent bytes held apart when the
    /// conditions were last read (WIN-EVENTSELECT-READ-EACH).
    pub(crate) held: (usize, usize),
}
