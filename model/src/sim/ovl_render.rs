//! How the trace renders an overlapped call's results (`host_ovl.rs`).

use crate::contract::consts;
use crate::contract::overlapped::{Completion, Overlapped, Posted};

pub(super) fn render_posted(p: &Posted) -> String {
    match p {
        Posted::Pending => "WSA_IO_PENDING".into(),
        Posted::Completed {
            error,
            bytes,
            flags,
        } => format!(
            "{} bytes={bytes} flags={} (completion follows)",
            consts::error_name(*error).unwrap_or("ok"),
            consts::msg_flags_to_string(*flags)
        ),
        Posted::Synchronous(c) => format!("{} (non-overlapped socket)", render_completion(c)),
    }
}

pub(super) fn render_completion(c: &Completion) -> String {
    format!(
        "{} bytes={} flags={}{}",
        c.status_name(),
        c.bytes,
        consts::msg_flags_to_string(c.flags),
        if c.buffers.is_empty() {
            ""
        } else {
            " +buffers"
        }
    )
}

pub(super) fn render_ovl(o: &Overlapped, routine: bool) -> String {
    let mut s = format!("ovl={}", o.id);
    if let Some(e) = o.h_event {
        s.push_str(&format!(" hEvent={:#x}", e.0));
    }
    if routine {
        s.push_str(" +routine");
    }
    s
}
