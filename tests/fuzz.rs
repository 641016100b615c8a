//! Property-based fuzzing of the model itself: generated programs pass every
//! invariant; the invariants catch what they promise to catch; saved runs
//! replay exactly; the fuzz targets take any bytes.
//!
//! Fast mode runs in `cargo test`; the long mode is
//! `PROPTEST_CASES=10000 cargo test --release --test fuzz` (with a progress
//! bar per property on a terminal).

mod common;
use common::proptest_cases;
use proptest::prelude::*;
use winsock_double::fuzz::invariants::{
    datagrams_unaltered, results_allowed, stream_intact, Violation,
};
use winsock_double::fuzz::strategy::{self, Shape};
use winsock_double::fuzz::{bytes, check_all, save_failure, SavedRun};
use winsock_double::scenario::{self, runner};
use winsock_double::Profile;

/// The long mode's progress: a bar per property on standard error, drawn
/// only on a terminal and only for 1,000 cases or more (the fast mode and
/// CI, which has no terminal, print nothing).
fn tick(name: &str) {
    use std::collections::BTreeMap;
    use std::sync::{Mutex, OnceLock};
    static BARS: OnceLock<(
        indicatif::MultiProgress,
        Mutex<BTreeMap<String, indicatif::ProgressBar>>,
    )> = OnceLock::new();
    let cases = proptest_cases(256);
    if cases < 1_000 {
        return;
    }
    let (multi, bars) = BARS.get_or_init(Default::default);
    let mut bars = bars.lock().unwrap_or_else(|e| e.into_inner());
    let bar = bars.entry(name.to_string()).or_insert_with(|| {
        let b = multi.add(indicatif::ProgressBar::new(u64::from(cases)));
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{prefix:40} [{bar:30}] {pos}/{len} cases, {per_sec}",
            )
            .expect("a valid template")
            .progress_chars("=> "),
        );
        b.set_prefix(name.to_string());
        b
    });
    // Shrinking runs more cases than asked: the bar says how many ran.
    if bar.position() >= bar.length().unwrap_or(0) {
        bar.inc_length(1);
    }
    bar.inc(1);
}

fn check(name: &str, case: &strategy::Case) -> Result<(), TestCaseError> {
    tick(name);
    // A generated program is a valid scenario (else the runner refuses it
    // and the invariants would have nothing to check).
    if let Err(e) = scenario::check::check(&case.scenario) {
        return Err(TestCaseError::fail(format!("not a valid scenario: {e}")));
    }
    if let Err(v) = check_all(&case.scenario, case.scenario.seed, case.profile, true) {
        let file = save_failure(name, &case.scenario, case.profile, &v.to_string());
        return Err(TestCaseError::fail(format!(
            "{v}\nthe case is saved as {}; `winsock-double run {} --profile ...` replays it",
            file.display(),
            file.display()
        )));
    }
    Ok(())
}

/// The properties' configuration: 256 cases (or `PROPTEST_CASES`), and no
/// failure persistence: the shrunk case is saved as a scenario instead
/// (`check`), the form a regression is committed in.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: proptest_cases(256),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// Every invariant holds for generated 50-call programs over three UDP
    /// sockets, a TCP pair and a far host, under random settings, faults
    /// and profiles.
    #[test]
    fn invariants_hold_on_generated_programs(case in strategy::case(Shape::default(), 50)) {
        check("invariants_hold_on_generated_programs", &case)?;
    }

    /// The same for programs that a real Winsock can run too.
    #[test]
    fn invariants_hold_on_os_shaped_programs(case in strategy::case(Shape::os(), 50)) {
        check("invariants_hold_on_os_shaped_programs", &case)?;
    }

    /// The fuzz targets take any bytes.
    #[test]
    fn the_ops_target_takes_any_bytes(data in prop::collection::vec(any::<u8>(), 0..200)) {
        bytes::ops_target(&data);
        let (sc, _) = bytes::program(&data);
        prop_assert!(scenario::check::check(&sc).is_ok(), "{:?}", scenario::check::check(&sc));
    }
}

fn root() -> &'static std::path::Path {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn corpus_scenario(name: &str) -> scenario::Scenario {
    scenario::load(
        &root()
            .join("fixtures/scenarios")
            .join(format!("{name}.json")),
    )
    .unwrap()
}

