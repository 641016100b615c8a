//! `WSAStartup`, `WSACleanup` and the last error.

use crate::fault::Fault;
use crate::frame::run;
use crate::os;
use windows_sys::Win32::Networking::WinSock::WSADATA;
use winsock_model::contract::WSAEFAULT;
use winsock_model::Winsock;

/// `WSAStartup`: starts the library for the process (the model's host);
/// returns 0 or the error code, which it also leaves as the last error.
/// `WSADATA` gets the version agreed and the highest one, the
/// description (`winsock-double model`) and `Running` as system status;
/// `iMaxSockets` and `iMaxUdpDg` are 0 and `lpVendorInfo` is `NULL`
/// (model choice: the documentation tells version 2 callers to ignore
/// them).
///
/// # Safety
/// `data` is `NULL` or valid for writes of a `WSADATA`.
#[export_name = "wsd_WSAStartup"]
pub unsafe extern "system" fn WSAStartup(version: u16, data: *mut WSADATA) -> i32 {
    run(
        "WSAStartup",
        |c| c,
        || format!("{version:#06x}"),
        |d| {
            if !crate::mem::writable(data.cast(), std::mem::size_of::<WSADATA>()) {
                // WSAStartup: "WSAEFAULT: The lpWSAData parameter is not a
                // valid pointer."
                return Err(Fault::Dll(
                    WSAEFAULT,
                    "lpWSAData is NULL or cannot be written".into(),
                ));
            }
            let w = d.host.wsa_startup(version)?;
            d.state.lock().startups += 1;
            // Completion ports on sockets: the program's kernel32 imports
            // (iocp.rs), once.
            #[cfg(windows)]
            crate::iocp::install();
            // mio's AFD polls: the program's ntdll imports (ntdll.rs).
            #[cfg(windows)]
            crate::ntdll::install();
            let mut out = WSADATA {
                wVersion: w.version,
                wHighVersion: w.high_version,
                iMaxSockets: 0,
                iMaxUdpDg: 0,
                lpVendorInfo: std::ptr::null_mut(),
                szDescription: [0; 257],
                szSystemStatus: [0; 129],
            };
            for (o, b) in out
                .szDescription
                .iter_mut()
                .zip(w.description.bytes().take(256))
            {
                *o = b as i8;
            }
            for (o, b) in out.szSystemStatus.iter_mut().zip(b"Running".iter()) {
                *o = *b as i8;
            }
            // SAFETY: checked writable above.
            unsafe { crate::mem::write(data, out)? };
            Ok(0)
        },
    )
}

/// `WSACleanup`: one user fewer; the last one closes every socket (their
/// handles are freed) and writes the trace (`WSD_TRACE`).
#[export_name = "wsd_WSACleanup"]
pub extern "system" fn WSACleanup() -> i32 {
    run(
        "WSACleanup",
        |_| -1,
        String::new,
        |d| {
            if d.state.lock().startups == 1 {
                // The last one: pending AcceptEx operations end too.
                crate::accept::abort(d, None);
            }
            d.host.wsa_cleanup()?;
            let last = {
                let mut st = d.state.lock();
                st.startups = st.startups.saturating_sub(1);
                if st.startups == 0 {
                    st.handles.clear();
                }
                st.startups == 0
            };
            if last {
                // The sockets are closed: their selections with them.
                *d.netsel.lock() = Default::default();
            }
            if last {
                d.write_trace();
            }
            Ok(0)
        },
    )
}

/// `WSAGetLastError`: the thread's last error (`GetLastError`).
#[export_name = "wsd_WSAGetLastError"]
pub extern "system" fn WSAGetLastError() -> i32 {
    os::last_error() as i32
}

/// `WSASetLastError`: sets the thread's last error (`SetLastError`).
#[export_name = "wsd_WSASetLastError"]
pub extern "system" fn WSASetLastError(code: i32) {
    os::set_last_error(code as u32);
}
