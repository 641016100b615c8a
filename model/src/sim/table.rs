//! The socket table: every socket of the world by handle, found by
//! arithmetic, with an index of the bound datagram sockets by port. Plain
//! data: this module imports no room of the model.

use super::net::HostId;
use super::socket::SocketState;
use crate::contract::consts::SOCK_DGRAM;
use std::collections::BTreeMap;
use std::net::SocketAddr;

/// The sockets of the world by handle: what a `BTreeMap<u64, SocketState>`
/// would be, iterated in the same (handle) order, but found by arithmetic.
///
/// Handles are `first + 4 * k` (`World::alloc_handle`), so a socket's slot
/// is its handle's distance from the first slot's handle over 4. Slots of
/// handles that are not sockets (events, ports, closed sockets) are empty;
/// empty slots at either end are given back, so the table spans the live
/// sockets' handles only. A handle of another form finds nothing.
#[derive(Default)]
pub(crate) struct Sockets {
    /// The handle of `slots[0]`.
    first: u64,
    /// Each socket boxed with its handle (8 bytes for an empty slot).
    slots: Vec<Option<Box<(u64, SocketState)>>>,
    /// The bound `SOCK_DGRAM` sockets by host (the vector's index) and
    /// local port, each list in handle order: where an arriving datagram
    /// looks, so that delivery does not grow with the number of sockets in
    /// the world, nor with those of other hosts (one map per host: a
    /// datagram to a host with one socket looks in a map of one). Kept by
    /// `insert`, `remove` and `set_local`, the only ways a socket's local
    /// address changes. Only looked up, never iterated.
    by_port: Vec<BTreeMap<u16, Vec<u64>>>,
}

/// The port-index key of a bound datagram socket.
fn port_key(st: &SocketState) -> Option<(HostId, u16)> {
    match st.local {
        Some(a) if st.ty == SOCK_DGRAM => Some((st.host, a.port())),
        _ => None,
    }
}

impl Sockets {
    /// The slot of handle `s`, if it is within the table.
    #[inline]
    fn slot(&self, s: u64) -> Option<usize> {
        let d = s.wrapping_sub(self.first);
        let i = usize::try_from(d / 4).ok()?;
        (d % 4 == 0 && i < self.slots.len()).then_some(i)
    }

    #[inline]
    pub(crate) fn get(&self, s: &u64) -> Option<&SocketState> {
        let i = self.slot(*s)?;
        self.slots[i].as_deref().map(|e| &e.1)
    }

    #[inline]
    pub(crate) fn get_mut(&mut self, s: &u64) -> Option<&mut SocketState> {
        let i = self.slot(*s)?;
        self.slots[i].as_deref_mut().map(|e| &mut e.1)
    }

    #[inline]
    pub(crate) fn contains_key(&self, s: &u64) -> bool {
        self.get(s).is_some()
    }

    /// Adds (or replaces) the socket with handle `s`.
    pub(crate) fn insert(&mut self, s: u64, st: SocketState) {
        if self.slots.is_empty() {
            self.first = s;
        }
        if s < self.first || (s - self.first) % 4 != 0 {
            assert_eq!(
                s % 4,
                self.first % 4,
                "socket handles are multiples of 4 from one base"
            );
            // (Not made by the model: handles only grow.)
            let k = usize::try_from((self.first - s) / 4).expect("a slot count");
            self.slots
                .splice(0..0, std::iter::repeat_with(|| None).take(k));
            self.first = s;
        }
        let i = usize::try_from((s - self.first) / 4).expect("a slot index");
        if i >= self.slots.len() {
            self.slots.resize_with(i + 1, || None);
        }
        if let Some(old) = self.slots[i].take() {
            self.unindex(s, &old.1);
        }
        self.index(s, &st);
        self.slots[i] = Some(Box::new((s, st)));
    }

    /// Takes the socket with handle `s` out.
    pub(crate) fn remove(&mut self, s: &u64) -> Option<SocketState> {
        let i = self.slot(*s)?;
        let (_, st) = *self.slots[i].take()?;
        self.unindex(*s, &st);
        self.trim();
        Some(st)
    }

    /// Gives socket `s` its local address (bind, the implicit bind).
    pub(crate) fn set_local(&mut self, s: u64, a: SocketAddr) {
        let i = self.slot(s).expect("a socket of the world");
        let e = self.slots[i].take().expect("a socket of the world");
        let mut e = e;
        self.unindex(s, &e.1);
        e.1.local = Some(a);
        self.index(s, &e.1);
        self.slots[i] = Some(e);
    }

    /// The bound datagram sockets of `host` on `port`, in handle order.
    #[inline]
    pub(crate) fn bound_to(&self, host: HostId, port: u16) -> &[u64] {
        self.by_port
            .get(host)
            .and_then(|m| m.get(&port))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    fn index(&mut self, s: u64, st: &SocketState) {
        if let Some((host, port)) = port_key(st) {
            if self.by_port.len() <= host {
                self.by_port.resize_with(host + 1, BTreeMap::new);
            }
            let v = self.by_port[host].entry(port).or_default();
            let at = v.partition_point(|&x| x < s);
            v.insert(at, s);
        }
    }

    fn unindex(&mut self, s: u64, st: &SocketState) {
        if let Some((host, port)) = port_key(st) {
            if let Some(m) = self.by_port.get_mut(host) {
                if let Some(v) = m.get_mut(&port) {
                    v.retain(|&x| x != s);
                    if v.is_empty() {
                        m.remove(&port);
                    }
                }
            }
        }
    }

    /// Gives back the empty slots at either end.
    fn trim(&mut self) {
        while self.slots.last().is_some_and(Option::is_none) {
            self.slots.pop();
        }
        let lead = self.slots.iter().take_while(|e| e.is_none()).count();
        if lead > 0 {
            self.slots.drain(..lead);
            self.first += 4 * lead as u64;
        }
    }

    /// The sockets in handle order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&u64, &SocketState)> + '_ {
        self.slots.iter().flatten().map(|e| (&e.0, &e.1))
    }

