#!/usr/bin/env bash
# Builds and runs the Dockerfile's final image stage with podman, on a machine that cannot pull the
# build stage's base image: the binary is built here, the runtime root filesystem is assembled with
# the same recipe as the Dockerfile's build stage, and the final stage (FROM scratch …) is taken
# from the Dockerfile itself. Then the image is run and /health/live must answer 200 as a non-root
# user, with no shell inside.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v podman >/dev/null || { echo "podman is not installed (apt-get install podman)"; exit 1; }
work="$(mktemp -d)"
trap 'podman --storage-driver vfs rm -f textllm-verify >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

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
podman --storage-driver vfs build -q -t textllm-verify -f "$work/Containerfile" "$work" >/dev/null
podman --storage-driver vfs image inspect textllm-verify --format 'image size: {{.Size}} bytes, user: {{.Config.User}}'

port=18765
# Containers here may only lower limits, not raise them: ask for small ones explicitly.
podman --storage-driver vfs run -d --name textllm-verify --runtime runc --network host --ulimit nofile=4096:4096 --ulimit nproc=4096:4096 \
  -e PORT=$port -e HOST=127.0.0.1 textllm-verify >/dev/null
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/health/live" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$port/health/live" || { podman --storage-driver vfs logs textllm-verify; exit 1; }; echo
if podman --storage-driver vfs exec textllm-verify /bin/sh -c true 2>/dev/null; then echo "a shell was found in the image"; exit 1; fi
echo "no shell in the image"
user=$(podman --storage-driver vfs inspect textllm-verify --format '{{.Config.User}}')
[ "$user" = "10001:10001" ] || { echo "runs as '$user', not 10001:10001"; exit 1; }
echo "runs as $user"
podman --storage-driver vfs stop -t 20 textllm-verify >/dev/null
code=$(podman --storage-driver vfs inspect textllm-verify --format '{{.State.ExitCode}}')
echo "exit code after SIGTERM: $code"
[ "$code" = "0" ]
