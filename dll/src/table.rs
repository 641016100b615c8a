// The export table of the DLL: every export of Wine 8.0's
// `dlls/ws2_32/ws2_32.spec`, in its order, with the ordinal the spec fixes
// (Microsoft's: the Winsock 1.1 functions 1-23, 51-57, 101-116, 151 and
// WEP at 500) or none (imported by name; their numbers changed between
// Windows versions: Windows 2000's table had WSApSetPostRoutine at 24 and
// WSAAccept at 26, which later versions gave to other functions, so no
// importer can rely on one).
//
// This file is shared: the library declares it as `table` and build.rs
// includes it to write the `.def` file and the stubs of the exports that
// are not modelled yet. It holds items only (no inner attributes).

/// How a function that is not modelled fails: its failure convention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fail {
    /// Returns `SOCKET_ERROR` (-1; also `INVALID_SOCKET`, `INADDR_NONE`
    /// and `WSA_WAIT_FAILED`, which are all ones in the return register).
    SocketError,
    /// Returns `NULL` or `FALSE` (a pointer, a handle, a `BOOL`).
    Null,
    /// Returns nothing (`void`).
    Void,
    /// Returns its error code (the `getaddrinfo` family,
    /// `WSCWriteProviderOrder`): `WSAEOPNOTSUPP`.
    Code,
}

/// What an export does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Translated to the model (or answered by the DLL from the model's
    /// configuration: names, byte order).
    Modelled,
    /// Not modelled yet: sets `WSAEOPNOTSUPP` as the last error and
    /// returns the failure value.
    NotModelled(Fail),
}

/// One export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Export {
    /// The name programs import.
    pub name: &'static str,
    /// The fixed ordinal, if the function has one.
    pub ordinal: Option<u16>,
    /// Modelled or not.
    pub answer: Answer,
}

