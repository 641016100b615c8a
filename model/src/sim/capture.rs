//! The capture (`Config::capture`): every packet the model puts on a wire
//! is kept as a [`Wire`] when its arrival is scheduled, with a `wire`
//! line in the trace, and [`Sim::pcapng`] writes them as a pcapng file
//! Wireshark and tshark read. Datagrams are kept as they arrive at each
//! receiving host (a multicast datagram once per host, a duplicated one
//! twice, a lost one not at all); the segments of a connection (SYN,
//! SYN-ACK, ACK, data, FIN, RST); the ICMP errors the model sends.
//! Not on a wire, so not kept: the model's timers (connection and
//! retransmission time-outs, keep-alive checks).

use super::events::Event;
use super::pcap::{self, Body, Icmp, Tcp, Wire};
use super::tcp::Seg;
use super::world::World;
use super::Sim;
use std::net::SocketAddr;

impl World {
    /// Keeps the packet `ev` carries, if it carries one, arriving at
    /// `key.0`. Called for every event scheduled while the capture is on.
    #[cold]
    pub(crate) fn tap(&mut self, key: (u64, u64), ev: &Event) {
        let wires: Vec<Wire> = match ev {
            Event::Arrive { host, packet: p } => {
                let body = if p.udp {
                    Body::Udp(p.data.clone())
                } else {
                    Body::Raw {
                        proto: p.proto as u8,
                        data: p.data.clone(),
                    }
                };
                vec![Wire {
                    key,
                    host: *host,
                    src: p.src,
                    dst: p.dst,
                    ttl: p.ttl,
                    tos: p.tos,
                    body,
                }]
            }
            Event::Tcp(seg) => self.segment_wires(key, seg),
            // An ICMP error is kept where it is sent (`tap_icmp`), which
            // knows the datagram it is about.
            Event::IcmpError { .. } | Event::TxDone | Event::Serve { .. } => vec![],
        };
        for w in wires {
            self.keep(w);
        }
    }

    /// The packets of a segment: one, or several for data longer than a
    /// captured packet holds; none for a timer.
    fn segment_wires(&self, key: (u64, u64), seg: &Seg) -> Vec<Wire> {
        // The ends of a connection as (source, destination, receiving
        // host): of a segment from socket `s` to its peer ...
        let from = |s: u64| -> Option<(SocketAddr, SocketAddr, usize)> {
            let st = self.sockets.get(&s)?;
            let (local, peer) = (st.local?, st.peer?);
            Some((local, peer, self.host_with(peer).unwrap_or(st.host)))
        };
        // ... and of one to socket `s` from its peer; a receiver closed
        // already is seen from its peer, the sender.
        let to = |s: u64| -> Option<(SocketAddr, SocketAddr, usize)> {
            let Some(st) = self.sockets.get(&s) else {
                let (&sender, _) = self
                    .sockets
                    .iter()
                    .find(|(_, o)| !o.is_dgram() && o.tcp().peer_sock == Some(s))?;
                return from(sender);
            };
            let (local, peer) = (st.local?, st.peer?);
            Some((peer, local, st.host))
        };
        let (ends, tcp) = match seg {
            Seg::Syn { host, src, dst, .. } => (Some((*src, *dst, *host)), vec![Tcp::Syn]),
            Seg::SynAck { child, .. } => (from(*child), vec![Tcp::SynAck]),
            Seg::Ack { to: s } => (to(*s), vec![Tcp::Ack]),
            Seg::Data {
                from: sender,
                data,
                urg,
                ..
            } => {
                let pieces = data
                    .chunks(pcap::TCP_MAX_PAYLOAD)
                    .enumerate()
                    .map(|(k, c)| {
                        let at = k * pcap::TCP_MAX_PAYLOAD;
                        // RFC 6093: the pointer is the offset just past
                        // the last urgent byte of this packet.
                        let last = urg.iter().filter(|&&i| i >= at && i < at + c.len()).max();
                        Tcp::Data {
                            data: c.to_vec(),
                            urgent: last.map(|&i| (i - at + 1) as u16),
                        }
                    })
                    .collect();
                (from(*sender), pieces)
            }
            Seg::Fin { to: s } => (to(*s), vec![Tcp::Fin]),
            Seg::Rst { to: s } => (to(*s), vec![Tcp::Rst]),
            Seg::ConnectTimeout { .. }
            | Seg::Resyn { .. }
            | Seg::RetxTimeout { .. }
            | Seg::KeepaliveCheck { .. } => (None, vec![]),
        };
        let Some((src, dst, host)) = ends else {
            return vec![];
        };
        tcp.into_iter()
            .map(|t| Wire {
                key,
                host,
                src,
                dst,
                ttl: 128,
                tos: 0,
                body: Body::Tcp(t),
            })
            .collect()
    }

