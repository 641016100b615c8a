//! Names and addresses: `gethostname`, `getaddrinfo` and `freeaddrinfo`
//! (A and W) for the names the model's host has, and the text forms of
//! addresses (`inet_addr`, `inet_ntoa`, `inet_pton`, `inet_ntop` and
//! their wide forms).
//!
//! Resolved names (model choice, from the configuration): numeric
//! addresses; `localhost` (any case) to the loopback addresses; the
//! host's name (`WSD_HOST`, any case) and the empty string to its
//! interface addresses (`WSD_ADDRS`); a `NULL` name to the wildcard
//! (`AI_PASSIVE`) or loopback addresses. IPv6 comes before IPv4, as the
//! default policy table of RFC 6724 (which Windows follows) orders `::1`
//! before `127.0.0.1`. The names of `WSD_NAMES` to their addresses. Every
//! other name is `WSAHOST_NOT_FOUND`; a service must be a port number (or
//! `NULL` or empty), else `WSATYPE_NOT_FOUND`.

use crate::calls::Dll;
use crate::fault::Fault;
use crate::frame::run;
use crate::mem;
use std::ffi::c_void;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use windows_sys::Win32::Networking::WinSock::{
    ADDRINFOA, ADDRINFOEXW, ADDRINFOW, IN_ADDR, SOCKADDR, SOCKADDR_STORAGE, WSAHOST_NOT_FOUND,
    WSATYPE_NOT_FOUND, WSA_INVALID_HANDLE, WSA_IO_PENDING,
};
use winsock_model::contract::{AF_INET, AF_INET6, WSAEAFNOSUPPORT, WSAEFAULT, WSAEINVAL};

/// `AI_PASSIVE`.
const AI_PASSIVE: i32 = 0x1;
/// `AI_CANONNAME`.
const AI_CANONNAME: i32 = 0x2;
/// `AI_NUMERICHOST`.
const AI_NUMERICHOST: i32 = 0x4;
/// `AF_UNSPEC`.
const AF_UNSPEC: i32 = 0;
/// `ERROR_INVALID_PARAMETER`, what `inet_ntop` reports for a missing or
/// short buffer (its documented error).
const ERROR_INVALID_PARAMETER: u32 = 87;

/// The host's name as `gethostname` gives it.
pub(crate) fn host_name(d: &Dll) -> &str {
    &d.settings.host
}

/// `gethostname`: the simulated host's name (`WSD_HOST`), NUL-terminated;
/// `WSAEFAULT` for a `NULL` or short buffer.
///
/// # Safety
/// `name` is `NULL` or valid for writes of `len` bytes.
#[export_name = "wsd_gethostname"]
pub unsafe extern "system" fn gethostname(name: *mut u8, len: i32) -> i32 {
    run(
        "gethostname",
        |_| -1,
        || format!("len={len}"),
        |d| {
            d.started()?;
            let mut h = host_name(d).as_bytes().to_vec();
            h.push(0);
            if name.is_null() || (len.max(0) as usize) < h.len() {
                return Err(Fault::efault("name is NULL or shorter than the name"));
            }
            // SAFETY: `h.len()` is at most `len`.
            unsafe { mem::write_bytes(name, &h)? };
            Ok(0)
        },
    )
}

/// `GetHostNameW`: as [`gethostname`], in UTF-16.
///
/// # Safety
/// `name` is `NULL` or valid for writes of `len` UTF-16 units.
#[export_name = "wsd_GetHostNameW"]
pub unsafe extern "system" fn GetHostNameW(name: *mut u16, len: i32) -> i32 {
    run(
        "GetHostNameW",
        |_| -1,
        || format!("len={len}"),
        |d| {
            d.started()?;
            let mut h: Vec<u16> = host_name(d).encode_utf16().collect();
            h.push(0);
            if name.is_null() || (len.max(0) as usize) < h.len() {
                return Err(Fault::efault("name is NULL or shorter than the name"));
            }
            if !mem::writable(name.cast(), h.len() * 2) {
                return Err(Fault::efault("name cannot be written"));
            }
            // SAFETY: `h.len()` units fit in `len`, checked writable.
            unsafe { std::ptr::copy_nonoverlapping(h.as_ptr(), name, h.len()) };
            Ok(0)
        },
    )
}

/// The hints of a lookup that matter here.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Hints {
    pub(crate) flags: i32,
    pub(crate) family: i32,
    pub(crate) socktype: i32,
    pub(crate) protocol: i32,
}

