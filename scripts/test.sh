#!/usr/bin/env bash
# Sets up and runs every test, as CI does (needs root): the unit tests, the interop tests with real
# BIRD, FRR and GoBGP in network namespaces, the end-to-end tests (also against a real
# kube-apiserver, etcd and kube-proxy, and as the container image), the demo and the benchmark smokes,
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

# The real control plane (tests/cluster: etcd, kube-apiserver, kube-proxy and helm from their Go
# modules) and the container image for the e2e_real_cluster and e2e_container tests. Go's build
# and module caches, and Docker's layer cache, make these quick after the first run on a machine.
command -v go >/dev/null || [ -x /usr/local/go/bin/go ] || { echo "Go is required for tests/cluster (go 1.26+)" >&2; exit 1; }
docker info >/dev/null 2>&1 || { echo "a running Docker Engine is required for the container test" >&2; exit 1; }
echo "==> test control plane (Go) in build-sanitize/tests/cluster"
step_start=$SECONDS
cmake --build build-sanitize --target cluster_control_plane
echo "    took $((SECONDS - step_start)) s"
echo "==> container image clusterip-speaker:ci (deploy/base-image.sh, docker build -f deploy/Dockerfile)"
step_start=$SECONDS
# A failed build leaves no image behind (not even an older one), so e2e_container fails and says so.
# The build stage is tagged too, so that pruning the previous run's images keeps the layers this
# run shares with it (the build dependencies' apt layer) and the disk does not fill up over runs.
docker image rm -f clusterip-speaker:ci >/dev/null 2>&1 || true
image_build() {
  docker build --force-rm --build-arg UNIT_TESTS=0 -f deploy/Dockerfile "$@" . >>build-sanitize/docker-build.log 2>&1
}
: >build-sanitize/docker-build.log
if deploy/base-image.sh && image_build --target build -t clusterip-speaker:ci-build && image_build -t clusterip-speaker:ci; then
  echo "    took $((SECONDS - step_start)) s; $(docker image inspect --format '{{.Size}}' clusterip-speaker:ci) bytes"
else
  tail -40 build-sanitize/docker-build.log || true
  echo "    the image build FAILED (build-sanitize/docker-build.log); e2e_container will fail"
fi
docker image prune -f >/dev/null || true

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
