//! The extension functions `WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER)`
//! hands out for Microsoft's GUIDs (`mswsock.dll` asks for them there,
//! and so do programs that call `AcceptEx` or `ConnectEx` directly).
//!
//! `WSARecvMsg`, `WSASendMsg` and `WSAPoll` are the DLL's own, and so is
//! `AcceptEx` (over the model's `accept`: `accept.rs`), `ConnectEx` (over
//! its `connect`) and `TransmitFile` (over its `send`: `transmit.rs`).
//! `DisconnectEx` and `TransmitPackets` are not modelled yet: each checks
//! its socket (`WSANOTINITIALISED`, `WSAENOTSOCK`) and fails with
//! `WSAEOPNOTSUPP`, returning `FALSE`. Windows hands every one of them
//! out, and a program (Wine's conformance tests among them) calls the
//! pointer it got without looking at it: a `NULL` pointer would crash it.
//! `GetAcceptExSockaddrs` only parses a buffer and is given in full.

use crate::calls::Dll;
use crate::fault::Fault;
use crate::frame::run;
use crate::mem;
use windows_sys::core::GUID;
use windows_sys::Win32::Networking::WinSock::{
    SOCKADDR, SOCKET, TRANSMIT_PACKETS_ELEMENT, WSAID_ACCEPTEX, WSAID_CONNECTEX,
    WSAID_DISCONNECTEX, WSAID_GETACCEPTEXSOCKADDRS, WSAID_TRANSMITFILE, WSAID_TRANSMITPACKETS,
    WSAID_WSAPOLL, WSAID_WSARECVMSG, WSAID_WSASENDMSG,
};
use windows_sys::Win32::System::IO::OVERLAPPED;

/// The bytes of a GUID as it lies in memory.
fn guid_bytes(g: &GUID) -> [u8; 16] {
    let mut b = [0u8; 16];
    b[..4].copy_from_slice(&g.data1.to_le_bytes());
    b[4..6].copy_from_slice(&g.data2.to_le_bytes());
    b[6..8].copy_from_slice(&g.data3.to_le_bytes());
    b[8..].copy_from_slice(&g.data4);
    b
}

/// The DLL's function for an extension GUID (the 16 bytes of a
/// `SIO_GET_EXTENSION_FUNCTION_POINTER` input), if it has one.
pub(crate) fn function_for(guid: &[u8]) -> Option<usize> {
    let table: [(GUID, usize); 9] = [
        (
            WSAID_WSARECVMSG,
            super::data::WSARecvMsg as *const () as usize,
        ),
        (
            WSAID_WSASENDMSG,
            super::data::WSASendMsg as *const () as usize,
        ),
        (WSAID_WSAPOLL, super::poll::WSAPoll as *const () as usize),
        (WSAID_ACCEPTEX, AcceptEx as *const () as usize),
        (WSAID_CONNECTEX, ConnectEx as *const () as usize),
        (WSAID_DISCONNECTEX, DisconnectEx as *const () as usize),
        (
            WSAID_TRANSMITFILE,
            super::transmit::TransmitFile as *const () as usize,
        ),
        (WSAID_TRANSMITPACKETS, TransmitPackets as *const () as usize),
        (
            WSAID_GETACCEPTEXSOCKADDRS,
            GetAcceptExSockaddrs as *const () as usize,
        ),
    ];
    let g: [u8; 16] = guid.get(..16)?.try_into().ok()?;
    table
        .iter()
        .find(|(id, _)| guid_bytes(id) == g)
        .map(|(_, f)| *f)
}

/// `TransmitFile`'s signature.
#[cfg(test)]
pub(crate) type TransmitFileFn = unsafe extern "system" fn(
    SOCKET,
    windows_sys::Win32::Foundation::HANDLE,
    u32,
    u32,
    *mut OVERLAPPED,
    *const windows_sys::Win32::Networking::WinSock::TRANSMIT_FILE_BUFFERS,
    u32,
) -> i32;

/// The `TransmitFile` that `WSAID_TRANSMITFILE` gives, as a program gets
/// it (for the tests).
#[cfg(test)]
pub(crate) fn function_for_transmit() -> TransmitFileFn {
    let p = function_for(&guid_bytes(&WSAID_TRANSMITFILE)).expect("TransmitFile");
    // SAFETY: the table's entry for WSAID_TRANSMITFILE is TransmitFile.
    unsafe { std::mem::transmute::<usize, TransmitFileFn>(p) }
}

