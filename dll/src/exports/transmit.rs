//! `TransmitFile` (`WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER,
//! WSAID_TRANSMITFILE)`): the head buffer, the file's bytes and the tail
//! buffer sent on a connected stream socket with the model's `send`.
//!
//! The file is the program's own (a kernel handle the DLL reads with the
//! real `ReadFile`): without an `OVERLAPPED` from its current position,
//! which the read moves; with one from the `OVERLAPPED`'s offset, the
//! file position untouched by TransmitFile's own rule ("the Offset and
//! OffsetHigh members of the OVERLAPPED structure ... specify the byte
//! offset within the file at which to start", TransmitFile's page).
//! `nNumberOfBytesToWrite` 0 is the whole file (from there).
//!
//! Without an `OVERLAPPED` the call returns when all is sent (`TRUE`);
//! with one it returns `FALSE` with `ERROR_IO_PENDING` and its
//! completion already delivered, the byte count the head, file and tail
//! together (as `ConnectEx` does: the completion may come at any time
//! after the call starts). `TF_DISCONNECT` then shuts the sending side
//! down. A socket that is not a connected stream socket is
//! `WSAENOTCONN` (sock.c:9475-9481 and 9589-9594 of Wine 8.0, run on
//! Windows: one never connected, a datagram socket); `nNumberOfBytesPerSend`
//! is the transport's affair (the model sends as it sends).
//!
//! Source: TransmitFile
//! (<https://learn.microsoft.com/en-us/windows/win32/api/mswsock/nf-mswsock-transmitfile>);
//! Wine's `test_TransmitFile` (sock.c:9438-9597) for what Windows does.

use crate::calls::Dll;
use crate::fault::Fault;
use crate::frame::run;
use crate::mem;
use windows_sys::Win32::Foundation::HANDLE;
use windows_sys::Win32::Networking::WinSock::{SOCKET, TRANSMIT_FILE_BUFFERS};
use windows_sys::Win32::System::IO::OVERLAPPED;
use winsock_model::contract::{
    SD_SEND, SOCK_STREAM, SOL_SOCKET, SO_TYPE, WSAENOTCONN, WSAEOPNOTSUPP, WSA_IO_PENDING,
};
use winsock_model::{Winsock, WsaBuf, WsaError};

/// `TF_DISCONNECT`.
const TF_DISCONNECT: u32 = 0x01;

/// The bytes `TransmitFile` sends: the head, the file's part, the tail.
///
/// # Safety
/// `buffers` is `NULL` or valid for a `TRANSMIT_FILE_BUFFERS` whose
/// buffers are valid for their lengths.
unsafe fn gather(
    file: HANDLE,
    bytes: u32,
    offset: Option<u64>,
    buffers: *const TRANSMIT_FILE_BUFFERS,
) -> Result<Vec<u8>, Fault> {
    // SAFETY: passed on.
    let b = unsafe { mem::read(buffers)? };
    let part = |p: *const std::ffi::c_void, n: u32| -> Result<Vec<u8>, Fault> {
        // SAFETY: the buffer the program gave, for its length.
        unsafe { mem::bytes_at(p.cast(), n as usize) }
    };
    let mut out = match &b {
        Some(b) => part(b.Head, b.HeadLength)?,
        None => Vec::new(),
    };
    if !file.is_null() {
        out.extend(read_file(file, bytes, offset)?);
    }
    if let Some(b) = &b {
        out.extend(part(b.Tail, b.TailLength)?);
    }
    Ok(out)
}

/// The file's bytes: `bytes` of them (0: to its end) from `offset`, or
/// from the file position when `None`.
#[cfg(windows)]
fn read_file(file: HANDLE, bytes: u32, offset: Option<u64>) -> Result<Vec<u8>, Fault> {
    use windows_sys::Win32::Foundation::{GetLastError, ERROR_HANDLE_EOF, ERROR_IO_PENDING};
    use windows_sys::Win32::Storage::FileSystem::ReadFile;
    use windows_sys::Win32::System::IO::GetOverlappedResult;
    let want = if bytes == 0 {
        usize::MAX
    } else {
        bytes as usize
    };
    let mut out = Vec::new();
    let mut at = offset;
    let mut chunk = vec![0u8; 64 * 1024];
    while out.len() < want {
        let n = chunk.len().min(want - out.len()) as u32;
        let mut got = 0u32;
        // SAFETY: OVERLAPPED is plain data; zero is its empty value.
        let mut ov: OVERLAPPED = unsafe { std::mem::zeroed() };
        let ovp = match at {
            Some(o) => {
                ov.Anonymous.Anonymous.Offset = o as u32;
                ov.Anonymous.Anonymous.OffsetHigh = (o >> 32) as u32;
                &mut ov as *mut OVERLAPPED
            }
            None => std::ptr::null_mut(),
        };
        // SAFETY: the program's file handle (the kernel checks it);
        // `chunk` is valid for `n` bytes, `got` for a u32, `ov` lives
        // across the call and the wait for it.
        let ok = unsafe { ReadFile(file, chunk.as_mut_ptr(), n, &mut got, ovp) } != 0;
        if !ok {
            // SAFETY: reads the thread's last error.
            let e = unsafe { GetLastError() };
            let waited = e == ERROR_IO_PENDING
                && !ovp.is_null()
                // SAFETY: the read just started on `ov`, still alive.
                && unsafe { GetOverlappedResult(file, ovp, &mut got, 1) } != 0;
            if !waited {
                // SAFETY: as above.
                let e = unsafe { GetLastError() };
                if e == ERROR_HANDLE_EOF {
                    break;
                }
                return Err(Fault::Dll(e as i32, "the file cannot be read".into()));
            }
        }
        if got == 0 {
            break;
        }
        out.extend_from_slice(&chunk[..got as usize]);
        at = at.map(|o| o + u64::from(got));
    }
    Ok(out)
}

