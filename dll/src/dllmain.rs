//! `DllMain`: writes the trace when the DLL is unloaded (at process
//! exit, for a program that never called `WSACleanup` last).

use std::ffi::c_void;

/// `DLL_PROCESS_DETACH`.
const DLL_PROCESS_DETACH: u32 = 0;

/// The entry point the C runtime's DLL start-up calls.
///
/// At process exit the other threads are gone, and one of them may have
/// been inside the model, holding its lock: while an exported call was
/// under way the trace is written only if no lock is held
/// (`Dll::write_trace_at_exit`).
#[no_mangle]
pub extern "system" fn DllMain(_inst: *mut c_void, reason: u32, _reserved: *mut c_void) -> i32 {
    if reason == DLL_PROCESS_DETACH {
        if let Some(d) = crate::calls::dll_if_made() {
            if crate::calls::busy() {
                d.write_trace_at_exit();
            } else {
                d.write_trace();
            }
        }
    }
    1
}
