//! [`SimHost`]'s implementation of [`WinsockOverlapped`].
//!
//! Completion routines are user code that may call back into the host, so
//! they run with the world unlocked: a wait that finds routines to run
//! returns to here, runs them one by one, and reports
//! `WSA_WAIT_IO_COMPLETION`.

use super::host::{bufs_shape, c, SimHost};
use super::ovl::{Op, WaitStep};
use super::ovl_render::{render_completion, render_ovl, render_posted};

use crate::contract::consts;
use crate::contract::ntstatus;
use crate::contract::overlapped::{
    ran_despite, Completion, CompletionRoutine, Event, IoctlStarted, Overlapped, Port, PortPacket,
    Posted, WaitResult,
};
use crate::contract::types::{NameBuf, NetworkEvents as NetEvents, Socket, WsaBuf, WsaMsg};
use crate::contract::Quirk;
use crate::contract::{DataCall, DataRequest, RecvCall, SendCall};
use crate::contract::{Winsock, WinsockOverlapped, WsaError};

impl SimHost {
    /// Runs the completion routines this thread may run now, one after the
    /// other, with the world unlocked (a routine may call the host).
    pub(super) fn run_apcs(&self) {
        // One lock finds the thread and its first routine, and one after
        // each routine marks it returned and takes the next.
        let (t, mut next) = {
            let mut w = self.world.lock();
            let t = (
                self.host,
                w.sched.lookup().unwrap_or(super::sched_state::MAIN),
            );
            (t, w.next_apc(t))
        };
        while let Some(apc) = next {
            let socket = apc.socket;
            // RECV-OVL-ROUTINE-ARGS, RECVMSG-OVL-ROUTINE-ARGS, SENDMSG-OVL-ROUTINE-ARGS:
            // dwError, cbTransferred and dwFlags are the completion's. The world
            // is unlocked: the routine may post the next operation
            // (RECV-OVL-FROM-COMPLETION-ROUTINE, RECVMSG-OVL-FROM-COMPLETION-ROUTINE,
            // SENDMSG-OVL-FROM-COMPLETION-ROUTINE).
            let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                (apc.routine)(apc.completion)
            }));
            let mut w = self.world.lock();
            // A routine that panicked has still returned, for the socket's
            // next routine (RECV-OVL-ROUTINE-RETURN-NEXT).
            w.apc_done(socket);
            if let Err(p) = ran {
                drop(w);
                std::panic::resume_unwind(p);
            }
            next = w.next_apc(t);
        }
    }

    fn end_wait(&self, step: WaitStep<WaitResult>) -> WaitResult {
        match step {
            WaitStep::Done(r) => r,
            WaitStep::RunApcs => {
                self.run_apcs();
                WaitResult::IoCompletion
            }
        }
    }

    /// Starts an overlapped operation, or runs it as a direct call on a
    /// socket without `WSA_FLAG_OVERLAPPED`.
    #[track_caller]
    fn post_op(&self, op: Box<Op>) -> Result<Posted, WsaError> {
        // The lock that looks at the socket is the call's.
        let mut w = self.world.lock();
        super::host_poll::reenable_by_overlapped(&mut w, &op);
        // RECVMSG-OVERLAPPED-SOCKET-FLAG, SENDMSG-OVERLAPPED-SOCKET-FLAG: a socket
        // with WSA_FLAG_OVERLAPPED makes the call overlapped.
        let direct = w
            .sockets
            .get(&w.handles.id(op.socket))
            .is_some_and(|st| st.host == self.host && !st.overlapped);
        if direct {
            // WIN-NONOVERLAPPED-RECV-BLOCKS: the receive blocks; the
            // socket's FIONBIO is set aside for the call (model choice: a
            // FIONBIO another thread sets meanwhile is undone after it).
            let id = w.handles.id(op.socket);
            let unblock = op.kind.is_recv()
                && w.quirk(Quirk::NonOverlappedRecvBlocks)
                && w.sockets.get(&id).is_some_and(|st| st.nonblocking);
            if let Some(st) = w.sockets.get_mut(&id).filter(|_| unblock) {
                st.nonblocking = false;
            }
            drop(w);
            let r = self.run_direct(op);
            if let Some(st) = self.world.lock().sockets.get_mut(&id).filter(|_| unblock) {
                st.nonblocking = true;
            }
            return r;
        }
        let name = op.kind.name();
        // The operation moves into the world: its arguments are rendered
        // before, when there is a trace to render them for.
        let args = if self.tracing {
            format!(
                "{:#x}, {}, {}, {}",
                op.socket,
                bufs_shape(&op.buffers),
                consts::msg_flags_to_string(op.flags_in),
                render_ovl(&op.ovl, op.routine.is_some())
            )
        } else {
            String::new()
        };
        let mut op = Some(op);
        self.call_locked(
            w,
            name,
            || args,
            |w| {
                let mut op = op.take().expect("posting never parks");
                op.thread = w.thread_on(op.thread.0);
                // (The operation keeps the socket's id: handles.rs.)
                op.socket = w.handles.id(op.socket);
                w.post(op)
            },
            render_posted,
        )
    }

    /// RECV-NONOVERLAPPED-IGNORES-OVERLAPPED,
    /// RECVMSG-NONOVERLAPPED-IGNORES-OVERLAPPED,
    /// SENDMSG-NONOVERLAPPED-IGNORES-OVERLAPPED: the overlapped structure
    /// and the routine are ignored; the call runs as a direct one.
    #[track_caller]
    fn run_direct(&self, op: Box<Op>) -> Result<Posted, WsaError> {
        let Op {
            ovl,
            socket,
            kind,
            flags_in,
            buffers,
            name,
            control,
            ..
        } = *op;
        let mut req = DataRequest::new(kind, buffers).with_flags(flags_in);
        if let Some(n) = name {
            req.name = n;
        }
        if let Some(c) = control {
            req.control = c;
        }
        let mut bytes = 0u32;
        let r = self.data_call(Socket(socket), &mut req, Some(&mut bytes));
        let DataRequest {
            buffers,
            name,
            control,
            flags,
            ..
        } = req;
        // A send reports no flags; only the calls that take them give back
        // a name and a control buffer.
        let flags = if kind.is_recv() { flags } else { 0 };
        let name = kind.has_name().then_some(name);
        let control = kind.is_msg().then_some(control);
        let error = match r {
            Ok(()) => 0,
            // A truncated datagram was still received.
            Err(WsaError::Code(e)) if ran_despite(e) => e,
            Err(e) => return Err(e),
        };
        let dgram = self
            .world
            .lock()
            .sockets
            .get(&socket)
            .is_some_and(|st| st.is_dgram());
        let status = ntstatus::status_of_wsa(error, dgram);
        Ok(Posted::Synchronous(Completion {
            overlapped: ovl,
            error,
            bytes,
            status,
            flags,
            buffers,
            name,
            control,
        }))
    }

    /// Takes the completions of this host's finished overlapped
    /// operations that went to their `WSAOVERLAPPED` (no completion
    /// routine and no completion port took them), in the order the
    /// operations finished, as `WSAGetOverlappedResult` would take each
    /// (a later `WSAGetOverlappedResult` gives the status only). Writes no
    /// trace line and is no scheduling point: it is for a front end that
    /// hands completions on to objects outside the model (the DLL: the
    /// program's `OVERLAPPED`, a kernel event, a user APC).
    pub fn take_completions(&self) -> Vec<Completion> {
        self.world.lock().take_held(self.host)
    }

    /// Waits in virtual time, as a blocking call named `what` (its trace
    /// line), until one of this host's operations whose `WSAOVERLAPPED`
    /// ids are `ids` has finished (`true`) or `timeout_ms` has passed
    /// (`false`; `WSA_INFINITE`: no time-out); the model's deadlock report
    /// when nothing in flight can end the wait. For a front end whose
    /// program waits on objects the model does not see (a kernel event a
    /// completion sets, `SleepEx` for a completion routine).
    #[track_caller]
    pub fn wait_overlapped(
        &self,
        what: &'static str,
        ids: &[u64],
        timeout_ms: u32,
    ) -> Result<bool, WsaError> {
        let h = self.host;
        self.call(
            what,
            || format!("ovl={ids:?}, {timeout_ms}ms"),
            |w| w.wait_ops(h, ids, timeout_ms, what),
        )
    }

    /// The operation `req` posts on `s`. SENDMSG-MSG-FLAGS-IGNORED: a
    /// send's `WSAMSG.dwFlags` is not kept.
    fn op(
        &self,
        s: Socket,
        req: DataRequest,
        overlapped: Overlapped,
        routine: Option<CompletionRoutine>,
    ) -> Box<Op> {
        let call = req.call;
        // Boxed: an operation moves through several calls and queues.
        Box::new(Op {
            ovl: overlapped,
            // The calling thread is filled in at the call (`post_op`).
            thread: (self.host, super::sched_state::MAIN),
            socket: s.0,
            kind: call,
            flags_in: req.flags,
            buffers: req.buffers,
            name: call.has_name().then_some(req.name),
            control: call.is_msg().then_some(req.control),
            routine,
            name_ok: true,
            plan: None,
        })
    }
}

