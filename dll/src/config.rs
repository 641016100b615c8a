//! The DLL's settings, read once from the environment at the first call.

use std::path::PathBuf;
use winsock_model::contract::quirks::{Base, Profile};

/// What a socket handle the program sees is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandleMode {
    /// A real kernel handle (an event object) stands for each socket
    /// (`WSD_HANDLES=kernel`, the default on Windows).
    Kernel,
    /// The model's own handle value is the `SOCKET` (`WSD_HANDLES=model`;
    /// always so off Windows).
    Model,
}

/// What the DLL does when the model reports a deadlock or a misuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnReport {
    /// The call fails (`WSAETIMEDOUT` for a deadlock, `WSAEINVAL` for a
    /// misuse) after the report went to standard error and the log
    /// (`WSD_ON_REPORT=error`, the default).
    Error,
    /// The report goes to standard error and the log, the trace is
    /// written, and the process ends with exit code 3
    /// (`WSD_ON_REPORT=exit`).
    Exit,
}

/// Every setting, with its variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// `WSD_SEED`: the model's seed, decimal or `0x` hex (default 0).
    pub seed: u64,
    /// `WSD_PROFILE`: `documented`, `windows` (default) or `wine-8`.
    pub profile: Profile,
    /// `WSD_HOST`: the simulated host's name (default `wsd-host`), what
    /// `gethostname` returns and `getaddrinfo` resolves.
    pub host: String,
    /// `WSD_ADDRS`: the host's interface addresses in CIDR form, separated
    /// by commas (default `10.0.0.1/24`; empty for loopback only).
    pub addrs: Vec<String>,
    /// `WSD_TRACE`: where the trace is written (at the last `WSACleanup`,
    /// at a model report and when the DLL is unloaded). Off by default.
    pub trace: Option<PathBuf>,
    /// `WSD_LOG`: where one line per call is appended. Off by default.
    pub log: Option<PathBuf>,
    /// `WSD_PCAP`: where every packet the model put on a wire is written
    /// as a pcapng file (when the trace is). Off by default.
    pub pcap: Option<PathBuf>,
    /// `WSD_HANDLES`: `kernel` or `model`.
    pub handles: HandleMode,
    /// `WSD_ON_REPORT`: `error` or `exit`.
    pub on_report: OnReport,
    /// `WSD_NAMES`: more names `getaddrinfo` and `gethostbyname` resolve,
    /// as `NAME=ADDRESS` entries separated by commas (a name given twice
    /// has both addresses, in order): the simulated world's hosts file.
    /// None by default.
    pub names: Vec<(String, std::net::IpAddr)>,
    /// `WSD_ROUTES`: prefixes (CIDR, commas) the host reaches through a
    /// router, where no host of the model answers (default `0.0.0.0/0,::/0`:
    /// a connection to an address outside the model waits and times out,
    /// as on a host whose network ends at its gateway; a prefix needs an
    /// interface of its family, else the address is unreachable). Empty:
    /// none, every such address is `WSAENETUNREACH`.
    pub routes: Vec<String>,
    /// `WSD_STREAM_READS`: `seeded` (a stream receive may return fewer
    /// bytes than are buffered, by seed; the default of the `documented`
    /// profile) or `whole` (as much as is buffered and fits, as Windows
    /// does on loopback; the default of `windows` and `wine-8`).
    pub stream_reads: winsock_model::StreamReads,
    /// `WSD_COMPLETION` (as `Sim::builder` reads it too): when an
    /// overlapped operation that could complete at once does so: `seeded`
    /// (the seed picks, per operation, between completing at once and
    /// `WSA_IO_PENDING`, both documented; the default of `documented`),
    /// `immediate` (at once, as Windows does when the data is there; the
    /// default of `windows` and `wine-8`) or `pending` (always
    /// `WSA_IO_PENDING`, the completion at the same instant).
    pub completion: winsock_model::CompletionTiming,
    /// `WSD_STALL_MS`: in a multi-threaded program, how long (wall-clock
    /// milliseconds) a blocking call that nothing in flight can end waits
    /// for another thread to act (any call into the DLL restarts the
    /// count) before it ends with the model's deadlock report (default
    /// 3000; `0`: it waits as long as it takes, as Windows would).
    pub stall_ms: u64,
}

