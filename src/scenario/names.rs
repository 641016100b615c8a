//! Symbolic names in scenarios: `"SOL_SOCKET"`, `"MSG_PEEK"`, `"FIONBIO"`.
//! A number in decimal or `0x` hex is accepted wherever a name is.

use winsock_model::consts::*;

/// Levels, options, families, types, protocols, `SD_*` (all `int`s).
const INTS: &[(&str, i32)] = &[
    ("AF_UNSPEC", AF_UNSPEC),
    ("AF_INET", AF_INET),
    ("AF_INET6", AF_INET6),
    ("SOCK_STREAM", SOCK_STREAM),
    ("SOCK_DGRAM", SOCK_DGRAM),
    ("SOCK_RAW", SOCK_RAW),
    ("SOCK_RDM", SOCK_RDM),
    ("SOCK_SEQPACKET", SOCK_SEQPACKET),
    ("IPPROTO_IP", IPPROTO_IP),
    ("IPPROTO_ICMP", IPPROTO_ICMP),
    ("IPPROTO_IGMP", IPPROTO_IGMP),
    ("IPPROTO_TCP", IPPROTO_TCP),
    ("IPPROTO_UDP", IPPROTO_UDP),
    ("IPPROTO_IPV6", IPPROTO_IPV6),
    ("IPPROTO_ICMPV6", IPPROTO_ICMPV6),
    ("IPPROTO_RAW", IPPROTO_RAW),
    ("IPPROTO_SIM_MSG", IPPROTO_SIM_MSG),
    ("IPPROTO_SIM_MSG_PARTIAL", IPPROTO_SIM_MSG_PARTIAL),
    ("SOL_SOCKET", SOL_SOCKET),
    ("SO_REUSEADDR", SO_REUSEADDR),
    ("SO_EXCLUSIVEADDRUSE", SO_EXCLUSIVEADDRUSE),
    ("SO_BROADCAST", SO_BROADCAST),
    ("SO_SNDBUF", SO_SNDBUF),
    ("SO_RCVBUF", SO_RCVBUF),
    ("SO_SNDTIMEO", SO_SNDTIMEO),
    ("SO_RCVTIMEO", SO_RCVTIMEO),
    ("SO_ERROR", SO_ERROR),
    ("SO_ACCEPTCONN", SO_ACCEPTCONN),
    ("SO_KEEPALIVE", SO_KEEPALIVE),
    ("SO_LINGER", SO_LINGER),
    ("SO_DONTLINGER", SO_DONTLINGER),
    ("SO_OOBINLINE", SO_OOBINLINE),
    ("SO_DONTROUTE", SO_DONTROUTE),
    ("SO_DEBUG", SO_DEBUG),
    ("SO_CONNECT_TIME", SO_CONNECT_TIME),
    ("SO_OPENTYPE", SO_OPENTYPE),
    ("SOMAXCONN", SOMAXCONN),
    ("TCP_NODELAY", TCP_NODELAY),
    ("SO_TYPE", SO_TYPE),
    ("SO_MAX_MSG_SIZE", SO_MAX_MSG_SIZE),
    ("SO_PROTOCOL_INFOW", SO_PROTOCOL_INFOW),
    ("IP_TTL", IP_TTL),
    ("IP_HDRINCL", IP_HDRINCL),
    ("IP_MULTICAST_LOOP", IP_MULTICAST_LOOP),
    ("IP_ADD_MEMBERSHIP", IP_ADD_MEMBERSHIP),
    ("IP_DROP_MEMBERSHIP", IP_DROP_MEMBERSHIP),
    ("IP_PKTINFO", IP_PKTINFO),
    ("IPV6_UNICAST_HOPS", IPV6_UNICAST_HOPS),
    ("IPV6_MULTICAST_LOOP", IPV6_MULTICAST_LOOP),
    ("IPV6_ADD_MEMBERSHIP", IPV6_ADD_MEMBERSHIP),
    ("IPV6_DROP_MEMBERSHIP", IPV6_DROP_MEMBERSHIP),
    ("IPV6_PKTINFO", IPV6_PKTINFO),
    ("IPV6_V6ONLY", IPV6_V6ONLY),
    ("IP_OPTIONS", IP_OPTIONS),
    ("IP_TOS", IP_TOS),
    ("IP_MULTICAST_IF", IP_MULTICAST_IF),
    ("IP_MULTICAST_TTL", IP_MULTICAST_TTL),
    ("IP_DONTFRAGMENT", IP_DONTFRAGMENT),
    ("IP_RECVTTL", IP_RECVTTL),
    ("IP_UNICAST_IF", IP_UNICAST_IF),
    ("IP_RECVTOS", IP_RECVTOS),
    ("IP_ECN", IP_ECN),
    ("IP_RECVECN", IP_RECVECN),
    ("IP_MTU_DISCOVER", IP_MTU_DISCOVER),
    ("IP_MTU", IP_MTU),
    ("IP_RECVERR", IP_RECVERR),
    ("IP_USER_MTU", IP_USER_MTU),
    ("IP_PMTUDISC_NOT_SET", IP_PMTUDISC_NOT_SET),
    ("IP_PMTUDISC_DO", IP_PMTUDISC_DO),
    ("IP_PMTUDISC_DONT", IP_PMTUDISC_DONT),
    ("IP_PMTUDISC_PROBE", IP_PMTUDISC_PROBE),
    ("IPV6_DONTFRAG", IPV6_DONTFRAG),
    ("IPV6_HOPLIMIT", IPV6_HOPLIMIT),
    ("IPV6_MULTICAST_IF", IPV6_MULTICAST_IF),
    ("IPV6_MULTICAST_HOPS", IPV6_MULTICAST_HOPS),
    ("IPV6_UNICAST_IF", IPV6_UNICAST_IF),
    ("IPV6_TCLASS", IPV6_TCLASS),
    ("IPV6_RECVTCLASS", IPV6_RECVTCLASS),
    ("IPV6_ECN", IPV6_ECN),
    ("IPV6_RECVECN", IPV6_RECVECN),
    ("IPV6_MTU_DISCOVER", IPV6_MTU_DISCOVER),
    ("IPV6_MTU", IPV6_MTU),
    ("IPV6_RECVERR", IPV6_RECVERR),
    ("IPV6_USER_MTU", IPV6_USER_MTU),
    ("UDP_NOCHECKSUM", UDP_NOCHECKSUM),
    ("UDP_SEND_MSG_SIZE", UDP_SEND_MSG_SIZE),
    ("UDP_RECV_MAX_COALESCED_SIZE", UDP_RECV_MAX_COALESCED_SIZE),
    ("UDP_COALESCED_INFO", UDP_COALESCED_INFO),
    ("ECN_NOT_ECT", ECN_NOT_ECT),
    ("ECN_ECT_1", ECN_ECT_1),
    ("ECN_ECT_0", ECN_ECT_0),
    ("ECN_CE", ECN_CE),
    ("SD_RECEIVE", SD_RECEIVE),
    ("SD_SEND", SD_SEND),
    ("SD_BOTH", SD_BOTH),
];

