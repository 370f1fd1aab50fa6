#!/usr/bin/env bash
# Long fuzzing runs: builds the clang fuzz tree (build-fuzz) and runs every libFuzzer target in
# turn for SECONDS (default 600) on a fresh output corpus seeded from tests/fuzz/corpus/<target>.
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
# Output: build-fuzz/fuzz-runs/<target>/{corpus,log}; crash inputs in build-fuzz/artifacts/.
# Reproduce a finding: build-fuzz/tests/fuzz/<target> build-fuzz/artifacts/<target>-crash-...
# The short runs CI does are the CTest tests labelled fuzz (ctest --test-dir build-fuzz -L fuzz).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
seconds=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(bgp_decode_fuzz ospf_decode_fuzz k8s_decode_fuzz config_load_fuzz)
build=$root/build-fuzz

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=clang++ -DCIS_FUZZ=ON \
  "${launcher[@]}" >/dev/null
nice ninja -C "$build" "${targets[@]}"

mkdir -p "$build/artifacts"
summary=()
failed=0
for target in "${targets[@]}"; do
  run=$build/fuzz-runs/$target
  rm -rf "$run"
  mkdir -p "$run/corpus"
  touch "$run/started"
  echo "== $target: ${seconds}s"
  status=0
  start=$(date +%s)
  dict=()
  [ -f "$root/tests/fuzz/$target.dict" ] && dict=(-dict="$root/tests/fuzz/$target.dict")
  # One process per target (no -jobs: the machine has 2 cores). New inputs go to the first,
  # fresh folder; the committed seeds are only read. A crash stops the run and fails the script.
  "$build/tests/fuzz/$target" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 "${dict[@]}" -artifact_prefix="$build/artifacts/$target-" \
    "$run/corpus" "$root/tests/fuzz/corpus/$target" >"$run/log" 2>&1 || status=$?
  wall=$(( $(date +%s) - start ))
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$run/log" | tail -n 1 | awk '{print $2}')
  crashes=$(find "$build/artifacts" -name "$target-*" -newer "$run/started" | wc -l)
  new_inputs=$(find "$run/corpus" -type f | wc -l)
  summary+=("$(printf '%-18s %6ss  execs %-10s crashes %-3s new corpus %-5s exit %s' "$target" "$wall" \
    "${execs:-?}" "$crashes" "$new_inputs" "$status")")
  [ "$status" -eq 0 ] && [ "$crashes" -eq 0 ] || failed=1
done

echo "== summary (${seconds}s per target; logs in build-fuzz/fuzz-runs, crashes in build-fuzz/artifacts)"
printf '%s\n' "${summary[@]}"
exit $failed
