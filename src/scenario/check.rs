//! What a scenario must satisfy beyond its syntax, checked before it runs:
//! every size and time within [`limits`], every address, name, constant
//! and hex string readable, every socket, event, port and thread named
//! before it is used. A scenario that fails here is bad input (the CLI
//! exits 2), never a failed step.
//!
//! The runner reads the same fields with the same functions
//! ([`names`], [`from_hex`], `str::parse`), so what passes here cannot
//! fail there for a reason the file holds.

use super::format::{from_hex, AddrSpec, BufSpec, CmsgSpec, Data, Expect, NameSpec, Op, OvlSpec};
use super::format::{Scenario, SockRef, Step};
use super::names;
use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// The bounds of what a scenario may ask for. Each is far above what a
/// datagram or a test of the contract needs, and small enough that no file
/// can make a run allocate more than a small multiple of what it moves.
pub mod limits {
    /// Bytes of one payload (`data`, `expect.data`, `expect.prefix`): 1 MiB.
    pub const DATA: usize = 1 << 20;
    /// Bytes of memory the buffers of one call may have: 1 MiB in all
    /// (buffer sizes, `mem` of an overlong buffer, control room).
    pub const BUFFERS: usize = 1 << 20;
    /// `WSABUF`s in one call.
    pub const BUFFER_COUNT: usize = 1024;
    /// Bytes of room for a name, an option value or an ioctl's output.
    pub const ROOM: usize = 64 * 1024;
    /// Bytes a `recv_all` step may collect.
    pub const WANT: u32 = 1 << 20;
    /// Calls a `recv_all` step may make before it gives up.
    pub const RECV_ALL_CALLS: usize = 4096;
    /// Milliseconds of one wait, sleep, `advance` or the latency: one hour
    /// (a wait may also be `WSA_INFINITE`, 4294967295).
    pub const MS: u64 = 3_600_000;
    /// Packets one `dequeue` step may take.
    pub const PACKETS: usize = 1024;
    /// The model's limit of outstanding operations per socket.
    pub const OUTSTANDING: usize = 1 << 16;
    /// Steps in a scenario, counting those of threads and routines.
    pub const STEPS: usize = 100_000;
}

/// `WSA_INFINITE`, the one wait beyond [`limits::MS`].
const INFINITE: u32 = u32::MAX;

/// Checks the scenario's settings and steps; `Err` says where and what.
pub fn check(sc: &Scenario) -> Result<(), String> {
    let ms = |what: &str, v: Option<u64>| match v {
        Some(v) if v > limits::MS => Err(format!(
            "`{what}` is {v} ms, over the limit of {} ms",
            limits::MS
        )),
        _ => Ok(()),
    };
    ms("latency_ms", sc.latency_ms)?;
    if let Some(m) = sc.max_outstanding.filter(|m| *m > limits::OUTSTANDING) {
        return Err(format!(
            "`max_outstanding` is {m}, over the limit of {}",
            limits::OUTSTANDING
        ));
    }
    if sc.tx_rate == Some(0) {
        return Err("`tx_rate` is 0 bytes a second: nothing could be sent".into());
    }
    for i in &sc.inject {
        if i.nth == 0 {
            return Err(format!(
                "`inject`: `nth` of `{}` is 0; calls count from 1",
                i.call
            ));
        }
        names::error_code(&i.error).map_err(|e| format!("`inject`: {e}"))?;
    }
    for h in &sc.hosts {
        // The smallest MTU IPv4 allows (RFC 791) up to the largest packet;
        // an IPv6 address needs 1280 (the model says so when it builds
        // the host).
        if let Some(m) = h.mtu.filter(|m| !(68..=65_535).contains(m)) {
            return Err(format!(
                "host `{}`: `mtu` is {m}, outside 68 to 65535",
                h.name
            ));
        }
    }
    let hosts: Vec<&str> = if sc.hosts.is_empty() {
        vec!["local"]
    } else {
        sc.hosts.iter().map(|h| h.name.as_str()).collect()
    };
    let mut scope = Scope {
        hosts: &hosts,
        ..Scope::default()
    };
    let mut count = 0;
    steps(&sc.steps, "steps", &mut scope, &mut count)
}

/// The names a step can use: declared by earlier steps.
#[derive(Default, Clone)]
struct Scope<'a> {
    hosts: &'a [&'a str],
    sockets: BTreeSet<String>,
    events: BTreeSet<String>,
    ports: BTreeSet<String>,
    threads: BTreeSet<String>,
}

