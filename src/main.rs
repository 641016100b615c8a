//! `winsock-double`: run scenarios, check conformance, print the clause table.

use std::path::PathBuf;
use std::process::ExitCode;
use winsock_double::scenario::{self, conform, runner, SimBackend, Verdict};
use winsock_double::CLAUSES;

const HELP: &str = "\
winsock-double: a deterministic Winsock emulator and conformance checker

USAGE:
    winsock-double run FILE [--seed N] [--backend model|os] [--format text|json] [--save OUT]
        Run one scenario on the model (or the real Winsock); print each step's
        outcome and verdict, then the trace. Exit 1 if a step fails.
        --save OUT writes the model's run (scenario, seed, profile, every
        step's outcome, trace) for `replay`.
    winsock-double replay OUT
        Run a saved run again and compare it byte for byte, step by step and
        then the trace; print the first difference. Exit 1 if it differs.
    winsock-double conform [--dir DIR] [--backend model|os] [--format text|json|junit]
        Run the scenario corpus (default: fixtures/scenarios) and report per
        documented clause. `--backend model` (default): exit 1 if a clause
        fails. `--backend os` (Windows, or the Windows build under Wine): the
        same corpus on the real Winsock beside the model, per clause: model,
        OS, agree/differs; differences are findings, exit 0 unless a scenario
        could not run. Each OS step is also checked against the outcomes
        the model gives at that step over its own seed and
        --model-seeds N more (default 16): a clause where the OS did what
        the model never does differs too (`~` lines).
        --profile documented|windows|wine-8 (run, conform)
        Which behaviour the model follows where implementations differ: the
        documented contract (default), current Windows where a cited source
        shows it departing from the documentation, or Wine 8.0 as measured.
    winsock-double decode FILE [--save OUT]
        Read a cargo-fuzz input of the `ops` target (fuzz/artifacts/ops/...)
        as the program it encodes; print it as a scenario in the fixtures
        format (or write it to OUT), then check the invariants on it.
        Exit 1 if one fails. The profile the program runs under is printed
        on standard error: pass it to `run --profile`.
    winsock-double clauses [--format md|json]
        Print the clause table.
    winsock-double help | --help | -h
    winsock-double --version

EXIT STATUS: 0 all good, 1 a step or clause failed, 2 bad usage or input.
";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Text,
    Json,
    Md,
    Junit,
}

struct Args {
    cmd: String,
    file: Option<PathBuf>,
    seed: Option<u64>,
    format: Format,
    dir: Option<PathBuf>,
    os: bool,
    profile: winsock_double::Profile,
    model_seeds: u64,
    save: Option<PathBuf>,
}

