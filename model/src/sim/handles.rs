//! Socket handles as the program sees them, and the model's socket ids
//! behind them. Plain data: this module imports only the generator.
//!
//! "The socket descriptor passed in the s parameter may immediately be
//! reused by the system as soon as closesocket function is issued. As a
//! result, it is not reliable to expect further references to the socket
//! descriptor passed in the s parameter to fail with the error WSAENOTSOCK"
//! (`closesocket`, Remarks). Windows hands out kernel handles, and a closed
//! one comes back. With [`Config::reuse_handles`](super::Config) the model
//! gives a new socket (from `WSASocket` or `accept`) either a fresh value
//! or, by seed, one a closed socket gave back, so a program that keeps
//! using a closed handle reaches another socket, as it may on Windows.
//!
//! Inside the model a socket keeps an id of its own that is never used
//! again: segments, ICMP errors and operations still on their way to a
//! closed socket find no socket, never the one that took its handle. A
//! socket's id is its handle unless the handle is a reused one; only those
//! sockets are in the maps here, so a world that never reuses pays one
//! emptiness check per call.

use super::rng::Rng;
use std::collections::{BTreeMap, BTreeSet};

/// What no socket is: the id a handle resolves to when it names none.
pub(crate) const NO_SOCKET: u64 = u64::MAX;

/// The handle table.
#[derive(Debug)]
pub(crate) struct Handles {
    reuse: bool,
    /// The draws of reuse, apart from the world's generator so that
    /// reusing changes no other draw (ports, faults, timing).
    rng: Rng,
    /// Handles closed sockets gave back, for a later socket to take.
    freed: BTreeSet<u64>,
    /// A socket whose handle is a reused one: handle → id ...
    to_id: BTreeMap<u64, u64>,
    /// ... and id → handle.
    to_handle: BTreeMap<u64, u64>,
}

impl Handles {
    pub(crate) fn new(seed: u64, reuse: bool) -> Handles {
        Handles {
            reuse,
            // ("handles" in ASCII: a stream of its own.)
            rng: Rng::new(seed ^ 0x6861_6e64_6c65_7300),
            freed: BTreeSet::new(),
            to_id: BTreeMap::new(),
            to_handle: BTreeMap::new(),
        }
    }

    /// The socket id behind the handle a program passed: [`NO_SOCKET`]
    /// for the id of a socket that has another handle (the program was
    /// never given that value).
    #[inline]
    pub(crate) fn id(&self, handle: u64) -> u64 {
        if self.to_id.is_empty() {
            return handle;
        }
        match self.to_id.get(&handle) {
            Some(&id) => id,
            None if self.to_handle.contains_key(&handle) => NO_SOCKET,
            None => handle,
        }
    }

    /// The handle the program has for socket `id`.
    #[inline]
    pub(crate) fn handle(&self, id: u64) -> u64 {
        if self.to_handle.is_empty() {
            return id;
        }
        self.to_handle.get(&id).copied().unwrap_or(id)
    }

    /// The handle a new socket `id` is given: with reuse on and handles
    /// given back, one of them half of the time (which one by seed);
    /// otherwise its id. Returns the handle and whether it was reused.
    pub(crate) fn give(&mut self, id: u64) -> (u64, bool) {
        if !self.reuse || self.freed.is_empty() || self.rng.coin() {
            return (id, false);
        }
        let i = self.rng.below(self.freed.len() as u64) as usize;
        let h = *self.freed.iter().nth(i).expect("in range");
        self.freed.remove(&h);
        self.to_id.insert(h, id);
        self.to_handle.insert(id, h);
        (h, true)
    }

    /// Socket `id` is gone: its handle may be given again.
    pub(crate) fn free(&mut self, id: u64) {
        let h = match self.to_handle.remove(&id) {
            Some(h) => {
                self.to_id.remove(&h);
                h
            }
            None => id,
        };
        if self.reuse {
            self.freed.insert(h);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reused_handle_names_the_new_socket_only() {
        let mut t = Handles::new(1, true);
        assert_eq!(t.give(0x100), (0x100, false), "nothing freed yet");
        t.free(0x100);
        // Draw until the freed handle is taken (half of the time).
        let mut id = 0x104;
        let h = loop {
            let (h, reused) = t.give(id);
            if reused {
                break h;
            }
            id += 4;
        };
        assert_eq!(h, 0x100);
        assert_eq!(t.id(0x100), id);
        assert_eq!(t.handle(id), 0x100);
        assert_eq!(t.id(id), NO_SOCKET, "its id was never a handle");
        t.free(id);
        assert_eq!(t.id(0x100), 0x100, "back to no socket (0x100 is closed)");
        assert_eq!(t.handle(id), id);
    }

    #[test]
    fn without_reuse_every_handle_is_its_socket() {
        let mut t = Handles::new(1, false);
        for id in [0x100, 0x104, 0x108] {
            assert_eq!(t.give(id), (id, false));
            t.free(id);
        }
        assert_eq!(t.id(0x104), 0x104);
    }
}
