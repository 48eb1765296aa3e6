// What a finished upstream call adds to /metrics: its latency, its failure, its tokens and cost —
// counted once per usage-log row, with labels from bounded sets (configured names, else "other").
import { ErrorCode } from "../errors.ts";
import type { Metrics } from "../observability/metrics.ts";
import type { CallRecord } from "./record.ts";

export function countCall(metrics: Metrics, record: CallRecord): void {
  const provider = metrics.label.provider(record.provider ?? "unknown");
  const model = metrics.label.model(record.model);
  metrics.upstreamSeconds.observe({ provider, model, streamed: String(record.streamed) }, record.latencyMs / 1000);
  if (record.status >= 400 && record.status !== 499 && record.errorCode !== ErrorCode.shuttingDown)
    metrics.upstreamErrors.inc({ provider, status: String(record.status) });
  metrics.tokens.inc({ model, direction: "input" }, record.usage.prompt_tokens);
  metrics.tokens.inc({ model, direction: "output" }, record.usage.completion_tokens);
  metrics.tokens.inc({ model, direction: "cached" }, record.usage.cached_tokens);
  metrics.costUsd.inc({ model }, record.cost / 1_000_000);
}
