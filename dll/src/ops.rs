//! The program's outstanding overlapped operations, as plain data: the
//! registry ([`Ovls`]) the process-wide model keeps (`calls.rs`), each
//! operation's record ([`Op`]) and where its results go ([`Out`]), and the
//! record of a pending `AcceptEx` ([`Accept`]). Posting and delivery
//! (`ovl.rs`), `AcceptEx` (`accept.rs`) and the waits (`settle.rs`, `iocp.rs`)
//! read and write it; it imports none of them.

use crate::os;
use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use windows_sys::Win32::System::IO::OVERLAPPED;
use winsock_model::contract::Completion;
use winsock_model::Socket;

/// A completion routine (`LPWSAOVERLAPPED_COMPLETION_ROUTINE`, not
/// `NULL`).
pub(crate) type Routine = unsafe extern "system" fn(u32, u32, *mut OVERLAPPED, u32);

/// Where a completion's results go besides the `OVERLAPPED`.
#[derive(Debug, Clone)]
pub(crate) enum Out {
    /// A send: nothing.
    Send,
    /// `WSARecv`, `WSARecvFrom`: the buffers (captured at the call), and
    /// `lpFrom`/`lpFromlen`.
    Recv {
        bufs: Vec<(usize, u32)>,
        from: Option<(usize, usize)>,
    },
    /// `WSARecvMsg`: the buffers (captured at the call) and the `WSAMSG`
    /// (its name, control buffer and flags are written at completion).
    RecvMsg { bufs: Vec<(usize, u32)>, msg: usize },
}

/// An outstanding operation of the program's.
#[derive(Debug)]
pub(crate) struct Op {
    /// The program's `OVERLAPPED`.
    pub(crate) addr: usize,
    /// The `SOCKET` (its handle is set when `hEvent` is `NULL`).
    pub(crate) socket: usize,
    pub(crate) out: Out,
    /// `hEvent` (its low bit cleared), or 0.
    pub(crate) event: usize,
    pub(crate) routine: Option<Routine>,
    /// With a routine: a handle to the issuing thread, for the APC.
    pub(crate) thread: usize,
    /// The issuing thread's id.
    pub(crate) thread_id: u32,
    /// Whether the call completed at once (`FILE_SKIP_COMPLETION_PORT_ON_SUCCESS`
    /// keeps such a success off the port).
    pub(crate) immediate: bool,
    /// Whether `hEvent`'s low bit was set: no completion-port packet.
    pub(crate) no_port: bool,
    /// An `AcceptEx` (the DLL's own operation, which the model does not
    /// know: `accept.rs`).
    pub(crate) accept: Option<Box<Accept>>,
    /// An AFD request made through `NtDeviceIoControlFile`
    /// (`afd_recv.rs`): `addr` is its `IO_STATUS_BLOCK`, not an
    /// `OVERLAPPED`.
    pub(crate) nt: Option<Nt>,
}

/// What an AFD request made through `NtDeviceIoControlFile` completes to
/// besides its `IO_STATUS_BLOCK` and event: its APC routine and context
/// (the context is also the "overlapped" value of its completion-port
/// packet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Nt {
    /// The `PIO_APC_ROUTINE`, or 0.
    pub(crate) apc: usize,
    pub(crate) apc_context: usize,
}

impl Op {
    /// Whether its completion is a user APC to the issuing thread (a
    /// completion routine, or an AFD request's APC routine).
    pub(crate) fn has_apc(&self) -> bool {
        self.routine.is_some() || self.nt.is_some_and(|n| n.apc != 0)
    }
}

/// A socket's completion port, as the program associated it (kernel32's
/// `CreateIoCompletionPort`, seen through `iocp.rs`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Assoc {
    pub(crate) port: usize,
    pub(crate) key: usize,
}

/// The outstanding operations, by the id the model knows them by.
#[derive(Debug, Default)]
pub(crate) struct Ovls {
    pub(crate) by_id: BTreeMap<u64, Op>,
    /// Ids of outstanding operations by `OVERLAPPED` address.
    pub(crate) ids: BTreeMap<usize, u64>,
    /// Ids free for reuse (the smallest first: the model's record of an
    /// `OVERLAPPED` is rewritten in place, so the model keeps as many as
    /// were ever outstanding at once).
    pub(crate) free: BTreeSet<u64>,
    next: u64,
    /// Completion ports, by `SOCKET`.
    pub(crate) assoc: BTreeMap<usize, Assoc>,
    /// `SetFileCompletionNotificationModes`, by `SOCKET`.
    pub(crate) modes: BTreeMap<usize, u8>,
    /// Completions another thread took from the model before the call
    /// that posted their operation registered it (the model completed it
    /// at once, and that thread's `settle::settle` came in between): delivered
    /// when the operation registers (`ovl::posted`).
    pub(crate) early: BTreeMap<u64, Completion>,
}

