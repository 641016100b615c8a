//! Reading and writing the caller's memory: the C arguments become the
//! model's argument types and the model's results go back.
//!
//! What is checked: `NULL` pointers and lengths, as Winsock reports them
//! (`WSAEFAULT`), either here or by the model (which sees a `NULL` as
//! `None` and a length as the length); and, before any byte is read or
//! written, that the memory is there (`os::accessible`: committed, with
//! the access the copy needs), as the kernel probes a user buffer before
//! Winsock copies it. A bad pointer is then `WSAEFAULT`, never an access
//! violation in the DLL: Wine's conformance tests pass `(char *)1` as an
//! option value and expect `WSAEFAULT` on Windows
//! (`dlls/ws2_32/tests/sock.c:1409-1415` of Wine 8.0). What is not
//! checked: memory that another thread unmaps between the probe and the
//! copy. The DLL never reads more of a socket address than a
//! `SOCKADDR_STORAGE` (128 bytes).

use crate::fault::Fault;
use crate::os;
use windows_sys::Win32::Networking::WinSock::{FD_SET, SOCKADDR, WSABUF};
use winsock_model::contract::SOCKADDR_STORAGE_SIZE;
use winsock_model::{NameBuf, WsaBuf};

/// `WSAEFAULT` for `len` bytes at `p` that cannot be read.
fn check_read(p: *const u8, len: usize, what: &str) -> Result<(), Fault> {
    if os::accessible(p as usize, len, false) {
        Ok(())
    } else {
        Err(Fault::efault(format!(
            "{what}: {len} bytes at {p:p} cannot be read"
        )))
    }
}

/// `WSAEFAULT` for `len` bytes at `p` that cannot be written.
fn check_write(p: *const u8, len: usize, what: &str) -> Result<(), Fault> {
    if os::accessible(p as usize, len, true) {
        Ok(())
    } else {
        Err(Fault::efault(format!(
            "{what}: {len} bytes at {p:p} cannot be written"
        )))
    }
}

/// Whether `len` bytes at `p` can be written (`NULL` cannot, unless
/// `len` is 0).
pub(crate) fn writable(p: *const u8, len: usize) -> bool {
    len == 0 || (!p.is_null() && os::accessible(p as usize, len, true))
}

/// The bytes at `p`, `len` of them (none for `NULL`); `WSAEFAULT` when
/// they cannot be read.
///
/// # Safety
/// Memory found readable stays so during the copy.
pub(crate) unsafe fn bytes_at(p: *const u8, len: usize) -> Result<Vec<u8>, Fault> {
    if p.is_null() || len == 0 {
        return Ok(Vec::new());
    }
    check_read(p, len, "buffer")?;
    // SAFETY: `len` bytes at `p` are readable (checked), `p` is not NULL;
    // the slice lives only for the copy.
    Ok(unsafe { std::slice::from_raw_parts(p, len) }.to_vec())
}

/// Copies `src` to `p` (nothing for `NULL` or no bytes); `WSAEFAULT` when
/// the memory cannot be written.
///
/// # Safety
/// `p` is the caller's buffer for at least `src.len()` bytes; memory found
/// writable stays so during the copy.
pub(crate) unsafe fn write_bytes(p: *mut u8, src: &[u8]) -> Result<(), Fault> {
    if src.is_empty() || p.is_null() {
        return Ok(());
    }
    check_write(p, src.len(), "buffer")?;
    // SAFETY: checked writable; the model's buffer and the caller's memory
    // do not overlap.
    unsafe { std::ptr::copy_nonoverlapping(src.as_ptr(), p, src.len()) };
    Ok(())
}

/// A socket address argument to send to or bind (`name`, `namelen`): `NULL`
/// stays `NULL` for the model's checks; at most 128 bytes are read.
///
/// # Safety
/// As [`bytes_at`].
pub(crate) unsafe fn name_in(p: *const SOCKADDR, namelen: i32) -> Result<NameBuf, Fault> {
    if p.is_null() {
        return Ok(NameBuf::null(namelen));
    }
    if namelen < 0 {
        return Ok(NameBuf {
            namelen,
            mem: Some(Vec::new()),
        });
    }
    let n = (namelen as usize).min(SOCKADDR_STORAGE_SIZE);
    Ok(NameBuf {
        namelen: n as i32,
        // SAFETY: passed on; `n` is at most `namelen`.
        mem: Some(unsafe { bytes_at(p.cast(), n)? }),
    })
}

