//! Stream sockets on the wire: the send buffer pumped within the peer's
//! window, segments (SYN, SYN-ACK, ACK, data, FIN, RST) arriving as
//! events, resets and broken connections (the connection's model:
//! `stream.rs`).

use super::events::Event;
use super::net::HostId;
use super::socket::SocketState;
use super::stream::{window, REFUSED_RETRIES, REFUSED_RETRY_NS};
use super::tcp::{Seg, TcpState};
use super::world::World;
use crate::contract::consts::*;
use crate::contract::quirks::Quirk;
use std::net::SocketAddr;

impl World {
    /// Moves bytes from `s`'s send buffer to the wire as far as the peer's
    /// window allows (all of them when `flush`), then the FIN if one is
    /// queued and the buffer is empty. A `SOCK_SEQPACKET` socket sends each
    /// send call's piece whole: when it fits the window, when the peer
    /// holds nothing, or when it continues a message the peer has begun
    /// (model choice: so that a receive waiting for a whole message larger
    /// than `SO_RCVBUF` can complete); a pseudo-stream's bytes flow as
    /// TCP's do. Nothing leaves while the peer cannot be reached
    /// (`faults.rs`).
    pub(crate) fn pump(&mut self, s: u64, flush: bool) {
        let Some(st) = self.sockets.get(&s) else {
            return;
        };
        if st.tcp().state != TcpState::Established || st.tcp().broken.is_some() {
            return;
        }
        let Some(p) = st.tcp().peer_sock else { return };
        let from_host = st.host;
        let (mut room, to_host, mut peer_empty) = match self.sockets.get(&p) {
            Some(ps) => (
                window(ps),
                ps.host,
                ps.tcp().rcvq.is_empty() && ps.tcp().incoming == 0,
            ),
            // The peer is gone: what we send draws a reset.
            None => (usize::MAX, from_host, true),
        };
        if st.tcp().output_pending() {
            if !self.reachable(from_host, to_host) {
                // RECV-ETIMEDOUT-DROPPED: the data waits; the
                // retransmission time-out runs.
                self.start_retx_timer(s);
                return;
            }
            self.stop_retx_timer(s);
        }
        loop {
            let st = self.sockets.get_mut(&s).expect("checked");
            let (n, msg) = if st.is_seqpacket() {
                let Some(&c) = st.tcp().snd_msgs.front() else {
                    break;
                };
                if !(flush || c.len <= room || peer_empty || st.tcp().snd_open_msg) {
                    break;
                }
                st.tcp_mut().snd_msgs.pop_front();
                st.tcp_mut().snd_open_msg = !c.eom;
                (c.len, Some(c.eom))
            } else {
                let n = if flush {
                    st.tcp().sndq.len()
                } else {
                    room.min(st.tcp().sndq.len())
                };
                if n == 0 {
                    break;
                }
                (n, None)
            };
            let data = st.tcp_mut().sndq.take_front(n);
            let urg = super::urgent::take_urgent(&mut st.tcp_mut().snd_urg, n);
            room = room.saturating_sub(n);
            peer_empty = false;
            if let Some(ps) = self.sockets.get_mut(&p) {
                ps.tcp_mut().incoming += n;
            }
            self.log(from_host, "send", || {
                format!(
                    "socket {s:#x} -> {p:#x} len={n}{}{}",
                    match msg {
                        Some(false) => " (part)",
                        _ => "",
                    },
                    if urg.is_empty() { "" } else { " (urgent)" }
                )
            });
            self.send_seg(
                from_host,
                to_host,
                Seg::Data {
                    to: p,
                    from: s,
                    data,
                    msg,
                    urg,
                },
            );
            if msg.is_none() {
                break;
            }
        }
        let st = self.sockets.get_mut(&s).expect("checked");
        if st.tcp().sndq.is_empty()
            && st.tcp().snd_msgs.is_empty()
            && st.tcp().fin_queued
            && !st.tcp().fin_sent
        {
            st.tcp_mut().fin_sent = true;
            self.log(from_host, "fin", || format!("socket {s:#x} -> {p:#x}"));
            self.send_seg(from_host, to_host, Seg::Fin { to: p });
        }
    }

