# Two stages: build the single executable, then ship it alone on an empty base — no shell, no
# package manager — with only the C libraries it links against, running as a non-root user.

# Any Debian image with Bun 1.4.5 on its PATH; scripts/verify-image.sh --full passes a local one.
ARG BUN_IMAGE=oven/bun:1.4.5-debian
FROM ${BUN_IMAGE} AS build
WORKDIR /src
COPY package.json bun.lock ./
RUN bun install --frozen-lockfile
COPY . .
RUN bun run build \
 && mkdir -p /rootfs/tmp /rootfs/etc/ssl/certs /owned/data \
 && cp textllm /rootfs/textllm \
 && for lib in $(ldd textllm | grep -o '/[^ ]*'); do mkdir -p "/rootfs$(dirname "$lib")" && cp -L "$lib" "/rootfs$lib"; done \
 && if [ -f /etc/ssl/certs/ca-certificates.crt ]; then cp /etc/ssl/certs/ca-certificates.crt /rootfs/etc/ssl/certs/; fi \
 && echo 'textllm:x:10001:10001::/data:/textllm' > /rootfs/etc/passwd \
 && chmod 1777 /rootfs/tmp

FROM scratch
COPY --from=build /rootfs/ /
# COPY makes everything root's, and --chown only reaches what a COPY creates: /data is created
# here, owned by the user that runs the server.
COPY --from=build --chown=10001:10001 /owned/ /
USER 10001:10001
ENV HOST=0.0.0.0 PORT=8000 TEXTLLM_DATA_DIR=/data
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
# No shell or curl in here: the binary probes its own /health/live (on $PORT).
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["/textllm", "healthcheck"]
ENTRYPOINT ["/textllm"]
CMD ["serve"]
