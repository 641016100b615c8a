//! The [`Winsock`] trait: the calls, named as Windows names them.

use super::call::{DataCall, DataRequest, RecvCall, SendCall};
use super::consts::*;
use super::overlapped::{
    Completion, CompletionRoutine, IoctlStarted, Overlapped, PortPacket, Posted, WaitResult,
};
use super::types::{NameBuf, NetworkEvents, PollFd, WsaBuf, WsaData, WsaMsg};
use super::WsaError;
use std::net::SocketAddr;
use std::time::Duration;

/// The Winsock contract, implemented by the model (`Sim`'s hosts) and by the
/// OS backend. Write socket code once against it:
///
/// ```
/// use winsock_double::*;
/// fn echo_once<W: Winsock<Socket = Socket>>(ws: &W, s: Socket) -> Result<(), WsaError> {
///     let mut buf = [0u8; 1500];
///     let (n, from) = ws.recv_from(s, &mut buf)?;
///     ws.send_to(s, &buf[..n], &from)?;
///     Ok(())
/// }
/// ```
///
/// Each method names the Windows function it stands for. Pointer arguments
/// that may be `NULL` or inconsistent in C are modelled by [`WsaBuf`],
/// [`NameBuf`] and `Option<&mut u32>` (for `lpNumberOfBytesRecvd` /
/// `lpNumberOfBytesSent`: `None` is `NULL`), so every documented fault can be
/// expressed. These are the non-overlapped calls; overlapped I/O, events and
/// completion ports are the extension trait [`WinsockOverlapped`].
pub trait Winsock {
    /// The socket handle type.
    type Socket: Copy + Eq + Ord + std::fmt::Debug;

    /// `WSAStartup`: one more user of the library; must precede every other
    /// call (`WSANOTINITIALISED`).
    fn wsa_startup(&self, version: u16) -> Result<WsaData, WsaError>;

    /// `WSACleanup`: one user fewer; the last one closes every socket.
    fn wsa_cleanup(&self) -> Result<(), WsaError>;

    /// `WSASocketW` (without protocol info): a new socket. `flags` holds
    /// `WSA_FLAG_*` (`WSA_FLAG_OVERLAPPED` for an overlapped socket).
    fn wsa_socket(
        &self,
        af: i32,
        ty: i32,
        protocol: i32,
        flags: u32,
    ) -> Result<Self::Socket, WsaError>;

    /// `socket`: as `WSASocket` with `WSA_FLAG_OVERLAPPED`, which is what
    /// `socket` creates on Windows.
    #[track_caller]
    fn socket(&self, af: i32, ty: i32, protocol: i32) -> Result<Self::Socket, WsaError> {
        self.wsa_socket(af, ty, protocol, WSA_FLAG_OVERLAPPED)
    }

    /// `bind`.
    fn bind(&self, s: Self::Socket, addr: &SocketAddr) -> Result<(), WsaError>;

    /// `connect`; on a datagram socket it sets the default peer and the
    /// receive filter; on a stream socket it opens a connection (blocking
    /// until it is made, or `WSAEWOULDBLOCK` on a non-blocking socket).
    fn connect(&self, s: Self::Socket, addr: &SocketAddr) -> Result<(), WsaError>;

    /// `listen` on a bound stream socket with a `backlog` of connections
    /// waiting for `accept`.
    fn listen(&self, s: Self::Socket, backlog: i32) -> Result<(), WsaError>;

    /// `accept`: the next connection of a listening socket, as a new socket
    /// and the peer's address (blocking until there is one, or
    /// `WSAEWOULDBLOCK` on a non-blocking socket).
    fn accept(&self, s: Self::Socket) -> Result<(Self::Socket, SocketAddr), WsaError>;

    /// `getsockname`.
    fn getsockname(&self, s: Self::Socket) -> Result<SocketAddr, WsaError>;

