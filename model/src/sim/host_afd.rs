//! What a front end that answers AFD requests itself (the DLL's
//! `IOCTL_AFD_RECV`) reads of a socket before the request starts, as
//! Windows' AFD driver reads it: whether the socket is connection-oriented
//! and connected, and whether it is in non-blocking mode. Untraced, no
//! scheduling point: the request that follows is the model's call (an
//! overlapped receive, or a direct one), traced as such.
//!
//! Sources: Wine's `dlls/ws2_32/tests/afd.c` `test_recv` (Debian's wine
//! 8.0~repack-4), which the Wine project runs on Windows: an
//! `IOCTL_AFD_RECV` on a listening socket is `STATUS_INVALID_CONNECTION`
//! before its arguments are looked at (afd.c:1445-1449, no parameters at
//! all); on a non-blocking socket it fails at once with
//! `STATUS_DEVICE_NOT_READY` when nothing is there, unless it asks
//! `AFD_RECV_FORCE_ASYNC` (afd.c:1527-1577).

use super::host::SimHost;
use super::socket::Transport;
use super::tcp::TcpState;
use crate::contract::types::Socket;

/// A socket's state as an AFD receive reads it before it starts
/// ([`SimHost::afd_socket_now`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AfdSocketState {
    /// A connection-oriented socket (`SOCK_STREAM`, `SOCK_SEQPACKET`).
    pub connection_oriented: bool,
    /// A connection-oriented socket that is connected (also after either
    /// side closed or reset the connection); `false` for a datagram
    /// socket.
    pub connected: bool,
    /// `FIONBIO` is on (or `WSAEventSelect`/`WSAAsyncSelect` turned it on).
    pub nonblocking: bool,
}

impl SimHost {
    /// The state of socket `s` of this host that an AFD receive reads
    /// before it starts; `None` for no such socket.
    ///
    /// ```
    /// use winsock_double::*;
    /// let sim = Sim::new(1);
    /// let h = sim.add_host("h", &[]).unwrap();
    /// h.wsa_startup(WINSOCK_VERSION_2_2).unwrap();
    /// let l = h.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP).unwrap();
    /// h.bind(l, &"127.0.0.1:0".parse().unwrap()).unwrap();
    /// h.listen(l, 1).unwrap();
    /// let st = h.afd_socket_now(l).unwrap();
    /// assert!(st.connection_oriented && !st.connected && !st.nonblocking);
    /// let c = h.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP).unwrap();
    /// h.connect(c, &h.getsockname(l).unwrap()).unwrap();
    /// h.set_nonblocking(c, true).unwrap();
    /// let st = h.afd_socket_now(c).unwrap();
    /// assert!(st.connected && st.nonblocking);
    /// ```
    pub fn afd_socket_now(&self, s: Socket) -> Option<AfdSocketState> {
        let w = self.world.lock();
        let id = w.handles.id(s.0);
        let st = w.sock(self.host, id).ok()?;
        let (connection_oriented, connected) = match &st.transport {
            Transport::Stream(t) => (true, t.state == TcpState::Established),
            Transport::Dgram(_) => (false, false),
        };
        Some(AfdSocketState {
            connection_oriented,
            connected,
            nonblocking: st.nonblocking,
        })
    }
}
