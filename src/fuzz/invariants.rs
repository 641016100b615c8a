//! Invariants checked on every run, each usable on its own.
//!
//! They read a scenario and its [`RunReport`] (what each step gave), so they
//! apply to any run: a generated one, a corpus scenario, a replay. Each
//! returns the first [`Violation`] it finds. The data invariants follow one
//! sequence of calls: in a program with threads (`spawn` steps) they do
//! not apply and pass (the thread tests check those programs).
//!
//! | check | holds when |
//! |---|---|
//! | [`datagrams_unaltered`] | every datagram received is one sent to that socket, or its prefix with the truncation reported; none is received twice unless the run duplicates datagrams |
//! | [`stream_intact`] | the bytes read from each end of a connection are a prefix of the bytes written at the other end, in order, none twice; a peek shows what comes next |
//! | [`results_allowed`] | every result of WSARecv/WSARecvFrom, WSARecvMsg and WSASendMsg is success or a code the clause table names for that call |
//! | [`no_panic`] | the run ends without a panic |
//! | [`same_trace`] | two runs with the same seed give the same steps and trace, byte for byte |

use crate::scenario::format::{from_hex, AddrSpec, CmsgSpec, Op, Scenario};
use crate::scenario::names;
use crate::scenario::runner::{run, RunReport, SimBackend, Verdict};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use winsock_model::consts::{IPPROTO_UDP, UDP_RECV_MAX_COALESCED_SIZE, UDP_SEND_MSG_SIZE};
use winsock_model::{Profile, CLAUSES};

/// A broken invariant: which, at which step, and what was seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The invariant's name (`"datagrams_unaltered"`, ...).
    pub invariant: &'static str,
    /// The step where it broke, when one step shows it.
    pub step: Option<usize>,
    /// What was seen.
    pub detail: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.step {
            Some(i) => write!(f, "{} broken at step {i}: {}", self.invariant, self.detail),
            None => write!(f, "{} broken: {}", self.invariant, self.detail),
        }
    }
}

impl std::error::Error for Violation {}

fn violation(invariant: &'static str, step: Option<usize>, detail: String) -> Violation {
    Violation {
        invariant,
        step,
        detail,
    }
}

/// The main thread's steps with their records (thread steps are skipped:
/// the invariants follow one sequence of calls).
fn main_steps<'a>(
    sc: &'a Scenario,
    r: &'a RunReport,
) -> impl Iterator<Item = (usize, &'a Op, &'a crate::scenario::runner::StepRecord)> {
    r.steps
        .iter()
        .filter(|s| !s.op.contains(": "))
        .filter_map(move |s| sc.steps.get(s.index).map(|st| (s.index, &st.op, s)))
}

/// Each socket's type; the simulated message protocols count as
/// `"SIM"` (their datagrams come in pieces: `tests/message_props.rs`
/// checks them).
fn socket_types(sc: &Scenario) -> BTreeMap<&str, &str> {
    sc.steps
        .iter()
        .filter_map(|s| match &s.op {
            Op::Socket {
                name, ty, protocol, ..
            } => Some((
                name.as_str(),
                match protocol {
                    Some(p) if p.starts_with("IPPROTO_SIM_") => "SIM",
                    _ => ty.as_str(),
                },
            )),
            _ => None,
        })
        .collect()
}

fn threaded(sc: &Scenario) -> bool {
    sc.steps.iter().any(|s| matches!(s.op, Op::Spawn { .. }))
}

/// The sockets bound to a fixed port, by port.
fn bound_ports(sc: &Scenario) -> BTreeMap<u16, &str> {
    sc.steps
        .iter()
        .filter_map(|s| match &s.op {
            Op::Bind {
                socket,
                addr: AddrSpec::Literal(a),
            } => a
                .parse::<std::net::SocketAddr>()
                .ok()
                .filter(|a| a.port() != 0)
                .map(|a| (a.port(), socket.as_str())),
            _ => None,
        })
        .collect()
}

/// The socket a send addresses: named, or bound to the literal's port.
fn destination<'a>(to: &'a AddrSpec, bound: &BTreeMap<u16, &'a str>) -> Option<&'a str> {
    match to {
        AddrSpec::Socket { socket, .. } => Some(socket),
        AddrSpec::Literal(a) => {
            let port = a.parse::<std::net::SocketAddr>().ok()?.port();
            bound.get(&port).copied()
        }
    }
}

