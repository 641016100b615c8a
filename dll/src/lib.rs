//! # winsock-dll: the model as `ws2_32.dll`
//!
//! A `cdylib` named `ws2_32` that exports every function of Wine 8.0's
//! `ws2_32.spec` (names, and the ordinals Microsoft fixed), so that an
//! unmodified Windows program placed beside it (and run under Wine with
//! `WINEDLLOVERRIDES=ws2_32=n,b`) makes its socket calls on the
//! deterministic model instead of the kernel. `docs/dll.md` says how to
//! build and use it, its environment variables, what is modelled and the
//! design.
//!
//! - [`exports`]: the C functions, by their Windows names (symbols
//!   `wsd_NAME`, exported as `NAME` through the generated `.def` file);
//! - [`stubs`]: the exports not modelled yet (generated from [`table`]);
//! - [`config`]: the settings read from the environment;
//! - the process-wide model, the handle table and the frame every call
//!   runs in are private (`calls.rs`, `handles.rs`, `frame.rs`, `mem.rs`,
//!   `os.rs`; the overlapped operations: `ops.rs`, `ovl.rs`, `accept.rs`,
//!   `settle.rs`); they import one way (`tests/house.rs`).
//!
//! The functions take raw pointers as C does, so most are `unsafe`; the
//! crate is also an `rlib`, and its tests call them on Linux, where the
//! last error is a thread-local and the model's handles are the sockets.

#![warn(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

mod accept;
mod afd;
mod afd_bind;
mod afd_events;
mod afd_recv;
mod calls;
pub mod config;
#[cfg(windows)]
mod dllmain;
#[allow(non_snake_case)]
pub mod exports;
mod fault;
mod frame;
mod handles;
#[cfg(windows)]
mod hooks;
#[cfg(windows)]
mod iocp;
mod mem;
mod netsel;
#[cfg(windows)]
mod ntdll;
mod ops;
mod os;
mod ovl;
mod pace;
mod settle;
pub mod sys;
/// The export table: every export, its ordinal, modelled or not.
pub mod table;
mod winmsg;

/// The exports not modelled yet: each sets `WSAEOPNOTSUPP` as the last
/// error and returns its failure value (see [`table::Fail`]). They take
/// no arguments: on x64 the caller owns the stack and the argument
/// registers, so a function that reads none may stand for any signature.
#[allow(non_snake_case)]
pub mod stubs {
    include!(concat!(env!("OUT_DIR"), "/stubs.rs"));
}

pub use exports::addrstr::*;
pub use exports::bytes::*;
pub use exports::data::*;
pub use exports::events::*;
pub use exports::ext::*;
pub use exports::names::*;
pub use exports::netdb::*;
pub use exports::netevents::*;
pub use exports::poll::*;
pub use exports::share::*;
pub use exports::sock::*;
pub use exports::startup::*;

/// The trace so far (the model's, with the DLL's own lines merged in), as
/// `WSD_TRACE` receives it.
pub fn trace_text() -> String {
    calls::dll_if_made()
        .map(|d| d.trace_text())
        .unwrap_or_default()
}

#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;
#[cfg(all(test, windows))]
mod tests_afd;
#[cfg(test)]
mod tests_afd_bind;
#[cfg(test)]
mod tests_afd_events;
#[cfg(test)]
mod tests_afd_recv;
#[cfg(all(test, windows))]
mod tests_iocp;
#[cfg(test)]
mod tests_ovl;
#[cfg(test)]
mod tests_pace;
