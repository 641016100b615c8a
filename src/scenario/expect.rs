//! Expectations as matchers over an outcome.
//!
//! A step's `expect` (the file's form, [`Expect`]) becomes a list of
//! [`Matcher`]s, each naming one [`Field`] of the [`Outcome`] and how it is
//! compared. What an outcome field looks like when compared is said once,
//! in [`Field::get`], for every matcher and every report.

use super::format::Expect;
use super::names;
use super::outcome::Outcome;
use crate::scenario::format::to_hex;

/// A field of an [`Outcome`] that an expectation can ask about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// `result`: `"ok"` or an error name.
    Result,
    /// `bytes`.
    Bytes,
    /// `data` (hex).
    Data,
    /// `buffers`: each buffer's content, space-separated hex.
    Buffers,
    /// `flags`: the names, sorted, `|`-separated.
    Flags,
    /// `from`: an address.
    From,
    /// `value`: an option or ioctl value.
    Value,
    /// `control`: the rendered objects, `; `-separated.
    Control,
    /// `control_len`.
    ControlLen,
    /// `namelen`.
    Namelen,
    /// `wait`: how a wait ended.
    Wait,
    /// `routines`: the routines that ran, in any order.
    Routines,
    /// `packets`: the completion-port packets taken, in order.
    Packets,
    /// `revents`: each `WSAPoll` element's, `; `-separated.
    Revents,
    /// `net_events`: what `WSAEnumNetworkEvents` reported, `; `-separated.
    NetEvents,
    /// `messages`: the window messages taken, in order, `; `-separated.
    Messages,
    /// `sets`: what each `select` set kept, `; `-separated.
    Sets,
    /// `internal`: `OVERLAPPED.Internal` and `InternalHigh` of each
    /// completion reported, `; `-separated.
    Internal,
    /// `diagnostics`: the model's diagnostics so far.
    Diagnostics,
}

impl Field {
    /// Its name in scenario files and reports.
    pub fn name(self) -> &'static str {
        match self {
            Field::Result => "result",
            Field::Bytes => "bytes",
            Field::Data => "data",
            Field::Buffers => "buffers",
            Field::Flags => "flags",
            Field::From => "from",
            Field::Value => "value",
            Field::Control => "control",
            Field::ControlLen => "control_len",
            Field::Namelen => "namelen",
            Field::Wait => "wait",
            Field::Routines => "routines",
            Field::Packets => "packets",
            Field::Internal => "internal",
            Field::Revents => "revents",
            Field::NetEvents => "net_events",
            Field::Messages => "messages",
            Field::Sets => "sets",
            Field::Diagnostics => "diagnostics",
        }
    }

    /// The field of `o` as it is compared (`None`: the call gave none).
    pub fn get(self, o: &Outcome) -> Option<String> {
        let join = |v: &Option<Vec<String>>, sep: &str| v.as_ref().map(|v| v.join(sep));
        let sorted = |v: &Option<Vec<String>>, sep: &str| {
            v.as_ref().map(|v| {
                let mut v = v.clone();
                v.sort();
                v.join(sep)
            })
        };
        match self {
            Field::Result => Some(o.result.clone()),
            Field::Bytes => o.bytes.map(|b| b.to_string()),
            Field::Data => o.data.clone(),
            Field::Buffers => join(&o.buffers, " "),
            Field::Flags => sorted(&o.flags, "|"),
            Field::From => o.from.clone(),
            Field::Value => o.value.map(|v| v.to_string()),
            Field::Control => join(&o.control, "; "),
            Field::ControlLen => o.control_len.map(|v| v.to_string()),
            Field::Namelen => o.namelen.map(|v| v.to_string()),
            Field::Wait => o.wait.clone(),
            // No routine ran: an empty list, not nothing.
            Field::Routines => sorted(&Some(o.routines.clone().unwrap_or_default()), "; "),
            Field::Packets => join(&o.packets, "; "),
            Field::Internal => join(&o.internal, "; "),
            Field::Revents => join(&o.revents, "; "),
            Field::NetEvents => join(&o.net_events, "; "),
            Field::Messages => join(&o.messages, "; "),
            Field::Sets => join(&o.sets, "; "),
            Field::Diagnostics => join(&o.diagnostics, "; "),
        }
    }
}