impl WinsockOverlapped for SimHost {
    type Event = Event;
    type Port = Port;

    #[track_caller]
    fn wsa_event_select(&self, s: Socket, e: Option<Event>, mask: i32) -> Result<(), WsaError> {
        self.event_select(s, e, mask)
    }

    #[track_caller]
    fn wsa_enum_network_events(&self, s: Socket, e: Option<Event>) -> Result<NetEvents, WsaError> {
        self.enum_network_events(s, e)
    }

    #[track_caller]
    fn wsa_async_select(
        &self,
        s: Socket,
        hwnd: usize,
        msg: u32,
        mask: i32,
    ) -> Result<(), WsaError> {
        self.async_select(s, hwnd as u64, msg, mask)
    }

    #[track_caller]
    fn wsa_create_event(&self) -> Result<Event, WsaError> {
        let h = self.host;
        self.call("WSACreateEvent", String::new, |w| c(w.create_event(h)))
    }

    #[track_caller]
    fn wsa_close_event(&self, e: Event) -> Result<(), WsaError> {
        let h = self.host;
        self.call(
            "WSACloseEvent",
            || format!("{:#x}", e.0),
            |w| c(w.close_event(h, e)),
        )
    }

    #[track_caller]
    fn wsa_set_event(&self, e: Event) -> Result<(), WsaError> {
        let h = self.host;
        self.call(
            "WSASetEvent",
            || format!("{:#x}", e.0),
            |w| c(w.set_event(h, e, true)),
        )
    }

