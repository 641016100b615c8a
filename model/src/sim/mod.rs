//! `Sim`: the deterministic simulated network.
//!
//! A [`Sim`] is a world of hosts; a [`SimHost`] is one process on one host
//! and implements [`Winsock`](crate::Winsock). Time is virtual: it moves only when a blocking
//! call waits or [`Sim::advance`] is called, and jumps to the next event.
//!
//! ```
//! use winsock_double::*;
//! let sim = Sim::new(7);
//! let a = sim.add_host("a", &["10.0.0.1/24"]).unwrap();
//! let b = sim.add_host("b", &["10.0.0.2/24"]).unwrap();
//! a.wsa_startup(WINSOCK_VERSION_2_2).unwrap();
//! b.wsa_startup(WINSOCK_VERSION_2_2).unwrap();
//! let rx = b.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
//! b.bind(rx, &"10.0.0.2:5000".parse().unwrap()).unwrap();
//! let tx = a.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
//! a.send_to(tx, b"ping", &"10.0.0.2:5000".parse().unwrap()).unwrap();
//! let mut buf = [0u8; 16];
//! let (n, from) = b.recv_from(rx, &mut buf).unwrap(); // waits 100 µs of virtual time
//! assert_eq!(&buf[..n], b"ping");
//! assert_eq!(from.ip().to_string(), "10.0.0.1");
//! ```
//!
//! The files, by room. Data modules at the bottom import no room; the
//! world holds the data; the rooms add behaviour to the world and import
//! the world and the data, never back (`model/tests/house.rs` checks it).
//!
//! | room | file | holds |
//! |---|---|---|
//! | data | `call.rs` | a data call's arguments and results between the rooms, the plan of a checked send |
//! | data | `config.rs` | [`Config`], [`DatagramFaults`] |
//! | data | `handles.rs` | the handles a program holds and the socket ids behind them (reuse) |
//! | data | `events.rs` | packets on the wire, events, the event queue |
//! | data | `net.rs` | hosts, interfaces, routes |
//! | data | `socket.rs` | socket state, options, limits; `Transport`: what each kind owns |
//! | data | `table.rs` | the socket table by handle, and its index of bound datagram sockets by port |
//! | data | `tcp.rs` | a connection's state and segments |
//! | data | `pcap.rs` | packets as a capture keeps them; the pcapng form |
//! | data | `ovl.rs` | kernel objects: outstanding operations, `OVERLAPPED` status, routines, events, ports |
//! | data | `sched_state.rs` | the thread table; `Step`/`Halt`: a call body's value, error or block |
//! | world | `world.rs` | the world, the clock, blocking waits |
//! | façade | `host.rs`, `host_call.rs`, `host_ovl.rs` | [`SimHost`]: every call's entry (scheduling point, trace line), [`Winsock`](crate::Winsock) and [`WinsockOverlapped`](crate::WinsockOverlapped) |
//! | façade | `host_msg.rs` | [`SimHost::async_select`] (`WSAAsyncSelect`), the window messages it posts, a message loop's wait |
//! | façade | `host_query.rs` | [`SimHost::route_source`], [`SimHost::local_addresses`]: what an address query reads of the network |
//! | façade | `host_poll.rs` | [`SimHost::poll`] (`WSAPoll`) and [`SimHost::select`]: their checks, `revents` and the sets |
//! | façade | `host_afd.rs` | [`SimHost::afd_socket_now`]: what an AFD receive reads of a socket before it starts |
//! | calls | `lifecycle.rs` | create, bind, connect, close for every kind |
//! | calls | `dgram_send.rs`, `dgram_recv.rs` | the send and receive checks in documented order; datagram send and receive |
//! | calls | `offload.rs` | Windows' send offloads: segments, ECN codepoints, don't-fragment |
//! | calls | `sockopt.rs`, `ipopt.rs` | options, ioctls, names, shutdown, start-up; the IP and UDP options of Windows, the path MTU |
//! | transports | `dgram.rs` | datagram and raw sockets: routing, delivery |
//! | transports | `stream.rs`, `stream_wire.rs`, `stream_io.rs` | connections: set-up and end; segments on the wire; the calls' stream halves |
//! | transports | `message.rs`, `urgent.rs`, `faults.rs` | message protocols; urgent data; connections the network breaks |
//! | kernel | `overlapped.rs`, `reap.rs` | posting and completing operations; `WSAGetOverlappedResult`, cancelling |
//! | kernel | `poll.rs` | readiness from a socket's state ([`PollFd`], the `POLL*` flags), the wait of `WSAPoll` and `select` |
//! | kernel | `apc.rs`, `event.rs`, `port.rs` | completion routines; event objects and waits; completion ports |
//! | threads | `sched.rs`, `thread.rs`, `pace.rs` | the baton, seeded scheduling, deadlocks; [`SimHost::spawn`], [`SimThread::join`]; paced calls for threads outside the model, [`Sim::pace`] |
//! | tools | `capture.rs` | the capture: packets kept where their arrival is scheduled, [`Sim::pcapng`] |
//! | tools | `seeds.rs`, `trace.rs`, `rng.rs` | [`try_seeds`]; the trace; the seeded generator |