/// The call a step's completion routine makes, if any.
fn routine_post(op: &Op) -> Option<&Op> {
    match op {
        Op::Send { ovl, .. }
        | Op::SendTo { ovl, .. }
        | Op::SendMsg { ovl, .. }
        | Op::Recv { ovl, .. }
        | Op::RecvFrom { ovl, .. }
        | Op::RecvMsg { ovl, .. } => ovl.as_ref()?.routine.as_ref()?.post.as_deref(),
        _ => None,
    }
}

fn data_of(o: &crate::scenario::runner::Outcome) -> Option<Vec<u8>> {
    o.data.as_deref().and_then(|h| from_hex(h).ok())
}

fn has_flag(flags: &[String], name: &str) -> bool {
    flags.iter().any(|f| f == name)
}

/// No datagram is altered: each one received is a sent one, or its prefix
/// with `WSAEMSGSIZE` (the truncation reported), and none is taken twice
/// unless `duplicates` (the run's datagram faults may deliver twice).
///
/// A send the profile may cut into segments (`WIN-USO`: a
/// `UDP_SEND_MSG_SIZE` control object, or the option set on its socket)
/// counts as sent whole and as its segments; a receive on a socket with
/// `UDP_RECV_MAX_COALESCED_SIZE` set (`WIN-URO`) may be a run of sent
/// datagrams, end to end.
pub fn datagrams_unaltered(
    sc: &Scenario,
    r: &RunReport,
    duplicates: bool,
) -> Result<(), Violation> {
    const NAME: &str = "datagrams_unaltered";
    if threaded(sc) {
        return Ok(());
    }
    let types = socket_types(sc);
    let dgram = |s: &str| types.get(s).is_some_and(|t| *t == "SOCK_DGRAM");
    let bound = bound_ports(sc);
    // Sent datagrams, per destination socket: (step, piece, payload); piece
    // 0 is the whole send, 1.. its segments.
    let mut sent: BTreeMap<&str, Vec<Sent>> = BTreeMap::new();
    // UDP_SEND_MSG_SIZE per socket; sockets with UDP_RECV_MAX_COALESCED_SIZE.
    let mut segment: BTreeMap<&str, usize> = BTreeMap::new();
    let mut coalescing: BTreeSet<&str> = BTreeSet::new();
    // Receives that reported data: (step, socket, outcome, peek).
    let mut seen = vec![];
    // Overlapped receives posted, per (socket, OVERLAPPED id): the posting
    // step, and whether its completion was counted already.
    // (And whether it peeks: WIN-OVL-PEEK-PROBE leaves the datagram.)
    let mut posted: BTreeMap<(&str, u64), (usize, bool, bool)> = BTreeMap::new();
    for (i, op, rec) in main_steps(sc, r) {
        if matches!(rec.verdict, Verdict::Skipped | Verdict::Error) {
            continue;
        }
        let o = &rec.outcome;
        // A send a completion routine makes may happen while this step
        // waits: counted as sent from here on.
        if let Some(
            Op::SendTo {
                to: Some(to), data, ..
            }
            | Op::SendMsg {
                to: Some(to), data, ..
            },
        ) = routine_post(op)
        {
            if let (Some(dst), Ok(bytes)) = (destination(to, &bound), data.bytes()) {
                sent.entry(dst).or_default().push((i, 0, bytes));
            }
        }
        match op {
            Op::Setsockopt {
                socket,
                level,
                name,
                value: Some(v),
                ..
            } if o.result == "ok" && names::int(level) == Ok(IPPROTO_UDP) => {
                match names::int(name) {
                    Ok(UDP_SEND_MSG_SIZE) => {
                        segment.insert(socket.as_str(), *v as u32 as usize);
                    }
                    Ok(UDP_RECV_MAX_COALESCED_SIZE) if *v != 0 => {
                        coalescing.insert(socket.as_str());
                    }
                    Ok(UDP_RECV_MAX_COALESCED_SIZE) => {
                        coalescing.remove(socket.as_str());
                    }
                    _ => {}
                }
            }
            Op::SendTo {
                socket,
                to: Some(to),
                data,
                ovl,
                ..
            }
            | Op::SendMsg {
                socket,
                to: Some(to),
                data,
                ovl,
                ..
            } if dgram(socket) => {
                if let Some(v) = ovl {
                    posted.remove(&(socket.as_str(), v.id));
                }
                // An overlapped send that pends is counted as sent: what is
                // received must be among what may have been sent.
                let pending = ovl.is_some() && o.result == "WSA_IO_PENDING";
                let Some(dst) = destination(to, &bound).filter(|_| o.result == "ok" || pending)
                else {
                    continue;
                };
                let bytes = data.bytes().map_err(|e| violation(NAME, Some(i), e))?;
                let control_size = match op {
                    Op::SendMsg { control, .. } => control.iter().find_map(|c| match c {
                        CmsgSpec::Int { level, kind, value }
                            if names::int(level) == Ok(IPPROTO_UDP)
                                && names::int(kind) == Ok(UDP_SEND_MSG_SIZE) =>
                        {
                            names::int(value).ok().map(|v| v as u32 as usize)
                        }
                        _ => None,
                    }),
                    _ => None,
                };
                let seg = control_size
                    .or_else(|| segment.get(socket.as_str()).copied())
                    .unwrap_or(0);
                let list = sent.entry(dst).or_default();
                if seg > 0 && bytes.len() > seg {
                    for (k, piece) in bytes.chunks(seg).enumerate() {
                        list.push((i, k + 1, piece.to_vec()));
                    }
                }
                list.push((i, 0, bytes));
            }
            Op::Recv { socket, ovl, .. }
            | Op::RecvFrom { socket, ovl, .. }
            | Op::RecvMsg { socket, ovl, .. }
                if dgram(socket) =>
            {
                let peek = matches!(op, Op::Recv { flags, .. } | Op::RecvFrom { flags, .. } | Op::RecvMsg { flags, .. } if has_flag(flags, "MSG_PEEK"));
                if let Some(v) = ovl {
                    let pending = o.result == "WSA_IO_PENDING";
                    // A post refused at once started nothing and wrote
                    // nothing to the OVERLAPPED (RECV-NO-COMPLETION-ON-ERROR):
                    // a later WSAGetOverlappedResult still reports the
                    // earlier operation, counted or not as it was.
                    if !pending && o.data.is_none() {
                        continue;
                    }
                    // Counted when reported: at once, or by a later
                    // WSAGetOverlappedResult.
                    let done = !pending;
                    posted.insert((socket.as_str(), v.id), (i, done, peek));
                    if !done {
                        continue;
                    }
                }
                seen.push((
                    i,
                    socket.as_str(),
                    o,
                    peek,
                    coalescing.contains(socket.as_str()),
                ));
            }
            Op::GetOverlappedResult { socket, id, .. } if dgram(socket) => {
                let Some((_, counted, peek)) = posted.get_mut(&(socket.as_str(), *id)) else {
                    continue;
                };
                if *counted || o.data.is_none() {
                    continue;
                }
                *counted = true;
                let peek = *peek;
                seen.push((
                    i,
                    socket.as_str(),
                    o,
                    peek,
                    coalescing.contains(socket.as_str()),
                ));
            }
            _ => {}
        }
    }
    // Completions are reported in another order than they took their
    // datagrams (an overlapped receive reaped late), so receives are matched
    // to sends after the fact: whole datagrams first (each payload is
    // unique), then truncated ones, longest prefix first; a short prefix may
    // fit several datagrams and must not take one a whole receive needs.
    seen.sort_by_key(|(i, _, o, _, _)| {
        let len = data_of(o).map_or(0, |d| d.len());
        (o.result == "WSAEMSGSIZE", std::cmp::Reverse(len), *i)
    });
    // The receives that consume a datagram of their own (not a peek, no
    // duplicates in the network) are matched to the datagrams they fit as
    // a maximum matching: the first fitting datagram is not always the one
    // a receive took (a truncated receive of an earlier datagram, a whole
    // receive of a later one with the same payload). A coalescing socket's
    // receive that is no single datagram is a run (WIN-URO): those take
    // their datagrams first, longest first, as before.
    let mut taken: BTreeSet<(usize, usize)> = BTreeSet::new();
    let mut needs: Vec<Vec<(usize, usize)>> = Vec::with_capacity(seen.len());
    let mut done = vec![false; seen.len()];
    for (k, (i, socket, o, peek, coalesced)) in seen.iter().enumerate() {
        let fits = if *peek || duplicates {
            vec![]
        } else {
            single_fits(*i, o, sent.get(*socket))
        };
        if fits.is_empty() && *coalesced && !*peek && !duplicates {
            let rx = Rx {
                i: *i,
                o,
                peek: *peek,
                duplicates,
                coalesced: *coalesced,
            };
            check_datagram(NAME, &rx, sent.get(*socket), &mut taken)?;
            done[k] = true;
        }
        needs.push(fits);
    }
    for n in &mut needs {
        n.retain(|d| !taken.contains(d));
    }
    let assigned = max_matching(&needs);
    // A datagram is named by its send step and piece: one send has one
    // destination, so the names are unique across sockets.
    taken.extend(assigned.iter().flatten().copied());
    for (k, (i, socket, o, peek, coalesced)) in seen.into_iter().enumerate() {
        if done[k] || assigned[k].is_some() {
            continue;
        }
        let rx = Rx {
            i,
            o,
            peek,
            duplicates,
            coalesced,
        };
        check_datagram(NAME, &rx, sent.get(socket), &mut taken)?;
    }
    Ok(())
}