/// The room for an address a call writes (`name`, `*namelen`): `NULL`
/// pointers as the model sees them; a room longer than 128 bytes is
/// offered as 128. `WSAEFAULT` when the length cannot be read or the room
/// cannot be written.
///
/// # Safety
/// As [`read`] and [`bytes_at`].
pub(crate) unsafe fn name_room(p: *mut SOCKADDR, lenp: *const i32) -> Result<NameBuf, Fault> {
    // SAFETY: passed on.
    let len = unsafe { read(lenp)? }.unwrap_or(0);
    Ok(match (p.is_null(), lenp.is_null()) {
        (true, _) => NameBuf::null(len),
        // A buffer without its length: the model sees a room of 0.
        (false, true) => NameBuf::room(0),
        (false, false) if len < 0 => NameBuf {
            namelen: len,
            mem: Some(Vec::new()),
        },
        (false, false) => {
            let n = (len as usize).min(SOCKADDR_STORAGE_SIZE);
            check_write(p.cast(), n, "address")?;
            NameBuf::room(n)
        }
    })
}

/// Writes an address the model filled in back: the bytes written (at most
/// the room) and the length.
///
/// # Safety
/// As [`name_room`].
pub(crate) unsafe fn name_back(
    p: *mut SOCKADDR,
    lenp: *mut i32,
    nb: &NameBuf,
) -> Result<(), Fault> {
    if p.is_null() || lenp.is_null() {
        return Ok(());
    }
    if let Some(m) = &nb.mem {
        let n = (nb.namelen.max(0) as usize).min(m.len());
        // SAFETY: `n` is at most the room the caller gave (`m` was made
        // with at most `*lenp` bytes).
        unsafe { write_bytes(p.cast(), &m[..n])? };
    }
    // SAFETY: passed on.
    unsafe { write(lenp, nb.namelen) }
}

/// Writes `addr` into (`p`, `*lenp`) as `getsockname` and `accept` do:
/// `WSAEFAULT` when the room is too small (nothing is written then) or
/// cannot be written.
///
/// # Safety
/// As [`name_room`].
pub(crate) unsafe fn addr_out(
    p: *mut SOCKADDR,
    lenp: *mut i32,
    addr: &std::net::SocketAddr,
) -> Result<(), Fault> {
    if p.is_null() || lenp.is_null() {
        return Err(Fault::efault("name or namelen is NULL"));
    }
    let enc = winsock_model::contract::addr::encode(addr);
    // SAFETY: passed on.
    let room = unsafe { read(lenp)? }.unwrap_or(0);
    if room < enc.len() as i32 {
        return Err(Fault::efault(format!(
            "namelen {room} is less than the {} bytes of the address",
            enc.len()
        )));
    }
    check_write(lenp.cast(), 4, "namelen")?;
    // SAFETY: passed on; `enc` is shorter than the room.
    unsafe {
        write_bytes(p.cast(), &enc)?;
        write(lenp, enc.len() as i32)
    }
}

/// The `WSABUF` array (`lpBuffers`, `dwBufferCount`) of a send, with the
/// bytes copied: a `NULL` array with buffers is `WSAEFAULT`, so is one
/// (or a buffer) that cannot be read; a `NULL` `buf` goes to the model as
/// `NULL`.
///
/// # Safety
/// As [`bytes_at`].
pub(crate) unsafe fn bufs_in(p: *const WSABUF, count: u32) -> Result<Vec<WsaBuf>, Fault> {
    // SAFETY: passed on.
    let arr = unsafe { wsabufs(p, count)? };
    arr.iter()
        .map(|b| {
            Ok(if b.buf.is_null() {
                WsaBuf::null(b.len)
            } else {
                // SAFETY: passed on.
                WsaBuf::from(unsafe { bytes_at(b.buf, b.len as usize)? })
            })
        })
        .collect()
}