/// One result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    pub(crate) addr: SocketAddr,
    pub(crate) canon: Option<String>,
}

/// A numeric host: an IPv4 or IPv6 address, or an IPv6 address in
/// brackets, alone or with a port after them (ignored): Windows takes
/// `[beef::cafe]` and `[beef::cafe]:10239` (Wine's test_getaddrinfo,
/// protocol.c:2341-2369), not `192.168.1.253:1024` (protocol.c:2320-2326).
fn numeric(n: &str) -> Option<IpAddr> {
    if let Ok(ip) = n.parse::<IpAddr>() {
        return Some(ip);
    }
    let rest = n.strip_prefix('[')?;
    let (inner, after) = rest.split_once(']')?;
    let port_ok = after.is_empty()
        || after
            .strip_prefix(':')
            .is_some_and(|p| p.parse::<u16>().is_ok());
    if !port_ok {
        return None;
    }
    inner.parse::<Ipv6Addr>().ok().map(IpAddr::V6)
}

/// Resolves `node`/`service` as the module says.
pub(crate) fn resolve(
    d: &Dll,
    node: Option<&str>,
    service: Option<&str>,
    h: &Hints,
) -> Result<Vec<Found>, i32> {
    if node.is_none() && service.is_none() {
        return Err(WSAHOST_NOT_FOUND);
    }
    if ![AF_UNSPEC, AF_INET, AF_INET6].contains(&h.family) {
        return Err(WSAEAFNOSUPPORT);
    }
    // An empty service is port 0, as "0" (Wine's test_GetAddrInfoW,
    // protocol.c:1712-1722 on Windows: the same lists).
    let port = match service {
        None | Some("") => 0,
        Some(s) => s.parse::<u16>().map_err(|_| WSATYPE_NOT_FOUND)?,
    };
    let loopback = [
        IpAddr::V6(Ipv6Addr::LOCALHOST),
        IpAddr::V4(Ipv4Addr::LOCALHOST),
    ];
    let ips: Vec<IpAddr> = match node {
        None if h.flags & AI_PASSIVE != 0 => vec![
            IpAddr::V6(Ipv6Addr::UNSPECIFIED),
            IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        ],
        None => loopback.to_vec(),
        Some(n) => {
            if let Some(ip) = numeric(n) {
                vec![ip]
            } else if h.flags & AI_NUMERICHOST != 0 {
                return Err(WSAHOST_NOT_FOUND);
            } else if n.eq_ignore_ascii_case("localhost") {
                loopback.to_vec()
            } else if n.is_empty() || n.eq_ignore_ascii_case(host_name(d)) {
                let mut own: Vec<IpAddr> = d
                    .settings
                    .addrs
                    .iter()
                    .filter_map(|a| a.split('/').next()?.parse().ok())
                    .collect();
                own.sort_by_key(|ip| ip.is_ipv4());
                if own.is_empty() {
                    loopback.to_vec()
                } else {
                    own
                }
            } else {
                let known: Vec<IpAddr> = d
                    .settings
                    .names
                    .iter()
                    .filter(|(k, _)| k.eq_ignore_ascii_case(n))
                    .map(|(_, ip)| *ip)
                    .collect();
                if known.is_empty() {
                    return Err(WSAHOST_NOT_FOUND);
                }
                known
            }
        }
    };
    let found: Vec<Found> = ips
        .into_iter()
        .filter(|ip| match h.family {
            AF_INET => ip.is_ipv4(),
            AF_INET6 => ip.is_ipv6(),
            _ => true,
        })
        .enumerate()
        .map(|(i, ip)| Found {
            addr: SocketAddr::new(ip, port),
            canon: (i == 0 && h.flags & AI_CANONNAME != 0)
                .then(|| node.unwrap_or(host_name(d)).to_string()),
        })
        .collect();
    if found.is_empty() {
        return Err(WSAHOST_NOT_FOUND);
    }
    Ok(found)
}

/// One entry of a list `getaddrinfo` hands out: the `ADDRINFO` first (a
/// pointer to the entry is a pointer to it), its address and name after.
#[repr(C)]
struct Node<A, C> {
    ai: A,
    addr: SOCKADDR_STORAGE,
    canon: Vec<C>,
}

