//! `gethostbyname` and `gethostbyaddr`: the Winsock 1 lookups, answered
//! from the same names as `getaddrinfo` (`names.rs`). The `HOSTENT` is
//! the DLL's, one per thread, valid until the thread's next call of
//! either ("The application must never attempt to modify this structure
//! or to free any of its components ... only one copy of this structure
//! is allocated per thread", `gethostbyname`).

use super::names::{c_str, host_name, resolve, Hints};
use crate::calls::Dll;
use crate::fault::Fault;
use crate::frame::run;
use crate::mem;
use std::cell::RefCell;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use windows_sys::Win32::Networking::WinSock::{HOSTENT, WSAHOST_NOT_FOUND};
use winsock_model::contract::{AF_INET, AF_INET6, WSAEAFNOSUPPORT};

/// A `HOSTENT` and what its pointers point at.
struct Entry {
    ent: HOSTENT,
    name: Vec<u8>,
    aliases: [*mut i8; 1],
    addrs: Vec<[u8; 16]>,
    list: Vec<*mut i8>,
}

thread_local! {
    /// The thread's `HOSTENT`.
    static ENTRY: RefCell<Option<Box<Entry>>> = const { RefCell::new(None) };
}

/// Makes the thread's `HOSTENT` for `name` and `ips` (all of one family)
/// and gives its address.
fn entry(name: &str, ips: &[IpAddr]) -> *mut HOSTENT {
    let v6 = ips.first().is_some_and(IpAddr::is_ipv6);
    let mut e = Box::new(Entry {
        ent: HOSTENT {
            h_name: std::ptr::null_mut(),
            h_aliases: std::ptr::null_mut(),
            h_addrtype: if v6 { AF_INET6 as i16 } else { AF_INET as i16 },
            h_length: if v6 { 16 } else { 4 },
            h_addr_list: std::ptr::null_mut(),
        },
        name: name.bytes().chain([0]).collect(),
        aliases: [std::ptr::null_mut()],
        addrs: ips
            .iter()
            .map(|ip| {
                let mut b = [0u8; 16];
                match ip {
                    IpAddr::V4(a) => b[..4].copy_from_slice(&a.octets()),
                    IpAddr::V6(a) => b.copy_from_slice(&a.octets()),
                }
                b
            })
            .collect(),
        list: Vec::new(),
    });
    let Entry {
        ent,
        name,
        aliases,
        addrs,
        list,
    } = &mut *e;
    *list = addrs.iter_mut().map(|a| a.as_mut_ptr().cast()).collect();
    list.push(std::ptr::null_mut());
    ent.h_name = name.as_mut_ptr();
    ent.h_aliases = aliases.as_mut_ptr();
    ent.h_addr_list = list.as_mut_ptr();
    let p: *mut HOSTENT = &mut e.ent;
    // (The box does not move when it is stored: `p` stays valid until the
    // thread's next lookup replaces it.)
    ENTRY.with(|c| *c.borrow_mut() = Some(e));
    p
}

/// `gethostbyname`: IPv4 addresses of a name: a dotted address itself,
/// `localhost`, the host's name (`NULL` and `""` are the host's name, as
/// the page says), the names of `WSD_NAMES`; `WSAHOST_NOT_FOUND` for
/// others.
///
/// # Safety
/// `name` is `NULL` or NUL-terminated.
#[export_name = "wsd_gethostbyname"]
pub unsafe extern "system" fn gethostbyname(name: *const u8) -> *mut HOSTENT {
    run(
        "gethostbyname",
        |_| std::ptr::null_mut(),
        || format!("{name:p}"),
        |d| {
            d.started()?;
            // SAFETY: passed on.
            let n = unsafe { c_str(name)? }.filter(|n| !n.is_empty());
            let n = n.unwrap_or_else(|| host_name(d).to_string());
            let ips: Vec<IpAddr> = match n.parse::<Ipv4Addr>() {
                Ok(a) => vec![IpAddr::V4(a)],
                Err(_) => {
                    let h = Hints {
                        family: AF_INET,
                        ..Hints::default()
                    };
                    resolve(d, Some(&n), None, &h)
                        .map_err(|c| Fault::Dll(c, format!("{n:?} is no name of the model's")))?
                        .into_iter()
                        .map(|f| f.addr.ip())
                        .collect()
                }
            };
            d.note(format!("gethostbyname({n:?}) -> {ips:?}"));
            Ok(entry(&n, &ips))
        },
    )
}

/// The name of `ip`, reversed from the names the DLL resolves.
fn name_of(d: &Dll, ip: IpAddr) -> Option<String> {
    if ip.is_loopback() {
        return Some("localhost".into());
    }
    let own = d
        .settings
        .addrs
        .iter()
        .filter_map(|a| a.split('/').next()?.parse::<IpAddr>().ok())
        .any(|a| a == ip);
    if own {
        return Some(host_name(d).to_string());
    }
    d.settings
        .names
        .iter()
        .find(|(_, a)| *a == ip)
        .map(|(n, _)| n.clone())
}

/// `gethostbyaddr`: the name of an address the DLL knows (loopback is
/// `localhost`, the host's addresses its name, `WSD_NAMES` backwards);
/// `WSAHOST_NOT_FOUND` for others, `WSAEFAULT` for a length short of the
/// family's address, `WSAEAFNOSUPPORT` for a family other than
/// `AF_INET` and `AF_INET6`.
///
/// # Safety
/// `addr` is `NULL` or valid for `len` bytes.
#[export_name = "wsd_gethostbyaddr"]
pub unsafe extern "system" fn gethostbyaddr(addr: *const u8, len: i32, ty: i32) -> *mut HOSTENT {
    run(
        "gethostbyaddr",
        |_| std::ptr::null_mut(),
        || format!("{addr:p}, {len}, {ty}"),
        |d| {
            d.started()?;
            let need = match ty {
                AF_INET => 4,
                AF_INET6 => 16,
                _ => return Err(Fault::Dll(WSAEAFNOSUPPORT, format!("type {ty}"))),
            };
            if addr.is_null() || len < need as i32 {
                return Err(Fault::efault(format!("addr is NULL or len {len} < {need}")));
            }
            // SAFETY: passed on.
            let b = unsafe { mem::bytes_at(addr, need)? };
            let ip = match need {
                4 => IpAddr::V4(Ipv4Addr::new(b[0], b[1], b[2], b[3])),
                _ => {
                    let a: [u8; 16] = b.try_into().expect("16 bytes");
                    IpAddr::V6(Ipv6Addr::from(a))
                }
            };
            let n = name_of(d, ip).ok_or_else(|| {
                Fault::Dll(
                    WSAHOST_NOT_FOUND,
                    format!("{ip} is no address of the model's"),
                )
            })?;
            d.note(format!("gethostbyaddr({ip}) -> {n:?}"));
            Ok(entry(&n, &[ip]))
        },
    )
}
