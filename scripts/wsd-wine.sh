#!/usr/bin/env bash
# Runs an unmodified Windows program on the model under Wine: its sockets
# are the model's (the drop-in ws2_32.dll, docs/dll.md).
#
#   scripts/wsd-wine.sh [OPTIONS] PROGRAM.exe [ARGS...]
#
# Options (before the program):
#   --trace FILE   write the model's trace here (default: print it on
#                  standard error when the program ends)
#   --pcap FILE    write the packets the model put on a wire (pcapng)
#   --dll FILE     the ws2_32.dll to use (default: build it, as
#                  scripts/dll-stage.sh does, into target/dll-stage)
#   --builtin      run on Wine's own ws2_32 instead (the same program and
#                  prefix, for comparison)
#   -h, --help     this text
# The model's settings come from the environment as the DLL reads them:
# WSD_SEED, WSD_PROFILE, WSD_HOST, WSD_ADDRS, WSD_NAMES, WSD_ROUTES,
# WSD_COMPLETION, WSD_STREAM_READS, WSD_ON_REPORT, WSD_STALL_MS, WSD_LOG
# (docs/dll.md).
#
# The DLL goes into system32 of a Wine prefix of this script's own
# (target/wsd-wine/prefix), with a DllOverrides entry for this program's
# file name only: so Go programs (which load ws2_32 from system32 only)
# run too, and Wine's own processes keep Wine's ws2_32. The exit status is
# the program's; a call that can never complete gets the model's deadlock
# report on standard error (with WSD_ON_REPORT=exit the program ends with
# exit code 3).
set -euo pipefail
usage() { sed -n '2,29p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "wsd-wine: $*" >&2; exit 2; }

trace='' pcap='' dll='' builtin=0
while (($#)); do
  case $1 in
  --trace) trace=${2:?--trace needs a FILE}; shift 2 ;;
  --pcap) pcap=${2:?--pcap needs a FILE}; shift 2 ;;
  --dll) dll=${2:?--dll needs a FILE}; shift 2 ;;
  --builtin) builtin=1; shift ;;
  -h | --help) usage; exit 0 ;;
  --) shift; break ;;
  -*) die "unknown option $1 (see --help)" ;;
  *) break ;;
  esac
done
(($#)) || { usage >&2; exit 2; }
prog=$1
shift
[[ -f $prog ]] || die "no program $prog"
prog=$(cd "$(dirname "$prog")" && pwd)/$(basename "$prog")

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/scripts/win-env.sh"
[[ -x $WINE ]] || die "no Wine at $WINE (scripts/wine-stage.sh installs it)"

if [[ -z $dll ]]; then
  out=$root/target/dll-stage
  dll=$out/x86_64-win7-windows-gnu/debug/ws2_32.dll
  echo "wsd-wine: building the DLL ($dll)" >&2
  (cd "$root" && CARGO_TARGET_DIR=$out \
    /usr/bin/cargo build -q -Zbuild-std=std,panic_abort --target "$TARGET" -p winsock-dll) \
    || die "the DLL did not build"
fi
[[ -f $dll ]] || die "no DLL at $dll"

# A Windows path for a Unix one (Wine maps / to Z:).
winpath() { printf 'Z:%s' "${1//\//\\}"; }

state=$root/target/wsd-wine
mkdir -p "$state"
export WINEPREFIX=$state/prefix WINEARCH=win64 WINEDEBUG=${WINEDEBUG:--all}
export WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d"
if [[ ! -f $WINEPREFIX/system.reg ]]; then
  echo "wsd-wine: making the Wine prefix $WINEPREFIX" >&2
  "$WINE" wineboot --init >"$state/wineboot.log" 2>&1 && "$WINESERVER" -w \
    || { cat "$state/wineboot.log" >&2; die "wineboot failed"; }
fi
name=$(basename "$prog")
key="HKCU\\Software\\Wine\\AppDefaults\\$name\\DllOverrides"
sys32=$WINEPREFIX/drive_c/windows/system32
if ((builtin)); then
  "$WINE" reg delete "$key" /v ws2_32 /f >/dev/null 2>&1 || true
  # Wine's own, even with a ws2_32.dll beside the program.
  WINEDLLOVERRIDES+=";ws2_32=b"
else
  "$WINE" reg add "$key" /v ws2_32 /d native /f >"$state/reg.log" 2>&1 \
    || { cat "$state/reg.log" >&2; die "reg add failed"; }
fi
# The DLL sits in system32 beside Wine's (a placeholder there names the
# builtin; the per-program entry above chooses).
cp "$dll" "$sys32/ws2_32.dll"

own_trace=''
if ((!builtin)); then
  if [[ -z $trace ]]; then
    own_trace=$state/trace.txt
    trace=$own_trace
  fi
  rm -f "$trace"
  export WSD_TRACE
  WSD_TRACE=$(winpath "$(cd "$(dirname "$trace")" && pwd)/$(basename "$trace")")
  if [[ -n $pcap ]]; then
    export WSD_PCAP
    WSD_PCAP=$(winpath "$(cd "$(dirname "$pcap")" && pwd)/$(basename "$pcap")")
  fi
fi
rc=0
"$WINE" "$prog" "$@" || rc=$?
"$WINESERVER" -w >/dev/null 2>&1 || true
if [[ -n $own_trace ]]; then
  if [[ -s $own_trace ]]; then
    echo "--- the model's trace ---" >&2
    cat "$own_trace" >&2
  else
    echo "wsd-wine: no trace was written (the program made no socket call, or did not reach WSACleanup or exit)" >&2
  fi
fi
exit "$rc"
