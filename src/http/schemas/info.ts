// GET / (what this server is and offers), GET /config (non-secret settings) and GET /metrics.
import { t } from "elysia";

export const InfoSchema = t.Object(
  {
    name: t.String(),
    version: t.String(),
    description: t.String(),
    docs: t.String(),
    redoc: t.String(),
    openapi: t.String(),
    endpoints: t.Array(t.Object({ method: t.String(), path: t.String() }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

export const ConfigSchema = t.Object(
  { config: t.Object({}, { additionalProperties: true, description: "the settings in force (config.yaml, env); secrets only as whether they are set" }) },
  { additionalProperties: false },
);

export const MetricsSchema = t.String({ description: "Prometheus text exposition format" });

export const INFO_EXAMPLE = {
  name: "TextLLM",
  version: "0.1.0",
  description: "Self-hosted, OpenAI-compatible chat backend",
  docs: "/docs",
  redoc: "/redoc",
  openapi: "/openapi.json",
  endpoints: [
    { method: "POST", path: "/v1/chat/completions" },
    { method: "POST", path: "/chat" },
  ],
};

export const CONFIG_EXAMPLE = {
  config: {
    model: "gpt-4o",
    max_history_items: 100,
    rate_limit_per_minute: 10,
    max_input_length: 10000,
    max_file_size_mb: 20,
    stream_responses: true,
    server: { port: 8000, max_body_mb: 50, cors_origins: [] },
    database: { backend: "sqlite", url: "" },
    auth: { enabled: false, users: 0 },
  },
};

export const METRICS_EXAMPLE = [
  "# HELP textllm_http_requests_total HTTP requests by route, method and status",
  "# TYPE textllm_http_requests_total counter",
  'textllm_http_requests_total{route="/chat",method="POST",status="200"} 42',
  "",
].join("\n");
