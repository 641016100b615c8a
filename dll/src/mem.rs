//! Reading and writing the caller's memory: the C arguments become the
//! model's argument types and the model's results go back.
//!
//! What is checked: `NULL` pointers and lengths, as Winsock reports them
//! (`WSAEFAULT`), either here or by the model (which sees a `NULL` as
//! `None` and a length as the length). What cannot be checked from here:
//! whether a non-`NULL` pointer points at memory as long as its length
//! says. The DLL trusts it (a wild pointer crashes the program, as it
//! would crash inside a real Winsock's copy), and it never reads more of
//! a socket address than a `SOCKADDR_STORAGE` (128 bytes).

use crate::calls::Fault;
use windows_sys::Win32::Networking::WinSock::{SOCKADDR, WSABUF};
use winsock_model::contract::SOCKADDR_STORAGE_SIZE;
use winsock_model::{NameBuf, WsaBuf};

/// The bytes at `p`, `len` of them.
///
/// # Safety
/// `p` is valid for reads of `len` bytes (or `len` is 0).
pub(crate) unsafe fn bytes_at(p: *const u8, len: usize) -> Vec<u8> {
    if p.is_null() || len == 0 {
        return Vec::new();
    }
    // SAFETY: the caller promises `len` readable bytes at `p`, which is
    // not NULL; the slice lives only for the copy.
    unsafe { std::slice::from_raw_parts(p, len) }.to_vec()
}

/// Copies `src` to `p`.
///
/// # Safety
/// `p` is valid for writes of `src.len()` bytes.
pub(crate) unsafe fn write_bytes(p: *mut u8, src: &[u8]) {
    if src.is_empty() || p.is_null() {
        return;
    }
    // SAFETY: the caller promises `src.len()` writable bytes at `p`; the
    // model's buffer and the caller's memory do not overlap.
    unsafe { std::ptr::copy_nonoverlapping(src.as_ptr(), p, src.len()) }
}

/// A socket address argument to send to or bind (`name`, `namelen`): `NULL`
/// stays `NULL` for the model's checks; at most 128 bytes are read.
///
/// # Safety
/// A non-`NULL` `p` is valid for reads of `namelen` bytes.
pub(crate) unsafe fn name_in(p: *const SOCKADDR, namelen: i32) -> NameBuf {
    if p.is_null() {
        return NameBuf::null(namelen);
    }
    if namelen < 0 {
        return NameBuf {
            namelen,
            mem: Some(Vec::new()),
        };
    }
    let n = (namelen as usize).min(SOCKADDR_STORAGE_SIZE);
    NameBuf {
        namelen: n as i32,
        // SAFETY: `n` is at most `namelen`, which the caller promises.
        mem: Some(unsafe { bytes_at(p.cast(), n) }),
    }
}

/// The room for an address a call writes (`name`, `*namelen`): `NULL`
/// pointers as the model sees them; a room longer than 128 bytes is
/// offered as 128.
///
/// # Safety
/// A non-`NULL` `lenp` is valid for reads of an `int`.
pub(crate) unsafe fn name_room(p: *mut SOCKADDR, lenp: *const i32) -> NameBuf {
    let len = if lenp.is_null() {
        0
    } else {
        // SAFETY: not NULL, and the caller promises an int there.
        unsafe { lenp.read_unaligned() }
    };
    match (p.is_null(), lenp.is_null()) {
        (true, _) => NameBuf::null(len),
        // A buffer without its length: the model sees a room of 0.
        (false, true) => NameBuf::room(0),
        (false, false) if len < 0 => NameBuf {
            namelen: len,
            mem: Some(Vec::new()),
        },
        (false, false) => NameBuf::room((len as usize).min(SOCKADDR_STORAGE_SIZE)),
    }
}

/// Writes an address the model filled in back: the bytes written (at most
/// the room) and the length.
///
/// # Safety
/// As for [`name_room`], and `p` is valid for writes of `*lenp` bytes.
pub(crate) unsafe fn name_back(p: *mut SOCKADDR, lenp: *mut i32, nb: &NameBuf) {
    if p.is_null() || lenp.is_null() {
        return;
    }
    if let Some(m) = &nb.mem {
        let n = (nb.namelen.max(0) as usize).min(m.len());
        // SAFETY: `n` is at most the room the caller gave (`m` was made
        // with at most `*lenp` bytes).
        unsafe { write_bytes(p.cast(), &m[..n]) };
    }
    // SAFETY: not NULL; the caller promises an int there.
    unsafe { lenp.write_unaligned(nb.namelen) };
}

