//! The OS backend: the real Winsock functions behind the [`Winsock`] trait.
//!
//! Each method calls the Windows function it is named after (socket2's
//! habit: the doc of each method names it). Faulty arguments reach Windows
//! soundly: a `NULL` pointer is passed as `NULL`; a length longer than the
//! memory behind it points into a no-access guard page ([`guard`]), so
//! Windows' own probe reports `WSAEFAULT` and no memory is touched. `WSARecvMsg`
//! and `WSASendMsg` are fetched with `WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER)`
//! on the socket they are called for.
//!
//! Only on Windows (and in the Windows build run under Wine).

mod guard;
mod nested;
mod ovl;

use guard::Guarded;
use std::net::SocketAddr;
use std::ptr;
use windows_sys::Win32::Networking::WinSock as ws;
use winsock_model::{
    addr, consts, Completion, CompletionRoutine, DataCall, DataRequest, Event, NameBuf,
    NetworkEvents, Overlapped, PollFd, Port, PortPacket, Posted, RecvCall, SendCall, Socket,
    WaitResult, Winsock, WinsockOverlapped, WsaBuf, WsaData, WsaError, WsaMsg,
};

/// The real Winsock of this process.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsWinsock;

fn last_error() -> WsaError {
    // SAFETY: WSAGetLastError only reads this thread's last error value.
    WsaError::Code(unsafe { ws::WSAGetLastError() })
}

fn check(rc: i32) -> Result<(), WsaError> {
    // RECV-RETURN, RECVMSG-RETURN, SENDMSG-RETURN: SOCKET_ERROR and the code
    // WSAGetLastError gives, or 0 and success.
    if rc == ws::SOCKET_ERROR {
        Err(last_error())
    } else {
        Ok(())
    }
}

/// One `WSABUF` as Windows will see it: the caller's own memory, `NULL`, or a
/// guarded copy for a length past the memory's end.
enum Region {
    Own,
    Null,
    Guarded(Guarded),
}

/// Builds the `WSABUF` array for `bufs` (the guarded copies must outlive the
/// call: they are returned alongside).
fn wsabufs(bufs: &mut [WsaBuf]) -> Result<(Vec<ws::WSABUF>, Vec<Region>), WsaError> {
    let mut arr = Vec::with_capacity(bufs.len());
    let mut regions = Vec::with_capacity(bufs.len());
    for b in bufs.iter_mut() {
        let (ptr, region) = match &mut b.buf {
            None => (ptr::null_mut(), Region::Null),
            Some(m) if b.len as usize <= m.len() => (m.as_mut_ptr(), Region::Own),
            Some(m) => {
                let g =
                    Guarded::new(m).map_err(|_| WsaError::Code(consts::WSA_NOT_ENOUGH_MEMORY))?;
                (g.ptr(), Region::Guarded(g))
            }
        };
        arr.push(ws::WSABUF {
            len: b.len,
            buf: ptr,
        });
        regions.push(region);
    }
    Ok((arr, regions))
}

/// Copies what Windows wrote into guarded copies back to the caller's memory.
fn copy_back(bufs: &mut [WsaBuf], regions: &[Region]) {
    for (b, r) in bufs.iter_mut().zip(regions) {
        if let (Some(m), Region::Guarded(g)) = (&mut b.buf, r) {
            m.copy_from_slice(g.bytes());
        }
    }
}

/// A name argument as Windows will see it: pointer and length.
struct Name {
    ptr: *mut ws::SOCKADDR,
    len: i32,
    guard: Option<Guarded>,
}

impl Name {
    /// The `lpFromlen` / `fromlen` argument: `NULL` with a `NULL` name of
    /// length 0, else the length, in and out.
    fn len_ptr(&mut self) -> *mut i32 {
        if self.ptr.is_null() && self.len == 0 {
            ptr::null_mut()
        } else {
            &mut self.len
        }
    }
}

fn name_arg(n: &mut NameBuf) -> Result<Name, WsaError> {
    match &mut n.mem {
        None => Ok(Name {
            ptr: ptr::null_mut(),
            len: n.namelen,
            guard: None,
        }),
        Some(m) if n.namelen >= 0 && n.namelen as usize <= m.len() => Ok(Name {
            ptr: m.as_mut_ptr().cast(),
            len: n.namelen,
            guard: None,
        }),
        Some(m) => {
            let g = Guarded::new(m).map_err(|_| WsaError::Code(consts::WSA_NOT_ENOUGH_MEMORY))?;
            Ok(Name {
                ptr: g.ptr().cast(),
                len: n.namelen,
                guard: Some(g),
            })
        }
    }
}

fn name_back(n: &mut NameBuf, name: &Name) {
    n.namelen = name.len;
    if let (Some(m), Some(g)) = (&mut n.mem, &name.guard) {
        m.copy_from_slice(g.bytes());
    }
}

/// A `WSAMSG` as Windows will see it, with the memory its pointers need
/// (the `WSABUF` array, guarded copies, the name) kept alive beside it.
struct MsgArg {
    m: ws::WSAMSG,
    /// The `WSABUF` array `m.lpBuffers` points into (its heap buffer does
    /// not move when the `Vec` is moved into this struct).
    _arr: Vec<ws::WSABUF>,
    regions: Vec<Region>,
    cregions: Vec<Region>,
    name: Name,
}

