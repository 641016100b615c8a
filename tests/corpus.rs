//! The scenario corpus, the clause table's coverage, the CLI, and the
//! scenario parser's errors.

use std::path::Path;
use std::process::Command;
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
    let mut tests = String::new();
    for e in std::fs::read_dir(root().join("tests")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "rs")
            && p.file_name().is_some_and(|n| n != "corpus.rs")
        {
            tests.push_str(&std::fs::read_to_string(&p).unwrap());
        }
    }
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
fn conform_reports_every_clause() {
    let r = conform::conform(SimBackend::default, &corpus());
    assert_eq!(r.clauses.len(), CLAUSES.len());
    assert!(r.ok(), "{}", conform::render_text(&r));
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

fn cli(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_winsock-double"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn cli_conform_json_has_a_row_per_clause() {
    let (code, out, err) = cli(&["conform", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows = v["clauses"].as_array().unwrap();
    assert_eq!(rows.len(), CLAUSES.len());
    for r in rows {
        for k in ["id", "statement", "source", "scenarios", "result"] {
            assert!(r.get(k).is_some(), "row lacks {k}: {r}");
        }
    }
    assert!(rows.iter().any(|r| r["result"] == "pass"));
}

#[test]
fn cli_run_and_errors() {
    let f = std::fs::read_dir(root().join("fixtures/scenarios"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let (code, out, err) = cli(&[
        "run",
        f.to_str().unwrap(),
        "--format",
        "json",
        "--seed",
        "3",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["seed"], 3);
    assert!(!v["trace"].as_array().unwrap().is_empty());
    let (code, _, err) = cli(&["run", "/nonexistent.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent.json"), "{err}");
    let dir = std::env::temp_dir().join(format!("wsd-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(
        &bad,
        "{\n  \"name\": \"bad\",\n  \"steps\": [ {\"op\": \"startup\",} ]\n}\n",
    )
    .unwrap();
    let (code, _, err) = cli(&["run", bad.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("bad.json:3:"), "{err}");
    let (code, _, err) = cli(&["run", "x", "--seed", "many"]);
    assert_eq!(code, 2);
    assert!(err.contains("--seed"), "{err}");
    let (code, out, _) = cli(&["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("conform"));
    assert_eq!(cli(&["frobnicate"]).0, 2);
}

/// The differential's own sanity: the model run under seeds it did not
/// explore stays inside the outcomes it gave under 16 others, scenario by
/// scenario, so a `~` line on a real Winsock is the Winsock's doing, not an
/// artefact of what is compared (ports, buffer sizes) or of the sample.
#[test]
fn the_model_under_other_seeds_is_inside_its_own_outcomes() {
    use winsock_double::scenario::differential::{model_outcomes, DEFAULT_SEEDS};
    for sc in corpus() {
        let m = model_outcomes(&sc, winsock_double::Profile::Documented, DEFAULT_SEEDS);
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

#[test]
fn cli_run_save_and_replay() {
    let dir = std::env::temp_dir().join(format!("wsd-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("saved.json");
    let out_s = out.to_str().unwrap();
    let (code, _, err) = cli(&[
        "run",
        "fixtures/scenarios/recvmsg-truncation.json",
        "--seed",
        "4",
        "--profile",
        "windows",
        "--save",
        out_s,
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, stdout, err) = cli(&["replay", out_s]);
    assert_eq!(code, 0, "{err}");
    assert!(
        stdout.contains("identical") && stdout.contains("Windows"),
        "{stdout}"
    );
    // An edited outcome (the last one, in the step records) is found.
    let text = std::fs::read_to_string(&out).unwrap();
    let at = text.rfind("WSAEMSGSIZE").unwrap();
    let edited = format!(
        "{}WSAEFAULT{}",
        &text[..at],
        &text[at + "WSAEMSGSIZE".len()..]
    );
    std::fs::write(&out, edited).unwrap();
    let (code, stdout, _) = cli(&["replay", out_s]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("differs"), "{stdout}");
    // Bad input: exit 2 with a reason.
    let (code, _, err) = cli(&["replay", "fixtures/scenarios/recvmsg-truncation.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("not a saved run"), "{err}");
    let (code, _, err) = cli(&["replay", "no/such/file.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn cli_decode_turns_a_fuzz_input_into_a_scenario_that_runs() {
    let dir = std::env::temp_dir().join(format!("wsd-decode-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // Seed 7, settings byte 1 (the Windows profile), then calls.
    let mut data = 7u64.to_le_bytes().to_vec();
    data.extend_from_slice(&[1, 0, 3, 9, 1, 2, 4, 0, 0, 5, 1, 200, 17, 2, 8]);
    let input = dir.join("crash-1");
    std::fs::write(&input, &data).unwrap();
    let out = dir.join("decoded.json");
    let (in_s, out_s) = (input.to_str().unwrap(), out.to_str().unwrap());
    let (code, stdout, err) = cli(&["decode", in_s, "--save", out_s]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(err.contains("profile windows"), "{err}");
    // The file is the program the fuzz target ran, named after the input.
    let saved = winsock_double::scenario::load(&out).unwrap();
    let (want, _) = winsock_double::fuzz::bytes::program(&data);
    assert_eq!(saved.name, "crash-1");
    assert_eq!(
        serde_json::to_value(&saved.steps).unwrap(),
        serde_json::to_value(&want.steps).unwrap()
    );
    let (code, _, err) = cli(&["run", out_s, "--profile", "windows"]);
    assert_eq!(code, 0, "{err}");
    // Without --save the scenario goes to standard output.
    let (code, stdout, _) = cli(&["decode", in_s]);
    assert_eq!(code, 0);
    assert!(stdout.contains("\"name\": \"crash-1\""), "{stdout}");
    let (code, _, err) = cli(&["decode", "no/such/input"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}
