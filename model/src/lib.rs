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
//!
//! This crate has no platform code and no `unsafe`; it builds and behaves the
//! same everywhere.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod contract;
pub mod sim;

pub use contract::*;
pub use sim::{
    try_seeds, try_seeds_with, CompletionTiming, Config, ConfigError, DatagramFaults, Injection,
    RoutineOrder, Sim, SimHost, SimThread, StreamReads, TraceEvent,
};
