// GET /metrics: Prometheus text format.
import { Elysia } from "elysia";
import type { RouteDeps } from "../route-deps.ts";
import { operationDoc } from "../operation-doc.ts";
import { METRICS_EXAMPLE, MetricsSchema } from "../schemas/info.ts";

export function metricsRoutes({ metrics }: RouteDeps) {
  return new Elysia({ name: "routes:metrics", detail: { tags: ["Health"] } }).get(
    "/metrics",
    async ({ set }) => {
      set.headers["content-type"] = metrics.registry.contentType;
      return metrics.registry.metrics();
    },
    {
      detail: operationDoc({
        summary: "Prometheus metrics: requests, latencies, upstream timings and errors, tokens, cost, refusals, streams",
        open: true,
        ok: { contentType: "text/plain", schema: MetricsSchema, example: METRICS_EXAMPLE, description: "Prometheus text format" },
      }),
    },
  );
}
