//! `WSAIoctl` given an `OVERLAPPED`: what the call does with it. The ioctl
//! itself is the non-overlapped one (`sockopt.rs`); this decides how its
//! result is indicated.
//!
//! Sources: the WSAIoctl page ("If an overlapped operation completes
//! immediately, WSAIoctl returns a value of zero and the lpcbBytesReturned
//! parameter is updated with the number of bytes in the output buffer"),
//! <https://learn.microsoft.com/en-us/windows/win32/api/winsock2/nf-winsock2-wsaioctl>;
//! and where Windows goes beyond it, Wine's `test_keepalive_vals` and
//! `test_unsupported_ioctls` (`WIN-IOCTL-OVERLAPPED`).

use super::host::{c, SimHost};
use super::net::HostId;
use super::world::World;
use crate::contract::consts::{FIONREAD, SIOCATMARK, SIO_BASE_HANDLE, WSAEOPNOTSUPP};
use crate::contract::overlapped::IoctlStarted;
use crate::contract::quirks::Quirk;
use crate::contract::types::Socket;
use crate::contract::WsaError;

impl World {
    /// The overlapped `WSAIoctl` of `s` (see [`IoctlStarted`]).
    pub(crate) fn wsa_ioctl_overlapped(
        &mut self,
        host: HostId,
        s: u64,
        code: u32,
        input: &[u8],
        output: &mut [u8],
        routine: bool,
    ) -> Result<IoctlStarted, i32> {
        self.check_sock(host, s)?;
        let windows = self.quirk(Quirk::IoctlOverlapped);
        // WIN-IOCTL-OVERLAPPED: SIO_BASE_HANDLE with an OVERLAPPED is not
        // supported: it pends and completes with WSAEOPNOTSUPP, the
        // handle not written (sock.c:5772-5815).
        if windows && code == SIO_BASE_HANDLE {
            return Ok(IoctlStarted::Pending {
                error: WSAEOPNOTSUPP,
                bytes: 0,
            });
        }
        Ok(match self.wsa_ioctl(host, s, code, input, output) {
            // WIN-IOCTL-OVERLAPPED: the count is written only with a
            // completion routine (sock.c:5458-5461 against 5499-5503).
            // FIONREAD and SIOCATMARK (answered by ws2_32 itself on
            // Windows) write the count and indicate 0 bytes
            // (sock.c:5141-5170).
            Ok(bytes) if windows && matches!(code, FIONREAD | SIOCATMARK) => IoctlStarted::Done {
                bytes,
                count_written: true,
                indicated: 0,
            },
            Ok(bytes) => IoctlStarted::Done {
                bytes,
                count_written: !windows || routine,
                indicated: bytes,
            },
            // WIN-IOCTL-OVERLAPPED: an ioctl the provider does not support
            // pends and completes with the error.
            Err(WSAEOPNOTSUPP) if windows => IoctlStarted::Pending {
                error: WSAEOPNOTSUPP,
                bytes: 0,
            },
            Err(error) => IoctlStarted::Failed {
                error,
                internal_pending: windows,
            },
        })
    }
}

impl SimHost {
    /// [`crate::contract::WinsockOverlapped::wsa_ioctl_overlapped`].
    pub(super) fn ioctl_overlapped(
        &self,
        s: Socket,
        code: u32,
        input: &[u8],
        output: &mut [u8],
        routine: bool,
    ) -> Result<IoctlStarted, WsaError> {
        let h = self.host;
        let (il, ol) = (input.len(), output.len());
        let r = if routine { " +routine" } else { "" };
        self.call(
            "WSAIoctl",
            || format!("{:#x}, {code:#x}, in={il}, out={ol}, overlapped{r}", s.0),
            |w| {
                let s = w.handles.id(s.0);
                c(w.wsa_ioctl_overlapped(h, s, code, input, output, routine))
            },
        )
    }
}
