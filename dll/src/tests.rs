//! The exports called as a C program calls them: on Linux (model handles,
//! a thread-local last error) and, in the Wine stage, on Windows (kernel
//! handles, the thread's Win32 last error).

use crate::calls::TEST_LOCK;
use crate::exports::*;
use crate::table::{Answer, EXPORTS};
use std::net::SocketAddr;
use windows_sys::Win32::Networking::WinSock::{ADDRINFOA, SOCKADDR, WSABUF, WSADATA};
use winsock_model::contract::*;

fn start() -> parking_lot::MutexGuard<'static, ()> {
    let g = TEST_LOCK.lock();
    let mut data: WSADATA = unsafe { std::mem::zeroed() };
    // SAFETY: a WSADATA to write.
    assert_eq!(unsafe { startup::WSAStartup(0x0202, &mut data) }, 0);
    assert_eq!(data.wVersion, 0x0202);
    g
}

fn sockaddr(a: &str) -> Vec<u8> {
    addr::encode(&a.parse::<SocketAddr>().unwrap())
}

fn name_of(s: usize) -> SocketAddr {
    let mut buf = [0u8; 128];
    let mut len = 128i32;
    // SAFETY: 128 bytes of room.
    let r = unsafe { sock::getsockname(s, buf.as_mut_ptr().cast(), &mut len) };
    assert_eq!(r, 0);
    addr::decode(&buf[..len as usize]).unwrap()
}

#[test]
fn a_udp_round_trip_through_the_c_functions() {
    let _g = start();
    let a = sock::socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    let b = sock::socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    assert_ne!(a, !0);
    assert_eq!(a % 4, 0, "handles look like Windows handles");
    let any = sockaddr("127.0.0.1:0");
    // SAFETY: the address bytes live across the calls.
    unsafe {
        assert_eq!(sock::bind(a, any.as_ptr().cast(), any.len() as i32), 0);
        assert_eq!(sock::bind(b, any.as_ptr().cast(), any.len() as i32), 0);
    }
    let to = addr::encode(&name_of(b));
    // SAFETY: valid buffers.
    let n = unsafe {
        data::sendto(
            a,
            b"ping".as_ptr(),
            4,
            0,
            to.as_ptr().cast(),
            to.len() as i32,
        )
    };
    assert_eq!(n, 4);
    let mut buf = [0u8; 16];
    let mut from = [0u8; 128];
    let mut fromlen = 128i32;
    // SAFETY: valid buffers.
    let n = unsafe {
        data::recvfrom(
            b,
            buf.as_mut_ptr(),
            16,
            0,
            from.as_mut_ptr().cast(),
            &mut fromlen,
        )
    };
    assert_eq!(n, 4);
    assert_eq!(&buf[..4], b"ping");
    assert_eq!(fromlen, 16);
    assert_eq!(addr::decode(&from[..16]).unwrap(), name_of(a));

    // A truncated datagram: WSAEMSGSIZE, the first bytes copied.
    let big = [7u8; 100];
    // SAFETY: valid buffers.
    unsafe {
        assert_eq!(
            data::sendto(a, big.as_ptr(), 100, 0, to.as_ptr().cast(), to.len() as i32),
            100
        );
        let mut small = [0u8; 10];
        assert_eq!(data::recv(b, small.as_mut_ptr(), 10, 0), -1);
        assert_eq!(startup::WSAGetLastError(), WSAEMSGSIZE);
        assert_eq!(small, [7u8; 10]);
    }

    // WSARecv with two buffers, scattered in order.
    // SAFETY: valid buffers.
    unsafe {
        assert_eq!(
            data::sendto(
                a,
                b"abcdef".as_ptr(),
                6,
                0,
                to.as_ptr().cast(),
                to.len() as i32
            ),
            6
        );
        let (mut x, mut y) = ([0u8; 4], [0u8; 4]);
        let bufs = [
            WSABUF {
                len: 4,
                buf: x.as_mut_ptr(),
            },
            WSABUF {
                len: 4,
                buf: y.as_mut_ptr(),
            },
        ];
        let (mut n, mut fl) = (0u32, 0u32);
        let r = data::WSARecv(
            b,
            bufs.as_ptr(),
            2,
            &mut n,
            &mut fl,
            std::ptr::null_mut(),
            None,
        );
        assert_eq!(r, 0);
        assert_eq!(n, 6);
        assert_eq!(&x, b"abcd");
        assert_eq!(&y[..2], b"ef");
        assert_eq!(
            startup::WSAGetLastError(),
            0,
            "success clears the last error"
        );
    }

    // Non-blocking with nothing queued.
    let mut one = 1u32;
    // SAFETY: valid pointers.
    unsafe {
        assert_eq!(sock::ioctlsocket(b, FIONBIO as i32, &mut one), 0);
        let mut small = [0u8; 4];
        assert_eq!(data::recv(b, small.as_mut_ptr(), 4, 0), -1);
        assert_eq!(startup::WSAGetLastError(), WSAEWOULDBLOCK);
    }
    assert_eq!(sock::closesocket(a), 0);
    assert_eq!(sock::closesocket(b), 0);
    assert_eq!(sock::closesocket(b), -1);
    assert_eq!(startup::WSAGetLastError(), WSAENOTSOCK);
    assert_eq!(startup::WSACleanup(), 0);
    let trace = crate::trace_text();
    for call in [
        "WSAStartup",
        "WSASocket",
        "bind",
        "WSASendTo",
        "WSARecvFrom",
        "closesocket",
    ] {
        assert!(trace.contains(call), "{call} in the trace:\n{trace}");
    }
}