fn parse_args(argv: &[String]) -> Result<Args, String> {
    let mut it = argv.iter();
    let cmd = it.next().cloned().unwrap_or_else(|| "help".into());
    let mut a = Args {
        cmd,
        file: None,
        seed: None,
        format: Format::Text,
        dir: None,
        os: false,
        profile: winsock_double::Profile::Documented,
        model_seeds: scenario::differential::DEFAULT_SEEDS,
        save: None,
    };
    while let Some(x) = it.next() {
        let mut value = |flag: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match x.as_str() {
            "--seed" => {
                let v = value("--seed")?;
                a.seed = Some(
                    v.parse()
                        .map_err(|_| format!("--seed: `{v}` is not a whole number"))?,
                );
            }
            "--format" => {
                a.format = match value("--format")?.as_str() {
                    "text" => Format::Text,
                    "json" => Format::Json,
                    "md" => Format::Md,
                    "junit" => Format::Junit,
                    other => {
                        return Err(format!(
                            "--format: unknown format `{other}` (text, json, md, junit)"
                        ))
                    }
                }
            }
            "--backend" => {
                a.os = match value("--backend")?.as_str() {
                    "model" => false,
                    "os" => true,
                    other => {
                        return Err(format!("--backend: unknown backend `{other}` (model, os)"))
                    }
                }
            }
            "--profile" => {
                a.profile = match value("--profile")?.as_str() {
                    "documented" => winsock_double::Profile::Documented,
                    "wine-8" => winsock_double::Profile::Wine8,
                    "windows" => winsock_double::Profile::Windows,
                    other => {
                        return Err(format!(
                            "--profile: unknown profile `{other}` (documented, windows, wine-8)"
                        ))
                    }
                }
            }
            "--model-seeds" => {
                let v = value("--model-seeds")?;
                a.model_seeds = v
                    .parse()
                    .map_err(|_| format!("--model-seeds: `{v}` is not a whole number"))?;
            }
            "--dir" => a.dir = Some(PathBuf::from(value("--dir")?)),
            "--save" => a.save = Some(PathBuf::from(value("--save")?)),
            f if f.starts_with('-') => return Err(format!("unknown option `{f}`")),
            f if a.file.is_none() => a.file = Some(PathBuf::from(f)),
            f => return Err(format!("unexpected argument `{f}`")),
        }
    }
    Ok(a)
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let args = match parse_args(&argv) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("winsock-double: {e}\n\n{HELP}");
            return ExitCode::from(2);
        }
    };
    match args.cmd.as_str() {
        "help" | "--help" | "-h" => {
            print!("{HELP}");
            ExitCode::SUCCESS
        }
        "--version" | "-V" => {
            println!("winsock-double {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        "run" => cmd_run(&args),
        "replay" => cmd_replay(&args),
        "conform" => cmd_conform(&args),
        "clauses" => cmd_clauses(&args),
        "decode" => cmd_decode(&args),
        other => {
            eprintln!("winsock-double: unknown command `{other}`\n\n{HELP}");
            ExitCode::from(2)
        }
    }
}

fn cmd_run(a: &Args) -> ExitCode {
    let Some(file) = &a.file else {
        eprintln!("winsock-double run: which scenario file?");
        return ExitCode::from(2);
    };
    let sc = match scenario::load(file) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("winsock-double: {e}");
            return ExitCode::from(2);
        }
    };
    let seed = a.seed.unwrap_or(sc.seed);
    if let Some(out) = &a.save {
        if a.os {
            eprintln!("winsock-double run: --save keeps a model run (a real Winsock is not deterministic)");
            return ExitCode::from(2);
        }
        let saved = winsock_double::fuzz::SavedRun::record(&sc, seed, a.profile);
        if let Err(e) = saved.save(out) {
            eprintln!("winsock-double: cannot write {}: {e}", out.display());
            return ExitCode::from(2);
        }
        eprintln!("saved the run as {}", out.display());
    }
    let report = if a.os {
        run_os(&sc, seed)
    } else {
        Some(runner::run(
            &mut SimBackend::with_profile(a.profile),
            &sc,
            seed,
        ))
    };
    let report = match report {
        Some(r) => r,
        None => return conform_os(a, &[], &conform::conform(SimBackend::default, &[])),
    };
    if a.format == Format::Json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).expect("a report serialises")
        );
    } else {
        println!("scenario {} on {}", report.scenario, report.backend);
        for s in &report.steps {
            let v = match s.verdict {
                Verdict::Pass => "pass",
                Verdict::Fail => "FAIL",
                Verdict::Recorded => "rec ",
                Verdict::Error => "ERR ",
                Verdict::Skipped => "skip",
            };
            let o = serde_json::to_string(&s.outcome).unwrap_or_default();
            println!("{v} [{:>2}] {:<12} {o}", s.index, s.op);
            for p in &s.problems {
                println!("          ! {p}");
            }
        }
        println!("trace:");
        for t in &report.trace {
            println!("  {t}");
        }
    }
    if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn cmd_replay(a: &Args) -> ExitCode {
    let Some(file) = &a.file else {
        eprintln!("winsock-double replay: which saved run? (`run FILE --save OUT` makes one)");
        return ExitCode::from(2);
    };
    let saved = match winsock_double::fuzz::SavedRun::load(file) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("winsock-double: {e}");
            return ExitCode::from(2);
        }
    };
    match saved.replay() {
        Ok(()) => {
            println!(
                "replayed {} (seed {}, profile {:?}): {} steps and {} trace lines, identical",
                saved.scenario.name,
                saved.seed,
                saved.profile,
                saved.steps.len(),
                saved.trace.len()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("{}: {e}", file.display());
            ExitCode::from(1)
        }
    }
}