/// What the two `ADDRINFO` forms share.
trait AddrInfo: Sized {
    type Char: Copy;
    fn make(h: &Hints, f: &Found, addr: *mut SOCKADDR, canon: *mut Self::Char) -> Self;
    fn next(&self) -> *mut Self;
    fn set_next(&mut self, n: *mut Self);
    fn text(s: &str) -> Vec<Self::Char>;
}

impl AddrInfo for ADDRINFOA {
    type Char = u8;
    fn make(h: &Hints, f: &Found, addr: *mut SOCKADDR, canon: *mut u8) -> Self {
        ADDRINFOA {
            ai_flags: h.flags,
            ai_family: if f.addr.is_ipv4() { AF_INET } else { AF_INET6 },
            ai_socktype: h.socktype,
            ai_protocol: h.protocol,
            ai_addrlen: winsock_model::contract::addr::encoded_len(&f.addr),
            ai_canonname: canon,
            ai_addr: addr,
            ai_next: std::ptr::null_mut(),
        }
    }
    fn next(&self) -> *mut Self {
        self.ai_next
    }
    fn set_next(&mut self, n: *mut Self) {
        self.ai_next = n;
    }
    fn text(s: &str) -> Vec<u8> {
        let mut v = s.as_bytes().to_vec();
        v.push(0);
        v
    }
}

impl AddrInfo for ADDRINFOW {
    type Char = u16;
    fn make(h: &Hints, f: &Found, addr: *mut SOCKADDR, canon: *mut u16) -> Self {
        ADDRINFOW {
            ai_flags: h.flags,
            ai_family: if f.addr.is_ipv4() { AF_INET } else { AF_INET6 },
            ai_socktype: h.socktype,
            ai_protocol: h.protocol,
            ai_addrlen: winsock_model::contract::addr::encoded_len(&f.addr),
            ai_canonname: canon,
            ai_addr: addr,
            ai_next: std::ptr::null_mut(),
        }
    }
    fn next(&self) -> *mut Self {
        self.ai_next
    }
    fn set_next(&mut self, n: *mut Self) {
        self.ai_next = n;
    }
    fn text(s: &str) -> Vec<u16> {
        s.encode_utf16().chain([0]).collect()
    }
}

impl AddrInfo for ADDRINFOEXW {
    type Char = u16;
    fn make(h: &Hints, f: &Found, addr: *mut SOCKADDR, canon: *mut u16) -> Self {
        ADDRINFOEXW {
            ai_flags: h.flags,
            ai_family: if f.addr.is_ipv4() { AF_INET } else { AF_INET6 },
            ai_socktype: h.socktype,
            ai_protocol: h.protocol,
            ai_addrlen: winsock_model::contract::addr::encoded_len(&f.addr),
            ai_canonname: canon,
            ai_addr: addr,
            ai_blob: std::ptr::null_mut(),
            ai_bloblen: 0,
            ai_provider: std::ptr::null_mut(),
            ai_next: std::ptr::null_mut(),
        }
    }
    fn next(&self) -> *mut Self {
        self.ai_next
    }
    fn set_next(&mut self, n: *mut Self) {
        self.ai_next = n;
    }
    fn text(s: &str) -> Vec<u16> {
        s.encode_utf16().chain([0]).collect()
    }
}

/// Builds the list (heap entries, freed by [`free_list`]) and remembers
/// its head.
fn build<A: AddrInfo>(d: &Dll, h: &Hints, found: &[Found]) -> *mut A {
    let mut head: *mut A = std::ptr::null_mut();
    for f in found.iter().rev() {
        let mut node = Box::new(Node::<A, A::Char> {
            // SAFETY: SOCKADDR_STORAGE is plain integers; all zeros is a
            // valid value. The ADDRINFO is overwritten below.
            addr: unsafe { std::mem::zeroed() },
            canon: f.canon.as_deref().map(A::text).unwrap_or_default(),
            ai: A::make(h, f, std::ptr::null_mut(), std::ptr::null_mut()),
        });
        let enc = winsock_model::contract::addr::encode(&f.addr);
        let addr_p: *mut SOCKADDR = std::ptr::addr_of_mut!(node.addr).cast();
        // SAFETY: `enc` (at most 28 bytes) fits the 128-byte storage of
        // the node, the DLL's own memory.
        unsafe { std::ptr::copy_nonoverlapping(enc.as_ptr(), addr_p.cast::<u8>(), enc.len()) };
        let canon_p = if node.canon.is_empty() {
            std::ptr::null_mut()
        } else {
            node.canon.as_mut_ptr()
        };
        node.ai = A::make(h, f, addr_p, canon_p);
        node.ai.set_next(head);
        // The entry's address is its ADDRINFO's (repr(C), first field).
        head = Box::into_raw(node).cast();
    }
    d.state.lock().addrinfo.insert(head as usize);
    head
}

