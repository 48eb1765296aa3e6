// GET /metrics: Prometheus text format.
import { Elysia } from "elysia";
import type { Metrics } from "../../observability/metrics.ts";

export function metricsRoutes(metrics: Metrics) {
  return new Elysia({ name: "routes:metrics", detail: { tags: ["Health"] } }).get(
    "/metrics",
    async ({ set }) => {
      set.headers["content-type"] = metrics.registry.contentType;
      return metrics.registry.metrics();
    },
    { detail: { summary: "Prometheus metrics: requests, latencies, upstream timings and errors, tokens, cost, refusals, streams" } },
  );
}
