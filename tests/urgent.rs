//! Urgent (out-of-band) data on TCP: MSG_OOB, SO_OOBINLINE, SIOCATMARK.
//! Each test names the clause ids it checks.

mod common;
use common::*;
use winsock_double::*;

fn pair(h: &SimHost) -> (Socket, Socket) {
    conn_pair(h, SOCK_STREAM, IPPROTO_TCP, None)
}

use common::whole_reads as whole;

fn send(h: &SimHost, s: Socket, data: &[u8], flags: u32) -> Result<u32, WsaError> {
    let mut n = 0;
    h.wsa_send(s, &[WsaBuf::from(data)], Some(&mut n), flags)
        .map(|()| n)
}

fn recv(h: &SimHost, s: Socket, room: usize, flags: u32) -> (Result<(), WsaError>, Vec<u8>) {
    let mut bufs = vec![WsaBuf::zeroed(room)];
    let mut n = u32::MAX;
    let mut f = flags;
    let r = h.wsa_recv(s, &mut bufs, Some(&mut n), &mut f);
    let got = if r.is_ok() {
        gather(&bufs, n as usize)
    } else {
        vec![]
    };
    (r, got)
}

fn atmark(h: &SimHost, s: Socket) -> u32 {
    let mut v = 7;
    h.ioctl_socket(s, SIOCATMARK, &mut v).unwrap();
    v
}

fn fionread(h: &SimHost, s: Socket) -> u32 {
    let mut v = 0;
    h.ioctl_socket(s, FIONREAD, &mut v).unwrap();
    v
}

#[test]
fn last_byte_of_an_urgent_send_is_out_of_band() {
    // RECV-OOB, SENDMSG-OOB (the WSASend form): the last byte of a MSG_OOB
    // send is urgent: kept apart, read with MSG_OOB; the others are normal
    // data. FIONREAD does not count it; SIOCATMARK is FALSE while it waits.
    let (sim, h) = whole(1);
    let (c, s) = pair(&h);
    assert_eq!(atmark(&h, s), 1);
    assert_eq!(send(&h, c, b"abc", MSG_OOB).unwrap(), 3);
    sim.run_until_idle();
    assert_eq!(fionread(&h, s), 2);
    assert_eq!(atmark(&h, s), 0);
    let (r, got) = recv(&h, s, 8, MSG_OOB | MSG_PEEK);
    r.unwrap();
    assert_eq!(got, b"c");
    let (r, got) = recv(&h, s, 8, 0);
    r.unwrap();
    assert_eq!(got, b"ab");
    let (r, got) = recv(&h, s, 8, MSG_OOB);
    r.unwrap();
    assert_eq!(got, b"c");
    assert_eq!(atmark(&h, s), 1);
    // None left: a non-blocking receive would block.
    h.ioctl_socket(s, FIONBIO, &mut 1).unwrap();
    assert_err(recv(&h, s, 8, MSG_OOB).0, WSAEWOULDBLOCK);
}

#[test]
fn every_urgent_byte_is_kept() {
    // RECV-OOB: two urgent sends before a read: both bytes wait, in order
    // (what Windows does; Wine's test_fionread_siocatmark).
    let (sim, h) = whole(2);
    let (c, s) = pair(&h);
    send(&h, c, b"1x", MSG_OOB).unwrap();
    send(&h, c, b"2y", MSG_OOB).unwrap();
    sim.run_until_idle();
    assert_eq!(fionread(&h, s), 2);
    assert_eq!(recv(&h, s, 4, MSG_OOB).1, b"x");
    assert_eq!(atmark(&h, s), 0);
    assert_eq!(recv(&h, s, 4, MSG_OOB).1, b"y");
    assert_eq!(atmark(&h, s), 1);
    assert_eq!(recv(&h, s, 4, 0).1, b"12");
}

#[test]
fn oobinline_keeps_urgent_data_in_the_stream() {
    // RECV-OOB with SO_OOBINLINE: the urgent byte stays in the normal data,
    // MSG_OOB is WSAEINVAL, SIOCATMARK stays TRUE.
    let (sim, h) = whole(3);
    let (c, s) = pair(&h);
    h.set_sock_opt_int(s, SOL_SOCKET, SO_OOBINLINE, 1).unwrap();
    send(&h, c, b"abc", MSG_OOB).unwrap();
    sim.run_until_idle();
    assert_eq!(fionread(&h, s), 3);
    assert_eq!(atmark(&h, s), 1);
    assert_err(recv(&h, s, 8, MSG_OOB).0, WSAEINVAL);
    assert_eq!(recv(&h, s, 8, 0).1, b"abc");
}

