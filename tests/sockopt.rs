//! The option sizes of Windows (WIN-SOCKOPT-SIZES) on the `Windows`
//! profile, walked as Wine's `test_set_getsockopt` walks its size table
//! (wine_8.0~repack-4 dlls/ws2_32/tests/sock.c:1205-1234, the loop at
//! :1462-1625, run on Windows); and the documented profile, which keeps
//! the pages' 4-byte values.

mod common;
use common::*;
use winsock_double::*;

fn world(profile: Profile) -> (Sim, SimHost) {
    let cfg = Config {
        profile,
        ..Config::default()
    };
    let sim = Sim::with_config(1, cfg);
    let h = started(&sim, "local", &["10.0.0.1/24"]);
    (sim, h)
}

/// What Windows does with one option, as the table gives it.
struct Row {
    af: i32,
    ty: i32,
    level: i32,
    name: i32,
    /// A value of 1 or 2 bytes is taken, and a room of 1 or 2 bytes
    /// answered.
    short: bool,
    /// The `*optlen` left by a `getsockopt` into a room of 1, 2 and 4 bytes
    /// (after a `setsockopt` of 1 with as many bytes).
    sizes: [usize; 3],
    /// The room of 4 bytes (`ef ef ef ef` before) after that `getsockopt`,
    /// where the call writes something other than the value's first bytes:
    /// `None` for "the value 1 in the first `sizes[j]` bytes".
    rooms: [Option<u32>; 3],
    /// A value of 0x100 is taken.
    large: bool,
    /// The option is a BOOL read back as 0 or 1.
    boolean: bool,
}

const ROOM: u32 = 0xefef_efef;

