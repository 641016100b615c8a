#!/bin/bash -eu
# Builds the fuzz targets into $OUT as ClusterFuzzLite and OSS-Fuzz expect
# them: each binary, its libFuzzer options, the scenario parser's
# dictionary and its seed corpus (the scenario corpus). The image gives
# $SRC and $OUT and the sanitizer flags; FUZZ_ARGS adds cargo-fuzz
# options and PROJECT_DIR names the checkout (scripts/cflite-check.sh, in
# .ci/run, builds with `-s none` on stable to check this script).
cd "${PROJECT_DIR:-$SRC/winsock-double}"
# shellcheck disable=SC2086
cargo fuzz build -O ${FUZZ_ARGS:-}
bin=fuzz/target/x86_64-unknown-linux-gnu/release
for t in ops scenario_parser; do
  cp "$bin/$t" "$OUT/"
done
# The limits scripts/fuzz.sh runs them with.
printf '[libfuzzer]\nmax_len = 4096\n' >"$OUT/ops.options"
printf '[libfuzzer]\nmax_len = 16384\ntimeout = 1\nrss_limit_mb = 1024\ndict = scenario_parser.dict\n' \
  >"$OUT/scenario_parser.options"
python3 scripts/fuzz-dict.py >"$OUT/scenario_parser.dict"
rm -f "$OUT/scenario_parser_seed_corpus.zip"
python3 -m zipfile -c "$OUT/scenario_parser_seed_corpus.zip" fixtures/scenarios/*.json
