//! Spawning and joining simulated threads, and what a thread's exit does to
//! the I/O it issued.
//!
//! Thread exit follows current Windows, not the seeds' older note alone:
//!
//! - Since Windows Vista, a request on a handle associated with a
//!   completion port is queued to the file object, not to the thread
//!   ("thread agnostic I/O", Doron Holan, "New for Windows Vista: thread
//!   agnostic I/O", learn.microsoft.com/archive/blogs/doronh), so it
//!   survives its thread. Wine's conformance test, run on Windows, narrows
//!   this to requests without an event: one with an event is still
//!   cancelled, and its packet posted (wine `dlls/ws2_32/tests/afd.c`,
//!   `test_async_thread_termination`).
//! - Every other request the thread issued is cancelled when it exits
//!   (Windows Internals 7th ed., "I/O cancellation for thread
//!   termination"): it completes with `WSA_OPERATION_ABORTED`, its event
//!   is signalled (CancelIo: completion notices "occur normally").
//! - Completion routines queued to the thread are lost (QueueUserAPC: "the
//!   APCs in its queue are lost"); a routine of a request cancelled by the
//!   exit never runs.

use super::sched;
use super::sched_state::{State, Tid};
use super::world::World;
use super::SimHost;
use crate::contract::consts::WSA_OPERATION_ABORTED;
use crate::contract::{ReportKind, WsaError};
use parking_lot::Mutex;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::Arc;

type Slot<T> = Arc<Mutex<Option<std::thread::Result<T>>>>;

/// A simulated thread made by [`SimHost::spawn`]. Join it: a simulated
/// thread runs only while others make calls, and one never joined stays
/// parked when the test ends.
#[must_use = "join the thread, or it never finishes"]
#[derive(Debug)]
pub struct SimThread<T> {
    tid: Tid,
    name: String,
    host: SimHost,
    slot: Slot<T>,
    os: Option<std::thread::JoinHandle<()>>,
}

impl SimHost {
    /// Starts a simulated thread on this host that runs `f` with its own
    /// handle to the host (`CreateThread`). Only one simulated thread runs
    /// at a time; every call is a scheduling point where the seed decides
    /// which runnable thread goes next, so the same seed gives the same
    /// interleaving. Completion routines of operations the thread issues
    /// run on it, in its alertable waits.
    ///
    /// Calls from an OS thread that is neither a simulated thread nor the
    /// one that spawned the first (the main thread) are misuse while
    /// spawned threads run. Fails with a misuse report from such a thread,
    /// or when the OS cannot start a thread.
    ///
    /// ```
    /// use winsock_double::*;
    /// let sim = Sim::new(3);
    /// let a = sim.add_host("a", &["10.0.0.1/24"]).unwrap();
    /// a.wsa_startup(WINSOCK_VERSION_2_2).unwrap();
    /// let rx = a.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    /// a.bind(rx, &"10.0.0.1:7000".parse().unwrap()).unwrap();
    /// let mut receiver = a
    ///     .spawn("receiver", move |h| {
    ///         let mut buf = [0u8; 8];
    ///         let (n, _) = h.recv_from(rx, &mut buf).unwrap(); // parks until the send
    ///         buf[..n].to_vec()
    ///     })
    ///     .unwrap();
    /// let tx = a.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP).unwrap();
    /// a.send_to(tx, b"hi", &"10.0.0.1:7000".parse().unwrap()).unwrap();
    /// assert_eq!(receiver.join().unwrap(), b"hi");
    /// ```
    #[track_caller]
    pub fn spawn<T, F>(&self, name: &str, f: F) -> Result<SimThread<T>, WsaError>
    where
        F: FnOnce(SimHost) -> T + Send + 'static,
        T: Send + 'static,
    {
        let slot: Slot<T> = Arc::new(Mutex::new(None));
        let mut w = self.world.lock();
        w.caller = Some(std::panic::Location::caller());
        sched::enter(&mut w, &self.cv)?;
        // The new thread's number; its record is added once its OS thread
        // exists (that thread waits for the lock, held here, and then for
        // the baton).
        let tid = w.sched.threads.len() as Tid;
        let host = self.clone();
        let out = slot.clone();
        let os = std::thread::Builder::new()
            .name(format!("sim-{name}"))
            .spawn(move || {
                {
                    let mut w = host.world.lock();
                    sched::wait_turn(&mut w, &host.cv, tid);
                }
                let r = catch_unwind(AssertUnwindSafe(|| f(host.clone())));
                *out.lock() = Some(r);
                let mut w = host.world.lock();
                w.me = tid;
                w.thread_exit(host.host, tid);
                sched::leave(&mut w, &host.cv, tid);
            });
        let os = match os {
            Ok(os) => os,
            Err(e) => {
                let msg = format!("CreateThread({name}): the OS could not start a thread: {e}");
                return Err(w.report(ReportKind::Misuse, msg, None));
            }
        };
        let added = w.sched.add(name, os.thread().id());
        debug_assert_eq!(added, tid);
        let line = format!("CreateThread({name}) -> thread {tid}");
        w.log(self.host, "call", || line);
        if w.cfg.tracing {
            let (at, now, me) = (w.trace.len() - 1, w.now, w.me);
            let thread = w.sched.rec(me).name.clone();
            w.spans.push(super::trace::CallSpan {
                line: at,
                start_line: at,
                start: now,
                thread,
            });
        }
        Ok(SimThread {
            tid,
            name: name.to_string(),
            host: self.clone(),
            slot,
            os: Some(os),
        })
    }
}

