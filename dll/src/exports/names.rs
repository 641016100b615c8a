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
//! before `127.0.0.1`. Every other name is `WSAHOST_NOT_FOUND`; a service
//! must be a port number (or `NULL`), else `WSATYPE_NOT_FOUND`.

use crate::calls::{run, Dll, Fault};
use crate::mem;
use std::ffi::{c_void, CStr};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use windows_sys::Win32::Networking::WinSock::{
    ADDRINFOA, ADDRINFOW, IN_ADDR, SOCKADDR, SOCKADDR_STORAGE, WSAHOST_NOT_FOUND, WSATYPE_NOT_FOUND,
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
fn host_name(d: &Dll) -> &str {
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
            unsafe { mem::write_bytes(name, &h) };
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
            // SAFETY: `h.len()` units fit in `len`.
            unsafe { std::ptr::copy_nonoverlapping(h.as_ptr(), name, h.len()) };
            Ok(0)
        },
    )
}

/// The hints of a lookup that matter here.
#[derive(Debug, Clone, Copy, Default)]
struct Hints {
    flags: i32,
    family: i32,
    socktype: i32,
    protocol: i32,
}

/// One result.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Found {
    addr: SocketAddr,
    canon: Option<String>,
}

/// Resolves `node`/`service` as the module says.
fn resolve(
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
    let port = match service {
        None => 0,
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
            if let Ok(ip) = n.parse::<IpAddr>() {
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
                return Err(WSAHOST_NOT_FOUND);
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
        // SAFETY: `enc` (at most 28 bytes) fits the 128-byte storage.
        unsafe { mem::write_bytes(addr_p.cast(), &enc) };
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

/// The hints a caller gave.
///
/// # Safety
/// `p` is `NULL` or valid for reads of an `A`.
unsafe fn hints_of<A: Copy>(p: *const A, get: fn(&A) -> Hints) -> Hints {
    // SAFETY: passed on.
    unsafe { mem::read(p) }.map(|a| get(&a)).unwrap_or_default()
}

/// A NUL-terminated string argument.
///
/// # Safety
/// `p` is `NULL` or a NUL-terminated string.
unsafe fn c_str(p: *const u8) -> Option<String> {
    // SAFETY: the caller promises a NUL-terminated string.
    (!p.is_null()).then(|| {
        unsafe { CStr::from_ptr(p.cast()) }
            .to_string_lossy()
            .into_owned()
    })
}

/// A NUL-terminated UTF-16 string argument.
///
/// # Safety
/// `p` is `NULL` or a NUL-terminated UTF-16 string.
unsafe fn w_str(p: *const u16) -> Option<String> {
    if p.is_null() {
        return None;
    }
    let mut n = 0;
    // SAFETY: the string goes on until its NUL, which is not passed.
    while unsafe { p.add(n).read_unaligned() } != 0 {
        n += 1;
    }
    // SAFETY: `n` units were just read.
    Some(String::from_utf16_lossy(unsafe {
        std::slice::from_raw_parts(p, n)
    }))
}

/// The frame of both `getaddrinfo` forms: returns 0 or the error code
/// (also left as the last error).
fn lookup<A: AddrInfo>(
    name: &'static str,
    node: Option<String>,
    service: Option<String>,
    h: Hints,
    res: *mut *mut A,
) -> i32 {
    run(
        name,
        |c| c,
        || format!("{node:?}, {service:?}, {h:?}"),
        |d| {
            d.started()?;
            if res.is_null() {
                return Err(Fault::Dll(WSAEFAULT, "ppResult is NULL".into()));
            }
            let r = resolve(d, node.as_deref(), service.as_deref(), &h);
            let shown = match &r {
                Ok(f) => format!(
                    "ok [{}]",
                    f.iter()
                        .map(|f| f.addr.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                Err(c) => crate::calls::code_name(*c),
            };
            d.note(format!("{name}({node:?}, {service:?}) -> {shown}"));
            let found = r.map_err(|c| Fault::Dll(c, "not a name of the model's host".into()))?;
            let head = build::<A>(d, &h, &found);
            // SAFETY: `res` is not NULL; the caller promises room for a pointer.
            unsafe { res.write_unaligned(head) };
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
    let (node, service) = unsafe { (c_str(node), c_str(service)) };
    // SAFETY: passed on.
    let h = unsafe {
        hints_of(hints, |a| Hints {
            flags: a.ai_flags,
            family: a.ai_family,
            socktype: a.ai_socktype,
            protocol: a.ai_protocol,
        })
    };
    lookup::<ADDRINFOA>("getaddrinfo", node, service, h, res)
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
    let (node, service) = unsafe { (w_str(node), w_str(service)) };
    // SAFETY: passed on.
    let h = unsafe {
        hints_of(hints, |a| Hints {
            flags: a.ai_flags,
            family: a.ai_family,
            socktype: a.ai_socktype,
            protocol: a.ai_protocol,
        })
    };
    lookup::<ADDRINFOW>("GetAddrInfoW", node, service, h, res)
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
    let s = unsafe { c_str(cp) };
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
        unsafe { mem::write_bytes(p, text.as_bytes()) };
        p
    })
}

/// `inet_pton`'s work: 1 and the bytes, 0 for text that is no address of
/// the family, -1 with the last error for a bad family or pointer.
///
/// # Safety
/// `dst` is `NULL` or valid for 4 (IPv4) or 16 (IPv6) bytes.
unsafe fn pton(family: i32, src: Option<String>, dst: *mut c_void) -> i32 {
    let (Some(src), false) = (src, dst.is_null()) else {
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
            // SAFETY: `b` is 4 or 16 bytes, as the family says.
            unsafe { mem::write_bytes(dst.cast(), &b) };
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
            // SAFETY: 4 bytes, as the caller promises for AF_INET.
            let b = unsafe { mem::bytes_at(src.cast(), 4) };
            Ok(Ipv4Addr::new(b[0], b[1], b[2], b[3]).to_string())
        }
        AF_INET6 => {
            // SAFETY: 16 bytes, as the caller promises for AF_INET6.
            let b: [u8; 16] = unsafe { mem::bytes_at(src.cast(), 16) }
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
            // SAFETY: `b.len()` is at most `size`.
            unsafe { mem::write_bytes(dst, &b) };
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
            // SAFETY: `w.len()` units fit in `size`.
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
