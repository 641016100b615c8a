//! What an overlapped operation's status is below Winsock: the `NTSTATUS`
//! Windows leaves in `OVERLAPPED.Internal`, the Win32 error
//! `GetQueuedCompletionStatus` and `GetOverlappedResult` report for it
//! (`GetLastError`), and the Winsock code `WSAGetOverlappedResult` gives.
//!
//! libuv, mio and Go read `Internal` and the Win32 codes directly; code
//! written against the completion-port path sees `ERROR_NETNAME_DELETED`
//! where `WSARecv` would say `WSAECONNRESET`.
//!
//! ```
//! use winsock_double::ntstatus::*;
//! use winsock_double::*;
//! assert_eq!(wsa_of_status(STATUS_CONNECTION_RESET), WSAECONNRESET);
//! assert_eq!(win32_of_status(STATUS_CONNECTION_RESET), ERROR_NETNAME_DELETED);
//! assert_eq!(wsa_of_status(STATUS_PORT_UNREACHABLE), WSAECONNRESET);
//! assert_eq!(win32_of_status(STATUS_PORT_UNREACHABLE), ERROR_PORT_UNREACHABLE);
//! ```
//!
//! Sources. The `NTSTATUS` → Winsock table is the one Wine's
//! `test_WSAGetOverlappedResult` checks every status against (it writes
//! each into `OVERLAPPED.Internal` and calls `WSAGetOverlappedResult`; run
//! on Windows): `dlls/ws2_32/tests/sock.c:12400-12475` of Debian's wine
//! 8.0~repack-4, the package `scripts/wine-suite.sh` fetches. The
//! `NTSTATUS` → Win32 errors are `RtlNtStatusToDosError`'s for the
//! statuses sockets complete with
//! (<https://learn.microsoft.com/en-us/windows/win32/api/winternl/nf-winternl-rtlntstatustodoserror>),
//! as Wine's tests see them on Windows where they check one: sock.c:13315-13317
//! (a reset connection: `ERROR_NETNAME_DELETED`, `STATUS_CONNECTION_RESET`),
//! :11574-11582 (a local close: `ERROR_CONNECTION_ABORTED`,
//! `STATUS_CONNECTION_ABORTED`), :10363-10367 (a cancel:
//! `ERROR_OPERATION_ABORTED`, `STATUS_CANCELLED`), :2537 (a truncated
//! datagram: `STATUS_BUFFER_OVERFLOW`).

use super::consts::*;

/// The operation succeeded.
pub const STATUS_SUCCESS: u32 = 0;
/// The operation is still in progress (`OVERLAPPED.Internal` meanwhile).
pub const STATUS_PENDING: u32 = 0x0000_0103;
/// A datagram larger than the buffers: the part that fit was received.
pub const STATUS_BUFFER_OVERFLOW: u32 = 0x8000_0005;
/// The operation was cancelled (`CancelIoEx`, `closesocket`).
pub const STATUS_CANCELLED: u32 = 0xC000_0120;
/// The connection was aborted by the local side.
pub const STATUS_LOCAL_DISCONNECT: u32 = 0xC000_013B;
/// The peer reset the connection.
pub const STATUS_CONNECTION_RESET: u32 = 0xC000_020D;
/// The peer refused the connection.
pub const STATUS_CONNECTION_REFUSED: u32 = 0xC000_0236;
/// The peer closed its side gracefully (a message protocol).
pub const STATUS_GRACEFUL_DISCONNECT: u32 = 0xC000_0237;
/// No route to the network.
pub const STATUS_NETWORK_UNREACHABLE: u32 = 0xC000_023C;
/// No route to the host.
pub const STATUS_HOST_UNREACHABLE: u32 = 0xC000_023D;
/// An ICMP port unreachable arrived for a datagram this socket sent.
pub const STATUS_PORT_UNREACHABLE: u32 = 0xC000_023F;
/// The connection was aborted (a local close of a connected socket).
pub const STATUS_CONNECTION_ABORTED: u32 = 0xC000_0241;
/// The operation timed out.
pub const STATUS_IO_TIMEOUT: u32 = 0xC000_00B5;
/// The socket is not connected.
pub const STATUS_INVALID_CONNECTION: u32 = 0xC000_0140;
/// The operation is not supported.
pub const STATUS_NOT_SUPPORTED: u32 = 0xC000_00BB;
/// The buffer is too small for the result.
pub const STATUS_BUFFER_TOO_SMALL: u32 = 0xC000_0023;

