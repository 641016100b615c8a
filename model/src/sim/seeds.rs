//! "Try N seeds": run a test once per seed and, on the first failure, say
//! which seed it was and show the trace that replays it.

use super::{Config, Sim};
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

/// How many trace lines a failure report shows (the last ones).
const SHOWN: usize = 400;

/// Runs `test` on a fresh world for each seed `0..n` (with the default
/// [`Config`]); see [`try_seeds_with`].
///
/// ```
/// use winsock_double::*;
/// try_seeds(20, |sim| {
///     let a = sim.add_host("a", &["10.0.0.1/24"]).unwrap();
///     a.wsa_startup(WINSOCK_VERSION_2_2).unwrap();
///     let s = a.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
///     assert!(a.close_socket(s).is_ok());
/// });
/// ```
#[track_caller]
pub fn try_seeds(n: u64, test: impl Fn(&Sim)) {
    try_seeds_with(n, Config::default(), test)
}

/// Runs `test` on a fresh world made with `cfg` for each seed `0..n`. When
/// a run panics, this panics in turn with the seed, the failure and the
/// world's trace (its last 400 lines); `Sim::with_config(seed, cfg)` and
/// the same test replay it exactly.
///
/// Two environment variables steer it without editing the test:
/// `WSD_SEED=k` runs only seed `k` (to replay a failure), and
/// `WSD_SEEDS=n` runs `n` seeds instead of the test's number (a long run).
#[track_caller]
pub fn try_seeds_with(n: u64, cfg: Config, test: impl Fn(&Sim)) {
    let env = |k: &str| -> Option<u64> {
        let v = std::env::var(k).ok()?;
        match v.trim().parse() {
            Ok(x) => Some(x),
            Err(_) => panic!("{k}={v:?}: not a number"),
        }
    };
    let seeds: Vec<u64> = match (env("WSD_SEED"), env("WSD_SEEDS")) {
        (Some(k), _) => vec![k],
        (None, Some(m)) => (0..m).collect(),
        (None, None) => (0..n).collect(),
    };
    for seed in seeds {
        let sim = Sim::with_config(seed, cfg.clone());
        let r = catch_unwind(AssertUnwindSafe(|| test(&sim)));
        let Err(payload) = r else {
            continue;
        };
        let msg = payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()));
        let Some(msg) = msg else {
            resume_unwind(payload);
        };
        // The world may be locked by a thread that panicked holding it;
        // the report then goes without the trace.
        let trace = match sim.world.try_lock() {
            Some(w) => w.rendered_trace(),
            None => vec!["(the world is locked: trace unavailable)".into()],
        };
        let skipped = trace.len().saturating_sub(SHOWN);
        let mut text = String::new();
        if skipped > 0 {
            text.push_str(&format!("... {skipped} earlier lines\n"));
        }
        for l in &trace[skipped..] {
            text.push_str(l);
            text.push('\n');
        }
        panic!(
            "seed {seed} failed: {msg}\nreplay it with WSD_SEED={seed} (or Sim::with_config({seed}, cfg)); the trace:\n{text}"
        );
    }
}