impl MsgArg {
    fn new(msg: &mut WsaMsg) -> Result<MsgArg, WsaError> {
        let (mut arr, regions) = wsabufs(&mut msg.buffers)?;
        let (carr, cregions) = wsabufs(std::slice::from_mut(&mut msg.control))?;
        let name = name_arg(&mut msg.name)?;
        let m = ws::WSAMSG {
            name: name.ptr,
            namelen: name.len,
            lpBuffers: arr.as_mut_ptr(),
            dwBufferCount: arr.len() as u32,
            Control: carr[0],
            dwFlags: msg.flags,
        };
        Ok(MsgArg {
            m,
            _arr: arr,
            regions,
            cregions,
            name,
        })
    }
}

fn sockaddr(a: &SocketAddr) -> Vec<u8> {
    addr::encode(a)
}

fn decode(buf: &[u8], len: i32) -> Result<SocketAddr, WsaError> {
    addr::decode(&buf[..(len.max(0) as usize).min(buf.len())])
        .map_err(|e| WsaError::Code(e.wsa_code()))
}

/// Fetches an extension function through
/// `WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER)` on the first socket it is
/// called for, and keeps it, as applications do: later calls go straight to
/// the function (so that, for example, a call after `WSACleanup` reaches
/// `WSARecvMsg` itself rather than failing in the lookup).
fn extension<F: Copy>(
    s: Socket,
    guid: consts::Guid,
    cache: &std::sync::OnceLock<usize>,
) -> Result<F, WsaError> {
    assert_eq!(
        std::mem::size_of::<F>(),
        std::mem::size_of::<usize>(),
        "extension functions are pointers"
    );
    let f = match cache.get() {
        Some(&f) => f,
        None => {
            let f = lookup(s, guid)?;
            *cache.get_or_init(|| f)
        }
    };
    // SAFETY: `F` is a pointer-sized `Option<fn>` type (asserted above) and
    // `f` is the non-null address Windows returned for the function the GUID
    // names.
    Ok(unsafe { std::mem::transmute_copy::<usize, F>(&f) })
}

static RECVMSG: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
static SENDMSG: std::sync::OnceLock<usize> = std::sync::OnceLock::new();

fn lookup(s: Socket, guid: consts::Guid) -> Result<usize, WsaError> {
    let g = guid.to_bytes();
    let mut f: usize = 0;
    let mut n = 0u32;
    // SAFETY: the input is the 16-byte GUID, the output a pointer-sized
    // integer, both alive for the call; no OVERLAPPED, so the call is
    // synchronous and keeps no pointer.
    let rc = unsafe {
        ws::WSAIoctl(
            s.0 as usize,
            ws::SIO_GET_EXTENSION_FUNCTION_POINTER,
            g.as_ptr().cast(),
            16,
            (&mut f as *mut usize).cast(),
            std::mem::size_of::<usize>() as u32,
            &mut n,
            ptr::null_mut(),
            None,
        )
    };
    check(rc)?;
    if f == 0 {
        return Err(WsaError::Code(consts::WSAEINVAL));
    }
    Ok(f)
}

fn out_ptr(p: Option<&mut u32>) -> *mut u32 {
    p.map_or(ptr::null_mut(), |r| r as *mut u32)
}

impl Winsock for OsWinsock {
    type Socket = Socket;

    /// `WSAStartup`.
    fn wsa_startup(&self, version: u16) -> Result<WsaData, WsaError> {
        let mut d = ws::WSADATA::default();
        // SAFETY: `d` is a valid WSADATA for the call to fill.
        let rc = unsafe { ws::WSAStartup(version, &mut d) };
        if rc != 0 {
            return Err(WsaError::Code(rc));
        }
        let desc: Vec<u8> = d
            .szDescription
            .iter()
            .take_while(|&&c| c != 0)
            .map(|&c| c as u8)
            .collect();
        Ok(WsaData {
            version: d.wVersion,
            high_version: d.wHighVersion,
            description: String::from_utf8_lossy(&desc).into(),
        })
    }

    /// `WSACleanup`.
    fn wsa_cleanup(&self) -> Result<(), WsaError> {
        // SAFETY: no arguments; Windows checks its own state.
        check(unsafe { ws::WSACleanup() })
    }

    /// `WSASocketW` with no protocol info.
    fn wsa_socket(&self, af: i32, ty: i32, protocol: i32, flags: u32) -> Result<Socket, WsaError> {
        // SAFETY: a NULL protocol-info pointer is allowed; integers only.
        let s = unsafe { ws::WSASocketW(af, ty, protocol, ptr::null(), 0, flags) };
        if s == ws::INVALID_SOCKET {
            return Err(last_error());
        }
        ovl::note_socket(s, flags & ws::WSA_FLAG_OVERLAPPED != 0);
        nested::set_nonblocking(s, false);
        Ok(Socket(s as u64))
    }

