//! Every numeric value of the Winsock contract, with its Windows name.
//!
//! Each value was checked against the `windows-sys` crate
//! (`Win32::Networking::WinSock`, version 0.61) and each one is pinned by a
//! unit test below. Where `windows-sys` gives a constant another integer type
//! (for example `MSG_PEEK` is an `i32` there, `FIONBIO` an `i32` and
//! `WSA_WAIT_TIMEOUT` a `u32`), the bit pattern is the same; the types here
//! follow how Winsock passes the value: `int` for families, types, protocols,
//! levels and option names, `DWORD` for flags and ioctl codes.

use std::fmt;

// ---------------------------------------------------------------------------
// Error codes (WSAGetLastError values)
// ---------------------------------------------------------------------------

/// A blocking call was interrupted by `WSACancelBlockingCall`.
pub const WSAEINTR: i32 = 10004;
/// The file handle supplied is not valid.
pub const WSAEBADF: i32 = 10009;
/// Access to the socket or address was denied.
pub const WSAEACCES: i32 = 10013;
/// A pointer argument is invalid or a buffer length is too small.
pub const WSAEFAULT: i32 = 10014;
/// An invalid argument was supplied.
pub const WSAEINVAL: i32 = 10022;
/// Too many open sockets.
pub const WSAEMFILE: i32 = 10024;
/// A non-blocking operation could not be completed immediately.
pub const WSAEWOULDBLOCK: i32 = 10035;
/// A blocking operation is in progress.
pub const WSAEINPROGRESS: i32 = 10036;
/// An operation is already in progress on a non-blocking socket.
pub const WSAEALREADY: i32 = 10037;
/// The descriptor is not a socket.
pub const WSAENOTSOCK: i32 = 10038;
/// A destination address is required.
pub const WSAEDESTADDRREQ: i32 = 10039;
/// A message was larger than the buffer or the protocol's maximum.
pub const WSAEMSGSIZE: i32 = 10040;
/// The protocol is the wrong type for the socket.
pub const WSAEPROTOTYPE: i32 = 10041;
/// The option or level is unknown or unsupported.
pub const WSAENOPROTOOPT: i32 = 10042;
/// The protocol is not supported.
pub const WSAEPROTONOSUPPORT: i32 = 10043;
/// The socket type is not supported in this address family.
pub const WSAESOCKTNOSUPPORT: i32 = 10044;
/// The operation is not supported for this type of socket.
pub const WSAEOPNOTSUPP: i32 = 10045;
/// The protocol family is not supported.
pub const WSAEPFNOSUPPORT: i32 = 10046;
/// The address family is not supported by the protocol family.
pub const WSAEAFNOSUPPORT: i32 = 10047;
/// The address is already in use.
pub const WSAEADDRINUSE: i32 = 10048;
/// The requested address is not valid in its context.
pub const WSAEADDRNOTAVAIL: i32 = 10049;
/// The network is down.
pub const WSAENETDOWN: i32 = 10050;
/// The network is unreachable.
pub const WSAENETUNREACH: i32 = 10051;
/// The connection was broken by keep-alive activity.
pub const WSAENETRESET: i32 = 10052;
/// The connection was aborted by software on the host.
pub const WSAECONNABORTED: i32 = 10053;
/// The connection was reset by the peer.
pub const WSAECONNRESET: i32 = 10054;
/// No buffer space is available.
pub const WSAENOBUFS: i32 = 10055;
/// The socket is already connected.
pub const WSAEISCONN: i32 = 10056;
/// The socket is not connected.
pub const WSAENOTCONN: i32 = 10057;
/// The socket has been shut down in that direction.
pub const WSAESHUTDOWN: i32 = 10058;
/// The operation timed out.
pub const WSAETIMEDOUT: i32 = 10060;
/// The connection was refused by the target.
pub const WSAECONNREFUSED: i32 = 10061;
/// No route to the host.
pub const WSAEHOSTUNREACH: i32 = 10065;
/// The network subsystem is not ready.
pub const WSASYSNOTREADY: i32 = 10091;
/// The requested Winsock version is not supported.
pub const WSAVERNOTSUPPORTED: i32 = 10092;
/// `WSAStartup` has not been called successfully.
pub const WSANOTINITIALISED: i32 = 10093;
/// The peer has initiated a graceful shutdown (message-oriented sockets).
pub const WSAEDISCON: i32 = 10101;
/// An overlapped operation was started and will complete later (`ERROR_IO_PENDING`).
pub const WSA_IO_PENDING: i32 = 997;
/// An overlapped operation has not completed yet (`ERROR_IO_INCOMPLETE`).
pub const WSA_IO_INCOMPLETE: i32 = 996;
/// An overlapped operation was cancelled (`ERROR_OPERATION_ABORTED`).
pub const WSA_OPERATION_ABORTED: i32 = 995;
/// An event object handle is invalid (`ERROR_INVALID_HANDLE`).
pub const WSA_INVALID_HANDLE: i32 = 6;
/// One or more parameters are invalid (`ERROR_INVALID_PARAMETER`).
pub const WSA_INVALID_PARAMETER: i32 = 87;
/// Not enough memory (`ERROR_NOT_ENOUGH_MEMORY`).
pub const WSA_NOT_ENOUGH_MEMORY: i32 = 8;
/// A wait timed out (`WAIT_TIMEOUT`; a `u32` in `windows-sys`).
pub const WSA_WAIT_TIMEOUT: i32 = 258;
/// A wait ended because an I/O completion routine ran (`WAIT_IO_COMPLETION`).
pub const WSA_WAIT_IO_COMPLETION: i32 = 192;

/// Element not found (`ERROR_NOT_FOUND`): `CancelIoEx` found no operation.
pub const ERROR_NOT_FOUND: i32 = 1168;
/// The completion port was closed while a thread waited on it
/// (`ERROR_ABANDONED_WAIT_0`).
pub const ERROR_ABANDONED_WAIT_0: i32 = 735;

/// `WSA_INFINITE`: a wait without a time-out.
pub const WSA_INFINITE: u32 = u32::MAX;
/// `WSA_MAXIMUM_WAIT_EVENTS`: at most this many events in one wait.
pub const WSA_MAXIMUM_WAIT_EVENTS: usize = 64;
/// `SetFileCompletionNotificationModes`: no completion packet for an
/// operation that succeeds at once.
pub const FILE_SKIP_COMPLETION_PORT_ON_SUCCESS: u8 = 1;
/// `SetFileCompletionNotificationModes`: the handle itself is not signalled
/// at completion.
pub const FILE_SKIP_SET_EVENT_ON_HANDLE: u8 = 2;

