//! The shape of `model/src/sim/`: which of its modules import which, read
//! from the source (`use super::x`, `super::x::` paths, `crate::sim::x`),
//! and whether any of them import each other in a circle.
//!
//! None do (issue 18): the plain data of the rooms (`call`, `config`,
//! `events`, `handles`, `ip_opts`, `tcp`, `ovl`, `sched_state`, `socket`, `net`) is at the bottom and imports no room,
//! `world` holds it, and the rooms that add behaviour to the world
//! (`dgram`, `stream`, `message`, `urgent`, `overlapped`, `sched`, ...)
//! import the world and the data, never back.

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

/// The import cycles: strongly connected components of more than one
/// module (Tarjan's algorithm would do; the graph is small, so each pair is
/// asked whether each reaches the other).
fn cycles(g: &BTreeMap<String, BTreeSet<String>>) -> Vec<BTreeSet<String>> {
    let reach = |from: &str| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.to_string()];
        while let Some(m) = todo.pop() {
            for n in g.get(&m).into_iter().flatten() {
                if seen.insert(n.clone()) {
                    todo.push(n.clone());
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&String, BTreeSet<String>> = g.keys().map(|m| (m, reach(m))).collect();
    let mut out: Vec<BTreeSet<String>> = vec![];
    for m in g.keys() {
        if out.iter().any(|c| c.contains(m)) {
            continue;
        }
        let c: BTreeSet<String> = g
            .keys()
            .filter(|n| *n == m || (reaches[m].contains(*n) && reaches[*n].contains(m)))
            .cloned()
            .collect();
        if c.len() > 1 {
            out.push(c);
        }
    }
    out
}

#[test]
fn the_sim_modules_import_each_other_in_no_circle() {
    let g = imports();
    assert!(g.len() > 10, "the reader found the modules: {g:?}");
    let found: Vec<String> = cycles(&g)
        .iter()
        .map(|c| {
            c.iter()
                .map(|m| {
                    let to: Vec<&String> = g[m].iter().filter(|n| c.contains(*n)).collect();
                    format!("  {m} -> {to:?}")
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect();
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
    assert_eq!(cycles(&toy), vec![set(&["a", "b"])]);
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
