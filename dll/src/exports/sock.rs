//! Creating, naming, connecting and closing sockets; options and ioctls.

use crate::calls::Dll;
use crate::fault::Fault;
use crate::frame::run;
use crate::mem;
use windows_sys::Win32::Networking::WinSock::{
    LPCONDITIONPROC, QOS, SOCKADDR, SOCKET, WSABUF, WSAPROTOCOL_INFOA, WSAPROTOCOL_INFOW,
};
use winsock_model::contract::{
    AF_INET6, SOL_SOCKET, WSAEAFNOSUPPORT, WSAENOBUFS, WSA_FLAG_OVERLAPPED,
};
use winsock_model::{Socket, Winsock, WsaError};

pub use super::ioctl::WSAIoctl;

/// `INVALID_SOCKET`.
const INVALID_SOCKET: SOCKET = !0;
/// `FROM_PROTOCOL_INFO`: take the value from the protocol information.
const FROM_PROTOCOL_INFO: i32 = -1;
/// The most bytes of an option value or ioctl buffer read or offered
/// (model choice: no option or ioctl of the model is longer; a longer
/// length is used as this one).
const MAX_VALUE: usize = 4096;

/// Gives a socket the model made its `SOCKET`.
fn adopt(d: &Dll, s: Socket, af: i32) -> Result<SOCKET, Fault> {
    let user = d.state.lock().handles.insert(s, af);
    match user {
        Some(u) => {
            // (A closed socket's handle value may come back.)
            d.ovls.lock().forget_socket(u);
            Ok(u)
        }
        None => {
            let _ = d.host.close_socket(s);
            Err(Fault::Dll(WSAENOBUFS, "no kernel handle left".into()))
        }
    }
}

/// `WSASocket` given the structure `WSADuplicateSocket` filled (its
/// `dwProviderReserved`, `token`, is one of the DLL's, not yet used): a
/// new descriptor for the socket it shares ("an additional socket
/// descriptor to an underlying socket which thus becomes shared", the
/// "Shared Sockets" page of the Winsock documentation); the other
/// arguments are the shared socket's. `None` for any other structure.
fn shared(d: &Dll, token: Option<u32>) -> Result<Option<SOCKET>, Fault> {
    let Some(token) = token.filter(|&t| t != 0) else {
        return Ok(None);
    };
    d.started()?;
    let taken = d.state.lock().handles.take_token(token);
    match taken {
        None => Ok(None),
        Some(Err(())) => Err(Fault::Dll(WSAENOBUFS, "no kernel handle left".into())),
        Some(Ok((u, m))) => {
            // The new descriptor has the socket's completion port and
            // notification modes, if another descriptor was given them.
            let others = d.state.lock().handles.descriptors(u);
            let mut o = d.ovls.lock();
            o.forget_socket(u);
            o.share_file(&others);
            drop(o);
            d.note(format!(
                "WSASocket: token {token:#x}: descriptor {u:#x} shares socket {:#x}",
                m.model.0
            ));
            Ok(Some(u))
        }
    }
}

fn create(d: &Dll, af: i32, ty: i32, protocol: i32, flags: u32) -> Result<SOCKET, Fault> {
    let s = d.host.wsa_socket(af, ty, protocol, flags)?;
    adopt(d, s, af)
}

use winsock_model::contract::optsize::{negative_length_reads_int, opt_size};
use winsock_model::contract::{SO_OPENTYPE, SO_PROTOCOL_INFOW};
use winsock_model::Quirk;

thread_local! {
    /// The thread's `SO_OPENTYPE` (0: `socket` makes overlapped sockets).
    static OPEN_TYPE: std::cell::Cell<i32> = const { std::cell::Cell::new(0) };
}