mod apc;
mod call;
mod capture;
mod config;
mod dgram;
mod dgram_recv;
mod dgram_send;
mod event;
mod events;
mod faults;
mod handles;
mod host;
mod host_afd;
mod host_call;
mod host_msg;
mod host_ovl;
mod host_poll;
mod host_query;
mod ioctl_ovl;
mod ip_opts;
mod ipopt;
mod lifecycle;
mod message;
mod net;
mod netevents;
mod offload;
mod optsize;
mod overlapped;
mod ovl;
mod ovl_render;
mod pace;
mod pcap;
mod poll;
mod port;
mod protocols;
mod reap;
mod rng;
mod sched;
mod sched_state;
mod seeds;
mod socket;
mod sockopt;
mod stream;
mod stream_io;
mod stream_wire;
mod table;
mod tcp;
mod thread;
mod trace;
mod urgent;
mod world;

pub use crate::contract::consts::{
    POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLPRI, POLLRDBAND, POLLRDNORM, POLLWRBAND,
    POLLWRNORM, POLL_EVENTS_VALID,
};
pub use crate::contract::types::PollFd;
pub use config::{Config, DatagramFaults, Injection};
pub use host::SimHost;
pub use host_afd::AfdSocketState;
pub use ovl::{CompletionTiming, RoutineOrder};
pub use seeds::{try_seeds, try_seeds_with};
pub use tcp::StreamReads;
pub use thread::SimThread;
pub use trace::{CallSpan, TraceEvent};

use net::{parse_cidr, Host, Iface, Route};
use parking_lot::{Condvar, Mutex};
use std::sync::Arc;
use std::time::Duration;
use world::World;

/// The simulated world: hosts, their sockets, the wire, a virtual clock.
/// Cloning gives another handle to the same world.
#[derive(Clone, Debug)]
pub struct Sim {
    pub(super) world: Arc<Mutex<World>>,
    /// Where simulated threads wait for the baton.
    pub(super) cv: Arc<Condvar>,
}

/// A configuration mistake in building a simulated network.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("network configuration: {0}")]
pub struct ConfigError(pub String);

impl Sim {
    /// A world with the default [`Config`], its choices fixed by `seed`.
    pub fn new(seed: u64) -> Sim {
        Sim::with_config(seed, Config::default())
    }

    /// A world with the given settings.
    pub fn with_config(seed: u64, cfg: Config) -> Sim {
        Sim {
            world: Arc::new(Mutex::new(World::new(seed, cfg))),
            cv: Arc::new(Condvar::new()),
        }
    }

    /// The seed the world was made with.
    pub fn seed(&self) -> u64 {
        self.world.lock().seed
    }

