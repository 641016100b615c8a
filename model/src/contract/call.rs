//! The data calls, named once, and their arguments in one shape.
//!
//! The model, the OS backend and the scenario runner all say which call
//! they make with [`DataCall`] (a [`RecvCall`] or a [`SendCall`]), and
//! pass a call's arguments as one [`DataRequest`]. The twelve named trait
//! methods (`wsa_recv`, ..., `wsa_send_msg_overlapped`) are what a Winsock
//! programmer recognises; [`Winsock::data_call`](crate::Winsock::data_call)
//! and
//! [`WinsockOverlapped::data_call_overlapped`](crate::WinsockOverlapped::data_call_overlapped)
//! make any of them from a request.
//!
//! ```
//! use winsock_double::*;
//! let req = DataRequest::new(DataCall::Recv(RecvCall::RecvFrom), vec![WsaBuf::zeroed(64)])
//!     .with_name(NameBuf::storage());
//! assert_eq!(req.call.name(), "WSARecvFrom");
//! assert!(req.call.is_recv());
//! ```

use super::types::{NameBuf, WsaBuf, WsaMsg};

/// A receive call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RecvCall {
    /// `WSARecv`.
    Recv,
    /// `WSARecvFrom`.
    RecvFrom,
    /// `WSARecvMsg`.
    RecvMsg,
}

impl RecvCall {
    /// The Winsock function's name (`"WSARecvMsg"`).
    pub fn name(self) -> &'static str {
        match self {
            RecvCall::Recv => "WSARecv",
            RecvCall::RecvFrom => "WSARecvFrom",
            RecvCall::RecvMsg => "WSARecvMsg",
        }
    }
}

/// A send call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SendCall {
    /// `WSASend`.
    Send,
    /// `WSASendTo`.
    SendTo,
    /// `WSASendMsg`.
    SendMsg,
}

impl SendCall {
    /// The Winsock function's name (`"WSASendMsg"`).
    pub fn name(self) -> &'static str {
        match self {
            SendCall::Send => "WSASend",
            SendCall::SendTo => "WSASendTo",
            SendCall::SendMsg => "WSASendMsg",
        }
    }
}

/// One of the six data calls of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DataCall {
    /// `WSARecv`, `WSARecvFrom` or `WSARecvMsg`.
    Recv(RecvCall),
    /// `WSASend`, `WSASendTo` or `WSASendMsg`.
    Send(SendCall),
}

impl DataCall {
    /// Every data call.
    pub const ALL: [DataCall; 6] = [
        DataCall::Recv(RecvCall::Recv),
        DataCall::Recv(RecvCall::RecvFrom),
        DataCall::Recv(RecvCall::RecvMsg),
        DataCall::Send(SendCall::Send),
        DataCall::Send(SendCall::SendTo),
        DataCall::Send(SendCall::SendMsg),
    ];

    /// The Winsock function's name (`"WSARecvMsg"`).
    pub fn name(self) -> &'static str {
        match self {
            DataCall::Recv(c) => c.name(),
            DataCall::Send(c) => c.name(),
        }
    }

    /// Whether it receives.
    pub fn is_recv(self) -> bool {
        matches!(self, DataCall::Recv(_))
    }

    /// Whether it takes a `WSAMSG` (`WSARecvMsg`, `WSASendMsg`): then the
    /// request's name and control are the message's.
    pub fn is_msg(self) -> bool {
        matches!(
            self,
            DataCall::Recv(RecvCall::RecvMsg) | DataCall::Send(SendCall::SendMsg)
        )
    }

    /// Whether it takes an address (`lpFrom`, `lpTo`, or the message's
    /// `name`).
    pub fn has_name(self) -> bool {
        !matches!(
            self,
            DataCall::Recv(RecvCall::Recv) | DataCall::Send(SendCall::Send)
        )
    }
}

/// The arguments of any data call in one shape: what [`DataCall`] it is,
/// its buffers, its address, its control buffer and its flags. A field
/// the call does not take is left at its default and not read.
///
/// | field | `WSARecv`/`WSASend` | `WSARecvFrom`/`WSASendTo` | `WSARecvMsg`/`WSASendMsg` |
/// |---|---|---|---|
/// | `buffers` | `lpBuffers` | `lpBuffers` | `WSAMSG.lpBuffers` |
/// | `name` | | `lpFrom`/`lpTo` | `WSAMSG.name` |
/// | `control` | | | `WSAMSG.Control` |
/// | `flags` | `*lpFlags` / `dwFlags` | `*lpFlags` / `dwFlags` | `WSAMSG.dwFlags` / `dwFlags` |
/// | `msg_flags` | | | — / `WSAMSG.dwFlags` |
///
/// After a direct receive through
/// [`Winsock::data_call`](crate::Winsock::data_call), `buffers`, `name`,
/// `control` and `flags` hold what the call wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataRequest {
    /// Which call.
    pub call: DataCall,
    /// The data buffers.
    pub buffers: Vec<WsaBuf>,
    /// The address: the sender's room on a receive, the destination of a
    /// send.
    pub name: NameBuf,
    /// The control buffer of a message call (`WSACMSGHDR` objects).
    pub control: WsaBuf,
    /// The call's flags: input (and, on a direct receive, output) flags
    /// of a receive, `dwFlags` of a send.
    pub flags: u32,
    /// `WSAMSG.dwFlags` of `WSASendMsg`, which the call does not read
    /// (SENDMSG-MSG-FLAGS-IGNORED).
    pub msg_flags: u32,
}