#[rustfmt::skip]
fn rows() -> Vec<Row> {
    // SOL_SOCKET BOOLs taking short values: two bytes written into a room
    // of 2 (sock.c:1207, 1208, 1210, 1215, 1216).
    let socket_bool = |ty, name| Row {
        af: AF_INET, ty, level: SOL_SOCKET, name, short: true, sizes: [1, 1, 4],
        rooms: [None, Some(0xefef_0001), None], large: true, boolean: true,
    };
    // ints refused short; a short room zeroed (sock.c:1209, 1211, 1217).
    let zeroed = |name| Row {
        af: AF_INET, ty: SOCK_STREAM, level: SOL_SOCKET, name, short: false, sizes: [1, 2, 4],
        rooms: [Some(0xefef_ef00), Some(0xefef_0000), None], large: true, boolean: false,
    };
    // ints refused short, nothing written (sock.c:1214, 1218).
    let int = |name| Row {
        af: AF_INET, ty: SOCK_STREAM, level: SOL_SOCKET, name, short: false, sizes: [1, 2, 4],
        rooms: [Some(ROOM), Some(ROOM), None], large: true, boolean: false,
    };
    // 1-byte BOOLEANs (sock.c:1212, 1213, 1220, 1235).
    let boolean = |af, ty, level, name| Row {
        af, ty, level, name, short: true, sizes: [1, 1, 1], rooms: [None; 3], large: true,
        boolean: false,
    };
    // IP-level values taking short ones (sock.c:1221, 1222, 1226-1228,
    // 1230, 1231, 1234).
    let short = |af, ty, level, name, large| Row {
        af, ty, level, name, short: true, sizes: [1, 1, 4], rooms: [None; 3], large,
        boolean: large,
    };
    // receive-side BOOLs refused short; a short room gets *optlen 0
    // (sock.c:1223-1225, 1229, 1232, 1233).
    let no_length = |af, level, name| Row {
        af, ty: SOCK_DGRAM, level, name, short: false, sizes: [0, 0, 4],
        rooms: [Some(ROOM), Some(ROOM), None], large: true, boolean: true,
    };
    vec![
        socket_bool(SOCK_DGRAM, SO_BROADCAST),
        socket_bool(SOCK_STREAM, SO_DONTLINGER),
        zeroed(SO_LINGER),
        socket_bool(SOCK_STREAM, SO_OOBINLINE),
        zeroed(SO_RCVBUF),
        boolean(AF_INET, SOCK_STREAM, SOL_SOCKET, SO_KEEPALIVE),
        boolean(AF_INET, SOCK_STREAM, SOL_SOCKET, SO_DONTROUTE),
        int(SO_RCVTIMEO),
        socket_bool(SOCK_STREAM, SO_REUSEADDR),
        socket_bool(SOCK_STREAM, SO_EXCLUSIVEADDRUSE),
        zeroed(SO_SNDBUF),
        int(SO_SNDTIMEO),
        // (SO_OPENTYPE, sock.c:1219, is the DLL's: an option of the thread.)
        boolean(AF_INET, SOCK_STREAM, IPPROTO_TCP, TCP_NODELAY),
        short(AF_INET, SOCK_DGRAM, IPPROTO_IP, IP_MULTICAST_LOOP, true),
        short(AF_INET, SOCK_DGRAM, IPPROTO_IP, IP_MULTICAST_TTL, false),
        no_length(AF_INET, IPPROTO_IP, IP_PKTINFO),
        no_length(AF_INET, IPPROTO_IP, IP_RECVTOS),
        no_length(AF_INET, IPPROTO_IP, IP_RECVTTL),
        short(AF_INET, SOCK_DGRAM, IPPROTO_IP, IP_TOS, false),
        short(AF_INET, SOCK_DGRAM, IPPROTO_IP, IP_TTL, false),
        short(AF_INET6, SOCK_STREAM, IPPROTO_IPV6, IPV6_DONTFRAG, true),
        no_length(AF_INET6, IPPROTO_IPV6, IPV6_HOPLIMIT),
        short(AF_INET6, SOCK_DGRAM, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, false),
        short(AF_INET6, SOCK_DGRAM, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, true),
        no_length(AF_INET6, IPPROTO_IPV6, IPV6_PKTINFO),
        no_length(AF_INET6, IPPROTO_IPV6, IPV6_RECVTCLASS),
        short(AF_INET6, SOCK_DGRAM, IPPROTO_IPV6, IPV6_UNICAST_HOPS, false),
        boolean(AF_INET6, SOCK_DGRAM, IPPROTO_IPV6, IPV6_V6ONLY),
    ]
}

/// `getsockopt` into a room of `room` bytes, each `ef` before: the result,
/// the first 4 bytes of the room (`ef` past it) and the `*optlen` left.
fn get(h: &SimHost, s: Socket, r: &Row, room: usize) -> (Result<(), WsaError>, u32, usize) {
    let mut buf = vec![0xef; room];
    let mut n = room;
    let res = h.get_sock_opt_len(s, r.level, r.name, &mut buf, &mut n);
    let mut b = [0xef; 4];
    let k = room.min(4);
    b[..k].copy_from_slice(&buf[..k]);
    (res, u32::from_le_bytes(b), n)
}

fn code(r: &Result<(), WsaError>) -> i32 {
    r.as_ref().err().and_then(WsaError::code).unwrap_or(0)
}

