//! Bad input never panics: random calls with random (often faulty) arguments
//! on random handles give a documented Winsock error or succeed.

mod common;
use common::started;
use proptest::prelude::*;
use std::net::SocketAddr;
use winsock_double::*;

#[derive(Debug, Clone)]
enum Call {
    Socket(i32, i32, i32),
    Bind(usize, u8),
    Connect(usize, u8),
    SendTo(usize, u8, usize),
    SendMsg(usize, u8, Vec<Buf>, u32, Option<i32>, bool),
    RecvMsg(usize, Vec<Buf>, u32, Option<i32>, u32, bool),
    Recv(usize, Vec<Buf>, u32, bool),
    Opt(usize, i32, i32, Vec<u8>),
    Ioctl(usize, u32, u32),
    Shutdown(usize, i32),
    Close(usize),
    Advance(u8),
}

#[derive(Debug, Clone)]
enum Buf {
    Ok(u16),
    Null(u16),
    Over(u8, u16),
}

fn buf() -> impl Strategy<Value = Buf> {
    prop_oneof![
        6 => any::<u16>().prop_map(|n| Buf::Ok(n % 2000)),
        1 => any::<u16>().prop_map(Buf::Null),
        1 => (any::<u8>(), any::<u16>()).prop_map(|(m, l)| Buf::Over(m, l)),
    ]
}

fn wsabuf(b: &Buf) -> WsaBuf {
    match *b {
        Buf::Ok(n) => WsaBuf::zeroed(n as usize),
        Buf::Null(n) => WsaBuf::null(u32::from(n)),
        Buf::Over(m, l) => WsaBuf::overlong(vec![1; m as usize], u32::from(l)),
    }
}

fn call() -> impl Strategy<Value = Call> {
    let idx = 0usize..6;
    let addr = any::<u8>();
    let flags = prop_oneof![
        Just(0u32),
        Just(MSG_PEEK),
        Just(MSG_OOB),
        Just(MSG_PARTIAL),
        Just(MSG_DONTROUTE),
        any::<u32>()
    ];
    prop_oneof![
        (
            prop_oneof![Just(AF_INET), Just(AF_INET6), Just(7)],
            prop_oneof![Just(SOCK_DGRAM), Just(SOCK_RAW), Just(SOCK_STREAM), Just(9)],
            0i32..20
        )
            .prop_map(|(a, t, p)| Call::Socket(a, t, p)),
        (idx.clone(), addr).prop_map(|(i, a)| Call::Bind(i, a)),
        (idx.clone(), addr).prop_map(|(i, a)| Call::Connect(i, a)),
        (idx.clone(), addr, 0usize..70_000).prop_map(|(i, a, n)| Call::SendTo(i, a, n)),
        (
            idx.clone(),
            addr,
            prop::collection::vec(buf(), 0..4),
            flags.clone(),
            prop::option::of(-2i32..40),
            any::<bool>()
        )
            .prop_map(|(i, a, b, f, n, p)| Call::SendMsg(i, a, b, f, n, p)),
        (
            idx.clone(),
            prop::collection::vec(buf(), 0..4),
            flags.clone(),
            prop::option::of(-2i32..40),
            0u32..64,
            any::<bool>()
        )
            .prop_map(|(i, b, f, n, c, p)| Call::RecvMsg(i, b, f, n, c, p)),
        (
            idx.clone(),
            prop::collection::vec(buf(), 0..4),
            flags,
            any::<bool>()
        )
            .prop_map(|(i, b, f, p)| Call::Recv(i, b, f, p)),
        (
            idx.clone(),
            prop_oneof![
                Just(SOL_SOCKET),
                Just(IPPROTO_IP),
                Just(IPPROTO_IPV6),
                Just(5)
            ],
            prop_oneof![
                Just(SO_RCVBUF),
                Just(SO_BROADCAST),
                Just(IP_PKTINFO),
                Just(IPV6_V6ONLY),
                Just(IP_TTL),
                Just(IP_ADD_MEMBERSHIP),
                0i32..40
            ],
            prop::collection::vec(any::<u8>(), 0..24)
        )
            .prop_map(|(i, l, n, v)| Call::Opt(i, l, n, v)),
        (
            idx.clone(),
            prop_oneof![Just(FIONBIO), Just(FIONREAD), any::<u32>()],
            any::<u32>()
        )
            .prop_map(|(i, c, a)| Call::Ioctl(i, c, a)),
        (idx.clone(), -1i32..4).prop_map(|(i, h)| Call::Shutdown(i, h)),
        idx.prop_map(Call::Close),
        any::<u8>().prop_map(Call::Advance),
    ]
}