/// `SO_OPENTYPE` is an option of the calling thread, not of a socket: it
/// "affects whether subsequent sockets that are created will be
/// non-overlapped" (the `SOL_SOCKET` options page), and Windows takes it on
/// any handle, a file's too (Wine's `test_sockopt_validity`,
/// `sock.c:12982-13005`, on Windows). With `get`, the value goes into
/// (`value`, `*len`); otherwise it is read from (`value`, `set_len`). Only
/// the start-up is checked.
///
/// # Safety
/// As [`getsockopt`] / [`setsockopt`].
unsafe fn open_type(
    d: &Dll,
    get: bool,
    value: *mut u8,
    len: *mut i32,
    set_len: i32,
) -> Result<i32, Fault> {
    d.started()?;
    if get {
        // SAFETY: passed on.
        let room = unsafe { mem::read(len.cast_const())? }.unwrap_or(0);
        // Windows takes *optlen as unsigned: -1 is room enough
        // (sock.c:1503-1517).
        if value.is_null() || (room as u32) < 4 {
            return Err(Fault::efault("optval is NULL or optlen under 4"));
        }
        let v = OPEN_TYPE.with(std::cell::Cell::get);
        // SAFETY: passed on; 4 bytes of room.
        unsafe {
            mem::write_bytes(value, &v.to_le_bytes())?;
            mem::write(len, 4)?;
        }
    } else {
        // As unsigned, as getsockopt's (sock.c:1486-1501).
        if (set_len as u32) < 4 || value.is_null() {
            return Err(Fault::efault("optval is NULL or optlen under 4"));
        }
        // SAFETY: passed on.
        let b = unsafe { mem::bytes_at(value, 4)? };
        let v = i32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        OPEN_TYPE.with(|c| c.set(v));
    }
    Ok(0)
}

/// `SO_PROTOCOL_INFOA`: the socket's `WSAPROTOCOL_INFOA`.
const SO_PROTOCOL_INFOA: i32 = 0x2004;

/// `SO_PROTOCOL_INFOA` (`SOL_SOCKET`): the model's `WSAPROTOCOL_INFOW` in
/// its ANSI form (the same fields up to `szProtocol`, the name in 8-bit
/// characters). A room under the structure is `WSAEFAULT` with `*optlen`
/// set to the structure's size; a larger one keeps its `*optlen`
/// (Wine's `test_set_getsockopt`, sock.c:1677-1695, run on Windows).
///
/// # Safety
/// As [`getsockopt`].
unsafe fn protocol_info_a(d: &Dll, s: SOCKET, value: *mut u8, len: *mut i32) -> Result<i32, Fault> {
    let size = std::mem::size_of::<WSAPROTOCOL_INFOA>();
    // SAFETY: passed on.
    let room = unsafe { mem::read(len.cast_const()) }.map_err(|f| d.known(s).err().unwrap_or(f))?;
    d.known(s)?;
    let Some(room) = room else {
        return Err(Fault::efault("optlen is NULL"));
    };
    if value.is_null() || room < 0 || (room as usize) < size {
        // SAFETY: passed on (NULL is not written).
        unsafe { mem::write(len, size as i32)? };
        return Err(Fault::efault(
            "optval is NULL or shorter than WSAPROTOCOL_INFOA",
        ));
    }
    let mut w = vec![0u8; std::mem::size_of::<WSAPROTOCOL_INFOW>()];
    d.host
        .get_sock_opt(d.sock(s), SOL_SOCKET, SO_PROTOCOL_INFOW, &mut w)?;
    // SAFETY: `room` bytes at `value` are the caller's, at least `size`.
    unsafe { mem::write_bytes(value, &info_a(&w))? };
    Ok(0)
}

/// A `WSAPROTOCOL_INFOW`'s ANSI form: the same fields up to `szProtocol`,
/// the name in 8-bit characters (`?` for one outside ASCII).
pub(crate) fn info_a(w: &[u8]) -> Vec<u8> {
    let size = std::mem::size_of::<WSAPROTOCOL_INFOA>();
    // szProtocol follows the same 116 bytes in both forms.
    const NAME: usize = 116;
    let mut a = vec![0u8; size];
    a[..NAME].copy_from_slice(&w[..NAME]);
    let name = w[NAME..]
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .take_while(|&c| c != 0);
    for (i, c) in name.take(size - NAME - 1).enumerate() {
        a[NAME + i] = u8::try_from(c).ok().filter(u8::is_ascii).unwrap_or(b'?');
    }
    a
}

/// The most protocol numbers read from a `WSAEnumProtocols` filter (model
/// choice: a longer list is taken for garbage, `WSAEFAULT`).
const MAX_FILTER: usize = 1024;

