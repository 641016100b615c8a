//! The timeline page of a scenario run: a span per call line of the trace,
//! a mark per other line, spans of simulated threads in lanes of their own,
//! and the steps' clauses on hover. (Chromium renders pages in
//! `scripts/timeline-check.sh`.)

use winsock_double::scenario::runner::{run, SimBackend};
use winsock_double::scenario::{self};

#[test]
fn a_threaded_run_has_a_span_per_call_and_a_lane_per_thread() {
    let sc = scenario::load(std::path::Path::new(
        "fixtures/scenarios/thr-simultaneous.json",
    ))
    .unwrap();
    let mut b = SimBackend::default();
    let report = run(&mut b, &sc, sc.seed);
    let page = b.timeline("thr").unwrap();
    let calls = report
        .trace
        .iter()
        .filter(|l| l.contains("] local call "))
        .count();
    assert!(calls > 10);
    assert_eq!(page.matches(r#"<rect class="span"#).count(), calls);
    assert_eq!(
        page.matches(r#"<circle class="mark"#).count(),
        report.trace.len() - calls
    );
    for lane in [
        "local / main",
        "local / one",
        "local / two",
        "local network",
    ] {
        assert!(page.contains(&format!(">{lane}</text>")), "lane {lane}");
    }
    // A step's clauses show on its calls.
    let cited: Vec<&String> = report.steps.iter().flat_map(|s| &s.clauses).collect();
    assert!(!cited.is_empty());
    assert!(page.contains(cited[0].as_str()), "{}", cited[0]);
}

#[test]
fn no_timeline_before_a_run() {
    assert_eq!(SimBackend::default().timeline("t"), None);
}
