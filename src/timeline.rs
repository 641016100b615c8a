//! A run as a timeline a person can read: a self-contained HTML page (one
//! SVG, no script, no outside file) drawn from the model's trace and the
//! starts of its calls ([`CallSpan`]).
//!
//! Across: the trace's lines in order, one column each, with the virtual
//! time above wherever it moves (zero-latency loopback does much at one
//! instant, so time alone would stack it all in one place). Down: one lane
//! per host's network, with every event that is not a call as a mark
//! (faults red, completions and routines green, port packets blue), and
//! one lane per simulated thread on each host, with each call as a span
//! from where it began to where it returned (a blocking call spans all
//! that happened while it waited; calls inside it, made by its completion
//! routines, are drawn beneath it). A completion, a routine or a port
//! packet is linked to the call that posted its operation. Hovering shows
//! the trace line, and for a call the scenario step that made it with the
//! clauses the step cites.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use winsock_model::{CallSpan, TraceEvent};

/// A scenario step, for a timeline: where in the trace it began, its op as
/// the report names it, and the clauses it cites.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepMark {
    /// The trace's length when the step began.
    pub at_line: usize,
    /// The step's op (`"recv_from"`, `"one: send_to"` in a thread).
    pub label: String,
    /// The clause ids the step cites.
    pub clauses: Vec<String>,
}

const COL: usize = 12;
const LEFT: usize = 190;
const TOP: usize = 46;
const ROW: usize = 14;

/// How a non-call line is marked: its CSS class.
fn mark_class(kind: &str) -> &'static str {
    match kind {
        "lost"
        | "drop"
        | "icmp"
        | "rst"
        | "broken"
        | "duplicated"
        | "retransmission-timeout"
        | "keepalive-failed"
        | "injected"
        | "diagnostic" => "fault",
        "complete" | "apc" => "done",
        "dequeue" => "port",
        "wire" => "wire",
        _ => "event",
    }
}

/// `&`, `<`, `>` and `"` as entities.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn time(t: u64) -> String {
    format!("{}.{:06} s", t / 1_000_000_000, (t % 1_000_000_000) / 1_000)
}

/// The value after `key` in `text` (`ovl=3` gives `3`), to the next space,
/// comma or parenthesis.
fn field<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let at = text.find(key)? + key.len();
    let rest = &text[at..];
    let end = rest.find([' ', ',', ')']).unwrap_or(rest.len());
    Some(&rest[..end])
}

/// The call line that posted the operation a completion, routine or port
/// packet line (`ovl=N`, `socket=0x..` where it says) is about: the last
/// call before it naming that `OVERLAPPED` (and that socket).
fn poster(trace: &[TraceEvent], at: usize) -> Option<usize> {
    let d = &trace[at].detail;
    let ovl = format!("ovl={}", field(d, "ovl=")?);
    let sock = field(d, "socket=").map(|s| format!("({s},"));
    (0..at).rev().find(|&k| {
        let c = &trace[k];
        c.kind == "call"
            && c.host == trace[at].host
            && field(&c.detail, "ovl=").is_some_and(|v| format!("ovl={v}") == ovl)
            && sock.as_ref().is_none_or(|s| c.detail.contains(s.as_str()))
    })
}