/// `WSAEnumProtocolsW` and `WSAEnumProtocolsA`: the model's protocols
/// (`SimHost::protocols`; with `wide` false in their ANSI form), those
/// whose `iProtocol` is in the `0`-terminated list `protocols` when it is
/// not `NULL`. A buffer that is `NULL` or smaller than all of them is
/// `WSAENOBUFS` with `*len` the size needed (Wine's
/// `dlls/ws2_32/tests/protocol.c`, `test_WSAEnumProtocolsW`, run on
/// Windows, with a `NULL` buffer and with one of length 0); a filter of
/// numbers no protocol has among TCP and UDP gives only those two (the
/// same test's list `{0xdead, IPPROTO_TCP, 0xcafe, IPPROTO_UDP, 0xbeef, 0}`);
/// a `NULL` `len` is `WSAEFAULT` (the page's "not a valid part of the user
/// address space").
///
/// # Safety
/// As the exports.
unsafe fn enum_protocols(
    d: &Dll,
    wide: bool,
    protocols: *const i32,
    buf: *mut u8,
    len: *mut u32,
) -> Result<i32, Fault> {
    d.started()?;
    let filter = if protocols.is_null() {
        None
    } else {
        // SAFETY: a NUL-terminated array, probed a page at a time.
        let v = unsafe { mem::c_units(protocols)? };
        if v.len() > MAX_FILTER {
            return Err(Fault::efault("lpiProtocols has no end"));
        }
        Some(v)
    };
    // SAFETY: probed before it is read.
    let Some(room) = (unsafe { mem::read(len.cast_const())? }) else {
        return Err(Fault::efault("lpdwBufferLength is NULL"));
    };
    let proto = |i: &[u8]| i32::from_le_bytes([i[92], i[93], i[94], i[95]]);
    let infos: Vec<Vec<u8>> = d
        .host
        .protocols()
        .into_iter()
        .filter(|i| filter.as_ref().is_none_or(|f| f.contains(&proto(i))))
        .map(|w| if wide { w } else { info_a(&w) })
        .collect();
    let bytes: Vec<u8> = infos.concat();
    let need = u32::try_from(bytes.len()).expect("a few entries");
    if buf.is_null() || room < need {
        // SAFETY: probed above.
        unsafe { mem::write(len, need)? };
        return Err(WsaError::Code(WSAENOBUFS).into());
    }
    // SAFETY: `room` bytes at `buf` are the caller's, at least `need`.
    unsafe { mem::write_bytes(buf, &bytes)? };
    d.note(format!(
        "WSAEnumProtocols{}: {} protocols",
        if wide { "W" } else { "A" },
        infos.len()
    ));
    Ok(infos.len() as i32)
}

/// `WSAEnumProtocolsW`: the model's protocols (TCP and UDP over IPv4 and
/// IPv6), see `enum_protocols`.
///
/// # Safety
/// `protocols` is `NULL` or a `0`-terminated array; `buf` is `NULL` or
/// valid for writes of `*len` bytes; `len` is valid.
#[export_name = "wsd_WSAEnumProtocolsW"]
pub unsafe extern "system" fn WSAEnumProtocolsW(
    protocols: *const i32,
    buf: *mut WSAPROTOCOL_INFOW,
    len: *mut u32,
) -> i32 {
    run(
        "WSAEnumProtocolsW",
        |_| -1,
        || format!("{protocols:p}, {buf:p}"),
        // SAFETY: passed on.
        |d| unsafe { enum_protocols(d, true, protocols, buf.cast(), len) },
    )
}

/// `WSAEnumProtocolsA`: as [`WSAEnumProtocolsW`], each entry a
/// `WSAPROTOCOL_INFOA`.
///
/// # Safety
/// As [`WSAEnumProtocolsW`].
#[export_name = "wsd_WSAEnumProtocolsA"]
pub unsafe extern "system" fn WSAEnumProtocolsA(
    protocols: *const i32,
    buf: *mut WSAPROTOCOL_INFOA,
    len: *mut u32,
) -> i32 {
    run(
        "WSAEnumProtocolsA",
        |_| -1,
        || format!("{protocols:p}, {buf:p}"),
        // SAFETY: passed on.
        |d| unsafe { enum_protocols(d, false, protocols, buf.cast(), len) },
    )
}

