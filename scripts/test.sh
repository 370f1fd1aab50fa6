#!/usr/bin/env bash
# Sets up and runs every test, as CI does (needs root): the unit tests, the interop tests with real
# BIRD, FRR and GoBGP in network namespaces, the end-to-end tests, the demo and the benchmark smokes,
# all against one build with AddressSanitizer and UndefinedBehaviorSanitizer (build-sanitize/);
# then every libFuzzer target for a short time (build-fuzz/, clang).
# The Release build of scripts/setup.sh is what the demo and the benchmarks use; this build finds
# memory errors and undefined behaviour that the Release binary would only show as flakes.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
scripts/setup.sh --packages-only
# ccache (installed by setup.sh) makes a rebuild of unchanged sources cheap, also from another
# checkout of the same tree: paths below the checkout are hashed relative to it.
export CMAKE_CXX_COMPILER_LAUNCHER=ccache CCACHE_BASEDIR="$root" CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-20G}

# UBSan does not recover: a report aborts the process, so the test that caused it fails.
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Leaks are checked in the unit tests; the daemon in the interop tests runs with dropped
# capabilities (and as a non-root user with file capabilities), where LeakSanitizer cannot stop
# the world, so it is off there. Everything else ASan checks stays on.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:detect_stack_use_after_return=0

echo "==> building with ASan + UBSan in build-sanitize"
cmake -S . -B build-sanitize -G Ninja -DCMAKE_BUILD_TYPE=Release -DCIS_SANITIZE=ON -DCIS_INTEROP_SERIAL=OFF >/dev/null
cmake --build build-sanitize -j"$(nproc)"

echo "==> fuzz targets (clang) in build-fuzz"
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=clang++ -DCIS_FUZZ=ON >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target fuzz_targets  # only these: the rest needs GCC

status=0
cd "$root/build-sanitize"
ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=1 ctest --output-on-failure -j2 -L unit || status=1
# Two namespace tests at a time: each owns its namespaces, and they mostly wait on timers.
ctest --output-on-failure -j2 -LE unit || status=1
cd "$root/build-fuzz"
env -u ASAN_OPTIONS ctest --output-on-failure -j2 -L fuzz || status=1  # libFuzzer sets its own
exit $status
