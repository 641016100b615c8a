//! The program's ntdll imports that reach AFD (`afd.rs`): mio 1.x calls
//! `NtCreateFile` (to open `\Device\Afd\Mio`; `NtOpenFile` opens it too),
//! `NtDeviceIoControlFile`
//! (`IOCTL_AFD_POLL`) and `NtCancelIoFileEx` through windows-sys, whose
//! `link!` makes them entries of the exe's import table under
//! `ntdll.dll`. At the first `WSAStartup` (after `iocp::install`) those
//! entries are pointed at the functions below, as `iocp.rs` does for
//! kernel32's; every call that is not for the DLL goes to the real
//! function unchanged.

use crate::afd;
use crate::calls::{dll_if_made, in_model};
use crate::iocp::{patch_imports, real, Hook};
use std::sync::atomic::Ordering;

static HOOKS: [Hook; 4] = [
    Hook::new(c"NtCreateFile"),
    Hook::new(c"NtDeviceIoControlFile"),
    Hook::new(c"NtCancelIoFileEx"),
    Hook::new(c"NtOpenFile"),
];

/// kernel32's `CloseHandle`: an AFD handle's end (its polls cancelled,
/// the DLL forgets it, so that a later object given the same handle
/// value is not taken for it).
static CLOSE: Hook = Hook::new(c"CloseHandle");

/// Points the main program's ntdll import entries of [`HOOKS`] at the
/// DLL's functions; once per process.
pub(crate) fn install() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        use windows_sys::Win32::System::LibraryLoader::{GetModuleHandleA, GetProcAddress};
        let ours = [
            nt_create_file as *const () as usize,
            nt_device_io_control_file as *const () as usize,
            nt_cancel_io_file_ex as *const () as usize,
            nt_open_file as *const () as usize,
        ];
        // SAFETY: a NUL-terminated name; ntdll is loaded in every process.
        let nt = unsafe { GetModuleHandleA(c"ntdll.dll".as_ptr().cast()) };
        // SAFETY: as above.
        let k32 = unsafe { GetModuleHandleA(c"kernel32.dll".as_ptr().cast()) };
        let mut pairs = vec![];
        let all = HOOKS.iter().map(|h| (nt, h)).chain([(k32, &CLOSE)]);
        let ours = ours.into_iter().chain([close_handle as *const () as usize]);
        for ((module, h), ours) in all.zip(ours) {
            // SAFETY: a module handle and a NUL-terminated name.
            let Some(p) = (unsafe { GetProcAddress(module, h.name.as_ptr().cast()) }) else {
                continue;
            };
            h.real.store(p as usize, Ordering::Release);
            pairs.push((p as usize, ours));
        }
        // SAFETY: NULL names the main program's module, loaded for the
        // process's life.
        let base = unsafe { GetModuleHandleA(std::ptr::null()) } as usize;
        // SAFETY: `base` is a loaded image; patch_imports reads its
        // headers and writes only import-table slots.
        let n = unsafe { patch_imports(base, &pairs) };
        if let Some(d) = dll_if_made() {
            d.note(format!(
                "ntdll (and CloseHandle) import entries of the program pointed at the DLL: {n}"
            ));
        }
    });
}

/// `NtCreateFile`: the real call; a `\Device\Afd` path the program opened
/// (the device's real handle: closing it, associating it with a port and
/// its completion modes are the kernel's) is noted as an AFD handle whose
/// polls the DLL answers.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe extern "system" fn nt_create_file(
    handle: *mut usize,
    access: u32,
    attrs: *const u8,
    iosb: *mut u8,
    size: *mut i64,
    file_attrs: u32,
    share: u32,
    disposition: u32,
    options: u32,
    ea: *mut u8,
    ea_len: u32,
) -> u32 {
    type F = unsafe extern "system" fn(
        *mut usize,
        u32,
        *const u8,
        *mut u8,
        *mut i64,
        u32,
        u32,
        u32,
        u32,
        *mut u8,
        u32,
    ) -> u32;
    // SAFETY: the real function's signature; the program's call, passed
    // on unchanged.
    let st = unsafe {
        real::<F>(&HOOKS[0])(
            handle,
            access,
            attrs,
            iosb,
            size,
            file_attrs,
            share,
            disposition,
            options,
            ea,
            ea_len,
        )
    };
    // SAFETY: probed reads of the program's OBJECT_ATTRIBUTES (the name
    // at 16), UNICODE_STRING (length at 0, buffer at 8) and handle.
    let afd_path = unsafe { object_name(attrs) }.is_some_and(|n| afd::is_afd_path(&n));
    if st == 0 && afd_path {
        // SAFETY: the call succeeded, so `handle` holds the new handle.
        if let Ok(Some(h)) = unsafe { crate::mem::read(handle) } {
            afd::opened(h);
            if let Some(d) = dll_if_made() {
                d.note("NtCreateFile(\\Device\\Afd): an AFD handle, its polls the DLL's".into());
            }
        }
    }
    st
}

