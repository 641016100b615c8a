//! `conform --format html`: the conformance report as a page a person
//! would rather read. One self-contained HTML file (styles inline, no
//! script): the summary, then a row per clause with its sentence, where
//! the documentation says it, the model lines that enforce it, its
//! scenarios, and side by side the model under the documented profile,
//! the model under the Windows profile (what the model holds real Windows
//! to do, through its quirks), Wine 8.0 as recorded through the OS backend
//! (`fixtures/recorded/wine-8.0.json`), and the quirks that depart from
//! it; then a row per quirk with its sentence, source and profiles.

use super::conform::{ClauseResult, ConformReport};
use crate::cite;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use winsock_model::QUIRKS;

/// A clause's result on the recorded Wine run: result and verdict.
type Recorded = BTreeMap<String, (String, String)>;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn result_name(r: ClauseResult) -> &'static str {
    match r {
        ClauseResult::Pass => "pass",
        ClauseResult::Fail => "fail",
        ClauseResult::Untested => "untested",
        ClauseResult::Pending => "pending",
        ClauseResult::NotRun => "not run",
    }
}

/// A result as a table cell, coloured by what it is.
fn cell(result: &str, title: &str) -> String {
    let class = result.replace(' ', "-");
    format!(
        r#"<td class="r {class}" title="{}">{}</td>"#,
        esc(title),
        esc(result)
    )
}

