//! Datagram faults: loss, duplication and reordering, drawn by the seed.
//! They are a model setting for testing programs (UDP promises none of
//! delivery, uniqueness or order), not a documented clause.

mod common;
use common::*;
use winsock_double::*;

fn world(seed: u64, f: DatagramFaults) -> (Sim, SimHost) {
    let sim = Sim::with_config(
        seed,
        Config {
            datagram_faults: f,
            ..Config::default()
        },
    );
    let h = started(&sim, "local", &[]);
    (sim, h)
}

/// Sends datagrams 0..n, then receives until nothing is left; returns the
/// first byte of each received datagram, in order.
fn exchange(seed: u64, f: DatagramFaults, n: u8) -> Vec<u8> {
    let (sim, h) = world(seed, f);
    let (s, a) = udp4(&h);
    h.ioctl_socket(s, FIONBIO, &mut 1).unwrap();
    for i in 0..n {
        send(&h, s, &[i, 0xee], a);
    }
    sim.run_until_idle();
    let mut got = vec![];
    loop {
        let (r, k, msg) = recv_msg(&h, s, &[8], 0);
        match r {
            Ok(()) => {
                assert_eq!(k, 2);
                assert_eq!(
                    msg.buffers[0].bytes()[1],
                    0xee,
                    "a datagram is never altered"
                );
                got.push(msg.buffers[0].bytes()[0]);
            }
            Err(e) => {
                assert!(e.is(WSAEWOULDBLOCK), "{e:?}");
                break;
            }
        }
    }
    got
}

#[test]
fn no_faults_by_default_every_datagram_once_in_order() {
    let got = exchange(1, DatagramFaults::default(), 50);
    assert_eq!(got, (0..50).collect::<Vec<_>>());
}

#[test]
fn loss_drops_some_by_seed_and_all_at_1000() {
    let all = exchange(
        2,
        DatagramFaults {
            loss: 1000,
            ..Default::default()
        },
        20,
    );
    assert!(all.is_empty());
    let some = exchange(
        2,
        DatagramFaults {
            loss: 300,
            ..Default::default()
        },
        100,
    );
    assert!(
        some.len() > 40 && some.len() < 95,
        "{} of 100 arrived",
        some.len()
    );
    assert!(some.windows(2).all(|w| w[0] < w[1]), "loss keeps the order");
}

#[test]
fn duplication_delivers_twice() {
    let got = exchange(
        3,
        DatagramFaults {
            duplicate: 1000,
            ..Default::default()
        },
        10,
    );
    // The copies come just after their originals, which were all sent at
    // the same instant: each datagram arrives twice.
    let mut got = got;
    got.sort();
    let want: Vec<u8> = (0..10).flat_map(|i| [i, i]).collect();
    assert_eq!(got, want);
}

#[test]
fn reordering_lets_later_datagrams_overtake() {
    let f = DatagramFaults {
        reorder: 500,
        reorder_us: Some(10_000),
        ..Default::default()
    };
    let (sim, h) = world(4, f);
    let (s, a) = udp4(&h);
    // Sent 1 ms apart, so a datagram held back up to 10 ms can be overtaken.
    for i in 0..40u8 {
        send(&h, s, &[i, 0xee], a);
        sim.advance(std::time::Duration::from_millis(1));
    }
    sim.run_until_idle();
    h.ioctl_socket(s, FIONBIO, &mut 1).unwrap();
    let mut got = vec![];
    while let (Ok(()), _, msg) = recv_msg(&h, s, &[8], 0) {
        got.push(msg.buffers[0].bytes()[0]);
    }
    let mut sorted = got.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        (0..40).collect::<Vec<_>>(),
        "nothing lost or doubled"
    );
    assert_ne!(got, sorted, "some datagram was overtaken");
}

#[test]
fn same_seed_same_faults() {
    let f = DatagramFaults {
        loss: 200,
        duplicate: 200,
        reorder: 200,
        reorder_us: None,
        ce_mark: 0,
    };
    for seed in 0..20 {
        assert_eq!(exchange(seed, f, 30), exchange(seed, f, 30));
    }
    let distinct: std::collections::BTreeSet<_> = (0..20).map(|s| exchange(s, f, 30)).collect();
    assert!(distinct.len() > 10, "seeds vary the faults");
}