/// `socket`: `WSASocket` with `WSA_FLAG_OVERLAPPED`, as on Windows, unless
/// the thread's `SO_OPENTYPE` asks for synchronous sockets.
#[export_name = "wsd_socket"]
pub extern "system" fn socket(af: i32, ty: i32, protocol: i32) -> SOCKET {
    run(
        "socket",
        |_| INVALID_SOCKET,
        || format!("{af}, {ty}, {protocol}"),
        |d| {
            let flags = if OPEN_TYPE.with(std::cell::Cell::get) == 0 {
                WSA_FLAG_OVERLAPPED
            } else {
                0
            };
            create(d, af, ty, protocol, flags)
        },
    )
}

/// The family, type and protocol of a `WSASocket` call: with protocol
/// information, an argument that is `FROM_PROTOCOL_INFO` or 0 is taken
/// from it (the same offsets in its A and W forms), and a family that is
/// then not one (0, negative) is `WSAEAFNOSUPPORT` before anything else is
/// looked at (Wine's `test_WSASocket`, sock.c:3099-3168 of Wine 8.0, run
/// on Windows: `(0, 0, IPPROTO_UDP)` with a structure of -1s or of 0s
/// fails so; `(0, 0, 0)` with UDP's structure makes a UDP socket;
/// `(AF_INET, SOCK_STREAM, IPPROTO_TCP)` with it a TCP socket).
fn from_info(
    af: i32,
    ty: i32,
    protocol: i32,
    info: Option<(i32, i32, i32)>,
) -> Result<(i32, i32, i32), Fault> {
    let Some((i_af, i_ty, i_protocol)) = info else {
        return Ok((af, ty, protocol));
    };
    let pick = |v: i32, i: i32| {
        if v == FROM_PROTOCOL_INFO || v == 0 {
            i
        } else {
            v
        }
    };
    let (af, ty, protocol) = (pick(af, i_af), pick(ty, i_ty), pick(protocol, i_protocol));
    if af <= 0 {
        return Err(Fault::Dll(
            WSAEAFNOSUPPORT,
            format!("the protocol information gives no family ({af})"),
        ));
    }
    Ok((af, ty, protocol))
}

/// `WSASocketW`. The protocol information, when given, supplies the
/// arguments that are `FROM_PROTOCOL_INFO` or 0 (`from_info`); `g` (socket groups, reserved)
/// is ignored; `flags` go to the model.
///
/// # Safety
/// `info` is `NULL` or valid for reads of a `WSAPROTOCOL_INFOW`.
#[export_name = "wsd_WSASocketW"]
pub unsafe extern "system" fn WSASocketW(
    af: i32,
    ty: i32,
    protocol: i32,
    info: *const WSAPROTOCOL_INFOW,
    _g: u32,
    flags: u32,
) -> SOCKET {
    run(
        "WSASocketW",
        |_| INVALID_SOCKET,
        || format!("{af}, {ty}, {protocol}, {flags:#x}, info={info:p}"),
        |d| {
            // SAFETY: passed on.
            let info = unsafe { mem::read(info)? };
            if let Some(u) = shared(d, info.as_ref().map(|i| i.dwProviderReserved))? {
                return Ok(u);
            }
            let info = info.map(|i| (i.iAddressFamily, i.iSocketType, i.iProtocol));
            let (af, ty, protocol) = from_info(af, ty, protocol, info)?;
            create(d, af, ty, protocol, flags)
        },
    )
}

/// `WSASocketA`: as [`WSASocketW`].
///
/// # Safety
/// `info` is `NULL` or valid for reads of a `WSAPROTOCOL_INFOA`.
#[export_name = "wsd_WSASocketA"]
pub unsafe extern "system" fn WSASocketA(
    af: i32,
    ty: i32,
    protocol: i32,
    info: *const WSAPROTOCOL_INFOA,
    _g: u32,
    flags: u32,
) -> SOCKET {
    run(
        "WSASocketA",
        |_| INVALID_SOCKET,
        || format!("{af}, {ty}, {protocol}, {flags:#x}, info={info:p}"),
        |d| {
            // SAFETY: passed on.
            let info = unsafe { mem::read(info)? };
            if let Some(u) = shared(d, info.as_ref().map(|i| i.dwProviderReserved))? {
                return Ok(u);
            }
            let info = info.map(|i| (i.iAddressFamily, i.iSocketType, i.iProtocol));
            let (af, ty, protocol) = from_info(af, ty, protocol, info)?;
            create(d, af, ty, protocol, flags)
        },
    )
}