#[test]
fn the_size_table_of_windows() {
    let (_sim, h) = world(Profile::windows());
    for r in rows() {
        let what = format!("level {} name {}", r.level, r.name);
        let s = h.wsa_socket(r.af, r.ty, 0, WSA_FLAG_OVERLAPPED).unwrap();
        // sock.c:1470-1472: the value as it is.
        let mut save = [0u8; 4];
        let n = h.get_sock_opt(s, r.level, r.name, &mut save).unwrap();
        // sock.c:1474-1477: an 8-byte value is taken.
        let big = 0xffff_ffff_0000_0001u64.to_le_bytes();
        h.set_sock_opt(s, r.level, r.name, &big).unwrap();
        // sock.c:1479-1482: the size of the value.
        let (res, _, size) = get(&h, s, &r, 8);
        assert!(res.is_ok(), "{what}");
        assert_eq!(size, r.sizes[2], "{what}: size");
        // sock.c:1535-1538: no room is WSAEFAULT.
        assert_eq!(code(&get(&h, s, &r, 0).0), WSAEFAULT, "{what}");
        // sock.c:1519-1533: no byte is FALSE for the SOL_SOCKET BOOLs.
        let want = if r.level == SOL_SOCKET && r.boolean {
            0
        } else {
            WSAEFAULT
        };
        let got = h.set_sock_opt(s, r.level, r.name, &[]);
        assert_eq!(
            got.err().and_then(|e| e.code()).unwrap_or(0),
            want,
            "{what}: no byte"
        );
        // sock.c:1540-1574: 0x100.
        let got = h.set_sock_opt(s, r.level, r.name, &0x100u32.to_le_bytes());
        if r.large {
            assert!(got.is_ok(), "{what}: 0x100");
            let (res, v, size) = get(&h, s, &r, 4);
            assert!(res.is_ok(), "{what}");
            let want = match (r.sizes[2], r.boolean) {
                // One byte written: 0x100's first byte.
                (1, _) => 0xefef_ef00,
                (_, true) => 1,
                _ => 0x100,
            };
            assert_eq!(v, want, "{what}: 0x100 read back");
            assert_eq!(size, r.sizes[2], "{what}");
        } else {
            assert_err(got, WSAEINVAL);
        }
        // sock.c:1578-1617: values of 1, 2 and 4 bytes, rooms as large.
        for (j, len) in [1usize, 2, 4].into_iter().enumerate() {
            let taken = r.short || len == 4;
            let got = h.set_sock_opt(s, r.level, r.name, &1u32.to_le_bytes()[..len]);
            let want = if taken { 0 } else { WSAEFAULT };
            assert_eq!(
                got.err().and_then(|e| e.code()).unwrap_or(0),
                want,
                "{what} len {len}"
            );
            let (res, v, size) = get(&h, s, &r, len);
            assert_eq!(code(&res), want, "{what} room {len}");
            let value = match r.rooms[j] {
                Some(v) => v,
                // 1 in the first sizes[j] bytes, `ef` after them.
                None => {
                    let mut b = ROOM.to_le_bytes();
                    b[..r.sizes[j]].copy_from_slice(&1u32.to_le_bytes()[..r.sizes[j]]);
                    u32::from_le_bytes(b)
                }
            };
            assert_eq!(v, value, "{what} room {len}: {v:#x}");
            // (A room refused keeps its length, but where Windows writes 0.)
            assert_eq!(size, r.sizes[j], "{what} room {len}: optlen");
        }
        // sock.c:1620-1623: the value saved goes back.
        assert!(n <= 4, "{what}");
        h.set_sock_opt(s, r.level, r.name, &save).unwrap();
        h.close_socket(s).unwrap();
    }
}

#[test]
fn tcp_nodelay_takes_any_length_and_its_first_byte() {
    // sock.c:1346-1411
    let (_sim, h) = world(Profile::windows());
    let s = h.wsa_socket(AF_INET, SOCK_STREAM, 0, 0).unwrap();
    let mut one = [0u8; 42];
    one[0] = 1;
    for len in [1, 4, 42] {
        h.set_sock_opt(s, IPPROTO_TCP, TCP_NODELAY, &one[..len])
            .unwrap();
        assert_eq!(
            h.get_sock_opt_int(s, IPPROTO_TCP, TCP_NODELAY),
            Ok(1),
            "len {len}"
        );
        h.set_sock_opt_int(s, IPPROTO_TCP, TCP_NODELAY, 0).unwrap();
    }
    assert_err(h.set_sock_opt(s, IPPROTO_TCP, TCP_NODELAY, &[]), WSAEFAULT);
    h.set_sock_opt_int(s, IPPROTO_TCP, TCP_NODELAY, 0x100)
        .unwrap();
    assert_eq!(h.get_sock_opt_int(s, IPPROTO_TCP, TCP_NODELAY), Ok(0));
    // sock.c:1421-1435: levels Windows has no options at.
    for level in [-1, 0x8000] {
        assert_err(h.set_sock_opt_int(s, level, SO_RCVTIMEO, 63000), WSAEINVAL);
    }
}

