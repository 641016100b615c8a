#!/usr/bin/env bash
# crate-suite.sh: a crate's own test suite (crates.io) on the model's
# ws2_32.dll (issue 20: code nobody here wrote). The crate (a pinned
# version) is fetched by cargo at build time, its tests are built for
# x86_64-win7-windows-gnu with the DLL stage's toolchain and target
# directory, and every test binary runs under Wine on Wine's own ws2_32
# and twice on the model's DLL (beside the .exe, WINEDLLOVERRIDES=ws2_32=n,b
# for that process only) with the same seed. With --same-trace the two
# traces must be byte-identical (a suite whose tests are single-threaded);
# otherwise (threads that talk through blocking calls: the DLL paces them
# by the wall clock, dll/src/pace.rs) only the results are compared.
#
# It prints each test's result on both, writes the record
# fixtures/findings/CRATE-suite.json (no times in it: a run that behaves
# the same writes the same file) and fails when the model passes fewer
# tests than the floor, when a build or a binary fails to run, or on an
# internal error of the DLL. A test that fails is printed and recorded,
# never hidden; Wine's own results are recorded only.
#
# No code of the crate is kept in this repository: its source is cargo's
# download (its registry cache), copied under the target directory to be
# built there with the crate's own Cargo.lock when it ships one (--locked).
#
# Usage: scripts/crate-suite.sh CRATE VERSION FLOOR [options] -- CARGO-TEST-TARGETS...
#        e.g. scripts/crate-suite.sh quinn-udp 0.6.3 11 --same-trace -- --lib --test tests
# Options: --same-trace      the model's two traces must be byte-identical
#          --binaries N      expect N test binaries (default: as many as built)
#          --test-threads N  libtest's --test-threads (default 1)
#          --timeout S       per binary and run, seconds (default 300)
#          --precise DEP=VER take version VER of dependency DEP instead of
#                            the one the crate's Cargo.lock names (one too
#                            old for this rustc); may be given again
# Run after scripts/dll-stage.sh, whose target directory, std build and
# Wine prefix it reuses (it builds the DLL itself if need be).
# Env:   DLL_STAGE_TARGET_DIR (default: target/dll-stage)
#        CRATE_SUITE_JSON (default: fixtures/findings/CRATE-suite.json)
set -euo pipefail
exec </dev/null

t0=$SECONDS
log() { printf '[%s +%4ss] %s\n' "${CRATE:-crate-suite}" "$((SECONDS - t0))" "$*"; }
fail() { log "FAILED: $*"; exit 1; }

cd "$(dirname "${BASH_SOURCE[0]}")/.."   # the workspace root
ROOT=$PWD

usage() { sed -n '24,35p' "${BASH_SOURCE[0]}"; exit "${1:-2}"; }
[[ ${1:-} == -h || ${1:-} == --help ]] && usage 0
(($# >= 3)) || usage
CRATE=$1 VERSION=$2 FLOOR=$3
shift 3
[[ $VERSION =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "VERSION $VERSION: not x.y.z" >&2; usage; }
[[ $FLOOR =~ ^[0-9]+$ ]] || { echo "FLOOR $FLOOR: not a number" >&2; usage; }
SAME_TRACE=0 BINARIES= THREADS=1 TIMEOUT=300 PRECISE=()
while (($#)); do
  case $1 in
    --same-trace) SAME_TRACE=1; shift ;;
    --binaries) BINARIES=${2:?}; shift 2 ;;
    --test-threads) THREADS=${2:?}; shift 2 ;;
    --timeout) TIMEOUT=${2:?}; shift 2 ;;
    --precise) [[ ${2:-} == ?*=?* ]] || { echo "--precise wants DEP=VERSION" >&2; usage; }
               PRECISE+=("$2"); shift 2 ;;
    --) shift; break ;;
    *) echo "unknown option $1" >&2; usage ;;
  esac
