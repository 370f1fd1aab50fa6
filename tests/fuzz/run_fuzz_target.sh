#!/usr/bin/env bash
# One short, bounded fuzz run for CTest: run_fuzz_target.sh BINARY SEED_CORPUS SECONDS ARTIFACT_DIR
# The seeds are copied to a temporary folder, so new inputs never land in the source tree; a
# crash, sanitizer report, leak or timeout leaves its input in ARTIFACT_DIR and fails the test.
set -euo pipefail
binary=$1 seeds=$2 seconds=$3 artifacts=$4
name=$(basename "$binary")
work=$(mktemp -d "${TMPDIR:-/tmp}/$name.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp -r "$seeds" "$work/corpus"
mkdir -p "$artifacts"
dict=()  # tests/fuzz/<target>.dict, beside the corpus folder, when there is one
dict_file=$(dirname "$seeds")/../$name.dict
[ -f "$dict_file" ] && dict=(-dict="$dict_file")
"$binary" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
  "${dict[@]}" -artifact_prefix="$artifacts/$name-" "$work/corpus"