impl Ovls {
    /// Whether no operation is outstanding.
    pub(crate) fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// The id for the `OVERLAPPED` at `addr`: the outstanding operation's
    /// (the model then reports the reuse), else a free one.
    pub(crate) fn id_for(&mut self, addr: usize) -> u64 {
        if let Some(&id) = self.ids.get(&addr) {
            return id;
        }
        if let Some(id) = self.free.pop_first() {
            return id;
        }
        self.next += 1;
        self.next
    }

    /// The id of the outstanding operation using the `OVERLAPPED` at
    /// `addr`.
    pub(crate) fn pending(&self, addr: usize) -> Option<u64> {
        self.ids.get(&addr).copied()
    }

    /// The outstanding operations a wait on `handles` waits for: those
    /// whose event is among them (the socket's handle for one without an
    /// event), and (alertable) those with a completion routine issued by
    /// the calling thread.
    pub(crate) fn waited(&self, handles: &[usize], alertable: bool) -> Vec<u64> {
        let me = os::thread_id();
        self.by_id
            .iter()
            .filter(|(_, op)| {
                let event = if op.event != 0 { op.event } else { op.socket };
                op.accept.is_none() && (op.routine.is_none() && handles.contains(&event))
                    || (alertable && op.has_apc() && op.thread_id == me)
            })
            .map(|(&id, _)| id)
            .collect()
    }

    /// The outstanding operations whose completion goes to `port`.
    #[cfg_attr(not(windows), allow(dead_code))]
    pub(crate) fn on_port(&self, port: usize) -> Vec<u64> {
        self.by_id
            .iter()
            .filter(|(_, op)| {
                op.accept.is_none()
                    && !op.no_port
                    && op.nt.is_none_or(|n| n.apc_context != 0)
                    && self.assoc.get(&op.socket).is_some_and(|a| a.port == port)
            })
            .map(|(&id, _)| id)
            .collect()
    }

    /// Whether a socket of the DLL's is associated with `port`.
    #[cfg(windows)]
    pub(crate) fn has_port(&self, port: usize) -> bool {
        self.assoc.values().any(|a| a.port == port)
    }

    /// Forgets what a closed socket's handle had (a new socket may get
    /// the same value).
    pub(crate) fn forget_socket(&mut self, s: usize) {
        self.assoc.remove(&s);
        self.modes.remove(&s);
    }

    /// Gives descriptor `all[0]`, new, the completion port and the
    /// notification modes of the others in `all` (descriptors of one
    /// socket), where one of them has them.
    pub(crate) fn share_file(&mut self, all: &[usize]) {
        let Some((&new, others)) = all.split_first() else {
            return;
        };
        if let Some(a) = others.iter().find_map(|u| self.assoc.get(u).copied()) {
            self.assoc.insert(new, a);
        }
        if let Some(m) = others.iter().find_map(|u| self.modes.get(u).copied()) {
            self.modes.insert(new, m);
        }
    }

    /// Gives the operations issued through descriptor `from` (and the
    /// pending `AcceptEx`es naming it) to descriptor `to`, another of the
    /// same socket: `from` is closed, and the socket stays open under
    /// `to`, so they go on and complete as before.
    pub(crate) fn retarget(&mut self, from: usize, to: usize) {
        for op in self.by_id.values_mut() {
            if op.socket == from {
                op.socket = to;
            }
            if let Some(a) = op.accept.as_mut() {
                for s in [&mut a.listen, &mut a.accept] {
                    if *s == from {
                        *s = to;
                    }
                }
            }
        }
    }

    /// The outstanding `AcceptEx`es, by id.
    pub(crate) fn accepts(&self) -> Vec<(u64, Accept)> {
        self.by_id
            .iter()
            .filter_map(|(&id, op)| op.accept.as_ref().map(|a| (id, (**a).clone())))
            .collect()
    }

    /// Updates an outstanding `AcceptEx`.
    pub(crate) fn set_accept(&mut self, id: u64, a: Accept) {
        if let Some(op) = self.by_id.get_mut(&id) {
            op.accept = Some(Box::new(a));
        }
    }

    pub(crate) fn take(&mut self, id: u64) -> Option<Op> {
        let op = self.by_id.remove(&id)?;
        if self.ids.get(&op.addr) == Some(&id) {
            self.ids.remove(&op.addr);
        }
        self.free.insert(id);
        Some(op)
    }
}

/// A pending `AcceptEx`.
#[derive(Debug, Clone)]
pub(crate) struct Accept {
    /// The listening `SOCKET` and the accepting one.
    pub(crate) listen: usize,
    pub(crate) accept: usize,
    /// The output buffer and its three parts' lengths.
    pub(crate) buf: usize,
    pub(crate) recv_len: u32,
    pub(crate) local_len: u32,
    pub(crate) remote_len: u32,
    /// The connection taken, while it waits for its first data.
    pub(crate) got: Option<(Socket, SocketAddr)>,
}
