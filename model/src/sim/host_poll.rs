//! `WSAPoll` and `select` on [`SimHost`]: the checks of each call, in the
//! order Windows makes them, the map from a socket's readiness (`poll.rs`)
//! to `revents` or to the three sets, and one trace line per call.
//!
//! Sources: Microsoft's `WSAPoll` and `select` pages, and Wine's
//! `test_WSAPoll`, `test_select` and `test_tcp_reset` in
//! `dlls/ws2_32/tests/sock.c` (Debian's wine 8.0~repack-4), which the Wine
//! project runs on Windows: a plain `ok()` there is what Windows does.

use super::host::{c, SimHost};
use super::poll::{negative, Ready};
use super::sched_state::Step;
use super::world::World;
use crate::contract::consts::*;
use crate::contract::overlapped::Event;
use crate::contract::quirks::Quirk;
use crate::contract::types::Socket;
use crate::contract::types::{NetworkEvents, PollFd};
use crate::contract::WsaError;
use std::time::Duration;

/// The conditions a `WSAPoll` element asking `events` waits for: what it
/// asked, and the errors, which "are always returned, so information on
/// them need not be requested" (`WSAPoll`, Remarks).
fn poll_mask(events: i16) -> Ready {
    let mut m = Ready::HUP | Ready::RESET | Ready::CONNECT_ERR | Ready::CLOSED;
    if events & POLLRDNORM != 0 {
        m = m | Ready::READ | Ready::ACCEPT;
    }
    if events & POLLRDBAND != 0 {
        m = m | Ready::OOB;
    }
    if events & POLLWRNORM != 0 {
        m = m | Ready::WRITE;
    }
    m
}

/// `revents` for the conditions `r` of an element that asked `events`.
fn revents(r: Ready, events: i16) -> i16 {
    let mut v = 0;
    if r.has(Ready::READ | Ready::ACCEPT) {
        v |= POLLRDNORM;
    }
    if r.has(Ready::OOB) {
        v |= POLLRDBAND;
    }
    // A connection attempt that failed is POLLWRNORM | POLLHUP | POLLERR
    // (sock.c:8113, 8125, on Windows 10); a reset POLLERR | POLLHUP with
    // POLLWRNORM (sock.c:13332).
    if r.has(Ready::WRITE | Ready::CONNECT_ERR) {
        v |= POLLWRNORM;
    }
    v &= events;
    if r.has(Ready::HUP) {
        v |= POLLHUP;
    }
    if r.has(Ready::RESET | Ready::CONNECT_ERR) {
        v |= POLLHUP | POLLERR;
    }
    // `WSAPoll`, Remarks: POLLNVAL "when the local socket is closed"
    // (sock.c:8058-8066: closed while the call waits).
    if r.has(Ready::CLOSED) {
        v |= POLLNVAL;
    }
    v
}

/// The names of the `POLL*` flags in `v`, for the trace.
pub(crate) fn poll_flags(v: i16) -> String {
    const NAMES: [(i16, &str); 7] = [
        (POLLRDNORM, "RDNORM"),
        (POLLRDBAND, "RDBAND"),
        (POLLWRNORM, "WRNORM"),
        (POLLERR, "ERR"),
        (POLLHUP, "HUP"),
        (POLLNVAL, "NVAL"),
        (POLLPRI, "PRI"),
    ];
    let mut parts: Vec<String> = NAMES
        .iter()
        .filter(|(f, _)| v & f != 0)
        .map(|(_, n)| n.to_string())
        .collect();
    let known = NAMES.iter().fold(0, |a, (f, _)| a | f);
    if v & !known != 0 {
        parts.push(format!("{:#x}", v & !known));
    }
    if parts.is_empty() {
        "0".into()
    } else {
        parts.join("|")
    }
}

fn fds_text(fds: &[(Socket, i16)]) -> String {
    let v: Vec<String> = fds
        .iter()
        .map(|(s, f)| format!("{:#x} {}", s.0, poll_flags(*f)))
        .collect();
    format!("[{}]", v.join(", "))
}

