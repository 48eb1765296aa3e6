// Probes: /health/live (the process answers), /health/ready (it can serve: database reachable,
// data disk writable when data is kept on it, Redis reachable when redis.on_error is "closed"),
// /health (every dependency, with an overall healthy / degraded / unhealthy).
import { Elysia, t } from "elysia";
import type { RouteDeps } from "../route-deps.ts";
import type { LoadedConfig } from "../../config/load.ts";
import type { SharedRedis } from "../../lib/redis.ts";
import type { Lifecycle } from "../../observability/lifecycle.ts";
import type { BlobStore } from "../../storage/blobs/blob-store.ts";
import type { Store } from "../../storage/db/store.ts";
import { checkDatabase, checkDisk, checkRedis, checkUpstreams, isReady, overallStatus, type CheckResult } from "../../health/checks.ts";
import { operationDoc } from "../operation-doc.ts";
import { HEALTH_EXAMPLE, HealthSchema, LiveSchema, NOT_READY_EXAMPLE, READY_EXAMPLE, ReadySchema, UNHEALTHY_EXAMPLE } from "../schemas/health.ts";

const DB_PING_TIMEOUT_MS = 2000;

/** What the probes look at: the backends deps.ts built. */
export interface HealthSources {
  loaded: LoadedConfig;
  store: Store;
  blobs: BlobStore;
  redis: SharedRedis | null;
  lifecycle: Lifecycle;
  now: () => Date;
  startedAt: Date;
}

export function healthRoutes(deps: RouteDeps) {
  const uptime = () => {
    const seconds = Math.floor((deps.now().getTime() - deps.startedAt.getTime()) / 1000);
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const s = seconds % 60;
    return { uptime_seconds: seconds, uptime_human: `${h}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}` };
  };
  // The data directory matters when the database or the files live in it: then a disk that
  // refuses writes makes the server unable to serve.
  const dataOnDisk = deps.store.dialect === "sqlite" || deps.blobs.backend === "local";
  const disk = () => checkDisk(deps.loaded.dataDir, { writable: dataOnDisk });
  const redis = async (): Promise<{ redis?: CheckResult }> => (deps.redis ? { redis: await checkRedis(deps.redis, deps.loaded.config.redis.on_error) } : {});

  return new Elysia({ name: "routes:health", detail: { tags: ["Health"] } })
    .get("/health/live", () => ({ status: "alive" as const }), {
      detail: operationDoc({
        summary: "Liveness probe",
        open: true,
        ok: { schema: LiveSchema, example: { status: "alive" }, description: "The process answers" },
      }),
      response: LiveSchema,
    })
    .get(
      "/health/ready",
      async ({ set }) => {
        if (deps.lifecycle.draining) {
          set.status = 503;
          return { status: "shutting_down", checks: {} };
        }
        const [database, diskCheck, redisCheck] = await Promise.all([
          checkDatabase(deps.store, DB_PING_TIMEOUT_MS),
          dataOnDisk ? disk().then((d) => ({ disk: d })) : {},
          redis(),
        ]);
        const checks = { database, ...diskCheck, ...redisCheck };
        const ready = isReady(checks);
        if (!ready) set.status = 503;
        return { status: ready ? "ready" : "not_ready", checks };
      },
      {
        detail: operationDoc({
          summary:
            "Readiness probe: 503 while the database is unreachable, the data disk refuses writes, Redis is down under redis.on_error: closed, or the server shuts down",
          open: true,
          ok: { schema: ReadySchema, example: READY_EXAMPLE, description: "Ready to serve" },
          also: {
            "503": {
              description: "Not ready: the failing check says why (or shutting down)",
              content: { "application/json": { schema: ReadySchema, example: NOT_READY_EXAMPLE } },
            },
          },
        }),
      },
    )
    .get(
      "/health",
      async ({ set }) => {
        const [openaiApi, database, storage, diskCheck, redisCheck] = await Promise.all([
          checkUpstreams(deps.loaded.providers, () => deps.registry.deployments()),
          checkDatabase(deps.store, DB_PING_TIMEOUT_MS),
          deps.blobs.check(),
          disk(),
          redis(),
        ]);
        const checks = { openai_api: openaiApi, database, storage, disk: diskCheck, ...redisCheck };
        const status = overallStatus(checks);
        if (status === "unhealthy") set.status = 503;
        return { status, timestamp: deps.now().toISOString(), uptime: uptime(), checks };
      },
      {
        detail: operationDoc({
          summary: "Health of every dependency (redis only when configured)",
          open: true,
          ok: { schema: HealthSchema, example: HEALTH_EXAMPLE, description: "Healthy or degraded" },
          also: {
            "503": {
              description: "Unhealthy: the same report, with status unhealthy",
              content: { "application/json": { schema: HealthSchema, example: UNHEALTHY_EXAMPLE } },
            },
          },
        }),
        response: { 200: HealthSchema, 503: t.Any() },
      },
    );
}
