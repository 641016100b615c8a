//! `winsock-double`: run scenarios, check conformance, print the clause table.
//!
//! Each command builds its whole output and returns it with its exit
//! status; `main` writes it. A reader that goes away early (`| head`) ends
//! the program quietly with the command's own status.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use winsock_double::scenario::{self, conform, runner, SimBackend, Verdict};
use winsock_double::{cite, Base, Profile, Quirk, CLAUSES, QUIRKS};

/// A deterministic Winsock emulator and conformance checker.
#[derive(Parser)]
#[command(
    name = "winsock-double",
    // The same in usage lines everywhere (not `winsock-double.exe`).
    bin_name = "winsock-double",
    version,
    after_help = "EXIT STATUS: 0 all good, 1 a step or clause failed, 2 bad usage or input."
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run one scenario on the model (or the real Winsock).
    ///
    /// Prints each step's outcome and verdict, then the trace. Exit 1 if a
    /// step fails.
    Run(RunArgs),
    /// Run a saved run again and compare it byte for byte.
    ///
    /// Compares step by step and then the trace, and prints the first
    /// difference. Exit 1 if it differs.
    Replay {
        /// A run saved by `run FILE --save OUT`.
        saved: PathBuf,
        /// Write the replayed run as a timeline here (see `run --timeline`).
        #[arg(long, value_name = "FILE.html")]
        timeline: Option<PathBuf>,
    },
    /// Run the scenario corpus and report per documented clause.
    ///
    /// `--backend model` (default): exit 1 if a clause fails. `--backend
    /// os` (Windows, or the Windows build under Wine): the same corpus on
    /// the real Winsock beside the model, per clause: model, OS,
    /// agree/differs; differences are findings, exit 0 unless a scenario
    /// could not run. Each OS step is also checked against the outcomes the
    /// model gives at that step over its own seed and --model-seeds more: a
    /// clause where the OS did what the model never does differs too (`~`
    /// lines).
    Conform(ConformArgs),
    /// Read a cargo-fuzz input of the `ops` target as the program it encodes.
    ///
    /// Prints it as a scenario in the fixtures format (or writes it to
    /// OUT), then checks the invariants on it. Exit 1 if one fails. The
    /// profile the program runs under is printed on standard error: pass it
    /// to `run --profile`.
    Decode {
        /// The input (fuzz/artifacts/ops/... or fuzz/corpus/ops/...).
        file: PathBuf,
        /// Write the scenario here instead of printing it.
        #[arg(long, value_name = "OUT")]
        save: Option<PathBuf>,
    },
    /// Print the quirk table: every departure of a profile from the
    /// documented contract, with its source.
    Quirks {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ClausesFormat::Md)]
        format: ClausesFormat,
    },
    /// Print the clause table, or where one clause is cited.
    ///
    /// With `--where ID`: the clause's statement, the lines of the model
    /// (model/src/sim, src/os) whose comments cite it, or why no line
    /// enforces it, the test lines citing it, and the scenario steps citing
    /// it. Exit 2 for an unknown id.
    Clauses {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ClausesFormat::Md)]
        format: ClausesFormat,
        /// Where this clause is cited (the source tree: the current
        /// directory if it has model/src, else the one the program was
        /// built from).
        #[arg(long = "where", value_name = "ID")]
        where_: Option<String>,
    },
}

#[derive(Args)]
struct RunArgs {
    /// The scenario file.
    file: PathBuf,
    /// The model's seed (default: the scenario's own).
    #[arg(long)]
    seed: Option<u64>,
    /// Where the scenario runs.
    #[arg(long, value_enum, default_value_t = Backend::Model)]
    backend: Backend,
    /// Output format.
    #[arg(long, value_enum, default_value_t = RunFormat::Text)]
    format: RunFormat,
    #[command(flatten)]
    profile: ProfileArgs,
    /// Write the model's run (scenario, seed, profile, every step's
    /// outcome, trace) here, for `replay`.
    #[arg(long, value_name = "OUT")]
    save: Option<PathBuf>,
    /// Write every packet the model put on a wire here, as a pcapng file
    /// for Wireshark or tshark (one interface per host, virtual time as
    /// time stamps; the trace gets a `wire` line per packet).
    #[arg(long, value_name = "FILE")]
    pcap: Option<PathBuf>,
    /// Write the model's run as a timeline here: a self-contained HTML
    /// page, one lane per host's network and per simulated thread, each
    /// call a span, completions, routines, port packets and faults marked.
    #[arg(long, value_name = "FILE.html")]
    timeline: Option<PathBuf>,
}

