//! The value sizes Windows gives the options of Wine's `test_set_getsockopt`
//! size table (`WIN-SOCKOPT-SIZES`): which lengths `setsockopt` takes, what
//! `getsockopt` writes into a room of each size and the `*optlen` it leaves.
//!
//! The documentation pages make every one of these a 4-byte `int`/`BOOL`/
//! `DWORD` (`WSAEFAULT` for less); Windows does not. The sources are the
//! quirk's (`contract/quirks.rs`): sock.c:1205-1234 gives each option's
//! class, the loop at sock.c:1462-1625 what each class does.

use super::consts::*;

/// How Windows sizes an option's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptSize {
    /// A `BOOLEAN` of one byte: `setsockopt` reads the first byte of any
    /// value of at least one byte (so 0x100 is FALSE), `getsockopt` writes
    /// one byte into any room of at least one and reports 1 (sock.c:1206
    /// table rows `{1, 1, 1}`, :1349-1411).
    Boolean,
    /// A `SOL_SOCKET` `BOOL` that takes short values: no byte is FALSE
    /// (sock.c:1521-1533), 1-3 bytes are the first byte; a room of 1 gets
    /// one byte, of 2 or 3 two bytes, reported as 1 (the values
    /// `0xdead0001` of the table).
    SocketBool,
    /// An `IPPROTO_IP`/`IPPROTO_IPV6` `BOOL` that takes short values: a 1-3
    /// byte value is its first byte, a 1-3 byte room gets one byte,
    /// reported as 1; no byte is `WSAEFAULT`.
    ShortBool,
    /// As [`OptSize::ShortBool`], for a hop limit or a TOS byte: a value
    /// over 255 is `WSAEINVAL` (`accepts_large_value` FALSE).
    ShortByte,
    /// A 4-byte `int`: less is `WSAEFAULT`, a room under 4 is `WSAEFAULT`
    /// with nothing written.
    Int,
    /// As [`OptSize::Int`], but a room under 4 is zeroed before the
    /// `WSAEFAULT` (the values `0xdeadbe00`, `0xdead0000` of the table).
    IntZeroed,
    /// As [`OptSize::Int`], but a room under 4 gets `*optlen` 0 with the
    /// `WSAEFAULT` (the sizes `{0, 0, 4}` of the table).
    IntNoLength,
}

/// The class of option (`level`, `name`), for the options of the table;
/// `None` for any other (it keeps the 4-byte rules of the pages).
pub fn opt_size(level: i32, name: i32) -> Option<OptSize> {
    use OptSize::*;
    Some(match (level, name) {
        (SOL_SOCKET, SO_KEEPALIVE | SO_DONTROUTE) => Boolean,
        (IPPROTO_TCP, TCP_NODELAY) | (IPPROTO_IPV6, IPV6_V6ONLY) => Boolean,
        (SOL_SOCKET, SO_BROADCAST | SO_DONTLINGER | SO_OOBINLINE) => SocketBool,
        (SOL_SOCKET, SO_REUSEADDR | SO_EXCLUSIVEADDRUSE) => SocketBool,
        (IPPROTO_IP, IP_MULTICAST_LOOP) => ShortBool,
        (IPPROTO_IPV6, IPV6_DONTFRAG | IPV6_MULTICAST_LOOP) => ShortBool,
        (IPPROTO_IP, IP_MULTICAST_TTL | IP_TOS | IP_TTL) => ShortByte,
        (IPPROTO_IPV6, IPV6_MULTICAST_HOPS | IPV6_UNICAST_HOPS) => ShortByte,
        (SOL_SOCKET, SO_RCVTIMEO | SO_SNDTIMEO | SO_OPENTYPE) => Int,
        (SOL_SOCKET, SO_LINGER | SO_RCVBUF | SO_SNDBUF) => IntZeroed,
        (IPPROTO_IP, IP_PKTINFO | IP_RECVTOS | IP_RECVTTL) => IntNoLength,
        (IPPROTO_IPV6, IPV6_HOPLIMIT | IPV6_PKTINFO | IPV6_RECVTCLASS) => IntNoLength,
        _ => return None,
    })
}

/// What `setsockopt` does with a negative `optlen` (a length the kernel
/// cannot copy): `true` when the option is read as a 4-byte `int` anyway
/// (the `SOL_SOCKET` options but the `BOOLEAN`s), `false` when the call
/// fails with `WSAENOBUFS` (sock.c:1486-1501; before Windows 10 21H1 it
/// was `WSAEFAULT`).
pub fn negative_length_reads_int(level: i32, size: OptSize) -> bool {
    level == SOL_SOCKET && size != OptSize::Boolean
}

