//! Where a clause is cited: the lines of the model that enforce it, the
//! tests that check it, and the scenario steps that exercise it.
//!
//! A clause id is cited as a whole word (`RECV-OOB` is not cited by
//! `RECV-OOB-INLINE`): in a comment of `model/src/sim/` or `src/os/` at the
//! line that makes the rule hold, on any line of a test file, and in the
//! `clauses` of a scenario step. A clause no single line enforces is listed
//! in [`NOT_ENFORCED_AT_A_LINE`](crate::clauses::NOT_ENFORCED_AT_A_LINE)
//! with the reason. `winsock-double clauses --where ID` prints what
//! [`find`] gives; `tests/corpus.rs` holds every clause to a citing model
//! line or a listed reason.
//!
//! The search reads the source tree at run time: [`source_root`] finds it.
//!
//! ```
//! use winsock_double::cite;
//! let c = cite::find(&cite::source_root(), "RECVMSG-TRUNC-DGRAM").unwrap();
//! assert!(c.model.iter().any(|l| l.path == "model/src/sim/dgram_recv.rs"));
//! assert!(cite::find(&cite::source_root(), "RECV-NO-SUCH-RULE").is_err());
//! ```

use crate::clauses::{self, Clause};
use std::path::{Path, PathBuf};

/// The directories of the model's lines (searched with their
/// subdirectories): the simulated stack and the OS backend.
pub const MODEL_DIRS: &[&str] = &["model/src/sim", "src/os"];

/// The directories whose `.rs` files are tests (searched with their
/// subdirectories: a test binary of several files, `tests/overlapped/`).
pub const TEST_DIRS: &[&str] = &["tests", "model/tests"];

/// The scenario corpus.
pub const SCENARIO_DIR: &str = "fixtures/scenarios";

/// One line of a source file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Line {
    /// The file, relative to the source root, with `/` separators.
    pub path: String,
    /// 1-based line number.
    pub line: usize,
    /// The line, without its indentation.
    pub text: String,
}

/// The steps of one scenario file that cite a clause.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ScenarioSteps {
    /// The file, relative to the source root, with `/` separators.
    pub path: String,
    /// The scenario's name.
    pub name: String,
    /// The indexes of the citing steps (`steps[i]`, from 0).
    pub steps: Vec<usize>,
}

/// Everything that cites one clause.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Citations {
    /// The clause.
    pub clause: &'static Clause,
    /// The comment lines of the model and the OS backend that cite it.
    pub model: Vec<Line>,
    /// Why no line enforces it, when it is listed in
    /// [`NOT_ENFORCED_AT_A_LINE`](crate::clauses::NOT_ENFORCED_AT_A_LINE).
    pub not_enforced: Option<&'static str>,
    /// The lines of test files that cite it.
    pub tests: Vec<Line>,
    /// The scenarios whose steps cite it.
    pub scenarios: Vec<ScenarioSteps>,
}

/// Why a search found nothing to show.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CiteError {
    /// The id is no clause's.
    #[error("no clause `{0}` (`winsock-double clauses` lists them)")]
    UnknownClause(String),
    /// A file or directory of the source tree could not be read.
    #[error("cannot read {path}: {message}")]
    Read {
        /// The file or directory.
        path: String,
        /// What went wrong.
        message: String,
    },
}

/// The source tree: the current directory when it has `model/src` (a
/// checkout), else the one this crate was built from.
pub fn source_root() -> PathBuf {
    if Path::new("model/src").is_dir() {
        PathBuf::from(".")
    } else {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    }
}

/// Whether `text` cites `id` as a whole word: no letter, digit or `-`
/// right before or after it.
pub fn cites(text: &str, id: &str) -> bool {
    let part = |c: Option<char>| c.is_some_and(|c| c == '-' || c.is_ascii_alphanumeric());
    !id.is_empty()
        && text.match_indices(id).any(|(i, _)| {
            !part(text[..i].chars().next_back()) && !part(text[i + id.len()..].chars().next())
        })
}

/// The comment of a source line: from its first `//` on (`///` and `//!`
/// included).
pub fn comment(line: &str) -> Option<&str> {
    line.find("//").map(|i| &line[i..])
}

