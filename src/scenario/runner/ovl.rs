//! The receive and send steps (direct or overlapped), and the steps of
//! events, waits, `WSAGetOverlappedResult` and completion ports.
//!
//! An overlapped call is resolved into a thunk before it runs, so that a
//! completion routine can carry a further call of its own (`routine.post`)
//! and make it from inside the routine, where the scenario's names are out
//! of reach.

use super::super::format::Step;
use super::super::format::{BufSpec, CmsgSpec, Op, OvlSpec, RoutineSpec};
use super::super::names;
use super::{
    bufs, name_buf, record_recv, render_cmsg, send_bufs, Backend, Ctx, Made, Outcome, StepError,
};
use crate::scenario::format::to_hex;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use winsock_model::cmsg::{self, In6Pktinfo, InPktinfo, Pktinfo};
use winsock_model::consts::*;
use winsock_model::ntstatus;
use winsock_model::{
    Completion, CompletionRoutine, DataCall, DataRequest, Event, NameBuf, Overlapped, PortPacket,
    Posted, RecvCall, SendCall, Socket, WaitResult, Winsock, WinsockOverlapped, WsaBuf, WsaError,
};

/// A data call with its arguments resolved.
pub(super) struct Resolved<W> {
    w: W,
    s: Socket,
    req: DataRequest,
    null_bytes_ptr: bool,
    ovl: Option<OvlSpec>,
}

type Thunk = Box<dyn FnOnce() -> Result<Posted, WsaError> + Send>;

/// A call a completion routine makes.
enum Nested {
    /// An overlapped one (logged as `posted ...`).
    Posted(Thunk),
    /// A direct one (logged as `called <result>`).
    Direct(Box<dyn FnOnce() -> Result<(), WsaError> + Send>),
}

/// A receive or send made directly (no `ovl`), for a routine to call.
fn direct<W: WinsockOverlapped<Socket = Socket> + Send + 'static>(
    r: Resolved<W>,
) -> Box<dyn FnOnce() -> Result<(), WsaError> + Send> {
    let Resolved { w, s, mut req, .. } = r;
    Box::new(move || {
        let mut n = 0u32;
        w.data_call(s, &mut req, Some(&mut n))
    })
}

/// Shared between the runner and the routines it installs.
#[derive(Default, Clone)]
pub(super) struct RoutineLog {
    /// Rendered completions, in the order the routines ran.
    lines: Arc<Mutex<Vec<String>>>,
    /// Sockets one of whose routines is running.
    running: Arc<Mutex<BTreeSet<u64>>>,
}

