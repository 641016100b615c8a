//! Message-oriented protocols: the `WSARecv` table (XP1_MESSAGE_ORIENTED,
//! XP1_PSEUDO_STREAM, MSG_PARTIAL), truncation on reliable and partial
//! protocols, WSAEDISCON, and partial sends. The protocols are the model's
//! simulated ones (`IPPROTO_SIM_MSG`, `IPPROTO_SIM_MSG_PARTIAL`). Each test
//! names the clause ids it checks.

mod common;
use common::*;
use std::net::SocketAddr;
use winsock_double::*;

use common::whole_reads as whole;

/// A connected pair of `ty`/`protocol` sockets on one host: (client,
/// server side).
fn pair(h: &SimHost, ty: i32, protocol: i32) -> (Socket, Socket) {
    conn_pair(h, ty, protocol, None)
}

fn send_flags(h: &SimHost, s: Socket, data: &[u8], flags: u32) -> Result<u32, WsaError> {
    let mut n = 0;
    h.wsa_send(s, &[WsaBuf::from(data)], Some(&mut n), flags)
        .map(|()| n)
}

/// One `WSARecv`: (result, bytes, flags out, the bytes).
fn recv(
    h: &SimHost,
    s: Socket,
    room: usize,
    flags: u32,
) -> (Result<(), WsaError>, u32, u32, Vec<u8>) {
    let mut bufs = vec![WsaBuf::zeroed(room)];
    let mut n = u32::MAX;
    let mut f = flags;
    let r = h.wsa_recv(s, &mut bufs, Some(&mut n), &mut f);
    let got = if n == u32::MAX {
        vec![]
    } else {
        gather(&bufs, n as usize)
    };
    (r, n, f, got)
}

fn service_flags(h: &SimHost, s: Socket) -> u32 {
    let mut info = vec![0u8; WSAPROTOCOL_INFOW_SIZE];
    let n = h
        .get_sock_opt(s, SOL_SOCKET, SO_PROTOCOL_INFOW, &mut info)
        .unwrap();
    assert_eq!(n, WSAPROTOCOL_INFOW_SIZE);
    u32::from_le_bytes(info[..4].try_into().unwrap())
}

#[test]
fn protocol_properties() {
    // The XP1 bits the WSARecv table reads, as SO_PROTOCOL_INFOW reports
    // them.
    let (_sim, h) = whole(1);
    let tcp = h.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP).unwrap();
    let udp = h.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    let pseudo = h.socket(AF_INET, SOCK_STREAM, IPPROTO_SIM_MSG).unwrap();
    let msg = h.socket(AF_INET, SOCK_SEQPACKET, 0).unwrap();
    let part = h
        .socket(AF_INET, SOCK_SEQPACKET, IPPROTO_SIM_MSG_PARTIAL)
        .unwrap();
    let dpart = h
        .socket(AF_INET, SOCK_DGRAM, IPPROTO_SIM_MSG_PARTIAL)
        .unwrap();
    assert_eq!(service_flags(&h, tcp), 0x20066);
    assert_eq!(service_flags(&h, tcp) & XP1_MESSAGE_ORIENTED, 0);
    assert_ne!(service_flags(&h, udp) & XP1_CONNECTIONLESS, 0);
    assert_ne!(service_flags(&h, pseudo) & XP1_PSEUDO_STREAM, 0);
    assert_eq!(
        service_flags(&h, msg) & (XP1_MESSAGE_ORIENTED | XP1_PSEUDO_STREAM | XP1_PARTIAL_MESSAGE),
        XP1_MESSAGE_ORIENTED
    );
    assert_ne!(service_flags(&h, part) & XP1_PARTIAL_MESSAGE, 0);
    assert_ne!(service_flags(&h, dpart) & XP1_PARTIAL_MESSAGE, 0);
    // Unknown protocols for a type are refused.
    assert_err(
        h.socket(AF_INET, SOCK_SEQPACKET, IPPROTO_TCP),
        WSAEPROTONOSUPPORT,
    );
    assert_err(
        h.socket(AF_INET, SOCK_STREAM, IPPROTO_SIM_MSG_PARTIAL),
        WSAEPROTONOSUPPORT,
    );
    let mut small = [0u8; 16];
    assert_err(
        h.get_sock_opt(tcp, SOL_SOCKET, SO_PROTOCOL_INFOW, &mut small),
        WSAEFAULT,
    );
}