/// Frees a list [`build`] made; a pointer it did not hand out is left
/// alone (the trace says so).
///
/// # Safety
/// `head` is `NULL` or a list this module handed out, unchanged.
unsafe fn free_list<A: AddrInfo>(d: &Dll, head: *mut A) -> Result<(), Fault> {
    if head.is_null() {
        return Ok(());
    }
    if !d.state.lock().addrinfo.remove(&(head as usize)) {
        return Err(Fault::Dll(
            WSAEINVAL,
            format!("{head:p} is no addrinfo list this DLL handed out (left alone)"),
        ));
    }
    let mut p = head;
    while !p.is_null() {
        // SAFETY: every entry of the list came from Box::into_raw of a
        // Node<A, A::Char> whose first field is the ADDRINFO `p` points to.
        let node = unsafe { Box::from_raw(p.cast::<Node<A, A::Char>>()) };
        p = node.ai.next();
    }
    Ok(())
}

/// The hints a caller gave (`WSAEFAULT` when they cannot be read).
///
/// # Safety
/// As `mem::read`.
unsafe fn hints_of<A: Copy>(p: *const A, get: fn(&A) -> Hints) -> Result<Hints, Fault> {
    // SAFETY: passed on.
    Ok(unsafe { mem::read(p)? }
        .map(|a| get(&a))
        .unwrap_or_default())
}

/// A NUL-terminated string argument (`WSAEFAULT` when it runs into memory
/// that cannot be read).
///
/// # Safety
/// As `mem::c_units`.
pub(crate) unsafe fn c_str(p: *const u8) -> Result<Option<String>, Fault> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: passed on.
    let b = unsafe { mem::c_units(p)? };
    Ok(Some(String::from_utf8_lossy(&b).into_owned()))
}

/// A NUL-terminated UTF-16 string argument.
///
/// # Safety
/// As `mem::c_units`.
pub(crate) unsafe fn w_str(p: *const u16) -> Result<Option<String>, Fault> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: passed on.
    let w = unsafe { mem::c_units(p)? };
    Ok(Some(String::from_utf16_lossy(&w)))
}

