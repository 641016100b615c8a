//! The scheduler's table of simulated threads, as the world keeps it:
//! their numbers, where each is, what a parked one waits for, and which
//! holds the baton. Generic over the world a wait's condition reads, so
//! that this module imports no room of the model (`sched.rs` runs it).

use super::net::HostId;
use crate::contract::WsaError;
use std::thread::ThreadId;

/// A simulated thread's number; 0 is the main thread (every OS thread that
/// is not a spawned simulated thread, usually the test's own).
pub(crate) type Tid = u32;

/// The main thread.
pub(crate) const MAIN: Tid = 0;

/// Whether a parked thread's wait is over (its condition, not its time-out).
pub(crate) type Ready<W> = Box<dyn Fn(&W) -> bool + Send>;

/// What a parked thread waits for.
pub(crate) struct Wait<W> {
    /// For the deadlock report: `a blocking receive`, `join of thread x`.
    pub(crate) what: String,
    pub(crate) host: HostId,
    /// The first attempt's deadline, kept across retries.
    pub(crate) deadline: Option<u64>,
    pub(crate) ready: Ready<W>,
    /// A completion routine queued to the thread ends the wait (it runs,
    /// and the call goes on waiting).
    pub(crate) alertable: bool,
    /// The socket a blocking receive waits on (`*-THREADS-SIMULTANEOUS`).
    pub(crate) recv_on: Option<u64>,
}

/// One paced OS thread (`pace.rs`).
pub(crate) struct Pace<W> {
    pub(crate) os: ThreadId,
    /// The virtual time its blocking calls wait up to (`None`: no limit,
    /// the call runs to its end as an unpaced one would).
    pub(crate) until: Option<u64>,
    /// The wait of its call that stopped at the horizon, with the call's
    /// name: the next call of that name goes on with it.
    pub(crate) kept: Option<(&'static str, Wait<W>)>,
}

impl<W> std::fmt::Debug for Pace<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pace")
            .field("until", &self.until)
            .field("kept", &self.kept.as_ref().map(|k| k.0))
            .finish()
    }
}

/// Where a simulated thread is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    /// Holds the baton or may be given it.
    Runnable,
    /// Parked in a blocking call.
    Blocked,
    /// Its function returned; it runs no more.
    Finished,
}

/// One simulated thread.
pub(crate) struct ThreadRec<W> {
    pub(crate) name: String,
    /// The OS thread that runs it (`None` for the main thread).
    pub(crate) os: Option<ThreadId>,
    pub(crate) state: State,
    pub(crate) wait: Option<Wait<W>>,
    /// Waits of blocking calls put aside while completion routines run
    /// inside them (innermost last).
    pub(crate) outer_waits: Vec<Wait<W>>,
    /// The deadlock report its blocked call is to return.
    pub(crate) deadlock: Option<WsaError>,
    /// While completion routines run inside this thread's blocking call:
    /// the name of that call (`*-APC-NESTED-BLOCKING-UB`).
    pub(crate) in_apc_of: Option<&'static str>,
    /// The horizon of its call, when the OS thread making it is paced
    /// (`pace.rs`).
    pub(crate) horizon: Option<u64>,
    /// Its paced call stopped at the horizon (`true`: with nothing in
    /// flight, `ReportKind::Stalled`).
    pub(crate) paused: Option<bool>,
}

impl<W> ThreadRec<W> {
    fn new(name: &str) -> ThreadRec<W> {
        ThreadRec {
            name: name.to_string(),
            os: None,
            state: State::Runnable,
            wait: None,
            outer_waits: Vec::new(),
            deadlock: None,
            in_apc_of: None,
            horizon: None,
            paused: None,
        }
    }
}

/// What a blocking call asks its caller to do when it cannot go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Block {
    /// Park the thread until its wait is over, then run the call again.
    Park,
    /// Run the thread's completion routines (world unlocked), then run the
    /// call again: it goes on waiting (`*-BLOCKING-ALERTABLE`).
    RunApcs,
}

/// How one run of a call ends without its value: a Winsock error (the
/// call returns it), or a wait that cannot end yet (the thread parks or
/// runs its completion routines, and the call runs again: see `sched.rs`).
/// Blocking is this value, never an error code.
#[derive(Debug)]
pub(crate) enum Halt {
    /// The call fails with this error.
    Error(WsaError),
    /// The call cannot go on yet.
    Block(Block),
}

impl From<WsaError> for Halt {
    #[inline]
    fn from(e: WsaError) -> Halt {
        Halt::Error(e)
    }
}

/// One run of a call that may block: its value, its error, or a wait.
pub(crate) type Step<T> = Result<T, Halt>;

/// What a call's body may return: a [`Step`], or a plain result of a call
/// that never blocks.
pub(crate) trait IntoStep<T> {
    fn into_step(self) -> Step<T>;
}

impl<T, E: Into<Halt>> IntoStep<T> for Result<T, E> {
    #[inline]
    fn into_step(self) -> Step<T> {
        self.map_err(Into::into)
    }
}

/// The scheduler's state, inside the world.
pub(crate) struct Sched<W> {
    pub(crate) threads: Vec<ThreadRec<W>>,
    /// The thread holding the baton.
    pub(crate) current: Tid,
}

impl<W> std::fmt::Debug for Sched<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v: Vec<(&str, State)> = self
            .threads
            .iter()
            .map(|t| (t.name.as_str(), t.state))
            .collect();
        f.debug_struct("Sched")
            .field("threads", &v)
            .field("current", &self.current)
            .finish()
    }
}

impl<W> Sched<W> {
    pub(crate) fn new() -> Sched<W> {
        Sched {
            threads: vec![ThreadRec::new("main")],
            current: MAIN,
        }
    }

    /// The simulated thread of the calling OS thread; `None` for an OS
    /// thread that is not one once threads were spawned (while only the
    /// main thread exists, every OS thread counts as it; once every spawned
    /// thread has finished, the caller becomes the main thread).
    #[inline]
    pub(crate) fn lookup(&mut self) -> Option<Tid> {
        if !self.threaded() {
            return Some(MAIN);
        }
        let id = std::thread::current().id();
        if let Some(i) = self.threads.iter().position(|t| t.os == Some(id)) {
            return Some(i as Tid);
        }
        if self.threads[1..].iter().all(|t| t.state == State::Finished) {
            self.threads[MAIN as usize].os = Some(id);
            return Some(MAIN);
        }
        None
    }

    pub(crate) fn rec(&self, t: Tid) -> &ThreadRec<W> {
        &self.threads[t as usize]
    }

    pub(crate) fn rec_mut(&mut self, t: Tid) -> &mut ThreadRec<W> {
        &mut self.threads[t as usize]
    }

    /// Adds a thread run by OS thread `os` (it may run once it is given
    /// the baton). The first spawn pins the main thread to the OS thread
    /// that made it.
    pub(crate) fn add(&mut self, name: &str, os: ThreadId) -> Tid {
        if !self.threaded() {
            self.threads[MAIN as usize].os = Some(std::thread::current().id());
        }
        let mut rec = ThreadRec::new(name);
        rec.os = Some(os);
        self.threads.push(rec);
        (self.threads.len() - 1) as Tid
    }

    /// Whether more than the main thread was ever made.
    pub(crate) fn threaded(&self) -> bool {
        self.threads.len() > 1
    }
}
