//! The scenario format (JSON): hosts, steps, expectations, clause ids.
//!
//! See `fixtures/README.md` for a worked example. Every struct denies
//! unknown fields, so a typo is an error with its line and column, not a
//! silently ignored expectation.

use serde::{Deserialize, Serialize};

/// A scenario: a small program of Winsock calls with expected outcomes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short name (the file stem by convention).
    pub name: String,
    /// What it shows, in a sentence or two.
    #[serde(default)]
    pub description: String,
    /// The seed the model runs it with (overridable with `--seed`).
    #[serde(default)]
    pub seed: u64,
    /// Simulated hosts. Empty: one host `local` with loopback only, which is
    /// also the only shape the OS backend can run.
    #[serde(default)]
    pub hosts: Vec<HostSpec>,
    /// Routes between subnets (model only).
    #[serde(default)]
    pub routes: Vec<RouteSpec>,
    /// Transmit rate of every host in bytes per second (model only; default:
    /// instant, so sends never wait for send-buffer room).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tx_rate: Option<u64>,
    /// Transport buffer memory per host in bytes (model only; default:
    /// unlimited). Sends beyond it fail with `WSAENOBUFS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buffer_pool: Option<usize>,
    /// One-way latency between hosts in milliseconds (model only; default
    /// 0.1 ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    /// Whether overlapped operations that could complete at once do
    /// (`"immediate"`), return `WSA_IO_PENDING` (`"pending"`), or the seed
    /// decides (`"seeded"`, the default). Model only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion_timing: Option<winsock_model::CompletionTiming>,
    /// The model's limit of outstanding overlapped operations per socket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_outstanding: Option<usize>,
    /// Whether a stream receive returns all that is buffered and fits
    /// (`"whole"`) or, by seed, sometimes fewer bytes (`"seeded"`, the
    /// default). Model only: on the OS a scenario that needs whole reads
    /// relies on loopback delivering each send at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_reads: Option<winsock_model::StreamReads>,
    /// Datagram loss, duplication and reordering, per mille, drawn by the
    /// seed (model only; default: none). `{"loss": 100, "duplicate": 50,
    /// "reorder": 200, "reorder_us": 1000}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datagram_faults: Option<winsock_model::DatagramFaults>,
    /// Quirks added to or taken from the profile the scenario runs under
    /// (model only): `{"with": ["WIN-SENDMSG-AUTOBIND"], "without": [..]}`,
    /// ids of `winsock-double quirks`. A scenario about a departure names
    /// it here, so it shows the same behaviour under every profile.
    #[serde(default, skip_serializing_if = "QuirkChanges::is_empty")]
    pub quirks: QuirkChanges,
    /// Calls made to fail (model only): `[{"call": "WSAIoctl", "nth": 1,
    /// "error": "WSAEOPNOTSUPP"}]`, the `nth` call of that name (as the
    /// trace names calls) failing with that code before it runs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inject: Vec<InjectSpec>,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

/// A call a scenario makes fail (`Scenario::inject`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InjectSpec {
    /// The call's name (`"WSAIoctl"`, `"setsockopt"`).
    pub call: String,
    /// Which of its calls, from 1.
    pub nth: u32,
    /// The error's name (`"WSAEOPNOTSUPP"`) or number.
    pub error: String,
}

/// Quirks a scenario adds to or takes from the run's profile.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuirkChanges {
    /// Quirks added.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub with: Vec<winsock_model::Quirk>,
    /// Quirks taken away.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub without: Vec<winsock_model::Quirk>,
}

impl QuirkChanges {
    /// Whether it changes nothing.
    pub fn is_empty(&self) -> bool {
        self.with.is_empty() && self.without.is_empty()
    }

    /// `profile` with these changes.
    pub fn apply(&self, profile: winsock_model::Profile) -> winsock_model::Profile {
        let p = self.with.iter().fold(profile, |p, q| p.with(*q));
        self.without.iter().fold(p, |p, q| p.without(*q))
    }
}

/// A simulated host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostSpec {
    /// Host name, used by steps' `host` fields.
    pub name: String,
    /// Interface addresses in CIDR form.
    #[serde(default)]
    pub addrs: Vec<String>,
    /// The MTU of every one of these interfaces (1500 unless given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u32>,
}

/// A route: from `host`, `prefix` is `hops` routers away.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteSpec {
    /// The host the route belongs to.
    pub host: String,
    /// The destination prefix (CIDR).
    pub prefix: String,
    /// Router hops on the way.
    pub hops: u8,
}

