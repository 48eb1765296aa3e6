// The probes' answers: /health/live, /health/ready and /health with one check per dependency.
import { t } from "elysia";

const Check = t.Object({ status: t.String() }, { additionalProperties: true });

export const LiveSchema = t.Object({ status: t.Literal("alive") });

export const ReadySchema = t.Object(
  {
    status: t.Union([t.Literal("ready"), t.Literal("not_ready"), t.Literal("shutting_down")]),
    checks: t.Object(
      { database: t.Optional(Check), disk: t.Optional(Check), redis: t.Optional(Check) },
      { additionalProperties: false, description: "disk when data is kept on the local disk; redis when redis.on_error is closed" },
    ),
  },
  { additionalProperties: false },
);

export const HealthSchema = t.Object({
  status: t.String({ description: "healthy, degraded or unhealthy" }),
  timestamp: t.String(),
  uptime: t.Object({ uptime_seconds: t.Number(), uptime_human: t.String() }),
  checks: t.Object({ openai_api: Check, database: Check, storage: Check, disk: Check, redis: t.Optional(Check) }),
});

export const READY_EXAMPLE = { status: "ready", checks: { database: { status: "healthy", backend: "sqlite", latency_ms: 0.2 } } };
export const NOT_READY_EXAMPLE = { status: "not_ready", checks: { database: { status: "unhealthy", backend: "postgres", error: "connection refused" } } };

export const HEALTH_EXAMPLE = {
  status: "healthy",
  timestamp: "2026-11-30T09:15:00.000Z",
  uptime: { uptime_seconds: 3723, uptime_human: "1:02:03" },
  checks: {
    openai_api: { status: "configured", providers: [{ name: "openai", configured: true }] },
    database: { status: "healthy", backend: "sqlite", latency_ms: 0.4 },
    storage: { status: "healthy", backend: "local", writable: true },
    disk: { status: "ok", free_gb: 77.8, total_gb: 251.97 },
  },
};

export const UNHEALTHY_EXAMPLE = {
  ...HEALTH_EXAMPLE,
  status: "unhealthy",
  checks: { ...HEALTH_EXAMPLE.checks, database: { status: "unhealthy", backend: "postgres", error: "connection refused" } },
};