/// The page: `title` and `notes` (a paragraph each: the profile, its
/// quirks) above the drawing of `trace` with its calls' `spans` and, for a
/// scenario run, the `steps` that made them.
pub fn html(
    title: &str,
    notes: &[String],
    trace: &[TraceEvent],
    spans: &[CallSpan],
    steps: &[StepMark],
) -> String {
    // Lanes: per host its network, then its threads, in order of first
    // appearance.
    let mut lanes: Vec<(String, Option<String>)> = vec![];
    let lane_of =
        |lanes: &mut Vec<(String, Option<String>)>, key: (String, Option<String>)| match lanes
            .iter()
            .position(|l| *l == key)
        {
            Some(i) => i,
            None => {
                lanes.push(key);
                lanes.len() - 1
            }
        };
    let by_line: BTreeMap<usize, &CallSpan> = spans.iter().map(|s| (s.line, s)).collect();
    // Each call's lane and depth (routines' calls nest inside the call
    // whose wait ran them).
    let mut placed: Vec<(usize, &CallSpan, usize)> = vec![];
    for (k, e) in trace.iter().enumerate() {
        lane_of(&mut lanes, (e.host.clone(), None));
        if let Some(s) = by_line.get(&k) {
            let l = lane_of(&mut lanes, (e.host.clone(), Some(s.thread.clone())));
            placed.push((l, s, 0));
        }
    }
    // Lanes of a host together: its network first, then its threads.
    let mut order: Vec<usize> = (0..lanes.len()).collect();
    let first_of_host = |h: &str| lanes.iter().position(|l| l.0 == h).unwrap_or(0);
    order.sort_by_key(|&i| (first_of_host(&lanes[i].0), lanes[i].1.is_some(), i));
    for i in 0..placed.len() {
        let (l, s, _) = placed[i];
        let depth = placed[..i]
            .iter()
            .filter(|(l2, o, _)| *l2 == l && o.start_line <= s.start_line && o.line >= s.line)
            .count();
        placed[i].2 = depth;
    }
    let mut depth_of_lane = vec![0usize; lanes.len()];
    for &(l, _, d) in &placed {
        depth_of_lane[l] = depth_of_lane[l].max(d);
    }
    let mut lane_y = vec![0usize; lanes.len()];
    let mut y = TOP;
    for &i in &order {
        lane_y[i] = y;
        y += ROW * (depth_of_lane[i] + 1) + 6;
    }
    let width = LEFT + COL * (trace.len() + 1) + 20;
    let height = y + 10;
    let step_of = |line: usize| steps.iter().rev().find(|m| m.at_line <= line);

    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="monospace" font-size="10">"#
    );
    // Lane backgrounds and names.
    for &i in &order {
        let h = ROW * (depth_of_lane[i] + 1) + 2;
        let (host, thread) = &lanes[i];
        let name = match thread {
            None if host == "-" => "scheduler".to_string(),
            None => format!("{host} network"),
            Some(t) => format!("{host} / {t}"),
        };
        let class = if thread.is_some() {
            "lane thread"
        } else {
            "lane net"
        };
        let _ = writeln!(
            svg,
            r#"<rect class="{class}" x="0" y="{}" width="{width}" height="{h}"/><text class="name" x="4" y="{}">{}</text>"#,
            lane_y[i] - 1,
            lane_y[i] + 10,
            esc(&name)
        );
    }
    // The time above, wherever it moves.
    let mut last = None;
    for (k, e) in trace.iter().enumerate() {
        if last != Some(e.t) {
            let x = LEFT + COL * k;
            let _ = writeln!(
                svg,
                r#"<line class="tick" x1="{x}" y1="{}" x2="{x}" y2="{height}"/><text class="time" x="{}" y="{}" transform="rotate(-30 {x} {})">{}</text>"#,
                TOP - 12,
                x + 2,
                TOP - 14,
                TOP - 14,
                time(e.t)
            );
            last = Some(e.t);
        }
    }
    // Calls as spans.
    for &(l, s, d) in &placed {
        let e = &trace[s.line];
        let x = LEFT + COL * s.start_line;
        let w = COL * (s.line + 1 - s.start_line) - 2;
        let y = lane_y[l] + ROW * d;
        let step = step_of(s.start_line)
            .map(|m| {
                let c = if m.clauses.is_empty() {
                    String::new()
                } else {
                    format!(" [{}]", m.clauses.join(", "))
                };
                format!("\nstep: {}{c}", m.label)
            })
            .unwrap_or_default();
        // A Winsock error or a model report; `WSA_IO_PENDING` is the
        // start of an overlapped operation, not a failure.
        let failed = e.detail.rsplit(" -> ").next().is_some_and(|r| {
            (r.starts_with("WSA") && !r.starts_with("WSA_IO_PENDING")) || r.starts_with("model")
        });
        let class = if failed { "span failed" } else { "span" };
        let _ = writeln!(
            svg,
            r#"<g><title>{}{}
{} → {}</title><rect class="{class}" data-line="{}" x="{x}" y="{y}" width="{w}" height="{}" rx="3"/></g>"#,
            esc(&e.detail),
            esc(&step),
            time(s.start),
            time(e.t),
            s.line,
            ROW - 3
        );
    }
    // Everything else as marks on its host's network lane, linked to the
    // call that posted the operation where it is a completion.
    for (k, e) in trace.iter().enumerate() {
        if e.kind == "call" {
            continue;
        }
        let l = lanes
            .iter()
            .position(|l| l.0 == e.host && l.1.is_none())
            .expect("a lane each");
        let (x, y) = (LEFT + COL * k + COL / 2, lane_y[l] + ROW / 2);
        let class = mark_class(&e.kind);
        if matches!(class, "done" | "port") {
            if let Some(p) = poster(trace, k) {
                if let Some(&(pl, ps, pd)) = placed.iter().find(|(_, s, _)| s.line == p) {
                    let px = LEFT + COL * ps.line + COL / 2;
                    let py = lane_y[pl] + ROW * pd + ROW / 2;
                    let _ = writeln!(
                        svg,
                        r#"<path class="link" d="M{px},{py} C{px},{} {x},{} {x},{y}"/>"#,
                        (py + y) / 2,
                        (py + y) / 2
                    );
                }
            }
        }
        let _ = writeln!(
            svg,
            r#"<g><title>{} {} ({})</title><circle class="mark {class}" data-line="{k}" cx="{x}" cy="{y}" r="4"/></g>"#,
            esc(&e.kind),
            esc(&e.detail),
            time(e.t)
        );
    }
    let _ = write!(svg, "</svg>");

    let calls = placed.len();
    let marks = trace.len() - trace.iter().filter(|e| e.kind == "call").count();
    format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{t}</title>