/// Every error code above with its name, in the order declared.
pub const ERROR_CODES: &[(i32, &str)] = &[
    (WSAEINTR, "WSAEINTR"),
    (WSAEBADF, "WSAEBADF"),
    (WSAEACCES, "WSAEACCES"),
    (WSAEFAULT, "WSAEFAULT"),
    (WSAEINVAL, "WSAEINVAL"),
    (WSAEMFILE, "WSAEMFILE"),
    (WSAEWOULDBLOCK, "WSAEWOULDBLOCK"),
    (WSAEINPROGRESS, "WSAEINPROGRESS"),
    (WSAEALREADY, "WSAEALREADY"),
    (WSAENOTSOCK, "WSAENOTSOCK"),
    (WSAEDESTADDRREQ, "WSAEDESTADDRREQ"),
    (WSAEMSGSIZE, "WSAEMSGSIZE"),
    (WSAEPROTOTYPE, "WSAEPROTOTYPE"),
    (WSAENOPROTOOPT, "WSAENOPROTOOPT"),
    (WSAEPROTONOSUPPORT, "WSAEPROTONOSUPPORT"),
    (WSAESOCKTNOSUPPORT, "WSAESOCKTNOSUPPORT"),
    (WSAEOPNOTSUPP, "WSAEOPNOTSUPP"),
    (WSAEPFNOSUPPORT, "WSAEPFNOSUPPORT"),
    (WSAEAFNOSUPPORT, "WSAEAFNOSUPPORT"),
    (WSAEADDRINUSE, "WSAEADDRINUSE"),
    (WSAEADDRNOTAVAIL, "WSAEADDRNOTAVAIL"),
    (WSAENETDOWN, "WSAENETDOWN"),
    (WSAENETUNREACH, "WSAENETUNREACH"),
    (WSAENETRESET, "WSAENETRESET"),
    (WSAECONNABORTED, "WSAECONNABORTED"),
    (WSAECONNRESET, "WSAECONNRESET"),
    (WSAENOBUFS, "WSAENOBUFS"),
    (WSAEISCONN, "WSAEISCONN"),
    (WSAENOTCONN, "WSAENOTCONN"),
    (WSAESHUTDOWN, "WSAESHUTDOWN"),
    (WSAETIMEDOUT, "WSAETIMEDOUT"),
    (WSAECONNREFUSED, "WSAECONNREFUSED"),
    (WSAEHOSTUNREACH, "WSAEHOSTUNREACH"),
    (WSASYSNOTREADY, "WSASYSNOTREADY"),
    (WSAVERNOTSUPPORTED, "WSAVERNOTSUPPORTED"),
    (WSANOTINITIALISED, "WSANOTINITIALISED"),
    (WSAEDISCON, "WSAEDISCON"),
    (WSA_IO_PENDING, "WSA_IO_PENDING"),
    (WSA_IO_INCOMPLETE, "WSA_IO_INCOMPLETE"),
    (WSA_OPERATION_ABORTED, "WSA_OPERATION_ABORTED"),
    (WSA_INVALID_HANDLE, "WSA_INVALID_HANDLE"),
    (WSA_INVALID_PARAMETER, "WSA_INVALID_PARAMETER"),
    (WSA_NOT_ENOUGH_MEMORY, "WSA_NOT_ENOUGH_MEMORY"),
    (WSA_WAIT_TIMEOUT, "WSA_WAIT_TIMEOUT"),
    (WSA_WAIT_IO_COMPLETION, "WSA_WAIT_IO_COMPLETION"),
    (ERROR_NOT_FOUND, "ERROR_NOT_FOUND"),
    (ERROR_ABANDONED_WAIT_0, "ERROR_ABANDONED_WAIT_0"),
];

/// The name of a Winsock error code listed in [`ERROR_CODES`], or `None`.
pub fn error_name(code: i32) -> Option<&'static str> {
    let name = match code {
        WSAEINTR => "WSAEINTR",
        WSAEBADF => "WSAEBADF",
        WSAEACCES => "WSAEACCES",
        WSAEFAULT => "WSAEFAULT",
        WSAEINVAL => "WSAEINVAL",
        WSAEMFILE => "WSAEMFILE",
        WSAEWOULDBLOCK => "WSAEWOULDBLOCK",
        WSAEINPROGRESS => "WSAEINPROGRESS",
        WSAEALREADY => "WSAEALREADY",
        WSAENOTSOCK => "WSAENOTSOCK",
        WSAEDESTADDRREQ => "WSAEDESTADDRREQ",
        WSAEMSGSIZE => "WSAEMSGSIZE",
        WSAEPROTOTYPE => "WSAEPROTOTYPE",
        WSAENOPROTOOPT => "WSAENOPROTOOPT",
        WSAEPROTONOSUPPORT => "WSAEPROTONOSUPPORT",
        WSAESOCKTNOSUPPORT => "WSAESOCKTNOSUPPORT",
        WSAEOPNOTSUPP => "WSAEOPNOTSUPP",
        WSAEPFNOSUPPORT => "WSAEPFNOSUPPORT",
        WSAEAFNOSUPPORT => "WSAEAFNOSUPPORT",
        WSAEADDRINUSE => "WSAEADDRINUSE",
        WSAEADDRNOTAVAIL => "WSAEADDRNOTAVAIL",
        WSAENETDOWN => "WSAENETDOWN",
        WSAENETUNREACH => "WSAENETUNREACH",
        WSAENETRESET => "WSAENETRESET",
        WSAECONNABORTED => "WSAECONNABORTED",
        WSAECONNRESET => "WSAECONNRESET",
        WSAENOBUFS => "WSAENOBUFS",
        WSAEISCONN => "WSAEISCONN",
        WSAENOTCONN => "WSAENOTCONN",
        WSAESHUTDOWN => "WSAESHUTDOWN",
        WSAETIMEDOUT => "WSAETIMEDOUT",
        WSAECONNREFUSED => "WSAECONNREFUSED",
        WSAEHOSTUNREACH => "WSAEHOSTUNREACH",
        WSASYSNOTREADY => "WSASYSNOTREADY",
        WSAVERNOTSUPPORTED => "WSAVERNOTSUPPORTED",
        WSANOTINITIALISED => "WSANOTINITIALISED",
        WSAEDISCON => "WSAEDISCON",
        WSA_IO_PENDING => "WSA_IO_PENDING",
        WSA_IO_INCOMPLETE => "WSA_IO_INCOMPLETE",
        WSA_OPERATION_ABORTED => "WSA_OPERATION_ABORTED",
        WSA_INVALID_HANDLE => "WSA_INVALID_HANDLE",
        WSA_INVALID_PARAMETER => "WSA_INVALID_PARAMETER",
        WSA_NOT_ENOUGH_MEMORY => "WSA_NOT_ENOUGH_MEMORY",
        WSA_WAIT_TIMEOUT => "WSA_WAIT_TIMEOUT",
        WSA_WAIT_IO_COMPLETION => "WSA_WAIT_IO_COMPLETION",
        ERROR_NOT_FOUND => "ERROR_NOT_FOUND",
        ERROR_ABANDONED_WAIT_0 => "ERROR_ABANDONED_WAIT_0",
        _ => return None,
    };
    Some(name)
}

// ---------------------------------------------------------------------------
// MSG_* flags (send/recv flags and WSAMSG.dwFlags)
// ---------------------------------------------------------------------------

/// Send or receive out-of-band data.
pub const MSG_OOB: u32 = 0x1;
/// Look at incoming data without removing it from the queue.
pub const MSG_PEEK: u32 = 0x2;
/// Send without using routing tables.
pub const MSG_DONTROUTE: u32 = 0x4;
/// Receive: complete only when the buffer is full, the connection closes, or an error occurs.
pub const MSG_WAITALL: u32 = 0x8;
/// The receive was interrupted (`MSG_INTERRUPT`).
pub const MSG_INTERRUPT: u32 = 0x10;
/// Send: push the data out without waiting to coalesce it.
pub const MSG_PUSH_IMMEDIATE: u32 = 0x20;
/// The datagram was larger than the buffer and was truncated.
pub const MSG_TRUNC: u32 = 0x100;
/// The control (ancillary) data was truncated.
pub const MSG_CTRUNC: u32 = 0x200;
/// The datagram was received as a link-layer broadcast.
pub const MSG_BCAST: u32 = 0x400;
/// The datagram was received as a link-layer multicast.
pub const MSG_MCAST: u32 = 0x800;
/// Receive from the socket's error queue.
pub const MSG_ERRQUEUE: u32 = 0x1000;
/// Only part of a message was received (message-oriented protocols).
pub const MSG_PARTIAL: u32 = 0x8000;

