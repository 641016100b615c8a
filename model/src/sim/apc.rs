//! Completion routines: queued to the thread that posted, run in its
//! alertable waits, all of them before the wait returns.

use super::ovl::RoutineOrder;
use super::ovl::{Apc, ThreadKey};
use super::world::World;
use crate::contract::consts::*;

impl World {
    // ---- completion routines ----

    /// Whether thread `t` has a completion routine that may run now: one of
    /// a socket none of whose routines is running (RECV-OVL-NO-NESTING,
    /// RECVMSG-OVL-NO-NESTING, SENDMSG-OVL-NO-NESTING).
    pub(crate) fn runnable_apc(&self, t: ThreadKey) -> bool {
        self.apcs
            .get(&t)
            .is_some_and(|q| q.iter().any(|a| !self.in_routine.contains(&a.socket)))
    }

    /// Takes the next completion routine thread `t` may run, and marks its
    /// socket as running one.
    pub(crate) fn next_apc(&mut self, t: ThreadKey) -> Option<Apc> {
        // One lookup of the queue; the fields it is read with are apart.
        let q = self.apcs.get_mut(&t)?;
        let in_routine = &self.in_routine;
        // RECV-OVL-NO-NESTING, RECVMSG-OVL-NO-NESTING, SENDMSG-OVL-NO-NESTING:
        // none while a routine of its socket runs.
        let may_run = |a: &Apc| !in_routine.contains(&a.socket);
        let count = q.iter().filter(|a| may_run(a)).count();
        if count == 0 {
            return None;
        }
        // RECV-OVL-ROUTINE-ANY-ORDER, RECVMSG-OVL-ROUTINE-ANY-ORDER,
        // SENDMSG-OVL-ROUTINE-ANY-ORDER: the k-th of the routines that may run.
        let k = match self.cfg.routine_order {
            RoutineOrder::Fifo => 0,
            RoutineOrder::Seeded => self.rng.below(count as u64) as usize,
        };
        let pick = q
            .iter()
            .enumerate()
            .filter(|(_, a)| may_run(a))
            .nth(k)
            .map(|(i, _)| i)
            .expect("k is below the count");
        let apc = q.remove(pick);
        // (Not there yet: only a socket without a running routine is picked.)
        self.in_routine.push(apc.socket);
        let c = &apc.completion;
        self.log(t.0, "apc", || {
            format!(
                "routine ovl={} socket={:#x} dwError={} cbTransferred={} dwFlags={}",
                c.overlapped.id,
                apc.socket,
                c.status_name(),
                c.bytes,
                msg_flags_to_string(c.flags)
            )
        });
        Some(apc)
    }

    /// A completion routine of `socket` returned (RECV-OVL-ROUTINE-RETURN-NEXT,
    /// RECVMSG-OVL-ROUTINE-RETURN-NEXT, SENDMSG-OVL-ROUTINE-RETURN-NEXT).
    pub(crate) fn apc_done(&mut self, socket: u64) {
        if let Some(i) = self.in_routine.iter().position(|&s| s == socket) {
            self.in_routine.swap_remove(i);
        }
    }
}
