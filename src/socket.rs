//! A Rust-shaped layer over the C-shaped [`Winsock`] trait, in the
//! conventions of the `socket2` crate: typed [`Domain`], [`Type`] and
//! [`Protocol`], flag sets ([`MsgFlags`] in, [`RecvFlags`] out), a socket
//! that closes itself when dropped ([`OwnedSocket`]), results in
//! [`std::io::Result`], and completion routines as plain closures
//! ([`routine`]).
//!
//! It works over any backend: the model's [`SimHost`](crate::SimHost) in
//! tests, the OS backend on Windows. The trait stays underneath for what
//! this layer does not cover (every documented fault, `WSARecvMsg`,
//! overlapped calls): [`OwnedSocket::as_raw`] and
//! [`OwnedSocket::winsock`] reach it.
//!
//! ```
//! use winsock_double::*;
//!
//! let sim = Sim::builder().seed(42).build();
//! let host = sim.add_host("local", &[]).unwrap();
//! host.wsa_startup(WINSOCK_VERSION_2_2)?;
//! let s = OwnedSocket::new(&host, Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))?;
//! s.bind(&"127.0.0.1:0".parse().unwrap())?;
//! let me = s.local_addr()?;
//! s.send_to(&[7u8; 100], &me)?;
//!
//! // As the C call does, `recv_from` fails on a truncated datagram ...
//! let mut small = [0u8; 10];
//! s.send_to(&[7u8; 100], &me)?;
//! let e = s.recv_from(&mut small).unwrap_err();
//! assert!(WsaError::of_io(&e).unwrap().is(WSAEMSGSIZE));
//! // ... and `recv_from_vectored` reports it in the flags, as socket2 does.
//! let (n, flags, from) = s.recv_from_vectored(&mut [std::io::IoSliceMut::new(&mut small)])?;
//! assert_eq!((n, flags.is_truncated(), from), (10, true, me));
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! The socket is closed (`closesocket`) when `s` goes out of scope; a
//! close whose result matters is [`OwnedSocket::close`].

use crate::{
    Completion, CompletionRoutine, NameBuf, Winsock, WsaBuf, WsaError, AF_INET, AF_INET6,
    AF_UNSPEC, FIONREAD, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP, MSG_BCAST,
    MSG_CTRUNC, MSG_DONTROUTE, MSG_MCAST, MSG_OOB, MSG_PARTIAL, MSG_PEEK, MSG_PUSH_IMMEDIATE,
    MSG_TRUNC, MSG_WAITALL, SD_BOTH, SD_RECEIVE, SD_SEND, SOCK_DGRAM, SOCK_RAW, SOCK_SEQPACKET,
    SOCK_STREAM, SOL_SOCKET, SO_BROADCAST, SO_ERROR, SO_RCVBUF, SO_REUSEADDR, SO_SNDBUF,
    SO_SNDTIMEO, WSAEMSGSIZE, WSAESHUTDOWN,
};
use std::fmt;
use std::io;
use std::net::{Ipv4Addr, Shutdown, SocketAddr};
use std::ops::{BitOr, BitOrAssign};
use std::time::Duration;

/// An address family (`af` of `socket`): [`Domain::IPV4`] or
/// [`Domain::IPV6`]; any other value converts from its number.
///
/// ```
/// use winsock_double::*;
/// assert_eq!(Domain::for_address("[::1]:80".parse().unwrap()), Domain::IPV6);
/// assert_eq!(i32::from(Domain::IPV4), AF_INET);
/// assert_eq!(format!("{:?}", Domain::IPV6), "AF_INET6");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Domain(i32);

impl Domain {
    /// `AF_INET`.
    pub const IPV4: Domain = Domain(AF_INET);
    /// `AF_INET6`.
    pub const IPV6: Domain = Domain(AF_INET6);
    /// `AF_UNSPEC`.
    pub const UNSPEC: Domain = Domain(AF_UNSPEC);

    /// The family of `addr`.
    pub const fn for_address(addr: SocketAddr) -> Domain {
        match addr {
            SocketAddr::V4(_) => Domain::IPV4,
            SocketAddr::V6(_) => Domain::IPV6,
        }
    }
}

