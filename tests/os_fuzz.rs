//! The differential as a property (issue 7): generated programs run on the
//! real Winsock (Windows, or the Windows build under Wine in the Wine
//! stage) and every step must be one the model gives there, under the
//! profile that describes this Winsock (`fuzz::differential::os_profile`).
//! A difference shrinks to the smallest program that shows it, saved as a
//! scenario (`fuzz::save_failure`) that `winsock-double run FILE --backend
//! os` runs again.
#![cfg(windows)]

mod common;
use common::proptest_cases;
use proptest::prelude::*;
use winsock_double::fuzz::differential::{os_agrees, os_profile, EXTRA_SEEDS};
use winsock_double::fuzz::{save_failure, strategy};

proptest! {
    #![proptest_config(ProptestConfig {
        cases: proptest_cases(64),
        // The shrunk case is saved as a scenario instead.
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// 30-call programs over two UDP sockets and a TCP pair on loopback.
    #[test]
    fn os_runs_are_inside_the_model(case in strategy::os_case(os_profile(), 30)) {
        let (_, verdict) = os_agrees(&case.scenario, EXTRA_SEEDS);
        if let Err(v) = verdict {
            let file = save_failure("os_runs_are_inside_the_model", &case.scenario, case.profile, &v.to_string());
            prop_assert!(false, "{v}\nsaved as {}", file.display());
        }
    }
}
