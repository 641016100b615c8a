//! The receive and send calls' stream halves, after the checks every
//! call starts with (`dgram_recv.rs`, `dgram_send.rs`): the stream's own
//! checks, waiting for bytes or buffer room, filling the buffers, taking a
//! send's bytes into the send buffer.

use super::net::HostId;
use super::sched_state::{Halt, Step};
use super::stream::{code, rx_ready, tx_ready};
use super::tcp::{copy_out, Piece, StreamReads, TcpState};
use super::world::{WaitEnd, World};
use crate::contract::consts::*;
use crate::contract::quirks::Quirk;
use crate::contract::types::WsaBuf;
use crate::contract::WsaError;

impl World {
    /// The checks a receive (`WSARecv`, `WSARecvFrom`) makes on a stream
    /// socket, after the buffer and pointer checks.
    pub(crate) fn stream_recv_check(&self, s: u64, flags: u32) -> Result<(), WsaError> {
        let st = &self.sockets[&s];
        // model choice: flags other than these fail as unsupported.
        let known = MSG_PEEK | MSG_OOB | MSG_WAITALL | MSG_PUSH_IMMEDIATE | MSG_PARTIAL;
        if flags & !known != 0 {
            return Err(code(WSAEOPNOTSUPP));
        }
        if flags & MSG_WAITALL != 0 {
            // RECV-WAITALL-EOPNOTSUPP-COMBO
            if flags & (MSG_OOB | MSG_PEEK | MSG_PARTIAL) != 0 {
                return Err(code(WSAEOPNOTSUPP));
            }
            // RECV-WAITALL-EOPNOTSUPP-NONBLOCKING
            if st.nonblocking {
                return Err(code(WSAEOPNOTSUPP));
            }
            // RECV-WAITALL-DGRAM: not on message-oriented sockets either.
            if st.is_seqpacket() {
                return Err(code(WSAEOPNOTSUPP));
            }
        }
        if flags & MSG_OOB != 0 {
            super::urgent::recv_oob_check(st).map_err(code)?;
        }
        if self.quirk(Quirk::BrokenRecvEndsStream) && st.tcp().broken.is_some() && !st.shut_rd {
            // The receive gets the end of the stream instead
            // (`end_of_broken`).
            return Ok(());
        }
        // (WIN-SHUTDOWN-RECEIVE-PENDING: a new receive after SD_RECEIVE.)
        self.connection_check(s, st.shut_rd || st.shut_rd_new)
    }

    /// The checks a stream receive and send share, after their flags: the
    /// connection (RECV-ENOTCONN), the direction shut down (RECV-ESHUTDOWN),
    /// a broken connection, which stays broken (RECV-ECONNRESET-STREAM).
    fn connection_check(&self, s: u64, shut: bool) -> Result<(), WsaError> {
        let st = &self.sockets[&s];
        if st.tcp().state != TcpState::Established {
            return Err(code(WSAENOTCONN));
        }
        if shut {
            return Err(code(WSAESHUTDOWN));
        }
        if let Some(e) = st.tcp().broken {
            // A call that was waiting when the connection broke (it runs
            // again now) may get another code than later calls.
            let e = match st.tcp().broken_in_progress {
                Some(p) if self.resuming() => p,
                _ => e,
            };
            return Err(code(e));
        }
        Ok(())
    }

    /// A blocking or non-blocking receive on a stream socket, after its
    /// checks: waits for a byte, the end, or a failure, then fills.
    pub(crate) fn stream_recv(
        &mut self,
        host: HostId,
        s: u64,
        bufs: &mut [WsaBuf],
        flags: u32,
        out: &mut super::call::RecvOut,
    ) -> Step<()> {
        let resuming = self.resuming();
        let room: usize = bufs.iter().map(|b| b.len as usize).sum();
        let waitall = flags & MSG_WAITALL != 0;
        let st = &self.sockets[&s];
        if !rx_ready(st, room, flags) {
            if st.nonblocking && !resuming {
                return Err(code(WSAEWOULDBLOCK).into());
            }
            let deadline = self.deadline_ms(st.opts.rcvtimeo);
            if waitall {
                // RECV-WAITALL: a request larger than SO_RCVBUF still fills
                // (model choice: the window widens to it while it waits).
                self.sockets
                    .get_mut(&s)
                    .expect("checked")
                    .tcp_mut()
                    .waitall_room = room;
                if let Some(p) = self.sockets[&s].tcp().peer_sock {
                    self.pump(p, false);
                }
            }
            // RECV-BLOCKING-ALERTABLE
            let r = self.wait_until(host, deadline, "a blocking receive", true, move |w| {
                w.sockets.get(&s).is_none_or(|st| rx_ready(st, room, flags))
            });
            let end = match r {
                Ok(()) => None,
                Err(WaitEnd::Timeout) => Some(code(WSAETIMEDOUT)),
                Err(WaitEnd::Deadlock(e)) => Some(e),
                Err(WaitEnd::Park(b)) => {
                    let me = self.me;
                    if let Some(w) = self.sched.rec_mut(me).wait.as_mut() {
                        w.recv_on = Some(s);
                    }
                    return Err(Halt::Block(b));
                }
            };
            let Some(st) = self.sockets.get_mut(&s) else {
                return Err(code(WSAEINTR).into());
            };
            st.tcp_mut().waitall_room = 0;
            if let Some(e) = end {
                return Err(e.into());
            }
        }
        Ok(self.stream_fill(host, s, bufs, flags, out)?)
    }