<style>
body {{ font-family: sans-serif; margin: 12px; }}
h1 {{ font-size: 16px; margin: 0 0 4px; }}
p {{ font-size: 12px; margin: 0 0 8px; color: #444; }}
.lane.net {{ fill: #f3f5f8; }} .lane.thread {{ fill: #fff; stroke: #e4e7ec; }}
.name {{ fill: #333; }} .time {{ fill: #666; font-size: 9px; }}
.tick {{ stroke: #e0e0e0; stroke-dasharray: 2 3; }}
.span {{ fill: #7aa6d8; }} .span.failed {{ fill: #e8a33d; }} .span:hover {{ fill: #2f6fb5; }}
.mark.event {{ fill: #9aa3ad; }} .mark.wire {{ fill: #c7ccd1; }} .mark.fault {{ fill: #d9463b; }}
.mark.done {{ fill: #3aa657; }} .mark.port {{ fill: #3b6fd9; }}
.link {{ fill: none; stroke: #3aa657; stroke-width: 1; opacity: .6; }}
.legend span {{ display: inline-block; margin-right: 14px; }}
.key {{ display: inline-block; width: 10px; height: 10px; border-radius: 5px; margin-right: 4px; vertical-align: middle; }}
</style></head><body>
<h1>{t}</h1>
{notes}<p>{calls} calls, {marks} other events, {n} trace lines. Across: the trace in order (virtual time above, where it moves); down: each host's network and its threads. Hover for the trace line.</p>
<p class="legend"><span><i class="key" style="background:#7aa6d8"></i>call</span><span><i class="key" style="background:#e8a33d"></i>call that failed</span><span><i class="key" style="background:#3aa657"></i>completion, routine</span><span><i class="key" style="background:#3b6fd9"></i>port packet</span><span><i class="key" style="background:#d9463b"></i>fault, drop, diagnostic</span><span><i class="key" style="background:#9aa3ad"></i>other event</span></p>
<div style="overflow-x:auto">
{svg}
</div></body></html>
"#,
        t = esc(title),
        n = trace.len(),
        notes = notes
            .iter()
            .map(|n| format!("<p>{}</p>\n", esc(n)))
            .collect::<String>(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(t: u64, host: &str, kind: &str, detail: &str) -> TraceEvent {
        TraceEvent {
            t,
            host: host.into(),
            kind: kind.into(),
            detail: detail.into(),
        }
    }

    /// A span per call, a mark per other line, a link from a completion to
    /// the call that posted it; nothing of the trace is left out.
    #[test]
    fn spans_marks_and_links() {
        let trace = vec![
            ev(
                0,
                "h",
                "call",
                "WSARecvFrom(0xf20, [4], 0, ovl=1 +routine) -> WSA_IO_PENDING",
            ),
            ev(0, "h", "deliver", "x"),
            ev(
                0,
                "h",
                "complete",
                "WSARecvFrom ovl=1 socket=0xf20 ok bytes=1",
            ),
            ev(5, "h", "lost", "a -> b"),
            ev(5, "h", "call", "SleepEx(5ms, alertable=true) -> ok <b>"),
        ];
        let spans = vec![
            CallSpan {
                line: 0,
                start_line: 0,
                start: 0,
                thread: "main".into(),
            },
            CallSpan {
                line: 4,
                start_line: 1,
                start: 0,
                thread: "main".into(),
            },
        ];
        let steps = vec![StepMark {
            at_line: 0,
            label: "recv_from".into(),
            clauses: vec!["RECV-OVL-PENDING".into()],
        }];
        let page = html("t", &["profile: windows".into()], &trace, &spans, &steps);
        assert_eq!(page.matches(r#"<rect class="span"#).count(), 2);
        assert_eq!(page.matches(r#"<circle class="mark"#).count(), 3);
        assert_eq!(page.matches(r#"class="mark fault""#).count(), 1);
        assert_eq!(page.matches(r#"<path class="link""#).count(), 1);
        assert!(page.contains("step: recv_from [RECV-OVL-PENDING]"));
        assert!(page.contains("&lt;b&gt;"), "trace text is escaped");
        assert!(page.contains("<p>profile: windows</p>"));
        assert!(!page.contains("<b>"));
        assert_eq!(poster(&trace, 2), Some(0));
        assert_eq!(poster(&trace, 3), None);
    }
}