/// The datagrams (`(step, piece)`) sent to the socket before step `i` that
/// a receive with outcome `o` could be: the same payload, or for a
/// truncated receive (`WSAEMSGSIZE`) one it is a prefix of.
fn single_fits(
    i: usize,
    o: &crate::scenario::runner::Outcome,
    sent: Option<&Vec<Sent>>,
) -> Vec<(usize, usize)> {
    let truncated = o.result == "WSAEMSGSIZE";
    if o.result != "ok" && !truncated {
        return vec![];
    }
    let Some(got) = data_of(o) else {
        return vec![];
    };
    sent.map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter(|(at, _, d)| {
            *at < i
                && if truncated {
                    d.starts_with(&got)
                } else {
                    *d == got
                }
        })
        .map(|(at, piece, _)| (*at, *piece))
        .collect()
}

/// A maximum matching of receives to the datagrams they may be
/// (augmenting paths, Kuhn's algorithm): for each receive, the datagram
/// it is matched to, if any.
fn max_matching(needs: &[Vec<(usize, usize)>]) -> Vec<Option<(usize, usize)>> {
    fn augment(
        u: usize,
        needs: &[Vec<(usize, usize)>],
        owner: &mut BTreeMap<(usize, usize), usize>,
        visited: &mut BTreeSet<(usize, usize)>,
    ) -> bool {
        for &d in &needs[u] {
            if !visited.insert(d) {
                continue;
            }
            let free = match owner.get(&d) {
                None => true,
                Some(&v) => augment(v, needs, owner, visited),
            };
            if free {
                owner.insert(d, u);
                return true;
            }
        }
        false
    }
    let mut owner: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    for u in 0..needs.len() {
        augment(u, needs, &mut owner, &mut BTreeSet::new());
    }
    let mut out = vec![None; needs.len()];
    for (d, u) in owner {
        out[u] = Some(d);
    }
    out
}