/// One thing an expectation asks of an outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Matcher {
    /// The field, as [`Field::get`] gives it, is exactly this.
    Is(Field, String),
    /// At least one and at most this many bytes were moved.
    BytesAtMost(u32),
    /// The data is a non-empty prefix of this (hex).
    PrefixOf(String),
    /// The field is one of these.
    OneOf(Field, Vec<String>),
    /// The model's diagnostics are these; a backend that makes none is not
    /// asked.
    Diagnostics(String),
}

impl Matcher {
    /// What is wrong with `o`, if anything.
    pub fn check(&self, o: &Outcome) -> Option<String> {
        match self {
            Matcher::Is(field, want) => {
                let got = field.get(o);
                (got.as_deref() != Some(want.as_str())).then(|| {
                    format!(
                        "{}: expected {want}, got {}",
                        field.name(),
                        got.unwrap_or_else(|| "nothing".into())
                    )
                })
            }
            Matcher::BytesAtMost(most) => (!o.bytes.is_some_and(|b| (1..=*most).contains(&b)))
                .then(|| {
                    format!(
                        "bytes_at_most: expected 1 to {most} bytes, got {}",
                        o.bytes.map_or("nothing".into(), |b| b.to_string())
                    )
                }),
            Matcher::OneOf(field, allowed) => {
                let got = field.get(o);
                (!got.as_ref().is_some_and(|g| allowed.contains(g))).then(|| {
                    format!(
                        "{}: expected one of {}, got {}",
                        field.name(),
                        allowed.join(", "),
                        got.unwrap_or_else(|| "nothing".into())
                    )
                })
            }
            Matcher::PrefixOf(all) => {
                let got = o.data.clone().unwrap_or_default();
                (got.is_empty() || !all.starts_with(&got)).then(|| {
                    format!(
                        "prefix: expected a non-empty prefix of {all}, got {}",
                        if got.is_empty() { "nothing" } else { &got }
                    )
                })
            }
            Matcher::Diagnostics(want) => {
                let got = Field::Diagnostics.get(o)?;
                (got != *want).then(|| format!("diagnostics: expected {want}, got {got}"))
            }
        }
    }
}

