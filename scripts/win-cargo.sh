#!/usr/bin/env bash
# Runs cargo for the Windows target with Debian's toolchain (installed by
# scripts/wine-stage.sh), e.g. `scripts/win-cargo.sh check --all-targets`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR=${WINE_STAGE_TARGET_DIR:-$PWD/target/wine}
export CARGO_TARGET_X86_64_WIN7_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
unset RUSTC_WRAPPER RUSTC_WORKSPACE_WRAPPER RUSTUP_TOOLCHAIN
cmd=$1
shift
exec /usr/bin/cargo "$cmd" -Zbuild-std=std,panic_abort --target x86_64-win7-windows-gnu "$@"
