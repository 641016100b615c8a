//! `SimHost`: one process on one simulated host, and its [`Winsock`]
//! implementation. Every call enters through `call_with`: a scheduling
//! point, the call's body on the locked world (run again after a park), one
//! trace line. The overlapped half is in `host_ovl.rs`.

use super::call::{RecvArgs, RecvCall, SendArgs, SendCall};
use super::net::HostId;
use super::sched_state::Halt;
use super::world::World;
use super::Sim;
use crate::contract::types::{NameBuf, PollFd, Socket, WsaBuf, WsaData, WsaMsg};
use crate::contract::{consts, error_name, Winsock, WsaError};
use parking_lot::{Condvar, Mutex};
use std::net::SocketAddr;
use std::sync::Arc;

/// One process on one simulated host: the [`Winsock`] implementation of the
/// model. Cloning gives another handle to the same host.
#[derive(Clone, Debug)]
pub struct SimHost {
    pub(super) world: Arc<Mutex<World>>,
    pub(super) cv: Arc<Condvar>,
    pub(super) host: HostId,
    /// The world's `Config::tracing` (fixed at creation): whether a call
    /// renders its arguments for the trace before the call changes them.
    pub(super) tracing: bool,
}

/// Renders a result for the trace.
pub(super) fn err_text(e: &WsaError) -> String {
    match e {
        WsaError::Code(c) => error_name(*c).unwrap_or("?").to_string(),
        e => e.name().to_string(),
    }
}

pub(crate) fn bufs_shape(b: &[WsaBuf]) -> String {
    let v: Vec<String> = b
        .iter()
        .map(|b| match &b.buf {
            None => format!("NULL/{}", b.len),
            Some(m) if m.len() < b.len as usize => format!("{}>{}", b.len, m.len()),
            Some(_) => b.len.to_string(),
        })
        .collect();
    format!("[{}]", v.join(","))
}

impl SimHost {
    /// The host's name.
    pub fn name(&self) -> String {
        self.world.lock().hosts[self.host].name.clone()
    }

    /// The protocols the host offers, as `WSAEnumProtocolsW` lists them
    /// (what a front end such as the DLL answers it with): TCP and UDP
    /// over IPv4, then over IPv6, each a `WSAPROTOCOL_INFOW` of
    /// [`WSAPROTOCOL_INFOW_SIZE`](crate::contract::consts::WSAPROTOCOL_INFOW_SIZE)
    /// bytes, the same one `getsockopt(SO_PROTOCOL_INFOW)` gives for a
    /// socket of that family, type and protocol: the service flags Wine's
    /// conformance test checks on Windows (`XP1_IFS_HANDLES` among them:
    /// `dlls/ws2_32/tests/protocol.c`, `test_service_flags`), version 2,
    /// the address sizes, the largest datagram, the protocol's name.
    pub fn protocols(&self) -> Vec<Vec<u8>> {
        let windows = self
            .world
            .lock()
            .quirk(crate::contract::quirks::Quirk::ProtocolCatalog);
        super::protocols::catalog(windows)
    }

    /// The world this host belongs to.
    pub fn sim(&self) -> Sim {
        Sim {
            world: self.world.clone(),
            cv: self.cv.clone(),
        }
    }
}

pub(crate) fn c<T>(r: Result<T, i32>) -> Result<T, WsaError> {
    r.map_err(WsaError::Code)
}

impl Winsock for SimHost {
    type Socket = Socket;

    #[track_caller]
    fn wsa_startup(&self, version: u16) -> Result<WsaData, WsaError> {
        let h = self.host;
        self.call(
            "WSAStartup",
            || format!("{version:#06x}"),
            |w| c(w.startup(h, version)),
        )
    }

    #[track_caller]
    fn wsa_cleanup(&self) -> Result<(), WsaError> {
        let h = self.host;
        self.call("WSACleanup", String::new, |w| c(w.cleanup(h)))
    }

    #[track_caller]
    fn wsa_socket(&self, af: i32, ty: i32, protocol: i32, flags: u32) -> Result<Socket, WsaError> {
        let h = self.host;
        self.call(
            "WSASocket",
            || format!("{af}, {ty}, {protocol}, {flags:#x}"),
            |w| {
                c(w.socket_create(h, af, ty, protocol, flags))
                    .map(|id| Socket(w.give_handle(h, id)))
            },
        )
    }

    #[track_caller]
    fn bind(&self, s: Socket, addr: &SocketAddr) -> Result<(), WsaError> {
        let (h, a) = (self.host, *addr);
        self.call(
            "bind",
            || format!("{:#x}, {a}", s.0),
            |w| c(w.bind(h, w.handles.id(s.0), a)),
        )
    }

