//! `WSAIoctl`: the model's ioctls, the few the DLL answers itself (the
//! extension functions of `ext.rs`, the interface list), and how an
//! overlapped one reports (the model's `wsa_ioctl_overlapped`:
//! `WIN-IOCTL-OVERLAPPED` on the Windows profile).

use crate::calls::Dll;
use crate::fault::Fault;
use crate::frame::run;
use crate::mem;
use std::ffi::c_void;
use windows_sys::Win32::Networking::WinSock::{
    INTERFACE_INFO, LPWSAOVERLAPPED_COMPLETION_ROUTINE, SOCKET,
};
use windows_sys::Win32::System::IO::OVERLAPPED;
use winsock_model::contract::ntstatus::STATUS_PENDING;
use winsock_model::contract::{
    IoctlStarted, Quirk, AF_INET, FIONREAD, SIOCATMARK, SIO_BASE_HANDLE, SIO_BSP_HANDLE,
    SIO_BSP_HANDLE_POLL, SIO_BSP_HANDLE_SELECT, SIO_GET_EXTENSION_FUNCTION_POINTER, WSAEINVAL,
    WSAEOPNOTSUPP, WSA_IO_PENDING,
};
use winsock_model::{Winsock, WinsockOverlapped, WsaError};

/// The most bytes of an ioctl buffer read or offered (model choice: no
/// ioctl of the model is longer; a longer length is used as this one).
const MAX_VALUE: usize = 4096;

