//! The protocols a host offers: the `WSAPROTOCOL_INFOW` of a socket
//! (`SO_PROTOCOL_INFOW`) and the catalog `WSAEnumProtocolsW` lists
//! (`SimHost::protocols`).

use crate::contract::consts::*;

/// `SO_PROTOCOL_INFOW`: the socket's `WSAPROTOCOL_INFOW`, with the fields
/// the model knows (service flags, family, type, protocol, address sizes,
/// message size, version, byte order) and the protocol's name; the
/// protocol chain of a base protocol (`ChainLen` 1, as `WSAPROTOCOL_INFOW`
/// documents `BASE_PROTOCOL`); the provider GUID and catalog entry are
/// zero.
///
/// With `windows` (WIN-PROTOCOL-CATALOG) the entry is Windows' catalog
/// entry: TCP and UDP have `PFL_MATCHES_PROTOCOL_ZERO`, and a raw socket
/// reports the raw entry (`iProtocol` 0, `iProtocolMaxOffset` 255,
/// `PFL_MATCHES_PROTOCOL_ZERO | PFL_HIDDEN`).
pub(super) fn protocol_info(
    st: &super::socket::SocketState,
    out: &mut [u8],
    windows: bool,
) -> Result<usize, i32> {
    if out.len() < WSAPROTOCOL_INFOW_SIZE {
        return Err(WSAEFAULT);
    }
    // dwMessageSize: 0 for a byte stream.
    let msg = if st.is_dgram() || st.sends_messages() {
        st.max_msg_size()
    } else {
        0
    };
    let name = match (st.ty, st.protocol) {
        (SOCK_STREAM, IPPROTO_TCP) => "TCP",
        (SOCK_DGRAM, IPPROTO_UDP) => "UDP",
        (SOCK_RAW, _) => "RAW",
        (SOCK_STREAM, _) => "SIM-MSG pseudo-stream (model)",
        (SOCK_SEQPACKET, IPPROTO_SIM_MSG) => "SIM-MSG (model)",
        _ => "SIM-MSG-PARTIAL (model)",
    };
    let info = &mut out[..WSAPROTOCOL_INFOW_SIZE];
    let raw = st.ty == SOCK_RAW;
    let protocol = if windows && raw { 0 } else { st.protocol };
    fill_info(info, (st.af, st.ty, protocol), st.sockaddr_len(), msg, name);
    if windows {
        let base = matches!(
            (st.ty, st.protocol),
            (SOCK_STREAM, IPPROTO_TCP) | (SOCK_DGRAM, IPPROTO_UDP)
        );
        if raw {
            windows_entry(info, PFL_MATCHES_PROTOCOL_ZERO | PFL_HIDDEN, 255);
        } else if base {
            windows_entry(info, PFL_MATCHES_PROTOCOL_ZERO, 0);
        }
    }
    Ok(WSAPROTOCOL_INFOW_SIZE)
}

/// Writes a `WSAPROTOCOL_INFOW` (`info` is its 628 bytes).
fn fill_info(
    info: &mut [u8],
    (af, ty, protocol): (i32, i32, i32),
    addr: usize,
    msg: u32,
    name: &str,
) {
    info.fill(0);
    let mut put = |at: usize, v: u32| info[at..at + 4].copy_from_slice(&v.to_le_bytes());
    put(0, super::socket::service_flags(ty, protocol));
    // ProtocolChain.ChainLen, after the four service flags, the provider
    // flags, the provider GUID and the catalog entry id.
    put(40, 1);
    // iVersion, iAddressFamily, iMaxSockAddr, iMinSockAddr, iSocketType,
    // iProtocol follow the 72 bytes of flags, GUID, catalog id and chain.
    put(72, 2);
    put(76, af as u32);
    put(80, addr as u32);
    put(84, addr as u32);
    put(88, ty as u32);
    put(92, protocol as u32);
    put(108, msg);
    for (i, u) in name.encode_utf16().enumerate() {
        info[116 + 2 * i..118 + 2 * i].copy_from_slice(&u.to_le_bytes());
    }
}

/// WIN-PROTOCOL-CATALOG: `dwProviderFlags` (after the four service
/// flags) and `iProtocolMaxOffset` (after `iProtocol`) of Windows' entry.
fn windows_entry(info: &mut [u8], flags: u32, max_offset: u32) {
    info[16..20].copy_from_slice(&flags.to_le_bytes());
    info[96..100].copy_from_slice(&max_offset.to_le_bytes());
}

/// The protocols a host of the model offers, as `WSAEnumProtocolsW` lists
/// them: TCP and UDP over IPv4, then over IPv6, each the
/// `WSAPROTOCOL_INFOW` that `SO_PROTOCOL_INFOW` gives for such a socket.
/// (Raw sockets and the simulated message protocols are left out: a
/// Windows host lists raw IP only for administrators, and the simulated
/// ones are the model's own.)
///
/// With `windows` (WIN-PROTOCOL-CATALOG) each has
/// `PFL_MATCHES_PROTOCOL_ZERO`, as in Windows' catalog.
pub(crate) fn catalog(windows: bool) -> Vec<Vec<u8>> {
    use super::socket::{MAX_UDP4, MAX_UDP6};
    let entries = [
        (
            (AF_INET, SOCK_STREAM, IPPROTO_TCP),
            SOCKADDR_IN_SIZE,
            0,
            "TCP",
        ),
        (
            (AF_INET, SOCK_DGRAM, IPPROTO_UDP),
            SOCKADDR_IN_SIZE,
            MAX_UDP4,
            "UDP",
        ),
        (
            (AF_INET6, SOCK_STREAM, IPPROTO_TCP),
            SOCKADDR_IN6_SIZE,
            0,
            "TCP",
        ),
        (
            (AF_INET6, SOCK_DGRAM, IPPROTO_UDP),
            SOCKADDR_IN6_SIZE,
            MAX_UDP6,
            "UDP",
        ),
    ];
    entries
        .iter()
        .map(|&(k, addr, msg, name)| {
            let mut info = vec![0u8; WSAPROTOCOL_INFOW_SIZE];
            fill_info(&mut info, k, addr, msg, name);
            if windows {
                windows_entry(&mut info, PFL_MATCHES_PROTOCOL_ZERO, 0);
            }
            info
        })
        .collect()
}
