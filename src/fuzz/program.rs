//! The frame of a generated program: its sockets ([`Shape`]), the steps
//! that set them up, and the scenario around the calls. Used by the
//! proptest strategies and by the byte decoder of the fuzz targets.

use crate::scenario::format::{AddrSpec, Data, HostSpec, Op, RouteSpec, Scenario, Step};

/// Which sockets a generated program has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// UDP sockets on the local host (`u0`, `u1`, ...), 1 to 4.
    pub udp: usize,
    /// A connected TCP pair: `c` (connected) and `a` (accepted).
    pub stream: bool,
    /// A second host `far`, three routers away, with a UDP socket `f0`:
    /// datagrams to it can run out of TTL. Model only.
    pub far: bool,
    /// Model settings may vary (datagram faults, timing knobs); off for
    /// programs that must also run on a real Winsock.
    pub model_settings: bool,
}

impl Default for Shape {
    fn default() -> Shape {
        Shape {
            udp: 3,
            stream: true,
            far: true,
            model_settings: true,
        }
    }
}

impl Shape {
    /// What runs on one host with a real Winsock too: two UDP sockets and a
    /// TCP pair, no model settings.
    pub fn os() -> Shape {
        Shape {
            udp: 2,
            stream: true,
            far: false,
            model_settings: false,
        }
    }

    /// The local UDP sockets' names.
    pub fn udp_names(&self) -> Vec<String> {
        (0..self.udp.clamp(1, 4)).map(|i| format!("u{i}")).collect()
    }
}

/// A step on the default host, with no expectation.
pub fn step(op: Op) -> Step {
    Step {
        op,
        host: None,
        clauses: vec![],
        expect: None,
    }
}

/// The port a socket is bound to when the shape fixes ports: `u0` is
/// 40000, `u1` 40001, ..., `f0` 40100.
pub fn fixed_port(name: &str) -> Option<u16> {
    match name {
        "f0" => Some(40100),
        u => u.strip_prefix('u')?.parse::<u16>().ok().map(|i| 40000 + i),
    }
}

/// The destination address of socket `name`. With fixed ports it is a
/// literal, so a datagram can still be sent there after the socket is
/// closed (and draws an ICMP port-unreachable); otherwise the address the
/// socket reports.
pub fn to(shape: Shape, name: &str) -> AddrSpec {
    match fixed_port(name).filter(|_| shape.model_settings) {
        Some(port) => {
            let ip = if name == "f0" {
                "10.9.0.1"
            } else {
                "127.0.0.1"
            };
            AddrSpec::Literal(format!("{ip}:{port}"))
        }
        None => AddrSpec::Socket {
            socket: name.to_string(),
            ip: Some(
                if name == "f0" {
                    "10.9.0.1"
                } else {
                    "127.0.0.1"
                }
                .to_string(),
            ),
        },
    }
}