#[derive(Args)]
struct ConformArgs {
    /// The corpus directory (default: fixtures/scenarios).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Where the corpus runs.
    #[arg(long, value_enum, default_value_t = Backend::Model)]
    backend: Backend,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ConformFormat::Text)]
    format: ConformFormat,
    #[command(flatten)]
    profile: ProfileArgs,
    /// More model seeds each OS step is checked against (`--backend os`).
    #[arg(long, value_name = "N", default_value_t = scenario::differential::DEFAULT_SEEDS)]
    model_seeds: u64,
    /// `failing`: list only the clauses that need a look (text format):
    /// those that fail or are untested, or with `--backend os` those where
    /// the model and the real Winsock differ. The summary stays.
    #[arg(long, value_enum, value_name = "WHAT")]
    only: Option<Only>,
}

/// What `conform --only` keeps.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Only {
    /// The clauses that fail, are untested, or differ.
    Failing,
}

/// Where scenarios run.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Backend {
    /// The simulated network stack.
    Model,
    /// The real Winsock of this machine (Windows, or Wine).
    Os,
}

/// `run`'s output formats.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum RunFormat {
    /// Steps, verdicts and the trace, for people.
    Text,
    /// The run report as JSON.
    Json,
}

/// `conform`'s output formats.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ConformFormat {
    /// One line a clause.
    Text,
    /// The report as JSON.
    Json,
    /// JUnit XML, for CI.
    Junit,
    /// A self-contained HTML page: every clause with its model site,
    /// scenarios and results under the documented and Windows profiles
    /// and on Wine 8.0 (recorded), every quirk with its source.
    Html,
}

/// `clauses`' and `quirks`' output formats.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ClausesFormat {
    /// A Markdown table.
    Md,
    /// The clause table as JSON.
    Json,
}

/// The profile options of `run` and `conform`.
#[derive(Args)]
struct ProfileArgs {
    /// Which behaviour the model follows where implementations differ: the
    /// documented contract, current Windows where a cited source shows it
    /// departing, or Wine 8.0 as measured (`winsock-double quirks`).
    #[arg(long, default_value = "documented", value_parser = profile_names())]
    profile: Base,
    /// Add a quirk to the profile (an id of `winsock-double quirks`).
    #[arg(long, value_name = "ID", value_parser = quirk_id)]
    with_quirk: Vec<Quirk>,
    /// Take a quirk from the profile.
    #[arg(long, value_name = "ID", value_parser = quirk_id)]
    without_quirk: Vec<Quirk>,
}

impl ProfileArgs {
    fn profile(&self) -> Profile {
        let p = Profile::named(self.profile);
        let p = self.with_quirk.iter().fold(p, |p, q| p.with(*q));
        self.without_quirk.iter().fold(p, |p, q| p.without(*q))
    }
}

/// The named profiles' names, as the model writes them.
fn profile_names() -> impl clap::builder::TypedValueParser<Value = Base> {
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(Base::ALL.map(Base::name))
        .map(|n: String| Base::from_name(&n).expect("one of the possible values"))
}

fn quirk_id(id: &str) -> Result<Quirk, String> {
    Quirk::from_id(id)
        .ok_or_else(|| format!("unknown quirk `{id}` (`winsock-double quirks` lists them)"))
}

/// What a command did: its standard output, and how it ended.
struct Done {
    out: String,
    code: u8,
}

impl Done {
    fn ok(out: String) -> Done {
        Done { out, code: 0 }
    }
}

/// Bad usage or input (exit 2): the message for standard error.
struct BadInput(String);