#[test]
fn a_tcp_connection_on_one_thread() {
    let _g = start();
    let l = sock::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    let any = sockaddr("127.0.0.1:0");
    // SAFETY: valid buffers throughout.
    unsafe {
        assert_eq!(sock::bind(l, any.as_ptr().cast(), 16), 0);
        assert_eq!(sock::listen(l, 8), 0);
        let to = addr::encode(&name_of(l));
        let c = sock::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
        assert_eq!(sock::connect(c, to.as_ptr().cast(), 16), 0);
        let mut peer = [0u8; 16];
        let mut plen = 16i32;
        let s = sock::accept(l, peer.as_mut_ptr().cast(), &mut plen);
        assert_ne!(s, !0);
        assert_eq!(addr::decode(&peer).unwrap(), name_of(c));
        assert_eq!(data::send(c, b"hello".as_ptr(), 5, 0), 5);
        let mut buf = [0u8; 5];
        let mut got = 0;
        while got < 5 {
            let n = data::recv(s, buf[got..].as_mut_ptr(), (5 - got) as i32, 0);
            assert!(n > 0);
            got += n as usize;
        }
        assert_eq!(&buf, b"hello");
        // A receive that can never complete: the model's deadlock report,
        // as WSAETIMEDOUT.
        assert_eq!(data::recv(s, buf.as_mut_ptr(), 5, 0), -1);
        assert_eq!(startup::WSAGetLastError(), WSAETIMEDOUT);
        assert!(crate::trace_text().contains("deadlock"));
        for h in [c, s, l] {
            assert_eq!(sock::closesocket(h), 0);
        }
    }
    assert_eq!(startup::WSACleanup(), 0);
}

#[test]
fn null_pointers_are_wsaefault_after_the_startup_and_socket_checks() {
    let g = TEST_LOCK.lock();
    // SAFETY: NULL pointers are what is tested.
    unsafe {
        assert_eq!(sock::bind(0x104, std::ptr::null(), 16), -1);
        assert_eq!(startup::WSAGetLastError(), WSANOTINITIALISED);
    }
    drop(g);
    let _g = start();
    // SAFETY: NULL pointers are what is tested.
    unsafe {
        assert_eq!(sock::bind(0x3, std::ptr::null(), 16), -1);
        assert_eq!(startup::WSAGetLastError(), WSAENOTSOCK);
        let s = sock::socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
        assert_eq!(sock::bind(s, std::ptr::null(), 16), -1);
        assert_eq!(startup::WSAGetLastError(), WSAEFAULT);
        let short = sockaddr("127.0.0.1:0");
        assert_eq!(sock::bind(s, short.as_ptr().cast(), 8), -1);
        assert_eq!(startup::WSAGetLastError(), WSAEFAULT);
        assert_eq!(
            sock::ioctlsocket(s, FIONBIO as i32, std::ptr::null_mut()),
            -1
        );
        assert_eq!(startup::WSAGetLastError(), WSAEFAULT);
        let mut len = 4i32;
        assert_eq!(sock::getsockname(s, std::ptr::null_mut(), &mut len), -1);
        assert_eq!(startup::WSAGetLastError(), WSAEFAULT);
        let mut n = 0u32;
        let r = sock::WSAIoctl(
            s,
            FIONBIO,
            std::ptr::null(),
            0,
            std::ptr::null_mut(),
            0,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            None,
        );
        assert_eq!((r, startup::WSAGetLastError()), (-1, WSAEFAULT));
        // The extension function: a real pointer to the DLL's WSARecvMsg.
        let guid = WSAID_WSARECVMSG.to_bytes();
        let mut f = 0usize;
        let r = sock::WSAIoctl(
            s,
            SIO_GET_EXTENSION_FUNCTION_POINTER,
            guid.as_ptr().cast(),
            16,
            (&mut f as *mut usize).cast(),
            8,
            &mut n,
            std::ptr::null_mut(),
            None,
        );
        assert_eq!((r, n), (0, 8));
        assert_eq!(f, data::WSARecvMsg as *const () as usize);
        assert_eq!(sock::closesocket(s), 0);
    }
    assert_eq!(startup::WSACleanup(), 0);
}

#[test]
fn getaddrinfo_resolves_localhost_and_the_hosts_name() {
    let _g = start();
    let mut res: *mut ADDRINFOA = std::ptr::null_mut();
    // SAFETY: NUL-terminated strings; the list is freed once.
    unsafe {
        let r = names::getaddrinfo(
            c"localhost".as_ptr().cast(),
            c"80".as_ptr().cast(),
            std::ptr::null(),
            &mut res,
        );
        assert_eq!(r, 0);
        let mut got = vec![];
        let mut p = res;
        while !p.is_null() {
            let ai = &*p;
            let bytes = std::slice::from_raw_parts(ai.ai_addr.cast::<u8>(), ai.ai_addrlen);
            got.push(addr::decode(bytes).unwrap().to_string());
            p = ai.ai_next;
        }
        assert_eq!(got, ["[::1]:80", "127.0.0.1:80"]);
        names::freeaddrinfo(res);
        let r = names::getaddrinfo(
            c"wsd-host".as_ptr().cast(),
            std::ptr::null(),
            std::ptr::null(),
            &mut res,
        );
        assert_eq!(r, 0);
        let ai = &*res;
        let a = addr::decode(std::slice::from_raw_parts(ai.ai_addr.cast::<u8>(), 16)).unwrap();
        assert_eq!(a.to_string(), "10.0.0.1:0");
        names::freeaddrinfo(res);
        let r = names::getaddrinfo(
            c"example.com".as_ptr().cast(),
            std::ptr::null(),
            std::ptr::null(),
            &mut res,
        );
        assert_eq!(r, 11001, "WSAHOST_NOT_FOUND");
        let mut host = [0u8; 64];
        assert_eq!(names::gethostname(host.as_mut_ptr(), 64), 0);
        assert_eq!(&host[..9], b"wsd-host\0");
        assert_eq!(names::gethostname(host.as_mut_ptr(), 4), -1);
        assert_eq!(startup::WSAGetLastError(), WSAEFAULT);
    }
    assert_eq!(startup::WSACleanup(), 0);
    assert!(crate::trace_text().contains("getaddrinfo(Some(\"localhost\")"));
}

