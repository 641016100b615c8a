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
///
/// A datagram's arrival, the commonest event, is kept apart in one slot
/// when the slot is free (a datagram sent to a socket of the same host
/// and received by the next call never goes through the FIFO or the
/// map): popping takes the smallest key of the three, so the order is
/// still exactly the map's.
///
/// An event for a later time (a timed arrival across a link with latency,
/// a timer) goes into a lane, a deque whose keys rise from front to back,
/// when its key is larger than the lane's last: events scheduled at a
/// fixed delay from a rising clock come in that order, so a thousand
/// timed arrivals in flight cost pushes and pops, not a thousand map
/// nodes. The lane's front is its smallest key and popping takes the
/// smallest key of the four places, so the order is still exactly the
/// map's; an event out of the lane's order goes to the map.
#[derive(Debug, Default)]
pub(crate) struct Events {
    map: BTreeMap<(u64, u64), Event>,
    /// Events for later times, by rising key.
    lane: VecDeque<((u64, u64), Event)>,
    /// Events for time `fifo_at`, by sequence number.
    fifo: VecDeque<(u64, Event)>,
    fifo_at: u64,
    /// One `Event::Arrive` with its key: (key, host, packet).
    arrival: Option<Arrival>,
}

/// The slot's arrival: its key, the receiving host and the packet.
pub(crate) type Arrival = ((u64, u64), HostId, Box<Packet>);

/// Where the earliest event waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Arrival,
    Fifo,
    Lane,
    Map,
}

impl Events {
    /// Adds an event with key `(at, seq)`; `now` is the clock (an event for
    /// it goes to the FIFO).
    #[inline]
    pub(crate) fn insert(&mut self, key: (u64, u64), ev: Event, now: u64) {
        let ev = match ev {
            Event::Arrive { host, packet } if self.arrival.is_none() => {
                self.arrival = Some((key, host, packet));
                return;
            }
            ev => ev,
        };
        self.insert_queued(key, ev, now);
    }

    /// [`Events::insert`] into the FIFO or the map.
    fn insert_queued(&mut self, key: (u64, u64), ev: Event, now: u64) {
        let (at, seq) = key;
        let fifo_ok = self.fifo.back().is_none_or(|&(last, _)| last < seq);
        if at == now && fifo_ok && (self.fifo.is_empty() || self.fifo_at == at) {
            self.fifo_at = at;
            self.fifo.push_back((seq, ev));
        } else if at > now && self.lane.back().is_none_or(|&(last, _)| last < key) {
            self.lane.push_back((key, ev));
        } else {
            self.map.insert(key, ev);
        }
    }

    /// Drops the event with `key`, if it is there.
    pub(crate) fn remove(&mut self, key: &(u64, u64)) -> Option<Event> {
        if self.arrival.as_ref().is_some_and(|a| a.0 == *key) {
            let (_, host, packet) = self.arrival.take().expect("just seen");
            return Some(Event::Arrive { host, packet });
        }
        if key.0 == self.fifo_at {
            if let Some(i) = self.fifo.iter().position(|&(seq, _)| seq == key.1) {
                return self.fifo.remove(i).map(|(_, ev)| ev);
            }
        }
        if let Ok(i) = self.lane.binary_search_by(|(k, _)| k.cmp(key)) {
            return self.lane.remove(i).map(|(_, ev)| ev);
        }
        self.map.remove(key)
    }

    /// The key of the earliest event and where it waits.
    #[inline(always)]
    fn first(&self) -> Option<((u64, u64), Place)> {
        let f = self.fifo.front().map(|&(seq, _)| (self.fifo_at, seq));
        let m = self.map.first_key_value().map(|(&k, _)| k);
        let q = match (f, m) {
            (Some(f), Some(m)) if m < f => Some((m, Place::Map)),
            (Some(f), _) => Some((f, Place::Fifo)),
            (None, Some(m)) => Some((m, Place::Map)),
            (None, None) => None,
        };
        let q = match (self.lane.front(), q) {
            (Some(&(l, _)), Some(q)) if q.0 < l => Some(q),
            (Some(&(l, _)), _) => Some((l, Place::Lane)),
            (None, q) => q,
        };
        match (&self.arrival, q) {
            (Some(a), Some(q)) if q.0 < a.0 => Some(q),
            (Some(a), _) => Some((a.0, Place::Arrival)),
            (None, q) => q,
        }
    }

    /// The time of the earliest event.
    #[inline]
    pub(crate) fn next_time(&self) -> Option<u64> {
        self.first().map(|((t, _), _)| t)
    }

    /// Whether an event is due at or before `t`.
    #[inline]
    pub(crate) fn due(&self, t: u64) -> bool {
        self.arrival.as_ref().is_some_and(|a| a.0 .0 <= t)
            || (!self.fifo.is_empty() && self.fifo_at <= t)
            || self.lane.front().is_some_and(|(k, _)| k.0 <= t)
            || self.map.first_key_value().is_some_and(|(k, _)| k.0 <= t)
    }