done
TARGETS=("$@")
((${#TARGETS[@]})) || { echo "no cargo test targets after --" >&2; usage; }
SEED=7

. "$ROOT/scripts/win-env.sh"
for f in "$WINE" "$WINESERVER" /usr/bin/rustc /usr/bin/cargo /usr/bin/x86_64-w64-mingw32-gcc /usr/bin/python3; do
  [[ -x $f ]] || fail "missing $f (scripts/wine-stage.sh installs the packages)"
done

# ---- environment (as scripts/dll-stage.sh) --------------------------------------------
export CARGO_TARGET_DIR=${DLL_STAGE_TARGET_DIR:-$ROOT/target/dll-stage}
mkdir -p "$CARGO_TARGET_DIR"
CARGO_TARGET_DIR=$(cd "$CARGO_TARGET_DIR" && pwd)
export WINEPREFIX=$CARGO_TARGET_DIR/wineprefix
export WINEARCH=win64
export WINEDEBUG=-all
BASE_OVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d"
export WINEDLLOVERRIDES=$BASE_OVERRIDES
unset DISPLAY WAYLAND_DISPLAY
unset WSD_SEED WSD_PROFILE WSD_HOST WSD_ADDRS WSD_TRACE WSD_LOG WSD_HANDLES WSD_ON_REPORT WSD_COMPLETION \
  WSD_ROUTES WSD_STREAM_READS WSD_NAMES WSD_STALL_MS
# The tests' own output: a backtrace is noise here (the panic line says it).
export RUST_BACKTRACE=0
JSON_OUT=${CRATE_SUITE_JSON:-$ROOT/fixtures/findings/$CRATE-suite.json}

S=$CARGO_TARGET_DIR/$CRATE-suite
mkdir -p "$S"
stop_wine() { "$WINESERVER" -k >/dev/null 2>&1 || true; "$WINESERVER" -w >/dev/null 2>&1 || true; }
trap stop_wine EXIT

# ---- the DLL -----------------------------------------------------------------------------
log "cargo build -p winsock-dll --target $TARGET"
nice -n 10 /usr/bin/cargo build -q -Zbuild-std=std,panic_abort --target "$TARGET" -p winsock-dll
dll=$CARGO_TARGET_DIR/$TARGET/debug/ws2_32.dll
[[ -f $dll ]] || fail "no $dll"

# ---- the crate's source, through cargo ------------------------------------------------------
# A throw-away package depending on the pinned version: cargo fetches it (and
# verifies its checksum), and cargo metadata says where its source is.
fetch=$S/fetch
mkdir -p "$fetch/src"
cat >"$fetch/Cargo.toml" <<EOF
[package]
name = "crate-suite-fetch"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
$CRATE = "=$VERSION"

[workspace]
EOF
echo 'fn main() {}' >"$fetch/src/main.rs"
log "cargo fetch $CRATE =$VERSION"
/usr/bin/cargo fetch -q --manifest-path "$fetch/Cargo.toml"
manifest=$(/usr/bin/cargo metadata -q --format-version 1 --manifest-path "$fetch/Cargo.toml" \
  | CRATE=$CRATE /usr/bin/python3 -c 'import json,os,sys; m=json.load(sys.stdin); print(next(p["manifest_path"] for p in m["packages"] if p["name"]==os.environ["CRATE"]))')
srcdir=$(dirname "$manifest")
[[ -d $srcdir/tests || -d $srcdir/src ]] || fail "no source of $CRATE in $srcdir"
# A copy to build in: the registry's copy stays untouched, and [workspace]
# keeps cargo from taking this repository's workspace for the crate's.
crate=$S/$CRATE-$VERSION
rm -rf "$crate"
cp -r "$srcdir" "$crate"
printf '\n[workspace]\n' >>"$crate/Cargo.toml"
# The crate's own Cargo.lock when it ships one (the versions its authors
# tested), else one cargo makes now.
locked=()
[[ -f $srcdir/Cargo.lock ]] && locked=(--locked)
for p in "${PRECISE[@]}"; do
  [[ -f $crate/Cargo.lock ]] || fail "--precise $p: $CRATE ships no Cargo.lock"
  log "cargo update -p ${p%%=*} --precise ${p#*=}"
  /usr/bin/cargo update -q --manifest-path "$crate/Cargo.toml" -p "${p%%=*}" --precise "${p#*=}" \
    || fail "cargo update -p ${p%%=*} --precise ${p#*=}"
done
log "$CRATE $VERSION from $srcdir${locked:+ (its Cargo.lock)}"

# ---- its tests, built for Windows ----------------------------------------------------------
log "cargo test --no-run ${TARGETS[*]} --target $TARGET"
nice -n 10 /usr/bin/cargo test -q --no-run "${locked[@]}" -Zbuild-std=std,panic_abort --target "$TARGET" \
  --manifest-path "$crate/Cargo.toml" "${TARGETS[@]}" --message-format=json >"$S/build.json" \
  || { grep -o '"rendered":"[^"]*"' "$S/build.json" | head -20; fail "building $CRATE's tests"; }
mapfile -t exes < <(/usr/bin/python3 - "$S/build.json" <<'PY' | sort
import json, sys
for line in open(sys.argv[1]):
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if m.get("reason") == "compiler-artifact" and m.get("profile", {}).get("test") and m.get("executable"):
        name = "lib" if "lib" in m["target"]["kind"] else m["target"]["name"]
        print(name + "\t" + m["executable"])
PY
)
((${#exes[@]} > 0)) || fail "no test binary was built"
[[ -z $BINARIES ]] || ((${#exes[@]} == BINARIES)) || fail "expected $BINARIES test binaries, got ${#exes[@]}"

# ---- the runs ----------------------------------------------------------------------------------
stop_wine
[[ -f $WINEPREFIX/system.reg ]] || {
  log "fresh WINEPREFIX=$WINEPREFIX"
  "$WINE" wineboot --init >"$S/wineboot.log" 2>&1 && "$WINESERVER" -w || { cat "$S/wineboot.log"; fail "wineboot"; }
}
"$WINESERVER" -p || fail "wineserver -p"
runs=$S/runs
rm -rf "$runs"; mkdir -p "$runs/model" "$runs/builtin"
cp "$dll" "$runs/model/"
winpath() { printf 'Z:%s' "${1//\//\\}"; }

# One test at a time by default: the DLL serializes threads anyway, and one
# order of calls is what makes the model's trace the same from run to run.
TEST_ARGS=(--test-threads="$THREADS")
for entry in "${exes[@]}"; do
  name=${entry%%$'\t'*} exe=${entry#*$'\t'}
  cp "$exe" "$runs/model/$name.exe"
  cp "$exe" "$runs/builtin/$name.exe"
  rc=0
  timeout "$TIMEOUT" "$WINE" "$runs/builtin/$name.exe" "${TEST_ARGS[@]}" >"$runs/$name.builtin.out" 2>&1 || rc=$?
  grep -q '^test result:' "$runs/$name.builtin.out" || { cat "$runs/$name.builtin.out"; fail "$name did not finish on Wine's ws2_32 (exit $rc)"; }
  for k in a b; do
    rc=0
    WINEDLLOVERRIDES="$BASE_OVERRIDES;ws2_32=n,b" WSD_SEED=$SEED \
      WSD_TRACE="$(winpath "$runs/$name.model-$k.trace")" WSD_LOG="$(winpath "$runs/$name.model-$k.log")" \
      timeout "$TIMEOUT" "$WINE" "$runs/model/$name.exe" "${TEST_ARGS[@]}" >"$runs/$name.model-$k.out" 2>&1 || rc=$?
    grep -q '^test result:' "$runs/$name.model-$k.out" || { cat "$runs/$name.model-$k.out"; fail "$name did not finish on the model (exit $rc)"; }
    if grep -q 'winsock-double ws2_32.dll: internal error' "$runs/$name.model-$k.out"; then
      grep 'internal error' "$runs/$name.model-$k.out"; fail "$name: an internal error of the DLL"
    fi
  done
  # A binary that makes no Winsock call (a library's unit tests) writes no
  # trace; one that does must write it on both runs.
  if [[ ! -e $runs/$name.model-a.trace && ! -e $runs/$name.model-b.trace ]]; then
    touch "$runs/$name.model-a.trace"
  else
    [[ -s $runs/$name.model-a.trace && -s $runs/$name.model-b.trace ]] || fail "$name: a run on the model wrote no trace"
    if ((SAME_TRACE)); then
      cmp -s "$runs/$name.model-a.trace" "$runs/$name.model-b.trace" \
        || { diff "$runs/$name.model-a.trace" "$runs/$name.model-b.trace" | head -20; fail "$name: two runs with seed $SEED gave different traces"; }
    fi
  fi
  if ((SAME_TRACE)); then
    cmp -s <(sed 's/; finished in .*//' "$runs/$name.model-a.out") <(sed 's/; finished in .*//' "$runs/$name.model-b.out") \
      || fail "$name: two runs on the model gave different results"
  fi
  [[ ! -e $runs/$name.builtin.trace ]] || fail "$name: the builtin run wrote a trace"
  same=; ((SAME_TRACE)) && same=", traces byte-identical"
  log "$name: ran on Wine's ws2_32 and twice on the model (seed $SEED$same, $(wc -l <"$runs/$name.model-a.trace") lines)"
done

# ---- the table, the record, the floor --------------------------------------------------------------
wine_version=$("$WINE" --version)
rustc_version=$(/usr/bin/rustc --version)
passed=$(/usr/bin/python3 - "$runs" "$JSON_OUT" "$CRATE" "$VERSION" "$FLOOR" "$SEED" "$wine_version" "$rustc_version" "$SAME_TRACE" "$THREADS" "${TARGETS[*]}" "${exes[@]%%$'\t'*}" <<'PY'
import json, re, sys
runs, out, crate, version, floor, seed, wine, rustc, same_trace, threads, targets = sys.argv[1:12]
binaries = sys.argv[12:]

def parse(path):
    """libtest's output: each test's result and, for a failure, its panic."""
    text = open(path, encoding="utf-8", errors="replace").read()
    res = {m.group(1): m.group(2) for m in re.finditer(r"^test (\S+) \.\.\. (ok|FAILED|ignored)$", text, re.M)}
    why = {}
    for m in re.finditer(r"^---- (\S+) stdout ----\n(.*?)(?=^---- |^failures:$)", text, re.M | re.S):
        p = re.search(r"panicked at ([^\n]*):\n([^\n]*)", m.group(2))
        if p:
            # the location in the crate, not the build's path
            loc = re.sub(r"^.*?" + re.escape(crate) + r"-[0-9.]+/", "", p.group(1))
            why[m.group(1)] = f"{loc}: {p.group(2)}"
    return res, why

tests = []
for b in binaries:
    bres, bwhy = parse(f"{runs}/{b}.builtin.out")
    mres, mwhy = parse(f"{runs}/{b}.model-a.out")
    for name in sorted(set(bres) | set(mres)):
        t = {"binary": b, "test": name,
             "wine_builtin": {"ok": "pass", "FAILED": "fail", "ignored": "ignored"}.get(bres.get(name), "not run"),
             "model": {"ok": "pass", "FAILED": "fail", "ignored": "ignored"}.get(mres.get(name), "not run")}
        if name in bwhy:
            t["wine_builtin_failure"] = bwhy[name]
        if name in mwhy:
            t["model_failure"] = mwhy[name]
        tests.append(t)

def count(k, v):
    return sum(1 for t in tests if t[k] == v)

rec = {
    "what": crate + "'s own test suite (crates.io), built for x86_64-win7-windows-gnu and run under Wine "
            "on Wine's builtin ws2_32 and on the model's ws2_32.dll (scripts/crate-suite.sh)",
    "crate": crate, "version": version,
    "build": "cargo test --no-run " + targets + ", -Zbuild-std=std,panic_abort",
    "run": "--test-threads=" + threads + "; on the model WSD_SEED=" + seed + ", WSD_PROFILE default (windows)"
           + ("; the two traces byte-identical" if same_trace == "1" else "; threads paced by the wall clock, traces not compared"),
    "wine": wine, "rustc": rustc,
    "floor": int(floor),
    "totals": {
        "tests": len(tests),
        "wine_builtin": {"pass": count("wine_builtin", "pass"), "fail": count("wine_builtin", "fail")},
        "model": {"pass": count("model", "pass"), "fail": count("model", "fail")},
    },
    "tests": tests,
}
with open(out, "w") as f:
    json.dump(rec, f, indent=2)
    f.write("\n")

w = max(len(f"{t['binary']}::{t['test']}") for t in tests)
print(f"  {'test':<{w}}  {'Wine ws2_32':<11}  model", file=sys.stderr)
for t in tests:
    print(f"  {t['binary'] + '::' + t['test']:<{w}}  {t['wine_builtin']:<11}  {t['model']}", file=sys.stderr)
    for k, label in (("wine_builtin_failure", "Wine"), ("model_failure", "model")):
        if k in t:
            print(f"      {label}: {t[k]}", file=sys.stderr)
tb, tm = rec["totals"]["wine_builtin"], rec["totals"]["model"]
print(f"{crate} {version}: {len(tests)} tests; Wine's ws2_32: {tb['pass']} passed, {tb['fail']} failed; "
      f"the model: {tm['pass']} passed, {tm['fail']} failed", file=sys.stderr)
print(tm["pass"])
PY
) || fail "reading the test results"
log "record: ${JSON_OUT#"$ROOT"/}"
if git -C "$ROOT" ls-files --error-unmatch "$JSON_OUT" >/dev/null 2>&1 && ! git -C "$ROOT" diff --quiet -- "$JSON_OUT"; then
  log "note: the record differs from the committed one (git diff ${JSON_OUT#"$ROOT"/})"
fi
((passed >= FLOOR)) || fail "the model passes $passed of $CRATE's tests, fewer than the floor of $FLOOR"
log "passed in $((SECONDS - t0)) s: the model passes $passed (floor $FLOOR)"
