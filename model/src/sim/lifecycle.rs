//! The calls every socket kind shares: creating a socket, binding it
//! (explicitly or on first use), connecting it, closing it.

use super::dgram::{unspecified, wire, wire_ip};
use super::net::{is_multicast, HostId};
use super::socket::SocketState;
use super::world::World;
use crate::contract::consts::*;
use crate::contract::quirks::Quirk;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// The ephemeral port range of current Windows (`netsh int ipv4 show
/// dynamicport udp`: start 49152, 16384 ports).
const EPHEMERAL_FIRST: u16 = 49152;
const EPHEMERAL_COUNT: u16 = 16384;

/// `WIN-SOCKET-TRIPLE`: how Windows matches a `WSASocket` triple against
/// its providers before the checks every profile makes: with `AF_UNSPEC`
/// a protocol must be named (`WSAEINVAL`); an unknown type is
/// `WSAESOCKTNOSUPPORT` before an unknown family is `WSAEAFNOSUPPORT`;
/// `AF_UNSPEC` is `AF_INET`; type 0 takes TCP's or UDP's type from the
/// protocol (and is a TCP stream with protocol 0, a raw socket with
/// `IPPROTO_RAW`); another protocol with
/// type 0 is `WSAEPROTONOSUPPORT`.
fn windows_triple(af: i32, ty: i32, protocol: i32) -> Result<(i32, i32, i32), i32> {
    if af == AF_UNSPEC && protocol == 0 {
        return Err(WSAEINVAL);
    }
    if !matches!(
        ty,
        0 | SOCK_STREAM | SOCK_DGRAM | SOCK_RAW | SOCK_RDM | SOCK_SEQPACKET
    ) {
        return Err(WSAESOCKTNOSUPPORT);
    }
    let af = match af {
        AF_UNSPEC => AF_INET,
        AF_INET | AF_INET6 => af,
        _ => return Err(WSAEAFNOSUPPORT),
    };
    let ty = match (ty, protocol) {
        (0, 0 | IPPROTO_TCP) => SOCK_STREAM,
        (0, IPPROTO_UDP) => SOCK_DGRAM,
        // (sock.c:3300-3312: the raw entry's protocol.)
        (0, IPPROTO_RAW) => SOCK_RAW,
        (0, _) => return Err(WSAEPROTONOSUPPORT),
        (t, _) => t,
    };
    Ok((af, ty, protocol))
}

impl World {
    // ---- creation, binding, connecting, closing ----

    pub(crate) fn socket_create(
        &mut self,
        host: HostId,
        af: i32,
        ty: i32,
        protocol: i32,
        flags: u32,
    ) -> Result<u64, i32> {
        self.check_init(host)?;
        if self.hosts[host].down {
            return Err(WSAENETDOWN);
        }
        let (af, ty, protocol) = if self.quirk(Quirk::SocketTriple) {
            windows_triple(af, ty, protocol)?
        } else {
            (af, ty, protocol)
        };
        if af != AF_INET && af != AF_INET6 {
            return Err(WSAEAFNOSUPPORT);
        }
        // The simulated message protocols (model only) sit beside TCP and
        // UDP: IPPROTO_SIM_MSG as a pseudo-stream or SOCK_SEQPACKET,
        // IPPROTO_SIM_MSG_PARTIAL as SOCK_SEQPACKET or SOCK_DGRAM.
        let ok_proto = match ty {
            SOCK_DGRAM => matches!(protocol, 0 | IPPROTO_UDP | IPPROTO_SIM_MSG_PARTIAL),
            SOCK_STREAM => matches!(protocol, 0 | IPPROTO_TCP | IPPROTO_SIM_MSG),
            SOCK_SEQPACKET => matches!(protocol, 0 | IPPROTO_SIM_MSG | IPPROTO_SIM_MSG_PARTIAL),
            SOCK_RAW => (0..=255).contains(&protocol),
            _ => return Err(WSAESOCKTNOSUPPORT),
        };
        if !ok_proto {
            return Err(WSAEPROTONOSUPPORT);
        }
        // WSASocketW: WSA_FLAG_REGISTERED_IO makes a socket the RIO
        // functions take (they are not modelled; the socket works as any
        // other); the multipoint flags and WSA_FLAG_ACCESS_SYSTEM_SECURITY
        // are refused (model choice).
        let known = WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT | WSA_FLAG_REGISTERED_IO;
        if flags & !known != 0 {
            return Err(WSAEINVAL);
        }
        let protocol = match (ty, protocol) {
            (SOCK_DGRAM, 0) => IPPROTO_UDP,
            (SOCK_STREAM, 0) => IPPROTO_TCP,
            (SOCK_SEQPACKET, 0) => IPPROTO_SIM_MSG,
            (_, p) => p,
        };
        let h = self.alloc_handle();
        self.raw_made |= ty == SOCK_RAW;
        self.sockets.insert(
            h,
            SocketState::new(host, af, ty, protocol, flags & WSA_FLAG_OVERLAPPED != 0),
        );
        Ok(h)
    }

