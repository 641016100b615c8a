#!/usr/bin/env bash
# The project's pages, checked in a browser. Headless Chromium opens each,
# takes a screenshot and serializes the page it parsed, which must hold:
# - a timeline (`run --timeline` of threaded and overlapped scenarios, the
#   udp_echo example's smallest failing cases): one span per `call` line
#   of the run's trace and one mark per other line;
# - the conformance report (`conform --format html`): one row per clause
#   of `clauses --format json` and one per quirk of `quirks --format json`.
#
# Usage: scripts/browser-check.sh
# Needs Chromium (Debian package `chromium`; installed here when missing).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec </dev/null

. scripts/need.sh
need chromium chromium browser-check

out=target/browser-check
rm -rf "$out" && mkdir -p "$out"
cargo build -q --release --bin winsock-double
bin=target/release/winsock-double

for name in thr-simultaneous thr-blocking-alertable ovl-completion-port ovl-routines recvmsg-icmp-connreset; do
  "$bin" run --timeline "$out/$name.html" "fixtures/scenarios/$name.json" >"$out/$name.run.txt" 2>/dev/null || true
  # The trace as the run printed it, one line each.
  sed -n '/^trace:$/,$p' "$out/$name.run.txt" | tail -n +2 | sed 's/^  //' >"$out/$name.trace.txt"
done
cargo run -q --release --example udp_echo -- --timeline "$out" >"$out/udp_echo.txt"

# Chromium as the machine's probe starts it: headless, no network chatter.
browse() {
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$out/profile" "$@" 2>/dev/null
}

pages=0
for page in "$out"/*.html; do
  name=$(basename "$page" .html)
  trace=$out/$name.trace.txt
  [[ -s $trace ]] || { echo "browser-check: $name: no trace beside the page" >&2; exit 1; }
  calls=$(awk '$3 == "call"' "$trace" | wc -l)
  others=$(awk '$3 != "call"' "$trace" | wc -l)
  dom=$(timeout 120 bash -c "$(declare -f browse); out='$out'; browse --dump-dom 'file://$PWD/$page'")
  spans=$(grep -o '<rect class="span' <<<"$dom" | wc -l)
  marks=$(grep -o '<circle class="mark' <<<"$dom" | wc -l)
  if ((spans != calls || marks != others)); then
    echo "browser-check: $name: the page has $spans spans and $marks marks; the trace $calls calls and $others other lines" >&2
    exit 1
  fi
  timeout 120 bash -c "$(declare -f browse); out='$out'; browse --window-size=1400,600 --screenshot='$out/$name.png' 'file://$PWD/$page'" >/dev/null
  size=$(stat -c %s "$out/$name.png" 2>/dev/null || echo 0)
  ((size > 5000)) || { echo "browser-check: $name: no screenshot ($size bytes)" >&2; exit 1; }
  ((calls > 0)) || { echo "browser-check: $name: a run without calls" >&2; exit 1; }
  pages=$((pages + 1))
done
((pages >= 9)) || { echo "browser-check: only $pages pages (want 5 scenarios and 4 udp_echo cases)" >&2; exit 1; }

# The conformance report.
"$bin" conform --format html >"$out/conformance.html"
dom=$(timeout 120 bash -c "$(declare -f browse); out='$out'; browse --dump-dom 'file://$PWD/$out/conformance.html'")
rows=$(grep -o '<tr id="[^"]*" class="clause"' <<<"$dom" | wc -l)
qrows=$(grep -o '<tr id="[^"]*" class="quirk"' <<<"$dom" | wc -l)
clauses=$("$bin" clauses --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
quirks=$("$bin" quirks --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
if ((rows != clauses || qrows != quirks)); then
  echo "browser-check: the conformance page has $rows clause rows and $qrows quirk rows; there are $clauses clauses and $quirks quirks" >&2
  exit 1
fi
timeout 120 bash -c "$(declare -f browse); out='$out'; browse --window-size=1400,900 --screenshot='$out/conformance.png' 'file://$PWD/$out/conformance.html'" >/dev/null
(($(stat -c %s "$out/conformance.png") > 20000)) || { echo "browser-check: no screenshot of the conformance page" >&2; exit 1; }
echo "browser-check: $pages timelines, each with a span per call and a mark per event of its trace; the conformance page with $rows clauses and $qrows quirks (screenshots in $out)"
