//! The Rust-shaped layer over the trait: `io::Error` from `WsaError`,
//! `OwnedSocket`, the flag sets, `Sim::builder` and its variables, the
//! harness.

use std::io::{self, ErrorKind, IoSliceMut};
use std::net::{Shutdown, SocketAddr};
use std::sync::{Arc, Mutex};
use winsock_double::*;

fn local(seed: u64) -> (Sim, SimHost) {
    let sim = SimBuilder::new().seed(seed).build();
    let h = sim.add_host("local", &[]).unwrap();
    h.wsa_startup(WINSOCK_VERSION_2_2).unwrap();
    (sim, h)
}

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

#[test]
fn wsa_errors_become_io_errors_with_std_s_windows_kinds() {
    let cases = [
        (WSAEWOULDBLOCK, ErrorKind::WouldBlock),
        (WSAECONNRESET, ErrorKind::ConnectionReset),
        (WSAECONNREFUSED, ErrorKind::ConnectionRefused),
        (WSAECONNABORTED, ErrorKind::ConnectionAborted),
        (WSAENOTCONN, ErrorKind::NotConnected),
        (WSAEADDRINUSE, ErrorKind::AddrInUse),
        (WSAEADDRNOTAVAIL, ErrorKind::AddrNotAvailable),
        (WSAETIMEDOUT, ErrorKind::TimedOut),
        (WSAEINVAL, ErrorKind::InvalidInput),
        (WSAEACCES, ErrorKind::PermissionDenied),
        (WSAENETDOWN, ErrorKind::NetworkDown),
        (WSAENETUNREACH, ErrorKind::NetworkUnreachable),
        (WSAEHOSTUNREACH, ErrorKind::HostUnreachable),
        (WSA_OPERATION_ABORTED, ErrorKind::TimedOut),
        (WSAEMSGSIZE, ErrorKind::Other),
        (WSAENOTSOCK, ErrorKind::Other),
    ];
    for (code, kind) in cases {
        let e = io::Error::from(WsaError::Code(code));
        assert_eq!(WsaError::Code(code).kind(), kind);
        if cfg!(windows) && kind == ErrorKind::Other {
            // std's own name for a code it does not sort, not nameable here.
            assert_eq!(format!("{:?}", e.kind()), "Uncategorized");
        } else {
            assert_eq!(e.kind(), kind, "{}", error_name(code).unwrap());
        }
        assert_eq!(WsaError::of_io(&e), Some(WsaError::Code(code)));
        if cfg!(windows) {
            assert_eq!(e.raw_os_error(), Some(code));
        } else {
            assert_eq!(e.raw_os_error(), None);
            assert!(e.to_string().starts_with(error_name(code).unwrap()), "{e}");
        }
    }
}

#[test]
fn a_deadlock_report_is_an_io_deadlock_carrying_the_report() {
    let (_sim, h) = local(1);
    let s = OwnedSocket::new(&h, Domain::IPV4, Type::DGRAM, None).unwrap();
    s.bind(&addr("127.0.0.1:0")).unwrap();
    // Nothing will ever arrive: the model reports instead of hanging.
    let e = s.recv(&mut [0u8; 8]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Deadlock);
    let w = WsaError::of_io(&e).unwrap();
    assert_eq!(w.report().unwrap().kind, ReportKind::Deadlock);
    assert!(e.to_string().starts_with("model deadlock"), "{e}");
}

#[test]
fn question_mark_goes_from_winsock_calls_into_io_results() {
    fn echo_once<W: Winsock<Socket = Socket>>(ws: &W, s: Socket) -> io::Result<usize> {
        let mut buf = [0u8; 64];
        let (n, from) = ws.recv_from(s, &mut buf)?;
        Ok(ws.send_to(s, &buf[..n], &from)?)
    }
    let (_sim, h) = local(2);
    let s = h.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    h.bind(s, &addr("127.0.0.1:0")).unwrap();
    h.set_nonblocking(s, true).unwrap();
    let e = echo_once(&h, s).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::WouldBlock);
    h.send_to(s, b"abc", &h.getsockname(s).unwrap()).unwrap();
    assert_eq!(echo_once(&h, s).unwrap(), 3);
}