/// The frame of both `getaddrinfo` forms: returns 0 or the error code
/// (also left as the last error).
fn lookup<A: AddrInfo>(
    name: &'static str,
    args: Result<(Option<String>, Option<String>, Hints), Fault>,
    res: *mut *mut A,
) -> i32 {
    let shown = match &args {
        Ok((node, service, h)) => format!("{node:?}, {service:?}, {h:?}"),
        Err(_) => "(unreadable arguments)".to_string(),
    };
    // (The body runs once: a name lookup never blocks, so it is never
    // made again by the frame's pacing.)
    let mut args = Some(args);
    run(
        name,
        |c| c,
        || shown,
        |d| {
            if !mem::writable(res.cast(), std::mem::size_of::<usize>()) {
                d.started()?;
                return Err(Fault::Dll(
                    WSAEFAULT,
                    "ppResult is NULL or cannot be written".into(),
                ));
            }
            // The result is NULL unless the call succeeds (Wine's
            // test_GetAddrInfoW, protocol.c:1697-1702 on Windows).
            // SAFETY: checked writable.
            unsafe { mem::write(res, std::ptr::null_mut())? };
            d.started()?;
            let (node, service, h) = args.take().expect("a lookup runs once")?;
            let r = resolve(d, node.as_deref(), service.as_deref(), &h);
            let shown = match &r {
                Ok(f) => format!(
                    "ok [{}]",
                    f.iter()
                        .map(|f| f.addr.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                Err(c) => crate::frame::code_name(*c),
            };
            d.note(format!("{name}({node:?}, {service:?}) -> {shown}"));
            let found = r.map_err(|c| Fault::Dll(c, "not a name of the model's host".into()))?;
            let head = build::<A>(d, &h, &found);
            // SAFETY: checked writable above.
            unsafe { mem::write(res, head)? };
            Ok(0)
        },
    )
}

/// `getaddrinfo` (see the module for the names it resolves).
///
/// # Safety
/// `node` and `service` are `NULL` or NUL-terminated; `hints` is `NULL` or
/// valid; `res` is `NULL` or valid for writes of a pointer.
#[export_name = "wsd_getaddrinfo"]
pub unsafe extern "system" fn getaddrinfo(
    node: *const u8,
    service: *const u8,
    hints: *const ADDRINFOA,
    res: *mut *mut ADDRINFOA,
) -> i32 {
    // SAFETY: passed on.
    let args = unsafe {
        (|| {
            let h = hints_of(hints, |a| Hints {
                flags: a.ai_flags,
                family: a.ai_family,
                socktype: a.ai_socktype,
                protocol: a.ai_protocol,
            })?;
            Ok((c_str(node)?, c_str(service)?, h))
        })()
    };
    lookup::<ADDRINFOA>("getaddrinfo", args, res)
}

/// `GetAddrInfoW`: as [`getaddrinfo`], in UTF-16.
///
/// # Safety
/// As [`getaddrinfo`], with UTF-16 strings.
#[export_name = "wsd_GetAddrInfoW"]
pub unsafe extern "system" fn GetAddrInfoW(
    node: *const u16,
    service: *const u16,
    hints: *const ADDRINFOW,
    res: *mut *mut ADDRINFOW,
) -> i32 {
    // SAFETY: passed on.
    let args = unsafe {
        (|| {
            let h = hints_of(hints, |a| Hints {
                flags: a.ai_flags,
                family: a.ai_family,
                socktype: a.ai_socktype,
                protocol: a.ai_protocol,
            })?;
            Ok((w_str(node)?, w_str(service)?, h))
        })()
    };
    lookup::<ADDRINFOW>("GetAddrInfoW", args, res)
}

/// `freeaddrinfo`: frees a list `getaddrinfo` handed out.
///
/// # Safety
/// `ai` is `NULL` or a list `getaddrinfo` returned, not freed yet.
#[export_name = "wsd_freeaddrinfo"]
pub unsafe extern "system" fn freeaddrinfo(ai: *mut ADDRINFOA) {
    run(
        "freeaddrinfo",
        |_| (),
        || format!("{ai:p}"),
        // SAFETY: passed on.
        |d| unsafe { free_list(d, ai) },
    );
}

/// `FreeAddrInfoW`.
///
/// # Safety
/// `ai` is `NULL` or a list `GetAddrInfoW` returned, not freed yet.
#[export_name = "wsd_FreeAddrInfoW"]
pub unsafe extern "system" fn FreeAddrInfoW(ai: *mut ADDRINFOW) {
    run(
        "FreeAddrInfoW",
        |_| (),
        || format!("{ai:p}"),
        // SAFETY: passed on.
        |d| unsafe { free_list(d, ai) },
    );
}

/// `GetAddrInfoExW` in the `NS_DNS` (or `NS_ALL`) name space, as
/// [`GetAddrInfoW`]. The time-out and the name space provider are
/// ignored. With an `OVERLAPPED` the lookup is made at once all the same:
/// the result is in place, `OVERLAPPED.Internal` holds the error (0 for
/// success), `Pointer` the result's address, its event is set, and the
/// call returns `WSA_IO_PENDING`, as an asynchronous call that already
/// finished (Wine's test_GetAddrInfoExW, protocol.c:1993-2006 on Windows).
/// A completion routine is not modelled (`WSAEOPNOTSUPP`).
///
/// # Safety
/// As [`GetAddrInfoW`]; `overlapped` is `NULL` or valid.
#[export_name = "wsd_GetAddrInfoExW"]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "system" fn GetAddrInfoExW(
    node: *const u16,
    service: *const u16,
    namespace: u32,
    _provider: *const windows_sys::core::GUID,
    hints: *const ADDRINFOEXW,
    res: *mut *mut ADDRINFOEXW,
    _timeout: *const windows_sys::Win32::Networking::WinSock::TIMEVAL,
    overlapped: *mut windows_sys::Win32::System::IO::OVERLAPPED,
    routine: windows_sys::Win32::Networking::WinSock::LPLOOKUPSERVICE_COMPLETION_ROUTINE,
    handle: *mut windows_sys::Win32::Foundation::HANDLE,
) -> i32 {
    /// `NS_ALL`, `NS_DNS`.
    const NAMESPACES: [u32; 2] = [0, 12];
    if routine.is_some() || !NAMESPACES.contains(&namespace) {
        return run(
            "GetAddrInfoExW",
            |c| c,
            || format!("namespace {namespace}"),
            |_| {
                Err::<i32, _>(Fault::NotModelled(
                    "a completion routine or a name space other than NS_DNS".into(),
                ))
            },
        );
    }
    // SAFETY: passed on.
    let args = unsafe {
        (|| {
            let h = hints_of(hints, |a| Hints {
                flags: a.ai_flags,
                family: a.ai_family,
                socktype: a.ai_socktype,
                protocol: a.ai_protocol,
            })?;
            Ok((w_str(node)?, w_str(service)?, h))
        })()
    };
    let r = lookup::<ADDRINFOEXW>("GetAddrInfoExW", args, res);
    if overlapped.is_null() {
        return r;
    }
    // SAFETY: passed on; the handle is written only when writable.
    unsafe {
        let _ = mem::write(handle, std::ptr::null_mut());
        let Ok(Some(mut o)) = mem::read(overlapped.cast_const()) else {
            return r;
        };
        o.Internal = r as usize;
        o.InternalHigh = 0;
        o.Anonymous.Pointer = res.cast();
        if mem::write(overlapped, o).is_ok() {
            let ev = o.hEvent as usize;
            if ev != 0 {
                crate::os::set_event(ev);
            }
        }
    }
    crate::os::set_last_error(WSA_IO_PENDING as u32);
    WSA_IO_PENDING
}

/// `GetAddrInfoExOverlappedResult`: the error of a finished
/// [`GetAddrInfoExW`] (its `OVERLAPPED.Internal`); `WSAEINVAL` for `NULL`
/// (protocol.c:1990-1991 on Windows).
///
/// # Safety
/// `overlapped` is `NULL` or valid.
#[export_name = "wsd_GetAddrInfoExOverlappedResult"]
pub unsafe extern "system" fn GetAddrInfoExOverlappedResult(
    overlapped: *const windows_sys::Win32::System::IO::OVERLAPPED,
) -> i32 {
    // SAFETY: passed on.
    match unsafe { mem::read(overlapped) } {
        Ok(Some(o)) => o.Internal as i32,
        _ => WSAEINVAL,
    }
}

/// `GetAddrInfoExCancel`: every lookup has finished when it returns, so
/// there is nothing to cancel: `WSA_INVALID_HANDLE`.
///
/// # Safety
/// Reads no pointer.
#[export_name = "wsd_GetAddrInfoExCancel"]
pub unsafe extern "system" fn GetAddrInfoExCancel(
    _handle: *const windows_sys::Win32::Foundation::HANDLE,
) -> i32 {
    crate::os::set_last_error(WSA_INVALID_HANDLE as u32);
    WSA_INVALID_HANDLE
}

/// `FreeAddrInfoExW`.
///
/// # Safety
/// `ai` is `NULL` or a list `GetAddrInfoExW` returned, not freed yet.
#[export_name = "wsd_FreeAddrInfoExW"]
pub unsafe extern "system" fn FreeAddrInfoExW(ai: *mut ADDRINFOEXW) {
    run(
        "FreeAddrInfoExW",
        |_| (),
        || format!("{ai:p}"),
        // SAFETY: passed on.
        |d| unsafe { free_list(d, ai) },
    );
}

/// `FreeAddrInfoEx` (the ANSI form): the DLL hands out no ANSI list
/// (`GetAddrInfoExA` is not one of Wine's exports), so only one of its
/// wide lists is freed; anything else is left alone.
///
/// # Safety
/// As [`FreeAddrInfoExW`].
#[export_name = "wsd_FreeAddrInfoEx"]
pub unsafe extern "system" fn FreeAddrInfoEx(ai: *mut ADDRINFOEXW) {
    run(
        "FreeAddrInfoEx",
        |_| (),
        || format!("{ai:p}"),
        // SAFETY: passed on.
        |d| unsafe { free_list(d, ai) },
    );
}

/// Parses `inet_addr`'s forms: one to four parts separated by dots, each
/// decimal, octal (`0` prefix) or hexadecimal (`0x` prefix); the last part
/// fills the remaining bytes (`a`, `a.b` with `b` 24 bits, `a.b.c`).
fn parse_inet_addr(s: &str) -> Option<[u8; 4]> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let num = |p: &str| -> Option<u64> {
        if let Some(h) = p.strip_prefix("0x").or_else(|| p.strip_prefix("0X")) {
            u64::from_str_radix(h, 16).ok()
        } else if p.len() > 1 && p.starts_with('0') {
            u64::from_str_radix(&p[1..], 8).ok()
        } else if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) {
            p.parse().ok()
        } else {
            None
        }
    };
    let vals: Vec<u64> = parts.iter().map(|p| num(p)).collect::<Option<_>>()?;
    let (head, last) = vals.split_at(vals.len() - 1);
    if head.iter().any(|&v| v > 255) {
        return None;
    }
    let rest_bits = 8 * (4 - head.len() as u32);
    if last[0] >= 1u64 << rest_bits {
        return None;
    }
    let mut v: u32 = 0;
    for (i, &h) in head.iter().enumerate() {
        v |= (h as u32) << (24 - 8 * i);
    }
    v |= last[0] as u32;
    Some(v.to_be_bytes())
}