/// `NtOpenFile` (Wine's afd.c:202-205 opens `\Device\Afd\deadbeef` so):
/// the real call; an AFD path it opened is noted as for [`nt_create_file`].
pub(crate) unsafe extern "system" fn nt_open_file(
    handle: *mut usize,
    access: u32,
    attrs: *const u8,
    iosb: *mut u8,
    share: u32,
    options: u32,
) -> u32 {
    type F = unsafe extern "system" fn(*mut usize, u32, *const u8, *mut u8, u32, u32) -> u32;
    // SAFETY: the real function's signature; the program's call, passed
    // on unchanged.
    let st = unsafe { real::<F>(&HOOKS[3])(handle, access, attrs, iosb, share, options) };
    // SAFETY: as in nt_create_file.
    let afd_path = unsafe { object_name(attrs) }.is_some_and(|n| afd::is_afd_path(&n));
    if st == 0 && afd_path {
        // SAFETY: the call succeeded, so `handle` holds the new handle.
        if let Ok(Some(h)) = unsafe { crate::mem::read(handle) } {
            afd::opened(h);
            if let Some(d) = dll_if_made() {
                d.note("NtOpenFile(\\Device\\Afd): an AFD handle, its polls the DLL's".into());
            }
        }
    }
    st
}

/// The name of an `OBJECT_ATTRIBUTES` without a root directory.
///
/// # Safety
/// `attrs` is `NULL` or the program's `OBJECT_ATTRIBUTES`; reads are
/// probed.
unsafe fn object_name(attrs: *const u8) -> Option<Vec<u16>> {
    use crate::mem::{bytes_at, read};
    // SAFETY: probed reads (the caller's promise for the layout).
    unsafe {
        let root = read(attrs.add(8) as *const usize).ok()??;
        let name = read(attrs.add(16) as *const usize).ok()??;
        if root != 0 || name == 0 {
            return None;
        }
        let len = read(name as *const u16).ok()?? as usize;
        let buf = read((name + 8) as *const usize).ok()??;
        let b = bytes_at(buf as *const u8, len.min(512)).ok()?;
        Some(
            b.chunks(2)
                .map(|c| u16::from_le_bytes([c[0], c.get(1).copied().unwrap_or(0)]))
                .collect(),
        )
    }
}

