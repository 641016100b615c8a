//! The shape of `dll/src/`: which of its modules import which, read from
//! the source (`crate::x` paths, `use crate::{a, b}`, and `super::x` in
//! `exports/`), and whether any of them import each other in a circle.
//!
//! None do: the error type of an export (`fault`), the OS calls (`os`)
//! and program memory (`mem`) are at the bottom; the registry of the
//! program's operations is plain data (`ops`) under the process-wide
//! model (`calls`); posting and delivery (`ovl`), then `AcceptEx`
//! (`accept`, which delivers through `ovl`), then what moves the model on
//! and hands its completions and network events to the program (`settle`,
//! `netsel`), then the frame of every exported call (`frame`) and the
//! exports, each importing only what is below it.

#[path = "../../model/tests/graph/mod.rs"]
mod graph;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The module a path names: `crate::ovl::x` is `ovl`, `crate::exports::data`
/// is `exports/data`; `super::data` in a file of `exports/` is
/// `exports/data`, `super::x` in a top-level file `x`. `None`: no module
/// of `dll/src/` (an item of the crate root, `super::*` in a test module).
fn target(
    rest: &str,
    in_exports: bool,
    via_super: bool,
    modules: &BTreeSet<String>,
) -> Option<String> {
    let mut parts = rest
        .split("::")
        .map(|p| p.trim().trim_start_matches('{').trim());
    let first: String = parts
        .next()?
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let name = if via_super && in_exports {
        format!("exports/{first}")
    } else if first == "exports" {
        let second: String = parts
            .next()
            .unwrap_or("")
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        format!("exports/{second}")
    } else {
        first
    };
    modules.contains(&name).then_some(name)
}

/// `module -> modules it names`, for the files of `dll/src/` and
/// `dll/src/exports/` (`lib.rs` and `exports/mod.rs` are the parents, and
/// are left out: their children name them as `crate` and `super`).
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = BTreeMap::new();
    for (dir, prefix) in [(src.clone(), ""), (src.join("exports"), "exports/")] {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "rs") {
                let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
                if stem == "lib" || stem == "mod" {
                    continue;
                }
                files.insert(
                    format!("{prefix}{stem}"),
                    std::fs::read_to_string(&p).unwrap(),
                );
            }
        }
    }
    let modules: BTreeSet<String> = files.keys().cloned().collect();
    let mut out = BTreeMap::new();
    for (m, text) in &files {
        let in_exports = m.starts_with("exports/");
        let mut to = BTreeSet::new();
        for line in text.lines() {
            let code = line.split("//").next().unwrap_or("");
            for (prefix, via_super) in [("crate::", false), ("super::", true)] {
                for (at, _) in code.match_indices(prefix) {
                    // `ws2_32::` or a longer name ending in `crate::` is no path of ours.
                    if code[..at]
                        .chars()
                        .last()
                        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
                    {
                        continue;
                    }
                    let rest = &code[at + prefix.len()..];
                    // `use crate::{a, b::C}` names several.
                    if let Some(group) = rest.strip_prefix('{') {
                        let inner = group.split('}').next().unwrap_or("");
                        for part in inner.split(',') {
                            if let Some(n) = target(part, in_exports, via_super, &modules) {
                                to.insert(n);
                            }
                        }
                    } else if let Some(n) = target(rest, in_exports, via_super, &modules) {
                        to.insert(n);
                    }
                }
            }
        }
        to.remove(m);
        out.insert(m.clone(), to);
    }
    out
}

#[test]
fn the_dll_modules_import_each_other_in_no_circle() {
    let g = imports();
    assert!(g.len() > 15, "the reader found the modules: {g:?}");
    let found = graph::described(&g);
    assert!(
        found.is_empty(),
        "import cycles in dll/src:\n{}",
        found.join("\n\n")
    );
    // The bottom layers import nothing above them.
    for (low, may) in [
        ("fault", &[][..]),
        ("os", &[][..]),
        ("mem", &["fault", "os"][..]),
        ("ops", &["os"][..]),
    ] {
        let above: Vec<&String> = g[low]
            .iter()
            .filter(|n| !may.contains(&n.as_str()))
            .collect();
        assert!(above.is_empty(), "{low} imports {above:?}");
    }
}

#[test]
fn the_reader_sees_imports_and_cycles() {
    let g = imports();
    // What the files say today, one of each form of path.
    assert!(g["ovl"].contains("calls"), "{:?}", g["ovl"]); // use crate::calls::Dll
    assert!(g["ovl"].contains("mem"), "{:?}", g["ovl"]); // use crate::{mem, os}
    assert!(
        g["exports/netdb"].contains("exports/names"),
        "{:?}",
        g["exports/netdb"]
    ); // super::names
    assert!(
        g["exports/sock"].contains("accept"),
        "{:?}",
        g["exports/sock"]
    ); // crate::accept::abort(..)
    assert!(!g["calls"].contains("calls"));
    let mut toy = BTreeMap::new();
    let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    toy.insert("a".to_string(), set(&["b"]));
    toy.insert("b".to_string(), set(&["a", "c"]));
    toy.insert("c".to_string(), set(&[]));
    assert_eq!(graph::cycles(&toy), vec![set(&["a", "b"])]);
}
