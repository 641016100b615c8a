//! The IP-level and UDP-level options Windows has beyond the seed pages
//! (`WIN-IP-OPTIONS`, `WIN-V6ONLY-ON-V4`): which socket types take each,
//! what is kept, what `getsockopt` reads back, and the path MTU that
//! `IP_MTU` reports and don't-fragment sends are held to.
//!
//! The validity rules are those of Wine's `test_sockopt_validity`, run on
//! Windows (see the quirk's source): an option a socket type does not take
//! is `WSAEINVAL`, an option name no table has falls through to the seed
//! pages' options in `sockopt.rs` (and from there to `WSAENOPROTOOPT`).
//! Every value is a `DWORD`/`int` of 4 bytes but `IP_OPTIONS` (bytes).

use super::ip_opts::IpOpts;
use super::net::{HostId, LOOPBACK_INDEX, LOOPBACK_MTU};
use super::socket::{opt_int, put_int, SocketState};
use super::world::World;
use crate::contract::consts::*;
use crate::contract::quirks::Quirk;
use std::net::{IpAddr, SocketAddr};

/// Which socket types an option is valid on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum On {
    /// Every type.
    All,
    /// Datagram and raw sockets (a stream socket gets `WSAEINVAL`).
    Dgram,
    /// UDP sockets only (a raw one gets `WSAEINVAL` too).
    Udp,
    /// Raw sockets only.
    Raw,
}

fn allowed(st: &SocketState, on: On) -> bool {
    match on {
        On::All => true,
        On::Dgram => st.is_dgram(),
        On::Udp => st.ty == SOCK_DGRAM,
        On::Raw => st.ty == SOCK_RAW,
    }
}

/// The largest `IP_OPTIONS` (the IPv4 header's option space).
const MAX_IP_OPTIONS: usize = 40;

impl World {
    /// `setsockopt` of an option of this room: `None` when it is not one
    /// (or the profile does not have the quirks), so that `sockopt.rs`
    /// goes on.
    pub(crate) fn set_ip_opt(
        &mut self,
        host: HostId,
        s: u64,
        level: i32,
        name: i32,
        value: &[u8],
    ) -> Option<Result<(), i32>> {
        let v6only_on_v4 = self.quirk(Quirk::V6OnlyOnV4);
        let options = self.quirk(Quirk::IpOptions);
        if !options && !v6only_on_v4 {
            return None;
        }
        let st = self.sock_mut(host, s).ok()?;
        // WIN-V6ONLY-ON-V4: the AF_INET6 rule (only before bind) on an
        // AF_INET socket too.
        if (level, name) == (IPPROTO_IPV6, IPV6_V6ONLY) && !st.is_v6() && v6only_on_v4 {
            return Some(opt_int(value).and_then(|v| {
                if st.local.is_some() {
                    return Err(WSAEINVAL);
                }
                st.opts.v6only = v != 0;
                Ok(())
            }));
        }
        if !options {
            return None;
        }
        let on = spec(st, level, name)?;
        if !allowed(st, on) {
            return Some(Err(WSAEINVAL));
        }
        Some(store(st.opts.ip_mut(), level, name, value))
    }

    /// `getsockopt` of an option of this room: `None` when it is not one.
    pub(crate) fn get_ip_opt(
        &self,
        host: HostId,
        s: u64,
        level: i32,
        name: i32,
        out: &mut [u8],
    ) -> Option<Result<usize, i32>> {
        let st = self.sock(host, s).ok()?;
        // WIN-V6ONLY-ON-V4
        if (level, name) == (IPPROTO_IPV6, IPV6_V6ONLY)
            && !st.is_v6()
            && self.quirk(Quirk::V6OnlyOnV4)
        {
            return Some(put_int(out, i32::from(st.opts.v6only)));
        }
        if !self.quirk(Quirk::IpOptions) {
            return None;
        }
        let on = spec(st, level, name)?;
        if !allowed(st, on) {
            return Some(Err(WSAEINVAL));
        }
        let ip = st.opts.ip();
        let v = match (level, name) {
            (IPPROTO_IP, IP_OPTIONS) => {
                let n = ip.options.len();
                if out.len() < n {
                    return Some(Err(WSAEFAULT));
                }
                out[..n].copy_from_slice(&ip.options);
                return Some(Ok(n));
            }
            (IPPROTO_IP, IP_MTU) | (IPPROTO_IPV6, IPV6_MTU) => match self.connected_mtu(st) {
                Ok(m) => m as i32,
                Err(e) => return Some(Err(e)),
            },
            _ => read(ip, level, name)?,
        };
        Some(put_int(out, v))
    }

