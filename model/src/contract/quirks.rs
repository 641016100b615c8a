//! The quirk table: every way a profile departs from the documented
//! contract, named, stated in a line and sourced; and [`Profile`], a set of
//! quirks.
//!
//! The model asks `quirk(Quirk::X)` at the one place a rule applies; the
//! documented contract is the profile with no quirk. A named profile
//! ([`Profile::windows`], [`Profile::wine8`]) is the quirks whose table
//! entry names it, and a user can start from one and change it:
//!
//! ```
//! use winsock_double::{Profile, Quirk};
//!
//! let p = Profile::windows().without(Quirk::SendMsgAutoBinds);
//! assert!(!p.has(Quirk::SendMsgAutoBinds));
//! assert!(p.has(Quirk::RecvMsgCtruncFails));
//! assert_eq!(p.to_string(), "windows-WIN-SENDMSG-AUTOBIND");
//! ```
//!
//! Sources: `W93` is Wine's conformance suite at wine-mirror/wine
//! 1b32ac45f821ee1fe06a3dc4f903a81a190216c7 (Wine 9.3; the Wine project runs
//! it on Windows, so a line without `todo_wine` is what Windows does);
//! `W80` is Wine 8.0's implementation at
//! 6677c044abb711f423fadfb61f2c9a37da6ff686, the Wine that was measured into
//! `fixtures/recorded/wine-8.0.json`.

use std::fmt;

/// A named departure from the documented contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Quirk {
    /// WSASendMsg binds an unbound datagram socket and sends.
    SendMsgAutoBinds,
    /// A too-small WSARecvMsg control buffer fails the call with `WSAEMSGSIZE`.
    RecvMsgCtruncFails,
    /// closesocket aborts a connected stream socket's operations with `WSAECONNABORTED`.
    CloseAbortsStreamOpsConnAborted,
    /// A retransmission time-out breaks the connection with `WSAECONNABORTED`.
    RetxTimeoutConnAborted,
    /// After the last WSACleanup a call on an old socket says `WSAENOTSOCK`.
    EnotsockAfterCleanup,
    /// A bad destination name of a send gives `WSAEINVAL`.
    SendBadNameEinval,
    /// A destination of the other address family gives `WSAEOPNOTSUPP`.
    SendWrongFamilyEopnotsupp,
    /// WSASendMsg ignores a `NULL` control buffer.
    SendMsgNullControlIgnored,
    /// Datagram sends refuse only `MSG_OOB` among the flags.
    DgramSendRefusesOnlyOob,
    /// WSASendMsg works on a non-overlapped socket.
    SendMsgNonOverlappedOk,
    /// WSASendMsg on a stream socket gives `WSAECONNRESET`.
    SendMsgStreamConnReset,
    /// `MSG_PARTIAL` on a datagram send is ignored.
    DgramSendPartialAccepted,
    /// A send with no destination on an unconnected datagram socket gives `WSAEINVAL`.
    SendNoDestEinval,
    /// A non-overlapped receive accepts a `NULL` byte count.
    RecvNullCountAccepted,
    /// A receive accepts a `NULL` or too-small name.
    RecvBadNameIgnored,
    /// WSARecvMsg ignores a `NULL` control buffer.
    RecvMsgNullControlIgnored,
    /// WSARecvMsg on a connected stream socket receives as WSARecv does.
    RecvMsgOnStream,
    /// Receives accept any input flag bits.
    RecvFlagsUnchecked,
    /// A receive on an unbound datagram socket waits.
    RecvUnboundWaits,
    /// A receive's output flags are its input flags.
    RecvFlagsEchoInput,
    /// `MSG_TRUNC`, `MSG_BCAST` and `MSG_MCAST` are never set.
    RecvNoTruncFlag,
    /// A direct receive failing with `WSAEMSGSIZE` leaves the byte count unwritten.
    RecvEmsgsizeCountUnwritten,
    /// An overlapped receive failing at once reports 0 bytes.
    OvlImmediateErrorZeroCount,
    /// A reset connection keeps the bytes that arrived before the reset.
    ResetKeepsUnreadBytes,
    /// Receives on a reset connection end the stream instead of failing.
    BrokenRecvEndsStream,
    /// A reset answering data sent after the peer's FIN is `WSAECONNRESET`.
    RstAfterFinIsReset,
    /// The IP and UDP options Windows has beyond the documentation pages are
    /// accepted and read back, each on the socket types Windows allows it.
    IpOptions,
    /// `IPV6_V6ONLY` can be read (and set before `bind`) on an `AF_INET` socket.
    V6OnlyOnV4,
    /// ECN: the `IP_ECN`/`IPV6_ECN` control object of a send sets the
    /// codepoint, and `IP_RECVECN` delivers the received one.
    Ecn,
    /// A datagram with don't-fragment set larger than the path MTU fails
    /// with `WSAEMSGSIZE`; `IP_MTU` reads the path MTU.
    DontFragment,
    /// Send segmentation: `UDP_SEND_MSG_SIZE` cuts a send into datagrams.
    SendSegmentation,
    /// Receive coalescing: `UDP_RECV_MAX_COALESCED_SIZE` lets a receive
    /// return a run of datagrams, with `UDP_COALESCED_INFO`.
    RecvCoalescing,
    /// An overlapped `WSARecv`/`WSARecvFrom` with `MSG_PEEK` on a datagram
    /// socket is a readiness probe, not misuse.
    OvlPeekProbe,
    /// `IP_RECVTTL`/`IPV6_HOPLIMIT` and `IP_RECVTOS`/`IPV6_RECVTCLASS`
    /// deliver the received hop limit and TOS byte as control objects.
    RecvHopLimitTos,
    /// An ioctl code Windows does not know, and `SIO_FLUSH` on a stream
    /// socket, fail with `WSAEOPNOTSUPP`.
    IoctlUnknownEopnotsupp,
    /// A direct `WSASendMsg` with a `NULL` byte count binds an unbound
    /// datagram socket before it fails.
    SendMsgFaultBinds,
    /// `WSAPoll` with no element naming a socket fails with `WSAENOTSOCK`.
    PollNoSocketEnotsock,
    /// `WSAPoll` does not count an element that names no socket.
    PollNvalUncounted,
    /// `WSASocket` resolves `AF_UNSPEC` and type 0 from the protocol, and
    /// checks the type before the family.
    SocketTriple,
    /// The option sizes of Windows: 1-byte `BOOLEAN`s, short values taken
    /// or refused, short rooms answered per option
    /// ([`crate::contract::optsize`]).
    SockoptSizes,
    /// `setsockopt(SO_ERROR)` sets the value `getsockopt(SO_ERROR)` reads.
    SoErrorSettable,
    /// `WSAEventSelect` does not record again an event that
    /// `WSAEnumNetworkEvents` reported since its re-enabling call.
    EventSelectReported,
    /// `WSAIoctl` given an `OVERLAPPED` reports through it alone: an
    /// unsupported code pends and completes with `WSAEOPNOTSUPP`.
    IoctlOverlapped,
    /// A datagram socket's network events start when it is bound:
    /// `FD_WRITE` then, `FD_CONNECT` at its `connect`.
    EventSelectDgramConnect,
    /// `FD_ACCEPT` is recorded again for each new connection, before the
    /// `accept` that re-enables it.
    EventSelectAcceptEach,
    /// `WSAAsyncSelect` posts `FD_CONNECT` only when a stream socket's
    /// connection attempt ends while it is selected.
    AsyncSelectConnect,
    /// `FD_CLOSE` of a connection the peer reset carries
    /// `WSAECONNABORTED`, not `WSAECONNRESET`.
    CloseEventAborted,
    /// `WSAEventSelect` records `FD_READ` (`FD_OOB`) again when more data
    /// (urgent data) arrives, before the receive that re-enables it.
    EventSelectReadEach,
    /// An overlapped `WSARecv`/`WSARecvFrom` with `MSG_PEEK` on a stream
    /// socket peeks, as AFD's receive with `AFD_MSG_PEEK` does.
    OvlPeekStream,
    /// A receive given an `OVERLAPPED` on a socket without
    /// `WSA_FLAG_OVERLAPPED` blocks, even on a non-blocking socket.
    NonOverlappedRecvBlocks,
    /// `shutdown(SD_RECEIVE)` leaves a stream socket's outstanding
    /// receives outstanding, and data arriving fills them.
    ShutdownReceiveKeepsPending,
    /// `WSARecv` and `WSARecvFrom` with `dwBufferCount` 0 fail with
    /// `WSAEINVAL`.
    RecvNoBuffersInvalid,
    /// The protocol entries are Windows' catalog entries (provider flags,
    /// the raw entry).
    ProtocolCatalog,
}