/// Every `MSG_*` flag with its name, in ascending bit order.
pub const MSG_FLAG_NAMES: &[(u32, &str)] = &[
    (MSG_OOB, "MSG_OOB"),
    (MSG_PEEK, "MSG_PEEK"),
    (MSG_DONTROUTE, "MSG_DONTROUTE"),
    (MSG_WAITALL, "MSG_WAITALL"),
    (MSG_INTERRUPT, "MSG_INTERRUPT"),
    (MSG_PUSH_IMMEDIATE, "MSG_PUSH_IMMEDIATE"),
    (MSG_TRUNC, "MSG_TRUNC"),
    (MSG_CTRUNC, "MSG_CTRUNC"),
    (MSG_BCAST, "MSG_BCAST"),
    (MSG_MCAST, "MSG_MCAST"),
    (MSG_ERRQUEUE, "MSG_ERRQUEUE"),
    (MSG_PARTIAL, "MSG_PARTIAL"),
];

/// The names of the known `MSG_*` bits set in `flags`, lowest bit first;
/// unknown bits are left out (see [`msg_flags_to_string`]).
pub fn msg_flag_names(flags: u32) -> Vec<&'static str> {
    MSG_FLAG_NAMES
        .iter()
        .filter(|(bit, _)| flags & bit != 0)
        .map(|&(_, name)| name)
        .collect()
}

/// `flags` as text: known bits by name joined with `|` (lowest first), any
/// unknown bits appended as one hex number, and `"0"` when no bit is set.
///
/// For example `MSG_PEEK | MSG_TRUNC` gives `"MSG_PEEK|MSG_TRUNC"` and
/// `MSG_PEEK | 0x40000` gives `"MSG_PEEK|0x40000"`.
pub fn msg_flags_to_string(flags: u32) -> String {
    if flags == 0 {
        return "0".to_string();
    }
    let known = MSG_FLAG_NAMES.iter().fold(0u32, |acc, (bit, _)| acc | bit);
    let mut parts: Vec<String> = msg_flag_names(flags)
        .into_iter()
        .map(str::to_string)
        .collect();
    let unknown = flags & !known;
    if unknown != 0 {
        parts.push(format!("{unknown:#x}"));
    }
    parts.join("|")
}

// ---------------------------------------------------------------------------
// Address families
// ---------------------------------------------------------------------------

/// Unspecified address family.
pub const AF_UNSPEC: i32 = 0;
/// IPv4 address family.
pub const AF_INET: i32 = 2;
/// IPv6 address family (23 on Windows, unlike most Unix systems).
pub const AF_INET6: i32 = 23;

// ---------------------------------------------------------------------------
// Socket types
// ---------------------------------------------------------------------------

/// Reliable, ordered byte stream (TCP).
pub const SOCK_STREAM: i32 = 1;
/// Unreliable datagrams (UDP).
pub const SOCK_DGRAM: i32 = 2;
/// Raw protocol access.
pub const SOCK_RAW: i32 = 3;
/// Reliably delivered messages.
pub const SOCK_RDM: i32 = 4;
/// Sequenced, reliable packet stream.
pub const SOCK_SEQPACKET: i32 = 5;

// ---------------------------------------------------------------------------
// Protocols (and the IPPROTO_IP / IPPROTO_IPV6 option levels)
// ---------------------------------------------------------------------------

/// IPv4 protocol level (dummy protocol for options).
pub const IPPROTO_IP: i32 = 0;
/// Internet Control Message Protocol.
pub const IPPROTO_ICMP: i32 = 1;
/// Internet Group Management Protocol.
pub const IPPROTO_IGMP: i32 = 2;
/// Transmission Control Protocol.
pub const IPPROTO_TCP: i32 = 6;
/// User Datagram Protocol.
pub const IPPROTO_UDP: i32 = 17;
/// IPv6 protocol level.
pub const IPPROTO_IPV6: i32 = 41;
/// ICMP for IPv6.
pub const IPPROTO_ICMPV6: i32 = 58;
/// Raw IP packets.
pub const IPPROTO_RAW: i32 = 255;

/// Model only: a simulated reliable message-oriented connection protocol.
/// With `SOCK_SEQPACKET` it has `XP1_MESSAGE_ORIENTED` without
/// `XP1_PARTIAL_MESSAGE`; with `SOCK_STREAM` it is a pseudo-stream
/// (`XP1_MESSAGE_ORIENTED | XP1_PSEUDO_STREAM`). 253 is one of the two
/// protocol numbers RFC 3692 sets aside for experiments; no Windows
/// provider answers to it, so the OS backend refuses these sockets.
pub const IPPROTO_SIM_MSG: i32 = 253;
/// Model only: the simulated message protocol with `MSG_PARTIAL` support
/// (`XP1_PARTIAL_MESSAGE`): with `SOCK_SEQPACKET` a reliable connection
/// protocol, with `SOCK_DGRAM` an unreliable datagram protocol (RFC 3692's
/// other experimental number).
pub const IPPROTO_SIM_MSG_PARTIAL: i32 = 254;

// ---------------------------------------------------------------------------
// Protocol properties (WSAPROTOCOL_INFOW.dwServiceFlags1)
// ---------------------------------------------------------------------------

/// Connectionless (datagram) service.
pub const XP1_CONNECTIONLESS: u32 = 0x0000_0001;
/// Delivery of all data is guaranteed.
pub const XP1_GUARANTEED_DELIVERY: u32 = 0x0000_0002;
/// Data arrives in the order sent.
pub const XP1_GUARANTEED_ORDER: u32 = 0x0000_0004;
/// Message boundaries are honoured.
pub const XP1_MESSAGE_ORIENTED: u32 = 0x0000_0008;
/// A message-oriented protocol whose receivers see a byte stream.
pub const XP1_PSEUDO_STREAM: u32 = 0x0000_0010;
/// Two-phase (graceful) close.
pub const XP1_GRACEFUL_CLOSE: u32 = 0x0000_0020;
/// Urgent (expedited, out-of-band) data.
pub const XP1_EXPEDITED_DATA: u32 = 0x0000_0040;
/// Broadcast.
pub const XP1_SUPPORT_BROADCAST: u32 = 0x0000_0200;
/// Multipoint (multicast).
pub const XP1_SUPPORT_MULTIPOINT: u32 = 0x0000_0400;
/// Socket handles are file-system handles.
pub const XP1_IFS_HANDLES: u32 = 0x0002_0000;
/// `MSG_PARTIAL` is supported.
pub const XP1_PARTIAL_MESSAGE: u32 = 0x0004_0000;
/// `dwProviderFlags`: the entry is hidden from `WSAEnumProtocols`' users.
pub const PFL_HIDDEN: u32 = 0x0000_0004;
/// `dwProviderFlags`: a protocol of 0 in `socket`/`WSASocket` matches the
/// entry.
pub const PFL_MATCHES_PROTOCOL_ZERO: u32 = 0x0000_0008;
/// Size of a `WSAPROTOCOL_INFOW` (what `SO_PROTOCOL_INFOW` returns).
pub const WSAPROTOCOL_INFOW_SIZE: usize = 628;

// ---------------------------------------------------------------------------
// SOL_SOCKET options
// ---------------------------------------------------------------------------