fn set_text(set: &Option<Vec<Socket>>) -> String {
    match set {
        None => "NULL".into(),
        Some(v) => {
            let v: Vec<String> = v.iter().map(|s| format!("{:#x}", s.0)).collect();
            format!("[{}]", v.join(","))
        }
    }
}

fn duration_text(d: Option<Duration>) -> String {
    match d {
        None => "infinite".into(),
        Some(d) => format!("{}.{:06}s", d.as_secs(), d.subsec_micros()),
    }
}

/// `s` added to `set` unless it is there.
fn add(set: &mut Vec<Socket>, s: Socket) {
    if !set.contains(&s) {
        set.push(s);
    }
}

/// The sets a `select` returns: each one's sockets that are ready, in
/// their input order, each once.
type Sets = (
    Option<Vec<Socket>>,
    Option<Vec<Socket>>,
    Option<Vec<Socket>>,
);

impl World {
    /// The body of `WSAPoll`: the count and `revents` for each element
    /// (some failures write `revents` too: into `out`).
    fn poll_body(
        &mut self,
        host: super::net::HostId,
        fds: &[(Socket, i16)],
        timeout_ms: i32,
        valid_at_entry: &mut Option<Vec<bool>>,
        out: &mut Option<Vec<i16>>,
    ) -> Step<(usize, Vec<i16>)> {
        self.poll_start(host).map_err(c_err)?;
        // `WSAPoll`: WSAEINVAL, "An invalid parameter was passed"
        // (sock.c:7775-7789: no elements, with a NULL array or not).
        if fds.is_empty() {
            return Err(c_err(WSAEINVAL).into());
        }
        // Every revents is written, also when the call fails for an
        // element's events (sock.c:7852-7856: both cleared).
        *out = Some(vec![0; fds.len()]);
        // The sockets that were sockets when the call began (a socket
        // closed while it waits is POLLNVAL and counted; one that was never
        // a socket is POLLNVAL and not counted).
        let valid = valid_at_entry
            .get_or_insert_with(|| {
                fds.iter()
                    .map(|(s, _)| self.sock(host, self.handles.id(s.0)).is_ok())
                    .collect()
            })
            .clone();
        if !valid.iter().any(|&v| v) {
            // No element has a socket: every element POLLNVAL (model
            // choice: the page says nothing of revents on failure), and
            // WSAEINVAL "if none of the sockets ... were valid" (`WSAPoll`);
            // WIN-POLL-NO-SOCKET-ENOTSOCK: WSAENOTSOCK.
            *out = Some(vec![POLLNVAL; fds.len()]);
            let e = if self.quirk(Quirk::PollNoSocketEnotsock) {
                WSAENOTSOCK
            } else {
                WSAEINVAL
            };
            return Err(c_err(e).into());
        }
        // An events value that is not a combination of POLLRDNORM,
        // POLLRDBAND and POLLWRNORM: WSAEINVAL (`WSAPoll`, Remarks; sock.c
        // 7800-7809, 7901-7909), also for an element whose socket is not
        // one (sock.c:7846-7856), but not for a "negative" one
        // (sock.c:7820-7831: INVALID_SOCKET with POLLERR is POLLNVAL).
        if fds
            .iter()
            .any(|(s, ev)| !negative(*s) && ev & !POLL_EVENTS_VALID != 0)
        {
            return Err(c_err(WSAEINVAL).into());
        }
        let deadline = match timeout_ms {
            0 => Some(self.now),
            t if t < 0 => None,
            t => Some(self.now + u64::from(t.unsigned_abs()) * 1_000_000),
        };
        let entries: Vec<(u64, Ready)> = fds
            .iter()
            .zip(&valid)
            .filter(|(_, v)| **v)
            .map(|((s, ev), _)| (self.handles.id(s.0), poll_mask(*ev)))
            .collect();
        let found = self.wait_ready(host, &entries, deadline, "WSAPoll")?;
        let mut found = found.into_iter();
        let uncounted = self.quirk(Quirk::PollNvalUncounted);
        let mut rev = Vec::with_capacity(fds.len());
        let mut n = 0;
        for ((_, ev), v) in fds.iter().zip(&valid) {
            if *v {
                let r = revents(found.next().expect("one per entry"), *ev);
                n += usize::from(r != 0);
                rev.push(r);
            } else {
                // Not a socket: POLLNVAL; counted, as every element whose
                // revents is nonzero is ("the number of elements in the
                // fdarray for which an revents member of the POLLFD
                // structure is nonzero", `WSAPoll`); WIN-POLL-NVAL-UNCOUNTED:
                // not counted.
                n += usize::from(!uncounted);
                rev.push(POLLNVAL);
            }
        }
        Ok((n, rev))
    }