/// A named profile: an implementation the model can imitate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Base {
    /// The documented contract: no quirk.
    #[default]
    Documented,
    /// Wine 8.0, as measured.
    Wine8,
    /// Current Windows, where a source shows it departing from the
    /// documentation.
    Windows,
}

impl Base {
    /// Every named profile.
    pub const ALL: [Base; 3] = [Base::Documented, Base::Windows, Base::Wine8];

    /// Its name on the command line and in files (`"wine-8"`).
    pub fn name(self) -> &'static str {
        match self {
            Base::Documented => "documented",
            Base::Wine8 => "wine-8",
            Base::Windows => "windows",
        }
    }

    /// The named profile called `name` (also `"wine8"`, the name saved
    /// runs used before the quirk table).
    pub fn from_name(name: &str) -> Option<Base> {
        match name {
            "wine8" => Some(Base::Wine8),
            _ => Base::ALL.into_iter().find(|b| b.name() == name),
        }
    }
}

/// One entry of the quirk table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct QuirkInfo {
    /// The quirk.
    #[serde(skip)]
    pub quirk: Quirk,
    /// Stable id: `WIN-...` for a Windows behaviour (Wine may share it),
    /// `WINE8-...` for Wine 8.0's own.
    pub id: &'static str,
    /// One line: what the implementation does instead of the contract, and
    /// the clauses it departs from.
    pub statement: &'static str,
    /// Where it is shown: a URL, or files and lines.
    pub source: &'static str,
    /// The named profiles that have it.
    #[serde(serialize_with = "base_names")]
    pub profiles: &'static [Base],
}

fn base_names<S: serde::Serializer>(b: &&'static [Base], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(b.iter().map(|b| b.name()))
}

const W: &[Base] = &[Base::Windows, Base::Wine8];
const WINDOWS: &[Base] = &[Base::Windows];
const WINE8: &[Base] = &[Base::Wine8];