/// What the extension functions not modelled do: the socket's checks,
/// then `WSAEOPNOTSUPP`.
fn not_modelled(name: &'static str, d: &Dll, s: SOCKET) -> Result<i32, Fault> {
    d.known(s)?;
    Err(Fault::NotModelled(format!(
        "{name} (overlapped I/O is not modelled yet)"
    )))
}

/// What `AcceptEx` and `ConnectEx` do before any check but the `NULL`
/// one: `Internal` says `STATUS_PENDING`, whatever follows (Wine's
/// `test_AcceptEx` and `test_connect` on Windows, `sock.c:8444`, `8453`,
/// `8474`, `8224`: a call that then fails leaves it so).
fn pending_first(ovl: *mut OVERLAPPED) {
    if mem::writable(ovl.cast(), std::mem::size_of::<OVERLAPPED>()) {
        // SAFETY: probed writable just above.
        unsafe {
            std::ptr::addr_of_mut!((*ovl).Internal)
                .write_unaligned(winsock_model::contract::ntstatus::STATUS_PENDING as usize)
        };
    }
}

/// `AcceptEx`: run by the DLL over the model's `accept` (`accept.rs`):
/// always pending (`FALSE`, `ERROR_IO_PENDING`), completed at the end of
/// a later call once the listener has a connection (and, with a receive
/// buffer, its first data). Refused as Wine 8.0 refuses
/// (`dlls/ws2_32/socket.c:813-833`): a `NULL` `OVERLAPPED` is
/// `WSA_INVALID_PARAMETER`, a remote length of 0 `WSAEFAULT`; a `NULL`
/// buffer is `WSAEFAULT`, as on Windows (`sock.c:8470-8473`, where Wine
/// says `WSAEINVAL`); then a listener that is not listening and an
/// accepting socket already bound are `WSAEINVAL`, a buffer that cannot
/// be written `WSAEFAULT`.
///
/// # Safety
/// `buf` is valid for `recv_len + local_len + remote_len` bytes and `ovl`
/// for an `OVERLAPPED`, both until the operation completes.
#[allow(clippy::too_many_arguments)]
pub unsafe extern "system" fn AcceptEx(
    listen: SOCKET,
    accept: SOCKET,
    buf: *mut std::ffi::c_void,
    recv_len: u32,
    local_len: u32,
    remote_len: u32,
    _received: *mut u32,
    ovl: *mut OVERLAPPED,
) -> i32 {
    use winsock_model::contract::{SOL_SOCKET, SO_ACCEPTCONN, WSAEINVAL, WSA_IO_PENDING};
    use winsock_model::Winsock;
    run(
        "AcceptEx",
        |_| 0,
        || format!("{listen:#x}, {accept:#x}, {recv_len}, {local_len}, {remote_len}"),
        |d| {
            if ovl.is_null() {
                return Err(Fault::Dll(
                    windows_sys::Win32::Networking::WinSock::WSA_INVALID_PARAMETER,
                    "lpOverlapped is NULL".into(),
                ));
            }
            pending_first(ovl);
            d.known(listen)?;
            d.known(accept)?;
            if buf.is_null() {
                return Err(Fault::efault("lpOutputBuffer is NULL"));
            }
            if remote_len == 0 {
                return Err(Fault::efault("dwRemoteAddressLength is 0"));
            }
            if d.host
                .get_sock_opt_int(d.sock(listen), SOL_SOCKET, SO_ACCEPTCONN)
                .unwrap_or(0)
                == 0
            {
                return Err(Fault::Dll(
                    WSAEINVAL,
                    "the listener is not listening".into(),
                ));
            }
            if d.host.getsockname(d.sock(accept)).is_ok() {
                return Err(Fault::Dll(
                    WSAEINVAL,
                    "the accepting socket is bound".into(),
                ));
            }
            let total = recv_len as usize + local_len as usize + remote_len as usize;
            if !mem::writable(buf.cast(), total) {
                return Err(Fault::efault("lpOutputBuffer cannot be written"));
            }
            let b = crate::ovl::begin(d, listen, ovl, None)?;
            let a = crate::ops::Accept {
                listen,
                accept,
                buf: buf as usize,
                recv_len,
                local_len,
                remote_len,
                got: None,
            };
            crate::ovl::register_own(d, listen, b, Some(a));
            Err(winsock_model::WsaError::Code(WSA_IO_PENDING).into())
        },
    )
}