fn address(a: u8, v6: bool) -> SocketAddr {
    let port = [0u16, 5000, 5001, 9][(a % 4) as usize];
    let ip = match (v6, a / 4 % 4) {
        (false, 0) => "127.0.0.1",
        (false, 1) => "10.0.0.1",
        (false, 2) => "10.0.0.255",
        (false, _) => "0.0.0.0",
        (true, 0) => "::1",
        (true, 1) => "fd00::1",
        (true, 2) => "::ffff:127.0.0.1",
        (true, _) => "::",
    };
    SocketAddr::new(ip.parse().unwrap(), port)
}

fn check(r: Result<(), WsaError>) {
    if let Err(e) = r {
        match e {
            WsaError::Code(c) => assert!(error_name(c).is_some(), "unnamed code {c}"),
            WsaError::Model(m) => assert!(m.kind == ReportKind::Deadlock, "{m}"),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, .. ProptestConfig::default() })]

    #[test]
    fn random_calls_never_panic(seed in any::<u64>(), calls in prop::collection::vec(call(), 1..40)) {
        let sim = Sim::new(seed);
        let h = started(&sim, "h", &["10.0.0.1/24", "fd00::1/64"]);
        // Fixed handles plus stale and unknown ones.
        let mut socks: Vec<Socket> = vec![Socket(1), Socket(u64::MAX)];
        let mut v6 = vec![false, false];
        let pick = |socks: &Vec<Socket>, i: usize| socks[i % socks.len()];
        for c in calls {
            match c {
                Call::Socket(a, t, p) => {
                    if let Ok(s) = h.wsa_socket(a, t, p, WSA_FLAG_OVERLAPPED) {
                        // Never block forever: a receive time-out on every socket.
                        check(h.set_sock_opt_int(s, SOL_SOCKET, SO_RCVTIMEO, 10));
                        socks.push(s);
                        v6.push(a == AF_INET6);
                    }
                }
                Call::Bind(i, a) => check(h.bind(pick(&socks, i), &address(a, v6[i % v6.len()]))),
                Call::Connect(i, a) => check(h.connect(pick(&socks, i), &address(a, v6[i % v6.len()]))),
                Call::SendTo(i, a, n) => check(h.send_to(pick(&socks, i), &vec![3u8; n], &address(a, v6[i % v6.len()])).map(|_| ())),
                Call::SendMsg(i, a, bufs, f, namelen, nullp) => {
                    let mut msg = WsaMsg::for_send(Some(&address(a, v6[i % v6.len()])), b"");
                    msg.buffers = bufs.iter().map(wsabuf).collect();
                    if let Some(n) = namelen { msg.name = NameBuf::null(n); }
                    let mut n = 0;
                    check(h.wsa_send_msg(pick(&socks, i), &msg, f, (!nullp).then_some(&mut n)));
                }
                Call::RecvMsg(i, bufs, f, namelen, ctl, nullp) => {
                    let mut msg = WsaMsg::for_recv(&[], ctl as usize);
                    msg.buffers = bufs.iter().map(wsabuf).collect();
                    msg.flags = f;
                    if let Some(n) = namelen { msg.name = NameBuf { namelen: n, mem: Some(vec![0; 12]) }; }
                    let mut n = 0;
                    check(h.wsa_recv_msg(pick(&socks, i), &mut msg, (!nullp).then_some(&mut n)));
                }
                Call::Recv(i, bufs, f, nullp) => {
                    let mut b: Vec<WsaBuf> = bufs.iter().map(wsabuf).collect();
                    let (mut n, mut fl) = (0, f);
                    check(h.wsa_recv(pick(&socks, i), &mut b, (!nullp).then_some(&mut n), &mut fl));
                }
                Call::Opt(i, l, n, v) => check(h.set_sock_opt(pick(&socks, i), l, n, &v)),
                Call::Ioctl(i, c, a) => {
                    let mut a = a;
                    check(h.ioctl_socket(pick(&socks, i), c, &mut a));
                }
                Call::Shutdown(i, how) => check(h.shutdown(pick(&socks, i), how)),
                Call::Close(i) => check(h.close_socket(pick(&socks, i))),
                Call::Advance(ms) => sim.advance(std::time::Duration::from_millis(u64::from(ms))),
            }
        }
    }
}
