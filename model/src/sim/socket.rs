//! Socket state and socket options.

use super::ip_opts::{IpOpts, NO_IP_OPTS};
use super::net::HostId;
use super::ovl::Op;
use super::tcp::Tcp;
use crate::contract::consts::*;
use std::collections::{BTreeSet, VecDeque};
use std::net::{IpAddr, SocketAddr};

/// Default `SO_RCVBUF` / `SO_SNDBUF` of a new socket (a model setting: what
/// `getsockopt` reports on current Windows for UDP is 65536).
pub(crate) const DEFAULT_BUF: u32 = 65536;

/// Largest UDP payload over IPv4: 65,535 minus a 20-byte IPv4 header and an
/// 8-byte UDP header (what `SO_MAX_MSG_SIZE` reports for UDP/IPv4).
pub(crate) const MAX_UDP4: u32 = 65_507;
/// Largest UDP payload over IPv6: the 16-bit payload length minus the UDP
/// header (the fixed IPv6 header is not counted in the payload length).
pub(crate) const MAX_UDP6: u32 = 65_527;
/// Largest raw IPv4 payload (the model builds the 20-byte header).
pub(crate) const MAX_RAW4: u32 = 65_515;
/// Largest raw IPv6 payload.
pub(crate) const MAX_RAW6: u32 = 65_535;

/// Largest message of the simulated message protocols (model setting).
pub(crate) const MAX_SIM_MSG: u32 = 65_536;

/// `WSAPROTOCOL_INFOW.dwServiceFlags1` of the protocol a socket of type
/// `ty` and protocol `protocol` (after defaulting) uses. TCP and UDP have
/// what Windows reports for them (Wine's protocol table in `ws2_32` has the
/// same bits); raw IP is connectionless and message-oriented; the simulated
/// protocols ([`IPPROTO_SIM_MSG`], [`IPPROTO_SIM_MSG_PARTIAL`]) have the
/// properties the `WSARecv` table needs.
pub(crate) fn service_flags(ty: i32, protocol: i32) -> u32 {
    const RELIABLE: u32 = XP1_GUARANTEED_DELIVERY | XP1_GUARANTEED_ORDER | XP1_GRACEFUL_CLOSE;
    match (ty, protocol) {
        (SOCK_STREAM, IPPROTO_TCP) => RELIABLE | XP1_EXPEDITED_DATA | XP1_IFS_HANDLES,
        (SOCK_STREAM, IPPROTO_SIM_MSG) => RELIABLE | XP1_MESSAGE_ORIENTED | XP1_PSEUDO_STREAM,
        (SOCK_SEQPACKET, IPPROTO_SIM_MSG) => RELIABLE | XP1_MESSAGE_ORIENTED,
        (SOCK_SEQPACKET, IPPROTO_SIM_MSG_PARTIAL) => {
            RELIABLE | XP1_MESSAGE_ORIENTED | XP1_PARTIAL_MESSAGE
        }
        (SOCK_DGRAM, IPPROTO_SIM_MSG_PARTIAL) => {
            XP1_CONNECTIONLESS | XP1_MESSAGE_ORIENTED | XP1_PARTIAL_MESSAGE
        }
        (SOCK_DGRAM, _) => {
            XP1_CONNECTIONLESS
                | XP1_MESSAGE_ORIENTED
                | XP1_SUPPORT_BROADCAST
                | XP1_SUPPORT_MULTIPOINT
                | XP1_IFS_HANDLES
        }
        (SOCK_RAW, _) => {
            XP1_CONNECTIONLESS
                | XP1_MESSAGE_ORIENTED
                | XP1_SUPPORT_BROADCAST
                | XP1_SUPPORT_MULTIPOINT
                | XP1_IFS_HANDLES
        }
        _ => 0,
    }
}

