//! The differential as a property: a program run on a real Winsock must do,
//! at every step, something the model does there.
//!
//! [`inside_model`] takes an OS run and asks the model (over the program's
//! seed and `extra` more, as `conform --backend os` does, see
//! [`crate::scenario::differential`]) whether each step's outcome is one it
//! gives; the first step where it is not is the [`Violation`]. It runs on
//! any platform, so it is tested on the model against itself.
//!
//! A generated program, unlike a corpus scenario, is not written so that
//! the model's choices cannot change what later steps see: a stream read
//! the model cut short by seed leaves other bytes for the next read, and
//! sampling seeds rarely finds the one whole read after another that a
//! loopback connection gives. So the model also runs at the corners of its
//! documented nondeterminism ([`corners`]): whole stream reads, with the
//! completion timing as the program has it, always immediate, and always
//! pending; each corner over the same seeds. An OS step is inside if any
//! of these runs gave it.
//! `os_agrees` (Windows, or the Windows build under Wine) runs the
//! program on the real Winsock first. A property over
//! [`strategy::os_case`](super::strategy::os_case) then shrinks a
//! difference to the smallest program that shows it (`tests/os_fuzz.rs`).
//!
//! Only the first difference is reported: once the OS has done something
//! the model never does, the steps after it run from another state.

use super::invariants::Violation;
use crate::scenario::differential::model_outcomes;
use crate::scenario::{RunReport, Scenario};
use winsock_model::{CompletionTiming, Profile, StreamReads};

/// How many seeds besides the program's own the model explores.
pub const EXTRA_SEEDS: u64 = 8;

/// Whether every step of `os` (a run of `sc` on some Winsock) is one the
/// model, under `profile`, gives at that step over `sc.seed` and `extra`
/// more seeds, as `sc` is and at each of its [`corners`]. Steps the OS did
/// not make (undefined behaviour, refused) are not compared, nor what
/// follows one the model made
/// ([`ModelOutcomes::outside`](crate::scenario::differential::ModelOutcomes::outside)).
pub fn inside_model(
    sc: &Scenario,
    os: &RunReport,
    profile: Profile,
    extra: u64,
) -> Result<(), Violation> {
    let mut model = model_outcomes(sc, profile, extra);
    for c in corners(sc) {
        model.merge(model_outcomes(&c, profile, extra));
    }
    match model.outside(sc, os).into_iter().next() {
        None => Ok(()),
        Some(o) => Err(Violation {
            invariant: "os_inside_model",
            step: Some(o.index),
            detail: format!(
                "{} ({:?} profile, {} seeds)",
                o.describe(&sc.name),
                profile,
                model.seeds()
            ),
        }),
    }
}

/// `sc` at the corners of the model's nondeterminism: whole stream reads,
/// with `sc`'s completion timing, always immediate, and always pending;
/// a corner `sc` already is, or that comes twice, is left out.
pub fn corners(sc: &Scenario) -> Vec<Scenario> {
    let mut knobs = vec![(sc.stream_reads, sc.completion_timing)];
    let whole = Some(StreamReads::Whole);
    for t in [
        sc.completion_timing,
        Some(CompletionTiming::Immediate),
        Some(CompletionTiming::Pending),
    ] {
        if !knobs.contains(&(whole, t)) {
            knobs.push((whole, t));
        }
    }
    knobs[1..]
        .iter()
        .map(|&(stream_reads, completion_timing)| Scenario {
            stream_reads,
            completion_timing,
            ..sc.clone()
        })
        .collect()
}

/// `sc` without the steps whose outcome under `profile` depends on the
/// machine rather than on its Winsock. Under Wine that is `SO_RCVBUF` on a
/// datagram socket: Wine hands it to the Linux host, which doubles it,
/// raises it to at least 2,304 bytes and charges each datagram its buffer
/// overhead, so what fits is Linux's arithmetic, not Winsock's (found by
/// `tests/os_fuzz.rs`: `SO_RCVBUF` 0, then a 1-byte datagram is still
/// received).
pub fn comparable(mut sc: Scenario, profile: Profile) -> Scenario {
    if profile.base() == winsock_model::Base::Wine8 {
        sc.steps.retain(|st| {
            !matches!(&st.op, crate::scenario::Op::Setsockopt { name, .. } if name == "SO_RCVBUF")
        });
    }
    sc
}

/// The profile that describes the Winsock this process runs on: `Wine8`
/// under Wine, `Windows` otherwise.
#[cfg(windows)]
pub fn os_profile() -> Profile {
    if crate::os::describe().starts_with("Wine") {
        Profile::wine8()
    } else {
        Profile::windows()
    }
}

/// Runs `sc` on the real Winsock, then [`inside_model`] under
/// [`os_profile`]. Returns the OS run too, for a report. `sc` should have
/// been through [`comparable`].
#[cfg(windows)]
pub fn os_agrees(sc: &Scenario, extra: u64) -> (RunReport, Result<(), Violation>) {
    let os = crate::scenario::runner::run(&mut crate::scenario::OsBackend::default(), sc, sc.seed);
    let verdict = inside_model(sc, &os, os_profile(), extra);
    (os, verdict)
}