#[test]
fn message_socket_keeps_boundaries() {
    // RECV-ACTS-AS-MESSAGE: XP1_MESSAGE_ORIENTED without XP1_PSEUDO_STREAM
    // and no MSG_PARTIAL: one message per receive, however much is there.
    let (_sim, h) = whole(2);
    let (c, s) = pair(&h, SOCK_SEQPACKET, IPPROTO_SIM_MSG);
    assert_eq!(send_flags(&h, c, b"abc", 0).unwrap(), 3);
    assert_eq!(send_flags(&h, c, b"de", 0).unwrap(), 2);
    let (r, n, f, got) = recv(&h, s, 64, 0);
    r.unwrap();
    assert_eq!((n, f, got.as_slice()), (3, 0, &b"abc"[..]));
    let (r, n, _, got) = recv(&h, s, 64, 0);
    r.unwrap();
    assert_eq!((n, got.as_slice()), (2, &b"de"[..]));
    // MSG_PARTIAL on input changes nothing on a protocol without it.
    send_flags(&h, c, b"xyz", 0).unwrap();
    send_flags(&h, c, b"w", 0).unwrap();
    let (r, n, f, _) = recv(&h, s, 64, MSG_PARTIAL);
    r.unwrap();
    assert_eq!((n, f), (3, 0));
}

#[test]
fn pseudo_stream_acts_as_a_byte_stream() {
    // RECV-ACTS-AS-STREAM-PSEUDO: XP1_PSEUDO_STREAM receives as a byte
    // stream, with or without MSG_PARTIAL; the end is zero bytes.
    let (sim, h) = whole(3);
    let (c, s) = pair(&h, SOCK_STREAM, IPPROTO_SIM_MSG);
    send_flags(&h, c, b"abc", 0).unwrap();
    send_flags(&h, c, b"de", 0).unwrap();
    sim.run_until_idle();
    let (r, n, f, got) = recv(&h, s, 64, 0);
    r.unwrap();
    assert_eq!((n, f, got.as_slice()), (5, 0, &b"abcde"[..]));
    send_flags(&h, c, b"fgh", 0).unwrap();
    sim.run_until_idle();
    let (r, n, f, _) = recv(&h, s, 2, MSG_PARTIAL);
    r.unwrap();
    assert_eq!((n, f), (2, 0));
    h.close_socket(c).unwrap();
    let (r, n, _, _) = recv(&h, s, 64, 0);
    r.unwrap();
    assert_eq!(n, 1);
    let (r, n, _, _) = recv(&h, s, 64, 0);
    r.unwrap();
    assert_eq!(n, 0);
}

#[test]
fn partial_input_acts_as_a_byte_stream() {
    // RECV-ACTS-AS-STREAM-PARTIAL, RECV-PARTIAL-INPUT, RECV-PARTIAL-OUTPUT:
    // on a protocol with MSG_PARTIAL a receive passing it completes with
    // the part of a message that has arrived, never crossing into the next
    // message, and says MSG_PARTIAL until the message's end.
    let (sim, h) = whole(4);
    let (c, s) = pair(&h, SOCK_SEQPACKET, IPPROTO_SIM_MSG_PARTIAL);
    // SENDMSG-PARTIAL (the WSASend form): the message goes on in the next
    // send.
    assert_eq!(send_flags(&h, c, b"hel", MSG_PARTIAL).unwrap(), 3);
    sim.run_until_idle();
    // Without MSG_PARTIAL, a receive needs the whole message: nothing yet.
    h.ioctl_socket(s, FIONBIO, &mut 1).unwrap();
    assert_err(recv(&h, s, 64, 0).0, WSAEWOULDBLOCK);
    let (r, n, f, got) = recv(&h, s, 64, MSG_PARTIAL);
    r.unwrap();
    assert_eq!((n, f, got.as_slice()), (3, MSG_PARTIAL, &b"hel"[..]));
    send_flags(&h, c, b"lo", 0).unwrap();
    send_flags(&h, c, b"next", 0).unwrap();
    sim.run_until_idle();
    let (r, n, f, got) = recv(&h, s, 64, MSG_PARTIAL);
    r.unwrap();
    assert_eq!((n, f, got.as_slice()), (2, 0, &b"lo"[..]));
    let (r, n, f, got) = recv(&h, s, 64, MSG_PARTIAL);
    r.unwrap();
    assert_eq!((n, f, got.as_slice()), (4, 0, &b"next"[..]));
}