/// The socket-level option level (`0xffff`).
pub const SOL_SOCKET: i32 = 0xffff;
/// Allow binding to an address already in use.
pub const SO_REUSEADDR: i32 = 0x0004;
/// Bind exclusively; defined as `!SO_REUSEADDR` (that is, -5).
pub const SO_EXCLUSIVEADDRUSE: i32 = !SO_REUSEADDR;
/// Allow sending broadcast datagrams.
pub const SO_BROADCAST: i32 = 0x0020;
/// Send buffer size.
pub const SO_SNDBUF: i32 = 0x1001;
/// Receive buffer size.
pub const SO_RCVBUF: i32 = 0x1002;
/// Send timeout in milliseconds.
pub const SO_SNDTIMEO: i32 = 0x1005;
/// Receive timeout in milliseconds.
pub const SO_RCVTIMEO: i32 = 0x1006;
/// Get and clear the pending socket error.
pub const SO_ERROR: i32 = 0x1007;
/// Whether the socket is listening (read only).
pub const SO_ACCEPTCONN: i32 = 0x0002;
/// Send keep-alive probes on a connection.
pub const SO_KEEPALIVE: i32 = 0x0008;
/// Linger on close: a `struct linger { u_short l_onoff; u_short l_linger; }`.
pub const SO_LINGER: i32 = 0x0080;
/// Turn lingering off; defined as `!SO_LINGER` (that is, -129).
pub const SO_DONTLINGER: i32 = !SO_LINGER;
/// Receive urgent (out-of-band) data in the normal data stream.
pub const SO_OOBINLINE: i32 = 0x0100;
/// Send without routing (a `BOOL`; Windows keeps it as a `BOOLEAN`).
pub const SO_DONTROUTE: i32 = 0x0010;
/// Debugging information (a `BOOL`).
pub const SO_DEBUG: i32 = 0x0001;
/// The seconds a stream socket has been connected (`0xFFFFFFFF`: not
/// connected).
pub const SO_CONNECT_TIME: i32 = 0x700C;
/// The calling thread's choice of overlapped (0) or synchronous sockets
/// for `socket` (an option of the thread, not of a socket).
pub const SO_OPENTYPE: i32 = 0x7008;
/// The socket type (`SOCK_*`).
pub const SO_TYPE: i32 = 0x1008;
/// `listen` backlog meaning "as many as the provider allows".
pub const SOMAXCONN: i32 = 0x7fff_ffff;
/// `IPPROTO_TCP` option: disable the Nagle algorithm.
pub const TCP_NODELAY: i32 = 0x0001;
/// Maximum message size for message-oriented sockets.
pub const SO_MAX_MSG_SIZE: i32 = 0x2003;
/// The socket's `WSAPROTOCOL_INFOW`.
pub const SO_PROTOCOL_INFOW: i32 = 0x2005;

// ---------------------------------------------------------------------------
// IPPROTO_IP options
// ---------------------------------------------------------------------------

/// IPv4 header options.
pub const IP_OPTIONS: i32 = 1;
/// The application supplies the IPv4 header.
pub const IP_HDRINCL: i32 = 2;
/// IPv4 type of service (the whole byte; its low two bits are the ECN
/// field).
pub const IP_TOS: i32 = 3;
/// IPv4 time to live for unicast.
pub const IP_TTL: i32 = 4;
/// Outgoing interface for IPv4 multicast.
pub const IP_MULTICAST_IF: i32 = 9;
/// Time to live for IPv4 multicast.
pub const IP_MULTICAST_TTL: i32 = 10;
/// Loop IPv4 multicast back to the sender.
pub const IP_MULTICAST_LOOP: i32 = 11;
/// Join an IPv4 multicast group.
pub const IP_ADD_MEMBERSHIP: i32 = 12;
/// Leave an IPv4 multicast group.
pub const IP_DROP_MEMBERSHIP: i32 = 13;
/// Set the Don't Fragment bit.
pub const IP_DONTFRAGMENT: i32 = 14;
/// Deliver `IN_PKTINFO` control data on receive.
pub const IP_PKTINFO: i32 = 19;
/// Deliver the received TTL as control data.
pub const IP_RECVTTL: i32 = 21;
/// Outgoing interface for IPv4 unicast (an interface index, network order).
pub const IP_UNICAST_IF: i32 = 31;
/// Deliver the received TOS as control data.
pub const IP_RECVTOS: i32 = 40;
/// ECN codepoint (control data type and option).
pub const IP_ECN: i32 = 50;
/// Deliver the received ECN codepoint as an `IP_ECN` control object (the
/// same number as `IP_ECN`).
pub const IP_RECVECN: i32 = 50;
/// Path MTU discovery state (`IP_PMTUDISC_*`).
pub const IP_MTU_DISCOVER: i32 = 71;
/// The path MTU of a connected socket (get only).
pub const IP_MTU: i32 = 73;
/// Deliver ICMP errors as control data.
pub const IP_RECVERR: i32 = 75;
/// An upper bound the application puts on the path MTU.
pub const IP_USER_MTU: i32 = 76;

/// `IP_MTU_DISCOVER`: not set (the system default).
pub const IP_PMTUDISC_NOT_SET: i32 = 0;
/// `IP_MTU_DISCOVER`: discover the path MTU; never fragment.
pub const IP_PMTUDISC_DO: i32 = 1;
/// `IP_MTU_DISCOVER`: never discover; fragment.
pub const IP_PMTUDISC_DONT: i32 = 2;
/// `IP_MTU_DISCOVER`: probe.
pub const IP_PMTUDISC_PROBE: i32 = 3;

/// ECN codepoint: not ECN-capable transport.
pub const ECN_NOT_ECT: i32 = 0;
/// ECN codepoint: ECN-capable transport (1).
pub const ECN_ECT_1: i32 = 1;
/// ECN codepoint: ECN-capable transport (0).
pub const ECN_ECT_0: i32 = 2;
/// ECN codepoint: congestion encountered (a sender may not set it).
pub const ECN_CE: i32 = 3;

// ---------------------------------------------------------------------------
// IPPROTO_IPV6 options
// ---------------------------------------------------------------------------

/// Set the Don't Fragment behaviour for IPv6 (no source fragmentation).
pub const IPV6_DONTFRAG: i32 = 14;
/// Deliver the received hop limit as control data.
pub const IPV6_HOPLIMIT: i32 = 21;
/// Outgoing interface for IPv6 unicast (an interface index).
pub const IPV6_UNICAST_IF: i32 = 31;
/// IPv6 traffic class (its low two bits are the ECN field).
pub const IPV6_TCLASS: i32 = 39;
/// ECN codepoint of IPv6 (control data type and option).
pub const IPV6_ECN: i32 = 50;
/// Deliver the received ECN codepoint as an `IPV6_ECN` control object.
pub const IPV6_RECVECN: i32 = 50;
/// Path MTU discovery state of IPv6.
pub const IPV6_MTU_DISCOVER: i32 = 71;
/// The path MTU of a connected IPv6 socket (get only).
pub const IPV6_MTU: i32 = 72;
/// Deliver ICMPv6 errors as control data.
pub const IPV6_RECVERR: i32 = 75;
/// An upper bound the application puts on the IPv6 path MTU.
pub const IPV6_USER_MTU: i32 = 76;
/// Hop limit for IPv6 unicast.
pub const IPV6_UNICAST_HOPS: i32 = 4;
/// Outgoing interface index for IPv6 multicast.
pub const IPV6_MULTICAST_IF: i32 = 9;
/// Hop limit for IPv6 multicast.
pub const IPV6_MULTICAST_HOPS: i32 = 10;
/// Loop IPv6 multicast back to the sender.
pub const IPV6_MULTICAST_LOOP: i32 = 11;
/// Join an IPv6 multicast group.
pub const IPV6_ADD_MEMBERSHIP: i32 = 12;
/// Join an IPv6 multicast group (same value as `IPV6_ADD_MEMBERSHIP`).
pub const IPV6_JOIN_GROUP: i32 = IPV6_ADD_MEMBERSHIP;
/// Leave an IPv6 multicast group.
pub const IPV6_DROP_MEMBERSHIP: i32 = 13;
/// Leave an IPv6 multicast group (same value as `IPV6_DROP_MEMBERSHIP`).
pub const IPV6_LEAVE_GROUP: i32 = IPV6_DROP_MEMBERSHIP;
/// Deliver `IN6_PKTINFO` control data on receive.
pub const IPV6_PKTINFO: i32 = 19;
/// Restrict an `AF_INET6` socket to IPv6 only (no v4-mapped traffic).
pub const IPV6_V6ONLY: i32 = 27;
/// Deliver the received traffic class as control data.
pub const IPV6_RECVTCLASS: i32 = 40;