    /// Sends a reset to the other end of `s`'s connection, if it has one.
    pub(crate) fn reset_peer(&mut self, s: u64) {
        let Some(st) = self.sockets.get(&s) else {
            return;
        };
        let Some(p) = st.tcp().peer_sock else { return };
        let h = st.host;
        let to_host = self.host_of(p).unwrap_or(h);
        self.log(h, "rst", || format!("socket {s:#x} -> {p:#x}"));
        self.send_seg(h, to_host, Seg::Rst { to: p });
    }

    /// The connection of `s` breaks with `error`: buffered bytes are
    /// dropped and outstanding operations fail with it.
    pub(crate) fn break_connection(&mut self, s: u64, error: i32) {
        self.break_connection_as(s, error, error);
    }

    /// The connection of `s` breaks: operations in progress fail with
    /// `in_progress`, later calls with `later`.
    pub(crate) fn break_connection_as(&mut self, s: u64, in_progress: i32, later: i32) {
        let error = in_progress;
        let keep_unread = self.quirk(Quirk::ResetKeepsUnreadBytes);
        let Some(st) = self.sockets.get_mut(&s) else {
            return;
        };
        // model choice: unread bytes are discarded; the next receive gets
        // the error (RECV-ECONNRESET-STREAM: the socket is no longer usable).
        // Under ResetKeepsUnreadBytes they stay for the next receives.
        st.tcp_mut().broken = Some(later);
        st.tcp_mut().broken_in_progress = Some(in_progress);
        if !keep_unread {
            st.tcp_mut().rcvq.clear();
        }
        st.tcp_mut().sndq.clear();
        st.tcp_mut().rcv_msgs.clear();
        st.tcp_mut().snd_msgs.clear();
        st.tcp_mut().oob.clear();
        st.tcp_mut().snd_urg.clear();
        st.tcp_mut().incoming = 0;
        st.tcp_mut().peer_sock = None;
        let h = st.host;
        self.log(h, "broken", || {
            format!("socket {s:#x}: {}", error_name(error).unwrap_or("?"))
        });
        self.abort_ops(s, None, error, true, true);
        self.stop_fault_timers(s);
    }