/// `WSAIoctl`. A `NULL` `lpcbBytesReturned` is `WSAEFAULT` before
/// anything else, with an `OVERLAPPED` too (as Wine 8.0 does,
/// `dlls/ws2_32/socket.c:2297`; Windows in `test_keepalive_vals`,
/// `sock.c:5435-5441`). `SIO_GET_EXTENSION_FUNCTION_POINTER` gives the
/// DLL's own `WSARecvMsg` and `WSASendMsg` for the GUIDs the model knows.
///
/// With an `OVERLAPPED` the model says what the call does
/// ([`IoctlStarted`]): an ioctl that completes at once is indicated as an
/// operation completed at once (`Internal`, `InternalHigh`, then the
/// routine, or the event and the port); one that pends completes with
/// its error and 0 bytes the same way before the call returns (nothing
/// the program can do between the two tells them apart). On the Windows
/// profile a failing call without an `OVERLAPPED` writes 0 to
/// `*lpcbBytesReturned` (`WIN-IOCTL-OVERLAPPED`).
///
/// # Safety
/// The buffers are `NULL` or valid for their sizes; `returned` is `NULL`
/// or valid for a `DWORD`; `overlapped` is `NULL` or valid for an
/// `OVERLAPPED` that stays valid until its completion is indicated.
#[export_name = "wsd_WSAIoctl"]
pub unsafe extern "system" fn WSAIoctl(
    s: SOCKET,
    code: u32,
    inbuf: *const c_void,
    insize: u32,
    outbuf: *mut c_void,
    outsize: u32,
    returned: *mut u32,
    overlapped: *mut OVERLAPPED,
    routine: LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> i32 {
    run(
        "WSAIoctl",
        |_| -1,
        || format!("{s:#x}, {code:#x}, in={insize}, out={outsize}"),
        |d| {
            if returned.is_null() {
                return Err(Fault::efault("lpcbBytesReturned is NULL"));
            }
            if !mem::writable(overlapped.cast(), std::mem::size_of::<OVERLAPPED>())
                && !overlapped.is_null()
            {
                d.known(s)?;
                return Err(Fault::efault("lpOverlapped cannot be written"));
            }
            if !mem::writable(returned.cast(), 4) {
                d.known(s)?;
                return Err(Fault::efault("lpcbBytesReturned cannot be written"));
            }
            // The address queries are the DLL's (`addrquery.rs`).
            if super::addrquery::answers(code) {
                // SAFETY: passed on; `returned` and `overlapped` checked.
                return unsafe {
                    super::addrquery::query(
                        d,
                        s,
                        code,
                        (inbuf, insize),
                        (outbuf, outsize),
                        returned,
                        overlapped,
                        routine,
                    )
                };
            }
            // SAFETY: passed on.
            let r = unsafe {
                ioctl(
                    d,
                    s,
                    code,
                    (inbuf, insize),
                    (outbuf, outsize),
                    (overlapped, routine.is_some()),
                )
            };
            let windows = d.settings.profile.has(Quirk::IoctlOverlapped);
            let n = match r {
                Ok(n) => n,
                Err(e) => {
                    if windows
                        && overlapped.is_null()
                        && !matches!(code, FIONREAD | SIOCATMARK)
                        && mem::writable(returned.cast(), 4)
                    {
                        // WIN-IOCTL-OVERLAPPED: a direct failure says 0
                        // bytes (not FIONREAD, SIOCATMARK: sock.c:5105-5122).
                        // SAFETY: checked writable.
                        unsafe { mem::write(returned, 0u32)? };
                    }
                    return Err(e);
                }
            };
            match n {
                Answer::Direct(n) => {
                    // SAFETY: `returned` is not NULL.
                    unsafe { mem::write(returned, n as u32)? };
                    Ok(0)
                }
                Answer::Started(IoctlStarted::Done {
                    bytes,
                    count_written,
                    indicated,
                }) => {
                    if count_written {
                        // SAFETY: as above.
                        unsafe { mem::write(returned, bytes as u32)? };
                    }
                    // SAFETY: `overlapped` is not NULL, checked writable.
                    unsafe {
                        crate::ovl::complete_at_once(d, s, overlapped, 0, indicated, routine)?
                    };
                    Ok(0)
                }
                Answer::Started(IoctlStarted::Pending { error, bytes }) => {
                    // SAFETY: as above.
                    unsafe {
                        crate::ovl::complete_at_once(d, s, overlapped, error, bytes, routine)?
                    };
                    Err(WsaError::Code(WSA_IO_PENDING).into())
                }
                Answer::Started(IoctlStarted::Failed {
                    error,
                    internal_pending,
                }) => {
                    if internal_pending {
                        // SAFETY: as above; `Internal` alone is written.
                        unsafe {
                            let mut o = mem::read(overlapped.cast_const())?.expect("not NULL");
                            o.Internal = STATUS_PENDING as usize;
                            mem::write(overlapped, o)?;
                        }
                    }
                    Err(WsaError::Code(error).into())
                }
            }
        },
    )
}

/// What [`ioctl`] did.
enum Answer {
    /// Without an `OVERLAPPED`: the bytes of output.
    Direct(usize),
    /// With one: what the model (or the DLL) says.
    Started(IoctlStarted),
}

/// The ioctl itself: reads the input, asks the model (or answers from the
/// DLL), writes the output.
///
/// # Safety
/// As [`WSAIoctl`]'s.
unsafe fn ioctl(
    d: &Dll,
    s: SOCKET,
    code: u32,
    (inbuf, insize): (*const c_void, u32),
    (outbuf, outsize): (*mut c_void, u32),
    (overlapped, routine): (*mut OVERLAPPED, bool),
) -> Result<Answer, Fault> {
    let il = (insize as usize).min(MAX_VALUE);
    // SAFETY: passed on; `il` is at most `insize`.
    let input =
        unsafe { mem::bytes_at(inbuf.cast(), il) }.map_err(|f| d.known(s).err().unwrap_or(f))?;
    let room = if outbuf.is_null() {
        0
    } else {
        (outsize as usize).min(MAX_VALUE)
    };
    if !mem::writable(outbuf.cast(), room) {
        d.known(s)?;
        return Err(Fault::efault("lpvOutBuffer cannot be written"));
    }
    let mut out = vec![0u8; room];
    let windows = d.settings.profile.has(Quirk::IoctlOverlapped);
    let answer = if overlapped.is_null() {
        match d.host.wsa_ioctl(d.sock(s), code, &input, &mut out) {
            Ok(n) => Answer::Direct(n.min(room)),
            Err(WsaError::Code(e)) if dll_answers(code, &input, e) => {
                Answer::Direct(dll_answer(d, s, code, &mut out)?)
            }
            Err(e) => return Err(e.into()),
        }
    } else {
        match d
            .host
            .wsa_ioctl_overlapped(d.sock(s), code, &input, &mut out, routine)?
        {
            IoctlStarted::Done {
                bytes,
                count_written,
                indicated,
            } => Answer::Started(IoctlStarted::Done {
                bytes: bytes.min(room),
                count_written,
                indicated: indicated.min(room),
            }),
            // WIN-IOCTL-OVERLAPPED: SIO_GET_INTERFACE_LIST pends on
            // Windows and completes with the list, or with
            // STATUS_BUFFER_TOO_SMALL (sock.c:12033-12121).
            IoctlStarted::Pending { error, .. } | IoctlStarted::Failed { error, .. }
                if dll_answers(code, &input, error)
                    && windows
                    && code == SIO_GET_INTERFACE_LIST =>
            {
                match dll_answer(d, s, code, &mut out) {
                    Ok(bytes) => Answer::Started(IoctlStarted::Pending { error: 0, bytes }),
                    Err(Fault::Dll(error, _)) => {
                        return Ok(Answer::Started(IoctlStarted::Pending { error, bytes: 0 }))
                    }
                    Err(f) => return Err(f),
                }
            }
            IoctlStarted::Pending { error, .. } | IoctlStarted::Failed { error, .. }
                if dll_answers(code, &input, error) =>
            {
                let bytes = dll_answer(d, s, code, &mut out)?;
                Answer::Started(IoctlStarted::Done {
                    bytes,
                    count_written: !windows || routine,
                    indicated: bytes,
                })
            }
            other => Answer::Started(other),
        }
    };
    let n = match answer {
        Answer::Direct(n)
        | Answer::Started(IoctlStarted::Done { bytes: n, .. })
        | Answer::Started(IoctlStarted::Pending { error: 0, bytes: n }) => n,
        _ => return Ok(answer),
    };
    if code == SIO_GET_EXTENSION_FUNCTION_POINTER && n == 8 {
        if let Some(f) = super::ext::function_for(&input) {
            out[..8].copy_from_slice(&(f as u64).to_le_bytes());
        }
    }
    // The base handle is the SOCKET the program knows (the model
    // wrote its own handle for the socket; with kernel handles
    // the program's differs): mio polls it through AFD (afd.rs).
    if matches!(
        code,
        SIO_BASE_HANDLE | SIO_BSP_HANDLE | SIO_BSP_HANDLE_SELECT | SIO_BSP_HANDLE_POLL
    ) && n == 8
    {
        out[..8].copy_from_slice(&(s as u64).to_le_bytes());
    }
    // SAFETY: `n` is at most `outsize`, the buffer checked writable.
    unsafe { mem::write_bytes(outbuf.cast(), &out[..n])? };
    Ok(answer)
}

/// Whether the DLL answers an ioctl the model refused with `e`: a GUID
/// the model does not know but the DLL has a function for (`ext.rs`), or
/// `SIO_GET_INTERFACE_LIST` (from the configuration: `interface_list`).
/// (The model refuses an ioctl it does not know with `WSAEOPNOTSUPP`, as
/// Windows does: `WIN-IOCTL-EOPNOTSUPP`, or `WSAEINVAL`.)
fn dll_answers(code: u32, input: &[u8], e: i32) -> bool {
    (e == WSAEINVAL || e == WSAEOPNOTSUPP)
        && ((code == SIO_GET_EXTENSION_FUNCTION_POINTER
            && super::ext::function_for(input).is_some())
            || code == SIO_GET_INTERFACE_LIST)
}

/// The DLL's answer to an ioctl [`dll_answers`]: the bytes of `out` it
/// wrote (the function pointer itself is written by [`ioctl`]).
fn dll_answer(d: &Dll, s: SOCKET, code: u32, out: &mut [u8]) -> Result<usize, Fault> {
    if code == SIO_GET_EXTENSION_FUNCTION_POINTER {
        if out.len() < 8 {
            return Err(Fault::efault("cbOutBuffer is less than a pointer"));
        }
        d.note(format!(
            "WSAIoctl({s:#x}, SIO_GET_EXTENSION_FUNCTION_POINTER): the DLL's function"
        ));
        return Ok(8);
    }
    let list = interface_list(d);
    if out.len() < list.len() {
        return Err(Fault::efault(format!(
            "cbOutBuffer {} is less than the {} bytes of the list",
            out.len(),
            list.len()
        )));
    }
    out[..list.len()].copy_from_slice(&list);
    d.note(format!(
        "WSAIoctl({s:#x}, SIO_GET_INTERFACE_LIST): the DLL's list, {} interfaces",
        list.len() / std::mem::size_of::<INTERFACE_INFO>()
    ));
    Ok(list.len())
}

/// `SIO_GET_INTERFACE_LIST` (`_IOR('t', 127, u_long)`).
const SIO_GET_INTERFACE_LIST: u32 = 0x4004_747f;

/// The `INTERFACE_INFO` array `SIO_GET_INTERFACE_LIST` gives: the host's
/// IPv4 interfaces (`WSD_ADDRS`: up, broadcast, multicast, with their
/// netmask and directed broadcast address), then loopback (`127.0.0.1/8`,
/// up, loopback, multicast). The DLL answers it because the model does not
/// (yet): Wine's `test_get_interface_list` reads as many entries as the
/// returned size says, on every implementation (`sock.c:12024-12066`).
fn interface_list(d: &Dll) -> Vec<u8> {
    use windows_sys::Win32::Networking::WinSock::{
        IFF_BROADCAST, IFF_LOOPBACK, IFF_MULTICAST, IFF_UP,
    };
    let mut ifs: Vec<(u32, std::net::Ipv4Addr, u8)> = d
        .settings
        .addrs
        .iter()
        .filter_map(|a| {
            let (ip, len) = a.split_once('/')?;
            Some((ip.parse().ok()?, len.parse().ok()?))
        })
        .map(|(ip, len)| (IFF_UP | IFF_BROADCAST | IFF_MULTICAST, ip, len))
        .collect();
    ifs.push((
        IFF_UP | IFF_LOOPBACK | IFF_MULTICAST,
        std::net::Ipv4Addr::LOCALHOST,
        8,
    ));
    let sin = |ip: std::net::Ipv4Addr| {
        let mut b = [0u8; 24];
        b[..2].copy_from_slice(&(AF_INET as u16).to_le_bytes());
        b[4..8].copy_from_slice(&ip.octets());
        b
    };
    let mut out = Vec::new();
    for (flags, ip, len) in ifs {
        let mask = u32::MAX
            .checked_shl(32 - u32::from(len.min(32)))
            .unwrap_or(0);
        let bcast = if flags & IFF_BROADCAST != 0 {
            std::net::Ipv4Addr::from(u32::from(ip) | !mask)
        } else {
            std::net::Ipv4Addr::UNSPECIFIED
        };
        let bcast_at = std::mem::offset_of!(INTERFACE_INFO, iiBroadcastAddress);
        let mut e = vec![0u8; std::mem::size_of::<INTERFACE_INFO>()];
        e[..4].copy_from_slice(&flags.to_le_bytes());
        for (field, v) in [
            (std::mem::offset_of!(INTERFACE_INFO, iiAddress), ip),
            (
                std::mem::offset_of!(INTERFACE_INFO, iiBroadcastAddress),
                bcast,
            ),
            (
                std::mem::offset_of!(INTERFACE_INFO, iiNetmask),
                std::net::Ipv4Addr::from(mask),
            ),
        ] {
            // An interface without broadcast has no broadcast address,
            // not even its family (Wine's test_get_interface_list,
            // sock.c:12061-12068, run on Windows).
            if !v.is_unspecified() || field != bcast_at {
                e[field..field + 24].copy_from_slice(&sin(v));
            }
        }
        out.extend(e);
    }
    out
}