impl Settings {
    /// The settings of the process environment.
    pub fn from_env() -> Result<Settings, String> {
        Settings::from_vars(|k| std::env::var(k).ok())
    }

    /// The settings given by `get` (a variable's value, if it is set).
    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> Result<Settings, String> {
        let nonempty = |k: &str| get(k).filter(|v| !v.is_empty());
        let seed = match nonempty("WSD_SEED") {
            None => 0,
            Some(v) => parse_u64(&v).ok_or_else(|| format!("WSD_SEED={v}: not a number"))?,
        };
        let profile = match nonempty("WSD_PROFILE") {
            None => Profile::windows(),
            Some(v) => Profile::named(Base::from_name(&v).ok_or_else(|| {
                format!("WSD_PROFILE={v}: not one of documented, windows, wine-8")
            })?),
        };
        let host = nonempty("WSD_HOST").unwrap_or_else(|| "wsd-host".to_string());
        let addrs = match get("WSD_ADDRS") {
            None => vec!["10.0.0.1/24".to_string()],
            Some(v) => v
                .split(',')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_string)
                .collect(),
        };
        let handles = match nonempty("WSD_HANDLES").as_deref() {
            None if cfg!(windows) => HandleMode::Kernel,
            None | Some("model") => HandleMode::Model,
            Some("kernel") if cfg!(windows) => HandleMode::Kernel,
            Some("kernel") => return Err("WSD_HANDLES=kernel: only on Windows".into()),
            Some(v) => return Err(format!("WSD_HANDLES={v}: not one of kernel, model")),
        };
        let on_report = match nonempty("WSD_ON_REPORT").as_deref() {
            None | Some("error") => OnReport::Error,
            Some("exit") => OnReport::Exit,
            Some(v) => return Err(format!("WSD_ON_REPORT={v}: not one of error, exit")),
        };
        let mut names = vec![];
        for e in get("WSD_NAMES").unwrap_or_default().split(',') {
            let e = e.trim();
            if e.is_empty() {
                continue;
            }
            let (n, a) = e
                .split_once('=')
                .ok_or_else(|| format!("WSD_NAMES: `{e}` is not NAME=ADDRESS"))?;
            let ip = a
                .trim()
                .parse()
                .map_err(|_| format!("WSD_NAMES: `{a}` is not an IP address"))?;
            names.push((n.trim().to_ascii_lowercase(), ip));
        }
        let routes = match get("WSD_ROUTES") {
            None => vec!["0.0.0.0/0".to_string(), "::/0".to_string()],
            Some(v) => v
                .split(',')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_string)
                .collect(),
        };
        // A profile named after an implementation does what it does where
        // that is deterministic: Windows (and Wine) give a stream receive
        // as much as is buffered and fits, and complete an overlapped
        // operation at once when it can; the documented profile explores
        // both choices by seed.
        let named = profile.base() != Base::Documented;
        let stream_reads = match nonempty("WSD_STREAM_READS").as_deref() {
            None if named => winsock_model::StreamReads::Whole,
            None | Some("seeded") => winsock_model::StreamReads::Seeded,
            Some("whole") => winsock_model::StreamReads::Whole,
            Some(v) => return Err(format!("WSD_STREAM_READS={v}: not one of seeded, whole")),
        };
        let completion = match nonempty("WSD_COMPLETION").as_deref() {
            None if named => winsock_model::CompletionTiming::Immediate,
            None | Some("seeded") => winsock_model::CompletionTiming::Seeded,
            Some("immediate") => winsock_model::CompletionTiming::Immediate,
            Some("pending") => winsock_model::CompletionTiming::Pending,
            Some(v) => {
                return Err(format!(
                    "WSD_COMPLETION={v}: not one of seeded, immediate, pending"
                ))
            }
        };
        let stall_ms = match nonempty("WSD_STALL_MS") {
            None => 3000,
            Some(v) => v
                .parse()
                .map_err(|_| format!("WSD_STALL_MS={v}: not a number of milliseconds"))?,
        };
        Ok(Settings {
            stall_ms,
            seed,
            profile,
            host,
            addrs,
            trace: nonempty("WSD_TRACE").map(PathBuf::from),
            log: nonempty("WSD_LOG").map(PathBuf::from),
            pcap: nonempty("WSD_PCAP").map(PathBuf::from),
            handles,
            on_report,
            names,
            routes,
            stream_reads,
            completion,
        })
    }
}