/// No files off Windows: a file handle is `WSAEOPNOTSUPP` there.
#[cfg(not(windows))]
fn read_file(_file: HANDLE, _bytes: u32, _offset: Option<u64>) -> Result<Vec<u8>, Fault> {
    Err(Fault::NotModelled(
        "TransmitFile of a file (no files off Windows)".into(),
    ))
}

/// `TransmitFile`.
///
/// # Safety
/// `buffers` is `NULL` or valid for a `TRANSMIT_FILE_BUFFERS` (its
/// buffers for their lengths); `ovl` is `NULL` or valid for an
/// `OVERLAPPED`.
pub unsafe extern "system" fn TransmitFile(
    s: SOCKET,
    file: HANDLE,
    bytes: u32,
    _per_send: u32,
    ovl: *mut OVERLAPPED,
    buffers: *const TRANSMIT_FILE_BUFFERS,
    flags: u32,
) -> i32 {
    run(
        "TransmitFile",
        |_| 0,
        || format!("{s:#x}, {bytes}, {flags:#x}"),
        |d| {
            d.known(s)?;
            let sock = d.sock(s);
            let stream =
                d.host.get_sock_opt_int(sock, SOL_SOCKET, SO_TYPE).ok() == Some(SOCK_STREAM);
            if !stream || d.host.getpeername(sock).is_err() {
                return Err(Fault::Dll(
                    WSAENOTCONN,
                    "not a connected stream socket".into(),
                ));
            }
            let offset = if ovl.is_null() {
                None
            } else {
                // SAFETY: passed on (`NULL` was handled).
                let o = unsafe { mem::read(ovl.cast_const())? }.expect("not NULL");
                // SAFETY: the offset view of the union is two u32s.
                let (lo, hi) = unsafe {
                    (
                        o.Anonymous.Anonymous.Offset,
                        o.Anonymous.Anonymous.OffsetHigh,
                    )
                };
                Some(u64::from(lo) | (u64::from(hi) << 32))
            };
            // SAFETY: passed on.
            let data = unsafe { gather(file, bytes, offset, buffers)? };
            let begun = if ovl.is_null() {
                None
            } else {
                let b = crate::ovl::begin(d, s, ovl, None)?;
                let id = b.id;
                crate::ovl::register_own(d, s, b, None);
                Some(id)
            };
            let r = send_all(d, sock, &data).and_then(|n| {
                if flags & TF_DISCONNECT != 0 {
                    d.host.shutdown(sock, SD_SEND)?;
                }
                Ok(n)
            });
            match begun {
                None => r.map(|_| 1).map_err(Fault::from),
                Some(id) => {
                    let (error, n) = match r {
                        Ok(n) => (0, n),
                        Err(e) => (e.code().unwrap_or(WSAEOPNOTSUPP), 0),
                    };
                    crate::accept::complete(d, id, error, n);
                    Err(WsaError::Code(WSA_IO_PENDING).into())
                }
            }
        },
    )
}

/// Sends all of `data` (the model's `WSASend` again after a partial
/// send): the bytes sent.
fn send_all(d: &Dll, sock: winsock_model::Socket, data: &[u8]) -> Result<u32, WsaError> {
    let mut at = 0;
    while at < data.len() {
        let mut n = 0u32;
        d.host
            .wsa_send(sock, &[WsaBuf::from(data[at..].to_vec())], Some(&mut n), 0)?;
        if n == 0 {
            // A stream send moves at least a byte or fails; never loop.
            return Err(WsaError::Code(winsock_model::contract::WSAENOBUFS));
        }
        at += n as usize;
    }
    Ok(at as u32)
}