    /// The body of `select`.
    fn select_body(
        &mut self,
        host: super::net::HostId,
        sets: &Sets,
        deadline_ns: Option<u64>,
    ) -> Step<Sets> {
        self.poll_start(host).map_err(c_err)?;
        let all = [&sets.0, &sets.1, &sets.2];
        // "Any two of the parameters, readfds, writefds, or exceptfds, can
        // be given as null. At least one must be non-null, and any non-null
        // descriptor set must contain at least one handle to a socket";
        // WSAEINVAL: "all three descriptor parameters were null" (`select`).
        // Windows: also when every set given is empty (sock.c:4032-4040).
        if all.iter().all(|s| s.as_ref().is_none_or(Vec::is_empty)) {
            return Err(c_err(WSAEINVAL).into());
        }
        let resuming = self.resuming();
        // WSAENOTSOCK: "One of the descriptor sets contains an entry that
        // is not a socket" (`select`; sock.c:4042-4062). (A call run again
        // after a wait finds a socket closed meanwhile: below.)
        if !resuming
            && all
                .iter()
                .flat_map(|s| s.iter().flatten())
                .any(|s| self.sock(host, self.handles.id(s.0)).is_err())
        {
            return Err(c_err(WSAENOTSOCK).into());
        }
        // What each set asks (`select`): readfds, "If listen has been
        // called and a connection is pending, accept will succeed. Data is
        // available for reading (includes OOB data if SO_OOBINLINE is
        // enabled). Connection has been closed/reset/terminated."; writefds,
        // "If processing a connect call (nonblocking), connection has
        // succeeded. Data can be sent."; exceptfds, "If processing a connect
        // call (nonblocking), connection attempt failed. OOB data is
        // available for reading (only if SO_OOBINLINE is disabled)." A
        // reset is readable and writable, not exceptional (sock.c:13334-13344).
        let masks = [
            Ready::READ | Ready::ACCEPT | Ready::HUP | Ready::RESET | Ready::CLOSED,
            Ready::WRITE | Ready::CLOSED,
            Ready::OOB | Ready::CONNECT_ERR | Ready::CLOSED,
        ];
        let mut entries = vec![];
        for (set, mask) in all.iter().zip(masks) {
            for s in set.iter().flatten() {
                entries.push((self.handles.id(s.0), mask));
            }
        }
        let found = self.wait_ready(host, &entries, deadline_ns, "select")?;
        let mut found = found.into_iter();
        let mut out: [Option<Vec<Socket>>; 3] = [None, None, None];
        let mut closed = vec![];
        for (k, set) in all.iter().enumerate() {
            let Some(set) = set else { continue };
            let mut ready = vec![];
            for &s in set {
                let r = found.next().expect("one per entry");
                if r.has(Ready::CLOSED) {
                    closed.push((k, s));
                }
                if !r.is_empty() {
                    add(&mut ready, s);
                }
            }
            out[k] = Some(ready);
        }
        // model choice: a socket closed while select waits is readable
        // when it is in the read set (sock.c:4000-4012: "closesocket did
        // not wake up select" otherwise); in the other sets only, the call
        // fails with WSAENOTSOCK.
        for (k, s) in &closed {
            let in_read = sets.0.as_ref().is_some_and(|r| r.contains(s));
            if !in_read {
                return Err(c_err(WSAENOTSOCK).into());
            }
            if *k != 0 {
                if let Some(v) = out[*k].as_mut() {
                    v.retain(|x| x != s);
                }
            }
        }
        let [r, w, e] = out;
        Ok((r, w, e))
    }
}

