//! Property-based fuzzing of socket code on the model.
//!
//! | file | holds |
//! |---|---|
//! | `strategy.rs` (feature `proptest`, on by default) | proptest strategies: programs of Winsock calls as scenarios, buffer shapes, flags, fault plans, model settings |
//! | `invariants.rs` | the checks every run must pass, each usable alone |
//! | `program.rs` | the frame of a generated program: its sockets ([`program::Shape`]) and their set-up |
//! | `saved.rs` | saved runs and their replay; failing cases saved as scenarios |
//! | `bytes.rs` | a program decoded from arbitrary bytes (the cargo-fuzz targets) |
//! | `differential.rs` | the differential as a property: an OS run's steps must be ones the model gives |
//!
//! A property in a test suite looks like this: generate a case, run it
//! through [`check_all`], and on failure save it (proptest calls the body
//! again while shrinking, so the file ends up holding the smallest case):
//!
//! ```
//! use proptest::prelude::*;
//! use winsock_double::fuzz::{check_all, save_failure, strategy};
//!
//! proptest! {
//!     // The saved scenario is the regression to keep: no proptest-regressions file.
//!     #![proptest_config(ProptestConfig { cases: 8, failure_persistence: None, ..Default::default() })]
//!     // In a test file this function has #[test] above it.
//!     fn invariants_hold(case in strategy::case(strategy::Shape::default(), 30)) {
//!         if let Err(v) = check_all(&case.scenario, case.scenario.seed, case.profile, true) {
//!             let file = save_failure("invariants_hold", &case.scenario, case.profile, &v.to_string());
//!             prop_assert!(false, "{v}; saved as {}", file.display());
//!         }
//!     }
//! }
//! # invariants_hold();
//! ```

pub mod bytes;
pub mod differential;
pub mod invariants;
pub mod program;
pub mod saved;
#[cfg(feature = "proptest")]
pub mod strategy;

pub use invariants::{check_all, Violation};
pub use saved::{save_failure, SavedRun};