/// `MSG_*` flags and ioctl codes (`u32`s).
const UINTS: &[(&str, u32)] = &[
    ("MSG_OOB", MSG_OOB),
    ("MSG_PEEK", MSG_PEEK),
    ("MSG_DONTROUTE", MSG_DONTROUTE),
    ("MSG_WAITALL", MSG_WAITALL),
    ("MSG_PUSH_IMMEDIATE", MSG_PUSH_IMMEDIATE),
    ("MSG_PARTIAL", MSG_PARTIAL),
    ("MSG_INTERRUPT", MSG_INTERRUPT),
    ("MSG_TRUNC", MSG_TRUNC),
    ("MSG_CTRUNC", MSG_CTRUNC),
    ("MSG_BCAST", MSG_BCAST),
    ("MSG_MCAST", MSG_MCAST),
    ("FIONBIO", FIONBIO),
    ("FIONREAD", FIONREAD),
    ("SIOCATMARK", SIOCATMARK),
    (
        "SIO_GET_EXTENSION_FUNCTION_POINTER",
        SIO_GET_EXTENSION_FUNCTION_POINTER,
    ),
    ("SIO_UDP_CONNRESET", SIO_UDP_CONNRESET),
    ("SIO_UDP_NETRESET", SIO_UDP_NETRESET),
    ("SIO_BASE_HANDLE", SIO_BASE_HANDLE),
    ("SIO_BSP_HANDLE", SIO_BSP_HANDLE),
    ("SIO_BSP_HANDLE_SELECT", SIO_BSP_HANDLE_SELECT),
    ("SIO_BSP_HANDLE_POLL", SIO_BSP_HANDLE_POLL),
    ("SIO_FLUSH", SIO_FLUSH),
    ("SIO_KEEPALIVE_VALS", SIO_KEEPALIVE_VALS),
];