/// `ERROR_NOT_SUPPORTED`.
pub const ERROR_NOT_SUPPORTED: u32 = 50;
/// `ERROR_NETNAME_DELETED`: what the completion-port path says for a reset
/// connection.
pub const ERROR_NETNAME_DELETED: u32 = 64;
/// `ERROR_SEM_TIMEOUT`.
pub const ERROR_SEM_TIMEOUT: u32 = 121;
/// `ERROR_INSUFFICIENT_BUFFER`.
pub const ERROR_INSUFFICIENT_BUFFER: u32 = 122;
/// `ERROR_MORE_DATA`: a truncated datagram.
pub const ERROR_MORE_DATA: u32 = 234;
/// `ERROR_OPERATION_ABORTED`: a cancelled operation.
pub const ERROR_OPERATION_ABORTED: u32 = 995;
/// `ERROR_CONNECTION_REFUSED`.
pub const ERROR_CONNECTION_REFUSED: u32 = 1225;
/// `ERROR_GRACEFUL_DISCONNECT`.
pub const ERROR_GRACEFUL_DISCONNECT: u32 = 1226;
/// `ERROR_CONNECTION_INVALID`.
pub const ERROR_CONNECTION_INVALID: u32 = 1229;
/// `ERROR_NETWORK_UNREACHABLE`.
pub const ERROR_NETWORK_UNREACHABLE: u32 = 1231;
/// `ERROR_HOST_UNREACHABLE`.
pub const ERROR_HOST_UNREACHABLE: u32 = 1232;
/// `ERROR_PORT_UNREACHABLE`: an ICMP port unreachable, on a datagram socket.
pub const ERROR_PORT_UNREACHABLE: u32 = 1234;
/// `ERROR_CONNECTION_ABORTED`: a connection closed locally.
pub const ERROR_CONNECTION_ABORTED: u32 = 1236;

/// The name of a status this module defines (`"STATUS_CANCELLED"`).
pub fn status_name(status: u32) -> Option<&'static str> {
    Some(match status {
        STATUS_SUCCESS => "STATUS_SUCCESS",
        STATUS_PENDING => "STATUS_PENDING",
        STATUS_BUFFER_OVERFLOW => "STATUS_BUFFER_OVERFLOW",
        STATUS_CANCELLED => "STATUS_CANCELLED",
        STATUS_LOCAL_DISCONNECT => "STATUS_LOCAL_DISCONNECT",
        STATUS_CONNECTION_RESET => "STATUS_CONNECTION_RESET",
        STATUS_CONNECTION_REFUSED => "STATUS_CONNECTION_REFUSED",
        STATUS_GRACEFUL_DISCONNECT => "STATUS_GRACEFUL_DISCONNECT",
        STATUS_NETWORK_UNREACHABLE => "STATUS_NETWORK_UNREACHABLE",
        STATUS_HOST_UNREACHABLE => "STATUS_HOST_UNREACHABLE",
        STATUS_PORT_UNREACHABLE => "STATUS_PORT_UNREACHABLE",
        STATUS_CONNECTION_ABORTED => "STATUS_CONNECTION_ABORTED",
        STATUS_IO_TIMEOUT => "STATUS_IO_TIMEOUT",
        STATUS_INVALID_CONNECTION => "STATUS_INVALID_CONNECTION",
        STATUS_NOT_SUPPORTED => "STATUS_NOT_SUPPORTED",
        STATUS_BUFFER_TOO_SMALL => "STATUS_BUFFER_TOO_SMALL",
        _ => return None,
    })
}

