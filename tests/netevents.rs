//! Network events: `WSAEventSelect` and `WSAEnumNetworkEvents` on the
//! model (`model/src/sim/netevents.rs`). Each test cites the sentence of
//! Microsoft's pages it checks
//! (<https://learn.microsoft.com/en-us/windows/win32/api/winsock2/nf-winsock2-wsaeventselect>,
//! <https://learn.microsoft.com/en-us/windows/win32/api/winsock2/nf-winsock2-wsaenumnetworkevents>)
//! or the line of Wine's `dlls/ws2_32/tests/sock.c` (Debian's wine
//! 8.0~repack-4, run on Windows by the Wine project).

mod common;
use common::*;
use std::net::SocketAddr;
use winsock_double::*;

fn listener(h: &SimHost) -> (Socket, SocketAddr) {
    let l = h.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP).unwrap();
    h.bind(l, &"127.0.0.1:0".parse().unwrap()).unwrap();
    h.listen(l, SOMAXCONN).unwrap();
    let a = h.getsockname(l).unwrap();
    (l, a)
}

/// What the record holds now, and whether the event was signalled.
fn events(h: &SimHost, s: Socket, ev: Event) -> (i32, bool) {
    let on = h
        .wsa_wait_for_multiple_events(&[ev], false, 0, false)
        .unwrap()
        != WaitResult::Timeout;
    (h.wsa_enum_network_events(s, Some(ev)).unwrap().events, on)
}

fn with(profile: Profile) -> (Sim, SimHost) {
    let sim = SimBuilder::new().profile(profile).build();
    let h = sim.add_host("local", &[]).unwrap();
    h.wsa_startup(WINSOCK_VERSION_2_2).unwrap();
    (sim, h)
}

/// "FD_ACCEPT ... accept": a connection to accept is recorded once,
/// signals the event, and accept re-enables it: level-triggered, a second
/// pending connection is recorded again after the first accept
/// (sock.c:6100-6110, 6121-6132).
#[test]
fn accept_is_recorded_and_reenabled_by_accept() {
    let (_sim, h) = local(1);
    let ev = h.wsa_create_event().unwrap();
    let (l, a) = listener(&h);
    h.wsa_event_select(l, Some(ev), FD_CONNECT | FD_READ | FD_OOB | FD_ACCEPT)
        .unwrap();
    assert_eq!(events(&h, l, ev), (0, false));
    let c1 = h.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP).unwrap();
    h.connect(c1, &a).unwrap();
    let c2 = h.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP).unwrap();
    h.connect(c2, &a).unwrap();
    assert_eq!(events(&h, l, ev), (FD_ACCEPT, true));
    // Recorded once: not again until accept.
    assert_eq!(events(&h, l, ev), (0, false));
    h.accept(l).unwrap();
    assert_eq!(events(&h, l, ev), (FD_ACCEPT, true));
    h.accept(l).unwrap();
    assert_eq!(events(&h, l, ev), (0, false));
}

/// "The WSAEventSelect function automatically sets socket s to
/// nonblocking mode" and ioctlsocket: "any attempt to use ioctlsocket to
/// set the socket back to blocking mode will fail with WSAEINVAL";
/// lNetworkEvents 0 lets it go back.
#[test]
fn event_select_makes_the_socket_nonblocking_until_cancelled() {
    let (_sim, h) = local(1);
    let ev = h.wsa_create_event().unwrap();
    let (s, _) = udp4(&h);
    h.wsa_event_select(s, Some(ev), FD_READ).unwrap();
    let mut buf = [0u8; 8];
    assert_err(h.recv_from(s, &mut buf), WSAEWOULDBLOCK);
    assert_err(h.set_nonblocking(s, false), WSAEINVAL);
    h.set_nonblocking(s, true).unwrap();
    h.wsa_event_select(s, None, 0).unwrap();
    h.set_nonblocking(s, false).unwrap();
}

/// FD_READ: recorded when data arrives, with the recv family as its
/// re-enabling call; "if the reenabling routine is called and the relevant
/// network condition is still valid after the call, the network event is
/// recorded"; WSAEnumNetworkEvents resets the event given.
#[test]
fn read_is_level_triggered_through_recv() {
    let (_sim, h) = local(1);
    let ev = h.wsa_create_event().unwrap();
    let (r, ra) = udp4(&h);
    let (w, _) = udp4(&h);
    h.wsa_event_select(r, Some(ev), FD_READ).unwrap();
    assert_eq!(events(&h, r, ev), (0, false));
    send(&h, w, b"one", ra);
    send(&h, w, b"two", ra);
    let rec = h.wsa_enum_network_events(r, None).unwrap();
    assert_eq!(rec.events, FD_READ);
    assert_eq!(rec.error_of(FD_READ), 0);
    // Not reset without hEventObject; reset with it.
    assert_ne!(
        h.wsa_wait_for_multiple_events(&[ev], false, 0, false)
            .unwrap(),
        WaitResult::Timeout
    );
    h.wsa_enum_network_events(r, Some(ev)).unwrap();
    assert_eq!(events(&h, r, ev), (0, false));
    let mut buf = [0u8; 8];
    h.recv_from(r, &mut buf).unwrap();
    // One datagram left: recorded again at once.
    assert_eq!(events(&h, r, ev), (FD_READ, true));
    h.recv_from(r, &mut buf).unwrap();
    assert_eq!(events(&h, r, ev), (0, false));
}