    /// `getpeername`.
    fn getpeername(&self, s: Self::Socket) -> Result<SocketAddr, WsaError>;

    /// `shutdown` with `SD_RECEIVE`, `SD_SEND` or `SD_BOTH`.
    fn shutdown(&self, s: Self::Socket, how: i32) -> Result<(), WsaError>;

    /// `closesocket`.
    fn close_socket(&self, s: Self::Socket) -> Result<(), WsaError>;

    /// `setsockopt` with the raw option bytes.
    fn set_sock_opt(
        &self,
        s: Self::Socket,
        level: i32,
        name: i32,
        value: &[u8],
    ) -> Result<(), WsaError>;

    /// `getsockopt`: writes the value into `value` and returns its length
    /// (the `optlen` written back). What a failing call leaves in
    /// `*optlen` is [`Winsock::get_sock_opt_len`]'s.
    #[track_caller]
    fn get_sock_opt(
        &self,
        s: Self::Socket,
        level: i32,
        name: i32,
        value: &mut [u8],
    ) -> Result<usize, WsaError> {
        let mut n = value.len();
        self.get_sock_opt_len(s, level, name, value, &mut n)?;
        Ok(n)
    }

    /// `getsockopt` as the C call leaves its arguments: `value` is the
    /// room, `*optlen` is its length going in and the length the call
    /// leaves coming out, whether it succeeds or fails; the bytes of
    /// `value` are what the call left, a failing call's too. (Windows'
    /// `getsockopt` of `IP_PKTINFO` into a room under 4 bytes fails with
    /// `WSAEFAULT` and writes 0 to `*optlen`; of `SO_RCVBUF`, it zeroes the
    /// room: `WIN-SOCKOPT-SIZES`.)
    fn get_sock_opt_len(
        &self,
        s: Self::Socket,
        level: i32,
        name: i32,
        value: &mut [u8],
        optlen: &mut usize,
    ) -> Result<(), WsaError>;

    /// `ioctlsocket` (`FIONBIO`, `FIONREAD`).
    fn ioctl_socket(&self, s: Self::Socket, cmd: u32, arg: &mut u32) -> Result<(), WsaError>;

    /// `WSAPoll`: writes each element's `revents` (what of its `events`
    /// its socket is ready for, with `POLLERR`, `POLLHUP`, `POLLNVAL`);
    /// returns how many elements the call counts. `timeout_ms`: 0 returns
    /// at once, a negative value waits until an element is ready.
    fn wsa_poll(
        &self,
        fds: &mut [PollFd<Self::Socket>],
        timeout_ms: i32,
    ) -> Result<usize, WsaError>;

    /// `select`: keeps in each set given the sockets ready for it (read,
    /// write, exceptional conditions); returns how many are kept, summed
    /// over the sets. `timeout`: `None` waits until one is ready.
    fn select(
        &self,
        read: Option<&mut Vec<Self::Socket>>,
        write: Option<&mut Vec<Self::Socket>>,
        except: Option<&mut Vec<Self::Socket>>,
        timeout: Option<Duration>,
    ) -> Result<usize, WsaError>;

    /// `WSAIoctl`, non-overlapped: returns `lpcbBytesReturned`.
    fn wsa_ioctl(
        &self,
        s: Self::Socket,
        code: u32,
        input: &[u8],
        output: &mut [u8],
    ) -> Result<usize, WsaError>;

    /// `WSARecv`, non-overlapped. `flags` is `lpFlags`, in and out.
    fn wsa_recv(
        &self,
        s: Self::Socket,
        buffers: &mut [WsaBuf],
        bytes_recvd: Option<&mut u32>,
        flags: &mut u32,
    ) -> Result<(), WsaError>;

    /// `WSARecvFrom`, non-overlapped. `from` is `lpFrom`/`lpFromlen`
    /// ([`NameBuf::null`]`(0)` for `NULL`).
    fn wsa_recv_from(
        &self,
        s: Self::Socket,
        buffers: &mut [WsaBuf],
        bytes_recvd: Option<&mut u32>,
        flags: &mut u32,
        from: &mut NameBuf,
    ) -> Result<(), WsaError>;

