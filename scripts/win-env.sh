# Sourced by the scripts that build for Windows and run under Wine
# (dll-stage.sh, crate-suite.sh, win-cargo.sh, wsd-wine.sh): Debian's
# toolchain for the x86_64-win7-windows-gnu target (rustc-web with
# -Zbuild-std, mingw as linker; scripts/wine-stage.sh installs them) and
# Wine's binaries. The caller sets CARGO_TARGET_DIR and WINEPREFIX.
TARGET=x86_64-win7-windows-gnu
WINE=/usr/lib/wine/wine64
WINESERVER=/usr/lib/wine/wineserver64
export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1
unset RUSTC_WRAPPER RUSTC_WORKSPACE_WRAPPER RUSTUP_TOOLCHAIN RUSTFLAGS
export CARGO_TARGET_X86_64_WIN7_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
