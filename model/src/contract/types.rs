//! Argument types of the Winsock calls.
//!
//! Each type models the C argument faithfully enough to carry every fault the
//! documentation names: a `NULL` pointer with a nonzero length, a length that
//! runs past the memory behind it, a name buffer too small for an address.
//! Safe code builds them with the constructors; the fault constructors
//! (`null`, `overlong`) exist so tests can ask for the documented errors.

use super::addr;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;

/// A socket handle. The model hands out its own values; the OS backend wraps
/// the real `SOCKET`. Any value can be constructed, so an unknown handle
/// (`WSAENOTSOCK`) is expressible.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Socket(pub u64);

/// A `WSABUF`: a length and a pointer to memory.
///
/// `buf == None` is a `NULL` pointer. When `len` is larger than the memory
/// behind the pointer, the buffer is not "totally contained in a valid part of
/// the user address space" and a call must fail with `WSAEFAULT`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WsaBuf {
    /// `WSABUF.len`: how many bytes the call may use.
    pub len: u32,
    /// `WSABUF.buf`: the memory, or `None` for a `NULL` pointer.
    pub buf: Option<Vec<u8>>,
}

impl WsaBuf {
    /// A zeroed buffer of `len` bytes, for receiving.
    pub fn zeroed(len: usize) -> WsaBuf {
        WsaBuf::from(vec![0u8; len])
    }

    /// A `NULL` pointer with the given length (a fault unless `len == 0`).
    pub fn null(len: u32) -> WsaBuf {
        WsaBuf { len, buf: None }
    }

    /// Memory whose `len` claims more than it holds (a fault when larger).
    pub fn overlong(mem: Vec<u8>, len: u32) -> WsaBuf {
        WsaBuf {
            len,
            buf: Some(mem),
        }
    }

    /// Whether the pointer and length describe valid memory: a `NULL` pointer
    /// only with a zero length, otherwise `len` within the memory.
    pub fn is_valid(&self) -> bool {
        match &self.buf {
            None => self.len == 0,
            Some(m) => self.len as usize <= m.len(),
        }
    }

    /// The usable bytes (`buf[..len]`); empty for an invalid buffer.
    pub fn bytes(&self) -> &[u8] {
        match &self.buf {
            Some(m) if self.is_valid() => &m[..self.len as usize],
            _ => &[],
        }
    }

    /// The usable bytes, mutable; empty for an invalid buffer.
    pub fn bytes_mut(&mut self) -> &mut [u8] {
        let ok = self.is_valid();
        match &mut self.buf {
            Some(m) if ok => &mut m[..self.len as usize],
            _ => &mut [],
        }
    }
}

impl From<Vec<u8>> for WsaBuf {
    fn from(mem: Vec<u8>) -> WsaBuf {
        let len = u32::try_from(mem.len()).expect("a WSABUF holds at most u32::MAX bytes");
        WsaBuf {
            len,
            buf: Some(mem),
        }
    }
}

impl From<&[u8]> for WsaBuf {
    fn from(mem: &[u8]) -> WsaBuf {
        WsaBuf::from(mem.to_vec())
    }
}

/// Concatenates the first `n` bytes held by `bufs`, in array order.
pub fn gather(bufs: &[WsaBuf], n: usize) -> Vec<u8> {
    gather_into(bufs, n, Vec::with_capacity(n))
}

/// [`gather`] into `out`, whose bytes are dropped first (its memory is
/// reused: the model passes buffers of consumed datagrams here).
pub(crate) fn gather_into(bufs: &[WsaBuf], n: usize, mut out: Vec<u8>) -> Vec<u8> {
    out.clear();
    // One buffer, the commonest: its first `n` bytes.
    if let [b] = bufs {
        let bytes = b.bytes();
        out.extend_from_slice(&bytes[..n.min(bytes.len())]);
        return out;
    }
    out.reserve(n);
    for b in bufs {
        if out.len() >= n {
            break;
        }
        let take = (n - out.len()).min(b.bytes().len());
        out.extend_from_slice(&b.bytes()[..take]);
    }
    out
}

/// A socket address argument: a pointer to `SOCKADDR` memory and its length
/// (`WSAMSG.name`/`namelen`, `lpFrom`/`lpFromlen`, `lpTo`/`iTolen`).
///
/// `mem == None` is a `NULL` pointer. On receive, `namelen` is the room on
/// input and is rewritten to the address length on output.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NameBuf {
    /// `namelen`: on input the room (or the length of the address to send to),
    /// on output of a receive the length of the address written.
    pub namelen: i32,
    /// The memory, or `None` for a `NULL` pointer.
    pub mem: Option<Vec<u8>>,
}

impl NameBuf {
    /// Room for any address (a `SOCKADDR_STORAGE`, 128 bytes), for receiving.
    pub fn storage() -> NameBuf {
        NameBuf {
            namelen: super::consts::SOCKADDR_STORAGE_SIZE as i32,
            mem: Some(vec![0; super::consts::SOCKADDR_STORAGE_SIZE]),
        }
    }

    /// An encoded address, for sending to it.
    pub fn addr(a: &SocketAddr) -> NameBuf {
        let mem = addr::encode(a);
        NameBuf {
            namelen: mem.len() as i32,
            mem: Some(mem),
        }
    }

    /// `NULL` with the given `namelen` (a fault unless 0).
    pub fn null(namelen: i32) -> NameBuf {
        NameBuf { namelen, mem: None }
    }

    /// `count` bytes of room with `namelen == count`.
    pub fn room(count: usize) -> NameBuf {
        NameBuf {
            namelen: count as i32,
            mem: Some(vec![0; count]),
        }
    }

