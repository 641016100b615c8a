#!/usr/bin/env bash
# go-net-suite.sh: Go's own `net` package tests on the model's ws2_32.dll
# (issue 20: code nobody here wrote). Debian's Go builds the standard
# library's net tests for Windows (`GOOS=windows go test -c net`, from the
# source the golang-go package installs: nothing of it is kept here), and
# the test binary runs under Wine twice: on Wine's own ws2_32 and on the
# model's DLL (scripts/wsd-wine.sh: the DLL in system32 of its own prefix,
# a per-program override, as Go's runtime loads ws2_32 from system32
# only). `-test.short`, from a directory of the script's: the tests that
# read ../testdata (TestSendfile*, which also needs `TransmitFile`, not
# modelled: it hung for the 300 s time-out) fail at once on both. Go's runtime is multi-threaded: the DLL paces its
# waits by the wall clock, so runs are not reproducible from the seed and
# only results are compared.
#
# It prints each test whose result differs between the two, writes the
# record fixtures/findings/go-net-suite.json (every top-level test's
# result on both; no times) and fails when the model passes fewer than
# FLOOR, when a run does not finish, or on an internal error of the DLL.
#
# Usage: scripts/go-net-suite.sh [FLOOR]   (default below; after
#        scripts/dll-stage.sh, whose DLL it uses)
# Env:   DLL_STAGE_TARGET_DIR (default: target/dll-stage)
#        GO_NET_SUITE_JSON (default: fixtures/findings/go-net-suite.json)
set -euo pipefail
exec </dev/null

t0=$SECONDS
log() { printf '[go-net +%4ss] %s\n' "$((SECONDS - t0))" "$*"; }
fail() { log "FAILED: $*"; exit 1; }

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
# The fewest top-level tests that must pass on the model: measured 142 of
# 215 with go1.19.8 (as many as on Wine's ws2_32), less a margin for the
# tests whose outcome depends on timing between goroutines (two runs of the
# same binary differ by a test or two on either implementation).
FLOOR=${1:-138}
[[ $FLOOR =~ ^[0-9]+$ ]] || { echo "usage: $0 [FLOOR]" >&2; exit 2; }

. "$ROOT/scripts/win-env.sh"
for f in "$WINE" /usr/bin/go /usr/bin/python3; do
  [[ -x $f ]] || fail "missing $f (scripts/wine-stage.sh installs the packages)"
done
out=${DLL_STAGE_TARGET_DIR:-$ROOT/target/dll-stage}
dll=$out/$TARGET/debug/ws2_32.dll
[[ -f $dll ]] || fail "no $dll (run scripts/dll-stage.sh first)"
JSON_OUT=${GO_NET_SUITE_JSON:-$ROOT/fixtures/findings/go-net-suite.json}
unset WSD_SEED WSD_PROFILE WSD_HOST WSD_ADDRS WSD_TRACE WSD_LOG WSD_HANDLES WSD_ON_REPORT WSD_COMPLETION \
  WSD_ROUTES WSD_STREAM_READS WSD_NAMES WSD_STALL_MS

S=$out/go-net-suite
mkdir -p "$S"
go_version=$(/usr/bin/go version | cut -d' ' -f3)
src=$(/usr/bin/go env GOROOT)/src/net
[[ -d $src ]] || fail "no Go source at $src"
log "GOOS=windows GOARCH=amd64 go test -c net ($go_version)"
GOOS=windows GOARCH=amd64 GOCACHE=$S/cache GOFLAGS= nice -n 10 /usr/bin/go test -c -o "$S/net.test.exe" net \
  || fail "building Go's net tests"

ARGS=(-test.short -test.v -test.timeout 300s)
mkdir -p "$S/run"
for side in builtin model; do
  rc=0
  if [[ $side == builtin ]]; then
    (cd "$S/run" && timeout 400 "$ROOT/scripts/wsd-wine.sh" --builtin --dll "$dll" "$S/net.test.exe" "${ARGS[@]}") \
      >"$S/$side.out" 2>&1 || rc=$?
  else
    (cd "$S/run" && WSD_SEED=7 timeout 400 "$ROOT/scripts/wsd-wine.sh" --dll "$dll" --trace "$S/model.trace" \
      "$S/net.test.exe" "${ARGS[@]}") >"$S/$side.out" 2>&1 || rc=$?
  fi
  # (exit 1: some test failed; a panic, a time-out or a crash leaves no
  # closing PASS/FAIL line, which the socket statistics follow)
  grep -qxE 'FAIL|PASS' "$S/$side.out" || { tail -n 40 "$S/$side.out"; fail "$side: the run did not finish (exit $rc)"; }
  if grep -q 'winsock-double ws2_32.dll: internal error' "$S/$side.out"; then
    grep 'internal error' "$S/$side.out" | head; fail "$side: an internal error of the DLL"
  fi
  log "$side: finished (exit $rc)"
done
[[ -s $S/model.trace ]] || fail "the model's run wrote no trace: was the DLL loaded?"

passed=$(/usr/bin/python3 - "$S" "$JSON_OUT" "$go_version" "$("$WINE" --version)" <<'PY'
import json, re, sys
S, out, go, wine = sys.argv[1:5]

def parse(path):
    text = open(path, encoding="utf-8", errors="replace").read()
    return {m.group(2): m.group(1).lower()
            for m in re.finditer(r"^--- (PASS|FAIL|SKIP): (\S+) ", text, re.M)}

b, m = parse(f"{S}/builtin.out"), parse(f"{S}/model.out")
tests = [{"test": n, "wine_builtin": b.get(n, "not run"), "model": m.get(n, "not run")}
         for n in sorted(set(b) | set(m))]

def count(side):
    r = {}
    for t in tests:
        r[t[side]] = r.get(t[side], 0) + 1
    return dict(sorted(r.items()))

rec = {
    "what": "Go's own net package tests (the standard library's, go test -c net for GOOS=windows), "
            "run under Wine on Wine's builtin ws2_32 and on the model's ws2_32.dll (scripts/go-net-suite.sh)",
    "go": go, "wine": wine,
    "run": "-test.short, top-level tests; on the model WSD_SEED=7, WSD_PROFILE default (windows); "
           "multi-threaded: results, not traces, compared",
    "totals": {"tests": len(tests), "wine_builtin": count("wine_builtin"), "model": count("model")},
    "tests": tests,
}
with open(out, "w") as f:
    json.dump(rec, f, indent=2)
    f.write("\n")
for t in tests:
    if t["wine_builtin"] != t["model"]:
        print(f"  {t['test']:<44} Wine {t['wine_builtin']:<8} model {t['model']}", file=sys.stderr)
tb, tm = rec["totals"]["wine_builtin"], rec["totals"]["model"]
print(f"Go {go} net: {len(tests)} tests; Wine's ws2_32: {tb}; the model: {tm}", file=sys.stderr)
print(tm.get("pass", 0))
PY
) || fail "reading the results"
log "record: ${JSON_OUT#"$ROOT"/}"
((passed >= FLOOR)) || fail "the model passes $passed of Go's net tests, fewer than the floor of $FLOOR"
log "passed in $((SECONDS - t0)) s: the model passes $passed (floor $FLOOR)"