#[test]
fn so_linger_reads_back_its_l_onoff() {
    // sock.c:1562-1571 (todo_wine_if: Wine 8.0 says 1)
    let (_sim, h) = world(Profile::windows());
    let s = h.wsa_socket(AF_INET, SOCK_STREAM, 0, 0).unwrap();
    h.set_sock_opt(s, SOL_SOCKET, SO_LINGER, &[0, 1, 0, 0])
        .unwrap();
    let mut v = [0u8; 4];
    assert_eq!(h.get_sock_opt(s, SOL_SOCKET, SO_LINGER, &mut v), Ok(4));
    assert_eq!(v, [0, 1, 0, 0]);
    assert_eq!(h.get_sock_opt_int(s, SOL_SOCKET, SO_DONTLINGER), Ok(0));
}

#[test]
fn ip_multicast_ttl_of_one_to_four_bytes() {
    // sock.c:1640-1658
    let (_sim, h) = world(Profile::windows());
    let s = h.wsa_socket(AF_INET, SOCK_DGRAM, 0, 0).unwrap();
    for (v, len, want) in [
        (0xffff_ff0au32, 1, 0x0a),
        (0xffff_000b, 2, 0x0b),
        (0xff00_000c, 3, 0x0c),
        (0x0000_000d, 4, 0x0d),
    ] {
        h.set_sock_opt(s, IPPROTO_IP, IP_MULTICAST_TTL, &v.to_le_bytes()[..len])
            .unwrap();
        assert_eq!(
            h.get_sock_opt_int(s, IPPROTO_IP, IP_MULTICAST_TTL),
            Ok(want)
        );
    }
}

#[test]
fn the_documented_profile_keeps_four_byte_values() {
    let (_sim, h) = world(Profile::documented());
    let t = h.wsa_socket(AF_INET, SOCK_STREAM, 0, 0).unwrap();
    let u = h.wsa_socket(AF_INET, SOCK_DGRAM, 0, 0).unwrap();
    assert_err(h.set_sock_opt(t, IPPROTO_TCP, TCP_NODELAY, &[1]), WSAEFAULT);
    assert_err(h.set_sock_opt(u, SOL_SOCKET, SO_BROADCAST, &[]), WSAEFAULT);
    let mut one = [0xef; 1];
    assert_err(
        h.get_sock_opt(t, SOL_SOCKET, SO_KEEPALIVE, &mut one),
        WSAEFAULT,
    );
    assert_eq!(one, [0xef]);
    let mut n = 2;
    let mut two = [0xef; 2];
    let r = h.get_sock_opt_len(u, IPPROTO_IP, IP_PKTINFO, &mut two, &mut n);
    assert_err(r, WSAEFAULT);
    assert_eq!((n, two), (2, [0xef; 2]));
    let mut four = [0; 4];
    assert_eq!(
        h.get_sock_opt(t, IPPROTO_TCP, TCP_NODELAY, &mut four),
        Ok(4)
    );
    assert_err(
        h.get_sock_opt_int(t, SOL_SOCKET, SO_DONTROUTE),
        WSAENOPROTOOPT,
    );
    assert_err(
        h.set_sock_opt_int(t, 0x8000, SO_RCVTIMEO, 1),
        WSAENOPROTOOPT,
    );
    h.set_sock_opt_int(t, SOL_SOCKET, SO_LINGER, 0x100).unwrap();
    assert_eq!(h.get_sock_opt_int(t, SOL_SOCKET, SO_LINGER), Ok(1));
}