    #[track_caller]
    fn connect(&self, s: Socket, addr: &SocketAddr) -> Result<(), WsaError> {
        let (h, a) = (self.host, *addr);
        self.call(
            "connect",
            || format!("{:#x}, {a}", s.0),
            |w| {
                if w.sock(h, w.handles.id(s.0)).is_ok_and(|st| !st.is_dgram()) {
                    return w.stream_connect(h, w.handles.id(s.0), a);
                }
                let id = w.handles.id(s.0);
                let r = w.connect(h, id, a);
                if r.is_ok() && !w.netsel.is_empty() {
                    w.net_connected(id);
                }
                Ok(c(r)?)
            },
        )
    }

    #[track_caller]
    fn listen(&self, s: Socket, backlog: i32) -> Result<(), WsaError> {
        let h = self.host;
        self.call(
            "listen",
            || format!("{:#x}, {backlog}", s.0),
            |w| c(w.listen(h, w.handles.id(s.0), backlog)),
        )
    }

    #[track_caller]
    fn accept(&self, s: Socket) -> Result<(Socket, SocketAddr), WsaError> {
        let h = self.host;
        self.call_with(
            "accept",
            || format!("{:#x}", s.0),
            |w| {
                let l = w.handles.id(s.0);
                let r = w.accept(h, l);
                if !w.netsel.is_empty() {
                    // WSAEventSelect: FD_ACCEPT's re-enabling call is
                    // accept, "even one that fails"
                    // (https://learn.microsoft.com/en-us/windows/win32/api/winsock2/nf-winsock2-wsaeventselect).
                    w.net_reenable(l, consts::FD_ACCEPT);
                    if let Ok((c, _)) = &r {
                        w.net_inherit(l, *c);
                    }
                }
                let (c, a) = r?;
                Ok::<_, Halt>((Socket(w.give_handle(h, c)), a))
            },
            |(c, a)| format!("ok {:#x} from {a}", c.0),
        )
    }

    #[track_caller]
    fn getsockname(&self, s: Socket) -> Result<SocketAddr, WsaError> {
        let h = self.host;
        self.call(
            "getsockname",
            || format!("{:#x}", s.0),
            |w| c(w.getsockname(h, w.handles.id(s.0))),
        )
    }

    #[track_caller]
    fn getpeername(&self, s: Socket) -> Result<SocketAddr, WsaError> {
        let h = self.host;
        self.call(
            "getpeername",
            || format!("{:#x}", s.0),
            |w| c(w.getpeername(h, w.handles.id(s.0))),
        )
    }

    #[track_caller]
    fn shutdown(&self, s: Socket, how: i32) -> Result<(), WsaError> {
        let h = self.host;
        self.call(
            "shutdown",
            || format!("{:#x}, {how}", s.0),
            |w| c(w.shutdown(h, w.handles.id(s.0), how)),
        )
    }

    #[track_caller]
    fn close_socket(&self, s: Socket) -> Result<(), WsaError> {
        let h = self.host;
        self.call(
            "closesocket",
            || format!("{:#x}", s.0),
            |w| c(w.close(h, w.handles.id(s.0))),
        )
    }

    #[track_caller]
    fn set_sock_opt(&self, s: Socket, level: i32, name: i32, value: &[u8]) -> Result<(), WsaError> {
        let h = self.host;
        self.call(
            "setsockopt",
            || format!("{:#x}, {level:#x}, {name:#x}, {value:?}", s.0),
            |w| c(w.set_opt(h, w.handles.id(s.0), level, name, value)),
        )
    }

    #[track_caller]
    fn get_sock_opt_len(
        &self,
        s: Socket,
        level: i32,
        name: i32,
        value: &mut [u8],
        optlen: &mut usize,
    ) -> Result<(), WsaError> {
        let h = self.host;
        let room = value.len();
        // The `*optlen` a failure writes (WIN-SOCKOPT-SIZES).
        let mut failed = None;
        let r = self.call(
            "getsockopt",
            || format!("{:#x}, {level:#x}, {name:#x}, room={room}", s.0),
            |w| {
                c(w.get_opt_sized(h, w.handles.id(s.0), level, name, value)
                    .map_err(|(e, n)| {
                        failed = n;
                        e
                    }))
            },
        );
        match (&r, failed) {
            (Ok(n), _) => *optlen = *n,
            (Err(_), Some(n)) => *optlen = n,
            (Err(_), None) => {}
        }
        r.map(|_| ())
    }

