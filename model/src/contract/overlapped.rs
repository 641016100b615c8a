//! The types of overlapped I/O: events, completion ports, the `WSAOVERLAPPED`
//! stand-in, and what an operation hands back when it completes.
//!
//! Ownership replaces the C lifetime rules: an overlapped call takes its
//! buffers by value and the completion gives them back (through
//! `WSAGetOverlappedResult`, a completion routine, or a completion-port
//! packet), so safe code cannot free or reuse memory an operation still
//! writes to.

use super::consts::{error_name, WSAEMSGSIZE};
use super::types::{gather, NameBuf, WsaBuf};
use super::WsaError;

/// An event object handle (`WSAEVENT`), as `WSACreateEvent` returns it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Event(pub u64);

/// An I/O completion port handle, as `CreateIoCompletionPort` returns it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Port(pub u64);

/// The `WSAOVERLAPPED` of one operation: its identity and its `hEvent`.
///
/// `id` stands for the structure's address: two operations outstanding at
/// the same time must use different ids (`RECV-OVL-SEPARATE-STRUCT`); an id
/// may be used again once its operation has completed, as a C program reuses
/// its structure. The id is also how `WSAGetOverlappedResult`,
/// `CancelIoEx` and completion-port packets name the operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Overlapped<E = Event> {
    /// Identifies the structure (its address, in C).
    pub id: u64,
    /// `hEvent`: signalled at completion when there is no completion
    /// routine; with a routine, free for the application's own use.
    pub h_event: Option<E>,
}

impl<E> Overlapped<E> {
    /// A structure with `hEvent` `NULL` (completion by routine, port, or
    /// `WSAGetOverlappedResult` on the socket).
    pub fn new(id: u64) -> Overlapped<E> {
        Overlapped { id, h_event: None }
    }

    /// A structure whose `hEvent` is `event`.
    pub fn with_event(id: u64, event: E) -> Overlapped<E> {
        Overlapped {
            id,
            h_event: Some(event),
        }
    }
}

/// A finished operation: its status, its counts, and the buffers it owned.
///
/// `error`, `bytes` and `flags` are the completion routine's `dwError`,
/// `cbTransferred` and `dwFlags`, or `WSAGetOverlappedResult`'s result,
/// `lpcbTransfer` and `lpdwFlags`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion<E = Event> {
    /// The operation's `WSAOVERLAPPED`.
    pub overlapped: Overlapped<E>,
    /// 0 on success, else the Winsock code (`WSAEMSGSIZE` for a truncated
    /// datagram, `WSA_OPERATION_ABORTED` for a cancelled operation).
    pub error: i32,
    /// Bytes transferred (`OVERLAPPED.InternalHigh`).
    pub bytes: u32,
    /// `OVERLAPPED.Internal`: the operation's `NTSTATUS`
    /// ([`ntstatus`](super::ntstatus); `STATUS_SUCCESS`,
    /// `STATUS_BUFFER_OVERFLOW`, `STATUS_CONNECTION_RESET`, ...).
    pub status: u32,
    /// Output flags (`MSG_TRUNC`, `MSG_CTRUNC`, `MSG_BCAST`, `MSG_MCAST` for
    /// `WSARecvMsg`; 0 for sends).
    pub flags: u32,
    /// The data buffers, in the order given.
    pub buffers: Vec<WsaBuf>,
    /// `lpFrom` / `WSAMSG.name` (the sender, written) for receives that have
    /// one; `lpTo` / `WSAMSG.name` for sends that have one.
    pub name: Option<NameBuf>,
    /// `WSAMSG.Control` for `WSARecvMsg` / `WSASendMsg`; on a receive its
    /// `len` is the control bytes written.
    pub control: Option<WsaBuf>,
}

impl<E> Completion<E> {
    /// A completion that carries only the status: what a second
    /// `WSAGetOverlappedResult` gives, once the buffers went elsewhere.
    /// Its `status` is the one Windows' table maps back to `error`
    /// ([`status_of_wsa`](super::ntstatus::status_of_wsa) of a connection's
    /// code; see [`Completion::with_status`]).
    pub fn status_only(overlapped: Overlapped<E>, error: i32, bytes: u32, flags: u32) -> Self {
        Completion {
            overlapped,
            error,
            bytes,
            status: super::ntstatus::status_of_wsa(error, false),
            flags,
            buffers: vec![],
            name: None,
            control: None,
        }
    }

    /// With `OVERLAPPED.Internal` `status`.
    pub fn with_status(mut self, status: u32) -> Self {
        self.status = status;
        self
    }

    /// The status as a `Result`: the byte count, or the error.
    pub fn result(&self) -> Result<u32, WsaError> {
        match self.error {
            0 => Ok(self.bytes),
            e => Err(WsaError::Code(e)),
        }
    }

    /// The first `bytes` bytes held by the buffers, gathered in array order.
    pub fn data(&self) -> Vec<u8> {
        gather(&self.buffers, self.bytes as usize)
    }

    /// The error's name, or `"ok"`.
    pub fn status_name(&self) -> &'static str {
        match self.error {
            0 => "ok",
            e => error_name(e).unwrap_or("?"),
        }
    }
}