/// Room for a receive: one zeroed buffer of each `WSABUF`'s length (a
/// `NULL` `buf` goes to the model as `NULL`); `WSAEFAULT` when the array
/// cannot be read or a buffer cannot be written.
///
/// # Safety
/// As [`bytes_at`].
pub(crate) unsafe fn bufs_room(p: *const WSABUF, count: u32) -> Result<Vec<WsaBuf>, Fault> {
    // SAFETY: passed on.
    let arr = unsafe { wsabufs(p, count)? };
    arr.iter()
        .map(|b| {
            if b.buf.is_null() {
                return Ok(WsaBuf::null(b.len));
            }
            check_write(b.buf, b.len as usize, "WSABUF")?;
            Ok(WsaBuf::zeroed(b.len as usize))
        })
        .collect()
}

/// Copies the first `n` received bytes from the model's buffers back into
/// the caller's, in array order.
///
/// # Safety
/// As [`bufs_room`], which succeeded for the same array.
pub(crate) unsafe fn bufs_back(
    p: *const WSABUF,
    count: u32,
    bufs: &[WsaBuf],
    mut n: usize,
) -> Result<(), Fault> {
    // SAFETY: passed on.
    let arr = unsafe { wsabufs(p, count)? };
    for (user, model) in arr.iter().zip(bufs) {
        if n == 0 {
            break;
        }
        let take = n.min(model.bytes().len()).min(user.len as usize);
        // SAFETY: `take` is at most the caller's `len` for this buffer.
        unsafe { write_bytes(user.buf, &model.bytes()[..take])? };
        n -= take;
    }
    Ok(())
}

/// The caller's `WSABUF` array as (address, length) pairs: what an
/// overlapped receive keeps, since Windows lets the array itself go when
/// the call returns ("the Winsock service provider ... capture[s] the
/// WSABUF structures before returning from this call", `WSARecv`'s page).
///
/// # Safety
/// As [`bytes_at`].
pub(crate) unsafe fn bufs_list(p: *const WSABUF, count: u32) -> Result<Vec<(usize, u32)>, Fault> {
    // SAFETY: passed on.
    let arr = unsafe { wsabufs(p, count)? };
    Ok(arr.iter().map(|b| (b.buf as usize, b.len)).collect())
}

/// [`bufs_back`] into buffers kept by [`bufs_list`].
///
/// # Safety
/// The buffers are the caller's, which stay valid while the operation is
/// pending (Windows asks the same); each is probed before it is written.
pub(crate) unsafe fn bufs_back_list(
    list: &[(usize, u32)],
    bufs: &[WsaBuf],
    mut n: usize,
) -> Result<(), Fault> {
    for (&(p, len), model) in list.iter().zip(bufs) {
        if n == 0 {
            break;
        }
        let take = n.min(model.bytes().len()).min(len as usize);
        // SAFETY: `take` is at most the caller's `len` for this buffer;
        // write_bytes probes it.
        unsafe { write_bytes(p as *mut u8, &model.bytes()[..take])? };
        n -= take;
    }
    Ok(())
}

/// A copy of the caller's `WSABUF` array.
///
/// # Safety
/// As [`bytes_at`].
unsafe fn wsabufs(p: *const WSABUF, count: u32) -> Result<Vec<WSABUF>, Fault> {
    if count == 0 {
        return Ok(Vec::new());
    }
    if p.is_null() {
        return Err(Fault::efault(format!(
            "lpBuffers is NULL with {count} buffers"
        )));
    }
    let size = (count as usize).saturating_mul(std::mem::size_of::<WSABUF>());
    check_read(p.cast(), size, "lpBuffers")?;
    // SAFETY: `count` WSABUFs at `p` are readable (checked); read one by
    // one, unaligned.
    Ok((0..count as usize)
        .map(|i| unsafe { p.wrapping_add(i).read_unaligned() })
        .collect())
}

/// Reads a `T` through a pointer that may be `NULL` (`None` then);
/// `WSAEFAULT` when it cannot be read.
///
/// # Safety
/// As [`bytes_at`].
pub(crate) unsafe fn read<T: Copy>(p: *const T) -> Result<Option<T>, Fault> {
    if p.is_null() {
        return Ok(None);
    }
    check_read(p.cast(), std::mem::size_of::<T>(), "argument")?;
    // SAFETY: checked readable, not NULL.
    Ok(Some(unsafe { p.read_unaligned() }))
}