fn c_err(code: i32) -> WsaError {
    WsaError::Code(code)
}

impl SimHost {
    /// Whether socket `s` of this host has something for a receive or an
    /// accept now (data, a connection to accept, the end of the stream,
    /// a reset), after the events due by now: what `WSAPoll` would report
    /// as `POLLRDNORM`, asked without a trace line or a scheduling point.
    /// For a front end that completes operations the model does not post
    /// itself (the DLL's `AcceptEx`); `false` for no such socket.
    pub fn readable_now(&self, s: Socket) -> bool {
        let mut w = self.world.lock();
        let now = w.now;
        w.advance_to(now);
        let id = w.handles.id(s.0);
        w.readiness(self.host, id).is_some_and(|r| {
            r.has(super::poll::Ready::READ)
                || r.has(super::poll::Ready::ACCEPT)
                || r.has(super::poll::Ready::HUP)
                || r.has(super::poll::Ready::RESET)
        })
    }

    /// The conditions of socket `s` of this host as Windows' AFD driver
    /// reports them to `IOCTL_AFD_POLL`, as its `AFD_POLL_*` bits, after
    /// the events due by now, without a trace line or a scheduling point:
    /// `RECEIVE` 0x1 (data), `RECEIVE_EXPEDITED` 0x2 (urgent data held
    /// apart), `SEND` 0x4, `DISCONNECT` 0x8 (the peer's FIN), `ABORT` 0x10
    /// (the connection broke), `CONNECT` 0x40 (a connected stream socket:
    /// Wine's `dlls/ws2_32/tests/afd.c:338-339`, run on Windows, has
    /// `AFD_POLL_WRITE | AFD_POLL_CONNECT` on both ends of a new
    /// connection), `ACCEPT` 0x80, `CONNECT_FAIL` 0x100. `None` for no such
    /// socket. For a front end that answers AFD polls (the DLL).
    pub fn afd_events_now(&self, s: Socket) -> Option<u32> {
        use super::poll::Ready;
        let mut w = self.world.lock();
        let now = w.now;
        w.advance_to(now);
        let id = w.handles.id(s.0);
        let r = w.readiness(self.host, id)?;
        let connected = w
            .sock(self.host, id)
            .ok()
            .and_then(|st| match &st.transport {
                super::socket::Transport::Stream(t) => {
                    Some(t.state == super::tcp::TcpState::Established)
                }
                super::socket::Transport::Dgram(_) => None,
            })
            .unwrap_or(false);
        let bits = [
            (Ready::READ, 0x1),
            (Ready::OOB, 0x2),
            (Ready::WRITE, 0x4),
            (Ready::HUP, 0x8),
            (Ready::RESET, 0x10),
            (Ready::ACCEPT, 0x80),
            (Ready::CONNECT_ERR, 0x100),
        ];
        let mut ev = bits
            .iter()
            .filter(|(b, _)| r.has(*b))
            .fold(0, |a, (_, v)| a | v);
        if connected {
            ev |= 0x40;
        }
        Some(ev)
    }

