//! The conformance report: the corpus run, summed up per clause.

use super::runner::{run, Backend, RunReport, Verdict};
use super::{corpus_files, load, ScenarioError};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use winsock_model::{Scope, CLAUSES};

/// A clause's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ClauseResult {
    /// Every step citing it passed.
    Pass,
    /// A step citing it failed.
    Fail,
    /// In scope of the model but cited by no scenario.
    Untested,
    /// Its part of the model is not built yet (overlapped, threads,
    /// streams); reported, not hidden.
    Pending,
    /// Its scenarios exist but this backend cannot run them (several
    /// hosts, model settings): the OS backend only.
    #[serde(rename = "not run")]
    NotRun,
}

/// One row of the report.
#[derive(Debug, Clone, Serialize)]
pub struct ClauseRow {
    /// Clause id.
    pub id: &'static str,
    /// The rule.
    pub statement: &'static str,
    /// Where the documentation says it.
    pub source: &'static str,
    /// Which part of the model implements it.
    pub scope: Scope,
    /// Scenarios with a step citing it.
    pub scenarios: Vec<String>,
    /// The result.
    pub result: ClauseResult,
    /// Why it failed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct ConformReport {
    /// The backend.
    pub backend: String,
    /// One row per clause.
    pub clauses: Vec<ClauseRow>,
    /// Scenario runs.
    pub runs: Vec<RunReport>,
}

impl ConformReport {
    /// Counts of pass / fail / untested / pending / not run.
    pub fn counts(&self) -> [usize; 5] {
        let mut c = [0; 5];
        for r in &self.clauses {
            c[r.result as usize] += 1;
        }
        c
    }

    /// Whether nothing failed and no steps errored.
    pub fn ok(&self) -> bool {
        self.counts()[1] == 0
            && self
                .runs
                .iter()
                .all(|r| r.steps.iter().all(|s| s.verdict != Verdict::Error))
    }
}

/// Loads every scenario (`*.json`) of `dir`. The first malformed file is
/// an error, and so is a directory with none: a corpus of nothing would
/// pass and leave every clause untested.
pub fn load_corpus(dir: &Path) -> Result<Vec<super::Scenario>, ScenarioError> {
    let error = |message: String| ScenarioError {
        file: dir.display().to_string(),
        line: None,
        column: None,
        message,
    };
    let files = corpus_files(dir).map_err(|e| error(format!("cannot list the corpus: {e}")))?;
    if files.is_empty() {
        return Err(error(
            "no scenario (*.json) in this directory: a corpus of nothing tests nothing".into(),
        ));
    }
    files.iter().map(|f| load(f)).collect()
}

/// Runs the corpus on a backend (each scenario with its own seed) and
/// reports per clause.
pub fn conform<B: Backend>(make: impl Fn() -> B, corpus: &[super::Scenario]) -> ConformReport {
    conform_observed(make, corpus, |_| {})
}

/// [`conform`], telling `ran` the name of each scenario as it finishes
/// (for a progress display).
pub fn conform_observed<B: Backend>(
    make: impl Fn() -> B,
    corpus: &[super::Scenario],
    mut ran: impl FnMut(&str),
) -> ConformReport {
    let mut runs = vec![];
    let mut backend = String::new();
    for sc in corpus {
        let mut b = make();
        let r = run(&mut b, sc, sc.seed);
        ran(&sc.name);
        backend = b
            .describe()
            .split(" seed=")
            .next()
            .unwrap_or_default()
            .to_string();
        runs.push(r);
    }
    let mut cited: BTreeMap<&str, (Vec<String>, Vec<String>, bool)> = BTreeMap::new();
    for r in &runs {
        for s in r.steps.iter().filter(|s| s.verdict != Verdict::Skipped) {
            for c in &s.clauses {
                let Some(cl) = winsock_model::clauses::clause(c) else {
                    continue;
                };
                let e = cited.entry(cl.id).or_default();
                if !e.0.contains(&r.scenario) {
                    e.0.push(r.scenario.clone());
                }
                if matches!(s.verdict, Verdict::Fail | Verdict::Error) {
                    e.2 = true;
                    e.1.push(format!(
                        "{} step {}: {}",
                        r.scenario,
                        s.index,
                        s.problems.join("; ")
                    ));
                }
            }
        }
    }
    let clauses = CLAUSES
        .iter()
        .map(|c| {
            let (scenarios, problems, failed) = cited.remove(c.id).unwrap_or_default();
            let result = if failed {
                ClauseResult::Fail
            } else if !scenarios.is_empty() {
                ClauseResult::Pass
            } else if corpus.iter().any(|sc| {
                sc.steps
                    .iter()
                    .any(|st| st.clauses.iter().any(|x| x == c.id))
            }) {
                ClauseResult::NotRun
            } else if c.scope.in_scope() {
                ClauseResult::Untested
            } else {
                ClauseResult::Pending
            };
            ClauseRow {
                id: c.id,
                statement: c.statement,
                source: c.source,
                scope: c.scope,
                scenarios,
                result,
                problems,
            }
        })
        .collect();
    ConformReport {
        backend,
        clauses,
        runs,
    }
}