fn cmd_decode(a: &Args) -> ExitCode {
    use winsock_double::fuzz::{bytes, invariants};
    let Some(file) = &a.file else {
        eprintln!("winsock-double decode: which fuzz input? (fuzz/artifacts/ops/... or fuzz/corpus/ops/...)");
        return ExitCode::from(2);
    };
    let data = match std::fs::read(file) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("winsock-double: cannot read {}: {e}", file.display());
            return ExitCode::from(2);
        }
    };
    let (mut sc, profile) = bytes::program(&data);
    sc.name = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "fuzz-input".into());
    let text = serde_json::to_string_pretty(&sc).expect("a scenario serialises") + "\n";
    match &a.save {
        Some(out) => {
            if let Err(e) = std::fs::write(out, &text) {
                eprintln!("winsock-double: cannot write {}: {e}", out.display());
                return ExitCode::from(2);
            }
            eprintln!("wrote the scenario to {}", out.display());
        }
        None => print!("{text}"),
    }
    let name = match profile {
        winsock_double::Profile::Documented => "documented",
        winsock_double::Profile::Windows => "windows",
        winsock_double::Profile::Wine8 => "wine-8",
    };
    eprintln!(
        "{} calls, seed {}, profile {name} (`run FILE --profile {name}`)",
        sc.steps.len(),
        sc.seed
    );
    match invariants::check_all(&sc, sc.seed, profile, true) {
        Ok(_) => {
            eprintln!("every invariant holds");
            ExitCode::SUCCESS
        }
        Err(v) => {
            eprintln!("invariant violated: {v}");
            ExitCode::from(1)
        }
    }
}

fn cmd_conform(a: &Args) -> ExitCode {
    let dir = a.dir.clone().unwrap_or_else(scenario::default_corpus);
    let corpus = match conform::load_corpus(&dir) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("winsock-double: {e}");
            return ExitCode::from(2);
        }
    };
    let report = conform::conform(|| SimBackend::with_profile(a.profile), &corpus);
    if a.os {
        return conform_os(a, &corpus, &report);
    }
    match a.format {
        Format::Junit => print!("{}", conform::render_junit(&report)),
        Format::Json => {
            let v = serde_json::json!({
                "backend": report.backend,
                "counts": {
                    "pass": report.counts()[0], "fail": report.counts()[1],
                    "untested": report.counts()[2], "pending": report.counts()[3],
                    "not run": report.counts()[4],
                },
                "clauses": report.clauses,
            });
            println!(
                "{}",
                serde_json::to_string_pretty(&v).expect("a report serialises")
            );
        }
        _ => print!("{}", conform::render_text(&report)),
    }
    if report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

#[cfg(windows)]
fn run_os(sc: &scenario::Scenario, seed: u64) -> Option<runner::RunReport> {
    Some(runner::run(&mut scenario::OsBackend::default(), sc, seed))
}

#[cfg(not(windows))]
fn run_os(_: &scenario::Scenario, _: u64) -> Option<runner::RunReport> {
    None
}

#[cfg(windows)]
fn conform_os(a: &Args, corpus: &[scenario::Scenario], model: &conform::ConformReport) -> ExitCode {
    let os = conform::conform(scenario::OsBackend::default, corpus);
    let outside = conform::outside_model(corpus, &os, a.profile, a.model_seeds);
    let rows = conform::compare(model, &os, &outside);
    match a.format {
        Format::Json => {
            let v = serde_json::json!({
                "backend": os.backend,
                "model": model.backend,
                "clauses": rows,
                "scenarios": os.runs.iter().map(|r| serde_json::json!({
                    "name": r.scenario,
                    "skipped": r.skipped,
                    "steps": r.steps.len(),
                    "failed": r.steps.iter().filter(|s| s.verdict == Verdict::Fail).count(),
                })).collect::<Vec<_>>(),
            });
            println!(
                "{}",
                serde_json::to_string_pretty(&v).expect("a report serialises")
            );
        }
        Format::Junit => print!("{}", conform::render_junit(&os)),
        _ => print!("{}", conform::render_pairs(&os.backend, &rows)),
    }
    let errored = os
        .runs
        .iter()
        .any(|r| r.steps.iter().any(|s| s.verdict == Verdict::Error));
    if errored {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

#[cfg(not(windows))]
fn conform_os(_: &Args, _: &[scenario::Scenario], _: &conform::ConformReport) -> ExitCode {
    eprintln!(
        "winsock-double: the OS backend is the real Winsock: it exists on Windows, and in the Windows build run under Wine (scripts/wine-stage.sh runs it)"
    );
    ExitCode::from(2)
}

fn cmd_clauses(a: &Args) -> ExitCode {
    match a.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(CLAUSES).expect("clauses serialise")
        ),
        _ => print!("{}", conform::clauses_markdown()),
    }
    ExitCode::SUCCESS
}
