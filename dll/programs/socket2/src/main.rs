//! The socket2 calls downstream code makes, one line per call with its
//! result (values that do not depend on the machine: no ports), so that
//! the output on the model can be compared with Wine's ws2_32.

use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use std::io::{ErrorKind, Read, Write};
use std::mem::MaybeUninit;
use std::net::SocketAddr;
use std::time::Duration;

fn show<T: std::fmt::Debug>(what: &str, r: std::io::Result<T>) -> Option<T> {
    match r {
        Ok(v) => {
            println!("{what}: ok {v:?}");
            Some(v)
        }
        Err(e) => {
            println!("{what}: error {:?} {:?}", e.raw_os_error(), e.kind());
            None
        }
    }
}

fn shown(what: &str, r: std::io::Result<()>) {
    show(what, r);
}

fn main() {
    let lo: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let a = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP)).unwrap();
    let b = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP)).unwrap();
    shown("udp set_reuse_address", a.set_reuse_address(true));
    show("udp reuse_address", a.reuse_address());
    shown("udp bind a", a.bind(&lo.into()));
    shown("udp bind b", b.bind(&lo.into()));
    let ba = b.local_addr().unwrap();
    show("udp type", a.r#type());
    shown("udp set_broadcast", a.set_broadcast(true));
    show("udp broadcast", a.broadcast());
    shown("udp set_ttl", a.set_ttl_v4(9));
    show("udp ttl", a.ttl_v4());
    shown("udp set_recv_buffer_size", b.set_recv_buffer_size(65536));
    show("udp recv_buffer_size", b.recv_buffer_size());
    show("udp send_to", a.send_to(b"socket2", &ba));
    let mut buf = [MaybeUninit::<u8>::uninit(); 32];
    if let Some((n, from)) = show("udp recv_from", b.recv_from(&mut buf)) {
        let got: Vec<u8> = buf[..n]
            .iter()
            .map(|b| unsafe { b.assume_init() })
            .collect();
        println!(
            "udp data: {:?}, from a: {}",
            String::from_utf8_lossy(&got),
            from.as_socket() == a.local_addr().ok().and_then(|x| x.as_socket())
        );
    }
    shown(
        "udp set_read_timeout",
        b.set_read_timeout(Some(Duration::from_millis(20))),
    );
    show("udp read_timeout", b.read_timeout());
    let r = b.recv_from(&mut buf);
    println!(
        "udp recv_from with nothing sent: {}",
        matches!(&r, Err(e) if e.kind() == ErrorKind::TimedOut || e.kind() == ErrorKind::WouldBlock)
    );
    shown("udp set_nonblocking", b.set_nonblocking(true));
    show(
        "udp recv_from nonblocking",
        b.recv_from(&mut buf).map(|(n, _)| n),
    );

    let l = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP)).unwrap();
    shown("tcp bind", l.bind(&lo.into()));
    shown("tcp listen", l.listen(16));
    let la: SockAddr = l.local_addr().unwrap();
    let c = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP)).unwrap();
    shown("tcp set_nodelay", c.set_tcp_nodelay(true));
    show("tcp nodelay", c.tcp_nodelay());
    shown("tcp set_keepalive", c.set_keepalive(true));
    show("tcp keepalive", c.keepalive());
    shown("tcp set_linger", c.set_linger(Some(Duration::from_secs(1))));
    show("tcp linger", c.linger());
    shown("tcp connect", c.connect(&la));
    let accepted = l.accept();
    show(
        "tcp accept gives an address",
        accepted
            .as_ref()
            .map(|(_, a)| a.as_socket().is_some())
            .map_err(|e| std::io::Error::from(e.kind())),
    );
    if let Ok((mut s, _)) = accepted {
        let mut c = c;
        show("tcp write", c.write(b"stream"));
        let mut got = [0u8; 6];
        show("tcp read_exact", s.read_exact(&mut got).map(|()| got));
        show(
            "tcp take_error",
            c.take_error().map(|e| e.map(|e| e.raw_os_error())),
        );
        shown("tcp shutdown", s.shutdown(std::net::Shutdown::Both));
    }
    println!("done");
}
