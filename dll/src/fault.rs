//! Why an exported call failed: the model's answer, the DLL's own check
//! of the call's arguments, or a part not modelled. Every layer returns
//! it, from the reads of program memory (`mem.rs`) up to the exports;
//! it imports nothing of the crate's.

use winsock_model::contract::WsaError;

/// Why a call failed.
#[derive(Debug)]
pub(crate) enum Fault {
    /// The model's answer: a Winsock code or a report.
    Model(WsaError),
    /// The DLL's own check, with what it found (the model never saw the
    /// call): a NULL pointer, a length too short.
    Dll(i32, String),
    /// Part of a modelled export that is not modelled yet (an overlapped
    /// argument, a condition function): `WSAEOPNOTSUPP`.
    NotModelled(String),
}

impl From<WsaError> for Fault {
    fn from(e: WsaError) -> Fault {
        Fault::Model(e)
    }
}

impl Fault {
    /// The DLL's check for a NULL or short pointer: `WSAEFAULT`.
    pub(crate) fn efault(what: impl Into<String>) -> Fault {
        Fault::Dll(winsock_model::contract::WSAEFAULT, what.into())
    }
}