// ---------------------------------------------------------------------------
// IPPROTO_UDP options and control data
// ---------------------------------------------------------------------------

/// Send with a zero checksum (IPv4).
pub const UDP_NOCHECKSUM: i32 = 1;
/// Send segmentation: the size each send is cut into (option and control
/// object, a `DWORD`).
pub const UDP_SEND_MSG_SIZE: i32 = 2;
/// Receive coalescing: the largest coalesced message a receive returns.
pub const UDP_RECV_MAX_COALESCED_SIZE: i32 = 3;
/// The control object of a coalesced receive: the size of its segments
/// (a `DWORD`; the same number as `UDP_RECV_MAX_COALESCED_SIZE`).
pub const UDP_COALESCED_INFO: i32 = 3;
/// UDP-Lite checksum coverage.
pub const UDP_CHECKSUM_COVERAGE: i32 = 20;

// ---------------------------------------------------------------------------
// ioctl codes (ioctlsocket / WSAIoctl)
// ---------------------------------------------------------------------------

/// Set or clear non-blocking mode (`_IOW('f', 126, u_long)`).
pub const FIONBIO: u32 = 0x8004_667E;
/// Bytes available to read (`_IOR('f', 127, u_long)`).
pub const FIONREAD: u32 = 0x4004_667F;
/// Whether all out-of-band data has been read (`_IOR('s', 7, u_long)`).
pub const SIOCATMARK: u32 = 0x4004_7307;
/// Look up an extension function pointer by GUID.
pub const SIO_GET_EXTENSION_FUNCTION_POINTER: u32 = 0xC800_0006;
/// Enable or disable reporting ICMP port unreachable as `WSAECONNRESET` on UDP.
pub const SIO_UDP_CONNRESET: u32 = 0x9800_000C;
/// Enable or disable reporting ICMP time exceeded as `WSAENETRESET` on UDP.
pub const SIO_UDP_NETRESET: u32 = 0x9800_000F;
/// The base service provider's handle of a socket (`_WSAIOR(IOC_WS2, 34)`).
pub const SIO_BASE_HANDLE: u32 = 0x4800_0022;
/// The base provider's handle, asked for by layered providers
/// (`_WSAIOR(IOC_WS2, 27)`).
pub const SIO_BSP_HANDLE: u32 = 0x4800_001B;
/// The base provider's handle to pass to `select` (`_WSAIOR(IOC_WS2, 28)`).
pub const SIO_BSP_HANDLE_SELECT: u32 = 0x4800_001C;
/// The base provider's handle to pass to `WSAPoll` (`_WSAIOR(IOC_WS2, 29)`).
pub const SIO_BSP_HANDLE_POLL: u32 = 0x4800_001D;
/// `SIO_KEEPALIVE_VALS`: a connection's keep-alive on or off, with its
/// time and probe interval (a `tcp_keepalive`).
pub const SIO_KEEPALIVE_VALS: u32 = 0x9800_0004;
/// Discard the current contents of the send queue.
pub const SIO_FLUSH: u32 = 0x2800_0004;

// ---------------------------------------------------------------------------
// WSASocket flags
// ---------------------------------------------------------------------------

/// Create a socket that supports overlapped I/O.
pub const WSA_FLAG_OVERLAPPED: u32 = 0x01;
/// Create a socket handle that is not inherited by child processes.
pub const WSA_FLAG_NO_HANDLE_INHERIT: u32 = 0x80;
/// Create a socket for registered I/O (RIO).
pub const WSA_FLAG_REGISTERED_IO: u32 = 0x100;

// ---------------------------------------------------------------------------
// shutdown() directions
// ---------------------------------------------------------------------------

/// Shut down receiving.
pub const SD_RECEIVE: i32 = 0;
/// Shut down sending.
pub const SD_SEND: i32 = 1;
/// Shut down both directions.
pub const SD_BOTH: i32 = 2;

// ---------------------------------------------------------------------------
// Return values and versions
// ---------------------------------------------------------------------------

/// The return value of a failed Winsock call.
pub const SOCKET_ERROR: i32 = -1;
/// The invalid `SOCKET` handle (`~0` as a 64-bit `UINT_PTR`).
pub const INVALID_SOCKET: u64 = u64::MAX;
/// Winsock version 2.2 as passed to `WSAStartup` (`MAKEWORD(2, 2)`).
pub const WINSOCK_VERSION_2_2: u16 = 0x0202;

// ---------------------------------------------------------------------------
// GUIDs
// ---------------------------------------------------------------------------

/// A Windows `GUID`.
///
/// In memory (see [`Guid::to_bytes`]) `data1`, `data2` and `data3` are
/// little-endian and `data4` is stored as is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Guid {
    /// The first 32 bits.
    pub data1: u32,
    /// The next 16 bits.
    pub data2: u16,
    /// The next 16 bits.
    pub data3: u16,
    /// The last 64 bits, byte by byte.
    pub data4: [u8; 8],
}

impl Guid {
    /// Builds a GUID from its four fields.
    pub const fn new(data1: u32, data2: u16, data3: u16, data4: [u8; 8]) -> Self {
        Guid {
            data1,
            data2,
            data3,
            data4,
        }
    }

    /// The 16-byte in-memory image of the GUID on Windows.
    pub fn to_bytes(&self) -> [u8; 16] {
        let mut out = [0u8; 16];
        out[0..4].copy_from_slice(&self.data1.to_le_bytes());
        out[4..6].copy_from_slice(&self.data2.to_le_bytes());
        out[6..8].copy_from_slice(&self.data3.to_le_bytes());
        out[8..16].copy_from_slice(&self.data4);
        out
    }

    /// Reads a GUID from the first 16 bytes of `bytes`; `None` if there are fewer.
    pub fn from_bytes(bytes: &[u8]) -> Option<Guid> {
        let b: &[u8; 16] = bytes.get(..16)?.try_into().ok()?;
        let mut data4 = [0u8; 8];
        data4.copy_from_slice(&b[8..16]);
        Some(Guid {
            data1: u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            data2: u16::from_le_bytes([b[4], b[5]]),
            data3: u16::from_le_bytes([b[6], b[7]]),
            data4,
        })
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = &self.data4;
        write!(
            f,
            "{{{:08X}-{:04X}-{:04X}-{:02X}{:02X}-{:02X}{:02X}{:02X}{:02X}{:02X}{:02X}}}",
            self.data1, self.data2, self.data3, d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]
        )
    }
}

