//! Urgent (out-of-band) data on TCP: `MSG_OOB`, `SO_OOBINLINE`,
//! `SIOCATMARK`.
//!
//! Of a send with `MSG_OOB`, the last byte is the urgent byte (the BSD
//! reading of the urgent pointer, Windows' default unless
//! `TCP_EXPEDITED_1122` is set; Microsoft's "Protocol-independent
//! out-of-band data" page). With `SO_OOBINLINE` off (the default) the
//! receiver takes each urgent byte out of the stream and keeps it apart, in
//! arrival order, for receives with `MSG_OOB`: Windows keeps every one, not
//! only the last (Wine's `test_fionread_siocatmark` and `test_oob_events`,
//! which pass on Windows and are `todo_wine`). With it on, the byte stays
//! in the stream and a receive with `MSG_OOB` is `WSAEINVAL`. `FIONREAD`
//! does not count bytes kept apart; `SIOCATMARK` is `TRUE` when none waits,
//! and so always with `SO_OOBINLINE` set before the data came: that is what
//! Windows reports in `test_fionread_siocatmark`, although the
//! `ioctlsocket` page describes a mark for the inline case.
//!
//! Rules carry the clause ids they implement; choices the documentation does
//! not make are marked `model choice:`.
//!
//! Deliberately not modelled: `TCP_EXPEDITED_1122`, the mark inside the
//! stream (a normal receive may read past the place of an urgent byte), and
//! what `SO_OOBINLINE` turned on does to bytes already kept apart (they stay
//! apart).

use super::call::RecvOut;
use super::net::HostId;
use super::socket::SocketState;
use super::world::World;
use crate::contract::consts::*;
use crate::contract::types::WsaBuf;
use crate::contract::WsaError;
use std::collections::VecDeque;

/// A segment of the first `n` bytes of `sndq` leaves: the indexes of the
/// urgent bytes it carries; the other offsets move up.
pub(crate) fn take_urgent(snd_urg: &mut VecDeque<usize>, n: usize) -> Vec<usize> {
    let mut out = vec![];
    while let Some(&u) = snd_urg.front().filter(|&&u| u <= n) {
        snd_urg.pop_front();
        out.push(u - 1);
    }
    for u in snd_urg.iter_mut() {
        *u -= n;
    }
    out
}

/// Bytes with urgent bytes at indexes `urg` (ascending) arrive.
pub(crate) fn urgent_arrives(st: &mut SocketState, data: Vec<u8>, urg: &[usize]) {
    if st.opts.oobinline {
        st.tcp_mut().rcvq.push(data);
        return;
    }
    for (i, b) in data.into_iter().enumerate() {
        if urg.contains(&i) {
            st.tcp_mut().oob.push_back(b);
        } else {
            st.tcp_mut().rcvq.push_back(b);
        }
    }
}

/// `SIOCATMARK`: `TRUE` when no urgent byte waits apart from the stream.
pub(crate) fn at_mark(st: &SocketState) -> bool {
    st.tcp().oob.is_empty()
}

/// What a receive with `MSG_OOB` checks on a connection-oriented socket.
pub(crate) fn recv_oob_check(st: &SocketState) -> Result<(), i32> {
    // RECV-EOPNOTSUPP-OOB-DOMAIN: the simulated message protocols have no
    // urgent data (no XP1_EXPEDITED_DATA).
    if !st.xp1(XP1_EXPEDITED_DATA) {
        return Err(WSAEOPNOTSUPP);
    }
    // recv: MSG_OOB on a socket with SO_OOBINLINE is WSAEINVAL (Wine's
    // test_select, on Windows).
    if st.opts.oobinline {
        return Err(WSAEINVAL);
    }
    Ok(())
}

impl World {
    /// RECV-OOB: a receive with `MSG_OOB` that can complete takes the
    /// oldest urgent byte. With none waiting a non-blocking socket gets
    /// `WSAEWOULDBLOCK` (Wine's former `test_ioctlsocket`, on Windows) and a
    /// blocking one waits (model choice: no Windows measurement).
    pub(crate) fn oob_fill(
        &mut self,
        host: HostId,
        s: u64,
        bufs: &mut [WsaBuf],
        flags: u32,
        out: &mut RecvOut,
    ) -> Result<(), WsaError> {
        let peek = flags & MSG_PEEK != 0;
        let flags_out = self.stream_flags_out(flags);
        let st = self.sockets.get_mut(&s).expect("checked");
        let Some(&b) = st.tcp().oob.front() else {
            // model choice: the stream ended with no urgent byte waiting.
            return Err(WsaError::Code(WSAEWOULDBLOCK));
        };
        let mut k = 0;
        if let Some(dst) = bufs
            .iter_mut()
            .map(|b| b.bytes_mut())
            .find(|d| !d.is_empty())
        {
            dst[0] = b;
            k = 1;
            if !peek {
                st.tcp_mut().oob.pop_front();
            }
        }
        *out = RecvOut::filled(k, flags_out);
        self.log(host, "recv", || {
            format!(
                "socket {s:#x} urgent len={k}{}",
                if peek { " (peek)" } else { "" }
            )
        });
        Ok(())
    }
}