#[test]
fn whole_message_after_partial_sends() {
    // RECV-ACTS-AS-MESSAGE with a message sent in pieces: a receive without
    // MSG_PARTIAL waits for all of it (a blocking receive unblocks on a full
    // message).
    let (_sim, h) = whole(5);
    let (c, s) = pair(&h, SOCK_SEQPACKET, IPPROTO_SIM_MSG_PARTIAL);
    send_flags(&h, c, b"one ", MSG_PARTIAL).unwrap();
    send_flags(&h, c, b"two ", MSG_PARTIAL).unwrap();
    send_flags(&h, c, b"three", 0).unwrap();
    let (r, n, f, got) = recv(&h, s, 64, 0);
    r.unwrap();
    assert_eq!((n, f, got.as_slice()), (13, 0, &b"one two three"[..]));
}

#[test]
fn truncation_with_partial_support() {
    // RECV-TRUNC-PARTIAL, RECV-PARTIAL-FLAG-SET, RECV-PARTIAL-OUTPUT: a
    // message larger than the buffers fills them, MSG_PARTIAL is set, and
    // the next receives return the rest; the last part has it clear.
    let (_sim, h) = whole(6);
    let (c, s) = pair(&h, SOCK_SEQPACKET, IPPROTO_SIM_MSG_PARTIAL);
    let data = pattern(10);
    send_flags(&h, c, &data, 0).unwrap();
    let (r, n, f, a) = recv(&h, s, 4, 0);
    r.unwrap();
    assert_eq!((n, f), (4, MSG_PARTIAL));
    let (r, n, f, b) = recv(&h, s, 4, 0);
    r.unwrap();
    assert_eq!((n, f), (4, MSG_PARTIAL));
    let (r, n, f, c2) = recv(&h, s, 4, 0);
    r.unwrap();
    assert_eq!((n, f), (2, 0));
    assert_eq!([a, b, c2].concat(), data);
}

#[test]
fn truncation_on_a_reliable_protocol_keeps_the_message() {
    // RECV-TRUNC-RELIABLE: without MSG_PARTIAL support a reliable protocol
    // fails with WSAEMSGSIZE and a larger buffer gets the whole message.
    let (_sim, h) = whole(7);
    let (c, s) = pair(&h, SOCK_SEQPACKET, IPPROTO_SIM_MSG);
    let data = pattern(10);
    send_flags(&h, c, &data, 0).unwrap();
    let (r, n, f, got) = recv(&h, s, 4, 0);
    assert_err(r, WSAEMSGSIZE);
    assert_eq!((n, f, got.as_slice()), (4, 0, &data[..4]));
    let mut avail = 0;
    h.ioctl_socket(s, FIONREAD, &mut avail).unwrap();
    assert_eq!(avail, 10);
    let (r, n, f, got) = recv(&h, s, 16, 0);
    r.unwrap();
    assert_eq!((n, f), (10, 0));
    assert_eq!(got, data);
}

#[test]
fn zero_byte_message_and_graceful_close() {
    // RECV-GRACEFUL-MESSAGE, RECV-EDISCON: a zero-byte message is a message
    // (success, 0 bytes); the peer's graceful close is WSAEDISCON, every
    // time.
    let (_sim, h) = whole(8);
    let (c, s) = pair(&h, SOCK_SEQPACKET, IPPROTO_SIM_MSG);
    assert_eq!(send_flags(&h, c, b"", 0).unwrap(), 0);
    send_flags(&h, c, b"x", 0).unwrap();
    h.shutdown(c, SD_SEND).unwrap();
    let (r, n, _, _) = recv(&h, s, 8, 0);
    r.unwrap();
    assert_eq!(n, 0);
    let (r, n, _, _) = recv(&h, s, 8, 0);
    r.unwrap();
    assert_eq!(n, 1);
    assert_err(recv(&h, s, 8, 0).0, WSAEDISCON);
    assert_err(recv(&h, s, 8, 0).0, WSAEDISCON);
    // An abortive close is still WSAECONNRESET.
    let (c2, s2) = pair(&h, SOCK_SEQPACKET, IPPROTO_SIM_MSG);
    let l = linger_off(&h, c2);
    assert!(l);
    h.close_socket(c2).unwrap();
    assert_err(recv(&h, s2, 8, 0).0, WSAECONNRESET);
}