/// Payload bytes: text, hex, or a generated pattern of a length.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Data {
    /// UTF-8 text.
    Text(String),
    /// Generated bytes: `{"fill": 100}` gives bytes `i % 251`.
    Fill {
        /// Length in bytes.
        fill: usize,
    },
    /// Hex digits.
    Hex {
        /// The bytes as hex.
        hex: String,
    },
}

impl Data {
    /// The bytes.
    pub fn bytes(&self) -> Result<Vec<u8>, String> {
        match self {
            Data::Text(s) => Ok(s.as_bytes().to_vec()),
            Data::Fill { fill } => Ok((0..*fill).map(|i| (i % 251) as u8).collect()),
            Data::Hex { hex } => from_hex(hex),
        }
    }
}

/// Decodes hex digits (whitespace allowed).
pub fn from_hex(s: &str) -> Result<Vec<u8>, String> {
    // Plain hex digits, the common case, a pair at a time; anything else
    // (whitespace, a sign, a bad digit) takes the general way below.
    let b = s.as_bytes();
    if b.len() % 2 == 0 && b.iter().all(u8::is_ascii_hexdigit) {
        let nibble = |c: u8| match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => c - b'A' + 10,
        };
        return Ok(b
            .chunks_exact(2)
            .map(|p| (nibble(p[0]) << 4) | nibble(p[1]))
            .collect());
    }
    let digits: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if digits.len() % 2 != 0 {
        return Err(format!("hex `{s}` has an odd number of digits"));
    }
    digits
        .chunks(2)
        .map(|p| {
            let t = std::str::from_utf8(p).map_err(|_| format!("hex `{s}` is not ASCII"))?;
            u8::from_str_radix(t, 16).map_err(|_| format!("hex `{s}`: `{t}` is not a hex byte"))
        })
        .collect()
}

/// Encodes bytes as lowercase hex.
pub fn to_hex(b: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(2 * b.len());
    for &x in b {
        s.push(char::from(DIGITS[usize::from(x >> 4)]));
        s.push(char::from(DIGITS[usize::from(x & 15)]));
    }
    s
}

/// An address in a step: a literal, or the bound address of a socket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AddrSpec {
    /// `"127.0.0.1:5000"`, `"[::1]:0"`.
    Literal(String),
    /// The address `getsockname` reports for `socket`, optionally with the IP
    /// replaced (for a socket bound to a wildcard address).
    Socket {
        /// The socket's name.
        socket: String,
        /// Replaces the IP (`"127.0.0.1"`, `"::ffff:127.0.0.1"`).
        #[serde(default)]
        ip: Option<String>,
    },
}

/// A socket in `poll` and `select`: a socket's name, or a handle value
/// that need not be a socket (`{"handle": 11250603}`; `INVALID_SOCKET` is
/// `{"handle": 18446744073709551615}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SockRef {
    /// A socket a step named.
    Name(String),
    /// A raw handle value.
    Handle {
        /// The value.
        handle: u64,
    },
}

/// One element of `poll`: the socket and `events` (names: `POLLIN`,
/// `POLLRDNORM`, `POLLWRNORM`, ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PollSpec {
    /// The socket.
    pub socket: SockRef,
    /// `events`.
    #[serde(default)]
    pub events: Vec<String>,
}

/// One `WSABUF` of a step: a size, or a fault.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum BufSpec {
    /// A valid buffer of this many bytes.
    Size(u32),
    /// `{"null": 16}`: a `NULL` pointer with this length.
    Null {
        /// The length that goes with the `NULL` pointer.
        null: u32,
    },
    /// `{"len": 16, "mem": 4}`: `len` claims more memory than there is.
    Overlong {
        /// `WSABUF.len`.
        len: u32,
        /// The real size of the memory.
        mem: u32,
    },
}

impl BufSpec {
    /// The receive `WSABUF` this describes: zeroed memory of the size, a
    /// `NULL` pointer with its length, or a length past its memory.
    ///
    /// ```
    /// use winsock_double::scenario::format::BufSpec;
    /// assert_eq!(BufSpec::Size(4).wsa_buf().len, 4);
    /// assert!(!BufSpec::Null { null: 8 }.wsa_buf().is_valid());
    /// ```
    pub fn wsa_buf(&self) -> winsock_model::WsaBuf {
        use winsock_model::WsaBuf;
        match *self {
            BufSpec::Size(n) => WsaBuf::zeroed(n as usize),
            BufSpec::Null { null } => WsaBuf::null(null),
            BufSpec::Overlong { len, mem } => WsaBuf::overlong(vec![0; mem as usize], len),
        }
    }
}