/// Writes `addr` into (`p`, `*lenp`) as `getsockname` and `accept` do:
/// `WSAEFAULT` when the room is too small (nothing is written then).
///
/// # Safety
/// `p` and `lenp` are `NULL` or valid: `*lenp` bytes at `p`.
pub(crate) unsafe fn addr_out(
    p: *mut SOCKADDR,
    lenp: *mut i32,
    addr: &std::net::SocketAddr,
) -> Result<(), Fault> {
    if p.is_null() || lenp.is_null() {
        return Err(Fault::efault("name or namelen is NULL"));
    }
    let enc = winsock_model::contract::addr::encode(addr);
    // SAFETY: not NULL; the caller promises an int there.
    let room = unsafe { lenp.read_unaligned() };
    if room < enc.len() as i32 {
        return Err(Fault::efault(format!(
            "namelen {room} is less than the {} bytes of the address",
            enc.len()
        )));
    }
    // SAFETY: `room` bytes are writable at `p`, and `enc` is shorter.
    unsafe {
        write_bytes(p.cast(), &enc);
        lenp.write_unaligned(enc.len() as i32);
    }
    Ok(())
}

/// The `WSABUF` array (`lpBuffers`, `dwBufferCount`) of a send, with the
/// bytes copied: a `NULL` array with buffers is `WSAEFAULT`; a `NULL`
/// `buf` goes to the model as `NULL`.
///
/// # Safety
/// A non-`NULL` `p` is valid for `count` `WSABUF`s, each of whose `buf` is
/// `NULL` or valid for reads of its `len`.
pub(crate) unsafe fn bufs_in(p: *const WSABUF, count: u32) -> Result<Vec<WsaBuf>, Fault> {
    // SAFETY: passed on from the caller.
    let arr = unsafe { wsabufs(p, count)? };
    Ok(arr
        .iter()
        .map(|b| {
            if b.buf.is_null() {
                WsaBuf::null(b.len)
            } else {
                // SAFETY: the caller promises `len` readable bytes at `buf`.
                WsaBuf::from(unsafe { bytes_at(b.buf, b.len as usize) })
            }
        })
        .collect())
}

/// Room for a receive: one zeroed buffer of each `WSABUF`'s length (a
/// `NULL` `buf` goes to the model as `NULL`).
///
/// # Safety
/// As for [`bufs_in`] (the buffers are not read).
pub(crate) unsafe fn bufs_room(p: *const WSABUF, count: u32) -> Result<Vec<WsaBuf>, Fault> {
    // SAFETY: passed on from the caller.
    let arr = unsafe { wsabufs(p, count)? };
    Ok(arr
        .iter()
        .map(|b| {
            if b.buf.is_null() {
                WsaBuf::null(b.len)
            } else {
                WsaBuf::zeroed(b.len as usize)
            }
        })
        .collect())
}

/// Copies the first `n` received bytes from the model's buffers back into
/// the caller's, in array order.
///
/// # Safety
/// As for [`bufs_in`], the buffers valid for writes.
pub(crate) unsafe fn bufs_back(p: *const WSABUF, count: u32, bufs: &[WsaBuf], mut n: usize) {
    // SAFETY: passed on from the caller; it succeeded before.
    let Ok(arr) = (unsafe { wsabufs(p, count) }) else {
        return;
    };
    for (user, model) in arr.iter().zip(bufs) {
        if n == 0 {
            break;
        }
        let take = n.min(model.bytes().len()).min(user.len as usize);
        // SAFETY: `take` is at most the caller's `len` for this buffer.
        unsafe { write_bytes(user.buf, &model.bytes()[..take]) };
        n -= take;
    }
}

