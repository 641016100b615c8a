//! The value sizes of Windows (`WIN-SOCKOPT-SIZES`) over the options of
//! `sockopt.rs` and `ipopt.rs`: a `getsockopt` of an option of the size
//! table (`contract/optsize.rs`) reads the option's value as the pages'
//! 4 bytes, then answers the room as Windows does; `setsockopt` turns the
//! value it is given into those 4 bytes first (`World::set_opt`).

use super::net::HostId;
use super::world::World;
use crate::contract::optsize::{get_value, opt_size, set_value};
use crate::contract::quirks::Quirk;

impl World {
    /// `getsockopt`: the length reported, or the error with the
    /// `*optlen` a failure writes (`None`: left as it was).
    pub(crate) fn get_opt_sized(
        &self,
        host: HostId,
        s: u64,
        level: i32,
        name: i32,
        out: &mut [u8],
    ) -> Result<usize, (i32, Option<usize>)> {
        let size = match opt_size(level, name) {
            Some(size) if self.quirk(Quirk::SockoptSizes) => size,
            _ => {
                return self
                    .get_opt(host, s, level, name, out)
                    .map_err(|e| (e, None))
            }
        };
        // model choice: the option's own checks (not a socket, a socket
        // type that does not take it) come before the room's.
        let mut v = [0u8; 4];
        self.get_opt(host, s, level, name, &mut v)
            .map_err(|e| (e, None))?;
        get_value(size, v, out)
    }

    /// The 4 bytes `setsockopt` of an option of the size table reads as
    /// its value (`None`: `value` as it is, for the other options and the
    /// documented profile).
    pub(crate) fn sized_value(
        &self,
        level: i32,
        name: i32,
        value: &[u8],
    ) -> Result<Option<[u8; 4]>, i32> {
        match opt_size(level, name) {
            Some(size) if self.quirk(Quirk::SockoptSizes) => set_value(size, value),
            _ => Ok(None),
        }
    }
}
