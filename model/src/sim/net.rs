//! Hosts, interfaces and routes: the shape of the simulated network.
//!
//! Every host has a loopback interface (index 1: `127.0.0.1/8` and `::1`)
//! and the interfaces it was given (index 2, 3, ... in the order given).
//! Hosts whose interfaces share a subnet reach each other directly; a
//! [`Route`] makes a remote prefix reachable through a number of router hops
//! (which is what a datagram's TTL is measured against). There is no ARP, no
//! fragmentation and no MTU: a datagram that may be sent arrives whole.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Index of a host in the world.
pub(crate) type HostId = usize;

/// An address on an interface, with its prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Iface {
    /// Interface index (`ipi_ifindex`): 1 is loopback.
    pub(crate) index: u32,
    pub(crate) addr: IpAddr,
    pub(crate) prefix: u8,
    /// The link's MTU: the largest IP packet it carries whole.
    pub(crate) mtu: u32,
}

/// The MTU of a host's interfaces unless set (`Sim::set_mtu`): Ethernet's.
pub(crate) const DEFAULT_MTU: u32 = 1500;
/// The MTU of loopback (model setting: the largest IP packet; Windows'
/// loopback pseudo-interface reports an MTU of 4294967295, more than any
/// packet).
pub(crate) const LOOPBACK_MTU: u32 = 65_535;

impl Iface {
    pub(crate) fn contains(&self, ip: &IpAddr) -> bool {
        prefix_contains(&self.addr, self.prefix, ip)
    }

    /// The subnet broadcast address of an IPv4 interface.
    pub(crate) fn broadcast(&self) -> Option<Ipv4Addr> {
        match self.addr {
            IpAddr::V4(a) if self.index != LOOPBACK_INDEX && self.prefix < 31 => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                Some(Ipv4Addr::from(u32::from(a) | !mask))
            }
            _ => None,
        }
    }
}

/// The loopback interface index.
pub(crate) const LOOPBACK_INDEX: u32 = 1;

/// Whether `ip` lies in `net/prefix`.
pub(crate) fn prefix_contains(net: &IpAddr, prefix: u8, ip: &IpAddr) -> bool {
    match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(i)) => {
            let mask = u32::MAX
                .checked_shl(32 - u32::from(prefix.min(32)))
                .unwrap_or(0);
            u32::from(*n) & mask == u32::from(*i) & mask
        }
        (IpAddr::V6(n), IpAddr::V6(i)) => {
            let mask = u128::MAX
                .checked_shl(128 - u32::from(prefix.min(128)))
                .unwrap_or(0);
            u128::from(*n) & mask == u128::from(*i) & mask
        }
        _ => false,
    }
}

/// A simulated host: a name, interfaces, and one process's Winsock state.
#[derive(Debug)]
pub(crate) struct Host {
    pub(crate) name: String,
    pub(crate) ifaces: Vec<Iface>,
    /// `WSAStartup` calls not yet matched by `WSACleanup`.
    pub(crate) startups: u32,
    /// The network subsystem has failed (`WSAENETDOWN`).
    pub(crate) down: bool,
    /// When the host's transmitter is next free (virtual ns), for hosts with
    /// a transmit rate.
    pub(crate) tx_busy_until: u64,
}

impl Host {
    pub(crate) fn new(name: &str, ifaces: Vec<Iface>) -> Host {
        let mut all = vec![
            Iface {
                index: LOOPBACK_INDEX,
                addr: IpAddr::V4(Ipv4Addr::LOCALHOST),
                prefix: 8,
                mtu: LOOPBACK_MTU,
            },
            Iface {
                index: LOOPBACK_INDEX,
                addr: IpAddr::V6(Ipv6Addr::LOCALHOST),
                prefix: 128,
                mtu: LOOPBACK_MTU,
            },
        ];
        all.extend(ifaces);
        Host {
            name: name.to_string(),
            ifaces: all,
            startups: 0,
            down: false,
            tx_busy_until: 0,
        }
    }