/// The Winsock code `WSAGetOverlappedResult` gives for an operation whose
/// `OVERLAPPED.Internal` is `status` (Windows' table, see the module's
/// sources): 0 for success, the mapped code for a listed failure,
/// `WSAEINVAL` for any other failure.
pub fn wsa_of_status(status: u32) -> i32 {
    match status {
        STATUS_SUCCESS => 0,
        STATUS_PENDING => WSA_IO_INCOMPLETE,
        STATUS_BUFFER_OVERFLOW => WSAEMSGSIZE,
        STATUS_CANCELLED => WSA_OPERATION_ABORTED,
        STATUS_LOCAL_DISCONNECT | STATUS_CONNECTION_ABORTED => WSAECONNABORTED,
        STATUS_CONNECTION_RESET | STATUS_PORT_UNREACHABLE => WSAECONNRESET,
        STATUS_CONNECTION_REFUSED => WSAECONNREFUSED,
        STATUS_GRACEFUL_DISCONNECT => WSAEDISCON,
        STATUS_NETWORK_UNREACHABLE => WSAENETUNREACH,
        STATUS_HOST_UNREACHABLE => WSAEHOSTUNREACH,
        STATUS_IO_TIMEOUT => WSAETIMEDOUT,
        STATUS_INVALID_CONNECTION => WSAENOTCONN,
        STATUS_NOT_SUPPORTED => WSAEOPNOTSUPP,
        STATUS_BUFFER_TOO_SMALL => WSAEFAULT,
        s => match OTHER_STATUSES.iter().find(|(st, _)| *st == s) {
            Some(&(_, code)) => code,
            None if s & 0x8000_0000 == 0 => 0,
            None => WSAEINVAL,
        },
    }
}

/// `WSAEHOSTDOWN` (10064), the code of `STATUS_HOST_DOWN` (no call of the
/// model fails with it, so `consts` does not list it).
const WSAEHOSTDOWN: i32 = 10064;

/// The rest of Windows' table (the module's sources: `sock.c:12409-12470`),
/// for statuses the model never completes with but a program may find in
/// an `OVERLAPPED` it hands to `WSAGetOverlappedResult`: (status, code).
const OTHER_STATUSES: &[(u32, i32)] = &[
    (0xC000_0002, WSAEOPNOTSUPP),    // STATUS_NOT_IMPLEMENTED
    (0xC000_0005, WSAEFAULT),        // STATUS_ACCESS_VIOLATION
    (0xC000_0007, WSAENOBUFS),       // STATUS_PAGEFILE_QUOTA
    (0xC000_0008, WSAENOTSOCK),      // STATUS_INVALID_HANDLE
    (0xC000_000E, WSAENETDOWN),      // STATUS_NO_SUCH_DEVICE
    (0xC000_000F, WSAENETDOWN),      // STATUS_NO_SUCH_FILE
    (0xC000_0017, WSAENOBUFS),       // STATUS_NO_MEMORY
    (0xC000_0018, WSAENOBUFS),       // STATUS_CONFLICTING_ADDRESSES
    (0xC000_0022, WSAEACCES),        // STATUS_ACCESS_DENIED
    (0xC000_0024, WSAENOTSOCK),      // STATUS_OBJECT_TYPE_MISMATCH
    (0xC000_0034, WSAENETDOWN),      // STATUS_OBJECT_NAME_NOT_FOUND
    (0xC000_003A, WSAENETDOWN),      // STATUS_OBJECT_PATH_NOT_FOUND
    (0xC000_0043, WSAEADDRINUSE),    // STATUS_SHARING_VIOLATION
    (0xC000_0044, WSAENOBUFS),       // STATUS_QUOTA_EXCEEDED
    (0xC000_0097, WSAENOBUFS),       // STATUS_TOO_MANY_PAGING_FILES
    (0xC000_009A, WSAENOBUFS),       // STATUS_INSUFFICIENT_RESOURCES
    (0xC000_00A1, WSAENOBUFS),       // STATUS_WORKING_SET_QUOTA
    (0xC000_00A3, WSAEWOULDBLOCK),   // STATUS_DEVICE_NOT_READY
    (0xC000_00B0, WSAESHUTDOWN),     // STATUS_PIPE_DISCONNECTED
    (0xC000_00BC, WSAECONNREFUSED),  // STATUS_REMOTE_NOT_LISTENING
    (0xC000_00BE, WSAENETUNREACH),   // STATUS_BAD_NETWORK_PATH
    (0xC000_00BF, WSAENETDOWN),      // STATUS_NETWORK_BUSY
    (0xC000_00C3, WSAENETDOWN),      // STATUS_INVALID_NETWORK_RESPONSE
    (0xC000_00C4, WSAENETDOWN),      // STATUS_UNEXPECTED_NETWORK_ERROR
    (0xC000_00D0, WSAEWOULDBLOCK),   // STATUS_REQUEST_NOT_ACCEPTED
    (0xC000_012D, WSAENOBUFS),       // STATUS_COMMITMENT_LIMIT
    (0xC000_013C, WSAECONNRESET),    // STATUS_REMOTE_DISCONNECT
    (0xC000_013D, WSAENOBUFS),       // STATUS_REMOTE_RESOURCES
    (0xC000_013E, WSAECONNRESET),    // STATUS_LINK_FAILED
    (0xC000_013F, WSAETIMEDOUT),     // STATUS_LINK_TIMEOUT
    (0xC000_0141, WSAEADDRNOTAVAIL), // STATUS_INVALID_ADDRESS
    (0xC000_0206, WSAEMSGSIZE),      // STATUS_INVALID_BUFFER_SIZE
    (0xC000_0207, WSAEADDRNOTAVAIL), // STATUS_INVALID_ADDRESS_COMPONENT
    (0xC000_0209, WSAENOBUFS),       // STATUS_TOO_MANY_ADDRESSES
    (0xC000_020A, WSAEADDRINUSE),    // STATUS_ADDRESS_ALREADY_EXISTS
    (0xC000_020C, WSAECONNRESET),    // STATUS_CONNECTION_DISCONNECTED
    (0xC000_020F, WSAECONNABORTED),  // STATUS_TRANSACTION_ABORTED
    (0xC000_023B, WSAEISCONN),       // STATUS_CONNECTION_ACTIVE
    (0xC000_023E, WSAENETUNREACH),   // STATUS_PROTOCOL_UNREACHABLE
    (0xC000_0240, WSAEINTR),         // STATUS_REQUEST_ABORTED
    (0xC000_02C5, WSAEFAULT),        // STATUS_DATATYPE_MISALIGNMENT_ERROR
    (0xC000_0350, WSAEHOSTDOWN),     // STATUS_HOST_DOWN
    // ERROR_IO_INCOMPLETE as a status of facility 7 (Win32) or 1.
    (0x8007_03E4, WSA_IO_INCOMPLETE),
    (0xC001_03E4, WSA_IO_INCOMPLETE),
    (0xC007_03E4, WSA_IO_INCOMPLETE),
];