/// A socket type (`type` of `socket`): [`Type::STREAM`], [`Type::DGRAM`],
/// [`Type::RAW`], [`Type::SEQPACKET`].
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Type(i32);

impl Type {
    /// `SOCK_STREAM`.
    pub const STREAM: Type = Type(SOCK_STREAM);
    /// `SOCK_DGRAM`.
    pub const DGRAM: Type = Type(SOCK_DGRAM);
    /// `SOCK_RAW`.
    pub const RAW: Type = Type(SOCK_RAW);
    /// `SOCK_SEQPACKET` (the model's simulated message protocols).
    pub const SEQPACKET: Type = Type(SOCK_SEQPACKET);
}

/// A protocol (`protocol` of `socket`): [`Protocol::TCP`],
/// [`Protocol::UDP`], [`Protocol::ICMPV4`], [`Protocol::ICMPV6`]. `None`
/// where a protocol is asked for means 0: the type's own.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Protocol(i32);

impl Protocol {
    /// `IPPROTO_TCP`.
    pub const TCP: Protocol = Protocol(IPPROTO_TCP);
    /// `IPPROTO_UDP`.
    pub const UDP: Protocol = Protocol(IPPROTO_UDP);
    /// `IPPROTO_ICMP`.
    pub const ICMPV4: Protocol = Protocol(IPPROTO_ICMP);
    /// `IPPROTO_ICMPV6`.
    pub const ICMPV6: Protocol = Protocol(IPPROTO_ICMPV6);
}

macro_rules! int_newtype {
    ($t:ident, $($name:ident => $text:literal),*) => {
        impl From<i32> for $t {
            fn from(v: i32) -> $t {
                $t(v)
            }
        }
        impl From<$t> for i32 {
            fn from(v: $t) -> i32 {
                v.0
            }
        }
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match *self {
                    $($t::$name => f.write_str($text),)*
                    $t(v) => write!(f, "{}({v})", stringify!($t)),
                }
            }
        }
    };
}

int_newtype!(Domain, IPV4 => "AF_INET", IPV6 => "AF_INET6", UNSPEC => "AF_UNSPEC");
int_newtype!(Type, STREAM => "SOCK_STREAM", DGRAM => "SOCK_DGRAM", RAW => "SOCK_RAW",
    SEQPACKET => "SOCK_SEQPACKET");
int_newtype!(Protocol, TCP => "IPPROTO_TCP", UDP => "IPPROTO_UDP", ICMPV4 => "IPPROTO_ICMP",
    ICMPV6 => "IPPROTO_ICMPV6");

/// The flags a receive or send is given (`flags` / `*lpFlags` on input):
/// a set, combined with `|`.
///
/// ```
/// use winsock_double::*;
/// let f = MsgFlags::PEEK | MsgFlags::OOB;
/// assert!(f.contains(MsgFlags::PEEK));
/// assert_eq!(f.bits(), MSG_PEEK | MSG_OOB);
/// assert_eq!(format!("{f:?}"), "MSG_OOB|MSG_PEEK");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct MsgFlags(u32);

impl MsgFlags {
    /// No flag.
    pub const NONE: MsgFlags = MsgFlags(0);
    /// `MSG_OOB`: urgent data.
    pub const OOB: MsgFlags = MsgFlags(MSG_OOB);
    /// `MSG_PEEK`: look without consuming.
    pub const PEEK: MsgFlags = MsgFlags(MSG_PEEK);
    /// `MSG_DONTROUTE`.
    pub const DONTROUTE: MsgFlags = MsgFlags(MSG_DONTROUTE);
    /// `MSG_WAITALL`: a stream receive waits until the buffers are full.
    pub const WAITALL: MsgFlags = MsgFlags(MSG_WAITALL);
    /// `MSG_PUSH_IMMEDIATE`.
    pub const PUSH_IMMEDIATE: MsgFlags = MsgFlags(MSG_PUSH_IMMEDIATE);
    /// `MSG_PARTIAL`.
    pub const PARTIAL: MsgFlags = MsgFlags(MSG_PARTIAL);

    /// The set of the bits `bits`, known or not.
    pub const fn from_bits(bits: u32) -> MsgFlags {
        MsgFlags(bits)
    }

    /// The Winsock value.
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// Whether every flag of `other` is in the set.
    pub const fn contains(self, other: MsgFlags) -> bool {
        self.0 & other.0 == other.0
    }
}