    /// Whether binding `s` to `a` collides with another socket's binding.
    fn bind_conflict(&self, s: u64, a: &SocketAddr) -> bool {
        let me = &self.sockets[&s];
        if me.ty == SOCK_RAW || a.port() == 0 {
            return false;
        }
        let mine = wire_ip(a.ip());
        let me_dual = me.dual_stack() && a.ip().is_unspecified();
        self.sockets.iter().any(|(&id, o)| {
            let Some(l) = o.local else { return false };
            if id == s
                || o.host != me.host
                || o.ty != me.ty
                || o.protocol != me.protocol
                || l.port() != a.port()
            {
                return false;
            }
            let theirs = wire_ip(l.ip());
            let o_dual = o.dual_stack() && l.ip().is_unspecified();
            let same = theirs == mine
                || (me_dual && theirs == IpAddr::V4(Ipv4Addr::UNSPECIFIED))
                || (o_dual && mine == IpAddr::V4(Ipv4Addr::UNSPECIFIED));
            let wildcard_overlap = theirs.is_ipv4() == mine.is_ipv4()
                && (theirs.is_unspecified() || mine.is_unspecified());
            if same {
                !(me.opts.reuseaddr && o.opts.reuseaddr) || me.opts.exclusive || o.opts.exclusive
            } else {
                wildcard_overlap && (me.opts.exclusive || o.opts.exclusive)
            }
        })
    }

    pub(crate) fn bind(&mut self, host: HostId, s: u64, a: SocketAddr) -> Result<(), i32> {
        self.check_sock(host, s)?;
        let st = &self.sockets[&s];
        if st.local.is_some() {
            return Err(WSAEINVAL);
        }
        if a.is_ipv6() != st.is_v6() {
            return Err(WSAEFAULT);
        }
        let ip = wire_ip(a.ip());
        if ip.is_ipv4() && a.is_ipv6() && !st.dual_stack() {
            return Err(WSAEADDRNOTAVAIL);
        }
        if !self.is_local(host, &ip) && !is_multicast(&ip) {
            return Err(WSAEADDRNOTAVAIL);
        }
        let mut a = a;
        if a.port() == 0 && st.ty != SOCK_RAW {
            let port = self.ephemeral(s, a.ip())?;
            a.set_port(port);
        }
        if self.bind_conflict(s, &a) {
            return Err(WSAEADDRINUSE);
        }
        self.sockets.set_local(s, a);
        Ok(())
    }

    /// Picks a free ephemeral port: a seeded start in the dynamic range, then
    /// upwards, as Windows randomises its choice.
    fn ephemeral(&mut self, s: u64, ip: IpAddr) -> Result<u16, i32> {
        let start = self.rng.below(u64::from(EPHEMERAL_COUNT)) as u16;
        for k in 0..EPHEMERAL_COUNT {
            let port = EPHEMERAL_FIRST + (start + k) % EPHEMERAL_COUNT;
            if !self.bind_conflict(s, &SocketAddr::new(ip, port)) {
                return Ok(port);
            }
        }
        Err(WSAENOBUFS)
    }

    /// Binds an unbound socket to the wildcard address and an ephemeral port
    /// (what `sendto` and `connect` do implicitly).
    pub(crate) fn implicit_bind(&mut self, s: u64, ip: Option<IpAddr>) -> Result<(), i32> {
        let st = &self.sockets[&s];
        if st.local.is_some() {
            return Ok(());
        }
        let ip = ip.unwrap_or_else(|| unspecified(st.is_v6()));
        let port = if st.ty == SOCK_RAW {
            0
        } else {
            self.ephemeral(s, ip)?
        };
        self.sockets.set_local(s, SocketAddr::new(ip, port));
        Ok(())
    }

    pub(crate) fn connect(&mut self, host: HostId, s: u64, a: SocketAddr) -> Result<(), i32> {
        self.check_sock(host, s)?;
        let st = &self.sockets[&s];
        if !st.is_dgram() {
            return Err(WSAEOPNOTSUPP);
        }
        if a.is_ipv6() != st.is_v6() {
            return Err(WSAEAFNOSUPPORT);
        }
        // `connect` documentation: an all-zero address dissolves the
        // association of a connectionless socket.
        if a.ip().is_unspecified() {
            self.sockets.get_mut(&s).expect("checked").peer = None;
            return Ok(());
        }
        let w = wire(st, a)?;
        let route = self.route(host, st, w.ip(), None)?;
        // RECV-IMPLICIT-BIND: connect binds an unbound socket.
        if self.sockets[&s].local.is_none() {
            let src = if self.sockets[&s].is_v6() && route.src_ip.is_ipv4() {
                match route.src_ip {
                    IpAddr::V4(v4) => IpAddr::V6(v4.to_ipv6_mapped()),
                    v6 => v6,
                }
            } else {
                route.src_ip
            };
            self.implicit_bind(s, Some(src))?;
        }
        self.sockets.get_mut(&s).expect("checked").peer = Some(a);
        Ok(())
    }

    pub(crate) fn close(&mut self, host: HostId, s: u64) -> Result<(), i32> {
        self.check_init(host)?;
        let st = self.sock(host, s)?;
        // A connected stream socket's outstanding operations end with
        // WSAECONNABORTED under this quirk.
        let aborted = if self.quirk(Quirk::CloseAbortsStreamOpsConnAborted)
            && !st.is_dgram()
            && st.peer.is_some()
        {
            WSAECONNABORTED
        } else {
            WSA_OPERATION_ABORTED
        };
        if !st.is_dgram() {
            self.stream_close(s);
        }
        // RECV-OPERATION-ABORTED-CLOSE, RECVMSG-OPERATION-ABORTED-CLOSE,
        // SENDMSG-OPERATION-ABORTED-CLOSE
        self.abort_ops(s, None, aborted, true, true);
        self.sockets.remove(&s);
        // "The socket descriptor ... may immediately be reused"
        // (`closesocket`, Remarks; handles.rs).
        self.handles.free(s);
        Ok(())
    }
}