    #[track_caller]
    fn wsa_reset_event(&self, e: Event) -> Result<(), WsaError> {
        let h = self.host;
        self.call(
            "WSAResetEvent",
            || format!("{:#x}", e.0),
            |w| c(w.set_event(h, e, false)),
        )
    }

    #[track_caller]
    fn wsa_wait_for_multiple_events(
        &self,
        events: &[Event],
        wait_all: bool,
        timeout_ms: u32,
        alertable: bool,
    ) -> Result<WaitResult, WsaError> {
        let h = self.host;
        let step = self.call(
            "WSAWaitForMultipleEvents",
            || {
                let hs: Vec<String> = events.iter().map(|e| format!("{:#x}", e.0)).collect();
                format!(
                    "[{}], all={wait_all}, {timeout_ms}ms, alertable={alertable}",
                    hs.join(",")
                )
            },
            |w| w.wait_events(w.thread_on(h), events, wait_all, timeout_ms, alertable),
        )?;
        Ok(self.end_wait(step))
    }

    #[track_caller]
    fn sleep_ex(&self, ms: u32, alertable: bool) -> Result<WaitResult, WsaError> {
        let h = self.host;
        let step = self.call(
            "SleepEx",
            || format!("{ms}ms, alertable={alertable}"),
            |w| w.sleep(w.thread_on(h), ms, alertable),
        )?;
        Ok(self.end_wait(step))
    }