/// The Win32 error (`GetLastError` after `GetQueuedCompletionStatus` or
/// `GetOverlappedResult`) of an operation that ended with `status`:
/// `RtlNtStatusToDosError` for the statuses sockets complete with; 0 for
/// success.
pub fn win32_of_status(status: u32) -> u32 {
    match status {
        STATUS_SUCCESS => 0,
        STATUS_PENDING => 997, // ERROR_IO_PENDING
        STATUS_BUFFER_OVERFLOW => ERROR_MORE_DATA,
        STATUS_CANCELLED => ERROR_OPERATION_ABORTED,
        STATUS_LOCAL_DISCONNECT | STATUS_CONNECTION_RESET => ERROR_NETNAME_DELETED,
        STATUS_CONNECTION_ABORTED => ERROR_CONNECTION_ABORTED,
        STATUS_PORT_UNREACHABLE => ERROR_PORT_UNREACHABLE,
        STATUS_CONNECTION_REFUSED => ERROR_CONNECTION_REFUSED,
        STATUS_GRACEFUL_DISCONNECT => ERROR_GRACEFUL_DISCONNECT,
        STATUS_NETWORK_UNREACHABLE => ERROR_NETWORK_UNREACHABLE,
        STATUS_HOST_UNREACHABLE => ERROR_HOST_UNREACHABLE,
        STATUS_IO_TIMEOUT => ERROR_SEM_TIMEOUT,
        STATUS_INVALID_CONNECTION => ERROR_CONNECTION_INVALID,
        STATUS_NOT_SUPPORTED => ERROR_NOT_SUPPORTED,
        STATUS_BUFFER_TOO_SMALL => ERROR_INSUFFICIENT_BUFFER,
        // The facility-7 (Win32) statuses carry their error in the low word.
        s if s >> 16 == 0xC007 || s >> 16 == 0x8007 => s & 0xFFFF,
        // (Another status: the model never completes with one.)
        s => s,
    }
}