fn steps(
    list: &[Step],
    path: &str,
    scope: &mut Scope<'_>,
    count: &mut usize,
) -> Result<(), String> {
    for (i, st) in list.iter().enumerate() {
        *count += 1;
        if *count > limits::STEPS {
            return Err(format!(
                "more than {} steps (threads' and routines' included)",
                limits::STEPS
            ));
        }
        // Where the step is, written only when something is wrong there.
        let at = || format!("{path}[{i}] ({})", st.op.name());
        let here = |m: String| format!("{}: {m}", at());
        if let Some(h) = &st.host {
            if !scope.hosts.contains(&h.as_str()) {
                return Err(here(format!("unknown host `{h}`")));
            }
        }
        for c in &st.clauses {
            if winsock_model::clauses::clause(c).is_none() {
                return Err(here(format!("unknown clause id `{c}`")));
            }
        }
        if let Op::Spawn { steps: body, .. } = &st.op {
            // A thread sees the names so far; what it names stays its own.
            let mut inner = scope.clone();
            steps(body, &format!("{}.steps", at()), &mut inner, count)?;
        }
        op(&st.op, scope, count).map_err(&here)?;
        if let Some(e) = &st.expect {
            expect(e, scope).map_err(|m| here(format!("expect: {m}")))?;
        }
    }
    Ok(())
}

