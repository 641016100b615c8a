//! `winsock-double`: run scenarios, check conformance, print the clause table.

use std::path::PathBuf;
use std::process::ExitCode;
use winsock_double::scenario::{self, conform, runner, SimBackend, Verdict};
use winsock_double::CLAUSES;

const HELP: &str = "\
winsock-double: a deterministic Winsock emulator and conformance checker

USAGE:
    winsock-double run FILE [--seed N] [--format text|json]
        Run one scenario on the model; print each step's outcome and verdict,
        then the trace. Exit 1 if a step fails.
    winsock-double conform [--dir DIR] [--format text|json]
        Run the scenario corpus (default: fixtures/scenarios) on the model and
        report per documented clause. Exit 1 if a clause fails.
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
}

struct Args {
    cmd: String,
    file: Option<PathBuf>,
    seed: Option<u64>,
    format: Format,
    dir: Option<PathBuf>,
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
                    other => {
                        return Err(format!(
                            "--format: unknown format `{other}` (text, json, md)"
                        ))
                    }
                }
            }
            "--dir" => a.dir = Some(PathBuf::from(value("--dir")?)),
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
        "conform" => cmd_conform(&args),
        "clauses" => cmd_clauses(&args),
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
    let report = runner::run(&mut SimBackend::default(), &sc, seed);
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

fn cmd_conform(a: &Args) -> ExitCode {
    let dir = a.dir.clone().unwrap_or_else(scenario::default_corpus);
    let corpus = match conform::load_corpus(&dir) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("winsock-double: {e}");
            return ExitCode::from(2);
        }
    };
    let report = conform::conform(SimBackend::default, &corpus);
    match a.format {
        Format::Json => {
            let v = serde_json::json!({
                "backend": report.backend,
                "counts": {
                    "pass": report.counts()[0], "fail": report.counts()[1],
                    "untested": report.counts()[2], "pending": report.counts()[3],
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