impl<E: std::fmt::Display> From<E> for BadInput {
    fn from(e: E) -> BadInput {
        BadInput(e.to_string())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let done = match cli.cmd {
        Cmd::Run(a) => cmd_run(&a),
        Cmd::Replay { saved, timeline } => cmd_replay(&saved, timeline.as_deref()),
        Cmd::Conform(a) => cmd_conform(&a),
        Cmd::Decode { file, save } => cmd_decode(&file, save.as_deref()),
        Cmd::Clauses { format, where_ } => match where_ {
            Some(id) => cmd_clause_where(&id, format),
            None => Ok(cmd_clauses(format)),
        },
        Cmd::Quirks { format } => Ok(cmd_quirks(format)),
    };
    match done {
        Ok(d) => {
            let mut out = std::io::stdout().lock();
            match out.write_all(d.out.as_bytes()).and_then(|_| out.flush()) {
                Ok(()) => ExitCode::from(d.code),
                // The reader went away (`| head`): nothing is lost that it
                // wanted, so end quietly, as Unix tools do.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(d.code),
                Err(e) => {
                    say(&format!("cannot write the output: {e}"));
                    ExitCode::from(2)
                }
            }
        }
        Err(BadInput(why)) => {
            say(&why);
            ExitCode::from(2)
        }
    }
}

/// A message on standard error (which may be closed too: then nothing).
fn say(msg: &str) {
    let _ = writeln!(std::io::stderr(), "winsock-double: {msg}");
}

/// A note on standard error that is not an error.
fn note(msg: &str) {
    let _ = writeln!(std::io::stderr(), "{msg}");
}

fn json(v: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(v).expect("a report serialises") + "\n"
}

fn cmd_run(a: &RunArgs) -> Result<Done, BadInput> {
    let sc = scenario::load(&a.file)?;
    let seed = a.seed.unwrap_or(sc.seed);
    let profile = a.profile.profile();
    if let Some(out) = &a.save {
        if a.backend == Backend::Os {
            return Err(BadInput(
                "run: --save keeps a model run (a real Winsock is not deterministic)".into(),
            ));
        }
        let saved = winsock_double::fuzz::SavedRun::record(&sc, seed, profile);
        saved
            .save(out)
            .map_err(|e| BadInput(format!("cannot write {}: {e}", out.display())))?;
        note(&format!("saved the run as {}", out.display()));
    }
    if a.pcap.is_some() && a.backend == Backend::Os {
        return Err(BadInput(
            "run: --pcap captures the model's wires (a capture of a real Winsock needs a capture tool)"
                .into(),
        ));
    }
    if a.timeline.is_some() && a.backend == Backend::Os {
        return Err(BadInput(
            "run: --timeline draws the model's run (a real Winsock keeps no trace)".into(),
        ));
    }
    let report = match a.backend {
        Backend::Os => run_os(&sc, seed)?,
        Backend::Model => {
            let mut b = SimBackend::with_profile(profile);
            if a.pcap.is_some() {
                b = b.capturing();
            }
            let report = runner::run(&mut b, &sc, seed);
            if let (Some(path), Some(file)) = (&a.pcap, b.pcapng()) {
                std::fs::write(path, file)
                    .map_err(|e| BadInput(format!("cannot write {}: {e}", path.display())))?;
                note(&format!("wrote the capture to {}", path.display()));
            }
            if let Some(path) = &a.timeline {
                let title = format!("{} ({})", report.scenario, report.backend);
                write_timeline(path, b.timeline(&title))?;
            }
            report
        }
    };
    let out = match a.format {
        RunFormat::Json => json(&report),
        RunFormat::Text => render_run(&report),
    };
    Ok(Done {
        out,
        code: if report.passed() { 0 } else { 1 },
    })
}

fn render_run(report: &runner::RunReport) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(s, "scenario {} on {}", report.scenario, report.backend);
    if let Some(why) = &report.skipped {
        let _ = writeln!(s, "not run: {why}");
    }
    for st in &report.steps {
        let v = match st.verdict {
            Verdict::Pass => "pass",
            Verdict::Fail => "FAIL",
            Verdict::Recorded => "rec ",
            Verdict::Error => "ERR ",
            Verdict::Skipped => "skip",
        };
        let o = serde_json::to_string(&st.outcome).unwrap_or_default();
        let _ = writeln!(s, "{v} [{:>2}] {:<12} {o}", st.index, st.op);
        for p in &st.problems {
            let _ = writeln!(s, "          ! {p}");
        }
    }
    s.push_str("trace:\n");
    for t in &report.trace {
        let _ = writeln!(s, "  {t}");
    }
    s
}