/// Checks one call's fields, then records the names it declares.
fn op(op: &Op, scope: &mut Scope<'_>, count: &mut usize) -> Result<(), String> {
    let sock = |s: &Scope<'_>, name: &str| {
        if s.sockets.contains(name) {
            Ok(())
        } else {
            Err(format!(
                "socket `{name}` is used before a `socket` step creates it"
            ))
        }
    };
    let sock_ref = |s: &Scope<'_>, r: &SockRef| match r {
        SockRef::Name(name) => sock(s, name),
        SockRef::Handle { .. } => Ok(()),
    };
    let known = |set: &BTreeSet<String>, kind: &str, name: &str| {
        if set.contains(name) {
            Ok(())
        } else {
            Err(format!("{kind} `{name}` is used before a step creates it"))
        }
    };
    match op {
        Op::Startup { .. } | Op::Cleanup {} => {}
        Op::Socket {
            name,
            af,
            ty,
            protocol,
            ..
        } => {
            constant("af", af)?;
            constant("type", ty)?;
            if let Some(p) = protocol {
                constant("protocol", p)?;
            }
            scope.sockets.insert(name.clone());
        }
        Op::Bind { socket, addr } | Op::Connect { socket, addr } => {
            sock(scope, socket)?;
            addr_spec("addr", addr, scope)?;
        }
        Op::Listen { socket, backlog } => {
            sock(scope, socket)?;
            if let Some(b) = backlog {
                constant("backlog", b)?;
            }
        }
        Op::Accept { socket, name } => {
            sock(scope, socket)?;
            scope.sockets.insert(name.clone());
        }
        Op::RecvAll {
            socket,
            want,
            buffers,
        } => {
            sock(scope, socket)?;
            if *want > limits::WANT {
                return Err(format!(
                    "`want` is {want} bytes, over the limit of {}",
                    limits::WANT
                ));
            }
            let sizes = buffers.clone().unwrap_or_else(|| vec![*want]);
            let specs: Vec<BufSpec> = sizes.into_iter().map(BufSpec::Size).collect();
            buffer_memory("buffers", &specs, 0)?;
        }
        Op::Getsockname { socket } | Op::Getpeername { socket } | Op::Close { socket } => {
            sock(scope, socket)?
        }
        Op::Setsockopt {
            socket,
            level,
            name,
            hex,
            value,
        } => {
            sock(scope, socket)?;
            if hex.is_none() && value.is_none() {
                return Err("setsockopt needs `value` or `hex`".into());
            }
            constant("level", level)?;
            constant("name", name)?;
            if let Some(h) = hex {
                from_hex(h).map_err(|e| format!("`hex`: {e}"))?;
            }
        }
        Op::Getsockopt {
            socket,
            level,
            name,
            room,
        } => {
            sock(scope, socket)?;
            constant("level", level)?;
            constant("name", name)?;
            self::room("room", room.unwrap_or(0))?;
        }
        Op::Ioctl { socket, cmd, .. } => {
            sock(scope, socket)?;
            unsigned("cmd", cmd)?;
        }
        Op::WsaIoctl {
            socket,
            code,
            input,
            out,
            ..
        } => {
            sock(scope, socket)?;
            unsigned("code", code)?;
            match input.as_deref() {
                None | Some("WSAID_WSARECVMSG" | "WSAID_WSASENDMSG") => {}
                Some(h) => {
                    from_hex(h).map_err(|e| format!("`input`: {e}"))?;
                }
            }
            self::room("out", out.unwrap_or(0))?;
        }
        Op::Shutdown { socket, how } => {
            sock(scope, socket)?;
            constant("how", how)?;
        }
        Op::Send {
            socket,
            data,
            buffers,
            flags,
            ovl,
            ..
        } => {
            sock(scope, socket)?;
            payload("data", data)?;
            send_buffers(buffers)?;
            flag_names("flags", flags)?;
            ovl_spec(ovl, scope, count)?;
        }
        Op::SendTo {
            socket,
            to,
            to_fault,
            data,
            buffers,
            flags,
            ovl,
            ..
        } => {
            sock(scope, socket)?;
            if let Some(a) = to {
                addr_spec("to", a, scope)?;
            }
            name_spec("to_fault", to_fault)?;
            payload("data", data)?;
            send_buffers(buffers)?;
            flag_names("flags", flags)?;
            ovl_spec(ovl, scope, count)?;
        }
        Op::SendMsg {
            socket,
            to,
            name_fault,
            data,
            buffers,
            control,
            control_fault,
            flags,
            msg_flags,
            ovl,
            ..
        } => {
            sock(scope, socket)?;
            if let Some(a) = to {
                addr_spec("to", a, scope)?;
            }
            name_spec("name_fault", name_fault)?;
            payload("data", data)?;
            send_buffers(buffers)?;
            cmsgs(control)?;
            if let Some(f) = control_fault {
                buffer_memory("control_fault", std::slice::from_ref(f), 0)?;
            }
            flag_names("flags", flags)?;
            flag_names("msg_flags", msg_flags)?;
            ovl_spec(ovl, scope, count)?;
        }
        Op::Poll { fds, .. } => {
            for f in fds {
                sock_ref(scope, &f.socket)?;
                names::poll_flags(&f.events).map_err(|e| format!("`events`: {e}"))?;
            }
        }
        Op::Select {
            read,
            write,
            except,
            ..
        } => {
            for set in [read, write, except].into_iter().flatten() {
                for r in set {
                    sock_ref(scope, r)?;
                }
            }
        }
        Op::Winsock1Recv {
            socket,
            buffer,
            flags,
        } => {
            sock(scope, socket)?;
            buffer_memory("buffer", std::slice::from_ref(buffer), 0)?;
            flag_names("flags", flags)?;
        }
        Op::Winsock1Recvfrom {
            socket,
            buffer,
            flags,
            from,
        } => {
            sock(scope, socket)?;
            buffer_memory("buffer", std::slice::from_ref(buffer), name_room(from))?;
            name_spec("from", from)?;
            flag_names("flags", flags)?;
        }
        Op::Winsock1Send {
            socket,
            data,
            flags,
        } => {
            sock(scope, socket)?;
            payload("data", data)?;
            flag_names("flags", flags)?;
        }
        Op::Winsock1Sendto {
            socket,
            to,
            to_fault,
            data,
            flags,
        } => {
            sock(scope, socket)?;
            if let Some(a) = to {
                addr_spec("to", a, scope)?;
            }
            name_spec("to_fault", to_fault)?;
            payload("data", data)?;
            flag_names("flags", flags)?;
        }
        Op::Recv {
            socket,
            buffers,
            flags,
            ovl,
            ..
        } => {
            sock(scope, socket)?;
            buffer_memory("buffers", buffers, 0)?;
            flag_names("flags", flags)?;
            ovl_spec(ovl, scope, count)?;
        }
        Op::RecvFrom {
            socket,
            buffers,
            flags,
            from,
            ovl,
            ..
        } => {
            sock(scope, socket)?;
            buffer_memory("buffers", buffers, name_room(from))?;
            name_spec("from", from)?;
            flag_names("flags", flags)?;
            ovl_spec(ovl, scope, count)?;
        }
        Op::RecvMsg {
            socket,
            buffers,
            control,
            flags,
            name,
            ovl,
            ..
        } => {
            sock(scope, socket)?;
            let control_mem = match control {
                Some(c) => memory(c),
                None => 0,
            };
            buffer_memory("buffers", buffers, control_mem + name_room(name))?;
            name_spec("name", name)?;
            flag_names("flags", flags)?;
            ovl_spec(ovl, scope, count)?;
        }
        Op::Spawn { thread, .. } => {
            scope.threads.insert(thread.clone());
        }
        Op::Join { thread } => known(&scope.threads, "thread", thread)?,
        Op::Advance { ms } => time("ms", *ms)?,
        Op::CreateEvent { name } => {
            scope.events.insert(name.clone());
        }
        Op::SetEvent { event } | Op::ResetEvent { event } | Op::CloseEvent { event } => {
            known(&scope.events, "event", event)?
        }
        Op::WaitEvents {
            events, timeout_ms, ..
        } => {
            for e in events {
                known(&scope.events, "event", e)?;
            }
            wait_time("timeout_ms", *timeout_ms)?;
        }
        Op::SleepEx { ms, .. } => wait_time("ms", Some(*ms))?,
        Op::EventSelect {
            socket,
            event,
            events,
        } => {
            sock(scope, socket)?;
            if let Some(e) = event {
                known(&scope.events, "event", e)?;
            }
            names::fd_events(events).map_err(|e| format!("`events`: {e}"))?;
        }
        Op::AsyncSelect { socket, events } => {
            sock(scope, socket)?;
            names::fd_events(events).map_err(|e| format!("`events`: {e}"))?;
        }
        Op::WindowMessages { .. } => {}
        Op::EnumNetworkEvents { socket, event } => {
            sock(scope, socket)?;
            if let Some(e) = event {
                known(&scope.events, "event", e)?;
            }
        }
        Op::GetOverlappedResult { socket, .. }
        | Op::Cancel { socket, .. }
        | Op::NotificationModes { socket, .. } => sock(scope, socket)?,
        Op::CreatePort { name } => {
            scope.ports.insert(name.clone());
        }
        Op::Associate { port, socket, .. } => {
            known(&scope.ports, "port", port)?;
            sock(scope, socket)?;
        }
        Op::Dequeue {
            port,
            timeout_ms,
            max,
            ..
        } => {
            known(&scope.ports, "port", port)?;
            wait_time("timeout_ms", *timeout_ms)?;
            if let Some(m) = max.filter(|m| *m > limits::PACKETS) {
                return Err(format!(
                    "`max` is {m} packets, over the limit of {}",
                    limits::PACKETS
                ));
            }
        }
        Op::PostPacket { port, .. } | Op::ClosePort { port } => known(&scope.ports, "port", port)?,
        Op::NetworkDown { target, .. } => {
            if !scope.hosts.contains(&target.as_str()) {
                return Err(format!("unknown host `{target}`"));
            }
        }
    }
    Ok(())
}