    /// `WSASend`, non-overlapped.
    fn wsa_send(
        &self,
        s: Self::Socket,
        buffers: &[WsaBuf],
        bytes_sent: Option<&mut u32>,
        flags: u32,
    ) -> Result<(), WsaError>;

    /// `WSASendTo`, non-overlapped. `to` is `lpTo`/`iTolen`.
    fn wsa_send_to(
        &self,
        s: Self::Socket,
        buffers: &[WsaBuf],
        bytes_sent: Option<&mut u32>,
        flags: u32,
        to: &NameBuf,
    ) -> Result<(), WsaError>;

    /// `WSARecvMsg` (the extension function), non-overlapped.
    fn wsa_recv_msg(
        &self,
        s: Self::Socket,
        msg: &mut WsaMsg,
        bytes_recvd: Option<&mut u32>,
    ) -> Result<(), WsaError>;

    /// `WSASendMsg`, non-overlapped. `flags` is `dwFlags`.
    fn wsa_send_msg(
        &self,
        s: Self::Socket,
        msg: &WsaMsg,
        flags: u32,
        bytes_sent: Option<&mut u32>,
    ) -> Result<(), WsaError>;

    // ---- conveniences over the calls above ----

    /// Any of the six direct data calls, from one [`DataRequest`]: the
    /// named method its `call` is (`wsa_recv`, ..., `wsa_send_msg`), with
    /// its arguments. `bytes` is `lpNumberOfBytesRecvd` /
    /// `lpNumberOfBytesSent` (`None` for `NULL`). What a receive writes
    /// (buffers, name, control, flags) is left in `req`.
    ///
    /// ```
    /// use winsock_double::*;
    /// let sim = Sim::new(1);
    /// let h = sim.add_host("h", &["10.0.0.1/24"]).unwrap();
    /// h.wsa_startup(WINSOCK_VERSION_2_2).unwrap();
    /// let s = h.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    /// h.bind(s, &"10.0.0.1:7".parse().unwrap()).unwrap();
    /// let to = NameBuf::addr(&"10.0.0.1:7".parse().unwrap());
    /// let mut send = DataRequest::new(DataCall::Send(SendCall::SendTo), vec![WsaBuf::from(&b"hi"[..])])
    ///     .with_name(to);
    /// let mut n = 0;
    /// h.data_call(s, &mut send, Some(&mut n)).unwrap();
    /// // A direct call without its count is a fault (SENDMSG-EFAULT-BYTES-NULL).
    /// assert_eq!(h.data_call(s, &mut send, None), Err(WsaError::Code(WSAEFAULT)));
    /// let mut recv = DataRequest::new(DataCall::Recv(RecvCall::RecvFrom), vec![WsaBuf::zeroed(8)])
    ///     .with_name(NameBuf::storage());
    /// h.data_call(s, &mut recv, Some(&mut n)).unwrap();
    /// assert_eq!(&recv.buffers[0].bytes()[..n as usize], b"hi");
    /// ```
    #[track_caller]
    fn data_call(
        &self,
        s: Self::Socket,
        req: &mut DataRequest,
        bytes: Option<&mut u32>,
    ) -> Result<(), WsaError> {
        match req.call {
            DataCall::Recv(RecvCall::Recv) => {
                self.wsa_recv(s, &mut req.buffers, bytes, &mut req.flags)
            }
            DataCall::Recv(RecvCall::RecvFrom) => {
                self.wsa_recv_from(s, &mut req.buffers, bytes, &mut req.flags, &mut req.name)
            }
            DataCall::Recv(RecvCall::RecvMsg) => {
                let mut msg = req.take_msg();
                let r = self.wsa_recv_msg(s, &mut msg, bytes);
                req.put_msg(msg);
                r
            }
            DataCall::Send(SendCall::Send) => self.wsa_send(s, &req.buffers, bytes, req.flags),
            DataCall::Send(SendCall::SendTo) => {
                self.wsa_send_to(s, &req.buffers, bytes, req.flags, &req.name)
            }
            DataCall::Send(SendCall::SendMsg) => {
                let msg = req.take_msg();
                let r = self.wsa_send_msg(s, &msg, req.flags, bytes);
                req.put_msg(msg);
                r
            }
        }
    }