#[test]
fn text_forms_of_addresses() {
    // SAFETY: NUL-terminated strings and buffers of the right sizes.
    unsafe {
        assert_eq!(
            names::inet_addr(c"127.0.0.1".as_ptr().cast()),
            u32::from_ne_bytes([127, 0, 0, 1])
        );
        assert_eq!(names::inet_addr(c"nope".as_ptr().cast()), u32::MAX);
        let mut b = [0u8; 16];
        assert_eq!(
            names::inet_pton(AF_INET6, c"fe80::1".as_ptr().cast(), b.as_mut_ptr().cast()),
            1
        );
        let mut text = [0u8; 46];
        let p = names::inet_ntop(AF_INET6, b.as_ptr().cast(), text.as_mut_ptr(), 46);
        assert_eq!(
            std::ffi::CStr::from_ptr(p.cast()).to_str().unwrap(),
            "fe80::1"
        );
        assert!(names::inet_ntop(AF_INET6, b.as_ptr().cast(), text.as_mut_ptr(), 4).is_null());
        assert_eq!(
            names::inet_pton(99, c"1.2.3.4".as_ptr().cast(), b.as_mut_ptr().cast()),
            -1
        );
        assert_eq!(startup::WSAGetLastError(), WSAEAFNOSUPPORT);
        let ip = windows_sys::Win32::Networking::WinSock::IN_ADDR {
            S_un: windows_sys::Win32::Networking::WinSock::IN_ADDR_0 {
                S_addr: u32::from_ne_bytes([10, 1, 2, 3]),
            },
        };
        let p = names::inet_ntoa(ip);
        assert_eq!(
            std::ffi::CStr::from_ptr(p.cast()).to_str().unwrap(),
            "10.1.2.3"
        );
    }
    assert_eq!(bytes::htons(0x1234), 0x1234u16.to_be());
}

#[test]
fn an_export_not_modelled_fails_cleanly() {
    let _g = start();
    assert_eq!(crate::stubs::WSACancelAsyncRequest(), -1);
    assert_eq!(startup::WSAGetLastError(), WSAEOPNOTSUPP);
    assert_eq!(crate::stubs::getnameinfo(), WSAEOPNOTSUPP);
    assert!(crate::trace_text().contains("not modelled: WSACancelAsyncRequest"));
    assert_eq!(startup::WSACleanup(), 0);
}

#[test]
fn the_table_is_wines_spec_and_the_docs_list_what_is_not_modelled() {
    assert_eq!(EXPORTS.len(), 133);
    let mut names: Vec<&str> = EXPORTS.iter().map(|e| e.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), EXPORTS.len(), "no export twice");
    let fixed: Vec<u16> = EXPORTS.iter().filter_map(|e| e.ordinal).collect();
    let expect: Vec<u16> = (1..=23)
        .chain(51..=57)
        .chain(101..=116)
        .chain([151, 500])
        .collect();
    assert_eq!(fixed, expect);
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/dll.md"))
        .expect("docs/dll.md");
    for e in EXPORTS {
        if let Answer::NotModelled(_) = e.answer {
            assert!(
                doc.contains(&format!("`{}`", e.name)),
                "docs/dll.md lists {}",
                e.name
            );
        }
    }
    let def = std::fs::read_to_string(concat!(env!("OUT_DIR"), "/ws2_32.def")).unwrap();
    assert!(def.contains("    accept=wsd_accept @1\n"));
    assert!(def.contains("    getaddrinfo=wsd_getaddrinfo\n"));
}

#[test]
fn unused_sockaddr_type_is_the_model_size() {
    assert_eq!(std::mem::size_of::<SOCKADDR>(), 16);
    assert_eq!(std::mem::size_of::<WSABUF>(), WSABUF_SIZE);
    assert_eq!(
        std::mem::size_of::<windows_sys::Win32::Networking::WinSock::WSAMSG>(),
        WSAMSG_SIZE
    );
}

/// An `fd_set` of these handles.
fn fd_set(handles: &[usize]) -> windows_sys::Win32::Networking::WinSock::FD_SET {
    let mut s = windows_sys::Win32::Networking::WinSock::FD_SET {
        fd_count: handles.len() as u32,
        fd_array: [0; 64],
    };
    s.fd_array[..handles.len()].copy_from_slice(handles);
    s
}

#[test]
fn select_and_wsapoll_through_the_c_functions() {
    use windows_sys::Win32::Networking::WinSock::{TIMEVAL, WSAPOLLFD};
    use winsock_model::sim::{POLLERR, POLLNVAL, POLLRDNORM, POLLWRNORM};
    let _g = start();
    let a = sock::socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    let b = sock::socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    let any = sockaddr("127.0.0.1:0");
    let zero = TIMEVAL {
        tv_sec: 0,
        tv_usec: 0,
    };
    // SAFETY: valid sets, arrays and addresses throughout; NULL where the
    // test says so.
    unsafe {
        assert_eq!(sock::bind(b, any.as_ptr().cast(), 16), 0);
        // select: every set NULL, or every set empty: WSAEINVAL
        // (sock.c:4032-4040).
        let n = poll::select(
            0,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            &zero,
        );
        assert_eq!((n, startup::WSAGetLastError()), (-1, WSAEINVAL));
        let mut r = fd_set(&[]);
        let n = poll::select(0, &mut r, std::ptr::null_mut(), std::ptr::null_mut(), &zero);
        assert_eq!((n, startup::WSAGetLastError()), (-1, WSAEINVAL));
        // Nothing to read yet: 0, the set emptied.
        let mut r = fd_set(&[b]);
        assert_eq!(
            poll::select(0, &mut r, std::ptr::null_mut(), std::ptr::null_mut(), &zero),
            0
        );
        assert_eq!(r.fd_count, 0);
        // A socket twice in one set: once (sock.c:4087-4095), the entry
        // after the count left as it was.
        let mut w = fd_set(&[a, a]);
        assert_eq!(
            poll::select(0, std::ptr::null_mut(), &mut w, std::ptr::null_mut(), &zero),
            1
        );
        assert_eq!((w.fd_count, w.fd_array[0], w.fd_array[1]), (1, a, a));
        assert_eq!(poll::__WSAFDIsSet(a, &w), 1);
        assert_eq!(poll::__WSAFDIsSet(b, &w), 0);
        // One set given as read and write: the union, counted once per
        // socket (sock.c:4097-4110).
        let mut rw = fd_set(&[a, b]);
        let p: *mut _ = &mut rw;
        assert_eq!(poll::select(0, p, p, std::ptr::null_mut(), &zero), 2);
        assert_eq!(rw.fd_count, 2);
        // A datagram on its way: a NULL time-out waits for it.
        let to = addr::encode(&name_of(b));
        assert_eq!(
            data::sendto(a, b"x".as_ptr(), 1, 0, to.as_ptr().cast(), 16),
            1
        );
        let mut r = fd_set(&[a, b]);
        let n = poll::select(
            0,
            &mut r,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null(),
        );
        assert_eq!((n, r.fd_count, r.fd_array[0]), (1, 1, b));
        // A handle that is no socket: WSAENOTSOCK.
        let mut r = fd_set(&[0xabacab]);
        let n = poll::select(0, &mut r, std::ptr::null_mut(), std::ptr::null_mut(), &zero);
        assert_eq!((n, startup::WSAGetLastError()), (-1, WSAENOTSOCK));

        // WSAPoll: a NULL array with elements is WSAEFAULT, without any
        // WSAEINVAL (sock.c:7775-7794).
        assert_eq!(poll::WSAPoll(std::ptr::null_mut(), 1, 0), -1);
        assert_eq!(startup::WSAGetLastError(), WSAEFAULT);
        assert_eq!(poll::WSAPoll(std::ptr::null_mut(), 0, 0), -1);
        assert_eq!(startup::WSAGetLastError(), WSAEINVAL);
        let mut fds = [
            WSAPOLLFD {
                fd: b,
                events: POLLRDNORM | POLLWRNORM,
                revents: 0x5ead,
            },
            WSAPOLLFD {
                fd: !0,
                events: POLLERR,
                revents: 0x5ead,
            },
        ];
        startup::WSASetLastError(0xdead);
        assert_eq!(poll::WSAPoll(fds.as_mut_ptr(), 2, 0), 1);
        assert_eq!(startup::WSAGetLastError(), 0);
        assert_eq!(fds[0].revents, POLLRDNORM | POLLWRNORM);
        assert_eq!(fds[1].revents, POLLNVAL);
        for h in [a, b] {
            assert_eq!(sock::closesocket(h), 0);
        }
    }
    assert_eq!(startup::WSACleanup(), 0);
}