/// Every export, in the order of Wine's `ws2_32.spec`.
#[rustfmt::skip]
pub const EXPORTS: &[Export] = &[
    Export { name: "accept", ordinal: Some(1), answer: Answer::Modelled },
    Export { name: "bind", ordinal: Some(2), answer: Answer::Modelled },
    Export { name: "closesocket", ordinal: Some(3), answer: Answer::Modelled },
    Export { name: "connect", ordinal: Some(4), answer: Answer::Modelled },
    Export { name: "getpeername", ordinal: Some(5), answer: Answer::Modelled },
    Export { name: "getsockname", ordinal: Some(6), answer: Answer::Modelled },
    Export { name: "getsockopt", ordinal: Some(7), answer: Answer::Modelled },
    Export { name: "htonl", ordinal: Some(8), answer: Answer::Modelled },
    Export { name: "htons", ordinal: Some(9), answer: Answer::Modelled },
    Export { name: "ioctlsocket", ordinal: Some(10), answer: Answer::Modelled },
    Export { name: "inet_addr", ordinal: Some(11), answer: Answer::Modelled },
    Export { name: "inet_ntoa", ordinal: Some(12), answer: Answer::Modelled },
    Export { name: "listen", ordinal: Some(13), answer: Answer::Modelled },
    Export { name: "ntohl", ordinal: Some(14), answer: Answer::Modelled },
    Export { name: "ntohs", ordinal: Some(15), answer: Answer::Modelled },
    Export { name: "recv", ordinal: Some(16), answer: Answer::Modelled },
    Export { name: "recvfrom", ordinal: Some(17), answer: Answer::Modelled },
    Export { name: "select", ordinal: Some(18), answer: Answer::Modelled },
    Export { name: "send", ordinal: Some(19), answer: Answer::Modelled },
    Export { name: "sendto", ordinal: Some(20), answer: Answer::Modelled },
    Export { name: "setsockopt", ordinal: Some(21), answer: Answer::Modelled },
    Export { name: "shutdown", ordinal: Some(22), answer: Answer::Modelled },
    Export { name: "socket", ordinal: Some(23), answer: Answer::Modelled },
    Export { name: "gethostbyaddr", ordinal: Some(51), answer: Answer::Modelled },
    Export { name: "gethostbyname", ordinal: Some(52), answer: Answer::Modelled },
    Export { name: "getprotobyname", ordinal: Some(53), answer: Answer::NotModelled(Fail::Null) },
    Export { name: "getprotobynumber", ordinal: Some(54), answer: Answer::NotModelled(Fail::Null) },
    Export { name: "getservbyname", ordinal: Some(55), answer: Answer::NotModelled(Fail::Null) },
    Export { name: "getservbyport", ordinal: Some(56), answer: Answer::NotModelled(Fail::Null) },
    Export { name: "gethostname", ordinal: Some(57), answer: Answer::Modelled },
    Export { name: "WSAAsyncSelect", ordinal: Some(101), answer: Answer::Modelled },
    Export { name: "WSAAsyncGetHostByAddr", ordinal: Some(102), answer: Answer::NotModelled(Fail::Null) },
    Export { name: "WSAAsyncGetHostByName", ordinal: Some(103), answer: Answer::NotModelled(Fail::Null) },
    Export { name: "WSAAsyncGetProtoByNumber", ordinal: Some(104), answer: Answer::NotModelled(Fail::Null) },
    Export { name: "WSAAsyncGetProtoByName", ordinal: Some(105), answer: Answer::NotModelled(Fail::Null) },
    Export { name: "WSAAsyncGetServByPort", ordinal: Some(106), answer: Answer::NotModelled(Fail::Null) },
    Export { name: "WSAAsyncGetServByName", ordinal: Some(107), answer: Answer::NotModelled(Fail::Null) },
    Export { name: "WSACancelAsyncRequest", ordinal: Some(108), answer: Answer::NotModelled(Fail::SocketError) },
    Export { name: "WSASetBlockingHook", ordinal: Some(109), answer: Answer::NotModelled(Fail::Null) },
    Export { name: "WSAUnhookBlockingHook", ordinal: Some(110), answer: Answer::NotModelled(Fail::SocketError) },
    Export { name: "WSAGetLastError", ordinal: Some(111), answer: Answer::Modelled },
    Export { name: "WSASetLastError", ordinal: Some(112), answer: Answer::Modelled },
    Export { name: "WSACancelBlockingCall", ordinal: Some(113), answer: Answer::NotModelled(Fail::SocketError) },
    Export { name: "WSAIsBlocking", ordinal: Some(114), answer: Answer::NotModelled(Fail::Null) },
    Export { name: "WSAStartup", ordinal: Some(115), answer: Answer::Modelled },
    Export { name: "WSACleanup", ordinal: Some(116), answer: Answer::Modelled },
    Export { name: "__WSAFDIsSet", ordinal: Some(151), answer: Answer::Modelled },
    Export { name: "WEP", ordinal: Some(500), answer: Answer::NotModelled(Fail::Null) },
    Export { name: "FreeAddrInfoEx", ordinal: None, answer: Answer::Modelled },
    Export { name: "FreeAddrInfoExW", ordinal: None, answer: Answer::Modelled },
    Export { name: "FreeAddrInfoW", ordinal: None, answer: Answer::Modelled },
    Export { name: "GetAddrInfoExCancel", ordinal: None, answer: Answer::Modelled },
    Export { name: "GetAddrInfoExOverlappedResult", ordinal: None, answer: Answer::Modelled },
    Export { name: "GetAddrInfoExW", ordinal: None, answer: Answer::Modelled },
    Export { name: "GetAddrInfoW", ordinal: None, answer: Answer::Modelled },
    Export { name: "GetHostNameW", ordinal: None, answer: Answer::Modelled },
    Export { name: "GetNameInfoW", ordinal: None, answer: Answer::NotModelled(Fail::Code) },
    Export { name: "InetNtopW", ordinal: None, answer: Answer::Modelled },
    Export { name: "InetPtonW", ordinal: None, answer: Answer::Modelled },
    Export { name: "WSApSetPostRoutine", ordinal: None, answer: Answer::NotModelled(Fail::SocketError) },
    Export { name: "WPUCompleteOverlappedRequest", ordinal: None, answer: Answer::NotModelled(Fail::SocketError) },
    Export { name: "WSAAccept", ordinal: None, answer: Answer::Modelled },
    Export { name: "WSAAddressToStringA", ordinal: None, answer: Answer::Modelled },
    Export { name: "WSAAddressToStringW", ordinal: None, answer: Answer::Modelled },
    Export { name: "WSACloseEvent", ordinal: None, answer: Answer::Modelled },
    Export { name: "WSAConnect", ordinal: None, answer: Answer::Modelled },
    Export { name: "WSAConnectByNameA", ordinal: None, answer: Answer::NotModelled(Fail::Null) },
    Export { name: "WSAConnectByNameW", ordinal: None, answer: Answer::NotModelled(Fail::Null) },
    Export { name: "WSACreateEvent", ordinal: None, answer: Answer::Modelled },
    Export { name: "WSADuplicateSocketA", ordinal: None, answer: Answer::Modelled },
    Export { name: "WSADuplicateSocketW", ordinal: None, answer: Answer::Modelled },
    Export { name: "WSAEnumNameSpaceProvidersA", ordinal: None, answer: Answer::NotModelled(Fail::SocketError) },
    Export { name: "WSAEnumNameSpaceProvidersW", ordinal: None, answer: Answer::NotModelled(Fail::SocketError) },
    Export { name: "WSAEnumNetworkEvents", ordinal: None, answer: Answer::Modelled },
    Export { name: "WSAEnumProtocolsA", ordinal: None, answer: Answer::Modelled },
    Export { name: "WSAEnumProtocolsW", ordinal: None, answer: Answer::Modelled },
    Export { name: "WSAEventSelect", ordinal: None, answer: Answer::Modelled },
    Export { name: "WSAGetOverlappedResult", ordinal: None, answer: Answer::Modelled },
    Export { name: "WSAGetQOSByName", ordinal: None, answer: Answer::NotModelled(Fail::Null) },
    Export { name: "WSAGetServiceClassInfoA", ordinal: None, answer: Answer::NotModelled(Fail::SocketError) },
    Export { name: "WSAGetServiceClassInfoW", ordinal: None, answer: Answer::NotModelled(Fail::SocketError) },
    Export { name: "WSAGetServiceClassNameByClassIdA", ordinal: None, answer: Answer::NotModelled(Fail::SocketError) },
    Export { name: "WSAGetServiceClassNameByClassIdW", ordinal: None, answer: Answer::NotModelled(Fail::SocketError) },
    Export { name: "WSAHtonl", ordinal: None, answer: Answer::Modelled },
    Export { name: "WSAHtons", ordinal: None, answer: Answer::Modelled },
    Export { name: "WSAInstallServiceClassA", ordinal: None, answer: Answer::NotModelled(Fail::SocketError) },
    Export { name: "WSAInstallServiceClassW", ordinal: None, answer: Answer::NotModelled(Fail::SocketError) },
    Export { name: "WSAIoctl", ordinal: None, answer: Answer::Modelled },
    Export { name: "WSAJoinLeaf", ordinal: None, answer: Answer::NotModelled(Fail::SocketError) },
    Export { name: "WSALookupServiceBeginA", ordinal: None, answer: Answer::NotModelled(Fail::SocketError) },
    Export { name: "WSALookupServiceBeginW", ordinal: None, answer: Answer::NotModelled(Fail::SocketError) },
    Export { name: "WSALookupServiceEnd", ordinal: None, answer: Answer::NotModelled(Fail::SocketError) },
    Export { name: "WSALookupServiceNextA", ordinal: None, answer: Answer::NotModelled(Fail::SocketError) },
    Export { name: "WSALookupServiceNextW", ordinal: None, answer: Answer::NotModelled(Fail::SocketError) },
    Export { name: "WSANSPIoctl", ordinal: None, answer: Answer::NotModelled(Fail::SocketError) },
    Export { name: "WSANtohl", ordinal: None, answer: Answer::Modelled },
    Export { name: "WSANtohs", ordinal: None, answer: Answer::Modelled },
    Export { name: "WSAPoll", ordinal: None, answer: Answer::Modelled },
    Export { name: "WSAProviderConfigChange", ordinal: None, answer: Answer::NotModelled(Fail::SocketError) },
    Export { name: "WSARecv", ordinal: None, answer: Answer::Modelled },
    Export { name: "WSARecvDisconnect", ordinal: None, answer: Answer::NotModelled(Fail::SocketError) },
    Export { name: "WSARecvFrom", ordinal: None, answer: Answer::Modelled },
    Export { name: "WSARemoveServiceClass", ordinal: None, answer: Answer::NotModelled(Fail::SocketError) },
    Export { name: "WSAResetEvent", ordinal: None, answer: Answer::Modelled },
    Export { name: "WSASend", ordinal: None, answer: Answer::Modelled },
    Export { name: "WSASendDisconnect", ordinal: None, answer: Answer::NotModelled(Fail::SocketError) },
    Export { name: "WSASendMsg", ordinal: None, answer: Answer::Modelled },
    Export { name: "WSASendTo", ordinal: None, answer: Answer::Modelled },
    Export { name: "WSASetEvent", ordinal: None, answer: Answer::Modelled },
    Export { name: "WSASetServiceA", ordinal: None, answer: Answer::NotModelled(Fail::SocketError) },
    Export { name: "WSASetServiceW", ordinal: None, answer: Answer::NotModelled(Fail::SocketError) },
    Export { name: "WSASocketA", ordinal: None, answer: Answer::Modelled },
    Export { name: "WSASocketW", ordinal: None, answer: Answer::Modelled },
    Export { name: "WSAStringToAddressA", ordinal: None, answer: Answer::Modelled },
    Export { name: "WSAStringToAddressW", ordinal: None, answer: Answer::Modelled },
    Export { name: "WSAWaitForMultipleEvents", ordinal: None, answer: Answer::Modelled },
    Export { name: "WSCDeinstallProvider", ordinal: None, answer: Answer::NotModelled(Fail::SocketError) },
    Export { name: "WSCEnableNSProvider", ordinal: None, answer: Answer::NotModelled(Fail::SocketError) },
    Export { name: "WSCEnumProtocols", ordinal: None, answer: Answer::NotModelled(Fail::SocketError) },
    Export { name: "WSCGetProviderInfo", ordinal: None, answer: Answer::NotModelled(Fail::SocketError) },
    Export { name: "WSCGetProviderPath", ordinal: None, answer: Answer::NotModelled(Fail::SocketError) },
    Export { name: "WSCInstallNameSpace", ordinal: None, answer: Answer::NotModelled(Fail::SocketError) },
    Export { name: "WSCInstallProvider", ordinal: None, answer: Answer::NotModelled(Fail::SocketError) },
    Export { name: "WSCSetApplicationCategory", ordinal: None, answer: Answer::NotModelled(Fail::SocketError) },
    Export { name: "WSCUnInstallNameSpace", ordinal: None, answer: Answer::NotModelled(Fail::SocketError) },
    Export { name: "WSCUpdateProvider", ordinal: None, answer: Answer::NotModelled(Fail::SocketError) },
    Export { name: "WSCWriteNameSpaceOrder", ordinal: None, answer: Answer::NotModelled(Fail::SocketError) },
    Export { name: "WSCWriteProviderOrder", ordinal: None, answer: Answer::NotModelled(Fail::Code) },
    Export { name: "freeaddrinfo", ordinal: None, answer: Answer::Modelled },
    Export { name: "getaddrinfo", ordinal: None, answer: Answer::Modelled },
    Export { name: "getnameinfo", ordinal: None, answer: Answer::NotModelled(Fail::Code) },
    Export { name: "inet_ntop", ordinal: None, answer: Answer::Modelled },
    Export { name: "inet_pton", ordinal: None, answer: Answer::Modelled },
];
