//! What Windows' send offloads make of a datagram send, beyond the seed
//! pages: its segments (`WIN-USO`), its ECN codepoint (`WIN-ECN`) and the
//! don't-fragment check against the path MTU (`WIN-DONTFRAGMENT`). The
//! send path (`dgram_send.rs`) asks `offload_plan` once, when a profile
//! has one of them.

use super::call::RouteInfo;
use super::net::HostId;
use super::socket::SocketState;
use super::world::World;
use crate::contract::cmsg::Cmsg;
use crate::contract::consts::*;
use crate::contract::quirks::Quirk;
use std::net::SocketAddr;

/// The most segments one segmented send is cut into (`WIN-USO`: the count
/// quinn-udp found on Windows 11 x64, see `segment_size`).
pub(crate) const USO_MAX_SEGMENTS: usize = 512;

impl World {
    /// The segment size and TOS byte of a send under `WIN-USO` and
    /// `WIN-ECN`, after the `WIN-DONTFRAGMENT` check: with don't-fragment,
    /// an IP packet (each segment's) larger than the path MTU cannot leave;
    /// without it the model fragments and reassembles unseen.
    #[cold]
    #[inline(never)]
    pub(crate) fn offload_plan(
        &self,
        host: HostId,
        st: &SocketState,
        control: &[Cmsg],
        dst: SocketAddr,
        len: usize,
    ) -> Result<(usize, u8), i32> {
        let segment = self.segment_size(st, control, len)?;
        let tos = self.send_tos(st, control, &dst)?;
        let df = if dst.is_ipv4() {
            st.opts.ip().dontfrag4
        } else {
            st.opts.ip().dontfrag6
        };
        if df && self.quirk(Quirk::DontFragment) {
            let piece = if segment == 0 { len } else { segment };
            let size = super::ipopt::packet_size(st, &dst.ip(), piece);
            if size > self.path_mtu(host, st, dst) as usize {
                return Err(WSAEMSGSIZE);
            }
        }
        Ok((segment, tos))
    }

    /// The TOS / traffic class byte of a send's datagrams: the socket's
    /// `IP_TOS` / `IPV6_TCLASS` with, under `WIN-ECN`, the codepoint of the
    /// send's `IP_ECN` / `IPV6_ECN` control object (the one for the
    /// destination's family) in its low two bits.
    fn send_tos(&self, st: &SocketState, control: &[Cmsg], dst: &SocketAddr) -> Result<u8, i32> {
        let (base, level, kind) = if dst.is_ipv4() {
            (st.opts.ip().tos4, IPPROTO_IP, IP_ECN)
        } else {
            (st.opts.ip().tclass6, IPPROTO_IPV6, IPV6_ECN)
        };
        if !self.quirk(Quirk::Ecn) {
            return Ok(base);
        }
        let Some(c) = control.iter().find(|c| c.level == level && c.kind == kind) else {
            return Ok(base & !3);
        };
        // WIN-ECN: an INT; "your application isn't allowed to specify the
        // Congestion Encountered (CE) code point ... the send will return
        // with error WSAEINVAL" (model choice: so are a short object and a
        // value that is no codepoint).
        let v = c.as_int().ok_or(WSAEINVAL)?;
        if !(ECN_NOT_ECT..ECN_CE).contains(&v) {
            return Err(WSAEINVAL);
        }
        Ok((base & !3) | v as u8)
    }

    /// The segment size of a send under `WIN-USO`: the send's
    /// `UDP_SEND_MSG_SIZE` control object (a `DWORD`), else the socket's
    /// option; 0 for one datagram (also when the send fits one segment).
    fn segment_size(&self, st: &SocketState, control: &[Cmsg], len: usize) -> Result<usize, i32> {
        if !self.quirk(Quirk::SendSegmentation) || st.ty != SOCK_DGRAM {
            return Ok(0);
        }
        let size = match control
            .iter()
            .find(|c| c.level == IPPROTO_UDP && c.kind == UDP_SEND_MSG_SIZE)
        {
            Some(c) => c.as_int().ok_or(WSAEINVAL)? as u32 as usize,
            None => st.opts.ip().send_msg_size as usize,
        };
        if size == 0 || len <= size {
            return Ok(0);
        }
        // Every segment is a datagram within SO_MAX_MSG_SIZE, and a send is
        // cut into at most 512 of them: quinn-udp 0.6.3 src/windows.rs
        // (max_gso_segments: 512, "Empirically found on Windows 11 x64"),
        // and its tests/tests.rs `gso`, which quinn's CI runs on Windows,
        // sends 512 segments of 128 bytes (65,536 bytes) in one WSASendMsg.
        // (model choice: no bound on the whole send beyond the segments';
        // the documentation gives none. The model's earlier bound, 65,535
        // bytes, was msquic's own buffer size and failed that test.)
        if size > st.max_msg_size() as usize || len.div_ceil(size) > USO_MAX_SEGMENTS {
            return Err(WSAEMSGSIZE);
        }
        Ok(size)
    }

    /// Puts a send's bytes on the wire as datagrams of `segment` bytes
    /// (`WIN-USO`), in order, the last one shorter if need be.
    #[allow(clippy::too_many_arguments)]
    #[inline(never)]
    pub(crate) fn transmit_segments(
        &mut self,
        host: HostId,
        s: u64,
        dst: SocketAddr,
        route: RouteInfo,
        tos: u8,
        segment: usize,
        data: Vec<u8>,
    ) {
        for piece in data.chunks(segment) {
            self.transmit(host, s, dst, &route, tos, piece.to_vec());
        }
    }
}