/// `ConnectEx`: the model's `connect` and `WSASend` of the data, made
/// in the call (`accept.rs`): `FALSE` with `ERROR_IO_PENDING`, the
/// completion (the bytes sent, or the connection's error) already
/// delivered to the `OVERLAPPED`, the event and the socket's port. As
/// Wine 8.0 refuses: a `NULL` `OVERLAPPED` is `WSA_INVALID_PARAMETER`; a
/// socket not bound or listening is `WSAEINVAL` (ConnectEx's page: "The
/// socket must be bound"; `sock.c:8221-8223` on Windows); an address
/// that cannot be read is `WSAEFAULT`; a socket still connecting is
/// `WSAEINVAL` with no completion (`sock.c:12316-12324` on Windows).
///
/// # Safety
/// `name` is valid for `namelen` bytes, `send` for `send_len`, `ovl` for
/// an `OVERLAPPED`.
pub unsafe extern "system" fn ConnectEx(
    s: SOCKET,
    name: *const SOCKADDR,
    namelen: i32,
    send: *const std::ffi::c_void,
    send_len: u32,
    _sent: *mut u32,
    ovl: *mut OVERLAPPED,
) -> i32 {
    use winsock_model::contract::{
        SOL_SOCKET, SO_ERROR, WSAEALREADY, WSAEFAULT, WSAEINVAL, WSAEISCONN, WSAEWOULDBLOCK,
        WSA_IO_PENDING,
    };
    use winsock_model::sim::{PollFd, POLLWRNORM};
    use winsock_model::{Winsock, WsaBuf};
    run(
        "ConnectEx",
        |_| 0,
        || format!("{s:#x}, namelen={namelen}, {send_len}"),
        |d| {
            if ovl.is_null() {
                return Err(Fault::Dll(
                    windows_sys::Win32::Networking::WinSock::WSA_INVALID_PARAMETER,
                    "lpOverlapped is NULL".into(),
                ));
            }
            pending_first(ovl);
            d.known(s)?;
            // SAFETY: passed on.
            let to = unsafe { mem::name_in(name, namelen)? };
            let Ok(addr) = to.decode() else {
                return Err(Fault::Dll(WSAEFAULT, "the address cannot be read".into()));
            };
            let sock = d.sock(s);
            if d.host.getsockname(sock).is_err() {
                return Err(Fault::Dll(WSAEINVAL, "the socket is not bound".into()));
            }
            if d.host
                .get_sock_opt_int(sock, SOL_SOCKET, winsock_model::contract::SO_ACCEPTCONN)
                .unwrap_or(0)
                != 0
            {
                return Err(Fault::Dll(WSAEINVAL, "the socket is listening".into()));
            }
            // SAFETY: passed on.
            let data = unsafe { mem::bytes_at(send.cast(), send_len as usize)? };
            if !mem::writable(ovl.cast(), std::mem::size_of::<OVERLAPPED>()) {
                return Err(Fault::efault("lpOverlapped cannot be written"));
            }
            let r = d.host.connect(sock, &addr);
            // A socket still connecting (connect, or an earlier ConnectEx)
            // is WSAEINVAL, with no completion: Internal keeps
            // STATUS_PENDING, InternalHigh what it had (Wine's sock.c
            // 12316-12322 and 12370-12376, run on Windows).
            if matches!(&r, Err(e) if e.is(WSAEALREADY)) {
                return Err(Fault::Dll(
                    WSAEINVAL,
                    "the socket is still connecting".into(),
                ));
            }
            // A connected socket is WSAEISCONN, the same way (sock.c
            // 8304-8320 of Wine 8.0, run on Windows).
            if let Err(e) = &r {
                if e.is(WSAEISCONN) {
                    return Err(e.clone().into());
                }
            }
            let b = crate::ovl::begin(d, s, ovl, None)?;
            let id = b.id;
            crate::ovl::register_own(d, s, b, None);
            let r = match r {
                Err(e) if e.is(WSAEWOULDBLOCK) => {
                    let mut fds = [PollFd::new(sock, POLLWRNORM)];
                    d.host
                        .poll(&mut fds, -1)
                        .and_then(|_| d.host.get_sock_opt_int(sock, SOL_SOCKET, SO_ERROR))
                        .and_then(|e| match e {
                            0 => Ok(()),
                            e => Err(winsock_model::WsaError::Code(e)),
                        })
                }
                r => r,
            };
            let (error, bytes) = match r {
                Ok(()) if data.is_empty() => (0, 0),
                Ok(()) => {
                    let mut n = 0u32;
                    match d
                        .host
                        .wsa_send(sock, &[WsaBuf::from(data)], Some(&mut n), 0)
                    {
                        Ok(()) => (0, n),
                        Err(e) => (e.code().unwrap_or(WSAEINVAL), 0),
                    }
                }
                Err(e) => (e.code().unwrap_or(WSAEINVAL), 0),
            };
            crate::accept::complete(d, id, error, bytes);
            Err(winsock_model::WsaError::Code(WSA_IO_PENDING).into())
        },
    )
}