    /// `recv` (Winsock 1): one buffer, `flags` given and not returned;
    /// the bytes received (0: the peer closed its side). A datagram larger
    /// than `buf` fills it and fails with `WSAEMSGSIZE`. What it checks and
    /// does is `WSARecv`'s with one buffer and a count (the model runs it
    /// as that; the OS backend calls `recv`).
    #[track_caller]
    fn recv(&self, s: Self::Socket, buf: &mut WsaBuf, flags: i32) -> Result<usize, WsaError> {
        let mut n = 0u32;
        let mut f = flags as u32;
        self.wsa_recv(s, std::slice::from_mut(buf), Some(&mut n), &mut f)?;
        Ok(n as usize)
    }

    /// `recvfrom` (Winsock 1): [`Winsock::recv`] with the sender written
    /// to `from` (`WSARecvFrom`'s checks: a `from` too small is
    /// `WSAEFAULT`).
    #[track_caller]
    fn recvfrom(
        &self,
        s: Self::Socket,
        buf: &mut WsaBuf,
        flags: i32,
        from: &mut NameBuf,
    ) -> Result<usize, WsaError> {
        let mut n = 0u32;
        let mut f = flags as u32;
        self.wsa_recv_from(s, std::slice::from_mut(buf), Some(&mut n), &mut f, from)?;
        Ok(n as usize)
    }

    /// `send` (Winsock 1): one buffer; the bytes sent (`WSASend`'s checks
    /// and effects; the OS backend calls `send`).
    #[track_caller]
    fn send(&self, s: Self::Socket, buf: &WsaBuf, flags: i32) -> Result<usize, WsaError> {
        let mut n = 0u32;
        self.wsa_send(s, std::slice::from_ref(buf), Some(&mut n), flags as u32)?;
        Ok(n as usize)
    }

    /// `sendto` (Winsock 1): [`Winsock::send`] to `to` (`WSASendTo`'s
    /// checks; a `NULL` name with length 0 sends to the connected peer).
    #[track_caller]
    fn sendto(
        &self,
        s: Self::Socket,
        buf: &WsaBuf,
        flags: i32,
        to: &NameBuf,
    ) -> Result<usize, WsaError> {
        let mut n = 0u32;
        self.wsa_send_to(s, std::slice::from_ref(buf), Some(&mut n), flags as u32, to)?;
        Ok(n as usize)
    }

    /// `setsockopt` with an `int`/`DWORD`/`BOOL` value.
    #[track_caller]
    fn set_sock_opt_int(
        &self,
        s: Self::Socket,
        level: i32,
        name: i32,
        value: i32,
    ) -> Result<(), WsaError> {
        self.set_sock_opt(s, level, name, &value.to_le_bytes())
    }

    /// `getsockopt` of an `int`/`DWORD`/`BOOL` value.
    #[track_caller]
    fn get_sock_opt_int(&self, s: Self::Socket, level: i32, name: i32) -> Result<i32, WsaError> {
        let mut v = [0u8; 4];
        let n = self.get_sock_opt(s, level, name, &mut v)?;
        let mut b = [0u8; 4];
        b[..n.min(4)].copy_from_slice(&v[..n.min(4)]);
        Ok(i32::from_le_bytes(b))
    }

