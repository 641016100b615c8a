//! Socket options, ioctls, names, shutdown and library start-up.

use super::net::HostId;
use super::socket::{opt_int, put_int};
use super::world::World;
use crate::contract::consts::*;
use crate::contract::quirks::Quirk;
use crate::contract::types::WsaData;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// The pointer values `SIO_GET_EXTENSION_FUNCTION_POINTER` hands out. In the
/// model they only prove the lookup happened; the calls themselves are trait
/// methods.
pub(crate) const RECVMSG_FN_TOKEN: u64 = 0x0000_7FF0_0000_1000;
/// See [`RECVMSG_FN_TOKEN`].
pub(crate) const SENDMSG_FN_TOKEN: u64 = 0x0000_7FF0_0000_2000;

impl World {
    pub(crate) fn startup(&mut self, host: HostId, version: u16) -> Result<WsaData, i32> {
        let (major, minor) = (version & 0xFF, version >> 8);
        // WSAStartup: versions under 1.0 are not supported; above 2.2 the
        // library answers with 2.2, the highest it has.
        if major == 0 {
            return Err(WSAVERNOTSUPPORTED);
        }
        let agreed = if major > 2 || (major == 2 && minor >= 2) {
            WINSOCK_VERSION_2_2
        } else {
            version
        };
        self.hosts[host].startups += 1;
        Ok(WsaData {
            version: agreed,
            high_version: WINSOCK_VERSION_2_2,
            description: "winsock-double model".to_string(),
        })
    }

    pub(crate) fn cleanup(&mut self, host: HostId) -> Result<(), i32> {
        self.check_init(host)?;
        self.hosts[host].startups -= 1;
        if self.hosts[host].startups == 0 {
            // The last WSACleanup deallocates every socket of the process.
            let mine: Vec<u64> = self
                .sockets
                .iter()
                .filter(|(_, s)| s.host == host)
                .map(|(&id, _)| id)
                .collect();
            for id in mine {
                // WSACleanup: open sockets "are reset and automatically
                // deallocated as if closesocket were called".
                if self.sockets[&id]
                    .stream()
                    .is_some_and(|t| t.broken.is_none())
                {
                    self.reset_peer(id);
                }
                self.abort_ops(id, None, WSA_OPERATION_ABORTED, true, true);
                self.sockets.remove(&id);
                self.handles.free(id);
            }
        }
        Ok(())
    }

    pub(crate) fn shutdown(&mut self, host: HostId, s: u64, how: i32) -> Result<(), i32> {
        self.check_sock(host, s)?;
        if !self.sock(host, s)?.is_dgram() {
            self.stream_shutdown(s, how)?;
        }
        let st = self.sock_mut(host, s)?;
        // (WIN-SHUTDOWN-RECEIVE-PENDING: stream_shutdown closed the
        // receive side to new calls only.)
        let keep = how == SD_RECEIVE && st.shut_rd_new;
        match how {
            SD_RECEIVE if keep => {}
            SD_RECEIVE => st.shut_rd = true,
            SD_SEND => st.shut_wr = true,
            SD_BOTH => {
                st.shut_rd = true;
                st.shut_wr = true;
            }
            _ => return Err(WSAEINVAL),
        }
        // model choice: receives still outstanding when the receive side
        // shuts down complete with WSAESHUTDOWN, the code a new receive gets
        // (RECV-ESHUTDOWN); outstanding sends still leave.
        if how != SD_SEND && !keep {
            self.abort_ops(s, None, WSAESHUTDOWN, true, false);
        }
        Ok(())
    }

    pub(crate) fn getsockname(&self, host: HostId, s: u64) -> Result<SocketAddr, i32> {
        self.check_sock(host, s)?;
        self.sock(host, s)?.local.ok_or(WSAEINVAL)
    }