    /// Takes the slot's arrival when it is the only event queued and is
    /// due at or before `t`: then it is the earliest event, the one
    /// [`Events::pop_first`] would give.
    #[inline]
    pub(crate) fn take_lone_arrival(&mut self, t: u64) -> Option<Arrival> {
        let lone = self.fifo.is_empty() && self.lane.is_empty() && self.map.is_empty();
        if lone && self.arrival.as_ref().is_some_and(|a| a.0 .0 <= t) {
            self.arrival.take()
        } else {
            None
        }
    }

    /// Takes the earliest event.
    #[inline]
    pub(crate) fn pop_first(&mut self) -> Option<((u64, u64), Event)> {
        let (key, place) = self.first()?;
        match place {
            Place::Arrival => {
                let (key, host, packet) = self.arrival.take().expect("the first");
                Some((key, Event::Arrive { host, packet }))
            }
            Place::Fifo => self.fifo.pop_front().map(|(_, ev)| (key, ev)),
            Place::Lane => self.lane.pop_front(),
            Place::Map => self.map.pop_first(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::Rng;

    /// An event numbered `n`: an arrival (for the slot) or a `Serve`.
    fn ev(n: u64, arrival: bool) -> Event {
        if !arrival {
            return Event::Serve { socket: n };
        }
        let a: SocketAddr = "127.0.0.1:1".parse().unwrap();
        Event::Arrive {
            host: n as HostId,
            packet: Box::new(Packet {
                src_sock: 0,
                src_host: 0,
                src: a,
                dst: a,
                proto: 17,
                udp: true,
                ttl: 128,
                tos: 0,
                bcast: false,
                mcast: false,
                ifindex: 1,
                data: Vec::new(),
            }),
        }
    }

    /// The number of an event made by [`ev`].
    fn num(e: Event) -> u64 {
        match e {
            Event::Serve { socket } => socket,
            Event::Arrive { host, .. } => host as u64,
            _ => unreachable!(),
        }
    }

    /// The slot's arrival is taken alone only when no other place holds an
    /// event and it is due.
    #[test]
    fn lone_arrival_only_when_alone() {
        // An event at the clock (the FIFO), later (the lane), earlier (the
        // map).
        for at in [10, 20, 5] {
            let mut q = Events::default();
            q.insert((at, 1), ev(1, false), 10);
            q.insert((10, 2), ev(2, true), 10);
            assert!(q.take_lone_arrival(10).is_none(), "an event at {at}");
        }
        let mut q = Events::default();
        q.insert((10, 1), ev(1, true), 10);
        assert!(q.take_lone_arrival(9).is_none(), "not due yet");
        assert_eq!(q.take_lone_arrival(10).map(|a| a.0), Some((10, 1)));
        assert!(q.pop_first().is_none());
    }

    /// The FIFO, the lane and the arrival slot beside the map change
    /// nothing: events
    /// come out in the order a plain map of (time, sequence) gives, through
    /// insertions at the clock and later, removals, and the clock moving on.
    #[test]
    fn events_pop_in_map_order() {
        let mut rng = Rng::new(11);
        let mut q = Events::default();
        let mut reference: BTreeMap<(u64, u64), u64> = BTreeMap::new();
        let (mut now, mut seq) = (0u64, 0u64);
        let mut keys = Vec::new();
        // Whether the lane was ever empty, ever not, the map ever used, and
        // a lone arrival ever taken.
        let mut used = [false; 4];
        // Now and then the queue is emptied (a lone arrival is left last).
        let mut draining = false;
        for _ in 0..20_000 {
            draining = (draining || rng.below(100) == 0) && !reference.is_empty();
            match if draining { 5 } else { rng.below(6) } {
                0..=2 => {
                    seq += 1;
                    let at = now + [0, 0, 1, 5, 5, 5, 9][rng.below(7) as usize];
                    q.insert((at, seq), ev(seq, rng.below(3) == 0), now);
                    reference.insert((at, seq), seq);
                    used[usize::from(!q.lane.is_empty())] = true;
                    used[2] |= !q.map.is_empty();
                    keys.push((at, seq));
                }
                3 if !keys.is_empty() => {
                    let k = keys.swap_remove(rng.below(keys.len() as u64) as usize);
                    let got = q.remove(&k).map(num);
                    assert_eq!(got, reference.remove(&k));
                }
                _ => {
                    assert_eq!(q.next_time(), reference.keys().next().map(|k| k.0));
                    assert_eq!(
                        q.due(now),
                        reference.keys().next().is_some_and(|k| k.0 <= now)
                    );
                    // The lone arrival, when taken, is the earliest event.
                    let lone = q.take_lone_arrival(now).map(|(k, h, _)| (k, h as u64));
                    used[3] |= lone.is_some();
                    let got = lone.or_else(|| q.pop_first().map(|(k, e)| (k, num(e))));
                    if lone.is_some() {
                        assert_eq!(reference.len(), 1, "only when it is alone");
                    }
                    let want = reference.pop_first();
                    assert_eq!(got, want);
                    if let Some((k, _)) = want {
                        now = now.max(k.0);
                    }
                }
            }
        }
        assert_eq!(used, [true; 4], "the lane and the map both had events");
    }
}
