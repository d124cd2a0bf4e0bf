#!/usr/bin/env bash
# Build the platform's container image (`make image`). With a working Docker engine this is a
# plain `docker build`. Without one (CI, these machines) it uses buildah, rootless-free and
# daemonless: base images cannot be pulled there, so the base is a Debian bookworm root
# filesystem made with debootstrap from the machine's own apt mirror, imported once as
# $OLP_BASE_IMAGE and reused by every later build. Idempotent; installs buildah and
# debootstrap with apt when they are missing.
#
#   tools/build-image.sh            # -> ol-platform:dev (IMAGE=..., VERSION=..., REVISION=...)
#   OLP_IMAGE_BUILDER=buildah tools/build-image.sh   # force buildah even where Docker works
#   tools/build-image.sh base       # only the cached buildah base image
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${IMAGE:-ol-platform:dev}
VERSION=${VERSION:-$(sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml | head -n1)}
REVISION=${REVISION:-$(git rev-parse HEAD 2>/dev/null || echo unknown)}
CREATED=${CREATED:-$(date -u +%Y-%m-%dT%H:%M:%SZ)}
OLP_BASE_IMAGE=${OLP_BASE_IMAGE:-localhost/olp-base:bookworm}
SUITE=bookworm
BUILD_ARGS=(--build-arg "VERSION=$VERSION" --build-arg "REVISION=$REVISION"
  --build-arg "CREATED=$CREATED")
# Extra CA bundle for the build's downloads (a TLS-intercepting proxy's): a build secret, so it
# never lands in an image layer. Defaults to the bundle this machine's own tools trust.
# Without one the secret is an empty file (buildah refuses a build whose secret is missing).
CA_BUNDLE=${OLP_BUILD_CA_BUNDLE-${SSL_CERT_FILE:-}}
if [[ -z $CA_BUNDLE || ! -s $CA_BUNDLE ]]; then
  CA_BUNDLE=$(mktemp /tmp/olp-no-ca.XXXXXX)
  trap 'rm -f "$CA_BUNDLE"' EXIT
fi
BUILD_ARGS+=(--secret "id=ca-bundle,src=$CA_BUNDLE")

log() { echo "build-image: $*" >&2; }

builder() {
  if [[ -n ${OLP_IMAGE_BUILDER:-} ]]; then echo "$OLP_IMAGE_BUILDER"
  elif command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then echo docker
  else echo buildah; fi
}

# vfs: the only storage driver that works without overlay support in the kernel/container.
bh() { buildah --storage-driver vfs "$@"; }

ensure_tools() {
  local missing=()
  command -v buildah >/dev/null 2>&1 || missing+=(buildah)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  ((${#missing[@]} == 0)) && return 0
  [[ $(id -u) == 0 ]] || { log "needs ${missing[*]} (apt-get install them as root)"; return 1; }
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 || {
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
  }
}

# The Debian mirror apt already uses here (deb822 or one-line format), else the public one.
apt_mirror() {
  local uri
  uri=$(grep -hsE '^\s*URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null \
    | awk '{print $2}' | grep -v -- '-security' | grep '/debian/\?$' | head -n1 || true)
  [[ -n $uri ]] || uri=$(grep -hsE '^\s*deb\s' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
    2>/dev/null | awk '{print $2}' | grep -v -- '-security' | grep '/debian/\?$' | head -n1 || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

ensure_base() {
  if bh inspect --type image "$OLP_BASE_IMAGE" >/dev/null 2>&1; then
    log "base $OLP_BASE_IMAGE cached"
    return 0
  fi
  local mirror work ctr
  mirror=$(apt_mirror)
  work=$(mktemp -d /var/tmp/olp-base.XXXXXX)
  trap 'rm -rf "$work"' RETURN
  log "debootstrap $SUITE from $mirror"
  debootstrap --variant=minbase "$SUITE" "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 20 "$work/debootstrap.log" >&2; return 1; }
  local security=${mirror%/debian*}/debian-security
  cat >"$work/rootfs/etc/apt/sources.list" <<SOURCES
deb $mirror $SUITE main
deb $mirror $SUITE-updates main
deb $security $SUITE-security main
SOURCES
  rm -rf "$work"/rootfs/var/cache/apt/archives/*.deb "$work"/rootfs/var/lib/apt/lists/* \
    "$work"/rootfs/var/log/* "$work"/rootfs/tmp/*
  tar -C "$work/rootfs" --numeric-owner -cf "$work/rootfs.tar" .
  ctr=$(bh from scratch)
  bh add "$ctr" "$work/rootfs.tar" / >/dev/null
  bh config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env LANG=C.UTF-8 --cmd /bin/bash "$ctr"
  bh commit --rm --quiet "$ctr" "$OLP_BASE_IMAGE" >/dev/null
  log "base $OLP_BASE_IMAGE committed"
}

if [[ ${1:-} == base ]]; then ensure_tools && ensure_base; exit; fi

case $(builder) in
docker)
  log "docker build -> $IMAGE"
  docker build "${BUILD_ARGS[@]}" -t "$IMAGE" .
  ;;
buildah)
  ensure_tools
  ensure_base
  log "buildah bud -> $IMAGE (base $OLP_BASE_IMAGE)"
  # --format docker keeps HEALTHCHECK (the OCI format drops it); no --layers: with vfs every
  # cached layer is a full copy of the file system. Downloads are cached by a cache mount.
  bh bud --isolation chroot --format docker --build-arg "BASE_IMAGE=$OLP_BASE_IMAGE" \
    "${BUILD_ARGS[@]}" -t "$IMAGE" .
  # Intermediate stages and the image this tag replaced.
  bh rmi --prune >/dev/null 2>&1 || true
  bh images --format '{{.Name}}:{{.Tag}} {{.Size}}' "$IMAGE" >&2
  ;;
*) log "unknown builder $(builder)"; exit 2 ;;
esac
