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
    /// `WSADuplicateSocket`'s tokens not yet used by a `WSASocket`: each
    /// names the socket it shares (a token is good for one descriptor:
    /// "The special WSAPROTOCOL_INFO structure can only be used once by
    /// the target process", the `WSADuplicateSocketW` page).
    tokens: BTreeMap<u32, Meta>,
    /// The last token given (tokens count up from [`FIRST_TOKEN`]).
    last_token: u32,
    /// Descriptors made from a token so far (with model handles, their
    /// values: [`DUP_BASE`] + 4n).
    dups: u64,
}

/// The first `WSADuplicateSocket` token (`dwProviderReserved` of the
/// structure it fills; the DLL's own values, which only its `WSASocket`
/// reads).
const FIRST_TOKEN: u32 = 0x5d00_0001;

/// With model handles, where the values of shared descriptors begin: a
/// form the model never hands out (it gives `0x100 + 4k`, far below).
const DUP_BASE: u64 = 0x4000_0000;

/// What an unknown `SOCKET` becomes for the model: a value of a form the
/// model never hands out (not `0x100 + 4k`), so the model answers
/// `WSAENOTSOCK` after its own earlier checks (`WSANOTINITIALISED`).
pub(crate) const UNKNOWN: Socket = Socket(0x3);

impl Handles {
    pub(crate) fn new(mode: HandleMode) -> Handles {
        Handles {
            mode,
            by_user: BTreeMap::new(),
            tokens: BTreeMap::new(),
            last_token: FIRST_TOKEN - 1,
            dups: 0,
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

    /// A token for sharing `user`'s socket (`WSADuplicateSocket`).
    pub(crate) fn share(&mut self, user: usize) -> Option<u32> {
        let m = self.get(user)?;
        self.last_token = self.last_token.wrapping_add(1).max(FIRST_TOKEN);
        self.tokens.insert(self.last_token, m);
        Some(self.last_token)
    }

    /// A new descriptor for the socket `token` shares (`WSASocket` given
    /// `WSADuplicateSocket`'s structure); `None` for a token not given or
    /// already used. `Err` when the kernel has no handle left.
    pub(crate) fn take_token(&mut self, token: u32) -> Option<Result<(usize, Meta), ()>> {
        let m = self.tokens.remove(&token)?;
        let user = match self.mode {
            HandleMode::Model => {
                self.dups += 1;
                usize::try_from(DUP_BASE + 4 * self.dups).ok()
            }
            HandleMode::Kernel => crate::os::new_handle(),
        };
        Some(match user {
            Some(u) => {
                self.by_user.insert(u, m);
                Ok((u, m))
            }
            None => Err(()),
        })
    }

    /// Every descriptor that stands for `user`'s socket, `user` first
    /// (one file object on Windows: a completion port's association and
    /// the notification modes belong to it, not to one descriptor).
    pub(crate) fn descriptors(&self, user: usize) -> Vec<usize> {
        let Some(m) = self.get(user) else {
            return vec![];
        };
        std::iter::once(user)
            .chain(
                self.by_user
                    .iter()
                    .filter(|(u, o)| **u != user && o.model == m.model)
                    .map(|(u, _)| *u),
            )
            .collect()
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
            // it is, as a program's stale handle would reach Winsock;
            // unless the socket lives on under a shared descriptor.)
            (None, HandleMode::Model) => {
                let s = Socket(user as u64);
                if self.by_user.values().any(|m| m.model == s) {
                    UNKNOWN
                } else {
                    s
                }
            }
            (None, HandleMode::Kernel) => UNKNOWN,
        }
    }

    /// The program's first handle (in handle order) of the model's socket
    /// `s`: the `wParam` of a `WSAAsyncSelect` message.
    pub(crate) fn user_of(&self, s: Socket) -> Option<usize> {
        self.by_user
            .iter()
            .find(|(_, m)| m.model == s)
            .map(|(u, _)| *u)
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
        self.tokens.clear();
        let users: Vec<usize> = self.by_user.keys().copied().collect();
        for u in users {
            self.remove(u);
        }
    }
}
