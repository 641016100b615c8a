//! The state of a TCP connection as the model keeps it (`Tcp`, in each
//! stream socket), its segments as events, and the byte-queue helpers the
//! stream and message rooms share. Plain data: this module imports no room
//! of the model.

use super::net::HostId;
use crate::contract::types::WsaBuf;
use std::collections::VecDeque;
use std::net::SocketAddr;

/// How a receive on a byte stream decides how many of the buffered bytes it
/// returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StreamReads {
    /// As much as is buffered and fits, or (by seed) fewer bytes, at least
    /// one: "there is no guarantee that more than a single byte will be
    /// returned" (`RECV-STREAM-ONE-BYTE-UNBLOCKS`). The default, so code
    /// under test meets short reads.
    #[default]
    Seeded,
    /// Always as much as is buffered and fits.
    Whole,
}

/// Where a stream socket is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum TcpState {
    /// Not connected (new, or after a connection attempt failed).
    #[default]
    Closed,
    /// `listen` was called.
    Listening,
    /// `connect` sent its SYN; the answer has not arrived.
    Connecting,
    /// A connection a listener received: its SYN-ACK is on the way and the
    /// final ACK has not arrived; `accept` cannot return it yet.
    SynReceived {
        /// The listening socket.
        listener: u64,
    },
    /// Connected (also after either side closed or reset it).
    Established,
}

/// The connection state of a stream socket.
#[derive(Debug, Default)]
pub(crate) struct Tcp {
    pub(crate) state: TcpState,
    /// The socket at the other end.
    pub(crate) peer_sock: Option<u64>,
    /// Received bytes not yet read.
    pub(crate) rcvq: ByteQueue,
    /// Bytes on their way to this socket (they count against its window).
    pub(crate) incoming: usize,
    /// Bytes the application handed over that are not on the wire yet.
    pub(crate) sndq: ByteQueue,
    /// A FIN is to follow the data in `sndq` (shutdown `SD_SEND` or close).
    pub(crate) fin_queued: bool,
    pub(crate) fin_sent: bool,
    /// The peer's FIN arrived: after the bytes in `rcvq`, the end.
    pub(crate) fin_rcvd: bool,
    /// The connection broke: the code every later call gets.
    pub(crate) broken: Option<i32>,
    /// The code calls that were waiting when it broke get, if it differs
    /// (a keep-alive failure: `WSAENETRESET`, then `WSAECONNRESET`).
    pub(crate) broken_in_progress: Option<i32>,
    /// `SO_ERROR`: the outcome of a non-blocking connect that failed.
    pub(crate) so_error: i32,
    /// Which connection attempt a time-out belongs to.
    pub(crate) attempt: u32,
    /// The SYN of the attempt (source, destination, receiving host) and how
    /// many times it was sent again after a reset.
    pub(crate) syn: Option<(SocketAddr, SocketAddr, Option<HostId>)>,
    pub(crate) syn_retries: u32,
    /// The pending time-out event of the attempt.
    pub(crate) connect_timer: Option<(u64, u64)>,
    /// Listening: the backlog granted.
    pub(crate) backlog: usize,
    /// Listening: connections in `SynReceived` for this socket.
    pub(crate) half_open: usize,
    /// Listening: established connections `accept` has not returned.
    pub(crate) accept_q: VecDeque<u64>,
    /// The buffer room of a blocking `MSG_WAITALL` receive that waits: it
    /// widens the window so that a request larger than `SO_RCVBUF` can fill.
    pub(crate) waitall_room: usize,
    /// Message protocols: the send calls' pieces in `sndq`, in order.
    pub(crate) snd_msgs: VecDeque<Piece>,
    /// Message protocols: the last piece sent did not end its message.
    pub(crate) snd_open_msg: bool,
    /// Message protocols: bytes of the message the application has begun
    /// with `MSG_PARTIAL` and not ended.
    pub(crate) snd_open_len: usize,
    /// `SOCK_SEQPACKET`: the messages (or their first parts) in `rcvq`.
    pub(crate) rcv_msgs: VecDeque<Piece>,
    /// Urgent data to send: for each urgent byte, the offset in `sndq`
    /// just past it.
    pub(crate) snd_urg: VecDeque<usize>,
    /// Urgent bytes held apart from the stream (`SO_OOBINLINE` off), in
    /// arrival order.
    pub(crate) oob: VecDeque<u8>,
    /// Faults: the pending retransmission time-out and keep-alive check
    /// (event keys).
    pub(crate) retx_timer: Option<(u64, u64)>,
    pub(crate) keepalive_timer: Option<(u64, u64)>,
    /// `SIO_KEEPALIVE_VALS`: this connection's keep-alive time and probe
    /// interval (ns), instead of the system's.
    pub(crate) keepalive_vals: Option<(u64, u64)>,
    /// When the connection was established (virtual ns): `SO_CONNECT_TIME`.
    pub(crate) established_at: Option<u64>,
}