impl<T> SimThread<T> {
    /// The thread's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Waits (a blocking call, in virtual time) until the thread's function
    /// returns, and gives its value. A panic in the thread is resumed here;
    /// a wait that can never end gives a deadlock report (the thread gets
    /// one too, in its own blocked call, and can be joined again). Joining
    /// again after the value was given is a misuse report.
    #[track_caller]
    pub fn join(&mut self) -> Result<T, WsaError> {
        let (tid, host) = (self.tid, self.host.host);
        let what = format!("join of thread `{}`", self.name);
        self.host.call_with(
            "WaitForSingleObject",
            || format!("thread {tid}"),
            |w| {
                w.wait_until(host, None, &what, false, move |w| {
                    w.sched.rec(tid).state == State::Finished
                })
                .map_err(|end| end.halt(|| unreachable!("no deadline")))
            },
            |_| "thread exited".to_string(),
        )?;
        if let Some(os) = self.os.take() {
            // The thread gave the baton away as its last act; its OS thread
            // is ending.
            os.join().expect("the wrapper catches the thread's panic");
        }
        match self.slot.lock().take() {
            Some(Ok(v)) => Ok(v),
            Some(Err(p)) => resume_unwind(p),
            None => Err(self.host.world.lock().report(
                ReportKind::Misuse,
                format!("thread `{}` was joined already", self.name),
                None,
            )),
        }
    }
}

impl World {
    /// Thread `tid` exits: the I/O it issued is cancelled (except
    /// event-less requests on sockets bound to a completion port) and its
    /// queued completion routines are discarded.
    pub(crate) fn thread_exit(&mut self, host: super::net::HostId, tid: Tid) {
        let name = self.sched.rec(tid).name.clone();
        self.log(host, "thread-exit", || format!("thread `{name}`"));
        // The record says Finished first, so routines of the requests
        // cancelled below are discarded by `finish`.
        self.sched.rec_mut(tid).state = State::Finished;
        let sockets: Vec<u64> = self.sockets.keys().copied().collect();
        for s in sockets {
            let bound = self.sockets[&s].port.is_some();
            // RECV-THREAD-EXIT-CANCELS, RECVMSG-THREAD-EXIT-CANCELS,
            // SENDMSG-THREAD-EXIT-CANCELS; RECV-THREAD-EXIT-OVERLAPPED-FAIL,
            // RECVMSG-THREAD-EXIT-OVERLAPPED-FAIL,
            // SENDMSG-THREAD-EXIT-OVERLAPPED-FAIL.
            // Only requests that complete through the port alone outlive
            // their thread: no event, no routine.
            self.abort_where(s, WSA_OPERATION_ABORTED, |op, _| {
                op.thread.1 == tid && !(bound && op.ovl.h_event.is_none() && op.routine.is_none())
            });
        }
        let keys: Vec<_> = self.apcs.keys().filter(|k| k.1 == tid).copied().collect();
        for k in keys {
            for apc in self.apcs.remove(&k).unwrap_or_default() {
                let id = apc.completion.overlapped.id;
                self.log(k.0, "apc-discarded", || {
                    format!("routine ovl={id}: its thread has exited")
                });
            }
        }
    }
}