    pub(crate) fn getpeername(&self, host: HostId, s: u64) -> Result<SocketAddr, i32> {
        self.check_sock(host, s)?;
        let st = self.sock(host, s)?;
        // Wine's test_connecting_socket (on Windows): a non-blocking connect
        // under way already has its peer.
        use super::tcp::TcpState::{Connecting, Established};
        if !st.is_dgram()
            && (!matches!(st.tcp().state, Established | Connecting) || st.tcp().broken.is_some())
        {
            return Err(WSAENOTCONN);
        }
        st.peer.ok_or(WSAENOTCONN)
    }

    pub(crate) fn set_opt(
        &mut self,
        host: HostId,
        s: u64,
        level: i32,
        name: i32,
        value: &[u8],
    ) -> Result<(), i32> {
        self.check_sock(host, s)?;
        // WIN-SOCKOPT-SIZES (optsize.rs): the value as the 4 bytes the
        // option's code reads.
        let sized = self.sized_value(level, name, value)?;
        let value = sized.as_ref().map_or(value, |v| &v[..]);
        let sizes = self.quirk(Quirk::SockoptSizes);
        let so_error = self.quirk(Quirk::SoErrorSettable);
        // WIN-IP-OPTIONS, WIN-V6ONLY-ON-V4 (ipopt.rs)
        if let Some(r) = self.set_ip_opt(host, s, level, name, value) {
            return r;
        }
        let st = self.sock_mut(host, s)?;
        let v6 = st.is_v6();
        match (level, name) {
            (SOL_SOCKET, SO_BROADCAST) => st.opts.broadcast = opt_int(value)? != 0,
            (SOL_SOCKET, SO_RCVBUF) => st.opts.rcvbuf = nonneg(opt_int(value)?)?,
            (SOL_SOCKET, SO_SNDBUF) => st.opts.sndbuf = nonneg(opt_int(value)?)?,
            (SOL_SOCKET, SO_RCVTIMEO) => st.opts.rcvtimeo = opt_int(value)? as u32,
            (SOL_SOCKET, SO_SNDTIMEO) => st.opts.sndtimeo = opt_int(value)? as u32,
            (SOL_SOCKET, SO_REUSEADDR) => st.opts.reuseaddr = opt_int(value)? != 0,
            (SOL_SOCKET, SO_EXCLUSIVEADDRUSE) => st.opts.exclusive = opt_int(value)? != 0,
            (SOL_SOCKET, SO_DEBUG) => st.opts.ip_mut().debug = opt_int(value)? != 0,
            (SOL_SOCKET, SO_LINGER) if !st.is_dgram() => {
                // struct linger { u_short l_onoff; u_short l_linger; }
                if value.len() < 4 {
                    return Err(WSAEFAULT);
                }
                let on = u16::from_le_bytes([value[0], value[1]]);
                let secs = u16::from_le_bytes([value[2], value[3]]);
                st.opts.linger = (on != 0).then_some(secs);
                // WIN-SOCKOPT-SIZES: l_onoff reads back as it was set.
                if sizes {
                    st.opts.ip_mut().linger_on = on;
                }
            }
            (SOL_SOCKET, SO_DONTLINGER) if !st.is_dgram() => {
                if opt_int(value)? != 0 {
                    st.opts.linger = None;
                }
            }
            (SOL_SOCKET, SO_KEEPALIVE) if !st.is_dgram() => {
                st.opts.keepalive = opt_int(value)? != 0;
                // A connection whose peer cannot be reached starts (or
                // stops) its keep-alive count down.
                self.watch_connection(s);
            }
            (SOL_SOCKET, SO_OOBINLINE) if !st.is_dgram() => {
                st.opts.oobinline = opt_int(value)? != 0
            }
            (IPPROTO_TCP, TCP_NODELAY) if !st.is_dgram() => st.opts.nodelay = opt_int(value)? != 0,
            // WIN-SOCKOPT-SIZES: Windows keeps SO_DONTROUTE (a BOOLEAN);
            // the model routes as before.
            (SOL_SOCKET, SO_DONTROUTE) if sizes => {
                st.opts.ip_mut().dontroute = opt_int(value)? != 0
            }
            // WIN-SO-ERROR-SET
            (SOL_SOCKET, SO_ERROR) if so_error => {
                let v = opt_int(value)?;
                if st.is_dgram() {
                    st.opts.ip_mut().so_error = v;
                } else {
                    st.tcp_mut().so_error = v;
                }
            }
            (IPPROTO_IP, IP_PKTINFO) => st.opts.pktinfo4 = opt_int(value)? != 0,
            (IPPROTO_IP, IP_TTL) | (IPPROTO_IPV6, IPV6_UNICAST_HOPS) => {
                let t = opt_int(value)?;
                if !(1..=255).contains(&t) {
                    return Err(WSAEINVAL);
                }
                st.opts.ttl = t as u8;
            }
            (IPPROTO_IP, IP_MULTICAST_LOOP) | (IPPROTO_IPV6, IPV6_MULTICAST_LOOP) => {
                st.opts.mcast_loop = opt_int(value)? != 0
            }
            (IPPROTO_IP, IP_HDRINCL) if st.ty == SOCK_RAW => st.opts.hdrincl = opt_int(value)? != 0,
            (IPPROTO_IP, IP_ADD_MEMBERSHIP | IP_DROP_MEMBERSHIP) => {
                if value.len() < 8 {
                    return Err(WSAEFAULT);
                }
                let group = IpAddr::V4(Ipv4Addr::new(value[0], value[1], value[2], value[3]));
                let iface = Ipv4Addr::new(value[4], value[5], value[6], value[7]);
                return self.membership(
                    host,
                    s,
                    name == IP_ADD_MEMBERSHIP,
                    group,
                    IpAddr::V4(iface),
                    None,
                );
            }
            (IPPROTO_IPV6, _) if !v6 => return Err(WSAEINVAL),
            (IPPROTO_IPV6, IPV6_PKTINFO) => st.opts.pktinfo6 = opt_int(value)? != 0,
            (IPPROTO_IPV6, IPV6_V6ONLY) => {
                // Only before the socket is bound.
                if st.local.is_some() {
                    return Err(WSAEINVAL);
                }
                st.opts.v6only = opt_int(value)? != 0;
            }
            (IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP | IPV6_DROP_MEMBERSHIP) => {
                if value.len() < 20 {
                    return Err(WSAEFAULT);
                }
                let mut g = [0u8; 16];
                g.copy_from_slice(&value[..16]);
                let idx = u32::from_le_bytes([value[16], value[17], value[18], value[19]]);
                let group = IpAddr::V6(Ipv6Addr::from(g));
                return self.membership(
                    host,
                    s,
                    name == IPV6_ADD_MEMBERSHIP,
                    group,
                    IpAddr::V6(Ipv6Addr::UNSPECIFIED),
                    Some(idx),
                );
            }
            // WIN-SOCKOPT-SIZES: a level Windows has no options at
            // (sock.c:1421-1435: 0xffffffff, 0x8000).
            _ if sizes && !known_level(level) => return Err(WSAEINVAL),
            _ => return Err(WSAENOPROTOOPT),
        }
        Ok(())
    }