#[test]
fn so_error_is_set_as_it_is_read() {
    // WIN-SO-ERROR-SET, sock.c:1436-1449
    let (_sim, h) = world(Profile::windows());
    for ty in [SOCK_STREAM, SOCK_DGRAM] {
        let s = h.wsa_socket(AF_INET, ty, 0, 0).unwrap();
        h.set_sock_opt_int(s, SOL_SOCKET, SO_ERROR, 1234).unwrap();
        assert_eq!(h.get_sock_opt_int(s, SOL_SOCKET, SO_ERROR), Ok(1234));
        // A room under 4 is WSAEFAULT (sock.c:1451-1457).
        assert_err(h.get_sock_opt(s, SOL_SOCKET, SO_ERROR, &mut [0]), WSAEFAULT);
    }
    let (_sim, h) = world(Profile::documented());
    let s = h.wsa_socket(AF_INET, SOCK_STREAM, 0, 0).unwrap();
    assert_err(
        h.set_sock_opt_int(s, SOL_SOCKET, SO_ERROR, 1234),
        WSAENOPROTOOPT,
    );
}

#[test]
fn so_connect_time_counts_seconds_connected_and_so_debug_is_a_bool() {
    // SOL_SOCKET socket options: SO_CONNECT_TIME "returns the number of
    // seconds a socket has been connected", 0xFFFFFFFF before (Wine's
    // test_connect_time and test_so_debug, run on Windows:
    // sock.c:13504-13572, 12925-12960).
    let (_sim, h) = world(Profile::documented());
    let l = h.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP).unwrap();
    h.bind(l, &"127.0.0.1:0".parse().unwrap()).unwrap();
    h.listen(l, 2).unwrap();
    let c = h.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP).unwrap();
    assert_eq!(h.get_sock_opt_int(c, SOL_SOCKET, SO_CONNECT_TIME), Ok(-1));
    h.connect(c, &h.getsockname(l).unwrap()).unwrap();
    let (s, _) = h.accept(l).unwrap();
    assert_eq!(h.get_sock_opt_int(c, SOL_SOCKET, SO_CONNECT_TIME), Ok(0));
    assert_eq!(h.get_sock_opt_int(s, SOL_SOCKET, SO_CONNECT_TIME), Ok(0));
    h.sleep_ex(2_500, false).unwrap();
    assert_eq!(h.get_sock_opt_int(c, SOL_SOCKET, SO_CONNECT_TIME), Ok(2));
    let u = h.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    h.connect(u, &"127.0.0.1:9".parse().unwrap()).unwrap();
    assert_eq!(h.get_sock_opt_int(u, SOL_SOCKET, SO_CONNECT_TIME), Ok(-1));
    assert_eq!(h.get_sock_opt_int(c, SOL_SOCKET, SO_DEBUG), Ok(0));
    h.set_sock_opt_int(c, SOL_SOCKET, SO_DEBUG, 2).unwrap();
    assert_eq!(h.get_sock_opt_int(c, SOL_SOCKET, SO_DEBUG), Ok(1));
}

#[test]
fn getsockopt_at_a_level_windows_has_no_options_at_is_einval() {
    // WIN-SOCKOPT-SIZES, sock.c:4880-4920 (test_extendedSocketOptions);
    // the documented profile keeps WSAENOPROTOOPT.
    for (profile, want) in [
        (Profile::windows(), WSAEINVAL),
        (Profile::documented(), WSAENOPROTOOPT),
    ] {
        let (_sim, h) = world(profile);
        let s = h.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
        for level in [-1, 0x1234_ffff, 0x8000_ffff_u32 as i32, 0x8000, 0x800] {
            assert_err(h.get_sock_opt_int(s, level, SO_MAX_MSG_SIZE), want);
        }
        assert!(h.get_sock_opt_int(s, SOL_SOCKET, SO_MAX_MSG_SIZE).is_ok());
    }
}