    /// Sets `SO_RCVTIMEO` (milliseconds; zero is "no timeout").
    #[track_caller]
    fn set_recv_timeout(&self, s: Self::Socket, t: Duration) -> Result<(), WsaError> {
        let ms = i32::try_from(t.as_millis()).unwrap_or(i32::MAX);
        self.set_sock_opt_int(s, SOL_SOCKET, SO_RCVTIMEO, ms)
    }

    /// `FIONBIO`: non-blocking on or off.
    #[track_caller]
    fn set_nonblocking(&self, s: Self::Socket, on: bool) -> Result<(), WsaError> {
        let mut arg = u32::from(on);
        self.ioctl_socket(s, FIONBIO, &mut arg)
    }

    /// One datagram out through `WSASendTo`; returns the bytes sent.
    #[track_caller]
    fn send_to(&self, s: Self::Socket, data: &[u8], to: &SocketAddr) -> Result<usize, WsaError> {
        let mut n = 0u32;
        self.wsa_send_to(
            s,
            &[WsaBuf::from(data)],
            Some(&mut n),
            0,
            &NameBuf::addr(to),
        )?;
        Ok(n as usize)
    }

    /// One datagram in through `WSARecvFrom` into `buf`; returns the bytes
    /// received and the sender. A datagram larger than `buf` is an
    /// `Err(WSAEMSGSIZE)`, as in Winsock.
    #[track_caller]
    fn recv_from(&self, s: Self::Socket, buf: &mut [u8]) -> Result<(usize, SocketAddr), WsaError> {
        let mut bufs = [WsaBuf::zeroed(buf.len())];
        let mut from = NameBuf::storage();
        let mut n = 0u32;
        let mut flags = 0u32;
        self.wsa_recv_from(s, &mut bufs, Some(&mut n), &mut flags, &mut from)?;
        buf[..n as usize].copy_from_slice(&bufs[0].bytes()[..n as usize]);
        let addr = from.decode().map_err(|e| WsaError::Code(e.wsa_code()))?;
        Ok((n as usize, addr))
    }
}

/// Overlapped I/O, event objects, alertable waits and completion ports: the
/// half of the Winsock contract that completes later.
///
/// Every overlapped call takes its buffers by value and hands them back in
/// the operation's [`Completion`], which arrives through exactly one of:
/// `wsa_get_overlapped_result` (when there is no completion routine), the
/// completion routine (run in an alertable wait of the issuing thread), or a
/// completion-port packet (when the socket is associated with a port).
///
/// ```
/// use winsock_double::*;
/// fn one_overlapped_receive<W>(ws: &W, s: W::Socket) -> Result<Vec<u8>, WsaError>
/// where
///     W: WinsockOverlapped,
/// {
///     let ev = ws.wsa_create_event()?;
///     let ovl = Overlapped::with_event(1, ev);
///     ws.wsa_recv_overlapped(s, vec![WsaBuf::zeroed(1500)], 0, ovl, None)?;
///     ws.wsa_wait_for_multiple_events(&[ev], true, WSA_INFINITE, false)?;
///     let done = ws.wsa_get_overlapped_result(s, &ovl, false)?;
///     ws.wsa_close_event(ev)?;
///     done.result()?;
///     Ok(done.data())
/// }
/// ```
pub trait WinsockOverlapped: Winsock {
    /// The event handle type (`WSAEVENT`).
    type Event: Copy + Eq + Ord + std::fmt::Debug + Send + 'static;
    /// The completion port handle type.
    type Port: Copy + Eq + Ord + std::fmt::Debug + Send + 'static;

    // ---- event objects ----

    /// `WSACreateEvent`: a manual-reset event, not signalled.
    fn wsa_create_event(&self) -> Result<Self::Event, WsaError>;

    /// `WSACloseEvent`.
    fn wsa_close_event(&self, e: Self::Event) -> Result<(), WsaError>;

    /// `WSASetEvent`.
    fn wsa_set_event(&self, e: Self::Event) -> Result<(), WsaError>;