/// How wide the text reports are: a terminal's 100 columns.
pub const TEXT_WIDTH: usize = 100;

/// What each result word of the text reports means.
const LEGEND: &str = "pass: every step citing the clause passed; FAIL: one did not (the step \
and why below it); untested: no scenario cites it; pending: not modelled yet; not run: this \
backend cannot run the scenarios that cite it.";

/// The name of a result in the text reports.
fn result_word(r: ClauseResult) -> &'static str {
    match r {
        ClauseResult::Pass => "pass",
        ClauseResult::Fail => "FAIL",
        ClauseResult::Untested => "untested",
        ClauseResult::Pending => "pending",
        ClauseResult::NotRun => "not run",
    }
}

/// `text` wrapped to [`TEXT_WIDTH`], each line after the first indented
/// by `indent` spaces (the first by `first`).
fn wrapped(text: &str, first: usize, indent: usize) -> String {
    let (first, indent) = (" ".repeat(first), " ".repeat(indent));
    let opts = textwrap::Options::new(TEXT_WIDTH)
        .initial_indent(&first)
        .subsequent_indent(&indent)
        .break_words(true);
    let mut out = textwrap::fill(text, opts);
    out.push('\n');
    out
}

/// The report as text within [`TEXT_WIDTH`] columns: the summary and what
/// its words mean first, then the clauses that failed or are untested,
/// then (unless `only_failing`) every other clause; each with its
/// sentence, the scenarios citing it and, for a failure, the steps and
/// why.
pub fn render_text(r: &ConformReport, only_failing: bool) -> String {
    let [p, f, u, pe, nr] = r.counts();
    let mut s = format!(
        "conformance on {}: {} clauses, {} scenarios run\n  {p} pass, {f} fail, {u} untested, \
         {pe} pending, {nr} not run\n",
        r.backend,
        r.clauses.len(),
        r.runs.len()
    );
    s.push_str(&wrapped(LEGEND, 2, 2));
    let bad = |c: &&ClauseRow| matches!(c.result, ClauseResult::Fail | ClauseResult::Untested);
    let rows = r
        .clauses
        .iter()
        .filter(bad)
        .chain(r.clauses.iter().filter(|c| !only_failing && !bad(c)));
    for c in rows {
        s.push('\n');
        s.push_str(&format!("{:<8} {}\n", result_word(c.result), c.id));
        s.push_str(&wrapped(c.statement, 9, 9));
        if !matches!(c.result, ClauseResult::Pending | ClauseResult::NotRun) {
            let list = if c.scenarios.is_empty() {
                "none".to_string()
            } else {
                c.scenarios.join(", ")
            };
            s.push_str(&wrapped(&format!("scenarios: {list}"), 9, 20));
        }
        for p in &c.problems {
            s.push_str(&wrapped(&format!("! {p}"), 9, 11));
        }
    }
    s
}

/// The clause table as Markdown (what `model/CONTRACT.md` holds).
pub fn clauses_markdown() -> String {
    let mut s = String::from(
        "# The contract clauses\n\nGenerated by `winsock-double clauses --format md`; a test keeps this file equal to the table in `model/src/contract/clauses.rs`.\n",
    );
    for scope in Scope::ALL {
        let rows: Vec<_> = CLAUSES.iter().filter(|c| c.scope == scope).collect();
        s.push_str(&format!(
            "\n## {scope:?} ({} clauses)\n\n| id | statement | source |\n|---|---|---|\n",
            rows.len()
        ));
        for c in rows {
            s.push_str(&format!(
                "| `{}` | {} | {} |\n",
                c.id,
                c.statement.replace('|', "\\|"),
                c.source
            ));
        }
    }
    s
}

/// One clause, the model and a real Winsock side by side.
#[derive(Debug, Clone, Serialize)]
pub struct PairRow {
    /// Clause id.
    pub id: &'static str,
    /// The rule.
    pub statement: &'static str,
    /// Where the documentation says it.
    pub source: &'static str,
    /// Scenarios citing it that the OS ran.
    pub scenarios: Vec<String>,
    /// The OS's result against the documented expectations.
    pub result: ClauseResult,
    /// The model's result on the same corpus.
    pub model: ClauseResult,
    /// `"agree"`, `"differs"`, or `"-"` when the OS did not run it.
    pub verdict: &'static str,
    /// What the OS did differently.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
    /// Steps citing the clause where the OS's outcome is none of the
    /// model's ([`super::differential`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub outside_model: Vec<String>,
}