/// `inet_addr`: the address in network byte order, or `INADDR_NONE`.
///
/// # Safety
/// `cp` is `NULL` or NUL-terminated.
#[export_name = "wsd_inet_addr"]
pub unsafe extern "system" fn inet_addr(cp: *const u8) -> u32 {
    // SAFETY: passed on.
    let s = unsafe { c_str(cp) }.ok().flatten();
    match s.as_deref().and_then(parse_inet_addr) {
        Some(b) => u32::from_ne_bytes(b),
        None => u32::MAX,
    }
}

thread_local! {
    /// `inet_ntoa`'s buffer: one per thread, as Winsock's ("valid only
    /// until the next Windows Sockets function call ... within the same
    /// thread").
    static NTOA: std::cell::UnsafeCell<[u8; 16]> = const { std::cell::UnsafeCell::new([0; 16]) };
}

/// `inet_ntoa`: the dotted form, in a buffer of the calling thread.
#[export_name = "wsd_inet_ntoa"]
pub extern "system" fn inet_ntoa(a: IN_ADDR) -> *mut u8 {
    // SAFETY: every view of the union is the same four bytes of a u32.
    let b = unsafe { a.S_un.S_addr }.to_ne_bytes();
    let text = format!("{}\0", Ipv4Addr::from(b));
    NTOA.with(|cell| {
        let p = cell.get().cast::<u8>();
        // SAFETY: the thread's own 16-byte buffer; at most 16 bytes
        // ("255.255.255.255\0"); no reference to it is alive (callers get
        // a raw pointer, as Winsock gives).
        unsafe { std::ptr::copy_nonoverlapping(text.as_ptr(), p, text.len()) };
        p
    })
}

