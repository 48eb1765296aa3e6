// CORS, configured explicitly: only the origins in server.cors_origins (none by default) may call
// the API from a browser, with the headers and methods the API uses — not "reflect everything".
import { cors } from "@elysiajs/cors";

/** What clients send, the official SDKs' own x-stainless-* headers included. */
const ALLOWED = [
  "authorization",
  "content-type",
  "x-request-id",
  "openai-organization",
  "openai-project",
  "openai-beta",
  "x-stainless-arch",
  "x-stainless-lang",
  "x-stainless-os",
  "x-stainless-package-version",
  "x-stainless-retry-count",
  "x-stainless-runtime",
  "x-stainless-runtime-version",
  "x-stainless-timeout",
  "idempotency-key",
  "last-event-id",
];

const EXPOSED = [
  "x-request-id",
  "x-conversation-id",
  "retry-after",
  "x-ratelimit-limit-requests",
  "x-ratelimit-remaining-requests",
  "x-ratelimit-reset-requests",
  "x-budget-remaining-usd",
  "x-budget-warning",
  "x-textllm-max-tokens-clamped",
  "x-stream-id",
  "idempotent-replayed",
];

export function corsPlugin(origins: string[]) {
  return cors({
    origin: origins.length ? origins : false,
    methods: ["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
    allowedHeaders: ALLOWED,
    exposeHeaders: EXPOSED,
    credentials: false,
    maxAge: 600,
    preflight: true,
  });
}
