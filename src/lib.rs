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