    fn membership(
        &mut self,
        host: HostId,
        s: u64,
        join: bool,
        group: IpAddr,
        iface: IpAddr,
        index: Option<u32>,
    ) -> Result<(), i32> {
        if !group.is_multicast() {
            return Err(WSAEINVAL);
        }
        let index = match index {
            Some(i) => i,
            None if iface.is_unspecified() => 0,
            None => self.hosts[host]
                .iface_of(&iface)
                .map(|i| i.index)
                .ok_or(WSAEADDRNOTAVAIL)?,
        };
        let st = self.sock_mut(host, s)?;
        if join {
            if !st.groups.insert((group, index)) {
                return Err(WSAEADDRINUSE);
            }
        } else if !st.groups.remove(&(group, index)) {
            return Err(WSAEADDRNOTAVAIL);
        }
        Ok(())
    }

    pub(crate) fn get_opt(
        &self,
        host: HostId,
        s: u64,
        level: i32,
        name: i32,
        out: &mut [u8],
    ) -> Result<usize, i32> {
        self.check_sock(host, s)?;
        // WIN-IP-OPTIONS, WIN-V6ONLY-ON-V4 (ipopt.rs)
        if let Some(r) = self.get_ip_opt(host, s, level, name, out) {
            return r;
        }
        let st = self.sock(host, s)?;
        let v = match (level, name) {
            (SOL_SOCKET, SO_BROADCAST) => i32::from(st.opts.broadcast),
            (SOL_SOCKET, SO_RCVBUF) => st.opts.rcvbuf as i32,
            (SOL_SOCKET, SO_SNDBUF) => st.opts.sndbuf as i32,
            (SOL_SOCKET, SO_RCVTIMEO) => st.opts.rcvtimeo as i32,
            (SOL_SOCKET, SO_SNDTIMEO) => st.opts.sndtimeo as i32,
            (SOL_SOCKET, SO_REUSEADDR) => i32::from(st.opts.reuseaddr),
            (SOL_SOCKET, SO_EXCLUSIVEADDRUSE) => i32::from(st.opts.exclusive),
            (SOL_SOCKET, SO_TYPE) => st.ty,
            // (A datagram socket's is WIN-SO-ERROR-SET's, 0 without it.)
            (SOL_SOCKET, SO_ERROR) => st.stream().map_or(st.opts.ip().so_error, |t| t.so_error),
            (SOL_SOCKET, SO_ACCEPTCONN) => i32::from(
                st.stream()
                    .is_some_and(|t| t.state == super::tcp::TcpState::Listening),
            ),
            (SOL_SOCKET, SO_LINGER) if !st.is_dgram() => {
                if out.len() < 4 {
                    return Err(WSAEFAULT);
                }
                let (on, secs) = st.opts.linger.map_or((0u16, 0u16), |t| (1, t));
                // WIN-SOCKOPT-SIZES: l_onoff as it was set.
                let on = if on != 0 && self.quirk(Quirk::SockoptSizes) {
                    st.opts.ip().linger_on
                } else {
                    on
                };
                out[..2].copy_from_slice(&on.to_le_bytes());
                out[2..4].copy_from_slice(&secs.to_le_bytes());
                return Ok(4);
            }
            (SOL_SOCKET, SO_DONTLINGER) if !st.is_dgram() => i32::from(st.opts.linger.is_none()),
            (SOL_SOCKET, SO_KEEPALIVE) if !st.is_dgram() => i32::from(st.opts.keepalive),
            // SO_CONNECT_TIME: "the number of seconds a socket has been
            // connected", 0xFFFFFFFF when it is not (SOL_SOCKET socket
            // options; sock.c:13504-13572: a new socket, then 0 at once on
            // both ends of a connection; a datagram socket, connected or
            // not, 0xFFFFFFFF).
            (SOL_SOCKET, SO_CONNECT_TIME) => match st.stream().and_then(|t| t.established_at) {
                Some(at) => ((self.now - at) / 1_000_000_000) as i32,
                None => -1,
            },
            // SO_DEBUG: "Debugging is enabled"; recorded, as a BOOL
            // (sock.c:12925-12960: 0 on a new socket, 1 after setting 2).
            (SOL_SOCKET, SO_DEBUG) => i32::from(st.opts.ip().debug),
            (SOL_SOCKET, SO_OOBINLINE) if !st.is_dgram() => i32::from(st.opts.oobinline),
            (IPPROTO_TCP, TCP_NODELAY) if !st.is_dgram() => i32::from(st.opts.nodelay),
            (SOL_SOCKET, SO_DONTROUTE) if self.quirk(Quirk::SockoptSizes) => {
                i32::from(st.opts.ip().dontroute)
            }
            (SOL_SOCKET, SO_MAX_MSG_SIZE) if st.is_dgram() || st.sends_messages() => {
                // SENDMSG-MAX-MSG-SIZE-OPTION: the limit sends enforce.
                st.max_msg_size() as i32
            }
            (SOL_SOCKET, SO_PROTOCOL_INFOW) => {
                let windows = self.quirk(Quirk::ProtocolCatalog);
                return super::protocols::protocol_info(st, out, windows);
            }
            (IPPROTO_IP, IP_PKTINFO) => i32::from(st.opts.pktinfo4),
            (IPPROTO_IP, IP_TTL) => i32::from(st.opts.ttl),
            (IPPROTO_IP, IP_MULTICAST_LOOP) => i32::from(st.opts.mcast_loop),
            (IPPROTO_IPV6, _) if !st.is_v6() => return Err(WSAEINVAL),
            (IPPROTO_IPV6, IPV6_PKTINFO) => i32::from(st.opts.pktinfo6),
            (IPPROTO_IPV6, IPV6_V6ONLY) => i32::from(st.opts.v6only),
            (IPPROTO_IPV6, IPV6_UNICAST_HOPS) => i32::from(st.opts.ttl),
            (IPPROTO_IPV6, IPV6_MULTICAST_LOOP) => i32::from(st.opts.mcast_loop),
            // WIN-SOCKOPT-SIZES: a level Windows has no options at
            // (sock.c:4880-4920).
            _ if self.quirk(Quirk::SockoptSizes) && !known_level(level) => return Err(WSAEINVAL),
            _ => return Err(WSAENOPROTOOPT),
        };
        put_int(out, v)
    }

