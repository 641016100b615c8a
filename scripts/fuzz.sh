#!/usr/bin/env bash
# Run a cargo-fuzz (libFuzzer) target of fuzz/ for a while (issue 7).
#
#   scripts/fuzz.sh ops [SECONDS]              # programs of Winsock calls
#   scripts/fuzz.sh scenario_parser [SECONDS]  # the scenario file parser
#
# SECONDS defaults to 60; 0 runs until stopped. Installs cargo-fuzz (the
# pinned version below) if it is missing. Works on the stable toolchain:
# `-s none` builds without a sanitizer (the model has no unsafe code for
# one to check), which is the only part of cargo-fuzz that needs nightly.
#
# The corpus grows in fuzz/corpus/TARGET; scenario_parser also starts from
# fixtures/scenarios, with a dictionary of the format (scripts/fuzz-dict.py),
# and fails on a run over 1 s or a process over 1 GiB. A failing input is
# written to fuzz/artifacts/TARGET/ and the run exits non-zero; for `ops`,
# turn it into a scenario with
#   cargo run -q -- decode fuzz/artifacts/ops/crash-... --save fixtures/scenarios/NAME.json
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_FUZZ_VERSION=0.13.2
target=${1:-}
secs=${2:-60}
case "$target" in
ops | scenario_parser) ;;
-h | --help | "")
    sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
    [ -n "$target" ] && exit 0 || exit 2
    ;;
*)
    echo "fuzz.sh: unknown target '$target' (ops, scenario_parser)" >&2
    exit 2
    ;;
esac
case "$secs" in
'' | *[!0-9]*)
    echo "fuzz.sh: SECONDS must be a whole number, not '$secs'" >&2
    exit 2
    ;;
esac

if ! cargo fuzz --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION"; then
    echo "fuzz.sh: installing cargo-fuzz $CARGO_FUZZ_VERSION" >&2
    cargo install --locked --version "$CARGO_FUZZ_VERSION" cargo-fuzz
fi

corpus=(fuzz/corpus/$target)
[ "$target" = scenario_parser ] && corpus+=(fixtures/scenarios)
mkdir -p "${corpus[0]}"
args=(-max_len=4096)
if [ "$target" = scenario_parser ]; then
    # Whole scenario files (16 KiB: twice the largest fixture), a dictionary of the
    # format's keys and of large numbers, and a run over 1 s or a process
    # over 1 GiB counts as a failure.
    mkdir -p fuzz/target
    python3 scripts/fuzz-dict.py > fuzz/target/scenario_parser.dict
    args=(-max_len=16384 -dict=fuzz/target/scenario_parser.dict -timeout=1 -rss_limit_mb=1024)
fi
[ "$secs" -gt 0 ] && args+=(-max_total_time="$secs")
exec cargo fuzz run "$target" -s none "${corpus[@]}" -- "${args[@]}"