/// Every quirk, Windows behaviours first.
pub static QUIRKS: &[QuirkInfo] = &[
    QuirkInfo {
        quirk: Quirk::SendMsgAutoBinds,
        id: "WIN-SENDMSG-AUTOBIND",
        statement: "WSASendMsg on an unbound datagram socket binds it to the wildcard address and an ephemeral port and sends, instead of failing with WSAEINVAL (SENDMSG-EINVAL-UNBOUND).",
        source: "https://github.com/wine-mirror/wine/blob/1b32ac45f821ee1fe06a3dc4f903a81a190216c7/dlls/ws2_32/tests/sock.c#L7480 (and #L7495-L7503: bound afterwards); Wine 8.0: fixtures/recorded/wine-8.0.json:2484",
        profiles: W,
    },
    QuirkInfo {
        quirk: Quirk::RecvMsgCtruncFails,
        id: "WIN-RECVMSG-CTRUNC-EMSGSIZE",
        statement: "A WSARecvMsg control buffer too small for the control data fails the call with WSAEMSGSIZE and MSG_CTRUNC, the data copied and the datagram consumed, where the page says only that MSG_CTRUNC is set (RECVMSG-OUT-CTRUNC).",
        source: "https://github.com/wine-mirror/wine/blob/1b32ac45f821ee1fe06a3dc4f903a81a190216c7/dlls/ws2_32/tests/sock.c#L2672-L2675 (and #L2684-L2686: the datagram is gone); Wine 8.0: fixtures/recorded/wine-8.0.json:1970",
        profiles: W,
    },
    QuirkInfo {
        quirk: Quirk::CloseAbortsStreamOpsConnAborted,
        id: "WIN-CLOSE-STREAM-CONNABORTED",
        statement: "closesocket ends the outstanding operations of a connected stream socket with WSAECONNABORTED, not WSA_OPERATION_ABORTED (RECV-OPERATION-ABORTED-CLOSE); datagram sockets keep WSA_OPERATION_ABORTED.",
        source: "https://github.com/wine-mirror/wine/blob/1b32ac45f821ee1fe06a3dc4f903a81a190216c7/dlls/ws2_32/tests/sock.c#L11943-L11944 (ERROR_CONNECTION_ABORTED after closesocket, todo_wine); datagrams: https://github.com/wine-mirror/wine/blob/1b32ac45f821ee1fe06a3dc4f903a81a190216c7/dlls/ws2_32/tests/afd.c#L1793-L1797",
        profiles: WINDOWS,
    },
    QuirkInfo {
        quirk: Quirk::RetxTimeoutConnAborted,
        id: "WIN-RETX-TIMEOUT-CONNABORTED",
        statement: "A connection dropped by the retransmission time-out fails with WSAECONNABORTED, not the WSAETIMEDOUT of the WSARecv page (RECV-ETIMEDOUT-DROPPED); medium confidence, no conformance test shows it.",
        source: "https://learn.microsoft.com/en-us/windows/win32/winsock/windows-sockets-error-codes-2 (WSAECONNABORTED: \"possibly due to a data transmission time-out\"); field report https://www.daisukekobayashi.com/blog/en/winsock-10053-wsaeconnaborted-error-and-tcp-retransmission-timeout",
        profiles: WINDOWS,
    },
    QuirkInfo {
        quirk: Quirk::IpOptions,
        id: "WIN-IP-OPTIONS",
        statement: "The IPPROTO_IP, IPPROTO_IPV6 and IPPROTO_UDP options Windows has beyond the seed pages (IP_TOS, IP_DONTFRAGMENT, IP_RECVTTL, IP_RECVTOS, IP_ECN/IP_RECVECN, IP_UNICAST_IF, IP_MTU_DISCOVER, IP_MTU, IP_RECVERR, IP_USER_MTU, IP_OPTIONS and their IPv6 forms, UDP_NOCHECKSUM, UDP_SEND_MSG_SIZE, UDP_RECV_MAX_COALESCED_SIZE) are accepted and read back as DWORDs; the receive-side ones, IP_PKTINFO and the multicast ones are WSAEINVAL on a stream socket, IP_HDRINCL is WSAEINVAL but on a raw one, IP_MTU is WSAENOTCONN until the socket is connected, IP_MTU_DISCOVER refuses IP_PMTUDISC_NOT_SET; the documented model answers WSAENOPROTOOPT for options the seed pages do not name.",
        source: "wine_8.0~repack-4 (Debian source package, as scripts/wine-suite.sh fetches it) dlls/ws2_32/tests/sock.c:13014-13222 (test_sockopt_validity: getsockopt, then setsockopt of what it read, on IPv4/IPv6 TCP, UDP and raw sockets; run on Windows, rows without todo); https://learn.microsoft.com/en-us/windows/win32/winsock/ipproto-ip-socket-options, https://learn.microsoft.com/en-us/windows/win32/winsock/ipproto-udp-socket-options",
        profiles: WINDOWS,
    },
    QuirkInfo {
        quirk: Quirk::V6OnlyOnV4,
        id: "WIN-V6ONLY-ON-V4",
        statement: "getsockopt(IPPROTO_IPV6, IPV6_V6ONLY) on an AF_INET socket succeeds (1 until set to 0), and setsockopt of it succeeds before bind and fails after, as on an AF_INET6 socket, instead of WSAEINVAL for an IPv6 option on an IPv4 socket (quinn-udp 0.6.1 reads it on every socket it sets up).",
        source: "wine_8.0~repack-4 (Debian source package, as scripts/wine-suite.sh fetches it) dlls/ws2_32/tests/sock.c:6974-7026 (test_ipv6only: the getsockopt checks are todo_wine, so Windows does this and Wine 8.0 does not); quinn-rs/quinn a1931ab8 quinn-udp/src/windows.rs UdpSocketState::new",
        profiles: WINDOWS,
    },
    QuirkInfo {
        quirk: Quirk::Ecn,
        id: "WIN-ECN",
        statement: "An IP_ECN (IPPROTO_IP) or IPV6_ECN (IPPROTO_IPV6) control object of type INT on WSASendMsg sets the datagram's ECN codepoint, and the Congestion Encountered codepoint (3) fails the send with WSAEINVAL; with IP_RECVECN / IPV6_RECVECN set, WSARecvMsg delivers the received codepoint as an IP_ECN / IPV6_ECN control object of type INT (the seed pages name no such control data).",
        source: "https://learn.microsoft.com/en-us/windows/win32/winsock/winsock-ecn; https://learn.microsoft.com/en-us/windows/win32/api/ws2tcpip/nf-ws2tcpip-wsasetrecvipecn (Windows 10 build 20348 and later)",
        profiles: WINDOWS,
    },
    QuirkInfo {
        quirk: Quirk::RecvHopLimitTos,
        id: "WIN-RECV-TTL-TOS",
        statement: "With IP_RECVTTL (IPv4) or IPV6_HOPLIMIT (IPv6) set, WSARecvMsg delivers the hop limit a datagram arrived with (the sender's IP_TTL / IPV6_UNICAST_HOPS, or its multicast one, less one per router) as an IP_TTL / IPV6_HOPLIMIT control object of type INT; with IP_RECVTOS or IPV6_RECVTCLASS set, the TOS / traffic class byte it arrived with (ECN bits included) as an IP_TOS / IPV6_TCLASS control object of type INT; the seed pages name no such control data. Several objects come in the order packet information, hop limit, TOS, ECN, coalescing (a model choice: no source gives Windows' order).",
        source: "wine_8.0~repack-4 (Debian source package, as scripts/wine-suite.sh fetches it) dlls/ws2_32/tests/sock.c:2656-2675, :2701-2720 (test_ipv4_cmsg), :2763-2781, :2807-2826 (test_ipv6_cmsg): level, type, cmsg_len = header + sizeof(INT), a TTL of at least 32, a TOS of 0 for a plain send; run on Windows, without todo; Wine 8.0 passes both, fixtures/findings/wine-suite-wine8-builtin.json",
        profiles: W,
    },
    QuirkInfo {
        quirk: Quirk::IoctlUnknownEopnotsupp,
        id: "WIN-IOCTL-EOPNOTSUPP",
        statement: "WSAIoctl with a code the provider does not know (0xdeadbeef, FIOASYNC, 0x667e), and SIO_FLUSH on a stream socket, fail with WSAEOPNOTSUPP, not WSAEINVAL (the WSAIoctl page: WSAEINVAL when dwIoControlCode is not a valid command).",
        source: "wine_8.0~repack-4 (Debian source package, as scripts/wine-suite.sh fetches it) dlls/ws2_32/tests/sock.c:5515-5537 (test_unsupported_ioctls on a TCP socket: WSAEOPNOTSUPP with *lpcbBytesReturned 0; run on Windows, without todo; Wine 8.0 passes it too, fixtures/findings/wine-suite-wine8-builtin.json)",
        profiles: W,
    },
    QuirkInfo {
        quirk: Quirk::SendMsgFaultBinds,
        id: "WIN-SENDMSG-EFAULT-BINDS",
        statement: "A direct WSASendMsg on an unbound datagram socket whose lpNumberOfBytesSent is NULL binds the socket to the wildcard address and an ephemeral port (getsockname then succeeds) before it fails with WSAEFAULT (SENDMSG-EFAULT-BYTES-NULL); the seed pages bind only on a send that goes ahead.",
        source: "wine_8.0~repack-4 (Debian source package, as scripts/wine-suite.sh fetches it) dlls/ws2_32/tests/sock.c:7234-7246 (test_WSASendMsg: \"a bad call to WSASendMsg will also bind the socket\"; run on Windows; todo_wine, so not Wine 8)",
        profiles: WINDOWS,
    },
    QuirkInfo {
        quirk: Quirk::PollNoSocketEnotsock,
        id: "WIN-POLL-NO-SOCKET-ENOTSOCK",
        statement: "WSAPoll whose elements name no socket at all (INVALID_SOCKET, or a handle that is no socket) fails with WSAENOTSOCK, every revents POLLNVAL; the WSAPoll page gives WSAEINVAL \"if none of the sockets specified in the fd member ... were valid\".",
        source: "wine_8.0~repack-4 (Debian source package, as scripts/wine-suite.sh fetches it) dlls/ws2_32/tests/sock.c:7858-7870 (test_WSAPoll; run on Windows, without todo; Wine 8.0 passes it too, fixtures/findings/wine-suite-wine8-builtin.json)",
        profiles: W,
    },
    QuirkInfo {
        quirk: Quirk::PollNvalUncounted,
        id: "WIN-POLL-NVAL-UNCOUNTED",
        statement: "WSAPoll sets POLLNVAL in an element that names no socket (INVALID_SOCKET or a handle that is no socket) but does not count it in its return value when another element names a socket; the WSAPoll page counts \"the elements in the fdarray for which an revents member ... is nonzero\".",
        source: "wine_8.0~repack-4 (Debian source package, as scripts/wine-suite.sh fetches it) dlls/ws2_32/tests/sock.c:7820-7843 (test_WSAPoll: returns 0 with POLLNVAL in that element; run on Windows, without todo; Wine 8.0 passes it too)",
        profiles: W,
    },
    QuirkInfo {
        quirk: Quirk::SocketTriple,
        id: "WIN-SOCKET-TRIPLE",
        statement: "WSASocket and socket match the (af, type, protocol) triple as Windows' provider catalog does: AF_UNSPEC needs a protocol (WSAEINVAL without one) and gives an AF_INET socket; type 0 takes SOCK_STREAM for IPPROTO_TCP or protocol 0, SOCK_DGRAM for IPPROTO_UDP and SOCK_RAW for IPPROTO_RAW (another protocol: WSAEPROTONOSUPPORT); an unknown type is WSAESOCKTNOSUPPORT even when the family is unknown too; the documented model refuses AF_UNSPEC and type 0 (WSAEAFNOSUPPORT, WSAESOCKTNOSUPPORT) and checks the family first.",
        source: "wine_8.0~repack-4 (Debian source package, as scripts/wine-suite.sh fetches it) dlls/ws2_32/tests/sock.c:3010-3070 (test_WSASocket: the table of triples with the error or the family, type and protocol SO_PROTOCOL_INFOA reports; run on Windows; row 7 is todo_wine, so not Wine 8 throughout), :3300-3317 (WSASocketA(0, 0, IPPROTO_RAW) makes a SOCK_RAW socket)",
        profiles: WINDOWS,
    },
    QuirkInfo {
        quirk: Quirk::SockoptSizes,
        id: "WIN-SOCKOPT-SIZES",
        statement: "The options of Wine's size table have Windows' value sizes (contract/optsize.rs): SO_KEEPALIVE, SO_DONTROUTE (kept, no effect), TCP_NODELAY and IPV6_V6ONLY are 1-byte BOOLEANs (setsockopt reads the first byte of any non-empty value, getsockopt writes one byte and reports 1); SO_BROADCAST, SO_DONTLINGER, SO_OOBINLINE, SO_REUSEADDR and SO_EXCLUSIVEADDRUSE take a value of 0 to 3 bytes (none is FALSE, else its first byte) and a room of 1 to 3 (one byte, or two from 2, reported as 1); IP_MULTICAST_LOOP, IP_MULTICAST_TTL, IP_TOS, IP_TTL, IPV6_DONTFRAG, IPV6_MULTICAST_HOPS, IPV6_MULTICAST_LOOP and IPV6_UNICAST_HOPS take a 1-3 byte value (its first byte) and a 1-3 byte room (one byte, reported as 1), and the TTLs and IP_TOS refuse a value over 255 with WSAEINVAL; the other ints need 4 bytes (WSAEFAULT) and a room under 4 fails with WSAEFAULT, SO_LINGER, SO_RCVBUF and SO_SNDBUF zeroing the room, IP_PKTINFO, IP_RECVTOS, IP_RECVTTL, IPV6_HOPLIMIT, IPV6_PKTINFO and IPV6_RECVTCLASS writing 0 to *optlen; SO_LINGER reads back l_onoff as it was set; a negative optlen is an int's 4 bytes for the SOL_SOCKET ints and WSAENOBUFS for the others, a NULL optval WSAEFAULT; setsockopt and getsockopt at a level Windows has no options at are WSAEINVAL. The documented profile keeps the pages' int of 4 bytes (WSAEFAULT for less) and WSAENOPROTOOPT for SO_DONTROUTE and unknown levels.",
        source: "wine_8.0~repack-4 (Debian source package, as scripts/wine-suite.sh fetches it) dlls/ws2_32/tests/sock.c:1205-1234 (test_set_getsockopt's test_optsize table), :1462-1625 (its loop: sizes, values, short and negative lengths, large values), :1340-1420 (SO_LINGER and SO_DONTLINGER with NULL, TCP_NODELAY with optlen 1, 42, 0, -1 and the value 0x100), :1421-1435 (levels 0xffffffff and 0x8000), :4880-4920 (test_extendedSocketOptions: getsockopt at 0xffffffff, 0x1234ffff, 0x8000ffff, 0x00008000, 0x00000800), :1640-1658 (IP_MULTICAST_TTL of 1-4 bytes); run on Windows, without todo but the SO_DONTROUTE and SO_LINGER values of :1570 (todo_wine_if: Wine 8.0 differs there)",
        profiles: WINDOWS,
    },
    QuirkInfo {
        quirk: Quirk::SoErrorSettable,
        id: "WIN-SO-ERROR-SET",
        statement: "setsockopt(SOL_SOCKET, SO_ERROR) succeeds and sets the value getsockopt(SO_ERROR) then reads, on any socket, where the SOL_SOCKET page has SO_ERROR as get only (the documented profile answers WSAENOPROTOOPT).",
        source: "wine_8.0~repack-4 (Debian source package, as scripts/wine-suite.sh fetches it) dlls/ws2_32/tests/sock.c:1436-1449 (test_set_getsockopt: setsockopt of 1234 succeeds with error 0, getsockopt gives 1234; run on Windows, the read back todo_wine, so not Wine 8)",
        profiles: WINDOWS,
    },
    QuirkInfo {
        quirk: Quirk::DontFragment,
        id: "WIN-DONTFRAGMENT",
        statement: "A datagram whose IP packet is larger than the path MTU fails with WSAEMSGSIZE when IP_DONTFRAGMENT / IPV6_DONTFRAG is set (without it the model fragments invisibly), and IP_MTU / IPV6_MTU read the path MTU of a connected socket (the seed pages limit a datagram only by SO_MAX_MSG_SIZE, SENDMSG-EMSGSIZE-MAX).",
        source: "https://learn.microsoft.com/en-us/windows/win32/winsock/ipproto-ip-socket-options (IP_DONTFRAGMENT, IP_MTU); https://learn.microsoft.com/en-us/windows/win32/winsock/ipproto-ipv6-socket-options (IPV6_DONTFRAG, IPV6_MTU); wine_8.0~repack-4 (Debian source package, as scripts/wine-suite.sh fetches it) dlls/ws2_32/tests/sock.c:13043, :13078 (IP_MTU is WSAENOTCONN on an unconnected socket)",
        profiles: WINDOWS,
    },
    QuirkInfo {
        quirk: Quirk::SendSegmentation,
        id: "WIN-USO",
        statement: "With UDP_SEND_MSG_SIZE set (the option, or an IPPROTO_UDP control object of type DWORD on WSASendMsg) a send's bytes leave as datagrams of that size, the last one shorter if need be, each within SO_MAX_MSG_SIZE and at most 512 to a send; the seed pages send one datagram per call (SENDMSG-EMSGSIZE-MAX).",
        source: "https://learn.microsoft.com/en-us/windows/win32/winsock/ipproto-udp-socket-options (UDP_SEND_MSG_SIZE); https://learn.microsoft.com/en-us/windows/win32/api/ws2tcpip/nf-ws2tcpip-wsasetudpsendmessagesize; quinn-rs/quinn a1931ab8 quinn-udp/src/windows.rs (max_gso_segments, send); quinn-udp 0.6.3 (crates.io) tests/tests.rs `gso` (512 segments of 128 bytes in one WSASendMsg), run on Windows by quinn's CI (.github/workflows/rust.yml, job test, windows-latest)",
        profiles: WINDOWS,
    },
    QuirkInfo {
        quirk: Quirk::RecvCoalescing,
        id: "WIN-URO",
        statement: "With UDP_RECV_MAX_COALESCED_SIZE set, a receive returns a run of queued datagrams from one source address and port, all of one size but a shorter last one, up to that size and the buffers' room, and WSARecvMsg gives the segment size in a UDP_COALESCED_INFO control object of type DWORD; the seed pages return one datagram per receive (RECV-DGRAM-ONE-MESSAGE).",
        source: "https://learn.microsoft.com/en-us/windows/win32/winsock/ipproto-udp-socket-options (UDP_RECV_MAX_COALESCED_SIZE); https://learn.microsoft.com/en-us/windows/win32/api/ws2tcpip/nf-ws2tcpip-wsasetudprecvmaxcoalescedsize; quinn-rs/quinn a1931ab8 quinn-udp/src/windows.rs (recv: UDP_COALESCED_INFO as the stride)",
        profiles: WINDOWS,
    },
    QuirkInfo {
        quirk: Quirk::OvlPeekProbe,
        id: "WIN-OVL-PEEK-PROBE",
        statement: "An overlapped WSARecv or WSARecvFrom with MSG_PEEK on a datagram socket (libuv's zero-byte read, a readiness probe) is taken instead of being undefined (RECV-PEEK-NONOVERLAPPED-ONLY): it pends until a datagram or an ICMP error is queued, then completes as a direct peek would: WSAEMSGSIZE with the bytes that fit (0 for a 0-byte buffer) and the datagram still queued, or WSAECONNRESET / WSAENETRESET with the error still queued for the next receive without MSG_PEEK.",
        source: "https://github.com/libuv/libuv/blob/6179e7af87413396d5853a1c3722c8b5749336c8/src/win/udp.c#L265-L290 (uv__udp_queue_recv: a 0-length WSABUF, MSG_PEEK and an OVERLAPPED), #L411-L419 (uv__process_udp_recv_req: WSAEMSGSIZE is \"not a real error\"; after WSAECONNRESET or WSAENETRESET a receive without MSG_PEEK must \"clear out the error queue\")",
        profiles: WINDOWS,
    },
    QuirkInfo {
        quirk: Quirk::EnotsockAfterCleanup,
        id: "WINE8-ENOTSOCK-AFTER-CLEANUP",
        statement: "A send or receive looks the socket up before the start-up count: after the last WSACleanup it fails with WSAENOTSOCK, not WSANOTINITIALISED (RECVMSG-ENOTINITIALISED, SENDMSG-ENOTINITIALISED); closesocket still says WSANOTINITIALISED.",
        source: "fixtures/recorded/wine-8.0.json:1535, :2649; W80 dlls/ws2_32/socket.c:637-644 (the last WSACleanup closes every socket)",
        profiles: WINE8,
    },
    QuirkInfo {
        quirk: Quirk::SendBadNameEinval,
        id: "WINE8-SEND-BADNAME-EINVAL",
        statement: "A send whose destination name is NULL with a length, shorter than the family's address, or unreadable fails with WSAEINVAL instead of WSAEFAULT or WSAEAFNOSUPPORT (SENDMSG-EFAULT-NULL-NAME).",
        source: "fixtures/recorded/wine-8.0.json:2428 (NULL name); the short name: fixtures/scenarios/recvfrom-sendto-names.json step 10, among the 6 failed steps of fixtures/recorded/wine-8.0.json:3343",
        profiles: WINE8,
    },
    QuirkInfo {
        quirk: Quirk::SendWrongFamilyEopnotsupp,
        id: "WINE8-SEND-FAMILY-EOPNOTSUPP",
        statement: "A send to an address of the other family (IPv6 on an IPv4 socket, or the reverse) fails with WSAEOPNOTSUPP instead of WSAEAFNOSUPPORT.",
        source: "fixtures/scenarios/recvfrom-sendto-names.json step 12, among the 6 failed steps of fixtures/recorded/wine-8.0.json:3343; W80 dlls/ntdll/unix/socket.c:176-177 and dlls/ws2_32/socket.c:481 (EAFNOSUPPORT to STATUS_NOT_SUPPORTED to WSAEOPNOTSUPP)",
        profiles: WINE8,
    },
    QuirkInfo {
        quirk: Quirk::SendMsgNullControlIgnored,
        id: "WINE8-SENDMSG-NULL-CONTROL-OK",
        statement: "WSASendMsg with a NULL Control.buf and a nonzero Control.len sends as if there were no control data, instead of WSAEFAULT (SENDMSG-EFAULT-NULL-CONTROL).",
        source: "fixtures/recorded/wine-8.0.json:2445; W80 dlls/ws2_32/socket.c:1069-1071 (the control buffer is not passed on)",
        profiles: WINE8,
    },
    QuirkInfo {
        quirk: Quirk::DgramSendRefusesOnlyOob,
        id: "WINE8-DGRAM-SEND-FLAGS-ONLY-OOB",
        statement: "WSASendMsg, and WSASend and WSASendTo on a datagram socket, refuse only MSG_OOB: other flag bits are ignored and the datagram sent, instead of WSAEOPNOTSUPP (SENDMSG-EOPNOTSUPP-FLAGS); WSASendMsg checks MSG_OOB before the socket's type.",
        source: "fixtures/recorded/wine-8.0.json:2593-2594; fixtures/findings/wine-8.0-differential.md:24 (WSASendTo with MSG_PEEK sends); W80 dlls/ntdll/unix/socket.c:1652-1657",
        profiles: WINE8,
    },
    QuirkInfo {
        quirk: Quirk::SendMsgNonOverlappedOk,
        id: "WINE8-SENDMSG-NONOVERLAPPED-OK",
        statement: "WSASendMsg works on a socket created without WSA_FLAG_OVERLAPPED, instead of failing with WSAEINVAL (SENDMSG-EINVAL-NOT-OVERLAPPED).",
        source: "fixtures/recorded/wine-8.0.json:2502-2503; W80 dlls/ws2_32/socket.c:1059-1071 (no such check)",
        profiles: WINE8,
    },
    QuirkInfo {
        quirk: Quirk::SendMsgStreamConnReset,
        id: "WINE8-SENDMSG-STREAM-CONNRESET",
        statement: "WSASendMsg on a stream socket fails with WSAECONNRESET instead of WSAEINVAL (SENDMSG-DGRAM-RAW-ONLY); measured on an unconnected one.",
        source: "fixtures/recorded/wine-8.0.json:2684; Windows gives WSAEINVAL: https://github.com/wine-mirror/wine/blob/1b32ac45f821ee1fe06a3dc4f903a81a190216c7/dlls/ws2_32/tests/sock.c#L7552-L7561 (todo_wine)",
        profiles: WINE8,
    },
    QuirkInfo {
        quirk: Quirk::DgramSendPartialAccepted,
        id: "WINE8-DGRAM-SEND-PARTIAL-OK",
        statement: "MSG_PARTIAL on a datagram send is ignored and the datagram sent, instead of WSAEOPNOTSUPP for a transport without partial messages (SENDMSG-PARTIAL-EOPNOTSUPP).",
        source: "fixtures/recorded/wine-8.0.json:2925; W80 dlls/ntdll/unix/socket.c:1654-1655 (\"ignoring MSG_PARTIAL\")",
        profiles: WINE8,
    },
    QuirkInfo {
        quirk: Quirk::SendNoDestEinval,
        id: "WINE8-SEND-NODEST-EINVAL",
        statement: "A send with no destination on an unconnected datagram socket fails with WSAEINVAL instead of WSAENOTCONN (WSASend, WSASendMsg: SENDMSG-ENOTCONN) or WSAEDESTADDRREQ (WSASendTo).",
        source: "fixtures/recorded/wine-8.0.json:2566; WSASend and WSASendTo: fixtures/scenarios/recvfrom-sendto-names.json steps 8-9, among the failed steps of fixtures/recorded/wine-8.0.json:3343",
        profiles: WINE8,
    },
    QuirkInfo {
        quirk: Quirk::RecvNullCountAccepted,
        id: "WINE8-RECV-NULL-COUNT-OK",
        statement: "A non-overlapped receive with a NULL lpNumberOfBytesRecvd works instead of failing with WSAEFAULT (RECV-EFAULT-BYTES-NULL, RECVMSG-EFAULT-BYTES-NULL).",
        source: "fixtures/recorded/wine-8.0.json:1222; fixtures/findings/wine-8.0-probe.md:22; W80 dlls/ws2_32/socket.c:982 (no NULL check on the receive side)",
        profiles: WINE8,
    },
    QuirkInfo {
        quirk: Quirk::RecvBadNameIgnored,
        id: "WINE8-RECV-BADNAME-IGNORED",
        statement: "A receive whose name is NULL with a length, or too small for the sender's address, succeeds: a NULL name is not written and a small one gets namelen -1, instead of WSAEFAULT (RECVMSG-EFAULT-NULL-NAME, RECVMSG-EFAULT-NAME-SMALL).",
        source: "fixtures/recorded/wine-8.0.json:1368, :1348; fixtures/findings/wine-8.0-probe.md:19; W80 dlls/ntdll/unix/socket.c:300, :805-806",
        profiles: WINE8,
    },
    QuirkInfo {
        quirk: Quirk::RecvMsgNullControlIgnored,
        id: "WINE8-RECVMSG-NULL-CONTROL-OK",
        statement: "WSARecvMsg with a NULL Control.buf and a nonzero Control.len receives and writes no control data, instead of WSAEFAULT (RECVMSG-EFAULT-NULL-CONTROL).",
        source: "fixtures/recorded/wine-8.0.json:1385",
        profiles: WINE8,
    },
    QuirkInfo {
        quirk: Quirk::RecvMsgOnStream,
        id: "WINE8-RECVMSG-STREAM-RECEIVES",
        statement: "WSARecvMsg on a connected stream socket receives as WSARecv does (WSAENOTCONN when not connected), instead of WSAEOPNOTSUPP (RECVMSG-DGRAM-RAW-ONLY, RECVMSG-EOPNOTSUPP-PEEK-STREAM).",
        source: "fixtures/recorded/wine-8.0.json:1580, :1713, :1730; W80 dlls/ws2_32/socket.c:1082-1095 (WSARecvMsg is the common receive plus a control buffer)",
        profiles: WINE8,
    },
    QuirkInfo {
        quirk: Quirk::RecvFlagsUnchecked,
        id: "WINE8-RECV-FLAGS-UNCHECKED",
        statement: "WSARecvMsg, and WSARecv and WSARecvFrom on a datagram socket, accept any input flag bits (MSG_OOB, MSG_WAITALL, ...) and receive normally, instead of WSAEOPNOTSUPP (RECVMSG-PEEK-ONLY-INPUT, RECV-EOPNOTSUPP-OOB, RECV-WAITALL-DGRAM).",
        source: "fixtures/recorded/wine-8.0.json:1610-1612, :282, :913; W80 dlls/ntdll/unix/socket.c:1624-1629 (nothing refused)",
        profiles: WINE8,
    },
    QuirkInfo {
        quirk: Quirk::RecvUnboundWaits,
        id: "WINE8-RECV-UNBOUND-WAITS",
        statement: "A receive on an unbound datagram socket waits (WSAEWOULDBLOCK when non-blocking) instead of failing with WSAEINVAL (RECV-EINVAL-UNBOUND, RECVMSG-EINVAL-UNBOUND).",
        source: "fixtures/recorded/wine-8.0.json:193, :1424; fixtures/findings/wine-8.0-overlapped.md:28; Windows refuses: https://github.com/wine-mirror/wine/blob/1b32ac45f821ee1fe06a3dc4f903a81a190216c7/dlls/ws2_32/tests/afd.c#L1728-L1731 (todo_wine)",
        profiles: WINE8,
    },
    QuirkInfo {
        quirk: Quirk::RecvFlagsEchoInput,
        id: "WINE8-RECV-FLAGS-ECHO",
        statement: "A receive's output flags are its input flags (MSG_PEEK, MSG_PARTIAL, MSG_OOB... come back set), on datagram, stream and urgent receives, instead of only flags that describe the result (RECV-FLAGS-INOUT, RECV-PARTIAL-CLEARED-COMPLETE).",
        source: "fixtures/recorded/wine-8.0.json:376, :940-941; fixtures/findings/wine-8.0-differential.md:21; W80 dlls/ntdll/unix/socket.c:953",
        profiles: WINE8,
    },
    QuirkInfo {
        quirk: Quirk::RecvNoTruncFlag,
        id: "WINE8-RECV-NO-MSG-TRUNC",
        statement: "A truncated datagram is told by WSAEMSGSIZE alone: WSARecvMsg never sets MSG_TRUNC, MSG_BCAST or MSG_MCAST, directly, by WSAGetOverlappedResult or in a routine (RECVMSG-OUT-TRUNC, RECVMSG-OVL-FLAGS-RESULT).",
        source: "fixtures/recorded/wine-8.0.json:1996, :1820, :2072; fixtures/findings/wine-8.0-probe.md:18; W80 dlls/ntdll/unix/socket.c:756",
        profiles: WINE8,
    },
    QuirkInfo {
        quirk: Quirk::RecvEmsgsizeCountUnwritten,
        id: "WINE8-RECV-EMSGSIZE-COUNT-UNWRITTEN",
        statement: "A direct receive that fails with WSAEMSGSIZE (a truncated datagram, or a control buffer too small) leaves lpNumberOfBytesRecvd unwritten, although the data was copied.",
        source: "fixtures/recorded/wine-8.0.json:210, :1970; W80 dlls/ws2_32/socket.c:982 (written only on success); Windows writes it: https://github.com/wine-mirror/wine/blob/1b32ac45f821ee1fe06a3dc4f903a81a190216c7/dlls/ws2_32/tests/sock.c#L2674 (todo_wine)",
        profiles: WINE8,
    },
    QuirkInfo {
        quirk: Quirk::OvlImmediateErrorZeroCount,
        id: "WINE8-OVL-IMMEDIATE-ERROR-COUNT-ZERO",
        statement: "An overlapped receive that completes at once with an error (WSAEMSGSIZE) reports 0 in lpNumberOfBytesRecvd; WSAGetOverlappedResult then gives the real count.",
        source: "fixtures/findings/wine-8.0-differential.md:25 (found by tests/os_fuzz.rs)",
        profiles: WINE8,
    },
    QuirkInfo {
        quirk: Quirk::ResetKeepsUnreadBytes,
        id: "WINE8-RESET-KEEPS-UNREAD",
        statement: "When a stream connection is reset or aborted, the bytes that arrived before stay readable instead of being discarded.",
        source: "fixtures/findings/wine-8.0-differential.md:23 (found by tests/os_fuzz.rs: the peer sends a byte and closes with unread data, the receive gets the byte)",
        profiles: WINE8,
    },
    QuirkInfo {
        quirk: Quirk::BrokenRecvEndsStream,
        id: "WINE8-BROKEN-RECV-EOF",
        statement: "Once its bytes are read, every receive on a reset or aborted stream connection returns 0 bytes and success (the end of the stream) instead of WSAECONNRESET or WSAECONNABORTED (RECV-ECONNRESET-STREAM, RECV-ABORTIVE-ECONNRESET, RECV-ECONNABORTED).",
        source: "fixtures/recorded/wine-8.0.json:124-125, :756-757, :106; fixtures/findings/wine-8.0-differential.md:23",
        profiles: WINE8,
    },
    QuirkInfo {
        quirk: Quirk::RstAfterFinIsReset,
        id: "WINE8-RST-AFTER-FIN-CONNRESET",
        statement: "A reset answering data sent after the peer's FIN breaks the connection with WSAECONNRESET, not WSAECONNABORTED (RECV-ECONNABORTED).",
        source: "fixtures/findings/wine-8.0-differential.md:22 (found by tests/os_fuzz.rs); Windows: https://github.com/wine-mirror/wine/blob/1b32ac45f821ee1fe06a3dc4f903a81a190216c7/dlls/ws2_32/tests/sock.c#L9494-L9498",
        profiles: WINE8,
    },
    QuirkInfo {
        quirk: Quirk::EventSelectReported,
        id: "WIN-EVENTSELECT-REPORTED",
        statement: "WSAEventSelect does not record again a network event that WSAEnumNetworkEvents reported since the event's re-enabling call (FD_ACCEPT before accept, FD_CONNECT, FD_WRITE, FD_CLOSE), also after a WSAEventSelect with lNetworkEvents 0; an event recorded and not yet reported is recorded again; the WSAEventSelect page records every network event that has already happened when it is called.",
        source: "wine_8.0~repack-4 (Debian source package, as scripts/wine-suite.sh fetches it) dlls/ws2_32/tests/sock.c:6100-6110 (FD_ACCEPT reported, selected again, then selected with 0 and again: no event), :6185-6204 (recorded, not reported: recorded again), :6347-6352 (FD_CONNECT, FD_WRITE), :6783-6793 (FD_CLOSE); run on Windows, without todo in the event tests",
        profiles: W,
    },
    QuirkInfo {
        quirk: Quirk::IoctlOverlapped,
        id: "WIN-IOCTL-OVERLAPPED",
        statement: "WSAIoctl given an OVERLAPPED and an lpcbBytesReturned reports through the OVERLAPPED alone: an ioctl that completes at once returns 0 and leaves *lpcbBytesReturned as it was unless a completion routine is given (the WSAIoctl page updates it), its completion indicated as an operation's (a port packet of 0 bytes for SIO_KEEPALIVE_VALS); FIONREAD and SIOCATMARK write the count and indicate 0 bytes, and a direct failure of theirs leaves the count; SIO_GET_INTERFACE_LIST pends and completes with the list, or with STATUS_BUFFER_TOO_SMALL (WSAEFAULT to a routine) when it does not fit; an ioctl the provider does not support (WIN-IOCTL-EOPNOTSUPP), and SIO_BASE_HANDLE given an OVERLAPPED, pends with WSA_IO_PENDING and completes with WSAEOPNOTSUPP (STATUS_NOT_SUPPORTED, ERROR_NOT_SUPPORTED from GetQueuedCompletionStatus) and 0 bytes through the event, the completion routine or the port; one that fails at once leaves Internal STATUS_PENDING and *lpcbBytesReturned as they were; and a failing WSAIoctl without an OVERLAPPED writes 0 to *lpcbBytesReturned.",
        source: "wine_8.0~repack-4 (Debian source package, as scripts/wine-suite.sh fetches it) dlls/ws2_32/tests/sock.c:5447-5452, :5458-5468 (test_keepalive_vals: a short input fails at once with Internal STATUS_PENDING, todo_wine; a success leaves the size, todo_wine, and queues a 0-byte packet), :5499-5503 (with a routine: the count 0), :5413-5425, :5538-5585 (test_unsupported_ioctls: 0 written on a direct failure; WSA_IO_PENDING, then the port's packet or the routine with WSAEOPNOTSUPP and 0 bytes), :12033-12121 (test_get_interface_list, the DLL's), :5105-5170 (test_fionread_siocatmark), :5772-5815 (test_base_handle: SIO_BASE_HANDLE with an OVERLAPPED, the port's packet and the routine's WSAEOPNOTSUPP, the handle untouched); run on Windows, without todo where not said; Wine 8.0 passes test_unsupported_ioctls, not the todo_wine lines",
        profiles: WINDOWS,
    },
    QuirkInfo {
        quirk: Quirk::EventSelectDgramConnect,
        id: "WIN-EVENTSELECT-DGRAM-CONNECT",
        statement: "A datagram socket records no network event at WSAEventSelect before it is bound; FD_WRITE once it is bound (by bind, or by its connect), and its connect records FD_CONNECT (error 0); the model's documented choice records FD_WRITE from the socket's creation and no FD_CONNECT (the WSAEventSelect page names FD_WRITE at the first connect or accept and says nothing of datagram sockets).",
        source: "wine_8.0~repack-4 (Debian source package, as scripts/wine-suite.sh fetches it) dlls/ws2_32/tests/sock.c:6413-6433 (test_events, event mode: check_events_todo_event(ctx, 0, 0, 0) after selecting on a new UDP socket, check_events_todo(ctx, FD_CONNECT, FD_WRITE, 200) after its connect; todo_wine, so not Wine 8), :3714-3740 (test_WSAEnumNetworkEvents: a UDP socket bound to INADDR_ANY records FD_WRITE at its first WSAEventSelect, once; Wine 8 passes); run on Windows",
        profiles: WINDOWS,
    },
    QuirkInfo {
        quirk: Quirk::EventSelectAcceptEach,
        id: "WIN-EVENTSELECT-ACCEPT-EACH",
        statement: "A listening socket records FD_ACCEPT again when another connection arrives, though FD_ACCEPT was reported and accept, its re-enabling function, was not called; the WSAEventSelect page records it once until accept.",
        source: "wine_8.0~repack-4 (Debian source package, as scripts/wine-suite.sh fetches it) dlls/ws2_32/tests/sock.c:6112-6119 (test_events, event mode: FD_ACCEPT reported at 6100, a second client connects, check_events_todo(ctx, FD_ACCEPT, 0, 200) before any accept; run on Windows; todo_wine, so not Wine 8)",
        profiles: WINDOWS,
    },
    QuirkInfo {
        quirk: Quirk::AsyncSelectConnect,
        id: "WIN-ASYNCSELECT-CONNECT",
        statement: "WSAAsyncSelect posts FD_CONNECT only when a stream socket's connection attempt ends while the socket is selected: not at WSAAsyncSelect on a socket already connected, and never for a datagram socket's connect (which posts FD_WRITE again); the WSAAsyncSelect page posts FD_CONNECT \"When WSAAsyncSelect called, if a connection is currently established\" and after connect \"even when connect succeeds immediately, as is typical with a datagram socket\".",
        source: "wine_8.0~repack-4 (Debian source package, as scripts/wine-suite.sh fetches it) dlls/ws2_32/tests/sock.c:6346-6351 (test_events, message mode: FD_CONNECT then FD_WRITE for a connect made while selected, FD_WRITE alone when selected again), :6378-6381 (connected, then selected: FD_WRITE alone), :6403-6406, :6531-6536 (selected again with FD_CONNECT: FD_WRITE alone, or nothing), :6425-6430 (a UDP socket's connect: FD_WRITE, check_events_todo); run on Windows; Wine 8 passes all but the last",
        profiles: WINDOWS,
    },
    QuirkInfo {
        quirk: Quirk::CloseEventAborted,
        id: "WIN-FDCLOSE-ABORTED",
        statement: "The FD_CLOSE network event (WSAEventSelect's record, WSAAsyncSelect's message) of a connection the peer reset carries WSAECONNABORTED; the pages' FD_CLOSE table gives WSAECONNRESET for \"The connection was reset by the remote side\" and WSAECONNABORTED for a time-out or other failure.",
        source: "wine_8.0~repack-4 (Debian source package, as scripts/wine-suite.sh fetches it) dlls/ws2_32/tests/sock.c:6889-6906 (test_events: close_with_rst(client), then MAKELONG(FD_CLOSE, WSAECONNABORTED) in both modes, selected again too; run on Windows; the event mode without todo, so Wine 8 does the same)",
        profiles: W,
    },
    QuirkInfo {
        quirk: Quirk::EventSelectReadEach,
        id: "WIN-EVENTSELECT-READ-EACH",
        statement: "WSAEventSelect records FD_READ again when more data arrives, and FD_OOB again when more urgent data arrives, though the event was recorded and its re-enabling receive was not made; the WSAEventSelect page records an event once until its re-enabling call. WSAAsyncSelect posts no message again (the page's rule).",
        source: "wine_8.0~repack-4 (Debian source package, as scripts/wine-suite.sh fetches it) dlls/ws2_32/tests/sock.c:6598-6603 (test_events, event mode: a second send, check_events_todo(ctx, FD_READ, 0, 200); message mode: nothing), :6735-6740 (a second urgent byte, check_events_todo_event(ctx, FD_OOB, 0, 200)); run on Windows; todo_wine, so not Wine 8",
        profiles: WINDOWS,
    },
    QuirkInfo {
        quirk: Quirk::OvlPeekStream,
        id: "WIN-OVL-PEEK-STREAM",
        statement: "An overlapped WSARecv or WSARecvFrom with MSG_PEEK on a stream socket is taken instead of being undefined (RECV-PEEK-NONOVERLAPPED-ONLY): it completes as a direct peek would, at once when bytes are queued (they stay queued for the next receive), else when bytes arrive (model choice: the source shows bytes already queued).",
        source: "wine_8.0~repack-4 (Debian source package, as scripts/wine-suite.sh fetches it) dlls/ws2_32/tests/afd.c:1641-1664 (test_recv: IOCTL_AFD_RECV, the AFD request an overlapped WSARecv is made of, with AFD_MSG_NOT_OOB | AFD_MSG_PEEK on a connected TCP socket with 4 bytes queued, twice: STATUS_SUCCESS at once and the same 4 bytes each time; run on Windows, no todo_wine)",
        profiles: WINDOWS,
    },
    QuirkInfo {
        quirk: Quirk::NonOverlappedRecvBlocks,
        id: "WIN-NONOVERLAPPED-RECV-BLOCKS",
        statement: "A receive (WSARecv, WSARecvFrom, WSARecvMsg) given an OVERLAPPED on a socket made without WSA_FLAG_OVERLAPPED runs as a blocking call even when the socket is non-blocking (FIONBIO): it waits for data (SO_RCVTIMEO applies) instead of failing with WSAEWOULDBLOCK, and its result is written to the OVERLAPPED (Internal the status, InternalHigh the bytes: the DLL); the seed pages ignore the OVERLAPPED there, so the call runs as a direct one (RECV-NONOVERLAPPED-IGNORES-OVERLAPPED, RECVMSG-NONOVERLAPPED-IGNORES-OVERLAPPED). Without an OVERLAPPED the call stays non-blocking.",
        source: "wine_8.0~repack-4 (Debian source package, as scripts/wine-suite.sh fetches it) dlls/ws2_32/tests/sock.c:12676-12739 (test_nonblocking_async_recv: \"With a non-overlapped socket, WSARecv() always blocks when passed an overlapped structure, but returns WSAEWOULDBLOCK otherwise\"; the receiving thread waits until the main thread sends, and GetOverlappedResult then reads 4 bytes from the OVERLAPPED; run on Windows, without todo; Wine 8.0 passes it)",
        profiles: W,
    },
    QuirkInfo {
        quirk: Quirk::ShutdownReceiveKeepsPending,
        id: "WIN-SHUTDOWN-RECEIVE-PENDING",
        statement: "shutdown(SD_RECEIVE) on a connected stream socket with receives outstanding leaves them outstanding: data that arrives later fills them (no reset) and a later FIN ends them with 0 bytes, while new receives fail with WSAESHUTDOWN (model choice: data arriving after they are done is queued, not a reset); the model's documented choice ends them with WSAESHUTDOWN at the shutdown, and the shutdown page resets the connection for data that arrives after SD_RECEIVE.",
        source: "wine_8.0~repack-4 (Debian source package, as scripts/wine-suite.sh fetches it) dlls/ws2_32/tests/sock.c:9139-9185 (test_shutdown: a WSARecv pending, shutdown(client, SD_RECEIVE), a new WSARecv WSAESHUTDOWN, the peer's send of 5 bytes completes the pending one with 5, then the peer's pending WSARecv ends with 0 at shutdown(client, SD_SEND); run on Windows, without todo; Wine 8.0's builtin passes these lines too, fixtures/findings/wine-suite-issue21-builtin.json, but the wine-8 profile follows its recorded corpus results, not re-measured for this)",
        profiles: WINDOWS,
    },
    QuirkInfo {
        quirk: Quirk::RecvNoBuffersInvalid,
        id: "WIN-RECV-NO-BUFFERS",
        statement: "WSARecv and WSARecvFrom with dwBufferCount 0 (lpBuffers NULL or not) fail with WSAEINVAL after the socket's checks (the source shows it with an OVERLAPPED; model choice: without one too); the WSARecv page sets no rule for an empty array, and the documented model takes it as a receive of no room.",
        source: "wine_8.0~repack-4 (Debian source package, as scripts/wine-suite.sh fetches it) dlls/ws2_32/tests/sock.c:12810-12820 (test_empty_recv: WSARecv(client, NULL, 0, ..., &overlapped) and WSARecv(client, &wsabuf, 0, ...) both WSAEINVAL on a connected TCP socket; run on Windows; todo_wine, so not Wine 8)",
        profiles: WINDOWS,
    },
    QuirkInfo {
        quirk: Quirk::ProtocolCatalog,
        id: "WIN-PROTOCOL-CATALOG",
        statement: "The WSAPROTOCOL_INFOW entries (WSAEnumProtocols, SO_PROTOCOL_INFO) are Windows' catalog entries: TCP and UDP have dwProviderFlags PFL_MATCHES_PROTOCOL_ZERO, and a raw socket reports the raw entry, iProtocol 0 with iProtocolMaxOffset 255 and PFL_MATCHES_PROTOCOL_ZERO | PFL_HIDDEN, whatever protocol it was made with; the documented model leaves the provider flags and the offset 0 and reports the socket's own protocol (the WSAPROTOCOL_INFO page leaves them to the provider).",
        source: "wine_8.0~repack-4 (Debian source package, as scripts/wine-suite.sh fetches it) dlls/ws2_32/tests/sock.c:3196-3220 (test_WSASocket: the first entry with PFL_MATCHES_PROTOCOL_ZERO has the type socket(AF_INET, 0, 0) makes), :3263-3287 (a raw ICMP socket's SO_PROTOCOL_INFOW: iProtocol 0, todo_wine; iProtocolMaxOffset 255; PFL_MATCHES_PROTOCOL_ZERO | PFL_HIDDEN); run on Windows; dlls/ws2_32/socket.c:45, :60, :76, :86 (Wine's catalog table, the same values)",
        profiles: WINDOWS,
    },
];