impl Tcp {
    /// Whether anything received is still unread (bytes, or a zero-byte
    /// message; not the empty remainder of a message read so far).
    pub(crate) fn unread(&self) -> bool {
        !self.rcvq.is_empty() || self.rcv_msgs.iter().any(|m| m.eom) || !self.oob.is_empty()
    }

    /// Whether anything is still to go out: bytes, a zero-byte message, a
    /// FIN.
    pub(crate) fn output_pending(&self) -> bool {
        !self.sndq.is_empty() || !self.snd_msgs.is_empty() || (self.fin_queued && !self.fin_sent)
    }
}

/// What one send call of a message protocol put in the send buffer, or
/// what of a message sits in a receive buffer: `len` bytes, and whether
/// they end the message (`MSG_PARTIAL` clear on the send).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Piece {
    pub(crate) len: usize,
    pub(crate) eom: bool,
}

/// Something on its way from one end of a connection to the other.
#[derive(Debug, Clone)]
pub(crate) enum Seg {
    /// A connection request reaches `host`.
    Syn {
        host: HostId,
        from: u64,
        src: SocketAddr,
        dst: SocketAddr,
    },
    /// The listener's host accepted the request: `child` is the new socket.
    SynAck { to: u64, child: u64 },
    /// The connecting side's ACK: `to` can be accepted.
    Ack { to: u64 },
    /// Bytes: on a message protocol one send's piece (`msg`: whether it
    /// ends its message); `urg`: the indexes of urgent bytes in `data`.
    Data {
        to: u64,
        from: u64,
        data: Vec<u8>,
        msg: Option<bool>,
        urg: Vec<usize>,
    },
    /// The end of the sender's bytes.
    Fin { to: u64 },
    /// A reset.
    Rst { to: u64 },
    /// A connection attempt got no answer.
    ConnectTimeout { to: u64, attempt: u32 },
    /// Time to send a refused SYN again.
    Resyn { to: u64, attempt: u32 },
    /// Data (or a FIN) could not reach the peer for the whole
    /// retransmission time-out.
    RetxTimeout { to: u64 },
    /// Keep-alive probes of an idle connection went unanswered.
    KeepaliveCheck { to: u64 },
}

/// A queue of bytes kept as the chunks they came in: a send's bytes, once
/// gathered from the caller's buffers, go to the send buffer, onto the
/// wire and into the receiver's buffer without being copied again (a
/// chunk is split only where a segment or a read ends inside it). The
/// one other copy is into the receiving call's buffers.
#[derive(Debug, Default)]
pub(crate) struct ByteQueue {
    chunks: VecDeque<Vec<u8>>,
    /// Bytes of the front chunk already taken.
    head: usize,
    len: usize,
}

impl ByteQueue {
    /// How many bytes are queued.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends `data`, keeping its memory as a chunk.
    pub(crate) fn push(&mut self, data: Vec<u8>) {
        if data.is_empty() {
            return;
        }
        self.len += data.len();
        self.chunks.push_back(data);
    }

    /// Appends one byte.
    pub(crate) fn push_back(&mut self, b: u8) {
        match self.chunks.back_mut() {
            Some(c) => c.push(b),
            None => self.chunks.push_back(vec![b]),
        }
        self.len += 1;
    }

    pub(crate) fn clear(&mut self) {
        self.chunks.clear();
        self.head = 0;
        self.len = 0;
    }

    /// Drops the first `n` bytes (at most all of them).
    pub(crate) fn drain_front(&mut self, n: usize) {
        self.drain_front_keep(n);
    }

    /// [`ByteQueue::drain_front`], giving back the memory of the last
    /// chunk the bytes used up (for a later send to gather into).
    pub(crate) fn drain_front_keep(&mut self, mut n: usize) -> Option<Vec<u8>> {
        n = n.min(self.len);
        self.len -= n;
        let mut used_up = None;
        while n > 0 {
            let front = self.chunks.front().expect("bytes are queued").len() - self.head;
            if n < front {
                self.head += n;
                break;
            }
            n -= front;
            used_up = self.chunks.pop_front();
            self.head = 0;
        }
        used_up
    }

