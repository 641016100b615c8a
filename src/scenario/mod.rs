//! Scenarios: the data format, the runner over any backend, and the
//! conformance report.
//!
//! | file | holds |
//! |---|---|
//! | `format.rs` | the serde types of a scenario file |
//! | `names.rs` | symbolic constants (`"SOL_SOCKET"`, `"MSG_PEEK"`) |
//! | `check.rs` | what a scenario must satisfy before it runs: limits, addresses, names |
//! | `outcome.rs` | [`Outcome`](outcome::Outcome): what a step gave |
//! | `expect.rs` | a step's expectation as matchers over its outcome |
//! | `runner.rs` | [`Backend`], [`run`], the per-step record and verdict |
//! | `conform.rs` | runs the corpus and reports per clause |
//! | `differential.rs` | whether a real Winsock's outcomes are ones the model gives |

pub mod check;
pub mod conform;
pub mod conform_html;
pub mod differential;
pub mod expect;
pub mod format;
pub mod names;
pub mod outcome;
pub mod runner;

pub use format::{Op, Scenario, Step};
#[cfg(windows)]
pub use runner::OsBackend;
pub use runner::{run, Backend, RunReport, SimBackend, StepError, StepRecord, Verdict};

use std::path::{Path, PathBuf};

/// A scenario file that cannot be used: where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}: {message}", location(*.line, *.column))]
pub struct ScenarioError {
    /// The file (or `<input>`).
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// What is wrong.
    pub message: String,
}

fn location(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(":{l}:{c}"),
        (Some(l), None) => format!(":{l}"),
        _ => String::new(),
    }
}

/// Parses and checks a scenario. `origin` names the file in errors.
pub fn parse(text: &str, origin: &str) -> Result<Scenario, ScenarioError> {
    let err = |line, column, message: String| ScenarioError {
        file: origin.to_string(),
        line,
        column,
        message,
    };
    let sc: Scenario = serde_json::from_str(text).map_err(|e| {
        let line = (e.line() > 0).then_some(e.line());
        let column = (e.column() > 0).then_some(e.column());
        err(
            line,
            column,
            e.to_string()
                .split(" at line ")
                .next()
                .unwrap_or_default()
                .to_string(),
        )
    })?;
    validate(&sc).map_err(|m| err(None, None, m))?;
    Ok(sc)
}

/// Checks what serde cannot: the steps (see [`check`]: sizes, times,
/// addresses, names and constants), and that the hosts and routes make a
/// network.
fn validate(sc: &Scenario) -> Result<(), String> {
    if sc.steps.is_empty() {
        return Err("`steps` is empty".into());
    }
    check::check(sc)?;
    // The hosts and routes as the model builds them (its own checks of
    // addresses, prefixes and names).
    let sim = winsock_model::Sim::new(0);
    if sc.hosts.is_empty() {
        sim.add_host("local", &[])
            .map_err(|e| format!("hosts: {e}"))?;
    }
    for h in &sc.hosts {
        let addrs: Vec<&str> = h.addrs.iter().map(String::as_str).collect();
        sim.add_host(&h.name, &addrs)
            .map_err(|e| format!("hosts: {e}"))?;
    }
    for r in &sc.routes {
        sim.add_route(&r.host, &r.prefix, r.hops)
            .map_err(|e| format!("routes: {e}"))?;
    }
    Ok(())
}

/// Reads and parses a scenario file.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let origin = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ScenarioError {
        file: origin.clone(),
        line: None,
        column: None,
        message: format!("cannot read: {e}"),
    })?;
    parse(&text, &origin)
}

/// The scenario files of a corpus directory, sorted by name.
pub fn corpus_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    v.sort();
    Ok(v)
}

/// The corpus shipped with the project (`fixtures/scenarios`).
pub fn default_corpus() -> PathBuf {
    let here = Path::new("fixtures/scenarios");
    if here.is_dir() {
        here.to_path_buf()
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/scenarios")
    }
}