    /// `IP_MTU` / `IPV6_MTU`: the path MTU towards a connected socket's
    /// peer; `WSAENOTCONN` without one.
    fn connected_mtu(&self, st: &SocketState) -> Result<u32, i32> {
        let peer = match st.stream() {
            Some(t) if t.state != super::tcp::TcpState::Established => None,
            _ => st.peer,
        };
        let peer = peer.ok_or(WSAENOTCONN)?;
        Ok(self.path_mtu(st.host, st, peer))
    }

    /// The MTU of the path from `host` (socket `st`) to `dst`: loopback's
    /// for a destination on the host itself, else the smaller of the
    /// sending interface's and the receiving interface's, lowered to the
    /// socket's `IP_USER_MTU` when that is set. Routers between are not
    /// modelled: their links have no MTU of their own.
    pub(crate) fn path_mtu(&self, host: HostId, st: &SocketState, dst: SocketAddr) -> u32 {
        let dst = super::dgram::wire_ip(dst.ip());
        let h = &self.hosts[host];
        let link = if h.owns(&dst) {
            LOOPBACK_MTU
        } else {
            let from = st
                .local
                .map(|l| super::dgram::wire_ip(l.ip()))
                .filter(|ip| !ip.is_unspecified())
                .and_then(|ip| h.iface_of(&ip))
                .or_else(|| h.first_iface(dst.is_ipv4()))
                .filter(|i| i.index != LOOPBACK_INDEX)
                .map_or(super::net::DEFAULT_MTU, |i| i.mtu);
            let to = self
                .owner_of(&dst)
                .and_then(|t| self.hosts[t].iface_of(&dst))
                .map_or(from, |i| i.mtu);
            from.min(to)
        };
        let user = if dst.is_ipv4() {
            st.opts.ip().user_mtu4
        } else {
            st.opts.ip().user_mtu6
        };
        if user != 0 {
            link.min(user)
        } else {
            link
        }
    }
}

/// The socket types option (`level`, `name`) is valid on, for the options
/// of this room and for those of the seed pages Windows refuses on some
/// types; `None` for any other (it goes on to `sockopt.rs`).
fn spec(st: &SocketState, level: i32, name: i32) -> Option<On> {
    // (An option of an IPv6 level on an IPv4 socket is sockopt.rs's
    // WSAEINVAL.)
    if level == IPPROTO_IPV6 && !st.is_v6() {
        return None;
    }
    Some(match (level, name) {
        (IPPROTO_IP, IP_HDRINCL) if st.ty != SOCK_RAW => On::Raw,
        (IPPROTO_IP, IP_OPTIONS | IP_TOS | IP_DONTFRAGMENT | IP_UNICAST_IF) => On::All,
        (IPPROTO_IP, IP_MTU_DISCOVER | IP_MTU | IP_USER_MTU) => On::All,
        (IPPROTO_IP, IP_RECVTTL | IP_RECVTOS | IP_RECVECN) => On::Dgram,
        (IPPROTO_IP, IP_MULTICAST_IF | IP_MULTICAST_TTL) => On::Dgram,
        (IPPROTO_IP, IP_PKTINFO | IP_MULTICAST_LOOP) if !st.is_dgram() => On::Dgram,
        (IPPROTO_IP, IP_RECVERR) => On::Udp,
        (IPPROTO_IPV6, IPV6_TCLASS | IPV6_DONTFRAG | IPV6_UNICAST_IF) => On::All,
        (IPPROTO_IPV6, IPV6_MTU_DISCOVER | IPV6_MTU | IPV6_USER_MTU) => On::All,
        (IPPROTO_IPV6, IPV6_HOPLIMIT | IPV6_RECVTCLASS | IPV6_RECVECN) => On::Dgram,
        (IPPROTO_IPV6, IPV6_MULTICAST_IF | IPV6_MULTICAST_HOPS) => On::Dgram,
        (IPPROTO_IPV6, IPV6_PKTINFO | IPV6_MULTICAST_LOOP) if !st.is_dgram() => On::Dgram,
        (IPPROTO_IPV6, IPV6_RECVERR) => On::Udp,
        // UDP_NOCHECKSUM "is not supported for IPv6".
        (IPPROTO_UDP, UDP_NOCHECKSUM) if !st.is_v6() => On::Udp,
        (IPPROTO_UDP, UDP_SEND_MSG_SIZE | UDP_RECV_MAX_COALESCED_SIZE) => On::Udp,
        _ => return None,
    })
}