impl RoutineLog {
    /// Takes what routines recorded since the last call.
    pub(super) fn drain(&self) -> Vec<String> {
        std::mem::take(&mut *self.lines.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

fn status(error: i32) -> String {
    match error {
        0 => "ok".into(),
        e => error_name(e)
            .map(str::to_string)
            .unwrap_or_else(|| e.to_string()),
    }
}

/// A completion as routines and packets report it.
fn render_completion(c: &Completion) -> String {
    format!(
        "ovl={} {} bytes={} flags={} data={}",
        c.overlapped.id,
        status(c.error),
        c.bytes,
        names::flag_names(c.flags).join("|"),
        to_hex(&c.data())
    )
}

fn render_packet(p: &PortPacket) -> String {
    let ovl = p
        .overlapped
        .map_or("NULL".to_string(), |o| o.id.to_string());
    let data = p
        .completion
        .as_ref()
        .map(|c| to_hex(&c.data()))
        .unwrap_or_default();
    format!(
        "key={} ovl={ovl} {} bytes={} data={data}",
        p.key,
        status(p.error),
        p.bytes
    )
}

fn render_posted(p: &Result<Posted, WsaError>) -> String {
    match p {
        Ok(Posted::Pending) => "WSA_IO_PENDING".into(),
        Ok(Posted::Completed { error, bytes, .. }) => format!("{} bytes={bytes}", status(*error)),
        Ok(Posted::Synchronous(c)) => format!("{} bytes={} (direct)", status(c.error), c.bytes),
        Err(e) => super::result_name(&Err(e.clone())),
    }
}

pub(super) fn render_wait(r: WaitResult) -> String {
    match r {
        WaitResult::Event(i) => format!("event {i}"),
        WaitResult::IoCompletion => "io_completion".into(),
        WaitResult::Timeout => "timeout".into(),
    }
}

/// `OVERLAPPED.Internal` (by name where it has one) and `InternalHigh`
/// after a completion.
fn render_internal(c: &Completion) -> String {
    let status = ntstatus::status_name(c.status)
        .map(str::to_string)
        .unwrap_or_else(|| format!("{:#010x}", c.status));
    format!("{status} high={}", c.bytes)
}

/// Records what a completion hands back, as a direct receive would.
fn record_completion(o: &mut Outcome, c: &Completion, recv: bool) {
    o.result = status(c.error);
    o.bytes = Some(c.bytes);
    o.internal = Some(vec![render_internal(c)]);
    if recv && winsock_model::ran_despite(c.error) {
        o.data = Some(to_hex(&c.data()));
        o.flags = Some(names::flag_names(c.flags));
        o.buffers = Some(c.buffers.iter().map(|b| to_hex(b.bytes())).collect());
        if let Some(n) = &c.name {
            o.from = n.decode().ok().map(|a| a.to_string());
            o.namelen = Some(n.namelen);
        }
        if let Some(ctl) = &c.control {
            o.control_len = Some(ctl.len);
            if let Ok(parsed) = cmsg::parse(ctl.bytes()) {
                o.control = Some(parsed.iter().map(render_cmsg).collect());
            }
        }
    }
}

impl<B: Backend> Ctx<'_, B> {
    pub(super) fn event(&self, name: &str) -> Result<Event, StepError> {
        self.events
            .get(name)
            .copied()
            .ok_or_else(|| StepError::Input(format!("unknown event `{name}`")))
    }

    pub(super) fn port(&self, name: &str) -> Result<winsock_model::Port, StepError> {
        self.ports
            .get(name)
            .copied()
            .ok_or_else(|| StepError::Input(format!("unknown port `{name}`")))
    }

    /// The control buffer a `send_msg` step describes.
    fn send_control(control: &[CmsgSpec], fault: &Option<BufSpec>) -> Result<WsaBuf, String> {
        let mut cm = vec![];
        for c in control {
            match c {
                CmsgSpec::InPktinfo { addr, ifindex } | CmsgSpec::In6Pktinfo { addr, ifindex } => {
                    let v4 = matches!(c, CmsgSpec::InPktinfo { .. });
                    let bad =
                        || format!("`{addr}` is not an IPv{} address", if v4 { 4 } else { 6 });
                    let info = if v4 {
                        Pktinfo::V4(InPktinfo {
                            addr: addr.parse().map_err(|_| bad())?,
                            ifindex: *ifindex,
                        })
                    } else {
                        Pktinfo::V6(In6Pktinfo {
                            addr: addr.parse().map_err(|_| bad())?,
                            ifindex: *ifindex,
                        })
                    };
                    cm.extend(cmsg::encode(&[info.to_cmsg()]));
                }
                CmsgSpec::Int { level, kind, value } => {
                    cm.extend(cmsg::encode(&[cmsg::Cmsg::int(
                        names::int(level)?,
                        names::int(kind)?,
                        names::int(value)?,
                    )]))
                }
                CmsgSpec::Raw { hex } => cm.extend(super::super::format::from_hex(hex)?),
            }
        }
        Ok(match fault {
            Some(f) => bufs(std::slice::from_ref(f)).remove(0),
            None if cm.is_empty() => WsaBuf::null(0),
            None => WsaBuf::from(cm),
        })
    }

    /// Resolves a receive or send step into its request; any other step
    /// is no data call (what a routine's `post` may not be).
    pub(super) fn resolve(&self, op: &Op) -> Result<Resolved<B::W>, StepError> {
        let (socket, kind, buffers, name, control, flags, msg_flags, null_bytes_ptr, ovl) = match op
        {
            Op::Send {
                socket,
                data,
                buffers,
                flags,
                null_bytes_ptr,
                ovl,
            } => (
                socket,
                DataCall::Send(SendCall::Send),
                send_bufs(&data.bytes()?, buffers),
                NameBuf::null(0),
                WsaBuf::null(0),
                flags,
                0,
                *null_bytes_ptr,
                ovl,
            ),
            Op::SendTo {
                socket,
                to,
                to_fault,
                data,
                buffers,
                flags,
                null_bytes_ptr,
                ovl,
            } => (
                socket,
                DataCall::Send(SendCall::SendTo),
                send_bufs(&data.bytes()?, buffers),
                self.destination(to, to_fault)?,
                WsaBuf::null(0),
                flags,
                0,
                *null_bytes_ptr,
                ovl,
            ),
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
                null_bytes_ptr,
                ovl,
            } => (
                socket,
                DataCall::Send(SendCall::SendMsg),
                send_bufs(&data.bytes()?, buffers),
                self.destination(to, name_fault)?,
                Self::send_control(control, control_fault)?,
                flags,
                names::flags(msg_flags)?,
                *null_bytes_ptr,
                ovl,
            ),
            Op::Recv {
                socket,
                buffers,
                flags,
                null_bytes_ptr,
                ovl,
            } => (
                socket,
                DataCall::Recv(RecvCall::Recv),
                bufs(buffers),
                NameBuf::null(0),
                WsaBuf::null(0),
                flags,
                0,
                *null_bytes_ptr,
                ovl,
            ),
            Op::RecvFrom {
                socket,
                buffers,
                flags,
                from,
                null_bytes_ptr,
                ovl,
            } => (
                socket,
                DataCall::Recv(RecvCall::RecvFrom),
                bufs(buffers),
                name_buf(from),
                WsaBuf::null(0),
                flags,
                0,
                *null_bytes_ptr,
                ovl,
            ),
            Op::RecvMsg {
                socket,
                buffers,
                control,
                flags,
                name,
                null_bytes_ptr,
                ovl,
            } => (
                socket,
                DataCall::Recv(RecvCall::RecvMsg),
                bufs(buffers),
                name_buf(name),
                match control {
                    None | Some(BufSpec::Size(0)) => WsaBuf::null(0),
                    Some(c) => bufs(std::slice::from_ref(c)).remove(0),
                },
                flags,
                0,
                *null_bytes_ptr,
                ovl,
            ),
            op => {
                return Err(StepError::Input(format!(
                    "`{}` is not a receive or a send",
                    op.name()
                )))
            }
        };
        let (w, s) = self.sock(socket)?;
        Ok(Resolved {
            w: w.clone(),
            s,
            req: DataRequest {
                call: kind,
                buffers,
                name,
                control,
                flags: names::flags(flags)?,
                msg_flags,
            },
            null_bytes_ptr,
            ovl: ovl.clone(),
        })
    }

    /// Runs a resolved receive or send, direct or overlapped.
    pub(super) fn run_data(&self, mut r: Resolved<B::W>, o: &mut Outcome) -> Result<(), StepError> {
        let call = r.req.call;
        if let Some(spec) = r.ovl.take() {
            let thunk = self.thunk(r, &spec)?;
            match thunk() {
                Ok(Posted::Pending) => o.result = "WSA_IO_PENDING".into(),
                Ok(Posted::Completed {
                    error,
                    bytes,
                    flags,
                }) => {
                    o.result = status(error);
                    o.bytes = Some(bytes);
                    if call.is_recv() {
                        o.flags = Some(names::flag_names(flags));
                    }
                }
                Ok(Posted::Synchronous(c)) => record_completion(o, &c, call.is_recv()),
                Err(e) => o.result = super::result_name(&Err(e)),
            }
            return Ok(());
        }
        let (w, s, req) = (&r.w, r.s, &mut r.req);
        // A receive's count starts at a value no call writes, so that a
        // count left alone shows; a send's at 0.
        let mut n = if call.is_recv() { u32::MAX } else { 0 };
        let count = (!r.null_bytes_ptr).then_some(&mut n);
        let res = w.data_call(s, req, count);
        if call.is_recv() {
            if record_recv(o, &res, n, req.flags, &req.buffers) && call.has_name() {
                o.from = req.name.decode().ok().map(|a| a.to_string());
                o.namelen = Some(req.name.namelen);
                if call.is_msg() {
                    o.control_len = Some(req.control.len);
                    let parsed = cmsg::parse(req.control.bytes())
                        .map_err(|e| format!("control data: {e}"))?;
                    o.control = Some(parsed.iter().map(render_cmsg).collect());
                }
            }
        } else if res.is_ok() {
            o.bytes = Some(n);
        }
        o.result = super::result_name(&res);
        Ok(())
    }

    /// The call an overlapped step makes, ready to run (now, or from inside
    /// a completion routine).
    fn thunk(&self, r: Resolved<B::W>, spec: &OvlSpec) -> Result<Thunk, StepError> {
        let ovl = Overlapped {
            id: spec.id,
            h_event: spec.event.as_deref().map(|e| self.event(e)).transpose()?,
        };
        let routine = match &spec.routine {
            Some(rs) => Some(self.routine(r.w.clone(), r.s, rs)?),
            None => None,
        };
        let Resolved { w, s, req, .. } = r;
        Ok(Box::new(move || {
            w.data_call_overlapped(s, req, ovl, routine)
        }))
    }

    /// A routine that records its completion, notes whether it started
    /// inside another routine of the same socket, and does what `spec` asks.
    fn routine(
        &self,
        w: B::W,
        s: Socket,
        spec: &RoutineSpec,
    ) -> Result<CompletionRoutine, StepError> {
        let nested = match spec.post.as_deref() {
            None => None,
            Some(op) => {
                let r = self.resolve(op).map_err(|e| match e {
                    StepError::Input(why) => StepError::Input(format!(
                        "a routine can only make a receive or a send: {why}"
                    )),
                    e => e,
                })?;
                Some(match r.ovl.clone() {
                    Some(inner) => Nested::Posted(self.thunk(r, &inner)?),
                    // A call without `ovl` is a direct (blocking) one.
                    None => Nested::Direct(direct(r)),
                })
            }
        };
        let log = self.routine_log.clone();
        let alertable = spec.alertable_wait;
        Ok(Box::new(move |c: Completion| {
            let first = log
                .running
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(s.0);
            let mut line = render_completion(&c);
            if !first {
                line.push_str(" NESTED");
            }
            log.lines
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(line);
            if alertable {
                let _ = w.sleep_ex(0, true);
            }
            let line = match nested {
                Some(Nested::Posted(t)) => Some(format!("posted {}", render_posted(&t()))),
                Some(Nested::Direct(f)) => Some(format!("called {}", super::result_name(&f()))),
                None => None,
            };
            if let Some(line) = line {
                log.lines
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(line);
            }
            if first {
                log.running
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(&s.0);
            }
        }))
    }

    /// `WSAWaitForMultipleEvents` (`all`, `alertable`) on the events
    /// named: how the wait ended.
    pub(super) fn wait_events(
        &self,
        step: &Step,
        events: &[String],
        (all, alertable): (bool, bool),
        timeout_ms: Option<u32>,
        o: &mut Outcome,
    ) -> Made {
        let w = self.host_of(step)?;
        let evs = events
            .iter()
            .map(|e| self.event(e))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(
            w.wsa_wait_for_multiple_events(
                &evs,
                all,
                timeout_ms.unwrap_or(WSA_INFINITE),
                alertable,
            )
            .map(|r| o.wait = Some(render_wait(r))),
        )
    }

    /// `WSAGetOverlappedResult` for the operation `id`: its completion as
    /// recorded, the operation's error as the step's result.
    pub(super) fn get_overlapped_result(
        &self,
        socket: &str,
        id: u64,
        wait: bool,
        o: &mut Outcome,
    ) -> Made {
        let (w, s) = self.sock(socket)?;
        Ok(
            match w.wsa_get_overlapped_result(s, &Overlapped::new(id), wait) {
                Ok(c) => {
                    let recv = c.name.is_some() || c.control.is_some() || c.flags != 0;
                    record_completion(o, &c, recv || !c.buffers.is_empty());
                    if c.error == 0 {
                        Ok(())
                    } else {
                        Err(WsaError::Code(c.error))
                    }
                }
                Err(e) => Err(e),
            },
        )
    }

    /// `GetQueuedCompletionStatus`, or with `max` the `Ex` form
    /// (`alertable`): the packets, and the `Internal` of those carrying a
    /// completion.
    pub(super) fn dequeue(
        &self,
        step: &Step,
        port: &str,
        (timeout_ms, max, alertable): (Option<u32>, Option<usize>, bool),
        o: &mut Outcome,
    ) -> Made {
        let w = self.host_of(step)?;
        let p = self.port(port)?;
        let t = timeout_ms.unwrap_or(WSA_INFINITE);
        let got = match max {
            None => w.get_queued_completion_status(p, t).map(|k| vec![k]),
            Some(m) => w.get_queued_completion_status_ex(p, m, t, alertable),
        };
        Ok(got.map(|v| {
            o.packets = Some(v.iter().map(render_packet).collect());
            let internal: Vec<String> = v
                .iter()
                .filter_map(|p| p.completion.as_ref())
                .map(render_internal)
                .collect();
            o.internal = (!internal.is_empty()).then_some(internal);
        }))
    }
}