/// `inet_pton`'s work: 1 and the bytes, 0 for text that is no address of
/// the family, -1 with the last error for a bad family or pointer.
///
/// # Safety
/// `dst` is `NULL` or valid for 4 (IPv4) or 16 (IPv6) bytes.
unsafe fn pton(family: i32, src: Result<Option<String>, Fault>, dst: *mut c_void) -> i32 {
    let (Ok(Some(src)), false) = (src, dst.is_null()) else {
        crate::os::set_last_error(WSAEFAULT as u32);
        return -1;
    };
    let bytes: Option<Vec<u8>> = match family {
        AF_INET => src.parse::<Ipv4Addr>().ok().map(|a| a.octets().to_vec()),
        AF_INET6 => src.parse::<Ipv6Addr>().ok().map(|a| a.octets().to_vec()),
        _ => {
            crate::os::set_last_error(WSAEAFNOSUPPORT as u32);
            return -1;
        }
    };
    match bytes {
        Some(b) => {
            // SAFETY: passed on; `b` is 4 or 16 bytes, as the family says.
            if unsafe { mem::write_bytes(dst.cast(), &b) }.is_err() {
                crate::os::set_last_error(WSAEFAULT as u32);
                return -1;
            }
            1
        }
        None => 0,
    }
}

/// `inet_pton`.
///
/// # Safety
/// `src` is `NULL` or NUL-terminated; `dst` is `NULL` or valid for the
/// family's address.
#[export_name = "wsd_inet_pton"]
pub unsafe extern "system" fn inet_pton(family: i32, src: *const u8, dst: *mut c_void) -> i32 {
    // SAFETY: passed on.
    unsafe { pton(family, c_str(src), dst) }
}

/// `InetPtonW`.
///
/// # Safety
/// As [`inet_pton`], UTF-16.
#[export_name = "wsd_InetPtonW"]
pub unsafe extern "system" fn InetPtonW(family: i32, src: *const u16, dst: *mut c_void) -> i32 {
    // SAFETY: passed on.
    unsafe { pton(family, w_str(src), dst) }
}

