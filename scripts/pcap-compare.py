#!/usr/bin/env python3
"""Compares a run's `wire` trace lines with tshark's reading of its capture.

Usage: pcap-compare.py RUN.txt TSHARK.fields
RUN.txt: the text output of `winsock-double run --pcap`; TSHARK.fields:
`tshark -T fields -E separator='|'` with the fields scripts/pcap-check.sh
asks for. Prints the number of packets and exits 0 when they agree; else
prints every difference on standard error and exits 1.
"""

import re
import sys
from decimal import Decimal

WIRE = re.compile(r"^\s*\[[0-9.]+\] \S+ wire (?P<what>.*) arrives=(?P<t>[0-9.]+)$")


def addr_ip(a):
    """The IP of `1.2.3.4:5`, `[::1]:5` or a bare address."""
    if a.startswith("["):
        return a[1 : a.index("]")]
    if a.count(":") == 1:
        return a.split(":")[0]
    return a


def from_trace(path):
    out = []
    for line in open(path, encoding="utf-8"):
        m = WIRE.match(line.rstrip("\n"))
        if not m:
            continue
        what = m["what"].split()
        kind = what[0]
        if kind == "ICMP":
            src, dst, length = what[2], what[4], None
        elif kind == "IP":
            src, dst, length = what[2], what[4], None
        else:
            src, dst = what[1], what[3]
            length = int(what[-1].split("=")[1])
        out.append((Decimal(m["t"]), addr_ip(src), addr_ip(dst), kind, length))
    # The capture is in arrival order; the trace says when a packet was
    # sent. Scheduling order breaks ties, as the model's event queue does.
    out.sort(key=lambda p: p[0])
    return out


def from_tshark(path):
    out, bad = [], []
    for k, line in enumerate(open(path, encoding="utf-8")):
        f = line.rstrip("\n").split("|")
        t, s4, s6, d4, d6, protos, ulen, tlen, severity, malformed = f[:10]
        layers = protos.split(":")
        if "tcp" in layers:
            kind, length = "TCP", int(tlen or 0)
        elif "icmp" in layers or "icmpv6" in layers:
            kind, length = "ICMP", None
        elif "udp" in layers:
            kind, length = "UDP", int(ulen) - 8
        else:
            kind, length = "IP", None
        # An ICMP error quotes the datagram it is about: the outer
        # addresses come first.
        src = (s4 or s6).split(",")[0]
        dst = (d4 or d6).split(",")[0]
        out.append((Decimal(t), src, dst, kind, length))
        if malformed or "error" in severity.split(","):
            bad.append(f"packet {k + 1}: tshark reports {severity or 'malformed'}: {line.strip()}")
    return out, bad


def main():
    trace = from_trace(sys.argv[1])
    cap, bad = from_tshark(sys.argv[2])
    problems = list(bad)
    if len(trace) != len(cap):
        problems.append(f"{len(trace)} wire lines in the trace, {len(cap)} packets in the capture")
    for k, (a, b) in enumerate(zip(trace, cap)):
        if a != b:
            problems.append(f"packet {k + 1}: trace {a}, capture {b}")
    if problems:
        for p in problems:
            print(p, file=sys.stderr)
        sys.exit(1)
    print(len(cap))


main()
