#!/usr/bin/env bash
# dll-bench.sh: the drop-in DLL's overhead (issue 23, item 5). Builds the
# release ws2_32.dll and dll/programs/stdbench.rs (a single-threaded
# std::net program: UDP request/response and TCP ping-pong over loopback)
# for x86_64-win7-windows-gnu, then runs the same .exe under Wine, in
# alternating runs, on the model's DLL (beside the .exe, ws2_32=n,b for
# that process only, tracing off: no WSD_TRACE) and on Wine's own
# ws2_32, and prints each side's median round trips per second and the
# ratio (model / Wine).
#
# Both sides run under Wine: the peer's calls go through Wine's ws2_32 to
# the Linux kernel's loopback, the model's stay in the process. The
# model's rate is free of virtual time (the DLL never waits on the wall
# clock for it: it runs as fast as the calls go).
#
# The toolchain and Wine are those of scripts/wine-stage.sh (installs
# nothing here).
#
# Usage: scripts/dll-bench.sh [--quick] [--json] [--runs K] [--n N]
#   --quick    a smoke run (N 2,000, one run each)
#   --json     one JSON object per row instead of the table
#   --runs K   runs of each side (default 3; the median is reported)
#   --n N      round trips of each kind in a run (default 20,000)
# Env: DLL_BENCH_TARGET_DIR (default target/dll-bench)
set -euo pipefail
exec </dev/null

runs=3 n=20000 json=0
while (($#)); do
  case $1 in
  --quick) runs=1 n=2000; shift ;;
  --json) json=1; shift ;;
  --runs) runs=${2:?--runs needs K}; shift 2 ;;
  --n) n=${2:?--n needs N}; shift 2 ;;
  -h | --help) sed -n '2,25p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "dll-bench: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/win-env.sh
for f in "$WINE" "$WINESERVER" /usr/bin/rustc /usr/bin/cargo /usr/bin/x86_64-w64-mingw32-gcc; do
  [[ -x $f ]] || { echo "dll-bench: missing $f (scripts/wine-stage.sh installs the packages)" >&2; exit 1; }
done
export CARGO_TARGET_DIR=${DLL_BENCH_TARGET_DIR:-$PWD/target/dll-bench}
mkdir -p "$CARGO_TARGET_DIR"
CARGO_TARGET_DIR=$(cd "$CARGO_TARGET_DIR" && pwd)
export WINEPREFIX=$CARGO_TARGET_DIR/wineprefix WINEARCH=win64 WINEDEBUG=-all
BASE_OVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d"
export WINEDLLOVERRIDES=$BASE_OVERRIDES
unset DISPLAY WAYLAND_DISPLAY
# The model's defaults, tracing off.
unset WSD_SEED WSD_PROFILE WSD_HOST WSD_ADDRS WSD_TRACE WSD_PCAP WSD_LOG WSD_HANDLES WSD_ON_REPORT WSD_COMPLETION WSD_STALL_MS

echo "dll-bench: cargo build --release -p winsock-dll --target $TARGET" >&2
nice -n 10 /usr/bin/cargo build -q --release -Zbuild-std=std,panic_abort --target "$TARGET" -p winsock-dll
out=$CARGO_TARGET_DIR/$TARGET/release
[[ -f $out/ws2_32.dll && -f $out/wsd-stdbench.exe ]] || { echo "dll-bench: build products missing in $out" >&2; exit 1; }

trap '"$WINESERVER" -k >/dev/null 2>&1 || true; "$WINESERVER" -w >/dev/null 2>&1 || true' EXIT
if [[ ! -f $WINEPREFIX/system.reg ]]; then
  echo "dll-bench: making the Wine prefix $WINEPREFIX" >&2
  "$WINE" wineboot --init >"$CARGO_TARGET_DIR/wineboot.log" 2>&1 && "$WINESERVER" -w \
    || { cat "$CARGO_TARGET_DIR/wineboot.log" >&2; exit 1; }
fi
# One server for all the runs (its start is not measured anyway: the
# program times its own loops).
"$WINESERVER" -p

d=$CARGO_TARGET_DIR/bench-runs
rm -rf "$d"; mkdir -p "$d/model" "$d/builtin"
cp "$out/ws2_32.dll" "$out/wsd-stdbench.exe" "$d/model/"
cp "$out/wsd-stdbench.exe" "$d/builtin/"

# run SIDE K: one run; its output in $d/SIDE-K.out.
run() {
  local side=$1 k=$2 rc=0 ov=$BASE_OVERRIDES
  [[ $side == model ]] && ov+=";ws2_32=n,b"
  WINEDLLOVERRIDES=$ov "$WINE" "$d/$side/wsd-stdbench.exe" "$n" >"$d/$side-$k.out" 2>"$d/$side-$k.err" || rc=$?
  if ((rc != 0)) || ! grep -qx done "$d/$side-$k.out"; then
    cat "$d/$side-$k.out" "$d/$side-$k.err" >&2
    echo "dll-bench: the program failed on the $side side (exit $rc)" >&2
    exit 1
  fi
}
for ((k = 1; k <= runs; k++)); do
  run model "$k"
  run builtin "$k"
done
# The model's DLL was the one loaded on its side: a short run with a
# trace must show the program's calls in it (the timed runs have none).
WINEDLLOVERRIDES="$BASE_OVERRIDES;ws2_32=n,b" WSD_TRACE="Z:${d//\//\\}\\check.trace" \
  "$WINE" "$d/model/wsd-stdbench.exe" 10 >/dev/null 2>&1
grep -qF 'call WSASendTo(' "$d/check.trace" \
  || { echo "dll-bench: the model's DLL was not loaded on the model side" >&2; exit 1; }

# median KIND SIDE: the median rate of KIND over the runs of SIDE.
median() {
  cat "$d/$2"-*.out | awk -v k="$1" '$1 == k { print $4 }' | sort -g \
    | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
if ((json == 0)); then
  printf '| %-15s | %12s | %12s | %7s |\n' benchmark "model DLL /s" "Wine's /s" ratio
  printf '|-----------------|--------------|--------------|---------|\n'
fi
for kind in udp_round_trips tcp_round_trips; do
  m=$(median "$kind" model) b=$(median "$kind" builtin)
  r=$(awk -v m="$m" -v b="$b" 'BEGIN { printf "%.2f", m / b }')
  if ((json)); then
    printf '{"name":"dll_%s","unit":"round_trips/s","model":%s,"peer":"wine_ws2_32","peer_value":%s,"ratio":%s,"n":%s,"runs":%s}\n' \
      "$kind" "$m" "$b" "$r" "$n" "$runs"
  else
    printf '| %-15s | %12.0f | %12.0f | %6sx |\n' "$kind" "$m" "$b" "$r"
  fi
done
