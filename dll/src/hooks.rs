//! Hooks of the program's imports: a [`Hook`] names a function of
//! another module and keeps its real address; [`patch_imports`] points
//! the program's import-table entries of such functions at the DLL's. The
//! hooks themselves: kernel32's in `iocp.rs`, ntdll's in `ntdll.rs`,
//! user32's in `winmsg.rs`.

use std::sync::atomic::{AtomicUsize, Ordering};

/// The functions replaced, by name, with the real function's address
/// (filled by [`install`]).
pub(crate) struct Hook {
    /// The function's name.
    pub(crate) name: &'static std::ffi::CStr,
    /// The real function's address (0 until found).
    pub(crate) real: AtomicUsize,
}

impl Hook {
    /// The hook of the function `name`, its real function not found yet.
    pub(crate) const fn new(name: &'static std::ffi::CStr) -> Hook {
        Hook {
            name,
            real: AtomicUsize::new(0),
        }
    }
}

/// The real function of hook `h`, as type `F`.
///
/// # Safety
/// `F` is the function's signature; the hook was installed (its real
/// function found).
pub(crate) unsafe fn real<F: Copy>(h: &Hook) -> F {
    let p = h.real.load(Ordering::Acquire);
    assert!(p != 0, "{:?} was hooked without its real function", h.name);
    // SAFETY: `p` is the address GetProcAddress gave for the name, whose
    // signature `F` is (the caller's promise); F is a function pointer.
    unsafe { std::mem::transmute_copy::<usize, F>(&p) }
}

/// Replaces every import-table slot of the image at `base` that holds one
/// of `pairs`' first addresses with its second; returns how many.
///
/// # Safety
/// `base` is a loaded PE32+ image whose imports the loader has bound.
pub(crate) unsafe fn patch_imports(base: usize, pairs: &[(usize, usize)]) -> usize {
    use windows_sys::Win32::System::Memory::{VirtualProtect, PAGE_READWRITE};
    // SAFETY (for the reads below): the headers and the import directory
    // of a loaded image are mapped readable; the offsets are the PE32+
    // format's: e_lfanew at 0x3c; the import directory (data directory 1)
    // at 24 + 112 + 8 bytes into the NT headers; descriptors of 20 bytes
    // ending with a zero one; FirstThunk at 16 in each; 8-byte slots
    // ending with a zero one.
    let rd32 = |p: usize| unsafe { (p as *const u32).read_unaligned() } as usize;
    let nt = base + rd32(base + 0x3c);
    let import_rva = rd32(nt + 24 + 112 + 8);
    if import_rva == 0 {
        return 0;
    }
    let mut n = 0;
    let mut desc = base + import_rva;
    loop {
        let (name, first) = (rd32(desc + 12), rd32(desc + 16));
        if name == 0 && first == 0 {
            break;
        }
        let mut slot = base + first;
        loop {
            // SAFETY: a slot of the bound import table (mapped readable).
            let v = unsafe { (slot as *const usize).read_unaligned() };
            if v == 0 {
                break;
            }
            if let Some(&(_, ours)) = pairs.iter().find(|(real, _)| *real == v) {
                let mut old = 0u32;
                // SAFETY: the slot is 8 bytes of the image; its protection
                // is made writable for the write and restored after.
                unsafe {
                    if VirtualProtect(slot as *const _, 8, PAGE_READWRITE, &mut old) != 0 {
                        (slot as *mut usize).write_unaligned(ours);
                        VirtualProtect(slot as *const _, 8, old, &mut old);
                        n += 1;
                    }
                }
            }
            slot += 8;
        }
        desc += 20;
    }
    n
}
