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
}

impl ReportKind {
    /// `"deadlock"` or `"misuse"`.
    pub fn name(self) -> &'static str {
        match self {
            ReportKind::Deadlock => "deadlock",
            ReportKind::Misuse => "misuse",
        }
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