impl BitOr for MsgFlags {
    type Output = MsgFlags;
    fn bitor(self, rhs: MsgFlags) -> MsgFlags {
        MsgFlags(self.0 | rhs.0)
    }
}

impl BitOrAssign for MsgFlags {
    fn bitor_assign(&mut self, rhs: MsgFlags) {
        self.0 |= rhs.0;
    }
}

/// The flag names of `bits`, `|`-separated, in the contract's order.
fn flag_names(bits: u32, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    if bits == 0 {
        return f.write_str("(none)");
    }
    let mut left = bits;
    let mut first = true;
    for &(v, name) in crate::MSG_FLAG_NAMES {
        if v != 0 && left & v == v {
            if !first {
                f.write_str("|")?;
            }
            f.write_str(name)?;
            first = false;
            left &= !v;
        }
    }
    if left != 0 {
        if !first {
            f.write_str("|")?;
        }
        write!(f, "{left:#x}")?;
    }
    Ok(())
}

impl fmt::Debug for MsgFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        flag_names(self.0, f)
    }
}

/// What a receive reports about the message it returned (the output
/// flags), as socket2's `RecvFlags`: a truncated datagram is
/// [`is_truncated`](RecvFlags::is_truncated) rather than an error in the
/// calls that return these.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct RecvFlags(u32);

impl RecvFlags {
    /// The flags of the bits `bits` (the Winsock `MSG_*` values).
    pub const fn from_bits(bits: u32) -> RecvFlags {
        RecvFlags(bits)
    }

    /// The Winsock value: what the call wrote back, with `MSG_TRUNC` added
    /// when it failed with `WSAEMSGSIZE`.
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// The message was larger than the buffers: `WSAEMSGSIZE`, or
    /// `MSG_TRUNC` written back. For a datagram the rest is lost.
    pub const fn is_truncated(self) -> bool {
        self.0 & MSG_TRUNC != 0
    }

    /// The control data did not fit (`MSG_CTRUNC`).
    pub const fn is_control_truncated(self) -> bool {
        self.0 & MSG_CTRUNC != 0
    }

    /// Only part of a message came, more follows (`MSG_PARTIAL`).
    pub const fn is_partial(self) -> bool {
        self.0 & MSG_PARTIAL != 0
    }

    /// The datagram was sent to a broadcast address (`MSG_BCAST`).
    pub const fn is_broadcast(self) -> bool {
        self.0 & MSG_BCAST != 0
    }

    /// The datagram was sent to a multicast address (`MSG_MCAST`).
    pub const fn is_multicast(self) -> bool {
        self.0 & MSG_MCAST != 0
    }
}

impl fmt::Debug for RecvFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        flag_names(self.0, f)
    }
}

/// A completion routine from a closure: what the overlapped calls of
/// [`WinsockOverlapped`](crate::WinsockOverlapped) take as
/// `lpCompletionRoutine`, without `Some(Box::new(...))`.
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use winsock_double::*;
///
/// let sim = Sim::new(7);
/// let host = sim.add_host("local", &[]).unwrap();
/// host.wsa_startup(WINSOCK_VERSION_2_2).unwrap();
/// let s = host.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
/// host.bind(s, &"127.0.0.1:0".parse().unwrap()).unwrap();
/// let got = Arc::new(Mutex::new(Vec::new()));
/// let g = got.clone();
/// host.wsa_recv_overlapped(s, vec![WsaBuf::zeroed(64)], 0, Overlapped::new(1),
///     routine(move |c: Completion| g.lock().unwrap().extend(c.data())))
///     .unwrap();
/// host.send_to(s, b"hello", &host.getsockname(s).unwrap()).unwrap();
/// host.sleep_ex(WSA_INFINITE, true).unwrap(); // the routine runs in an alertable wait
/// assert_eq!(*got.lock().unwrap(), b"hello");
/// ```
pub fn routine<E>(f: impl FnOnce(Completion<E>) + Send + 'static) -> Option<CompletionRoutine<E>> {
    Some(Box::new(f))
}