/// The steps every generated program starts with: start-up, the sockets
/// (non-blocking, so that no call waits for ever), the TCP pair, an event.
pub fn prelude(shape: Shape) -> Vec<Step> {
    let mut v = vec![step(Op::Startup { version: None })];
    let bind = |name: &str, ip: &str| {
        let port = fixed_port(name)
            .filter(|_| shape.model_settings)
            .unwrap_or(0);
        AddrSpec::Literal(format!("{ip}:{port}"))
    };
    let local_ip = if shape.far { "0.0.0.0" } else { "127.0.0.1" };
    let nonblocking = |s: &str| {
        step(Op::Ioctl {
            socket: s.into(),
            cmd: "FIONBIO".into(),
            arg: 1,
        })
    };
    let socket = |name: &str, ty: &str, proto: &str| {
        step(Op::Socket {
            name: name.into(),
            af: "AF_INET".into(),
            ty: ty.into(),
            protocol: Some(proto.into()),
            non_overlapped: false,
        })
    };
    for u in shape.udp_names() {
        v.push(socket(&u, "SOCK_DGRAM", "IPPROTO_UDP"));
        v.push(step(Op::Bind {
            socket: u.clone(),
            addr: bind(&u, local_ip),
        }));
        v.push(nonblocking(&u));
    }
    if shape.far {
        let far = |op| Step {
            host: Some("far".into()),
            ..step(op)
        };
        v.push(far(Op::Startup { version: None }));
        v.push(far(Op::Socket {
            name: "f0".into(),
            af: "AF_INET".into(),
            ty: "SOCK_DGRAM".into(),
            protocol: Some("IPPROTO_UDP".into()),
            non_overlapped: false,
        }));
        v.push(far(Op::Bind {
            socket: "f0".into(),
            addr: bind("f0", "10.9.0.1"),
        }));
    }
    if shape.stream {
        v.push(socket("l", "SOCK_STREAM", "IPPROTO_TCP"));
        v.push(step(Op::Bind {
            socket: "l".into(),
            addr: AddrSpec::Literal("127.0.0.1:0".into()),
        }));
        v.push(step(Op::Listen {
            socket: "l".into(),
            backlog: None,
        }));
        v.push(socket("c", "SOCK_STREAM", "IPPROTO_TCP"));
        v.push(step(Op::Connect {
            socket: "c".into(),
            addr: AddrSpec::Socket {
                socket: "l".into(),
                ip: None,
            },
        }));
        v.push(step(Op::Accept {
            socket: "l".into(),
            name: "a".into(),
        }));
        v.push(nonblocking("c"));
        v.push(nonblocking("a"));
    }
    v.push(step(Op::CreateEvent { name: "e".into() }));
    v
}

/// Gives every datagram and stream write its own bytes (the step index in
/// the first two bytes, then a pattern), so that an invariant can tell any
/// two apart.
pub fn tag_payloads(steps: &mut [Step]) {
    for (i, st) in steps.iter_mut().enumerate() {
        if let Op::SendTo { data, .. } | Op::SendMsg { data, .. } | Op::Send { data, .. } =
            &mut st.op
        {
            let len = data.bytes().map(|b| b.len()).unwrap_or(0);
            let bytes: Vec<u8> = (0..len)
                .map(|k| match k {
                    0 => (i >> 8) as u8,
                    1 => i as u8,
                    _ => (k as u8).wrapping_mul(31).wrapping_add(i as u8),
                })
                .collect();
            *data = Data::Hex {
                hex: crate::scenario::format::to_hex(&bytes),
            };
        }
    }
}

/// The scenario: `shape`'s hosts, its prelude, then `body`, every payload
/// tagged; model settings are left at their defaults.
pub fn assemble(shape: Shape, seed: u64, body: Vec<Step>) -> Scenario {
    let mut steps = prelude(shape);
    steps.extend(body);
    tag_payloads(&mut steps);
    let (hosts, routes) = if shape.far {
        (
            vec![
                HostSpec {
                    name: "local".into(),
                    addrs: vec!["10.0.0.1/24".into()],
                    mtu: None,
                },
                HostSpec {
                    name: "far".into(),
                    addrs: vec!["10.9.0.1/24".into()],
                    mtu: None,
                },
            ],
            vec![
                RouteSpec {
                    host: "local".into(),
                    prefix: "10.9.0.0/24".into(),
                    hops: 3,
                },
                RouteSpec {
                    host: "far".into(),
                    prefix: "10.0.0.0/24".into(),
                    hops: 3,
                },
            ],
        )
    } else {
        (vec![], vec![])
    };
    Scenario {
        name: "generated".into(),
        description: "A program generated by winsock_double::fuzz.".into(),
        seed,
        hosts,
        routes,
        tx_rate: None,
        buffer_pool: None,
        latency_ms: None,
        completion_timing: None,
        max_outstanding: None,
        stream_reads: None,
        datagram_faults: None,
        quirks: Default::default(),
        inject: Vec::new(),
        steps,
    }
}
