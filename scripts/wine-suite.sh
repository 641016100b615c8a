#!/usr/bin/env bash
# wine-suite.sh: Wine's own ws2_32 conformance suite (dlls/ws2_32/tests: sock.c,
# afd.c, protocol.c), built from Debian's wine source package and run under Wine,
# one process per test function, with counts per function.
#
# The Wine project runs these tests on real Windows, so they record what Windows
# does; with WINETEST_PLATFORM=windows (the default here) todo_wine marks are off
# and broken() is accepted, so a failure means "does not behave like Windows".
# No Wine code is kept in this repository: the source is fetched at run time
# (apt-get source, like a dependency) and patched in target/wine-suite/ only.
# docs/wine-suite.md says more, and holds the baseline.
set -euo pipefail
exec </dev/null  # nothing (apt, wine) may wait on stdin

usage() {
  cat <<'EOF'
Usage: scripts/wine-suite.sh [options]

Builds Wine's ws2_32 conformance tests (from Debian's wine source package, the
version of the installed wine64) and runs each test function in its own process
under Wine, in a private network namespace with its own DNS and X server.

Options:
  --dll PATH            run against this ws2_32.dll (copied beside the test
                        program; WINEDLLOVERRIDES gets ws2_32=n,b for the test
                        runs only); default: Wine's builtin ws2_32
  --platform windows|wine
                        WINETEST_PLATFORM (default windows: todo_wine is off and
                        broken() is accepted, i.e. "behaves like Windows")
  --files LIST          comma-separated test files (default sock,afd,protocol)
  --functions LIST      comma-separated test functions (default: all of each file's
                        START_TEST; see --list); names are e.g. test_UDP, do_test
  --json OUT            also write the results as JSON to OUT
  --timeout S           seconds one function may run (default 120)
  --whole-file          one process per file instead of per function (a crash
                        then ends the rest of the file: those are "not run")
  --list                print the test functions of each file and exit
  -h, --help            this text

Output: progress per function on stderr; a table (file, function, checks,
failures, todo, skipped, status ok/crash/timeout, seconds) and totals on stdout.
Exit status: 0 when the run completed (failures are data, not errors);
1 bad usage; 2 infrastructure failure (packages, source, build, prefix, network
namespace, DNS, X server). Logs: target/wine-suite/runs/<time>/.
Env: WINETEST_DEBUG (default 1), WINE_SUITE_SKIP_APT=1 (never call apt).
Needs root (or sudo -n): network namespaces, and apt when packages are missing.
EOF
}

t0=$SECONDS
log() { printf '[wine-suite +%4ss] %s\n' "$((SECONDS - t0))" "$*" >&2; }
die() { log "error: $*"; exit 2; }
bad_usage() { printf 'wine-suite: %s (see --help)\n' "$*" >&2; exit 1; }

