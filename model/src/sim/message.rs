//! Message-oriented connection protocols: the simulated protocols of
//! [`IPPROTO_SIM_MSG`] and [`IPPROTO_SIM_MSG_PARTIAL`].
//!
//! No current Windows provider is message-oriented and connection-oriented
//! at once (the IPX/SPX and NetBIOS providers that were are gone), so the
//! branches of the `WSARecv` table that need one are reached through
//! simulated protocols with the properties the table names
//! (`socket.rs`, `service_flags`):
//!
//! | socket | `dwServiceFlags1` | a receive acts as |
//! |---|---|---|
//! | `SOCK_STREAM`, `IPPROTO_TCP` | no `XP1_MESSAGE_ORIENTED` | byte stream |
//! | `SOCK_STREAM`, `IPPROTO_SIM_MSG` | `XP1_MESSAGE_ORIENTED`, `XP1_PSEUDO_STREAM` | byte stream |
//! | `SOCK_SEQPACKET`, `IPPROTO_SIM_MSG` | `XP1_MESSAGE_ORIENTED` | message |
//! | `SOCK_SEQPACKET`, `IPPROTO_SIM_MSG_PARTIAL` | also `XP1_PARTIAL_MESSAGE` | message; byte stream with `MSG_PARTIAL` |
//!
//! The connection itself (handshake, window, close, reset) is the TCP
//! machinery of `stream.rs`. What differs: each send call is one message (a
//! [`Piece`]; with `MSG_PARTIAL`, on the partial protocol, the message goes
//! on in the next send), and the receiver keeps the boundaries.
//!
//! Rules carry the clause ids they implement; choices the documentation does
//! not make are marked `model choice:`.
//!
//! [`IPPROTO_SIM_MSG`]: crate::consts::IPPROTO_SIM_MSG
//! [`IPPROTO_SIM_MSG_PARTIAL`]: crate::consts::IPPROTO_SIM_MSG_PARTIAL

use super::call::RecvOut;
use super::net::HostId;
use super::socket::SocketState;
use super::tcp::{copy_out, Piece, StreamReads, Tcp};
use super::world::World;
use crate::contract::consts::*;
use crate::contract::types::WsaBuf;
use crate::contract::WsaError;

/// Whether a receive with `flags` acts as a byte stream on a message
/// socket: RECV-ACTS-AS-STREAM-PARTIAL, with `MSG_PARTIAL` on a protocol
/// that supports it; otherwise RECV-ACTS-AS-MESSAGE.
fn acts_as_stream(st: &SocketState, flags: u32) -> bool {
    flags & MSG_PARTIAL != 0 && st.xp1(XP1_PARTIAL_MESSAGE)
}

/// Whether a receive with `flags` on a `SOCK_SEQPACKET` socket has
/// something to return (the end and failures aside).
pub(crate) fn msg_ready(st: &SocketState, flags: u32) -> bool {
    let Some(front) = st.tcp().rcv_msgs.front() else {
        return false;
    };
    if acts_as_stream(st, flags) {
        // RECV-PARTIAL-INPUT: part of a message is enough.
        front.len > 0 || front.eom
    } else {
        // "For protocols acting as message-oriented, a full message is
        // required to unblock the caller."
        front.eom
    }
}

/// A piece of `n` bytes arrives: it continues the last message if that
/// one has not ended, or starts a new one.
pub(crate) fn piece_arrives(t: &mut Tcp, n: usize, eom: bool) {
    match t.rcv_msgs.back_mut() {
        Some(last) if !last.eom => {
            last.len += n;
            last.eom = eom;
        }
        _ => t.rcv_msgs.push_back(Piece { len: n, eom }),
    }
}

impl World {
    /// Fills a receive on a `SOCK_SEQPACKET` socket that can complete: a
    /// whole message, a part of one, or the end.
    pub(crate) fn message_fill(
        &mut self,
        host: HostId,
        s: u64,
        bufs: &mut [WsaBuf],
        flags: u32,
        out: &mut RecvOut,
    ) -> Result<(), WsaError> {
        let peek = flags & MSG_PEEK != 0;
        let room: usize = bufs.iter().map(|b| b.len as usize).sum();
        let st = &self.sockets[&s];
        let Some(&front) = st.tcp().rcv_msgs.front() else {
            // RECV-EDISCON, RECV-GRACEFUL-MESSAGE: the peer closed
            // gracefully and every message has been read.
            debug_assert!(
                st.tcp().fin_rcvd,
                "a receive completes on a message or the end"
            );
            self.log(host, "recv", || format!("socket {s:#x} disconnected"));
            return Err(WsaError::Code(WSAEDISCON));
        };
        let as_stream = acts_as_stream(st, flags);
        let (k, partial) = if as_stream {
            // RECV-ACTS-AS-STREAM-PARTIAL: what has arrived of the message
            // and fits, or (by seed) less, at least one byte; never past
            // the message's end, so MSG_PARTIAL can tell where it is.
            let mut k = front.len.min(room);
            if k > 1 && self.cfg.stream_reads == StreamReads::Seeded && self.rng.coin() {
                k = 1 + self.rng.below(k as u64) as usize;
            }
            (k, k < front.len || !front.eom)
        } else if front.len <= room {
            // RECV-ACTS-AS-MESSAGE: the whole message; a zero-byte message
            // is an ordinary message (RECV-GRACEFUL-MESSAGE).
            (front.len, false)
        } else if st.xp1(XP1_PARTIAL_MESSAGE) {
            // RECV-TRUNC-PARTIAL: the first part, MSG_PARTIAL, and the rest
            // for the next receives.
            (room, true)
        } else {
            // RECV-TRUNC-RELIABLE, RECV-EMSGSIZE, RECV-TRUNC-FIRST-PART: the
            // buffers hold the first part, the call fails with WSAEMSGSIZE,
            // and the whole message stays for a receive with a larger buffer.
            copy_out(&st.tcp().rcvq, bufs, room);
            *out = RecvOut::filled(room as u32, 0);
            let len = front.len;
            self.log(host, "recv", || {
                format!("socket {s:#x} message of {len} bytes kept: buffers hold {room}")
            });
            return Err(WsaError::Code(WSAEMSGSIZE));
        };
        let st = self.sockets.get_mut(&s).expect("checked");
        copy_out(&st.tcp().rcvq, bufs, k);
        if !peek {
            st.tcp_mut().rcvq.drain_front(k);
            let m = st.tcp_mut().rcv_msgs.front_mut().expect("checked");
            m.len -= k;
            if m.len == 0 && m.eom {
                st.tcp_mut().rcv_msgs.pop_front();
            }
            // (An unfinished message read to its last byte so far stays as
            // an empty piece that the rest extends.)
        }
        // RECV-PARTIAL-OUTPUT, RECV-PARTIAL-FLAG-SET: MSG_PARTIAL when the
        // data is not the end of the sender's message; clear when it is.
        *out = RecvOut::filled(k as u32, if partial { MSG_PARTIAL } else { 0 });
        let peer = st.tcp().peer_sock;
        self.log(host, "recv", || {
            format!(
                "socket {s:#x} len={k}{}{}",
                if partial { " (partial)" } else { "" },
                if peek { " (peek)" } else { "" }
            )
        });
        if !peek && k > 0 {
            if let Some(p) = peer {
                // The window opened.
                self.pump(p, false);
            }
        }
        Ok(())
    }
}