/// The caller's `WSABUF` array.
///
/// # Safety
/// A non-`NULL` `p` is valid for `count` `WSABUF`s that stay unchanged
/// while the slice lives (the call).
unsafe fn wsabufs<'a>(p: *const WSABUF, count: u32) -> Result<&'a [WSABUF], Fault> {
    if count == 0 {
        return Ok(&[]);
    }
    if p.is_null() {
        return Err(Fault::efault(format!(
            "lpBuffers is NULL with {count} buffers"
        )));
    }
    // SAFETY: the caller promises `count` WSABUFs at `p` (aligned: they
    // come from C code that made a WSABUF array).
    Ok(unsafe { std::slice::from_raw_parts(p, count as usize) })
}

/// Reads an `int` argument through a pointer that may be `NULL`.
///
/// # Safety
/// A non-`NULL` `p` is valid for reads of a `T`.
pub(crate) unsafe fn read<T: Copy>(p: *const T) -> Option<T> {
    // SAFETY: checked for NULL; the caller promises a T there.
    (!p.is_null()).then(|| unsafe { p.read_unaligned() })
}

/// Writes through a pointer that may be `NULL` (then nothing happens).
///
/// # Safety
/// A non-`NULL` `p` is valid for writes of a `T`.
pub(crate) unsafe fn write<T>(p: *mut T, v: T) {
    if !p.is_null() {
        // SAFETY: checked for NULL; the caller promises room for a T.
        unsafe { p.write_unaligned(v) }
    }
}

/// The most handles an `fd_set` or a `WSAPOLLFD` array may hold here
/// (model choice: Windows reads `fd_count` entries, beyond `FD_SETSIZE`
/// too, Wine's `test_select` passes 200; a count past this is taken for
/// garbage and refused, rather than read).
pub(crate) const MAX_HANDLES: usize = 65_536;

/// The handles of an `fd_set` (`fd_count`, then `fd_array`): `None` for
/// `NULL`, `Err` for a count over [`MAX_HANDLES`]. Only `fd_count`
/// entries are read (a set may end right after them: sock.c's page-pair
/// test puts `fd_array[1]` on a page that cannot be read).
///
/// # Safety
/// A non-`NULL` `p` is valid for reads of its `fd_count` and that many
/// `SOCKET`s of `fd_array`.
pub(crate) unsafe fn fd_set_in(
    p: *const windows_sys::Win32::Networking::WinSock::FD_SET,
) -> Result<Option<Vec<usize>>, Fault> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: not NULL; the caller promises the count there (the first
    // field).
    let n = unsafe { p.cast::<u32>().read_unaligned() } as usize;
    if n > MAX_HANDLES {
        return Err(Fault::efault(format!("fd_count {n} is past {MAX_HANDLES}")));
    }
    let arr = fd_array(p.cast_mut());
    // SAFETY: the caller promises `n` entries at `fd_array` (which may run
    // past the struct's 64); read one by one, unaligned.
    Ok(Some(
        (0..n)
            .map(|i| unsafe { arr.wrapping_add(i).read_unaligned() })
            .collect(),
    ))
}

/// Writes `handles` into the `fd_set` at `p`: `fd_count` and the first
/// entries of `fd_array` (those after are left as they were).
///
/// # Safety
/// `p` is valid for writes of `fd_count` and `handles.len()` entries (no
/// more than the caller's set held on input).
pub(crate) unsafe fn fd_set_out(
    p: *mut windows_sys::Win32::Networking::WinSock::FD_SET,
    handles: &[usize],
) {
    if p.is_null() {
        return;
    }
    let arr = fd_array(p);
    // SAFETY: the caller promises room for the count (the first field) and
    // `handles.len()` entries at `fd_array`.
    unsafe {
        p.cast::<u32>().write_unaligned(handles.len() as u32);
        for (i, h) in handles.iter().enumerate() {
            arr.wrapping_add(i).write_unaligned(*h);
        }
    }
}

/// Where an `fd_set`'s `fd_array` begins (computed, not read: the set may
/// be shorter than the struct).
fn fd_array(p: *mut windows_sys::Win32::Networking::WinSock::FD_SET) -> *mut usize {
    let at = std::mem::offset_of!(windows_sys::Win32::Networking::WinSock::FD_SET, fd_array);
    p.cast::<u8>().wrapping_add(at).cast()
}
