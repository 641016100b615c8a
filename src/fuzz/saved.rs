//! Saved runs and their replay; failing cases saved as scenarios.
//!
//! A [`SavedRun`] is a scenario, the seed and profile it ran with, and what
//! the run gave (every step's record and the model's trace). Replaying it
//! runs the scenario again and compares, byte for byte: the model is
//! deterministic, so any difference is a change in the model (or a
//! platform difference, which would be a bug). `winsock-double run FILE
//! --save OUT` writes one; `winsock-double replay OUT` checks it.

use crate::scenario::format::Scenario;
use crate::scenario::runner::{run, RunReport, SimBackend, StepRecord};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use winsock_model::Profile;

/// The saved-run format's version.
pub const FORMAT: u32 = 1;

/// A run, saved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedRun {
    /// [`FORMAT`].
    pub format: u32,
    /// The seed.
    pub seed: u64,
    /// The profile.
    pub profile: Profile,
    /// The program.
    pub scenario: Scenario,
    /// What each step gave.
    pub steps: Vec<StepRecord>,
    /// The model's trace.
    pub trace: Vec<String>,
}

/// Why a saved run cannot be used, or how its replay differs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    /// The file cannot be read or is not a saved run.
    #[error("{file}: {message}")]
    Bad {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// The replay gave something else.
    #[error("the replay differs from the saved run: {0}")]
    Differs(String),
}

impl SavedRun {
    /// Runs `sc` with `seed` under `profile` and keeps what it gave.
    pub fn record(sc: &Scenario, seed: u64, profile: Profile) -> SavedRun {
        SavedRun::from_report(
            sc,
            profile,
            &run(&mut SimBackend::with_profile(profile), sc, seed),
        )
    }

    /// A saved run from a report of `sc` on the model.
    pub fn from_report(sc: &Scenario, profile: Profile, r: &RunReport) -> SavedRun {
        SavedRun {
            format: FORMAT,
            seed: r.seed,
            profile,
            scenario: sc.clone(),
            steps: r.steps.clone(),
            trace: r.trace.clone(),
        }
    }

    /// Writes it as pretty JSON.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let text = serde_json::to_string_pretty(self).expect("a saved run serialises");
        std::fs::write(path, text + "\n")
    }

    /// Reads a saved run.
    pub fn load(path: &Path) -> Result<SavedRun, ReplayError> {
        let bad = |message: String| ReplayError::Bad {
            file: path.display().to_string(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| bad(format!("cannot read: {e}")))?;
        let v: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| bad(format!("{}:{}: {e}", e.line(), e.column())))?;
        match v.get("format").and_then(|f| f.as_u64()) {
            Some(f) if f == u64::from(FORMAT) => {}
            Some(f) => return Err(bad(format!("saved-run format {f}; this build reads {FORMAT}"))),
            None if v.get("steps").is_some() && v.get("scenario").is_none() => {
                return Err(bad(
                    "this is a scenario, not a saved run: `winsock-double run FILE --save OUT` makes one"
                        .into(),
                ))
            }
            None => return Err(bad("not a saved run (no `format` field)".into())),
        }
        serde_json::from_value(v).map_err(|e| bad(e.to_string()))
    }

    /// Runs the program again and compares step by step, then the trace.
    pub fn replay(&self) -> Result<(), ReplayError> {
        let again = SavedRun::record(&self.scenario, self.seed, self.profile);
        for (k, (a, b)) in self.steps.iter().zip(&again.steps).enumerate() {
            if a != b {
                return Err(ReplayError::Differs(format!(
                    "record {k} (step {} {}): saved {}, now {}",
                    a.index,
                    a.op,
                    serde_json::to_string(&a.outcome).unwrap_or_default(),
                    serde_json::to_string(&b.outcome).unwrap_or_default()
                )));
            }
        }
        if self.steps.len() != again.steps.len() {
            return Err(ReplayError::Differs(format!(
                "saved {} step records, now {}",
                self.steps.len(),
                again.steps.len()
            )));
        }
        for (k, (a, b)) in self.trace.iter().zip(&again.trace).enumerate() {
            if a != b {
                return Err(ReplayError::Differs(format!(
                    "trace line {k}: saved `{a}`, now `{b}`"
                )));
            }
        }
        if self.trace.len() != again.trace.len() {
            return Err(ReplayError::Differs(format!(
                "saved {} trace lines, now {}",
                self.trace.len(),
                again.trace.len()
            )));
        }
        Ok(())
    }
}

/// Where failing cases are written: `$WINSOCK_DOUBLE_FAILURES`, or
/// `target/fuzz-failures` under the current directory.
pub fn failure_dir() -> PathBuf {
    std::env::var_os("WINSOCK_DOUBLE_FAILURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/fuzz-failures"))
}

/// Writes a failing case as a scenario in the fixtures format, named
/// `<name>.json` in [`failure_dir`], with `why` as its description. A
/// property calls it on every failure, so after shrinking the file holds
/// the smallest failing case. Returns the path.
pub fn save_failure(name: &str, sc: &Scenario, profile: Profile, why: &str) -> PathBuf {
    let mut sc = sc.clone();
    sc.name = name.to_string();
    sc.description = format!("{why} (profile {profile}; found by a property, shrunk by proptest)");
    let path = failure_dir().join(format!("{name}.json"));
    let text = serde_json::to_string_pretty(&sc).expect("a scenario serialises");
    // A failure to write is reported in the path's place, not hidden: the
    // property's own message still says what failed.
    if let Err(e) =
        std::fs::create_dir_all(failure_dir()).and_then(|_| std::fs::write(&path, text + "\n"))
    {
        return PathBuf::from(format!("<not saved: {e}>"));
    }
    path
}