#[test]
fn an_owned_socket_is_closed_when_dropped_and_not_when_given_up() {
    let (_sim, h) = local(3);
    let s = OwnedSocket::new(&h, Domain::IPV4, Type::DGRAM, Some(Protocol::UDP)).unwrap();
    let raw = s.as_raw();
    assert!(h.getsockname(raw).unwrap_err().is(WSAEINVAL)); // a socket, unbound
    drop(s);
    assert!(h.getsockname(raw).unwrap_err().is(WSAENOTSOCK));

    let s = OwnedSocket::new(&h, Domain::IPV4, Type::DGRAM, None).unwrap();
    let raw = s.into_raw();
    h.bind(raw, &addr("127.0.0.1:0")).unwrap();
    let s = OwnedSocket::from_raw(h.clone(), raw);
    s.close().unwrap();
    assert!(h.getsockname(raw).unwrap_err().is(WSAENOTSOCK));
    // The trace shows each close as the call it is.
    assert_eq!(h.sim().trace_text().matches("closesocket(").count(), 2);
}

#[test]
fn truncation_is_an_error_or_a_flag_as_the_caller_asks() {
    let (_sim, h) = local(4);
    let s = OwnedSocket::new(&h, Domain::IPV4, Type::DGRAM, None).unwrap();
    s.bind(&addr("127.0.0.1:0")).unwrap();
    let me = s.local_addr().unwrap();
    let data: Vec<u8> = (0..20).collect();
    for _ in 0..3 {
        s.send_to(&data, &me).unwrap();
    }
    let mut small = [0u8; 8];
    let e = s.recv_from(&mut small).unwrap_err();
    assert!(WsaError::of_io(&e).unwrap().is(WSAEMSGSIZE));
    let e = s.recv(&mut small).unwrap_err();
    assert!(WsaError::of_io(&e).unwrap().is(WSAEMSGSIZE));
    let (mut a, mut b) = ([0u8; 5], [0u8; 7]);
    let (n, flags, from) = s
        .recv_from_vectored(&mut [IoSliceMut::new(&mut a), IoSliceMut::new(&mut b)])
        .unwrap();
    assert_eq!((n, from), (12, me));
    assert!(flags.is_truncated() && !flags.is_partial(), "{flags:?}");
    assert_eq!((&a[..], &b[..]), (&data[..5], &data[5..12]));
    assert_eq!(s.bytes_readable().unwrap(), 0); // the rest of each was lost
}

#[test]
fn a_receive_after_shutdown_is_the_end_as_in_socket2() {
    let (_sim, h) = local(5);
    let s = OwnedSocket::new(&h, Domain::IPV4, Type::DGRAM, None).unwrap();
    s.bind(&addr("127.0.0.1:0")).unwrap();
    s.shutdown(Shutdown::Read).unwrap();
    assert_eq!(s.recv(&mut [0u8; 4]).unwrap(), 0);
    let (n, flags) = s
        .recv_vectored(&mut [IoSliceMut::new(&mut [0u8; 4])])
        .unwrap();
    assert_eq!((n, flags), (0, RecvFlags::default()));
}

#[test]
fn peek_leaves_the_datagram_and_options_read_back() {
    let (_sim, h) = local(6);
    let s = OwnedSocket::new(&h, Domain::IPV4, Type::DGRAM, None).unwrap();
    s.bind(&addr("127.0.0.1:0")).unwrap();
    s.set_recv_buffer_size(4096).unwrap();
    assert_eq!(s.recv_buffer_size().unwrap(), 4096);
    s.set_read_timeout(Some(std::time::Duration::from_millis(5)))
        .unwrap();
    s.send_to(b"peek", &s.local_addr().unwrap()).unwrap();
    let mut buf = [0u8; 8];
    assert_eq!(s.peek_from(&mut buf).unwrap().0, 4);
    assert_eq!(s.recv_from(&mut buf).unwrap().0, 4);
    // Now the receive times out, in virtual time.
    let e = s.recv(&mut buf).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::TimedOut);
    assert!(s.take_error().unwrap().is_none());
}