    #[track_caller]
    fn wsa_recv_overlapped(
        &self,
        s: Socket,
        buffers: Vec<WsaBuf>,
        flags: u32,
        overlapped: Overlapped,
        routine: Option<CompletionRoutine>,
    ) -> Result<Posted, WsaError> {
        let req = DataRequest::new(DataCall::Recv(RecvCall::Recv), buffers).with_flags(flags);
        self.data_call_overlapped(s, req, overlapped, routine)
    }

    #[track_caller]
    fn wsa_recv_from_overlapped(
        &self,
        s: Socket,
        buffers: Vec<WsaBuf>,
        flags: u32,
        from: NameBuf,
        overlapped: Overlapped,
        routine: Option<CompletionRoutine>,
    ) -> Result<Posted, WsaError> {
        let req = DataRequest::new(DataCall::Recv(RecvCall::RecvFrom), buffers)
            .with_flags(flags)
            .with_name(from);
        self.data_call_overlapped(s, req, overlapped, routine)
    }

    #[track_caller]
    fn wsa_recv_msg_overlapped(
        &self,
        s: Socket,
        msg: WsaMsg,
        overlapped: Overlapped,
        routine: Option<CompletionRoutine>,
    ) -> Result<Posted, WsaError> {
        let req = DataRequest::from_msg(DataCall::Recv(RecvCall::RecvMsg), msg, 0);
        self.data_call_overlapped(s, req, overlapped, routine)
    }

    #[track_caller]
    fn wsa_send_overlapped(
        &self,
        s: Socket,
        buffers: Vec<WsaBuf>,
        flags: u32,
        overlapped: Overlapped,
        routine: Option<CompletionRoutine>,
    ) -> Result<Posted, WsaError> {
        let req = DataRequest::new(DataCall::Send(SendCall::Send), buffers).with_flags(flags);
        self.data_call_overlapped(s, req, overlapped, routine)
    }

    #[track_caller]
    fn wsa_send_to_overlapped(
        &self,
        s: Socket,
        buffers: Vec<WsaBuf>,
        flags: u32,
        to: NameBuf,
        overlapped: Overlapped,
        routine: Option<CompletionRoutine>,
    ) -> Result<Posted, WsaError> {
        let req = DataRequest::new(DataCall::Send(SendCall::SendTo), buffers)
            .with_flags(flags)
            .with_name(to);
        self.data_call_overlapped(s, req, overlapped, routine)
    }

    #[track_caller]
    fn wsa_send_msg_overlapped(
        &self,
        s: Socket,
        msg: WsaMsg,
        flags: u32,
        overlapped: Overlapped,
        routine: Option<CompletionRoutine>,
    ) -> Result<Posted, WsaError> {
        let req = DataRequest::from_msg(DataCall::Send(SendCall::SendMsg), msg, flags);
        self.data_call_overlapped(s, req, overlapped, routine)
    }

    #[track_caller]
    fn wsa_ioctl_overlapped(
        &self,
        s: Socket,
        code: u32,
        input: &[u8],
        output: &mut [u8],
        routine: bool,
    ) -> Result<IoctlStarted, WsaError> {
        self.ioctl_overlapped(s, code, input, output, routine)
    }

    /// The one body of the six overlapped data calls: the operation is
    /// made from the request and posted.
    #[track_caller]
    fn data_call_overlapped(
        &self,
        s: Socket,
        req: DataRequest,
        overlapped: Overlapped,
        routine: Option<CompletionRoutine>,
    ) -> Result<Posted, WsaError> {
        self.post_op(self.op(s, req, overlapped, routine))
    }

    #[track_caller]
    fn wsa_get_overlapped_result(
        &self,
        s: Socket,
        overlapped: &Overlapped,
        wait: bool,
    ) -> Result<Completion, WsaError> {
        let (h, id) = (self.host, overlapped.id);
        self.call_with(
            "WSAGetOverlappedResult",
            || format!("{:#x}, ovl={id}, fWait={wait}", s.0),
            |w| w.get_overlapped_result(h, w.handles.id(s.0), id, wait),
            render_completion,
        )
    }

