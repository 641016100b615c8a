//! The `SOCKET` values the program sees and the model's sockets behind
//! them.
//!
//! With [`HandleMode::Kernel`] each socket gets a fresh kernel handle (an
//! event object, see `os::new_handle`): a multiple of 4, never 0 or
//! `INVALID_SOCKET`, and a real object for kernel32 calls made on it. With
//! [`HandleMode::Model`] the model's handle is the `SOCKET` itself (the
//! model hands out `0x100 + 4k`, also multiples of 4).
//!
//! The trace shows the model's handles, so it does not depend on which
//! kernel handle values the process is given.

use crate::config::HandleMode;
use std::collections::BTreeMap;
use winsock_model::Socket;

/// What the DLL remembers of a socket: what it was created as (the
/// pointer checks it makes before the model sees a call need the family).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Meta {
    pub(crate) model: Socket,
    pub(crate) af: i32,
}

/// The handle table.
#[derive(Debug)]
pub(crate) struct Handles {
    mode: HandleMode,
    by_user: BTreeMap<usize, Meta>,
}

/// What an unknown `SOCKET` becomes for the model: a value of a form the
/// model never hands out (not `0x100 + 4k`), so the model answers
/// `WSAENOTSOCK` after its own earlier checks (`WSANOTINITIALISED`).
pub(crate) const UNKNOWN: Socket = Socket(0x3);

impl Handles {
    pub(crate) fn new(mode: HandleMode) -> Handles {
        Handles {
            mode,
            by_user: BTreeMap::new(),
        }
    }

    /// Gives the model's new socket `s` a `SOCKET`; `None` when the
    /// kernel has no handle left.
    pub(crate) fn insert(&mut self, s: Socket, af: i32) -> Option<usize> {
        let user = match self.mode {
            HandleMode::Model => usize::try_from(s.0).ok()?,
            HandleMode::Kernel => crate::os::new_handle()?,
        };
        self.by_user.insert(user, Meta { model: s, af });
        Some(user)
    }

    /// The model's socket for `user`.
    pub(crate) fn get(&self, user: usize) -> Option<Meta> {
        self.by_user.get(&user).copied()
    }

    /// The model's socket for `user`, or [`UNKNOWN`].
    pub(crate) fn model(&self, user: usize) -> Socket {
        match (self.get(user), self.mode) {
            (Some(m), _) => m.model,
            // (Model handles: a closed socket's value goes to the model as
            // it is, as a program's stale handle would reach Winsock.)
            (None, HandleMode::Model) => Socket(user as u64),
            (None, HandleMode::Kernel) => UNKNOWN,
        }
    }

    /// Makes `user` stand for the model's socket `s` (an `AcceptEx`'s
    /// accepting socket becomes the accepted connection); gives the model
    /// socket it stood for.
    pub(crate) fn rebind(&mut self, user: usize, s: Socket) -> Option<Socket> {
        let m = self.by_user.get_mut(&user)?;
        Some(std::mem::replace(&mut m.model, s))
    }

    /// Forgets `user` (its socket was closed) and frees its kernel handle.
    pub(crate) fn remove(&mut self, user: usize) {
        if self.by_user.remove(&user).is_some() && self.mode == HandleMode::Kernel {
            crate::os::close_handle(user);
        }
    }

    /// Forgets every socket (the last `WSACleanup` closed them all).
    pub(crate) fn clear(&mut self) {
        let users: Vec<usize> = self.by_user.keys().copied().collect();
        for u in users {
            self.remove(u);
        }
    }
}