/// The address of a `bind` or `connect`: a `NULL` or undecodable name is
/// refused by the DLL (`WSAEFAULT` for `NULL` or too short,
/// `WSAEAFNOSUPPORT` for another family) after its own start-up and
/// socket checks, since the model takes a decoded address. For a
/// `connect`, an `AF_UNSPEC` address is the unspecified one (below).
///
/// # Safety
/// As [`mem::name_in`].
unsafe fn target(
    d: &Dll,
    s: SOCKET,
    name: *const SOCKADDR,
    namelen: i32,
    connect: bool,
) -> Result<std::net::SocketAddr, Fault> {
    // SAFETY: passed on.
    let nb = unsafe { mem::name_in(name, namelen) }.map_err(|f| d.known(s).err().unwrap_or(f))?;
    if nb.mem.is_none() {
        d.known(s)?;
        return Err(Fault::efault("name is NULL"));
    }
    // An AF_UNSPEC address dissolves a connectionless socket's association
    // on Windows (Wine's test_connect_udp, sock.c:13648-13655): it goes to
    // the model as the socket's family's unspecified address, which the
    // connect page gives that meaning ("If the address member of the
    // structure specified by the name parameter is filled with zeros, the
    // socket will be disconnected").
    let unspec = nb
        .mem
        .as_deref()
        .is_some_and(|m| m.len() >= 2 && m[..2] == [0, 0]);
    if connect && unspec {
        let meta = d.known(s)?;
        let ip: std::net::IpAddr = if meta.af == AF_INET6 {
            std::net::Ipv6Addr::UNSPECIFIED.into()
        } else {
            std::net::Ipv4Addr::UNSPECIFIED.into()
        };
        return Ok(std::net::SocketAddr::new(ip, 0));
    }
    nb.decode().map_err(|e| match d.known(s) {
        Err(f) => f,
        Ok(_) => Fault::Dll(e.wsa_code(), e.to_string()),
    })
}

/// `bind`.
///
/// # Safety
/// `name` is `NULL` or valid for reads of `namelen` bytes.
#[export_name = "wsd_bind"]
pub unsafe extern "system" fn bind(s: SOCKET, name: *const SOCKADDR, namelen: i32) -> i32 {
    run(
        "bind",
        |_| -1,
        || format!("{s:#x}, namelen={namelen}"),
        |d| {
            // SAFETY: passed on.
            let a = unsafe { target(d, s, name, namelen, false)? };
            d.host.bind(d.sock(s), &a)?;
            Ok(0)
        },
    )
}

/// `connect`.
///
/// # Safety
/// `name` is `NULL` or valid for reads of `namelen` bytes.
#[export_name = "wsd_connect"]
pub unsafe extern "system" fn connect(s: SOCKET, name: *const SOCKADDR, namelen: i32) -> i32 {
    run(
        "connect",
        |_| -1,
        || format!("{s:#x}, namelen={namelen}"),
        |d| {
            // SAFETY: passed on.
            let a = unsafe { target(d, s, name, namelen, true)? };
            d.host.connect(d.sock(s), &a)?;
            Ok(0)
        },
    )
}

/// `WSAConnect`: `connect`; caller or callee data and quality of service
/// are not modelled (`WSAEOPNOTSUPP` when any is given).
///
/// # Safety
/// As [`connect`].
#[export_name = "wsd_WSAConnect"]
pub unsafe extern "system" fn WSAConnect(
    s: SOCKET,
    name: *const SOCKADDR,
    namelen: i32,
    caller: *const WSABUF,
    callee: *mut WSABUF,
    sqos: *const QOS,
    gqos: *const QOS,
) -> i32 {
    run(
        "WSAConnect",
        |_| -1,
        || format!("{s:#x}, namelen={namelen}"),
        |d| {
            if !caller.is_null() || !callee.is_null() || !sqos.is_null() || !gqos.is_null() {
                return Err(Fault::NotModelled(
                    "caller/callee data or quality of service".into(),
                ));
            }
            // SAFETY: passed on.
            let a = unsafe { target(d, s, name, namelen, true)? };
            d.host.connect(d.sock(s), &a)?;
            Ok(0)
        },
    )
}