/// The recorded Wine 8.0 run, by clause, if the checkout has it.
fn recorded_wine(root: &std::path::Path) -> Option<(String, Recorded)> {
    let text = std::fs::read_to_string(root.join("fixtures/recorded/wine-8.0.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    let backend = v["backend"].as_str().unwrap_or("Wine").to_string();
    let rows = v["clauses"]
        .as_array()?
        .iter()
        .filter_map(|c| {
            let s = |k: &str| c[k].as_str().unwrap_or("").to_string();
            Some((c["id"].as_str()?.to_string(), (s("result"), s("verdict"))))
        })
        .collect();
    Some((backend, rows))
}

/// The counts of a report, as the summary says them.
fn counts(r: &ConformReport) -> String {
    let [pass, fail, untested, pending, not_run] = r.counts();
    format!("{pass} pass, {fail} fail, {untested} untested, {pending} pending, {not_run} not run")
}

/// The page, from the corpus run under the documented profile (`doc`) and
/// under the Windows profile (`win`).
pub fn render(doc: &ConformReport, win: &ConformReport) -> String {
    let root = cite::source_root();
    let comments = cite::model_comments(&root).unwrap_or_default();
    let wine = recorded_wine(&root);
    let win_by_id: BTreeMap<&str, &super::conform::ClauseRow> =
        win.clauses.iter().map(|c| (c.id, c)).collect();
    let mut rows = String::new();
    for c in &doc.clauses {
        let sites: Vec<&cite::Line> = comments
            .iter()
            .filter(|l| cite::model_line_cites(l, c.id))
            .collect();
        let site = match (
            sites.first(),
            winsock_model::clauses::not_enforced_reason(c.id),
        ) {
            (Some(l), _) => {
                let more = if sites.len() > 1 {
                    format!(" (+{})", sites.len() - 1)
                } else {
                    String::new()
                };
                format!(
                    r#"<code title="{}">{}:{}</code>{more}"#,
                    esc(&l.text),
                    esc(&l.path),
                    l.line
                )
            }
            (None, Some(why)) => format!("<i>{}</i>", esc(why)),
            (None, None) => "—".into(),
        };
        let w = win_by_id.get(c.id);
        let (wine_result, wine_title) = match wine.as_ref().and_then(|(_, m)| m.get(c.id)) {
            Some((r, v)) => (r.as_str(), format!("verdict against the model: {v}")),
            None => ("—", "no recorded run".to_string()),
        };
        let quirks: Vec<String> = QUIRKS
            .iter()
            .filter(|q| cite::cites(q.statement, c.id))
            .map(|q| {
                let profiles: Vec<&str> = q.profiles.iter().map(|b| b.name()).collect();
                format!(
                    r##"<a href="#{id}" title="{}">{id}</a> <small>({})</small>"##,
                    esc(q.statement),
                    profiles.join(", "),
                    id = q.id
                )
            })
            .collect();
        let _ = writeln!(
            rows,
            r#"<tr id="{id}" class="clause"><td><code>{id}</code></td><td>{}<br><small>{}</small></td><td>{site}</td><td>{}</td>{}{}{}<td>{}</td></tr>"#,
            esc(c.statement),
            esc(c.source),
            c.scenarios
                .iter()
                .map(|s| esc(s))
                .collect::<Vec<_>>()
                .join(", "),
            cell(result_name(c.result), &c.problems.join("; ")),
            match w {
                Some(w) => cell(result_name(w.result), &w.problems.join("; ")),
                None => cell("—", ""),
            },
            cell(wine_result, &wine_title),
            quirks.join("<br>"),
            id = esc(c.id),
        );
    }
    let mut quirk_rows = String::new();
    for q in QUIRKS {
        let profiles: Vec<&str> = q.profiles.iter().map(|b| b.name()).collect();
        let _ = writeln!(
            quirk_rows,
            r#"<tr id="{id}" class="quirk"><td><code>{id}</code></td><td>{}</td><td><small>{}</small></td><td>{}</td></tr>"#,
            esc(q.statement),
            esc(q.source),
            profiles.join(", "),
            id = esc(q.id)
        );
    }
    let wine_summary = match &wine {
        Some((backend, m)) => {
            let pass = m.values().filter(|(r, _)| r == "pass").count();
            let fail = m.values().filter(|(r, _)| r == "fail").count();
            let agree = m.values().filter(|(_, v)| v == "agree").count();
            format!(
                "{backend} through the OS backend (recorded): {pass} pass, {fail} fail, {} not run; agrees with the model on {agree}.",
                m.len() - pass - fail
            )
        }
        None => "No recorded Wine run in this checkout.".into(),
    };
    format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>winsock-double conformance</title>
<style>
body {{ font-family: sans-serif; margin: 16px; font-size: 13px; }}
h1 {{ font-size: 20px; }} h2 {{ font-size: 16px; margin-top: 28px; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border-bottom: 1px solid #e3e6ea; padding: 4px 6px; vertical-align: top; text-align: left; }}
th {{ background: #f3f5f8; position: sticky; top: 0; }}
td.r {{ font-weight: bold; white-space: nowrap; }}
.pass {{ color: #1d7a35; }} .fail {{ color: #c0392b; }} .untested {{ color: #b9770e; }}
.pending, .not-run, .— {{ color: #7f8c8d; }}
code {{ font-size: 12px; }} small {{ color: #555; }}
</style></head><body>
<h1>winsock-double: conformance</h1>
<p>A <b>clause</b> is one rule of Microsoft's documentation pages for WSARecv, WSARecvMsg and WSASendMsg, with an id; a <b>quirk</b> is a named, sourced departure of an implementation (Windows, Wine) from a clause; a <b>profile</b> is a set of quirks.</p>
<ul>
<li>The model, documented profile ({doc_backend}): {doc_counts}.</li>
<li>The model, Windows profile ({win_backend}): {win_counts}.</li>
<li>{wine_summary}</li>
</ul>
<p>Columns: the clause and where the documentation says it; the model line that enforces it (hover for the line); the scenarios that test it; the results side by side (hover for why); the quirks that depart from it.</p>
<h2>Clauses ({n})</h2>
<table id="clauses"><thead><tr><th>id</th><th>rule</th><th>model site</th><th>scenarios</th><th>model (documented)</th><th>model (windows)</th><th>Wine 8.0</th><th>departing quirks</th></tr></thead>
<tbody>
{rows}</tbody></table>
<h2>Quirks ({q})</h2>
<table id="quirks"><thead><tr><th>id</th><th>what the implementation does</th><th>source</th><th>profiles</th></tr></thead>
<tbody>
{quirk_rows}</tbody></table>
</body></html>
"#,
        doc_backend = esc(&doc.backend),
        doc_counts = counts(doc),
        win_backend = esc(&win.backend),
        win_counts = counts(win),
        wine_summary = esc(&wine_summary),
        n = doc.clauses.len(),
        q = QUIRKS.len(),
    )
}
