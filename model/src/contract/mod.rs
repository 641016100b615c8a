//! The Winsock contract: what both backends must agree on.
//!
//! | file | holds |
//! |---|---|
//! | `call.rs` | [`DataCall`]: the six data calls, named once; [`DataRequest`]: their arguments in one shape |
//! | `consts.rs` | every numeric value: error codes, `MSG_*` flags, families, types, protocols, options, ioctls, GUIDs |
//! | `ntstatus.rs` | the `NTSTATUS` of `OVERLAPPED.Internal`, and the Win32 and Winsock codes it maps to |
//! | `error.rs` | [`WsaError`]: a Winsock error code with its name, or a model report (deadlock, misuse) |
//! | `addr.rs` | `SOCKADDR_IN` / `SOCKADDR_IN6` encode and decode (x64 layout) |
//! | `cmsg.rs` | the `WSACMSGHDR` codec and `in_pktinfo` / `in6_pktinfo` |
//! | `types.rs` | the argument types: [`WsaBuf`], [`WsaMsg`], [`NameBuf`], able to carry every documented fault |
//! | `overlapped.rs` | overlapped I/O: [`Event`], [`Port`], [`Overlapped`], [`Completion`], [`Posted`] |
//! | `winsock.rs` | the [`Winsock`] trait and its overlapped extension [`WinsockOverlapped`] |
//! | `clauses.rs` | the clause table: one entry per normative sentence of the documentation pages |
//! | `optsize.rs` | [`optsize::OptSize`]: the value sizes Windows gives the options of Wine's size table (`WIN-SOCKOPT-SIZES`) |
//! | `quirks.rs` | the quirk table: every departure of a profile from the contract, with its source; [`Profile`], a set of quirks |

pub mod addr;
pub mod call;
pub mod clauses;
pub mod cmsg;
pub mod consts;
pub mod error;
pub mod ntstatus;
pub mod optsize;
pub mod overlapped;
pub mod quirks;
pub mod types;
pub mod winsock;

pub use call::{DataCall, DataRequest, RecvCall, SendCall};
pub use clauses::{Clause, Scope, CLAUSES};
pub use consts::*;
pub use error::{ModelReport, ReportKind, WsaError};
pub use overlapped::*;
pub use quirks::{Base, Profile, Quirk, QuirkInfo, QUIRKS};
pub use types::*;
pub use winsock::*;
