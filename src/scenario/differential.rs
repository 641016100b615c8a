//! The differential: is a real Winsock's trace one the model allows?
//!
//! A scenario's expectations say what the documentation allows; the model
//! passes them under every seed. A real Winsock is checked against them too
//! (the conformance report), and here, in addition, against the model's own
//! outcomes: the model runs the scenario under several seeds, which explore
//! its documented nondeterminism (completion order, short reads, immediate
//! or pending completion), and each OS step's outcome must be one of the
//! outcomes the model gave at that step. Allowed nondeterminism is thus
//! not a difference, and a behaviour the documentation allows but the
//! model never produces is reported (the model would then never fuzz code
//! against it).
//!
//! What is compared of an outcome ([`project`]): its result, byte count,
//! data, buffers, flags, wait, routines (as a set: they may run in any
//! order), packets, `Control.len` and `namelen`. Left out are values that
//! depend on the machine rather than the contract: addresses and control
//! objects (ephemeral ports, interface indexes) and option values (default
//! buffer sizes), unless the step's expectation names them, in which case
//! the expectation has already compared them. Where an expectation states
//! a range (`bytes_at_most`, `prefix`), the byte count and data are left
//! to it too: any length in the range is allowed.

use super::format::{Expect, Op, Scenario, Step};
use super::runner::{run, Outcome, RunReport, SimBackend, Verdict};
use std::collections::{BTreeMap, BTreeSet};

/// How many seeds the model explores per scenario by default (besides the
/// scenario's own).
pub const DEFAULT_SEEDS: u64 = 16;

/// A step's place in a run: its index, its op (`thread: op` inside a
/// thread), and how many records with the same index and op came before.
type Key = (usize, String, usize);

/// The outcomes the model gave, per step, over several seeds.
#[derive(Debug, Clone, Default)]
pub struct ModelOutcomes {
    seeds: u64,
    steps: BTreeMap<Key, BTreeSet<String>>,
}

/// A step where the OS did what the model never did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outside {
    /// The step's index in the scenario.
    pub index: usize,
    /// Clause ids the step cites.
    pub clauses: Vec<String>,
    /// What the OS did, projected.
    pub os: String,
    /// What the model did at that step, projected (each distinct outcome).
    pub model: Vec<String>,
}

impl Outside {
    /// One line for a report.
    pub fn describe(&self, scenario: &str) -> String {
        format!(
            "{scenario} step {}: the OS gave {{{}}}, which the model never gives there; the model: {}",
            self.index,
            self.os,
            self.model
                .iter()
                .map(|m| format!("{{{m}}}"))
                .collect::<Vec<_>>()
                .join(" or ")
        )
    }
}