#[test]
fn option_lengths_at_the_pointer_level() {
    // WIN-SOCKOPT-SIZES (the default profile is `windows`): Wine's
    // test_set_getsockopt, sock.c:1340-1345, 1486-1517, 1677-1695.
    let _g = start();
    let t = sock::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    let u = sock::socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    let get = |s: usize, level: i32, name: i32, v: &mut u32, len: &mut i32| {
        // SAFETY: 4 bytes of room at `v` (at most 4 asked but for -1).
        let r = unsafe { sock::getsockopt(s, level, name, (v as *mut u32).cast(), len) };
        (r, startup::WSAGetLastError())
    };
    let set = |s: usize, level: i32, name: i32, v: *const u32, len: i32| {
        // SAFETY: 4 readable bytes at `v`, or NULL.
        let r = unsafe { sock::setsockopt(s, level, name, v.cast(), len) };
        (r, startup::WSAGetLastError())
    };
    let one = 1u32;
    let buf = 8192u32;
    // A negative length: an int's 4 bytes for SOL_SOCKET, WSAENOBUFS for
    // the others and the BOOLEANs.
    assert_eq!(set(t, IPPROTO_TCP, TCP_NODELAY, &one, -1), (-1, WSAENOBUFS));
    assert_eq!(set(t, SOL_SOCKET, SO_KEEPALIVE, &one, -1), (-1, WSAENOBUFS));
    assert_eq!(set(t, SOL_SOCKET, SO_RCVBUF, &buf, -1).0, 0);
    let (mut v, mut len) = (0xdead_beef, 4);
    assert_eq!(get(t, SOL_SOCKET, SO_RCVBUF, &mut v, &mut len).0, 0);
    assert_eq!((v, len), (8192, 4));
    // getsockopt with a negative length writes nothing.
    let (mut v, mut len) = (0xdead_beef, -1);
    assert_eq!(
        get(t, SOL_SOCKET, SO_RCVBUF, &mut v, &mut len),
        (-1, WSAEFAULT)
    );
    assert_eq!((v, len), (0xdead_beef, -1));
    // A short room: zeroed for SO_RCVBUF, *optlen 0 for IP_PKTINFO.
    let (mut v, mut len) = (0xdead_beef, 2);
    assert_eq!(
        get(t, SOL_SOCKET, SO_RCVBUF, &mut v, &mut len),
        (-1, WSAEFAULT)
    );
    assert_eq!((v, len), (0xdead_0000, 2));
    let (mut v, mut len) = (0xdead_beef, 2);
    assert_eq!(
        get(u, IPPROTO_IP, IP_PKTINFO, &mut v, &mut len),
        (-1, WSAEFAULT)
    );
    assert_eq!((v, len), (0xdead_beef, 0));
    // TCP_NODELAY: one byte written.
    assert_eq!(set(t, IPPROTO_TCP, TCP_NODELAY, &one, 1).0, 0);
    let (mut v, mut len) = (0xdead_beef, 4);
    assert_eq!(get(t, IPPROTO_TCP, TCP_NODELAY, &mut v, &mut len).0, 0);
    assert_eq!((v, len), (0xdead_be01, 1));
    // SO_DONTLINGER: NULL is WSAEFAULT, no byte is FALSE.
    assert_eq!(
        set(t, SOL_SOCKET, SO_DONTLINGER, std::ptr::null(), 0),
        (-1, WSAEFAULT)
    );
    assert_eq!(set(t, SOL_SOCKET, SO_DONTLINGER, &one, 0).0, 0);
    // SO_OPENTYPE takes -1 as room enough.
    let (mut v, mut len) = (0xdead_beef, -1);
    assert_eq!(get(t, SOL_SOCKET, SO_OPENTYPE, &mut v, &mut len).0, 0);
    assert_eq!((v, len), (0, 4));
    // SO_PROTOCOL_INFOA: too small says the size; larger keeps *optlen.
    let mut info = vec![0u8; 2 * 372];
    let mut len = 186;
    // SAFETY: 744 bytes of room.
    let r = unsafe { sock::getsockopt(t, SOL_SOCKET, 0x2004, info.as_mut_ptr(), &mut len) };
    assert_eq!((r, startup::WSAGetLastError(), len), (-1, WSAEFAULT, 372));
    let mut len = 744;
    // SAFETY: as above.
    let r = unsafe { sock::getsockopt(t, SOL_SOCKET, 0x2004, info.as_mut_ptr(), &mut len) };
    assert_eq!((r, len), (0, 744));
    assert_eq!(&info[116..120], b"TCP\0");
    assert_eq!(&info[88..92], &SOCK_STREAM.to_le_bytes());
    assert_eq!(sock::closesocket(t), 0);
    assert_eq!(sock::closesocket(u), 0);
    assert_eq!(startup::WSACleanup(), 0);
}