/// Per clause, the steps of the OS runs whose outcome the model never gave
/// (the model explores `extra` seeds besides each scenario's own). `os` is
/// the report of `corpus` on the OS backend.
pub fn outside_model(
    corpus: &[super::Scenario],
    os: &ConformReport,
    profile: winsock_model::Profile,
    extra: u64,
) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (sc, run) in corpus.iter().zip(&os.runs) {
        debug_assert_eq!(sc.name, run.scenario);
        if run.skipped.is_some() {
            continue;
        }
        let model = super::differential::model_outcomes(sc, profile, extra);
        for o in model.outside(sc, run) {
            let line = o.describe(&sc.name);
            for c in &o.clauses {
                out.entry(c.clone()).or_default().push(line.clone());
            }
        }
    }
    out
}

/// Puts a model report and an OS report of the same corpus side by side.
/// A clause agrees when the OS's result equals the model's and no step
/// citing it did what the model never does (`outside`, from
/// [`outside_model`]).
pub fn compare(
    model: &ConformReport,
    os: &ConformReport,
    outside: &BTreeMap<String, Vec<String>>,
) -> Vec<PairRow> {
    model
        .clauses
        .iter()
        .zip(&os.clauses)
        .map(|(m, o)| {
            debug_assert_eq!(m.id, o.id);
            let outside_model = outside.get(o.id).cloned().unwrap_or_default();
            let verdict = match (m.result, o.result) {
                (_, ClauseResult::NotRun | ClauseResult::Pending | ClauseResult::Untested) => "-",
                (a, b) if a == b && outside_model.is_empty() => "agree",
                _ => "differs",
            };
            PairRow {
                id: o.id,
                statement: o.statement,
                source: o.source,
                scenarios: o.scenarios.clone(),
                result: o.result,
                model: m.result,
                verdict,
                problems: o.problems.clone(),
                outside_model,
            }
        })
        .collect()
}

/// The side-by-side report as text within [`TEXT_WIDTH`] columns: the
/// summary first, then the clauses where the two differ, then (unless
/// `only_failing`) the others.
pub fn render_pairs(os: &str, rows: &[PairRow], only_failing: bool) -> String {
    let agree = rows.iter().filter(|r| r.verdict == "agree").count();
    let differs = rows.iter().filter(|r| r.verdict == "differs").count();
    let outside = rows.iter().filter(|r| !r.outside_model.is_empty()).count();
    let mut s = wrapped(
        &format!(
            "the model beside {os}: {} clauses: {agree} agree, {differs} differ, {} not run on \
             {os}; {outside} have a step where {os} did what the model never does (`~` lines).",
            rows.len(),
            rows.len() - agree - differs
        ),
        0,
        2,
    );
    s.push_str(&wrapped(
        &format!(
            "agree: the same result on both; differs: not the same (the steps below, `!` on \
             {os}); -: not run or not testable on {os}. {LEGEND}"
        ),
        2,
        2,
    ));
    let width = rows.iter().map(|r| r.id.len()).max().unwrap_or(6).max(6);
    s.push_str(&format!(
        "\n{:<width$} {:<8} {:<8} verdict\n",
        "clause", "model", os
    ));
    let differ = |r: &&PairRow| r.verdict == "differs" || !r.outside_model.is_empty();
    let shown = rows
        .iter()
        .filter(differ)
        .chain(rows.iter().filter(|r| !only_failing && !differ(r)));
    for r in shown {
        s.push_str(&format!(
            "{:<width$} {:<8} {:<8} {}\n",
            r.id,
            result_word(r.model),
            result_word(r.result),
            r.verdict
        ));
        for p in &r.problems {
            s.push_str(&wrapped(&format!("! {p}"), 4, 6));
        }
        for p in &r.outside_model {
            s.push_str(&wrapped(&format!("~ {p}"), 4, 6));
        }
    }
    s
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The report as JUnit XML: a test case per clause, failed when the clause
/// failed, skipped when pending or not run.
pub fn render_junit(r: &ConformReport) -> String {
    let [_, fail, untested, pending, not_run] = r.counts();
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n<testsuite name=\"conform {}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">\n",
        xml(&r.backend),
        r.clauses.len(),
        fail + untested,
        pending + not_run
    );
    for c in &r.clauses {
        s.push_str(&format!(
            "  <testcase classname=\"{:?}\" name=\"{}\">",
            c.scope,
            xml(c.id)
        ));
        match c.result {
            ClauseResult::Pass => {}
            ClauseResult::Fail => s.push_str(&format!(
                "<failure message=\"{}\"/>",
                xml(&c.problems.join("; "))
            )),
            ClauseResult::Untested => {
                s.push_str("<failure message=\"no scenario cites this clause\"/>")
            }
            ClauseResult::Pending | ClauseResult::NotRun => s.push_str("<skipped/>"),
        }
        s.push_str("</testcase>\n");
    }
    s.push_str("</testsuite>\n</testsuites>\n");
    s
}
