//! The clause table: every normative sentence of the documentation pages, with an
//! id.
//!
//! # What a clause is
//!
//! A [`Clause`] is one rule the documentation states about a call, reduced to
//! a single testable statement: a requirement on the provider, the condition
//! behind an error-table row, the meaning of a flag, a documented behaviour,
//! or a piece of misuse the documentation calls undefined (which the model
//! must diagnose, never accept silently). Purely informational sentences
//! (header files, import libraries, platform support, "see also", the
//! completion-routine prototype) are not clauses. Statements are written in
//! the project's words, not pasted from the documentation, and name the
//! exact error code or flag. Where a page states a rule but not its error
//! code, the statement says so and names the code the model uses; where a
//! page is ambiguous, or implies a rule without stating it, the statement
//! says so and names the model's reading, which the conformance run confirms
//! or corrects (`RECVMSG-NAME-OUT`, `RECVMSG-CONTROL-LEN`,
//! `RECVMSG-PKTINFO-V4-ADDR`, `RECV-PARTIAL-DGRAM`, `SENDMSG-BUFFER-ORDER`).
//!
//! # Ids
//!
//! An id is upper-case ASCII letters and digits in hyphen-separated parts
//! (`^[A-Z0-9]+(-[A-Z0-9]+)+$`). The first part names the page, one prefix per
//! function, because each function is its own code path to test:
//!
//! | prefix | page |
//! |---|---|
//! | `RECV-` | `WSARecv.md` |
//! | `RECVMSG-` | `WSARecvMsg.md` (and its older copies) |
//! | `SENDMSG-` | `WSASendMsg.md` |
//!
//! A rule stated in two pages gets one clause per page, with the same tail
//! (`RECV-BUFFER-ORDER`, `RECVMSG-BUFFER-ORDER`). An error-table row is
//! `PREFIX-<code without WSA/WSA_>-<condition>` (`RECVMSG-EFAULT-NULL-NAME`,
//! `SENDMSG-EACCES-BROADCAST`); overlapped-I/O rules carry `OVL`; a rule that
//! only an older copy of a page states ends in the copy's year
//! (`RECVMSG-PARAMS-NONOPTIONAL-2014`). Ids are stable: code, tests and
//! scenarios cite them, so an id is never renamed or reused; a withdrawn
//! clause keeps its id.
//!
//! [`CLAUSES`] is ordered by prefix (`RECV-`, `RECVMSG-`, `SENDMSG-`), then by
//! the clause's place in its page.
//!
//! # Sources
//!
//! `source` is the page's file and its section: `§Parameters`, `§Return value`
//! (the return-value text and the error table), `§Remarks`, `§dwFlags`,
//! `§Overlapped Socket I/O`; for the 2014 copy, `§Syntax`. `WSARecv.md` has
//! no `dwFlags` heading: its flag table is part of `§Remarks`.
//!
//! # Scopes
//!
//! [`Scope`] says which part of the model implements a clause. Every scope
//! is in scope now: the conformance run reports a clause no scenario cites
//! as untested. A scope added later starts out pending until the model has
//! that part ([`Scope::in_scope`]). A rule
//! about datagram sockets is `Datagram` even when it mentions a flag the
//! stream model will also need (`RECV-WAITALL-DGRAM`, `RECV-PARTIAL-DGRAM`,
//! `RECV-EOPNOTSUPP-OOB`, `RECV-PARTIAL-CLEARED-COMPLETE`,
//! `SENDMSG-PARTIAL-EOPNOTSUPP`), so that it is tested now.
//!
//! # The copies of `WSARecvMsg`
//!
//! `WSARecvMsg.md` is authoritative. Compared sentence by sentence with
//! markup and link targets removed:
//!
//! - `WSARecvMsg-alt.md` has the same text. It differs only in link targets
//!   (msdn.microsoft.com addresses instead of relative paths), table column
//!   widths, and empty `req.target-min-winverclnt`/`-winversvr` metadata
//!   where `WSARecvMsg.md` says "Windows 10 Build 20348". No normative
//!   difference.
//! - `WSARecvMsg-2014.txt` has the same parameter, error, remark, flag and
//!   overlapped text. It documents `WSARecvMsg` as a function (the current
//!   copies document the `LPFN_WSARECVMSG` pointer type), with a different
//!   requirements block (client Windows 8.1/Vista, server Windows Server
//!   2003; informational). One difference is normative: its signature
//!   annotates `lpdwNumberOfBytesRecvd` as `_Out_` and `lpOverlapped` and
//!   `lpCompletionRoutine` as `_In_`, that is never `NULL`, against its own
//!   prose; the current copy has `_Out_opt_`, `_Inout_opt_`, `_In_opt_`.
//!   See `RECVMSG-PARAMS-NONOPTIONAL-2014`.
//!
//! # Defects in the pages
//!
//! Noted so that nobody mistakes them for rules:
//!
//! - The `WSARecvMsg.md` description calls the function something "your app
//!   implements" that transmits "in-memory data, or file data, over a
//!   connected socket" (boilerplate from another page); its Remarks say it
//!   receives from connected and unconnected sockets, which the clauses follow.
//! - The `WSAEFAULT` row of `WSARecvMsg` lists `WSARecvFrom`'s parameters
//!   (`lpBuffers`, `lpFlags`, `lpFrom`, `lpFromlen`); `RECVMSG-EFAULT-POINTERS`
//!   and `RECVMSG-EFAULT-NAME-SMALL` map them to `WSAMSG` members. Its
//!   Overlapped Socket I/O section likewise says `lpFlags` and
//!   `lpNumberOfBytesRecvd` for `WSAMSG.dwFlags` and `lpdwNumberOfBytesRecvd`.
//! - The `WSAEOPNOTSUPP` row of `WSASendMsg` blames invalid flags in
//!   `WSAMSG.dwFlags`, which its Remarks say is ignored; the flag rule is read
//!   as applying to the `dwFlags` parameter (`SENDMSG-EOPNOTSUPP-FLAGS`).
//! - `WSASendMsg` allows `MSG_OOB` but its flag table does not describe it
//!   (`SENDMSG-OOB`); it names its socket parameter `Handle` and then `s`; its
//!   list of calls allowed inside a completion routine begins with a stray
//!   comma (a name is missing).
//! - The `in_pktinfo`/`in6_pktinfo` address is described as the address "from
//!   which the packet was received" (`RECVMSG-PKTINFO-V4-ADDR`,
//!   `RECVMSG-PKTINFO-V6-ADDR`).
//! - `WSARecv`'s `WSAETIMEDOUT` row is about dropped connections, unlike
//!   `WSARecvMsg`'s and `WSASendMsg`'s (`SO_RCVTIMEO`/`SO_SNDTIMEO`); the
//!   `WSARecv` page names no error for an expired `SO_RCVTIMEO`, so no
//!   clause gives one.

/// Which part of the model a clause belongs to. The conformance report
/// counts an uncited `Datagram` clause as untested and an uncited clause of
/// another scope as pending.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Datagram and raw sockets, non-overlapped calls, and everything not specific to the other scopes (errors, flags, control data, addresses, initialisation).
    Datagram,
    /// Overlapped I/O: events, WSAGetOverlappedResult, completion routines, completion ports, cancellation.
    Overlapped,
    /// Threads: per-thread I/O, APCs on their thread, thread exit.
    Threads,
    /// Connection-oriented byte streams (TCP): connections, short reads, close and shutdown, MSG_WAITALL, stream sends.
    Stream,
    /// Message-oriented connection protocols (XP1_MESSAGE_ORIENTED, XP1_PSEUDO_STREAM), MSG_PARTIAL, WSAEDISCON.
    Message,
    /// Urgent (out-of-band) data: MSG_OOB and SO_OOBINLINE on streams.
    Urgent,
    /// Connections broken by the network: keep-alive failure, retransmission time-outs.
    Faults,
}

impl Scope {
    /// Every scope, in order.
    pub const ALL: [Scope; 7] = [
        Scope::Datagram,
        Scope::Overlapped,
        Scope::Threads,
        Scope::Stream,
        Scope::Message,
        Scope::Urgent,
        Scope::Faults,
    ];

    /// Whether the model implements this scope now: its clauses must have a
    /// test and a scenario; the others are reported as pending. (All of
    /// them, since the message, urgent and fault parts were built.)
    pub fn in_scope(self) -> bool {
        matches!(
            self,
            Scope::Datagram
                | Scope::Overlapped
                | Scope::Threads
                | Scope::Stream
                | Scope::Message
                | Scope::Urgent
                | Scope::Faults
        )
    }

    /// The scope's name in reports (`"stream"`).
    pub fn name(self) -> &'static str {
        match self {
            Scope::Datagram => "datagram",
            Scope::Overlapped => "overlapped",
            Scope::Threads => "threads",
            Scope::Stream => "stream",
            Scope::Message => "message",
            Scope::Urgent => "urgent",
            Scope::Faults => "faults",
        }
    }
}

/// One normative sentence (or a few saying one thing) of a documentation page,
/// as a testable rule with a stable id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Clause {
    /// Stable id, e.g. `RECVMSG-TRUNC-DGRAM`.
    pub id: &'static str,
    /// One line: the rule, as a testable statement.
    pub statement: &'static str,
    /// Seed file and section, e.g. `WSARecvMsg.md §Remarks`.
    pub source: &'static str,
    /// Which part of the model implements it.
    pub scope: Scope,
}