/// Sets SO_LINGER to on with a zero time-out (abortive close).
fn linger_off(h: &SimHost, s: Socket) -> bool {
    let v = [1u8, 0, 0, 0];
    h.set_sock_opt(s, SOL_SOCKET, SO_LINGER, &v).is_ok()
}

#[test]
fn message_socket_flags_and_limits() {
    // RECV-EOPNOTSUPP-OOB-DOMAIN: no urgent data on a message protocol.
    // RECV-WAITALL-DGRAM: MSG_WAITALL is not for message-oriented sockets.
    // SENDMSG-PARTIAL: a protocol without partial messages refuses
    // MSG_PARTIAL with WSAEOPNOTSUPP. SENDMSG-EMSGSIZE-MAX: SO_MAX_MSG_SIZE.
    let (_sim, h) = whole(9);
    let (c, s) = pair(&h, SOCK_SEQPACKET, IPPROTO_SIM_MSG);
    assert_err(recv(&h, s, 8, MSG_OOB).0, WSAEOPNOTSUPP);
    assert_err(recv(&h, s, 8, MSG_WAITALL).0, WSAEOPNOTSUPP);
    assert_err(send_flags(&h, c, b"a", MSG_PARTIAL), WSAEOPNOTSUPP);
    assert_err(send_flags(&h, c, b"a", MSG_OOB), WSAEOPNOTSUPP);
    let max = h.get_sock_opt_int(c, SOL_SOCKET, SO_MAX_MSG_SIZE).unwrap() as usize;
    assert_err(send_flags(&h, c, &vec![0; max + 1], 0), WSAEMSGSIZE);
    // WSASendMsg is for datagram and raw sockets (SENDMSG-DGRAM-RAW-ONLY);
    // WSARecvMsg too (RECVMSG-DGRAM-RAW-ONLY).
    let (r, _, _) = recv_msg(&h, s, &[8], 0);
    assert_err(r, WSAEOPNOTSUPP);
}

#[test]
fn partial_reads_are_seeded() {
    // RECV-ACTS-AS-STREAM-PARTIAL: acting as a byte stream, a receive may
    // return less than has arrived (by seed), at least one byte, and the
    // pieces put the message together.
    let mut short = false;
    for seed in 0..40 {
        let sim = Sim::new(seed);
        let h = started(&sim, "local", &[]);
        let (c, s) = pair(&h, SOCK_SEQPACKET, IPPROTO_SIM_MSG_PARTIAL);
        let data = pattern(40);
        send_flags(&h, c, &data, 0).unwrap();
        sim.run_until_idle();
        let mut got = vec![];
        loop {
            let (r, n, f, b) = recv(&h, s, 64, MSG_PARTIAL);
            r.unwrap();
            assert!(n >= 1);
            short |= (n as usize) < data.len() && got.is_empty();
            got.extend(b);
            if f & MSG_PARTIAL == 0 {
                break;
            }
        }
        assert_eq!(got, data, "seed {seed}");
    }
    assert!(short, "no seed gave a short read");
}

