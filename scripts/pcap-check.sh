#!/usr/bin/env bash
# The capture, checked by a second reader: every corpus scenario is run on
# the model with `run --pcap`, tshark (Wireshark's reader) reads the file,
# and its packet list must be the trace's `wire` lines: the same number of
# packets, in the same order, each with the same arrival time, addresses,
# protocol and payload length, and no packet tshark finds malformed or with
# a bad checksum.
#
# Usage: scripts/pcap-check.sh [SCENARIO.json ...]   (default: the corpus)
# Needs tshark (Debian package `tshark`; installed here when missing) and
# python3.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec </dev/null

. scripts/need.sh
need tshark tshark pcap-check

cargo build -q --release --bin winsock-double
bin=target/release/winsock-double
out=target/pcap-check
rm -rf "$out" && mkdir -p "$out"
shopt -s nullglob
files=("$@")
((${#files[@]})) || files=(fixtures/scenarios/*.json fixtures/scenarios/windows/*.json)

# Only the layers the model writes are dissected (IP, UDP, TCP, ICMP):
# a datagram to port 53 is the model's bytes, not DNS for tshark to judge.
cfg=$out/wireshark
mkdir -p "$cfg"
tshark -G protocols 2>/dev/null | cut -f3 \
  | grep -vxE 'frame|raw|ip|ipv6|udp|tcp|icmp|icmpv6|data|_ws\..*' >"$cfg/disabled_protos"
export WIRESHARK_CONFIG_DIR=$cfg

total=0
for f in "${files[@]}"; do
  [[ -f $f ]] || continue
  name=$(basename "$f" .json)
  profile=documented
  [[ $f == */windows/* ]] && profile=windows
  # A failing step is conform's business; here only the capture counts.
  "$bin" run --profile "$profile" --pcap "$out/$name.pcapng" "$f" >"$out/$name.txt" 2>/dev/null || true
  [[ -f $out/$name.pcapng ]] || { echo "pcap-check: $name: no capture written" >&2; exit 1; }
  tshark -n -r "$out/$name.pcapng" -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE \
    -o tcp.check_checksum:TRUE -T fields -E separator='|' \
    -e frame.time_epoch -e ip.src -e ipv6.src -e ip.dst -e ipv6.dst -e frame.protocols \
    -e udp.length -e tcp.len -e _ws.expert.severity -e _ws.malformed \
    >"$out/$name.tshark" 2>"$out/$name.tshark.err"
  n=$(python3 scripts/pcap-compare.py "$out/$name.txt" "$out/$name.tshark") || {
    echo "pcap-check: $name: the capture and the trace differ (files in $out)" >&2
    exit 1
  }
  total=$((total + n))
done
echo "pcap-check: ${#files[@]} scenarios, $total packets: tshark reads each capture as the trace's wire lines"