    /// `bind`.
    fn bind(&self, s: Socket, a: &SocketAddr) -> Result<(), WsaError> {
        let b = sockaddr(a);
        // SAFETY: `b` holds an encoded SOCKADDR of exactly `b.len()` bytes.
        check(unsafe { ws::bind(s.0 as usize, b.as_ptr().cast(), b.len() as i32) })
    }

    /// `connect`.
    fn connect(&self, s: Socket, a: &SocketAddr) -> Result<(), WsaError> {
        let b = sockaddr(a);
        // A stream connect blocks (unless the socket is non-blocking).
        let _in_call = nested::enter(s.0 as usize, "connect")?;
        // SAFETY: as for bind: `b` is a readable socket address of its
        // length, alive for the call.
        check(unsafe { ws::connect(s.0 as usize, b.as_ptr().cast(), b.len() as i32) })
    }

    /// `listen`.
    fn listen(&self, s: Socket, backlog: i32) -> Result<(), WsaError> {
        // SAFETY: integers only.
        check(unsafe { ws::listen(s.0 as usize, backlog) })
    }

    /// `accept`, with room for any socket address.
    fn accept(&self, s: Socket) -> Result<(Socket, SocketAddr), WsaError> {
        let mut b = [0u8; 128];
        let mut n = b.len() as i32;
        let _in_call = nested::enter(s.0 as usize, "accept")?;
        // SAFETY: 128 writable bytes and their length, alive for the call.
        let c = unsafe { ws::accept(s.0 as usize, b.as_mut_ptr().cast(), &mut n) };
        if c == ws::INVALID_SOCKET {
            return Err(last_error());
        }
        // accept: the new socket has the listening socket's properties,
        // its blocking mode among them.
        nested::set_nonblocking(c, nested::is_nonblocking(s.0 as usize));
        Ok((Socket(c as u64), decode(&b, n)?))
    }

    /// `getsockname`.
    fn getsockname(&self, s: Socket) -> Result<SocketAddr, WsaError> {
        let mut b = [0u8; 128];
        let mut n = b.len() as i32;
        // SAFETY: 128 writable bytes and their length.
        check(unsafe { ws::getsockname(s.0 as usize, b.as_mut_ptr().cast(), &mut n) })?;
        decode(&b, n)
    }

    /// `getpeername`.
    fn getpeername(&self, s: Socket) -> Result<SocketAddr, WsaError> {
        let mut b = [0u8; 128];
        let mut n = b.len() as i32;
        // SAFETY: 128 writable bytes and their length.
        check(unsafe { ws::getpeername(s.0 as usize, b.as_mut_ptr().cast(), &mut n) })?;
        decode(&b, n)
    }

    /// `shutdown`.
    fn shutdown(&self, s: Socket, how: i32) -> Result<(), WsaError> {
        // SAFETY: integers only.
        check(unsafe { ws::shutdown(s.0 as usize, how) })
    }

    /// `closesocket`.
    fn close_socket(&self, s: Socket) -> Result<(), WsaError> {
        // SAFETY: integers only; an unknown handle is WSAENOTSOCK.
        check(unsafe { ws::closesocket(s.0 as usize) })
    }

    /// `setsockopt`.
    fn set_sock_opt(&self, s: Socket, level: i32, name: i32, value: &[u8]) -> Result<(), WsaError> {
        // SAFETY: `value` is readable for its length.
        check(unsafe {
            ws::setsockopt(
                s.0 as usize,
                level,
                name,
                value.as_ptr(),
                value.len() as i32,
            )
        })
    }

    /// `getsockopt`: `*optlen` is what the call left, whether it
    /// succeeded or not.
    fn get_sock_opt_len(
        &self,
        s: Socket,
        level: i32,
        name: i32,
        value: &mut [u8],
        optlen: &mut usize,
    ) -> Result<(), WsaError> {
        let mut n = value.len() as i32;
        // SAFETY: `value` is writable for `n` bytes.
        let r =
            check(unsafe { ws::getsockopt(s.0 as usize, level, name, value.as_mut_ptr(), &mut n) });
        *optlen = n.max(0) as usize;
        r
    }

    /// `ioctlsocket`.
    fn ioctl_socket(&self, s: Socket, cmd: u32, arg: &mut u32) -> Result<(), WsaError> {
        let on = *arg != 0;
        // SAFETY: `arg` is a valid u32 for the call to read and write.
        check(unsafe { ws::ioctlsocket(s.0 as usize, cmd as i32, arg) })?;
        if cmd == winsock_model::FIONBIO {
            nested::set_nonblocking(s.0 as usize, on);
        }
        Ok(())
    }

    /// `WSAPoll`.
    fn wsa_poll(&self, fds: &mut [PollFd], timeout_ms: i32) -> Result<usize, WsaError> {
        let mut arr: Vec<ws::WSAPOLLFD> = fds
            .iter()
            .map(|f| ws::WSAPOLLFD {
                fd: f.socket.0 as usize,
                events: f.events,
                revents: f.revents,
            })
            .collect();
        let data = if arr.is_empty() {
            ptr::null_mut()
        } else {
            arr.as_mut_ptr()
        };
        // SAFETY: `data` points at `arr.len()` WSAPOLLFDs of ours (or is NULL
        // with a count of 0, which WSAPoll refuses); Windows writes their
        // `revents` during the call and keeps nothing.
        let rc = unsafe { ws::WSAPoll(data, arr.len() as u32, timeout_ms) };
        for (f, a) in fds.iter_mut().zip(&arr) {
            f.revents = a.revents;
        }
        check(rc).map(|()| rc as usize)
    }