/// The value `setsockopt` takes from `value` (a `Some` of 4 bytes the
/// option's code reads as an `int`), or the error; `None` when the class
/// reads `value` as the pages do (4 bytes or `WSAEFAULT`).
pub fn set_value(size: OptSize, value: &[u8]) -> Result<Option<[u8; 4]>, i32> {
    use OptSize::*;
    let first = |b: &[u8]| [b[0], 0, 0, 0];
    Ok(Some(match (size, value.len()) {
        (Boolean, 0) | (ShortBool | ShortByte, 0) => return Err(WSAEFAULT),
        (Boolean, _) => first(value),
        (SocketBool, 0) => [0; 4],
        (SocketBool | ShortBool | ShortByte, 1..=3) => first(value),
        (SocketBool | ShortBool | ShortByte, _) => {
            let v = [value[0], value[1], value[2], value[3]];
            if size == ShortByte && u32::from_le_bytes(v) > 255 {
                return Err(WSAEINVAL);
            }
            v
        }
        (Int | IntZeroed | IntNoLength, _) => return Ok(None),
    }))
}

/// What `getsockopt` leaves for an option of class `size` whose value is
/// `v` (as the pages' 4 bytes), in `room`: the length reported, or the
/// error with the `*optlen` a failure writes (`None`: left as it was).
pub fn get_value(
    size: OptSize,
    v: [u8; 4],
    room: &mut [u8],
) -> Result<usize, (i32, Option<usize>)> {
    use OptSize::*;
    let n = room.len();
    match (size, n) {
        (_, 4..) if size != Boolean => {
            room[..4].copy_from_slice(&v);
            Ok(4)
        }
        (Boolean | SocketBool | ShortBool | ShortByte, 0) => Err((WSAEFAULT, None)),
        (SocketBool, 2..) => {
            room[..2].copy_from_slice(&v[..2]);
            Ok(1)
        }
        (Boolean | SocketBool | ShortBool | ShortByte, _) => {
            room[0] = v[0];
            Ok(1)
        }
        (Int, _) => Err((WSAEFAULT, None)),
        (IntZeroed, _) => {
            room.fill(0);
            Err((WSAEFAULT, None))
        }
        (IntNoLength, _) => Err((WSAEFAULT, Some(0))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_boolean_is_one_byte_both_ways() {
        let b = OptSize::Boolean;
        assert_eq!(set_value(b, &0x100u32.to_le_bytes()), Ok(Some([0; 4])));
        assert_eq!(set_value(b, &[1; 42]), Ok(Some([1, 0, 0, 0])));
        assert_eq!(set_value(b, &[]), Err(WSAEFAULT));
        let mut room = [0xef; 8];
        assert_eq!(get_value(b, [1, 0, 0, 0], &mut room), Ok(1));
        assert_eq!(room, [1, 0xef, 0xef, 0xef, 0xef, 0xef, 0xef, 0xef]);
    }

    #[test]
    fn short_rooms_per_class() {
        let v = [1, 0, 0, 0];
        let mut two = [0xef; 2];
        assert_eq!(get_value(OptSize::SocketBool, v, &mut two), Ok(1));
        assert_eq!(two, [1, 0]);
        let mut two = [0xef; 2];
        assert_eq!(get_value(OptSize::ShortBool, v, &mut two), Ok(1));
        assert_eq!(two, [1, 0xef]);
        let mut two = [0xef; 2];
        assert_eq!(
            get_value(OptSize::IntZeroed, v, &mut two),
            Err((WSAEFAULT, None))
        );
        assert_eq!(two, [0, 0]);
        let mut two = [0xef; 2];
        assert_eq!(get_value(OptSize::Int, v, &mut two), Err((WSAEFAULT, None)));
        assert_eq!(two, [0xef, 0xef]);
        assert_eq!(
            get_value(OptSize::IntNoLength, v, &mut two),
            Err((WSAEFAULT, Some(0)))
        );
        assert_eq!(
            set_value(OptSize::ShortByte, &0x100u32.to_le_bytes()),
            Err(WSAEINVAL)
        );
        assert_eq!(set_value(OptSize::SocketBool, &[]), Ok(Some([0; 4])));
        assert_eq!(set_value(OptSize::Int, &[1]), Ok(None));
    }
}
