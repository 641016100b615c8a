//! # winsock-double
//!
//! A deterministic Winsock emulator and test double. Socket code written
//! against the [`Winsock`] trait runs on the simulated network stack
//! ([`Sim`], from the `winsock-model` crate, re-exported here) and, on
//! Windows, on the real Winsock; scenarios run on both and the differences
//! are the conformance report.
//!
//! ```
//! use winsock_double::*;
//! let sim = Sim::new(1);
//! let host = sim.add_host("local", &[]).unwrap();
//! host.wsa_startup(WINSOCK_VERSION_2_2).unwrap();
//! let s = host.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
//! host.bind(s, &"127.0.0.1:0".parse().unwrap()).unwrap();
//! let me = host.getsockname(s).unwrap();
//! host.send_to(s, &[7u8; 100], &me).unwrap();
//! let mut small = [0u8; 10];
//! let err = host.recv_from(s, &mut small).unwrap_err();
//! assert!(err.is(WSAEMSGSIZE)); // the datagram was truncated
//! ```
//!
//! | module | holds |
//! |---|---|
//! | (re-export) `winsock_model` | the contract, the clause table, `Sim` |
//! | [`scenario`] | the scenario format, the runner over any backend, the conformance report |
//! | [`fuzz`] | property-based fuzzing: strategies, invariants, saved runs and replay, fuzz targets |
//! | [`socket`] | the Rust-shaped layer: [`OwnedSocket`] (closes on drop, `io::Result`s), [`Domain`], [`Type`], [`Protocol`], [`MsgFlags`], [`RecvFlags`], [`routine`] |
//! | [`harness`] | [`Harness`]: hosts and clients as simulated threads, joined for you |
//! | [`cite`] | where the source tree cites a clause: model lines, tests, scenario steps |
//! | `os` (Windows only) | the OS backend: the real Winsock behind the same trait |
#![warn(missing_docs)]

pub mod cite;
pub mod fuzz;
pub mod harness;
#[cfg(windows)]
pub mod os;
pub mod scenario;
pub mod socket;
pub mod timeline;

/// Winsock's C functions on the model, under windows-sys's names and
/// signatures, with windows-sys's WinSock types and constants (feature
/// `sys`): code written on `windows_sys::Win32::Networking::WinSock` runs
/// on the model by swapping that import for this module, on Linux too.
/// They are the drop-in DLL's exports (docs/dll.md), sharing one
/// process-wide model configured from the `WSD_*` environment.
///
/// ```
/// # #[cfg(feature = "sys")] {
/// use winsock_double::sys::*; // was: use windows_sys::Win32::Networking::WinSock::*;
/// // SAFETY: a WSADATA to write; a socket of the model's.
/// unsafe {
///     let mut data: WSADATA = std::mem::zeroed();
///     assert_eq!(WSAStartup(0x0202, &mut data), 0);
///     let s = socket(AF_INET as i32, SOCK_DGRAM, IPPROTO_UDP);
///     assert_ne!(s, INVALID_SOCKET);
///     assert_eq!(closesocket(s), 0);
///     assert_eq!(WSACleanup(), 0);
/// }
/// # }
/// ```
#[cfg(feature = "sys")]
pub mod sys {
    pub use ws2_32::sys::*;
}

pub use harness::Harness;
pub use socket::{routine, Domain, MsgFlags, OwnedSocket, Protocol, RecvFlags, Type};
pub use winsock_model::*;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// The guide's examples (`docs/guide.md`), compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../docs/guide.md")]
pub struct GuideDoctests;

/// The examples of `docs/conformance.md`, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../docs/conformance.md")]
pub struct ConformanceDoctests;

/// The examples of `docs/seeing.md`, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../docs/seeing.md")]
pub struct SeeingDoctests;

/// The examples of `docs/fuzzing.md`, compiled and run as doctests (they
/// need the `proptest` feature).
#[cfg(all(doctest, feature = "proptest"))]
#[doc = include_str!("../docs/fuzzing.md")]
pub struct FuzzingDoctests;