/// Keeps the value of an option `spec` knows and the socket takes.
fn store(ip: &mut IpOpts, level: i32, name: i32, value: &[u8]) -> Result<(), i32> {
    if (level, name) == (IPPROTO_IP, IP_OPTIONS) {
        if value.len() > MAX_IP_OPTIONS {
            return Err(WSAEINVAL);
        }
        ip.options = value.to_vec();
        return Ok(());
    }
    let v = opt_int(value)?;
    let on = v != 0;
    match (level, name) {
        (IPPROTO_IP, IP_TOS) => ip.tos4 = v as u8,
        (IPPROTO_IP, IP_DONTFRAGMENT) => ip.dontfrag4 = on,
        (IPPROTO_IP, IP_RECVTTL) => ip.recvttl4 = on,
        (IPPROTO_IP, IP_RECVTOS) => ip.recvtos4 = on,
        (IPPROTO_IP, IP_RECVECN) => ip.recvecn4 = on,
        (IPPROTO_IP, IP_RECVERR) => ip.recverr4 = on,
        (IPPROTO_IP, IP_UNICAST_IF) => ip.unicast_if4 = v as u32,
        (IPPROTO_IP, IP_MULTICAST_IF) => ip.mcast_if4 = v as u32,
        (IPPROTO_IP, IP_MULTICAST_TTL) => ip.mcast_ttl4 = v as u32,
        (IPPROTO_IP, IP_MTU_DISCOVER) => ip.mtu_discover4 = mtu_discover(v)?,
        (IPPROTO_IP, IP_USER_MTU) => ip.user_mtu4 = v as u32,
        (IPPROTO_IPV6, IPV6_TCLASS) => ip.tclass6 = v as u8,
        (IPPROTO_IPV6, IPV6_DONTFRAG) => ip.dontfrag6 = on,
        (IPPROTO_IPV6, IPV6_HOPLIMIT) => ip.recvhop6 = on,
        (IPPROTO_IPV6, IPV6_RECVTCLASS) => ip.recvtclass6 = on,
        (IPPROTO_IPV6, IPV6_RECVECN) => ip.recvecn6 = on,
        (IPPROTO_IPV6, IPV6_RECVERR) => ip.recverr6 = on,
        (IPPROTO_IPV6, IPV6_UNICAST_IF) => ip.unicast_if6 = v as u32,
        (IPPROTO_IPV6, IPV6_MULTICAST_IF) => ip.mcast_if6 = v as u32,
        (IPPROTO_IPV6, IPV6_MULTICAST_HOPS) => ip.mcast_hops6 = v as u32,
        (IPPROTO_IPV6, IPV6_MTU_DISCOVER) => ip.mtu_discover6 = mtu_discover(v)?,
        (IPPROTO_IPV6, IPV6_USER_MTU) => ip.user_mtu6 = v as u32,
        (IPPROTO_UDP, UDP_NOCHECKSUM) => ip.nochecksum = on,
        (IPPROTO_UDP, UDP_SEND_MSG_SIZE) => ip.send_msg_size = v as u32,
        (IPPROTO_UDP, UDP_RECV_MAX_COALESCED_SIZE) => ip.max_coalesced = v as u32,
        // model choice: the path MTU is read only.
        (IPPROTO_IP, IP_MTU) | (IPPROTO_IPV6, IPV6_MTU) => return Err(WSAEINVAL),
        // The seed pages' options on a socket type that takes them are
        // sockopt.rs's (spec sends only the refused ones here, and those
        // never reach this point).
        _ => unreachable!("spec knows ({level}, {name}) but store does not"),
    }
    Ok(())
}