/// Socket options the model keeps.
#[derive(Debug, Clone)]
pub(crate) struct Opts {
    pub(crate) broadcast: bool,
    pub(crate) rcvbuf: u32,
    pub(crate) sndbuf: u32,
    /// `SO_RCVTIMEO` in milliseconds, 0 = none.
    pub(crate) rcvtimeo: u32,
    /// `SO_SNDTIMEO` in milliseconds, 0 = none.
    pub(crate) sndtimeo: u32,
    pub(crate) pktinfo4: bool,
    pub(crate) pktinfo6: bool,
    pub(crate) v6only: bool,
    pub(crate) ttl: u8,
    pub(crate) mcast_loop: bool,
    pub(crate) reuseaddr: bool,
    pub(crate) exclusive: bool,
    pub(crate) hdrincl: bool,
    /// `SIO_UDP_CONNRESET`: report ICMP port unreachable (on by default).
    pub(crate) connreset: bool,
    /// `SIO_UDP_NETRESET`: report ICMP time exceeded (on by default).
    pub(crate) netreset: bool,
    /// `SO_LINGER`: the linger time in seconds when lingering is on.
    pub(crate) linger: Option<u16>,
    pub(crate) keepalive: bool,
    pub(crate) oobinline: bool,
    pub(crate) nodelay: bool,
    /// The IP and UDP options of Windows beyond the seed pages
    /// (`WIN-IP-OPTIONS`, `ipopt.rs`): `None` until one is set.
    pub(super) ip: Option<Box<IpOpts>>,
}

impl Opts {
    /// The IP and UDP options beyond the seed pages (their defaults until
    /// one is set).
    #[inline]
    pub(crate) fn ip(&self) -> &IpOpts {
        self.ip.as_deref().unwrap_or(&NO_IP_OPTS)
    }

    /// [`Opts::ip`], to change (the options get their own memory then:
    /// most sockets never set one).
    pub(crate) fn ip_mut(&mut self) -> &mut IpOpts {
        self.ip.get_or_insert_with(|| Box::new(NO_IP_OPTS.clone()))
    }
}

impl Default for Opts {
    fn default() -> Opts {
        Opts {
            broadcast: false,
            rcvbuf: DEFAULT_BUF,
            sndbuf: DEFAULT_BUF,
            rcvtimeo: 0,
            sndtimeo: 0,
            pktinfo4: false,
            pktinfo6: false,
            // Windows: IPV6_V6ONLY is TRUE by default.
            v6only: true,
            ttl: 128,
            mcast_loop: true,
            reuseaddr: false,
            exclusive: false,
            hdrincl: false,
            connreset: true,
            netreset: true,
            linger: None,
            keepalive: false,
            oobinline: false,
            nodelay: false,
            ip: None,
        }
    }
}

/// One entry of a receive queue: a datagram, or an error an ICMP message
/// left for the next call (`WSAECONNRESET`, `WSAENETRESET`).
#[derive(Debug, Clone)]
pub(crate) enum RxItem {
    Datagram(Datagram),
    Error(i32),
}

/// A datagram as it sits in a receive queue.
#[derive(Debug, Clone)]
pub(crate) struct Datagram {
    /// The sender, as the receiving socket reports it (v4-mapped on a
    /// dual-stack socket).
    pub(crate) from: SocketAddr,
    /// The destination address it was sent to (what pktinfo reports).
    pub(crate) dst: IpAddr,
    /// The interface it arrived on.
    pub(crate) ifindex: u32,
    /// The TOS / traffic class byte it arrived with (ECN in the low bits).
    pub(crate) tos: u8,
    /// The hop limit (IPv4 TTL) it arrived with.
    pub(crate) ttl: u8,
    pub(crate) bcast: bool,
    pub(crate) mcast: bool,
    /// For an IPv4 datagram on a dual-stack socket with only `IPV6_PKTINFO`
    /// set: whether it carries an `in6_pktinfo` (the documentation says it
    /// "may not"; the seed decides).
    pub(crate) v6_info_for_v4: bool,
    pub(crate) data: Vec<u8>,
}

/// A socket of the model.
#[derive(Debug)]
pub(crate) struct SocketState {
    pub(crate) host: HostId,
    pub(crate) af: i32,
    pub(crate) ty: i32,
    pub(crate) protocol: i32,
    /// [`service_flags`] of `ty` and `protocol` (both fixed at creation).
    service: u32,
    pub(crate) overlapped: bool,
    pub(crate) nonblocking: bool,
    pub(crate) local: Option<SocketAddr>,
    pub(crate) peer: Option<SocketAddr>,
    pub(crate) shut_rd: bool,
    /// `shutdown(SD_RECEIVE)` of a stream socket with receives
    /// outstanding, under WIN-SHUTDOWN-RECEIVE-PENDING: new receives fail
    /// with `WSAESHUTDOWN`, the outstanding ones go on and take what comes
    /// (`shut_rd` stays false).
    pub(crate) shut_rd_new: bool,
    pub(crate) shut_wr: bool,
    pub(crate) opts: Opts,
    /// Multicast groups joined: (group, interface index or 0).
    pub(crate) groups: BTreeSet<(IpAddr, u32)>,
    /// Outstanding overlapped receives, in posting order.
    pub(crate) pending_rx: VecDeque<Box<Op>>,
    /// Outstanding overlapped sends, in posting order.
    pub(crate) pending_tx: VecDeque<Box<Op>>,
    /// The completion port and key the socket is associated with.
    pub(crate) port: Option<(crate::contract::overlapped::Port, usize)>,
    /// `SetFileCompletionNotificationModes` flags.
    pub(crate) notify_modes: u8,
    /// What the socket's kind keeps: datagram queues, or a connection.
    pub(crate) transport: Transport,
}