    pub(crate) fn ioctl(
        &mut self,
        host: HostId,
        s: u64,
        cmd: u32,
        arg: &mut u32,
    ) -> Result<(), i32> {
        self.check_sock(host, s)?;
        // ioctlsocket, FIONBIO: "If WSAAsyncSelect or WSAEventSelect has
        // been issued on a socket, then any attempt to use ioctlsocket to
        // set the socket back to blocking mode will fail with WSAEINVAL"
        // (https://learn.microsoft.com/en-us/windows/win32/api/winsock/nf-winsock-ioctlsocket).
        if cmd == FIONBIO && *arg == 0 && self.net_selected(s) {
            return Err(WSAEINVAL);
        }
        let st = self.sock_mut(host, s)?;
        match cmd {
            FIONBIO => st.nonblocking = *arg != 0,
            // ioctlsocket: for message-oriented sockets FIONREAD is the
            // total of the data queued, not the size of the next datagram.
            FIONREAD => *arg = st.readable_bytes() as u32,
            // ioctlsocket: SIOCATMARK tells whether urgent data waits.
            SIOCATMARK if st.xp1(XP1_EXPEDITED_DATA) => {
                *arg = u32::from(super::urgent::at_mark(st))
            }
            _ => return Err(WSAEINVAL),
        }
        Ok(())
    }

