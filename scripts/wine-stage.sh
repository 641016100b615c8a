#!/usr/bin/env bash
# wine-stage.sh: cross-build the workspace for Windows and run its tests under Wine,
# a second, independent implementation of Winsock (and of Windows' C runtime).
# What runs there today: the whole model test suite, so the model is checked to
# build and behave the same on Windows (golden traces included). The OS backend
# joins it with issue 6.
#
# Debian 12 only. The rustup toolchain ships no Windows std, so Debian's rustc-web
# (whose rust-web-src carries the std sources) builds std from source
# (-Zbuild-std, enabled by RUSTC_BOOTSTRAP=1) for the x86_64-win7-windows-gnu
# target. win7, not pc-windows-gnu: std for the latter calls ProcessPrng
# (bcryptprimitives.dll), which Wine 8.0 lacks.
#
# Usage: scripts/wine-stage.sh [extra cargo test args...]   e.g.  scripts/wine-stage.sh --workspace -- --nocapture
# Env:   WINE_STAGE_TARGET_DIR  (default: <crate>/target/wine; keeps apart from the native build)
#        WINE_STAGE_SKIP_APT=1  (never call apt; fail if something is missing)
#        WINE_STAGE_KEEP_PREFIX=1 (keep the ~700 MB Wine prefix after the run, for debugging)
# Needs root (or sudo) only when packages are missing. Reads no stdin.
set -euo pipefail
exec </dev/null  # CI has no stdin; make sure nothing (apt, wine) waits on it

t0=$SECONDS
log() { printf '[wine-stage +%4ss] %s\n' "$((SECONDS - t0))" "$*"; }

cd "$(dirname "${BASH_SOURCE[0]}")/.."   # the workspace root

TARGET=x86_64-win7-windows-gnu
# cargo-web: Debian's cargo matching rustc-web (build-std is version-coupled to the std sources).
# golang-go: scripts/dll-stage.sh cross-builds a Go program (GOOS=windows) for the model's DLL.
PKGS=(wine64 gcc-mingw-w64-x86-64 rustc-web rust-web-src cargo-web golang-go)
WINE=/usr/lib/wine/wine64
WINESERVER=/usr/lib/wine/wineserver64
RUSTC_BIN=/usr/bin/rustc
RUSTDOC_BIN=/usr/bin/rustdoc
CARGO_BIN=/usr/bin/cargo   # NOT the rustup proxy in ~/.cargo/bin