    /// The front chunk itself when it is exactly the first `n` queued
    /// bytes, none of them taken yet (`n > 0`): a receive whose buffer is
    /// exactly that size takes the memory instead of a copy of it.
    pub(crate) fn take_front_chunk(&mut self, n: usize) -> Option<Vec<u8>> {
        if n == 0 || self.head != 0 || self.chunks.front().is_none_or(|c| c.len() != n) {
            return None;
        }
        self.len -= n;
        self.chunks.pop_front()
    }

    /// Takes the first `n` bytes (at most all of them): the front chunk
    /// itself when it is exactly those bytes.
    pub(crate) fn take_front(&mut self, n: usize) -> Vec<u8> {
        let n = n.min(self.len);
        if self.head == 0 && self.chunks.front().is_some_and(|c| c.len() == n) {
            self.len -= n;
            return self.chunks.pop_front().expect("checked");
        }
        let mut v = vec![0; n];
        self.copy_to(0, &mut v);
        self.drain_front(n);
        v
    }

    /// Copies the queued bytes `from..from + dst.len()` into `dst`.
    pub(crate) fn copy_to(&self, from: usize, dst: &mut [u8]) {
        assert!(from + dst.len() <= self.len, "within the queued bytes");
        let mut skip = from + self.head;
        let mut at = 0;
        for c in &self.chunks {
            if at == dst.len() {
                break;
            }
            if skip >= c.len() {
                skip -= c.len();
                continue;
            }
            let take = (c.len() - skip).min(dst.len() - at);
            dst[at..at + take].copy_from_slice(&c[skip..skip + take]);
            at += take;
            skip = 0;
        }
    }
}

/// Copies the first `k` bytes of `q` into `bufs`, in array order and
/// packed (RECV-BUFFER-ORDER).
pub(crate) fn copy_out(q: &ByteQueue, bufs: &mut [WsaBuf], k: usize) {
    let mut at = 0;
    for b in bufs.iter_mut() {
        if at == k {
            break;
        }
        let dst = b.bytes_mut();
        let take = dst.len().min(k - at);
        q.copy_to(at, &mut dst[..take]);
        at += take;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The queue gives the bytes in order whatever chunks they came in,
    /// from any offset, after bytes were taken, as a plain vector does.
    #[test]
    fn byte_queue_across_chunks() {
        let mut q = ByteQueue::default();
        let mut want: Vec<u8> = vec![];
        for (k, len) in [3usize, 0, 1, 7, 2].into_iter().enumerate() {
            let chunk: Vec<u8> = (0..len).map(|i| (10 * k + i) as u8).collect();
            want.extend(&chunk);
            q.push(chunk);
        }
        q.push_back(99);
        want.push(99);
        q.drain_front(2);
        want.drain(..2);
        q.push(vec![7, 8]);
        want.extend([7, 8]);
        assert_eq!(q.len(), want.len());
        for from in 0..q.len() {
            for n in 0..=q.len() - from {
                let mut dst = vec![0xAA; n];
                q.copy_to(from, &mut dst);
                assert_eq!(dst, want[from..from + n], "from {from}, {n} bytes");
            }
        }
        assert_eq!(q.take_front(4), want[..4]);
        want.drain(..4);
        // The front chunk whole is handed over as it is.
        let rest = q.len();
        let mut whole = ByteQueue::default();
        whole.push(vec![1, 2, 3]);
        assert_eq!(whole.take_front(3), [1, 2, 3]);
        assert!(whole.is_empty());
        let mut dst = vec![0; rest];
        q.copy_to(0, &mut dst);
        assert_eq!(dst, want);
        q.drain_front(usize::MAX);
        assert!(q.is_empty());
        q.push_back(5);
        assert_eq!(q.take_front(1), [5]);
        // A chunk is handed over whole only from its start and whole; a
        // chunk used up by draining is given back.
        q.push(vec![1, 2, 3]);
        q.push(vec![4, 5]);
        assert_eq!(q.take_front_chunk(2), None);
        assert_eq!(q.take_front_chunk(3), Some(vec![1, 2, 3]));
        assert_eq!(q.drain_front_keep(1), None);
        assert_eq!(q.take_front_chunk(1), None, "its start was taken");
        assert_eq!(q.drain_front_keep(1), Some(vec![4, 5]));
        assert!(q.is_empty());
    }
}