impl Quirk {
    /// Its table entry.
    pub fn info(self) -> &'static QuirkInfo {
        QUIRKS
            .iter()
            .find(|q| q.quirk == self)
            .expect("every quirk has an entry (quirks::tests)")
    }

    /// Its stable id (`"WIN-SENDMSG-AUTOBIND"`).
    pub fn id(self) -> &'static str {
        self.info().id
    }

    /// The quirk with this id.
    pub fn from_id(id: &str) -> Option<Quirk> {
        QUIRKS.iter().find(|q| q.id == id).map(|q| q.quirk)
    }

    /// Its bit in a [`Profile`].
    fn bit(self) -> u64 {
        1 << (self as u32)
    }
}

impl fmt::Display for Quirk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl serde::Serialize for Quirk {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

impl<'de> serde::Deserialize<'de> for Quirk {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Quirk, D::Error> {
        let id = String::deserialize(d)?;
        Quirk::from_id(&id).ok_or_else(|| serde::de::Error::custom(format!("unknown quirk `{id}`")))
    }
}

/// Which Winsock the model imitates where implementations differ: a set of
/// [`Quirk`]s, and the named profile it started from.
///
/// [`Profile::documented`] (the default) has no quirk: the documentation pages,
/// and where they are silent the model's stated choices.
/// [`Profile::windows`] has the quirks a cited source shows current Windows
/// to have; [`Profile::wine8`] those Wine 8.0 was measured to have
/// (`fixtures/recorded/wine-8.0.json`), so code can be tested against it on
/// purpose. `winsock-double quirks` prints the table (`model/QUIRKS.md`).
///
/// In files a named profile is its name (`"windows"`); a changed one is
/// `{"base": "windows", "without": ["WIN-SENDMSG-AUTOBIND"]}`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Profile {
    base: Base,
    quirks: u64,
}

