//! The shape of `model/src/sim/`: which of its modules import which, read
//! from the source (`use super::x`, `super::x::` paths, `crate::sim::x`),
//! and whether any of them import each other in a circle.
//!
//! None do (issue 18): the plain data of the rooms (`call`, `config`,
//! `events`, `handles`, `ip_opts`, `tcp`, `ovl`, `sched_state`, `socket`, `net`) is at the bottom and imports no room,
//! `world` holds it, and the rooms that add behaviour to the world
//! (`dgram`, `stream`, `message`, `urgent`, `overlapped`, `sched`, ...)
//! import the world and the data, never back.

mod graph;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// `module -> modules it names`, for the files of `model/src/sim/`.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/sim");
    let mut files = BTreeMap::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "rs") {
            let m = p.file_stem().unwrap().to_string_lossy().into_owned();
            files.insert(m, std::fs::read_to_string(&p).unwrap());
        }
    }
    let modules: BTreeSet<String> = files.keys().filter(|m| *m != "mod").cloned().collect();
    let mut out = BTreeMap::new();
    for (m, text) in &files {
        let mut to = BTreeSet::new();
        for line in text.lines() {
            let code = line.split("//").next().unwrap_or("");
            for prefix in ["super::", "crate::sim::"] {
                for (at, _) in code.match_indices(prefix) {
                    let rest = &code[at + prefix.len()..];
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    // `use super::{a, b::C}` names several.
                    if let Some(group) = rest.strip_prefix('{') {
                        let inner = group.split('}').next().unwrap_or("");
                        for part in inner.split(',') {
                            let n = part.trim().split("::").next().unwrap_or("").trim();
                            if modules.contains(n) {
                                to.insert(n.to_string());
                            }
                        }
                    } else if modules.contains(&name) {
                        to.insert(name);
                    }
                }
            }
        }
        // `mod.rs` is the parent: its children name it as `super`.
        if m == "mod" {
            continue;
        }
        to.remove(m);
        out.insert(m.clone(), to);
    }
    out
}

#[test]
fn the_sim_modules_import_each_other_in_no_circle() {
    let g = imports();
    assert!(g.len() > 10, "the reader found the modules: {g:?}");
    let found = graph::described(&g);
    assert!(
        found.is_empty(),
        "import cycles in model/src/sim:\n{}",
        found.join("\n\n")
    );
    // The plain-data modules import no room that adds behaviour.
    const DATA: [&str; 12] = [
        "call",
        "table",
        "pcap",
        "handles",
        "ip_opts",
        "config",
        "events",
        "tcp",
        "ovl",
        "sched_state",
        "socket",
        "net",
    ];
    for data in DATA {
        let rooms: Vec<&String> = g[data]
            .iter()
            .filter(|n| !DATA.contains(&n.as_str()) && !["rng", "trace"].contains(&n.as_str()))
            .collect();
        assert!(rooms.is_empty(), "{data} imports {rooms:?}");
    }
}

#[test]
fn the_reader_sees_imports_and_cycles() {
    let g = imports();
    // world.rs takes the socket table from socket.rs.
    assert!(g["world"].contains("socket"), "{:?}", g["world"]);
    let mut toy = BTreeMap::new();
    let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    toy.insert("a".to_string(), set(&["b"]));
    toy.insert("b".to_string(), set(&["a", "c"]));
    toy.insert("c".to_string(), set(&[]));
    assert_eq!(graph::cycles(&toy), vec![set(&["a", "b"])]);
}

/// Small rooms: no file of `model/src/sim/` grows past 600 lines (a file
/// that would is split by what its parts do, as `stream*.rs` and `host*.rs`
/// were).
#[test]
fn no_room_is_over_600_lines() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/sim");
    let mut long = vec![];
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "rs") {
            let n = std::fs::read_to_string(&p).unwrap().lines().count();
            if n > 600 {
                long.push(format!("{} ({n} lines)", p.display()));
            }
        }
    }
    long.sort();
    assert!(long.is_empty(), "files over 600 lines: {long:?}");
}
