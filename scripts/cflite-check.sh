#!/usr/bin/env bash
# Checks .clusterfuzzlite/build.sh here, as ClusterFuzzLite's image would
# run it (no Docker or network needed): the targets are built on stable
# without a sanitizer (`-s none`, as scripts/fuzz.sh builds them), and $OUT
# must hold each target with its options, the parser's dictionary and
# seed corpus, and each binary must run its seeds.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec </dev/null
out=$PWD/target/cflite-out
rm -rf "$out" && mkdir -p "$out"
command -v cargo-fuzz >/dev/null || cargo fuzz --version >/dev/null 2>&1 \
  || cargo install --locked --version 0.13.2 cargo-fuzz
SRC=$PWD/.. OUT=$out PROJECT_DIR=$PWD FUZZ_ARGS="-s none" .clusterfuzzlite/build.sh
for f in ops ops.options scenario_parser scenario_parser.options scenario_parser.dict \
  scenario_parser_seed_corpus.zip; do
  [[ -s $out/$f ]] || { echo "cflite-check: $f missing from \$OUT" >&2; exit 1; }
done
seeds=$out/seeds
mkdir -p "$seeds"
python3 -m zipfile -e "$out/scenario_parser_seed_corpus.zip" "$seeds"
n=$(find "$seeds" -name '*.json' | wc -l)
((n > 50)) || { echo "cflite-check: only $n seed files" >&2; exit 1; }
"$out/scenario_parser" -runs=0 -dict="$out/scenario_parser.dict" "$seeds" 2>"$out/parser.log" \
  || { tail "$out/parser.log"; exit 1; }
"$out/ops" -runs=200 -max_len=4096 2>"$out/ops.log" || { tail "$out/ops.log"; exit 1; }
echo "cflite-check: .clusterfuzzlite/build.sh puts both targets, their options, the dictionary and $n seeds in \$OUT; each runs"