    /// `WSAResetEvent`.
    fn wsa_reset_event(&self, e: Self::Event) -> Result<(), WsaError>;

    /// `WSAWaitForMultipleEvents`: waits until one event (`wait_all` false)
    /// or all of them are signalled, `timeout_ms` passes ([`WSA_INFINITE`]:
    /// never), or, when `alertable`, completion routines of this thread ran.
    fn wsa_wait_for_multiple_events(
        &self,
        events: &[Self::Event],
        wait_all: bool,
        timeout_ms: u32,
        alertable: bool,
    ) -> Result<WaitResult, WsaError>;

    /// `SleepEx`: lets `ms` pass; when `alertable`, returns early
    /// ([`WaitResult::IoCompletion`]) after running queued completion
    /// routines. [`WaitResult::Timeout`] is a return of 0.
    fn sleep_ex(&self, ms: u32, alertable: bool) -> Result<WaitResult, WsaError>;

    // ---- network events ----

    /// `WSAEventSelect`: from now on the network events `network_events`
    /// (`FD_*` bits; 0 cancels) of `s` are recorded and signal `event`
    /// (`None` is `NULL`, for a cancel); the socket becomes non-blocking.
    ///
    /// Provided so that an implementation outside this crate keeps
    /// building: it fails with `WSAEOPNOTSUPP` until the implementation
    /// gives its own. Both of this crate's backends do.
    fn wsa_event_select(
        &self,
        s: Self::Socket,
        event: Option<Self::Event>,
        network_events: i32,
    ) -> Result<(), WsaError> {
        let _ = (s, event, network_events);
        Err(WsaError::Code(WSAEOPNOTSUPP))
    }

    /// `WSAEnumNetworkEvents`: the network events recorded on `s` since
    /// the last call, with their error codes; the record is cleared and
    /// `event` (when given) reset.
    ///
    /// Provided as [`WinsockOverlapped::wsa_event_select`] is.
    fn wsa_enum_network_events(
        &self,
        s: Self::Socket,
        event: Option<Self::Event>,
    ) -> Result<NetworkEvents, WsaError> {
        let _ = (s, event);
        Err(WsaError::Code(WSAEOPNOTSUPP))
    }

    /// `WSAAsyncSelect`: from now on each network event of `network_events`
    /// (`FD_*` bits; 0 cancels) on `s` posts `msg` to the window `hwnd`,
    /// `wParam` the socket and `lParam` `WSAMAKESELECTREPLY(event, error)`;
    /// the socket becomes non-blocking. The model has no windows: it keeps
    /// the messages for its front end (`SimHost::take_window_messages`).
    ///
    /// Provided as [`WinsockOverlapped::wsa_event_select`] is.
    fn wsa_async_select(
        &self,
        s: Self::Socket,
        hwnd: usize,
        msg: u32,
        network_events: i32,
    ) -> Result<(), WsaError> {
        let _ = (s, hwnd, msg, network_events);
        Err(WsaError::Code(WSAEOPNOTSUPP))
    }

    // ---- overlapped calls ----

    /// `WSARecv` with `lpOverlapped` (and `lpCompletionRoutine` when
    /// `routine` is given). `flags` is `*lpFlags` on input.
    fn wsa_recv_overlapped(
        &self,
        s: Self::Socket,
        buffers: Vec<WsaBuf>,
        flags: u32,
        overlapped: Overlapped<Self::Event>,
        routine: Option<CompletionRoutine<Self::Event>>,
    ) -> Result<Posted<Self::Event>, WsaError>;

    /// `WSARecvFrom` with `lpOverlapped`; `from` is `lpFrom`/`lpFromlen`,
    /// written at completion.
    fn wsa_recv_from_overlapped(
        &self,
        s: Self::Socket,
        buffers: Vec<WsaBuf>,
        flags: u32,
        from: NameBuf,
        overlapped: Overlapped<Self::Event>,
        routine: Option<CompletionRoutine<Self::Event>>,
    ) -> Result<Posted<Self::Event>, WsaError>;