/// A socket that closes itself (`closesocket`) when dropped, with
/// socket2's methods and [`io::Result`]s, over any [`Winsock`] backend
/// `W` (a [`SimHost`](crate::SimHost), or the OS backend).
///
/// The calls are socket2's on Windows: `send`, `send_to`, `recv` and
/// `recv_from` are Winsock 1's `send`, `sendto`, `recv` and `recvfrom`
/// (the model runs them as their `WSA` forms), the vectored receives
/// `WSARecv` and `WSARecvFrom`. [`recv`](OwnedSocket::recv) and
/// [`recv_from`](OwnedSocket::recv_from) fail with `WSAEMSGSIZE` on a
/// truncated datagram, as the Winsock calls do, while
/// [`recv_vectored`](OwnedSocket::recv_vectored) and
/// [`recv_from_vectored`](OwnedSocket::recv_from_vectored) return it with
/// [`RecvFlags::is_truncated`]. After the socket's receive side was shut
/// down (`WSAESHUTDOWN`) a receive returns 0 bytes, as socket2's do.
///
/// ```
/// use winsock_double::*;
///
/// let sim = Sim::builder().seed(3).build();
/// let host = sim.add_host("local", &[]).unwrap();
/// host.wsa_startup(WINSOCK_VERSION_2_2)?;
/// let l = OwnedSocket::new(&host, Domain::IPV4, Type::STREAM, None)?;
/// l.bind(&"127.0.0.1:0".parse().unwrap())?;
/// l.listen(16)?;
/// let c = OwnedSocket::new(&host, Domain::IPV4, Type::STREAM, None)?;
/// c.connect(&l.local_addr()?)?;
/// let (s, _peer) = l.accept()?;
/// c.send(b"hello, stream")?;
/// drop(c); // closesocket: the bytes, then the end
/// let mut got = Vec::new();
/// let mut buf = [0u8; 4];
/// loop {
///     match s.recv(&mut buf)? {
///         0 => break, // the peer closed
///         n => got.extend_from_slice(&buf[..n]), // maybe fewer than sent, by seed
///     }
/// }
/// assert_eq!(got, b"hello, stream");
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct OwnedSocket<W: Winsock> {
    ws: W,
    raw: Option<W::Socket>,
}

impl<W: Winsock> fmt::Debug for OwnedSocket<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("OwnedSocket").field(&self.raw).finish()
    }
}

impl<W: Winsock> Drop for OwnedSocket<W> {
    fn drop(&mut self) {
        if let Some(s) = self.raw.take() {
            // A close that fails (after WSACleanup, say) has nothing left
            // to free.
            let _ = self.ws.close_socket(s);
        }
    }
}

/// The socket2 form of a receive's end: `WSAESHUTDOWN` is the end of the
/// data, `WSAEMSGSIZE` a truncated message.
fn recv_end(r: Result<(), WsaError>, flags: u32) -> io::Result<RecvFlags> {
    match r {
        Ok(()) => Ok(RecvFlags(flags)),
        Err(e) if e.is(WSAEMSGSIZE) => Ok(RecvFlags(flags | MSG_TRUNC)),
        Err(e) => Err(e.into()),
    }
}

/// Milliseconds of a time-out option, as socket2 gives it: `None` is 0
/// (none); a nonzero time under a millisecond is one.
fn timeout_ms(t: Option<Duration>) -> i32 {
    match t {
        None => 0,
        Some(d) if d.is_zero() => 0,
        Some(d) => i32::try_from(d.as_millis()).unwrap_or(i32::MAX).max(1),
    }
}

