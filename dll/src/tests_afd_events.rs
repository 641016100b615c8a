//! AFD's network-event requests (`afd_events.rs`) as Wine's `afd.c`
//! `test_event_select`, `test_get_events` and `test_get_events_reset` make
//! them (run on Windows; lines of Debian's wine 8.0~repack-4). On Linux
//! (any handle value stands for the program's event there) and under Wine.

use crate::afd::{Request, STATUS_INVALID_PARAMETER, STATUS_SUCCESS};
use crate::afd_events::{ioctl, IOCTL_AFD_EVENT_SELECT, IOCTL_AFD_GET_EVENTS};
use crate::calls::dll;
use crate::exports::*;
use crate::tests_afd_recv::{start, tcp, Iosb, UNTOUCHED};
use windows_sys::Win32::Networking::WinSock::WSANETWORKEVENTS;
use winsock_model::contract::*;

const AFD_POLL_WRITE: u32 = 0x4;
const AFD_POLL_RESET: u32 = 0x10;
const AFD_POLL_CONNECT: u32 = 0x40;

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
        out: if out.is_empty() {
            0
        } else {
            out.as_mut_ptr() as usize
        },
        out_len: out.len() as u32,
    };
    // SAFETY: the buffers outlive the request, which completes in it.
    unsafe { ioctl(dll(), code, &r) }
}

/// `struct afd_event_select_params` (afd.h:162-166).
fn select_params(event: usize, mask: u32) -> Vec<u8> {
    let mut p = event.to_le_bytes().to_vec();
    p.extend_from_slice(&mask.to_le_bytes());
    p.extend_from_slice(&[0; 4]);
    p
}

fn enum_events(s: usize) -> i32 {
    // SAFETY: WSANETWORKEVENTS is plain integers.
    let mut ev: WSANETWORKEVENTS = unsafe { std::mem::zeroed() };
    // SAFETY: a WSANETWORKEVENTS to write.
    assert_eq!(unsafe { netevents::WSAEnumNetworkEvents(s, 0, &mut ev) }, 0);
    ev.lNetworkEvents
}

/// `IOCTL_AFD_GET_EVENTS`: (flags, the 13 statuses).
fn get_events(s: usize) -> (u32, Vec<u32>) {
    let mut out = [0xccu8; 56];
    let mut io = UNTOUCHED;
    assert_eq!(
        afd(s, IOCTL_AFD_GET_EVENTS, &[], &mut out, &mut io),
        STATUS_SUCCESS
    );
    assert_eq!((io.status, io.information), (0, 56));
    let words: Vec<u32> = out
        .chunks(4)
        .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    (words[0], words[1..].to_vec())
}

#[test]
fn event_select_takes_an_event_and_afd_bits() {
    let _g = start();
    let ev = crate::os::create_event().unwrap_or(0x1234);
    let (l, c, s) = tcp();
    let mut io = UNTOUCHED;
    let failed = Iosb {
        status: u64::from(STATUS_INVALID_PARAMETER),
        information: 0,
    };
    // afd.c:1809-1823: no parameters; events asked without an event.
    assert_eq!(
        afd(c, IOCTL_AFD_EVENT_SELECT, &[], &mut [], &mut io),
        STATUS_INVALID_PARAMETER
    );
    assert_eq!(io, failed);
    io = UNTOUCHED;
    assert_eq!(
        afd(
            c,
            IOCTL_AFD_EVENT_SELECT,
            &select_params(0, !0),
            &mut [],
            &mut io
        ),
        STATUS_INVALID_PARAMETER
    );
    assert_eq!(io, failed);
    // afd.c:1825-1838: every event; a connected socket records
    // FD_CONNECT and FD_WRITE.
    io = UNTOUCHED;
    assert_eq!(
        afd(
            c,
            IOCTL_AFD_EVENT_SELECT,
            &select_params(ev, !0),
            &mut [],
            &mut io
        ),
        STATUS_SUCCESS
    );
    assert_eq!((io.status, io.information), (0, 0));
    assert_eq!(enum_events(c), FD_CONNECT | FD_WRITE);
    // afd.c:1843-1854: AFD_POLL_CONNECT alone is FD_CONNECT alone.
    let (l2, c2, s2) = tcp();
    let p = select_params(ev, AFD_POLL_CONNECT);
    assert_eq!(
        afd(c2, IOCTL_AFD_EVENT_SELECT, &p, &mut [], &mut io),
        STATUS_SUCCESS
    );
    assert_eq!(enum_events(c2), FD_CONNECT);
    // afd.c:1862-1881: no event, no mask: nothing recorded any more.
    let (l3, c3, s3) = tcp();
    let p = select_params(ev, !0);
    assert_eq!(
        afd(c3, IOCTL_AFD_EVENT_SELECT, &p, &mut [], &mut io),
        STATUS_SUCCESS
    );
    assert_eq!(
        afd(
            c3,
            IOCTL_AFD_EVENT_SELECT,
            &select_params(0, 0),
            &mut [],
            &mut io
        ),
        STATUS_SUCCESS
    );
    assert_eq!(enum_events(c3), 0);
    for h in [c, s, l, c2, s2, l2, c3, s3, l3] {
        assert_eq!(sock::closesocket(h), 0);
    }
    assert_eq!(startup::WSACleanup(), 0);
}

#[test]
fn get_events_reports_and_clears_in_afd_bits() {
    let _g = start();
    let ev = crate::os::create_event().unwrap_or(0x1234);
    let all = FD_ACCEPT | FD_CLOSE | FD_CONNECT | FD_OOB | FD_READ | FD_WRITE;
    let (l, c, s) = tcp();
    assert_eq!(netevents::WSAEventSelect(c, ev, all), 0);
    // afd.c:1912-1916: no room.
    let mut io = UNTOUCHED;
    assert_eq!(
        afd(c, IOCTL_AFD_GET_EVENTS, &[], &mut [], &mut io),
        STATUS_INVALID_PARAMETER
    );
    // afd.c:1918-1929: WRITE | CONNECT, then nothing left for
    // WSAEnumNetworkEvents.
    assert_eq!(
        get_events(c),
        (AFD_POLL_WRITE | AFD_POLL_CONNECT, vec![0; 13])
    );
    assert_eq!(enum_events(c), 0);
    // afd.c:1931-1941: the accepted end records no FD_CONNECT.
    assert_eq!(netevents::WSAEventSelect(s, ev, all), 0);
    assert_eq!(get_events(s), (AFD_POLL_WRITE, vec![0; 13]));
    // afd.c:2036-2051: the peer's reset: AFD_POLL_RESET, status 0.
    let linger = [1u8, 0, 0, 0];
    // SAFETY: a valid option value.
    let r = unsafe { sock::setsockopt(s, SOL_SOCKET, SO_LINGER, linger.as_ptr(), 4) };
    assert_eq!(r, 0);
    assert_eq!(sock::closesocket(s), 0);
    assert_eq!(get_events(c), (AFD_POLL_RESET, vec![0; 13]));
    assert_eq!(sock::closesocket(c), 0);
    assert_eq!(sock::closesocket(l), 0);
    assert_eq!(startup::WSACleanup(), 0);
}