    /// `WSAPoll`: the status of each element's socket in its `revents`;
    /// returns how many elements have a nonzero `revents` (under
    /// `WIN-POLL-NVAL-UNCOUNTED`, of those that name a socket).
    ///
    /// `timeout_ms`: 0 returns at once, a negative value waits
    /// indefinitely, a positive one waits that many milliseconds of
    /// virtual time (`WSAPoll`, *timeout*). The wait ends when any element
    /// has a status to report; it is alertable (completion routines
    /// queued to the thread run in it). Readiness is read from the
    /// socket's state, without doing anything to it: data or a zero-length
    /// message (`POLLRDNORM`), urgent data held apart (`POLLRDBAND`), room
    /// in the send buffer (`POLLWRNORM`), a connection to accept
    /// (`POLLRDNORM`), the peer's FIN (`POLLHUP`), a broken connection
    /// (`POLLHUP | POLLERR`), a failed connection attempt
    /// (`POLLWRNORM | POLLHUP | POLLERR`); errors are reported whatever
    /// `events` asks.
    ///
    /// Failures, in the order Windows checks: `WSANOTINITIALISED`,
    /// `WSAENETDOWN`; `WSAEINVAL` for no elements; `WSAEINVAL` when no
    /// element has a socket (all `POLLNVAL`; `WSAENOTSOCK` under
    /// `WIN-POLL-NO-SOCKET-ENOTSOCK`); `WSAEINVAL` when an element's
    /// `events` has a flag other than `POLLRDNORM`, `POLLRDBAND` and
    /// `POLLWRNORM` (every `revents` 0). An element whose socket is not
    /// one gets `POLLNVAL` (counted, as the page counts every nonzero
    /// `revents`, but not under `WIN-POLL-NVAL-UNCOUNTED`).
    ///
    /// ```
    /// use winsock_double::*;
    /// use winsock_double::sim::{PollFd, POLLRDNORM, POLLWRNORM};
    /// let sim = Sim::new(1);
    /// let h = sim.add_host("h", &[]).unwrap();
    /// h.wsa_startup(WINSOCK_VERSION_2_2).unwrap();
    /// let rx = h.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    /// h.bind(rx, &"127.0.0.1:5000".parse().unwrap()).unwrap();
    /// let mut fds = [PollFd::new(rx, POLLRDNORM | POLLWRNORM)];
    /// assert_eq!(h.poll(&mut fds, 0).unwrap(), 1);
    /// assert_eq!(fds[0].revents, POLLWRNORM);
    /// let tx = h.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    /// h.send_to(tx, b"hi", &"127.0.0.1:5000".parse().unwrap()).unwrap();
    /// fds[0].events = POLLRDNORM;
    /// assert_eq!(h.poll(&mut fds, 1000).unwrap(), 1); // waits in virtual time
    /// assert_eq!(fds[0].revents, POLLRDNORM);
    /// ```
    #[track_caller]
    pub fn poll(&self, fds: &mut [PollFd], timeout_ms: i32) -> Result<usize, WsaError> {
        let h = self.host;
        let input: Vec<(Socket, i16)> = fds.iter().map(|f| (f.socket, f.events)).collect();
        let shown = if self.tracing {
            fds_text(&input)
        } else {
            String::new()
        };
        let mut valid = None;
        let mut out: Option<Vec<i16>> = None;
        let r = self.call_with(
            "WSAPoll",
            || format!("{shown}, {timeout_ms}"),
            |w: &mut World| w.poll_body(h, &input, timeout_ms, &mut valid, &mut out),
            |(n, rev)| {
                let rev: Vec<(Socket, i16)> =
                    input.iter().zip(rev).map(|((s, _), r)| (*s, *r)).collect();
                format!("ok {n} {}", fds_text(&rev))
            },
        );
        let rev = match &r {
            Ok((_, rev)) => Some(rev),
            Err(_) => out.as_ref(),
        };
        for (f, r) in fds.iter_mut().zip(rev.into_iter().flatten()) {
            f.revents = *r;
        }
        r.map(|(n, _)| n)
    }