/// The text of an address for `inet_ntop`, or the error to report.
///
/// # Safety
/// `src` is `NULL` or valid for the family's address.
unsafe fn ntop(family: i32, src: *const c_void) -> Result<String, u32> {
    if src.is_null() {
        return Err(ERROR_INVALID_PARAMETER);
    }
    match family {
        AF_INET => {
            // SAFETY: passed on.
            let b: [u8; 4] = unsafe { mem::bytes_at(src.cast(), 4) }
                .map_err(|_| WSAEFAULT as u32)?
                .try_into()
                .map_err(|_| ERROR_INVALID_PARAMETER)?;
            Ok(Ipv4Addr::from(b).to_string())
        }
        AF_INET6 => {
            // SAFETY: passed on.
            let b: [u8; 16] = unsafe { mem::bytes_at(src.cast(), 16) }
                .map_err(|_| WSAEFAULT as u32)?
                .try_into()
                .map_err(|_| ERROR_INVALID_PARAMETER)?;
            Ok(Ipv6Addr::from(b).to_string())
        }
        _ => Err(WSAEAFNOSUPPORT as u32),
    }
}

/// `inet_ntop`: `dst` or `NULL` with the last error (`WSAEAFNOSUPPORT`,
/// `ERROR_INVALID_PARAMETER` for a `NULL` or short buffer).
///
/// # Safety
/// `src` is `NULL` or valid for the family's address; `dst` is `NULL` or
/// valid for writes of `size` bytes.
#[export_name = "wsd_inet_ntop"]
pub unsafe extern "system" fn inet_ntop(
    family: i32,
    src: *const c_void,
    dst: *mut u8,
    size: usize,
) -> *const u8 {
    // SAFETY: passed on.
    match unsafe { ntop(family, src) } {
        Ok(t) if !dst.is_null() && t.len() < size => {
            let mut b = t.into_bytes();
            b.push(0);
            // SAFETY: passed on; `b.len()` is at most `size`.
            if unsafe { mem::write_bytes(dst, &b) }.is_err() {
                crate::os::set_last_error(WSAEFAULT as u32);
                return std::ptr::null();
            }
            dst
        }
        Ok(_) => {
            crate::os::set_last_error(ERROR_INVALID_PARAMETER);
            std::ptr::null()
        }
        Err(e) => {
            crate::os::set_last_error(e);
            std::ptr::null()
        }
    }
}

/// `InetNtopW`: as [`inet_ntop`], UTF-16 (`size` in characters).
///
/// # Safety
/// As [`inet_ntop`]; `dst` valid for `size` UTF-16 units.
#[export_name = "wsd_InetNtopW"]
pub unsafe extern "system" fn InetNtopW(
    family: i32,
    src: *const c_void,
    dst: *mut u16,
    size: usize,
) -> *const u16 {
    // SAFETY: passed on.
    match unsafe { ntop(family, src) } {
        Ok(t) => {
            let w: Vec<u16> = t.encode_utf16().chain([0]).collect();
            if dst.is_null() || w.len() > size {
                crate::os::set_last_error(ERROR_INVALID_PARAMETER);
                return std::ptr::null();
            }
            if !mem::writable(dst.cast(), w.len() * 2) {
                crate::os::set_last_error(WSAEFAULT as u32);
                return std::ptr::null();
            }
            // SAFETY: `w.len()` units fit in `size`, checked writable.
            unsafe { std::ptr::copy_nonoverlapping(w.as_ptr(), dst, w.len()) };
            dst
        }
        Err(e) => {
            crate::os::set_last_error(e);
            std::ptr::null()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_inet_addr;

    #[test]
    fn inet_addr_forms() {
        assert_eq!(parse_inet_addr("127.0.0.1"), Some([127, 0, 0, 1]));
        assert_eq!(parse_inet_addr("0x7f.1"), Some([127, 0, 0, 1]));
        assert_eq!(parse_inet_addr("10.0.258"), Some([10, 0, 1, 2]));
        assert_eq!(parse_inet_addr("017.0.0.1"), Some([15, 0, 0, 1]));
        assert_eq!(parse_inet_addr("1.2.3.256"), None);
        assert_eq!(parse_inet_addr("1.2.3.4.5"), None);
        assert_eq!(parse_inet_addr(""), None);
        assert_eq!(parse_inet_addr("a.b"), None);
    }
}
