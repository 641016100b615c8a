//! What real UDP code sets up on Windows beyond the seed pages, on the
//! `Windows` profile: the IP and UDP options (WIN-IP-OPTIONS,
//! WIN-V6ONLY-ON-V4), ECN (WIN-ECN), received hop limits and TOS bytes
//! (WIN-RECV-TTL-TOS), don't-fragment and the path MTU
//! (WIN-DONTFRAGMENT), send segmentation (WIN-USO) and receive coalescing
//! (WIN-URO); and quinn-udp's own set-up sequence, call for call.

mod common;
use common::*;
use std::net::SocketAddr;
use winsock_double::cmsg::{self, Cmsg};
use winsock_double::*;

/// A world with the `Windows` profile and one host `local`.
fn windows(seed: u64) -> (Sim, SimHost) {
    let cfg = Config {
        profile: Profile::windows(),
        ..Config::default()
    };
    let sim = Sim::with_config(seed, cfg);
    let h = started(&sim, "local", &["10.0.0.1/24"]);
    (sim, h)
}

/// A socket as std and socket2 make it: `WSASocketW` with
/// `WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT`.
fn std_socket(h: &SimHost, af: i32, ty: i32, proto: i32) -> Socket {
    h.wsa_socket(
        af,
        ty,
        proto,
        WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT,
    )
    .unwrap()
}

fn set(h: &SimHost, s: Socket, level: i32, name: i32, v: u32) -> Result<(), WsaError> {
    h.set_sock_opt(s, level, name, &v.to_le_bytes())
}

fn get(h: &SimHost, s: Socket, level: i32, name: i32) -> Result<i32, WsaError> {
    h.get_sock_opt_int(s, level, name)
}

/// `WSASendMsg` of `data` to `to` with `control` objects.
fn send_msg(
    h: &SimHost,
    s: Socket,
    to: &SocketAddr,
    data: &[u8],
    control: &[Cmsg],
) -> Result<u32, WsaError> {
    let mut msg = WsaMsg::for_send(Some(to), data);
    if !control.is_empty() {
        msg.control = WsaBuf::from(&cmsg::encode(control)[..]);
    }
    let mut n = 0;
    h.wsa_send_msg(s, &msg, 0, Some(&mut n)).map(|()| n)
}

/// The control objects a `WSARecvMsg` got.
fn objects(msg: &WsaMsg) -> Vec<Cmsg> {
    cmsg::parse(msg.control_bytes()).unwrap()
}

