//! The shape of `model/src/sim/`: which of its modules import which, read
//! from the source (`use super::x`, `super::x::` paths, `crate::sim::x`),
//! and the import cycles among them.
//!
//! Issue 18 asks for none. Today one cycle of eight modules is left (the
//! call pipeline in `dgram.rs` and the transports and kernel objects it
//! hops between); it is written down below, and this test fails when a
//! cycle grows, a new one appears, or the known one shrinks without the
//! list being brought down with it. The list only ever gets shorter.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The modules of the one cycle still allowed (issue 18 removes it).
const KNOWN_CYCLE: &[&str] = &[
    "dgram",
    "message",
    "overlapped",
    "sched",
    "socket",
    "stream",
    "urgent",
    "world",
];

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
fn the_sim_modules_have_no_import_cycle_but_the_known_one() {
    let g = imports();
    assert!(g.len() > 10, "the reader found the modules: {g:?}");
    let found = cycles(&g);
    let known: BTreeSet<String> = KNOWN_CYCLE.iter().map(|s| s.to_string()).collect();
    let describe = |c: &BTreeSet<String>| {
        c.iter()
            .map(|m| {
                let to: Vec<&String> = g[m].iter().filter(|n| c.contains(*n)).collect();
                format!("  {m} -> {to:?}")
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    for c in &found {
        assert!(
            c.is_subset(&known),
            "an import cycle beyond the known one:\n{}",
            describe(c)
        );
    }
    let left: BTreeSet<String> = found.into_iter().flatten().collect();
    assert_eq!(
        left, known,
        "the known cycle changed: bring KNOWN_CYCLE down to what is left"
    );
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
