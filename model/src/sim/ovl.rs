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