#[test]
fn the_typed_values_are_the_winsock_numbers() {
    assert_eq!(i32::from(Domain::IPV6), AF_INET6);
    assert_eq!(Domain::from(AF_INET), Domain::IPV4);
    assert_eq!(i32::from(Type::STREAM), SOCK_STREAM);
    assert_eq!(i32::from(Protocol::UDP), IPPROTO_UDP);
    assert_eq!(format!("{:?}", Type::from(99)), "Type(99)");
    assert_eq!(format!("{:?}", Protocol::TCP), "IPPROTO_TCP");
    let mut f = MsgFlags::NONE;
    f |= MsgFlags::WAITALL;
    assert_eq!((f | MsgFlags::PEEK).bits(), MSG_WAITALL | MSG_PEEK);
    assert_eq!(format!("{:?}", MsgFlags::NONE), "(none)");
    let r = RecvFlags::from_bits(MSG_TRUNC | MSG_BCAST);
    assert!(r.is_truncated() && r.is_broadcast() && !r.is_multicast());
}

#[test]
fn the_builder_reads_each_variable_and_its_setters_win() {
    let vars = |pairs: &'static [(&'static str, &'static str)]| {
        move |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    };
    let b = SimBuilder::from_vars(vars(&[
        ("WSD_SEED", "12"),
        ("WSD_PROFILE", "windows"),
        ("WSD_WITHOUT_QUIRKS", "WIN-SENDMSG-AUTOBIND"),
        ("WSD_COMPLETION", "pending"),
        ("WSD_ROUTINE_ORDER", "fifo"),
        ("WSD_STREAM_READS", "whole"),
    ]))
    .unwrap();
    assert_eq!(b.seed_value(), 12);
    let cfg = b.config();
    assert_eq!(
        cfg.profile,
        Profile::windows().without(Quirk::SendMsgAutoBinds)
    );
    assert_eq!(cfg.completion_timing, CompletionTiming::Pending);
    assert_eq!(cfg.routine_order, RoutineOrder::Fifo);
    assert_eq!(cfg.stream_reads, StreamReads::Whole);
    // A knob set in the test wins over the variable.
    let b = b.seed(3).profile(Profile::documented());
    assert_eq!(b.seed_value(), 3);
    assert_eq!(b.config().profile, Profile::documented());
    // Empty is unset; nonsense is named.
    let d = SimBuilder::from_vars(vars(&[("WSD_SEED", ""), ("WSD_PROFILE", " ")])).unwrap();
    assert_eq!(d, SimBuilder::new());
    for (k, v) in [
        ("WSD_PROFILE", "linux"),
        ("WSD_WITH_QUIRKS", "NO-SUCH-QUIRK"),
        ("WSD_COMPLETION", "soon"),
        ("WSD_ROUTINE_ORDER", "lifo"),
        ("WSD_STREAM_READS", "half"),
    ] {
        let e = SimBuilder::from_vars(|n| (n == k).then(|| v.to_string())).unwrap_err();
        assert!(e.to_string().contains(&format!("{k}={v}")), "{e}");
    }
}

