//! The import graph's cycles, for the house tests of model/ and dll/
//! (model/tests/house.rs, dll/tests/house.rs include this file).

use std::collections::{BTreeMap, BTreeSet};

/// The import cycles: strongly connected components of more than one
/// module (Tarjan's algorithm would do; the graph is small, so each pair is
/// asked whether each reaches the other).
pub fn cycles(g: &BTreeMap<String, BTreeSet<String>>) -> Vec<BTreeSet<String>> {
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

/// Each cycle of `g`, one line per module with the modules of its cycle
/// it imports: what a failing house test prints.
pub fn described(g: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    cycles(g)
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
        .collect()
}