    /// A segment arrives.
    pub(crate) fn tcp_arrive(&mut self, seg: Seg) {
        match seg {
            Seg::Syn {
                host,
                from,
                src,
                dst,
            } => self.syn_arrives(host, from, src, dst),
            Seg::SynAck { to, child } => {
                let ok = self
                    .sockets
                    .get(&to)
                    .is_some_and(|st| st.tcp().state == TcpState::Connecting);
                if !ok {
                    // The connecting socket is gone or gave up: reset the
                    // listener's half.
                    if let Some(h) = self.host_of(child) {
                        self.send_seg(h, h, Seg::Rst { to: child });
                    }
                    return;
                }
                self.stop_connect_timer(to);
                let now = self.now;
                let st = self.sockets.get_mut(&to).expect("checked");
                st.tcp_mut().state = TcpState::Established;
                st.tcp_mut().established_at = Some(now);
                st.tcp_mut().peer_sock = Some(child);
                st.tcp_mut().so_error = 0;
                let h = st.host;
                self.log(h, "connected", || format!("socket {to:#x} <-> {child:#x}"));
                let ch = self.host_of(child).unwrap_or(h);
                self.send_seg(h, ch, Seg::Ack { to: child });
            }
            Seg::Ack { to } => {
                let Some(st) = self.sockets.get(&to) else {
                    return;
                };
                let TcpState::SynReceived { listener } = st.tcp().state else {
                    return;
                };
                let h = st.host;
                let listening = self
                    .sockets
                    .get(&listener)
                    .is_some_and(|l| l.tcp().state == TcpState::Listening);
                let now = self.now;
                let t = self.sockets.get_mut(&to).expect("checked").tcp_mut();
                t.state = TcpState::Established;
                t.established_at = Some(now);
                if !listening {
                    // The listener closed meanwhile.
                    self.reset_peer(to);
                    self.sockets.remove(&to);
                    return;
                }
                let l = self.sockets.get_mut(&listener).expect("checked");
                l.tcp_mut().half_open -= 1;
                l.tcp_mut().accept_q.push_back(to);
                self.log(h, "established", || {
                    format!("socket {to:#x} ready for accept on {listener:#x}")
                });
                self.pump(to, false);
            }
            Seg::Data {
                to,
                from,
                data,
                msg,
                urg,
            } => self.data_arrives(to, from, data, msg, urg),
            Seg::RetxTimeout { to } => self.retx_timeout(to),
            Seg::KeepaliveCheck { to } => self.keepalive_check(to),
            Seg::Fin { to } => {
                let Some(st) = self.sockets.get_mut(&to) else {
                    return;
                };
                if st.tcp().broken.is_some() {
                    return;
                }
                st.tcp_mut().fin_rcvd = true;
                // model choice: a message its sender left unfinished ends
                // with the connection (if nothing of it is left to read, it
                // is gone).
                if let Some(last) = st.tcp_mut().rcv_msgs.back_mut().filter(|m| !m.eom) {
                    if last.len == 0 {
                        st.tcp_mut().rcv_msgs.pop_back();
                    } else {
                        last.eom = true;
                    }
                }
                let h = st.host;
                self.log(h, "fin-received", || format!("socket {to:#x}"));
                self.serve(to);
            }
            Seg::Rst { to } => {
                let rst_is_reset = self.quirk(Quirk::RstAfterFinIsReset);
                let Some(st) = self.sockets.get_mut(&to) else {
                    return;
                };
                match st.tcp().state {
                    TcpState::Connecting if st.tcp().syn_retries < REFUSED_RETRIES => {
                        // Windows sends the SYN again before it gives up.
                        st.tcp_mut().syn_retries += 1;
                        let attempt = st.tcp().attempt;
                        self.schedule(
                            self.now + REFUSED_RETRY_NS,
                            Event::Tcp(Box::new(Seg::Resyn { to, attempt })),
                        );
                    }
                    TcpState::Connecting => {
                        // A refused connection.
                        st.tcp_mut().state = TcpState::Closed;
                        self.stop_connect_timer(to);
                        let st = self.sockets.get_mut(&to).expect("checked");
                        st.tcp_mut().so_error = WSAECONNREFUSED;
                        st.peer = None;
                        let h = st.host;
                        self.log(h, "refused", || format!("socket {to:#x}"));
                    }
                    TcpState::SynReceived { listener } => {
                        if let Some(l) = self.sockets.get_mut(&listener) {
                            l.tcp_mut().half_open -= 1;
                        }
                        self.sockets.remove(&to);
                    }
                    TcpState::Established if st.tcp().broken.is_none() => {
                        // RECV-ECONNRESET-STREAM, RECV-ABORTIVE-ECONNRESET.
                        // RECV-ECONNABORTED: a reset after the peer's FIN
                        // (the answer to data sent to a peer that closed)
                        // aborts instead (Wine's test_shutdown on Windows).
                        let e = if st.tcp().fin_rcvd && !rst_is_reset {
                            WSAECONNABORTED
                        } else {
                            WSAECONNRESET
                        };
                        self.break_connection(to, e);
                    }
                    _ => {}
                }
            }
            Seg::Resyn { to, attempt } => {
                let again = self.sockets.get(&to).is_some_and(|st| {
                    st.tcp().state == TcpState::Connecting && st.tcp().attempt == attempt
                });
                if again {
                    self.send_syn(to);
                }
            }
            Seg::ConnectTimeout { to, attempt } => {
                let Some(st) = self.sockets.get_mut(&to) else {
                    return;
                };
                if st.tcp().state == TcpState::Connecting && st.tcp().attempt == attempt {
                    st.tcp_mut().state = TcpState::Closed;
                    st.tcp_mut().connect_timer = None;
                    st.tcp_mut().so_error = WSAETIMEDOUT;
                    st.peer = None;
                    let h = st.host;
                    self.log(h, "connect-timeout", || format!("socket {to:#x}"));
                }
            }
        }
    }