/// Writes through a pointer that may be `NULL` (then nothing happens);
/// `WSAEFAULT` when it cannot be written.
///
/// # Safety
/// `p` is `NULL` or the caller's room for a `T`.
pub(crate) unsafe fn write<T>(p: *mut T, v: T) -> Result<(), Fault> {
    if p.is_null() {
        return Ok(());
    }
    check_write(p.cast(), std::mem::size_of::<T>(), "argument")?;
    // SAFETY: checked writable, not NULL.
    unsafe { p.write_unaligned(v) };
    Ok(())
}

/// The units of a NUL-terminated string of `T` at `p` (without the NUL);
/// `WSAEFAULT` when it runs into memory that cannot be read. Read a page
/// at a time.
///
/// # Safety
/// As [`bytes_at`].
pub(crate) unsafe fn c_units<T: Copy + Default + PartialEq>(p: *const T) -> Result<Vec<T>, Fault> {
    const PAGE: usize = 4096;
    let unit = std::mem::size_of::<T>();
    let mut out = Vec::new();
    let mut at = p as usize;
    loop {
        // The rest of this page, in whole units.
        let room = (PAGE - at % PAGE).max(unit) / unit;
        check_read(at as *const u8, room * unit, "string")?;
        for i in 0..room {
            // SAFETY: within the units found readable.
            let c = unsafe { (at as *const T).wrapping_add(i).read_unaligned() };
            if c == T::default() {
                return Ok(out);
            }
            out.push(c);
        }
        at += room * unit;
    }
}

/// The most handles an `fd_set` or a `WSAPOLLFD` array may hold here
/// (model choice: Windows reads `fd_count` entries, beyond `FD_SETSIZE`
/// too, Wine's `test_select` passes 200; a count past this is taken for
/// garbage and refused, rather than read).
pub(crate) const MAX_HANDLES: usize = 65_536;

/// The handles of an `fd_set` (`fd_count`, then `fd_array`): `None` for
/// `NULL`, `WSAEFAULT` for a count over [`MAX_HANDLES`] or a set that
/// cannot be read. Only `fd_count` entries are read (a set may end right
/// after them: sock.c's page-pair test puts `fd_array[1]` on a page that
/// cannot be read).
///
/// # Safety
/// As [`bytes_at`].
pub(crate) unsafe fn fd_set_in(p: *const FD_SET) -> Result<Option<Vec<usize>>, Fault> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: passed on (the count is the first field).
    let n = unsafe { read(p.cast::<u32>())? }.unwrap_or(0) as usize;
    if n > MAX_HANDLES {
        return Err(Fault::efault(format!("fd_count {n} is past {MAX_HANDLES}")));
    }
    let arr = fd_array(p.cast_mut());
    check_read(arr.cast(), n * std::mem::size_of::<usize>(), "fd_array")?;
    // SAFETY: `n` entries at `fd_array` are readable (checked; they may
    // run past the struct's 64); read one by one, unaligned.
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
/// `p` is the caller's set, which held at least `handles.len()` entries.
pub(crate) unsafe fn fd_set_out(p: *mut FD_SET, handles: &[usize]) -> Result<(), Fault> {
    if p.is_null() {
        return Ok(());
    }
    let arr = fd_array(p);
    check_write(p.cast(), 4, "fd_count")?;
    check_write(arr.cast(), std::mem::size_of_val(handles), "fd_array")?;
    // SAFETY: checked writable: the count (the first field) and
    // `handles.len()` entries at `fd_array`.
    unsafe {
        p.cast::<u32>().write_unaligned(handles.len() as u32);
        for (i, h) in handles.iter().enumerate() {
            arr.wrapping_add(i).write_unaligned(*h);
        }
    }
    Ok(())
}

/// Where an `fd_set`'s `fd_array` begins (computed, not read: the set may
/// be shorter than the struct).
fn fd_array(p: *mut FD_SET) -> *mut usize {
    let at = std::mem::offset_of!(FD_SET, fd_array);
    p.cast::<u8>().wrapping_add(at).cast()
}
