//! The calls of no data or kernel room whose steps take more than a line
//! or two: creating and accepting sockets, reading a stream to its end,
//! readiness, Winsock 1 `recvfrom`, options and ioctls. The dispatch in
//! the runner's `exec_step` names every call and sends these here.

use super::super::format::{to_hex, BufSpec, Data, NameSpec, PollSpec, SockRef, Step};
use super::super::names;
use super::{name_buf, winsock1_received, Backend, Ctx, Made, Outcome, StepError};
use winsock_model::consts::*;
use winsock_model::ntstatus;
use winsock_model::{IoctlStarted, PollFd, Socket, Winsock, WinsockOverlapped, WsaBuf, WsaError};

impl<B: Backend> Ctx<'_, B> {
    /// `WSASocket`: a socket of the step's host under `name` (or, failed,
    /// `name` marked dead, so that steps using it are skipped).
    pub(super) fn socket(
        &mut self,
        step: &Step,
        name: &str,
        (af, ty, protocol): (&str, &str, Option<&str>),
        non_overlapped: bool,
    ) -> Made {
        let w = self.host_of(step)?;
        let p = protocol.map(names::int).transpose()?.unwrap_or(0);
        let flags = if non_overlapped {
            0
        } else {
            WSA_FLAG_OVERLAPPED
        };
        Ok(
            match w.wsa_socket(names::int(af)?, names::int(ty)?, p, flags) {
                Ok(s) => {
                    let host = step
                        .host
                        .clone()
                        .unwrap_or_else(|| self.default_host.clone());
                    self.sockets.insert(name.to_string(), (host, s));
                    self.dead.remove(name);
                    Ok(())
                }
                Err(e) => {
                    self.dead.insert(name.to_string());
                    Err(e)
                }
            },
        )
    }

    /// `accept`: the connection under `name`, on the listener's host.
    pub(super) fn accept(&mut self, socket: &str, name: &str, o: &mut Outcome) -> Made {
        let (w, s) = self.sock(socket)?;
        Ok(match w.accept(s) {
            Ok((c, peer)) => {
                let host = self
                    .sockets
                    .get(socket)
                    .map(|(h, _)| h.clone())
                    .expect("looked up");
                self.sockets.insert(name.to_string(), (host, c));
                self.dead.remove(name);
                o.from = Some(peer.to_string());
                Ok(())
            }
            Err(e) => {
                self.dead.insert(name.to_string());
                Err(e)
            }
        })
    }

    /// `WSARecv` again and again until `want` bytes came, the stream
    /// ended or a call failed.
    pub(super) fn recv_all(
        &self,
        socket: &str,
        want: u32,
        buffers: &Option<Vec<u32>>,
        o: &mut Outcome,
    ) -> Made {
        let (w, s) = self.sock(socket)?;
        let sizes = buffers.clone().unwrap_or_else(|| vec![want]);
        let mut got = vec![];
        let mut r = Ok(());
        let mut calls = 0;
        while got.len() < want as usize {
            calls += 1;
            if calls > super::super::check::limits::RECV_ALL_CALLS {
                return Err(StepError::Input(format!(
                    "recv_all: {} calls brought {} of the {want} bytes wanted",
                    super::super::check::limits::RECV_ALL_CALLS,
                    got.len()
                )));
            }
            let mut bs: Vec<WsaBuf> = sizes.iter().map(|&n| WsaBuf::zeroed(n as usize)).collect();
            let (mut n, mut flags) = (0u32, 0u32);
            r = w.wsa_recv(s, &mut bs, Some(&mut n), &mut flags);
            if r.is_err() || n == 0 {
                break;
            }
            got.extend(winsock_model::gather(&bs, n as usize));
        }
        o.bytes = Some(got.len() as u32);
        o.data = Some(to_hex(&got));
        Ok(r)
    }

    /// `WSAPoll`: every entry's `revents`, the count as the value.
    pub(super) fn poll(
        &self,
        step: &Step,
        fds: &[PollSpec],
        timeout_ms: i32,
        o: &mut Outcome,
    ) -> Made {
        let w = self.host_of(step)?;
        let mut arr = vec![];
        for f in fds {
            arr.push(PollFd::new(
                self.sock_ref(&f.socket)?,
                names::poll_flags(&f.events).map_err(StepError::Input)?,
            ));
        }
        let r = w.wsa_poll(&mut arr, timeout_ms);
        o.revents = Some(arr.iter().map(|f| names::poll_names(f.revents)).collect());
        Ok(r.map(|n| o.value = Some(n as i64)))
    }

    /// `select`: what each set kept, the count as the value.
    pub(super) fn select(
        &self,
        step: &Step,
        given: [&Option<Vec<SockRef>>; 3],
        timeout_ms: Option<u32>,
        o: &mut Outcome,
    ) -> Made {
        let w = self.host_of(step)?;
        let mut sets = vec![];
        for set in given {
            sets.push(match set {
                None => None,
                Some(v) => Some(
                    v.iter()
                        .map(|r| self.sock_ref(r))
                        .collect::<Result<Vec<_>, _>>()?,
                ),
            });
        }
        let [mut r_set, mut w_set, mut e_set] =
            <[Option<Vec<Socket>>; 3]>::try_from(sets).expect("three sets");
        let t = timeout_ms.map(|ms| std::time::Duration::from_millis(u64::from(ms)));
        let r = w.select(r_set.as_mut(), w_set.as_mut(), e_set.as_mut(), t);
        if r.is_ok() {
            let mut kept = vec![];
            for (label, set) in [("read", &r_set), ("write", &w_set), ("except", &e_set)] {
                if let Some(set) = set {
                    let names: Vec<String> = set.iter().map(|s| self.name_of(*s)).collect();
                    kept.push(format!("{label}: {}", names.join(" ")));
                }
            }
            o.sets = Some(kept);
        }
        Ok(r.map(|n| o.value = Some(n as i64)))
    }

    /// Winsock 1 `recvfrom`: the buffer, and the sender and `fromlen`
    /// where a datagram was copied.
    pub(super) fn winsock1_recvfrom(
        &self,
        socket: &str,
        buffer: &BufSpec,
        flags: &[String],
        from: &Option<NameSpec>,
        o: &mut Outcome,
    ) -> Made {
        let (w, s) = self.sock(socket)?;
        let mut b = [buffer.wsa_buf()];
        let mut name = name_buf(from);
        let r = w.recvfrom(s, &mut b[0], names::flags(flags)? as i32, &mut name);
        if winsock1_received(o, &r, &b) {
            if let Ok(a) = name.decode() {
                o.from = Some(a.to_string());
            }
            o.namelen = Some(name.namelen);
        }
        Ok(r.map(|_| ()))
    }

    /// Winsock 1 `send`: the count it returned.
    pub(super) fn winsock1_send(
        &self,
        socket: &str,
        data: &Data,
        flags: &[String],
        o: &mut Outcome,
    ) -> Made {
        let (w, s) = self.sock(socket)?;
        let b = WsaBuf::from(&data.bytes()?[..]);
        Ok(w.send(s, &b, names::flags(flags)? as i32)
            .map(|n| o.bytes = Some(n as u32)))
    }

    /// `setsockopt` with an `int` value or the bytes given in hex.
    pub(super) fn setsockopt(
        &self,
        socket: &str,
        (level, name): (&str, &str),
        value: Option<i64>,
        hex: &Option<String>,
    ) -> Made {
        let (w, s) = self.sock(socket)?;
        let bytes = match (value, hex) {
            (_, Some(h)) => super::super::format::from_hex(h)?,
            (Some(v), None) => (v as i32).to_le_bytes().to_vec(),
            (None, None) => {
                return Err(StepError::Input("setsockopt needs `value` or `hex`".into()))
            }
        };
        Ok(w.set_sock_opt(s, names::int(level)?, names::int(name)?, &bytes))
    }

    /// `getsockopt` into a room of `room` bytes (4 unless given): the
    /// value as an `int`, and, where the step asks, what the call left in
    /// `*optlen` and the room.
    pub(super) fn getsockopt(
        &self,
        step: &Step,
        socket: &str,
        (level, name): (&str, &str),
        room: Option<usize>,
        o: &mut Outcome,
    ) -> Made {
        let (w, s) = self.sock(socket)?;
        // The room starts as `ef` bytes, so that `buffers` shows what the
        // call wrote.
        let mut buf = vec![0xefu8; room.unwrap_or(4)];
        let mut n = buf.len();
        let r = w.get_sock_opt_len(s, names::int(level)?, names::int(name)?, &mut buf, &mut n);
        // What the call left in `*optlen` and the room, a failing call's
        // too (WIN-SOCKOPT-SIZES), where the step asks.
        let asks = step.expect.as_ref();
        if asks.is_some_and(|e| e.namelen.is_some()) {
            o.namelen = Some(n as i32);
        }
        if asks.is_some_and(|e| e.buffers.is_some()) {
            o.buffers = Some(vec![to_hex(&buf)]);
        }
        Ok(r.map(|()| {
            let n = n.min(buf.len());
            let mut b = [0u8; 4];
            b[..n.min(4)].copy_from_slice(&buf[..n.min(4)]);
            o.value = Some(i64::from(i32::from_le_bytes(b)));
        }))
    }

    /// `WSAIoctl` with the input given (a GUID by name, hex, or an `int`)
    /// and `out` bytes of output (8 unless given): the count, and the
    /// output as an `int` (for a function pointer: whether it is set).
    pub(super) fn wsa_ioctl(
        &self,
        socket: &str,
        code: &str,
        (input, value): (Option<&str>, Option<i64>),
        (out, overlapped): (Option<usize>, bool),
        o: &mut Outcome,
    ) -> Made {
        let (w, s) = self.sock(socket)?;
        let inp = match (input, value) {
            (Some("WSAID_WSARECVMSG"), _) => WSAID_WSARECVMSG.to_bytes().to_vec(),
            (Some("WSAID_WSASENDMSG"), _) => WSAID_WSASENDMSG.to_bytes().to_vec(),
            (Some(h), _) => super::super::format::from_hex(h)?,
            (None, Some(v)) => (v as i32).to_le_bytes().to_vec(),
            (None, None) => vec![],
        };
        let mut outb = vec![0u8; out.unwrap_or(8)];
        if overlapped {
            let status = |e: i32| {
                let st = if e == 0 {
                    0
                } else {
                    ntstatus::status_of_wsa(e, false)
                };
                ntstatus::status_name(st).unwrap_or("?").to_string()
            };
            return Ok(w
                .wsa_ioctl_overlapped(s, names::uint(code)?, &inp, &mut outb, false)
                .and_then(|r| match r {
                    IoctlStarted::Done {
                        bytes,
                        count_written,
                        indicated,
                    } => {
                        o.bytes = count_written.then_some(bytes as u32);
                        o.internal = Some(vec![format!("{} high={indicated}", status(0))]);
                        Ok(())
                    }
                    IoctlStarted::Pending { error, bytes } => {
                        o.internal = Some(vec![format!("{} high={bytes}", status(error))]);
                        Err(WsaError::Code(WSA_IO_PENDING))
                    }
                    IoctlStarted::Failed {
                        error,
                        internal_pending,
                    } => {
                        if internal_pending {
                            o.internal = Some(vec!["STATUS_PENDING".into()]);
                        }
                        Err(WsaError::Code(error))
                    }
                }));
        }
        Ok(w.wsa_ioctl(s, names::uint(code)?, &inp, &mut outb)
            .map(|n| {
                o.bytes = Some(n as u32);
                // For a function pointer only whether it is non-NULL is
                // comparable across backends.
                if n == 8 {
                    o.value = Some(i64::from(outb.iter().any(|&b| b != 0)));
                } else if n >= 4 {
                    o.value = Some(i64::from(i32::from_le_bytes([
                        outb[0], outb[1], outb[2], outb[3],
                    ])));
                }
            }))
    }
}