    /// The host with an interface address `a` (loopback: none).
    fn host_with(&self, a: SocketAddr) -> Option<usize> {
        self.hosts.iter().position(|h| {
            h.ifaces
                .iter()
                .any(|i| i.addr == a.ip() && !a.ip().is_loopback())
        })
    }

    /// Keeps an ICMP error sent by `from` (an address of the host that
    /// sends it) to `to`, about the datagram `to` sent to `about` with IP
    /// protocol `proto` and `len` bytes, arriving at `key.0` at `host`.
    #[allow(clippy::too_many_arguments)]
    #[cold]
    pub(crate) fn tap_icmp(
        &mut self,
        key: (u64, u64),
        host: usize,
        kind: Icmp,
        (from, to, about): (SocketAddr, SocketAddr, SocketAddr),
        proto: i32,
        len: usize,
    ) {
        self.keep(Wire {
            key,
            host,
            src: SocketAddr::new(from.ip(), 0),
            dst: to,
            ttl: 64,
            tos: 0,
            body: Body::Icmp {
                kind,
                about,
                proto: proto as u8,
                len,
            },
        });
    }

    /// Keeps `w` and says so in the trace (on the receiving host's line).
    fn keep(&mut self, w: Wire) {
        let t = w.key.0;
        self.log(w.host, "wire", || {
            format!(
                "{} arrives={}.{:09}",
                w.describe(),
                t / 1_000_000_000,
                t % 1_000_000_000
            )
        });
        if let Some(c) = self.capture.as_mut() {
            c.push(w);
        }
    }
}

impl Sim {
    /// What the model put on its wires so far, as a pcapng file (one
    /// interface per host, named after it; virtual nanoseconds as time
    /// stamps), or `None` when [`Config::capture`](crate::Config::capture)
    /// is off. Packets still on their way are in it with the time they
    /// will arrive.
    ///
    /// ```
    /// use winsock_double::*;
    /// let sim = Sim::builder().capture(true).build();
    /// let h = sim.add_host("h", &[]).unwrap();
    /// h.wsa_startup(WINSOCK_VERSION_2_2).unwrap();
    /// let rx = h.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    /// h.bind(rx, &"127.0.0.1:5000".parse().unwrap()).unwrap();
    /// let tx = h.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    /// h.send_to(tx, b"ping", &"127.0.0.1:5000".parse().unwrap()).unwrap();
    /// let file = sim.pcapng().unwrap();
    /// assert_eq!(&file[..4], &[0x0a, 0x0d, 0x0d, 0x0a]); // a pcapng section
    /// std::fs::write(std::env::temp_dir().join("wsd-doc.pcapng"), &file).unwrap();
    /// ```
    pub fn pcapng(&self) -> Option<Vec<u8>> {
        let w = self.world.lock();
        let names: Vec<String> = w.hosts.iter().map(|h| h.name.clone()).collect();
        w.capture.as_ref().map(|c| pcap::pcapng(&names, c))
    }

    /// [`Sim::pcapng`] if the world is not locked now (the outer `None`
    /// if it is; see [`Sim::try_trace`]).
    pub fn try_pcapng(&self) -> Option<Option<Vec<u8>>> {
        let w = self.world.try_lock()?;
        let names: Vec<String> = w.hosts.iter().map(|h| h.name.clone()).collect();
        Some(w.capture.as_ref().map(|c| pcap::pcapng(&names, c)))
    }

    /// How many packets the capture holds (`None`: capture off).
    pub fn captured(&self) -> Option<usize> {
        self.world.lock().capture.as_ref().map(Vec::len)
    }
}
