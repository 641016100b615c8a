//! The trace: every call and every network event, in order, with its
//! virtual time. Same seed and same calls give the same trace, byte for byte.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One line of the trace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceEvent {
    /// Virtual time in nanoseconds since the simulation started.
    pub t: u64,
    /// The host it happened on.
    pub host: String,
    /// What happened: `call`, `deliver`, `drop`, `icmp`.
    pub kind: String,
    /// The details, rendered (`wsa_recv_msg(s=0x104, ...) -> WSAEMSGSIZE ...`).
    pub detail: String,
}

impl fmt::Display for TraceEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "[{}.{:09}] {} {} {}",
            self.t / 1_000_000_000,
            self.t % 1_000_000_000,
            self.host,
            self.kind,
            self.detail
        )
    }
}

/// Where a call of the trace began: the call's own line is written when it
/// returns, so a timeline needs its start to draw it as a span. Kept with
/// the trace, one per `call` line ([`Sim::spans`](crate::Sim::spans)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallSpan {
    /// The index of the call's `call` line in the trace.
    pub line: usize,
    /// The index the trace had when the call began: lines from it up to
    /// `line` happened inside the call (deliveries, completions, routines
    /// run in an alertable wait, other threads' calls while it blocked).
    pub start_line: usize,
    /// The virtual time it began at (its line's `t` is when it returned).
    pub start: u64,
    /// The simulated thread that made it (`main` for the first).
    pub thread: String,
}