/// A generated program that has datagrams, stream bytes and receives, run
/// once; used to show each invariant failing on a tampered run.
fn sample() -> (scenario::Scenario, runner::RunReport) {
    use proptest::strategy::ValueTree;
    let mut r = proptest::test_runner::TestRunner::deterministic();
    loop {
        let case = strategy::case(Shape::os(), 60)
            .new_tree(&mut r)
            .unwrap()
            .current();
        let mut sc = case.scenario;
        sc.completion_timing = Some(winsock_double::CompletionTiming::Immediate);
        let rep = runner::run(&mut runner::SimBackend::default(), &sc, sc.seed);
        let got = |op: &str| {
            rep.steps
                .iter()
                .any(|s| s.op == op && s.outcome.result == "ok" && s.outcome.bytes.unwrap_or(0) > 2)
        };
        if got("recv_msg") && got("recv") && got("send") {
            return (sc, rep);
        }
    }
}

#[test]
fn each_invariant_catches_what_it_promises() {
    let (sc, rep) = sample();
    datagrams_unaltered(&sc, &rep, false).unwrap();
    stream_intact(&sc, &rep).unwrap();
    results_allowed(&sc, &rep, true).unwrap();
    let tamper = |op: &str, f: &dyn Fn(&mut runner::Outcome)| {
        let mut r = rep.clone();
        let s = r
            .steps
            .iter_mut()
            .find(|s| s.op == op && s.outcome.result == "ok" && s.outcome.bytes.unwrap_or(0) > 2)
            .unwrap();
        f(&mut s.outcome);
        r
    };
    let flip = |o: &mut runner::Outcome| {
        let d = o.data.as_mut().unwrap();
        let last = if d.ends_with('0') { '1' } else { '0' };
        d.pop();
        d.push(last);
    };
    // A datagram with one byte altered.
    let bad: Result<(), Violation> = datagrams_unaltered(&sc, &tamper("recv_msg", &flip), false);
    assert_eq!(bad.unwrap_err().invariant, "datagrams_unaltered");
    // A stream read with one byte altered (on a UDP socket the same tamper
    // is a datagram one; `sample` has a stream read with data too).
    let r = tamper("recv", &flip);
    let either = stream_intact(&sc, &r).is_err() || datagrams_unaltered(&sc, &r, false).is_err();
    assert!(either);
    // A result no WSARecvMsg clause names.
    let odd = tamper("recv_msg", &|o| o.result = "WSAEADDRINUSE".into());
    let v = results_allowed(&sc, &odd, true).unwrap_err();
    assert!(v.detail.contains("no WSARecvMsg clause names"), "{v}");
    // A misuse report is allowed only when asked.
    let misuse = tamper("recv_msg", &|o| o.result = "model:misuse".into());
    assert!(results_allowed(&sc, &misuse, true).is_ok());
    assert!(results_allowed(&sc, &misuse, false).is_err());
}

#[test]
fn stream_intact_catches_a_lost_and_a_duplicated_read() {
    let sc = corpus_scenario("stream-reads");
    let rep = runner::run(&mut runner::SimBackend::default(), &sc, sc.seed);
    stream_intact(&sc, &rep).unwrap();
    let reads: Vec<usize> = rep
        .steps
        .iter()
        .enumerate()
        .filter(|(_, s)| {
            s.op == "recv"
                && s.outcome.result == "ok"
                && s.outcome.data.as_ref().is_some_and(|d| !d.is_empty())
        })
        .map(|(k, _)| k)
        .collect();
    assert!(reads.len() >= 2, "stream-reads has reads");
    // The first read reported twice: the second copy is out of place.
    let mut dup = rep.clone();
    dup.steps[reads[1]].outcome = dup.steps[reads[0]].outcome.clone();
    let v = stream_intact(&sc, &dup).unwrap_err();
    assert_eq!(v.step, Some(rep.steps[reads[1]].index));
}