fn read_error(path: &Path, e: impl std::fmt::Display) -> CiteError {
    CiteError::Read {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// `path` relative to `root`, with `/` separators.
fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// The `.rs` files of `dir` and of its subdirectories, in path order.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), CiteError> {
    let entries = std::fs::read_dir(dir).map_err(|e| read_error(dir, e))?;
    let mut paths = vec![];
    for e in entries {
        paths.push(e.map_err(|e| read_error(dir, e))?.path());
    }
    paths.sort();
    for p in paths {
        if p.is_dir() {
            rust_files(&p, out)?;
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
    Ok(())
}

/// Every line of the `.rs` files under `dirs` of `root`.
fn lines_under(root: &Path, dirs: &[&str]) -> Result<Vec<Line>, CiteError> {
    let mut files = vec![];
    for d in dirs {
        rust_files(&root.join(d), &mut files)?;
    }
    let mut out = vec![];
    for f in files {
        let text = std::fs::read_to_string(&f).map_err(|e| read_error(&f, e))?;
        let path = relative(root, &f);
        out.extend(text.lines().enumerate().map(|(i, l)| Line {
            path: path.clone(),
            line: i + 1,
            text: l.trim().to_string(),
        }));
    }
    Ok(out)
}

/// The comment lines of the model and the OS backend ([`MODEL_DIRS`]).
pub fn model_comments(root: &Path) -> Result<Vec<Line>, CiteError> {
    let mut lines = lines_under(root, MODEL_DIRS)?;
    lines.retain(|l| comment(&l.text).is_some());
    Ok(lines)
}

/// The lines of the test files ([`TEST_DIRS`]).
pub fn test_lines(root: &Path) -> Result<Vec<Line>, CiteError> {
    lines_under(root, TEST_DIRS)
}

/// Whether a model line cites `id` in its comment.
pub fn model_line_cites(l: &Line, id: &str) -> bool {
    comment(&l.text).is_some_and(|c| cites(c, id))
}

/// The scenarios of the corpus ([`SCENARIO_DIR`]) with their steps that
/// cite `id`.
pub fn scenario_steps(root: &Path, id: &str) -> Result<Vec<ScenarioSteps>, CiteError> {
    let dir = root.join(SCENARIO_DIR);
    let files = crate::scenario::corpus_files(&dir).map_err(|e| read_error(&dir, e))?;
    let mut out = vec![];
    for f in files {
        let sc = crate::scenario::load(&f).map_err(|e| read_error(&f, e))?;
        let steps: Vec<usize> = sc
            .steps
            .iter()
            .enumerate()
            .filter(|(_, st)| st.clauses.iter().any(|c| c == id))
            .map(|(i, _)| i)
            .collect();
        if !steps.is_empty() {
            out.push(ScenarioSteps {
                path: relative(root, &f),
                name: sc.name,
                steps,
            });
        }
    }
    Ok(out)
}

/// Everything under `root` that cites clause `id`.
pub fn find(root: &Path, id: &str) -> Result<Citations, CiteError> {
    let clause = clauses::clause(id).ok_or_else(|| CiteError::UnknownClause(id.to_string()))?;
    let mut model = model_comments(root)?;
    model.retain(|l| model_line_cites(l, id));
    let mut tests = test_lines(root)?;
    tests.retain(|l| cites(&l.text, id));
    Ok(Citations {
        clause,
        model,
        not_enforced: clauses::not_enforced_reason(id),
        tests,
        scenarios: scenario_steps(root, id)?,
    })
}

/// [`Citations`] for people: the clause, then its model lines, tests and
/// scenarios, a `path:line: text` line each.
pub fn render_text(c: &Citations) -> String {
    let mut s = format!(
        "{} ({}, {})\n{}\n",
        c.clause.id,
        c.clause.scope.name(),
        c.clause.source,
        c.clause.statement
    );
    let lines = |s: &mut String, title: &str, v: &[Line], none: &str| {
        s.push_str(&format!("\n{title}:\n"));
        if v.is_empty() {
            s.push_str(&format!("  {none}\n"));
        }
        for l in v {
            s.push_str(&format!("  {}:{}: {}\n", l.path, l.line, l.text));
        }
    };
    let none = match c.not_enforced {
        Some(why) => format!("not enforced at a line: {why}"),
        None => "(none)".to_string(),
    };
    lines(&mut s, "model", &c.model, &none);
    lines(&mut s, "tests", &c.tests, "(none)");
    s.push_str("\nscenarios:\n");
    if c.scenarios.is_empty() {
        s.push_str("  (none)\n");
    }
    for sc in &c.scenarios {
        let steps: Vec<String> = sc.steps.iter().map(|i| format!("steps[{i}]")).collect();
        s.push_str(&format!(
            "  {} ({}): {}\n",
            sc.path,
            sc.name,
            steps.join(", ")
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_citation_is_a_whole_word() {
        assert!(cites("// RECV-OOB: the byte", "RECV-OOB"));
        assert!(cites("(RECV-OOB)", "RECV-OOB"));
        assert!(cites("RECV-OOB", "RECV-OOB"));
        assert!(!cites("// RECV-OOB-INLINE", "RECV-OOB"));
        assert!(!cites("// XRECV-OOB", "RECV-OOB"));
        assert!(!cites("// RECVMSG-PEEK", "RECV-PEEK"));
        assert!(!cites("// RECV-OOB2", "RECV-OOB"));
        assert!(cites("// RECV-OOB-INLINE, RECV-OOB.", "RECV-OOB"));
        assert!(!cites("anything", ""));
    }

    #[test]
    fn test_files_in_subdirectories_are_searched() {
        let c = find(&source_root(), "RECV-OVL-NO-FWAIT-WITH-ROUTINE").unwrap();
        assert!(
            c.tests
                .iter()
                .any(|l| l.path.starts_with("tests/overlapped/")),
            "{:?}",
            c.tests
        );
    }

    #[test]
    fn comments_start_at_the_first_slashes() {
        assert_eq!(comment("let x = 1; // RECV-PEEK"), Some("// RECV-PEEK"));
        assert_eq!(comment("/// doc"), Some("/// doc"));
        assert_eq!(comment("let x = 1;"), None);
    }
}