/// The `NTSTATUS` an operation that ended with Winsock code `wsa` leaves
/// in `OVERLAPPED.Internal`, when only the code is known: the status that
/// Windows' table maps back to it. A datagram socket's `WSAECONNRESET` (an
/// ICMP port unreachable) is `STATUS_PORT_UNREACHABLE`: pass `datagram`.
/// A code no status maps to (`WSAENETRESET`) is carried as a facility-7
/// status (model choice: `0xC0070000 | code`).
pub fn status_of_wsa(wsa: i32, datagram: bool) -> u32 {
    match wsa {
        0 => STATUS_SUCCESS,
        WSAEMSGSIZE => STATUS_BUFFER_OVERFLOW,
        WSA_OPERATION_ABORTED => STATUS_CANCELLED,
        WSAECONNABORTED => STATUS_CONNECTION_ABORTED,
        WSAECONNRESET if datagram => STATUS_PORT_UNREACHABLE,
        WSAECONNRESET => STATUS_CONNECTION_RESET,
        WSAECONNREFUSED => STATUS_CONNECTION_REFUSED,
        WSAEDISCON => STATUS_GRACEFUL_DISCONNECT,
        WSAENETUNREACH => STATUS_NETWORK_UNREACHABLE,
        WSAEHOSTUNREACH => STATUS_HOST_UNREACHABLE,
        WSAETIMEDOUT => STATUS_IO_TIMEOUT,
        WSAENOTCONN => STATUS_INVALID_CONNECTION,
        WSAEOPNOTSUPP => STATUS_NOT_SUPPORTED,
        WSAEFAULT => STATUS_BUFFER_TOO_SMALL,
        other => 0xC007_0000 | (other as u32 & 0xFFFF),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_the_model_completes_with_has_a_name() {
        for wsa in [
            0,
            WSAEMSGSIZE,
            WSA_OPERATION_ABORTED,
            WSAECONNABORTED,
            WSAEFAULT,
        ] {
            for dgram in [false, true] {
                let s = status_of_wsa(wsa, dgram);
                assert!(status_name(s).is_some_and(|n| n.starts_with("STATUS_")));
            }
        }
        assert_eq!(status_name(0x1234), None);
    }

    /// Every status the model completes with maps back to its code, and
    /// the ones Wine's tests name have the Win32 errors they expect.
    #[test]
    fn statuses_round_trip() {
        for wsa in [
            0,
            WSAEMSGSIZE,
            WSA_OPERATION_ABORTED,
            WSAECONNABORTED,
            WSAECONNRESET,
            WSAECONNREFUSED,
            WSAEDISCON,
            WSAENETUNREACH,
            WSAEHOSTUNREACH,
            WSAETIMEDOUT,
            WSAENOTCONN,
            WSAEOPNOTSUPP,
        ] {
            for dgram in [false, true] {
                assert_eq!(wsa_of_status(status_of_wsa(wsa, dgram)), wsa, "{wsa}");
            }
        }
        assert_eq!(win32_of_status(STATUS_CONNECTION_RESET), 64);
        assert_eq!(win32_of_status(STATUS_CONNECTION_ABORTED), 1236);
        assert_eq!(win32_of_status(STATUS_CANCELLED), 995);
        assert_eq!(win32_of_status(STATUS_BUFFER_OVERFLOW), 234);
        assert_eq!(win32_of_status(STATUS_PORT_UNREACHABLE), 1234);
        // Windows' table: an unlisted failure is WSAEINVAL; the statuses
        // the model never makes have their codes too.
        assert_eq!(wsa_of_status(0xC000_0001), WSAEINVAL);
        assert_eq!(wsa_of_status(0xC000_0350), 10064);
        assert_eq!(wsa_of_status(0x8007_03E4), WSA_IO_INCOMPLETE);
        assert_eq!(wsa_of_status(0x4000_0000), 0);
        assert_eq!(status_of_wsa(WSAENETRESET, true), 0xC007_2744);
        assert_eq!(win32_of_status(0xC007_2744), WSAENETRESET as u32);
    }
}