#[test]
fn wsa_enum_protocols_lists_tcp_and_udp_as_windows_does() {
    // Wine's dlls/ws2_32/tests/protocol.c, test_WSAEnumProtocolsW and
    // test_service_flags, run on Windows.
    let _g = start();
    let mut len = 0u32;
    // SAFETY: a NULL buffer with its length.
    let r = unsafe { sock::WSAEnumProtocolsW(std::ptr::null(), std::ptr::null_mut(), &mut len) };
    assert_eq!((r, startup::WSAGetLastError()), (-1, WSAENOBUFS));
    assert_eq!(len, 4 * 628);
    let mut one = [0u8; 628];
    let mut zero = 0u32;
    // SAFETY: a buffer said to be 0 bytes long.
    let r =
        unsafe { sock::WSAEnumProtocolsW(std::ptr::null(), one.as_mut_ptr().cast(), &mut zero) };
    assert_eq!((r, startup::WSAGetLastError(), zero), (-1, WSAENOBUFS, len));
    let mut buf = vec![0u8; len as usize];
    // SAFETY: `len` bytes.
    let r = unsafe { sock::WSAEnumProtocolsW(std::ptr::null(), buf.as_mut_ptr().cast(), &mut len) };
    assert_eq!((r, startup::WSAGetLastError()), (4, 0));
    let field = |i: &[u8], at: usize| u32::from_le_bytes(i[at..at + 4].try_into().unwrap());
    const TCP: u32 = XP1_GUARANTEED_DELIVERY
        | XP1_GUARANTEED_ORDER
        | XP1_GRACEFUL_CLOSE
        | XP1_EXPEDITED_DATA
        | XP1_IFS_HANDLES;
    const UDP: u32 = XP1_CONNECTIONLESS
        | XP1_MESSAGE_ORIENTED
        | XP1_SUPPORT_BROADCAST
        | XP1_SUPPORT_MULTIPOINT
        | XP1_IFS_HANDLES;
    for info in buf.chunks_exact(628) {
        let (ty, p) = (field(info, 88) as i32, field(info, 92) as i32);
        let flags = match (ty, p) {
            (SOCK_STREAM, IPPROTO_TCP) => TCP,
            (SOCK_DGRAM, IPPROTO_UDP) => UDP,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(info, 0), flags);
        assert_eq!(field(info, 16) & 0x8000_0000, 0, "no PFL_HIDDEN");
        assert_eq!(field(info, 72), 2, "iVersion");
        assert_ne!(info[116], 0, "a protocol name");
    }
    // A filter with numbers no protocol has: TCP and UDP only.
    let ptest = [0xdead, IPPROTO_TCP, 0xcafe, IPPROTO_UDP, 0xbeef, 0];
    let mut len = 0u32;
    // SAFETY: a 0-terminated list, a NULL buffer.
    let r = unsafe { sock::WSAEnumProtocolsW(ptest.as_ptr(), std::ptr::null_mut(), &mut len) };
    assert_eq!((r, startup::WSAGetLastError()), (-1, WSAENOBUFS));
    let mut buf = vec![0u8; len as usize];
    // SAFETY: `len` bytes.
    let r = unsafe { sock::WSAEnumProtocolsW(ptest.as_ptr(), buf.as_mut_ptr().cast(), &mut len) };
    assert!(r >= 2, "{r}");
    let mut found = 0;
    for info in buf.chunks_exact(628).take(r as usize) {
        let p = field(info, 92) as i32;
        found |= 1 << ptest.iter().position(|&x| x == p).unwrap();
    }
    assert_eq!(found, 0x0A);
    // The ANSI form: 372 bytes an entry, the same fields, the name.
    let mut len = 0u32;
    // SAFETY: as above.
    let r = unsafe { sock::WSAEnumProtocolsA(std::ptr::null(), std::ptr::null_mut(), &mut len) };
    assert_eq!((r, len), (-1, 4 * 372));
    let mut a = vec![0u8; len as usize];
    // SAFETY: `len` bytes.
    let r = unsafe { sock::WSAEnumProtocolsA(std::ptr::null(), a.as_mut_ptr().cast(), &mut len) };
    assert_eq!(r, 4);
    assert_eq!(&a[116..120], b"TCP\0");
    assert_eq!(field(&a, 372 + 88) as i32, SOCK_DGRAM);
    // No length: WSAEFAULT.
    // SAFETY: a NULL length pointer, which the DLL refuses.
    let r = unsafe {
        sock::WSAEnumProtocolsW(std::ptr::null(), std::ptr::null_mut(), std::ptr::null_mut())
    };
    assert_eq!((r, startup::WSAGetLastError()), (-1, WSAEFAULT));
    assert_eq!(startup::WSACleanup(), 0);
}

