#!/usr/bin/env bash
# Builds the Dockerfile with podman on a machine without a Docker engine or a reachable container
# registry, runs the image, and checks it: /health/live answers 200, `textllm healthcheck` passes inside
# and the image carries a HEALTHCHECK, no shell inside, user 10001,
# exit 0 on SIGTERM.
#
# Default: the whole Dockerfile, both stages. The build stage's base (oven/bun) cannot be pulled
# here, so a stand-in with the same contents is made locally — Debian bookworm from debootstrap,
# this machine's CA bundle (package downloads go through its TLS proxy) and this machine's Bun
# 1.4.5 — and passed as --build-arg BUN_IMAGE. Needs podman, runc and debootstrap (Debian packages)
# and access to Debian's and the npm package mirrors.
# --final-only: the binary is built on the host and only the final stage (FROM scratch …) is taken
# from the Dockerfile; needs only podman and runc.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v podman >/dev/null || { echo "podman is not installed (apt-get install podman runc)"; exit 1; }
pm() { podman --storage-driver vfs "$@"; }
work="$(mktemp -d)"
trap 'pm rm -f textllm-verify >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

if [ "${1:-}" = "--final-only" ]; then
  bun run build >/dev/null
  # The Dockerfile's build-stage recipe, on this machine.
  rootfs="$work/rootfs"
  mkdir -p "$rootfs/tmp" "$rootfs/etc/ssl/certs" "$work/owned/data"
  cp textllm "$rootfs/textllm"
  for lib in $(ldd textllm | grep -o '/[^ ]*'); do mkdir -p "$rootfs$(dirname "$lib")" && cp -L "$lib" "$rootfs$lib"; done
  [ -f /etc/ssl/certs/ca-certificates.crt ] && cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/"
  echo 'textllm:x:10001:10001::/data:/textllm' > "$rootfs/etc/passwd"
  chmod 1777 "$rootfs/tmp"
  # The final stage, verbatim from the Dockerfile, copying from the rootfs built above.
  sed -n '/^FROM scratch/,$p' Dockerfile | sed -e 's|--from=build ||' -e 's| /rootfs/| rootfs/|' -e 's| /owned/| owned/|' > "$work/Containerfile"
  pm build -q --format docker -t textllm-verify -f "$work/Containerfile" "$work" >/dev/null
else
  command -v debootstrap >/dev/null || { echo "debootstrap is not installed (apt-get install debootstrap)"; exit 1; }
  base=localhost/bun-standin:1.4.5
  if ! pm image exists "$base"; then
    echo "making the build stage's base image: Debian bookworm + Bun $(bun --version)..."
    debootstrap --variant=minbase --include=ca-certificates bookworm "$work/base" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 \
      || { tail -20 "$work/debootstrap.log"; exit 1; }
    cp /etc/ssl/certs/ca-certificates.crt "$work/base/etc/ssl/certs/ca-certificates.crt"
    cp -L "$(command -v bun)" "$work/base/usr/local/bin/bun"
    tar -C "$work/base" -c . | pm import -q --change "ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt" \
      --change "ENV PATH=/usr/local/bin:/usr/bin:/bin" - "$base" >/dev/null
  fi
  echo "building the Dockerfile (both stages)..."
  pm build --format docker --network host --build-arg BUN_IMAGE="$base" -t textllm-verify -f Dockerfile . >"$work/build.log" 2>&1 \
    || { tail -30 "$work/build.log"; exit 1; }
fi
pm image inspect textllm-verify --format 'image size: {{.Size}} bytes, user: {{.Config.User}}'

port=18765
# Containers here may only lower limits, not raise them: ask for small ones explicitly.
pm run -d --name textllm-verify --runtime runc --network host --ulimit nofile=4096:4096 --ulimit nproc=4096:4096 \
  -e PORT=$port -e HOST=127.0.0.1 textllm-verify >/dev/null
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/health/live" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$port/health/live" || { pm logs textllm-verify; exit 1; }; echo
pm exec textllm-verify /textllm healthcheck || { echo "textllm healthcheck failed inside the image"; exit 1; }
[ -n "$(pm image inspect textllm-verify --format '{{.HealthCheck}}')" ] || { echo "the image has no HEALTHCHECK"; exit 1; }
if pm exec textllm-verify /bin/sh -c true 2>/dev/null; then echo "a shell was found in the image"; exit 1; fi
echo "no shell in the image"
user=$(pm inspect textllm-verify --format '{{.Config.User}}')
[ "$user" = "10001:10001" ] || { echo "runs as '$user', not 10001:10001"; exit 1; }
echo "runs as $user"
pm stop -t 20 textllm-verify >/dev/null
code=$(pm inspect textllm-verify --format '{{.State.ExitCode}}')
echo "exit code after SIGTERM: $code"
[ "$code" = "0" ]
