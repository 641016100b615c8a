//! Memory for faulty arguments: a buffer whose claimed length runs past its
//! end is placed so that the excess falls into a no-access guard page.
//! Windows' own probe of the range then reports `WSAEFAULT`, and no memory
//! outside the buffer is ever read or written.

use std::ptr;
use windows_sys::Win32::System::Memory::{
    VirtualAlloc, VirtualFree, VirtualProtect, MEM_COMMIT, MEM_RELEASE, MEM_RESERVE, PAGE_NOACCESS,
    PAGE_PROTECTION_FLAGS, PAGE_READWRITE,
};
use windows_sys::Win32::System::SystemInformation::{GetSystemInfo, SYSTEM_INFO};

fn page_size() -> usize {
    let mut si: SYSTEM_INFO = SYSTEM_INFO::default();
    // SAFETY: GetSystemInfo writes one SYSTEM_INFO into the valid, aligned,
    // exclusively borrowed struct it is given, and has no other effect.
    unsafe { GetSystemInfo(&mut si) };
    si.dwPageSize.max(4096) as usize
}

/// `len` readable and writable bytes that end exactly where a no-access
/// page begins.
pub(crate) struct Guarded {
    base: *mut u8,
    data: *mut u8,
    len: usize,
}

impl Guarded {
    /// A region holding a copy of `content`, followed by the guard page.
    pub(crate) fn new(content: &[u8]) -> std::io::Result<Guarded> {
        let page = page_size();
        let data_pages = content.len().div_ceil(page).max(1);
        let total = (data_pages + 1) * page;
        // SAFETY: reserving and committing fresh pages has no precondition; a
        // null result is checked below.
        let base =
            unsafe { VirtualAlloc(ptr::null(), total, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE) }
                as *mut u8;
        if base.is_null() {
            return Err(std::io::Error::last_os_error());
        }
        let mut old: PAGE_PROTECTION_FLAGS = 0;
        // SAFETY: `base + data_pages * page` is the start of the last page of
        // the region just allocated, and `page` bytes from there stay inside
        // it; `old` is a valid out-pointer.
        let ok = unsafe {
            VirtualProtect(
                base.add(data_pages * page).cast(),
                page,
                PAGE_NOACCESS,
                &mut old,
            )
        };
        if ok == 0 {
            let e = std::io::Error::last_os_error();
            // SAFETY: `base` came from VirtualAlloc and is released once.
            unsafe { VirtualFree(base.cast(), 0, MEM_RELEASE) };
            return Err(e);
        }
        // SAFETY: `data_pages * page >= content.len()`, so `data` and the
        // `content.len()` bytes after it lie in the read-write pages, ending
        // where the guard page starts.
        let data = unsafe { base.add(data_pages * page - content.len()) };
        // SAFETY: `data` points to `content.len()` writable bytes of our own
        // allocation, which cannot overlap `content`.
        unsafe { ptr::copy_nonoverlapping(content.as_ptr(), data, content.len()) };
        Ok(Guarded {
            base,
            data,
            len: content.len(),
        })
    }

    /// The start of the usable bytes (what goes into a `WSABUF` or name
    /// pointer).
    pub(crate) fn ptr(&self) -> *mut u8 {
        self.data
    }

    /// The usable bytes, as Windows left them.
    pub(crate) fn bytes(&self) -> &[u8] {
        // SAFETY: `data` points to `len` initialised bytes of our own
        // read-write allocation, alive as long as `self`.
        unsafe { std::slice::from_raw_parts(self.data, self.len) }
    }
}

impl Drop for Guarded {
    fn drop(&mut self) {
        // SAFETY: `base` came from VirtualAlloc and is released exactly once;
        // no pointer into the region outlives `self` (callers copy out).
        unsafe { VirtualFree(self.base.cast(), 0, MEM_RELEASE) };
    }
}
