//! Network events: `WSAEventSelect` and `WSAEnumNetworkEvents`. A socket
//! that selected network events keeps a record of them (`ovl::NetRec`):
//! an event whose condition holds is recorded once (its bit, its error
//! code) and signals the event object, then waits for its re-enabling
//! call before it is recorded again; `WSAEnumNetworkEvents` hands the
//! record over and clears it.
//!
//! The conditions are read from the socket's state after every call and
//! every event of virtual time (`World::step`), in socket-id order, so the
//! record follows virtual time and nothing else; while no socket selected
//! any event, that costs one `is_empty` on a map.
//!
//! Sources: WSAEventSelect
//! (<https://learn.microsoft.com/en-us/windows/win32/api/winsock2/nf-winsock2-wsaeventselect>),
//! WSAEnumNetworkEvents
//! (<https://learn.microsoft.com/en-us/windows/win32/api/winsock2/nf-winsock2-wsaenumnetworkevents>),
//! and Wine's `test_events` (`dlls/ws2_32/tests/sock.c` of Debian's wine
//! 8.0~repack-4, run by the Wine project on Windows) where Windows goes
//! beyond the pages.

use super::net::HostId;
use super::ovl::NetRec;
use super::socket::Transport;
use super::tcp::TcpState;
use super::world::World;
use crate::contract::consts::*;
use crate::contract::overlapped::Event;
use crate::contract::quirks::Quirk;
use crate::contract::types::NetworkEvents;

/// The index of an `FD_*` bit in `iErrorCode`.
fn bit(fd: i32) -> usize {
    fd.trailing_zeros() as usize
}

impl World {
    /// `WSAEventSelect(s, event, mask)`.
    pub(crate) fn event_select(
        &mut self,
        host: HostId,
        s: u64,
        event: Option<Event>,
        mask: i32,
    ) -> Result<(), i32> {
        self.poll_start(host)?;
        self.check_sock(host, s)?;
        // model choice: an event object that is not one of the host's is
        // "one of the specified parameters was invalid" (WSAEINVAL, the
        // page's list) when events are selected; with lNetworkEvents 0 the
        // event is not used.
        let valid = |e: &Event| self.wsa_events.get(e).is_some_and(|ev| ev.host == host);
        if mask != 0 && !event.as_ref().is_some_and(valid) {
            return Err(WSAEINVAL);
        }
        let event = event.unwrap_or(Event(0));
        let queued = self.accept_queued(host, s);
        // "The WSAEventSelect function automatically sets socket s to
        // nonblocking mode, regardless of the value of lNetworkEvents"
        // (WSAEventSelect, Remarks).
        self.sock_mut(host, s)?.nonblocking = true;
        // "Issuing a WSAEventSelect for a socket cancels any previous
        // WSAAsyncSelect or WSAEventSelect for the same socket and clears
        // the internal network event record" (WSAEventSelect); lNetworkEvents 0
        // cancels (the record keeps only what WIN-EVENTSELECT-REPORTED
        // needs).
        let reported = self.netsel.get(&s).map_or(0, |r| r.reported);
        // WIN-EVENTSELECT-REPORTED: on Windows an event reported since its
        // re-enabling call is not recorded again by selecting it again
        // (sock.c:6100-6110, 6347-6352, 6783-6793); the page records
        // every condition that still holds ("If a network event has
        // already happened when the application calls WSAEventSelect ...
        // then a network event is recorded").
        let enabled = if self.quirk(Quirk::EventSelectReported) {
            FD_ALL_EVENTS & !reported
        } else {
            FD_ALL_EVENTS
        };
        self.netsel.insert(
            s,
            NetRec {
                host,
                mask,
                event,
                recorded: 0,
                errors: [0; FD_MAX_EVENTS],
                enabled,
                reported,
                queued,
            },
        );
        self.note_net_events();
        Ok(())
    }