/// Each step's expectation, by [`Key`], thread steps included.
fn expectations(sc: &Scenario) -> BTreeMap<Key, Option<&Expect>> {
    fn walk<'s>(
        list: &'s [Step],
        thread: Option<(&str, usize)>,
        out: &mut BTreeMap<Key, Option<&'s Expect>>,
        seen: &mut BTreeMap<(usize, String), usize>,
    ) {
        for (i, step) in list.iter().enumerate() {
            let (index, op) = match thread {
                Some((t, at)) => (at, format!("{t}: {}", step.op.name())),
                None => (i, step.op.name()),
            };
            let n = seen.entry((index, op.clone())).or_default();
            out.insert((index, op, *n), step.expect.as_ref());
            *n += 1;
            if let Op::Spawn { thread: t, steps } = &step.op {
                walk(steps, Some((t, index)), out, seen);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(&sc.steps, None, &mut out, &mut BTreeMap::new());
    out
}

/// The keys of a run's records, in record order.
fn keys(r: &RunReport) -> Vec<Key> {
    let mut seen: BTreeMap<(usize, String), usize> = BTreeMap::new();
    r.steps
        .iter()
        .map(|s| {
            let n = seen.entry((s.index, s.op.clone())).or_default();
            let k = (s.index, s.op.clone(), *n);
            *n += 1;
            k
        })
        .collect()
}

/// The part of an outcome compared between backends (see the module doc).
pub fn project(o: &Outcome, e: Option<&Expect>) -> String {
    let ranged = e.is_some_and(|e| e.bytes_at_most.is_some() || e.prefix.is_some());
    let mut parts = vec![format!("result={}", o.result)];
    if !ranged {
        if let Some(b) = o.bytes {
            parts.push(format!("bytes={b}"));
        }
        if let Some(d) = &o.data {
            parts.push(format!("data={d}"));
        }
        if let Some(b) = &o.buffers {
            parts.push(format!("buffers={}", b.join(" ")));
        }
    }
    if let Some(f) = &o.flags {
        let mut f = f.clone();
        f.sort();
        parts.push(format!("flags={}", f.join("|")));
    }
    if let Some(w) = &o.wait {
        parts.push(format!("wait={w}"));
    }
    if let Some(r) = &o.routines {
        let mut r = r.clone();
        r.sort();
        parts.push(format!("routines=[{}]", r.join("; ")));
    }
    if let Some(p) = &o.packets {
        parts.push(format!("packets=[{}]", p.join("; ")));
    }
    if let Some(l) = o.control_len {
        parts.push(format!("control_len={l}"));
    }
    if let Some(l) = o.namelen {
        parts.push(format!("namelen={l}"));
    }
    parts.join(" ")
}

/// Runs `sc` on the model under its own seed and `extra` more seeds, and
/// keeps each step's distinct outcomes.
pub fn model_outcomes(sc: &Scenario, profile: winsock_model::Profile, extra: u64) -> ModelOutcomes {
    let exp = expectations(sc);
    let mut out = ModelOutcomes {
        seeds: extra + 1,
        steps: BTreeMap::new(),
    };
    let seeds = std::iter::once(sc.seed).chain((1..=extra).map(|k| sc.seed.wrapping_add(k)));
    for seed in seeds {
        let r = run(&mut SimBackend::with_profile(profile), sc, seed);
        for (k, s) in keys(&r).into_iter().zip(&r.steps) {
            if matches!(s.verdict, Verdict::Skipped | Verdict::Error) {
                continue;
            }
            let e = exp.get(&k).copied().flatten();
            out.steps
                .entry(k)
                .or_default()
                .insert(project(&s.outcome, e));
        }
    }
    out
}

impl ModelOutcomes {
    /// How many seeds were explored.
    pub fn seeds(&self) -> u64 {
        self.seeds
    }

    /// Adds `other`'s outcomes (runs of the same steps, for example under
    /// other model settings) to these.
    pub fn merge(&mut self, other: ModelOutcomes) {
        self.seeds += other.seeds;
        for (k, v) in other.steps {
            self.steps.entry(k).or_default().extend(v);
        }
    }

    /// The OS run's steps whose outcome the model never gave. Steps the OS
    /// did not run (skipped, errored) and steps the model did not run are
    /// not compared. Nor is anything after a step the OS did not make but
    /// the model did (not as a misuse report, which changes nothing): from
    /// there the two runs go on from different states (found by the
    /// differential property: a receive refused on the OS left a datagram
    /// the model had taken).
    pub fn outside(&self, sc: &Scenario, os: &RunReport) -> Vec<Outside> {
        let exp = expectations(sc);
        let mut out = vec![];
        for (k, s) in keys(os).into_iter().zip(&os.steps) {
            let model = self.steps.get(&k);
            if matches!(s.verdict, Verdict::Skipped | Verdict::Error) {
                let model_made_it =
                    model.is_some_and(|m| m.iter().any(|o| !o.starts_with("result=model:")));
                if model_made_it {
                    break;
                }
                continue;
            }
            let Some(model) = model else { continue };
            let got = project(&s.outcome, exp.get(&k).copied().flatten());
            if !model.contains(&got) {
                out.push(Outside {
                    index: s.index,
                    clauses: s.clauses.clone(),
                    os: got,
                    model: model.iter().cloned().collect(),
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::parse;

    const SC: &str = r#"{
        "name": "t", "seed": 3,
        "steps": [
            {"op": "startup"},
            {"op": "socket", "name": "s", "af": "AF_INET", "type": "SOCK_DGRAM", "protocol": "IPPROTO_UDP"},
            {"op": "bind", "socket": "s", "addr": "127.0.0.1:0"},
            {"op": "send_to", "socket": "s", "to": {"socket": "s"}, "data": "hello"},
            {"op": "recv_msg", "socket": "s", "buffers": [2], "expect": {"result": "WSAEMSGSIZE"}}
        ]
    }"#;

    #[test]
    fn the_models_own_run_is_inside_and_an_altered_one_is_not() {
        let sc = parse(SC, "<test>").unwrap();
        let m = model_outcomes(&sc, winsock_model::Profile::documented(), 4);
        assert_eq!(m.seeds(), 5);
        let mut os = run(&mut SimBackend::default(), &sc, 99);
        assert!(m.outside(&sc, &os).is_empty());
        // A Winsock that returns the whole datagram where the model
        // truncates is outside, at that step only.
        let last = os.steps.last_mut().unwrap();
        last.outcome.result = "ok".into();
        last.outcome.bytes = Some(5);
        let out = m.outside(&sc, &os);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].index, 4);
        assert!(out[0].os.starts_with("result=ok bytes=5"), "{}", out[0].os);
        assert!(out[0].model[0].starts_with("result=WSAEMSGSIZE"));
        // Had the OS not made the send (a refused step) that the model
        // made, the receive after it ran from another state: not compared.
        os.steps[3].verdict = Verdict::Skipped;
        assert!(m.outside(&sc, &os).is_empty());
        // A refusal where the model reports misuse changes nothing.
        let mut misuse = m.clone();
        misuse.steps.insert(
            keys(&os)[3].clone(),
            ["result=model:misuse".to_string()].into(),
        );
        let out = misuse.outside(&sc, &os);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].index, 4);
    }

    #[test]
    fn routines_compare_as_a_set_and_addresses_are_left_out() {
        let a = Outcome {
            result: "ok".into(),
            routines: Some(vec!["ovl=2 ok".into(), "ovl=1 ok".into()]),
            from: Some("127.0.0.1:50000".into()),
            ..Outcome::default()
        };
        let b = Outcome {
            routines: Some(vec!["ovl=1 ok".into(), "ovl=2 ok".into()]),
            from: Some("127.0.0.1:61000".into()),
            ..a.clone()
        };
        assert_eq!(project(&a, None), project(&b, None));
        let c = Outcome {
            bytes: Some(3),
            ..a.clone()
        };
        assert_ne!(project(&a, None), project(&c, None));
    }
}
