//! What a step gave: the outcome a run records, an expectation matches
//! (`expect.rs`) and the differential compares.

use serde::{Deserialize, Serialize};

/// What a step gave. Fields a call does not produce are `None`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Outcome {
    /// `"ok"`, an error name, or `"model:deadlock"` / `"model:misuse"`.
    pub result: String,
    /// Bytes sent or received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u32>,
    /// The received bytes (hex).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    /// Each receive buffer's content after the call (hex).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buffers: Option<Vec<String>>,
    /// Output flags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flags: Option<Vec<String>>,
    /// An address reported (sender, `getsockname`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// An option or ioctl value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<i64>,
    /// Control objects received, rendered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control: Option<Vec<String>>,
    /// `Control.len` after the call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_len: Option<u32>,
    /// `namelen` after the call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namelen: Option<i32>,
    /// How a wait ended (`"event 0"`, `"io_completion"`, `"timeout"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait: Option<String>,
    /// Completion routines that ran during the step, in the order they ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routines: Option<Vec<String>>,
    /// Completion-port packets taken, in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packets: Option<Vec<String>>,
    /// Each `WSAPoll` element's `revents` (`|`-joined names).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revents: Option<Vec<String>>,
    /// The network events `WSAEnumNetworkEvents` reported
    /// (`"FD_CLOSE=WSAECONNRESET"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub net_events: Option<Vec<String>>,
    /// The window messages taken (`"s FD_CONNECT"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messages: Option<Vec<String>>,
    /// What each `select` set kept (`"read: a b"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sets: Option<Vec<String>>,
    /// What `OVERLAPPED.Internal` and `InternalHigh` hold after each
    /// completion the step reports (`WSAGetOverlappedResult`'s, or each
    /// port packet's): `"STATUS_SUCCESS high=5"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal: Option<Vec<String>>,
    /// The model's diagnostics so far (clause ids), where the step's
    /// expectation asks for them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diagnostics: Option<Vec<String>>,
}