/// FD_CONNECT and FD_WRITE when a connection is made (sock.c:6341-6343),
/// "selecting again records a still-true condition" in the documented
/// profile, and WIN-EVENTSELECT-REPORTED in the Windows profile
/// (sock.c:6343-6350: nothing after selecting 0 and again).
#[test]
fn connect_and_write_and_selecting_again() {
    for (profile, again) in [
        (Profile::documented(), FD_CONNECT | FD_WRITE),
        (Profile::windows(), 0),
    ] {
        let (_sim, h) = with(profile);
        let ev = h.wsa_create_event().unwrap();
        let (l, a) = listener(&h);
        let c = h.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP).unwrap();
        let all = FD_ACCEPT | FD_CLOSE | FD_CONNECT | FD_OOB | FD_READ | FD_WRITE;
        h.wsa_event_select(c, Some(ev), all).unwrap();
        assert_eq!(events(&h, c, ev), (0, false));
        let r = h.connect(c, &a);
        assert!(
            r.is_ok() || r == Err(WsaError::Code(WSAEWOULDBLOCK)),
            "{r:?}"
        );
        let _ = h.wsa_wait_for_multiple_events(&[ev], false, 200, false);
        assert_eq!(events(&h, c, ev), (FD_CONNECT | FD_WRITE, true));
        assert_eq!(events(&h, c, ev), (0, false));
        h.wsa_event_select(c, Some(ev), 0).unwrap();
        h.wsa_event_select(c, Some(ev), all).unwrap();
        assert_eq!(events(&h, c, ev).0, again, "{profile:?}");
        // The accepted socket inherits the listener's selection
        // (sock.c:6251-6276): FD_WRITE.
        h.wsa_event_select(l, Some(ev), all).unwrap();
        let _ = h.wsa_enum_network_events(l, Some(ev)).unwrap();
        let (s, _) = h.accept(l).unwrap();
        assert_eq!(events(&h, s, ev), (FD_WRITE, true));
    }
}

/// FD_CLOSE at the peer's closesocket, before the end is read
/// (sock.c:6779-6783), once (no re-enabling call); FD_READ is still
/// there for the end of the stream.
#[test]
fn close_is_recorded_once() {
    let (_sim, h) = whole_reads(1);
    let ev = h.wsa_create_event().unwrap();
    let (c, s) = conn_pair(&h, SOCK_STREAM, IPPROTO_TCP, None);
    h.wsa_event_select(s, Some(ev), FD_ACCEPT | FD_CLOSE | FD_CONNECT | FD_OOB)
        .unwrap();
    h.close_socket(c).unwrap();
    let _ = h.wsa_wait_for_multiple_events(&[ev], false, 200, false);
    let rec = h.wsa_enum_network_events(s, Some(ev)).unwrap();
    assert_eq!(rec.events, FD_CLOSE);
    assert_eq!(rec.error_of(FD_CLOSE), 0);
    assert_eq!(events(&h, s, ev), (0, false));
}

/// FD_QOS, FD_GROUP_QOS, FD_ROUTING_INTERFACE_CHANGE and
/// FD_ADDRESS_LIST_CHANGE are accepted in lNetworkEvents (the page's
/// table) and nothing the model does records them; a socket that is not
/// one is WSAENOTSOCK for both calls.
#[test]
fn other_events_are_accepted_and_errors() {
    let (_sim, h) = local(1);
    let ev = h.wsa_create_event().unwrap();
    let (s, _) = udp4(&h);
    let other = FD_QOS | FD_GROUP_QOS | FD_ROUTING_INTERFACE_CHANGE | FD_ADDRESS_LIST_CHANGE;
    h.wsa_event_select(s, Some(ev), other).unwrap();
    assert_eq!(events(&h, s, ev), (0, false));
    assert_err(
        h.wsa_event_select(Socket(0xabacab), Some(ev), FD_READ),
        WSAENOTSOCK,
    );
    assert_err(
        h.wsa_enum_network_events(Socket(0xabacab), None),
        WSAENOTSOCK,
    );
    // model choice: no event object with events selected is WSAEINVAL.
    assert_err(h.wsa_event_select(s, None, FD_READ), WSAEINVAL);
}

/// The hot path is untouched by a world where nobody selected: a socket
/// without a record reports nothing (WSAEnumNetworkEvents' record is
/// empty) and the event given is reset.
#[test]
fn no_record_is_an_empty_record() {
    let (_sim, h) = local(1);
    let ev = h.wsa_create_event().unwrap();
    h.wsa_set_event(ev).unwrap();
    let (s, _) = udp4(&h);
    assert_eq!(events(&h, s, ev), (0, true));
    assert_eq!(events(&h, s, ev), (0, false));
}

/// "WSARecv" in the table of re-enabling calls: an overlapped receive
/// re-enables FD_READ as a direct one does (sock.c:6620-6627: one-byte
/// overlapped receives, FD_READ again while data remains).
#[test]
fn an_overlapped_receive_reenables_read() {
    let (_sim, h) = local(1);
    let ev = h.wsa_create_event().unwrap();
    let (r, ra) = udp4(&h);
    let (w, _) = udp4(&h);
    h.wsa_event_select(r, Some(ev), FD_READ).unwrap();
    send(&h, w, b"one", ra);
    send(&h, w, b"two", ra);
    assert_eq!(events(&h, r, ev), (FD_READ, true));
    let ovl = Overlapped::new(1);
    h.wsa_recv_overlapped(r, vec![WsaBuf::zeroed(8)], 0, ovl, None)
        .unwrap();
    assert_eq!(events(&h, r, ev), (FD_READ, true));
}