/// A name (address) argument: absent, `NULL` with a length, or room.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum NameSpec {
    /// `{"null": 16}`: `NULL` with `namelen` 16.
    Null {
        /// `namelen` that goes with the `NULL` pointer.
        null: i32,
    },
    /// `{"room": 8}`: this many bytes of room, `namelen` the same.
    Room {
        /// Bytes of room.
        room: usize,
    },
}

/// A control object to send.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum CmsgSpec {
    /// An `in_pktinfo` (IPv4 source address).
    InPktinfo {
        /// The address.
        addr: String,
        /// The interface index.
        #[serde(default)]
        ifindex: u32,
    },
    /// An `in6_pktinfo` (IPv6 source address).
    In6Pktinfo {
        /// The address.
        addr: String,
        /// The interface index.
        #[serde(default)]
        ifindex: u32,
    },
    /// A control object carrying an `INT` / `DWORD`: `IP_ECN`,
    /// `IPV6_ECN`, `UDP_SEND_MSG_SIZE` (names or numbers).
    Int {
        /// `cmsg_level` (`"IPPROTO_IP"`).
        level: String,
        /// `cmsg_type` (`"IP_ECN"`).
        kind: String,
        /// The value (a name such as `"ECN_ECT_0"`, or a number).
        value: String,
    },
    /// Raw control bytes (for malformed-input tests).
    Raw {
        /// The bytes as hex.
        hex: String,
    },
}

/// The overlapped arguments of a receive or send: with them the call is
/// made with an `OVERLAPPED` (and a completion routine when `routine` is
/// given).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OvlSpec {
    /// The `OVERLAPPED`'s identity (its address, in C).
    pub id: u64,
    /// `hEvent`: the name of an event made by `create_event`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// A completion routine. It records its arguments (reported by the wait
    /// that ran it) and may do more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routine: Option<RoutineSpec>,
}

/// What a completion routine does besides recording its arguments.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutineSpec {
    /// Enter an alertable wait (`SleepEx(0, TRUE)`) inside the routine, so
    /// that other queued routines may run nested in it.
    #[serde(default)]
    pub alertable_wait: bool,
    /// Make this call from inside the routine: a receive or send step,
    /// overlapped with its own `ovl` (logged `posted ...`), or direct
    /// without one (logged `called <result>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post: Option<Box<Op>>,
}

/// A step: one call, and what it should give.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// The call.
    #[serde(flatten)]
    pub op: Op,
    /// The host making the call (default: the first host).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// The clause ids this step exercises.
    #[serde(default)]
    pub clauses: Vec<String>,
    /// What the call should give; absent means "as the model says".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<Expect>,
}

// A step is read in two passes so that unknown fields are errors both for
// the common fields and for each call's own (serde cannot deny unknown
// fields through `flatten`).
impl<'de> Deserialize<'de> for Step {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Step, D::Error> {
        use serde::de::Error;
        let mut map = serde_json::Map::deserialize(d)?;
        let host = match map.remove("host") {
            Some(v) => Some(
                serde_json::from_value(v)
                    .map_err(|e| D::Error::custom(format!("field `host`: {e}")))?,
            ),
            None => None,
        };
        let clauses = match map.remove("clauses") {
            Some(v) => serde_json::from_value(v)
                .map_err(|e| D::Error::custom(format!("field `clauses`: {e}")))?,
            None => vec![],
        };
        let expect = match map.remove("expect") {
            Some(v) => Some(
                serde_json::from_value(v)
                    .map_err(|e| D::Error::custom(format!("field `expect`: {e}")))?,
            ),
            None => None,
        };
        let op =
            serde_json::from_value(serde_json::Value::Object(map)).map_err(D::Error::custom)?;
        Ok(Step {
            op,
            host,
            clauses,
            expect,
        })
    }
}

