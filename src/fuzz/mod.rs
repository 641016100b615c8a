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
//! A crate whose tests use the strategies adds proptest beside
//! winsock-double (whose default feature `proptest` builds them), since
//! the `proptest!` and `prop_assert!` macros are that crate's:
//!
//! ```toml
//! [dev-dependencies]
//! winsock-double = "0.1"
//! proptest = "1"
//! ```
//!
//! A property in a test suite looks like this: generate a case, check
//! it (`Case::check`: every invariant, [`check_all`], under the case's own
//! seed and profile), and on failure save it (proptest calls the body
//! again while shrinking, so the file ends up holding the smallest case):
//!
//! ```
//! use proptest::prelude::*;
//! use winsock_double::fuzz::strategy;
//!
//! proptest! {
//!     // The saved scenario is the regression to keep: no proptest-regressions file.
//!     #![proptest_config(ProptestConfig { cases: 8, failure_persistence: None, ..Default::default() })]
//!     // In a test file this function has #[test] above it.
//!     fn invariants_hold(case in strategy::case(strategy::Shape::default(), 30)) {
//!         if let Err(v) = case.check() {
//!             let file = case.save_failure("invariants_hold", &v.to_string());
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