fn scatter(from: &[WsaBuf], n: usize, into: &mut [io::IoSliceMut<'_>]) {
    let mut left = n;
    for (b, out) in from.iter().zip(into.iter_mut()) {
        let k = left.min(out.len()).min(b.bytes().len());
        out[..k].copy_from_slice(&b.bytes()[..k]);
        left -= k;
    }
}

impl<W: Winsock> OwnedSocket<W> {
    /// A new socket (`socket(domain, ty, protocol)`: overlapped, as
    /// `socket` makes it on Windows) on `ws`, which the socket keeps a
    /// clone of.
    #[track_caller]
    pub fn new(
        ws: &W,
        domain: Domain,
        ty: Type,
        protocol: Option<Protocol>,
    ) -> io::Result<OwnedSocket<W>>
    where
        W: Clone,
    {
        let s = ws.socket(domain.0, ty.0, protocol.map_or(0, |p| p.0))?;
        Ok(OwnedSocket::from_raw(ws.clone(), s))
    }

    /// Takes ownership of the handle `s` of `ws`: it is closed on drop.
    pub fn from_raw(ws: W, s: W::Socket) -> OwnedSocket<W> {
        OwnedSocket { ws, raw: Some(s) }
    }

    /// The handle, for the calls of [`Winsock`] this layer does not have.
    pub fn as_raw(&self) -> W::Socket {
        self.raw
            .expect("an OwnedSocket holds its handle until dropped")
    }

    /// Gives the handle up without closing it.
    pub fn into_raw(mut self) -> W::Socket {
        self.raw
            .take()
            .expect("an OwnedSocket holds its handle until dropped")
    }

    /// The backend the socket belongs to.
    pub fn winsock(&self) -> &W {
        &self.ws
    }

    /// `closesocket` now, with its result (dropping closes too, and
    /// ignores the result).
    #[track_caller]
    pub fn close(mut self) -> io::Result<()> {
        let s = self
            .raw
            .take()
            .expect("an OwnedSocket holds its handle until dropped");
        Ok(self.ws.close_socket(s)?)
    }

    /// `bind`.
    #[track_caller]
    pub fn bind(&self, addr: &SocketAddr) -> io::Result<()> {
        Ok(self.ws.bind(self.as_raw(), addr)?)
    }

    /// `connect`: a stream connection (blocking until it is made, unless
    /// non-blocking), or a datagram socket's default peer.
    #[track_caller]
    pub fn connect(&self, addr: &SocketAddr) -> io::Result<()> {
        Ok(self.ws.connect(self.as_raw(), addr)?)
    }

    /// `listen` with `backlog` connections waiting for `accept`.
    #[track_caller]
    pub fn listen(&self, backlog: i32) -> io::Result<()> {
        Ok(self.ws.listen(self.as_raw(), backlog)?)
    }

    /// `accept`: the next connection and the peer's address.
    #[track_caller]
    pub fn accept(&self) -> io::Result<(OwnedSocket<W>, SocketAddr)>
    where
        W: Clone,
    {
        let (s, peer) = self.ws.accept(self.as_raw())?;
        Ok((OwnedSocket::from_raw(self.ws.clone(), s), peer))
    }

    /// `getsockname`.
    #[track_caller]
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.ws.getsockname(self.as_raw())?)
    }

    /// `getpeername`.
    #[track_caller]
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.ws.getpeername(self.as_raw())?)
    }

    /// `shutdown` (`SD_RECEIVE`, `SD_SEND`, `SD_BOTH`).
    #[track_caller]
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        let how = match how {
            Shutdown::Read => SD_RECEIVE,
            Shutdown::Write => SD_SEND,
            Shutdown::Both => SD_BOTH,
        };
        Ok(self.ws.shutdown(self.as_raw(), how)?)
    }

    /// `FIONBIO`: non-blocking on or off.
    #[track_caller]
    pub fn set_nonblocking(&self, on: bool) -> io::Result<()> {
        Ok(self.ws.set_nonblocking(self.as_raw(), on)?)
    }

    /// `SO_RCVTIMEO`: how long a blocking receive waits (`None`: for ever).
    #[track_caller]
    pub fn set_read_timeout(&self, t: Option<Duration>) -> io::Result<()> {
        Ok(self.ws.set_sock_opt_int(
            self.as_raw(),
            SOL_SOCKET,
            crate::SO_RCVTIMEO,
            timeout_ms(t),
        )?)
    }

    /// `SO_SNDTIMEO`: how long a blocking send waits (`None`: for ever).
    #[track_caller]
    pub fn set_write_timeout(&self, t: Option<Duration>) -> io::Result<()> {
        Ok(self
            .ws
            .set_sock_opt_int(self.as_raw(), SOL_SOCKET, SO_SNDTIMEO, timeout_ms(t))?)
    }

    /// `SO_RCVBUF`.
    #[track_caller]
    pub fn set_recv_buffer_size(&self, size: usize) -> io::Result<()> {
        let v = i32::try_from(size).unwrap_or(i32::MAX);
        Ok(self
            .ws
            .set_sock_opt_int(self.as_raw(), SOL_SOCKET, SO_RCVBUF, v)?)
    }

    /// `SO_RCVBUF`'s value.
    #[track_caller]
    pub fn recv_buffer_size(&self) -> io::Result<usize> {
        let v = self
            .ws
            .get_sock_opt_int(self.as_raw(), SOL_SOCKET, SO_RCVBUF)?;
        Ok(usize::try_from(v).unwrap_or(0))
    }

    /// `SO_SNDBUF`.
    #[track_caller]
    pub fn set_send_buffer_size(&self, size: usize) -> io::Result<()> {
        let v = i32::try_from(size).unwrap_or(i32::MAX);
        Ok(self
            .ws
            .set_sock_opt_int(self.as_raw(), SOL_SOCKET, SO_SNDBUF, v)?)
    }

    /// `SO_SNDBUF`'s value.
    #[track_caller]
    pub fn send_buffer_size(&self) -> io::Result<usize> {
        let v = self
            .ws
            .get_sock_opt_int(self.as_raw(), SOL_SOCKET, SO_SNDBUF)?;
        Ok(usize::try_from(v).unwrap_or(0))
    }

    /// `SO_BROADCAST`.
    #[track_caller]
    pub fn set_broadcast(&self, on: bool) -> io::Result<()> {
        Ok(self
            .ws
            .set_sock_opt_int(self.as_raw(), SOL_SOCKET, SO_BROADCAST, i32::from(on))?)
    }

    /// `SO_REUSEADDR`.
    #[track_caller]
    pub fn set_reuse_address(&self, on: bool) -> io::Result<()> {
        Ok(self
            .ws
            .set_sock_opt_int(self.as_raw(), SOL_SOCKET, SO_REUSEADDR, i32::from(on))?)
    }

    /// `SO_ERROR`, as an error (`None` when it is 0); reading clears it.
    #[track_caller]
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        let v = self
            .ws
            .get_sock_opt_int(self.as_raw(), SOL_SOCKET, SO_ERROR)?;
        Ok((v != 0).then(|| WsaError::Code(v).into()))
    }

    /// `FIONREAD`: the bytes a receive would return now.
    #[track_caller]
    pub fn bytes_readable(&self) -> io::Result<usize> {
        let mut n = 0u32;
        self.ws.ioctl_socket(self.as_raw(), FIONREAD, &mut n)?;
        Ok(n as usize)
    }

    /// `send`: the bytes sent (on a stream socket, possibly fewer than
    /// `buf` when non-blocking).
    #[track_caller]
    pub fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.send_with_flags(buf, MsgFlags::NONE)
    }

    /// `send` with `flags` (`MsgFlags::OOB`, ...).
    #[track_caller]
    pub fn send_with_flags(&self, buf: &[u8], flags: MsgFlags) -> io::Result<usize> {
        Ok(self
            .ws
            .send(self.as_raw(), &WsaBuf::from(buf), flags.0 as i32)?)
    }

    /// `sendto`: one datagram to `to`.
    #[track_caller]
    pub fn send_to(&self, buf: &[u8], to: &SocketAddr) -> io::Result<usize> {
        self.send_to_with_flags(buf, to, MsgFlags::NONE)
    }

    /// `sendto` with `flags`.
    #[track_caller]
    pub fn send_to_with_flags(
        &self,
        buf: &[u8],
        to: &SocketAddr,
        flags: MsgFlags,
    ) -> io::Result<usize> {
        let to = NameBuf::addr(to);
        Ok(self
            .ws
            .sendto(self.as_raw(), &WsaBuf::from(buf), flags.0 as i32, &to)?)
    }

    /// `recv`: the bytes received, 0 at the end of a stream (or after
    /// `shutdown(Read)`). A datagram larger than `buf` is an error
    /// (`WSAEMSGSIZE`), as in Winsock; see
    /// [`recv_vectored`](OwnedSocket::recv_vectored).
    #[track_caller]
    pub fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.recv_with_flags(buf, MsgFlags::NONE)
    }

    /// `recv` with `MSG_PEEK`: the data stays queued.
    #[track_caller]
    pub fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.recv_with_flags(buf, MsgFlags::PEEK)
    }

    /// `recv` with `flags`.
    #[track_caller]
    pub fn recv_with_flags(&self, buf: &mut [u8], flags: MsgFlags) -> io::Result<usize> {
        let mut b = WsaBuf::zeroed(buf.len());
        let n = match self.ws.recv(self.as_raw(), &mut b, flags.0 as i32) {
            Ok(n) => n,
            Err(e) if e.is(WSAESHUTDOWN) => return Ok(0),
            Err(e) => return Err(e.into()),
        };
        buf[..n].copy_from_slice(&b.bytes()[..n]);
        Ok(n)
    }

    /// `WSARecv` into several buffers: the bytes received and the output
    /// flags. A truncated datagram is `Ok`, with
    /// [`RecvFlags::is_truncated`] and the count the call wrote.
    #[track_caller]
    pub fn recv_vectored(&self, bufs: &mut [io::IoSliceMut<'_>]) -> io::Result<(usize, RecvFlags)> {
        let mut wbufs: Vec<WsaBuf> = bufs.iter().map(|b| WsaBuf::zeroed(b.len())).collect();
        let (mut n, mut f) = (0u32, 0u32);
        let r = self
            .ws
            .wsa_recv(self.as_raw(), &mut wbufs, Some(&mut n), &mut f);
        if matches!(&r, Err(e) if e.is(WSAESHUTDOWN)) {
            return Ok((0, RecvFlags(0)));
        }
        let flags = recv_end(r, f)?;
        scatter(&wbufs, n as usize, bufs);
        Ok((n as usize, flags))
    }

    /// `recvfrom`: the bytes of one datagram and its sender. A datagram
    /// larger than `buf` is an error (`WSAEMSGSIZE`), as in Winsock; see
    /// [`recv_from_vectored`](OwnedSocket::recv_from_vectored).
    #[track_caller]
    pub fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.recv_from_with_flags(buf, MsgFlags::NONE)
    }

    /// `recvfrom` with `MSG_PEEK`: the datagram stays queued.
    #[track_caller]
    pub fn peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.recv_from_with_flags(buf, MsgFlags::PEEK)
    }

    /// `recvfrom` with `flags`.
    #[track_caller]
    pub fn recv_from_with_flags(
        &self,
        buf: &mut [u8],
        flags: MsgFlags,
    ) -> io::Result<(usize, SocketAddr)> {
        let mut b = WsaBuf::zeroed(buf.len());
        let mut from = NameBuf::storage();
        let n = match self
            .ws
            .recvfrom(self.as_raw(), &mut b, flags.0 as i32, &mut from)
        {
            Ok(n) => n,
            Err(e) if e.is(WSAESHUTDOWN) => return Ok((0, unspecified())),
            Err(e) => return Err(e.into()),
        };
        buf[..n].copy_from_slice(&b.bytes()[..n]);
        Ok((n, decode(&from)?))
    }

    /// `WSARecvFrom` into several buffers: the bytes received, the output
    /// flags and the sender. A truncated datagram is `Ok`, with
    /// [`RecvFlags::is_truncated`] and the count the call wrote (as
    /// socket2's `recv_from_vectored` on Windows).
    #[track_caller]
    pub fn recv_from_vectored(
        &self,
        bufs: &mut [io::IoSliceMut<'_>],
    ) -> io::Result<(usize, RecvFlags, SocketAddr)> {
        let mut wbufs: Vec<WsaBuf> = bufs.iter().map(|b| WsaBuf::zeroed(b.len())).collect();
        let mut from = NameBuf::storage();
        let (mut n, mut f) = (0u32, 0u32);
        let r = self
            .ws
            .wsa_recv_from(self.as_raw(), &mut wbufs, Some(&mut n), &mut f, &mut from);
        if matches!(&r, Err(e) if e.is(WSAESHUTDOWN)) {
            return Ok((0, RecvFlags(0), unspecified()));
        }
        let flags = recv_end(r, f)?;
        scatter(&wbufs, n as usize, bufs);
        Ok((n as usize, flags, decode(&from)?))
    }
}

fn unspecified() -> SocketAddr {
    SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0))
}

fn decode(from: &NameBuf) -> io::Result<SocketAddr> {
    from.decode()
        .map_err(|e| WsaError::Code(e.wsa_code()).into())
}
