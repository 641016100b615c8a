//! The Wine 8.0 profile reproduces what Wine 8.0 was measured to do: the
//! corpus run on the model with `Profile::Wine8` gives, clause by clause,
//! the results recorded from Wine's own Winsock (fixtures/recorded/wine-8.0.json,
//! written by scripts/wine-stage.sh), for the datagram clauses. Wine's
//! overlapped-I/O differences are recorded (fixtures/findings/) but the
//! profile does not reproduce them yet.

use std::path::Path;
use winsock_double::scenario::conform::{self, ClauseResult};
use winsock_double::scenario::SimBackend;
use winsock_double::Profile;

#[test]
fn wine8_profile_matches_the_recorded_wine_results() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("fixtures/recorded/wine-8.0.json")).unwrap();
    let rec: serde_json::Value = serde_json::from_str(&text).unwrap();
    let ran: Vec<&str> = rec["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["skipped"].is_null())
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(ran.len() >= 20, "the record has {} runs", ran.len());
    let corpus: Vec<_> = conform::load_corpus(&root.join("fixtures/scenarios"))
        .unwrap()
        .into_iter()
        .filter(|sc| ran.contains(&sc.name.as_str()))
        .collect();
    let model = conform::conform(|| SimBackend::with_profile(Profile::Wine8), &corpus);
    let documented = conform::conform(SimBackend::default, &corpus);
    let mut mismatches = vec![];
    let mut compared = 0;
    let mut differs_from_documented = 0;
    for (row, (m, d)) in rec["clauses"]
        .as_array()
        .unwrap()
        .iter()
        .zip(model.clauses.iter().zip(&documented.clauses))
    {
        assert_eq!(row["id"], m.id);
        let datagram = winsock_double::clauses::clause(m.id)
            .is_some_and(|c| c.scope == winsock_double::Scope::Datagram);
        if !datagram {
            continue;
        }
        let wine = match row["result"].as_str().unwrap() {
            "pass" => ClauseResult::Pass,
            "fail" => ClauseResult::Fail,
            _ => continue,
        };
        compared += 1;
        if m.result != wine {
            mismatches.push(format!(
                "{}: Wine {:?}, model (Wine8) {:?} {:?}",
                m.id, wine, m.result, m.problems
            ));
        }
        if d.result != wine {
            differs_from_documented += 1;
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    assert!(compared >= 80, "compared {compared}");
    // The profile is not the documented model under another name.
    assert!(differs_from_documented >= 30, "{differs_from_documented}");
}

#[test]
fn wine8_profile_as_a_downstream_test_sees_it() {
    use winsock_double::*;
    let sim = Sim::with_config(
        1,
        Config {
            profile: Profile::Wine8,
            ..Config::default()
        },
    );
    let h = sim.add_host("local", &[]).unwrap();
    h.wsa_startup(WINSOCK_VERSION_2_2).unwrap();
    let s = h.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    h.bind(s, &"127.0.0.1:0".parse().unwrap()).unwrap();
    let me = h.getsockname(s).unwrap();
    // A NULL name with namelen 16: accepted, as Wine 8.0 does.
    h.send_to(s, b"x", &me).unwrap();
    let mut msg = WsaMsg::for_recv(&[8], 0);
    msg.name = NameBuf::null(16);
    let mut n = 0;
    h.wsa_recv_msg(s, &mut msg, Some(&mut n)).unwrap();
    assert_eq!(n, 1);
    // Truncation: WSAEMSGSIZE without MSG_TRUNC, and the count not written.
    h.send_to(s, &[1; 50], &me).unwrap();
    let mut msg = WsaMsg::for_recv(&[10], 0);
    let mut n = 77;
    assert!(h
        .wsa_recv_msg(s, &mut msg, Some(&mut n))
        .unwrap_err()
        .is(WSAEMSGSIZE));
    assert_eq!((n, msg.flags), (77, 0));
    assert_eq!(msg.buffers[0].bytes(), &[1; 10]);
}