/// Writes a timeline page, if the run made one.
fn write_timeline(path: &std::path::Path, page: Option<String>) -> Result<(), BadInput> {
    let page = page.ok_or_else(|| BadInput("the run made no timeline".into()))?;
    std::fs::write(path, page)
        .map_err(|e| BadInput(format!("cannot write {}: {e}", path.display())))?;
    note(&format!("wrote the timeline to {}", path.display()));
    Ok(())
}

fn cmd_replay(
    file: &std::path::Path,
    timeline: Option<&std::path::Path>,
) -> Result<Done, BadInput> {
    let saved = winsock_double::fuzz::SavedRun::load(file)?;
    if let Some(path) = timeline {
        let mut b = SimBackend::with_profile(saved.profile);
        let report = runner::run(&mut b, &saved.scenario, saved.seed);
        let title = format!(
            "{} ({}), replayed from {}",
            saved.scenario.name,
            report.backend,
            file.display()
        );
        write_timeline(path, b.timeline(&title))?;
    }
    Ok(match saved.replay() {
        Ok(()) => Done::ok(format!(
            "replayed {} (seed {}, profile {}): {} steps and {} trace lines, identical\n",
            saved.scenario.name,
            saved.seed,
            saved.profile,
            saved.steps.len(),
            saved.trace.len()
        )),
        Err(e) => Done {
            out: format!("{}: {e}\n", file.display()),
            code: 1,
        },
    })
}

fn cmd_decode(file: &std::path::Path, save: Option<&std::path::Path>) -> Result<Done, BadInput> {
    use winsock_double::fuzz::{bytes, invariants};
    let data = std::fs::read(file)
        .map_err(|e| BadInput(format!("cannot read {}: {e}", file.display())))?;
    let (mut sc, profile) = bytes::program(&data);
    sc.name = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "fuzz-input".into());
    let text = json(&sc);
    let out = match save {
        Some(path) => {
            std::fs::write(path, &text)
                .map_err(|e| BadInput(format!("cannot write {}: {e}", path.display())))?;
            note(&format!("wrote the scenario to {}", path.display()));
            String::new()
        }
        None => text,
    };
    let name = profile.base().name();
    note(&format!(
        "{} calls, seed {}, profile {name} (`run FILE --profile {name}`)",
        sc.steps.len(),
        sc.seed
    ));
    let code = match invariants::check_all(&sc, sc.seed, profile, true) {
        Ok(_) => {
            note("every invariant holds");
            0
        }
        Err(v) => {
            note(&format!("invariant violated: {v}"));
            1
        }
    };
    Ok(Done { out, code })
}