    /// Whether `ip` is one of this host's unicast addresses.
    pub(crate) fn owns(&self, ip: &IpAddr) -> bool {
        self.ifaces.iter().any(|i| i.addr == *ip) || is_loopback(ip)
    }

    /// The interface that holds `ip` (loopback for the whole 127/8).
    pub(crate) fn iface_of(&self, ip: &IpAddr) -> Option<&Iface> {
        if is_loopback(ip) {
            return self
                .ifaces
                .iter()
                .find(|i| i.index == LOOPBACK_INDEX && i.addr.is_ipv4() == ip.is_ipv4());
        }
        self.ifaces.iter().find(|i| i.addr == *ip)
    }

    /// The non-loopback interface whose subnet holds `ip`.
    pub(crate) fn on_link(&self, ip: &IpAddr) -> Option<&Iface> {
        self.ifaces
            .iter()
            .find(|i| i.index != LOOPBACK_INDEX && i.contains(ip))
    }

    /// The first non-loopback interface of a family (used for limited
    /// broadcast and multicast).
    pub(crate) fn first_iface(&self, v4: bool) -> Option<&Iface> {
        self.ifaces
            .iter()
            .find(|i| i.index != LOOPBACK_INDEX && i.addr.is_ipv4() == v4)
    }

    /// The interface whose subnet broadcast address is `ip`.
    pub(crate) fn bcast_iface(&self, ip: &Ipv4Addr) -> Option<&Iface> {
        self.ifaces.iter().find(|i| i.broadcast() == Some(*ip))
    }
}

/// A route: from `host`, `net/prefix` is reachable through `hops` routers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Route {
    pub(crate) host: HostId,
    pub(crate) net: IpAddr,
    pub(crate) prefix: u8,
    pub(crate) hops: u8,
}

/// Loopback addresses (`127.0.0.0/8`, `::1`).
pub(crate) fn is_loopback(ip: &IpAddr) -> bool {
    ip.is_loopback()
}

/// Whether `ip` is multicast (`224.0.0.0/4`, `ff00::/8`).
pub(crate) fn is_multicast(ip: &IpAddr) -> bool {
    ip.is_multicast()
}

/// Parses `"10.0.0.1/24"` or `"fd00::1/64"` (a bare address gets /32 or /128).
pub(crate) fn parse_cidr(s: &str) -> Result<(IpAddr, u8), String> {
    let (a, p) = match s.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (s, None),
    };
    let addr: IpAddr = a
        .trim()
        .parse()
        .map_err(|_| format!("`{s}`: not an IP address"))?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let prefix = match p {
        Some(p) => p
            .trim()
            .parse::<u8>()
            .map_err(|_| format!("`{s}`: bad prefix length"))?,
        None => max,
    };
    if prefix > max {
        return Err(format!("`{s}`: prefix length over {max}"));
    }
    Ok((addr, prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_and_broadcast() {
        let i = Iface {
            index: 2,
            addr: "10.0.0.1".parse().unwrap(),
            prefix: 24,
            mtu: DEFAULT_MTU,
        };
        assert!(i.contains(&"10.0.0.200".parse().unwrap()));
        assert!(!i.contains(&"10.0.1.1".parse().unwrap()));
        assert_eq!(i.broadcast(), Some(Ipv4Addr::new(10, 0, 0, 255)));
        assert!(prefix_contains(
            &"fd00::".parse().unwrap(),
            64,
            &"fd00::9".parse().unwrap()
        ));
        assert!(prefix_contains(
            &"0.0.0.0".parse().unwrap(),
            0,
            &"1.2.3.4".parse().unwrap()
        ));
        assert_eq!(
            parse_cidr("10.0.0.1/24"),
            Ok(("10.0.0.1".parse().unwrap(), 24))
        );
        assert!(parse_cidr("10.0.0.1/33").is_err());
        assert!(parse_cidr("nope").is_err());
    }
}
