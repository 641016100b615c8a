//! Property: a TCP stream loses, duplicates and reorders no byte, whatever
//! the send sizes, the receive buffer shapes, the buffer sizes and the
//! seeded short reads (RECV-STREAM-ONE-BYTE-UNBLOCKS,
//! RECV-STREAM-AS-MUCH-AS-POSSIBLE, RECV-BUFFER-ORDER), for 1,000 seeds.

mod common;
use proptest::prelude::*;
use winsock_double::*;

#[derive(Debug, Clone)]
struct Plan {
    seed: u64,
    sends: Vec<usize>,
    shapes: Vec<Vec<usize>>,
    rcvbuf: i32,
    sndbuf: i32,
    nonblocking_sender: bool,
    waitall_every: usize,
}

fn plan() -> impl Strategy<Value = Plan> {
    (
        any::<u64>(),
        prop::collection::vec(1usize..3000, 1..12),
        prop::collection::vec(prop::collection::vec(0usize..700, 1..4), 1..5),
        prop::sample::select(vec![64, 1000, 8192, 65536]),
        prop::sample::select(vec![1, 512, 4096, 65536]),
        any::<bool>(),
        0usize..4,
    )
        .prop_map(
            |(seed, sends, mut shapes, rcvbuf, sndbuf, nonblocking_sender, waitall_every)| {
                // Some shape has room: the receiver skips empty ones, and
                // with none it would never read (a plan of `[[0]]` looped).
                if shapes.iter().all(|s| s.iter().sum::<usize>() == 0) {
                    shapes[0][0] = 1;
                }
                Plan {
                    seed,
                    sends,
                    shapes,
                    rcvbuf,
                    sndbuf,
                    nonblocking_sender,
                    waitall_every,
                }
            },
        )
}

fn payload(sends: &[usize]) -> Vec<u8> {
    let total: usize = sends.iter().sum();
    (0..total).map(|i| (i * 7 % 253) as u8).collect()
}

/// Runs the plan: a sender thread writes every send then shuts down its
/// side; the receiver reads with the shapes in turn until the end.
fn run(p: &Plan) -> Result<Vec<u8>, String> {
    run_traced(p).map(|(bytes, _)| bytes)
}

/// [`run`], with the trace.
fn run_traced(p: &Plan) -> Result<(Vec<u8>, String), String> {
    let sim = Sim::new(p.seed);
    let h = sim.add_host("local", &[]).unwrap();
    h.wsa_startup(WINSOCK_VERSION_2_2).unwrap();
    let l = h.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP).unwrap();
    h.bind(l, &"127.0.0.1:0".parse().unwrap()).unwrap();
    h.set_sock_opt_int(l, SOL_SOCKET, SO_RCVBUF, p.rcvbuf)
        .unwrap();
    h.listen(l, 1).unwrap();
    let la = h.getsockname(l).unwrap();
    let c = h.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP).unwrap();
    h.set_sock_opt_int(c, SOL_SOCKET, SO_SNDBUF, p.sndbuf)
        .unwrap();
    h.connect(c, &la).unwrap();
    let (s, _) = h.accept(l).unwrap();
    let data = payload(&p.sends);
    let sends = p.sends.clone();
    let nonblocking = p.nonblocking_sender;
    let mut sender = h
        .spawn("sender", move |h| -> Result<(), String> {
            if nonblocking {
                h.set_nonblocking(c, true).map_err(|e| format!("{e:?}"))?;
            }
            let mut at = 0;
            for n in sends {
                let mut left = &data[at..at + n];
                while !left.is_empty() {
                    let mut sent = 0;
                    match h.wsa_send(c, &[WsaBuf::from(left)], Some(&mut sent), 0) {
                        Ok(()) => left = &left[sent as usize..],
                        Err(e) if e.is(WSAEWOULDBLOCK) => {
                            h.sleep_ex(1, false).map_err(|e| format!("{e:?}"))?;
                        }
                        Err(e) => return Err(format!("send: {e:?}")),
                    }
                }
                at += n;
            }
            h.shutdown(c, SD_SEND).map_err(|e| format!("{e:?}"))
        })
        .unwrap();
    let mut got = vec![];
    let mut k = 0;
    loop {
        let shape = &p.shapes[k % p.shapes.len()];
        k += 1;
        let room: usize = shape.iter().sum();
        if room == 0 {
            continue;
        }
        let waitall = p.waitall_every != 0 && k % p.waitall_every == 0;
        let mut bufs: Vec<WsaBuf> = shape.iter().map(|&n| WsaBuf::zeroed(n)).collect();
        let (mut n, mut flags) = (0u32, if waitall { MSG_WAITALL } else { 0 });
        h.wsa_recv(s, &mut bufs, Some(&mut n), &mut flags)
            .map_err(|e| format!("recv: {e:?}"))?;
        if n == 0 {
            break;
        }
        if waitall && (n as usize) < room {
            // MSG_WAITALL returns short only at the end of the stream.
            let mut probe = [WsaBuf::zeroed(1)];
            let (mut m, mut f) = (0u32, MSG_PEEK);
            h.wsa_recv(s, &mut probe, Some(&mut m), &mut f)
                .map_err(|e| format!("probe: {e:?}"))?;
            if m != 0 {
                return Err(format!("MSG_WAITALL returned {n} of {room} mid-stream"));
            }
        }
        got.extend(gather(&bufs, n as usize));
    }
    sender
        .join()
        .map_err(|e| format!("join: {e:?}"))?
        .map_err(|e| format!("sender: {e}"))?;
    Ok((got, sim.trace_text()))
}

/// 1,000 cases, or `PROPTEST_CASES`.
fn cases() -> u32 {
    common::proptest_cases(1000)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn no_byte_lost_duplicated_or_reordered(p in plan()) {
        let got = run(&p).map_err(TestCaseError::fail)?;
        prop_assert_eq!(got, payload(&p.sends));
    }
}

/// The same plan with the same seed gives the same bytes and the same
/// trace.
#[test]
fn a_plan_replays_identically() {
    let p = Plan {
        seed: 42,
        sends: vec![1000, 1, 2500, 77],
        shapes: vec![vec![100, 0, 50], vec![1], vec![600]],
        rcvbuf: 1000,
        sndbuf: 512,
        nonblocking_sender: true,
        waitall_every: 3,
    };
    let (a, ta) = run_traced(&p).unwrap();
    let (b, tb) = run_traced(&p).unwrap();
    assert_eq!(a, payload(&p.sends));
    assert_eq!(b, a);
    assert_eq!(ta, tb);
    assert!(
        ta.contains("[sender] WSASend"),
        "the trace shows both threads"
    );
}