    /// `WSARecvMsg` with `lpOverlapped`. `msg.flags` is the input
    /// `dwFlags`; the output flags come with the completion.
    fn wsa_recv_msg_overlapped(
        &self,
        s: Self::Socket,
        msg: WsaMsg,
        overlapped: Overlapped<Self::Event>,
        routine: Option<CompletionRoutine<Self::Event>>,
    ) -> Result<Posted<Self::Event>, WsaError>;

    /// `WSASend` with `lpOverlapped`.
    fn wsa_send_overlapped(
        &self,
        s: Self::Socket,
        buffers: Vec<WsaBuf>,
        flags: u32,
        overlapped: Overlapped<Self::Event>,
        routine: Option<CompletionRoutine<Self::Event>>,
    ) -> Result<Posted<Self::Event>, WsaError>;

    /// `WSASendTo` with `lpOverlapped`; `to` is `lpTo`/`iTolen`.
    fn wsa_send_to_overlapped(
        &self,
        s: Self::Socket,
        buffers: Vec<WsaBuf>,
        flags: u32,
        to: NameBuf,
        overlapped: Overlapped<Self::Event>,
        routine: Option<CompletionRoutine<Self::Event>>,
    ) -> Result<Posted<Self::Event>, WsaError>;

    /// `WSASendMsg` with `lpOverlapped`; `flags` is `dwFlags`.
    fn wsa_send_msg_overlapped(
        &self,
        s: Self::Socket,
        msg: WsaMsg,
        flags: u32,
        overlapped: Overlapped<Self::Event>,
        routine: Option<CompletionRoutine<Self::Event>>,
    ) -> Result<Posted<Self::Event>, WsaError>;

    /// `WSAGetOverlappedResult`: the operation's status, byte count and
    /// flags. While it is pending: `WSA_IO_INCOMPLETE` with `wait` false,
    /// else a wait (not alertable) for it. The first call after completion
    /// also hands back the buffers (later calls give the same status with
    /// none); an operation whose completion went to a routine or a port
    /// hands its buffers back there.
    fn wsa_get_overlapped_result(
        &self,
        s: Self::Socket,
        overlapped: &Overlapped<Self::Event>,
        wait: bool,
    ) -> Result<Completion<Self::Event>, WsaError>;

    /// `CancelIoEx`: cancels the socket's outstanding operation `overlapped`
    /// (or all of them with `None`); each completes with
    /// `WSA_OPERATION_ABORTED`. `ERROR_NOT_FOUND` when there was none.
    fn cancel_io_ex(
        &self,
        s: Self::Socket,
        overlapped: Option<&Overlapped<Self::Event>>,
    ) -> Result<(), WsaError>;

    // ---- completion ports ----

    /// `CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, concurrency)`:
    /// a new port.
    fn create_io_completion_port(&self, concurrency: u32) -> Result<Self::Port, WsaError>;

    /// `CreateIoCompletionPort(s, port, key, 0)`: from now on every
    /// operation of `s` that completes queues a packet with `key` to `port`.
    fn associate_completion_port(
        &self,
        port: Self::Port,
        s: Self::Socket,
        key: usize,
    ) -> Result<(), WsaError>;

    /// `SetFileCompletionNotificationModes` on a socket
    /// ([`FILE_SKIP_COMPLETION_PORT_ON_SUCCESS`],
    /// [`FILE_SKIP_SET_EVENT_ON_HANDLE`]).
    fn set_file_completion_notification_modes(
        &self,
        s: Self::Socket,
        modes: u8,
    ) -> Result<(), WsaError>;

    /// `GetQueuedCompletionStatus`: the next packet, waiting up to
    /// `timeout_ms` ([`WSA_INFINITE`]: forever; `WSA_WAIT_TIMEOUT` when it
    /// passes). A packet of a failed operation is `Ok` with its `error` set.
    fn get_queued_completion_status(
        &self,
        port: Self::Port,
        timeout_ms: u32,
    ) -> Result<PortPacket<Self::Event>, WsaError>;

