#!/usr/bin/env bash
# Runs cargo for the Windows target with Debian's toolchain (installed by
# scripts/wine-stage.sh), e.g. `scripts/win-cargo.sh check --all-targets`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/win-env.sh
export CARGO_TARGET_DIR=${WINE_STAGE_TARGET_DIR:-$PWD/target/wine}
cmd=$1
shift
exec /usr/bin/cargo "$cmd" -Zbuild-std=std,panic_abort --target "$TARGET" "$@"