fn expect(e: &Expect, scope: &Scope<'_>) -> Result<(), String> {
    if let Some(d) = &e.data {
        payload("data", d)?;
    }
    if let Some(d) = &e.prefix {
        payload("prefix", d)?;
    }
    if let Some(f) = &e.flags {
        flag_names("flags", f)?;
    }
    if let Some(a) = &e.from {
        addr_spec("from", a, scope)?;
    }
    Ok(())
}

fn ovl_spec(ovl: &Option<OvlSpec>, scope: &mut Scope<'_>, count: &mut usize) -> Result<(), String> {
    let Some(v) = ovl else { return Ok(()) };
    if let Some(e) = &v.event {
        if !scope.events.contains(e) {
            return Err(format!("event `{e}` is used before a step creates it"));
        }
    }
    if let Some(post) = v.routine.as_ref().and_then(|r| r.post.as_deref()) {
        *count += 1;
        if !matches!(
            post,
            Op::Send { .. }
                | Op::SendTo { .. }
                | Op::SendMsg { .. }
                | Op::Recv { .. }
                | Op::RecvFrom { .. }
                | Op::RecvMsg { .. }
        ) {
            return Err(format!(
                "`ovl.routine.post` is a `{}` step; a routine can make only a receive or a send",
                post.name()
            ));
        }
        // The routine's call sees the names of its step; it names nothing.
        let mut inner = scope.clone();
        op(post, &mut inner, count).map_err(|m| format!("ovl.routine.post: {m}"))?;
    }
    Ok(())
}

fn constant(field: &str, v: &str) -> Result<(), String> {
    names::int(v)
        .map(|_| ())
        .map_err(|e| format!("`{field}`: {e}"))
}

fn unsigned(field: &str, v: &str) -> Result<(), String> {
    names::uint(v)
        .map(|_| ())
        .map_err(|e| format!("`{field}`: {e}"))
}

fn flag_names(field: &str, v: &[String]) -> Result<(), String> {
    names::flags(v)
        .map(|_| ())
        .map_err(|e| format!("`{field}`: {e}"))
}

fn payload(field: &str, d: &Data) -> Result<(), String> {
    let len = match d {
        Data::Text(s) => s.len(),
        Data::Fill { fill } => *fill,
        Data::Hex { hex } => {
            from_hex(hex).map_err(|e| format!("`{field}`: {e}"))?;
            hex.len() / 2
        }
    };
    if len > limits::DATA {
        return Err(format!(
            "`{field}` is {len} bytes, over the limit of {} bytes",
            limits::DATA
        ));
    }
    Ok(())
}

