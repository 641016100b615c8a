//! AFD's bind and name requests (`afd_bind.rs`) as Wine's `afd.c`
//! `test_bind` and `test_getsockname` make them (run on Windows; lines of
//! Debian's wine 8.0~repack-4). On Linux and under Wine.

use crate::afd::{Request, STATUS_INVALID_PARAMETER, STATUS_PENDING, STATUS_SUCCESS};
use crate::afd_bind::{ioctl, IOCTL_AFD_BIND, IOCTL_AFD_GETSOCKNAME};
use crate::calls::dll;
use crate::exports::*;
use crate::tests_afd_recv::{encode, name_of, start, tcp, Iosb, UNTOUCHED};
use std::net::SocketAddr;
use winsock_model::contract::ntstatus::STATUS_BUFFER_TOO_SMALL;
use winsock_model::contract::*;

const STATUS_INVALID_ADDRESS: u64 = 0xC000_0141;
const STATUS_INVALID_ADDRESS_COMPONENT: u64 = 0xC000_0207;
const STATUS_SHARING_VIOLATION: u64 = 0xC000_0043;
const STATUS_ADDRESS_ALREADY_ASSOCIATED: u32 = 0xC000_0238;

/// `NtDeviceIoControlFile(s, NULL, NULL, NULL, io, code, input, out)`.
fn afd(s: usize, code: u32, input: &[u8], out: &mut [u8], io: &mut Iosb) -> u32 {
    let r = Request {
        file: s,
        event: 0,
        apc: 0,
        apc_context: 0,
        iosb: io as *mut Iosb as usize,
        input: if input.is_empty() {
            0
        } else {
            input.as_ptr() as usize
        },
        in_len: input.len() as u32,
        out: out.as_mut_ptr() as usize,
        out_len: out.len() as u32,
    };
    // SAFETY: the buffers outlive the request, which completes in it.
    unsafe { ioctl(dll(), code, &r) }
}

/// `struct afd_bind_params` for `a`: the `int`, then the address.
fn params(a: &str) -> Vec<u8> {
    let mut p = vec![0u8; 4];
    p.extend(encode(a.parse::<SocketAddr>().unwrap()));
    p
}

#[test]
fn a_bind_checks_then_pends_and_is_done_at_once() {
    let _g = start();
    let s = sock::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    let mut out = [0xccu8; 16];
    let mut io = UNTOUCHED;
    let good = params("127.0.0.1:0");
    // afd.c:2099-2119: an unknown family, short addresses, no family.
    let mut bad = good.clone();
    bad[4..6].copy_from_slice(&0xdeadu16.to_le_bytes());
    for (input, want) in [
        (&bad[..], STATUS_INVALID_ADDRESS as u32),
        (&good[..19], STATUS_INVALID_ADDRESS as u32),
        (&good[..6], STATUS_INVALID_ADDRESS as u32),
        (&good[..5], STATUS_INVALID_PARAMETER),
    ] {
        assert_eq!(afd(s, IOCTL_AFD_BIND, input, &mut out, &mut io), want);
    }
    assert_eq!(io, UNTOUCHED);
    // afd.c:2121-2127: not the host's address: pending, then the status.
    let other = params("192.0.2.0:0");
    assert_eq!(
        afd(s, IOCTL_AFD_BIND, &other, &mut out, &mut io),
        STATUS_PENDING
    );
    assert_eq!(
        (io.status, io.information),
        (STATUS_INVALID_ADDRESS_COMPONENT, 0)
    );
    // afd.c:2129-2131: no room for the name.
    io = UNTOUCHED;
    assert_eq!(
        afd(s, IOCTL_AFD_BIND, &good, &mut out[..15], &mut io),
        STATUS_INVALID_PARAMETER
    );
    assert_eq!(io, UNTOUCHED);
    // afd.c:2133-2146: bound, the name (its port chosen) in the output.
    assert_eq!(
        afd(s, IOCTL_AFD_BIND, &good, &mut out, &mut io),
        STATUS_PENDING
    );
    assert_eq!((io.status, io.information), (0, 16));
    let bound = addr::decode(&out).unwrap();
    assert_eq!(bound.ip().to_string(), "127.0.0.1");
    assert_ne!(bound.port(), 0);
    assert_eq!(out.to_vec(), name_of(s));
    // afd.c:2148-2151: IOCTL_AFD_GETSOCKNAME gives the same.
    let mut out2 = [0xccu8; 16];
    assert_eq!(
        afd(s, IOCTL_AFD_GETSOCKNAME, &[], &mut out2, &mut io),
        STATUS_SUCCESS
    );
    assert_eq!((io.status, io.information, out2), (0, 16, out));
    // afd.c:2153-2156: bound already, at once.
    io = UNTOUCHED;
    assert_eq!(
        afd(s, IOCTL_AFD_BIND, &good, &mut out2, &mut io),
        STATUS_ADDRESS_ALREADY_ASSOCIATED
    );
    assert_eq!(io, UNTOUCHED);
    // afd.c:2158-2170: another socket on the same address and port.
    let s2 = sock::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    let mut same = vec![0u8; 4];
    same.extend(out);
    assert_eq!(
        afd(s2, IOCTL_AFD_BIND, &same, &mut out2, &mut io),
        STATUS_PENDING
    );
    assert_eq!((io.status, io.information), (STATUS_SHARING_VIOLATION, 0));
    assert_eq!(sock::closesocket(s2), 0);
    assert_eq!(sock::closesocket(s), 0);

    // afd.c:2289-2300: IPv6, 28 bytes of name.
    let s6 = sock::socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP);
    let mut out6 = [0xccu8; 28];
    let v6 = params("[::1]:0");
    assert_eq!(
        afd(s6, IOCTL_AFD_BIND, &v6[..v6.len() - 1], &mut out6, &mut io),
        STATUS_INVALID_ADDRESS as u32
    );
    assert_eq!(
        afd(s6, IOCTL_AFD_BIND, &v6, &mut out6, &mut io),
        STATUS_PENDING
    );
    assert_eq!((io.status, io.information), (0, 28));
    assert_eq!(out6.to_vec(), name_of(s6));
    assert_eq!(sock::closesocket(s6), 0);
    assert_eq!(startup::WSACleanup(), 0);
}

#[test]
fn getsockname_wants_a_bound_socket_and_room() {
    let _g = start();
    let (l, c, s) = tcp();
    let mut out = [0xccu8; 16];
    let mut io = UNTOUCHED;
    // afd.c:2344-2372.
    assert_eq!(
        afd(c, IOCTL_AFD_GETSOCKNAME, &[], &mut out[..15], &mut io),
        STATUS_BUFFER_TOO_SMALL
    );
    assert_eq!(io, UNTOUCHED);
    for h in [c, s] {
        io = UNTOUCHED;
        assert_eq!(
            afd(h, IOCTL_AFD_GETSOCKNAME, &[], &mut out, &mut io),
            STATUS_SUCCESS
        );
        assert_eq!((io.status, io.information), (0, 16));
        assert_eq!(out.to_vec(), name_of(h));
    }
    // afd.c:2376-2386: unbound, whatever the room.
    let u = sock::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    for room in [16, 15] {
        assert_eq!(
            afd(u, IOCTL_AFD_GETSOCKNAME, &[], &mut out[..room], &mut io),
            STATUS_INVALID_PARAMETER
        );
    }
    for h in [u, c, s, l] {
        assert_eq!(sock::closesocket(h), 0);
    }
    assert_eq!(startup::WSACleanup(), 0);
}