    /// `select`.
    fn select(
        &self,
        read: Option<&mut Vec<Socket>>,
        write: Option<&mut Vec<Socket>>,
        except: Option<&mut Vec<Socket>>,
        timeout: Option<std::time::Duration>,
    ) -> Result<usize, WsaError> {
        let mut sets = [read, write, except];
        // An fd_set as Windows reads it: `fd_count` (a u32, then padding to
        // the SOCKET alignment) and `fd_count` SOCKETs; at least the
        // FD_SETSIZE (64) of the C type, more when a set holds more.
        let mut mem: Vec<Option<Vec<usize>>> = sets
            .iter()
            .map(|set| {
                set.as_ref().map(|v| {
                    let mut m = vec![0usize; 1 + v.len().max(64)];
                    m[0] = v.len();
                    for (i, s) in v.iter().enumerate() {
                        m[1 + i] = s.0 as usize;
                    }
                    m
                })
            })
            .collect();
        let ptrs: Vec<*mut ws::FD_SET> = mem
            .iter_mut()
            .map(|m| {
                m.as_mut()
                    .map_or(ptr::null_mut(), |m| m.as_mut_ptr().cast::<ws::FD_SET>())
            })
            .collect();
        let tv = timeout.map(|t| ws::TIMEVAL {
            tv_sec: t.as_secs().min(i32::MAX as u64) as i32,
            tv_usec: t.subsec_micros() as i32,
        });
        let tvp = tv.as_ref().map_or(ptr::null(), |t| t as *const ws::TIMEVAL);
        // SAFETY: each set pointer is NULL or points at a buffer of ours laid
        // out as an fd_set (u32 count at offset 0, SOCKETs from offset 8 on
        // x64, room for the count given and at least FD_SETSIZE); the
        // timeout is NULL or ours; Windows rewrites the sets during the call
        // and keeps nothing. `nfds` is ignored on Windows.
        let rc = unsafe { ws::select(0, ptrs[0], ptrs[1], ptrs[2], tvp) };
        check(rc)?;
        for (set, m) in sets.iter_mut().zip(&mem) {
            if let (Some(set), Some(m)) = (set.as_mut(), m) {
                let n = (m[0] as u32) as usize;
                **set = m[1..=n].iter().map(|&h| Socket(h as u64)).collect();
            }
        }
        Ok(rc as usize)
    }

    /// `WSAIoctl`, non-overlapped.
    fn wsa_ioctl(
        &self,
        s: Socket,
        code: u32,
        input: &[u8],
        output: &mut [u8],
    ) -> Result<usize, WsaError> {
        let mut n = 0u32;
        let inp = if input.is_empty() {
            ptr::null()
        } else {
            input.as_ptr().cast()
        };
        let out = if output.is_empty() {
            ptr::null_mut()
        } else {
            output.as_mut_ptr().cast()
        };
        // SAFETY: input and output are valid for their lengths (or NULL with
        // length 0); no OVERLAPPED, so nothing is kept after the call.
        let rc = unsafe {
            ws::WSAIoctl(
                s.0 as usize,
                code,
                inp,
                input.len() as u32,
                out,
                output.len() as u32,
                &mut n,
                ptr::null_mut(),
                None,
            )
        };
        check(rc)?;
        Ok(n as usize)
    }

    /// `WSARecv`, non-overlapped.
    fn wsa_recv(
        &self,
        s: Socket,
        buffers: &mut [WsaBuf],
        bytes_recvd: Option<&mut u32>,
        flags: &mut u32,
    ) -> Result<(), WsaError> {
        let _in_call = nested::enter(s.0 as usize, "WSARecv")?;
        let (arr, regions) = wsabufs(buffers)?;
        // SAFETY: `arr` describes memory that is either ours (alive, as the
        // buffers are borrowed mutably for the call), NULL, or guarded; the
        // count and flags pointers are valid or NULL; no OVERLAPPED, so
        // Windows keeps no pointer after returning.
        let rc = unsafe {
            ws::WSARecv(
                s.0 as usize,
                arr.as_ptr(),
                arr.len() as u32,
                out_ptr(bytes_recvd),
                flags,
                ptr::null_mut(),
                None,
            )
        };
        copy_back(buffers, &regions);
        check(rc)
    }

    /// `WSARecvFrom`, non-overlapped.
    fn wsa_recv_from(
        &self,
        s: Socket,
        buffers: &mut [WsaBuf],
        bytes_recvd: Option<&mut u32>,
        flags: &mut u32,
        from: &mut NameBuf,
    ) -> Result<(), WsaError> {
        let _in_call = nested::enter(s.0 as usize, "WSARecvFrom")?;
        let (arr, regions) = wsabufs(buffers)?;
        let mut name = name_arg(from)?;
        let lenp = name.len_ptr();
        // SAFETY: as for WSARecv; the name pointer is ours, NULL or guarded,
        // and its length pointer is valid or NULL with it.
        let rc = unsafe {
            ws::WSARecvFrom(
                s.0 as usize,
                arr.as_ptr(),
                arr.len() as u32,
                out_ptr(bytes_recvd),
                flags,
                name.ptr,
                lenp,
                ptr::null_mut(),
                None,
            )
        };
        copy_back(buffers, &regions);
        name_back(from, &name);
        check(rc)
    }

