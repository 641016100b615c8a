//! `winsock-double clauses --where ID`: the built binary is run, from the
//! source tree and from elsewhere.

use std::path::Path;
use std::process::Command;

fn cli(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_winsock-double"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// A cited clause: its statement, its model line, a test and a scenario
/// with the step, found from the source tree and from another directory
/// (the tree the program was built from).
#[test]
fn where_names_the_model_line_a_test_and_a_scenario() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in [root, &std::env::temp_dir()] {
        let (code, out, err) = cli(dir, &["clauses", "--where", "RECVMSG-TRUNC-DGRAM"]);
        assert_eq!(code, 0, "{err}");
        let c = winsock_double::clauses::clause("RECVMSG-TRUNC-DGRAM").unwrap();
        assert!(out.starts_with("RECVMSG-TRUNC-DGRAM ("), "{out}");
        assert!(out.contains(c.statement), "{out}");
        let model = out
            .lines()
            .find(|l| l.trim_start().starts_with("model/src/sim/dgram_recv.rs:"))
            .unwrap_or_else(|| panic!("no model line:\n{out}"));
        // `path:line: the line`, and the line is the file's.
        let mut parts = model.trim().splitn(3, ':');
        let (path, line, text) = (
            parts.next().unwrap(),
            parts.next().unwrap().parse::<usize>().unwrap(),
            parts.next().unwrap().trim(),
        );
        let src = std::fs::read_to_string(root.join(path)).unwrap();
        assert_eq!(src.lines().nth(line - 1).unwrap().trim(), text);
        assert!(text.contains("RECVMSG-TRUNC-DGRAM"), "{model}");
        assert!(out.contains("  tests/recvmsg.rs:"), "{out}");
        assert!(
            out.contains("fixtures/scenarios/recvmsg-truncation.json (recvmsg-truncation): steps["),
            "{out}"
        );
    }
}

/// A clause no line enforces shows why; JSON has the same parts.
#[test]
fn where_gives_the_reason_or_json() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (code, out, err) = cli(root, &["clauses", "--where", "RECV-EINPROGRESS-WS11"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("not enforced at a line: never arises:"),
        "{out}"
    );
    let (code, out, err) = cli(
        root,
        &["clauses", "--where", "RECV-PEEK", "--format", "json"],
    );
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["clause"]["id"], "RECV-PEEK");
    for k in ["model", "tests", "scenarios"] {
        assert!(
            v[k].as_array().is_some_and(|a| !a.is_empty()),
            "{k} is empty: {out}"
        );
    }
    // RECV-PEEK is not cited by RECV-PEEK-NONOVERLAPPED-ONLY's lines.
    for l in v["model"].as_array().unwrap() {
        let text = l["text"].as_str().unwrap();
        assert!(winsock_double::cite::cites(text, "RECV-PEEK"), "{text}");
    }
}

#[test]
fn where_an_unknown_clause_is_bad_input() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (code, out, err) = cli(root, &["clauses", "--where", "RECV-NO-SUCH-RULE"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("RECV-NO-SUCH-RULE") && err.contains("no clause"),
        "{err}"
    );
}
