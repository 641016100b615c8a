//! What a front end that answers address queries itself (the DLL's
//! `SIO_ROUTING_INTERFACE_QUERY` and `SIO_ADDRESS_LIST_QUERY`) asks of the
//! model's network: the address a socket would send from to a
//! destination, and the host's own addresses. Untraced, no scheduling
//! point (the front end's call is its own trace line).
//!
//! Source: Winsock IOCTLs
//! (<https://learn.microsoft.com/en-us/windows/win32/winsock/winsock-ioctls>):
//! `SIO_ROUTING_INTERFACE_QUERY` "obtain[s] the address of the local
//! interface ... that should be used to send to the remote address";
//! `SIO_ADDRESS_LIST_QUERY` gives "a list of local transport addresses of
//! the socket's protocol family to which the application can bind".

use super::host::SimHost;
use super::net::LOOPBACK_INDEX;
use crate::contract::consts::{WSAEAFNOSUPPORT, WSAENOTSOCK};
use crate::contract::types::Socket;
use crate::contract::WsaError;
use std::net::IpAddr;

impl SimHost {
    /// The local address socket `s` would send from to `dst` (its bound
    /// address when it has one), as the model routes a datagram.
    ///
    /// ```
    /// use winsock_double::*;
    /// let sim = Sim::new(1);
    /// let h = sim.add_host("h", &["10.0.0.1/24"]).unwrap();
    /// h.wsa_startup(WINSOCK_VERSION_2_2).unwrap();
    /// let s = h.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    /// let src = h.route_source(s, "10.0.0.9".parse().unwrap()).unwrap();
    /// assert_eq!(src.to_string(), "10.0.0.1");
    /// let lo = h.route_source(s, "127.0.0.1".parse().unwrap()).unwrap();
    /// assert_eq!(lo.to_string(), "127.0.0.1");
    /// ```
    pub fn route_source(&self, s: Socket, dst: IpAddr) -> Result<IpAddr, WsaError> {
        let w = self.world.lock();
        let id = w.handles.id(s.0);
        let st = w
            .sock(self.host, id)
            .map_err(|_| WsaError::Code(WSAENOTSOCK))?;
        if (st.af == crate::contract::consts::AF_INET) != dst.is_ipv4() {
            return Err(WsaError::Code(WSAEAFNOSUPPORT));
        }
        w.route(self.host, st, dst, None)
            .map(|r| r.src_ip)
            .map_err(WsaError::Code)
    }

    /// This host's addresses of one family (`v4`), loopback's last, in
    /// the order the host was given them.
    ///
    /// ```
    /// use winsock_double::*;
    /// let sim = Sim::new(1);
    /// let h = sim.add_host("h", &["10.0.0.1/24", "fd00::1/64"]).unwrap();
    /// let v4: Vec<String> = h.local_addresses(true).iter().map(|a| a.to_string()).collect();
    /// assert_eq!(v4, ["10.0.0.1", "127.0.0.1"]);
    /// ```
    pub fn local_addresses(&self, v4: bool) -> Vec<IpAddr> {
        let w = self.world.lock();
        let h = &w.hosts[self.host];
        let of = |lo: bool| {
            h.ifaces
                .iter()
                .filter(move |i| i.addr.is_ipv4() == v4 && (i.index == LOOPBACK_INDEX) == lo)
                .map(|i| i.addr)
        };
        of(false).chain(of(true)).collect()
    }
}