impl DataRequest {
    /// A request for `call` with `buffers`, no address, no control buffer,
    /// no flags.
    pub fn new(call: DataCall, buffers: Vec<WsaBuf>) -> DataRequest {
        DataRequest {
            call,
            buffers,
            name: NameBuf::null(0),
            control: WsaBuf::null(0),
            flags: 0,
            msg_flags: 0,
        }
    }

    /// With the address `name`.
    pub fn with_name(mut self, name: NameBuf) -> DataRequest {
        self.name = name;
        self
    }

    /// With the control buffer `control`.
    pub fn with_control(mut self, control: WsaBuf) -> DataRequest {
        self.control = control;
        self
    }

    /// With the call's flags.
    pub fn with_flags(mut self, flags: u32) -> DataRequest {
        self.flags = flags;
        self
    }

    /// The `WSAMSG` of a message call: the request's buffers, name and
    /// control, and as `dwFlags` its flags (`WSARecvMsg`) or `msg_flags`
    /// (`WSASendMsg`). The request keeps empty ones until
    /// [`DataRequest::put_msg`] gives them back.
    pub fn take_msg(&mut self) -> WsaMsg {
        let flags = match self.call {
            DataCall::Send(_) => self.msg_flags,
            DataCall::Recv(_) => self.flags,
        };
        WsaMsg {
            name: std::mem::replace(&mut self.name, NameBuf::null(0)),
            buffers: std::mem::take(&mut self.buffers),
            control: std::mem::replace(&mut self.control, WsaBuf::null(0)),
            flags,
        }
    }

    /// Puts back what [`DataRequest::take_msg`] took, as the call left it.
    pub fn put_msg(&mut self, msg: WsaMsg) {
        self.name = msg.name;
        self.buffers = msg.buffers;
        self.control = msg.control;
        match self.call {
            DataCall::Send(_) => self.msg_flags = msg.flags,
            DataCall::Recv(_) => self.flags = msg.flags,
        }
    }

    /// A request from a message call's `WSAMSG` (and, for `WSASendMsg`,
    /// its `dwFlags`).
    pub fn from_msg(call: DataCall, msg: WsaMsg, send_flags: u32) -> DataRequest {
        let mut r = DataRequest::new(call, Vec::new());
        r.put_msg(msg);
        if let DataCall::Send(_) = call {
            r.flags = send_flags;
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_functions_and_half_receive() {
        let names: Vec<_> = DataCall::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(
            names,
            [
                "WSARecv",
                "WSARecvFrom",
                "WSARecvMsg",
                "WSASend",
                "WSASendTo",
                "WSASendMsg"
            ]
        );
        assert_eq!(DataCall::ALL.iter().filter(|c| c.is_recv()).count(), 3);
        assert_eq!(DataCall::ALL.iter().filter(|c| c.is_msg()).count(), 2);
        assert_eq!(DataCall::ALL.iter().filter(|c| c.has_name()).count(), 4);
    }

    /// A message's parts go out and come back whole; the flags are the
    /// receive's `dwFlags`, or the send's `WSAMSG.dwFlags` apart from its
    /// call flags.
    #[test]
    fn a_message_goes_out_and_back() {
        let msg = WsaMsg {
            name: NameBuf::storage(),
            buffers: vec![WsaBuf::zeroed(3)],
            control: WsaBuf::zeroed(8),
            flags: 0x2,
        };
        let mut r = DataRequest::from_msg(DataCall::Recv(RecvCall::RecvMsg), msg.clone(), 99);
        assert_eq!(r.flags, 0x2);
        let out = r.take_msg();
        assert_eq!(out, msg);
        assert!(r.buffers.is_empty());
        r.put_msg(out);
        assert_eq!(r.buffers.len(), 1);

        let mut s = DataRequest::from_msg(DataCall::Send(SendCall::SendMsg), msg.clone(), 0x1);
        assert_eq!((s.flags, s.msg_flags), (0x1, 0x2));
        assert_eq!(s.take_msg().flags, 0x2);
    }
}