/// `WSAEventSelect` and `WSAEnumNetworkEvents` through the C functions:
/// FD_READ recorded at a datagram's arrival and re-enabled by `recvfrom`,
/// `ioctlsocket(FIONBIO, 0)` refused with `WSAEINVAL` while selected, a
/// `NULL` `lpNetworkEvents` `WSAEFAULT`, lNetworkEvents 0 cancelling
/// (https://learn.microsoft.com/en-us/windows/win32/api/winsock2/nf-winsock2-wsaeventselect).
#[test]
fn event_select_through_the_c_functions() {
    use windows_sys::Win32::Networking::WinSock::WSANETWORKEVENTS;
    let _g = start();
    let a = sock::socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    let b = sock::socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    let any = sockaddr("127.0.0.1:0");
    // SAFETY: the address bytes live across the calls.
    unsafe {
        assert_eq!(sock::bind(a, any.as_ptr().cast(), any.len() as i32), 0);
        assert_eq!(sock::bind(b, any.as_ptr().cast(), any.len() as i32), 0);
    }
    // A kernel event on Windows; off Windows there are none, and any
    // handle value stands for the program's event.
    let ev = crate::os::create_event().unwrap_or(0x1234);
    assert_eq!(netevents::WSAEventSelect(b, ev, FD_READ), 0);
    let read = |s| {
        let mut r = WSANETWORKEVENTS {
            lNetworkEvents: -1,
            iErrorCode: [-1; 10],
        };
        // SAFETY: a WSANETWORKEVENTS to write.
        assert_eq!(unsafe { netevents::WSAEnumNetworkEvents(s, ev, &mut r) }, 0);
        r
    };
    let r = read(b);
    // The error codes of events not reported are left as they were
    // (sock.c:3745-3757 on Windows).
    assert_eq!((r.lNetworkEvents, r.iErrorCode), (0, [-1; 10]));
    let to = addr::encode(&name_of(b));
    for _ in 0..2 {
        // SAFETY: valid buffers.
        let n = unsafe { data::sendto(a, b"ping".as_ptr(), 4, 0, to.as_ptr().cast(), 16) };
        assert_eq!(n, 4);
    }
    assert_eq!(read(b).lNetworkEvents, FD_READ);
    assert_eq!(read(b).lNetworkEvents, 0);
    let mut buf = [0u8; 16];
    // SAFETY: valid buffers; NULL from.
    let recv = |buf: &mut [u8; 16]| unsafe {
        data::recvfrom(
            b,
            buf.as_mut_ptr(),
            16,
            0,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        )
    };
    assert_eq!(recv(&mut buf), 4);
    assert_eq!(read(b).lNetworkEvents, FD_READ, "one datagram left");
    assert_eq!(recv(&mut buf), 4);
    assert_eq!(read(b).lNetworkEvents, 0);
    let mut off = 0u32;
    // SAFETY: a u32 argument.
    assert_eq!(
        unsafe { sock::ioctlsocket(b, FIONBIO as i32, &mut off) },
        -1
    );
    assert_eq!(startup::WSAGetLastError(), WSAEINVAL);
    // SAFETY: NULL is refused, not written.
    let r = unsafe { netevents::WSAEnumNetworkEvents(b, ev, std::ptr::null_mut()) };
    assert_eq!((r, startup::WSAGetLastError()), (-1, WSAEFAULT));
    assert_eq!(netevents::WSAEventSelect(b, 0, 0), 0);
    // SAFETY: as above.
    assert_eq!(unsafe { sock::ioctlsocket(b, FIONBIO as i32, &mut off) }, 0);
    assert_eq!(sock::closesocket(a), 0);
    assert_eq!(sock::closesocket(b), 0);
    assert_eq!(startup::WSACleanup(), 0);
}

/// `WSAAsyncSelect` through the C function: one message per event with
/// the program's socket as `wParam` and `WSAMAKESELECTREPLY` as
/// `lParam`, posted at the end of the call that made it happen; none
/// again until the re-enabling `recv`; a `NULL` window `WSAEINVAL`
/// (https://learn.microsoft.com/en-us/windows/win32/api/winsock2/nf-winsock2-wsaasyncselect).
/// Off Windows the DLL keeps what it would post.
#[cfg(not(windows))]
#[test]
fn async_select_posts_window_messages() {
    let _g = start();
    let _ = crate::winmsg::posted();
    let (a, b, to) = crate::test_support::pair();
    let win = 0x5150 as windows_sys::Win32::Foundation::HWND;
    assert_eq!(
        netevents::WSAAsyncSelect(b, win, 0x401, FD_READ | FD_WRITE),
        0
    );
    // A datagram socket can send at once: FD_WRITE.
    assert_eq!(
        crate::winmsg::posted(),
        [(0x5150, 0x401, b, FD_WRITE as isize)]
    );
    for _ in 0..2 {
        // SAFETY: valid buffers.
        let n = unsafe { data::sendto(a, b"ping".as_ptr(), 4, 0, to.as_ptr().cast(), 16) };
        assert_eq!(n, 4);
    }
    // The datagrams arrive in virtual time: a wait lets it pass.
    let _ = crate::calls::dll().host.wait_window_message(100);
    crate::netsel::mirror(crate::calls::dll());
    assert_eq!(
        crate::winmsg::posted(),
        [(0x5150, 0x401, b, FD_READ as isize)]
    );
    let mut buf = [0u8; 16];
    // SAFETY: valid buffers; NULL from.
    let n = unsafe {
        data::recvfrom(
            b,
            buf.as_mut_ptr(),
            16,
            0,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        )
    };
    assert_eq!(n, 4);
    assert_eq!(
        crate::winmsg::posted(),
        [(0x5150, 0x401, b, FD_READ as isize)],
        "one left"
    );
    assert_eq!(
        netevents::WSAAsyncSelect(b, std::ptr::null_mut(), 0x401, FD_READ),
        -1
    );
    assert_eq!(startup::WSAGetLastError(), WSAEINVAL);
    assert_eq!(netevents::WSAAsyncSelect(b, std::ptr::null_mut(), 0, 0), 0);
    assert_eq!(sock::closesocket(a), 0);
    assert_eq!(sock::closesocket(b), 0);
    assert_eq!(startup::WSACleanup(), 0);
}

