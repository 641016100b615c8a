//! Sending and receiving: `send`, `recv`, `sendto`, `recvfrom`, `WSASend`,
//! `WSARecv`, `WSASendTo`, `WSARecvFrom`, `WSASendMsg` and `WSARecvMsg`
//! (the latter two through `SIO_GET_EXTENSION_FUNCTION_POINTER` too). The
//! Winsock 1 calls go to the model as their `WSA` forms with a byte count
//! (the trace names the `WSA` form). With an `OVERLAPPED` the `WSA` calls
//! post an overlapped operation on the model, whose completion `ovl.rs`
//! delivers; a completion routine without an `OVERLAPPED` is ignored, as
//! on Windows ("If lpOverlapped is NULL, lpCompletionRoutine is ignored",
//! `WSARecv`'s page).

use crate::calls::Dll;
use crate::fault::Fault;
use crate::frame::run;
use crate::mem;
use crate::ops::Out;
use crate::ovl;
use windows_sys::Win32::Networking::WinSock::{
    LPWSAOVERLAPPED_COMPLETION_ROUTINE, SOCKADDR, SOCKET, WSABUF, WSAMSG,
};
use windows_sys::Win32::System::IO::OVERLAPPED;
use winsock_model::contract::{WsaError, WSAEMSGSIZE};
use winsock_model::{NameBuf, Overlapped, Winsock, WinsockOverlapped, WsaBuf, WsaMsg};

/// A fault the DLL found in the arguments of a call on `s`, unless the
/// call fails earlier (`WSANOTINITIALISED`, `WSAENOTSOCK`).
fn after_known(d: &Dll, s: SOCKET) -> impl Fn(Fault) -> Fault + '_ {
    move |f| d.known(s).err().unwrap_or(f)
}

/// Whether a receive's buffers hold data to copy back: it succeeded, or
/// failed with `WSAEMSGSIZE` after filling them.
fn filled<T>(r: &Result<T, WsaError>) -> bool {
    match r {
        Ok(_) => true,
        Err(e) => e.is(WSAEMSGSIZE),
    }
}

/// The one buffer of a Winsock 1 call.
///
/// # Safety
/// `buf` is `NULL` or valid for `len` bytes (read when `copy`).
unsafe fn one_buf(
    d: &Dll,
    s: SOCKET,
    buf: *const u8,
    len: i32,
    copy: bool,
) -> Result<WsaBuf, Fault> {
    let Ok(n) = u32::try_from(len) else {
        d.known(s)?;
        return Err(Fault::efault(format!("len {len} is negative")));
    };
    Ok(match (buf.is_null(), copy) {
        (true, _) => WsaBuf::null(n),
        // SAFETY: passed on.
        (false, true) => {
            WsaBuf::from(unsafe { mem::bytes_at(buf, n as usize) }.map_err(after_known(d, s))?)
        }
        (false, false) if !mem::writable(buf, n as usize) => {
            d.known(s)?;
            return Err(Fault::efault(format!("buf: {n} bytes cannot be written")));
        }
        (false, false) => WsaBuf::zeroed(n as usize),
    })
}

/// `send`: `WSASend` with one buffer; returns the bytes sent.
///
/// # Safety
/// `buf` is `NULL` or valid for reads of `len` bytes.
#[export_name = "wsd_send"]
pub unsafe extern "system" fn send(s: SOCKET, buf: *const u8, len: i32, flags: i32) -> i32 {
    run(
        "send",
        |_| -1,
        || format!("{s:#x}, len={len}, {flags:#x}"),
        |d| {
            // SAFETY: passed on.
            let b = unsafe { one_buf(d, s, buf, len, true)? };
            let mut n = 0u32;
            d.host
                .wsa_send(d.sock(s), &[b], Some(&mut n), flags as u32)?;
            Ok(n as i32)
        },
    )
}

