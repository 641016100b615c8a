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
use super::ovl::{NetRec, NetSink};
use super::socket::Transport;
use super::tcp::TcpState;
use super::world::World;
use crate::contract::consts::*;
use crate::contract::overlapped::Event;
use crate::contract::quirks::Quirk;
use crate::contract::types::{NetworkEvents, Socket, WindowMessage};

/// The index of an `FD_*` bit in `iErrorCode`.
fn bit(fd: i32) -> usize {
    fd.trailing_zeros() as usize
}

/// The events of `new`, one bit each, in the order their messages are
/// posted: FD_CONNECT first ("An FD_WRITE message is posted when a socket
/// is first connected ... (after FD_CONNECT, if also registered)",
/// WSAAsyncSelect; sock.c:6346), then by bit (FD_READ before FD_WRITE,
/// sock.c:6670).
fn post_order(new: i32) -> impl Iterator<Item = i32> {
    let first = new & FD_CONNECT;
    let rest = new & !FD_CONNECT;
    std::iter::once(first)
        .chain((0..FD_MAX_EVENTS).map(move |i| rest & (1 << i)))
        .filter(|b| *b != 0)
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
        // "Issuing a WSAEventSelect for a socket cancels any previous
        // WSAAsyncSelect or WSAEventSelect for the same socket and clears
        // the internal network event record" (WSAEventSelect); lNetworkEvents 0
        // cancels (the record keeps only what WIN-EVENTSELECT-REPORTED
        // needs).
        let reported = match self.netsel.get(&s) {
            Some(r) if matches!(r.sink, NetSink::Event(_)) => r.reported,
            _ => 0,
        };
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
        self.net_select(host, s, NetSink::Event(event), mask, enabled, reported)
    }

    /// `WSAAsyncSelect(s, hwnd, msg, mask)`: as `WSAEventSelect`, but each
    /// event is posted to the window as a message of its own
    /// (`window_msgs`) instead of being recorded.
    pub(crate) fn async_select(
        &mut self,
        host: HostId,
        s: u64,
        hwnd: u64,
        msg: u32,
        mask: i32,
    ) -> Result<(), i32> {
        self.poll_start(host)?;
        self.check_sock(host, s)?;
        // model choice: a NULL hWnd is "the window handle not referring to
        // an existing window" (WSAEINVAL, the page's list) when events are
        // selected; a front end with real windows checks the rest.
        if mask != 0 && hwnd == 0 {
            return Err(WSAEINVAL);
        }
        // "If any event has occurred when the application calls
        // WSAAsyncSelect or when the reenabling function is called, then a
        // message is posted as appropriate" (WSAAsyncSelect, Remarks):
        // every condition that holds is posted, also one posted before
        // (sock.c:6100-6104, 6481-6486, 6589-6595, 6726-6733: Windows
        // posts again on each WSAAsyncSelect).
        let mut enabled = FD_ALL_EVENTS;
        // WIN-ASYNCSELECT-CONNECT: on Windows FD_CONNECT is posted only
        // when a stream socket's connection attempt ends while it is
        // selected (sock.c:6378-6381, 6403-6406, 6531-6536: not for a
        // socket already connected; 6425-6432: not for a datagram
        // socket's connect); the page posts it "When WSAAsyncSelect
        // called, if a connection is currently established".
        if self.quirk(Quirk::AsyncSelectConnect) && self.connect_ended(host, s) {
            enabled &= !FD_CONNECT;
        }
        self.net_select(host, s, NetSink::Window { hwnd, msg }, mask, enabled, 0)
    }

    /// The selection both calls make: the socket becomes non-blocking and
    /// gets a new record (the old one, and what it selected, gone).
    fn net_select(
        &mut self,
        host: HostId,
        s: u64,
        sink: NetSink,
        mask: i32,
        enabled: i32,
        reported: i32,
    ) -> Result<(), i32> {
        let queued = self.accept_queued(host, s);
        let held = self.held(host, s);
        // "The WSAEventSelect function automatically sets socket s to
        // nonblocking mode, regardless of the value of lNetworkEvents"
        // (WSAEventSelect, Remarks; WSAAsyncSelect's says the same of
        // lEvent).
        self.sock_mut(host, s)?.nonblocking = true;
        self.netsel.insert(
            s,
            NetRec {
                host,
                mask,
                sink,
                recorded: 0,
                errors: [0; FD_MAX_EVENTS],
                enabled,
                reported,
                queued,
                held,
            },
        );
        self.note_net_events();
        Ok(())
    }

    /// Whether `s` is a datagram socket or a stream socket whose
    /// connection attempt has ended (WIN-ASYNCSELECT-CONNECT).
    fn connect_ended(&self, host: HostId, s: u64) -> bool {
        match self.sock(host, s).map(|st| &st.transport) {
            Ok(Transport::Stream(t)) => {
                t.attempt > 0
                    && !matches!(t.state, TcpState::Connecting | TcpState::SynReceived { .. })
            }
            _ => true,
        }
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

    /// A datagram socket `s` was connected: WSAAsyncSelect posts FD_WRITE
    /// again, "After connect or accept called, when connection
    /// established" (WSAAsyncSelect's list; sock.c:6425-6430). The
    /// WSAEventSelect page records FD_WRITE "when a socket is first
    /// connected": an event record is left as it is.
    pub(crate) fn net_connected(&mut self, s: u64) {
        if let Some(r) = self.netsel.get_mut(&s) {
            if matches!(r.sink, NetSink::Window { .. }) {
                r.enabled |= FD_WRITE;
            }
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
            held: (0, 0),
            ..l.clone()
        };
        self.netsel.insert(accepted, rec);
    }

    /// Records, on every socket with events selected, each selected and
    /// enabled event whose condition holds now, and signals its event
    /// object or posts its window message. A closed socket's record goes.
    pub(crate) fn note_net_events(&mut self) {
        let mut from = 0u64;
        while let Some((&s, r)) = self.netsel.range(from..).next() {
            from = s + 1;
            let (host, mask, sink) = (r.host, r.mask, r.sink);
            let window = matches!(sink, NetSink::Window { .. });
            let Some((conds, errs)) = self.net_conditions(host, s, window) else {
                self.netsel.remove(&s);
                continue;
            };
            let queued = self.accept_queued(host, s);
            let held = self.held(host, s);
            // WIN-EVENTSELECT-ACCEPT-EACH: a new connection enables
            // FD_ACCEPT again (sock.c:6112-6119); not for window messages,
            // which wait for the accept (sock.c:6117, the page's "if
            // FD_ACCEPT not already posted").
            let each = !window && self.quirk(Quirk::EventSelectAcceptEach);
            // WIN-EVENTSELECT-READ-EACH: more data enables FD_READ again,
            // more urgent data FD_OOB (sock.c:6598-6603, 6735-6740); not
            // for window messages.
            let read_each = !window && self.quirk(Quirk::EventSelectReadEach);
            let r = self.netsel.get_mut(&s).expect("just read");
            if each && queued > r.queued {
                r.enabled |= FD_ACCEPT;
                r.reported &= !FD_ACCEPT;
            }
            if read_each {
                let more = (held.0 > r.held.0, held.1 > r.held.1);
                let bits = [(more.0, FD_READ), (more.1, FD_OOB)];
                for (more, b) in bits {
                    if more {
                        r.enabled |= b;
                        r.reported &= !b;
                    }
                }
            }
            r.queued = queued;
            r.held = held;
            let new = conds & mask & r.enabled;
            if new == 0 {
                continue;
            }
            // WSAEventSelect: "Having successfully recorded the occurrence of the
            // network event (by setting the corresponding bit in the
            // internal network event record) and signaled the associated
            // event object, no further actions are taken for that network
            // event until the application makes the function call that
            // implicitly reenables"; WSAAsyncSelect says the same of a
            // posted message.
            r.enabled &= !new;
            match sink {
                NetSink::Event(ev) => {
                    r.recorded |= new;
                    for (i, e) in errs.iter().enumerate() {
                        if new & (1 << i) != 0 {
                            r.errors[i] = *e;
                        }
                    }
                    if let Some(e) = self.wsa_events.get_mut(&ev) {
                        e.signaled = true;
                    }
                }
                NetSink::Window { hwnd, msg } => {
                    let socket = Socket(self.handles.handle(s));
                    for event in post_order(new) {
                        let error = errs[bit(event)];
                        let m = WindowMessage {
                            hwnd,
                            msg,
                            socket,
                            event,
                            error,
                        };
                        self.window_msgs.push((host, m));
                    }
                }
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

    /// The bytes `s` holds to be read and the urgent bytes it holds apart
    /// (WIN-EVENTSELECT-READ-EACH).
    fn held(&self, host: HostId, s: u64) -> (usize, usize) {
        match self.sock(host, s) {
            Ok(st) => {
                let urgent = match &st.transport {
                    Transport::Stream(t) => t.oob.len(),
                    Transport::Dgram(_) => 0,
                };
                (st.readable_bytes(), urgent)
            }
            Err(_) => (0, 0),
        }
    }

    /// Which network events' conditions hold on `s` now, with their error
    /// codes; `None` when `s` is no longer a socket of `host`.
    /// `window`: for `WSAAsyncSelect`'s messages.
    fn net_conditions(
        &self,
        host: HostId,
        s: u64,
        window: bool,
    ) -> Option<(i32, [i32; FD_MAX_EVENTS])> {
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
            // socket's FD_WRITE starts when it is bound, by bind or by its
            // connect, which records FD_CONNECT too (sock.c:6413-6433,
            // 3714-3740).
            Transport::Dgram(_) if !window && self.quirk(Quirk::EventSelectDgramConnect) => {
                if st.peer.is_some() {
                    c |= FD_CONNECT;
                }
                if st.local.is_some() && ready.has(super::poll::Ready::WRITE) {
                    c |= FD_WRITE;
                }
            }
            Transport::Dgram(_) => {
                // model choice: a datagram socket is "connected" for
                // FD_WRITE from its creation (it sends without a connect);
                // WSAAsyncSelect's FD_WRITE: "When WSAAsyncSelect called,
                // if a send or sendto is possible" (sock.c:6410-6412).
                if ready.has(super::poll::Ready::WRITE) {
                    c |= FD_WRITE;
                }
                // FD_CONNECT: "After connect called, when connection is
                // established, even when connect succeeds immediately, as
                // is typical with a datagram socket" (WSAAsyncSelect);
                // not on Windows (WIN-ASYNCSELECT-CONNECT).
                if window && st.peer.is_some() && !self.quirk(Quirk::AsyncSelectConnect) {
                    c |= FD_CONNECT;
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
                        // WIN-FDCLOSE-ABORTED: a reset is WSAECONNABORTED
                        // on Windows (sock.c:6889-6906).
                        errs[bit(FD_CLOSE)] =
                            if e == WSAECONNRESET && self.quirk(Quirk::CloseEventAborted) {
                                WSAECONNABORTED
                            } else {
                                e
                            };
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