/// The matchers of `e`, in the order their failures are reported. `from`
/// turns the expectation's address into the text an outcome holds (it may
/// need the socket table).
pub fn matchers<E: From<String>>(
    e: &Expect,
    from: impl Fn(&super::format::AddrSpec) -> Result<String, E>,
) -> Result<Vec<Matcher>, E> {
    let mut m = vec![];
    if let Some(most) = e.bytes_at_most {
        m.push(Matcher::BytesAtMost(most));
    }
    if let Some(d) = &e.prefix {
        m.push(Matcher::PrefixOf(to_hex(&d.bytes()?)));
    }
    let is = |f: Field, want: String| Matcher::Is(f, want);
    if let Some(r) = &e.result {
        m.push(is(Field::Result, r.clone()));
    }
    if let Some(all) = &e.one_of {
        m.push(Matcher::OneOf(Field::Result, all.clone()));
    }
    if let Some(b) = e.bytes {
        m.push(is(Field::Bytes, b.to_string()));
    }
    if let Some(d) = &e.data {
        m.push(is(Field::Data, to_hex(&d.bytes()?)));
    }
    if let Some(b) = &e.buffers {
        m.push(is(Field::Buffers, b.join(" ")));
    }
    if let Some(f) = &e.flags {
        let mut want = names::flag_names(names::flags(f)?);
        want.sort();
        m.push(is(Field::Flags, want.join("|")));
    }
    if let Some(a) = &e.from {
        m.push(is(Field::From, from(a)?));
    }
    if let Some(v) = e.value {
        m.push(is(Field::Value, v.to_string()));
    }
    if let Some(c) = &e.control {
        m.push(is(Field::Control, c.join("; ")));
    }
    if let Some(l) = e.control_len {
        m.push(is(Field::ControlLen, l.to_string()));
    }
    if let Some(l) = e.namelen {
        m.push(is(Field::Namelen, l.to_string()));
    }
    if let Some(w) = &e.wait {
        m.push(is(Field::Wait, w.clone()));
    }
    if let Some(r) = &e.routines {
        let mut r = r.clone();
        r.sort();
        m.push(is(Field::Routines, r.join("; ")));
    }
    if let Some(p) = &e.revents {
        m.push(is(Field::Revents, p.join("; ")));
    }
    if let Some(p) = &e.net_events {
        m.push(is(Field::NetEvents, p.join("; ")));
    }
    if let Some(p) = &e.messages {
        m.push(is(Field::Messages, p.join("; ")));
    }
    if let Some(p) = &e.sets {
        m.push(is(Field::Sets, p.join("; ")));
    }
    if let Some(p) = &e.internal {
        m.push(is(Field::Internal, p.join("; ")));
    }
    if let Some(p) = &e.packets {
        m.push(is(Field::Packets, p.join("; ")));
    }
    if let Some(d) = &e.diagnostics {
        m.push(Matcher::Diagnostics(d.join("; ")));
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome() -> Outcome {
        Outcome {
            result: "WSAEMSGSIZE".into(),
            bytes: Some(4),
            data: Some("68656c6c".into()),
            flags: Some(vec!["MSG_TRUNC".into(), "MSG_BCAST".into()]),
            routines: Some(vec!["b".into(), "a".into()]),
            ..Outcome::default()
        }
    }

    #[test]
    fn each_matcher_passes_and_fails_with_its_message() {
        let o = outcome();
        let ok = [
            Matcher::Is(Field::Result, "WSAEMSGSIZE".into()),
            Matcher::Is(Field::Flags, "MSG_BCAST|MSG_TRUNC".into()),
            Matcher::Is(Field::Routines, "a; b".into()),
            Matcher::BytesAtMost(4),
            Matcher::PrefixOf("68656c6c6f".into()),
            Matcher::OneOf(Field::Result, vec!["ok".into(), "WSAEMSGSIZE".into()]),
            // The model's diagnostics are not asked of an outcome without.
            Matcher::Diagnostics("RECV-THREADS-SIMULTANEOUS".into()),
        ];
        for m in &ok {
            assert_eq!(m.check(&o), None, "{m:?}");
        }
        let bad = [
            (
                Matcher::Is(Field::Bytes, "5".into()),
                "bytes: expected 5, got 4",
            ),
            (
                Matcher::Is(Field::Namelen, "16".into()),
                "namelen: expected 16, got nothing",
            ),
            (
                Matcher::BytesAtMost(3),
                "bytes_at_most: expected 1 to 3 bytes, got 4",
            ),
            (
                Matcher::OneOf(Field::Result, vec!["ok".into(), "WSAEWOULDBLOCK".into()]),
                "result: expected one of ok, WSAEWOULDBLOCK, got WSAEMSGSIZE",
            ),
            (
                Matcher::PrefixOf("00".into()),
                "prefix: expected a non-empty prefix of 00, got 68656c6c",
            ),
        ];
        for (m, says) in &bad {
            assert_eq!(m.check(&o).as_deref(), Some(*says), "{m:?}");
        }
    }

    #[test]
    fn an_expectation_becomes_its_matchers_in_report_order() {
        let e: Expect = serde_json::from_str(
            r#"{"result": "ok", "bytes_at_most": 9, "flags": ["MSG_TRUNC", "MSG_BCAST"], "data": "hi"}"#,
        )
        .unwrap();
        let m = matchers::<String>(&e, |_| Ok(String::new())).unwrap();
        assert_eq!(
            m,
            vec![
                Matcher::BytesAtMost(9),
                Matcher::Is(Field::Result, "ok".into()),
                Matcher::Is(Field::Data, "6869".into()),
                Matcher::Is(Field::Flags, "MSG_BCAST|MSG_TRUNC".into()),
            ]
        );
    }
}
