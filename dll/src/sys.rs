//! The modelled exports under windows-sys's names and signatures, with
//! windows-sys's WinSock types and constants beside them (issue 20, build
//! item 1): code written on `windows_sys::Win32::Networking::WinSock`
//! runs on the model, on Linux too, by swapping that one import for this
//! module (`winsock_double::sys` with the `sys` feature). A function
//! that is not modelled keeps windows-sys's declaration (calling it on
//! Linux fails to link); the extension functions (`AcceptEx`, `ConnectEx`,
//! `WSARecvMsg`, ...) come through `WSAIoctl`'s
//! `SIO_GET_EXTENSION_FUNCTION_POINTER`, as on Windows. The calls share
//! the process-wide model the DLL makes from the environment at the first
//! call (docs/dll.md, "Configuration").

pub use windows_sys::Win32::Networking::WinSock::*;

// Every export the table marks modelled (a test compares the lists).
pub use crate::{
    __WSAFDIsSet, accept, bind, closesocket, connect, freeaddrinfo, getaddrinfo, gethostbyaddr,
    gethostbyname, gethostname, getpeername, getsockname, getsockopt, htonl, htons, inet_addr,
    inet_ntoa, inet_ntop, inet_pton, ioctlsocket, listen, ntohl, ntohs, recv, recvfrom, select,
    send, sendto, setsockopt, shutdown, socket, FreeAddrInfoEx, FreeAddrInfoExW, FreeAddrInfoW,
    GetAddrInfoExCancel, GetAddrInfoExOverlappedResult, GetAddrInfoExW, GetAddrInfoW, GetHostNameW,
    InetNtopW, InetPtonW, WSAAccept, WSAAddressToStringA, WSAAddressToStringW, WSAAsyncSelect,
    WSACleanup, WSACloseEvent, WSAConnect, WSACreateEvent, WSADuplicateSocketA,
    WSADuplicateSocketW, WSAEnumNetworkEvents, WSAEnumProtocolsA, WSAEnumProtocolsW,
    WSAEventSelect, WSAGetLastError, WSAGetOverlappedResult, WSAHtonl, WSAHtons, WSAIoctl,
    WSANtohl, WSANtohs, WSAPoll, WSARecv, WSARecvFrom, WSAResetEvent, WSASend, WSASendMsg,
    WSASendTo, WSASetEvent, WSASetLastError, WSASocketA, WSASocketW, WSAStartup,
    WSAStringToAddressA, WSAStringToAddressW, WSAWaitForMultipleEvents,
};

#[cfg(test)]
mod tests {
    use crate::table::{Answer, EXPORTS};

    #[test]
    fn every_modelled_export_is_here_and_no_other() {
        let src = include_str!("sys.rs");
        let list = &src[src.find("pub use crate::{").expect("the list")..];
        let list = &list[..list.find("};").expect("its end")];
        let mut here: Vec<&str> = list
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty() && !["pub", "use", "crate"].contains(w))
            .collect();
        let mut modelled: Vec<&str> = EXPORTS
            .iter()
            .filter(|e| e.answer == Answer::Modelled)
            .map(|e| e.name)
            .collect();
        here.sort_unstable();
        modelled.sort_unstable();
        assert_eq!(here, modelled);
    }

    #[test]
    fn windows_sys_code_runs_on_the_model_through_this_module() {
        // As code written on windows-sys calls it (this module's names).
        use super::*;
        let _g = crate::calls::TEST_LOCK.lock();
        // SAFETY: the calls' contracts: a WSADATA to write, then buffers
        // valid for the lengths given.
        unsafe {
            let mut data: WSADATA = std::mem::zeroed();
            assert_eq!(WSAStartup(0x0202, &mut data), 0);
            let s = socket(AF_INET as i32, SOCK_DGRAM, IPPROTO_UDP);
            assert_ne!(s, INVALID_SOCKET);
            let mut addr: SOCKADDR_IN = std::mem::zeroed();
            addr.sin_family = AF_INET;
            addr.sin_addr.S_un.S_addr = u32::from_ne_bytes([127, 0, 0, 1]);
            let len = std::mem::size_of::<SOCKADDR_IN>() as i32;
            assert_eq!(bind(s, (&raw const addr).cast(), len), 0);
            let mut me: SOCKADDR_IN = std::mem::zeroed();
            let mut me_len = len;
            assert_eq!(getsockname(s, (&raw mut me).cast(), &mut me_len), 0);
            assert_ne!(me.sin_port, 0);
            let sent = sendto(s, b"self".as_ptr(), 4, 0, (&raw const me).cast(), len);
            assert_eq!(sent, 4);
            let mut buf = [0u8; 8];
            assert_eq!(recv(s, buf.as_mut_ptr(), 8, 0), 4);
            assert_eq!(&buf[..4], b"self");
            assert_eq!(closesocket(s), 0);
            assert_eq!(WSACleanup(), 0);
        }
    }
}