fn number(s: &str) -> Option<i64> {
    let t = s.trim();
    if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        i64::from_str_radix(h, 16).ok()
    } else {
        t.parse().ok()
    }
}

/// An `int` constant by name or number.
pub fn int(name: &str) -> Result<i32, String> {
    if let Some(&(_, v)) = INTS.iter().find(|(n, _)| *n == name) {
        return Ok(v);
    }
    number(name)
        .and_then(|v| i32::try_from(v).ok())
        .ok_or_else(|| format!("unknown constant `{name}`"))
}

/// A `u32` constant by name or number.
pub fn uint(name: &str) -> Result<u32, String> {
    if let Some(&(_, v)) = UINTS.iter().find(|(n, _)| *n == name) {
        return Ok(v);
    }
    number(name)
        .and_then(|v| u32::try_from(v).ok())
        .ok_or_else(|| format!("unknown constant `{name}`"))
}

/// OR of flag names.
pub fn flags(names: &[String]) -> Result<u32, String> {
    names.iter().try_fold(0u32, |acc, n| Ok(acc | uint(n)?))
}

/// Names of the known `MSG_*` bits set in `f` (unknown bits as hex).
pub fn flag_names(f: u32) -> Vec<String> {
    let mut out = vec![];
    let mut rest = f;
    for &(n, v) in UINTS.iter().filter(|(n, _)| n.starts_with("MSG_")) {
        if v != 0 && f & v == v {
            out.push(n.to_string());
            rest &= !v;
        }
    }
    if rest != 0 {
        out.push(format!("{rest:#x}"));
    }
    out
}

/// The `POLL*` flags of `WSAPOLLFD.events` / `revents`, by name.
const POLL_FLAGS: &[(&str, i16)] = &[
    ("POLLRDNORM", POLLRDNORM),
    ("POLLRDBAND", POLLRDBAND),
    ("POLLPRI", POLLPRI),
    ("POLLWRNORM", POLLWRNORM),
    ("POLLWRBAND", POLLWRBAND),
    ("POLLERR", POLLERR),
    ("POLLHUP", POLLHUP),
    ("POLLNVAL", POLLNVAL),
];

/// `events` from names: `POLLIN` (`POLLRDNORM | POLLRDBAND`), `POLLOUT`,
/// each `POLL*` flag, or a number.
pub fn poll_flags(names: &[String]) -> Result<i16, String> {
    names.iter().try_fold(0i16, |acc, n| {
        let v = match n.as_str() {
            "POLLIN" => POLLIN,
            "POLLOUT" => POLLOUT,
            n => match POLL_FLAGS.iter().find(|(name, _)| *name == n) {
                Some(&(_, v)) => v,
                None => number(n)
                    .and_then(|v| i16::try_from(v).ok())
                    .ok_or_else(|| format!("unknown POLL flag `{n}`"))?,
            },
        };
        Ok(acc | v)
    })
}