    /// `GetQueuedCompletionStatusEx`: up to `max` packets at once. When
    /// `alertable`, queued completion routines run instead and the call
    /// fails with `WSA_WAIT_IO_COMPLETION` (as Windows' `WAIT_IO_COMPLETION`).
    fn get_queued_completion_status_ex(
        &self,
        port: Self::Port,
        max: usize,
        timeout_ms: u32,
        alertable: bool,
    ) -> Result<Vec<PortPacket<Self::Event>>, WsaError>;

    /// `PostQueuedCompletionStatus`: queues a packet of your own.
    fn post_queued_completion_status(
        &self,
        port: Self::Port,
        bytes: u32,
        key: usize,
        overlapped: Option<Overlapped<Self::Event>>,
    ) -> Result<(), WsaError>;

    /// `CloseHandle` on a port; threads waiting on it fail with
    /// `ERROR_ABANDONED_WAIT_0`.
    fn close_port(&self, port: Self::Port) -> Result<(), WsaError>;

    /// `WSAIoctl` with `lpOverlapped` and a `lpcbBytesReturned` (and
    /// `lpCompletionRoutine` when `routine`): what the call does with them
    /// ([`IoctlStarted`]); `output` is the output buffer, written when it
    /// completes at once. The caller indicates the completion (the
    /// `OVERLAPPED`, its routine, event or port).
    ///
    /// Provided as [`WinsockOverlapped::wsa_event_select`] is; the model
    /// gives its own.
    fn wsa_ioctl_overlapped(
        &self,
        s: Self::Socket,
        code: u32,
        input: &[u8],
        output: &mut [u8],
        routine: bool,
    ) -> Result<IoctlStarted, WsaError> {
        let _ = (s, code, input, output, routine);
        Err(WsaError::Code(WSAEOPNOTSUPP))
    }

    /// Any of the six overlapped data calls, from one [`DataRequest`]: the
    /// named method its `call` is (`wsa_recv_overlapped`, ...,
    /// `wsa_send_msg_overlapped`), with its arguments. The request's
    /// memory goes with the operation and comes back in its
    /// [`Completion`].
    #[track_caller]
    fn data_call_overlapped(
        &self,
        s: Self::Socket,
        req: DataRequest,
        overlapped: Overlapped<Self::Event>,
        routine: Option<CompletionRoutine<Self::Event>>,
    ) -> Result<Posted<Self::Event>, WsaError> {
        let DataRequest {
            call,
            buffers,
            name,
            control,
            flags,
            msg_flags,
        } = req;
        let msg = |flags| WsaMsg {
            name,
            buffers,
            control,
            flags,
        };
        match call {
            DataCall::Recv(RecvCall::Recv) => {
                self.wsa_recv_overlapped(s, msg(0).buffers, flags, overlapped, routine)
            }
            DataCall::Recv(RecvCall::RecvFrom) => {
                let m = msg(0);
                self.wsa_recv_from_overlapped(s, m.buffers, flags, m.name, overlapped, routine)
            }
            DataCall::Recv(RecvCall::RecvMsg) => {
                self.wsa_recv_msg_overlapped(s, msg(flags), overlapped, routine)
            }
            DataCall::Send(SendCall::Send) => {
                self.wsa_send_overlapped(s, msg(0).buffers, flags, overlapped, routine)
            }
            DataCall::Send(SendCall::SendTo) => {
                let m = msg(0);
                self.wsa_send_to_overlapped(s, m.buffers, flags, m.name, overlapped, routine)
            }
            DataCall::Send(SendCall::SendMsg) => {
                self.wsa_send_msg_overlapped(s, msg(msg_flags), flags, overlapped, routine)
            }
        }
    }
}
