//! The C ABI functions. Each is `pub unsafe extern "system"` under its
//! Windows name, with the symbol `wsd_NAME` (the `.def` file exports it
//! as `NAME`), so that Rust code and tests can call them as C would.
//!
//! A function that takes pointers is `unsafe`: its contract is Winsock's
//! (the pointers are `NULL` or valid for the lengths given), and what the
//! DLL checks of them is said in `mem.rs`.

pub mod addrquery;
pub mod addrstr;
pub mod bytes;
pub mod data;
pub mod events;
pub mod ext;
pub mod ioctl;
pub mod names;
pub mod netdb;
pub mod netevents;
pub mod poll;
pub mod share;
pub mod sock;
pub mod startup;
pub mod transmit;