impl Profile {
    /// The named profile `base`, with exactly the quirks the table gives it.
    pub fn named(base: Base) -> Profile {
        let quirks = QUIRKS
            .iter()
            .filter(|q| q.profiles.contains(&base))
            .fold(0, |acc, q| acc | q.quirk.bit());
        Profile { base, quirks }
    }

    /// The documented contract: no quirk.
    pub fn documented() -> Profile {
        Profile::named(Base::Documented)
    }

    /// Current Windows where a cited source shows it departing from the
    /// documentation.
    pub fn windows() -> Profile {
        Profile::named(Base::Windows)
    }

    /// Wine 8.0, as measured.
    pub fn wine8() -> Profile {
        Profile::named(Base::Wine8)
    }

    /// The named profile this one started from.
    pub fn base(self) -> Base {
        self.base
    }

    /// Whether the profile has `q`.
    pub fn has(self, q: Quirk) -> bool {
        self.quirks & q.bit() != 0
    }

    /// This profile with `q` too.
    #[must_use]
    pub fn with(self, q: Quirk) -> Profile {
        Profile {
            quirks: self.quirks | q.bit(),
            ..self
        }
    }

    /// This profile without `q`.
    #[must_use]
    pub fn without(self, q: Quirk) -> Profile {
        Profile {
            quirks: self.quirks & !q.bit(),
            ..self
        }
    }