/// The state a socket's transport owns, by kind: fixed at creation.
#[derive(Debug)]
pub(crate) enum Transport {
    /// Connectionless (`SOCK_DGRAM`, `SOCK_RAW`): queued datagrams.
    Dgram(Dgram),
    /// Connection-oriented (every other type): the connection, which
    /// carries the message and urgent-data state too.
    Stream(Box<Tcp>),
}

/// What a connectionless socket keeps.
#[derive(Debug, Default)]
pub(crate) struct Dgram {
    pub(crate) rxq: VecDeque<RxItem>,
    /// Bytes of datagrams in `rxq` (what `SO_RCVBUF` limits).
    pub(crate) rx_bytes: usize,
    /// Datagrams accepted by the transport but not yet transmitted:
    /// (time the transmitter is done with it, bytes). What `SO_SNDBUF` limits.
    pub(crate) tx_inflight: VecDeque<(u64, usize)>,
    /// A datagram protocol with partial messages: the pieces sent so far
    /// of a message not yet complete.
    pub(crate) partial_tx: Vec<u8>,
}

impl Dgram {
    /// Forgets finished transmissions; the bytes of those not finished at
    /// `now`.
    pub(crate) fn tx_pending(&mut self, now: u64) -> usize {
        while self
            .tx_inflight
            .front()
            .is_some_and(|&(done, _)| done <= now)
        {
            self.tx_inflight.pop_front();
        }
        self.tx_inflight.iter().map(|&(_, n)| n).sum()
    }

    /// Bytes of transmissions not finished at `now` (finished ones kept).
    pub(crate) fn tx_unfinished(&self, now: u64) -> usize {
        self.tx_inflight
            .iter()
            .filter(|&&(done, _)| done > now)
            .map(|&(_, n)| n)
            .sum()
    }
}

impl SocketState {
    pub(crate) fn new(
        host: HostId,
        af: i32,
        ty: i32,
        protocol: i32,
        overlapped: bool,
    ) -> SocketState {
        SocketState {
            host,
            af,
            ty,
            protocol,
            service: service_flags(ty, protocol),
            overlapped,
            nonblocking: false,
            local: None,
            peer: None,
            shut_rd: false,
            shut_rd_new: false,
            shut_wr: false,
            opts: Opts::default(),
            groups: BTreeSet::new(),
            pending_rx: VecDeque::new(),
            pending_tx: VecDeque::new(),
            port: None,
            notify_modes: 0,
            transport: if ty == SOCK_DGRAM || ty == SOCK_RAW {
                Transport::Dgram(Dgram::default())
            } else {
                Transport::Stream(Box::default())
            },
        }
    }

    pub(crate) fn is_v6(&self) -> bool {
        self.af == AF_INET6
    }

    /// A connectionless socket (`SOCK_DGRAM`, `SOCK_RAW`): the datagram
    /// paths. Everything else is connection-oriented (the stream paths).
    #[inline]
    pub(crate) fn is_dgram(&self) -> bool {
        matches!(self.transport, Transport::Dgram(_))
    }

    /// The connection of a connection-oriented socket.
    #[inline]
    pub(crate) fn stream(&self) -> Option<&Tcp> {
        match &self.transport {
            Transport::Stream(t) => Some(t),
            Transport::Dgram(_) => None,
        }
    }

    /// The connection, on a path only connection-oriented sockets take.
    #[inline]
    #[track_caller]
    pub(crate) fn tcp(&self) -> &Tcp {
        match &self.transport {
            Transport::Stream(t) => t,
            Transport::Dgram(_) => unreachable!("a stream path on a datagram socket"),
        }
    }

    /// [`SocketState::tcp`], to change.
    #[inline]
    #[track_caller]
    pub(crate) fn tcp_mut(&mut self) -> &mut Tcp {
        match &mut self.transport {
            Transport::Stream(t) => t,
            Transport::Dgram(_) => unreachable!("a stream path on a datagram socket"),
        }
    }