# ---- 0. arguments -------------------------------------------------------------------
ARGS=("$@")
DLL="" PLATFORM=windows FILES=sock,afd,protocol FUNCTIONS="" JSON_OUT="" TIMEOUT=120
WHOLE_FILE=0 LIST_ONLY=0
while (($#)); do
  case $1 in
    -h|--help) usage; exit 0 ;;
    --dll) DLL=${2-}; shift ;;
    --platform) PLATFORM=${2-}; shift ;;
    --files) FILES=${2-}; shift ;;
    --functions) FUNCTIONS=${2-}; shift ;;
    --json) JSON_OUT=${2-}; shift ;;
    --timeout) TIMEOUT=${2-}; shift ;;
    --whole-file) WHOLE_FILE=1 ;;
    --list) LIST_ONLY=1 ;;
    --dll=*|--platform=*|--files=*|--functions=*|--json=*|--timeout=*)
      k=${1%%=*}; v=${1#*=}; shift; set -- "$k" "$v" "$@"; continue ;;
    *) bad_usage "unknown argument: $1" ;;
  esac
  (($# >= 1)) || bad_usage "missing value"
  shift
done
[[ $PLATFORM == windows || $PLATFORM == wine ]] || bad_usage "--platform must be windows or wine, not '$PLATFORM'"
[[ $TIMEOUT =~ ^[1-9][0-9]*$ ]] || bad_usage "--timeout must be a positive number of seconds, not '$TIMEOUT'"
IFS=, read -ra SEL_FILES <<<"$FILES"
((${#SEL_FILES[@]})) || bad_usage "--files is empty"
for f in "${SEL_FILES[@]}"; do
  [[ $f == sock || $f == afd || $f == protocol ]] || bad_usage "unknown test file '$f' (sock, afd, protocol)"
done
if [[ -n $DLL ]]; then
  [[ -f $DLL ]] || bad_usage "--dll $DLL: no such file"
  [[ $(head -c2 "$DLL") == MZ ]] || bad_usage "--dll $DLL: not a PE file (no MZ header)"
  DLL=$(cd "$(dirname "$DLL")" && pwd)/$(basename "$DLL")
fi
if [[ -n $JSON_OUT ]]; then
  mkdir -p "$(dirname "$JSON_OUT")" || bad_usage "--json $JSON_OUT: cannot create its folder"
  JSON_OUT=$(cd "$(dirname "$JSON_OUT")" && pwd)/$(basename "$JSON_OUT")
fi

SCRIPT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")
cd "$(dirname "$SCRIPT")/.."   # the workspace root

if [[ $(id -u) != 0 ]]; then
  command -v sudo >/dev/null && sudo -n true 2>/dev/null \
    || die "needs root (network namespaces): run as root or with passwordless sudo"
  exec sudo -n -E bash "$SCRIPT" "${ARGS[@]}"
fi

WS=$PWD/target/wine-suite
WINE=/usr/lib/wine/wine64
WINESERVER=/usr/lib/wine/wineserver64
CC=x86_64-w64-mingw32-gcc
mkdir -p "$WS"
exec 9>"$WS/.lock"
flock -n 9 || die "another wine-suite run holds $WS/.lock"

# ---- 1. packages (idempotent) -----------------------------------------------------
PKGS=(wine64 gcc-mingw-w64-x86-64 dnsmasq-base xvfb iproute2 xz-utils python3 coreutils)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
export DEBIAN_FRONTEND=noninteractive
APT=(apt-get -y -q -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
if ((${#missing[@]})); then
  [[ ${WINE_SUITE_SKIP_APT:-0} == 1 ]] && die "missing packages: ${missing[*]} (WINE_SUITE_SKIP_APT=1)"
  log "apt-get update; install ${missing[*]}"
  "${APT[@]}" update >&2 || die "apt-get update failed"
  "${APT[@]}" install --no-install-recommends "${missing[@]}" >&2 || die "apt-get install ${missing[*]} failed"
fi
for f in "$WINE" "$WINESERVER" "/usr/bin/$CC" /usr/bin/Xvfb /usr/sbin/dnsmasq /usr/bin/timeout; do
  [[ -x $f ]] || die "missing $f after install"
done
WINE_VERSION=$("$WINE" --version 2>/dev/null || true)
DEB_VERSION=$(dpkg-query -W -f='${Version}' wine64)   # e.g. 8.0~repack-4
UPSTREAM=${DEB_VERSION#*:}; UPSTREAM=${UPSTREAM%-*}    # e.g. 8.0~repack

# ---- 2. the source: Debian's wine source package, the installed version (cached) ----
DL=$WS/dl
ORIG=$DL/wine_$UPSTREAM.orig.tar.xz
if [[ ! -s $ORIG ]]; then
  [[ ${WINE_SUITE_SKIP_APT:-0} == 1 ]] && die "no $ORIG and WINE_SUITE_SKIP_APT=1"
  if ! grep -rqs '^\(Types:.*\bdeb-src\b\|deb-src \)' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    log "adding a deb-src entry: /etc/apt/sources.list.d/debian-src.sources"
    cat >/etc/apt/sources.list.d/debian-src.sources <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  fi
  log "apt-get update; apt-get source --download-only wine=$DEB_VERSION"
  "${APT[@]}" update >&2 || die "apt-get update failed"
  mkdir -p "$DL.part"
  (cd "$DL.part" && "${APT[@]}" source --download-only "wine=$DEB_VERSION" >&2) \
    || die "apt-get source wine=$DEB_VERSION failed (is a deb-src entry for its suite there?)"
  [[ -s $DL.part/wine_$UPSTREAM.orig.tar.xz ]] || die "apt-get source gave no wine_$UPSTREAM.orig.tar.xz"
  mkdir -p "$DL"
  # only the upstream tarball is used (tests are not patched by Debian); the
  # Debian tarball (58 MB) is not kept
  mv "$DL.part/wine_$UPSTREAM.orig.tar.xz" "$DL.part"/*.dsc "$DL/"
  rm -rf "$DL.part"
  log "source cached: $ORIG ($(du -h "$ORIG" | cut -f1))"
fi

# ---- 3. build (cached: rebuilt when this script or the source changes) --------------
SRC=$WS/src
BUILD=$WS/build
EXE=$BUILD/ws2_32_test.exe
FUNCS_TSV=$BUILD/functions.tsv

# START_TEST(file)'s body: each top-level call of a test function is wrapped as
#   if (wsuite_begin("test_x")) { test_x(); wsuite_end(); }
# (the loop over tests[] in sock.c is "do_test"); every other statement (the
# setup: WSAStartup, Init, function pointers) runs as before. Writes the list of
# functions, in order, as "file<TAB>function".
patch_py=$(cat <<'PY'
import re, sys, os
tests_dir, out_tsv, files = sys.argv[1], sys.argv[2], sys.argv[3:]

def scan_body(src, start):
    """src[start] is the body's '{'; returns the top-level statements as spans,
    skipping comments, strings and character constants."""
    i, n, depth, stmts, st = start + 1, len(src), 0, [], None
    while i < n:
        c = src[i]
        if src.startswith('/*', i):
            i = src.index('*/', i) + 2; continue
        if src.startswith('//', i):
            i = src.index('\n', i); continue
        if c in '"\'':
            j = i + 1
            while src[j] != c:
                j += 2 if src[j] == '\\' else 1
            if st is None: st = i
            i = j + 1; continue
        if c.isspace():
            i += 1; continue
        if st is None and depth == 0 and c != '}': st = i
        if c in '({[':
            depth += 1
        elif c in ')]}':
            if depth == 0:
                return stmts
            depth -= 1
            if c == '}' and depth == 0:
                rest = src[i + 1:].lstrip()
                if not rest.startswith('else') and not rest.startswith(';'):
                    stmts.append((st, i + 1)); st = None
        elif c == ';' and depth == 0:
            stmts.append((st, i + 1)); st = None
        i += 1
    sys.exit('unterminated START_TEST body')

rows = []
for f in files:
    path = os.path.join(tests_dir, f + '.c')
    src = open(path).read()
    if 'wsuite_begin' in src:
        sys.exit(f'{path}: already patched')
    m = re.search(r'START_TEST\s*\(\s*(\w+)\s*\)\s*\{', src)
    if not m or m.group(1) != f:
        sys.exit(f'{path}: no START_TEST({f})')
    seen, out, pos = {}, [src[:m.end()]], m.end()
    for a, b in scan_body(src, m.end() - 1):
        text = src[a:b]
        code = ' '.join(re.sub(r'/\*.*?\*/|//[^\n]*', ' ', text, flags=re.S).split())
        call = re.fullmatch(r'(test_\w+)\s*\((.*)\)\s*;', code, flags=re.S)
        if call:
            name = call.group(1)
        elif re.search(r'\bdo_test\s*\(', code):
            name = 'do_test'
        else:
            continue
        k = seen.get(name, 0) + 1; seen[name] = k
        if k > 1: name = f'{name}#{k}'
        out += [src[pos:a], f'if (wsuite_begin("{name}")) {{ {text} wsuite_end(); }}']
        pos = b
        rows.append((f, name))
    out.append(src[pos:])
    new = ''.join(out)
    at = list(re.finditer(r'^#include[^\n]*\n', new, flags=re.M))[-1].end()
    new = (new[:at] + '\n/* wine-suite: per-function selection (generated by scripts/wine-suite.sh) */\n'
           'extern int wsuite_begin(const char *name);\nextern void wsuite_end(void);\n' + new[at:])
    open(path, 'w').write(new)
    print(f'[wine-suite] {f}.c: {sum(1 for r in rows if r[0] == f)} test functions', file=sys.stderr)
with open(out_tsv, 'w') as o:
    o.writelines(f'{f}\t{name}\n' for f, name in rows)
PY
)

# testlist.c as Wine's makedep writes it, plus the hooks: WINE_SUITE_FUNCTIONS=f1,f2
# runs only those functions (the setup always runs); each prints its own counts
# ("wine-suite: end FILE FUNC checks=..."), also when it crashes ("crash") or
# runs past WINE_SUITE_TIMEOUT seconds ("timeout", then the process ends).
# checks counts every ok() as Wine's summary does, plus the todos Wine mutes
# after 42 on one line; skipped counts muted skips too.
testlist_c=$(cat <<'EOF'
/* Generated by scripts/wine-suite.sh: makedep's testlist.c plus per-function hooks. */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#define STANDALONE
#include "wine/test.h"

extern void func_afd(void);
extern void func_protocol(void);
extern void func_sock(void);

const struct test winetest_testlist[] =
{
    { "afd", func_afd },
    { "protocol", func_protocol },
    { "sock", func_sock },
    { 0, 0 }
};

static char wsuite_only[8192];
static int wsuite_inited, wsuite_all = 1;
static const char *volatile wsuite_cur;
static DWORD wsuite_t0, wsuite_limit_ms;
static LONG wsuite_base[5];
static LPTOP_LEVEL_EXCEPTION_FILTER wsuite_prev;

static DWORD wsuite_now_ms(void)  /* GetTickCount is coarse under Wine */
{
    LARGE_INTEGER now, freq;
    QueryPerformanceCounter(&now);
    QueryPerformanceFrequency(&freq);
    return (DWORD)(now.QuadPart / (freq.QuadPart / 1000));
}

static void wsuite_counts(LONG *c)
{
    c[0] = successes + failures + flaky_failures + todo_successes + todo_failures + muted_todo_successes;
    c[1] = todo_successes + muted_todo_successes;
    c[2] = flaky_failures;
    c[3] = failures + todo_failures;
    c[4] = skipped + muted_skipped;
}

static void wsuite_print(const char *what, const char *name, DWORD code)
{
    LONG c[5];
    wsuite_counts(c);
    printf("\nwine-suite: %s %s %s checks=%ld todo=%ld flaky=%ld failures=%ld skipped=%ld ms=%lu code=%08lx\n",
           what, current_test->name, name, c[0] - wsuite_base[0], c[1] - wsuite_base[1],
           c[2] - wsuite_base[2], c[3] - wsuite_base[3], c[4] - wsuite_base[4],
           wsuite_now_ms() - wsuite_t0, code);
    fflush(stdout);
}

static LONG WINAPI wsuite_filter(EXCEPTION_POINTERS *ptrs)
{
    const char *name = wsuite_cur;
    if (name) wsuite_print("crash", name, ptrs->ExceptionRecord->ExceptionCode);
    if (wsuite_prev) return wsuite_prev(ptrs);
    return EXCEPTION_EXECUTE_HANDLER;  /* no debugger, no dialog: the process ends */
}

static DWORD WINAPI wsuite_watchdog(void *arg)
{
    for (;;)
    {
        const char *name = wsuite_cur;
        DWORD t0 = wsuite_t0;
        Sleep(100);
        if (name && name == wsuite_cur && t0 == wsuite_t0 && wsuite_now_ms() - t0 > wsuite_limit_ms)
        {
            wsuite_print("timeout", name, WAIT_TIMEOUT);
            TerminateProcess(GetCurrentProcess(), WAIT_TIMEOUT);
        }
    }
    return 0;
}

static void wsuite_init(void)
{
    char buf[32];
    wsuite_inited = 1;
    if (GetEnvironmentVariableA("WINE_SUITE_FUNCTIONS", wsuite_only + 1, sizeof(wsuite_only) - 2) && wsuite_only[1])
    {
        wsuite_only[0] = ',';
        strcat(wsuite_only, ",");
        wsuite_all = 0;
    }
    wsuite_prev = SetUnhandledExceptionFilter(wsuite_filter);
    if (GetEnvironmentVariableA("WINE_SUITE_TIMEOUT", buf, sizeof(buf)) && atoi(buf) > 0)
    {
        wsuite_limit_ms = atoi(buf) * 1000;
        CloseHandle(CreateThread(NULL, 0, wsuite_watchdog, NULL, 0, NULL));
    }
}

int wsuite_begin(const char *name)
{
    char key[256];
    if (!wsuite_inited) wsuite_init();
    if (!wsuite_all)
    {
        snprintf(key, sizeof(key), ",%s,", name);
        if (!strstr(wsuite_only, key)) return 0;
    }
    wsuite_counts(wsuite_base);
    wsuite_t0 = wsuite_now_ms();
    printf("\nwine-suite: begin %s %s\n", current_test->name, name);
    fflush(stdout);
    wsuite_cur = name;
    /* the script's own check of its crash path: WINE_SUITE_SELFTEST_CRASH=name */
    if (GetEnvironmentVariableA("WINE_SUITE_SELFTEST_CRASH", key, sizeof(key)) && !strcmp(key, name))
        *(volatile int *)0 = 0;
    return 1;
}

void wsuite_end(void)
{
    const char *name = wsuite_cur;
    wsuite_cur = NULL;
    wsuite_print("end", name, 0);
}
EOF
)

CFLAGS=(-O2 -nostdinc -I"$SRC/include/msvcrt" -I"$SRC/include" -D_MSVCR_VER=0
        -D__WINESRC__ -D__WINE_PE_BUILD -fno-strict-aliasing -Wno-format)
STAMP=$(printf '%s\n' "$DEB_VERSION" "$patch_py" "$testlist_c" "${CFLAGS[*]}" | sha256sum | cut -c1-16)
if [[ ! -x $EXE || ! -s $FUNCS_TSV || $(cat "$BUILD/stamp" 2>/dev/null) != "$STAMP" ]]; then
  log "extracting include/, dlls/ws2_32/, dlls/winecrt0/debug.c from $(basename "$ORIG")"
  rm -rf "$SRC" "$BUILD"; mkdir -p "$SRC" "$BUILD"
  top=$(tar tJf "$ORIG" 2>/dev/null | head -1 || true); top=${top%%/*}
  [[ -n $top ]] || die "cannot read $ORIG"
  tar xJf "$ORIG" -C "$SRC" --strip-components=1 --wildcards \
    "$top/include/*" "$top/dlls/ws2_32/*" "$top/dlls/winecrt0/debug.c" || die "extracting $ORIG failed"
  T=$SRC/dlls/ws2_32/tests
  python3 -c "$patch_py" "$T" "$FUNCS_TSV" sock afd protocol || die "patching START_TEST failed"
  printf '%s\n' "$testlist_c" >"$BUILD/testlist.c"
  log "building ws2_32_test.exe with $CC"
  pids=()
  for f in sock afd protocol; do
    "$CC" "${CFLAGS[@]}" -c "$T/$f.c" -o "$BUILD/$f.o" 2>"$BUILD/$f.cc.log" & pids+=($!)
  done
  "$CC" "${CFLAGS[@]}" -c "$BUILD/testlist.c" -o "$BUILD/testlist.o" 2>"$BUILD/testlist.cc.log" & pids+=($!)
  "$CC" "${CFLAGS[@]}" -c "$SRC/dlls/winecrt0/debug.c" -o "$BUILD/debug.o" 2>"$BUILD/debug.cc.log" & pids+=($!)
  ok=1; for p in "${pids[@]}"; do wait "$p" || ok=0; done
  ((ok)) || { cat "$BUILD"/*.cc.log >&2; die "compiling the tests failed"; }
  "$CC" -o "$EXE" "$BUILD"/{testlist,sock,afd,protocol,debug}.o -lws2_32 -liphlpapi -luser32 -lntdll \
    2>"$BUILD/link.log" || { cat "$BUILD/link.log" >&2; die "linking ws2_32_test.exe failed"; }
  echo "$STAMP" >"$BUILD/stamp"
  log "built $EXE"
fi

if ((LIST_ONLY)); then
  for f in "${SEL_FILES[@]}"; do awk -F'\t' -v f="$f" '$1 == f { print $1 "\t" $2 }' "$FUNCS_TSV"; done
  exit 0
fi

# the runs: (file, function) in START_TEST order, filtered
RUNS=()
if [[ -n $FUNCTIONS ]]; then IFS=, read -ra SEL_FUNCS <<<"$FUNCTIONS"; else SEL_FUNCS=(); fi
for fn in "${SEL_FUNCS[@]}"; do
  found=0
  for f in "${SEL_FILES[@]}"; do grep -qxF "$f"$'\t'"$fn" "$FUNCS_TSV" && found=1; done
  ((found)) || bad_usage "no function '$fn' in ${SEL_FILES[*]} (see --list)"
done
for f in "${SEL_FILES[@]}"; do
  while IFS=$'\t' read -r file fn; do
    [[ $file == "$f" ]] || continue
    if ((${#SEL_FUNCS[@]})); then
      keep=0; for s in "${SEL_FUNCS[@]}"; do [[ $s == "$fn" ]] && keep=1; done
      ((keep)) || continue
    fi
    RUNS+=("$file"$'\t'"$fn")
  done <"$FUNCS_TSV"
done

# ---- 4. the Wine prefix (cached) and the run's environment ------------------------
export WINEPREFIX=$WS/prefix WINEARCH=win64 WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d"
unset DISPLAY WAYLAND_DISPLAY WINETEST_REPORT_SUCCESS WINE_SUITE_FUNCTIONS WINE_SUITE_TIMEOUT
# every wine process, wineserver first, runs in the namespace: the wineserver
# creates the sockets, so one left from outside would put them in the host's network
"$WINESERVER" -k >/dev/null 2>&1 || true
"$WINESERVER" -w >/dev/null 2>&1 || true

# a run killed before its trap ran leaves its namespace (and what ran in it)
for old in $(ip netns list 2>/dev/null | awk '$1 ~ /^wine-suite-[0-9]+$/ { print $1 }'); do
  kill -0 "${old#wine-suite-}" 2>/dev/null && continue
  log "removing the namespace $old left by an earlier run"
  for p in $(ip netns pids "$old" 2>/dev/null); do kill "$p" 2>/dev/null || true; done
  ip netns del "$old" 2>/dev/null || true
  rm -rf "/etc/netns/$old"
done

NS=wine-suite-$$
NETNS_ETC=/etc/netns/$NS
RUN_DIR=$WS/runs/$(date -u +%Y%m%dT%H%M%SZ)-$$
mkdir -p "$RUN_DIR"
DNSMASQ_PID="" XVFB_PID="" HTTP_PID=""
cleanup() {
  local rc=$?
  set +e
  if [[ -n ${NS_UP:-} ]]; then
    "$WINESERVER" -k >/dev/null 2>&1
    timeout 30 "$WINESERVER" -w >/dev/null 2>&1
  fi
  [[ -n $XVFB_PID ]] && kill "$XVFB_PID" 2>/dev/null && wait "$XVFB_PID" 2>/dev/null
  [[ -n $DNSMASQ_PID ]] && kill "$DNSMASQ_PID" 2>/dev/null && wait "$DNSMASQ_PID" 2>/dev/null
  [[ -n $HTTP_PID ]] && kill "$HTTP_PID" 2>/dev/null && wait "$HTTP_PID" 2>/dev/null
  [[ -n ${NS_UP:-} ]] && ip netns del "$NS" 2>/dev/null
  rm -rf "$NETNS_ETC"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- 5. the network namespace: lo, a black hole, DNS, a web server, X -----------------
# lo up; a veth pair whose peer has no address and answers nothing, with an
# address and a default route (IPv4 and IPv6), so a connect to an outside address
# fails as on a host whose network is down beyond the first hop; DAD off (a
# tentative IPv6 address cannot be bound).
log "network namespace $NS"
ip netns add "$NS" || die "ip netns add $NS failed (needs CAP_SYS_ADMIN)"
NS_UP=1
nsx() { ip netns exec "$NS" "$@"; }
{
  nsx sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 &&
  ip -n "$NS" link set lo up &&
  ip -n "$NS" link add wsuite0 type veth peer name wsuite1 &&
  ip -n "$NS" link set wsuite1 up &&
  ip -n "$NS" addr add 10.231.0.2/24 dev wsuite0 &&
  ip -n "$NS" -6 addr add fd57:5753:5549:5445::2/64 dev wsuite0 nodad &&
  ip -n "$NS" link set wsuite0 up &&
  ip -n "$NS" route add default via 10.231.0.1 &&
  ip -n "$NS" -6 route add default via fd57:5753:5549:5445::1
} >&2 || die "setting up the namespace's links failed"

# DNS: dnsmasq on 127.0.0.1 in the namespace, no upstream, as the real names
# are: winehq.org, test.winehq.org and the IDN xn--zckzah.winehq.org have an A
# record (127.0.0.1) and no AAAA (an answer with no data); www.kernel.org has
# both (127.0.0.1 and 2001:db8::1; the tests check that a host without a global
# IPv6 address gets no IPv6 address back); source.winehq.org is an alias of
# winehq.org (test_dns reads the aliases); every other name
# (nonexistent.winehq.org, nxdomain.codeweavers.com...) does not exist.
mkdir -p "$NETNS_ETC"
echo "nameserver 127.0.0.1" >"$NETNS_ETC/resolv.conf"   # ip netns exec bind-mounts it
ip netns exec "$NS" /usr/sbin/dnsmasq --keep-in-foreground --no-resolv --no-hosts --no-poll \
  --listen-address=127.0.0.1 --bind-interfaces --port=53 --user=root \
  --host-record=winehq.org,test.winehq.org,xn--zckzah.winehq.org,127.0.0.1 \
  --host-record=www.kernel.org,127.0.0.1,2001:db8::1 \
  --cname=source.winehq.org,winehq.org --address=/#/ --log-queries --log-facility="$RUN_DIR/dnsmasq.log" >&2 &
DNSMASQ_PID=$!
for _ in $(seq 50); do
  nsx python3 -c 'import socket; socket.gethostbyname("winehq.org")' 2>/dev/null && break
  kill -0 "$DNSMASQ_PID" 2>/dev/null || die "dnsmasq did not start (log: $RUN_DIR/dnsmasq.log)"
  sleep 0.1
done
got=$(nsx python3 -c 'import socket; print(socket.gethostbyname("test.winehq.org"))' 2>/dev/null) \
  || die "DNS in the namespace does not answer (log: $RUN_DIR/dnsmasq.log)"
[[ $got == 127.0.0.1 ]] || die "DNS in the namespace: test.winehq.org is $got, not 127.0.0.1"

# winehq.org's web server: test_WSAConnectByName connects to winehq.org:http
# (and https) and expects a connection. A listener on 127.0.0.1:80 and :443
# accepts and holds every connection until the peer closes it.
ip netns exec "$NS" python3 -c '
import socket, threading
def hold(c):
    try:
        while c.recv(65536): pass
    except OSError: pass
    c.close()
def serve(s):
    while True:
        c, _ = s.accept()
        threading.Thread(target=hold, args=(c,), daemon=True).start()
for port in (80, 443):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port)); s.listen(128)
    threading.Thread(target=serve, args=(s,), daemon=True).start()
print("listening", flush=True)
threading.Event().wait()
' >"$RUN_DIR/http.log" 2>&1 &
HTTP_PID=$!
for _ in $(seq 50); do grep -q listening "$RUN_DIR/http.log" 2>/dev/null && break; sleep 0.1; done
grep -q listening "$RUN_DIR/http.log" || die "the listener on 127.0.0.1:80 did not start (log: $RUN_DIR/http.log)"

# X: protocol.c's WSAAsyncGetServBy* tests need a window (message loop)
for d in $(seq 90 150); do [[ -e /tmp/.X11-unix/X$d || -e /tmp/.X$d-lock ]] || break; done
ip netns exec "$NS" Xvfb ":$d" -nolisten tcp -screen 0 1024x768x24 >"$RUN_DIR/xvfb.log" 2>&1 &
XVFB_PID=$!
for _ in $(seq 100); do [[ -S /tmp/.X11-unix/X$d ]] && break; kill -0 "$XVFB_PID" 2>/dev/null || break; sleep 0.1; done
[[ -S /tmp/.X11-unix/X$d ]] || die "Xvfb :$d did not start (log: $RUN_DIR/xvfb.log)"
export DISPLAY=:$d

# the prefix: made once, in the namespace (its wineserver then stays for the runs)
if [[ ! -f $WINEPREFIX/system.reg || ! -f $WINEPREFIX/.wine-suite-ready ]]; then
  log "creating WINEPREFIX=$WINEPREFIX (once)"
  rm -rf "$WINEPREFIX"
  if ! nsx "$WINE" wineboot --init >"$WS/wineboot.log" 2>&1 || ! "$WINESERVER" -w; then
    cat "$WS/wineboot.log" >&2; die "wineboot failed"
  fi
  # no crash dialog, even outside the tests' own exception filter
  nsx "$WINE" reg add 'HKCU\Software\Wine\WineDbg' /v ShowCrashDialog /t REG_DWORD /d 0 /f >>"$WS/wineboot.log" 2>&1 \
    || { cat "$WS/wineboot.log" >&2; die "wine reg add failed"; }
  "$WINESERVER" -w
  touch "$WINEPREFIX/.wine-suite-ready"
fi

# the test program's folder: with --dll, a copy of the program beside the DLL
BIN=$BUILD
RUN_OVERRIDES=$WINEDLLOVERRIDES
DLL_SHA=""
if [[ -n $DLL ]]; then
  BIN=$RUN_DIR/bin; mkdir -p "$BIN"
  cp "$EXE" "$BIN/"; cp "$DLL" "$BIN/ws2_32.dll"
  DLL_SHA=$(sha256sum "$DLL" | cut -d' ' -f1)
  RUN_OVERRIDES="$WINEDLLOVERRIDES;ws2_32=n,b"
  log "ws2_32.dll: $DLL (sha256 ${DLL_SHA:0:16}...), WINEDLLOVERRIDES=$RUN_OVERRIDES for the tests"
fi

# smoke: the program starts under Wine (builtin ws2_32), else nothing below means anything
nsx "$WINE" "$EXE" --list >"$RUN_DIR/smoke.log" 2>&1 && grep -q '^ *sock' "$RUN_DIR/smoke.log" \
  || { cat "$RUN_DIR/smoke.log" >&2; die "ws2_32_test.exe does not start under Wine"; }

# ---- 6. the runs ------------------------------------------------------------------------
export WINETEST_PLATFORM=$PLATFORM WINETEST_DEBUG=${WINETEST_DEBUG:-1} WINETEST_COLOR=0
RESULTS=$RUN_DIR/results.tsv   # file function log rc seconds
: >"$RESULTS"
run_one() {   # run_one FILE LOGNAME [FUNCTIONS]: one process; appends to $RESULTS
  local file=$1 logf=$RUN_DIR/$2.log funcs=${3-} rc=0 s
  s=$(date +%s.%N)
  WINE_SUITE_FUNCTIONS=$funcs WINE_SUITE_TIMEOUT=$TIMEOUT WINEDLLOVERRIDES=$RUN_OVERRIDES \
    ip netns exec "$NS" timeout -k 10 $((TIMEOUT + 30)) "$WINE" "$BIN/ws2_32_test.exe" "$file" >"$logf" 2>&1 &
  wait $! || rc=$?   # in the background, so that a signal reaches the trap at once
  printf '%s\t%s\t%s\t%s\t%s\n' "$file" "${funcs:-*}" "$logf" "$rc" "$(python3 -c 'import sys,time; print(round(time.time()-float(sys.argv[1]),1))' "$s")" >>"$RESULTS"
}
# one line per function from a log, for progress and the report
parse_py=$(cat <<'PY'
import json, re, sys
from collections import Counter

def parse(file, funcs, log, rc, secs, whole=False):
    """The rows of one process's log: every function it began, and the selected
    ones it never began: per function, a crash (the file's setup ended the process);
    in one process per file, "not run" after the function that ended it."""
    text = open(log, errors='replace').read()
    rows, cur = {}, None
    fail_re = re.compile(r'^(\w+\.c):(\d+):.*Test (failed|succeeded inside todo block)', re.M)
    failed = Counter()
    summary = None
    last_seen = None
    for line in text.splitlines():
        m = re.match(r'wine-suite: (begin|end|crash|timeout) (\S+) (\S+)(.*)', line)
        if m:
            what, f, name, rest = m.groups()
            if what == 'begin':
                cur = rows[name] = {'file': f, 'function': name, 'status': 'running', 'failed_lines': Counter()}
                continue
            r = rows.setdefault(name, {'file': f, 'function': name, 'failed_lines': Counter()})
            kv = dict(re.findall(r'(\w+)=(\w+)', rest))
            for k in ('checks', 'todo', 'flaky', 'failures', 'skipped'):
                r[k] = int(kv[k])
            r['seconds'] = round(int(kv['ms']) / 1000, 1)
            r['status'] = {'end': 'ok', 'crash': 'crash', 'timeout': 'timeout'}[what]
            if what == 'crash':
                r['note'] = f'exception {kv["code"]}'
            if what == 'timeout':
                r['note'] = 'ran past the time-out (counts so far)'
            cur = None if what == 'end' else cur
            continue
        m = fail_re.match(line)
        if m and cur is not None:
            cur['failed_lines'][f'{m.group(1)}:{m.group(2)}'] += 1
        m = re.match(r'(\w+\.c):(\d+): this is the last test seen before the exception', line)
        if m:
            last_seen = f'{m.group(1)}:{m.group(2)}'
        m = re.match(r'[0-9a-f]+:\w+:.* (\d+) tests executed \((\d+) marked as todo, (\d+) as flaky, (\d+) failures?\), (\d+) skipped', line)
        if m:
            summary = [int(x) for x in m.groups()]
    rc = int(rc)
    for r in rows.values():
        if r.get('status') == 'running':   # began, never ended, no marker: killed or died
            r['status'] = 'timeout' if rc in (124, 137) else 'crash'
            r['note'] = ('killed by the outer time-out' if rc in (124, 137)
                         else f'process ended (exit code {rc}) inside the function')
            for k in ('checks', 'todo', 'flaky', 'failures', 'skipped', 'seconds'):
                r.setdefault(k, None)
        if r['status'] == 'crash' and last_seen:
            r['note'] = r.get('note', '') + f'; last check seen: {last_seen}'
    if funcs != '*':
        began = bool(rows)
        for name in funcs.split(','):
            if name in rows:
                continue
            if whole and began:
                st, note = 'not run', 'an earlier function ended the process'
            else:
                st = 'timeout' if rc in (124, 137) else 'crash'
                note = f'never began: the file\'s setup ended the process (exit code {rc})'
                began = True
            rows[name] = {'file': file, 'function': name, 'status': st, 'note': note,
                          'checks': None, 'todo': None, 'flaky': None, 'failures': None,
                          'skipped': None, 'seconds': None, 'failed_lines': Counter()}
    # setup: what the process's summary counts beyond the functions (WSAStartup, Init...)
    setup = None
    if summary:
        checks, todo, flaky, failures, skipped = summary
        fsum = lambda k: sum((r.get(k) or 0) for r in rows.values())
        muted = re.search(r'Silenced (\d+) todos, (\d+) skips', text)
        mt, ms = (int(muted.group(1)), int(muted.group(2))) if muted else (0, 0)
        setup = {'checks': checks + mt - fsum('checks'), 'todo': todo + mt - fsum('todo'),
                 'flaky': flaky - fsum('flaky'), 'failures': failures - fsum('failures'),
                 'skipped': skipped + ms - fsum('skipped')}
    for r in rows.values():
        r['failed_lines'] = sorted(([k, v] for k, v in r['failed_lines'].items()),
                                   key=lambda kv: (kv[0].split(':')[0], int(kv[0].split(':')[1])))
        r['log'] = log
        r['exit_code'] = rc
        r['process_s'] = float(secs)
    return list(rows.values()), setup
PY
)
progress_py="$parse_py"$'\n'$(cat <<'PY'
rows, _ = parse(*sys.argv[1:6], sys.argv[6] == '1')
for r in rows:
    c = r.get('checks')
    counts = f"{c} checks, {r['failures']} failures" if c is not None else "no counts"
    print(f"{r['function']}: {r['status']}, {counts}" + (f" ({r['note']})" if r.get('note') else ''))
PY
)

NRUNS=${#RUNS[@]}
((NRUNS)) || die "nothing to run"
log "running $NRUNS function(s) of ${SEL_FILES[*]}: platform=$PLATFORM, timeout ${TIMEOUT}s, $( ((WHOLE_FILE)) && echo 'one process per file' || echo 'one process per function'), logs $RUN_DIR"
RUN_T0=$SECONDS
STARTED=$(date -u +%Y-%m-%dT%H:%M:%SZ)
i=0
if ((WHOLE_FILE)); then
  for f in "${SEL_FILES[@]}"; do
    list=$(for r in "${RUNS[@]}"; do if [[ ${r%%$'\t'*} == "$f" ]]; then printf '%s,' "${r#*$'\t'}"; fi; done)
    list=${list%,}; [[ -n $list ]] || continue
    n=$(tr ',' '\n' <<<"$list" | wc -l)
    log "$f: $n function(s) in one process"
    run_one "$f" "$f" "$list"
    tail -1 "$RESULTS" | (IFS=$'\t' read -r a b c d e; python3 -c "$progress_py" "$a" "$b" "$c" "$d" "$e" "$WHOLE_FILE") | sed 's/^/    /' >&2
  done
else
  for r in "${RUNS[@]}"; do
    f=${r%%$'\t'*}; fn=${r#*$'\t'}; i=$((i + 1))
    run_one "$f" "$f.${fn//#/_}" "$fn"
    line=$(tail -1 "$RESULTS" | (IFS=$'\t' read -r a b c d e; python3 -c "$progress_py" "$a" "$b" "$c" "$d" "$e" "$WHOLE_FILE") | tail -1)
    log "[$i/$NRUNS] $f $line ($(tail -1 "$RESULTS" | cut -f5) s)"
  done
fi
RUN_WALL=$((SECONDS - RUN_T0))

# ---- 7. report ---------------------------------------------------------------------------
report_py="$parse_py"$'\n'$(cat <<'PY'
results, out_json, meta = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
order = {}
for line in open(meta['functions_tsv']):
    f, fn = line.rstrip('\n').split('\t')
    order[(f, fn)] = len(order)
rows, setups = [], {}
for line in open(results):
    file, funcs, log, rc, secs = line.rstrip('\n').split('\t')
    rs, setup = parse(file, funcs, log, rc, secs, meta['whole_file'])
    rows += rs
    if setup and file not in setups:
        setups[file] = setup
rows.sort(key=lambda r: order.get((r['file'], r['function']), 1 << 30))
keys = ('checks', 'failures', 'todo', 'flaky', 'skipped')
files = {}
for f in meta['files']:
    fr = [r for r in rows if r['file'] == f]
    if not fr: continue
    t = {k: sum(r[k] or 0 for r in fr) for k in keys}
    s = setups.get(f)
    if s:
        for k in keys: t[k] += s[k]
    t['functions'] = len(fr)
    for st in ('ok', 'crash', 'timeout', 'not run'):
        t[st.replace(' ', '_')] = [r['function'] for r in fr if r['status'] == st] if st != 'ok' else \
            sum(1 for r in fr if r['status'] == 'ok')
    t['setup'] = s
    files[f] = t
totals = {k: sum(t[k] for t in files.values()) for k in keys}
totals['functions'] = len(rows)
totals['ok'] = sum(1 for r in rows if r['status'] == 'ok')
totals['crash'] = sum(1 for r in rows if r['status'] == 'crash')
totals['timeout'] = sum(1 for r in rows if r['status'] == 'timeout')
totals['not_run'] = sum(1 for r in rows if r['status'] == 'not run')

def fmt(v): return '-' if v is None else f'{v:,}' if isinstance(v, int) else str(v)
hdr = ('file', 'function', 'checks', 'failures', 'todo', 'skipped', 'status', 'secs')
table = []
for r in rows:
    table.append((r['file'], r['function'], fmt(r['checks']), fmt(r['failures']), fmt(r['todo']),
                  fmt(r['skipped']), r['status'], fmt(r['seconds'])))
for f, t in files.items():
    if t['setup'] and any(t['setup'][k] for k in ('checks', 'failures')):
        s = t['setup']
        table.append((f, '(setup)', fmt(s['checks']), fmt(s['failures']), fmt(s['todo']), fmt(s['skipped']), '', ''))
w = [max(len(h), *(len(row[i]) for row in table)) for i, h in enumerate(hdr)]
line = lambda row: '  '.join(c.ljust(w[i]) if i < 2 or i == 6 else c.rjust(w[i]) for i, c in enumerate(row)).rstrip()
print(line(hdr)); print(line(['-' * x for x in w]))
for row in table: print(line(row))
print()
for f, t in files.items():
    extra = ''.join(f", {k.replace('_', ' ')}: {', '.join(t[k])}" for k in ('crash', 'timeout', 'not_run') if t[k])
    print(f"{f}: {t['checks']:,} checks, {t['failures']:,} failures, {t['todo']:,} todo, {t['skipped']:,} skipped; "
          f"{t['functions']} functions, {t['ok']} ok{extra}")
print(f"total: {totals['checks']:,} checks, {totals['failures']:,} failures, {totals['todo']:,} todo, "
      f"{totals['skipped']:,} skipped; {totals['functions']} functions: {totals['ok']} ok, "
      f"{totals['crash']} crash, {totals['timeout']} timeout" + (f", {totals['not_run']} not run" if totals['not_run'] else '')
      + f"; {meta['wall_s']} s")
if out_json:
    doc = {k: meta[k] for k in ('suite', 'wine', 'source', 'dll', 'dll_sha256', 'platform', 'winetest_debug',
                                'timeout_s', 'isolation', 'started', 'wall_s', 'machine')}
    doc['counting'] = ('checks: every ok() (as in Wine\'s summary, plus todos muted after 42 on one line); '
                       'failures: failed ok()s and todo_wine successes; per function, from hooks in START_TEST; '
                       'a file\'s setup (its START_TEST outside the functions) counted apart')
    doc['totals'] = totals
    doc['files'] = files
    for r in rows:
        r['log'] = r['log'].split('/runs/')[-1] if '/runs/' in r['log'] else r['log']
    doc['functions'] = [{k: r.get(k) for k in ('file', 'function', 'status', 'checks', 'failures', 'todo',
                                                 'flaky', 'skipped', 'seconds', 'process_s', 'exit_code', 'note',
                                                 'failed_lines')}
                        for r in rows]
    with open(out_json, 'w') as o:
        json.dump(doc, o, indent=1)
        o.write('\n')
PY
)
meta=$(python3 -c 'import json,sys; a=sys.argv; print(json.dumps({
  "suite": "Wine ws2_32 conformance tests (dlls/ws2_32/tests), one process per test function",
  "wine": a[1], "source": a[2], "dll": a[3] or None, "dll_sha256": a[4] or None, "platform": a[5],
  "winetest_debug": int(a[6]), "timeout_s": int(a[7]), "isolation": "file" if a[8] == "1" else "function",
  "whole_file": a[8] == "1", "started": a[9], "wall_s": int(a[10]), "files": a[11].split(","),
  "functions_tsv": a[12], "machine": a[13]}))' \
  "$WINE_VERSION" "Debian source package wine $DEB_VERSION (wine_$UPSTREAM.orig.tar.xz)" "$DLL" "$DLL_SHA" \
  "$PLATFORM" "$WINETEST_DEBUG" "$TIMEOUT" "$WHOLE_FILE" "$STARTED" "$RUN_WALL" \
  "$(IFS=,; echo "${SEL_FILES[*]}")" "$FUNCS_TSV" "$(nproc) cores, $(uname -sr)")
python3 -c "$report_py" "$RESULTS" "$JSON_OUT" "$meta" | tee "$RUN_DIR/report.txt" || die "report failed"
[[ -n $JSON_OUT ]] && log "wrote $JSON_OUT"
log "done: $NRUNS function(s) in ${RUN_WALL}s (logs $RUN_DIR)"