    #[track_caller]
    fn ioctl_socket(&self, s: Socket, cmd: u32, arg: &mut u32) -> Result<(), WsaError> {
        let h = self.host;
        let a = *arg;
        self.call(
            "ioctlsocket",
            || format!("{:#x}, {cmd:#x}, {a}", s.0),
            |w| c(w.ioctl(h, w.handles.id(s.0), cmd, arg)),
        )
    }

    #[track_caller]
    fn wsa_poll(&self, fds: &mut [PollFd], timeout_ms: i32) -> Result<usize, WsaError> {
        SimHost::poll(self, fds, timeout_ms)
    }

    #[track_caller]
    fn select(
        &self,
        read: Option<&mut Vec<Socket>>,
        write: Option<&mut Vec<Socket>>,
        except: Option<&mut Vec<Socket>>,
        timeout: Option<std::time::Duration>,
    ) -> Result<usize, WsaError> {
        SimHost::select(self, read, write, except, timeout)
    }

    #[track_caller]
    fn wsa_ioctl(
        &self,
        s: Socket,
        code: u32,
        input: &[u8],
        output: &mut [u8],
    ) -> Result<usize, WsaError> {
        let h = self.host;
        let (il, ol) = (input.len(), output.len());
        self.call(
            "WSAIoctl",
            || format!("{:#x}, {code:#x}, in={il}, out={ol}", s.0),
            |w| c(w.wsa_ioctl(h, w.handles.id(s.0), code, input, output)),
        )
    }

    #[track_caller]
    fn wsa_recv(
        &self,
        s: Socket,
        buffers: &mut [WsaBuf],
        bytes_recvd: Option<&mut u32>,
        flags: &mut u32,
    ) -> Result<(), WsaError> {
        let parts = RecvParts {
            bufs: buffers,
            name: None,
            control: None,
        };
        self.recv_call(s, RecvCall::Recv, parts, flags, bytes_recvd)
    }

    #[track_caller]
    fn wsa_recv_from(
        &self,
        s: Socket,
        buffers: &mut [WsaBuf],
        bytes_recvd: Option<&mut u32>,
        flags: &mut u32,
        from: &mut NameBuf,
    ) -> Result<(), WsaError> {
        let parts = RecvParts {
            bufs: buffers,
            name: Some(from),
            control: None,
        };
        self.recv_call(s, RecvCall::RecvFrom, parts, flags, bytes_recvd)
    }

    #[track_caller]
    fn wsa_send(
        &self,
        s: Socket,
        buffers: &[WsaBuf],
        bytes_sent: Option<&mut u32>,
        flags: u32,
    ) -> Result<(), WsaError> {
        self.send_call(s, SendCall::Send, buffers, None, None, flags, bytes_sent)
    }

    #[track_caller]
    fn wsa_send_to(
        &self,
        s: Socket,
        buffers: &[WsaBuf],
        bytes_sent: Option<&mut u32>,
        flags: u32,
        to: &NameBuf,
    ) -> Result<(), WsaError> {
        self.send_call(
            s,
            SendCall::SendTo,
            buffers,
            Some(to),
            None,
            flags,
            bytes_sent,
        )
    }

    #[track_caller]
    fn wsa_recv_msg(
        &self,
        s: Socket,
        msg: &mut WsaMsg,
        bytes_recvd: Option<&mut u32>,
    ) -> Result<(), WsaError> {
        let WsaMsg {
            name,
            buffers,
            control,
            flags,
        } = msg;
        let parts = RecvParts {
            bufs: buffers,
            name: Some(name),
            control: Some(control),
        };
        self.recv_call(s, RecvCall::RecvMsg, parts, flags, bytes_recvd)
    }

    #[track_caller]
    fn wsa_send_msg(
        &self,
        s: Socket,
        msg: &WsaMsg,
        flags: u32,
        bytes_sent: Option<&mut u32>,
    ) -> Result<(), WsaError> {
        // SENDMSG-MSG-FLAGS-IGNORED: WSAMSG.dwFlags is not read.
        let (to, control) = (Some(&msg.name), Some(&msg.control));
        self.send_call(
            s,
            SendCall::SendMsg,
            &msg.buffers,
            to,
            control,
            flags,
            bytes_sent,
        )
    }
}

/// A receive's buffers, and the name and control buffer of the calls that
/// take them.
struct RecvParts<'a> {
    bufs: &'a mut [WsaBuf],
    name: Option<&'a mut NameBuf>,
    control: Option<&'a mut WsaBuf>,
}

