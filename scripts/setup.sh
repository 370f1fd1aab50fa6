#!/usr/bin/env bash
# Installs what clusterip-speaker needs to build and test on Debian 12, then builds it (Release).
# Usage: scripts/setup.sh [BUILD_DIR | --packages-only]   (run as root, or with sudo available)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${1:-build}

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
PACKAGES=(
  build-essential cmake ninja-build pkg-config git ccache
  libboost-dev libboost-system-dev libssl-dev libnl-3-dev libnl-route-3-dev libnftables-dev libcap-ng-dev nftables iptables
  libyaml-cpp-dev libspdlog-dev prometheus-cpp-dev libsimdjson-dev nlohmann-json3-dev
  libcli11-dev libgtest-dev libgmock-dev
  bird2 frr gobgpd dnsmasq-base unbound iproute2 iputils-ping curl tcpdump openssl python3 python3-yaml procps
  libcap2-bin util-linux
)
# The fuzz targets only (scripts/fuzz.sh, the short runs of scripts/test.sh): clang and libFuzzer.
FUZZ_PACKAGES=(clang libclang-rt-14-dev)
PACKAGES+=("${FUZZ_PACKAGES[@]}")
# The real-cluster and container tests: the base image is made with debootstrap (no registry), the
# LAN client asks kube-dns with dig. They also need Go and a running Docker Engine, which are not
# Debian packages here (scripts/test.sh checks for them).
REAL_CLUSTER_PACKAGES=(debootstrap bind9-dnsutils)
PACKAGES+=("${REAL_CLUSTER_PACKAGES[@]}")
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The Debian packages start system-wide BIRD, FRR and unbound; the tests and the demo run their own
# (unbound is only there for unbound-checkconf).
for s in bird frr unbound; do
  if command -v systemctl >/dev/null && systemctl is-active --quiet "$s" 2>/dev/null; then
    $SUDO systemctl stop "$s" || true
  fi
done

[ "$BUILD_DIR" != "--packages-only" ] || exit 0
echo "==> building in $BUILD_DIR"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)"
