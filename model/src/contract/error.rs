//! [`WsaError`]: what a Winsock call returns when it fails.

use super::consts::error_name;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The error of a Winsock call.
///
/// Either a real Winsock error code (what `WSAGetLastError` would return),
/// or a report from the model that it cannot go on (a deadlock, a misuse the
/// documentation calls undefined). The OS backend only ever returns codes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WsaError {
    /// A Winsock error code such as `WSAEMSGSIZE` (10040).
    #[error("{} ({})", name_or_unknown(*.0), .0)]
    Code(i32),
    /// The model stopped: see the report.
    #[error("{0}")]
    Model(Box<ModelReport>),
}

fn name_or_unknown(code: i32) -> &'static str {
    error_name(code).unwrap_or("unknown Winsock error")
}

impl WsaError {
    /// The error for a Winsock code.
    pub const fn code_of(code: i32) -> WsaError {
        WsaError::Code(code)
    }

    /// The numeric Winsock code, or `None` for a model report.
    pub fn code(&self) -> Option<i32> {
        match self {
            WsaError::Code(c) => Some(*c),
            WsaError::Model(_) => None,
        }
    }

    /// The code's Windows name (`"WSAEMSGSIZE"`), or the report kind.
    pub fn name(&self) -> &'static str {
        match self {
            WsaError::Code(c) => name_or_unknown(*c),
            WsaError::Model(r) => r.kind.name(),
        }
    }

    /// Whether this is the given Winsock code.
    pub fn is(&self, code: i32) -> bool {
        self.code() == Some(code)
    }

    /// The model report, if this is one.
    pub fn report(&self) -> Option<&ModelReport> {
        match self {
            WsaError::Model(r) => Some(r),
            WsaError::Code(_) => None,
        }
    }
}

/// What kind of model report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportKind {
    /// A blocking call could never complete: nothing in the simulated world
    /// can ever satisfy it. Real Windows would hang here.
    Deadlock,
    /// The caller did something the documentation calls undefined, or used a
    /// part of the API the model does not cover yet.
    Misuse,
    /// A paced blocking call (`Sim::pace`) reached its horizon while
    /// something in flight or a time-out could still end its wait: it
    /// stopped there and goes on when made again.
    Paused,
    /// A paced blocking call (`Sim::pace`) reached its horizon with
    /// nothing in flight and no time-out set: only a thread outside the
    /// model can end its wait (unpaced, this is a [`ReportKind::Deadlock`]).
    /// It goes on when made again.
    Stalled,
}

impl ReportKind {
    /// `"deadlock"` or `"misuse"`.
    pub fn name(self) -> &'static str {
        match self {
            ReportKind::Deadlock => "deadlock",
            ReportKind::Misuse => "misuse",
            ReportKind::Paused => "paused",
            ReportKind::Stalled => "stalled",
        }
    }

    /// Whether this is a paced call's stop ([`ReportKind::Paused`] or
    /// [`ReportKind::Stalled`]): the call did not happen yet.
    pub fn is_pace_stop(self) -> bool {
        matches!(self, ReportKind::Paused | ReportKind::Stalled)
    }
}

/// A report from the model: why it stopped, and the trace that led there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelReport {
    /// Deadlock or misuse.
    pub kind: ReportKind,
    /// What happened, in one sentence.
    pub message: String,
    /// The clause id behind the rule, when there is one.
    pub clause: Option<String>,
    /// Where the call was made (`file:line:column` of the caller's code).
    #[serde(default)]
    pub location: Option<String>,
    /// The trace up to the report, one rendered line per event.
    pub trace: Vec<String>,
}

impl fmt::Display for ModelReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "model {}: {}", self.kind.name(), self.message)?;
        if let Some(c) = &self.clause {
            write!(f, " [{c}]")?;
        }
        if let Some(l) = &self.location {
            write!(f, "\n  called at {l}")?;
        }
        if !self.trace.is_empty() {
            write!(f, "\ntrace:")?;
            for line in &self.trace {
                write!(f, "\n  {line}")?;
            }
        }
        Ok(())
    }
}

/// The [`std::io::ErrorKind`] Rust's standard library gives a Winsock
/// code on Windows (its table for Win32 and Winsock errors), or
/// [`Other`](std::io::ErrorKind::Other) where that table has none (std's
/// own `Uncategorized` cannot be named outside it).
fn std_kind(code: i32) -> std::io::ErrorKind {
    use super::consts::*;
    use std::io::ErrorKind as K;
    match code {
        WSAEACCES => K::PermissionDenied,
        WSAEADDRINUSE => K::AddrInUse,
        WSAEADDRNOTAVAIL => K::AddrNotAvailable,
        WSAECONNABORTED => K::ConnectionAborted,
        WSAECONNREFUSED => K::ConnectionRefused,
        WSAECONNRESET => K::ConnectionReset,
        WSAEINVAL | WSA_INVALID_PARAMETER => K::InvalidInput,
        WSAENOTCONN => K::NotConnected,
        WSAEWOULDBLOCK => K::WouldBlock,
        // std counts ERROR_OPERATION_ABORTED and WAIT_TIMEOUT as time-outs.
        WSAETIMEDOUT | WSA_OPERATION_ABORTED | WSA_WAIT_TIMEOUT => K::TimedOut,
        WSAEHOSTUNREACH => K::HostUnreachable,
        WSAENETDOWN => K::NetworkDown,
        WSAENETUNREACH => K::NetworkUnreachable,
        WSA_NOT_ENOUGH_MEMORY => K::OutOfMemory,
        _ => K::Other,
    }
}