/// `NtDeviceIoControlFile`: `IOCTL_AFD_POLL` on an AFD handle of the
/// program's or one of the DLL's sockets is the DLL's (`afd::poll`), so is
/// `IOCTL_AFD_RECV` on one of the DLL's sockets (`afd_recv::ioctl`), and
/// `IOCTL_AFD_BIND` and `IOCTL_AFD_GETSOCKNAME` (`afd_bind::ioctl`),
/// `IOCTL_AFD_EVENT_SELECT` and `IOCTL_AFD_GET_EVENTS`
/// (`afd_events::ioctl`); any
/// other control code on an AFD handle is not modelled
/// (`STATUS_NOT_SUPPORTED`); everything else is the real call.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe extern "system" fn nt_device_io_control_file(
    file: usize,
    event: usize,
    apc: usize,
    apc_context: usize,
    iosb: usize,
    code: u32,
    input: usize,
    in_len: u32,
    out: usize,
    out_len: u32,
) -> u32 {
    type F = unsafe extern "system" fn(
        usize,
        usize,
        usize,
        usize,
        usize,
        u32,
        usize,
        u32,
        usize,
        u32,
    ) -> u32;
    let d = dll_if_made();
    let device = afd::is_device(file);
    let socket = d.is_some_and(|d| d.known(file).is_ok());
    match d {
        Some(d) if (device || socket) && code == afd::IOCTL_AFD_POLL => {
            let _m = in_model(d);
            crate::settle::settle(d);
            let r = afd::Request {
                file,
                event,
                apc,
                apc_context,
                iosb,
                input,
                in_len,
                out,
                out_len,
            };
            // SAFETY: the program's pointers, probed by afd::poll.
            unsafe { afd::poll(d, r) }
        }
        Some(d) if socket && code == crate::afd_recv::IOCTL_AFD_RECV => {
            let r = afd::Request {
                file,
                event,
                apc,
                apc_context,
                iosb,
                input,
                in_len,
                out,
                out_len,
            };
            // SAFETY: the program's pointers, probed by afd_recv::ioctl.
            unsafe { crate::afd_recv::ioctl(d, &r) }
        }
        Some(d)
            if socket
                && (code == crate::afd_bind::IOCTL_AFD_BIND
                    || code == crate::afd_bind::IOCTL_AFD_GETSOCKNAME) =>
        {
            let r = afd::Request {
                file,
                event,
                apc,
                apc_context,
                iosb,
                input,
                in_len,
                out,
                out_len,
            };
            // SAFETY: the program's pointers, probed by afd_bind::ioctl.
            unsafe { crate::afd_bind::ioctl(d, code, &r) }
        }
        Some(d)
            if socket
                && (code == crate::afd_events::IOCTL_AFD_EVENT_SELECT
                    || code == crate::afd_events::IOCTL_AFD_GET_EVENTS) =>
        {
            let r = afd::Request {
                file,
                event,
                apc,
                apc_context,
                iosb,
                input,
                in_len,
                out,
                out_len,
            };
            // SAFETY: the program's pointers, probed by afd_events::ioctl.
            unsafe { crate::afd_events::ioctl(d, code, &r) }
        }
        Some(d) if device => {
            d.note(format!(
                "NtDeviceIoControlFile({code:#x}) on an AFD handle: not modelled"
            ));
            afd::STATUS_NOT_SUPPORTED
        }
        // SAFETY: the real function's signature; the program's call.
        _ => unsafe {
            real::<F>(&HOOKS[1])(
                file,
                event,
                apc,
                apc_context,
                iosb,
                code,
                input,
                in_len,
                out,
                out_len,
            )
        },
    }
}

/// `NtCancelIoFileEx`: the DLL's polls of an AFD handle or socket end
/// with `STATUS_CANCELLED` (`afd::cancel`); everything else is the real
/// call.
pub(crate) unsafe extern "system" fn nt_cancel_io_file_ex(
    file: usize,
    iosb: usize,
    out: *mut u8,
) -> u32 {
    type F = unsafe extern "system" fn(usize, usize, *mut u8) -> u32;
    if let Some(d) = dll_if_made() {
        let _m = in_model(d);
        if let Some(st) = afd::cancel(d, file, iosb) {
            if st == afd::STATUS_SUCCESS {
                // SAFETY: the program's IO_STATUS_BLOCK for the
                // cancellation, probed.
                let _ = unsafe { crate::mem::write_bytes(out, &[0u8; 16]) };
            }
            return st;
        }
    }
    // SAFETY: the real function's signature; the program's call.
    unsafe { real::<F>(&HOOKS[2])(file, iosb, out) }
}

/// `CloseHandle`: for an AFD handle of the program's, its outstanding
/// polls end first with `STATUS_CANCELLED` (the I/O manager cancels a
/// handle's requests when it is closed) and the DLL forgets it; then,
/// for every handle, the real call.
pub(crate) unsafe extern "system" fn close_handle(h: usize) -> i32 {
    type F = unsafe extern "system" fn(usize) -> i32;
    if afd::is_device(h) {
        if let Some(d) = dll_if_made() {
            let _m = in_model(d);
            afd::cancel(d, h, 0);
        }
        afd::closed(h);
    }
    // SAFETY: the real function's signature; the program's call.
    unsafe { real::<F>(&CLOSE)(h) }
}
