#!/usr/bin/env bash
# Sets up, builds and runs every test: unit tests, then interop tests with real BIRD and FRR
# in network namespaces (needs root).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
cd build
# Unit tests run two at a time; interop tests are RUN_SERIAL (they own the routers they start).
ctest --output-on-failure -j2
