//! Writes, from the export table (`src/table.rs`), the `.def` file that
//! names every export with its ordinal (passed to the linker for the
//! Windows GNU target), and the stubs of the exports not modelled yet.

use std::fmt::Write as _;
use std::path::PathBuf;

#[allow(dead_code)]
mod table {
    include!("src/table.rs");
}

use table::{Answer, Fail, EXPORTS};

fn main() {
    println!("cargo:rerun-if-changed=src/table.rs");
    println!("cargo:rerun-if-changed=build.rs");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));

    // Every export points at the Rust function `wsd_NAME` (the Rust side
    // never defines a symbol named like a C library function: on Linux
    // that would replace libc's `send` in every binary linking the rlib).
    let mut def = String::from("LIBRARY ws2_32.dll\nEXPORTS\n");
    for e in EXPORTS {
        match e.ordinal {
            Some(o) => writeln!(def, "    {}=wsd_{} @{o}", e.name, e.name),
            None => writeln!(def, "    {}=wsd_{}", e.name, e.name),
        }
        .expect("writing to a String");
    }
    std::fs::write(out.join("ws2_32.def"), def).expect("writing ws2_32.def");

    let mut stubs = String::new();
    for e in EXPORTS {
        let Answer::NotModelled(fail) = e.answer else {
            continue;
        };
        let (ret, fail_name) = match fail {
            Fail::SocketError => (" -> isize", "SocketError"),
            Fail::Null => (" -> usize", "Null"),
            Fail::Void => ("", "Void"),
            Fail::Code => (" -> i32", "Code"),
        };
        let tail = match fail {
            Fail::SocketError => "",
            Fail::Null => " as usize",
            Fail::Void => ";",
            Fail::Code => " as i32",
        };
        writeln!(
            stubs,
            "/// `{n}`: not modelled yet (see `docs/dll.md`); fails with `WSAEOPNOTSUPP`.\n\
             #[export_name = \"wsd_{n}\"]\n\
             pub extern \"system\" fn {n}(){ret} {{\n    \
             crate::frame::not_modelled(\"{n}\", crate::table::Fail::{fail_name}){tail}\n}}\n",
            n = e.name
        )
        .expect("writing to a String");
    }
    std::fs::write(out.join("stubs.rs"), stubs).expect("writing stubs.rs");

    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "windows" && env == "gnu" {
        // GNU ld reads a .def file given as an input: names, aliases and
        // ordinals of the exports.
        println!(
            "cargo:rustc-cdylib-link-arg={}",
            out.join("ws2_32.def").display()
        );
    }
}