/// A datagram sent: its step, its piece (0 for the whole send, 1.. for
/// its segments) and its payload.
type Sent = (usize, usize, Vec<u8>);

/// A receive that reported data.
struct Rx<'a> {
    i: usize,
    o: &'a crate::scenario::runner::Outcome,
    peek: bool,
    duplicates: bool,
    /// Its socket coalesces (WIN-URO): it may be a run of datagrams.
    coalesced: bool,
}

fn check_datagram(
    name: &'static str,
    rx: &Rx<'_>,
    sent: Option<&Vec<Sent>>,
    taken: &mut BTreeSet<(usize, usize)>,
) -> Result<(), Violation> {
    let (i, o) = (rx.i, rx.o);
    let truncated = o.result == "WSAEMSGSIZE";
    if o.result != "ok" && !truncated {
        return Ok(());
    }
    let Some(got) = data_of(o) else {
        return Ok(());
    };
    let candidates = sent.map(Vec::as_slice).unwrap_or_default();
    let free = |at: usize, piece: usize, taken: &BTreeSet<(usize, usize)>| {
        rx.peek || rx.duplicates || !taken.contains(&(at, piece))
    };
    let fits = |d: &[u8]| {
        // WSAEMSGSIZE: a prefix, or (Profile::windows(), a control buffer too
        // small) the whole datagram.
        if truncated {
            d.starts_with(&got)
        } else {
            d == got.as_slice()
        }
    };
    // The first matching datagram not taken yet (or any, when duplicates
    // are possible or this is a peek).
    let found = candidates
        .iter()
        .find(|(at, piece, d)| *at < i && fits(d) && free(*at, *piece, taken));
    if let Some((at, piece, _)) = found {
        if !rx.peek {
            taken.insert((*at, *piece));
        }
        return Ok(());
    }
    // WIN-URO: a run of datagrams, each one not taken, end to end.
    if rx.coalesced && !truncated {
        let mut rest: &[u8] = &got;
        let mut run = vec![];
        while !rest.is_empty() {
            let next = candidates.iter().find(|(at, piece, d)| {
                *at < i
                    && !d.is_empty()
                    && rest.starts_with(d)
                    && free(*at, *piece, taken)
                    && !run.contains(&(*at, *piece))
            });
            let Some((at, piece, d)) = next else { break };
            run.push((*at, *piece));
            rest = &rest[d.len()..];
        }
        if rest.is_empty() && run.len() > 1 {
            if !rx.peek {
                taken.extend(run);
            }
            return Ok(());
        }
    }
    Err(violation(
        name,
        Some(i),
        format!(
            "received {} ({} bytes{}), which is {} datagram sent to this socket",
            o.data.as_deref().unwrap_or(""),
            got.len(),
            if truncated { ", truncated" } else { "" },
            if candidates.iter().any(|(at, _, d)| *at < i && fits(d)) {
                "a second copy of a"
            } else if truncated {
                "the prefix of no"
            } else {
                "no"
            }
        ),
    ))
}