    pub(crate) fn wsa_ioctl(
        &mut self,
        host: HostId,
        s: u64,
        code: u32,
        input: &[u8],
        output: &mut [u8],
    ) -> Result<usize, i32> {
        self.check_sock(host, s)?;
        match code {
            FIONBIO => {
                let mut v = opt_int(input)? as u32;
                self.ioctl(host, s, FIONBIO, &mut v)?;
                Ok(0)
            }
            // Winsock IOCTLs: FIONREAD and SIOCATMARK answer through
            // WSAIoctl as through ioctlsocket, into a u_long of output.
            FIONREAD | SIOCATMARK => {
                if output.len() < 4 {
                    return Err(WSAEFAULT);
                }
                let mut v = 0;
                self.ioctl(host, s, code, &mut v)?;
                put_int(output, v as i32)
            }
            SIO_GET_EXTENSION_FUNCTION_POINTER => {
                // RECVMSG-EXTENSION-POINTER, SENDMSG-EXTENSION-POINTER
                let guid = Guid::from_bytes(input).ok_or(WSAEFAULT)?;
                let token = if guid == WSAID_WSARECVMSG {
                    RECVMSG_FN_TOKEN
                } else if guid == WSAID_WSASENDMSG {
                    SENDMSG_FN_TOKEN
                } else {
                    return Err(WSAEINVAL);
                };
                if output.len() < 8 {
                    return Err(WSAEFAULT);
                }
                output[..8].copy_from_slice(&token.to_le_bytes());
                Ok(8)
            }
            SIO_UDP_CONNRESET | SIO_UDP_NETRESET => {
                let on = opt_int(input)? != 0;
                let st = self.sock_mut(host, s)?;
                if st.ty != SOCK_DGRAM {
                    return Err(WSAEINVAL);
                }
                if code == SIO_UDP_CONNRESET {
                    st.opts.connreset = on;
                } else {
                    // "Windows 7 and later: controls whether UDP datagram
                    // sockets can report ICMP TTL expired messages"
                    // (Winsock IOCTLs, SIO_UDP_NETRESET).
                    st.opts.netreset = on;
                }
                Ok(0)
            }
            SIO_BASE_HANDLE | SIO_BSP_HANDLE | SIO_BSP_HANDLE_SELECT | SIO_BSP_HANDLE_POLL => {
                // Winsock IOCTLs: the base service provider's handle (the
                // one select or WSAPoll would use). The model has no layered
                // providers: every socket is its own base (mio and libuv ask
                // for it on every socket they use).
                if output.len() < 8 {
                    return Err(WSAEFAULT);
                }
                // (The program's handle for it: handles.rs.)
                output[..8].copy_from_slice(&self.handles.handle(s).to_le_bytes());
                Ok(8)
            }
            SIO_KEEPALIVE_VALS => {
                // SIO_KEEPALIVE_VALS: a tcp_keepalive (onoff, keepalivetime
                // and keepaliveinterval in milliseconds, three ULONGs);
                // cbInBuffer "should be equal to or greater than" its size
                // (shorter: WSAEFAULT, as Windows answers in Wine's
                // test_keepalive_vals, sock.c:5414-5418); nothing comes
                // back. It sets the connection's keep-alive, as SO_KEEPALIVE
                // does, with its own time and interval.
                if input.len() < 12 {
                    return Err(WSAEFAULT);
                }
                let st = self.sock_mut(host, s)?;
                // model choice: keep-alive is TCP's; a datagram socket has none.
                if st.is_dgram() {
                    return Err(WSAEINVAL);
                }
                let word = |i: usize| {
                    u64::from(u32::from_le_bytes([
                        input[i],
                        input[i + 1],
                        input[i + 2],
                        input[i + 3],
                    ]))
                };
                st.opts.keepalive = word(0) != 0;
                st.tcp_mut().keepalive_vals = Some((word(4) * 1_000_000, word(8) * 1_000_000));
                // A count down under way starts again with the new values.
                self.stop_keepalive_timer(s);
                self.watch_connection(s);
                Ok(0)
            }
            // WIN-IOCTL-EOPNOTSUPP: Windows flushes no stream socket.
            SIO_FLUSH
                if self.quirk(Quirk::IoctlUnknownEopnotsupp) && !self.sock(host, s)?.is_dgram() =>
            {
                Err(WSAEOPNOTSUPP)
            }
            SIO_FLUSH => {
                // SENDMSG-OPERATION-ABORTED-FLUSH: the send queue is
                // discarded; outstanding overlapped sends are cancelled.
                self.abort_ops(s, None, WSA_OPERATION_ABORTED, false, true);
                Ok(0)
            }
            // WIN-IOCTL-EOPNOTSUPP: a code Windows does not know.
            _ if self.quirk(Quirk::IoctlUnknownEopnotsupp) => Err(WSAEOPNOTSUPP),
            // WSAIoctl: "WSAEINVAL: The dwIoControlCode parameter is not a
            // valid command".
            _ => Err(WSAEINVAL),
        }
    }
}

/// The levels Windows has options at (`WIN-SOCKOPT-SIZES`).
fn known_level(level: i32) -> bool {
    matches!(
        level,
        SOL_SOCKET | IPPROTO_IP | IPPROTO_IPV6 | IPPROTO_TCP | IPPROTO_UDP
    )
}

fn nonneg(v: i32) -> Result<u32, i32> {
    u32::try_from(v).map_err(|_| WSAEINVAL)
}
