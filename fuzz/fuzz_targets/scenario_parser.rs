//! Arbitrary text as a scenario file: it parses or is refused with an
//! error, and what parses runs on the model without a panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    winsock_double::fuzz::bytes::scenario_parser_target(data)
});