/// The calls a step can make.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Op {
    /// `WSAStartup`.
    Startup {
        /// The requested version (default 0x0202).
        #[serde(default)]
        version: Option<u16>,
    },
    /// `WSACleanup`.
    Cleanup {},
    /// `WSASocket`: names the new socket.
    Socket {
        /// The name later steps use.
        name: String,
        /// `AF_INET` or `AF_INET6` (or a number).
        af: String,
        /// `SOCK_DGRAM`, `SOCK_RAW`, `SOCK_STREAM` (or a number).
        #[serde(rename = "type")]
        ty: String,
        /// `IPPROTO_UDP`, ... (default 0).
        #[serde(default)]
        protocol: Option<String>,
        /// Create without `WSA_FLAG_OVERLAPPED` (default: overlapped, as `socket` does).
        #[serde(default)]
        non_overlapped: bool,
    },
    /// `bind`.
    Bind {
        /// Socket name.
        socket: String,
        /// The address.
        addr: AddrSpec,
    },
    /// `connect`.
    Connect {
        /// Socket name.
        socket: String,
        /// The address.
        addr: AddrSpec,
    },
    /// `listen`.
    Listen {
        /// Socket name.
        socket: String,
        /// The backlog: a number or `SOMAXCONN` (default `SOMAXCONN`).
        #[serde(default)]
        backlog: Option<String>,
    },
    /// `accept`: names the new socket; the outcome's `from` is the peer.
    Accept {
        /// The listening socket's name.
        socket: String,
        /// The name later steps use for the accepted socket.
        name: String,
    },
    /// Non-overlapped `WSARecv` calls on a stream, one after another, until
    /// `want` bytes came, the stream ended (a call received 0 bytes), or a
    /// call failed. The outcome is the last call's result with every byte
    /// received, so the step does not depend on how reads were split.
    RecvAll {
        /// Socket name.
        socket: String,
        /// How many bytes to collect.
        want: u32,
        /// Buffer sizes of each call (default one buffer of `want` bytes).
        #[serde(default)]
        buffers: Option<Vec<u32>>,
    },
    /// `recv` (Winsock 1): one buffer; the bytes received are the step's
    /// `bytes`.
    Winsock1Recv {
        /// Socket name.
        socket: String,
        /// The buffer: a size or a fault.
        buffer: BufSpec,
        /// Flag names.
        #[serde(default)]
        flags: Vec<String>,
    },
    /// `recvfrom` (Winsock 1): [`Op::Winsock1Recv`] with the sender.
    Winsock1Recvfrom {
        /// Socket name.
        socket: String,
        /// The buffer: a size or a fault.
        buffer: BufSpec,
        /// Flag names.
        #[serde(default)]
        flags: Vec<String>,
        /// A faulty or small `from` (default: room for any address).
        #[serde(default)]
        from: Option<NameSpec>,
    },
    /// `send` (Winsock 1): one buffer of the payload.
    Winsock1Send {
        /// Socket name.
        socket: String,
        /// Payload.
        data: Data,
        /// Flag names.
        #[serde(default)]
        flags: Vec<String>,
    },
    /// `sendto` (Winsock 1).
    Winsock1Sendto {
        /// Socket name.
        socket: String,
        /// Destination (absent: `NULL`, 0: the connected peer).
        #[serde(default)]
        to: Option<AddrSpec>,
        /// A faulty destination instead.
        #[serde(default)]
        to_fault: Option<NameSpec>,
        /// Payload.
        data: Data,
        /// Flag names.
        #[serde(default)]
        flags: Vec<String>,
    },
    /// `WSAPoll`: the count is the step's `value`, each element's
    /// `revents` its `revents`.
    Poll {
        /// The elements.
        fds: Vec<PollSpec>,
        /// Milliseconds (negative: until one is ready; default 0).
        #[serde(default)]
        timeout_ms: i32,
    },
    /// `select`: the count is the step's `value`, what each set kept its
    /// `sets`.
    Select {
        /// `readfds` (absent: `NULL`).
        #[serde(default)]
        read: Option<Vec<SockRef>>,
        /// `writefds`.
        #[serde(default)]
        write: Option<Vec<SockRef>>,
        /// `exceptfds`.
        #[serde(default)]
        except: Option<Vec<SockRef>>,
        /// Milliseconds (absent: wait until one is ready).
        #[serde(default)]
        timeout_ms: Option<u32>,
    },
    /// `getsockname`.
    Getsockname {
        /// Socket name.
        socket: String,
    },
    /// `getpeername`.
    Getpeername {
        /// Socket name.
        socket: String,
    },
    /// `setsockopt`: an `int` value, or raw bytes as hex.
    Setsockopt {
        /// Socket name.
        socket: String,
        /// `SOL_SOCKET`, `IPPROTO_IP`, ...
        level: String,
        /// `SO_RCVBUF`, ...
        name: String,
        /// An `int` value.
        #[serde(default)]
        value: Option<i64>,
        /// Raw bytes as hex (instead of `value`).
        #[serde(default)]
        hex: Option<String>,
    },
    /// `getsockopt` of an `int` value.
    Getsockopt {
        /// Socket name.
        socket: String,
        /// Level name.
        level: String,
        /// Option name.
        name: String,
        /// Room for the value (default 4).
        #[serde(default)]
        room: Option<usize>,
    },
    /// `ioctlsocket`.
    Ioctl {
        /// Socket name.
        socket: String,
        /// `FIONBIO`, `FIONREAD`.
        cmd: String,
        /// The argument.
        #[serde(default)]
        arg: u32,
    },
    /// `WSAIoctl`.
    WsaIoctl {
        /// Socket name.
        socket: String,
        /// `SIO_GET_EXTENSION_FUNCTION_POINTER`, `SIO_UDP_CONNRESET`, ...
        code: String,
        /// Input: `WSAID_WSARECVMSG`, `WSAID_WSASENDMSG`, or hex.
        #[serde(default)]
        input: Option<String>,
        /// Input as an `int`.
        #[serde(default)]
        value: Option<i64>,
        /// Output room (default 8).
        #[serde(default)]
        out: Option<usize>,
        /// With an `OVERLAPPED` and a byte count
        /// (`WinsockOverlapped::wsa_ioctl_overlapped`): `internal` says
        /// what its `Internal`/`InternalHigh` hold when the call returns
        /// (pending: the completion to come).
        #[serde(default)]
        overlapped: bool,
    },
    /// `shutdown`.
    Shutdown {
        /// Socket name.
        socket: String,
        /// `SD_RECEIVE`, `SD_SEND`, `SD_BOTH`.
        how: String,
    },
    /// `closesocket`.
    Close {
        /// Socket name.
        socket: String,
    },
    /// `WSASend`.
    Send {
        /// Socket name.
        socket: String,
        /// Payload.
        data: Data,
        /// Split the payload into buffers of these sizes (default one buffer);
        /// or fault buffers.
        #[serde(default)]
        buffers: Option<Vec<BufSpec>>,
        /// Flag names.
        #[serde(default)]
        flags: Vec<String>,
        /// Pass `NULL` for the bytes-sent pointer.
        #[serde(default)]
        null_bytes_ptr: bool,
        /// Make the call overlapped.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ovl: Option<OvlSpec>,
    },
    /// `WSASendTo`.
    SendTo {
        /// Socket name.
        socket: String,
        /// Destination (absent: `NULL`, 0).
        #[serde(default)]
        to: Option<AddrSpec>,
        /// A faulty destination instead.
        #[serde(default)]
        to_fault: Option<NameSpec>,
        /// Payload.
        data: Data,
        /// Buffer split or faults.
        #[serde(default)]
        buffers: Option<Vec<BufSpec>>,
        /// Flag names.
        #[serde(default)]
        flags: Vec<String>,
        /// Pass `NULL` for the bytes-sent pointer.
        #[serde(default)]
        null_bytes_ptr: bool,
        /// Make the call overlapped.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ovl: Option<OvlSpec>,
    },
    /// `WSASendMsg`.
    SendMsg {
        /// Socket name.
        socket: String,
        /// Destination (absent: connected peer).
        #[serde(default)]
        to: Option<AddrSpec>,
        /// A faulty name instead.
        #[serde(default)]
        name_fault: Option<NameSpec>,
        /// Payload.
        data: Data,
        /// Buffer split or faults.
        #[serde(default)]
        buffers: Option<Vec<BufSpec>>,
        /// Control objects.
        #[serde(default)]
        control: Vec<CmsgSpec>,
        /// A faulty control buffer instead.
        #[serde(default)]
        control_fault: Option<BufSpec>,
        /// `dwFlags` names.
        #[serde(default)]
        flags: Vec<String>,
        /// `WSAMSG.dwFlags` names (ignored by the call).
        #[serde(default)]
        msg_flags: Vec<String>,
        /// Pass `NULL` for the bytes-sent pointer.
        #[serde(default)]
        null_bytes_ptr: bool,
        /// Make the call overlapped.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ovl: Option<OvlSpec>,
    },
    /// `WSARecv`.
    Recv {
        /// Socket name.
        socket: String,
        /// Buffer sizes or faults.
        buffers: Vec<BufSpec>,
        /// Flag names.
        #[serde(default)]
        flags: Vec<String>,
        /// Pass `NULL` for the bytes-received pointer.
        #[serde(default)]
        null_bytes_ptr: bool,
        /// Make the call overlapped.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ovl: Option<OvlSpec>,
    },
    /// `WSARecvFrom`.
    RecvFrom {
        /// Socket name.
        socket: String,
        /// Buffer sizes or faults.
        buffers: Vec<BufSpec>,
        /// Flag names.
        #[serde(default)]
        flags: Vec<String>,
        /// A faulty or small `lpFrom` (default: room for any address).
        #[serde(default)]
        from: Option<NameSpec>,
        /// Pass `NULL` for the bytes-received pointer.
        #[serde(default)]
        null_bytes_ptr: bool,
        /// Make the call overlapped.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ovl: Option<OvlSpec>,
    },
    /// `WSARecvMsg`.
    RecvMsg {
        /// Socket name.
        socket: String,
        /// Buffer sizes or faults.
        buffers: Vec<BufSpec>,
        /// Control room in bytes (0: `NULL`), or a fault.
        #[serde(default)]
        control: Option<BufSpec>,
        /// Input `dwFlags` names.
        #[serde(default)]
        flags: Vec<String>,
        /// A faulty or small name (default: room for any address).
        #[serde(default)]
        name: Option<NameSpec>,
        /// Pass `NULL` for the bytes-received pointer.
        #[serde(default)]
        null_bytes_ptr: bool,
        /// Make the call overlapped.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ovl: Option<OvlSpec>,
    },
    /// Start a thread that runs `steps` (a simulated thread on the model, an
    /// OS thread on the OS). It sees the sockets, events and ports named so
    /// far; what it names itself stays its own. The step's `host` is the
    /// thread's host.
    Spawn {
        /// The thread's name (`join` uses it; its steps are reported as
        /// `name: op`).
        thread: String,
        /// What the thread does, in order.
        steps: Vec<Step>,
    },
    /// Wait until a thread's steps are done; its step records follow.
    Join {
        /// The thread's name.
        thread: String,
    },
    /// Let virtual time pass (model); on the OS backend, sleep.
    Advance {
        /// Milliseconds.
        ms: u64,
    },
    /// `WSACreateEvent`: names the new event.
    CreateEvent {
        /// The name later steps use.
        name: String,
    },
    /// `WSASetEvent`.
    SetEvent {
        /// Event name.
        event: String,
    },
    /// `WSAResetEvent`.
    ResetEvent {
        /// Event name.
        event: String,
    },
    /// `WSACloseEvent`.
    CloseEvent {
        /// Event name.
        event: String,
    },
    /// `WSAEventSelect`: the socket's network events `events` (`FD_*`
    /// names; none cancels) signal `event` (absent: `NULL`).
    EventSelect {
        /// Socket name.
        socket: String,
        /// Event name (absent: `NULL`).
        #[serde(default)]
        event: Option<String>,
        /// `lNetworkEvents`, as `FD_*` names or numbers.
        #[serde(default)]
        events: Vec<String>,
    },
    /// `WSAAsyncSelect`: the socket's network events `events` (`FD_*`
    /// names; none cancels) post messages to the scenario's window (the
    /// backend's: on the model a window handle of the runner's,
    /// [`SCENARIO_WINDOW`], with message [`SCENARIO_MESSAGE`]).
    AsyncSelect {
        /// Socket name.
        socket: String,
        /// `lEvent`, as `FD_*` names or numbers.
        #[serde(default)]
        events: Vec<String>,
    },
    /// The window messages `WSAAsyncSelect` posted since the last such
    /// step, in order: the step's `messages`. When there is none yet, the
    /// step first waits up to `timeout_ms` (default 0) for one, as a
    /// message loop's `MsgWaitForMultipleObjects` does.
    WindowMessages {
        /// How long to wait for a first message (default 0).
        #[serde(default)]
        timeout_ms: Option<u32>,
    },
    /// `WSAEnumNetworkEvents`: the record is the step's `net_events`.
    EnumNetworkEvents {
        /// Socket name.
        socket: String,
        /// `hEventObject`, reset by the call (absent: `NULL`).
        #[serde(default)]
        event: Option<String>,
    },
    /// `WSAWaitForMultipleEvents`.
    WaitEvents {
        /// Event names.
        events: Vec<String>,
        /// Wait for all of them (default: any).
        #[serde(default)]
        all: bool,
        /// Time-out in milliseconds (default: `WSA_INFINITE`).
        #[serde(default)]
        timeout_ms: Option<u32>,
        /// Alertable: completion routines may run.
        #[serde(default)]
        alertable: bool,
    },
    /// `SleepEx`.
    SleepEx {
        /// Milliseconds (`WSA_INFINITE` is 4294967295).
        ms: u32,
        /// Alertable: completion routines may run.
        #[serde(default)]
        alertable: bool,
    },
    /// `WSAGetOverlappedResult`.
    GetOverlappedResult {
        /// Socket name.
        socket: String,
        /// The `OVERLAPPED`'s id.
        id: u64,
        /// `fWait`.
        #[serde(default)]
        wait: bool,
    },
    /// `CancelIoEx`: one operation (`id`) or all of the socket's.
    Cancel {
        /// Socket name.
        socket: String,
        /// The `OVERLAPPED`'s id (absent: `NULL`, all).
        #[serde(default)]
        id: Option<u64>,
    },
    /// `CreateIoCompletionPort` for a new port: names it.
    CreatePort {
        /// The name later steps use.
        name: String,
    },
    /// `CreateIoCompletionPort(socket, port, key, 0)`.
    Associate {
        /// Port name.
        port: String,
        /// Socket name.
        socket: String,
        /// The completion key.
        #[serde(default)]
        key: usize,
    },
    /// `SetFileCompletionNotificationModes`.
    NotificationModes {
        /// Socket name.
        socket: String,
        /// `FILE_SKIP_COMPLETION_PORT_ON_SUCCESS` (1) and/or
        /// `FILE_SKIP_SET_EVENT_ON_HANDLE` (2).
        modes: u8,
    },
    /// `GetQueuedCompletionStatus`, or `...Ex` when `max` is given.
    Dequeue {
        /// Port name.
        port: String,
        /// Time-out in milliseconds (default: `WSA_INFINITE`).
        #[serde(default)]
        timeout_ms: Option<u32>,
        /// Take up to this many packets (`GetQueuedCompletionStatusEx`).
        #[serde(default)]
        max: Option<usize>,
        /// Alertable (`...Ex` only).
        #[serde(default)]
        alertable: bool,
    },
    /// `PostQueuedCompletionStatus`.
    PostPacket {
        /// Port name.
        port: String,
        /// `dwNumberOfBytesTransferred`.
        #[serde(default)]
        bytes: u32,
        /// The completion key.
        #[serde(default)]
        key: usize,
        /// An `OVERLAPPED` id (absent: `NULL`).
        #[serde(default)]
        id: Option<u64>,
    },
    /// `CloseHandle` on a port.
    ClosePort {
        /// Port name.
        port: String,
    },
    /// Fail or restore a host's network (model only).
    NetworkDown {
        /// The host.
        target: String,
        /// Down (true) or restored (false).
        down: bool,
    },
}