    /// `recv` (Winsock 1).
    fn recv(&self, s: Socket, buf: &mut WsaBuf, flags: i32) -> Result<usize, WsaError> {
        let _in_call = nested::enter(s.0 as usize, "recv")?;
        let (arr, regions) = wsabufs(std::slice::from_mut(buf))?;
        // SAFETY: `arr[0]` describes our memory (borrowed mutably for the
        // call), NULL, or a guarded copy, of `len` bytes; nothing is kept.
        let rc = unsafe { ws::recv(s.0 as usize, arr[0].buf, arr[0].len as i32, flags) };
        copy_back(std::slice::from_mut(buf), &regions);
        check(rc).map(|()| rc as usize)
    }

    /// `recvfrom` (Winsock 1).
    fn recvfrom(
        &self,
        s: Socket,
        buf: &mut WsaBuf,
        flags: i32,
        from: &mut NameBuf,
    ) -> Result<usize, WsaError> {
        let _in_call = nested::enter(s.0 as usize, "recvfrom")?;
        let (arr, regions) = wsabufs(std::slice::from_mut(buf))?;
        let mut name = name_arg(from)?;
        let lenp = name.len_ptr();
        // SAFETY: as for recv; the name pointer is ours, NULL or guarded,
        // and its length pointer is valid or NULL with it.
        let rc = unsafe {
            ws::recvfrom(
                s.0 as usize,
                arr[0].buf,
                arr[0].len as i32,
                flags,
                name.ptr,
                lenp,
            )
        };
        copy_back(std::slice::from_mut(buf), &regions);
        name_back(from, &name);
        check(rc).map(|()| rc as usize)
    }

    /// `send` (Winsock 1).
    fn send(&self, s: Socket, buf: &WsaBuf, flags: i32) -> Result<usize, WsaError> {
        let _in_call = nested::enter(s.0 as usize, "send")?;
        let mut copy = [buf.clone()];
        let (arr, _regions) = wsabufs(&mut copy)?;
        // SAFETY: `arr[0]` points into `copy` or a guarded copy, alive for
        // the call; Windows only reads it.
        let rc = unsafe { ws::send(s.0 as usize, arr[0].buf, arr[0].len as i32, flags) };
        check(rc).map(|()| rc as usize)
    }

    /// `sendto` (Winsock 1).
    fn sendto(&self, s: Socket, buf: &WsaBuf, flags: i32, to: &NameBuf) -> Result<usize, WsaError> {
        let _in_call = nested::enter(s.0 as usize, "sendto")?;
        let mut copy = [buf.clone()];
        let (arr, _regions) = wsabufs(&mut copy)?;
        let mut to = to.clone();
        let name = name_arg(&mut to)?;
        // SAFETY: the buffer as for send; the name is ours, NULL or guarded.
        let rc = unsafe {
            ws::sendto(
                s.0 as usize,
                arr[0].buf,
                arr[0].len as i32,
                flags,
                name.ptr,
                name.len,
            )
        };
        check(rc).map(|()| rc as usize)
    }

    /// `WSASend`, non-overlapped.
    fn wsa_send(
        &self,
        s: Socket,
        buffers: &[WsaBuf],
        bytes_sent: Option<&mut u32>,
        flags: u32,
    ) -> Result<(), WsaError> {
        let _in_call = nested::enter(s.0 as usize, "WSASend")?;
        let mut copy = buffers.to_vec();
        let (arr, _regions) = wsabufs(&mut copy)?;
        // SAFETY: `arr` points into `copy` or guarded copies, alive for the
        // call; Windows only reads them. No OVERLAPPED.
        let rc = unsafe {
            ws::WSASend(
                s.0 as usize,
                arr.as_ptr(),
                arr.len() as u32,
                out_ptr(bytes_sent),
                flags,
                ptr::null_mut(),
                None,
            )
        };
        check(rc)
    }

    /// `WSASendTo`, non-overlapped.
    fn wsa_send_to(
        &self,
        s: Socket,
        buffers: &[WsaBuf],
        bytes_sent: Option<&mut u32>,
        flags: u32,
        to: &NameBuf,
    ) -> Result<(), WsaError> {
        let _in_call = nested::enter(s.0 as usize, "WSASendTo")?;
        let mut copy = buffers.to_vec();
        let (arr, _regions) = wsabufs(&mut copy)?;
        let mut to = to.clone();
        let name = name_arg(&mut to)?;
        // SAFETY: buffers as for WSASend; the name is ours, NULL or guarded.
        let rc = unsafe {
            ws::WSASendTo(
                s.0 as usize,
                arr.as_ptr(),
                arr.len() as u32,
                out_ptr(bytes_sent),
                flags,
                name.ptr,
                name.len,
                ptr::null_mut(),
                None,
            )
        };
        check(rc)
    }