#[test]
fn a_saved_run_replays_exactly_and_a_change_is_reported() {
    let dir = std::env::temp_dir().join(format!("wsd-replay-{}", std::process::id()));
    let file = dir.join("run.json");
    let sc = corpus_scenario("ovl-routines");
    let saved = SavedRun::record(&sc, 5, Profile::documented());
    saved.save(&file).unwrap();
    let back = SavedRun::load(&file).unwrap();
    assert_eq!(back, saved);
    back.replay().unwrap();
    // Another seed is another run: the replay says where it differs.
    let mut other = back.clone();
    other.seed = 6;
    let e = other.replay().unwrap_err().to_string();
    assert!(e.contains("differs"), "{e}");
    // A scenario is not a saved run.
    let e = SavedRun::load(&root().join("fixtures/scenarios/ovl-routines.json"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("this is a scenario"), "{e}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_saved_failure_is_a_scenario_that_runs() {
    let dir = std::env::temp_dir().join(format!("wsd-fail-{}", std::process::id()));
    std::env::set_var("WINSOCK_DOUBLE_FAILURES", &dir);
    let (sc, _) = sample();
    let path = save_failure("demo", &sc, Profile::windows(), "a demonstration");
    std::env::remove_var("WINSOCK_DOUBLE_FAILURES");
    let back = scenario::load(&path).unwrap();
    assert_eq!(back.name, "demo");
    assert!(
        back.description.contains("a demonstration")
            && back.description.contains("profile windows")
    );
    assert_eq!(back.steps, sc.steps);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_scenario_parser_target_takes_mangled_corpus_files() {
    // Every corpus file, cut short and with bytes flipped: parsed or
    // refused, never a panic.
    for f in scenario::corpus_files(&root().join("fixtures/scenarios")).unwrap() {
        let text = std::fs::read(&f).unwrap();
        bytes::scenario_parser_target(&text);
        for cut in [1, text.len() / 3, text.len() / 2, text.len() - 1] {
            bytes::scenario_parser_target(&text[..cut]);
        }
        let mut t = text.clone();
        for k in (7..t.len()).step_by(97) {
            t[k] = t[k].wrapping_add(13);
        }
        bytes::scenario_parser_target(&t);
    }
}

/// The determinism check: 1,000 seeds of one generated program, each run
/// twice, traces compared byte for byte; and a digest of all 1,000 traces,
/// which must equal the one recorded (so Linux and the Windows build under
/// Wine give the same traces).
#[test]
fn a_thousand_seeds_twice_give_identical_traces_on_every_platform() {
    use proptest::strategy::ValueTree;
    let mut r = proptest::test_runner::TestRunner::deterministic();
    let case = strategy::case(Shape::default(), 40)
        .new_tree(&mut r)
        .unwrap()
        .current();
    let mut sc = case.scenario;
    // A fixed program with every source of nondeterminism left to the seed.
    sc.completion_timing = None;
    sc.stream_reads = None;
    sc.datagram_faults = Some(winsock_double::DatagramFaults {
        loss: 100,
        duplicate: 100,
        reorder: 200,
        reorder_us: None,
        ce_mark: 0,
    });
    let seeds = if cfg!(windows) { 200 } else { 1_000 };
    let mut digest: u64 = 0xcbf2_9ce4_8422_2325;
    let mut distinct = std::collections::BTreeSet::new();
    for seed in 0..seeds {
        let a = runner::run(&mut runner::SimBackend::default(), &sc, seed);
        let b = runner::run(&mut runner::SimBackend::default(), &sc, seed);
        let ta = a.trace.join("\n");
        assert_eq!(ta, b.trace.join("\n"), "seed {seed}");
        assert_eq!(a.steps, b.steps, "seed {seed}");
        if seed < 200 {
            for byte in ta.bytes() {
                digest = (digest ^ u64::from(byte)).wrapping_mul(0x100_0000_01b3);
            }
        }
        distinct.insert(ta);
    }
    assert!(
        distinct.len() > seeds as usize / 2,
        "{} distinct traces",
        distinct.len()
    );
    let golden = root().join("fixtures/golden/fuzz-200-seeds.fnv64");
    let want = std::fs::read_to_string(&golden).unwrap_or_default();
    assert_eq!(
        format!("{digest:016x}"),
        want.trim(),
        "the digest of the first 200 seeds' traces changed (or is new): if the model's behaviour changed on purpose, write the new value to {}",
        golden.display()
    );
}

#[test]
fn the_corpus_passes_the_invariants() {
    for f in scenario::corpus_files(&root().join("fixtures/scenarios")).unwrap() {
        let sc = scenario::load(&f).unwrap();
        let dup = sc.datagram_faults.is_some_and(|d| d.duplicate > 0);
        let rep = runner::run(&mut runner::SimBackend::default(), &sc, sc.seed);
        datagrams_unaltered(&sc, &rep, dup).unwrap_or_else(|v| panic!("{}: {v}", sc.name));
        stream_intact(&sc, &rep).unwrap_or_else(|v| panic!("{}: {v}", sc.name));
        results_allowed(&sc, &rep, true).unwrap_or_else(|v| panic!("{}: {v}", sc.name));
    }
}

/// The differential property's check, on the model against itself: a run
/// of an OS-shaped program under a seed the model did not explore is still
/// inside what the model gives, step by step.
#[test]
fn the_differential_property_finds_the_model_inside_itself() {
    use proptest::strategy::ValueTree;
    use winsock_double::fuzz::differential::{inside_model, EXTRA_SEEDS};
    let mut r = proptest::test_runner::TestRunner::deterministic();
    let mut outside = vec![];
    let cases = proptest_cases(64);
    for _ in 0..cases {
        let case = strategy::os_case(Profile::documented(), 30)
            .new_tree(&mut r)
            .unwrap()
            .current();
        let sc = &case.scenario;
        // Another seed, with whole stream reads (as a loopback connection
        // reads); completions stay seeded.
        let other = sc.seed.wrapping_add(EXTRA_SEEDS + 1000);
        let whole = scenario::Scenario {
            stream_reads: Some(winsock_double::StreamReads::Whole),
            ..sc.clone()
        };
        let run = runner::run(&mut runner::SimBackend::default(), &whole, other);
        if let Err(v) = inside_model(sc, &run, case.profile, EXTRA_SEEDS) {
            outside.push(v.to_string());
        }
    }
    assert!(
        outside.is_empty(),
        "{} of {cases}:\n{}",
        outside.len(),
        outside.join("\n")
    );
}

/// ...and an OS run that differs from the model at one step is reported at
/// that step, as the first difference.
#[test]
fn the_differential_property_reports_the_first_difference() {
    use winsock_double::fuzz::differential::{inside_model, EXTRA_SEEDS};
    let sc = corpus_scenario("recvmsg-truncation");
    let mut os = runner::run(&mut runner::SimBackend::default(), &sc, sc.seed);
    assert!(inside_model(&sc, &os, Profile::documented(), EXTRA_SEEDS).is_ok());
    let at = os
        .steps
        .iter()
        .position(|s| s.outcome.result == "WSAEMSGSIZE")
        .expect("the scenario truncates a datagram");
    os.steps[at].outcome.result = "ok".into();
    let v = inside_model(&sc, &os, Profile::documented(), EXTRA_SEEDS).unwrap_err();
    assert_eq!(v.invariant, "os_inside_model");
    assert_eq!(v.step, Some(os.steps[at].index), "{v}");
    assert!(v.detail.contains("result=ok"), "{v}");
}

/// A failing property leaves no proptest-regressions file in the source
/// tree (the long mode wrote `tests/fuzz.proptest-regressions` and warned
/// that it found no lib.rs).
#[test]
fn a_failing_property_writes_no_regressions_file() {
    use proptest::test_runner::TestRunner;
    let file = root().join("tests/fuzz.proptest-regressions");
    // A stale one from an older run is not this run's doing.
    std::fs::remove_file(&file).ok();
    let mut runner = TestRunner::new(ProptestConfig {
        cases: 4,
        // As the `proptest!` macro sets it.
        source_file: Some(file!()),
        ..config()
    });
    let r = runner.run(&any::<u8>(), |_| Err(TestCaseError::fail("always")));
    assert!(r.is_err());
    assert!(!file.exists(), "{} was written", file.display());
}

/// A shrunk case the long mode found (2026-12-07): a datagram received
/// truncated into a zero-byte buffer, then the same payload sent and
/// received whole. The receives are matched to the datagrams as a whole
/// (the first fitting datagram is not always the one a receive took), so
/// this is no "second copy".
#[test]
fn a_truncated_receive_and_a_later_equal_datagram_are_no_duplicate() {
    let sc = scenario::parse(
        r#"{ "name": "equal-payloads", "seed": 0, "steps": [
            { "op": "startup" },
            { "op": "socket", "name": "u0", "af": "AF_INET", "type": "SOCK_DGRAM", "protocol": "IPPROTO_UDP" },
            { "op": "bind", "socket": "u0", "addr": "127.0.0.1:0" },
            { "op": "ioctl", "socket": "u0", "cmd": "FIONBIO", "arg": 1 },
            { "op": "send_msg", "socket": "u0", "to": { "socket": "u0", "ip": "127.0.0.1" }, "data": { "hex": "00" } },
            { "op": "recv_msg", "socket": "u0", "buffers": [0] },
            { "op": "send_to", "socket": "u0", "to": { "socket": "u0", "ip": "127.0.0.1" }, "data": { "hex": "00" } },
            { "op": "recv_msg", "socket": "u0", "buffers": [1] }
        ] }"#,
        "equal-payloads.json",
    )
    .unwrap();
    for profile in [Profile::documented(), Profile::windows()] {
        check_all(&sc, 0, profile, true).unwrap();
    }
}