/// `sendto`: `WSASendTo` with one buffer.
///
/// # Safety
/// `buf` as for [`send`]; `to` is `NULL` or valid for reads of `tolen`
/// bytes.
#[export_name = "wsd_sendto"]
pub unsafe extern "system" fn sendto(
    s: SOCKET,
    buf: *const u8,
    len: i32,
    flags: i32,
    to: *const SOCKADDR,
    tolen: i32,
) -> i32 {
    run(
        "sendto",
        |_| -1,
        || format!("{s:#x}, len={len}, {flags:#x}, tolen={tolen}"),
        |d| {
            // SAFETY: passed on.
            let b = unsafe { one_buf(d, s, buf, len, true)? };
            // SAFETY: passed on.
            let to = unsafe { mem::name_in(to, tolen) }.map_err(after_known(d, s))?;
            let mut n = 0u32;
            d.host
                .wsa_send_to(d.sock(s), &[b], Some(&mut n), flags as u32, &to)?;
            Ok(n as i32)
        },
    )
}

/// `recv`: `WSARecv` with one buffer; returns the bytes received (also
/// copied when the call fails with `WSAEMSGSIZE`).
///
/// # Safety
/// `buf` is `NULL` or valid for writes of `len` bytes.
#[export_name = "wsd_recv"]
pub unsafe extern "system" fn recv(s: SOCKET, buf: *mut u8, len: i32, flags: i32) -> i32 {
    run(
        "recv",
        |_| -1,
        || format!("{s:#x}, len={len}, {flags:#x}"),
        |d| {
            // SAFETY: passed on.
            let mut bufs = [unsafe { one_buf(d, s, buf, len, false)? }];
            let (mut n, mut fl) = (0u32, flags as u32);
            let r = d.host.wsa_recv(d.sock(s), &mut bufs, Some(&mut n), &mut fl);
            if filled(&r) {
                let got = (n as usize).min(bufs[0].bytes().len());
                // SAFETY: `got` is at most `len`.
                unsafe { mem::write_bytes(buf, &bufs[0].bytes()[..got])? };
            }
            r?;
            Ok(n as i32)
        },
    )
}

/// `recvfrom`: `WSARecvFrom` with one buffer; the sender's address goes
/// to `from`/`*fromlen`.
///
/// # Safety
/// `buf` as for [`recv`]; `from` and `fromlen` are `NULL` or valid
/// (`*fromlen` bytes at `from`).
#[export_name = "wsd_recvfrom"]
pub unsafe extern "system" fn recvfrom(
    s: SOCKET,
    buf: *mut u8,
    len: i32,
    flags: i32,
    from: *mut SOCKADDR,
    fromlen: *mut i32,
) -> i32 {
    run(
        "recvfrom",
        |_| -1,
        || format!("{s:#x}, len={len}, {flags:#x}"),
        |d| {
            // SAFETY: passed on.
            let mut bufs = [unsafe { one_buf(d, s, buf, len, false)? }];
            // SAFETY: passed on.
            let mut name = unsafe { mem::name_room(from, fromlen) }.map_err(after_known(d, s))?;
            let (mut n, mut fl) = (0u32, flags as u32);
            let r = d
                .host
                .wsa_recv_from(d.sock(s), &mut bufs, Some(&mut n), &mut fl, &mut name);
            if filled(&r) {
                let got = (n as usize).min(bufs[0].bytes().len());
                // SAFETY: `got` is at most `len`; the name's room is at
                // most `*fromlen`.
                unsafe {
                    mem::write_bytes(buf, &bufs[0].bytes()[..got])?;
                    mem::name_back(from, fromlen, &name)?;
                }
            }
            r?;
            Ok(n as i32)
        },
    )
}