#[test]
fn the_builder_makes_the_world_its_knobs_say() {
    let sim = SimBuilder::new()
        .seed(9)
        .inject("setsockopt", 1, WSAENOBUFS)
        .tracing(false)
        .build();
    assert_eq!(sim.seed(), 9);
    let h = sim.add_host("h", &[]).unwrap();
    h.wsa_startup(WINSOCK_VERSION_2_2).unwrap();
    let s = OwnedSocket::new(&h, Domain::IPV4, Type::DGRAM, None).unwrap();
    let e = s.set_broadcast(true).unwrap_err();
    assert!(WsaError::of_io(&e).unwrap().is(WSAENOBUFS));
    s.set_broadcast(true).unwrap();
    assert!(sim.trace().is_empty());
}

#[test]
fn completion_routines_are_closures() {
    let (_sim, h) = local(8);
    let s = h.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    h.bind(s, &addr("127.0.0.1:0")).unwrap();
    let got = Arc::new(Mutex::new(None));
    let g = got.clone();
    let to = h.getsockname(s).unwrap();
    h.wsa_send_to_overlapped(
        s,
        vec![WsaBuf::from(&b"x"[..])],
        0,
        NameBuf::addr(&to),
        Overlapped::new(1),
        routine(move |c: Completion| *g.lock().unwrap() = Some(c.bytes)),
    )
    .unwrap();
    h.sleep_ex(0, true).unwrap();
    assert_eq!(*got.lock().unwrap(), Some(1));
}

/// A TCP echo server and two clients: the harness's common shape.
fn echo_world(sim: &Sim) -> io::Result<()> {
    let mut net = Harness::new(sim);
    net.host("server", &["10.0.0.1/24"], |h| {
        let l = OwnedSocket::new(&h, Domain::IPV4, Type::STREAM, None)?;
        l.bind(&addr("10.0.0.1:80"))?;
        l.listen(8)?;
        loop {
            let (c, _) = l.accept()?; // ends with the deadlock report
            let mut buf = [0u8; 16];
            loop {
                match c.recv(&mut buf)? {
                    0 => break,
                    n => {
                        c.send(&buf[..n])?;
                    }
                }
            }
        }
    });
    for (name, ip) in [("a", "10.0.0.2/24"), ("b", "10.0.0.3/24")] {
        net.client(name, &[ip], move |h| {
            let c = OwnedSocket::new(&h, Domain::IPV4, Type::STREAM, None)?;
            c.connect(&addr("10.0.0.1:80"))?;
            c.send(b"hello")?;
            c.shutdown(Shutdown::Write)?;
            let mut got = Vec::new();
            let mut buf = [0u8; 3];
            loop {
                match c.recv(&mut buf)? {
                    0 => break,
                    n => got.extend_from_slice(&buf[..n]),
                }
            }
            assert_eq!(got, b"hello");
            Ok(())
        });
    }
    net.run()
}

#[test]
fn the_harness_runs_a_server_and_its_clients_under_many_seeds() {
    SimBuilder::new().try_seeds(30, |sim| echo_world(sim).unwrap());
}

#[test]
fn a_harness_run_is_replayed_by_its_seed() {
    let run = |seed| {
        let sim = SimBuilder::new().seed(seed).build();
        echo_world(&sim).unwrap();
        sim.trace_text()
    };
    assert_eq!(run(11), run(11));
    assert_ne!(run(11), run(12));
}

#[test]
fn the_harness_gives_the_first_error_a_role_returned() {
    let sim = SimBuilder::new().seed(1).build();
    let mut net = Harness::new(&sim);
    net.host("server", &["10.0.0.1/24"], |_| Ok(()));
    net.client("client", &["10.0.0.2/24"], |h| {
        let c = OwnedSocket::new(&h, Domain::IPV4, Type::STREAM, None)?;
        c.connect(&addr("10.0.0.1:80"))?; // nobody listens
        Ok(())
    });
    let e = net.run().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ConnectionRefused);

    // A host's own failure (not the end of its waiting) fails the run too.
    let sim = SimBuilder::new().seed(1).build();
    let mut net = Harness::new(&sim);
    net.host("server", &["10.0.0.1/24"], |h| {
        let s = OwnedSocket::new(&h, Domain::IPV4, Type::DGRAM, None)?;
        s.bind(&addr("10.9.9.9:1"))?; // not its address
        Ok(())
    });
    net.client("client", &["10.0.0.2/24"], |_| Ok(()));
    let e = net.run().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AddrNotAvailable);
}

