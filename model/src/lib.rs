//! # winsock-model
//!
//! The Winsock contract and a deterministic reference model of it.
//!
//! - [`contract`]: the exact Windows values (error codes, flags, options,
//!   ioctls, GUIDs), the x64 wire layouts (`SOCKADDR_IN`, `SOCKADDR_IN6`,
//!   `WSACMSGHDR`), the [`Winsock`] trait that both the
//!   model and the OS backend implement, and the clause table: every normative
//!   sentence of the documentation this project implements, with an id.
//! - [`sim`]: `Sim`, a deterministic simulated network of hosts that
//!   implements the trait. One `u64` seed fixes every choice; time is virtual.
//!   [`SimBuilder`] (`Sim::builder()`) makes one knob by knob, with defaults
//!   from `WSD_*` environment variables.
//!
//! This crate has no platform code and no `unsafe`; it builds and behaves the
//! same everywhere, but for one conversion: on Windows an `io::Error` made
//! from a Winsock code is std's own error for that code.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod builder;
pub mod contract;
pub mod sim;

pub use builder::SimBuilder;

pub use contract::*;
pub use sim::{
    try_seeds, try_seeds_with, CallSpan, CompletionTiming, Config, ConfigError, DatagramFaults,
    Injection, RoutineOrder, Sim, SimHost, SimThread, StreamReads, TraceEvent,
};