/// The memory a buffer of a call takes (a `NULL` buffer takes none).
fn memory(b: &BufSpec) -> usize {
    match *b {
        BufSpec::Size(n) => n as usize,
        BufSpec::Null { .. } => 0,
        BufSpec::Overlong { mem, .. } => mem as usize,
    }
}

/// The buffers of a call (plus `extra` bytes of other room it takes)
/// within [`limits::BUFFERS`] and [`limits::BUFFER_COUNT`].
fn buffer_memory(field: &str, specs: &[BufSpec], extra: usize) -> Result<(), String> {
    if specs.len() > limits::BUFFER_COUNT {
        return Err(format!(
            "`{field}` has {} buffers, over the limit of {}",
            specs.len(),
            limits::BUFFER_COUNT
        ));
    }
    let total = specs.iter().map(memory).fold(extra, usize::saturating_add);
    if total > limits::BUFFERS {
        return Err(format!(
            "`{field}` take {total} bytes of memory, over the limit of {} bytes for one call",
            limits::BUFFERS
        ));
    }
    Ok(())
}

/// A send's buffers split its payload (their sizes are not memory), but
/// an overlong buffer's `mem` is allocated.
fn send_buffers(specs: &Option<Vec<BufSpec>>) -> Result<(), String> {
    let Some(specs) = specs else { return Ok(()) };
    let mems: Vec<BufSpec> = specs
        .iter()
        .filter(|b| matches!(b, BufSpec::Overlong { .. }))
        .cloned()
        .collect();
    buffer_memory("buffers", &mems, 0)?;
    if specs.len() > limits::BUFFER_COUNT {
        return Err(format!(
            "`buffers` has {} buffers, over the limit of {}",
            specs.len(),
            limits::BUFFER_COUNT
        ));
    }
    Ok(())
}

fn name_room(n: &Option<NameSpec>) -> usize {
    match n {
        Some(NameSpec::Room { room }) => *room,
        _ => 0,
    }
}

fn name_spec(field: &str, n: &Option<NameSpec>) -> Result<(), String> {
    room(field, name_room(n))
}

fn room(field: &str, n: usize) -> Result<(), String> {
    if n > limits::ROOM {
        return Err(format!(
            "`{field}` is {n} bytes of room, over the limit of {} bytes",
            limits::ROOM
        ));
    }
    Ok(())
}

fn time(field: &str, ms: u64) -> Result<(), String> {
    if ms > limits::MS {
        return Err(format!(
            "`{field}` is {ms} ms, over the limit of {} ms",
            limits::MS
        ));
    }
    Ok(())
}

fn wait_time(field: &str, ms: Option<u32>) -> Result<(), String> {
    match ms {
        Some(INFINITE) | None => Ok(()),
        Some(ms) => time(field, ms.into()),
    }
}

fn addr_spec(field: &str, a: &AddrSpec, scope: &Scope<'_>) -> Result<(), String> {
    match a {
        AddrSpec::Literal(s) => s.parse::<SocketAddr>().map(|_| ()).map_err(|_| {
            format!("`{field}`: `{s}` is not a socket address (`127.0.0.1:5000`, `[::1]:0`)")
        }),
        AddrSpec::Socket { socket, ip } => {
            if !scope.sockets.contains(socket) {
                return Err(format!(
                    "`{field}`: socket `{socket}` is used before a `socket` step creates it"
                ));
            }
            if let Some(ip) = ip {
                ip.parse::<IpAddr>()
                    .map_err(|_| format!("`{field}.ip`: `{ip}` is not an IP address"))?;
            }
            Ok(())
        }
    }
}

fn cmsgs(control: &[CmsgSpec]) -> Result<(), String> {
    for c in control {
        match c {
            CmsgSpec::InPktinfo { addr, .. } => {
                addr.parse::<Ipv4Addr>()
                    .map_err(|_| format!("`control`: `{addr}` is not an IPv4 address"))?;
            }
            CmsgSpec::In6Pktinfo { addr, .. } => {
                addr.parse::<Ipv6Addr>()
                    .map_err(|_| format!("`control`: `{addr}` is not an IPv6 address"))?;
            }
            CmsgSpec::Int { level, kind, value } => {
                for v in [level, kind, value] {
                    names::int(v).map_err(|e| format!("`control`: {e}"))?;
                }
            }
            CmsgSpec::Raw { hex } => {
                let n = from_hex(hex).map_err(|e| format!("`control`: {e}"))?.len();
                room("control", n)?;
            }
        }
    }
    Ok(())
}