    /// Adds a host with interface addresses in CIDR form (`"10.0.0.1/24"`,
    /// `"fd00::1/64"`); every host also has loopback. Interface indexes are
    /// 2, 3, ... in the order given (1 is loopback).
    pub fn add_host(&self, name: &str, addrs: &[&str]) -> Result<SimHost, ConfigError> {
        let mut w = self.world.lock();
        if w.hosts.iter().any(|h| h.name == name) {
            return Err(ConfigError(format!("host `{name}` exists already")));
        }
        let mut ifaces = vec![];
        for (k, a) in addrs.iter().enumerate() {
            let (addr, prefix) = parse_cidr(a).map_err(ConfigError)?;
            if addr.is_loopback() || addr.is_unspecified() || addr.is_multicast() {
                return Err(ConfigError(format!(
                    "`{a}`: not a unicast interface address"
                )));
            }
            if w.owner_of(&addr).is_some() {
                return Err(ConfigError(format!("`{a}`: another host has this address")));
            }
            ifaces.push(Iface {
                index: k as u32 + 2,
                addr,
                prefix,
                mtu: net::DEFAULT_MTU,
            });
        }
        w.hosts.push(Host::new(name, ifaces));
        let host = w.hosts.len() - 1;
        Ok(SimHost {
            world: self.world.clone(),
            cv: self.cv.clone(),
            host,
            tracing: w.cfg.tracing,
        })
    }

    /// The host named `name`.
    pub fn host(&self, name: &str) -> Option<SimHost> {
        let w = self.world.lock();
        w.hosts
            .iter()
            .position(|h| h.name == name)
            .map(|host| SimHost {
                world: self.world.clone(),
                cv: self.cv.clone(),
                host,
                tracing: w.cfg.tracing,
            })
    }

    /// Makes `prefix` (CIDR) reachable from host `from` through `hops`
    /// routers; a datagram whose TTL is not above `hops` dies on the way and
    /// its sender learns it as `WSAENETRESET`.
    pub fn add_route(&self, from: &str, prefix: &str, hops: u8) -> Result<(), ConfigError> {
        let mut w = self.world.lock();
        let host = w
            .hosts
            .iter()
            .position(|h| h.name == from)
            .ok_or_else(|| ConfigError(format!("no host `{from}`")))?;
        let (net, prefix) = parse_cidr(prefix).map_err(ConfigError)?;
        w.routes.push(Route {
            host,
            net,
            prefix,
            hops,
        });
        Ok(())
    }

    /// Fails (or restores) a host's network subsystem: its calls return
    /// `WSAENETDOWN` and datagrams to it are lost.
    pub fn set_network_down(&self, host: &str, down: bool) -> Result<(), ConfigError> {
        let mut w = self.world.lock();
        let h = w
            .hosts
            .iter_mut()
            .find(|h| h.name == host)
            .ok_or_else(|| ConfigError(format!("no host `{host}`")))?;
        h.down = down;
        // Connections look again at their peers (faults.rs).
        w.network_changed();
        Ok(())
    }

    /// Sets the MTU of the interface of `host` that has address `addr`
    /// (1500 unless set; loopback's is 65535). It bounds a datagram sent
    /// with don't-fragment (`WIN-DONTFRAGMENT`) and is what `IP_MTU` reads.
    ///
    /// ```
    /// use winsock_double::*;
    /// let sim = Sim::new(1);
    /// sim.add_host("a", &["10.0.0.1/24"]).unwrap();
    /// sim.set_mtu("a", "10.0.0.1", 1280).unwrap();
    /// assert!(sim.set_mtu("a", "10.0.0.1", 67).is_err());
    /// ```
    pub fn set_mtu(&self, host: &str, addr: &str, mtu: u32) -> Result<(), ConfigError> {
        let ip: std::net::IpAddr = addr
            .parse()
            .map_err(|_| ConfigError(format!("`{addr}`: not an IP address")))?;
        // IPv4 needs 68 bytes on every link (RFC 791), IPv6 1280 (RFC 8200).
        let least = if ip.is_ipv4() { 68 } else { 1280 };
        if !(least..=65_535).contains(&mtu) {
            return Err(ConfigError(format!(
                "MTU {mtu} for `{addr}`: must be {least} to 65535"
            )));
        }
        let mut w = self.world.lock();
        let h = w
            .hosts
            .iter_mut()
            .find(|h| h.name == host)
            .ok_or_else(|| ConfigError(format!("no host `{host}`")))?;
        let i = h
            .ifaces
            .iter_mut()
            .find(|i| i.addr == ip && i.index != net::LOOPBACK_INDEX)
            .ok_or_else(|| ConfigError(format!("host `{host}` has no interface `{addr}`")))?;
        i.mtu = mtu;
        Ok(())
    }

