//! The command line, as a user meets it: the built binary is run, and its
//! exit status and messages are checked (issue 17 holds the defects these
//! tests were written for).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use winsock_double::CLAUSES;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A directory of its own for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wsd-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
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
fn cli_conform_html_has_a_row_per_clause_and_quirk() {
    let (code, out, err) = cli(&["conform", "--format", "html"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("<!DOCTYPE html>"));
    assert_eq!(out.matches(r#"class="clause">"#).count(), CLAUSES.len());
    assert_eq!(
        out.matches(r#"class="quirk">"#).count(),
        winsock_double::QUIRKS.len()
    );
    // Each clause names where the model enforces it, or why no line does.
    assert!(out.contains("model/src/sim/dgram_recv.rs:"));
    assert!(out.contains("Windows profile"));
}

#[test]
fn cli_run_pcap_and_timeline_write_their_files() {
    let dir = scratch("seeing");
    let (pcap, page) = (dir.join("run.pcapng"), dir.join("run.html"));
    let (code, out, err) = cli(&[
        "run",
        "fixtures/scenarios/stream-close.json",
        "--pcap",
        pcap.to_str().unwrap(),
        "--timeline",
        page.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("wrote the capture") && err.contains("wrote the timeline"),
        "{err}"
    );
    let wires = out.lines().filter(|l| l.contains(" wire TCP ")).count();
    assert!(wires > 10, "{out}");
    let file = std::fs::read(&pcap).unwrap();
    assert_eq!(&file[..4], &[0x0a, 0x0d, 0x0d, 0x0a]);
    let html = std::fs::read_to_string(&page).unwrap();
    let calls = out.lines().filter(|l| l.contains("] local call ")).count();
    assert_eq!(html.matches(r#"<rect class="span"#).count(), calls);
    // The OS backend keeps neither: bad input.
    let (code, _, err) = cli(&[
        "run",
        "fixtures/scenarios/stream-close.json",
        "--backend",
        "os",
        "--pcap",
        "x",
    ]);
    assert_eq!(code, 2, "{err}");
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
        stdout.contains("identical") && stdout.contains("profile windows"),
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

/// A scenario of one `startup` and a socket, then `step` (a JSON object).
fn scenario_with(dir: &Path, name: &str, step: &str) -> PathBuf {
    let f = dir.join(format!("{name}.json"));
    std::fs::write(
        &f,
        format!(
            r#"{{"name": "{name}", "steps": [
  {{"op": "startup"}},
  {{"op": "socket", "name": "s", "af": "AF_INET", "type": "SOCK_DGRAM", "protocol": "IPPROTO_UDP"}},
  {{"op": "bind", "socket": "s", "addr": "127.0.0.1:0"}},
  {{"op": "create_event", "name": "e"}},
  {step}
]}}"#
        ),
    )
    .unwrap();
    f
}

/// Every size and time a scenario gives is bounded where it is read: a
/// huge one is bad input naming the file and the step, not an abort (a
/// fill of 10^12 bytes was "memory allocation failed", exit 134) or a
/// run of many seconds and gigabytes.
#[test]
fn oversized_values_are_bad_input_naming_file_and_step() {
    let dir = scratch("limits");
    let cases = [
        (
            "fill",
            r#"{"op": "send_to", "socket": "s", "to": {"socket": "s"}, "data": {"fill": 1000000000000}}"#,
            "`data` is 1000000000000 bytes",
        ),
        (
            "fill4g",
            r#"{"op": "send_to", "socket": "s", "to": {"socket": "s"}, "data": {"fill": 4000000000}}"#,
            "over the limit",
        ),
        (
            "buffer",
            r#"{"op": "recv_msg", "socket": "s", "buffers": [4000000000]}"#,
            "`buffers` take 4000000000 bytes",
        ),
        (
            "many_buffers",
            &format!(
                r#"{{"op": "recv", "socket": "s", "buffers": [{}]}}"#,
                vec!["1"; 5000].join(",")
            ),
            "5000 buffers",
        ),
        (
            "mem",
            r#"{"op": "send", "socket": "s", "data": "x", "buffers": [{"len": 1, "mem": 4000000000}]}"#,
            "over the limit",
        ),
        (
            "control",
            r#"{"op": "recv_msg", "socket": "s", "buffers": [8], "control": 4000000000}"#,
            "over the limit",
        ),
        (
            "room",
            r#"{"op": "getsockopt", "socket": "s", "level": "SOL_SOCKET", "name": "SO_RCVBUF", "room": 1000000000000}"#,
            "`room` is 1000000000000 bytes",
        ),
        (
            "name_room",
            r#"{"op": "recv_from", "socket": "s", "buffers": [8], "from": {"room": 1000000000000}}"#,
            "over the limit",
        ),
        (
            "want",
            r#"{"op": "recv_all", "socket": "s", "want": 4000000000}"#,
            "`want` is 4000000000 bytes",
        ),
        (
            "out",
            r#"{"op": "wsa_ioctl", "socket": "s", "code": "SIO_UDP_CONNRESET", "out": 1000000000000}"#,
            "`out` is 1000000000000 bytes",
        ),
        (
            "advance",
            r#"{"op": "advance", "ms": 18446744073709551615}"#,
            "ms, over the limit",
        ),
        (
            "sleep",
            r#"{"op": "sleep_ex", "ms": 4000000000}"#,
            "ms, over the limit",
        ),
        (
            "wait",
            r#"{"op": "wait_events", "events": ["e"], "timeout_ms": 4000000000}"#,
            "ms, over the limit",
        ),
        (
            "expect",
            r#"{"op": "recv", "socket": "s", "buffers": [8], "expect": {"data": {"fill": 1000000000000}}}"#,
            "expect: `data`",
        ),
    ];
    for (name, step, says) in cases {
        let f = scenario_with(&dir, name, step);
        let (code, _, err) = cli(&["run", f.to_str().unwrap()]);
        assert_eq!(code, 2, "{name}: {err}");
        assert!(err.contains(&format!("{name}.json")), "{name}: {err}");
        assert!(err.contains("steps[4]"), "{name}: {err}");
        assert!(err.contains(says), "{name}: {err}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// Anything wrong with the file is bad input (exit 2), a bad address
/// included, not a failed step (exit 1).
#[test]
fn a_bad_address_or_name_is_bad_input() {
    let dir = scratch("addr");
    let cases = [
        (
            "addr",
            r#"{"op": "connect", "socket": "s", "addr": "not-an-addr"}"#,
            "`not-an-addr` is not a socket address",
        ),
        (
            "to",
            r#"{"op": "send_to", "socket": "s", "to": "1.2.3", "data": "x"}"#,
            "`1.2.3` is not a socket address",
        ),
        (
            "ip",
            r#"{"op": "send_to", "socket": "s", "to": {"socket": "s", "ip": "localhost"}, "data": "x"}"#,
            "`localhost` is not an IP address",
        ),
        (
            "from",
            r#"{"op": "recv", "socket": "s", "buffers": [8], "expect": {"from": "nowhere"}}"#,
            "`nowhere` is not a socket address",
        ),
        (
            "pktinfo",
            r#"{"op": "send_msg", "socket": "s", "to": {"socket": "s"}, "data": "x", "control": [{"in_pktinfo": {"addr": "::1"}}]}"#,
            "`::1` is not an IPv4 address",
        ),
        (
            "flag",
            r#"{"op": "recv", "socket": "s", "buffers": [8], "flags": ["MSG_NOPE"]}"#,
            "`MSG_NOPE`",
        ),
        (
            "level",
            r#"{"op": "setsockopt", "socket": "s", "level": "SOL_NOPE", "name": "SO_RCVBUF", "value": 1}"#,
            "`SOL_NOPE`",
        ),
        (
            "hex",
            r#"{"op": "send", "socket": "s", "data": {"hex": "abc"}}"#,
            "odd number of digits",
        ),
        (
            "event",
            r#"{"op": "set_event", "event": "nope"}"#,
            "event `nope`",
        ),
        (
            "port",
            r#"{"op": "dequeue", "port": "nope"}"#,
            "port `nope`",
        ),
        (
            "thread",
            r#"{"op": "join", "thread": "nope"}"#,
            "thread `nope`",
        ),
        (
            "to_socket",
            r#"{"op": "send_to", "socket": "s", "to": {"socket": "t"}, "data": "x"}"#,
            "socket `t`",
        ),
    ];
    for (name, step, says) in cases {
        let f = scenario_with(&dir, name, step);
        let (code, _, err) = cli(&["run", f.to_str().unwrap()]);
        assert_eq!(code, 2, "{name}: {err}");
        assert!(
            err.contains(&format!("{name}.json")) && err.contains("steps[4]"),
            "{name}: {err}"
        );
        assert!(err.contains(says), "{name}: {err}");
    }
    let hosts = dir.join("hosts.json");
    std::fs::write(
        &hosts,
        r#"{"name": "hosts", "hosts": [{"name": "a", "addrs": ["10.0.0.300/24"]}], "steps": [{"op": "startup"}]}"#,
    )
    .unwrap();
    let (code, _, err) = cli(&["run", hosts.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("hosts"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

/// A reader that goes away (`| head -1`) ends the program quietly: no
/// panic, no backtrace, the command's own status (it was 101).
#[test]
fn a_broken_pipe_exits_quietly() {
    for args in [
        &["run", "fixtures/scenarios/recvmsg-truncation.json"][..],
        &["conform", "--format", "json"][..],
        &["clauses"][..],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_winsock-double"))
            .args(args)
            .current_dir(root())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The read end is closed before anything is read.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
        assert!(err.is_empty(), "{args:?}: {err}");
    }
}

/// A corpus directory with no scenario is an error naming it: a mistyped
/// path in CI must not pass green with every clause untested.
#[test]
fn an_empty_corpus_is_bad_input() {
    let dir = scratch("empty");
    let (code, out, err) = cli(&["conform", "--dir", dir.to_str().unwrap()]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains(dir.to_str().unwrap()), "{err}");
    assert!(err.contains("no scenario"), "{err}");
    let (code, _, err) = cli(&["conform", "--dir", "no/such/dir"]);
    assert_eq!(code, 2);
    assert!(err.contains("no/such/dir"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

/// Each command takes its own formats, and the error for another lists
/// that command's formats only.
#[test]
fn formats_are_checked_per_command() {
    for (args, lists) in [
        (&["run", "x.json", "--format", "junit"][..], "text, json"),
        (&["run", "x.json", "--format", "md"][..], "text, json"),
        (&["run", "x.json", "--format", "xml"][..], "text, json"),
        (
            &["conform", "--format", "md"][..],
            "text, json, junit, html",
        ),
        (&["clauses", "--format", "junit"][..], "md, json"),
        (&["clauses", "--format", "text"][..], "md, json"),
    ] {
        let (code, out, err) = cli(args);
        assert_eq!(code, 2, "{args:?}: {out}");
        assert!(
            err.contains(&format!("[possible values: {lists}]")),
            "{args:?}: {err}"
        );
        // The error is short: no whole usage text after it.
        assert!(err.lines().count() <= 6, "{args:?}: {err}");
    }
    let (code, _, err) = cli(&["run", "x.json", "--profile", "linux"]);
    assert_eq!(code, 2);
    assert!(err.contains("documented, windows, wine-8"), "{err}");
    let (code, _, err) = cli(&["run", "x.json", "--backend", "wine"]);
    assert_eq!(code, 2);
    assert!(err.contains("model, os"), "{err}");
}

/// `--help` works for the program and every subcommand, and names the
/// subcommand's own options.
#[test]
fn every_subcommand_has_help() {
    for (cmd, option) in [
        ("run", "--save"),
        ("replay", "<SAVED>"),
        ("conform", "--model-seeds"),
        ("decode", "--save"),
        ("clauses", "--where"),
        ("quirks", "--format"),
    ] {
        let (code, out, err) = cli(&[cmd, "--help"]);
        assert_eq!(code, 0, "{cmd}: {err}");
        assert!(
            out.contains(&format!("winsock-double {cmd}")),
            "{cmd}: {out}"
        );
        assert!(out.contains(option), "{cmd}: {out}");
        let (code, help, _) = cli(&["help", cmd]);
        assert_eq!(code, 0);
        assert_eq!(help, out, "{cmd}");
    }
    let (code, out, _) = cli(&["--version"]);
    assert_eq!(code, 0);
    assert_eq!(
        out.trim(),
        format!("winsock-double {}", env!("CARGO_PKG_VERSION"))
    );
}

/// `quirks` prints the table: in JSON each entry has its id, statement,
/// source and profiles; `--without-quirk` changes a run's profile.
#[test]
fn quirks_are_listed_and_chosen_one_by_one() {
    let (code, out, err) = cli(&["quirks", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), winsock_double::QUIRKS.len());
    for r in rows {
        for k in ["id", "statement", "source", "profiles"] {
            assert!(r.get(k).is_some(), "row lacks {k}: {r}");
        }
    }
    let (code, md, _) = cli(&["quirks"]);
    assert_eq!(code, 0);
    assert!(
        md.contains("| `WIN-SENDMSG-AUTOBIND` | windows, wine-8 |"),
        "{md}"
    );
    // The Windows profile passes the corpus' unbound WSASendMsg step only
    // where the documentation is followed again.
    let f = "fixtures/scenarios/sendmsg-socket-state.json";
    let (code, _, _) = cli(&["run", f]);
    assert_eq!(code, 0);
    let (code, out, _) = cli(&["run", f, "--profile", "windows"]);
    assert_eq!(code, 1, "{out}");
    let (code, out, err) = cli(&[
        "run",
        f,
        "--profile",
        "windows",
        "--without-quirk",
        "WIN-SENDMSG-AUTOBIND",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("model (windows-WIN-SENDMSG-AUTOBIND)"),
        "{out}"
    );
    // A scenario naming a quirk that does not exist is bad input.
    let dir = scratch("quirks");
    let bad = dir.join("bad-quirk.json");
    std::fs::write(
        &bad,
        r#"{"name": "q", "quirks": {"with": ["WIN-NOPE"]}, "steps": [{"op": "startup"}]}"#,
    )
    .unwrap();
    let (code, _, err) = cli(&["run", bad.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown quirk `WIN-NOPE`"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
    let (code, _, err) = cli(&["run", f, "--with-quirk", "NOPE"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown quirk `NOPE`"), "{err}");
}