/// Runs `f` over the corpus with a progress bar on standard error (drawn
/// only on a terminal): `f` is given what to call as each scenario ends.
fn observed<T>(
    corpus: &[scenario::Scenario],
    what: &str,
    f: impl FnOnce(&mut dyn FnMut(&str)) -> T,
) -> T {
    let bar = indicatif::ProgressBar::new(corpus.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {wide_msg}")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    bar.set_prefix(format!("conform on {what}"));
    let out = f(&mut |name| {
        bar.set_message(name.to_string());
        bar.inc(1);
    });
    bar.finish_and_clear();
    out
}

fn cmd_conform(a: &ConformArgs) -> Result<Done, BadInput> {
    let dir = a.dir.clone().unwrap_or_else(scenario::default_corpus);
    let corpus = conform::load_corpus(&dir)?;
    let profile = a.profile.profile();
    let report = observed(&corpus, "model", |ran| {
        conform::conform_observed(|| SimBackend::with_profile(profile), &corpus, ran)
    });
    if a.backend == Backend::Os {
        return conform_os(a, &corpus, &report);
    }
    let out = match a.format {
        ConformFormat::Junit => conform::render_junit(&report),
        ConformFormat::Json => {
            let c = report.counts();
            json(&serde_json::json!({
                "backend": report.backend,
                "counts": {
                    "pass": c[0], "fail": c[1], "untested": c[2], "pending": c[3],
                    "not run": c[4],
                },
                "clauses": report.clauses,
            }))
        }
        ConformFormat::Text => conform::render_text(&report, a.only.is_some()),
        ConformFormat::Html => {
            let windows = winsock_model::Profile::windows();
            let win = observed(&corpus, "model (windows)", |ran| {
                conform::conform_observed(|| SimBackend::with_profile(windows), &corpus, ran)
            });
            scenario::conform_html::render(&report, &win)
        }
    };
    Ok(Done {
        out,
        code: if report.ok() { 0 } else { 1 },
    })
}

#[cfg(windows)]
fn run_os(sc: &scenario::Scenario, seed: u64) -> Result<runner::RunReport, BadInput> {
    Ok(runner::run(&mut scenario::OsBackend::default(), sc, seed))
}

#[cfg(not(windows))]
fn run_os(_: &scenario::Scenario, _: u64) -> Result<runner::RunReport, BadInput> {
    Err(no_os())
}

#[cfg(not(windows))]
fn no_os() -> BadInput {
    BadInput("the OS backend is the real Winsock: it exists on Windows, and in the Windows build run under Wine (scripts/wine-stage.sh runs it)".into())
}

#[cfg(windows)]
fn conform_os(
    a: &ConformArgs,
    corpus: &[scenario::Scenario],
    model: &conform::ConformReport,
) -> Result<Done, BadInput> {
    let os = observed(corpus, "real Winsock", |ran| {
        conform::conform_observed(scenario::OsBackend::default, corpus, ran)
    });
    let outside = conform::outside_model(corpus, &os, a.profile.profile(), a.model_seeds);
    let rows = conform::compare(model, &os, &outside);
    let out = match a.format {
        ConformFormat::Json => json(&serde_json::json!({
            "backend": os.backend,
            "model": model.backend,
            "clauses": rows,
            "scenarios": os.runs.iter().map(|r| serde_json::json!({
                "name": r.scenario,
                "skipped": r.skipped,
                "steps": r.steps.len(),
                "failed": r.steps.iter().filter(|s| s.verdict == Verdict::Fail).count(),
            })).collect::<Vec<_>>(),
        })),
        ConformFormat::Junit => conform::render_junit(&os),
        ConformFormat::Text => conform::render_pairs(&os.backend, &rows, a.only.is_some()),
        ConformFormat::Html => {
            return Err(BadInput(
                "conform: --format html is the model's report (with Wine's recorded run); with --backend os use text, json or junit".into(),
            ))
        }
    };
    let errored = os
        .runs
        .iter()
        .any(|r| r.steps.iter().any(|s| s.verdict == Verdict::Error));
    Ok(Done {
        out,
        code: u8::from(errored),
    })
}

#[cfg(not(windows))]
fn conform_os(
    _: &ConformArgs,
    _: &[scenario::Scenario],
    _: &conform::ConformReport,
) -> Result<Done, BadInput> {
    Err(no_os())
}

fn cmd_clauses(format: ClausesFormat) -> Done {
    Done::ok(match format {
        ClausesFormat::Json => json(&CLAUSES),
        ClausesFormat::Md => conform::clauses_markdown(),
    })
}

fn cmd_clause_where(id: &str, format: ClausesFormat) -> Result<Done, BadInput> {
    let c = cite::find(&cite::source_root(), id)?;
    Ok(Done::ok(match format {
        ClausesFormat::Json => json(&c),
        ClausesFormat::Md => cite::render_text(&c),
    }))
}

fn cmd_quirks(format: ClausesFormat) -> Done {
    Done::ok(match format {
        ClausesFormat::Json => json(&QUIRKS),
        ClausesFormat::Md => winsock_double::quirks::quirks_markdown(),
    })
}