#[test]
fn a_blocking_urgent_receive_waits_for_urgent_data() {
    // RECV-OOB: with no urgent byte waiting, a blocking MSG_OOB receive
    // waits (normal data does not end it) until one comes.
    let (sim, h) = whole(4);
    let (c, s) = pair(&h);
    send(&h, c, b"normal", 0).unwrap();
    let mut t = h.spawn("urgent", move |h| recv(&h, s, 8, MSG_OOB)).unwrap();
    send(&h, c, b"!", MSG_OOB).unwrap();
    let (r, got) = t.join().unwrap();
    r.unwrap();
    assert_eq!(got, b"!");
    assert_eq!(recv(&h, s, 8, 0).1, b"normal");
    drop(sim);
}

#[test]
fn urgent_data_needs_a_stream_with_expedited_data() {
    // RECV-EOPNOTSUPP-OOB-DOMAIN: a socket whose protocol has no OOB data
    // (UDP; the simulated message protocol) refuses MSG_OOB.
    // SENDMSG-OOB: WSASendMsg reaches only datagram and raw sockets, none of
    // which has urgent data: WSAEOPNOTSUPP.
    let (_sim, h) = whole(5);
    let (u, a) = udp4(&h);
    assert_err(recv(&h, u, 8, MSG_OOB).0, WSAEOPNOTSUPP);
    let msg = WsaMsg::for_send(Some(&a), b"x");
    let mut n = 0;
    assert_err(
        h.wsa_send_msg(u, &msg, MSG_OOB, Some(&mut n)),
        WSAEOPNOTSUPP,
    );
    assert_err(send(&h, u, b"x", MSG_OOB), WSAEOPNOTSUPP);
    let l = h.socket(AF_INET, SOCK_SEQPACKET, IPPROTO_SIM_MSG).unwrap();
    h.bind(l, &"127.0.0.1:0".parse().unwrap()).unwrap();
    h.listen(l, 1).unwrap();
    let c = h.socket(AF_INET, SOCK_SEQPACKET, IPPROTO_SIM_MSG).unwrap();
    h.connect(c, &h.getsockname(l).unwrap()).unwrap();
    assert_err(recv(&h, c, 8, MSG_OOB).0, WSAEOPNOTSUPP);
    let mut v = 0;
    assert_err(h.ioctl_socket(c, SIOCATMARK, &mut v), WSAEINVAL);
}

#[test]
fn overlapped_urgent_receive() {
    // RECV-OOB on an overlapped receive: it completes with the urgent byte
    // when it comes.
    let (sim, h) = whole(6);
    let (c, s) = pair(&h);
    let ev = h.wsa_create_event().unwrap();
    let ovl = Overlapped::with_event(1, ev);
    let p = h
        .wsa_recv_overlapped(s, vec![WsaBuf::zeroed(4)], MSG_OOB, ovl, None)
        .unwrap();
    assert!(matches!(p, Posted::Pending));
    send(&h, c, b"zz", MSG_OOB).unwrap();
    sim.run_until_idle();
    let done = h.wsa_get_overlapped_result(s, &ovl, false).unwrap();
    assert_eq!(done.bytes, 1);
    assert_eq!(gather(&done.buffers, 1), b"z");
}

#[test]
fn urgent_and_normal_overlapped_receives_do_not_wait_for_each_other() {
    // RECV-OOB: an urgent receive posted after a normal one completes when
    // only an urgent byte comes; the normal one goes on waiting.
    let (sim, h) = whole(7);
    let (c, s) = pair(&h);
    let ev = h.wsa_create_event().unwrap();
    let normal = Overlapped::with_event(1, ev);
    let urgent = Overlapped::with_event(2, ev);
    h.wsa_recv_overlapped(s, vec![WsaBuf::zeroed(4)], 0, normal, None)
        .unwrap();
    h.wsa_recv_overlapped(s, vec![WsaBuf::zeroed(4)], MSG_OOB, urgent, None)
        .unwrap();
    send(&h, c, b"!", MSG_OOB).unwrap();
    sim.run_until_idle();
    let done = h.wsa_get_overlapped_result(s, &urgent, false).unwrap();
    assert_eq!(gather(&done.buffers, done.bytes as usize), b"!");
    assert_err(
        h.wsa_get_overlapped_result(s, &normal, false),
        WSA_IO_INCOMPLETE,
    );
}

#[test]
fn urgent_bytes_queued_behind_a_closed_window_stay_urgent() {
    // RECV-OOB: two urgent sends that wait in the sender's buffer (the
    // receiver's window is full) both arrive as urgent data.
    let (sim, h) = whole(8);
    let (c, s) = conn_pair(&h, SOCK_STREAM, IPPROTO_TCP, Some(1));
    send(&h, c, b"a", 0).unwrap();
    send(&h, c, b"1x", MSG_OOB).unwrap();
    send(&h, c, b"2y", MSG_OOB).unwrap();
    let mut normal = vec![];
    while normal.len() < 3 {
        let (r, got) = recv(&h, s, 8, 0);
        r.unwrap();
        normal.extend(got);
    }
    sim.run_until_idle();
    assert_eq!(normal, b"a12");
    assert_eq!(recv(&h, s, 4, MSG_OOB).1, b"x");
    assert_eq!(recv(&h, s, 4, MSG_OOB).1, b"y");
}
