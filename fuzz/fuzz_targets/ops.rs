//! Arbitrary bytes as a program of Winsock calls on the model; every
//! invariant of `winsock_double::fuzz::invariants` must hold.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| winsock_double::fuzz::bytes::ops_target(data));