    /// The handles in order.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &u64> + '_ {
        self.iter().map(|(s, _)| s)
    }

    /// The sockets in handle order.
    pub(crate) fn values(&self) -> impl Iterator<Item = &SocketState> + '_ {
        self.iter().map(|(_, st)| st)
    }

    /// The sockets in handle order, mutable.
    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut SocketState> + '_ {
        self.slots.iter_mut().flatten().map(|e| &mut e.1)
    }
}

impl std::ops::Index<&u64> for Sockets {
    type Output = SocketState;
    #[inline]
    fn index(&self, s: &u64) -> &SocketState {
        self.get(s).expect("a socket of the world")
    }
}

impl std::fmt::Debug for Sockets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::consts::{AF_INET, SOCK_STREAM};
    use crate::sim::rng::Rng;
    use std::collections::BTreeMap;

    /// The table answers as a `BTreeMap` of the same sockets does: lookups
    /// of live, closed, foreign and out-of-range handles, removal, and
    /// iteration order, while handles grow as the world hands them out.
    #[test]
    fn sockets_behave_as_an_ordered_map() {
        let mut rng = Rng::new(5);
        let mut t = Sockets::default();
        let mut reference: BTreeMap<u64, i32> = BTreeMap::new();
        let mut next = 0x100 + 4 * rng.below(0x400);
        for k in 0..20_000 {
            match rng.below(5) {
                0 | 1 => {
                    // A socket (or, one time in three, an event's handle).
                    if rng.below(3) > 0 {
                        t.insert(next, SocketState::new(0, AF_INET, SOCK_DGRAM, k, false));
                        reference.insert(next, k);
                    }
                    next += 4;
                }
                2 => {
                    let probe = next.saturating_sub(rng.below(64)) + rng.below(3);
                    let got = t.remove(&probe).map(|st| st.protocol);
                    assert_eq!(got, reference.remove(&probe));
                }
                _ => {
                    let probe = next.saturating_sub(rng.below(64)) + rng.below(3);
                    assert_eq!(
                        t.get(&probe).map(|st| st.protocol),
                        reference.get(&probe).copied()
                    );
                    assert_eq!(t.contains_key(&probe), reference.contains_key(&probe));
                }
            }
            if k % 1000 == 0 {
                let all: Vec<(u64, i32)> = t.iter().map(|(&s, st)| (s, st.protocol)).collect();
                let want: Vec<(u64, i32)> = reference.iter().map(|(&s, &p)| (s, p)).collect();
                assert_eq!(all, want);
            }
        }
        assert!(t.get(&3).is_none() && t.get(&u64::MAX).is_none());
    }

    /// The port index says what a scan of the table says: the bound
    /// datagram sockets of a host on a port, in handle order, through
    /// sockets added, bound, rebound and removed, streams left out.
    #[test]
    fn the_port_index_is_the_scan() {
        let mut rng = Rng::new(9);
        let mut t = Sockets::default();
        let mut next = 0x100u64;
        let mut live: Vec<u64> = vec![];
        let scan = |t: &Sockets, h: HostId, port: u16| -> Vec<u64> {
            t.iter()
                .filter(|(_, st)| {
                    st.ty == SOCK_DGRAM
                        && st.host == h
                        && st.local.is_some_and(|a| a.port() == port)
                })
                .map(|(&s, _)| s)
                .collect()
        };
        for k in 0..20_000 {
            match rng.below(4) {
                0 => {
                    let ty = if rng.below(4) == 0 {
                        SOCK_STREAM
                    } else {
                        SOCK_DGRAM
                    };
                    let h = rng.below(3) as HostId;
                    let mut st = SocketState::new(h, AF_INET, ty, 0, false);
                    if rng.coin() {
                        st.local = Some(SocketAddr::from((
                            [127, 0, 0, 1],
                            5000 + rng.below(4) as u16,
                        )));
                    }
                    t.insert(next, st);
                    live.push(next);
                    next += 4;
                }
                1 if !live.is_empty() => {
                    let s = live[rng.below(live.len() as u64) as usize];
                    let a = SocketAddr::from(([0, 0, 0, 0], 5000 + rng.below(4) as u16));
                    t.set_local(s, a);
                }
                2 if !live.is_empty() => {
                    let s = live.swap_remove(rng.below(live.len() as u64) as usize);
                    assert!(t.remove(&s).is_some());
                }
                _ => {}
            }
            if k % 97 == 0 {
                for h in 0..3 {
                    for port in 5000..5004 {
                        assert_eq!(
                            t.bound_to(h, port),
                            scan(&t, h, port).as_slice(),
                            "host {h} port {port}"
                        );
                    }
                }
            }
        }
    }
}
