//! The scenario corpus, the clause table's coverage, and the scenario
//! parser's errors (the command line is `tests/cli.rs`).

use std::path::Path;
use winsock_double::scenario::{self, conform, runner, SimBackend, Verdict};
use winsock_double::CLAUSES;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn corpus() -> Vec<scenario::Scenario> {
    conform::load_corpus(&root().join("fixtures/scenarios")).expect("the corpus parses")
}

#[test]
fn every_scenario_passes_on_the_model() {
    let corpus = corpus();
    assert!(corpus.len() >= 20, "corpus has {} scenarios", corpus.len());
    for sc in &corpus {
        let r = runner::run(&mut SimBackend::default(), sc, sc.seed);
        for s in &r.steps {
            assert!(
                matches!(s.verdict, Verdict::Pass | Verdict::Recorded),
                "{} step {} ({}): {:?}\n{:#?}",
                sc.name,
                s.index,
                s.op,
                s.problems,
                s.outcome
            );
        }
        assert!(
            r.steps.iter().any(|s| s.verdict == Verdict::Pass),
            "{} checks nothing",
            sc.name
        );
    }
}

#[test]
fn every_in_scope_clause_is_cited_by_a_scenario_and_a_test() {
    let corpus = corpus();
    let cited_by_scenario = |id: &str| {
        corpus
            .iter()
            .any(|sc| sc.steps.iter().any(|st| st.clauses.iter().any(|c| c == id)))
    };
    // The lines `clauses --where` searches (subdirectories of `tests/`
    // included), but this file's own.
    let tests: String = winsock_double::cite::test_lines(root())
        .expect("the tests read")
        .into_iter()
        .filter(|l| l.path.starts_with("tests/") && l.path != "tests/corpus.rs")
        .map(|l| l.text + "\n")
        .collect();
    let in_scope: Vec<_> = CLAUSES.iter().filter(|c| c.scope.in_scope()).collect();
    assert!(
        in_scope.len() >= 170,
        "only {} clauses in scope",
        in_scope.len()
    );
    let mut missing = vec![];
    for c in in_scope {
        // A test cites an id as a whole word (so RECVMSG-PEEK does not count
        // for RECVMSG-PEEK-ONLY-INPUT).
        let in_tests = tests.match_indices(c.id).any(|(i, _)| {
            let after = tests[i + c.id.len()..].chars().next();
            !matches!(after, Some(ch) if ch == '-' || ch.is_ascii_alphanumeric())
        });
        if !in_tests {
            missing.push(format!("{} has no test", c.id));
        }
        if !cited_by_scenario(c.id) {
            missing.push(format!("{} has no scenario", c.id));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// Every clause is cited, as a whole word, in a comment of the model or the
/// OS backend at the line that enforces it, or is listed with the reason
/// why no line does; a listed clause is not also cited.
#[test]
fn every_clause_is_cited_where_the_model_enforces_it() {
    use winsock_double::cite;
    use winsock_double::clauses::{clause, NOT_ENFORCED_AT_A_LINE};
    let model = cite::model_comments(root()).expect("the model's sources read");
    assert!(
        model.iter().any(|l| l.path.starts_with("model/src/sim/"))
            && model.iter().any(|l| l.path.starts_with("src/os/")),
        "the model's and the OS backend's sources are searched"
    );
    let cited = |id: &str| model.iter().any(|l| cite::model_line_cites(l, id));
    let mut missing = vec![];
    for c in CLAUSES {
        let listed = NOT_ENFORCED_AT_A_LINE.iter().any(|(i, _)| *i == c.id);
        if !cited(c.id) && !listed {
            missing.push(format!(
                "{} is cited at no line of model/src/sim or src/os, and NOT_ENFORCED_AT_A_LINE does not say why",
                c.id
            ));
        }
    }
    for &(id, why) in NOT_ENFORCED_AT_A_LINE {
        if clause(id).is_none() {
            missing.push(format!(
                "NOT_ENFORCED_AT_A_LINE lists {id}, which is no clause"
            ));
        }
        if cited(id) {
            missing.push(format!(
                "{id} is cited at a line and listed in NOT_ENFORCED_AT_A_LINE"
            ));
        }
        if !["by type: ", "never arises: ", "everywhere: "]
            .iter()
            .any(|p| why.starts_with(p))
        {
            missing.push(format!("{id}: reason {why:?} is not of the form `by type:`, `never arises:` or `everywhere:`"));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn contract_md_matches_the_clause_table() {
    let md = std::fs::read_to_string(root().join("model/CONTRACT.md"))
        .expect("model/CONTRACT.md exists");
    assert!(
        md == conform::clauses_markdown(),
        "model/CONTRACT.md is stale: run `cargo run -- clauses --format md > model/CONTRACT.md`"
    );
}

#[test]
fn quirks_md_matches_the_quirk_table() {
    let md =
        std::fs::read_to_string(root().join("model/QUIRKS.md")).expect("model/QUIRKS.md exists");
    assert!(
        md == winsock_double::quirks::quirks_markdown(),
        "model/QUIRKS.md is stale: run `cargo run -- quirks --format md > model/QUIRKS.md`"
    );
}

#[test]
fn conform_reports_every_clause() {
    let r = conform::conform(SimBackend::default, &corpus());
    assert_eq!(r.clauses.len(), CLAUSES.len());
    assert!(r.ok(), "{}", conform::render_text(&r, true));
    let [pass, fail, untested, _pending, not_run] = r.counts();
    assert_eq!(not_run, 0);
    assert_eq!((fail, untested), (0, 0));
    assert!(pass >= 60);
}

#[test]
fn malformed_scenarios_get_clear_errors() {
    let e = scenario::parse("{ \"name\": \"x\", \"steps\": [ }", "bad.json").unwrap_err();
    assert_eq!(e.file, "bad.json");
    assert_eq!(e.line, Some(1));
    assert!(e.to_string().starts_with("bad.json:1:"), "{e}");
    let e =
        scenario::parse(r#"{"name":"x","steps":[{"op":"startup","bogus":1}]}"#, "f").unwrap_err();
    assert!(e.message.contains("bogus"), "{e}");
    let e = scenario::parse(r#"{"name":"x","steps":[{"op":"fly"}]}"#, "f").unwrap_err();
    assert!(e.message.contains("fly"), "{e}");
    let e = scenario::parse(
        r#"{"name":"x","steps":[{"op":"startup","clauses":["NOPE-1"]}]}"#,
        "f",
    )
    .unwrap_err();
    assert!(
        e.message.contains("steps[0]") && e.message.contains("NOPE-1"),
        "{e}"
    );
    let e =
        scenario::parse(r#"{"name":"x","steps":[{"op":"close","socket":"s"}]}"#, "f").unwrap_err();
    assert!(e.message.contains("socket `s`"), "{e}");
    let e = scenario::parse(r#"{"name":"x","steps":[]}"#, "f").unwrap_err();
    assert!(e.message.contains("empty"), "{e}");
    let e = scenario::load(Path::new("/nonexistent/x.json")).unwrap_err();
    assert!(e.message.contains("cannot read"), "{e}");
}

/// The differential's own sanity: the model run under seeds it did not
/// explore stays inside the outcomes it gave under 16 others, scenario by
/// scenario, so a `~` line on a real Winsock is the Winsock's doing, not an
/// artefact of what is compared (ports, buffer sizes) or of the sample.
#[test]
fn the_model_under_other_seeds_is_inside_its_own_outcomes() {
    use winsock_double::scenario::differential::{model_outcomes, DEFAULT_SEEDS};
    for sc in corpus() {
        let m = model_outcomes(&sc, winsock_double::Profile::documented(), DEFAULT_SEEDS);
        for seed in [1_000, 77_777] {
            let other = runner::run(&mut SimBackend::default(), &sc, seed);
            let out = m.outside(&sc, &other);
            assert!(
                out.is_empty(),
                "{}",
                out.iter()
                    .map(|o| o.describe(&sc.name))
                    .collect::<Vec<_>>()
                    .join("\n")
            );
        }
    }
}
