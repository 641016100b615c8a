//! [`Harness`]: the common shape of a networked test, servers and clients
//! on their own simulated hosts, each a simulated thread, started and
//! joined for you (in the manner of turmoil's `host` and `client`).

use crate::{ReportKind, Sim, SimHost, SimThread, Winsock, WsaError, WINSOCK_VERSION_2_2};
use std::io;
use std::time::Duration;

type Body = Box<dyn FnOnce(SimHost) -> io::Result<()> + Send + 'static>;

/// Whether a role serves (may wait for ever) or is a client (the test).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Host,
    Client,
}

struct Role {
    name: String,
    kind: Kind,
    host: SimHost,
    body: Body,
}

/// Hosts that serve and clients that test, each on its own simulated host
/// and thread of one [`Sim`].
///
/// [`Harness::host`] and [`Harness::client`] add a host to the world with
/// its interface addresses and the function its thread runs, with
/// `WSAStartup` done. [`Harness::run`] starts the hosts' threads first and
/// lets them run until each waits (a microsecond of virtual time, so that
/// a server is listening before a client connects), then the clients';
/// it joins the clients, in the order given, then the hosts. A host
/// still waiting for work when every client has returned gets the
/// model's deadlock report in that wait (nothing could ever come), which
/// ends it: a host that returns that error (with `?`) is done, not failed.
/// Every other error or panic of a role fails the run.
///
/// As everywhere in the model, one seed fixes the interleaving: a run is
/// replayed exactly by the same seed, and
/// [`SimBuilder::try_seeds`](crate::SimBuilder::try_seeds) explores many.
///
/// ```
/// use winsock_double::*;
///
/// Sim::builder().try_seeds(20, |sim| {
///     let mut net = Harness::new(sim);
///     net.host("server", &["10.0.0.1/24"], |h| {
///         let s = OwnedSocket::new(&h, Domain::IPV4, Type::DGRAM, None)?;
///         s.bind(&"10.0.0.1:7".parse().unwrap())?;
///         let mut buf = [0u8; 64];
///         loop {
///             let (n, from) = s.recv_from(&mut buf)?; // the end: a deadlock report
///             s.send_to(&buf[..n], &from)?;
///         }
///     });
///     net.client("client", &["10.0.0.2/24"], |h| {
///         let s = OwnedSocket::new(&h, Domain::IPV4, Type::DGRAM, None)?;
///         s.send_to(b"ping", &"10.0.0.1:7".parse().unwrap())?;
///         let mut buf = [0u8; 64];
///         let (n, _) = s.recv_from(&mut buf)?;
///         assert_eq!(&buf[..n], b"ping");
///         Ok(())
///     });
///     net.run().unwrap();
/// });
/// ```
pub struct Harness {
    sim: Sim,
    roles: Vec<Role>,
}

impl std::fmt::Debug for Harness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let roles: Vec<(&str, Kind)> = self.roles.iter().map(|r| (&*r.name, r.kind)).collect();
        f.debug_struct("Harness").field("roles", &roles).finish()
    }
}

impl Harness {
    /// A harness on `sim` (another handle to the same world).
    pub fn new(sim: &Sim) -> Harness {
        Harness {
            sim: sim.clone(),
            roles: Vec::new(),
        }
    }

    /// The world.
    pub fn sim(&self) -> &Sim {
        &self.sim
    }

    /// Adds host `name` with interface addresses `addrs` (CIDR, as
    /// [`Sim::add_host`]) whose thread runs `f`: a server, which may wait
    /// for ever.
    ///
    /// # Panics
    ///
    /// When the host cannot be added (a name or address taken, an address
    /// that is not one).
    #[track_caller]
    pub fn host<F>(&mut self, name: &str, addrs: &[&str], f: F) -> &mut Harness
    where
        F: FnOnce(SimHost) -> io::Result<()> + Send + 'static,
    {
        self.add(name, addrs, Kind::Host, Box::new(f))
    }

    /// Adds host `name` with interface addresses `addrs` whose thread runs
    /// `f`: a client, which must return.
    ///
    /// # Panics
    ///
    /// As [`Harness::host`].
    #[track_caller]
    pub fn client<F>(&mut self, name: &str, addrs: &[&str], f: F) -> &mut Harness
    where
        F: FnOnce(SimHost) -> io::Result<()> + Send + 'static,
    {
        self.add(name, addrs, Kind::Client, Box::new(f))
    }

    #[track_caller]
    fn add(&mut self, name: &str, addrs: &[&str], kind: Kind, body: Body) -> &mut Harness {
        let host = match self.sim.add_host(name, addrs) {
            Ok(h) => h,
            Err(e) => panic!("Harness: host `{name}`: {e}"),
        };
        self.roles.push(Role {
            name: name.to_string(),
            kind,
            host,
            body,
        });
        self
    }

    /// Runs every role to its end: the hosts start first, then the
    /// clients; the clients are joined, then the hosts. The first error a
    /// role returned is the result (a host's deadlock report after the
    /// clients are done is its end, not an error); a role's panic goes on
    /// here.
    #[track_caller]
    pub fn run(self) -> io::Result<()> {
        let mut first: Option<io::Error> = None;
        let mut note = |r: io::Result<()>| {
            if let Err(e) = r {
                first.get_or_insert(e);
            }
        };
        let mut started: Vec<(Kind, SimThread<io::Result<()>>)> = Vec::new();
        let (hosts, clients): (Vec<Role>, Vec<Role>) =
            self.roles.into_iter().partition(|r| r.kind == Kind::Host);
        for role in hosts {
            started.push((Kind::Host, spawn(role)?));
        }
        if !started.is_empty() {
            // The hosts run until each waits, before any client starts.
            self.sim.advance(Duration::from_micros(1));
        }
        for role in clients {
            started.push((Kind::Client, spawn(role)?));
        }
        // Clients first, in order; then the hosts.
        started.sort_by_key(|(k, _)| *k == Kind::Host);
        for (kind, mut t) in started {
            let r = match t.join() {
                Ok(r) => r,
                // The host waits for ever: it had a deadlock report too,
                // in that wait, and has ended by now.
                Err(e) if kind == Kind::Host && is_deadlock(&e) => {
                    t.join().unwrap_or_else(|e| Err(e.into()))
                }
                Err(e) => Err(e.into()),
            };
            note(match r {
                Err(e) if kind == Kind::Host && e.kind() == io::ErrorKind::Deadlock => Ok(()),
                r => r,
            });
        }
        first.map_or(Ok(()), Err)
    }
}

fn is_deadlock(e: &WsaError) -> bool {
    e.report().is_some_and(|r| r.kind == ReportKind::Deadlock)
}

/// Starts `role`'s thread on its host, with `WSAStartup` done first.
#[track_caller]
fn spawn(role: Role) -> io::Result<SimThread<io::Result<()>>> {
    let Role {
        name, body, host, ..
    } = role;
    Ok(host.spawn(&name, move |h| {
        h.wsa_startup(WINSOCK_VERSION_2_2)?;
        body(h)
    })?)
}