// WIN-IP-OPTIONS: every option of test_sockopt_validity's IPv4 UDP rows can
// be read and its value written back; the receive-side ones are WSAEINVAL
// on a TCP socket; IP_HDRINCL is WSAEINVAL on both; IP_MTU is WSAENOTCONN
// unconnected; IP_MTU_DISCOVER refuses the "not set" value it reads.
#[test]
fn the_option_table_of_windows() {
    let (_sim, h) = windows(1);
    let udp = std_socket(&h, AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    let tcp = std_socket(&h, AF_INET, SOCK_STREAM, IPPROTO_TCP);
    for name in [
        IP_TOS,
        IP_TTL,
        IP_MULTICAST_IF,
        IP_MULTICAST_TTL,
        IP_MULTICAST_LOOP,
        IP_DONTFRAGMENT,
        IP_PKTINFO,
        IP_RECVTTL,
        IP_UNICAST_IF,
        IP_RECVTOS,
        IP_ECN,
        IP_RECVERR,
        IP_USER_MTU,
    ] {
        let v = get(&h, udp, IPPROTO_IP, name).unwrap_or_else(|e| panic!("get {name}: {e:?}"));
        set(&h, udp, IPPROTO_IP, name, v as u32).unwrap_or_else(|e| panic!("set {name}: {e:?}"));
    }
    assert_eq!(get(&h, udp, IPPROTO_IP, IP_MULTICAST_TTL), Ok(1));
    set(&h, udp, IPPROTO_IP, IP_TOS, 0xb8).unwrap();
    assert_eq!(get(&h, udp, IPPROTO_IP, IP_TOS), Ok(0xb8));
    for name in [
        IP_PKTINFO,
        IP_RECVTTL,
        IP_RECVTOS,
        IP_ECN,
        IP_MULTICAST_LOOP,
        IP_HDRINCL,
    ] {
        assert_err(get(&h, tcp, IPPROTO_IP, name), WSAEINVAL);
        assert_err(set(&h, tcp, IPPROTO_IP, name, 1), WSAEINVAL);
    }
    for name in [IP_TOS, IP_TTL, IP_DONTFRAGMENT, IP_UNICAST_IF, IP_USER_MTU] {
        let v = get(&h, tcp, IPPROTO_IP, name).unwrap();
        set(&h, tcp, IPPROTO_IP, name, v as u32).unwrap();
    }
    assert_err(get(&h, udp, IPPROTO_IP, IP_HDRINCL), WSAEINVAL);
    assert_err(get(&h, udp, IPPROTO_IP, IP_MTU), WSAENOTCONN);
    assert_err(get(&h, tcp, IPPROTO_IP, IP_MTU), WSAENOTCONN);
    assert_eq!(
        get(&h, udp, IPPROTO_IP, IP_MTU_DISCOVER),
        Ok(IP_PMTUDISC_NOT_SET)
    );
    assert_err(set(&h, udp, IPPROTO_IP, IP_MTU_DISCOVER, 0), WSAEINVAL);
    set(&h, udp, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO as u32).unwrap();
    assert_eq!(
        get(&h, udp, IPPROTO_IP, IP_MTU_DISCOVER),
        Ok(IP_PMTUDISC_DO)
    );
    // IPPROTO_UDP: the UDP socket's, not the TCP socket's.
    assert_eq!(get(&h, udp, IPPROTO_UDP, UDP_SEND_MSG_SIZE), Ok(0));
    assert_eq!(
        get(&h, udp, IPPROTO_UDP, UDP_RECV_MAX_COALESCED_SIZE),
        Ok(0)
    );
    assert_err(get(&h, tcp, IPPROTO_UDP, UDP_SEND_MSG_SIZE), WSAEINVAL);
    // IPv6 forms on an IPv6 socket.
    let udp6 = std_socket(&h, AF_INET6, SOCK_DGRAM, IPPROTO_UDP);
    for name in [
        IPV6_DONTFRAG,
        IPV6_HOPLIMIT,
        IPV6_RECVTCLASS,
        IPV6_ECN,
        IPV6_TCLASS,
        IPV6_UNICAST_IF,
    ] {
        let v = get(&h, udp6, IPPROTO_IPV6, name).unwrap_or_else(|e| panic!("get {name}: {e:?}"));
        set(&h, udp6, IPPROTO_IPV6, name, v as u32).unwrap();
    }
    assert_err(get(&h, udp6, IPPROTO_IPV6, IPV6_MTU), WSAENOTCONN);
}

// The documented model knows only the seed pages' options: the others are
// WSAENOPROTOOPT there, and a profile without WIN-IP-OPTIONS says so too.
#[test]
fn without_the_quirk_the_options_are_unknown() {
    for profile in [
        Profile::documented(),
        Profile::windows().without(Quirk::IpOptions),
    ] {
        let cfg = Config {
            profile,
            ..Config::default()
        };
        let sim = Sim::with_config(1, cfg);
        let h = started(&sim, "local", &[]);
        let s = std_socket(&h, AF_INET, SOCK_DGRAM, IPPROTO_UDP);
        assert_err(set(&h, s, IPPROTO_IP, IP_DONTFRAGMENT, 1), WSAENOPROTOOPT);
        assert_err(get(&h, s, IPPROTO_UDP, UDP_SEND_MSG_SIZE), WSAENOPROTOOPT);
        // (The seed pages' own options are still there.)
        set(&h, s, IPPROTO_IP, IP_PKTINFO, 1).unwrap();
    }
}

// WIN-V6ONLY-ON-V4: test_ipv6only's AF_INET socket, step by step.
#[test]
fn v6only_on_an_ipv4_socket() {
    let (_sim, h) = windows(2);
    let v4 = std_socket(&h, AF_INET, SOCK_STREAM, IPPROTO_TCP);
    assert_eq!(get(&h, v4, IPPROTO_IPV6, IPV6_V6ONLY), Ok(1));
    set(&h, v4, IPPROTO_IPV6, IPV6_V6ONLY, 0).unwrap();
    assert_eq!(get(&h, v4, IPPROTO_IPV6, IPV6_V6ONLY), Ok(0));
    set(&h, v4, IPPROTO_IPV6, IPV6_V6ONLY, 1).unwrap();
    h.bind(v4, &"0.0.0.0:0".parse().unwrap()).unwrap();
    assert_eq!(get(&h, v4, IPPROTO_IPV6, IPV6_V6ONLY), Ok(1));
    assert!(set(&h, v4, IPPROTO_IPV6, IPV6_V6ONLY, 0).is_err());
    assert!(set(&h, v4, IPPROTO_IPV6, IPV6_V6ONLY, 1).is_err());
    assert_eq!(get(&h, v4, IPPROTO_IPV6, IPV6_V6ONLY), Ok(1));
    // Other IPv6 options stay WSAEINVAL on an IPv4 socket.
    assert_err(get(&h, v4, IPPROTO_IPV6, IPV6_UNICAST_HOPS), WSAEINVAL);
}

/// quinn-udp 0.6.1's `UdpSocketState::new` (quinn-rs/quinn a1931ab8,
/// quinn-udp/src/windows.rs), call for call, on a socket bound to `bind`;
/// returns the socket and quinn's `max_gso_segments`.
fn quinn_setup(h: &SimHost, af: i32, bind: &str) -> (Socket, usize) {
    let s = std_socket(h, af, SOCK_DGRAM, IPPROTO_UDP);
    h.bind(s, &bind.parse().unwrap()).unwrap();
    // socket.set_nonblocking(true), socket.local_addr()
    h.set_nonblocking(s, true).unwrap();
    let addr = h.getsockname(s).unwrap();
    // getsockopt(IPPROTO_IPV6, IPV6_V6ONLY): an error ends the set-up.
    let v6only = get(h, s, IPPROTO_IPV6, IPV6_V6ONLY).expect("quinn needs IPV6_V6ONLY") != 0;
    let is_ipv4 = addr.is_ipv4() || !v6only;
    // WSARECVMSG_PTR: the extension pointer, on a socket of its own.
    let probe = h.socket(AF_INET, SOCK_DGRAM, 0).unwrap();
    let mut ptr = [0u8; 8];
    let n = h
        .wsa_ioctl(
            probe,
            SIO_GET_EXTENSION_FUNCTION_POINTER,
            &WSAID_WSARECVMSG.to_bytes(),
            &mut ptr,
        )
        .unwrap();
    assert_eq!(n, 8, "quinn checks the pointer's size");
    h.close_socket(probe).unwrap();
    if is_ipv4 {
        set(h, s, IPPROTO_IP, IP_DONTFRAGMENT, 1).unwrap();
        set(h, s, IPPROTO_IP, IP_PKTINFO, 1).unwrap();
        // (quinn would go on without ECN after WSAENOPROTOOPT or
        // WSAEOPNOTSUPP; Windows has it.)
        set(h, s, IPPROTO_IP, IP_RECVECN, 1).unwrap();
    }
    if addr.is_ipv6() {
        set(h, s, IPPROTO_IPV6, IPV6_DONTFRAG, 1).unwrap();
        set(h, s, IPPROTO_IPV6, IPV6_PKTINFO, 1).unwrap();
        set(h, s, IPPROTO_IPV6, IPV6_RECVECN, 1).unwrap();
    }
    // max_gso_segments: UDP_SEND_MSG_SIZE 1500 accepted means 512.
    let gso = if set(h, s, IPPROTO_UDP, UDP_SEND_MSG_SIZE, 1500).is_ok() {
        512
    } else {
        1
    };
    (s, gso)
}

// WIN-IP-OPTIONS, WIN-V6ONLY-ON-V4, WIN-ECN, WIN-USO, WIN-URO: quinn's set-up
// succeeds on an IPv4 socket, then a segmented send with an ECN codepoint
// arrives as segments and comes back coalesced, with IP_PKTINFO, IP_ECN and
// UDP_COALESCED_INFO, as quinn's recv decodes them.
#[test]
fn quinn_udp_sets_up_sends_and_receives_on_windows() {
    let (_sim, h) = windows(3);
    let (tx, gso) = quinn_setup(&h, AF_INET, "127.0.0.1:0");
    assert_eq!(gso, 512);
    let (rx, gso_rx) = quinn_setup(&h, AF_INET, "127.0.0.1:0");
    assert_eq!(gso_rx, 512);
    // quinn's set_gro(true): UDP_RECV_MAX_COALESCED_SIZE u16::MAX.
    set(
        &h,
        rx,
        IPPROTO_UDP,
        UDP_RECV_MAX_COALESCED_SIZE,
        u32::from(u16::MAX),
    )
    .unwrap();
    let to = h.getsockname(rx).unwrap();
    let data = pattern(1200 * 3 + 500);
    let control = [
        Cmsg::int(IPPROTO_IP, IP_ECN, ECN_ECT_0),
        Cmsg::int(IPPROTO_UDP, UDP_SEND_MSG_SIZE, 1200),
    ];
    assert_eq!(
        send_msg(&h, tx, &to, &data, &control),
        Ok(data.len() as u32)
    );
    // Four datagrams are queued: FIONREAD counts them all.
    let mut queued = 0;
    h.ioctl_socket(rx, FIONREAD, &mut queued).unwrap();
    assert_eq!(queued as usize, data.len());
    // quinn's recv: one buffer, 128 bytes of control.
    let (r, n, msg) = recv_msg(&h, rx, &[u16::MAX as usize], 128);
    r.unwrap();
    assert_eq!(n as usize, data.len());
    assert_eq!(msg.data(n as usize), data);
    let objs = objects(&msg);
    let find = |level, kind| objs.iter().find(|c| c.level == level && c.kind == kind);
    assert!(find(IPPROTO_IP, IP_PKTINFO).is_some());
    assert_eq!(
        find(IPPROTO_IP, IP_ECN).and_then(Cmsg::as_int),
        Some(ECN_ECT_0)
    );
    assert_eq!(
        find(IPPROTO_UDP, UDP_COALESCED_INFO).and_then(Cmsg::as_int),
        Some(1200)
    );
    assert_eq!(msg.flags & (MSG_TRUNC | MSG_CTRUNC), 0);
}

// The same set-up on a dual-stack IPv6 socket (quinn's usual bind of
// [::]:0 with IPV6_V6ONLY off): IP and IPv6 options both; an IPv6
// datagram's codepoint comes as IPV6_ECN.
#[test]
fn quinn_udp_dual_stack_setup() {
    let (_sim, h) = windows(4);
    let s = std_socket(&h, AF_INET6, SOCK_DGRAM, IPPROTO_UDP);
    set(&h, s, IPPROTO_IPV6, IPV6_V6ONLY, 0).unwrap();
    h.close_socket(s).unwrap();
    let (rx, gso) = quinn_setup(&h, AF_INET6, "[::1]:0");
    assert_eq!(gso, 512);
    let (tx, _) = quinn_setup(&h, AF_INET6, "[::1]:0");
    let to = h.getsockname(rx).unwrap();
    let control = [Cmsg::int(IPPROTO_IPV6, IPV6_ECN, ECN_ECT_1)];
    send_msg(&h, tx, &to, b"v6", &control).unwrap();
    let (r, _, msg) = recv_msg(&h, rx, &[16], 128);
    r.unwrap();
    let objs = objects(&msg);
    let ecn = objs
        .iter()
        .find(|c| c.level == IPPROTO_IPV6 && c.kind == IPV6_ECN);
    assert_eq!(ecn.and_then(Cmsg::as_int), Some(ECN_ECT_1));
}

// WIN-ECN: an application may not send Congestion Encountered; a router
// that marks it (DatagramFaults::ce_mark) is what a receiver then sees.
// Without IP_RECVECN no codepoint is delivered.
#[test]
fn ecn_codepoints_and_congestion_marks() {
    let cfg = Config {
        profile: Profile::windows(),
        datagram_faults: DatagramFaults {
            ce_mark: 1000,
            ..DatagramFaults::default()
        },
        ..Config::default()
    };
    let sim = Sim::with_config(5, cfg);
    let h = started(&sim, "local", &[]);
    let (tx, _) = quinn_setup(&h, AF_INET, "127.0.0.1:0");
    let (rx, to) = udp4(&h);
    set(&h, rx, IPPROTO_IP, IP_RECVECN, 1).unwrap();
    assert_err(
        send_msg(&h, tx, &to, b"x", &[Cmsg::int(IPPROTO_IP, IP_ECN, ECN_CE)]),
        WSAEINVAL,
    );
    assert_err(
        send_msg(&h, tx, &to, b"x", &[Cmsg::int(IPPROTO_IP, IP_ECN, 7)]),
        WSAEINVAL,
    );
    send_msg(
        &h,
        tx,
        &to,
        b"ect",
        &[Cmsg::int(IPPROTO_IP, IP_ECN, ECN_ECT_0)],
    )
    .unwrap();
    send_msg(
        &h,
        tx,
        &to,
        b"not",
        &[Cmsg::int(IPPROTO_IP, IP_ECN, ECN_NOT_ECT)],
    )
    .unwrap();
    let codepoint = |msg: &WsaMsg| {
        objects(msg)
            .iter()
            .find(|c| c.kind == IP_ECN)
            .and_then(Cmsg::as_int)
    };
    let (_, _, m) = recv_msg(&h, rx, &[8], 64);
    assert_eq!(codepoint(&m), Some(ECN_CE), "ECT(0) marked on the way");
    let (_, _, m) = recv_msg(&h, rx, &[8], 64);
    assert_eq!(
        codepoint(&m),
        Some(ECN_NOT_ECT),
        "not ECN-capable: never marked"
    );
    set(&h, rx, IPPROTO_IP, IP_RECVECN, 0).unwrap();
    send_msg(
        &h,
        tx,
        &to,
        b"ect",
        &[Cmsg::int(IPPROTO_IP, IP_ECN, ECN_ECT_1)],
    )
    .unwrap();
    let (_, _, m) = recv_msg(&h, rx, &[8], 64);
    assert_eq!(codepoint(&m), None);
}

// WIN-RECV-TTL-TOS: IP_RECVTTL / IPV6_HOPLIMIT deliver the hop limit as an
// INT (cmsg_len = header + 4, as test_ipv4_cmsg and test_ipv6_cmsg check on
// Windows), less one per router on the way; IP_RECVTOS / IPV6_RECVTCLASS the
// whole TOS byte, ECN bits included; with several options set the objects
// come packet information first; the documented profile delivers none.
#[test]
fn hop_limits_and_tos_bytes_are_delivered() {
    let (_sim, h) = windows(1);
    let (tx, _) = udp4(&h);
    let (rx, to) = udp4(&h);
    let int_of = |msg: &WsaMsg, level: i32, kind: i32| {
        let objs = objects(msg);
        let c = objs.iter().find(|c| (c.level, c.kind) == (level, kind))?;
        assert_eq!(c.data.len(), 4, "an INT");
        c.as_int()
    };
    set(&h, rx, IPPROTO_IP, IP_RECVTTL, 1).unwrap();
    assert_eq!(get(&h, rx, IPPROTO_IP, IP_RECVTTL), Ok(1));
    send_msg(&h, tx, &to, b"hello", &[]).unwrap();
    let (r, n, m) = recv_msg(&h, rx, &[16], 100);
    r.unwrap();
    assert_eq!(n, 5);
    let objs = objects(&m);
    assert_eq!(objs.len(), 1);
    assert_eq!((objs[0].level, objs[0].kind), (IPPROTO_IP, IP_TTL));
    // WSA_CMSG_LEN(sizeof(INT)): a 16-byte header and the INT.
    assert_eq!(m.control_bytes().len(), 16 + 4 + 4, "padded to 8");
    assert_eq!(
        int_of(&m, IPPROTO_IP, IP_TTL),
        Some(128),
        "Windows' default TTL"
    );
    set(&h, tx, IPPROTO_IP, IP_TTL, 64).unwrap();
    set(&h, rx, IPPROTO_IP, IP_RECVTOS, 1).unwrap();
    set(&h, rx, IPPROTO_IP, IP_PKTINFO, 1).unwrap();
    set(&h, tx, IPPROTO_IP, IP_TOS, 0xb8).unwrap();
    send_msg(
        &h,
        tx,
        &to,
        b"ef",
        &[Cmsg::int(IPPROTO_IP, IP_ECN, ECN_ECT_0)],
    )
    .unwrap();
    let (_, _, m) = recv_msg(&h, rx, &[16], 100);
    let kinds: Vec<i32> = objects(&m).iter().map(|c| c.kind).collect();
    assert_eq!(kinds, [IP_PKTINFO, IP_TTL, IP_TOS]);
    assert_eq!(int_of(&m, IPPROTO_IP, IP_TTL), Some(64));
    assert_eq!(int_of(&m, IPPROTO_IP, IP_TOS), Some(0xb8 | ECN_ECT_0));
    set(&h, rx, IPPROTO_IP, IP_RECVTTL, 0).unwrap();
    set(&h, rx, IPPROTO_IP, IP_RECVTOS, 0).unwrap();
    send_msg(&h, tx, &to, b"x", &[]).unwrap();
    let (_, _, m) = recv_msg(&h, rx, &[16], 100);
    assert_eq!(objects(&m).len(), 1, "packet information only");

    // IPv6: IPV6_HOPLIMIT and IPV6_RECVTCLASS.
    let (tx6, _) = udp6(&h);
    let (rx6, to6) = udp6(&h);
    set(&h, rx6, IPPROTO_IPV6, IPV6_HOPLIMIT, 1).unwrap();
    set(&h, rx6, IPPROTO_IPV6, IPV6_RECVTCLASS, 1).unwrap();
    set(&h, tx6, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 33).unwrap();
    send_msg(&h, tx6, &to6, b"six", &[]).unwrap();
    let (_, _, m) = recv_msg(&h, rx6, &[16], 100);
    assert_eq!(int_of(&m, IPPROTO_IPV6, IPV6_HOPLIMIT), Some(33));
    assert_eq!(int_of(&m, IPPROTO_IPV6, IPV6_TCLASS), Some(0));

    // Through three routers: three fewer.
    let sim = Sim::with_config(
        1,
        Config {
            profile: Profile::windows(),
            ..Config::default()
        },
    );
    let a = started(&sim, "a", &["10.0.0.1/24"]);
    let far = started(&sim, "far", &["10.9.0.1/24"]);
    sim.add_route("a", "10.9.0.0/16", 3).unwrap();
    let rx = far.socket(AF_INET, SOCK_DGRAM, 0).unwrap();
    far.bind(rx, &"10.9.0.1:4000".parse().unwrap()).unwrap();
    set(&far, rx, IPPROTO_IP, IP_RECVTTL, 1).unwrap();
    let s = a.socket(AF_INET, SOCK_DGRAM, 0).unwrap();
    a.bind(s, &"10.0.0.1:0".parse().unwrap()).unwrap();
    send_msg(&a, s, &"10.9.0.1:4000".parse().unwrap(), b"far", &[]).unwrap();
    let (r, _, m) = recv_msg(&far, rx, &[16], 100);
    r.unwrap();
    assert_eq!(int_of(&m, IPPROTO_IP, IP_TTL), Some(125));

    // The documented contract names no such control data.
    let sim = Sim::new(1);
    let h = started(&sim, "local", &[]);
    let (tx, _) = udp4(&h);
    let (rx, to) = udp4(&h);
    let _ = h.set_sock_opt(rx, IPPROTO_IP, IP_RECVTTL, &1u32.to_le_bytes());
    send_msg(&h, tx, &to, b"doc", &[]).unwrap();
    let (r, _, m) = recv_msg(&h, rx, &[16], 100);
    r.unwrap();
    assert!(objects(&m).is_empty());
}

// WIN-DONTFRAGMENT: with don't-fragment, a datagram whose IP packet is over
// the path MTU fails with WSAEMSGSIZE; without it, it is delivered whole.
// IP_MTU reads the path MTU of a connected socket.
#[test]
fn dont_fragment_and_the_path_mtu() {
    let cfg = Config {
        profile: Profile::windows(),
        ..Config::default()
    };
    let sim = Sim::with_config(6, cfg);
    let a = started(&sim, "a", &["10.0.0.1/24"]);
    let b = started(&sim, "b", &["10.0.0.2/24"]);
    sim.set_mtu("b", "10.0.0.2", 1280).unwrap();
    let rx = b.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    b.bind(rx, &"10.0.0.2:4000".parse().unwrap()).unwrap();
    let to: SocketAddr = "10.0.0.2:4000".parse().unwrap();
    let tx = std_socket(&a, AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    a.bind(tx, &"10.0.0.1:0".parse().unwrap()).unwrap();
    // 1252 + 8 + 20 = 1280 fits; one more byte does not.
    set(&a, tx, IPPROTO_IP, IP_DONTFRAGMENT, 1).unwrap();
    assert_eq!(send_msg(&a, tx, &to, &pattern(1252), &[]), Ok(1252));
    assert_err(send_msg(&a, tx, &to, &pattern(1253), &[]), WSAEMSGSIZE);
    set(&a, tx, IPPROTO_IP, IP_DONTFRAGMENT, 0).unwrap();
    assert_eq!(send_msg(&a, tx, &to, &pattern(4000), &[]), Ok(4000));
    let (r1, n1, _) = recv_msg(&b, rx, &[8192], 0);
    let (r2, n2, _) = recv_msg(&b, rx, &[8192], 0);
    assert_eq!((r1, n1, r2, n2), (Ok(()), 1252, Ok(()), 4000));
    a.connect(tx, &to).unwrap();
    assert_eq!(get(&a, tx, IPPROTO_IP, IP_MTU), Ok(1280));
    // IP_USER_MTU lowers it.
    set(&a, tx, IPPROTO_IP, IP_USER_MTU, 1000).unwrap();
    assert_eq!(get(&a, tx, IPPROTO_IP, IP_MTU), Ok(1000));
    // Loopback's MTU is the largest packet.
    let (l, _) = udp4(&a);
    let (_, la) = udp4(&a);
    a.connect(l, &la).unwrap();
    assert_eq!(get(&a, l, IPPROTO_IP, IP_MTU), Ok(65_535));
}

// WIN-USO: the socket option cuts every send; a segment over
// SO_MAX_MSG_SIZE, or a send of more than 512 segments, is WSAEMSGSIZE
// (quinn-udp's gso test sends 512 of 128 bytes, 65,536 bytes, on Windows); a send no
// larger than one segment leaves whole; don't-fragment holds each segment
// (not the send) to the path MTU.
#[test]
fn send_segmentation() {
    let (_sim, h) = windows(7);
    let (tx, _) = udp4(&h);
    let (rx, to) = udp4(&h);
    set(&h, tx, IPPROTO_UDP, UDP_SEND_MSG_SIZE, 1000).unwrap();
    h.wsa_send_to(
        tx,
        &[WsaBuf::from(&pattern(2500)[..])],
        Some(&mut 0),
        0,
        &NameBuf::addr(&to),
    )
    .unwrap();
    let sizes: Vec<u32> = (0..3).map(|_| recv_msg(&h, rx, &[4096], 0).1).collect();
    assert_eq!(sizes, [1000, 1000, 500]);
    send(&h, tx, &pattern(800), to);
    assert_eq!(recv_msg(&h, rx, &[4096], 0).1, 800);
    let big = [Cmsg::int(IPPROTO_UDP, UDP_SEND_MSG_SIZE, 70_000)];
    assert_err(send_msg(&h, tx, &to, &pattern(80_000), &big), WSAEMSGSIZE);
    let ok = [Cmsg::int(IPPROTO_UDP, UDP_SEND_MSG_SIZE, 128)];
    assert_err(
        send_msg(&h, tx, &to, &pattern(512 * 128 + 1), &ok),
        WSAEMSGSIZE,
    );
    assert_eq!(send_msg(&h, tx, &to, &pattern(512 * 128), &ok), Ok(65_536));
    // The control object wins over the option; 0 sends one datagram.
    let none = [Cmsg::int(IPPROTO_UDP, UDP_SEND_MSG_SIZE, 0)];
    let mut queued = 0;
    h.ioctl_socket(rx, FIONREAD, &mut queued).unwrap();
    assert_eq!(queued, 65_536);
    for _ in 0..512 {
        assert_eq!(recv_msg(&h, rx, &[2048], 0).1, 128);
    }
    h.ioctl_socket(rx, FIONREAD, &mut queued).unwrap();
    assert_eq!(queued, 0);
    send_msg(&h, tx, &to, &pattern(3000), &none).unwrap();
    assert_eq!(recv_msg(&h, rx, &[4096], 0).1, 3000);
}

// WIN-URO: a run breaks at another source, another size, or after a
// shorter datagram; it never outgrows the option or the buffers; alone, a
// datagram comes without UDP_COALESCED_INFO; WSARecvFrom coalesces too.
#[test]
fn receive_coalescing_runs() {
    let (_sim, h) = windows(8);
    let (a, _) = udp4(&h);
    let (b, _) = udp4(&h);
    let (rx, to) = udp4(&h);
    set(&h, rx, IPPROTO_UDP, UDP_RECV_MAX_COALESCED_SIZE, 3000).unwrap();
    for (s, n) in [
        (a, 1000),
        (a, 1000),
        (a, 400),
        (a, 1000),
        (b, 1000),
        (a, 1000),
        (a, 1000),
        (a, 1000),
        (a, 1000),
    ] {
        send(&h, s, &pattern(n), to);
    }
    let info = |msg: &WsaMsg| {
        objects(msg)
            .iter()
            .find(|c| c.level == IPPROTO_UDP && c.kind == UDP_COALESCED_INFO)
            .and_then(Cmsg::as_int)
    };
    // 1000, 1000, 400: the shorter one ends the run.
    let (_, n, m) = recv_msg(&h, rx, &[8192], 64);
    assert_eq!((n, info(&m)), (2400, Some(1000)));
    // 1000 alone: b's datagram is another source.
    let (_, n, m) = recv_msg(&h, rx, &[8192], 64);
    assert_eq!((n, info(&m)), (1000, None));
    let (_, n, m) = recv_msg(&h, rx, &[8192], 64);
    assert_eq!((n, info(&m)), (1000, None));
    // Four of a's: the option's 3,000 bytes take three.
    let (_, n, m) = recv_msg(&h, rx, &[8192], 64);
    assert_eq!((n, info(&m)), (3000, Some(1000)));
    // WSARecvFrom with room for less than two gets one.
    send(&h, a, &pattern(1000), to);
    let mut buf = [0u8; 1500];
    let (got, _) = h.recv_from(rx, &mut buf).unwrap();
    assert_eq!(got, 1000);
    let mut big = [0u8; 4000];
    let (got, _) = h.recv_from(rx, &mut big).unwrap();
    assert_eq!(got, 1000, "the last of a's four, alone in the queue");
}

// WIN-OVL-PEEK-PROBE: libuv's zero read. The overlapped WSARecv of a
// 0-byte buffer with MSG_PEEK pends; a datagram's arrival completes it
// with WSAEMSGSIZE and 0 bytes, the datagram still queued for the real
// receive; an ICMP port unreachable completes it with WSAECONNRESET, the
// error still queued until a receive without MSG_PEEK takes it.
#[test]
fn libuv_zero_read_probe() {
    let cfg = Config {
        profile: Profile::windows(),
        completion_timing: CompletionTiming::Pending,
        ..Config::default()
    };
    let sim = Sim::with_config(9, cfg);
    let h = started(&sim, "local", &[]);
    let (rx, to) = udp4(&h);
    let (tx, _) = udp4(&h);
    let probe = |id| {
        h.wsa_recv_overlapped(
            rx,
            vec![WsaBuf::zeroed(0)],
            MSG_PEEK,
            Overlapped::new(id),
            None,
        )
    };
    assert!(matches!(probe(1), Ok(Posted::Pending)));
    assert_err(
        h.wsa_get_overlapped_result(rx, &Overlapped::new(1), false),
        WSA_IO_INCOMPLETE,
    );
    send(&h, tx, b"ready", to);
    let c = h
        .wsa_get_overlapped_result(rx, &Overlapped::new(1), true)
        .unwrap();
    assert_eq!((c.error, c.bytes), (WSAEMSGSIZE, 0));
    let mut buf = [0u8; 16];
    assert_eq!(h.recv_from(rx, &mut buf).unwrap().0, 5, "still queued");
    // The ICMP case: rx sends to a port nobody has.
    let (gone, gone_addr) = udp4(&h);
    h.close_socket(gone).unwrap();
    send(&h, rx, b"x", gone_addr);
    assert!(probe(2).is_ok());
    let c = h
        .wsa_get_overlapped_result(rx, &Overlapped::new(2), true)
        .unwrap();
    assert_eq!(c.error, WSAECONNRESET);
    assert!(probe(3).is_ok());
    let c = h
        .wsa_get_overlapped_result(rx, &Overlapped::new(3), true)
        .unwrap();
    assert_eq!(c.error, WSAECONNRESET, "a peek leaves the error queued");
    assert_err(h.recv_from(rx, &mut buf), WSAECONNRESET);
    assert!(matches!(probe(4), Ok(Posted::Pending)), "the error is gone");
    // Without the quirk it is the documented misuse.
    let cfg = Config {
        profile: Profile::windows().without(Quirk::OvlPeekProbe),
        ..Config::default()
    };
    let sim = Sim::with_config(9, cfg);
    let h = started(&sim, "local", &[]);
    let (rx, _) = udp4(&h);
    let r = h.wsa_recv_overlapped(
        rx,
        vec![WsaBuf::zeroed(0)],
        MSG_PEEK,
        Overlapped::new(1),
        None,
    );
    assert!(r.unwrap_err().report().is_some());
}

// The completion-port path speaks Win32 (sock.c:13315-13317, :11574-11582,
// :10363-10367, :2537, whose NTSTATUS-to-code table is ntstatus.rs): a
// packet's `win32` is what GetLastError says after GetQueuedCompletionStatus,
// its completion's `status` is OVERLAPPED.Internal, and `error` stays the
// code WSAGetOverlappedResult gives.
#[test]
fn the_port_reports_win32_errors_and_ntstatus() {
    use winsock_double::ntstatus::*;
    let cfg = Config {
        completion_timing: CompletionTiming::Pending,
        ..Config::default()
    };
    let sim = Sim::with_config(10, cfg);
    let h = started(&sim, "local", &[]);
    let port = h.create_io_completion_port(0).unwrap();
    let take = |h: &SimHost| h.get_queued_completion_status(port, 0).unwrap();
    // A truncated datagram: ERROR_MORE_DATA, STATUS_BUFFER_OVERFLOW.
    let (rx, to) = udp4(&h);
    h.associate_completion_port(port, rx, 7).unwrap();
    let (tx, _) = udp4(&h);
    h.wsa_recv_overlapped(rx, vec![WsaBuf::zeroed(2)], 0, Overlapped::new(1), None)
        .unwrap();
    send(&h, tx, b"long", to);
    let p = take(&h);
    assert_eq!((p.error, p.win32), (WSAEMSGSIZE, ERROR_MORE_DATA));
    assert_eq!(p.completion.unwrap().status, STATUS_BUFFER_OVERFLOW);
    // A datagram that fits: TRUE, no error.
    h.wsa_recv_overlapped(rx, vec![WsaBuf::zeroed(8)], 0, Overlapped::new(2), None)
        .unwrap();
    send(&h, tx, b"ok", to);
    let p = take(&h);
    assert_eq!((p.error, p.win32), (0, 0));
    assert_eq!(p.completion.unwrap().status, STATUS_SUCCESS);
    // An ICMP port unreachable: ERROR_PORT_UNREACHABLE.
    let (gone, gone_addr) = udp4(&h);
    h.close_socket(gone).unwrap();
    h.wsa_recv_overlapped(rx, vec![WsaBuf::zeroed(8)], 0, Overlapped::new(3), None)
        .unwrap();
    send(&h, rx, b"x", gone_addr);
    let p = take(&h);
    assert_eq!((p.error, p.win32), (WSAECONNRESET, ERROR_PORT_UNREACHABLE));
    assert_eq!(p.completion.unwrap().status, STATUS_PORT_UNREACHABLE);
    // A cancel: ERROR_OPERATION_ABORTED, STATUS_CANCELLED.
    h.wsa_recv_overlapped(rx, vec![WsaBuf::zeroed(8)], 0, Overlapped::new(4), None)
        .unwrap();
    h.cancel_io_ex(rx, Some(&Overlapped::new(4))).unwrap();
    let p = take(&h);
    assert_eq!(
        (p.error, p.win32),
        (WSA_OPERATION_ABORTED, ERROR_OPERATION_ABORTED)
    );
    assert_eq!(p.completion.unwrap().status, STATUS_CANCELLED);
    // A reset connection: ERROR_NETNAME_DELETED, STATUS_CONNECTION_RESET;
    // a second WSAGetOverlappedResult keeps the status.
    let (c, s) = conn_pair(&h, SOCK_STREAM, IPPROTO_TCP, None);
    h.associate_completion_port(port, c, 9).unwrap();
    h.wsa_recv_overlapped(c, vec![WsaBuf::zeroed(8)], 0, Overlapped::new(5), None)
        .unwrap();
    h.set_sock_opt(s, SOL_SOCKET, SO_LINGER, &[1, 0, 0, 0])
        .unwrap();
    h.close_socket(s).unwrap();
    let p = take(&h);
    assert_eq!((p.error, p.win32), (WSAECONNRESET, ERROR_NETNAME_DELETED));
    assert_eq!(p.completion.unwrap().status, STATUS_CONNECTION_RESET);
    let again = h
        .wsa_get_overlapped_result(c, &Overlapped::new(5), false)
        .unwrap();
    assert_eq!(
        (again.error, again.status),
        (WSAECONNRESET, STATUS_CONNECTION_RESET)
    );
}

// The rest of the socket surface these libraries touch: WSASocketW takes
// WSA_FLAG_REGISTERED_IO (the WSASocketW page; RIO itself is not
// modelled), and SO_PROTOCOL_INFOW describes a base protocol, a chain of
// length 1 (WSAPROTOCOL_INFOW: BASE_PROTOCOL), as .NET and libuv check.
#[test]
fn wsasocket_flags_and_the_protocol_chain() {
    let (_sim, h) = local(11);
    let flags = WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT | WSA_FLAG_REGISTERED_IO;
    let s = h
        .wsa_socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP, flags)
        .unwrap();
    assert_err(
        h.wsa_socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP, 0x02),
        WSAEINVAL,
    );
    let mut info = vec![0u8; WSAPROTOCOL_INFOW_SIZE];
    h.get_sock_opt(s, SOL_SOCKET, SO_PROTOCOL_INFOW, &mut info)
        .unwrap();
    let chain_len = i32::from_le_bytes(info[40..44].try_into().unwrap());
    assert_eq!(chain_len, 1);
}