/// Every clause, ordered by id prefix then document order.
pub static CLAUSES: &[Clause] = &[
    // ---- WSARecv.md ----
    Clause {
        id: "RECV-EFAULT-BYTES-NULL",
        statement: "lpNumberOfBytesRecvd may be NULL only when lpOverlapped is non-NULL; a NULL count pointer on a non-overlapped WSARecv is an invalid pointer and fails with WSAEFAULT.",
        source: "WSARecv.md §Parameters",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECV-BYTES-PTR-OVERLAPPED",
        statement: "With lpOverlapped non-NULL the caller should pass NULL for lpNumberOfBytesRecvd; if a pointer is passed anyway, the authoritative byte count is the completion's (cbTransferred or lpcbTransfer of WSAGetOverlappedResult).",
        source: "WSARecv.md §Parameters",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECV-NONOVERLAPPED-IGNORES-OVERLAPPED",
        statement: "On a socket created without WSA_FLAG_OVERLAPPED, WSARecv ignores lpOverlapped and lpCompletionRoutine: the call runs as a non-overlapped receive and neither an event nor a routine is used.",
        source: "WSARecv.md §Parameters",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECV-RETURN",
        statement: "WSARecv returns 0 when it succeeds and completes immediately; otherwise it returns SOCKET_ERROR and WSAGetLastError gives the specific code.",
        source: "WSARecv.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECV-IMMEDIATE-ROUTINE-SCHEDULED",
        statement: "When an overlapped WSARecv with a completion routine completes immediately (returns 0), the routine is already queued and runs once the calling thread enters an alertable wait.",
        source: "WSARecv.md §Return value",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECV-WSA-IO-PENDING",
        statement: "SOCKET_ERROR with WSA_IO_PENDING means the overlapped WSARecv was started and its completion will be indicated later.",
        source: "WSARecv.md §Return value",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECV-NO-COMPLETION-ON-ERROR",
        statement: "A WSARecv failing with any code other than WSA_IO_PENDING started nothing: no event is set, no completion routine runs and no completion packet is queued.",
        source: "WSARecv.md §Return value",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECV-ECONNABORTED",
        statement: "WSARecv fails with WSAECONNABORTED when the virtual circuit was terminated by a time-out or another failure.",
        source: "WSARecv.md §Return value",
        scope: Scope::Stream,
    },
    Clause {
        id: "RECV-ECONNRESET-STREAM",
        statement: "On a stream socket whose virtual circuit the remote side reset, WSARecv fails with WSAECONNRESET and the socket is no longer usable (only closesocket is meaningful).",
        source: "WSARecv.md §Return value",
        scope: Scope::Stream,
    },
    Clause {
        id: "RECV-ECONNRESET-ICMP",
        statement: "On a UDP socket, WSARecv fails with WSAECONNRESET when an earlier send from that socket drew an ICMP Port Unreachable message.",
        source: "WSARecv.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECV-EDISCON",
        statement: "On a message-oriented socket whose virtual circuit the remote side closed gracefully, WSARecv fails with WSAEDISCON.",
        source: "WSARecv.md §Return value",
        scope: Scope::Message,
    },
    Clause {
        id: "RECV-EFAULT-BUFFERS",
        statement: "An lpBuffers array, or a buffer it describes, that is not wholly inside valid user memory (for example a WSABUF len past the end of its memory) makes WSARecv fail with WSAEFAULT.",
        source: "WSARecv.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECV-EINPROGRESS-WS11",
        statement: "The model never returns WSAEINPROGRESS from WSARecv: the row concerns Winsock 1.1 blocking calls and provider callbacks in progress, which cannot arise in Winsock 2 usage.",
        source: "WSARecv.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECV-EINTR-WS11",
        statement: "WSAEINTR from WSARecv means its blocking call was canceled; WSACancelBlockingCall exists only for Winsock 1.1 blocking calls, so the model cancels a blocking WSARecv only when another thread closes the socket (model choice, after closesocket's \"pending blocking calls are canceled\").",
        source: "WSARecv.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECV-EINVAL-UNBOUND",
        statement: "WSARecv on a socket that has not been bound, explicitly or implicitly, fails with WSAEINVAL (the socket's local address must be known).",
        source: "WSARecv.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECV-EMSGSIZE",
        statement: "WSARecv fails with WSAEMSGSIZE when a message is too large for the buffers; only for unreliable protocols is the part that did not fit discarded.",
        source: "WSARecv.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECV-ENETDOWN",
        statement: "When the network subsystem has failed, WSARecv fails with WSAENETDOWN.",
        source: "WSARecv.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECV-ENETRESET-KEEPALIVE",
        statement: "On a connection-oriented socket whose connection keep-alive activity found broken while the call was in progress, WSARecv fails with WSAENETRESET.",
        source: "WSARecv.md §Return value",
        scope: Scope::Faults,
    },
    Clause {
        id: "RECV-ENETRESET-TTL",
        statement: "On a datagram socket, WSARecv reports an expired time to live with WSAENETRESET.",
        source: "WSARecv.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECV-ENOTCONN",
        statement: "WSARecv on a connection-oriented socket that is not connected fails with WSAENOTCONN.",
        source: "WSARecv.md §Return value",
        scope: Scope::Stream,
    },
    Clause {
        id: "RECV-ENOTSOCK",
        statement: "WSARecv on a descriptor that is not a socket fails with WSAENOTSOCK.",
        source: "WSARecv.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECV-EOPNOTSUPP-OOB",
        statement: "WSARecv with MSG_OOB on a socket that is not stream-style (SOCK_DGRAM, SOCK_RAW) fails with WSAEOPNOTSUPP.",
        source: "WSARecv.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECV-EOPNOTSUPP-OOB-DOMAIN",
        statement: "WSARecv with MSG_OOB fails with WSAEOPNOTSUPP when the socket's communication domain has no OOB data or the socket is unidirectional and supports only sending.",
        source: "WSARecv.md §Return value",
        scope: Scope::Urgent,
    },
    Clause {
        id: "RECV-ESHUTDOWN",
        statement: "After shutdown with SD_RECEIVE or SD_BOTH, WSARecv fails with WSAESHUTDOWN.",
        source: "WSARecv.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECV-ETIMEDOUT-DROPPED",
        statement: "WSARecv fails with WSAETIMEDOUT when the connection was dropped by a network failure or because the peer stopped responding (model: data left unacknowledged for the retransmission time-out while the peer cannot be reached).",
        source: "WSARecv.md §Return value",
        scope: Scope::Faults,
    },
    Clause {
        id: "RECV-EWOULDBLOCK-OVERLAPPED-LIMIT",
        statement: "An overlapped WSARecv fails with WSAEWOULDBLOCK when too many overlapped requests are already outstanding.",
        source: "WSARecv.md §Return value",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECV-EWOULDBLOCK-NONBLOCKING",
        statement: "A non-overlapped WSARecv on a non-blocking socket that cannot complete at once fails with WSAEWOULDBLOCK.",
        source: "WSARecv.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECV-ENOTINITIALISED",
        statement: "WSARecv without a prior successful WSAStartup fails with WSANOTINITIALISED.",
        source: "WSARecv.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECV-OPERATION-ABORTED-CLOSE",
        statement: "Closing the socket cancels its outstanding overlapped WSARecv operations, which complete with WSA_OPERATION_ABORTED.",
        source: "WSARecv.md §Return value",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECV-FLAGS-INOUT",
        statement: "WSARecv reads *lpFlags on input and rewrites it on output, so the caller can see the output state of MSG_PARTIAL.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECV-PARTIAL-DGRAM",
        statement: "MSG_PARTIAL is not supported by every protocol; the model's UDP and raw IP do not support partial messages, so MSG_PARTIAL on WSARecv input is accepted and has no effect: a datagram comes whole or truncated (the seed names no error; model choice, to be confirmed by the conformance run).",
        source: "WSARecv.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECV-IMPLICIT-BIND",
        statement: "connect, WSAConnect, sendto, WSASendTo or WSAJoinLeaf bind an unbound socket implicitly, after which WSARecv does not fail for being unbound.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECV-ACCEPT-BOUND",
        statement: "A socket returned by accept or WSAAccept is bound implicitly, so WSARecv can be used on it without bind.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Stream,
    },
    Clause {
        id: "RECV-CONNECTED-FILTER",
        statement: "On a connected connectionless socket, WSARecv returns only messages from the connected peer; messages from any other address are discarded silently.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECV-OVL-POST-BUFFERS",
        statement: "An overlapped WSARecv posts its buffers; incoming data is placed in them as it arrives, then the requested indication (completion routine or event) occurs.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECV-OVL-FINAL-STATUS",
        statement: "If an overlapped WSARecv does not complete immediately, its final status is obtained only through the completion routine or WSAGetOverlappedResult.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECV-THREAD-EXIT-CANCELS",
        statement: "When a thread exits, all I/O it initiated, WSARecv included, is cancelled.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Threads,
    },
    Clause {
        id: "RECV-THREAD-EXIT-OVERLAPPED-FAIL",
        statement: "An overlapped WSARecv still pending when its initiating thread exits may fail instead of completing normally.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Threads,
    },
    Clause {
        id: "RECV-BOTH-NULL-NONOVERLAPPED",
        statement: "With both lpOverlapped and lpCompletionRoutine NULL, WSARecv treats even an overlapped socket as non-overlapped, with recv's blocking semantics.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECV-BUFFERED-DATA-COPIED",
        statement: "A non-overlapped WSARecv copies data the transport has already received and buffered into the caller's buffers without waiting.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECV-BLOCKING-WAITS",
        statement: "A non-overlapped WSARecv on a blocking socket with no buffered data waits until data arrives.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECV-NO-STANDARD-TIMEOUT",
        statement: "Winsock 2 defines no blocking time-out for WSARecv: without SO_RCVTIMEO the wait is unbounded (the model reports a deadlock when nothing can ever arrive).",
        source: "WSARecv.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECV-STREAM-AS-MUCH-AS-POSSIBLE",
        statement: "For a protocol acting as a byte stream, WSARecv returns as much data as is available and fits the buffers.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Stream,
    },
    Clause {
        id: "RECV-STREAM-ONE-BYTE-UNBLOCKS",
        statement: "For a protocol acting as a byte stream, one received byte is enough to unblock WSARecv and more than one byte is never guaranteed (the model varies the count by seed).",
        source: "WSARecv.md §Remarks",
        scope: Scope::Stream,
    },
    Clause {
        id: "RECV-MESSAGE-UNBLOCKS",
        statement: "For a protocol acting as message-oriented (UDP, raw IP), a blocking WSARecv unblocks only when a whole message is available.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECV-TIMEO-BLOCKING-ONLY",
        statement: "SO_RCVTIMEO and SO_SNDTIMEO apply only to blocking sockets; on a non-blocking socket they never produce a time-out.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECV-ACTS-AS-STREAM-NOT-MSG",
        statement: "A protocol without XP1_MESSAGE_ORIENTED acts as a byte stream for WSARecv, whatever XP1_PSEUDO_STREAM and MSG_PARTIAL are.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Stream,
    },
    Clause {
        id: "RECV-ACTS-AS-STREAM-PSEUDO",
        statement: "A protocol with XP1_PSEUDO_STREAM acts as a byte stream for WSARecv, whatever XP1_MESSAGE_ORIENTED and MSG_PARTIAL are.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Message,
    },
    Clause {
        id: "RECV-ACTS-AS-STREAM-PARTIAL",
        statement: "A protocol with XP1_MESSAGE_ORIENTED and without XP1_PSEUDO_STREAM acts as a byte stream for a WSARecv that passes MSG_PARTIAL (if the protocol supports it).",
        source: "WSARecv.md §Remarks",
        scope: Scope::Message,
    },
    Clause {
        id: "RECV-ACTS-AS-MESSAGE",
        statement: "A protocol with XP1_MESSAGE_ORIENTED and without XP1_PSEUDO_STREAM acts as message-oriented for a WSARecv without MSG_PARTIAL.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Message,
    },
    Clause {
        id: "RECV-BUFFER-ORDER",
        statement: "WSARecv fills the lpBuffers array in array order and packs the data, leaving no hole before data placed in a later buffer.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECV-CAPTURE-WSABUF",
        statement: "An overlapped WSARecv captures the WSABUF array before returning, so a stack-based array may go out of scope while the operation is pending.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECV-STREAM-FILL",
        statement: "On a byte-stream socket, WSARecv places data until the buffers are full, the connection is closed, or the internally buffered data is exhausted.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Stream,
    },
    Clause {
        id: "RECV-OVL-STREAM-COMPLETES",
        statement: "On a byte-stream socket, an overlapped WSARecv indicates completion whether or not the data filled all its buffers.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Stream,
    },
    Clause {
        id: "RECV-DGRAM-ONE-MESSAGE",
        statement: "On a message-oriented socket, WSARecv places one incoming message into the buffers, up to their total size.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECV-OVL-DGRAM-COMPLETES",
        statement: "On a message-oriented socket, an overlapped WSARecv indicates completion once one message has been placed, whether or not it filled the buffers.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECV-TRUNC-FIRST-PART",
        statement: "A message larger than the WSARecv buffers fills them with its first part.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECV-TRUNC-PARTIAL",
        statement: "If the provider supports MSG_PARTIAL, a message larger than the buffers sets MSG_PARTIAL in *lpFlags and later receives return the rest of it.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Message,
    },
    Clause {
        id: "RECV-TRUNC-RELIABLE",
        statement: "On a reliable message protocol without MSG_PARTIAL support, a message larger than the buffers fails with WSAEMSGSIZE and a later receive with a larger buffer can retrieve the entire message.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Message,
    },
    Clause {
        id: "RECV-TRUNC-DGRAM-UNRELIABLE",
        statement: "On an unreliable protocol without MSG_PARTIAL support (UDP, raw IP), the excess of a message larger than the buffers is lost and WSARecv fails with WSAEMSGSIZE.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECV-GRACEFUL-BYTESTREAM",
        statement: "On a connection-oriented byte stream, success with zero bytes received (return 0, *lpNumberOfBytesRecvd 0) signals graceful closure: no more bytes will ever be read.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Stream,
    },
    Clause {
        id: "RECV-GRACEFUL-MESSAGE",
        statement: "On a connection-oriented message socket a zero-byte message is an ordinary message, not closure; graceful closure is the failure WSAEDISCON.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Message,
    },
    Clause {
        id: "RECV-ABORTIVE-ECONNRESET",
        statement: "On any connection-oriented socket, WSAECONNRESET from WSARecv means the connection was closed abortively.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Stream,
    },
    Clause {
        id: "RECV-PEEK",
        statement: "MSG_PEEK copies the incoming data into the buffers without removing it from the input queue, so the next receive returns the same data.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECV-PEEK-NONOVERLAPPED-ONLY",
        statement: "MSG_PEEK is valid only on non-overlapped calls; WSARecv with MSG_PEEK and lpOverlapped or lpCompletionRoutine set is misuse the model reports as a diagnostic.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECV-OOB",
        statement: "MSG_OOB makes WSARecv process out-of-band data.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Urgent,
    },
    Clause {
        id: "RECV-PARTIAL-OUTPUT",
        statement: "On output MSG_PARTIAL (message-oriented sockets only) marks the data as a portion of the sender's message whose rest comes in later receives; a receive with MSG_PARTIAL clear ends the message.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Message,
    },
    Clause {
        id: "RECV-PARTIAL-INPUT",
        statement: "On input MSG_PARTIAL lets WSARecv complete even if the transport has received only part of a message.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Message,
    },
    Clause {
        id: "RECV-PUSH-IMMEDIATE",
        statement: "MSG_PUSH_IMMEDIATE (stream-oriented sockets only) asks the transport to complete partially filled receive requests at once; it is a hint, not a guarantee.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Stream,
    },
    Clause {
        id: "RECV-WAITALL",
        statement: "With MSG_WAITALL, WSARecv completes only when the buffers are completely full, the connection has been closed, or the request was cancelled or failed.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Stream,
    },
    Clause {
        id: "RECV-WAITALL-EOPNOTSUPP-NONBLOCKING",
        statement: "WSARecv with MSG_WAITALL fails with WSAEOPNOTSUPP if the transport does not support it or the socket is in non-blocking mode.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Stream,
    },
    Clause {
        id: "RECV-WAITALL-EOPNOTSUPP-COMBO",
        statement: "WSARecv with MSG_WAITALL together with MSG_OOB, MSG_PEEK or MSG_PARTIAL fails with WSAEOPNOTSUPP.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Stream,
    },
    Clause {
        id: "RECV-WAITALL-DGRAM",
        statement: "MSG_WAITALL is not supported on datagram or message-oriented sockets: WSARecv with it on such a socket fails with WSAEOPNOTSUPP.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECV-PARTIAL-FLAG-SET",
        statement: "On a message-oriented socket, WSARecv sets MSG_PARTIAL in *lpFlags when it returns only part of a message.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Message,
    },
    Clause {
        id: "RECV-PARTIAL-CLEARED-COMPLETE",
        statement: "On a message-oriented socket, a WSARecv that returns a complete message clears MSG_PARTIAL in *lpFlags.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECV-BLOCKING-ALERTABLE",
        statement: "A blocking WSARecv (lpOverlapped NULL) waits alertably: an APC queued to the same thread can run during the wait.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Threads,
    },
    Clause {
        id: "RECV-APC-NESTED-BLOCKING-UB",
        statement: "A blocking Winsock call made inside an APC that interrupted a blocking WSARecv on the same thread is undefined; the model reports it as a diagnostic.",
        source: "WSARecv.md §Remarks",
        scope: Scope::Threads,
    },
    Clause {
        id: "RECV-OVL-IMMEDIATE",
        statement: "An overlapped WSARecv that completes at once returns 0 with *lpNumberOfBytesRecvd and *lpFlags already updated.",
        source: "WSARecv.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECV-OVL-PENDING-NO-UPDATE",
        statement: "A pending overlapped WSARecv (SOCKET_ERROR, WSA_IO_PENDING) leaves *lpNumberOfBytesRecvd and *lpFlags unwritten, and *lpFlags is not updated at the delayed completion either.",
        source: "WSARecv.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECV-OVL-TRANSFER-COUNT",
        statement: "When an overlapped WSARecv completes, the byte count is the completion routine's cbTransferred or WSAGetOverlappedResult's lpcbTransfer.",
        source: "WSARecv.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECV-OVL-FLAGS-RESULT",
        statement: "The flags of a completed overlapped WSARecv are read from WSAGetOverlappedResult's lpdwFlags.",
        source: "WSARecv.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECV-OVL-FROM-COMPLETION-ROUTINE",
        statement: "An overlapped WSARecv may be issued from inside the completion routine of an earlier WSARecv, WSARecvFrom, WSASend or WSASendTo.",
        source: "WSARecv.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECV-OVL-NO-NESTING",
        statement: "For one socket, completion routines are never nested: no routine runs inside another routine of the same socket.",
        source: "WSARecv.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECV-OVL-LIFETIME",
        statement: "The WSAOVERLAPPED of a WSARecv must remain valid for the whole overlapped operation (the model holds it, with the buffers, until the completion is reaped).",
        source: "WSARecv.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECV-OVL-SEPARATE-STRUCT",
        statement: "Each simultaneously outstanding overlapped operation must use its own WSAOVERLAPPED; reusing one still in flight is misuse the model reports as a diagnostic.",
        source: "WSARecv.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECV-OVL-EVENT-SIGNALED",
        statement: "With lpCompletionRoutine NULL, the valid event handle in lpOverlapped->hEvent is signalled when the overlapped WSARecv completes.",
        source: "WSARecv.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECV-OVL-WAIT-OR-POLL",
        statement: "The completion event of an overlapped WSARecv can be waited for or polled with WSAWaitForMultipleEvents or WSAGetOverlappedResult.",
        source: "WSARecv.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECV-OVL-HEVENT-IGNORED-WITH-ROUTINE",
        statement: "With a completion routine, WSARecv ignores hEvent (it is not signalled) and the application may use it to carry context to the routine.",
        source: "WSARecv.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECV-OVL-NO-FWAIT-WITH-ROUTINE",
        statement: "WSAGetOverlappedResult with fWait TRUE on a WSARecv issued with a completion routine is undefined; the model reports it as a diagnostic.",
        source: "WSARecv.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECV-OVL-ROUTINE-ALERTABLE",
        statement: "A WSARecv completion routine runs only when the thread is in an alertable wait (for example WSAWaitForMultipleEvents with fAlertable TRUE), as file I/O completion routines do.",
        source: "WSARecv.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECV-OVL-ROUTINE-ARGS",
        statement: "A WSARecv completion routine receives the completion status in dwError and the number of bytes received in cbTransferred.",
        source: "WSARecv.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECV-OVL-ROUTINE-FLAGS",
        statement: "A WSARecv completion routine's dwFlags holds what *lpFlags would have held had the receive completed immediately.",
        source: "WSARecv.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECV-OVL-ROUTINE-RETURN-NEXT",
        statement: "Another pending completion routine for the same socket may run only after the current one has returned.",
        source: "WSARecv.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECV-OVL-ALL-ROUTINES-BEFORE-WAIT",
        statement: "An alertable WSAWaitForMultipleEvents runs every queued completion routine before it returns WSA_IO_COMPLETION.",
        source: "WSARecv.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECV-OVL-ROUTINE-ANY-ORDER",
        statement: "WSARecv completion routines may run in any order, not necessarily the order in which the operations completed (the model picks the order by seed).",
        source: "WSARecv.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECV-OVL-BUFFER-FILL-ORDER",
        statement: "Posted WSARecv buffers are filled in the order they were posted, whatever order the completion routines run in.",
        source: "WSARecv.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECV-IOCP-CALL-ORDER",
        statement: "With an I/O completion port, the order of WSARecv calls on a socket is the order in which their buffers are filled.",
        source: "WSARecv.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECV-THREADS-SIMULTANEOUS",
        statement: "WSARecv must not be called on one socket from several threads at once (the buffer order becomes unpredictable); the model reports such concurrent calls as a diagnostic.",
        source: "WSARecv.md §Overlapped Socket I/O",
        scope: Scope::Threads,
    },
    // ---- WSARecvMsg.md ----
    Clause {
        id: "RECVMSG-EFAULT-BYTES-NULL",
        statement: "lpdwNumberOfBytesRecvd may be NULL only when lpOverlapped is non-NULL; a NULL count pointer on a non-overlapped WSARecvMsg is an invalid pointer and fails with WSAEFAULT.",
        source: "WSARecvMsg.md §Parameters",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECVMSG-BYTES-PTR-OVERLAPPED",
        statement: "With lpOverlapped non-NULL the caller should pass NULL for lpdwNumberOfBytesRecvd; if a pointer is passed anyway, the authoritative byte count is the completion's (cbTransferred or lpcbTransfer of WSAGetOverlappedResult).",
        source: "WSARecvMsg.md §Parameters",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECVMSG-NONOVERLAPPED-IGNORES-OVERLAPPED",
        statement: "On a socket created without WSA_FLAG_OVERLAPPED, WSARecvMsg ignores lpOverlapped and lpCompletionRoutine: the call runs as a non-overlapped receive and neither an event nor a routine is used.",
        source: "WSARecvMsg.md §Parameters",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECVMSG-RETURN",
        statement: "WSARecvMsg returns 0 when it succeeds and completes immediately; otherwise it returns SOCKET_ERROR and WSAGetLastError gives the specific code.",
        source: "WSARecvMsg.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECVMSG-IMMEDIATE-ROUTINE-SCHEDULED",
        statement: "When an overlapped WSARecvMsg with a completion routine completes immediately (returns 0), the routine is already queued and runs once the calling thread enters an alertable wait.",
        source: "WSARecvMsg.md §Return value",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECVMSG-WSA-IO-PENDING",
        statement: "SOCKET_ERROR with WSA_IO_PENDING means the overlapped WSARecvMsg was started and its completion will be indicated later.",
        source: "WSARecvMsg.md §Return value",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECVMSG-NO-COMPLETION-ON-ERROR",
        statement: "A WSARecvMsg failing with any code other than WSA_IO_PENDING started nothing: no event is set, no completion routine runs and no completion packet is queued.",
        source: "WSARecvMsg.md §Return value",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECVMSG-ECONNRESET-ICMP",
        statement: "On a UDP socket, WSARecvMsg fails with WSAECONNRESET when an earlier send from that socket drew an ICMP Port Unreachable message.",
        source: "WSARecvMsg.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECVMSG-EFAULT-BUFFERS",
        statement: "The WSAMSG lpBuffers array, or a buffer it describes, not wholly inside valid user memory (for example a WSABUF len past the end of its memory) makes WSARecvMsg fail with WSAEFAULT.",
        source: "WSARecvMsg.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECVMSG-EFAULT-POINTERS",
        statement: "lpMsg itself, lpdwNumberOfBytesRecvd, lpOverlapped or lpCompletionRoutine not wholly inside valid user memory makes WSARecvMsg fail with WSAEFAULT.",
        source: "WSARecvMsg.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECVMSG-EFAULT-NAME-SMALL",
        statement: "A non-NULL WSAMSG name whose namelen is too small to hold the sender's address makes WSARecvMsg fail with WSAEFAULT.",
        source: "WSARecvMsg.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECVMSG-EFAULT-NULL-NAME",
        statement: "A NULL WSAMSG name with a nonzero namelen makes WSARecvMsg fail with WSAEFAULT.",
        source: "WSARecvMsg.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECVMSG-EFAULT-NULL-CONTROL",
        statement: "A NULL WSAMSG Control.buf with a nonzero Control.len makes WSARecvMsg fail with WSAEFAULT.",
        source: "WSARecvMsg.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECVMSG-EINPROGRESS-WS11",
        statement: "The model never returns WSAEINPROGRESS from WSARecvMsg: the row concerns Winsock 1.1 blocking calls and provider callbacks in progress, which cannot arise in Winsock 2 usage.",
        source: "WSARecvMsg.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECVMSG-EINTR-WS11",
        statement: "WSAEINTR from WSARecvMsg means its blocking call was canceled; WSACancelBlockingCall exists only for Winsock 1.1 blocking calls, so the model cancels a blocking WSARecvMsg only when another thread closes the socket (model choice, after closesocket's \"pending blocking calls are canceled\").",
        source: "WSARecvMsg.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECVMSG-EINVAL-UNBOUND",
        statement: "WSARecvMsg on a socket that has not been bound fails with WSAEINVAL.",
        source: "WSARecvMsg.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECVMSG-EMSGSIZE",
        statement: "WSARecvMsg fails with WSAEMSGSIZE when a message is too large for the buffers; only for unreliable protocols is the part that did not fit discarded.",
        source: "WSARecvMsg.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECVMSG-ENETDOWN",
        statement: "When the network subsystem has failed, WSARecvMsg fails with WSAENETDOWN.",
        source: "WSARecvMsg.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECVMSG-ENETRESET-TTL",
        statement: "On a datagram socket, WSARecvMsg reports an expired time to live with WSAENETRESET.",
        source: "WSARecvMsg.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECVMSG-ENOTCONN-STREAM",
        statement: "WSAENOTCONN from WSARecvMsg is for connection-oriented sockets only: an unconnected connection-oriented socket gets it, an unconnected datagram socket never does.",
        source: "WSARecvMsg.md §Return value",
        scope: Scope::Stream,
    },
    Clause {
        id: "RECVMSG-ETIMEDOUT-RCVTIMEO",
        statement: "A blocking WSARecvMsg on a socket with SO_RCVTIMEO set fails with WSAETIMEDOUT when that timeout passes with no data.",
        source: "WSARecvMsg.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECVMSG-EOPNOTSUPP-PEEK-STREAM",
        statement: "MSG_PEEK in WSAMSG.dwFlags on a non-datagram socket (for example SOCK_STREAM) makes WSARecvMsg fail with WSAEOPNOTSUPP.",
        source: "WSARecvMsg.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECVMSG-EWOULDBLOCK-OVERLAPPED-LIMIT",
        statement: "An overlapped WSARecvMsg fails with WSAEWOULDBLOCK when too many overlapped requests are already outstanding.",
        source: "WSARecvMsg.md §Return value",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECVMSG-EWOULDBLOCK-NONBLOCKING",
        statement: "A non-overlapped WSARecvMsg on a non-blocking socket that cannot complete at once fails with WSAEWOULDBLOCK.",
        source: "WSARecvMsg.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECVMSG-ENOTINITIALISED",
        statement: "WSARecvMsg without a prior successful WSAStartup fails with WSANOTINITIALISED.",
        source: "WSARecvMsg.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECVMSG-OPERATION-ABORTED-CLOSE",
        statement: "Closing the socket cancels its outstanding overlapped WSARecvMsg operations, which complete with WSA_OPERATION_ABORTED.",
        source: "WSARecvMsg.md §Return value",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECVMSG-NAME-OUT",
        statement: "On return a non-NULL WSAMSG name holds the sender's address and namelen its length (implied, not stated: WSARecvMsg replaces WSARecvFrom, and its WSAEFAULT row speaks of a name too small for the peer address).",
        source: "WSARecvMsg.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECVMSG-DGRAM-RAW-ONLY",
        statement: "WSARecvMsg works only on sockets of type SOCK_DGRAM or SOCK_RAW; other types fail (the seed names no code; the model uses WSAEOPNOTSUPP, as for MSG_PEEK on a non-datagram socket).",
        source: "WSARecvMsg.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECVMSG-EXTENSION-POINTER",
        statement: "WSAIoctl with SIO_GET_EXTENSION_FUNCTION_POINTER and input WSAID_WSARECVMSG succeeds and returns the WSARecvMsg function pointer in its output buffer.",
        source: "WSARecvMsg.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECVMSG-PEEK-ONLY-INPUT",
        statement: "On input WSAMSG.dwFlags may hold only MSG_PEEK; any other bit is rejected (the seed names no code; the model uses WSAEOPNOTSUPP).",
        source: "WSARecvMsg.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECVMSG-OVERLAPPED-SOCKET-FLAG",
        statement: "A socket created by WSASocket with WSA_FLAG_OVERLAPPED is overlapped; WSARecvMsg on it uses overlapped I/O unless lpOverlapped and lpCompletionRoutine are both NULL.",
        source: "WSARecvMsg.md §Remarks",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECVMSG-BOTH-NULL-NONOVERLAPPED",
        statement: "With both lpOverlapped and lpCompletionRoutine NULL, WSARecvMsg treats even an overlapped socket as non-overlapped, with recv's blocking semantics.",
        source: "WSARecvMsg.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECVMSG-OVL-COMPLETION-INDICATION",
        statement: "Once the transport has consumed the buffers of an overlapped WSARecvMsg, the completion routine is triggered or the event object is set.",
        source: "WSARecvMsg.md §Remarks",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECVMSG-OVL-FINAL-STATUS",
        statement: "If an overlapped WSARecvMsg does not complete immediately, its final status is obtained only through the completion routine or WSAGetOverlappedResult.",
        source: "WSARecvMsg.md §Remarks",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECVMSG-OVL-POST-BUFFERS",
        statement: "An overlapped WSARecvMsg posts its buffers; incoming data is placed in them as it arrives, then the requested indication (completion routine or event) occurs.",
        source: "WSARecvMsg.md §Remarks",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECVMSG-BUFFERED-DATA-COPIED",
        statement: "A non-overlapped WSARecvMsg copies data the transport has already received and buffered into the caller's buffers without waiting.",
        source: "WSARecvMsg.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECVMSG-BLOCKING-WAITS",
        statement: "A non-overlapped WSARecvMsg on a blocking socket with no buffered data waits until data arrives.",
        source: "WSARecvMsg.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECVMSG-NO-STANDARD-TIMEOUT",
        statement: "Winsock 2 defines no blocking time-out for WSARecvMsg: without SO_RCVTIMEO the wait is unbounded (the model reports a deadlock when nothing can ever arrive).",
        source: "WSARecvMsg.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECVMSG-STREAM-AS-MUCH-AS-POSSIBLE",
        statement: "For a protocol acting as a byte stream, WSARecvMsg would return as much data as is available and fits the buffers; since WSARecvMsg refuses SOCK_STREAM sockets (RECVMSG-DGRAM-RAW-ONLY), the model checks that such a refusal leaves the stream's bytes, all of them, for a later WSARecv.",
        source: "WSARecvMsg.md §Remarks",
        scope: Scope::Stream,
    },
    Clause {
        id: "RECVMSG-STREAM-ONE-BYTE-UNBLOCKS",
        statement: "For a protocol acting as a byte stream, one received byte would unblock WSARecvMsg, with more than one never guaranteed; no byte stream reaches WSARecvMsg (RECVMSG-DGRAM-RAW-ONLY), so a connected stream socket with bytes buffered gets the refusal, not a short read.",
        source: "WSARecvMsg.md §Remarks",
        scope: Scope::Stream,
    },
    Clause {
        id: "RECVMSG-MESSAGE-UNBLOCKS",
        statement: "For a protocol acting as message-oriented (UDP, raw IP), a blocking WSARecvMsg unblocks only when a whole message is available.",
        source: "WSARecvMsg.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECVMSG-RCVTIMEO-BLOCKING-ONLY",
        statement: "SO_RCVTIMEO applies only to blocking sockets: a non-blocking WSARecvMsg never times out with WSAETIMEDOUT.",
        source: "WSARecvMsg.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECVMSG-BUFFER-ORDER",
        statement: "WSARecvMsg fills the WSAMSG lpBuffers array in array order and packs the data, leaving no hole before data placed in a later buffer.",
        source: "WSARecvMsg.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECVMSG-CAPTURE-WSABUF",
        statement: "An overlapped WSARecvMsg captures the WSABUF array of WSAMSG.lpBuffers before returning, so a stack-based array may go out of scope while the operation is pending.",
        source: "WSARecvMsg.md §Remarks",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECVMSG-DGRAM-ONE-MESSAGE",
        statement: "On a SOCK_DGRAM or SOCK_RAW socket, WSARecvMsg places one incoming message into the buffers, up to their total size.",
        source: "WSARecvMsg.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECVMSG-OVL-DGRAM-COMPLETES",
        statement: "On a SOCK_DGRAM or SOCK_RAW socket, an overlapped WSARecvMsg indicates completion once one message has been placed, whether or not it filled the buffers.",
        source: "WSARecvMsg.md §Remarks",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECVMSG-TRUNC-DGRAM",
        statement: "A message larger than the WSARecvMsg buffers fills them with its first part, the rest is lost, and the call fails with WSAEMSGSIZE.",
        source: "WSARecvMsg.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECVMSG-PKTINFO-V4",
        statement: "With IP_PKTINFO enabled on an IPv4 SOCK_DGRAM or SOCK_RAW socket, the returned control data holds a WSACMSGHDR with cmsg_level IPPROTO_IP, cmsg_type IP_PKTINFO and an in_pktinfo as cmsg_data.",
        source: "WSARecvMsg.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECVMSG-CONTROL-LEN",
        statement: "On return Control.len is the number of control-data bytes written into Control.buf (implied, not stated: the seed calls Control the WSABUF received that holds the WSACMSGHDR objects; a model reading to confirm).",
        source: "WSARecvMsg.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECVMSG-PKTINFO-V4-ADDR",
        statement: "The in_pktinfo address is what the seed calls the IPv4 address the packet was received from (ambiguous wording; the model reads it as the datagram's destination address, to be confirmed by the conformance run).",
        source: "WSARecvMsg.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECVMSG-PKTINFO-V6",
        statement: "With IPV6_PKTINFO enabled on an IPv6 SOCK_DGRAM or SOCK_RAW socket, the returned control data holds a WSACMSGHDR with cmsg_level IPPROTO_IPV6, cmsg_type IPV6_PKTINFO and an in6_pktinfo as cmsg_data.",
        source: "WSARecvMsg.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECVMSG-PKTINFO-V6-ADDR",
        statement: "The in6_pktinfo address is what the seed calls the IPv6 address the packet was received from (ambiguous wording; the model reads it as the datagram's destination address, to be confirmed by the conformance run).",
        source: "WSARecvMsg.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECVMSG-PKTINFO-DUALSTACK",
        statement: "On a dual-stack socket IPv4 datagrams carry in_pktinfo only if IP_PKTINFO is set; with only IPV6_PKTINFO set, IPv6 datagrams carry in6_pktinfo and IPv4 datagrams may or may not carry packet information.",
        source: "WSARecvMsg.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECVMSG-THREAD-EXIT-CANCELS",
        statement: "When a thread exits, all I/O it initiated, WSARecvMsg included, is cancelled.",
        source: "WSARecvMsg.md §Remarks",
        scope: Scope::Threads,
    },
    Clause {
        id: "RECVMSG-THREAD-EXIT-OVERLAPPED-FAIL",
        statement: "An overlapped WSARecvMsg still pending when its initiating thread exits may fail instead of completing normally.",
        source: "WSARecvMsg.md §Remarks",
        scope: Scope::Threads,
    },
    Clause {
        id: "RECVMSG-PEEK",
        statement: "MSG_PEEK copies the incoming data into the buffers without removing it from the input queue, so the next receive returns the same datagram.",
        source: "WSARecvMsg.md §dwFlags",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECVMSG-PEEK-NONOVERLAPPED-ONLY",
        statement: "MSG_PEEK is valid only on non-overlapped calls; WSARecvMsg with MSG_PEEK and lpOverlapped or lpCompletionRoutine set is misuse the model reports as a diagnostic.",
        source: "WSARecvMsg.md §dwFlags",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECVMSG-OUT-FLAGS-SET",
        statement: "On return WSAMSG.dwFlags is a combination of MSG_BCAST, MSG_CTRUNC, MSG_MCAST and MSG_TRUNC only.",
        source: "WSARecvMsg.md §dwFlags",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECVMSG-OUT-BCAST",
        statement: "WSARecvMsg sets MSG_BCAST in WSAMSG.dwFlags when the datagram came as a link-layer broadcast or to a broadcast destination address.",
        source: "WSARecvMsg.md §dwFlags",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECVMSG-OUT-CTRUNC",
        statement: "WSARecvMsg sets MSG_CTRUNC in WSAMSG.dwFlags when there was more control data than Control.len had room for.",
        source: "WSARecvMsg.md §dwFlags",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECVMSG-OUT-MCAST",
        statement: "WSARecvMsg sets MSG_MCAST in WSAMSG.dwFlags when the datagram's destination address is a multicast address.",
        source: "WSARecvMsg.md §dwFlags",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECVMSG-OUT-TRUNC",
        statement: "WSARecvMsg sets MSG_TRUNC in WSAMSG.dwFlags when the datagram was larger than the buffers.",
        source: "WSARecvMsg.md §dwFlags",
        scope: Scope::Datagram,
    },
    Clause {
        id: "RECVMSG-BLOCKING-ALERTABLE",
        statement: "A blocking WSARecvMsg (lpOverlapped NULL) waits alertably: an APC queued to the same thread can run during the wait.",
        source: "WSARecvMsg.md §dwFlags",
        scope: Scope::Threads,
    },
    Clause {
        id: "RECVMSG-APC-NESTED-BLOCKING-UB",
        statement: "A blocking Winsock call made inside an APC that interrupted a blocking WSARecvMsg on the same thread is undefined; the model reports it as a diagnostic.",
        source: "WSARecvMsg.md §dwFlags",
        scope: Scope::Threads,
    },
    Clause {
        id: "RECVMSG-OVL-IMMEDIATE",
        statement: "An overlapped WSARecvMsg that completes at once returns 0 with the byte count and the output flags (WSAMSG.dwFlags; the seed says lpFlags) already updated.",
        source: "WSARecvMsg.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECVMSG-OVL-PENDING-NO-UPDATE",
        statement: "A pending overlapped WSARecvMsg (SOCKET_ERROR, WSA_IO_PENDING) returns with *lpdwNumberOfBytesRecvd unwritten.",
        source: "WSARecvMsg.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECVMSG-OVL-TRANSFER-COUNT",
        statement: "When an overlapped WSARecvMsg completes, the byte count is the completion routine's cbTransferred or WSAGetOverlappedResult's lpcbTransfer.",
        source: "WSARecvMsg.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECVMSG-OVL-FLAGS-RESULT",
        statement: "The flags of a completed overlapped WSARecvMsg are read from WSAGetOverlappedResult's lpdwFlags.",
        source: "WSARecvMsg.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECVMSG-OVL-FROM-COMPLETION-ROUTINE",
        statement: "An overlapped WSARecvMsg may be issued from inside the completion routine of an earlier WSARecv, WSARecvFrom, WSARecvMsg, WSASend, WSASendMsg or WSASendTo.",
        source: "WSARecvMsg.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECVMSG-OVL-NO-NESTING",
        statement: "For one socket, completion routines are never nested: no routine runs inside another routine of the same socket.",
        source: "WSARecvMsg.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECVMSG-OVL-LIFETIME",
        statement: "The WSAOVERLAPPED of a WSARecvMsg must remain valid for the whole overlapped operation (the model holds it, with the buffers, until the completion is reaped).",
        source: "WSARecvMsg.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECVMSG-OVL-SEPARATE-STRUCT",
        statement: "Each simultaneously outstanding overlapped operation must use its own WSAOVERLAPPED; reusing one still in flight is misuse the model reports as a diagnostic.",
        source: "WSARecvMsg.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECVMSG-OVL-EVENT-SIGNALED",
        statement: "With lpCompletionRoutine NULL, the valid event handle in lpOverlapped->hEvent is signalled when the overlapped WSARecvMsg completes.",
        source: "WSARecvMsg.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECVMSG-OVL-WAIT-OR-POLL",
        statement: "The completion event of an overlapped WSARecvMsg can be waited for or polled with WSAWaitForMultipleEvents or WSAGetOverlappedResult.",
        source: "WSARecvMsg.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECVMSG-OVL-HEVENT-IGNORED-WITH-ROUTINE",
        statement: "With a completion routine, WSARecvMsg ignores hEvent (it is not signalled) and the application may use it to carry context to the routine.",
        source: "WSARecvMsg.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECVMSG-OVL-NO-FWAIT-WITH-ROUTINE",
        statement: "WSAGetOverlappedResult with fWait TRUE on a WSARecvMsg issued with a completion routine is undefined; the model reports it as a diagnostic.",
        source: "WSARecvMsg.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECVMSG-OVL-ROUTINE-ALERTABLE",
        statement: "A WSARecvMsg completion routine runs only when the thread is in an alertable wait (for example WSAWaitForMultipleEvents with fAlertable TRUE), as file I/O completion routines do.",
        source: "WSARecvMsg.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECVMSG-OVL-ROUTINE-ARGS",
        statement: "A WSARecvMsg completion routine receives the completion status in dwError and the number of bytes received in cbTransferred.",
        source: "WSARecvMsg.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECVMSG-OVL-ROUTINE-FLAGS",
        statement: "A WSARecvMsg completion routine's dwFlags holds what WSAMSG.dwFlags would have held had the receive completed immediately.",
        source: "WSARecvMsg.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECVMSG-OVL-ROUTINE-RETURN-NEXT",
        statement: "Another pending completion routine for the same socket may run only after the current one has returned.",
        source: "WSARecvMsg.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECVMSG-OVL-ALL-ROUTINES-BEFORE-WAIT",
        statement: "An alertable WSAWaitForMultipleEvents runs every queued completion routine before it returns WSA_IO_COMPLETION.",
        source: "WSARecvMsg.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECVMSG-OVL-ROUTINE-ANY-ORDER",
        statement: "WSARecvMsg completion routines may run in any order, not necessarily the order in which the operations completed (the model picks the order by seed).",
        source: "WSARecvMsg.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECVMSG-OVL-BUFFER-FILL-ORDER",
        statement: "Posted WSARecvMsg buffers are filled in the order they were posted, whatever order the completion routines run in.",
        source: "WSARecvMsg.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECVMSG-IOCP-CALL-ORDER",
        statement: "With an I/O completion port, the order of WSARecvMsg calls on a socket is the order in which their buffers are filled.",
        source: "WSARecvMsg.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "RECVMSG-THREADS-SIMULTANEOUS",
        statement: "WSARecvMsg must not be called on one socket from several threads at once (the buffer order becomes unpredictable); the model reports such concurrent calls as a diagnostic.",
        source: "WSARecvMsg.md §Overlapped Socket I/O",
        scope: Scope::Threads,
    },
    Clause {
        id: "RECVMSG-PARAMS-NONOPTIONAL-2014",
        statement: "The 2014 signature marks lpdwNumberOfBytesRecvd _Out_ and lpOverlapped, lpCompletionRoutine _In_ (never NULL), against its own prose; the model follows WSARecvMsg.md (_Out_opt_, _Inout_opt_, _In_opt_) and accepts NULL for them as documented there.",
        source: "WSARecvMsg-2014.txt §Syntax",
        scope: Scope::Datagram,
    },
    // ---- WSASendMsg.md ----
    Clause {
        id: "SENDMSG-EFAULT-BYTES-NULL",
        statement: "lpNumberOfBytesSent may be NULL only when lpOverlapped is non-NULL; a NULL count pointer on a non-overlapped WSASendMsg is an invalid pointer and fails with WSAEFAULT.",
        source: "WSASendMsg.md §Parameters",
        scope: Scope::Datagram,
    },
    Clause {
        id: "SENDMSG-BYTES-PTR-OVERLAPPED",
        statement: "With lpOverlapped non-NULL the caller should pass NULL for lpNumberOfBytesSent; if a pointer is passed anyway, the authoritative byte count is the completion's (cbTransferred or lpcbTransfer of WSAGetOverlappedResult).",
        source: "WSASendMsg.md §Parameters",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "SENDMSG-NONOVERLAPPED-IGNORES-OVERLAPPED",
        statement: "On a non-overlapped socket, WSASendMsg ignores lpOverlapped and lpCompletionRoutine: neither an event nor a routine is used.",
        source: "WSASendMsg.md §Parameters",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "SENDMSG-RETURN",
        statement: "WSASendMsg returns 0 when it succeeds and completes immediately; on failure it returns SOCKET_ERROR and WSAGetLastError gives a code other than WSA_IO_PENDING.",
        source: "WSASendMsg.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "SENDMSG-IMMEDIATE-ROUTINE-SCHEDULED",
        statement: "When an overlapped WSASendMsg with a completion routine returns 0, the routine runs once the calling thread is in an alertable state.",
        source: "WSASendMsg.md §Return value",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "SENDMSG-WSA-IO-PENDING",
        statement: "SOCKET_ERROR with WSA_IO_PENDING means the overlapped WSASendMsg was started; completion is indicated later (event, completion routine or completion port).",
        source: "WSASendMsg.md §Return value",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "SENDMSG-EACCES-BROADCAST",
        statement: "WSASendMsg to a broadcast address without the broadcast permission (SO_BROADCAST) set fails with WSAEACCES.",
        source: "WSASendMsg.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "SENDMSG-ECONNRESET-ICMP",
        statement: "On a UDP socket, WSASendMsg fails with WSAECONNRESET when an earlier send from that socket drew an ICMP Port Unreachable message.",
        source: "WSASendMsg.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "SENDMSG-EFAULT-BUFFERS",
        statement: "The WSAMSG lpBuffers array, or a buffer it describes, not wholly inside valid user memory (for example a WSABUF len past the end of its memory) makes WSASendMsg fail with WSAEFAULT.",
        source: "WSASendMsg.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "SENDMSG-EFAULT-POINTERS",
        statement: "lpMsg itself, lpNumberOfBytesSent, lpOverlapped or lpCompletionRoutine not wholly inside valid user memory makes WSASendMsg fail with WSAEFAULT.",
        source: "WSASendMsg.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "SENDMSG-EFAULT-NULL-NAME",
        statement: "A NULL WSAMSG name with a nonzero namelen makes WSASendMsg fail with WSAEFAULT.",
        source: "WSASendMsg.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "SENDMSG-EFAULT-NULL-CONTROL",
        statement: "A NULL WSAMSG Control.buf with a nonzero Control.len makes WSASendMsg fail with WSAEFAULT.",
        source: "WSASendMsg.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "SENDMSG-EINPROGRESS-WS11",
        statement: "The model never returns WSAEINPROGRESS from WSASendMsg: the row concerns Winsock 1.1 blocking calls and provider callbacks in progress, which cannot arise in Winsock 2 usage.",
        source: "WSASendMsg.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "SENDMSG-EINTR-WS11",
        statement: "WSAEINTR from WSASendMsg means its blocking call was canceled; WSACancelBlockingCall exists only for Winsock 1.1 blocking calls, so the model cancels a blocking WSASendMsg only when another thread closes the socket (model choice, after closesocket's \"pending blocking calls are canceled\").",
        source: "WSASendMsg.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "SENDMSG-EINVAL-UNBOUND",
        statement: "WSASendMsg on a socket that has not been bound with bind fails with WSAEINVAL.",
        source: "WSASendMsg.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "SENDMSG-EINVAL-NOT-OVERLAPPED",
        statement: "WSASendMsg on a socket created without WSA_FLAG_OVERLAPPED fails with WSAEINVAL.",
        source: "WSASendMsg.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "SENDMSG-EMSGSIZE-MSG-ORIENTED",
        statement: "On a message-oriented socket, WSASendMsg fails with WSAEMSGSIZE when the message is larger than the underlying transport supports.",
        source: "WSASendMsg.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "SENDMSG-ENETDOWN",
        statement: "When the network subsystem has failed, WSASendMsg fails with WSAENETDOWN.",
        source: "WSASendMsg.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "SENDMSG-ENETRESET-TTL",
        statement: "On a datagram socket, WSASendMsg reports an expired time to live with WSAENETRESET.",
        source: "WSASendMsg.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "SENDMSG-ENETUNREACH",
        statement: "WSASendMsg fails with WSAENETUNREACH when the destination network is unreachable from the host.",
        source: "WSASendMsg.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "SENDMSG-ENOBUFS",
        statement: "WSASendMsg fails with WSAENOBUFS when the provider reports a buffer deadlock (no buffer space).",
        source: "WSASendMsg.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "SENDMSG-ENOTCONN",
        statement: "WSASendMsg without a destination name on a socket that is not connected fails with WSAENOTCONN.",
        source: "WSASendMsg.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "SENDMSG-ENOTSOCK",
        statement: "WSASendMsg on a descriptor that is not a socket fails with WSAENOTSOCK.",
        source: "WSASendMsg.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "SENDMSG-EOPNOTSUPP-FLAGS",
        statement: "WSASendMsg with a flag outside MSG_DONTROUTE, MSG_PARTIAL and MSG_OOB fails with WSAEOPNOTSUPP (the row says WSAMSG.dwFlags, which the Remarks say is ignored; the model checks the dwFlags parameter).",
        source: "WSASendMsg.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "SENDMSG-ESHUTDOWN",
        statement: "After shutdown with SD_SEND or SD_BOTH, WSASendMsg fails with WSAESHUTDOWN.",
        source: "WSASendMsg.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "SENDMSG-ETIMEDOUT-SNDTIMEO",
        statement: "A blocking WSASendMsg on a socket with SO_SNDTIMEO set fails with WSAETIMEDOUT when that timeout passes before the data is consumed.",
        source: "WSASendMsg.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "SENDMSG-EWOULDBLOCK-OVERLAPPED-LIMIT",
        statement: "An overlapped WSASendMsg fails with WSAEWOULDBLOCK when too many overlapped requests are already outstanding.",
        source: "WSASendMsg.md §Return value",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "SENDMSG-EWOULDBLOCK-NONBLOCKING",
        statement: "A non-overlapped WSASendMsg on a non-blocking socket that cannot complete at once fails with WSAEWOULDBLOCK.",
        source: "WSASendMsg.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "SENDMSG-ENOTINITIALISED",
        statement: "WSASendMsg without a prior successful WSAStartup fails with WSANOTINITIALISED.",
        source: "WSASendMsg.md §Return value",
        scope: Scope::Datagram,
    },
    Clause {
        id: "SENDMSG-OPERATION-ABORTED-CLOSE",
        statement: "Closing the socket cancels its outstanding overlapped WSASendMsg operations, which complete with WSA_OPERATION_ABORTED.",
        source: "WSASendMsg.md §Return value",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "SENDMSG-OPERATION-ABORTED-FLUSH",
        statement: "WSAIoctl with SIO_FLUSH cancels outstanding overlapped WSASendMsg operations, which complete with WSA_OPERATION_ABORTED.",
        source: "WSASendMsg.md §Return value",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "SENDMSG-DGRAM-RAW-ONLY",
        statement: "WSASendMsg works only on sockets of type SOCK_DGRAM or SOCK_RAW; other types fail (the seed names no code; the model uses WSAEINVAL, what Windows returns for a SOCK_STREAM socket in Wine's test_WSASendMsg).",
        source: "WSASendMsg.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "SENDMSG-FLAGS-ALLOWED",
        statement: "The dwFlags parameter of WSASendMsg may hold only a combination of MSG_DONTROUTE, MSG_PARTIAL and MSG_OOB.",
        source: "WSASendMsg.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "SENDMSG-MSG-FLAGS-IGNORED",
        statement: "WSASendMsg ignores WSAMSG.dwFlags on input (any value is accepted) and does not write it on output.",
        source: "WSASendMsg.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "SENDMSG-EXTENSION-POINTER",
        statement: "WSAIoctl with SIO_GET_EXTENSION_FUNCTION_POINTER and input WSAID_WSASENDMSG succeeds and returns the WSASendMsg function pointer in its output buffer.",
        source: "WSASendMsg.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "SENDMSG-OVERLAPPED-SOCKET-FLAG",
        statement: "A socket created by WSASocket with WSA_FLAG_OVERLAPPED is overlapped; WSASendMsg on it uses overlapped I/O unless lpOverlapped and lpCompletionRoutine are both NULL.",
        source: "WSASendMsg.md §Remarks",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "SENDMSG-BOTH-NULL-NONOVERLAPPED",
        statement: "With both lpOverlapped and lpCompletionRoutine NULL, WSASendMsg treats even an overlapped socket as non-overlapped, with send's blocking semantics.",
        source: "WSASendMsg.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "SENDMSG-OVL-COMPLETION-INDICATION",
        statement: "Once the transport has consumed the buffers of an overlapped WSASendMsg, the completion routine is triggered or the event object is set.",
        source: "WSASendMsg.md §Remarks",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "SENDMSG-OVL-FINAL-STATUS",
        statement: "If an overlapped WSASendMsg does not complete immediately, its final status is obtained only through the completion routine or WSAGetOverlappedResult.",
        source: "WSASendMsg.md §Remarks",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "SENDMSG-BLOCKING-LIKE-SEND",
        statement: "A non-overlapped WSASendMsg has send's blocking semantics: the data is copied from the buffers into the transport's buffer.",
        source: "WSASendMsg.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "SENDMSG-NONBLOCKING-STREAM-PARTIAL",
        statement: "On a non-blocking stream-oriented socket with too little transport buffer space, a send returns having consumed only part of the application's buffers. WSASendMsg refuses stream sockets (SENDMSG-DGRAM-RAW-ONLY), so the model applies the rule to WSASend, where the seed chooses between the part that fits and the whole send (Windows' AFD takes the whole send when it has any room: Wine's test_write_events, run on Windows).",
        source: "WSASendMsg.md §Remarks",
        scope: Scope::Stream,
    },
    Clause {
        id: "SENDMSG-BLOCKING-CONSUMES-ALL",
        statement: "A blocking WSASendMsg that finds too little transport buffer space blocks until all of its buffers' contents have been consumed.",
        source: "WSASendMsg.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "SENDMSG-CAPTURE-WSABUF",
        statement: "An overlapped WSASendMsg captures the WSABUF array of WSAMSG.lpBuffers before returning, so a stack-based array may go out of scope while the operation is pending.",
        source: "WSASendMsg.md §Remarks",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "SENDMSG-MAX-MSG-SIZE-OPTION",
        statement: "On a message-oriented socket, getsockopt SO_MAX_MSG_SIZE gives the provider's maximum message size, the limit WSASendMsg enforces; a message of exactly that size is accepted.",
        source: "WSASendMsg.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "SENDMSG-EMSGSIZE-MAX",
        statement: "A WSASendMsg message larger than SO_MAX_MSG_SIZE (too long to pass atomically) fails with WSAEMSGSIZE and no data is transmitted.",
        source: "WSASendMsg.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "SENDMSG-PKTINFO-SOURCE-V4",
        statement: "On an IPv4 SOCK_DGRAM or SOCK_RAW socket, an in_pktinfo control object passed to WSASendMsg sets the local IPv4 source address of the datagram (model choice: an address the host does not have fails with WSAEADDRNOTAVAIL, the code bind gives for it).",
        source: "WSASendMsg.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "SENDMSG-PKTINFO-SOURCE-V6",
        statement: "On an IPv6 SOCK_DGRAM or SOCK_RAW socket, an in6_pktinfo control object passed to WSASendMsg sets the local IPv6 source address of the datagram (model choice: an address the host does not have fails with WSAEADDRNOTAVAIL, the code bind gives for it).",
        source: "WSASendMsg.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "SENDMSG-PKTINFO-DUALSTACK",
        statement: "On a dual-stack socket the source address is given by in_pktinfo for an IPv4 or IPv4-mapped IPv6 destination, and by in6_pktinfo for any other IPv6 destination.",
        source: "WSASendMsg.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "SENDMSG-SNDTIMEO-BLOCKING-ONLY",
        statement: "SO_SNDTIMEO applies only to blocking sockets: a non-blocking WSASendMsg never times out with WSAETIMEDOUT.",
        source: "WSASendMsg.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "SENDMSG-NO-DELIVERY-GUARANTEE",
        statement: "A successful WSASendMsg does not mean the data was delivered: it succeeds even if no receiver ever gets the datagram.",
        source: "WSASendMsg.md §Remarks",
        scope: Scope::Datagram,
    },
    Clause {
        id: "SENDMSG-BLOCKING-ALERTABLE",
        statement: "A blocking WSASendMsg (lpOverlapped NULL) waits alertably: an APC queued to the same thread can run during the wait.",
        source: "WSASendMsg.md §Remarks",
        scope: Scope::Threads,
    },
    Clause {
        id: "SENDMSG-APC-NESTED-BLOCKING-UB",
        statement: "A blocking Winsock call made inside an APC that interrupted a blocking WSASendMsg on the same thread is undefined; the model reports it as a diagnostic.",
        source: "WSASendMsg.md §Remarks",
        scope: Scope::Threads,
    },
    Clause {
        id: "SENDMSG-DONTROUTE",
        statement: "MSG_DONTROUTE asks that the data not be routed; a provider may ignore it, so WSASendMsg must not fail because it is set.",
        source: "WSASendMsg.md §dwFlags",
        scope: Scope::Datagram,
    },
    Clause {
        id: "SENDMSG-PARTIAL",
        statement: "MSG_PARTIAL marks lpMsg->lpBuffers as holding only part of a message, on transports that support partial message transmission (model: the simulated IPPROTO_SIM_MSG_PARTIAL protocols, where the next send without MSG_PARTIAL completes the message).",
        source: "WSASendMsg.md §dwFlags",
        scope: Scope::Message,
    },
    Clause {
        id: "SENDMSG-PARTIAL-EOPNOTSUPP",
        statement: "WSASendMsg with MSG_PARTIAL on a transport without partial message support (UDP, raw IP) fails with WSAEOPNOTSUPP.",
        source: "WSASendMsg.md §dwFlags",
        scope: Scope::Datagram,
    },
    Clause {
        id: "SENDMSG-OOB",
        statement: "MSG_OOB passes the WSASendMsg flag check, but the seed's dwFlags table gives it no meaning, and WSASendMsg reaches only datagram and raw sockets, whose protocols carry no urgent data (no XP1_EXPEDITED_DATA): the call fails with WSAEOPNOTSUPP, the code send gives MSG_OOB on a socket that is not stream-style (model reading). On TCP, MSG_OOB makes the last byte of a WSASend urgent.",
        source: "WSASendMsg.md §dwFlags",
        scope: Scope::Urgent,
    },
    Clause {
        id: "SENDMSG-OVL-IMMEDIATE",
        statement: "An overlapped WSASendMsg that completes at once returns 0 with *lpNumberOfBytesSent already updated.",
        source: "WSASendMsg.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "SENDMSG-OVL-PENDING-NO-UPDATE",
        statement: "A pending overlapped WSASendMsg (SOCKET_ERROR, WSA_IO_PENDING) returns with *lpNumberOfBytesSent unwritten.",
        source: "WSASendMsg.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "SENDMSG-OVL-TRANSFER-COUNT",
        statement: "When an overlapped WSASendMsg completes, the byte count is the completion routine's cbTransferred or WSAGetOverlappedResult's lpcbTransfer.",
        source: "WSASendMsg.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "SENDMSG-THREAD-EXIT-CANCELS",
        statement: "When a thread exits, all I/O it initiated, WSASendMsg included, is cancelled.",
        source: "WSASendMsg.md §Overlapped Socket I/O",
        scope: Scope::Threads,
    },
    Clause {
        id: "SENDMSG-THREAD-EXIT-OVERLAPPED-FAIL",
        statement: "An overlapped WSASendMsg still pending when its initiating thread exits may fail instead of completing normally.",
        source: "WSASendMsg.md §Overlapped Socket I/O",
        scope: Scope::Threads,
    },
    Clause {
        id: "SENDMSG-OVL-FROM-COMPLETION-ROUTINE",
        statement: "An overlapped WSASendMsg may be issued from inside the completion routine of an earlier WSARecv, WSARecvFrom, WSARecvMsg, WSASend, WSASendMsg or WSASendTo.",
        source: "WSASendMsg.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "SENDMSG-OVL-LIFETIME",
        statement: "The WSAOVERLAPPED of a WSASendMsg must remain valid for the whole overlapped operation (the model holds it, with the buffers, until the completion is reaped).",
        source: "WSASendMsg.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "SENDMSG-OVL-SEPARATE-STRUCT",
        statement: "Each simultaneously outstanding overlapped operation must use its own WSAOVERLAPPED; reusing one still in flight is misuse the model reports as a diagnostic.",
        source: "WSASendMsg.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "SENDMSG-OVL-EVENT-SIGNALED",
        statement: "With lpCompletionRoutine NULL, the valid event handle in lpOverlapped->hEvent is signalled when the overlapped WSASendMsg completes.",
        source: "WSASendMsg.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "SENDMSG-OVL-WAIT-OR-POLL",
        statement: "The completion event of an overlapped WSASendMsg can be waited for or polled with WSAWaitForMultipleEvents or WSAGetOverlappedResult.",
        source: "WSASendMsg.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "SENDMSG-OVL-HEVENT-IGNORED-WITH-ROUTINE",
        statement: "With a completion routine, WSASendMsg ignores hEvent (it is not signalled) and the application may use it to carry context to the routine.",
        source: "WSASendMsg.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "SENDMSG-OVL-NO-FWAIT-WITH-ROUTINE",
        statement: "WSAGetOverlappedResult with fWait TRUE on a WSASendMsg issued with a completion routine is undefined; the model reports it as a diagnostic.",
        source: "WSASendMsg.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "SENDMSG-OVL-ROUTINE-ALERTABLE",
        statement: "A WSASendMsg completion routine runs only when the thread is in an alertable wait (for example WSAWaitForMultipleEvents with fAlertable TRUE), as file I/O completion routines do.",
        source: "WSASendMsg.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "SENDMSG-OVL-NO-NESTING",
        statement: "Send and receive calls may be made from inside a completion routine, and for one socket completion routines are never nested.",
        source: "WSASendMsg.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "SENDMSG-OVL-ROUTINE-ARGS",
        statement: "A WSASendMsg completion routine receives the completion status in dwError and the number of bytes sent in cbTransferred.",
        source: "WSASendMsg.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "SENDMSG-OVL-ROUTINE-FLAGS-ZERO",
        statement: "A WSASendMsg completion routine always receives dwFlags 0 (no flag values are defined).",
        source: "WSASendMsg.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "SENDMSG-OVL-ROUTINE-RETURN-NEXT",
        statement: "Another pending completion routine for the same socket may run only after the current one has returned.",
        source: "WSASendMsg.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "SENDMSG-OVL-ALL-ROUTINES-BEFORE-WAIT",
        statement: "An alertable wait runs every queued completion routine before it is satisfied with WSA_IO_COMPLETION.",
        source: "WSASendMsg.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "SENDMSG-OVL-ROUTINE-ANY-ORDER",
        statement: "WSASendMsg completion routines may run in any order, not necessarily the order in which the operations completed (the model picks the order by seed).",
        source: "WSASendMsg.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
    Clause {
        id: "SENDMSG-BUFFER-ORDER",
        statement: "WSASendMsg sends the bytes of its WSABUF array in array order, back to back (the seed's buffers sent in the order they are specified, read for the buffers of one call).",
        source: "WSASendMsg.md §Overlapped Socket I/O",
        scope: Scope::Datagram,
    },
    Clause {
        id: "SENDMSG-OVL-SEND-ORDER",
        statement: "Posted WSASendMsg buffers are sent in the order they were posted, whatever order the completion routines run in.",
        source: "WSASendMsg.md §Overlapped Socket I/O",
        scope: Scope::Overlapped,
    },
];

/// The clauses no single line of the model enforces, each with why: the
/// Rust types make the rule hold (`by type:`), the situation never arises in
/// the model (`never arises:`), or the rule holds all over and nowhere in
/// particular (`everywhere:`). Every other clause id is cited in a comment at
/// the line of `model/src/sim/` or `src/os/` that enforces it (checked by
/// `tests/corpus.rs`; `winsock-double clauses --where ID` shows the lines).
pub static NOT_ENFORCED_AT_A_LINE: &[(&str, &str)] = &[
    (
        "RECV-BYTES-PTR-OVERLAPPED",
        "by type: the overlapped calls take no count pointer; the count is the completion's",
    ),
    (
        "RECV-EINPROGRESS-WS11",
        "never arises: the model has no Winsock 1.1 blocking call or provider callback",
    ),
    (
        "RECV-CAPTURE-WSABUF",
        "by type: the overlapped calls take the WSABUF array by value (a Vec)",
    ),
    (
        "RECV-OVL-PENDING-NO-UPDATE",
        "by type: the flags go in by value, there is no count pointer, and Posted::Pending carries no outputs",
    ),
    (
        "RECVMSG-BYTES-PTR-OVERLAPPED",
        "by type: the overlapped calls take no count pointer; the count is the completion's",
    ),
    (
        "RECVMSG-EFAULT-POINTERS",
        "by type: the WSAMSG is a reference, the count a reference or None, the OVERLAPPED and routine values",
    ),
    (
        "RECVMSG-EINPROGRESS-WS11",
        "never arises: the model has no Winsock 1.1 blocking call or provider callback",
    ),
    (
        "RECVMSG-CAPTURE-WSABUF",
        "by type: the overlapped calls take the WSAMSG and its WSABUF array by value",
    ),
    (
        "RECVMSG-OVL-PENDING-NO-UPDATE",
        "by type: there is no count pointer, and Posted::Pending carries no outputs",
    ),
    (
        "SENDMSG-BYTES-PTR-OVERLAPPED",
        "by type: the overlapped calls take no count pointer; the count is the completion's",
    ),
    (
        "SENDMSG-EFAULT-POINTERS",
        "by type: the WSAMSG is a reference, the count a reference or None, the OVERLAPPED and routine values",
    ),
    (
        "SENDMSG-EINPROGRESS-WS11",
        "never arises: the model has no Winsock 1.1 blocking call or provider callback",
    ),
    (
        "SENDMSG-CAPTURE-WSABUF",
        "by type: the overlapped calls take the WSAMSG and its WSABUF array by value",
    ),
    (
        "SENDMSG-OVL-PENDING-NO-UPDATE",
        "by type: there is no count pointer, and Posted::Pending carries no outputs",
    ),
];

/// Why clause `id` is enforced at no single line ([`NOT_ENFORCED_AT_A_LINE`]),
/// if it is listed there.
pub fn not_enforced_reason(id: &str) -> Option<&'static str> {
    NOT_ENFORCED_AT_A_LINE
        .iter()
        .find(|(i, _)| *i == id)
        .map(|&(_, why)| why)
}