fn parse_u64(v: &str) -> Option<u64> {
    match v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => v.parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(vars: &[(&str, &str)]) -> Result<Settings, String> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_vars(|k| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
    }

    #[test]
    fn defaults() {
        let s = with(&[]).unwrap();
        assert_eq!(s.seed, 0);
        assert_eq!(s.profile, Profile::windows());
        assert_eq!(s.host, "wsd-host");
        assert_eq!(s.addrs, vec!["10.0.0.1/24"]);
        assert_eq!(s.trace, None);
        assert_eq!(s.pcap, None);
        assert_eq!(s.on_report, OnReport::Error);
        assert_eq!(s.routes, vec!["0.0.0.0/0", "::/0"]);
        // The windows profile: what Windows does, not the seed's pick.
        assert_eq!(s.stream_reads, winsock_model::StreamReads::Whole);
        assert_eq!(s.completion, winsock_model::CompletionTiming::Immediate);
        assert_eq!(s.stall_ms, 3000);
        let d = with(&[("WSD_PROFILE", "documented")]).unwrap();
        assert_eq!(d.stream_reads, winsock_model::StreamReads::Seeded);
        assert_eq!(d.completion, winsock_model::CompletionTiming::Seeded);
    }

    #[test]
    fn every_variable_is_read() {
        let s = with(&[
            ("WSD_SEED", "0x10"),
            ("WSD_PROFILE", "wine-8"),
            ("WSD_HOST", "box"),
            ("WSD_ADDRS", "10.1.0.5/16, fd00::5/64"),
            ("WSD_TRACE", "t.txt"),
            ("WSD_LOG", "l.txt"),
            ("WSD_PCAP", "p.pcapng"),
            ("WSD_HANDLES", "model"),
            ("WSD_ON_REPORT", "exit"),
            ("WSD_NAMES", "Test.example=127.0.0.1, test.example=::1"),
            ("WSD_ROUTES", "192.0.2.0/24"),
            ("WSD_STREAM_READS", "whole"),
            ("WSD_COMPLETION", "immediate"),
            ("WSD_STALL_MS", "250"),
        ])
        .unwrap();
        assert_eq!(s.stall_ms, 250);
        assert_eq!(s.completion, winsock_model::CompletionTiming::Immediate);
        assert_eq!(s.routes, vec!["192.0.2.0/24"]);
        assert_eq!(s.stream_reads, winsock_model::StreamReads::Whole);
        assert_eq!(s.seed, 16);
        assert_eq!(s.profile, Profile::wine8());
        assert_eq!(s.host, "box");
        assert_eq!(s.addrs, vec!["10.1.0.5/16", "fd00::5/64"]);
        assert_eq!(s.trace, Some(PathBuf::from("t.txt")));
        assert_eq!(s.log, Some(PathBuf::from("l.txt")));
        assert_eq!(s.pcap, Some(PathBuf::from("p.pcapng")));
        assert_eq!(s.handles, HandleMode::Model);
        assert_eq!(s.on_report, OnReport::Exit);
        let lo4: std::net::IpAddr = "127.0.0.1".parse().unwrap();
        let lo6: std::net::IpAddr = "::1".parse().unwrap();
        assert_eq!(
            s.names,
            vec![("test.example".into(), lo4), ("test.example".into(), lo6)]
        );
        assert!(with(&[("WSD_ADDRS", "")]).unwrap().addrs.is_empty());
    }

    #[test]
    fn bad_values_are_refused() {
        assert!(with(&[("WSD_SEED", "x")]).is_err());
        assert!(with(&[("WSD_PROFILE", "linux")]).is_err());
        assert!(with(&[("WSD_HANDLES", "fd")]).is_err());
        assert!(with(&[("WSD_ON_REPORT", "panic")]).is_err());
        assert!(with(&[("WSD_NAMES", "a")]).is_err());
        assert!(with(&[("WSD_NAMES", "a=b")]).is_err());
        assert!(with(&[("WSD_STREAM_READS", "some")]).is_err());
        assert!(with(&[("WSD_COMPLETION", "later")]).is_err());
        assert!(with(&[("WSD_STALL_MS", "soon")]).is_err());
    }
}