    /// `WSARecvMsg`, non-overlapped, through its extension pointer.
    fn wsa_recv_msg(
        &self,
        s: Socket,
        msg: &mut WsaMsg,
        bytes_recvd: Option<&mut u32>,
    ) -> Result<(), WsaError> {
        let _in_call = nested::enter(s.0 as usize, "WSARecvMsg")?;
        let f: ws::LPFN_WSARECVMSG = extension(s, consts::WSAID_WSARECVMSG, &RECVMSG)?;
        let f = f.ok_or(WsaError::Code(consts::WSAEINVAL))?;
        let mut a = MsgArg::new(msg)?;
        // SAFETY: every pointer in `m` is ours (alive for the call), NULL, or
        // guarded; the count pointer is valid or NULL; no OVERLAPPED, so
        // nothing is kept after the call.
        let rc = unsafe {
            f(
                s.0 as usize,
                &mut a.m,
                out_ptr(bytes_recvd),
                ptr::null_mut(),
                None,
            )
        };
        copy_back(&mut msg.buffers, &a.regions);
        copy_back(std::slice::from_mut(&mut msg.control), &a.cregions);
        msg.control.len = a.m.Control.len;
        msg.flags = a.m.dwFlags;
        a.name.len = a.m.namelen;
        name_back(&mut msg.name, &a.name);
        check(rc)
    }

    /// `WSASendMsg`, non-overlapped, through its extension pointer.
    fn wsa_send_msg(
        &self,
        s: Socket,
        msg: &WsaMsg,
        flags: u32,
        bytes_sent: Option<&mut u32>,
    ) -> Result<(), WsaError> {
        let _in_call = nested::enter(s.0 as usize, "WSASendMsg")?;
        let f: ws::LPFN_WSASENDMSG = extension(s, consts::WSAID_WSASENDMSG, &SENDMSG)?;
        let f = f.ok_or(WsaError::Code(consts::WSAEINVAL))?;
        let mut msg = msg.clone();
        let a = MsgArg::new(&mut msg)?;
        // SAFETY: as for WSARecvMsg; Windows only reads the message.
        let rc = unsafe {
            f(
                s.0 as usize,
                &a.m,
                flags,
                out_ptr(bytes_sent),
                ptr::null_mut(),
                None,
            )
        };
        check(rc)
    }
}

fn bool_ok(ok: i32) -> Result<(), WsaError> {
    if ok == 0 {
        Err(last_error())
    } else {
        Ok(())
    }
}

/// Overlapped I/O on the real Winsock. Each operation's `OVERLAPPED`, its
/// `WSABUF` array, buffers and name live in one heap record at a stable
/// address until the completion is reaped (see `ovl.rs`).
impl WinsockOverlapped for OsWinsock {
    type Event = Event;
    type Port = Port;

    /// `WSACreateEvent`.
    fn wsa_create_event(&self) -> Result<Event, WsaError> {
        // SAFETY: no arguments.
        let h = unsafe { ws::WSACreateEvent() };
        if h == 0 {
            return Err(last_error());
        }
        Ok(Event(h as u64))
    }

    /// `WSACloseEvent`.
    fn wsa_close_event(&self, e: Event) -> Result<(), WsaError> {
        // SAFETY: a handle value; a bad one is reported, not dereferenced.
        bool_ok(unsafe { ws::WSACloseEvent(e.0 as ws::WSAEVENT) })
    }

    /// `WSASetEvent`.
    fn wsa_set_event(&self, e: Event) -> Result<(), WsaError> {
        // SAFETY: as for WSACloseEvent.
        bool_ok(unsafe { ws::WSASetEvent(e.0 as ws::WSAEVENT) })
    }

    /// `WSAResetEvent`.
    fn wsa_reset_event(&self, e: Event) -> Result<(), WsaError> {
        // SAFETY: as for WSACloseEvent.
        bool_ok(unsafe { ws::WSAResetEvent(e.0 as ws::WSAEVENT) })
    }

    /// `WSAEventSelect`.
    fn wsa_event_select(
        &self,
        s: Socket,
        event: Option<Event>,
        network_events: i32,
    ) -> Result<(), WsaError> {
        let h = event.map_or(0, |e| e.0) as ws::WSAEVENT;
        // SAFETY: a socket and an event handle by value (NULL for none);
        // Windows reports a bad one, it dereferences nothing of ours.
        check(unsafe { ws::WSAEventSelect(s.0 as usize, h, network_events) })
    }

    /// `WSAAsyncSelect`.
    fn wsa_async_select(
        &self,
        s: Socket,
        hwnd: usize,
        msg: u32,
        network_events: i32,
    ) -> Result<(), WsaError> {
        // SAFETY: a socket, a window handle and two numbers by value;
        // Windows reports a bad socket or window, it dereferences nothing
        // of ours.
        check(unsafe { ws::WSAAsyncSelect(s.0 as usize, hwnd as _, msg, network_events) })
    }

