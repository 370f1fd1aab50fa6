#!/usr/bin/env bash
# Makes the base images deploy/Dockerfile starts FROM (debian:12 and debian:12-slim) locally, from
# Debian's packages, for a machine that can reach a Debian mirror but no container registry:
# debootstrap a minimal bookworm into a folder, trim it the way the official slim image is trimmed,
# and `docker import` it under both tags. With a registry, skip this: `docker build` pulls them.
#
#   deploy/base-image.sh            # only if the tags are missing
#   deploy/base-image.sh --force    # rebuild them
#   DEBIAN_MIRROR=http://host/debian deploy/base-image.sh
#
# Needs root, debootstrap and a running Docker Engine. Takes about a minute with a nearby mirror.
set -euo pipefail

TAGS=(debian:12 debian:12-slim)
SUITE=bookworm
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
force=0
[[ ${1:-} == --force ]] && force=1

have_all=1
for tag in "${TAGS[@]}"; do
  docker image inspect "$tag" >/dev/null 2>&1 || have_all=0
done
if [[ $have_all == 1 && $force == 0 ]]; then
  echo "base-image: ${TAGS[*]} already present (--force to rebuild)"
  exit 0
fi
command -v debootstrap >/dev/null || { echo "base-image: debootstrap is missing (apt-get install debootstrap)" >&2; exit 1; }
[[ $(id -u) == 0 ]] || { echo "base-image: run as root (debootstrap chroots)" >&2; exit 1; }

rootfs=$(mktemp -d /var/tmp/cis-base-image.XXXXXX)
cleanup() {
  # debootstrap may leave /proc or /sys mounted in the chroot when it fails half way.
  for m in proc sys dev/pts dev; do umount -l "$rootfs/$m" 2>/dev/null || true; done
  rm -rf --one-file-system "$rootfs"
}
trap cleanup EXIT

echo "base-image: debootstrap $SUITE from $MIRROR"
debootstrap --variant=minbase "$SUITE" "$rootfs" "$MIRROR" >"$rootfs.log" 2>&1 || {
  tail -30 "$rootfs.log" >&2; rm -f "$rootfs.log"; exit 1; }
rm -f "$rootfs.log"

# The same sources an official image has, so `apt-get install` in a Dockerfile sees updates.
cat >"$rootfs/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY_MIRROR $SUITE-security main
EOF
# Slim: packages installed later leave out documentation, man pages and translations.
cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/lintian/*
EOF
# Containers have no init to start services during apt-get install.
printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
chmod 0755 "$rootfs/usr/sbin/policy-rc.d"
# apt keeps no downloaded .debs in image layers.
cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb || true"; };
Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";
EOF
find "$rootfs/usr/share/doc" -mindepth 2 ! -name copyright -delete 2>/dev/null || true
find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
rm -rf "$rootfs"/usr/share/{man,info,lintian}/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/lib/apt/lists/* \
       "$rootfs"/var/log/*.log "$rootfs"/var/cache/debconf/*-old "$rootfs"/tmp/* "$rootfs"/etc/hostname
find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
: >"$rootfs/etc/machine-id"

echo "base-image: docker import as ${TAGS[*]}"
id=$(tar --numeric-owner --xattrs -C "$rootfs" -c . |
     docker import --change 'CMD ["bash"]' --change 'ENV LANG=C.UTF-8' \
       --message "debootstrap --variant=minbase $SUITE (deploy/base-image.sh)" - "${TAGS[0]}")
for tag in "${TAGS[@]:1}"; do docker tag "$id" "$tag"; done
docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E "^debian:12(-slim)? " || true