    /// Takes bytes from the receive buffer into `bufs` (a receive that can
    /// complete): the end, the failure, or at least one byte.
    pub(crate) fn stream_fill(
        &mut self,
        host: HostId,
        s: u64,
        bufs: &mut [WsaBuf],
        flags: u32,
        out: &mut super::call::RecvOut,
    ) -> Result<(), WsaError> {
        let peek = flags & MSG_PEEK != 0;
        let waitall = flags & MSG_WAITALL != 0;
        let room: usize = bufs.iter().map(|b| b.len as usize).sum();
        let st = &self.sockets[&s];
        if st.shut_rd {
            return Err(code(WSAESHUTDOWN));
        }
        if let Some(e) = st.tcp().broken {
            if !self.quirk(Quirk::BrokenRecvEndsStream) {
                return Err(code(e));
            }
            if st.tcp().rcvq.is_empty() || flags & MSG_OOB != 0 {
                return self.end_of_broken(host, s, flags, out);
            }
        }
        if flags & MSG_OOB != 0 {
            return self.oob_fill(host, s, bufs, flags, out);
        }
        if st.is_seqpacket() {
            return self.message_fill(host, s, bufs, flags, out);
        }
        let avail = st.tcp().rcvq.len();
        // RECV-STREAM-AS-MUCH-AS-POSSIBLE, RECV-STREAM-FILL: what is
        // buffered and fits ...
        let mut k = avail.min(room);
        // ... RECV-STREAM-ONE-BYTE-UNBLOCKS: or, by seed, fewer (at least
        // one). MSG_WAITALL asks for full buffers; MSG_PUSH_IMMEDIATE is a
        // hint that changes nothing here (RECV-PUSH-IMMEDIATE).
        if k > 1 && !waitall && self.cfg.stream_reads == StreamReads::Seeded && self.rng.coin() {
            k = 1 + self.rng.below(k as u64) as usize;
        }
        let flags_out = self.stream_flags_out(flags);
        let st = self.sockets.get_mut(&s).expect("checked");
        // A first buffer whose memory is exactly the front chunk, which
        // the receive takes whole, takes that memory instead of a copy
        // (the bytes it then holds are the same), and its own memory is
        // kept for a later send to gather into.
        let exact = match bufs.first() {
            Some(WsaBuf { len, buf: Some(m) }) => *len as usize == k && m.len() == k,
            _ => false,
        };
        let chunk = if exact && !peek {
            st.tcp_mut().rcvq.take_front_chunk(k)
        } else {
            None
        };
        let used_up = match chunk {
            Some(chunk) => bufs[0].buf.replace(chunk),
            None => {
                // RECV-BUFFER-ORDER: array order, packed.
                copy_out(&st.tcp().rcvq, bufs, k);
                // RECV-PEEK: a peek leaves the bytes queued.
                if peek {
                    None
                } else {
                    st.tcp_mut().rcvq.drain_front_keep(k)
                }
            }
        };
        if let Some(mem) = used_up {
            self.recycle(mem);
        }
        let st = &self.sockets[&s];
        *out = super::call::RecvOut::filled(k as u32, flags_out);
        let peer = st.tcp().peer_sock;
        self.log(host, "recv", || {
            if k == 0 {
                format!("socket {s:#x} end of stream")
            } else {
                format!("socket {s:#x} len={k}{}", if peek { " (peek)" } else { "" })
            }
        });
        // RECV-GRACEFUL-BYTESTREAM: zero bytes with success is the end.
        if !peek && k > 0 {
            if let Some(p) = peer {
                // The window opened.
                self.pump(p, false);
            }
        }
        Ok(())
    }

    /// The output flags of a stream receive: none, or the input flags
    /// handed back (`RecvFlagsEchoInput`, as for datagrams).
    pub(crate) fn stream_flags_out(&self, flags_in: u32) -> u32 {
        if self.quirk(Quirk::RecvFlagsEchoInput) {
            flags_in
        } else {
            0
        }
    }

    /// `BrokenRecvEndsStream`: a receive on a connection broken by a reset
    /// or an abort gets zero bytes and success, the end of the stream,
    /// where the pages say `WSAECONNRESET` or `WSAECONNABORTED`, once the
    /// bytes kept by `ResetKeepsUnreadBytes` are read.
    fn end_of_broken(
        &mut self,
        host: HostId,
        s: u64,
        flags: u32,
        out: &mut super::call::RecvOut,
    ) -> Result<(), WsaError> {
        *out = super::call::RecvOut::filled(0, self.stream_flags_out(flags));
        self.log(host, "recv", || {
            format!("socket {s:#x} end of stream (Wine 8.0: a broken connection)")
        });
        Ok(())
    }