impl Op {
    /// The call's name as a scenario writes it (`"recv_msg"`).
    pub fn name(&self) -> String {
        // The tag is what serde writes first (`{"op":"recv_msg",...`):
        // the writer below stops the serialisation once it has it, so
        // the rest of the call is never written.
        struct Tag(Vec<u8>);
        impl std::io::Write for Tag {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0.extend_from_slice(b);
                if self.0.len() > TAG_START.len() && self.0[TAG_START.len()..].contains(&b'"') {
                    return Err(std::io::ErrorKind::WriteZero.into());
                }
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        const TAG_START: &[u8] = b"{\"op\":\"";
        let mut w = Tag(Vec::with_capacity(32));
        let _ = serde_json::to_writer(&mut w, self);
        w.0.strip_prefix(TAG_START)
            .and_then(|rest| rest.split(|&c| c == b'"').next())
            .and_then(|name| std::str::from_utf8(name).ok())
            .map(str::to_string)
            .unwrap_or_default()
    }
}

/// The expected outcome of a step. Only the fields given are checked.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// `"ok"` or an error name (`"WSAEMSGSIZE"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    /// One of these results (where Windows allows several:
    /// `["ok", "WSAEWOULDBLOCK"]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_of: Option<Vec<String>>,
    /// Bytes received or sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u32>,
    /// At least one byte and at most this many were received or sent (a
    /// stream may move fewer bytes than asked: `SENDMSG-NONBLOCKING-STREAM-PARTIAL`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes_at_most: Option<u32>,
    /// The received data (the first `bytes` bytes across the buffers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Data>,
    /// The received data is a non-empty prefix of this: a byte-stream
    /// receive may return fewer bytes than are buffered
    /// (`RECV-STREAM-ONE-BYTE-UNBLOCKS`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<Data>,
    /// What each buffer holds after the call, in array order (hex).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buffers: Option<Vec<String>>,
    /// Output flags, exactly (names).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flags: Option<Vec<String>>,
    /// The sender / the address reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<AddrSpec>,
    /// An option or ioctl value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<i64>,
    /// The control objects received, rendered (`"IP_PKTINFO 127.0.0.1 if=1"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control: Option<Vec<String>>,
    /// `Control.len` after the call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_len: Option<u32>,
    /// The `namelen` written back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namelen: Option<i32>,
    /// How a wait ended: `"event 0"`, `"io_completion"`, `"timeout"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait: Option<String>,
    /// The completion routines that ran during the step, rendered
    /// (`"ovl=1 ok bytes=5 flags= data=68656c6c6f"`), compared in any order:
    /// routines may run in any order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routines: Option<Vec<String>>,
    /// The completion-port packets taken, rendered
    /// (`"key=7 ovl=1 ok bytes=5 data=68656c6c6f"`), in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packets: Option<Vec<String>>,
    /// Each `poll` element's `revents`, `|`-joined names in the order
    /// `POLLRDNORM, POLLRDBAND, POLLPRI, POLLWRNORM, POLLWRBAND, POLLERR,
    /// POLLHUP, POLLNVAL` (`""` for none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revents: Option<Vec<String>>,
    /// What `enum_network_events` reported: each event recorded, in bit
    /// order (`FD_READ` first), with `=` and its error code's name when it
    /// is not 0 (`"FD_CLOSE=WSAECONNRESET"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub net_events: Option<Vec<String>>,
    /// What `window_messages` took: each message's socket name and event,
    /// with `=` and its error code's name when it is not 0
    /// (`"s FD_CONNECT"`, `"s FD_CLOSE=WSAECONNABORTED"`), in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messages: Option<Vec<String>>,
    /// What each `select` set kept, for the sets given, in the order read,
    /// write, except: `"read: a b"` (socket names in the set's order).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sets: Option<Vec<String>>,
    /// What `OVERLAPPED.Internal` (the `NTSTATUS`, by name or as hex) and
    /// `InternalHigh` hold after each completion the step reports
    /// (`WSAGetOverlappedResult`'s, or each port packet's), in order:
    /// `"STATUS_BUFFER_OVERFLOW high=4"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal: Option<Vec<String>>,
    /// The clause ids of the model's diagnostics so far
    /// (`"RECV-THREADS-SIMULTANEOUS"`), in order. Only the model makes
    /// diagnostics: other backends skip this comparison.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diagnostics: Option<Vec<String>>,
}