/// The clause a blocking call breaks when a completion routine makes it
/// while interrupting the blocking call `interrupted` (`"WSARecvMsg"`) of
/// the same thread; `None` for calls whose page has no such sentence.
pub fn apc_nested_blocking_clause(interrupted: &str) -> Option<&'static str> {
    match interrupted {
        "WSARecv" | "WSARecvFrom" => Some("RECV-APC-NESTED-BLOCKING-UB"),
        "WSARecvMsg" => Some("RECVMSG-APC-NESTED-BLOCKING-UB"),
        "WSASendMsg" => Some("SENDMSG-APC-NESTED-BLOCKING-UB"),
        _ => None,
    }
}

/// Looks a clause up by id.
pub fn clause(id: &str) -> Option<&'static Clause> {
    CLAUSES.iter().find(|c| c.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// The seed files a source may name.
    const SEEDS: &[&str] = &[
        "WSARecv.md",
        "WSARecvMsg.md",
        "WSASendMsg.md",
        "WSARecvMsg-alt.md",
        "WSARecvMsg-2014.txt",
    ];

    /// `^[A-Z0-9]+(-[A-Z0-9]+)+$`, by hand.
    fn id_well_formed(id: &str) -> bool {
        let parts: Vec<&str> = id.split('-').collect();
        parts.len() >= 2
            && parts.iter().all(|p| {
                !p.is_empty()
                    && p.bytes()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            })
    }

    /// The seed file named by an id's prefix, and its rank in the table order.
    fn prefix_seed(id: &str) -> (usize, &'static str) {
        match id.split('-').next() {
            Some("RECV") => (0, "WSARecv"),
            Some("RECVMSG") => (1, "WSARecvMsg"),
            Some("SENDMSG") => (2, "WSASendMsg"),
            other => panic!("{id}: unknown prefix {other:?}"),
        }
    }

    #[test]
    fn id_check_matches_the_pattern() {
        for good in ["RECV-PEEK", "RECVMSG-PARAMS-NONOPTIONAL-2014", "A-1"] {
            assert!(id_well_formed(good), "{good}");
        }
        for bad in [
            "RECV",
            "recv-peek",
            "RECV-",
            "-RECV",
            "RECV--PEEK",
            "RECV_PEEK",
            "RECV-PEEK ",
            "RÉCV-PEEK",
            "",
        ] {
            assert!(!id_well_formed(bad), "{bad:?}");
        }
    }

    #[test]
    fn ids_are_unique() {
        let mut seen = BTreeSet::new();
        for c in CLAUSES {
            assert!(seen.insert(c.id), "duplicate id {}", c.id);
        }
    }

    #[test]
    fn ids_are_well_formed() {
        for c in CLAUSES {
            assert!(id_well_formed(c.id), "malformed id {:?}", c.id);
        }
    }

    #[test]
    fn statements_are_one_nonempty_line() {
        for c in CLAUSES {
            assert!(!c.statement.trim().is_empty(), "{}: empty statement", c.id);
            assert!(
                !c.statement.contains(['\n', '\r']),
                "{}: statement spans lines",
                c.id
            );
            assert_eq!(
                c.statement,
                c.statement.trim(),
                "{}: stray whitespace",
                c.id
            );
        }
    }

    #[test]
    fn sources_name_a_seed_file_and_section() {
        for c in CLAUSES {
            let (file, section) = c
                .source
                .split_once(" §")
                .unwrap_or_else(|| panic!("{}: source {:?} has no ` §section`", c.id, c.source));
            assert!(
                SEEDS.contains(&file),
                "{}: {:?} is not a seed file",
                c.id,
                file
            );
            assert!(!section.trim().is_empty(), "{}: empty section", c.id);
        }
    }

    #[test]
    fn sources_match_the_id_prefix() {
        for c in CLAUSES {
            let (_, stem) = prefix_seed(c.id);
            let file = c.source.split_once(" §").map_or(c.source, |(f, _)| f);
            let file_stem = file.split_once('.').map_or(file, |(s, _)| s);
            let file_stem = file_stem
                .strip_suffix("-alt")
                .or_else(|| file_stem.strip_suffix("-2014"))
                .unwrap_or(file_stem);
            assert_eq!(file_stem, stem, "{}: source {:?}", c.id, c.source);
        }
    }

    #[test]
    fn ordered_by_prefix() {
        let ranks: Vec<usize> = CLAUSES.iter().map(|c| prefix_seed(c.id).0).collect();
        assert!(
            ranks.windows(2).all(|w| w[0] <= w[1]),
            "clauses are not grouped RECV-, RECVMSG-, SENDMSG-"
        );
    }

    #[test]
    fn every_scope_has_clauses() {
        for s in Scope::ALL {
            assert!(CLAUSES.iter().any(|c| c.scope == s), "no clause in {s:?}");
        }
    }

    #[test]
    fn lookup_finds_each_clause_and_nothing_else() {
        for c in CLAUSES {
            assert_eq!(clause(c.id), Some(c));
        }
        assert_eq!(clause("RECVMSG-NO-SUCH-RULE"), None);
        assert_eq!(clause("recvmsg-trunc-dgram"), None);
    }

    /// Ids other code cites; they must keep resolving.
    #[test]
    fn cited_ids_exist() {
        let cited = [
            "RECVMSG-TRUNC-DGRAM",
            "RECVMSG-EFAULT-NULL-NAME",
            "RECVMSG-EFAULT-NULL-CONTROL",
            "RECVMSG-EFAULT-NAME-SMALL",
            "RECVMSG-EFAULT-BYTES-NULL",
            "RECVMSG-EINVAL-UNBOUND",
            "RECVMSG-ECONNRESET-ICMP",
            "RECVMSG-ENETRESET-TTL",
            "RECVMSG-ETIMEDOUT-RCVTIMEO",
            "RECVMSG-EWOULDBLOCK-NONBLOCKING",
            "RECVMSG-ENOTINITIALISED",
            "RECVMSG-ENETDOWN",
            "RECVMSG-EOPNOTSUPP-PEEK-STREAM",
            "RECVMSG-PEEK-ONLY-INPUT",
            "RECVMSG-DGRAM-RAW-ONLY",
            "RECVMSG-BUFFER-ORDER",
            "RECVMSG-PEEK",
            "RECVMSG-PEEK-NONOVERLAPPED-ONLY",
            "RECVMSG-OUT-TRUNC",
            "RECVMSG-OUT-CTRUNC",
            "RECVMSG-OUT-BCAST",
            "RECVMSG-OUT-MCAST",
            "RECVMSG-PKTINFO-V4",
            "RECVMSG-PKTINFO-V6",
            "RECVMSG-PKTINFO-DUALSTACK",
            "RECVMSG-BLOCKING-WAITS",
            "RECVMSG-EXTENSION-POINTER",
            "SENDMSG-FLAGS-ALLOWED",
            "SENDMSG-EOPNOTSUPP-FLAGS",
            "SENDMSG-EMSGSIZE-MAX",
            "SENDMSG-EACCES-BROADCAST",
            "SENDMSG-PKTINFO-SOURCE-V4",
            "SENDMSG-PKTINFO-SOURCE-V6",
            "SENDMSG-PKTINFO-DUALSTACK",
            "SENDMSG-MSG-FLAGS-IGNORED",
            "SENDMSG-DGRAM-RAW-ONLY",
            "SENDMSG-EFAULT-BYTES-NULL",
            "SENDMSG-EFAULT-NULL-NAME",
            "SENDMSG-EFAULT-NULL-CONTROL",
            "SENDMSG-EINVAL-NOT-OVERLAPPED",
            "SENDMSG-EINVAL-UNBOUND",
            "SENDMSG-ESHUTDOWN",
            "SENDMSG-EXTENSION-POINTER",
            "SENDMSG-OOB",
            "SENDMSG-PARTIAL-EOPNOTSUPP",
            "RECV-CONNECTED-FILTER",
            "RECV-TRUNC-DGRAM-UNRELIABLE",
            "RECV-BUFFER-ORDER",
            "RECV-EFAULT-BUFFERS",
            "RECV-EOPNOTSUPP-OOB",
            "RECV-ESHUTDOWN",
            "RECV-WAITALL-DGRAM",
            "RECV-PARTIAL-DGRAM",
            "RECVMSG-EFAULT-BUFFERS",
            "RECVMSG-NAME-OUT",
            "RECVMSG-CONTROL-LEN",
            "RECVMSG-MESSAGE-UNBLOCKS",
            "SENDMSG-EFAULT-BUFFERS",
            "SENDMSG-MAX-MSG-SIZE-OPTION",
            "SENDMSG-BUFFER-ORDER",
            "SENDMSG-NO-DELIVERY-GUARANTEE",
        ];
        for id in cited {
            assert!(clause(id).is_some(), "{id} is cited elsewhere but missing");
        }
    }

    /// Winsock 1.1 rows are in-scope clauses: WSAEINPROGRESS the model
    /// never returns; WSAEINTR only for a call canceled by closesocket.
    #[test]
    fn winsock_1_1_rows_are_datagram_clauses() {
        for prefix in ["RECV", "RECVMSG", "SENDMSG"] {
            for (tail, says) in [
                ("EINPROGRESS-WS11", "never returns"),
                ("EINTR-WS11", "only when another thread closes the socket"),
            ] {
                let id = format!("{prefix}-{tail}");
                let c = clause(&id).unwrap_or_else(|| panic!("{id} missing"));
                assert_eq!(c.scope, Scope::Datagram, "{id}");
                assert!(c.statement.contains(says), "{id}");
            }
        }
    }

    /// Each entry of the list is a clause, once, with a reason of the
    /// documented form.
    #[test]
    fn not_enforced_entries_are_clauses_with_reasons() {
        let mut seen = BTreeSet::new();
        for &(id, why) in NOT_ENFORCED_AT_A_LINE {
            assert!(clause(id).is_some(), "{id} is not a clause");
            assert!(seen.insert(id), "{id} is listed twice");
            let rest = ["by type: ", "never arises: ", "everywhere: "]
                .iter()
                .find_map(|p| why.strip_prefix(p))
                .unwrap_or_else(|| panic!("{id}: reason {why:?} has no known prefix"));
            assert!(!rest.trim().is_empty(), "{id}: the reason says nothing");
            assert!(!why.contains(['\n', '\r']), "{id}: reason spans lines");
            assert_eq!(not_enforced_reason(id), Some(why));
        }
        assert_eq!(not_enforced_reason("RECVMSG-TRUNC-DGRAM"), None);
    }

    #[test]
    fn scope_names_are_lowercase() {
        use serde::de::value::{Error, StrDeserializer};
        use serde::Deserialize;
        let parse = |s: &str| Scope::deserialize(StrDeserializer::<Error>::new(s));
        for s in Scope::ALL {
            assert_eq!(parse(s.name()).ok(), Some(s), "{}", s.name());
        }
        assert!(parse("Datagram").is_err());
    }
}