/// The value of an option `spec` knows (`None` for the seed pages' ones,
/// which `sockopt.rs` reads).
fn read(ip: &IpOpts, level: i32, name: i32) -> Option<i32> {
    let b = i32::from;
    Some(match (level, name) {
        (IPPROTO_IP, IP_TOS) => i32::from(ip.tos4),
        (IPPROTO_IP, IP_DONTFRAGMENT) => b(ip.dontfrag4),
        (IPPROTO_IP, IP_RECVTTL) => b(ip.recvttl4),
        (IPPROTO_IP, IP_RECVTOS) => b(ip.recvtos4),
        (IPPROTO_IP, IP_RECVECN) => b(ip.recvecn4),
        (IPPROTO_IP, IP_RECVERR) => b(ip.recverr4),
        (IPPROTO_IP, IP_UNICAST_IF) => ip.unicast_if4 as i32,
        (IPPROTO_IP, IP_MULTICAST_IF) => ip.mcast_if4 as i32,
        (IPPROTO_IP, IP_MULTICAST_TTL) => ip.mcast_ttl4 as i32,
        (IPPROTO_IP, IP_MTU_DISCOVER) => ip.mtu_discover4,
        (IPPROTO_IP, IP_USER_MTU) => ip.user_mtu4 as i32,
        (IPPROTO_IPV6, IPV6_TCLASS) => i32::from(ip.tclass6),
        (IPPROTO_IPV6, IPV6_DONTFRAG) => b(ip.dontfrag6),
        (IPPROTO_IPV6, IPV6_HOPLIMIT) => b(ip.recvhop6),
        (IPPROTO_IPV6, IPV6_RECVTCLASS) => b(ip.recvtclass6),
        (IPPROTO_IPV6, IPV6_RECVECN) => b(ip.recvecn6),
        (IPPROTO_IPV6, IPV6_RECVERR) => b(ip.recverr6),
        (IPPROTO_IPV6, IPV6_UNICAST_IF) => ip.unicast_if6 as i32,
        (IPPROTO_IPV6, IPV6_MULTICAST_IF) => ip.mcast_if6 as i32,
        (IPPROTO_IPV6, IPV6_MULTICAST_HOPS) => ip.mcast_hops6 as i32,
        (IPPROTO_IPV6, IPV6_MTU_DISCOVER) => ip.mtu_discover6,
        (IPPROTO_IPV6, IPV6_USER_MTU) => ip.user_mtu6 as i32,
        (IPPROTO_UDP, UDP_NOCHECKSUM) => b(ip.nochecksum),
        (IPPROTO_UDP, UDP_SEND_MSG_SIZE) => ip.send_msg_size as i32,
        (IPPROTO_UDP, UDP_RECV_MAX_COALESCED_SIZE) => ip.max_coalesced as i32,
        _ => return None,
    })
}

/// `IP_MTU_DISCOVER`: one of `IP_PMTUDISC_DO`, `_DONT`, `_PROBE`; the
/// "not set" value it reads before one is set is refused
/// (test_sockopt_validity: setting what was read fails with `WSAEINVAL`).
fn mtu_discover(v: i32) -> Result<i32, i32> {
    if !(IP_PMTUDISC_DO..=IP_PMTUDISC_PROBE).contains(&v) {
        return Err(WSAEINVAL);
    }
    Ok(v)
}

/// The IP packet a datagram of `payload` bytes makes: the payload, the UDP
/// header of a UDP socket, and the IP header (IPv4's 20 bytes without
/// options, IPv6's 40; a raw IPv4 socket with `IP_HDRINCL` brings its
/// own).
pub(crate) fn packet_size(st: &SocketState, dst: &IpAddr, payload: usize) -> usize {
    let udp = if st.ty == SOCK_DGRAM { 8 } else { 0 };
    let ip = match dst {
        IpAddr::V4(_) if st.opts.hdrincl => 0,
        IpAddr::V4(_) => 20 + st.opts.ip().options.len(),
        IpAddr::V6(_) => 40,
    };
    payload + udp + ip
}
