//! What travels through virtual time: packets on the wire ([`Packet`]),
//! the events the world runs ([`Event`]) and their queue in (time,
//! sequence) order ([`Events`]). Plain data: this module imports no room
//! of the model.

use super::net::HostId;
use super::tcp::Seg;
use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;

/// A packet on the wire, on its way to one host.
#[derive(Debug, Clone)]
pub(crate) struct Packet {
    /// The socket that sent it (for ICMP errors back to it).
    pub(crate) src_sock: u64,
    pub(crate) src_host: HostId,
    pub(crate) src: SocketAddr,
    pub(crate) dst: SocketAddr,
    /// IP protocol: 17 for UDP, or a raw socket's protocol.
    pub(crate) proto: i32,
    /// Whether it came from a UDP socket (raw sockets send bare payloads).
    pub(crate) udp: bool,
    /// The hop limit as it arrives: the sender's less one per router.
    pub(crate) ttl: u8,
    /// The TOS / traffic class byte; its low two bits are the ECN
    /// codepoint (`WIN-ECN`).
    pub(crate) tos: u8,
    pub(crate) bcast: bool,
    pub(crate) mcast: bool,
    /// The receiving host's interface index.
    pub(crate) ifindex: u32,
    pub(crate) data: Vec<u8>,
}

/// Something that happens at a point of virtual time.
#[derive(Debug, Clone)]
pub(crate) enum Event {
    /// A packet reaches a host. (Boxed, as the segment of `Tcp` is, so
    /// that events stay small to move; the box of a delivered datagram is
    /// used again, see [`World::boxed_packet`].)
    Arrive { host: HostId, packet: Box<Packet> },
    /// An ICMP error reaches the socket that caused it.
    IcmpError {
        socket: u64,
        code: i32,
        about: SocketAddr,
    },
    /// A host's transmitter finished a datagram: send-buffer room may have
    /// opened (nothing else happens; it wakes blocked senders).
    TxDone,
    /// Overlapped operations of a socket that can complete now do (one that
    /// could have completed at once but returned `WSA_IO_PENDING`).
    Serve { socket: u64 },
    /// Something on a TCP connection arrives.
    Tcp(Box<Seg>),
}

/// The event queue, in (time, sequence) order.
///
/// Most events are due at the instant they are scheduled (loopback has no
/// latency): those wait in a FIFO beside the map, whose keys all have one
/// time and rising sequence numbers, so popping takes the smaller of the
/// FIFO's front and the map's first key and the order is exactly the
/// map's. The FIFO only spares the map an insertion and a removal.
#[derive(Debug, Default)]
pub(crate) struct Events {
    map: BTreeMap<(u64, u64), Event>,
    /// Events for time `fifo_at`, by sequence number.
    fifo: VecDeque<(u64, Event)>,
    fifo_at: u64,
}

impl Events {
    /// Adds an event with key `(at, seq)`; `now` is the clock (an event for
    /// it goes to the FIFO).
    pub(crate) fn insert(&mut self, key: (u64, u64), ev: Event, now: u64) {
        let (at, seq) = key;
        let fifo_ok = self.fifo.back().is_none_or(|&(last, _)| last < seq);
        if at == now && fifo_ok && (self.fifo.is_empty() || self.fifo_at == at) {
            self.fifo_at = at;
            self.fifo.push_back((seq, ev));
        } else {
            self.map.insert(key, ev);
        }
    }

    /// Drops the event with `key`, if it is there.
    pub(crate) fn remove(&mut self, key: &(u64, u64)) -> Option<Event> {
        if key.0 == self.fifo_at {
            if let Some(i) = self.fifo.iter().position(|&(seq, _)| seq == key.1) {
                return self.fifo.remove(i).map(|(_, ev)| ev);
            }
        }
        self.map.remove(key)
    }

    /// The key of the earliest event and whether it is the FIFO's.
    pub(crate) fn first(&self) -> Option<((u64, u64), bool)> {
        let f = self.fifo.front().map(|&(seq, _)| (self.fifo_at, seq));
        let m = self.map.first_key_value().map(|(&k, _)| k);
        match (f, m) {
            (Some(f), Some(m)) if m < f => Some((m, false)),
            (Some(f), _) => Some((f, true)),
            (None, Some(m)) => Some((m, false)),
            (None, None) => None,
        }
    }

    /// The time of the earliest event.
    pub(crate) fn next_time(&self) -> Option<u64> {
        self.first().map(|((t, _), _)| t)
    }

    /// Takes the earliest event.
    pub(crate) fn pop_first(&mut self) -> Option<((u64, u64), Event)> {
        let (key, fifo) = self.first()?;
        if fifo {
            self.fifo.pop_front().map(|(_, ev)| (key, ev))
        } else {
            self.map.pop_first()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::Rng;

    /// The FIFO beside the map changes nothing: events come out in the
    /// order a plain map of (time, sequence) gives, through insertions at
    /// the clock and later, removals, and the clock moving on.
    #[test]
    fn events_pop_in_map_order() {
        let mut rng = Rng::new(11);
        let mut q = Events::default();
        let mut reference: BTreeMap<(u64, u64), u64> = BTreeMap::new();
        let (mut now, mut seq) = (0u64, 0u64);
        let mut keys = Vec::new();
        for _ in 0..20_000 {
            match rng.below(6) {
                0..=2 => {
                    seq += 1;
                    let at = now + [0, 0, 1, 5][rng.below(4) as usize];
                    q.insert((at, seq), Event::Serve { socket: seq }, now);
                    reference.insert((at, seq), seq);
                    keys.push((at, seq));
                }
                3 if !keys.is_empty() => {
                    let k = keys.swap_remove(rng.below(keys.len() as u64) as usize);
                    let got = q.remove(&k).map(|e| match e {
                        Event::Serve { socket } => socket,
                        _ => unreachable!(),
                    });
                    assert_eq!(got, reference.remove(&k));
                }
                _ => {
                    assert_eq!(q.next_time(), reference.keys().next().map(|k| k.0));
                    let got = q.pop_first().map(|(k, e)| match e {
                        Event::Serve { socket } => (k, socket),
                        _ => unreachable!(),
                    });
                    let want = reference.pop_first();
                    assert_eq!(got, want);
                    if let Some((k, _)) = want {
                        now = now.max(k.0);
                    }
                }
            }
        }
    }
}