/// What an overlapped call did at once.
///
/// An overlapped call either failed (`Err`: the operation did not start, no
/// completion will ever be indicated, and the buffers are dropped) or started
/// one of these ways.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Posted<E = Event> {
    /// `SOCKET_ERROR` with `WSA_IO_PENDING`: the operation is under way and
    /// its completion is indicated later.
    Pending,
    /// The operation completed at once. `error` 0 is a return of 0 with
    /// `*lpNumberOfBytesRecvd` / `*lpFlags` written (`bytes`, `flags`);
    /// `WSAEMSGSIZE` is `SOCKET_ERROR` for a datagram that did not fit. In
    /// both cases the operation ran, and its completion (with the buffers)
    /// is still indicated through the event, routine or port.
    Completed {
        /// 0, or `WSAEMSGSIZE`.
        error: i32,
        /// What `*lpNumberOfBytesRecvd` / `*lpNumberOfBytesSent` says.
        bytes: u32,
        /// What `*lpFlags` (or `WSAMSG.dwFlags`) says.
        flags: u32,
    },
    /// The socket is not overlapped, so `lpOverlapped` and
    /// `lpCompletionRoutine` were ignored and the call ran as a blocking one:
    /// nothing will follow, and here is everything it gave.
    Synchronous(Completion<E>),
}

impl<E> Posted<E> {
    /// Whether the call returned `WSA_IO_PENDING`.
    pub fn is_pending(&self) -> bool {
        matches!(self, Posted::Pending)
    }
}

/// Whether a call that reported `code` still ran: 0, or `WSAEMSGSIZE` (a
/// "warning" status: the datagram was received, truncated). Such a call
/// wrote its outputs, and an overlapped one still indicates its completion
/// (and counts as a success for `FILE_SKIP_COMPLETION_PORT_ON_SUCCESS`).
pub fn ran_despite(code: i32) -> bool {
    code == 0 || code == WSAEMSGSIZE
}

/// A completion routine (`LPWSAOVERLAPPED_COMPLETION_ROUTINE`): called once,
/// on the thread that issued the operation, while that thread is in an
/// alertable wait, with the operation's [`Completion`].
pub type CompletionRoutine<E = Event> = Box<dyn FnOnce(Completion<E>) + Send + 'static>;

/// One packet taken from a completion port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortPacket<E = Event> {
    /// `lpCompletionKey`: the key the socket was associated with, or the one
    /// given to `PostQueuedCompletionStatus`.
    pub key: usize,
    /// `lpNumberOfBytesTransferred`.
    pub bytes: u32,
    /// `lpOverlapped` (`None` for a posted packet without one).
    pub overlapped: Option<Overlapped<E>>,
    /// 0 when `GetQueuedCompletionStatus` returned `TRUE`; the failed
    /// operation's Winsock code (as `WSAGetOverlappedResult` gives it) when
    /// it returned `FALSE` with a packet.
    pub error: i32,
    /// What `GetLastError` says after `GetQueuedCompletionStatus`
    /// returned `FALSE` with this packet: the Win32 error of the
    /// operation's status (`ERROR_NETNAME_DELETED` for a reset connection,
    /// `ERROR_MORE_DATA` for a truncated datagram,
    /// `ERROR_PORT_UNREACHABLE`, `ERROR_OPERATION_ABORTED`,
    /// `ERROR_CONNECTION_ABORTED`); 0 when it returned `TRUE`.
    pub win32: u32,
    /// For an operation's packet: its completion, with the buffers. The
    /// flags, which Windows leaves in the `WSAOVERLAPPED` for
    /// `WSAGetOverlappedResult`, are in `Completion::flags`.
    pub completion: Option<Completion<E>>,
}

/// What `WSAIoctl` given an `OVERLAPPED` (and an `lpcbBytesReturned`) did
/// ([`crate::contract::WinsockOverlapped::wsa_ioctl_overlapped`]). The
/// completion is indicated as an overlapped operation's is: `Internal` and
/// `InternalHigh` of the `OVERLAPPED`, then its completion routine, or its
/// event and the socket's completion port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IoctlStarted {
    /// The ioctl completed at once with `bytes` of output: a return of 0,
    /// `Internal` `STATUS_SUCCESS`, `InternalHigh` the bytes.
    Done {
        /// The output's size.
        bytes: usize,
        /// Whether `*lpcbBytesReturned` gets `bytes` too (the WSAIoctl
        /// page: "the lpcbBytesReturned parameter is updated") or is left
        /// as it was (`WIN-IOCTL-OVERLAPPED`, without a completion
        /// routine).
        count_written: bool,
        /// The bytes the completion indicates (`InternalHigh`, the port
        /// packet's): `bytes`, or 0 for `FIONREAD` and `SIOCATMARK` on
        /// Windows (`WIN-IOCTL-OVERLAPPED`).
        indicated: usize,
    },
    /// `SOCKET_ERROR` with `WSA_IO_PENDING`; the operation completes with
    /// `error` (a Winsock code, 0 for success) and `bytes` of output
    /// (`WIN-IOCTL-OVERLAPPED`: an ioctl the provider does not support,
    /// with 0 bytes).
    Pending {
        /// The completion's error, or 0.
        error: i32,
        /// The completion's bytes.
        bytes: usize,
    },
    /// `SOCKET_ERROR` with `error` at once; no completion is indicated.
    Failed {
        /// The call's error.
        error: i32,
        /// Whether `Internal` says `STATUS_PENDING` afterwards (set before
        /// the ioctl looked at its arguments, `WIN-IOCTL-OVERLAPPED`) or is
        /// left as it was.
        internal_pending: bool,
    },
}

/// How a wait (`WSAWaitForMultipleEvents`, `SleepEx`) ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WaitResult {
    /// `WSA_WAIT_EVENT_0 + i`: event `i` (with wait-all: every event) is
    /// signalled.
    Event(usize),
    /// `WSA_WAIT_IO_COMPLETION`: completion routines ran.
    IoCompletion,
    /// `WSA_WAIT_TIMEOUT`: the time-out passed (for `SleepEx`: the interval
    /// elapsed, a return of 0).
    Timeout,
}
