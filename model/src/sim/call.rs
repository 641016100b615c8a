//! The arguments and results of a data call as the model's rooms pass
//! them: which call runs, its buffers, name and control, what a receive
//! reports, how the call is made, and the plan of a send that passed its
//! checks. Plain data: this module imports no room of the model.

use super::net::HostId;
use crate::contract::types::{NameBuf, WsaBuf};
pub(crate) use crate::contract::{RecvCall, SendCall};
use std::net::{IpAddr, SocketAddr};

/// The arguments of a receive.
pub(crate) struct RecvArgs<'a> {
    pub(crate) call: RecvCall,
    pub(crate) bufs: &'a mut [WsaBuf],
    pub(crate) flags_in: u32,
    /// `lpFrom` / `WSAMSG.name`.
    pub(crate) name: Option<&'a mut NameBuf>,
    /// `WSAMSG.Control`.
    pub(crate) control: Option<&'a mut WsaBuf>,
    /// Whether `lpNumberOfBytesRecvd` is non-`NULL`.
    pub(crate) bytes_ptr: bool,
}

/// What a receive reports besides its status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct RecvOut {
    pub(crate) bytes: u32,
    pub(crate) flags: u32,
    /// Whether a datagram was copied (the outputs are meaningful).
    pub(crate) copied: bool,
    /// Whether the byte count is written (Wine 8.0 leaves it alone when the
    /// call fails with WSAEMSGSIZE).
    pub(crate) count_written: bool,
}

impl RecvOut {
    /// A receive that copied `bytes` (perhaps none: the end of a stream)
    /// and reports `flags`, with its count written.
    pub(crate) fn filled(bytes: u32, flags: u32) -> RecvOut {
        RecvOut {
            bytes,
            flags,
            copied: true,
            count_written: true,
        }
    }
}

/// The arguments of a send.
pub(crate) struct SendArgs<'a> {
    pub(crate) call: SendCall,
    pub(crate) bufs: &'a [WsaBuf],
    pub(crate) flags: u32,
    /// `lpTo` / `WSAMSG.name`.
    pub(crate) to: Option<&'a NameBuf>,
    /// `WSAMSG.Control`.
    pub(crate) control: Option<&'a WsaBuf>,
    /// Whether `lpNumberOfBytesSent` is non-`NULL`.
    pub(crate) bytes_ptr: bool,
}

/// How a call is made: blocking (or non-blocking) as `recv`/`send` are, or
/// overlapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `lpOverlapped` and `lpCompletionRoutine` both `NULL`, or a socket
    /// without `WSA_FLAG_OVERLAPPED`.
    Direct,
    /// An overlapped operation.
    Overlapped,
}

/// A send that passed its checks: where it goes and how much it is.
#[derive(Debug)]
pub(crate) struct SendPlan {
    pub(crate) dst: SocketAddr,
    /// The datagram's route; `None` for a send on a stream socket, whose
    /// bytes go to its connection.
    pub(crate) route: Option<RouteInfo>,
    pub(crate) len: usize,
    /// The TOS / traffic class byte its datagrams carry (`WIN-ECN` puts a
    /// codepoint in the low bits).
    pub(crate) tos: u8,
    /// The size its bytes are cut into (`WIN-USO`); 0 for one datagram.
    pub(crate) segment: usize,
}

/// A short list that keeps its first item inline: a route has one target
/// and a unicast datagram one receiving socket almost always, and then the
/// datagram's path allocates nothing for them. Items keep the order they
/// were pushed in.
#[derive(Debug, Clone)]
pub(crate) struct Few<T> {
    /// The first item (`None` only while the list is empty).
    first: Option<T>,
    /// The items after the first.
    rest: Vec<T>,
}

impl<T> Default for Few<T> {
    fn default() -> Few<T> {
        Few {
            first: None,
            rest: Vec::new(),
        }
    }
}

impl<T> Few<T> {
    /// The list of one item.
    #[inline]
    pub(crate) fn one(t: T) -> Few<T> {
        Few {
            first: Some(t),
            rest: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, t: T) {
        if self.first.is_none() {
            self.first = Some(t);
        } else {
            self.rest.push(t);
        }
    }

    pub(crate) fn len(&self) -> usize {
        usize::from(self.first.is_some()) + self.rest.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.first.is_none()
    }

    pub(crate) fn first(&self) -> Option<&T> {
        self.first.as_ref()
    }

    pub(crate) fn clear(&mut self) {
        self.first = None;
        self.rest.clear();
    }

    /// The items in order, each with whether it is the last (which may
    /// then take what the others get copies of).
    pub(crate) fn into_marked(self) -> Marked<T> {
        Marked {
            first: self.first,
            rest: self.rest.into_iter(),
        }
    }

    /// The first item and the rest.
    #[inline]
    pub(crate) fn parts(&self) -> (Option<&T>, &[T]) {
        (self.first.as_ref(), &self.rest)
    }

    /// The `k`th item (`k < len`), taken out of the list.
    pub(crate) fn take(self, k: usize) -> T {
        let mut it = self.into_iter();
        it.nth(k).expect("an index within the list")
    }
}

/// The iterator of [`Few::into_marked`].
pub(crate) struct Marked<T> {
    first: Option<T>,
    rest: std::vec::IntoIter<T>,
}

impl<T> Iterator for Marked<T> {
    type Item = (T, bool);

    fn next(&mut self) -> Option<(T, bool)> {
        let t = match self.first.take() {
            Some(t) => t,
            None => self.rest.next()?,
        };
        Some((t, self.rest.len() == 0))
    }
}

impl<T> IntoIterator for Few<T> {
    type Item = T;
    type IntoIter = std::iter::Chain<std::option::IntoIter<T>, std::vec::IntoIter<T>>;

    fn into_iter(self) -> Self::IntoIter {
        self.first.into_iter().chain(self.rest)
    }
}

impl<T> FromIterator<T> for Few<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Few<T> {
        let mut f = Few::default();
        for t in iter {
            f.push(t);
        }
        f
    }
}

/// Where a datagram goes.
#[derive(Debug, Clone)]
pub(crate) struct RouteInfo {
    pub(crate) src_ip: IpAddr,
    /// Receiving hosts with their interface index.
    pub(crate) targets: Few<(HostId, u32)>,
    pub(crate) hops: u8,
    pub(crate) bcast: bool,
    pub(crate) mcast: bool,
    pub(crate) local: bool,
}