/// `DisconnectEx`: not modelled yet (`FALSE`, `WSAEOPNOTSUPP`).
///
/// # Safety
/// Reads no pointer.
pub unsafe extern "system" fn DisconnectEx(
    s: SOCKET,
    _ovl: *mut OVERLAPPED,
    flags: u32,
    _reserved: u32,
) -> i32 {
    run(
        "DisconnectEx",
        |_| 0,
        || format!("{s:#x}, {flags:#x}"),
        |d| not_modelled("DisconnectEx", d, s),
    )
}

/// `TransmitPackets`: not modelled yet (`FALSE`, `WSAEOPNOTSUPP`).
///
/// # Safety
/// Reads no pointer.
pub unsafe extern "system" fn TransmitPackets(
    s: SOCKET,
    _packets: *const TRANSMIT_PACKETS_ELEMENT,
    count: u32,
    _send_size: u32,
    _ovl: *mut OVERLAPPED,
    flags: u32,
) -> i32 {
    run(
        "TransmitPackets",
        |_| 0,
        || format!("{s:#x}, {count}, {flags:#x}"),
        |d| not_modelled("TransmitPackets", d, s),
    )
}

/// `GetAcceptExSockaddrs`: the local and remote addresses `AcceptEx` put
/// after the received data in its buffer. Layout (model choice, as the
/// DLL's `AcceptEx` is to write it; the documentation only asks 16 bytes
/// more than an address for each): the local block (`local_len` bytes)
/// then the remote block (`remote_len` bytes), each a 4-byte length and
/// the address. An address whose block length is 0 leaves its outputs
/// unwritten (Wine's `test_AcceptEx`, `sock.c:8498-8505` on Windows: the
/// local address and size keep their values); a length in a block is
/// bounded by the block. A buffer that cannot be read, or outputs that
/// cannot be written, are left alone (the function returns nothing).
///
/// # Safety
/// The buffer is valid for `recv_len + local_len + remote_len` bytes; the
/// outputs are `NULL` or valid.
#[allow(clippy::too_many_arguments)]
pub unsafe extern "system" fn GetAcceptExSockaddrs(
    buf: *const std::ffi::c_void,
    recv_len: u32,
    local_len: u32,
    remote_len: u32,
    local: *mut *mut SOCKADDR,
    local_size: *mut i32,
    remote: *mut *mut SOCKADDR,
    remote_size: *mut i32,
) {
    let base = buf as usize;
    let block = |at: usize, len: u32, addr: *mut *mut SOCKADDR, size: *mut i32| {
        if len < 4 {
            return;
        }
        // SAFETY: the caller promises the block; checked readable.
        let Ok(Some(n)) = (unsafe { mem::read((at as *const u8).cast::<u32>()) }) else {
            return;
        };
        let n = n.min(len - 4) as i32;
        // SAFETY: the outputs are the caller's; checked writable.
        unsafe {
            if mem::write(addr, (at + 4) as *mut SOCKADDR).is_ok() {
                let _ = mem::write(size, n);
            }
        }
    };
    if buf.is_null() {
        return;
    }
    let local_at = base.wrapping_add(recv_len as usize);
    block(local_at, local_len, local, local_size);
    block(
        local_at.wrapping_add(local_len as usize),
        remote_len,
        remote,
        remote_size,
    );
}