impl WsaError {
    /// The [`std::io::ErrorKind`] of the [`std::io::Error`] this converts
    /// into: for a code, the kind std gives it on Windows
    /// (`WSAEWOULDBLOCK` is `WouldBlock`, `WSAECONNRESET`
    /// `ConnectionReset`, a code std does not sort is `Other`: on Windows
    /// the `io::Error` itself says `Uncategorized` there, std's own kind
    /// that cannot be named outside it); a deadlock report is `Deadlock`,
    /// a misuse report `Other`, a paced call's stop `Interrupted` (made
    /// again, it goes on).
    ///
    /// ```
    /// use std::io::ErrorKind;
    /// use winsock_double::*;
    /// assert_eq!(WsaError::Code(WSAEWOULDBLOCK).kind(), ErrorKind::WouldBlock);
    /// assert_eq!(WsaError::Code(WSAECONNRESET).kind(), ErrorKind::ConnectionReset);
    /// assert_eq!(WsaError::Code(WSAEMSGSIZE).kind(), ErrorKind::Other);
    /// ```
    pub fn kind(&self) -> std::io::ErrorKind {
        match self {
            WsaError::Code(c) => std_kind(*c),
            WsaError::Model(r) => match r.kind {
                ReportKind::Deadlock => std::io::ErrorKind::Deadlock,
                ReportKind::Misuse => std::io::ErrorKind::Other,
                ReportKind::Paused | ReportKind::Stalled => std::io::ErrorKind::Interrupted,
            },
        }
    }

    /// The Winsock error an [`std::io::Error`] carries: one made from a
    /// `WsaError` (`io::Error::from`, or `?`), or on Windows any error with an OS code, which there is a Winsock
    /// or Win32 code. `None` otherwise.
    ///
    /// ```
    /// use winsock_double::*;
    /// let e = std::io::Error::from(WsaError::Code(WSAEMSGSIZE));
    /// assert!(WsaError::of_io(&e).is_some_and(|w| w.is(WSAEMSGSIZE)));
    /// assert_eq!(WsaError::of_io(&std::io::Error::other("not Winsock")), None);
    /// ```
    pub fn of_io(e: &std::io::Error) -> Option<WsaError> {
        if let Some(w) = e.get_ref().and_then(|i| i.downcast_ref::<WsaError>()) {
            return Some(w.clone());
        }
        if cfg!(windows) {
            return e.raw_os_error().map(WsaError::Code);
        }
        None
    }
}

/// `?` from a Winsock call into [`std::io::Result`].
///
/// On Windows a code becomes `io::Error::from_raw_os_error(code)`, exactly
/// the error std gives for a failing Winsock call: `raw_os_error()` is the
/// Winsock code and `kind()` std's. Elsewhere std would read the number
/// as that platform's `errno`, so the error carries the `WsaError` itself,
/// with the kind Windows' std gives it ([`WsaError::kind`]) and the
/// Winsock name as its message; `raw_os_error()` is then `None`, and
/// [`WsaError::of_io`] gives the code back on every platform. A model
/// report (deadlock, misuse) is carried whole on every platform: its
/// message and trace are the error's text.
///
/// ```
/// use std::io;
/// use winsock_double::*;
///
/// fn bound_udp(host: &SimHost) -> io::Result<Socket> {
///     let s = host.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
///     host.bind(s, &"127.0.0.1:0".parse().unwrap())?;
///     Ok(s)
/// }
///
/// let sim = Sim::new(1);
/// let host = sim.add_host("h", &[]).unwrap();
/// // Without WSAStartup every call fails with WSANOTINITIALISED.
/// let e = bound_udp(&host).unwrap_err();
/// assert!(WsaError::of_io(&e).unwrap().is(WSANOTINITIALISED));
/// host.wsa_startup(WINSOCK_VERSION_2_2).unwrap();
/// let s = bound_udp(&host).unwrap();
/// let mut small = [0u8; 4];
/// host.send_to(s, b"too long", &host.getsockname(s).unwrap()).unwrap();
/// let e: io::Error = host.recv_from(s, &mut small).unwrap_err().into();
/// if cfg!(windows) {
///     assert_eq!(e.raw_os_error(), Some(WSAEMSGSIZE));
/// } else {
///     assert_eq!(e.to_string(), "WSAEMSGSIZE (10040)");
/// }
/// ```
impl From<WsaError> for std::io::Error {
    fn from(e: WsaError) -> std::io::Error {
        match e {
            WsaError::Code(c) if cfg!(windows) => std::io::Error::from_raw_os_error(c),
            e => std::io::Error::new(e.kind(), e),
        }
    }
}
