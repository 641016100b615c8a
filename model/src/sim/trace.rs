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