/// Copies a receive's results back: the bytes, the count and the flags.
/// Without a count pointer (a profile may accept that) the whole buffers
/// go back, since the model gives no count then.
///
/// # Safety
/// As for the receive's arguments.
unsafe fn recv_back(
    bufs_p: *const WSABUF,
    count: u32,
    bufs: &[WsaBuf],
    n: Option<u32>,
    recvd: *mut u32,
) -> Result<(), Fault> {
    let total: usize = bufs.iter().map(|b| b.bytes().len()).sum();
    let got = n.map_or(total, |n| n as usize);
    // SAFETY: passed on.
    unsafe {
        mem::bufs_back(bufs_p, count, bufs, got)?;
        if let Some(n) = n {
            mem::write(recvd, n)?;
        }
    }
    Ok(())
}

/// `WSARecv`, non-overlapped.
///
/// # Safety
/// The `WSABUF` array and its buffers are `NULL` or valid; `recvd` and
/// `flags` are `NULL` or valid for a `DWORD`.
#[export_name = "wsd_WSARecv"]
pub unsafe extern "system" fn WSARecv(
    s: SOCKET,
    buffers: *const WSABUF,
    count: u32,
    recvd: *mut u32,
    flags: *mut u32,
    overlapped: *mut OVERLAPPED,
    routine: LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> i32 {
    run(
        "WSARecv",
        |_| -1,
        || format!("{s:#x}, count={count}"),
        |d| {
            // SAFETY: passed on.
            let Some(mut fl) = unsafe { mem::read(flags) }.map_err(after_known(d, s))? else {
                d.known(s)?;
                return Err(Fault::efault("lpFlags is NULL"));
            };
            if !mem::writable(flags.cast(), 4)
                || (!recvd.is_null() && !mem::writable(recvd.cast(), 4))
            {
                d.known(s)?;
                return Err(Fault::efault(
                    "lpFlags or lpNumberOfBytesRecvd cannot be written",
                ));
            }
            // SAFETY: passed on.
            let mut bufs = unsafe { mem::bufs_room(buffers, count) }.map_err(after_known(d, s))?;
            if !overlapped.is_null() {
                let b = ovl::begin(d, s, overlapped, routine)?;
                // SAFETY: passed on (read just above).
                let list = unsafe { mem::bufs_list(buffers, count)? };
                let r =
                    d.host
                        .wsa_recv_overlapped(d.sock(s), bufs, fl, Overlapped::new(b.id), None);
                let out = Out::Recv {
                    bufs: list,
                    from: None,
                };
                return ovl::posted(d, s, b, out, r)?.answer(|n, f| {
                    // SAFETY: both probed writable above (or NULL).
                    unsafe {
                        mem::write(recvd, n)?;
                        mem::write(flags, f)
                    }
                });
            }
            // (Counted from 0: the model writes the count when it copied.)
            let mut n = (!recvd.is_null()).then_some(0u32);
            let r = d.host.wsa_recv(d.sock(s), &mut bufs, n.as_mut(), &mut fl);
            if filled(&r) {
                // SAFETY: passed on.
                unsafe {
                    recv_back(buffers, count, &bufs, n, recvd)?;
                    mem::write(flags, fl)?;
                }
            }
            r?;
            Ok(0)
        },
    )
}

/// `WSARecvFrom`, non-overlapped.
///
/// # Safety
/// As [`WSARecv`]; `from` and `fromlen` are `NULL` or valid.
#[export_name = "wsd_WSARecvFrom"]
pub unsafe extern "system" fn WSARecvFrom(
    s: SOCKET,
    buffers: *const WSABUF,
    count: u32,
    recvd: *mut u32,
    flags: *mut u32,
    from: *mut SOCKADDR,
    fromlen: *mut i32,
    overlapped: *mut OVERLAPPED,
    routine: LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> i32 {
    run(
        "WSARecvFrom",
        |_| -1,
        || format!("{s:#x}, count={count}"),
        |d| {
            // SAFETY: passed on.
            let Some(mut fl) = unsafe { mem::read(flags) }.map_err(after_known(d, s))? else {
                d.known(s)?;
                return Err(Fault::efault("lpFlags is NULL"));
            };
            if !mem::writable(flags.cast(), 4)
                || (!recvd.is_null() && !mem::writable(recvd.cast(), 4))
            {
                d.known(s)?;
                return Err(Fault::efault(
                    "lpFlags or lpNumberOfBytesRecvd cannot be written",
                ));
            }
            // SAFETY: passed on.
            let mut bufs = unsafe { mem::bufs_room(buffers, count) }.map_err(after_known(d, s))?;
            // SAFETY: passed on.
            let mut name = unsafe { mem::name_room(from, fromlen) }.map_err(after_known(d, s))?;
            if !overlapped.is_null() {
                let b = ovl::begin(d, s, overlapped, routine)?;
                // SAFETY: passed on (read just above).
                let list = unsafe { mem::bufs_list(buffers, count)? };
                let r = d.host.wsa_recv_from_overlapped(
                    d.sock(s),
                    bufs,
                    fl,
                    name,
                    Overlapped::new(b.id),
                    None,
                );
                let out = Out::Recv {
                    bufs: list,
                    from: Some((from as usize, fromlen as usize)),
                };
                return ovl::posted(d, s, b, out, r)?.answer(|n, f| {
                    // SAFETY: both probed writable above (or NULL).
                    unsafe {
                        mem::write(recvd, n)?;
                        mem::write(flags, f)
                    }
                });
            }
            // (Counted from 0: the model writes the count when it copied.)
            let mut n = (!recvd.is_null()).then_some(0u32);
            let r = d
                .host
                .wsa_recv_from(d.sock(s), &mut bufs, n.as_mut(), &mut fl, &mut name);
            if filled(&r) {
                // SAFETY: passed on.
                unsafe {
                    recv_back(buffers, count, &bufs, n, recvd)?;
                    mem::write(flags, fl)?;
                    mem::name_back(from, fromlen, &name)?;
                }
            }
            r?;
            Ok(0)
        },
    )
}

/// `WSASend`, non-overlapped.
///
/// # Safety
/// The `WSABUF` array and its buffers are `NULL` or valid; `sent` is
/// `NULL` or valid for a `DWORD`.
#[export_name = "wsd_WSASend"]
pub unsafe extern "system" fn WSASend(
    s: SOCKET,
    buffers: *const WSABUF,
    count: u32,
    sent: *mut u32,
    flags: u32,
    overlapped: *mut OVERLAPPED,
    routine: LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> i32 {
    run(
        "WSASend",
        |_| -1,
        || format!("{s:#x}, count={count}, {flags:#x}"),
        |d| {
            // SAFETY: passed on.
            let bufs = unsafe { mem::bufs_in(buffers, count) }.map_err(after_known(d, s))?;
            if !overlapped.is_null() {
                let b = ovl::begin(d, s, overlapped, routine)?;
                let r =
                    d.host
                        .wsa_send_overlapped(d.sock(s), bufs, flags, Overlapped::new(b.id), None);
                return ovl::posted(d, s, b, Out::Send, r)?.answer(|n, _| {
                    // SAFETY: the caller promises a DWORD or NULL.
                    unsafe { mem::write(sent, n) }
                });
            }
            let mut n = 0u32;
            let want = !sent.is_null();
            d.host
                .wsa_send(d.sock(s), &bufs, want.then_some(&mut n), flags)?;
            // SAFETY: the caller promises a DWORD or NULL.
            unsafe { mem::write(sent, n)? };
            Ok(0)
        },
    )
}

/// `WSASendTo`, non-overlapped.
///
/// # Safety
/// As [`WSASend`]; `to` is `NULL` or valid for reads of `tolen` bytes.
#[export_name = "wsd_WSASendTo"]
pub unsafe extern "system" fn WSASendTo(
    s: SOCKET,
    buffers: *const WSABUF,
    count: u32,
    sent: *mut u32,
    flags: u32,
    to: *const SOCKADDR,
    tolen: i32,
    overlapped: *mut OVERLAPPED,
    routine: LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> i32 {
    run(
        "WSASendTo",
        |_| -1,
        || format!("{s:#x}, count={count}, {flags:#x}, tolen={tolen}"),
        |d| {
            // SAFETY: passed on.
            let bufs = unsafe { mem::bufs_in(buffers, count) }.map_err(after_known(d, s))?;
            // SAFETY: passed on.
            let to = unsafe { mem::name_in(to, tolen) }.map_err(after_known(d, s))?;
            if !overlapped.is_null() {
                let b = ovl::begin(d, s, overlapped, routine)?;
                let r = d.host.wsa_send_to_overlapped(
                    d.sock(s),
                    bufs,
                    flags,
                    to,
                    Overlapped::new(b.id),
                    None,
                );
                return ovl::posted(d, s, b, Out::Send, r)?.answer(|n, _| {
                    // SAFETY: the caller promises a DWORD or NULL.
                    unsafe { mem::write(sent, n) }
                });
            }
            let mut n = 0u32;
            let want = !sent.is_null();
            d.host
                .wsa_send_to(d.sock(s), &bufs, want.then_some(&mut n), flags, &to)?;
            // SAFETY: the caller promises a DWORD or NULL.
            unsafe { mem::write(sent, n)? };
            Ok(0)
        },
    )
}

/// A `WSAMSG`'s name as the model takes it.
///
/// # Safety
/// A non-`NULL` `m.name` is valid for `m.namelen` bytes (read when `copy`).
unsafe fn msg_name(m: &WSAMSG, copy: bool) -> Result<NameBuf, Fault> {
    if copy {
        // SAFETY: passed on.
        return unsafe { mem::name_in(m.name, m.namelen) };
    }
    // SAFETY: `namelen` is the copy's, readable.
    unsafe { mem::name_room(m.name, &m.namelen) }
}

/// `WSARecvMsg` (the extension function; not an export by name),
/// non-overlapped: the data, the sender's name, the control data and the
/// flags go back into the `WSAMSG`.
///
/// # Safety
/// `msg` is `NULL` or valid for reads and writes of a `WSAMSG` whose
/// pointers are `NULL` or valid for their lengths; `recvd` is `NULL` or
/// valid for a `DWORD`.
pub unsafe extern "system" fn WSARecvMsg(
    s: SOCKET,
    msg: *mut WSAMSG,
    recvd: *mut u32,
    overlapped: *mut OVERLAPPED,
    routine: LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> i32 {
    run(
        "WSARecvMsg",
        |_| -1,
        || format!("{s:#x}"),
        |d| {
            // SAFETY: passed on.
            let Some(m) = unsafe { mem::read(msg.cast_const()) }.map_err(after_known(d, s))? else {
                d.known(s)?;
                return Err(Fault::efault("lpMsg is NULL"));
            };
            if !mem::writable(msg.cast(), std::mem::size_of::<WSAMSG>()) {
                d.known(s)?;
                return Err(Fault::efault("lpMsg cannot be written"));
            }
            // SAFETY: passed on.
            let buffers = unsafe { mem::bufs_room(m.lpBuffers, m.dwBufferCount) }
                .map_err(after_known(d, s))?;
            let control = if m.Control.buf.is_null() {
                WsaBuf::null(m.Control.len)
            } else if !mem::writable(m.Control.buf, m.Control.len as usize) {
                d.known(s)?;
                return Err(Fault::efault("Control.buf cannot be written"));
            } else {
                WsaBuf::zeroed(m.Control.len as usize)
            };
            let mut wm = WsaMsg {
                // SAFETY: passed on.
                name: unsafe { msg_name(&m, false) }.map_err(after_known(d, s))?,
                buffers,
                control,
                flags: m.dwFlags,
            };
            if !overlapped.is_null() {
                let b = ovl::begin(d, s, overlapped, routine)?;
                // SAFETY: passed on (read just above).
                let list = unsafe { mem::bufs_list(m.lpBuffers, m.dwBufferCount)? };
                let r = d
                    .host
                    .wsa_recv_msg_overlapped(d.sock(s), wm, Overlapped::new(b.id), None);
                let out = Out::RecvMsg {
                    bufs: list,
                    msg: msg as usize,
                };
                return ovl::posted(d, s, b, out, r)?.answer(|n, _| {
                    // SAFETY: probed writable above (or NULL).
                    unsafe { mem::write(recvd, n) }
                });
            }
            // (Counted from 0: the model writes the count when it copied.)
            let mut n = (!recvd.is_null()).then_some(0u32);
            let r = d.host.wsa_recv_msg(d.sock(s), &mut wm, n.as_mut());
            if filled(&r) {
                let mut back = m;
                // SAFETY: passed on; `back` is written to the caller's
                // WSAMSG, whose lengths are only made smaller or kept.
                unsafe {
                    recv_back(m.lpBuffers, m.dwBufferCount, &wm.buffers, n, recvd)?;
                    if !m.name.is_null() {
                        mem::name_back(m.name, &mut back.namelen, &wm.name)?;
                    }
                    if !m.Control.buf.is_null() {
                        mem::write_bytes(m.Control.buf, wm.control.bytes())?;
                    }
                    back.Control.len = wm.control.len;
                    back.dwFlags = wm.flags;
                    mem::write(msg, back)?;
                }
            }
            r?;
            Ok(0)
        },
    )
}

/// `WSASendMsg`, non-overlapped.
///
/// # Safety
/// `msg` is `NULL` or valid for reads of a `WSAMSG` whose pointers are
/// `NULL` or valid for their lengths; `sent` is `NULL` or valid for a
/// `DWORD`.
#[export_name = "wsd_WSASendMsg"]
pub unsafe extern "system" fn WSASendMsg(
    s: SOCKET,
    msg: *const WSAMSG,
    flags: u32,
    sent: *mut u32,
    overlapped: *mut OVERLAPPED,
    routine: LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> i32 {
    run(
        "WSASendMsg",
        |_| -1,
        || format!("{s:#x}, {flags:#x}"),
        |d| {
            // SAFETY: passed on.
            let Some(m) = unsafe { mem::read(msg) }.map_err(after_known(d, s))? else {
                d.known(s)?;
                return Err(Fault::efault("lpMsg is NULL"));
            };
            // SAFETY: passed on.
            let buffers =
                unsafe { mem::bufs_in(m.lpBuffers, m.dwBufferCount) }.map_err(after_known(d, s))?;
            let control = if m.Control.buf.is_null() {
                WsaBuf::null(m.Control.len)
            } else {
                // SAFETY: passed on.
                WsaBuf::from(
                    unsafe { mem::bytes_at(m.Control.buf, m.Control.len as usize) }
                        .map_err(after_known(d, s))?,
                )
            };
            let wm = WsaMsg {
                // SAFETY: passed on.
                name: unsafe { msg_name(&m, true) }.map_err(after_known(d, s))?,
                buffers,
                control,
                flags: m.dwFlags,
            };
            if !overlapped.is_null() {
                let b = ovl::begin(d, s, overlapped, routine)?;
                let r = d.host.wsa_send_msg_overlapped(
                    d.sock(s),
                    wm,
                    flags,
                    Overlapped::new(b.id),
                    None,
                );
                return ovl::posted(d, s, b, Out::Send, r)?.answer(|n, _| {
                    // SAFETY: the caller promises a DWORD or NULL.
                    unsafe { mem::write(sent, n) }
                });
            }
            let mut n = 0u32;
            let want = !sent.is_null();
            d.host
                .wsa_send_msg(d.sock(s), &wm, flags, want.then_some(&mut n))?;
            // SAFETY: the caller promises a DWORD or NULL.
            unsafe { mem::write(sent, n)? };
            Ok(0)
        },
    )
}