/// `listen`.
#[export_name = "wsd_listen"]
pub extern "system" fn listen(s: SOCKET, backlog: i32) -> i32 {
    run(
        "listen",
        |_| -1,
        || format!("{s:#x}, {backlog}"),
        |d| {
            d.host.listen(d.sock(s), backlog)?;
            Ok(0)
        },
    )
}

/// The accept of `accept` and `WSAAccept`: the room for the peer's
/// address is checked before the connection is taken (`WSAEFAULT` for a
/// room without its length or shorter than the family's address).
///
/// # Safety
/// `addr` and `addrlen` are `NULL` or valid (`*addrlen` bytes at `addr`).
unsafe fn accept_into(
    d: &Dll,
    s: SOCKET,
    addr: *mut SOCKADDR,
    addrlen: *mut i32,
) -> Result<SOCKET, Fault> {
    let af = d.state.lock().handles.get(s).map_or(0, |m| m.af);
    if !addr.is_null() {
        d.known(s)?;
        // SAFETY: the caller promises an int or NULL.
        let room =
            unsafe { mem::read(addrlen)? }.ok_or_else(|| Fault::efault("addr without addrlen"))?;
        let need = if af == AF_INET6 { 28 } else { 16 };
        if room < need {
            return Err(Fault::efault(format!("addrlen {room} is less than {need}")));
        }
        if !mem::writable(addr.cast(), need as usize) || !mem::writable(addrlen.cast(), 4) {
            return Err(Fault::efault("addr or addrlen cannot be written"));
        }
    }
    let (ns, peer) = d.host.accept(d.sock(s))?;
    let u = adopt(d, ns, af)?;
    if !addr.is_null() {
        // SAFETY: checked above: `*addrlen` bytes at `addr`, enough.
        unsafe { mem::addr_out(addr, addrlen, &peer)? };
    }
    Ok(u)
}

/// `accept`.
///
/// # Safety
/// `addr` and `addrlen` are `NULL` or valid (`*addrlen` bytes at `addr`).
#[export_name = "wsd_accept"]
pub unsafe extern "system" fn accept(s: SOCKET, addr: *mut SOCKADDR, addrlen: *mut i32) -> SOCKET {
    run(
        "accept",
        |_| INVALID_SOCKET,
        || format!("{s:#x}"),
        // SAFETY: passed on.
        |d| unsafe { accept_into(d, s, addr, addrlen) },
    )
}

/// `WSAAccept` without a condition function (`accept`); a condition
/// function is not modelled.
///
/// # Safety
/// As [`accept`].
#[export_name = "wsd_WSAAccept"]
pub unsafe extern "system" fn WSAAccept(
    s: SOCKET,
    addr: *mut SOCKADDR,
    addrlen: *mut i32,
    condition: LPCONDITIONPROC,
    _data: usize,
) -> SOCKET {
    run(
        "WSAAccept",
        |_| INVALID_SOCKET,
        || format!("{s:#x}"),
        |d| {
            if condition.is_some() {
                return Err(Fault::NotModelled("a condition function".into()));
            }
            // SAFETY: passed on.
            unsafe { accept_into(d, s, addr, addrlen) }
        },
    )
}

/// `getsockname` and `getpeername`.
///
/// # Safety
/// `name` and `namelen` are `NULL` or valid.
unsafe fn name_of(
    d: &Dll,
    s: SOCKET,
    name: *mut SOCKADDR,
    namelen: *mut i32,
    peer: bool,
) -> Result<i32, Fault> {
    if name.is_null() || namelen.is_null() {
        d.known(s)?;
        return Err(Fault::efault("name or namelen is NULL"));
    }
    let a = if peer {
        d.host.getpeername(d.sock(s))?
    } else {
        d.host.getsockname(d.sock(s))?
    };
    // SAFETY: passed on.
    unsafe { mem::addr_out(name, namelen, &a)? };
    Ok(0)
}