    /// `WSAEnumNetworkEvents`.
    fn wsa_enum_network_events(
        &self,
        s: Socket,
        event: Option<Event>,
    ) -> Result<NetworkEvents, WsaError> {
        let h = event.map_or(0, |e| e.0) as ws::WSAEVENT;
        let mut out = ws::WSANETWORKEVENTS {
            lNetworkEvents: 0,
            iErrorCode: [0; 10],
        };
        // SAFETY: `out` is a WSANETWORKEVENTS of ours that Windows fills
        // during the call and keeps nothing of; the handles are values.
        check(unsafe { ws::WSAEnumNetworkEvents(s.0 as usize, h, &mut out) })?;
        Ok(NetworkEvents {
            events: out.lNetworkEvents,
            errors: out.iErrorCode,
        })
    }

    /// `WSAWaitForMultipleEvents`.
    fn wsa_wait_for_multiple_events(
        &self,
        events: &[Event],
        wait_all: bool,
        timeout_ms: u32,
        alertable: bool,
    ) -> Result<WaitResult, WsaError> {
        let hs: Vec<windows_sys::Win32::Foundation::HANDLE> =
            events.iter().map(|e| e.0 as _).collect();
        // SAFETY: `hs` holds `hs.len()` handle values, alive for the call;
        // completion routines run inside it on this thread (the trampoline
        // takes the table lock, which this call does not hold).
        let rc = unsafe {
            ws::WSAWaitForMultipleEvents(
                hs.len() as u32,
                hs.as_ptr(),
                i32::from(wait_all),
                timeout_ms,
                i32::from(alertable),
            )
        };
        match rc {
            r if (r as usize) < hs.len() => Ok(WaitResult::Event(r as usize)),
            0xC0 => Ok(WaitResult::IoCompletion),
            0x102 => Ok(WaitResult::Timeout),
            _ => Err(last_error()),
        }
    }

    /// `SleepEx`.
    fn sleep_ex(&self, ms: u32, alertable: bool) -> Result<WaitResult, WsaError> {
        // SAFETY: integers only; routines run inside it as for waits.
        let rc =
            unsafe { windows_sys::Win32::System::Threading::SleepEx(ms, i32::from(alertable)) };
        Ok(if rc == 0xC0 {
            WaitResult::IoCompletion
        } else {
            WaitResult::Timeout
        })
    }

    /// `WSARecv` with an `OVERLAPPED`.
    fn wsa_recv_overlapped(
        &self,
        s: Socket,
        buffers: Vec<WsaBuf>,
        flags: u32,
        overlapped: Overlapped,
        routine: Option<CompletionRoutine>,
    ) -> Result<Posted, WsaError> {
        let req = DataRequest::new(DataCall::Recv(RecvCall::Recv), buffers).with_flags(flags);
        self.data_call_overlapped(s, req, overlapped, routine)
    }

    /// `WSARecvFrom` with an `OVERLAPPED`.
    fn wsa_recv_from_overlapped(
        &self,
        s: Socket,
        buffers: Vec<WsaBuf>,
        flags: u32,
        from: NameBuf,
        overlapped: Overlapped,
        routine: Option<CompletionRoutine>,
    ) -> Result<Posted, WsaError> {
        let req = DataRequest::new(DataCall::Recv(RecvCall::RecvFrom), buffers)
            .with_flags(flags)
            .with_name(from);
        self.data_call_overlapped(s, req, overlapped, routine)
    }

    /// `WSARecvMsg` with an `OVERLAPPED`, through its extension pointer.
    fn wsa_recv_msg_overlapped(
        &self,
        s: Socket,
        msg: WsaMsg,
        overlapped: Overlapped,
        routine: Option<CompletionRoutine>,
    ) -> Result<Posted, WsaError> {
        let req = DataRequest::from_msg(DataCall::Recv(RecvCall::RecvMsg), msg, 0);
        self.data_call_overlapped(s, req, overlapped, routine)
    }

    /// `WSASend` with an `OVERLAPPED`.
    fn wsa_send_overlapped(
        &self,
        s: Socket,
        buffers: Vec<WsaBuf>,
        flags: u32,
        overlapped: Overlapped,
        routine: Option<CompletionRoutine>,
    ) -> Result<Posted, WsaError> {
        let req = DataRequest::new(DataCall::Send(SendCall::Send), buffers).with_flags(flags);
        self.data_call_overlapped(s, req, overlapped, routine)
    }

    /// `WSASendTo` with an `OVERLAPPED`.
    fn wsa_send_to_overlapped(
        &self,
        s: Socket,
        buffers: Vec<WsaBuf>,
        flags: u32,
        to: NameBuf,
        overlapped: Overlapped,
        routine: Option<CompletionRoutine>,
    ) -> Result<Posted, WsaError> {
        let req = DataRequest::new(DataCall::Send(SendCall::SendTo), buffers)
            .with_flags(flags)
            .with_name(to);
        self.data_call_overlapped(s, req, overlapped, routine)
    }

    /// `WSASendMsg` with an `OVERLAPPED`, through its extension pointer.
    fn wsa_send_msg_overlapped(
        &self,
        s: Socket,
        msg: WsaMsg,
        flags: u32,
        overlapped: Overlapped,
        routine: Option<CompletionRoutine>,
    ) -> Result<Posted, WsaError> {
        let req = DataRequest::from_msg(DataCall::Send(SendCall::SendMsg), msg, flags);
        self.data_call_overlapped(s, req, overlapped, routine)
    }

