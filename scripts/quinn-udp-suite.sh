#!/usr/bin/env bash
# quinn-udp-suite.sh: quinn-udp's own test suite on the model's ws2_32.dll
# (issue 20). quinn-udp (crates.io, the pinned version below) is fetched by
# cargo at build time, its tests are built for x86_64-win7-windows-gnu with
# the DLL stage's toolchain and target directory, and every test binary runs
# under Wine twice: on Wine's own ws2_32 and on the model's DLL (beside the
# .exe, WINEDLLOVERRIDES=ws2_32=n,b for that process only). On the model it
# runs twice with the same seed and the two traces must be byte-identical.
#
# It prints each test's result on both, writes the record
# fixtures/findings/quinn-udp-suite.json (no times in it: a run that
# behaves the same writes the same file) and fails when the model passes
# fewer tests than FLOOR below, when a build or a binary fails to run, or on
# an internal error of the DLL. A test that fails is printed and recorded,
# never hidden; Wine's own results are recorded only.
#
# No quinn-udp code is kept in this repository: the crate's source is
# cargo's download (its registry cache), copied under the target directory
# to be built there with the crate's own Cargo.lock (--locked).
#
# Usage: scripts/quinn-udp-suite.sh      (after scripts/dll-stage.sh, whose
#        target directory, std build and Wine prefix it reuses; it builds
#        the DLL itself if need be)
# Env:   DLL_STAGE_TARGET_DIR (default: target/dll-stage)
#        QUINN_UDP_SUITE_JSON (default: fixtures/findings/quinn-udp-suite.json)
set -euo pipefail
exec </dev/null

t0=$SECONDS
log() { printf '[quinn-udp +%4ss] %s\n' "$((SECONDS - t0))" "$*"; }
fail() { log "FAILED: $*"; exit 1; }

cd "$(dirname "${BASH_SOURCE[0]}")/.."   # the workspace root
ROOT=$PWD

# The version under test: the newest on crates.io when this was written that
# builds with Debian's rustc-web 1.96 (quinn-udp 0.6.3 needs 1.88).
VERSION=0.6.3
# The fewest tests that must pass on the model (all of them at 0.6.3: the
# library's unit test and the 10 of tests/tests.rs that Windows compiles).
FLOOR=11
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
  WSD_ROUTES WSD_STREAM_READS WSD_NAMES
# The tests' own output: a backtrace is noise here (the panic line says it).
export RUST_BACKTRACE=0
JSON_OUT=${QUINN_UDP_SUITE_JSON:-$ROOT/fixtures/findings/quinn-udp-suite.json}

S=$CARGO_TARGET_DIR/quinn-udp-suite
mkdir -p "$S"
stop_wine() { "$WINESERVER" -k >/dev/null 2>&1 || true; "$WINESERVER" -w >/dev/null 2>&1 || true; }
trap stop_wine EXIT

# ---- the DLL -----------------------------------------------------------------------------
log "cargo build -p winsock-dll --target $TARGET"
nice -n 10 /usr/bin/cargo build -q -Zbuild-std=std,panic_abort --target "$TARGET" -p winsock-dll
dll=$CARGO_TARGET_DIR/$TARGET/debug/ws2_32.dll
[[ -f $dll ]] || fail "no $dll"

# ---- quinn-udp's source, through cargo ----------------------------------------------------
# A throw-away package depending on the pinned version: cargo fetches it (and
# verifies its checksum), and cargo metadata says where its source is.
fetch=$S/fetch
mkdir -p "$fetch/src"
cat >"$fetch/Cargo.toml" <<EOF
[package]
name = "quinn-udp-fetch"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
quinn-udp = "=$VERSION"

[workspace]
EOF
echo 'fn main() {}' >"$fetch/src/main.rs"
log "cargo fetch quinn-udp =$VERSION"
/usr/bin/cargo fetch -q --manifest-path "$fetch/Cargo.toml"
manifest=$(/usr/bin/cargo metadata -q --format-version 1 --manifest-path "$fetch/Cargo.toml" \
  | /usr/bin/python3 -c 'import json,sys; m=json.load(sys.stdin); print(next(p["manifest_path"] for p in m["packages"] if p["name"]=="quinn-udp"))')
srcdir=$(dirname "$manifest")
[[ -f $srcdir/tests/tests.rs && -f $srcdir/Cargo.lock ]] || fail "quinn-udp's source in $srcdir lacks tests/tests.rs or Cargo.lock"
# A copy to build in: the registry's copy stays untouched, and [workspace]
# keeps cargo from taking this repository's workspace for the crate's.
crate=$S/quinn-udp-$VERSION
rm -rf "$crate"
cp -r "$srcdir" "$crate"
printf '\n[workspace]\n' >>"$crate/Cargo.toml"
log "quinn-udp $VERSION from $srcdir"