#[test]
fn a_duplicated_socket_is_one_socket_until_its_last_descriptor_closes() {
    // std's try_clone: WSADuplicateSocketW with the process's own id, then
    // WSASocketW with the structure it filled.
    let _g = start();
    let (a, b) = (
        sock::socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP),
        sock::socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP),
    );
    let any = sockaddr("127.0.0.1:0");
    // SAFETY: valid buffers throughout.
    unsafe {
        assert_eq!(sock::bind(a, any.as_ptr().cast(), 16), 0);
        assert_eq!(sock::bind(b, any.as_ptr().cast(), 16), 0);
        let mut info: windows_sys::Win32::Networking::WinSock::WSAPROTOCOL_INFOW =
            std::mem::zeroed();
        assert_eq!(
            share::WSADuplicateSocketW(b, std::process::id(), &mut info),
            0
        );
        assert_eq!(
            (info.iAddressFamily, info.iSocketType, info.iProtocol),
            (AF_INET, SOCK_DGRAM, IPPROTO_UDP)
        );
        let dup = sock::WSASocketW(-1, -1, -1, &info, 0, WSA_FLAG_OVERLAPPED);
        assert_ne!(dup, !0);
        assert_ne!(dup, b);
        // The same socket: the same name, and what is sent to it is read
        // through either descriptor.
        assert_eq!(name_of(dup), name_of(b));
        let to = addr::encode(&name_of(b));
        let send = |bytes: &[u8]| {
            data::sendto(
                a,
                bytes.as_ptr(),
                bytes.len() as i32,
                0,
                to.as_ptr().cast(),
                to.len() as i32,
            )
        };
        assert_eq!(send(b"one"), 3);
        let mut buf = [0u8; 8];
        assert_eq!(data::recv(dup, buf.as_mut_ptr(), 8, 0), 3);
        // Closing the first descriptor leaves the socket open.
        assert_eq!(sock::closesocket(b), 0);
        assert_eq!(send(b"two"), 3);
        assert_eq!(data::recv(dup, buf.as_mut_ptr(), 8, 0), 3);
        assert_eq!(&buf[..3], b"two");
        // The closed descriptor is no socket any more.
        assert_eq!(data::recv(b, buf.as_mut_ptr(), 8, 0), -1);
        assert_eq!(startup::WSAGetLastError(), WSAENOTSOCK);
        // Another process: not modelled (one world per process); a NULL
        // structure is WSAEFAULT.
        assert_eq!(
            share::WSADuplicateSocketW(dup, std::process::id() + 1, &mut info),
            -1
        );
        assert_eq!(startup::WSAGetLastError(), WSAEOPNOTSUPP);
        assert_eq!(
            share::WSADuplicateSocketW(dup, std::process::id(), std::ptr::null_mut()),
            -1
        );
        assert_eq!(startup::WSAGetLastError(), WSAEFAULT);
        // The last descriptor closes the socket.
        assert_eq!(sock::closesocket(dup), 0);
        assert_eq!(sock::closesocket(a), 0);
    }
    let trace = crate::trace_text();
    assert!(trace.contains("shares socket"), "{trace}");
    assert_eq!(startup::WSACleanup(), 0);
}

#[test]
fn overlapped_ioctls_report_through_the_overlapped() {
    // WIN-IOCTL-OVERLAPPED (the default profile is `windows`): Wine's
    // test_unsupported_ioctls and test_keepalive_vals, run on Windows.
    use windows_sys::Win32::System::IO::OVERLAPPED;
    let _g = start();
    // SAFETY: every pointer is to a live local of the right size.
    unsafe {
        let s = sock::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
        let mut size = 0xdead_beef_u32;
        let call = |code: u32, input: &[u8], size: &mut u32, ovl: *mut OVERLAPPED| {
            ioctl::WSAIoctl(
                s,
                code,
                input.as_ptr().cast(),
                input.len() as u32,
                std::ptr::null_mut(),
                0,
                size,
                ovl,
                None,
            )
        };
        // A direct failure writes 0 bytes.
        assert_eq!(call(0xdead_beef, &[], &mut size, std::ptr::null_mut()), -1);
        assert_eq!((startup::WSAGetLastError(), size), (WSAEOPNOTSUPP, 0));
        // With an OVERLAPPED: pending, the count left, the OVERLAPPED done.
        let mut o: OVERLAPPED = std::mem::zeroed();
        o.Internal = 0xdead_beef;
        o.InternalHigh = 0xdead_beef;
        size = 0xdead_beef;
        assert_eq!(call(SIO_FLUSH, &[], &mut size, &mut o), -1);
        assert_eq!(startup::WSAGetLastError(), WSA_IO_PENDING);
        assert_eq!(size, 0xdead_beef);
        assert_eq!(
            (o.Internal as u32, o.InternalHigh),
            (ntstatus::STATUS_NOT_SUPPORTED, 0)
        );
        // A short SIO_KEEPALIVE_VALS fails at once: Internal STATUS_PENDING.
        let kalive = [1u8, 0, 0, 0, 0x10, 0x27, 0, 0, 0xe8, 3, 0, 0];
        o.Internal = 0xdead_beef;
        o.InternalHigh = 0xdead_beef;
        assert_eq!(
            call(SIO_KEEPALIVE_VALS, &kalive[..11], &mut size, &mut o),
            -1
        );
        assert_eq!(startup::WSAGetLastError(), WSAEFAULT);
        assert_eq!(
            (o.Internal as u32, o.InternalHigh, size),
            (ntstatus::STATUS_PENDING, 0xdead_beef, 0xdead_beef)
        );
        // A whole one completes at once with 0 bytes, the count left.
        assert_eq!(call(SIO_KEEPALIVE_VALS, &kalive, &mut size, &mut o), 0);
        assert_eq!((o.Internal, o.InternalHigh, size), (0, 0, 0xdead_beef));
        assert_eq!(sock::closesocket(s), 0);
    }
    assert_eq!(startup::WSACleanup(), 0);
}