/// `getsockname`.
///
/// # Safety
/// `name` and `namelen` are `NULL` or valid (`*namelen` bytes at `name`).
#[export_name = "wsd_getsockname"]
pub unsafe extern "system" fn getsockname(
    s: SOCKET,
    name: *mut SOCKADDR,
    namelen: *mut i32,
) -> i32 {
    run(
        "getsockname",
        |_| -1,
        || format!("{s:#x}"),
        // SAFETY: passed on.
        |d| unsafe { name_of(d, s, name, namelen, false) },
    )
}

/// `getpeername`.
///
/// # Safety
/// As [`getsockname`].
#[export_name = "wsd_getpeername"]
pub unsafe extern "system" fn getpeername(
    s: SOCKET,
    name: *mut SOCKADDR,
    namelen: *mut i32,
) -> i32 {
    run(
        "getpeername",
        |_| -1,
        || format!("{s:#x}"),
        // SAFETY: passed on.
        |d| unsafe { name_of(d, s, name, namelen, true) },
    )
}

/// `shutdown`.
#[export_name = "wsd_shutdown"]
pub extern "system" fn shutdown(s: SOCKET, how: i32) -> i32 {
    run(
        "shutdown",
        |_| -1,
        || format!("{s:#x}, {how}"),
        |d| {
            d.host.shutdown(d.sock(s), how)?;
            Ok(0)
        },
    )
}

/// `closesocket`: the model closes the socket; its handle is freed. Of a
/// shared socket (`WSADuplicateSocket`), only the descriptor goes while
/// another one is left.
#[export_name = "wsd_closesocket"]
pub extern "system" fn closesocket(s: SOCKET) -> i32 {
    run(
        "closesocket",
        |_| -1,
        || format!("{s:#x}"),
        |d| {
            // A shared socket stays open until its last descriptor is
            // closed ("Shared Sockets": "A socket will remain open until
            // closesocket has been called on the last remaining
            // descriptor"); this one goes. What was issued through it goes
            // on under another descriptor (on Windows an AcceptEx through
            // the closed one still pends, and ends at the last close:
            // sock.c:10476-10533 of Wine 8.0).
            let all = d.state.lock().handles.descriptors(s);
            if let Some(&to) = all.get(1) {
                d.note(format!(
                    "closesocket({s:#x}): descriptor {to:#x} shares socket {:#x}, which stays open",
                    d.sock(s).0
                ));
                d.ovls.lock().retarget(s, to);
                d.state.lock().handles.remove(s);
                return Ok(0);
            }
            // A pending AcceptEx on it ends (its connection, if it took
            // one, is closed).
            crate::accept::abort(d, Some(s));
            d.host.close_socket(d.sock(s))?;
            d.state.lock().handles.remove(s);
            Ok(0)
        },
    )
}

/// `setsockopt`: the value's bytes go to the model (a `NULL` value as no
/// bytes, which the model refuses as too short).
///
/// # Safety
/// `value` is `NULL` or valid for reads of `len` bytes.
#[export_name = "wsd_setsockopt"]
pub unsafe extern "system" fn setsockopt(
    s: SOCKET,
    level: i32,
    name: i32,
    value: *const u8,
    len: i32,
) -> i32 {
    run(
        "setsockopt",
        |_| -1,
        || format!("{s:#x}, {level:#x}, {name:#x}, len={len}"),
        |d| {
            if (level, name) == (SOL_SOCKET, SO_OPENTYPE) {
                // SAFETY: passed on.
                return unsafe { open_type(d, false, value.cast_mut(), std::ptr::null_mut(), len) };
            }
            // SO_UPDATE_ACCEPT_CONTEXT, SO_UPDATE_CONNECT_CONTEXT: what
            // AcceptEx and ConnectEx leave for the program to do; the
            // model's socket is already complete.
            if level == SOL_SOCKET && (name == 0x700b || name == 0x7010) {
                d.known(s)?;
                d.note(format!("setsockopt({s:#x}, {name:#x}): nothing to update"));
                return Ok(0);
            }
            let mut n = usize::try_from(len).unwrap_or(0).min(MAX_VALUE);
            // WIN-SOCKOPT-SIZES: the pointer-level rules of the options of
            // the size table (contract/optsize.rs).
            if let Some(size) =
                opt_size(level, name).filter(|_| d.settings.profile.has(Quirk::SockoptSizes))
            {
                if value.is_null() {
                    d.known(s)?;
                    return Err(Fault::efault("optval is NULL"));
                }
                if len < 0 {
                    d.known(s)?;
                    if !negative_length_reads_int(level, size) {
                        return Err(Fault::Dll(WSAENOBUFS, "optlen is negative".into()));
                    }
                    n = 4;
                }
            }
            // SAFETY: passed on; `n` is at most `len` (or the 4 bytes of an
            // int a negative length stands for).
            let v =
                unsafe { mem::bytes_at(value, n) }.map_err(|f| d.known(s).err().unwrap_or(f))?;
            d.host.set_sock_opt(d.sock(s), level, name, &v)?;
            Ok(0)
        },
    )
}