#[test]
fn partial_datagram_protocol() {
    // SENDMSG-PARTIAL: on a datagram protocol with partial messages,
    // WSASendMsg with MSG_PARTIAL holds its buffers as the start of a
    // message that the next send completes; RECV-TRUNC-PARTIAL: a datagram
    // larger than the buffers comes in parts marked MSG_PARTIAL, none lost.
    let (_sim, h) = whole(10);
    let rx = h
        .socket(AF_INET, SOCK_DGRAM, IPPROTO_SIM_MSG_PARTIAL)
        .unwrap();
    h.bind(rx, &"127.0.0.1:7000".parse().unwrap()).unwrap();
    let udp = h.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    h.bind(udp, &"127.0.0.1:7000".parse().unwrap()).unwrap();
    let tx = h
        .socket(AF_INET, SOCK_DGRAM, IPPROTO_SIM_MSG_PARTIAL)
        .unwrap();
    h.bind(tx, &"127.0.0.1:0".parse().unwrap()).unwrap();
    let to: SocketAddr = "127.0.0.1:7000".parse().unwrap();
    let msg = WsaMsg::for_send(Some(&to), b"abc");
    let mut n = 0u32;
    h.wsa_send_msg(tx, &msg, MSG_PARTIAL, Some(&mut n)).unwrap();
    assert_eq!(n, 3);
    let msg = WsaMsg::for_send(Some(&to), b"defgh");
    h.wsa_send_msg(tx, &msg, 0, Some(&mut n)).unwrap();
    let (r, n, f, got) = recv(&h, rx, 5, 0);
    r.unwrap();
    assert_eq!((n, f, got.as_slice()), (5, MSG_PARTIAL, &b"abcde"[..]));
    let (r, n, f, got) = recv(&h, rx, 5, 0);
    r.unwrap();
    assert_eq!((n, f, got.as_slice()), (3, 0, &b"fgh"[..]));
    // The UDP socket on the same port heard nothing: its own protocol.
    h.ioctl_socket(udp, FIONBIO, &mut 1).unwrap();
    assert_err(recv(&h, udp, 8, 0).0, WSAEWOULDBLOCK);
    // UDP itself refuses MSG_PARTIAL (SENDMSG-PARTIAL-EOPNOTSUPP).
    let msg = WsaMsg::for_send(Some(&to), b"x");
    let mut sent = 0;
    assert_err(
        h.wsa_send_msg(udp, &msg, MSG_PARTIAL, Some(&mut sent)),
        WSAEOPNOTSUPP,
    );
}

#[test]
fn end_after_a_partial_read_is_disconnection_not_a_message() {
    // RECV-EDISCON: a message read to its last byte so far with MSG_PARTIAL
    // leaves nothing unread: the peer's close is WSAEDISCON, not a
    // zero-byte message, and closing our end is graceful.
    let (sim, h) = whole(11);
    let (c, s) = pair(&h, SOCK_SEQPACKET, IPPROTO_SIM_MSG_PARTIAL);
    send_flags(&h, c, b"part", MSG_PARTIAL).unwrap();
    let (r, n, f, _) = recv(&h, s, 64, MSG_PARTIAL);
    r.unwrap();
    assert_eq!((n, f), (4, MSG_PARTIAL));
    h.close_socket(c).unwrap();
    sim.run_until_idle();
    assert_err(recv(&h, s, 64, 0).0, WSAEDISCON);
    let (c2, s2) = pair(&h, SOCK_SEQPACKET, IPPROTO_SIM_MSG_PARTIAL);
    send_flags(&h, c2, b"part", MSG_PARTIAL).unwrap();
    let (r, _, _, _) = recv(&h, s2, 64, MSG_PARTIAL);
    r.unwrap();
    h.close_socket(s2).unwrap();
    sim.run_until_idle();
    // A FIN, not a reset: the sender's next receive sees the end.
    assert_err(recv(&h, c2, 8, 0).0, WSAEDISCON);
}

#[test]
fn partial_pieces_count_toward_the_message_size() {
    // SENDMSG-PARTIAL with SENDMSG-EMSGSIZE-MAX: the pieces of one message
    // add up to its size.
    let (_sim, h) = whole(12);
    let (c, _s) = pair(&h, SOCK_SEQPACKET, IPPROTO_SIM_MSG_PARTIAL);
    let max = h.get_sock_opt_int(c, SOL_SOCKET, SO_MAX_MSG_SIZE).unwrap() as usize;
    send_flags(&h, c, &vec![1; max - 10], MSG_PARTIAL).unwrap();
    assert_err(send_flags(&h, c, &[2; 11], 0), WSAEMSGSIZE);
    send_flags(&h, c, &[2; 10], 0).unwrap();
}

#[test]
fn pseudo_stream_waitall_fills_across_messages() {
    // RECV-ACTS-AS-STREAM-PSEUDO with MSG_WAITALL: a pseudo-stream is a byte
    // stream to its receiver, so a message larger than the window flows in
    // parts and the request fills.
    let (_sim, h) = whole(13);
    let (c, s) = conn_pair(&h, SOCK_STREAM, IPPROTO_SIM_MSG, Some(16));
    send_flags(&h, c, b"x", 0).unwrap();
    send_flags(&h, c, &pattern(100), 0).unwrap();
    let (r, n, _, got) = recv(&h, s, 60, MSG_WAITALL);
    r.unwrap();
    assert_eq!(n, 60);
    assert_eq!(got[0], b'x');
}