#[test]
fn wsa_socket_takes_zero_and_from_protocol_info_arguments_from_the_structure() {
    // Wine's test_WSASocket, sock.c:3099-3168 of Wine 8.0 (run on Windows).
    use windows_sys::Win32::Networking::WinSock::WSAPROTOCOL_INFOA;
    let _g = start();
    let info = |af: i32, ty: i32, protocol: i32| {
        // SAFETY: a plain C structure; zero is a valid value.
        let mut i: WSAPROTOCOL_INFOA = unsafe { std::mem::zeroed() };
        (i.iAddressFamily, i.iSocketType, i.iProtocol) = (af, ty, protocol);
        i
    };
    let ty_of = |s: usize| {
        let (mut v, mut len) = (0xdeadi32, 4i32);
        // SAFETY: a 4-byte value and its length.
        let r = unsafe {
            sock::getsockopt(
                s,
                SOL_SOCKET,
                SO_TYPE,
                (&mut v as *mut i32).cast(),
                &mut len,
            )
        };
        assert_eq!(r, 0);
        v
    };
    let udp = info(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    // SAFETY: each structure outlives its call.
    unsafe {
        // All three from the structure.
        let s = sock::WSASocketA(-1, -1, -1, &udp, 0, 0);
        assert_ne!(s, !0);
        assert_eq!(ty_of(s), SOCK_DGRAM);
        assert_eq!(sock::closesocket(s), 0);
        // 0 is "from the structure" too.
        let s = sock::WSASocketA(0, 0, 0, &udp, 0, 0);
        assert_ne!(s, !0);
        assert_eq!(ty_of(s), SOCK_DGRAM);
        assert_eq!(sock::closesocket(s), 0);
        // Arguments given win over the structure.
        let s = sock::WSASocketA(AF_INET, SOCK_STREAM, IPPROTO_TCP, &udp, 0, 0);
        assert_ne!(s, !0);
        assert_eq!(ty_of(s), SOCK_STREAM);
        assert_eq!(sock::closesocket(s), 0);
        // No family in the structure: WSAEAFNOSUPPORT, whatever the type.
        for bad in [info(-1, -1, -1), info(0, 0, 0)] {
            assert_eq!(sock::WSASocketA(0, 0, IPPROTO_UDP, &bad, 0, 0), !0);
            assert_eq!(startup::WSAGetLastError(), WSAEAFNOSUPPORT);
        }
    }
    assert_eq!(startup::WSACleanup(), 0);
}

/// `SIO_ROUTING_INTERFACE_QUERY` and `SIO_ADDRESS_LIST_QUERY`, answered
/// by the DLL from the model's network as Windows answers them
/// (sock.c:9699-9811, 11230-11373): a failure leaves the count, but a
/// short output is `WSAEFAULT` with the size needed; a list buffer under
/// 4 bytes `WSAEINVAL` with 0.
#[test]
fn address_queries_answer_from_the_models_network() {
    use windows_sys::Win32::Networking::WinSock::{
        SIO_ADDRESS_LIST_QUERY, SIO_ROUTING_INTERFACE_QUERY,
    };
    let _g = start();
    let s = sock::socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    let null = std::ptr::null_mut();
    let ioctl = |code: u32, input: &[u8], out: &mut [u8], room: u32, n: &mut u32| {
        let inp = if input.is_empty() {
            std::ptr::null()
        } else {
            input.as_ptr().cast()
        };
        let outp = if out.is_empty() {
            null
        } else {
            out.as_mut_ptr().cast()
        };
        // SAFETY: the buffers are valid for the sizes given.
        let r = unsafe {
            ioctl::WSAIoctl(
                s,
                code,
                inp,
                input.len() as u32,
                outp,
                room,
                n,
                null.cast(),
                None,
            )
        };
        (
            r,
            if r == 0 {
                0
            } else {
                startup::WSAGetLastError()
            },
        )
    };
    let lo = sockaddr("127.0.0.1:9");
    let mut out = [0u8; 16];
    let mut n = 0xdead_beef;
    assert_eq!(
        ioctl(SIO_ROUTING_INTERFACE_QUERY, &lo, &mut out, 16, &mut n),
        (0, 0)
    );
    assert_eq!((n, &out[..8]), (16, &sockaddr("127.0.0.1:0")[..8]));
    n = 0xdead_beef;
    let r = ioctl(SIO_ROUTING_INTERFACE_QUERY, &lo[..15], &mut out, 16, &mut n);
    assert_eq!((r, n), ((-1, WSAEINVAL), 0xdead_beef));
    let r = ioctl(SIO_ROUTING_INTERFACE_QUERY, &lo, &mut out, 15, &mut n);
    assert_eq!((r, n), ((-1, WSAEFAULT), 16));
    n = 0xdead_beef;
    let any = sockaddr("0.0.0.0:0");
    let r = ioctl(SIO_ROUTING_INTERFACE_QUERY, &any, &mut out, 16, &mut n);
    assert_eq!((r, n), ((-1, WSAEINVAL), 0xdead_beef));
    // The list: its size is the head, a SOCKET_ADDRESS per address and
    // the addresses (16 bytes each: SOCKADDR_IN), the pointers into the
    // buffer; loopback's address is not in it.
    let mut list = [0xccu8; 256];
    assert_eq!(
        ioctl(SIO_ADDRESS_LIST_QUERY, &[], &mut list, 256, &mut n),
        (0, 0)
    );
    let count = i32::from_le_bytes(list[..4].try_into().unwrap()) as usize;
    let need = 8 + 32 * count;
    assert_eq!(n as usize, need);
    for i in 0..count {
        let p = u64::from_le_bytes(list[8 + 16 * i..16 + 16 * i].try_into().unwrap());
        let at = p as usize - list.as_ptr() as usize;
        assert_eq!(at, 8 + 16 * count + 16 * i);
        let a = addr::decode(&list[at..at + 16]).unwrap();
        assert!(!a.ip().is_loopback(), "{a}");
    }
    let r = ioctl(SIO_ADDRESS_LIST_QUERY, &[], &mut [], 0, &mut n);
    assert_eq!((r, n as usize), ((-1, WSAEFAULT), need));
    let r = ioctl(SIO_ADDRESS_LIST_QUERY, &[], &mut list, 1, &mut n);
    assert_eq!((r, n), ((-1, WSAEINVAL), 0));
    if count > 0 {
        list[..4].copy_from_slice(&[0xcc; 4]);
        let r = ioctl(SIO_ADDRESS_LIST_QUERY, &[], &mut list, 8, &mut n);
        assert_eq!((r, n as usize), ((-1, WSAEFAULT), need));
        assert_eq!(&list[..4], &[0xcc; 4], "untouched");
    }
    assert_eq!(sock::closesocket(s), 0);
    assert_eq!(startup::WSACleanup(), 0);
}
