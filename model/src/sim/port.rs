//! Completion ports: creating, associating sockets, queueing packets,
//! GetQueuedCompletionStatus(Ex), PostQueuedCompletionStatus, closing.

use super::net::HostId;
use super::overlapped::{code, wait_deadline};
use super::ovl::{PortObj, ThreadKey, WaitStep};
use super::sched_state::Step;
use super::world::World;
use crate::contract::consts::*;
use crate::contract::overlapped::{Overlapped, Port, PortPacket};
use std::collections::VecDeque;

impl World {
    // ---- completion ports ----

    /// `CreateIoCompletionPort` for a new port (the concurrency value does
    /// not throttle anything in the model: only one thread runs at a time).
    pub(crate) fn create_port(&mut self, host: HostId) -> Result<Port, i32> {
        let h = Port(self.alloc_handle());
        self.ports.insert(
            h,
            PortObj {
                host,
                packets: VecDeque::new(),
            },
        );
        Ok(h)
    }

    fn port_of(&self, host: HostId, p: Port) -> Result<&PortObj, i32> {
        match self.ports.get(&p) {
            Some(po) if po.host == host => Ok(po),
            _ => Err(WSA_INVALID_HANDLE),
        }
    }

    pub(crate) fn associate(
        &mut self,
        host: HostId,
        p: Port,
        s: u64,
        key: usize,
    ) -> Result<(), i32> {
        self.port_of(host, p)?;
        let st = self.sock_mut(host, s).map_err(|_| WSA_INVALID_HANDLE)?;
        // A handle is associated with one port, once.
        if st.port.is_some() {
            return Err(WSA_INVALID_PARAMETER);
        }
        st.port = Some((p, key));
        Ok(())
    }

    pub(crate) fn set_notification_modes(
        &mut self,
        host: HostId,
        s: u64,
        modes: u8,
    ) -> Result<(), i32> {
        if modes & !(FILE_SKIP_COMPLETION_PORT_ON_SUCCESS | FILE_SKIP_SET_EVENT_ON_HANDLE) != 0 {
            return Err(WSA_INVALID_PARAMETER);
        }
        let st = self.sock_mut(host, s).map_err(|_| WSA_INVALID_HANDLE)?;
        st.notify_modes = modes;
        Ok(())
    }

    pub(crate) fn post_packet(
        &mut self,
        host: HostId,
        p: Port,
        bytes: u32,
        key: usize,
        overlapped: Option<Overlapped>,
    ) -> Result<(), i32> {
        self.port_of(host, p)?;
        let po = self.ports.get_mut(&p).expect("checked");
        po.packets.push_back(PortPacket {
            key,
            bytes,
            overlapped,
            error: 0,
            win32: 0,
            completion: None,
        });
        Ok(())
    }

    pub(crate) fn close_port(&mut self, host: HostId, p: Port) -> Result<(), i32> {
        self.port_of(host, p)?;
        self.ports.remove(&p);
        for st in self.sockets.values_mut() {
            if st.port.is_some_and(|(q, _)| q == p) {
                st.port = None;
            }
        }
        Ok(())
    }

    /// `GetQueuedCompletionStatus(Ex)`: up to `max` packets.
    pub(crate) fn dequeue(
        &mut self,
        t: ThreadKey,
        p: Port,
        max: usize,
        timeout_ms: u32,
        alertable: bool,
    ) -> Step<WaitStep<Vec<PortPacket>>> {
        let host = t.0;
        self.port_of(host, p).map_err(code)?;
        if max == 0 {
            return Err(code(WSA_INVALID_PARAMETER).into());
        }
        let deadline = wait_deadline(self.now, timeout_ms);
        let r = self.wait_until(
            host,
            deadline,
            "GetQueuedCompletionStatus",
            false,
            move |w| {
                w.ports.get(&p).is_none_or(|po| !po.packets.is_empty())
                    || (alertable && w.runnable_apc(t))
            },
        );
        r.map_err(|end| end.halt(|| code(WSA_WAIT_TIMEOUT)))?;
        let Some(po) = self.ports.get_mut(&p) else {
            return Err(code(ERROR_ABANDONED_WAIT_0).into());
        };
        if po.packets.is_empty() {
            return Ok(WaitStep::RunApcs);
        }
        let n = max.min(po.packets.len());
        let out: Vec<PortPacket> = po.packets.drain(..n).collect();
        for pk in &out {
            self.log(host, "dequeue", || {
                format!(
                    "packet key={} bytes={} ovl={} {}",
                    pk.key,
                    pk.bytes,
                    pk.overlapped
                        .map_or("NULL".to_string(), |o| o.id.to_string()),
                    error_name(pk.error).unwrap_or("ok")
                )
            });
        }
        Ok(WaitStep::Done(out))
    }
}
