// Prometheus metrics (our small registry, ./prometheus.ts), one registry per server. Labels are bounded: route templates,
// not raw paths; model and provider names from configuration; never user ids. A value a client
// chooses (a model name, an HTTP method) is kept only when it is one of a known set, else it is
// counted as "other": 3,000 made-up model names must not become 3,000 series.
import { collectProcessMetrics } from "./process-metrics.ts";
import { Counter, Gauge, Histogram, Registry } from "./prometheus.ts";

/** The label for anything outside a known set. */
export const OTHER_LABEL = "other";

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

export interface KnownLabels {
  /** Configured model names (the default model and the `models:` keys). */
  models: string[];
  /** Configured provider names. */
  providers: string[];
}

/** Maps label values onto the bounded sets: known ones as they are, everything else as "other". */
export function labelMapper(known: KnownLabels) {
  const models = new Set(known.models);
  const providers = new Set(known.providers);
  return {
    model: (name: string) => (models.has(name) ? name : OTHER_LABEL),
    provider: (name: string) => (providers.has(name) ? name : OTHER_LABEL),
    method: (name: string) => (METHODS.has(name) ? name : OTHER_LABEL),
  };
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export function createMetrics(known: KnownLabels = { models: [], providers: [] }) {
  const registry = new Registry();
  collectProcessMetrics(registry, "textllm_");
  const r = { registry };
  return {
    registry,
    label: labelMapper(known),
    requests: new Counter({
      ...r,
      name: "textllm_http_requests_total",
      help: "HTTP requests by route, method and status",
      labelNames: ["route", "method", "status"],
    }),
    requestSeconds: new Histogram({
      ...r,
      name: "textllm_http_request_duration_seconds",
      help: "Time to the response (streams: to their first byte)",
      labelNames: ["route", "method"],
      buckets: LATENCY_BUCKETS,
    }),
    upstreamSeconds: new Histogram({
      ...r,
      name: "textllm_upstream_duration_seconds",
      help: "Upstream call time, to the last byte",
      labelNames: ["provider", "model", "streamed"],
      buckets: LATENCY_BUCKETS,
    }),
    upstreamTtftSeconds: new Histogram({
      ...r,
      name: "textllm_upstream_time_to_first_token_seconds",
      help: "Time from the upstream call to the first streamed token",
      labelNames: ["provider", "model"],
      buckets: LATENCY_BUCKETS,
    }),
    upstreamErrors: new Counter({ ...r, name: "textllm_upstream_errors_total", help: "Failed upstream calls by status", labelNames: ["provider", "status"] }),
    upstreamRetries: new Counter({ ...r, name: "textllm_upstream_retries_total", help: "Upstream attempts that were retries", labelNames: ["provider"] }),
    tokens: new Counter({ ...r, name: "textllm_tokens_total", help: "Tokens by direction (input, output, cached)", labelNames: ["model", "direction"] }),
    costUsd: new Counter({ ...r, name: "textllm_cost_usd_total", help: "Cost in US dollars", labelNames: ["model"] }),
    rateLimited: new Counter({ ...r, name: "textllm_rate_limit_refusals_total", help: "Requests refused by the rate limit" }),
    budgetRefused: new Counter({ ...r, name: "textllm_budget_refusals_total", help: "Requests refused by the daily budget" }),
    activeStreams: new Gauge({ ...r, name: "textllm_active_streams", help: "Streamed replies in progress" }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