/// The `WSARecvMsg` extension function, `{F689D7C8-6F1F-436B-8A53-E54FE351C322}`.
pub const WSAID_WSARECVMSG: Guid = Guid::new(
    0xF689_D7C8,
    0x6F1F,
    0x436B,
    [0x8A, 0x53, 0xE5, 0x4F, 0xE3, 0x51, 0xC3, 0x22],
);
/// The `WSASendMsg` extension function, `{A441E712-754F-43CA-84A7-0DEE44CF606D}`.
pub const WSAID_WSASENDMSG: Guid = Guid::new(
    0xA441_E712,
    0x754F,
    0x43CA,
    [0x84, 0xA7, 0x0D, 0xEE, 0x44, 0xCF, 0x60, 0x6D],
);

// ---------------------------------------------------------------------------
// Sizes of x64 structures (bytes)
// ---------------------------------------------------------------------------

/// `sizeof(WSABUF)` on x64.
// ULONG len (4) + 4 padding + CHAR *buf (8) = 16.
pub const WSABUF_SIZE: usize = 16;
/// `sizeof(WSAMSG)` on x64.
// LPSOCKADDR name (8) + INT namelen (4) + 4 padding + LPWSABUF lpBuffers (8)
// + ULONG dwBufferCount (4) + 4 padding + WSABUF Control (16)
// + ULONG dwFlags (4) + 4 tail padding = 56.
pub const WSAMSG_SIZE: usize = 56;
/// `sizeof(WSAOVERLAPPED)` on x64 (it is `OVERLAPPED`).
// ULONG_PTR Internal (8) + ULONG_PTR InternalHigh (8)
// + union { struct { DWORD Offset; DWORD OffsetHigh; }; PVOID Pointer; } (8)
// + HANDLE hEvent (8) = 32.
pub const WSAOVERLAPPED_SIZE: usize = 32;
/// `sizeof(SOCKADDR_IN)`.
// ADDRESS_FAMILY sin_family (2) + USHORT sin_port (2) + IN_ADDR sin_addr (4) + CHAR sin_zero[8] = 16.
pub const SOCKADDR_IN_SIZE: usize = 16;
/// `sizeof(SOCKADDR_IN6)`.
// ADDRESS_FAMILY sin6_family (2) + USHORT sin6_port (2) + ULONG sin6_flowinfo (4)
// + IN6_ADDR sin6_addr (16) + union { ULONG sin6_scope_id; SCOPE_ID } (4) = 28.
pub const SOCKADDR_IN6_SIZE: usize = 28;
/// `sizeof(SOCKADDR_STORAGE)`.
// ADDRESS_FAMILY ss_family (2) + CHAR __ss_pad1[6] + __int64 __ss_align (8) + CHAR __ss_pad2[112] = 128.
pub const SOCKADDR_STORAGE_SIZE: usize = 128;
/// `sizeof(WSACMSGHDR)` on x64.
// SIZE_T cmsg_len (8) + INT cmsg_level (4) + INT cmsg_type (4) = 16.
pub const WSACMSGHDR_SIZE: usize = 16;
/// `sizeof(IN_PKTINFO)`.
// IN_ADDR ipi_addr (4) + ULONG ipi_ifindex (4) = 8.
pub const IN_PKTINFO_SIZE: usize = 8;
/// `sizeof(IN6_PKTINFO)`.
// IN6_ADDR ipi6_addr (16) + ULONG ipi6_ifindex (4) = 20.
pub const IN6_PKTINFO_SIZE: usize = 20;

// ---- WSAEventSelect / WSAEnumNetworkEvents (`FD_*` network events) ----
// https://learn.microsoft.com/en-us/windows/win32/api/winsock2/nf-winsock2-wsaeventselect

/// `FD_READ`: data to read (bit 0).
pub const FD_READ: i32 = 1 << 0;
/// `FD_WRITE`: a send would not block (bit 1).
pub const FD_WRITE: i32 = 1 << 1;
/// `FD_OOB`: out-of-band data to read (bit 2).
pub const FD_OOB: i32 = 1 << 2;
/// `FD_ACCEPT`: a connection to accept (bit 3).
pub const FD_ACCEPT: i32 = 1 << 3;
/// `FD_CONNECT`: a connection attempt finished (bit 4).
pub const FD_CONNECT: i32 = 1 << 4;
/// `FD_CLOSE`: the connection was closed (bit 5).
pub const FD_CLOSE: i32 = 1 << 5;
/// `FD_QOS`: the socket's quality of service changed (bit 6).
pub const FD_QOS: i32 = 1 << 6;
/// `FD_GROUP_QOS`: reserved (bit 7).
pub const FD_GROUP_QOS: i32 = 1 << 7;
/// `FD_ROUTING_INTERFACE_CHANGE` (bit 8).
pub const FD_ROUTING_INTERFACE_CHANGE: i32 = 1 << 8;
/// `FD_ADDRESS_LIST_CHANGE` (bit 9).
pub const FD_ADDRESS_LIST_CHANGE: i32 = 1 << 9;
/// `FD_MAX_EVENTS`: the length of `WSANETWORKEVENTS.iErrorCode`.
pub const FD_MAX_EVENTS: usize = 10;
/// `FD_ALL_EVENTS`: the ten events.
pub const FD_ALL_EVENTS: i32 = (1 << FD_MAX_EVENTS) - 1;

// ---- WSAPoll (`WSAPOLLFD.events` / `revents`) ----

/// `POLLRDNORM`: normal data may be read without blocking (also: a
/// listening socket has a connection to accept).
pub const POLLRDNORM: i16 = 0x0100;
/// `POLLRDBAND`: priority band (out-of-band) data may be read without
/// blocking.
pub const POLLRDBAND: i16 = 0x0200;
/// `POLLIN`: `POLLRDNORM | POLLRDBAND`.
pub const POLLIN: i16 = POLLRDNORM | POLLRDBAND;
/// `POLLPRI`: priority data; "not supported by the Microsoft Winsock
/// provider" (asking for it fails the call).
pub const POLLPRI: i16 = 0x0400;
/// `POLLWRNORM`: normal data may be written without blocking.
pub const POLLWRNORM: i16 = 0x0010;
/// `POLLOUT`: the same as `POLLWRNORM`.
pub const POLLOUT: i16 = POLLWRNORM;
/// `POLLWRBAND`: not one of the flags Windows accepts in `events`.
pub const POLLWRBAND: i16 = 0x0020;
/// `POLLERR`: an error has occurred (always reported, never asked for).
pub const POLLERR: i16 = 0x0001;
/// `POLLHUP`: a stream-oriented connection was disconnected or aborted
/// (always reported, never asked for).
pub const POLLHUP: i16 = 0x0002;
/// `POLLNVAL`: an invalid socket was used (always reported, never asked
/// for).
pub const POLLNVAL: i16 = 0x0004;

