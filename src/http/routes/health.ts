// Probes: /health/live (the process answers), /health/ready (it can serve: database reachable),
// /health (every dependency, with an overall healthy / degraded / unhealthy).
import { Elysia, t } from "elysia";
import type { Deps } from "../../deps.ts";
import {
  checkDatabase,
  checkDisk,
  checkProviders,
  overallStatus,
} from "../../health/checks.ts";
import { operationDoc } from "../operation-doc.ts";
import { ErrorBodySchema, ERRORS } from "../schemas/errors.ts";
import { HEALTH_EXAMPLE, HealthSchema, LiveSchema, NOT_READY_EXAMPLE, READY_EXAMPLE, ReadySchema } from "../schemas/health.ts";

const DB_PING_TIMEOUT_MS = 2000;

export function healthRoutes(deps: Deps) {
  const uptime = () => {
    const seconds = Math.floor((deps.now().getTime() - deps.startedAt.getTime()) / 1000);
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const s = seconds % 60;
    return { uptime_seconds: seconds, uptime_human: `${h}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}` };
  };

  return new Elysia({ name: "routes:health", detail: { tags: ["Health"] } })
    .get("/health/live", () => ({ status: "alive" as const }), {
      detail: operationDoc({ summary: "Liveness probe", open: true, ok: { schema: LiveSchema, example: { status: "alive" }, description: "The process answers" } }),
      response: LiveSchema,
    })
    .get(
      "/health/ready",
      async ({ set }) => {
        if (deps.lifecycle.draining) {
          set.status = 503;
          return { status: "shutting_down", checks: {} };
        }
        const database = await checkDatabase(deps.store, DB_PING_TIMEOUT_MS);
        const ready = database.status === "healthy";
        if (!ready) set.status = 503;
        return { status: ready ? "ready" : "not_ready", checks: { database } };
      },
      {
        detail: operationDoc({
          summary: "Readiness probe: 503 while the database is unreachable or the server shuts down",
          open: true,
          ok: { schema: ReadySchema, example: READY_EXAMPLE, description: "Ready to serve" },
          also: { "503": { description: "Not ready (database unreachable, or shutting down)", content: { "application/json": { schema: ReadySchema, example: NOT_READY_EXAMPLE } } } },
        }),
      },
    )
    .get(
      "/health",
      async ({ set }) => {
        const [database, storage, disk] = await Promise.all([
          checkDatabase(deps.store, DB_PING_TIMEOUT_MS),
          deps.blobs.check(),
          checkDisk(deps.loaded.dataDir),
        ]);
        const checks = { openai_api: checkProviders(deps.loaded.providers), database, storage, disk };
        const status = overallStatus(checks);
        if (status === "unhealthy") set.status = 503;
        return { status, timestamp: deps.now().toISOString(), uptime: uptime(), checks };
      },
      {
        detail: operationDoc({
          summary: "Health of every dependency",
          open: true,
          ok: { schema: HealthSchema, example: HEALTH_EXAMPLE, description: "Healthy or degraded" },
          also: {
            "503": {
              description: "Unhealthy: the same body with status unhealthy; while shutting down an error body",
              content: { "application/json": { schema: t.Union([HealthSchema, ErrorBodySchema]), example: ERRORS[503].example } },
            },
          },
        }),
        response: { 200: HealthSchema, 503: t.Any() },
      },
    );
}