    /// The checks a send (`WSASend`, `WSASendTo`) makes on a stream socket.
    pub(crate) fn stream_send_check(&self, s: u64, flags: u32, len: usize) -> Result<(), WsaError> {
        let st = &self.sockets[&s];
        // SENDMSG-PARTIAL: transports without partial messages refuse
        // MSG_PARTIAL with WSAEOPNOTSUPP; a protocol with
        // XP1_PARTIAL_MESSAGE continues the message in the next send.
        if flags & MSG_PARTIAL != 0 && !st.xp1(XP1_PARTIAL_MESSAGE) {
            return Err(code(WSAEOPNOTSUPP));
        }
        // SENDMSG-OOB: urgent data needs XP1_EXPEDITED_DATA (TCP).
        if flags & MSG_OOB != 0 && !st.xp1(XP1_EXPEDITED_DATA) {
            return Err(code(WSAEOPNOTSUPP));
        }
        if flags & !(MSG_DONTROUTE | MSG_OOB | MSG_PARTIAL) != 0 {
            return Err(code(WSAEOPNOTSUPP));
        }
        self.connection_check(s, st.shut_wr)?;
        // SENDMSG-EMSGSIZE-MAX: a message protocol's message must pass
        // atomically.
        if st.sends_messages() && len + st.tcp().snd_open_len > st.max_msg_size() as usize {
            return Err(code(WSAEMSGSIZE));
        }
        Ok(())
    }

    /// A blocking or non-blocking send on a stream socket, after its checks:
    /// waits for send-buffer room, then hands the bytes over.
    pub(crate) fn stream_send(
        &mut self,
        host: HostId,
        s: u64,
        data: Vec<u8>,
        flags: u32,
    ) -> Step<u32> {
        let resuming = self.resuming();
        let st = &self.sockets[&s];
        if !tx_ready(st) {
            if st.nonblocking && !resuming {
                return Err(code(WSAEWOULDBLOCK).into());
            }
            let deadline = self.deadline_ms(st.opts.sndtimeo);
            // SENDMSG-BLOCKING-ALERTABLE
            let r = self.wait_until(host, deadline, "a blocking send", true, move |w| {
                w.sockets
                    .get(&s)
                    .is_none_or(|st| tx_ready(st) || st.tcp().broken.is_some() || st.shut_wr)
            });
            r.map_err(|end| end.halt(|| code(WSAETIMEDOUT)))?;
            let Some(st) = self.sockets.get(&s) else {
                return Err(code(WSAEINTR).into());
            };
            if let Some(e) = st.tcp().broken {
                return Err(code(e).into());
            }
            if st.shut_wr {
                return Err(code(WSAESHUTDOWN).into());
            }
        }
        Ok(self.stream_take(host, s, data, flags))
    }

    /// Hands a send's bytes to the transport and starts them on their way;
    /// returns how many were taken.
    pub(crate) fn stream_take(
        &mut self,
        host: HostId,
        s: u64,
        mut data: Vec<u8>,
        flags: u32,
    ) -> u32 {
        let st = self.sockets.get_mut(&s).expect("checked");
        let mut n = data.len();
        let room = (st.opts.sndbuf as usize)
            .max(1)
            .saturating_sub(st.tcp().sndq.len());
        // SENDMSG-NONBLOCKING-STREAM-PARTIAL: a non-blocking socket with
        // too little room may take only part (the seed decides between that
        // and taking the whole send, which is what Windows' AFD does). A
        // message, and urgent data, are taken whole (model choice).
        let whole = st.sends_messages() || flags & MSG_OOB != 0;
        if !whole && st.nonblocking && n > room && room > 0 && self.rng.coin() {
            n = room;
        }
        let st = self.sockets.get_mut(&s).expect("checked");
        // The gathered bytes themselves join the send buffer (no copy).
        data.truncate(n);
        st.tcp_mut().sndq.push(data);
        // A pseudo-stream's receiver sees bytes: only SOCK_SEQPACKET keeps
        // the pieces.
        if st.is_seqpacket() {
            st.tcp_mut().snd_msgs.push_back(Piece {
                len: n,
                eom: flags & MSG_PARTIAL == 0,
            });
            st.tcp_mut().snd_open_len = if flags & MSG_PARTIAL == 0 {
                0
            } else {
                st.tcp_mut().snd_open_len + n
            };
        }
        // RECV-OOB: the last byte of an urgent send is the urgent byte.
        if flags & MSG_OOB != 0 && n > 0 {
            let end = st.tcp().sndq.len();
            st.tcp_mut().snd_urg.push_back(end);
        }
        self.log(host, "buffered", || format!("socket {s:#x} len={n}"));
        self.pump(s, false);
        n as u32
    }
}