    /// The one body of the six overlapped data calls: the request's call
    /// is posted with its memory in a heap record (see `ovl.rs`).
    fn data_call_overlapped(
        &self,
        s: Socket,
        req: DataRequest,
        overlapped: Overlapped,
        routine: Option<CompletionRoutine>,
    ) -> Result<Posted, WsaError> {
        ovl::post(ovl::NewOp {
            s: s.0 as usize,
            req,
            ovl: overlapped,
            routine,
        })
    }

    /// `WSAGetOverlappedResult`.
    fn wsa_get_overlapped_result(
        &self,
        s: Socket,
        overlapped: &Overlapped,
        wait: bool,
    ) -> Result<Completion, WsaError> {
        ovl::get_result(s.0 as usize, overlapped, wait)
    }

    /// `CancelIoEx`.
    fn cancel_io_ex(&self, s: Socket, overlapped: Option<&Overlapped>) -> Result<(), WsaError> {
        ovl::cancel(s.0 as usize, overlapped)
    }

    /// `CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, concurrency)`.
    fn create_io_completion_port(&self, concurrency: u32) -> Result<Port, WsaError> {
        ovl::create_port(concurrency).map(|h| Port(h as u64))
    }

    /// `CreateIoCompletionPort(s, port, key, 0)`.
    fn associate_completion_port(&self, port: Port, s: Socket, key: usize) -> Result<(), WsaError> {
        ovl::associate(port.0 as _, s.0 as usize, key)
    }

    /// `SetFileCompletionNotificationModes`.
    fn set_file_completion_notification_modes(&self, s: Socket, modes: u8) -> Result<(), WsaError> {
        // SAFETY: a handle value and a flag byte.
        let ok = unsafe {
            windows_sys::Win32::Storage::FileSystem::SetFileCompletionNotificationModes(
                s.0 as _, modes,
            )
        };
        if ok == 0 {
            // SAFETY: reads this thread's last error.
            let e = unsafe { windows_sys::Win32::Foundation::GetLastError() };
            return Err(WsaError::Code(e as i32));
        }
        ovl::note_skip(
            s.0 as usize,
            modes & consts::FILE_SKIP_COMPLETION_PORT_ON_SUCCESS != 0,
        );
        Ok(())
    }

    /// `GetQueuedCompletionStatus`.
    fn get_queued_completion_status(
        &self,
        port: Port,
        timeout_ms: u32,
    ) -> Result<PortPacket, WsaError> {
        ovl::dequeue_one(port.0 as _, timeout_ms)
    }

    /// `GetQueuedCompletionStatusEx`.
    fn get_queued_completion_status_ex(
        &self,
        port: Port,
        max: usize,
        timeout_ms: u32,
        alertable: bool,
    ) -> Result<Vec<PortPacket>, WsaError> {
        ovl::dequeue_many(port.0 as _, max, timeout_ms, alertable)
    }

    /// `PostQueuedCompletionStatus`.
    fn post_queued_completion_status(
        &self,
        port: Port,
        bytes: u32,
        key: usize,
        overlapped: Option<Overlapped>,
    ) -> Result<(), WsaError> {
        ovl::post_packet(port.0 as _, bytes, key, overlapped)
    }

    /// `CloseHandle` on a port.
    fn close_port(&self, port: Port) -> Result<(), WsaError> {
        ovl::close_port(port.0 as _)
    }
}

/// Forgets every overlapped operation not reaped yet, so that `OVERLAPPED`
/// ids can start afresh (the scenario runner calls it between scenarios,
/// after closing every socket). Their records are leaked, never freed: a
/// completion Windows still delivers for one is ignored without touching it.
pub fn forget_overlapped() {
    ovl::forget_all();
}

/// What this Winsock is: `"Wine 8.0"` under Wine, otherwise `"Windows"`.
pub fn describe() -> String {
    use windows_sys::Win32::System::LibraryLoader::{GetModuleHandleA, GetProcAddress};
    // SAFETY: both names are NUL-terminated literals; a missing module or
    // export gives NULL, checked before use.
    unsafe {
        let ntdll = GetModuleHandleA(b"ntdll.dll\0".as_ptr());
        if !ntdll.is_null() {
            if let Some(f) = GetProcAddress(ntdll, b"wine_get_version\0".as_ptr()) {
                // SAFETY: wine_get_version takes nothing and returns a static
                // NUL-terminated string.
                let get: unsafe extern "C" fn() -> *const std::ffi::c_char = std::mem::transmute(f);
                let v = std::ffi::CStr::from_ptr(get());
                return format!("Wine {}", v.to_string_lossy());
            }
        }
    }
    "Windows".to_string()
}

/// A call the backend does not pass to Windows because the documentation
/// calls it undefined (and it could touch freed memory or hang).
pub(super) fn refused(what: &str, clause: Option<&str>) -> WsaError {
    WsaError::Model(Box::new(winsock_model::ModelReport {
        kind: winsock_model::ReportKind::Misuse,
        message: format!("not passed to Windows: {what} is undefined behaviour"),
        clause: clause.map(str::to_string),
        location: None,
        trace: vec![],
    }))
}