    /// `select`: each set given (`Some`) is replaced by those of its
    /// sockets that are ready for what the set asks, in their order, each
    /// once; returns the total number of sockets in the three.
    ///
    /// `read`: a connection to accept, data to read (urgent data too with
    /// `SO_OOBINLINE`), the connection closed, reset or ended; `write`: a
    /// connection made, room to send; `except`: a connection attempt
    /// failed, urgent data held apart (`select`, *readfds*, *writefds*,
    /// *exceptfds*). `timeout`: `None` blocks until a socket is ready;
    /// zero returns at once; the wait is in virtual time and alertable.
    ///
    /// Failures: `WSANOTINITIALISED`, `WSAENETDOWN`; `WSAEINVAL` when no
    /// set is given or every set given is empty; `WSAENOTSOCK` when a set
    /// holds a handle that is no socket. (Pointer faults and the C
    /// `fd_set` layout, `WSAEFAULT`, are the caller's: the DLL's.)
    #[track_caller]
    pub fn select(
        &self,
        read: Option<&mut Vec<Socket>>,
        write: Option<&mut Vec<Socket>>,
        except: Option<&mut Vec<Socket>>,
        timeout: Option<Duration>,
    ) -> Result<usize, WsaError> {
        let h = self.host;
        let sets: Sets = (
            read.as_deref().cloned(),
            write.as_deref().cloned(),
            except.as_deref().cloned(),
        );
        let shown = if self.tracing {
            format!(
                "read={}, write={}, except={}, {}",
                set_text(&sets.0),
                set_text(&sets.1),
                set_text(&sets.2),
                duration_text(timeout)
            )
        } else {
            String::new()
        };
        let ns = timeout.map(|d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
        let r = self.call_with(
            "select",
            || shown,
            |w: &mut World| {
                let deadline = ns.map(|d| w.now.saturating_add(d));
                w.select_body(h, &sets, deadline)
            },
            |(r, w, e)| {
                let n = [r, w, e]
                    .iter()
                    .map(|s| s.as_ref().map_or(0, Vec::len))
                    .sum::<usize>();
                format!(
                    "ok {n} read={} write={} except={}",
                    set_text(r),
                    set_text(w),
                    set_text(e)
                )
            },
        );
        let (r, w, e) = r?;
        let mut n = 0;
        for (dst, got) in [(read, r), (write, w), (except, e)] {
            if let (Some(dst), Some(got)) = (dst, got) {
                n += got.len();
                *dst = got;
            }
        }
        Ok(n)
    }
}

/// `WSAEventSelect` and `WSAEnumNetworkEvents` (their rules: `netevents.rs`).
impl SimHost {
    /// `WSAEventSelect` (`WinsockOverlapped::wsa_event_select`).
    #[track_caller]
    pub fn event_select(
        &self,
        s: Socket,
        event: Option<Event>,
        network_events: i32,
    ) -> Result<(), WsaError> {
        let h = self.host;
        self.call(
            "WSAEventSelect",
            || format!("{:#x}, {:?}, {network_events:#x}", s.0, event.map(|e| e.0)),
            |w| c(w.event_select(h, w.handles.id(s.0), event, network_events)),
        )
    }

    /// `WSAEnumNetworkEvents`
    /// (`WinsockOverlapped::wsa_enum_network_events`).
    #[track_caller]
    pub fn enum_network_events(
        &self,
        s: Socket,
        event: Option<Event>,
    ) -> Result<NetworkEvents, WsaError> {
        let h = self.host;
        self.call(
            "WSAEnumNetworkEvents",
            || format!("{:#x}, {:?}", s.0, event.map(|e| e.0)),
            |w| c(w.enum_network_events(h, w.handles.id(s.0), event)),
        )
    }

    /// Whether event `e` of this host is signalled, resetting it: for a
    /// front end that hands the model's events on to real objects (the
    /// DLL sets a program's event for the model's stand-in that
    /// `WSAEventSelect` named). Untraced; false for a handle that is no
    /// event of the host.
    pub fn take_signal(&self, e: Event) -> bool {
        let mut w = self.world.lock();
        match w.wsa_events.get_mut(&e) {
            Some(ev) if ev.host == self.host => std::mem::take(&mut ev.signaled),
            _ => false,
        }
    }
}

/// An overlapped receive re-enables FD_READ and FD_OOB as the direct ones
/// do ("WSARecv", WSAEventSelect's table; sock.c:6620-6627: each
/// overlapped one-byte receive records FD_READ again while data remains);
/// recorded at the end of the call. One `is_empty` while no socket
/// selected events.
pub(super) fn reenable_by_overlapped(w: &mut World, op: &super::ovl::Op) {
    if w.netsel.is_empty() || !matches!(op.kind, crate::contract::DataCall::Recv(_)) {
        return;
    }
    let id = w.handles.id(op.socket);
    w.net_reenable(id, FD_READ | FD_OOB);
}