#[test]
#[should_panic(expected = "exists already")]
fn a_harness_host_name_is_unique() {
    let sim = SimBuilder::new().build();
    let mut net = Harness::new(&sim);
    net.host("x", &[], |_| Ok(()));
    net.client("x", &[], |_| Ok(()));
}

/// The fuzz helpers' named forms (feature `proptest`).
#[cfg(feature = "proptest")]
mod fuzz_helpers {
    use proptest::prelude::*;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    use winsock_double::fuzz::check_all;
    use winsock_double::fuzz::strategy::{self, Checks, Settings, SettingsParams};
    use winsock_double::*;

    fn sample<S: Strategy>(s: S, runner: &mut TestRunner) -> S::Value {
        s.new_tree(runner).unwrap().current()
    }

    #[test]
    fn settings_without_model_knobs_leave_them_at_their_defaults() {
        let mut r = TestRunner::deterministic();
        for _ in 0..64 {
            let s = sample(
                any_with::<Settings>(SettingsParams {
                    model_settings: false,
                }),
                &mut r,
            );
            assert_eq!(
                (
                    s.completion_timing,
                    s.stream_reads,
                    s.max_outstanding,
                    s.datagram_faults
                ),
                (None, None, None, None)
            );
            let cfg = Config::from(&s);
            assert_eq!(
                cfg,
                Config {
                    profile: s.profile,
                    ..Config::default()
                }
            );
        }
        // With them, some vary, and the config carries what was drawn.
        let drawn: Vec<Settings> = (0..64).map(|_| sample(any::<Settings>(), &mut r)).collect();
        assert!(drawn.iter().any(|s| s.completion_timing.is_some()));
        for s in &drawn {
            let cfg = s.config();
            if let Some(t) = s.completion_timing {
                assert_eq!(cfg.completion_timing, t);
            }
            if let Some(m) = s.max_outstanding {
                assert_eq!(cfg.max_outstanding, m);
            }
            assert_eq!(s.builder().seed_value(), s.seed);
        }
    }

    #[test]
    fn case_check_is_check_all_under_the_case_s_own_seed_and_profile() {
        let mut r = TestRunner::deterministic();
        for _ in 0..8 {
            let case = sample(strategy::case(strategy::Shape::default(), 15), &mut r);
            let named = case.check().map(|rep| serde_json::to_string(&rep).unwrap());
            let positional = check_all(&case.scenario, case.scenario.seed, case.profile, true)
                .map(|rep| serde_json::to_string(&rep).unwrap());
            assert_eq!(
                named.map_err(|v| v.to_string()),
                positional.map_err(|v| v.to_string())
            );
            let strict = case.check_with(Checks {
                allow_misuse: false,
            });
            let positional = check_all(&case.scenario, case.scenario.seed, case.profile, false);
            assert_eq!(strict.is_ok(), positional.is_ok());
            let cfg = case.config();
            assert_eq!(cfg.profile, case.scenario.quirks.apply(case.profile));
            if let Some(f) = case.scenario.datagram_faults {
                assert_eq!(cfg.datagram_faults, f);
            }
        }
    }

    #[test]
    fn wsa_bufs_are_the_buffer_shapes_as_wsabufs() {
        let mut r = TestRunner::deterministic();
        let mut faulty = 0;
        for _ in 0..200 {
            let bufs = sample(strategy::wsa_bufs(), &mut r);
            assert!((1..=3).contains(&bufs.len()));
            faulty += bufs.iter().filter(|b| !b.is_valid()).count();
            assert!(bufs.iter().all(|b| b.len <= 64));
        }
        assert!(faulty > 0, "some arrays carry a fault");
    }
}