/// The flags `events` may hold: "The WSAPOLLFD structure must only contain
/// a combination of the above flags that are supported by the Winsock
/// provider. Any other values are considered errors" (`WSAPoll`, Remarks:
/// POLLPRI, POLLRDBAND, POLLRDNORM, POLLWRNORM, of which POLLPRI is not
/// supported). Wine's `test_WSAPoll` (sock.c:7760-7761, 7800-7809) tries
/// POLLERR, POLLHUP, POLLNVAL, 0x8, POLLWRBAND, 0x40, 0x80, POLLPRI and the
/// bits from 0x800 up: each is `WSAEINVAL` on Windows.
pub const POLL_EVENTS_VALID: i16 = POLLRDNORM | POLLRDBAND | POLLWRNORM;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn error_codes_match_windows_sys() {
        let expected: &[(i32, i32)] = &[
            (WSAEINTR, 10004),
            (WSAEBADF, 10009),
            (WSAEACCES, 10013),
            (WSAEFAULT, 10014),
            (WSAEINVAL, 10022),
            (WSAEMFILE, 10024),
            (WSAEWOULDBLOCK, 10035),
            (WSAEINPROGRESS, 10036),
            (WSAEALREADY, 10037),
            (WSAENOTSOCK, 10038),
            (WSAEDESTADDRREQ, 10039),
            (WSAEMSGSIZE, 10040),
            (WSAEPROTOTYPE, 10041),
            (WSAENOPROTOOPT, 10042),
            (WSAEPROTONOSUPPORT, 10043),
            (WSAESOCKTNOSUPPORT, 10044),
            (WSAEOPNOTSUPP, 10045),
            (WSAEPFNOSUPPORT, 10046),
            (WSAEAFNOSUPPORT, 10047),
            (WSAEADDRINUSE, 10048),
            (WSAEADDRNOTAVAIL, 10049),
            (WSAENETDOWN, 10050),
            (WSAENETUNREACH, 10051),
            (WSAENETRESET, 10052),
            (WSAECONNABORTED, 10053),
            (WSAECONNRESET, 10054),
            (WSAENOBUFS, 10055),
            (WSAEISCONN, 10056),
            (WSAENOTCONN, 10057),
            (WSAESHUTDOWN, 10058),
            (WSAETIMEDOUT, 10060),
            (WSAECONNREFUSED, 10061),
            (WSAEHOSTUNREACH, 10065),
            (WSASYSNOTREADY, 10091),
            (WSAVERNOTSUPPORTED, 10092),
            (WSANOTINITIALISED, 10093),
            (WSAEDISCON, 10101),
            (WSA_IO_PENDING, 997),
            (WSA_IO_INCOMPLETE, 996),
            (WSA_OPERATION_ABORTED, 995),
            (WSA_INVALID_HANDLE, 6),
            (WSA_INVALID_PARAMETER, 87),
            (WSA_NOT_ENOUGH_MEMORY, 8),
            (WSA_WAIT_TIMEOUT, 258),
            (WSA_WAIT_IO_COMPLETION, 192),
            (ERROR_NOT_FOUND, 1168),
            (ERROR_ABANDONED_WAIT_0, 735),
        ];
        for (i, &(got, want)) in expected.iter().enumerate() {
            assert_eq!(got, want, "row {i}");
        }
        assert_eq!(expected.len(), ERROR_CODES.len());
        for (row, table) in expected.iter().zip(ERROR_CODES) {
            assert_eq!(row.0, table.0);
        }
    }

    #[test]
    fn error_name_and_table_agree() {
        let mut codes = HashSet::new();
        let mut names = HashSet::new();
        for &(code, name) in ERROR_CODES {
            assert_eq!(error_name(code), Some(name), "code {code}");
            assert!(codes.insert(code), "duplicate code {code}");
            assert!(names.insert(name), "duplicate name {name}");
        }
        // The match knows no code the table lacks.
        for code in -100..=20_000 {
            assert_eq!(
                error_name(code).is_some(),
                codes.contains(&code),
                "code {code}"
            );
        }
        assert_eq!(error_name(i32::MIN), None);
        assert_eq!(error_name(i32::MAX), None);
    }

    #[test]
    fn msg_flags_match_windows_sys() {
        let expected: &[(u32, u32)] = &[
            (MSG_OOB, 1),
            (MSG_PEEK, 2),
            (MSG_DONTROUTE, 4),
            (MSG_WAITALL, 8),
            (MSG_PUSH_IMMEDIATE, 32),
            (MSG_PARTIAL, 32768),
            (MSG_INTERRUPT, 16),
            (MSG_TRUNC, 256),
            (MSG_CTRUNC, 512),
            (MSG_BCAST, 1024),
            (MSG_MCAST, 2048),
            (MSG_ERRQUEUE, 4096),
        ];
        for &(got, want) in expected {
            assert_eq!(got, want);
        }
        assert_eq!(MSG_FLAG_NAMES.len(), expected.len());
        let mut seen = 0u32;
        for w in MSG_FLAG_NAMES.windows(2) {
            assert!(w[0].0 < w[1].0, "table not in ascending order");
        }
        for &(bit, _) in MSG_FLAG_NAMES {
            assert_eq!(bit.count_ones(), 1);
            assert_eq!(seen & bit, 0);
            seen |= bit;
        }
    }

    #[test]
    fn msg_flag_names_and_string() {
        assert!(msg_flag_names(0).is_empty());
        assert_eq!(
            msg_flag_names(MSG_TRUNC | MSG_PEEK),
            vec!["MSG_PEEK", "MSG_TRUNC"]
        );
        assert_eq!(msg_flag_names(0x4_0000 | MSG_OOB), vec!["MSG_OOB"]);
        assert_eq!(msg_flags_to_string(0), "0");
        assert_eq!(
            msg_flags_to_string(MSG_PEEK | MSG_TRUNC),
            "MSG_PEEK|MSG_TRUNC"
        );
        assert_eq!(msg_flags_to_string(MSG_CTRUNC), "MSG_CTRUNC");
        assert_eq!(msg_flags_to_string(MSG_PEEK | 0x4_0000), "MSG_PEEK|0x40000");
        assert_eq!(msg_flags_to_string(0x4_0000), "0x40000");
        let all = MSG_FLAG_NAMES.iter().fold(0, |a, (b, _)| a | b);
        assert_eq!(msg_flag_names(all).len(), MSG_FLAG_NAMES.len());
        assert!(!msg_flags_to_string(all).contains("0x"));
        assert!(msg_flags_to_string(u32::MAX).ends_with("|0xffff60c0"));
    }

    #[test]
    fn families_types_protocols() {
        let table: &[(i32, i32)] = &[
            (AF_UNSPEC, 0),
            (AF_INET, 2),
            (AF_INET6, 23),
            (SOCK_STREAM, 1),
            (SOCK_DGRAM, 2),
            (SOCK_RAW, 3),
            (SOCK_RDM, 4),
            (SOCK_SEQPACKET, 5),
            (IPPROTO_IP, 0),
            (IPPROTO_ICMP, 1),
            (IPPROTO_IGMP, 2),
            (IPPROTO_TCP, 6),
            (IPPROTO_UDP, 17),
            (IPPROTO_IPV6, 41),
            (IPPROTO_ICMPV6, 58),
            (IPPROTO_RAW, 255),
            (XP1_CONNECTIONLESS as i32, 0x1),
            (XP1_MESSAGE_ORIENTED as i32, 0x8),
            (XP1_PSEUDO_STREAM as i32, 0x10),
            (XP1_EXPEDITED_DATA as i32, 0x40),
            (XP1_PARTIAL_MESSAGE as i32, 0x40000),
            (SD_RECEIVE, 0),
            (SD_SEND, 1),
            (SD_BOTH, 2),
            (SOCKET_ERROR, -1),
        ];
        for (i, &(got, want)) in table.iter().enumerate() {
            assert_eq!(got, want, "row {i}");
        }
    }

    #[test]
    fn levels_and_options() {
        let table: &[(i32, i32)] = &[
            (SOL_SOCKET, 65535),
            (SO_REUSEADDR, 4),
            (SO_EXCLUSIVEADDRUSE, -5),
            (SO_BROADCAST, 32),
            (SO_SNDBUF, 4097),
            (SO_RCVBUF, 4098),
            (SO_SNDTIMEO, 4101),
            (SO_RCVTIMEO, 4102),
            (SO_ERROR, 4103),
            (SO_ACCEPTCONN, 2),
            (SO_KEEPALIVE, 8),
            (SO_LINGER, 128),
            (SO_DONTLINGER, -129),
            (SO_OOBINLINE, 256),
            (SO_DONTROUTE, 16),
            (SO_DEBUG, 1),
            (SO_CONNECT_TIME, 28684),
            (SO_OPENTYPE, 28680),
            (SOMAXCONN, 2_147_483_647),
            (TCP_NODELAY, 1),
            (SO_TYPE, 4104),
            (SO_MAX_MSG_SIZE, 8195),
            (SO_PROTOCOL_INFOW, 8197),
            (IP_OPTIONS, 1),
            (IP_HDRINCL, 2),
            (IP_TTL, 4),
            (IP_MULTICAST_IF, 9),
            (IP_MULTICAST_TTL, 10),
            (IP_MULTICAST_LOOP, 11),
            (IP_ADD_MEMBERSHIP, 12),
            (IP_DROP_MEMBERSHIP, 13),
            (IP_DONTFRAGMENT, 14),
            (IP_PKTINFO, 19),
            (IP_RECVTTL, 21),
            (IP_RECVTOS, 40),
            (IP_ECN, 50),
            (IP_TOS, 3),
            (IP_UNICAST_IF, 31),
            (IP_RECVECN, 50),
            (IP_MTU_DISCOVER, 71),
            (IP_MTU, 73),
            (IP_RECVERR, 75),
            (IP_USER_MTU, 76),
            (IP_PMTUDISC_NOT_SET, 0),
            (IP_PMTUDISC_DO, 1),
            (IP_PMTUDISC_DONT, 2),
            (IP_PMTUDISC_PROBE, 3),
            (IPV6_DONTFRAG, 14),
            (IPV6_UNICAST_IF, 31),
            (IPV6_TCLASS, 39),
            (IPV6_ECN, 50),
            (IPV6_RECVECN, 50),
            (IPV6_MTU_DISCOVER, 71),
            (IPV6_MTU, 72),
            (IPV6_RECVERR, 75),
            (IPV6_USER_MTU, 76),
            (UDP_NOCHECKSUM, 1),
            (UDP_SEND_MSG_SIZE, 2),
            (UDP_RECV_MAX_COALESCED_SIZE, 3),
            (UDP_COALESCED_INFO, 3),
            (UDP_CHECKSUM_COVERAGE, 20),
            (ECN_NOT_ECT, 0),
            (ECN_ECT_1, 1),
            (ECN_ECT_0, 2),
            (ECN_CE, 3),
            (IPV6_HOPLIMIT, 21),
            (IPV6_UNICAST_HOPS, 4),
            (IPV6_MULTICAST_IF, 9),
            (IPV6_MULTICAST_HOPS, 10),
            (IPV6_MULTICAST_LOOP, 11),
            (IPV6_ADD_MEMBERSHIP, 12),
            (IPV6_JOIN_GROUP, 12),
            (IPV6_DROP_MEMBERSHIP, 13),
            (IPV6_LEAVE_GROUP, 13),
            (IPV6_PKTINFO, 19),
            (IPV6_V6ONLY, 27),
            (IPV6_RECVTCLASS, 40),
        ];
        for (i, &(got, want)) in table.iter().enumerate() {
            assert_eq!(got, want, "row {i}");
        }
        assert_eq!(SO_EXCLUSIVEADDRUSE, !SO_REUSEADDR);
    }

    #[test]
    fn poll_flags_match_windows_sys() {
        let table: &[(i16, i16)] = &[
            (POLLRDNORM, 256),
            (POLLRDBAND, 512),
            (POLLIN, 768),
            (POLLPRI, 1024),
            (POLLWRNORM, 16),
            (POLLOUT, 16),
            (POLLWRBAND, 32),
            (POLLERR, 1),
            (POLLHUP, 2),
            (POLLNVAL, 4),
        ];
        for (i, &(got, want)) in table.iter().enumerate() {
            assert_eq!(got, want, "row {i}");
        }
    }

    #[test]
    fn ioctls_and_flags() {
        // windows-sys gives the first three as i32: the same bit patterns.
        assert_eq!(FIONBIO, (-2_147_195_266_i32) as u32);
        assert_eq!(FIONREAD, 1_074_030_207);
        assert_eq!(SIOCATMARK, 1_074_033_415);
        assert_eq!(SIO_GET_EXTENSION_FUNCTION_POINTER, 3_355_443_206);
        assert_eq!(SIO_UDP_CONNRESET, 2_550_136_844);
        // The values windows-sys 0.61 gives.
        assert_eq!(SIO_UDP_NETRESET, 2_550_136_847);
        assert_eq!(SIO_BASE_HANDLE, 1_207_959_586);
        assert_eq!(SIO_BSP_HANDLE, 1_207_959_579);
        assert_eq!(SIO_BSP_HANDLE_SELECT, 1_207_959_580);
        assert_eq!(SIO_BSP_HANDLE_POLL, 1_207_959_581);
        assert_eq!(WSA_FLAG_REGISTERED_IO, 256);
        assert_eq!(SIO_FLUSH, 671_088_644);
        assert_eq!(SIO_KEEPALIVE_VALS, 2_550_136_836);
        assert_eq!(WSA_FLAG_OVERLAPPED, 1);
        assert_eq!(WSA_FLAG_NO_HANDLE_INHERIT, 128);
        assert_eq!(INVALID_SOCKET, 0xFFFF_FFFF_FFFF_FFFF);
        assert_eq!(WINSOCK_VERSION_2_2, 514);
    }

    #[test]
    fn guid_values_and_layout() {
        assert_eq!(
            WSAID_WSARECVMSG.to_string(),
            "{F689D7C8-6F1F-436B-8A53-E54FE351C322}"
        );
        assert_eq!(
            WSAID_WSASENDMSG.to_string(),
            "{A441E712-754F-43CA-84A7-0DEE44CF606D}"
        );
        assert_eq!(
            WSAID_WSARECVMSG.to_bytes(),
            [
                0xC8, 0xD7, 0x89, 0xF6, 0x1F, 0x6F, 0x6B, 0x43, 0x8A, 0x53, 0xE5, 0x4F, 0xE3, 0x51,
                0xC3, 0x22
            ]
        );
        for g in [
            WSAID_WSARECVMSG,
            WSAID_WSASENDMSG,
            Guid::new(0, 0, 0, [0; 8]),
        ] {
            assert_eq!(Guid::from_bytes(&g.to_bytes()), Some(g));
            let mut long = g.to_bytes().to_vec();
            long.extend_from_slice(&[0xAA; 4]);
            assert_eq!(Guid::from_bytes(&long), Some(g));
        }
        let b = WSAID_WSASENDMSG.to_bytes();
        for n in 0..16 {
            assert_eq!(Guid::from_bytes(&b[..n]), None, "len {n}");
        }
        assert_ne!(WSAID_WSARECVMSG, WSAID_WSASENDMSG);
        assert_eq!(
            Guid::new(1, 2, 3, [4, 5, 6, 7, 8, 9, 10, 11]).to_string(),
            "{00000001-0002-0003-0405-060708090A0B}"
        );
    }

    #[test]
    fn structure_sizes() {
        let table: &[(usize, usize)] = &[
            (WSABUF_SIZE, 16),
            (WSAMSG_SIZE, 56),
            (WSAOVERLAPPED_SIZE, 32),
            (SOCKADDR_IN_SIZE, 16),
            (SOCKADDR_IN6_SIZE, 28),
            (SOCKADDR_STORAGE_SIZE, 128),
            (WSACMSGHDR_SIZE, 16),
            (IN_PKTINFO_SIZE, 8),
            (IN6_PKTINFO_SIZE, 20),
        ];
        for (i, &(got, want)) in table.iter().enumerate() {
            assert_eq!(got, want, "row {i}");
        }
    }
}