/// No stream byte is lost, duplicated or reordered: what each end of a
/// connection reads is a prefix of what the other end wrote, in order; a
/// peek shows bytes that come next. The ends are found by `connect` and
/// `accept` steps.
pub fn stream_intact(sc: &Scenario, r: &RunReport) -> Result<(), Violation> {
    const NAME: &str = "stream_intact";
    if threaded(sc) {
        return Ok(());
    }
    // accept's new socket is the peer of the socket that connected to the
    // listener: "accept extracts the first connection on the queue of
    // pending connections" (the accept page), so the k-th accept on a
    // listener is the k-th connect to it made before it.
    let mut connectors: BTreeMap<&str, std::collections::VecDeque<&str>> = BTreeMap::new();
    let mut peer: BTreeMap<&str, &str> = BTreeMap::new();
    for st in &sc.steps {
        match &st.op {
            Op::Connect {
                socket,
                addr: AddrSpec::Socket { socket: l, .. },
            } => {
                connectors
                    .entry(l.as_str())
                    .or_default()
                    .push_back(socket.as_str());
            }
            Op::Accept { socket: l, name } => {
                if let Some(c) = connectors.get_mut(l.as_str()).and_then(|q| q.pop_front()) {
                    peer.insert(name.as_str(), c);
                    peer.insert(c, name.as_str());
                }
            }
            _ => {}
        }
    }
    let mut written: BTreeMap<&str, Vec<u8>> = BTreeMap::new();
    let mut read: BTreeMap<&str, Vec<u8>> = BTreeMap::new();
    // Urgent bytes held apart (the last byte of a MSG_OOB send, while the
    // receiver has SO_OOBINLINE off), per sender, and how many were read.
    let mut urgent: BTreeMap<&str, Vec<u8>> = BTreeMap::new();
    let mut urgent_read: BTreeMap<&str, usize> = BTreeMap::new();
    let mut inline: BTreeSet<&str> = BTreeSet::new();
    for (i, op, rec) in main_steps(sc, r) {
        let o = &rec.outcome;
        if o.result != "ok" || matches!(rec.verdict, Verdict::Skipped | Verdict::Error) {
            continue;
        }
        match op {
            Op::Setsockopt {
                socket,
                name,
                value,
                ..
            } if name == "SO_OOBINLINE" => {
                if value.unwrap_or(0) != 0 {
                    inline.insert(socket.as_str());
                } else {
                    inline.remove(socket.as_str());
                }
            }
            Op::Send {
                socket,
                data,
                flags,
                ovl: None,
                ..
            } if peer.contains_key(socket.as_str()) => {
                let bytes = data.bytes().map_err(|e| violation(NAME, Some(i), e))?;
                let mut n = (o.bytes.unwrap_or(0) as usize).min(bytes.len());
                if has_flag(flags, "MSG_OOB") && n > 0 && !inline.contains(peer[socket.as_str()]) {
                    n -= 1;
                    urgent.entry(socket.as_str()).or_default().push(bytes[n]);
                }
                written
                    .entry(socket.as_str())
                    .or_default()
                    .extend_from_slice(&bytes[..n]);
            }
            Op::Recv {
                socket, ovl: None, ..
            }
            | Op::RecvFrom {
                socket, ovl: None, ..
            }
            | Op::RecvAll { socket, .. }
                if peer.contains_key(socket.as_str()) =>
            {
                let flag = |f: &str| matches!(op, Op::Recv { flags, .. } | Op::RecvFrom { flags, .. } if has_flag(flags, f));
                let (peek, oob) = (flag("MSG_PEEK"), flag("MSG_OOB"));
                let Some(got) = data_of(o) else { continue };
                let from = peer[socket.as_str()];
                let (sent, so_far) = if oob {
                    let at = urgent_read.entry(socket.as_str()).or_default();
                    (urgent.get(from).map(Vec::as_slice).unwrap_or_default(), at)
                } else {
                    let so_far = read.entry(socket.as_str()).or_default();
                    let at = so_far.len();
                    if sent_next(written.get(from), at, &got) {
                        if !peek {
                            so_far.extend_from_slice(&got);
                        }
                        continue;
                    }
                    return Err(violation(
                        NAME,
                        Some(i),
                        format!(
                            "`{socket}` read {} bytes at offset {at} that are not the next bytes `{from}` wrote (it wrote {} in all)",
                            got.len(),
                            written.get(from).map_or(0, Vec::len)
                        ),
                    ));
                };
                if sent.get(*so_far..*so_far + got.len()) != Some(got.as_slice()) {
                    return Err(violation(
                        NAME,
                        Some(i),
                        format!("`{socket}` read urgent bytes that `{from}` did not send as urgent next"),
                    ));
                }
                if !peek {
                    *so_far += got.len();
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn sent_next(sent: Option<&Vec<u8>>, at: usize, got: &[u8]) -> bool {
    sent.map_or(&[][..], Vec::as_slice).get(at..at + got.len()) == Some(got)
}

fn is_error_name(w: &str) -> bool {
    winsock_model::ERROR_CODES.iter().any(|(_, n)| *n == w)
}

/// The error codes the clause table names for clauses whose ids start with
/// `prefix` (`"RECVMSG-"`), plus `extra`.
fn codes_named(prefix: &str, extra: &[&'static str]) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = extra.iter().map(|s| s.to_string()).collect();
    for c in CLAUSES.iter().filter(|c| c.id.starts_with(prefix)) {
        for w in c
            .statement
            .split(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
        {
            if (w.starts_with("WSAE") || w.starts_with("WSA_") || w.starts_with("WSANOT"))
                && is_error_name(w)
            {
                out.insert(w.to_string());
            }
        }
    }
    out
}

/// Every result of a receive or `WSASendMsg` is `ok` or a code the clause
/// table names for that call; other calls give `ok` or a named Winsock
/// code, never a bare number. `misuse` allows the model's reports of
/// undefined calls (`model:misuse`, `model:deadlock`), which generated
/// sequences may make on purpose.
pub fn results_allowed(sc: &Scenario, r: &RunReport, misuse: bool) -> Result<(), Violation> {
    const NAME: &str = "results_allowed";
    // The WSARecvMsg page's table omits WSAENOTSOCK and WSAESHUTDOWN, which
    // the WSARecv page lists for the same conditions (a handle that is not
    // a socket; a socket shut down for receiving); the model gives them.
    // The clause table is fixed: its three sets are read from it once.
    static NAMED: std::sync::OnceLock<[BTreeSet<String>; 3]> = std::sync::OnceLock::new();
    let [recv, recvmsg, sendmsg] = NAMED.get_or_init(|| {
        [
            codes_named("RECV-", &[]),
            codes_named("RECVMSG-", &["WSAENOTSOCK", "WSAESHUTDOWN"]),
            codes_named("SENDMSG-", &[]),
        ]
    });
    for (i, op, rec) in main_steps(sc, r) {
        let res = rec.outcome.result.as_str();
        if res == "ok" || res.is_empty() {
            continue;
        }
        if res.starts_with("model:") {
            if misuse && (res == "model:misuse" || res == "model:deadlock") {
                continue;
            }
            return Err(violation(
                NAME,
                Some(i),
                format!("the model reported {res}"),
            ));
        }
        let allowed = match op {
            Op::Recv { .. } | Op::RecvFrom { .. } => Some(("WSARecv", recv)),
            Op::RecvMsg { .. } => Some(("WSARecvMsg", recvmsg)),
            Op::SendMsg { .. } => Some(("WSASendMsg", sendmsg)),
            _ => None,
        };
        match allowed {
            Some((call, set)) if !set.contains(res) => {
                return Err(violation(
                    NAME,
                    Some(i),
                    format!("{call} gave {res}, which no {call} clause names"),
                ))
            }
            None if !is_error_name(res) => {
                return Err(violation(
                    NAME,
                    Some(i),
                    format!("`{res}` is not a Winsock error name"),
                ))
            }
            _ => {}
        }
    }
    Ok(())
}

/// Runs the scenario and turns a panic into a violation.
pub fn no_panic(sc: &Scenario, seed: u64, profile: Profile) -> Result<RunReport, Violation> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        run(&mut SimBackend::with_profile(profile), sc, seed)
    }))
    .map_err(|p| {
        let msg = p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "a panic without a message".into());
        violation("no_panic", None, msg)
    })
}

/// Runs the scenario twice with `seed`; the two runs must give the same
/// step records and trace, byte for byte. Returns the first run.
pub fn same_trace(sc: &Scenario, seed: u64, profile: Profile) -> Result<RunReport, Violation> {
    let a = no_panic(sc, seed, profile)?;
    let b = no_panic(sc, seed, profile)?;
    // Equal reports write the same bytes; only unequal ones are written
    // out to be compared byte for byte (and to say where they differ).
    if a == b {
        return Ok(a);
    }
    let ja = serde_json::to_string(&a).expect("a report serialises");
    let jb = serde_json::to_string(&b).expect("a report serialises");
    if ja != jb {
        let at = ja
            .bytes()
            .zip(jb.bytes())
            .position(|(x, y)| x != y)
            .unwrap_or(ja.len().min(jb.len()));
        let from = at.saturating_sub(60);
        return Err(violation(
            "same_trace",
            None,
            format!(
                "seed {seed}: the second run differs at byte {at}: …{}… vs …{}…",
                &ja[from..(at + 60).min(ja.len())],
                &jb[from..(at + 60).min(jb.len())]
            ),
        ));
    }
    Ok(a)
}

/// Every invariant on one run: the scenario runs twice with `seed`
/// (`same_trace`, `no_panic`), and the first run is checked by the others.
/// `misuse`: see [`results_allowed`].
pub fn check_all(
    sc: &Scenario,
    seed: u64,
    profile: Profile,
    misuse: bool,
) -> Result<RunReport, Violation> {
    let r = same_trace(sc, seed, profile)?;
    let dup = sc.datagram_faults.is_some_and(|f| f.duplicate > 0);
    datagrams_unaltered(sc, &r, dup)?;
    stream_intact(sc, &r)?;
    results_allowed(sc, &r, misuse)?;
    Ok(r)
}