    /// Its quirks, in table order.
    pub fn quirks(self) -> impl Iterator<Item = Quirk> {
        QUIRKS.iter().map(|q| q.quirk).filter(move |q| self.has(*q))
    }

    /// Whether it is a named profile as the table gives it.
    pub fn is_named(self) -> bool {
        self == Profile::named(self.base)
    }

    /// The quirks added to and taken from the base profile.
    fn changes(self) -> (Vec<Quirk>, Vec<Quirk>) {
        let base = Profile::named(self.base);
        let added = self.quirks().filter(|q| !base.has(*q)).collect();
        let removed = base.quirks().filter(|q| !self.has(*q)).collect();
        (added, removed)
    }
}

/// `windows`, or `windows-WIN-SENDMSG-AUTOBIND+WINE8-RECV-FLAGS-ECHO` for
/// one changed (`-` a quirk taken away, `+` one added).
impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.base.name())?;
        let (added, removed) = self.changes();
        for q in removed {
            write!(f, "-{q}")?;
        }
        for q in added {
            write!(f, "+{q}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Profile({self})")
    }
}

/// A changed profile in files.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Changed {
    base: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    with: Vec<Quirk>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    without: Vec<Quirk>,
}

impl serde::Serialize for Profile {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.is_named() {
            return s.serialize_str(self.base.name());
        }
        let (with, without) = self.changes();
        Changed {
            base: self.base.name().into(),
            with,
            without,
        }
        .serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for Profile {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Profile, D::Error> {
        struct Visit;
        fn base<E: serde::de::Error>(name: &str) -> Result<Profile, E> {
            Base::from_name(name).map(Profile::named).ok_or_else(|| {
                E::custom(format!(
                    "unknown profile `{name}` (documented, windows, wine-8)"
                ))
            })
        }
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Profile;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "a profile's name, or {\"base\": name, \"with\": [..], \"without\": [..]}",
                )
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Profile, E> {
                base(v)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, m: A) -> Result<Profile, A::Error> {
                use serde::Deserialize as _;
                let c = Changed::deserialize(serde::de::value::MapAccessDeserializer::new(m))?;
                let mut p = base::<A::Error>(&c.base)?;
                for q in c.with {
                    p = p.with(q);
                }
                for q in c.without {
                    p = p.without(q);
                }
                Ok(p)
            }
        }
        d.deserialize_any(Visit)
    }
}