impl SimHost {
    /// The one body of the three direct receives: `flags` is `*lpFlags`
    /// (`WSAMSG.dwFlags` of `WSARecvMsg`), in and out; `bytes` is
    /// `lpNumberOfBytesRecvd`.
    #[track_caller]
    fn recv_call(
        &self,
        s: Socket,
        call: RecvCall,
        mut parts: RecvParts<'_>,
        flags: &mut u32,
        bytes: Option<&mut u32>,
    ) -> Result<(), WsaError> {
        let h = self.host;
        let shape = self.shape(parts.bufs);
        let fin = *flags;
        let has_ptr = bytes.is_some();
        let ctl = parts.control.as_ref().map(|c| c.len);
        let mut out = Default::default();
        let r = self.call(
            call.name(),
            || {
                let f = consts::msg_flags_to_string(fin);
                match ctl {
                    Some(ctl) => format!("{:#x}, {shape}, control={ctl}, {f}", s.0),
                    None => format!("{:#x}, {shape}, {f}", s.0),
                }
            },
            |w| {
                let args = RecvArgs {
                    call,
                    bufs: parts.bufs,
                    flags_in: fin,
                    name: parts.name.as_deref_mut(),
                    control: parts.control.as_deref_mut(),
                    bytes_ptr: has_ptr,
                };
                let id = w.handles.id(s.0);
                let (r, o) = w.recv(h, id, args);
                if !w.netsel.is_empty() {
                    // WSAEventSelect: the recv family re-enables FD_READ
                    // and FD_OOB, even a call that fails
                    // (https://learn.microsoft.com/en-us/windows/win32/api/winsock2/nf-winsock2-wsaeventselect).
                    w.net_reenable(id, consts::FD_READ | consts::FD_OOB);
                }
                out = o;
                r
            },
        );
        finish_recv(out, bytes, Some(flags));
        r
    }

    /// The one body of the three direct sends: `to` is `lpTo`/`iTolen` or
    /// `WSAMSG.name`, `control` the message's; `bytes` is
    /// `lpNumberOfBytesSent`.
    #[allow(clippy::too_many_arguments)]
    #[track_caller]
    fn send_call(
        &self,
        s: Socket,
        call: SendCall,
        bufs: &[WsaBuf],
        to: Option<&NameBuf>,
        control: Option<&WsaBuf>,
        flags: u32,
        bytes: Option<&mut u32>,
    ) -> Result<(), WsaError> {
        let h = self.host;
        let has_ptr = bytes.is_some();
        let r = self.call(
            call.name(),
            || {
                let (shape, f) = (bufs_shape(bufs), consts::msg_flags_to_string(flags));
                let to = to.and_then(|n| n.decode().ok());
                match (call, control) {
                    (SendCall::SendMsg, Some(c)) => {
                        format!("{:#x}, {shape}, to={to:?}, control={}, {f}", s.0, c.len)
                    }
                    (SendCall::SendTo, _) => format!("{:#x}, {shape}, {f}, to={to:?}", s.0),
                    _ => format!("{:#x}, {shape}, {f}", s.0),
                }
            },
            |w| {
                let args = SendArgs {
                    call,
                    bufs,
                    flags,
                    to,
                    control,
                    bytes_ptr: has_ptr,
                };
                let id = w.handles.id(s.0);
                let r = w.send(h, id, args);
                // WSAEventSelect: FD_WRITE is recorded again "after a send
                // fails with WSAEWOULDBLOCK and buffer space becomes
                // available"
                // (https://learn.microsoft.com/en-us/windows/win32/api/winsock2/nf-winsock2-wsaeventselect).
                if !w.netsel.is_empty() && would_block(&r) {
                    w.net_reenable(id, consts::FD_WRITE);
                }
                r
            },
        );
        finish_send(&r, bytes);
        r.map(|_| ())
    }
}

/// Writes a receive's outputs: the byte count and flags are written when a
/// datagram was copied, also when the call fails with `WSAEMSGSIZE`
/// (model choice: Windows' AFD reports the bytes copied with the error).
fn finish_recv(out: super::call::RecvOut, bytes: Option<&mut u32>, flags: Option<&mut u32>) {
    if !out.copied {
        return;
    }
    if let (Some(b), true) = (bytes, out.count_written) {
        *b = out.bytes;
    }
    if let Some(f) = flags {
        *f = out.flags;
    }
}

fn finish_send(r: &Result<u32, WsaError>, bytes: Option<&mut u32>) {
    if let (Ok(n), Some(b)) = (r, bytes) {
        *b = *n;
    }
}

/// Whether a call's step failed with `WSAEWOULDBLOCK`.
fn would_block<T>(r: &super::sched_state::Step<T>) -> bool {
    matches!(r, Err(Halt::Error(WsaError::Code(consts::WSAEWOULDBLOCK))))
}
