//! The capture (`Config::capture`, `Sim::pcapng`): what it keeps and what
//! it leaves out, and that a run without it is the run it always was.
//! (tshark reads every corpus scenario's capture in `scripts/pcap-check.sh`.)

use winsock_double::*;

fn world(capture: bool, faults: DatagramFaults) -> (Sim, SimHost, SimHost) {
    let cfg = Config {
        capture,
        datagram_faults: faults,
        ..Config::default()
    };
    let sim = Sim::with_config(5, cfg);
    let a = sim.add_host("a", &["10.0.0.1/24"]).unwrap();
    let b = sim.add_host("b", &["10.0.0.2/24"]).unwrap();
    a.wsa_startup(WINSOCK_VERSION_2_2).unwrap();
    b.wsa_startup(WINSOCK_VERSION_2_2).unwrap();
    (sim, a, b)
}

/// Datagrams both ways, a datagram to a closed port (an ICMP error back),
/// a connection with data and its end.
fn traffic(a: &SimHost, b: &SimHost) {
    let rx = b.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    b.bind(rx, &"10.0.0.2:5000".parse().unwrap()).unwrap();
    let tx = a.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    for k in 0..5u8 {
        a.send_to(tx, &[k; 20], &"10.0.0.2:5000".parse().unwrap())
            .unwrap();
    }
    a.send_to(tx, b"nobody", &"10.0.0.2:5001".parse().unwrap())
        .unwrap();
    let l = b.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP).unwrap();
    b.bind(l, &"10.0.0.2:80".parse().unwrap()).unwrap();
    b.listen(l, 5).unwrap();
    let c = a.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP).unwrap();
    a.connect(c, &"10.0.0.2:80".parse().unwrap()).unwrap();
    let (s, _) = b.accept(l).unwrap();
    assert_eq!(a.send(c, &WsaBuf::from(&b"hello"[..]), 0).unwrap(), 5);
    let mut buf = WsaBuf::zeroed(16);
    assert_eq!(b.recv(s, &mut buf, 0).unwrap(), 5);
    a.close_socket(c).unwrap();
    assert_eq!(b.recv(s, &mut buf, 0).unwrap(), 0);
    b.close_socket(s).unwrap();
}

fn wire_lines(sim: &Sim) -> Vec<String> {
    sim.trace()
        .iter()
        .filter(|e| e.kind == "wire")
        .map(|e| e.detail.clone())
        .collect()
}

#[test]
fn off_it_keeps_nothing_and_the_trace_is_the_same() {
    let (off, a, b) = world(false, DatagramFaults::default());
    traffic(&a, &b);
    assert_eq!(off.pcapng(), None);
    assert_eq!(off.captured(), None);
    assert!(wire_lines(&off).is_empty());
    // On, the trace is the same but for the `wire` lines.
    let (on, a, b) = world(true, DatagramFaults::default());
    traffic(&a, &b);
    let rest: Vec<TraceEvent> = on
        .trace()
        .into_iter()
        .filter(|e| e.kind != "wire")
        .collect();
    assert_eq!(rest, off.trace());
}

#[test]
fn it_keeps_every_packet_with_a_trace_line_each() {
    let (sim, a, b) = world(true, DatagramFaults::default());
    traffic(&a, &b);
    let lines = wire_lines(&sim);
    // 6 datagrams, the ICMP error, SYN, SYN-ACK, ACK, data, FIN each way.
    assert_eq!(lines.len(), 13, "{lines:#?}");
    assert_eq!(sim.captured(), Some(13));
    assert!(lines[0].starts_with("UDP 10.0.0.1:"), "{}", lines[0]);
    assert!(lines[0].contains("-> 10.0.0.2:5000 len=20"), "{}", lines[0]);
    let icmp: Vec<&String> = lines.iter().filter(|l| l.starts_with("ICMP")).collect();
    assert_eq!(icmp.len(), 1);
    assert!(icmp[0].starts_with("ICMP port-unreachable 10.0.0.2 -> 10.0.0.1 about 10.0.0.2:5001"));
    let tcp: Vec<&str> = lines
        .iter()
        .filter(|l| l.starts_with("TCP"))
        .map(|l| &l[l.find('[').unwrap()..l.find(']').unwrap() + 1])
        .collect();
    assert_eq!(
        tcp,
        [
            "[SYN]",
            "[SYN ACK]",
            "[ACK]",
            "[PSH ACK]",
            "[FIN ACK]",
            "[FIN ACK]"
        ]
    );
    // The file holds a section, an interface per host and a block per packet.
    let f = sim.pcapng().unwrap();
    let mut at = 0;
    let mut blocks = vec![];
    while at < f.len() {
        let ty = u32::from_le_bytes(f[at..at + 4].try_into().unwrap());
        blocks.push(ty);
        at += u32::from_le_bytes(f[at + 4..at + 8].try_into().unwrap()) as usize;
    }
    assert_eq!(blocks.len(), 1 + 2 + 13);
    assert_eq!(blocks.iter().filter(|&&t| t == 6).count(), 13);
}

#[test]
fn lost_datagrams_are_not_on_the_capture_and_the_seed_draws_the_same() {
    let lossy = DatagramFaults {
        loss: 500,
        ..DatagramFaults::default()
    };
    let (on, a, b) = world(true, lossy);
    traffic(&a, &b);
    let (off, a2, b2) = world(false, lossy);
    traffic(&a2, &b2);
    let lost = off.trace().iter().filter(|e| e.kind == "lost").count();
    assert!(lost > 0, "the seed loses some of the six datagrams");
    let udp = wire_lines(&on)
        .iter()
        .filter(|l| l.starts_with("UDP"))
        .count();
    assert_eq!(udp, 6 - lost);
    let rest: Vec<TraceEvent> = on
        .trace()
        .into_iter()
        .filter(|e| e.kind != "wire")
        .collect();
    assert_eq!(rest, off.trace(), "the capture draws nothing from the seed");
}