/// The quirk table as Markdown (`model/QUIRKS.md`).
pub fn quirks_markdown() -> String {
    let mut s = String::from(
        "# Quirks\n\nEvery way a profile departs from the documented contract. Generated by `winsock-double quirks --format md`; the table is `model/src/contract/quirks.rs`.\n\n| id | profiles | statement | source |\n|---|---|---|---|\n",
    );
    for q in QUIRKS {
        let profiles: Vec<&str> = q.profiles.iter().map(|b| b.name()).collect();
        s.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            q.id,
            profiles.join(", "),
            q.statement.replace('|', "\\|"),
            q.source.replace('|', "\\|")
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_quirk_has_one_entry_and_a_bit() {
        let mut seen = std::collections::BTreeSet::new();
        for q in QUIRKS {
            assert!(seen.insert(q.quirk), "{:?} twice", q.quirk);
            assert!((q.quirk as u32) < 64, "{:?} has no bit", q.quirk);
            assert_eq!(q.quirk.info().id, q.id);
        }
        // The enum's last variant is in the table, so every one before it
        // is too (the variants are numbered in order).
        assert_eq!(seen.len(), Quirk::ProtocolCatalog as usize + 1);
    }

    #[test]
    fn ids_are_unique_and_well_formed() {
        let mut ids = std::collections::BTreeSet::new();
        for q in QUIRKS {
            assert!(ids.insert(q.id), "{} twice", q.id);
            let windows = q.profiles.contains(&Base::Windows);
            let prefix = if windows { "WIN-" } else { "WINE8-" };
            assert!(q.id.starts_with(prefix), "{} should start {prefix}", q.id);
            assert!(
                q.id.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-'),
                "{}",
                q.id
            );
        }
    }

    #[test]
    fn statements_are_one_line_and_sources_cite_a_place() {
        for q in QUIRKS {
            assert!(
                !q.statement.is_empty() && !q.statement.contains('\n'),
                "{}",
                q.id
            );
            assert!(q.statement.ends_with('.'), "{}", q.id);
            let url = q.source.contains("https://");
            // A file with a line: `name.ext:123` or `name.ext#L123`.
            let line = q.source.split([' ', ',', ';', '(']).any(|w| {
                w.split_once(':')
                    .or_else(|| w.split_once("#L"))
                    .is_some_and(|(file, n)| {
                        file.contains('.') && n.starts_with(|c: char| c.is_ascii_digit())
                    })
            });
            assert!(url || line, "{} cites no URL or file:line", q.id);
        }
    }

    #[test]
    fn each_quirk_belongs_to_a_named_profile_and_documented_has_none() {
        for q in QUIRKS {
            assert!(!q.profiles.is_empty(), "{}", q.id);
            assert!(!q.profiles.contains(&Base::Documented), "{}", q.id);
        }
        assert_eq!(Profile::documented().quirks().count(), 0);
        assert_eq!(Profile::default(), Profile::documented());
    }

    #[test]
    fn a_profile_changes_by_quirk_and_says_so() {
        let p = Profile::windows().without(Quirk::SendMsgAutoBinds);
        assert!(!p.is_named());
        assert_eq!(p.to_string(), "windows-WIN-SENDMSG-AUTOBIND");
        assert_eq!(p.with(Quirk::SendMsgAutoBinds), Profile::windows());
        let q = Profile::documented().with(Quirk::RecvFlagsEchoInput);
        assert_eq!(q.to_string(), "documented+WINE8-RECV-FLAGS-ECHO");
        assert_eq!(Profile::wine8().to_string(), "wine-8");
    }

    #[test]
    fn profiles_round_trip_through_json() {
        for p in [
            Profile::documented(),
            Profile::windows(),
            Profile::wine8(),
            Profile::windows().without(Quirk::SendMsgAutoBinds),
            Profile::documented().with(Quirk::RecvNoTruncFlag),
        ] {
            let j = serde_json::to_string(&p).unwrap();
            let back: Profile = serde_json::from_str(&j).unwrap();
            assert_eq!(back, p, "{j}");
        }
        assert_eq!(
            serde_json::to_string(&Profile::wine8()).unwrap(),
            "\"wine-8\""
        );
        // The name saved runs had before.
        let old: Profile = serde_json::from_str("\"wine8\"").unwrap();
        assert_eq!(old, Profile::wine8());
        let e = serde_json::from_str::<Profile>("\"wine9\"").unwrap_err();
        assert!(e.to_string().contains("unknown profile"), "{e}");
        let e = serde_json::from_str::<Profile>(r#"{"base": "windows", "without": ["NOPE"]}"#)
            .unwrap_err();
        assert!(e.to_string().contains("unknown quirk `NOPE`"), "{e}");
    }
}