/// `revents` as names, `|`-joined in the table's order (unknown bits as
/// hex); empty for none.
pub fn poll_names(v: i16) -> String {
    let mut out = vec![];
    let mut rest = v;
    for &(n, f) in POLL_FLAGS {
        if v & f == f {
            out.push(n.to_string());
            rest &= !f;
        }
    }
    if rest != 0 {
        out.push(format!("{rest:#x}"));
    }
    out.join("|")
}

/// The `FD_*` network events, by name, in bit order.
const FD_NAMES: &[(&str, i32)] = &[
    ("FD_READ", FD_READ),
    ("FD_WRITE", FD_WRITE),
    ("FD_OOB", FD_OOB),
    ("FD_ACCEPT", FD_ACCEPT),
    ("FD_CONNECT", FD_CONNECT),
    ("FD_CLOSE", FD_CLOSE),
    ("FD_QOS", FD_QOS),
    ("FD_GROUP_QOS", FD_GROUP_QOS),
    ("FD_ROUTING_INTERFACE_CHANGE", FD_ROUTING_INTERFACE_CHANGE),
    ("FD_ADDRESS_LIST_CHANGE", FD_ADDRESS_LIST_CHANGE),
];

/// `lNetworkEvents` from names: each `FD_*` event, `FD_ALL_EVENTS`, or a
/// number.
pub fn fd_events(names: &[String]) -> Result<i32, String> {
    names.iter().try_fold(0i32, |acc, n| {
        let v = match FD_NAMES.iter().find(|(name, _)| *name == n) {
            Some(&(_, v)) => v,
            None if n == "FD_ALL_EVENTS" => FD_ALL_EVENTS,
            None => number(n)
                .and_then(|v| i32::try_from(v).ok())
                .ok_or_else(|| format!("unknown network event `{n}`"))?,
        };
        Ok(acc | v)
    })
}

/// A `WSANETWORKEVENTS` as names: each event recorded, in bit order, with
/// `=` and its error code (by name where it has one) when not 0; unknown
/// bits in hex.
pub fn net_event_names(ev: &winsock_model::NetworkEvents) -> Vec<String> {
    let mut out = vec![];
    for (i, &(n, f)) in FD_NAMES.iter().enumerate() {
        if ev.events & f == 0 {
            continue;
        }
        match ev.errors[i] {
            0 => out.push(n.to_string()),
            e => {
                let en = ERROR_CODES
                    .iter()
                    .find(|(c, _)| *c == e)
                    .map_or_else(|| e.to_string(), |(_, name)| name.to_string());
                out.push(format!("{n}={en}"));
            }
        }
    }
    let rest = ev.events & !FD_ALL_EVENTS;
    if rest != 0 {
        out.push(format!("{rest:#x}"));
    }
    out
}

/// An error code by name (`"WSAEMSGSIZE"`) or number.
pub fn error_code(name: &str) -> Result<i32, String> {
    if let Some(&(c, _)) = ERROR_CODES.iter().find(|(_, n)| *n == name) {
        return Ok(c);
    }
    number(name)
        .and_then(|v| i32::try_from(v).ok())
        .ok_or_else(|| format!("unknown error name `{name}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers() {
        assert_eq!(int("SOL_SOCKET"), Ok(0xffff));
        assert_eq!(int("0x10"), Ok(16));
        assert_eq!(uint("MSG_PEEK"), Ok(2));
        assert!(int("SO_NOPE").is_err());
        assert_eq!(flags(&["MSG_PEEK".into(), "MSG_OOB".into()]), Ok(3));
        assert_eq!(
            flag_names(MSG_TRUNC | MSG_BCAST),
            vec!["MSG_TRUNC", "MSG_BCAST"]
        );
        assert_eq!(flag_names(0x4000_0000), vec!["0x40000000"]);
        assert_eq!(error_code("WSAEMSGSIZE"), Ok(10040));
    }
}