    /// Whether this is `NULL` with `namelen == 0`: "no address".
    pub fn is_absent(&self) -> bool {
        self.mem.is_none() && self.namelen == 0
    }

    /// Whether the pointer and length are consistent: `NULL` only with a zero
    /// length; otherwise a non-negative length within the memory.
    pub fn is_valid(&self) -> bool {
        match &self.mem {
            None => self.namelen == 0,
            Some(m) => self.namelen >= 0 && self.namelen as usize <= m.len(),
        }
    }

    /// Decodes the address held in the first `namelen` bytes.
    pub fn decode(&self) -> Result<SocketAddr, addr::AddrError> {
        let m = self.mem.as_deref().unwrap_or(&[]);
        let n = (self.namelen.max(0) as usize).min(m.len());
        addr::decode(&m[..n])
    }
}

/// A `WSAMSG`: the argument of `WSARecvMsg` and `WSASendMsg`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WsaMsg {
    /// `name`/`namelen`: the peer address (output of a receive, destination of
    /// a send; absent on a connected socket).
    pub name: NameBuf,
    /// `lpBuffers`/`dwBufferCount`: the data buffers.
    pub buffers: Vec<WsaBuf>,
    /// `Control`: ancillary data (`WSACMSGHDR` objects). On receive its `len`
    /// is rewritten to the bytes written.
    pub control: WsaBuf,
    /// `dwFlags`: input flags of a receive (only `MSG_PEEK`), output flags
    /// (`MSG_TRUNC`, `MSG_CTRUNC`, `MSG_BCAST`, `MSG_MCAST`).
    pub flags: u32,
}

impl WsaMsg {
    /// A receive message: room for any address, one buffer per size, and
    /// `control` bytes of control room (`NULL` when 0).
    pub fn for_recv(sizes: &[usize], control: usize) -> WsaMsg {
        WsaMsg {
            name: NameBuf::storage(),
            buffers: sizes.iter().map(|&n| WsaBuf::zeroed(n)).collect(),
            control: if control == 0 {
                WsaBuf::null(0)
            } else {
                WsaBuf::zeroed(control)
            },
            flags: 0,
        }
    }

    /// A send message to `to` (or to the connected peer when `None`).
    pub fn for_send(to: Option<&SocketAddr>, data: &[u8]) -> WsaMsg {
        WsaMsg {
            name: to.map(NameBuf::addr).unwrap_or_default(),
            buffers: vec![WsaBuf::from(data)],
            control: WsaBuf::null(0),
            flags: 0,
        }
    }

    /// The first `n` received bytes, gathered across the buffers.
    pub fn data(&self, n: usize) -> Vec<u8> {
        gather(&self.buffers, n)
    }

    /// The control bytes written (`Control.buf[..Control.len]`).
    pub fn control_bytes(&self) -> &[u8] {
        self.control.bytes()
    }
}

/// What `WSAStartup` reports (`WSADATA`, the fields that matter).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WsaData {
    /// `wVersion`: the version the caller is expected to use.
    pub version: u16,
    /// `wHighVersion`: the highest version this implementation supports.
    pub high_version: u16,
    /// `szDescription`.
    pub description: String,
}

/// `WSANETWORKEVENTS`, as `WSAEnumNetworkEvents` fills it: the network
/// events recorded since the last call (`FD_*` bits) and, for each, its
/// error code at the index of its bit (`FD_READ_BIT` ... ; 0 for none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NetworkEvents {
    /// `lNetworkEvents`.
    pub events: i32,
    /// `iErrorCode[FD_MAX_EVENTS]`.
    pub errors: [i32; super::consts::FD_MAX_EVENTS],
}

impl NetworkEvents {
    /// The error code recorded with event `fd` (one `FD_*` bit).
    pub fn error_of(&self, fd: i32) -> i32 {
        self.errors[fd.trailing_zeros() as usize % super::consts::FD_MAX_EVENTS]
    }
}

/// A window message `WSAAsyncSelect` asked for: posted to `hwnd` as
/// `msg`, with `wParam` the socket and `lParam`
/// `WSAMAKESELECTREPLY(event, error)` ([`WindowMessage::lparam`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowMessage {
    /// `hWnd` of the `WSAAsyncSelect` call.
    pub hwnd: u64,
    /// `wMsg` of the `WSAAsyncSelect` call.
    pub msg: u32,
    /// The socket the event happened on (`wParam`).
    pub socket: Socket,
    /// The one network event (`FD_*` bit).
    pub event: i32,
    /// Its error code (0 for none).
    pub error: i32,
}

impl WindowMessage {
    /// `lParam`: the event in the low word, the error code in the high
    /// word (`WSAMAKESELECTREPLY`).
    pub fn lparam(&self) -> u32 {
        ((self.error as u32) << 16) | (self.event as u32 & 0xffff)
    }
}

/// One element of `WSAPoll`'s array (`WSAPOLLFD`): the socket, the
/// status asked for, and (written by the call) the status found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollFd<S = Socket> {
    /// `fd`: the socket. A value with the top bit set is "negative"
    /// (`INVALID_SOCKET` is one): it is not checked for `events` and gets
    /// `POLLNVAL` (see [`SimHost::poll`](crate::SimHost::poll)).
    pub socket: S,
    /// `events`: a combination of `POLLRDNORM`, `POLLRDBAND`
    /// (`POLLIN` is both) and `POLLWRNORM` (`POLLOUT`), or 0.
    pub events: i16,
    /// `revents`: written by the call.
    pub revents: i16,
}

impl<S> PollFd<S> {
    /// An element asking `events` of `socket`, `revents` 0.
    pub fn new(socket: S, events: i16) -> PollFd<S> {
        PollFd {
            socket,
            events,
            revents: 0,
        }
    }
}
