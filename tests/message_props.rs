//! Property: a message-oriented connection delivers every message whole,
//! once, in order, with its boundaries (zero-byte messages included),
//! whatever the message sizes, the pieces a sender splits them into with
//! MSG_PARTIAL, the receive buffer sizes and modes, and the seeded short
//! reads: RECV-ACTS-AS-MESSAGE, RECV-ACTS-AS-STREAM-PARTIAL,
//! RECV-TRUNC-PARTIAL, RECV-TRUNC-RELIABLE, RECV-PARTIAL-OUTPUT,
//! RECV-EDISCON.

mod common;
use proptest::prelude::*;
use winsock_double::*;

#[derive(Debug, Clone)]
struct Plan {
    seed: u64,
    /// Use IPPROTO_SIM_MSG_PARTIAL (else the reliable IPPROTO_SIM_MSG).
    partial: bool,
    /// Each message, as the sizes of the sends that make it up (several
    /// pieces only on the partial protocol).
    messages: Vec<Vec<usize>>,
    /// Receive buffer sizes, used in turn.
    rooms: Vec<usize>,
    /// Every k-th receive passes MSG_PARTIAL (0: never).
    partial_every: usize,
    rcvbuf: i32,
}

fn plan() -> impl Strategy<Value = Plan> {
    (
        any::<u64>(),
        any::<bool>(),
        prop::collection::vec(prop::collection::vec(0usize..400, 1..4), 0..14),
        prop::collection::vec(0usize..500, 1..5),
        0usize..4,
        prop::sample::select(vec![64, 1000, 65536]),
    )
        .prop_map(
            |(seed, partial, mut messages, mut rooms, partial_every, rcvbuf)| {
                // Some buffer has room, so a large message makes progress.
                if rooms.iter().all(|&r| r == 0) {
                    rooms[0] = 1;
                }
                if !partial {
                    for m in &mut messages {
                        m.truncate(1);
                    }
                }
                Plan {
                    seed,
                    partial,
                    messages,
                    rooms,
                    partial_every,
                    rcvbuf,
                }
            },
        )
}

/// The messages the plan sends: message `i` is bytes `(i * 31 + j) % 251`.
fn expected(p: &Plan) -> Vec<Vec<u8>> {
    p.messages
        .iter()
        .enumerate()
        .map(|(i, pieces)| {
            let n: usize = pieces.iter().sum();
            (0..n).map(|j| ((i * 31 + j) % 251) as u8).collect()
        })
        .collect()
}

/// Runs the plan: a sender thread sends every message in its pieces and
/// shuts down its side; the receiver collects messages until WSAEDISCON.
fn run(p: &Plan) -> Result<(Vec<Vec<u8>>, String), String> {
    let proto = if p.partial {
        IPPROTO_SIM_MSG_PARTIAL
    } else {
        IPPROTO_SIM_MSG
    };
    let sim = Sim::new(p.seed);
    let h = sim.add_host("local", &[]).unwrap();
    h.wsa_startup(WINSOCK_VERSION_2_2).unwrap();
    let l = h.socket(AF_INET, SOCK_SEQPACKET, proto).unwrap();
    h.bind(l, &"127.0.0.1:0".parse().unwrap()).unwrap();
    h.set_sock_opt_int(l, SOL_SOCKET, SO_RCVBUF, p.rcvbuf)
        .unwrap();
    h.listen(l, 1).unwrap();
    let la = h.getsockname(l).unwrap();
    let c = h.socket(AF_INET, SOCK_SEQPACKET, proto).unwrap();
    h.connect(c, &la).unwrap();
    let (s, _) = h.accept(l).unwrap();
    let msgs = expected(p);
    let pieces = p.messages.clone();
    let mut sender = h
        .spawn("sender", move |h| -> Result<(), String> {
            for (m, sizes) in msgs.iter().zip(&pieces) {
                let mut at = 0;
                for (k, &n) in sizes.iter().enumerate() {
                    let last = k + 1 == sizes.len();
                    let flags = if last { 0 } else { MSG_PARTIAL };
                    let mut sent = 0;
                    h.wsa_send(c, &[WsaBuf::from(&m[at..at + n])], Some(&mut sent), flags)
                        .map_err(|e| format!("send: {e:?}"))?;
                    if sent as usize != n {
                        return Err(format!("a message piece of {n} took {sent}"));
                    }
                    at += n;
                }
            }
            h.shutdown(c, SD_SEND).map_err(|e| format!("{e:?}"))
        })
        .unwrap();
    let mut got: Vec<Vec<u8>> = vec![];
    let mut current: Vec<u8> = vec![];
    let mut k = 0;
    loop {
        let mut room = p.rooms[k % p.rooms.len()];
        k += 1;
        let as_stream = p.partial && p.partial_every != 0 && k % p.partial_every == 0;
        if as_stream && room == 0 {
            room = 1;
        }
        let mut bufs = vec![WsaBuf::zeroed(room)];
        let mut n = 0u32;
        let mut flags = if as_stream { MSG_PARTIAL } else { 0 };
        match h.wsa_recv(s, &mut bufs, Some(&mut n), &mut flags) {
            Ok(()) => {}
            Err(e) if e.is(WSAEDISCON) => break,
            Err(e) if e.is(WSAEMSGSIZE) && !p.partial => {
                // RECV-TRUNC-RELIABLE: the message stays; take it whole.
                let mut big = vec![WsaBuf::zeroed(1 << 16)];
                let mut f = 0;
                h.wsa_recv(s, &mut big, Some(&mut n), &mut f)
                    .map_err(|e| format!("retry: {e:?}"))?;
                bufs = big;
                flags = f;
            }
            Err(e) => return Err(format!("recv: {e:?}")),
        }
        current.extend(gather(&bufs, n as usize));
        if flags & MSG_PARTIAL == 0 {
            got.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        return Err(format!("{} bytes of an unfinished message", current.len()));
    }
    sender
        .join()
        .map_err(|e| format!("join: {e:?}"))?
        .map_err(|e| format!("sender: {e}"))?;
    Ok((got, sim.trace_text()))
}

/// 300 cases, or `PROPTEST_CASES`.
fn cases() -> u32 {
    common::proptest_cases(300)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_message_whole_once_in_order(p in plan()) {
        let (got, _) = run(&p).map_err(TestCaseError::fail)?;
        prop_assert_eq!(got, expected(&p));
    }
}

/// The same plan with the same seed gives the same messages and trace.
#[test]
fn a_plan_replays_identically() {
    let p = Plan {
        seed: 9,
        partial: true,
        messages: vec![vec![300, 0, 20], vec![0], vec![5, 5]],
        rooms: vec![7, 0, 400],
        partial_every: 2,
        rcvbuf: 64,
    };
    let (a, ta) = run(&p).unwrap();
    let (b, tb) = run(&p).unwrap();
    assert_eq!(a, expected(&p));
    assert_eq!((a, ta), (b, tb));
}
