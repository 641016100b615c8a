//! The doc examples are written for a user, whose crate depends on
//! `winsock-double`: a code block in a doc comment under `model/src` (or
//! in a file included as docs there) that names `winsock_model` would not
//! compile for them (E0432). Issue 17.

use std::fs;
use std::path::{Path, PathBuf};

/// `file:line: text` for each line of a code block that names `winsock_model`.
/// `lines` are (line number, doc text) pairs, the doc text without its `///`.
fn offending(file: &Path, lines: impl Iterator<Item = (usize, String)>) -> Vec<String> {
    let mut in_code = false;
    let mut found = Vec::new();
    for (n, text) in lines {
        if text.trim_start().starts_with("```") {
            in_code = !in_code;
        } else if in_code && text.contains("winsock_model") {
            let shown = file
                .strip_prefix(env!("CARGO_MANIFEST_DIR"))
                .unwrap_or(file);
            found.push(format!("model/{}:{n}: {}", shown.display(), text.trim()));
        }
    }
    found
}

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rs_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn doc_examples_use_the_winsock_double_paths() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rs_files(&src, &mut files);
    assert!(!files.is_empty(), "no sources under {}", src.display());
    let mut found = Vec::new();
    for file in &files {
        let text = fs::read_to_string(file).unwrap();
        // Doc comments: each run of `///` or `//!` lines, fences and all.
        let doc = text.lines().enumerate().filter_map(|(i, line)| {
            let l = line.trim_start();
            let rest = l.strip_prefix("///").or_else(|| l.strip_prefix("//!"))?;
            Some((i + 1, rest.to_string()))
        });
        found.extend(offending(file, doc));
        // Files included as docs: `#[doc = include_str!("...")]`.
        for line in text.lines() {
            let Some((_, rest)) = line.split_once("doc = include_str!(\"") else {
                continue;
            };
            let included = file.parent().unwrap().join(rest.split('"').next().unwrap());
            let md = fs::read_to_string(&included).unwrap();
            let md_lines = md.lines().enumerate().map(|(i, l)| (i + 1, l.to_string()));
            found.extend(offending(&included, md_lines));
        }
    }
    assert!(
        found.is_empty(),
        "doc examples name `winsock_model`; a user's crate depends on winsock-double, \
         so write `winsock_double::...`:\n{}",
        found.join("\n")
    );
}