    /// `WSAEnumNetworkEvents(s, event, ..)`: the record, cleared; `event`
    /// (when given) reset.
    pub(crate) fn enum_network_events(
        &mut self,
        host: HostId,
        s: u64,
        event: Option<Event>,
    ) -> Result<NetworkEvents, i32> {
        self.poll_start(host)?;
        self.check_sock(host, s)?;
        // model choice: an hEventObject that is not an event object of the
        // host is WSAEINVAL ("One of the specified parameters was
        // invalid", WSAEnumNetworkEvents' list), before the record is
        // touched.
        if let Some(e) = event {
            if self.wsa_events.get(&e).is_none_or(|ev| ev.host != host) {
                return Err(WSAEINVAL);
            }
        }
        let mut out = NetworkEvents::default();
        if let Some(r) = self.netsel.get_mut(&s) {
            // WSAEnumNetworkEvents: "The socket's internal record of network
            // events is copied to the structure referenced by
            // lpNetworkEvents, after which the internal network events
            // record is cleared."
            out.events = r.recorded;
            out.errors = r.errors;
            r.reported |= r.recorded;
            r.recorded = 0;
            r.errors = [0; FD_MAX_EVENTS];
        }
        // "If the hEventObject parameter is not NULL, the indicated event
        // object is also reset" (WSAEnumNetworkEvents, Remarks).
        if let Some(e) = event {
            self.set_event(host, e, false)?;
        }
        Ok(out)
    }

    /// Whether `s` has events selected (a nonzero lNetworkEvents).
    pub(crate) fn net_selected(&self, s: u64) -> bool {
        self.netsel.get(&s).is_some_and(|r| r.mask != 0)
    }

    /// A re-enabling call of `bits` was made on `s` (WSAEventSelect: "Any call to the
    /// reenabling routine, even one that fails, results in reenabling of
    /// recording and signaling for the relevant network event and event
    /// object"); the conditions are read again at the end of the call.
    pub(crate) fn net_reenable(&mut self, s: u64, bits: i32) {
        if let Some(r) = self.netsel.get_mut(&s) {
            r.enabled |= bits;
            r.reported &= !bits;
        }
    }

    /// The socket `accepted` that `listener` gave: "Any WSAEventSelect or
    /// WSAAsyncSelect events set for the listening socket apply to the
    /// accepted socket" (WSAEventSelect, Remarks; sock.c:6251-6276).
    pub(crate) fn net_inherit(&mut self, listener: u64, accepted: u64) {
        let Some(l) = self.netsel.get(&listener) else {
            return;
        };
        if l.mask == 0 {
            return;
        }
        let rec = NetRec {
            recorded: 0,
            errors: [0; FD_MAX_EVENTS],
            enabled: FD_ALL_EVENTS,
            reported: 0,
            queued: 0,
            ..l.clone()
        };
        self.netsel.insert(accepted, rec);
    }

    /// Records, on every socket with events selected, each selected and
    /// enabled event whose condition holds now, and signals its event
    /// object. A closed socket's record goes.
    pub(crate) fn note_net_events(&mut self) {
        let mut from = 0u64;
        while let Some((&s, r)) = self.netsel.range(from..).next() {
            from = s + 1;
            let (host, mask) = (r.host, r.mask);
            let Some((conds, errs)) = self.net_conditions(host, s) else {
                self.netsel.remove(&s);
                continue;
            };
            let queued = self.accept_queued(host, s);
            let each = self.quirk(Quirk::EventSelectAcceptEach);
            let r = self.netsel.get_mut(&s).expect("just read");
            // WIN-EVENTSELECT-ACCEPT-EACH: a new connection enables
            // FD_ACCEPT again (sock.c:6112-6119).
            if each && queued > r.queued {
                r.enabled |= FD_ACCEPT;
                r.reported &= !FD_ACCEPT;
            }
            r.queued = queued;
            let new = conds & mask & r.enabled;
            if new == 0 {
                continue;
            }
            // WSAEventSelect: "Having successfully recorded the occurrence of the
            // network event (by setting the corresponding bit in the
            // internal network event record) and signaled the associated
            // event object, no further actions are taken for that network
            // event until the application makes the function call that
            // implicitly reenables".
            r.recorded |= new;
            r.enabled &= !new;
            for (i, e) in errs.iter().enumerate() {
                if new & (1 << i) != 0 {
                    r.errors[i] = *e;
                }
            }
            let ev = r.event;
            if let Some(e) = self.wsa_events.get_mut(&ev) {
                e.signaled = true;
            }
        }
    }