/// The window handle a scenario's `async_select` names on the model (any
/// nonzero value: the model has no windows).
pub const SCENARIO_WINDOW: usize = 0x5c_0001;

/// The message a scenario's `async_select` asks for (`WM_USER`).
pub const SCENARIO_MESSAGE: u32 = 0x400;

#[cfg(test)]
mod tests {
    use super::*;

    /// The hex codec's fast ways give what the general ones give: every
    /// byte both ways, upper case, whitespace and the errors' texts.
    #[test]
    fn hex_both_ways() {
        let all: Vec<u8> = (0..=255).collect();
        let hex = to_hex(&all);
        let slow: String = all.iter().map(|x| format!("{x:02x}")).collect();
        assert_eq!(hex, slow);
        assert_eq!(from_hex(&hex), Ok(all.clone()));
        assert_eq!(from_hex(&hex.to_uppercase()), Ok(all));
        assert_eq!(from_hex("0a 0B\n"), Ok(vec![10, 11]));
        assert_eq!(from_hex(""), Ok(vec![]));
        assert_eq!(
            from_hex("abc"),
            Err("hex `abc` has an odd number of digits".into())
        );
        assert_eq!(
            from_hex("zz"),
            Err("hex `zz`: `zz` is not a hex byte".into())
        );
    }

    /// `Op::name` is the tag serde writes for the op.
    #[test]
    fn op_name_is_the_serde_tag() {
        let ops: Vec<Op> = serde_json::from_str(
            r#"[{"op":"close","socket":"a"},
                {"op":"advance","ms":3},
                {"op":"network_down","target":"local","down":true},
                {"op":"send","socket":"c","data":{"fill":3}}]"#,
        )
        .expect("ops");
        for op in &ops {
            let v = serde_json::to_value(op).expect("serialises");
            assert_eq!(op.name(), v["op"].as_str().expect("a tag"));
        }
        assert_eq!(ops[3].name(), "send");
    }
}