    /// The datagram queues, on a path only connectionless sockets take.
    #[inline]
    #[track_caller]
    pub(crate) fn dgram(&self) -> &Dgram {
        match &self.transport {
            Transport::Dgram(d) => d,
            Transport::Stream(_) => unreachable!("a datagram path on a stream socket"),
        }
    }

    /// [`SocketState::dgram`], to change.
    #[inline]
    #[track_caller]
    pub(crate) fn dgram_mut(&mut self) -> &mut Dgram {
        match &mut self.transport {
            Transport::Dgram(d) => d,
            Transport::Stream(_) => unreachable!("a datagram path on a stream socket"),
        }
    }

    /// Whether the protocol has all of the `XP1_*` properties in `bits`.
    pub(crate) fn xp1(&self, bits: u32) -> bool {
        self.service & bits == bits
    }

    /// A connection-oriented socket whose receives honour message
    /// boundaries (a message protocol that is not a pseudo-stream).
    pub(crate) fn is_seqpacket(&self) -> bool {
        // RECV-ACTS-AS-STREAM-NOT-MSG, RECV-ACTS-AS-STREAM-PSEUDO: the others act
        // as byte streams.
        !self.is_dgram() && self.xp1(XP1_MESSAGE_ORIENTED) && !self.xp1(XP1_PSEUDO_STREAM)
    }

    /// A connection-oriented socket whose sends are messages: the
    /// simulated message protocols, pseudo-stream or not.
    pub(crate) fn sends_messages(&self) -> bool {
        !self.is_dgram() && self.xp1(XP1_MESSAGE_ORIENTED)
    }

    /// Whether an IPv6 socket also carries IPv4 (`IPV6_V6ONLY` off).
    pub(crate) fn dual_stack(&self) -> bool {
        self.is_v6() && !self.opts.v6only
    }

    /// The size of the socket address of this socket's family.
    pub(crate) fn sockaddr_len(&self) -> usize {
        if self.is_v6() {
            SOCKADDR_IN6_SIZE
        } else {
            SOCKADDR_IN_SIZE
        }
    }

    /// `SO_MAX_MSG_SIZE`.
    pub(crate) fn max_msg_size(&self) -> u32 {
        if self.sends_messages() {
            return MAX_SIM_MSG;
        }
        match (self.ty == SOCK_RAW, self.is_v6()) {
            (false, false) => MAX_UDP4,
            (false, true) => MAX_UDP6,
            (true, false) => MAX_RAW4,
            (true, true) => MAX_RAW6,
        }
    }

    /// Whether a datagram of `len` bytes fits the send buffer now: always
    /// when nothing is pending (asked first), otherwise within `SO_SNDBUF`.
    #[inline]
    pub(crate) fn tx_room(&mut self, now: u64, len: usize) -> bool {
        self.dgram().tx_inflight.is_empty()
            || (self.dgram_mut().tx_pending(now) == 0 || self.has_tx_room(now, len))
    }

    /// [`SocketState::tx_room`] without forgetting finished transmissions.
    pub(crate) fn has_tx_room(&self, now: u64, len: usize) -> bool {
        let pending = self.dgram().tx_unfinished(now);
        pending == 0 || pending + len <= self.opts.sndbuf as usize
    }

    /// Total bytes of queued datagrams, or of a stream's received bytes
    /// (`FIONREAD`; urgent data held apart is not counted).
    pub(crate) fn readable_bytes(&self) -> usize {
        match &self.transport {
            Transport::Dgram(d) => d.rx_bytes,
            Transport::Stream(t) => t.rcvq.len(),
        }
    }
}

/// Reads a 4-byte little-endian `int`/`DWORD`/`BOOL` option value; a shorter
/// value is `WSAEFAULT`. Windows accepts a 1-byte `BOOL` for some options;
/// the model asks for the documented `DWORD`.
pub(crate) fn opt_int(value: &[u8]) -> Result<i32, i32> {
    if value.len() < 4 {
        return Err(WSAEFAULT);
    }
    Ok(i32::from_le_bytes([value[0], value[1], value[2], value[3]]))
}

/// Writes an `int` option value; `WSAEFAULT` if the room is under 4 bytes.
pub(crate) fn put_int(out: &mut [u8], v: i32) -> Result<usize, i32> {
    if out.len() < 4 {
        return Err(WSAEFAULT);
    }
    out[..4].copy_from_slice(&v.to_le_bytes());
    Ok(4)
}