/// `getsockopt`: the room is `*len` bytes (none for a `NULL` value); the
/// value and its length are written back. A `NULL` length is `WSAEFAULT`.
///
/// # Safety
/// `value` and `len` are `NULL` or valid (`*len` bytes at `value`).
#[export_name = "wsd_getsockopt"]
pub unsafe extern "system" fn getsockopt(
    s: SOCKET,
    level: i32,
    name: i32,
    value: *mut u8,
    len: *mut i32,
) -> i32 {
    run(
        "getsockopt",
        |_| -1,
        || format!("{s:#x}, {level:#x}, {name:#x}"),
        |d| {
            if (level, name) == (SOL_SOCKET, SO_OPENTYPE) {
                // SAFETY: passed on.
                return unsafe { open_type(d, true, value, len, 0) };
            }
            if (level, name) == (SOL_SOCKET, SO_PROTOCOL_INFOA) {
                // SAFETY: passed on.
                return unsafe { protocol_info_a(d, s, value, len) };
            }
            // SAFETY: passed on.
            let Some(room) =
                unsafe { mem::read(len) }.map_err(|f| d.known(s).err().unwrap_or(f))?
            else {
                d.known(s)?;
                return Err(Fault::efault("optlen is NULL"));
            };
            if room < 0 {
                // A negative length is too small for any value, and
                // nothing is written (sock.c:1503-1517).
                d.known(s)?;
                return Err(Fault::efault("optlen is negative"));
            }
            let room = if value.is_null() {
                0
            } else {
                usize::try_from(room).unwrap_or(0).min(MAX_VALUE)
            };
            if !mem::writable(value, room) || !mem::writable(len.cast(), 4) {
                d.known(s)?;
                return Err(Fault::efault("optval or optlen cannot be written"));
            }
            // The room as the program left it: what the model does not
            // write stays (a failing call may write some of it:
            // WIN-SOCKOPT-SIZES).
            // SAFETY: `room` bytes at `value` are writable, so readable.
            let mut buf = unsafe { mem::bytes_at(value, room)? };
            let mut n = room;
            let r = d
                .host
                .get_sock_opt_len(d.sock(s), level, name, &mut buf, &mut n);
            // SAFETY: `buf` is the room; `len` is writable (checked).
            unsafe {
                mem::write_bytes(value, &buf)?;
                if r.is_ok() || n != room {
                    mem::write(len, n.min(room) as i32)?;
                }
            }
            r?;
            Ok(0)
        },
    )
}

/// `ioctlsocket`: a `NULL` argument is `WSAEFAULT`.
///
/// # Safety
/// `arg` is `NULL` or valid for reads and writes of a `u_long`.
#[export_name = "wsd_ioctlsocket"]
pub unsafe extern "system" fn ioctlsocket(s: SOCKET, cmd: i32, arg: *mut u32) -> i32 {
    run(
        "ioctlsocket",
        |_| -1,
        || format!("{s:#x}, {cmd:#x}"),
        |d| {
            // SAFETY: passed on.
            let Some(mut a) = unsafe { mem::read(arg.cast_const()) }
                .map_err(|f| d.known(s).err().unwrap_or(f))?
            else {
                d.known(s)?;
                return Err(Fault::efault("argp is NULL"));
            };
            if !mem::writable(arg.cast(), 4) {
                d.known(s)?;
                return Err(Fault::efault("argp cannot be written"));
            }
            d.host.ioctl_socket(d.sock(s), cmd as u32, &mut a)?;
            // SAFETY: as above.
            unsafe { mem::write(arg, a)? };
            Ok(0)
        },
    )
}
