//! The IP-level and UDP-level options a socket keeps beyond the seed
//! pages (and the few `SOL_SOCKET` values only Windows' quirks keep), and
//! their defaults. Plain data: this module imports no room of
//! the model (`ipopt.rs` reads and writes them).

/// The IP-level and UDP-level options a socket keeps beyond the seed
/// pages' (`ipopt.rs` reads and writes them; the datagram paths use them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IpOpts {
    /// `IP_TOS` / `IPV6_TCLASS`: the byte sent (its ECN bits come from a
    /// send's control object).
    pub(crate) tos4: u8,
    pub(crate) tclass6: u8,
    /// `IP_DONTFRAGMENT` / `IPV6_DONTFRAG`.
    pub(crate) dontfrag4: bool,
    pub(crate) dontfrag6: bool,
    /// `IP_RECVTTL` / `IPV6_HOPLIMIT`: deliver the received hop limit.
    pub(crate) recvttl4: bool,
    pub(crate) recvhop6: bool,
    /// `IP_RECVTOS` / `IPV6_RECVTCLASS`: deliver the received TOS byte.
    pub(crate) recvtos4: bool,
    pub(crate) recvtclass6: bool,
    /// `IP_RECVECN` / `IPV6_RECVECN`: deliver the received ECN codepoint.
    pub(crate) recvecn4: bool,
    pub(crate) recvecn6: bool,
    /// `IP_RECVERR` / `IPV6_RECVERR` (kept; the model delivers no ICMP
    /// control data).
    pub(crate) recverr4: bool,
    pub(crate) recverr6: bool,
    /// `IP_UNICAST_IF` / `IPV6_UNICAST_IF` (kept; routing does not use it).
    pub(crate) unicast_if4: u32,
    pub(crate) unicast_if6: u32,
    /// `IP_MULTICAST_IF`, `IP_MULTICAST_TTL` and their IPv6 forms (kept).
    pub(crate) mcast_if4: u32,
    pub(crate) mcast_ttl4: u32,
    pub(crate) mcast_if6: u32,
    pub(crate) mcast_hops6: u32,
    /// `IP_MTU_DISCOVER` / `IPV6_MTU_DISCOVER` (`IP_PMTUDISC_*`).
    pub(crate) mtu_discover4: i32,
    pub(crate) mtu_discover6: i32,
    /// `IP_USER_MTU` / `IPV6_USER_MTU`: 0 for none.
    pub(crate) user_mtu4: u32,
    pub(crate) user_mtu6: u32,
    /// `IP_OPTIONS`: the header options set (at most 40 bytes).
    pub(crate) options: Vec<u8>,
    /// `UDP_NOCHECKSUM` (kept).
    pub(crate) nochecksum: bool,
    /// `UDP_SEND_MSG_SIZE`: 0 for no segmentation.
    pub(crate) send_msg_size: u32,
    /// `UDP_RECV_MAX_COALESCED_SIZE`: 0 for no coalescing.
    pub(crate) max_coalesced: u32,
    /// `SO_LINGER`'s `l_onoff` as it was set (`WIN-SOCKOPT-SIZES` reads
    /// it back so; `Opts::linger` is what closing does).
    pub(crate) linger_on: u16,
    /// `SO_DONTROUTE` (`WIN-SOCKOPT-SIZES`: kept, no effect).
    pub(crate) dontroute: bool,
    /// `SO_DEBUG` (kept, no effect: the model has no debug output).
    pub(crate) debug: bool,
    /// A datagram socket's `SO_ERROR` (`WIN-SO-ERROR-SET` sets it; a
    /// stream socket's is its connection's).
    pub(crate) so_error: i32,
}

/// The options of a socket that set none of them.
pub(crate) static NO_IP_OPTS: IpOpts = IpOpts {
    tos4: 0,
    tclass6: 0,
    dontfrag4: false,
    dontfrag6: false,
    recvttl4: false,
    recvhop6: false,
    recvtos4: false,
    recvtclass6: false,
    recvecn4: false,
    recvecn6: false,
    recverr4: false,
    recverr6: false,
    unicast_if4: 0,
    unicast_if6: 0,
    mcast_if4: 0,
    // A multicast datagram stays on the link unless asked otherwise
    // (IP_MULTICAST_TTL: the default is 1).
    mcast_ttl4: 1,
    mcast_if6: 0,
    mcast_hops6: 1,
    mtu_discover4: 0,
    mtu_discover6: 0,
    user_mtu4: 0,
    user_mtu6: 0,
    options: Vec::new(),
    nochecksum: false,
    send_msg_size: 0,
    max_coalesced: 0,
    linger_on: 0,
    dontroute: false,
    debug: false,
    so_error: 0,
};