    /// How many established connections listener `s` holds that `accept`
    /// has not returned (0 for any other socket).
    fn accept_queued(&self, host: HostId, s: u64) -> usize {
        match self.sock(host, s).map(|st| &st.transport) {
            Ok(Transport::Stream(t)) => t.accept_q.len(),
            _ => 0,
        }
    }

    /// Which network events' conditions hold on `s` now, with their error
    /// codes; `None` when `s` is no longer a socket of `host`.
    fn net_conditions(&self, host: HostId, s: u64) -> Option<(i32, [i32; FD_MAX_EVENTS])> {
        let ready = self.readiness(host, s)?;
        let st = self.sock(host, s).ok()?;
        let mut errs = [0; FD_MAX_EVENTS];
        let mut c = 0;
        // FD_READ, FD_OOB, FD_ACCEPT: "level-triggered" (WSAEventSelect): recorded
        // whenever the condition holds and the event is enabled.
        if ready.has(super::poll::Ready::READ) {
            c |= FD_READ;
        }
        if ready.has(super::poll::Ready::OOB) {
            c |= FD_OOB;
        }
        if ready.has(super::poll::Ready::ACCEPT) {
            c |= FD_ACCEPT;
        }
        match &st.transport {
            // WIN-EVENTSELECT-DGRAM-CONNECT: on Windows a datagram
            // socket's FD_WRITE starts at its connect, with FD_CONNECT
            // (sock.c:6413-6433).
            Transport::Dgram(_) if self.quirk(Quirk::EventSelectDgramConnect) => {
                if st.peer.is_some() {
                    c |= FD_CONNECT;
                    if ready.has(super::poll::Ready::WRITE) {
                        c |= FD_WRITE;
                    }
                }
            }
            Transport::Dgram(_) => {
                // model choice: a datagram socket is "connected" for
                // FD_WRITE from its creation (it sends without a connect).
                if ready.has(super::poll::Ready::WRITE) {
                    c |= FD_WRITE;
                }
            }
            Transport::Stream(t) => {
                // FD_WRITE: "recorded when a socket is first connected ...
                // or when a socket is accepted ... and then after a send
                // fails with WSAEWOULDBLOCK and buffer space becomes
                // available" (WSAEventSelect): while connected and not broken.
                if t.state == TcpState::Established
                    && t.broken.is_none()
                    && ready.has(super::poll::Ready::WRITE)
                {
                    c |= FD_WRITE;
                }
                // FD_CONNECT: the socket's connection attempt finished,
                // with the attempt's error (WSAECONNREFUSED, WSAETIMEDOUT,
                // ...) or 0.
                let finished =
                    !matches!(t.state, TcpState::Connecting | TcpState::SynReceived { .. });
                if t.attempt > 0 && finished {
                    c |= FD_CONNECT;
                    errs[bit(FD_CONNECT)] = if t.state == TcpState::Closed {
                        t.so_error
                    } else {
                        0
                    };
                }
                // FD_CLOSE: the peer's FIN (error 0: "a graceful close"),
                // or the connection broke (its code: WSAECONNRESET,
                // WSAECONNABORTED, ...); at once, before the data left is
                // read (sock.c:6779-6783: FD_CLOSE after the peer's
                // closesocket, then recv returns 0).
                if t.state == TcpState::Established {
                    if let Some(e) = t.broken {
                        c |= FD_CLOSE;
                        errs[bit(FD_CLOSE)] = e;
                    } else if t.fin_rcvd {
                        c |= FD_CLOSE;
                    }
                }
            }
        }
        Some((c, errs))
    }
}

#[cfg(test)]
mod tests {
    use super::bit;
    use crate::contract::consts::*;

    #[test]
    fn bits_index_the_error_codes() {
        assert_eq!(bit(FD_READ), 0);
        assert_eq!(bit(FD_CLOSE), 5);
        assert_eq!(bit(FD_ADDRESS_LIST_CHANGE), FD_MAX_EVENTS - 1);
    }
}