    #[track_caller]
    fn cancel_io_ex(&self, s: Socket, overlapped: Option<&Overlapped>) -> Result<(), WsaError> {
        let h = self.host;
        let only = overlapped.map(|o| o.id);
        self.call(
            "CancelIoEx",
            || format!("{:#x}, ovl={only:?}", s.0),
            |w| c(w.cancel(h, w.handles.id(s.0), only)),
        )
    }

    #[track_caller]
    fn create_io_completion_port(&self, concurrency: u32) -> Result<Port, WsaError> {
        let h = self.host;
        self.call(
            "CreateIoCompletionPort",
            || format!("INVALID_HANDLE_VALUE, NULL, 0, {concurrency}"),
            |w| c(w.create_port(h)),
        )
    }

    #[track_caller]
    fn associate_completion_port(&self, port: Port, s: Socket, key: usize) -> Result<(), WsaError> {
        let h = self.host;
        self.call(
            "CreateIoCompletionPort",
            || format!("{:#x}, {:#x}, {key}, 0", s.0, port.0),
            |w| c(w.associate(h, port, w.handles.id(s.0), key)),
        )
    }

    #[track_caller]
    fn set_file_completion_notification_modes(&self, s: Socket, modes: u8) -> Result<(), WsaError> {
        let h = self.host;
        self.call(
            "SetFileCompletionNotificationModes",
            || format!("{:#x}, {modes}", s.0),
            |w| c(w.set_notification_modes(h, w.handles.id(s.0), modes)),
        )
    }

    #[track_caller]
    fn get_queued_completion_status(
        &self,
        port: Port,
        timeout_ms: u32,
    ) -> Result<PortPacket, WsaError> {
        let h = self.host;
        let step = self.call_with(
            "GetQueuedCompletionStatus",
            || format!("{:#x}, {timeout_ms}ms", port.0),
            |w| w.dequeue(w.thread_on(h), port, 1, timeout_ms, false),
            |_| "ok".to_string(),
        )?;
        match step {
            WaitStep::Done(mut v) => Ok(v.remove(0)),
            WaitStep::RunApcs => unreachable!("not alertable"),
        }
    }

    #[track_caller]
    fn get_queued_completion_status_ex(
        &self,
        port: Port,
        max: usize,
        timeout_ms: u32,
        alertable: bool,
    ) -> Result<Vec<PortPacket>, WsaError> {
        let h = self.host;
        let step = self.call_with(
            "GetQueuedCompletionStatusEx",
            || {
                format!(
                    "{:#x}, max={max}, {timeout_ms}ms, alertable={alertable}",
                    port.0
                )
            },
            |w| w.dequeue(w.thread_on(h), port, max, timeout_ms, alertable),
            |s| match s {
                WaitStep::Done(v) => format!("ok {} packets", v.len()),
                WaitStep::RunApcs => "completion routines to run".into(),
            },
        )?;
        match step {
            WaitStep::Done(v) => Ok(v),
            WaitStep::RunApcs => {
                self.run_apcs();
                Err(WsaError::Code(consts::WSA_WAIT_IO_COMPLETION))
            }
        }
    }

    #[track_caller]
    fn post_queued_completion_status(
        &self,
        port: Port,
        bytes: u32,
        key: usize,
        overlapped: Option<Overlapped>,
    ) -> Result<(), WsaError> {
        let h = self.host;
        self.call(
            "PostQueuedCompletionStatus",
            || {
                format!(
                    "{:#x}, {bytes}, {key}, ovl={:?}",
                    port.0,
                    overlapped.map(|o| o.id)
                )
            },
            |w| c(w.post_packet(h, port, bytes, key, overlapped)),
        )
    }

    #[track_caller]
    fn close_port(&self, port: Port) -> Result<(), WsaError> {
        let h = self.host;
        self.call(
            "CloseHandle",
            || format!("{:#x}", port.0),
            |w| c(w.close_port(h, port)),
        )
    }
}