# ---- 1. packages (idempotent) -------------------------------------------------
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
if ((${#missing[@]})); then
  [[ ${WINE_STAGE_SKIP_APT:-0} == 1 ]] && { log "missing packages: ${missing[*]} (WINE_STAGE_SKIP_APT=1)"; exit 1; }
  SUDO=(); [[ $(id -u) == 0 ]] || SUDO=(sudo -n)
  export DEBIAN_FRONTEND=noninteractive
  APT=("${SUDO[@]}" apt-get -y -q -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
  apt_install() { "${APT[@]}" install --no-install-recommends "${missing[@]}"; }
  # Always refresh the lists first: security updates (rustc-web moved from
  # 1.85 to 1.96 that way) are only seen after an update.
  log "apt-get update"
  "${APT[@]}" update
  log "apt-get install ${missing[*]}"
  if ! apt_install; then
    log "install failed; refreshing package lists and retrying"
    "${APT[@]}" update
    apt_install
  fi
  log "packages installed"
else
  log "packages present: ${PKGS[*]}"
fi
for f in "$WINE" "$WINESERVER" "$RUSTC_BIN" "$RUSTDOC_BIN" "$CARGO_BIN" /usr/bin/x86_64-w64-mingw32-gcc; do
  [[ -x $f ]] || { log "missing $f after install"; exit 1; }
done
log "$("$RUSTC_BIN" --version) | $("$CARGO_BIN" --version) | wine $("$WINE" --version 2>/dev/null)"

# ---- 2. environment ---------------------------------------------------------------
export CARGO_TARGET_DIR=${WINE_STAGE_TARGET_DIR:-$PWD/target/wine}
mkdir -p "$CARGO_TARGET_DIR"
CARGO_TARGET_DIR=$(cd "$CARGO_TARGET_DIR" && pwd)   # Wine needs absolute paths
export RUSTC=$RUSTC_BIN RUSTDOC=$RUSTDOC_BIN RUSTC_BOOTSTRAP=1
unset RUSTC_WRAPPER RUSTC_WORKSPACE_WRAPPER RUSTUP_TOOLCHAIN
export CARGO_TARGET_X86_64_WIN7_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
export CARGO_TARGET_X86_64_WIN7_WINDOWS_GNU_RUNNER=$WINE
export WINEPREFIX=$CARGO_TARGET_DIR/wineprefix
export WINEARCH=win64
export WINEDEBUG=-all
# no Mono/Gecko install dialogs, no desktop menu entries
export WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d"
unset DISPLAY WAYLAND_DISPLAY   # console only: nothing can open a window

# wineserver and its services (services.exe, winedevice.exe, explorer.exe, rpcss.exe...)
# outlive the test process by ~3-6 s; stop them (this prefix only) and wait.
stop_wine() { "$WINESERVER" -k >/dev/null 2>&1 || true; "$WINESERVER" -w >/dev/null 2>&1 || true; }
on_exit() {
  stop_wine
  [[ ${WINE_STAGE_KEEP_PREFIX:-0} == 1 ]] || rm -rf "$WINEPREFIX"
}
trap on_exit EXIT

# ---- 3. fresh Wine prefix ---------------------------------------------------------
log "fresh WINEPREFIX=$WINEPREFIX"
stop_wine
rm -rf "$WINEPREFIX"
# wineboot prints "failed to open ...syswow64\rundll32.exe: c0000135" on a 64-bit-only
# install; harmless. Its output goes to a log that is shown only on failure.
if ! "$WINE" wineboot --init >"$CARGO_TARGET_DIR/wineboot.log" 2>&1 || ! "$WINESERVER" -w; then
  cat "$CARGO_TARGET_DIR/wineboot.log"; log "wineboot failed"; exit 1
fi
[[ -f $WINEPREFIX/system.reg ]] || { cat "$CARGO_TARGET_DIR/wineboot.log"; log "prefix not created"; exit 1; }
log "prefix ready"

# ---- 4. build and test --------------------------------------------------------------
# Property tests run 1,000 cases natively (.ci/run's cargo test); under
# Wine, where every simulated thread's hand-off is slow, a sample is enough
# to show the model behaves the same there.
export PROPTEST_CASES=${PROPTEST_CASES:-40}
log "cargo test -Zbuild-std=std,panic_abort --target $TARGET $* (PROPTEST_CASES=$PROPTEST_CASES)"
test_log=$CARGO_TARGET_DIR/cargo-test.log
run_tests() {
  rc=0
  "$CARGO_BIN" test -Zbuild-std=std,panic_abort --target "$TARGET" "$@" 2>&1 | tee "$test_log" || rc=$?
  log "cargo test exit code $rc"
}
run_tests "$@"
# Wine's own client/server link has been seen to drop once ("wine client
# error: recvmsg: Connection reset by peer"), failing a test binary before
# any test ran. That is Wine's infrastructure, not a result: run again once.
if ((rc != 0)) && grep -q '^wine client error' "$test_log"; then
  log "a Wine client error (not a test failure): restarting wineserver and running the tests again"
  stop_wine
  run_tests "$@"
fi
# Recording goes on after failed tests: a test that checks the record
# (tests/profile.rs) can only pass once the new record exists.
((rc == 0)) || [[ ${WINE_STAGE_RECORD:-0} == 1 ]] || exit "$rc"

# ---- 5. the conformance run on Wine's Winsock ---------------------------------------
# The corpus on the OS backend beside the model; differences are findings. The
# per-clause results are compared with the recorded ones (fixtures/recorded/):
# a change is reported, and WINE_STAGE_RECORD=1 rewrites the record.
exe=$CARGO_TARGET_DIR/$TARGET/debug/winsock-double.exe
"$CARGO_BIN" build -q -Zbuild-std=std,panic_abort --target "$TARGET" --bin winsock-double
log "winsock-double conform --backend os"
"$WINE" "$exe" conform --backend os > "$CARGO_TARGET_DIR/conform-os.txt"
"$WINE" "$exe" conform --backend os --format json > "$CARGO_TARGET_DIR/conform-os.json"
grep -v '^    !' "$CARGO_TARGET_DIR/conform-os.txt" | grep -E 'differs|clauses:' || true
wine_version=$("$WINE" --version 2>/dev/null | sed 's/^wine-//; s/ .*//')
record=fixtures/recorded/wine-$wine_version.json
if [[ ${WINE_STAGE_RECORD:-0} == 1 ]]; then
  mkdir -p fixtures/recorded
  cp "$CARGO_TARGET_DIR/conform-os.json" "$record"
  log "recorded $record"
elif [[ -f $record ]]; then
  summary() { python3 -c 'import json,sys; [print(r["id"], r["result"], r["verdict"]) for r in json.load(open(sys.argv[1]))["clauses"]]' "$1"; }
  if diff <(summary "$record") <(summary "$CARGO_TARGET_DIR/conform-os.json") > "$CARGO_TARGET_DIR/conform-os.diff"; then
    log "per-clause results match $record"
  else
    log "WARNING: per-clause results differ from $record (WINE_STAGE_RECORD=1 records the new ones):"
    cat "$CARGO_TARGET_DIR/conform-os.diff"
  fi
else
  log "no record for Wine $wine_version yet (WINE_STAGE_RECORD=1 writes $record)"
fi
exit "$rc"