    /// Virtual time since the start.
    pub fn now(&self) -> Duration {
        Duration::from_nanos(self.world.lock().now)
    }

    /// Lets `d` of virtual time pass, delivering whatever arrives meanwhile.
    /// With simulated threads, the caller waits as in a non-alertable sleep:
    /// the others run, and their time-outs fall at their own times.
    pub fn advance(&self, d: Duration) {
        let mut w = self.world.lock();
        let t = w
            .now
            .saturating_add(u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
        self.pass_until(&mut w, t);
    }

    /// The virtual time from now to the next pending event (a datagram or
    /// segment arriving, a time-out of the model's), if any: for a front
    /// end whose program waits outside the model (the DLL's AFD polls),
    /// to let virtual time pass only as far as the model has something in
    /// flight.
    pub fn next_event_in(&self) -> Option<Duration> {
        let w = self.world.lock();
        w.next_event_time()
            .map(|t| Duration::from_nanos(t.saturating_sub(w.now)))
    }

    /// Runs every pending event (deliveries, ICMP errors) to completion
    /// (with simulated threads: lets time pass until no event is left).
    pub fn run_until_idle(&self) {
        let mut w = self.world.lock();
        while let Some(t) = w.next_event_time() {
            self.pass_until(&mut w, t);
        }
    }

    /// Moves the clock to `t`: directly while there is one thread, else as
    /// a wait of the calling thread that others may run during.
    fn pass_until(&self, w: &mut parking_lot::MutexGuard<'_, World>, t: u64) {
        // (Threads exist only on hosts: host 0 is there.)
        if !w.sched.threaded() {
            w.advance_to(t);
            return;
        }
        let Ok(me) = sched::enter(w, &self.cv) else {
            // Not a simulated thread: nothing of it can wait.
            w.advance_to(t);
            return;
        };
        // The wait never runs routines (it is not alertable).
        while let Err(world::WaitEnd::Park(_)) =
            w.wait_until(0, Some(t), "Sim::advance", false, |_| false)
        {
            sched::block(w, &self.cv, me);
        }
        w.call_done(me);
    }

    /// The trace so far.
    pub fn trace(&self) -> Vec<TraceEvent> {
        self.world.lock().trace.clone()
    }

    /// [`Sim::trace`] if the world is not locked now (`None` if it is): for
    /// a front end at process exit, where a thread ended inside a call
    /// may hold the world's lock for ever (the DLL's unload).
    pub fn try_trace(&self) -> Option<Vec<TraceEvent>> {
        self.world.try_lock().map(|w| w.trace.clone())
    }

    /// How many lines the trace has so far.
    pub fn trace_len(&self) -> usize {
        self.world.lock().trace.len()
    }

    /// Where each call of the trace began, in the order of their lines
    /// (empty when the world keeps no trace): what a timeline draws calls
    /// as spans from.
    pub fn spans(&self) -> Vec<CallSpan> {
        self.world.lock().spans.clone()
    }

    /// Diagnostics the model recorded without failing a call: receives
    /// issued on one socket from several threads at once
    /// (`RECV-THREADS-SIMULTANEOUS`, `RECVMSG-THREADS-SIMULTANEOUS`), one
    /// per socket.
    pub fn diagnostics(&self) -> Vec<crate::contract::ModelReport> {
        self.world.lock().diagnostics.clone()
    }

    /// The trace so far, one rendered line per event.
    pub fn trace_text(&self) -> String {
        let w = self.world.lock();
        let mut s = String::new();
        for e in &w.trace {
            s.push_str(&e.to_string());
            s.push('\n');
        }
        s
    }
}