# ---- its tests, built for Windows ----------------------------------------------------------
log "cargo test --no-run --lib --test tests --target $TARGET (quinn-udp's Cargo.lock, --locked)"
nice -n 10 /usr/bin/cargo test -q --no-run --locked -Zbuild-std=std,panic_abort --target "$TARGET" \
  --manifest-path "$crate/Cargo.toml" --lib --test tests --message-format=json >"$S/build.json" \
  || { grep -o '"rendered":"[^"]*"' "$S/build.json" | head -20; fail "building quinn-udp's tests"; }
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
((${#exes[@]} == 2)) || fail "expected 2 test binaries (the library's and tests/tests.rs), got ${#exes[@]}"

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

# One test at a time: the DLL serializes threads anyway, and one order of
# calls is what makes the model's trace the same from run to run.
TEST_ARGS=(--test-threads=1)
for entry in "${exes[@]}"; do
  name=${entry%%$'\t'*} exe=${entry#*$'\t'}
  cp "$exe" "$runs/model/$name.exe"
  cp "$exe" "$runs/builtin/$name.exe"
  rc=0
  timeout 300 "$WINE" "$runs/builtin/$name.exe" "${TEST_ARGS[@]}" >"$runs/$name.builtin.out" 2>&1 || rc=$?
  grep -q '^test result:' "$runs/$name.builtin.out" || { cat "$runs/$name.builtin.out"; fail "$name did not finish on Wine's ws2_32 (exit $rc)"; }
  for k in a b; do
    rc=0
    WINEDLLOVERRIDES="$BASE_OVERRIDES;ws2_32=n,b" WSD_SEED=$SEED \
      WSD_TRACE="$(winpath "$runs/$name.model-$k.trace")" WSD_LOG="$(winpath "$runs/$name.model-$k.log")" \
      timeout 300 "$WINE" "$runs/model/$name.exe" "${TEST_ARGS[@]}" >"$runs/$name.model-$k.out" 2>&1 || rc=$?
    grep -q '^test result:' "$runs/$name.model-$k.out" || { cat "$runs/$name.model-$k.out"; fail "$name did not finish on the model (exit $rc)"; }
    if grep -q 'winsock-double ws2_32.dll: internal error' "$runs/$name.model-$k.out"; then
      grep 'internal error' "$runs/$name.model-$k.out"; fail "$name: an internal error of the DLL"
    fi
  done
  # The library's unit tests make no Winsock call (no trace); tests/tests.rs
  # must reach the model.
  if [[ $name == lib && ! -e $runs/$name.model-a.trace && ! -e $runs/$name.model-b.trace ]]; then
    touch "$runs/$name.model-a.trace"
  else
    [[ -s $runs/$name.model-a.trace ]] || fail "$name: no trace written on the model"
    cmp -s "$runs/$name.model-a.trace" "$runs/$name.model-b.trace" \
      || { diff "$runs/$name.model-a.trace" "$runs/$name.model-b.trace" | head -20; fail "$name: two runs with seed $SEED gave different traces"; }
  fi
  # (libtest's closing line says the wall time: left out of the comparison)
  cmp -s <(sed 's/; finished in .*//' "$runs/$name.model-a.out") <(sed 's/; finished in .*//' "$runs/$name.model-b.out") \
    || fail "$name: two runs on the model gave different results"
  [[ ! -e $runs/$name.builtin.trace ]] || fail "$name: the builtin run wrote a trace"
  log "$name: ran on Wine's ws2_32 and twice on the model (seed $SEED, traces byte-identical, $(wc -l <"$runs/$name.model-a.trace") lines)"
done

# ---- the table, the record, the floor --------------------------------------------------------------
wine_version=$("$WINE" --version)
rustc_version=$(/usr/bin/rustc --version)
passed=$(/usr/bin/python3 - "$runs" "$JSON_OUT" "$VERSION" "$FLOOR" "$SEED" "$wine_version" "$rustc_version" "${exes[@]%%$'\t'*}" <<'PY'
import json, re, sys
runs, out, version, floor, seed, wine, rustc = sys.argv[1:8]
binaries = sys.argv[8:]

def parse(path):
    """libtest's output: each test's result and, for a failure, its panic."""
    text = open(path, encoding="utf-8", errors="replace").read()
    res = {m.group(1): m.group(2) for m in re.finditer(r"^test (\S+) \.\.\. (ok|FAILED|ignored)$", text, re.M)}
    why = {}
    for m in re.finditer(r"^---- (\S+) stdout ----\n(.*?)(?=^---- |^failures:$)", text, re.M | re.S):
        p = re.search(r"panicked at ([^\n]*):\n([^\n]*)", m.group(2))
        if p:
            # the location in the crate, not the build's path
            loc = re.sub(r"^.*?quinn-udp-[0-9.]+/", "", p.group(1))
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
    "what": "quinn-udp's own test suite (crates.io), built for x86_64-win7-windows-gnu and run under Wine "
            "on Wine's builtin ws2_32 and on the model's ws2_32.dll (scripts/quinn-udp-suite.sh)",
    "crate": "quinn-udp", "version": version,
    "build": "cargo test --no-run --locked --lib --test tests (the crate's Cargo.lock), -Zbuild-std=std,panic_abort",
    "run": "--test-threads=1; on the model WSD_SEED=" + seed + ", WSD_PROFILE default (windows)",
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
print(f"quinn-udp {version}: {len(tests)} tests; Wine's ws2_32: {tb['pass']} passed, {tb['fail']} failed; "
      f"the model: {tm['pass']} passed, {tm['fail']} failed", file=sys.stderr)
print(tm["pass"])
PY
) || fail "reading the test results"
log "record: ${JSON_OUT#"$ROOT"/}"
if git -C "$ROOT" ls-files --error-unmatch "$JSON_OUT" >/dev/null 2>&1 && ! git -C "$ROOT" diff --quiet -- "$JSON_OUT"; then
  log "note: the record differs from the committed one (git diff ${JSON_OUT#"$ROOT"/})"
fi
((passed >= FLOOR)) || fail "the model passes $passed of quinn-udp's tests, fewer than the floor of $FLOOR"
log "passed in $((SECONDS - t0)) s: the model passes $passed (floor $FLOOR)"