    fn syn_arrives(&mut self, host: HostId, from: u64, src: SocketAddr, dst: SocketAddr) {
        let from_host = self.host_of(from).unwrap_or(host);
        if self.hosts[host].down {
            self.log(host, "drop", || format!("{src} -> {dst}: network down"));
            return;
        }
        let proto = self.sockets.get(&from).map(|st| (st.ty, st.protocol));
        let Some(l) = proto.and_then(|p| self.listener_for(host, &dst, p)) else {
            self.log(host, "refuse", || format!("{src} -> {dst}: no listener"));
            self.send_seg(host, from_host, Seg::Rst { to: from });
            return;
        };
        let ls = &self.sockets[&l];
        if ls.tcp().accept_q.len() + ls.tcp().half_open >= ls.tcp().backlog {
            // listen: a request that finds the queue full is refused
            // (WSAECONNREFUSED at the client).
            self.log(host, "refuse", || format!("{src} -> {dst}: backlog full"));
            self.send_seg(host, from_host, Seg::Rst { to: from });
            return;
        }
        let mut child = SocketState::new(host, ls.af, ls.ty, ls.protocol, ls.overlapped);
        // accept: the new socket has the listening socket's properties.
        child.nonblocking = ls.nonblocking;
        child.opts = ls.opts.clone();
        // RECV-ACCEPT-BOUND: an accepted socket is bound.
        child.local = Some(super::dgram::view(ls, dst));
        child.peer = Some(super::dgram::view(ls, src));
        child.tcp_mut().state = TcpState::SynReceived { listener: l };
        child.tcp_mut().peer_sock = Some(from);
        let id = self.alloc_handle();
        self.sockets.insert(id, child);
        self.sockets
            .get_mut(&l)
            .expect("checked")
            .tcp_mut()
            .half_open += 1;
        self.log(host, "syn-received", || {
            format!("{src} -> {dst}: socket {id:#x} for listener {l:#x}")
        });
        self.send_seg(
            host,
            from_host,
            Seg::SynAck {
                to: from,
                child: id,
            },
        );
    }

    /// The listening socket of `host` a connection to `dst` (wire form)
    /// of protocol `proto` (type, protocol) reaches: one bound to that
    /// address, else one bound to the wildcard.
    fn listener_for(&self, host: HostId, dst: &SocketAddr, proto: (i32, i32)) -> Option<u64> {
        let ip = dst.ip();
        let mut best: Option<(u8, u64)> = None;
        for (&id, st) in self.sockets.iter() {
            if st.host != host
                || st.stream().is_none_or(|t| t.state != TcpState::Listening)
                || (st.ty, st.protocol) != proto
            {
                continue;
            }
            let Some(local) = st.local else { continue };
            if local.port() != dst.port() {
                continue;
            }
            let lip = super::dgram::wire_ip(local.ip());
            let family_ok = if ip.is_ipv4() {
                !st.is_v6() || (st.dual_stack() && (local.ip().is_unspecified() || lip.is_ipv4()))
            } else {
                st.is_v6() && lip.is_ipv6()
            };
            if !family_ok {
                continue;
            }
            let rank = if lip == ip {
                2
            } else if lip.is_unspecified() {
                1
            } else {
                continue;
            };
            if best.is_none_or(|(r, _)| rank > r) {
                best = Some((rank, id));
            }
        }
        best.map(|(_, id)| id)
    }

    fn data_arrives(
        &mut self,
        to: u64,
        from: u64,
        data: Vec<u8>,
        msg: Option<bool>,
        urg: Vec<usize>,
    ) {
        let n = data.len();
        let Some(st) = self.sockets.get_mut(&to) else {
            // Bytes for a socket that is gone draw a reset.
            if let Some(h) = self.host_of(from) {
                self.send_seg(h, h, Seg::Rst { to: from });
            }
            return;
        };
        st.tcp_mut().incoming = st.tcp_mut().incoming.saturating_sub(n);
        if st.tcp().broken.is_some() || st.tcp().peer_sock != Some(from) {
            return;
        }
        let h = st.host;
        if st.shut_rd {
            // shutdown: on TCP, data that arrives after SD_RECEIVE resets
            // the connection.
            self.log(h, "drop", || {
                format!("socket {to:#x}: {n} bytes after SD_RECEIVE")
            });
            self.reset_peer(to);
            self.break_connection(to, WSAECONNRESET);
            return;
        }
        if let Some(eom) = msg.filter(|_| st.is_seqpacket()) {
            super::message::piece_arrives(st.tcp_mut(), n, eom);
        }
        let held_apart = !urg.is_empty() && !st.opts.oobinline;
        if urg.is_empty() {
            st.tcp_mut().rcvq.push(data);
        } else {
            super::urgent::urgent_arrives(st, data, &urg);
        }
        self.log(h, "deliver", || {
            format!("{from:#x} -> socket {to:#x} len={n}")
        });
        self.serve(to);
        if held_apart {
            // Urgent bytes kept apart take no room in the window: it
            // opened.
            self.pump(from, false);
        }
    }
}
