// What GET /config shows: an allow-list of non-secret settings. Secrets (provider keys, API keys,
// the admin key, S3 credentials, passwords inside URLs) are never copied here — only whether
// they are set.
import { redactUrl } from "../lib/redact-url.ts";
import type { LoadedConfig } from "./load.ts";
import { DEFAULT_CONTEXT_WINDOW } from "./schema.ts";

/** The backends deps.ts built, as their objects name themselves (store.dialect, blobs.backend, limiter.backend). */
export interface BuiltBackends {
  database: string;
  storage: string;
  limiter: string;
}

export function publicConfig(loaded: LoadedConfig, built: BuiltBackends): Record<string, unknown> {
  const c = loaded.config;
  return {
    model: c.model,
    max_history_items: c.max_history_items,
    rate_limit_per_minute: c.rate_limit_per_minute,
    rate_limit_burst: c.rate_limit_burst ?? c.rate_limit_per_minute,
    max_input_length: c.max_input_length,
    max_file_size_mb: c.max_file_size_mb,
    cost_limit_per_session: c.cost_limit_per_session,
    warn_at_cost: c.warn_at_cost,
    pricing: c.pricing,
    stream_responses: c.stream_responses,
    logging: { level: c.logging.level, log_to_file: c.logging.log_to_file },
    server: { port: c.server.port, max_body_mb: c.server.max_body_mb, cors_origins: c.server.cors_origins },
    database: { backend: built.database, url: redactUrl(c.database.url) },
    storage: {
      backend: built.storage,
      s3: c.storage.s3.enabled
        ? { endpoint: c.storage.s3.endpoint, bucket: c.storage.s3.bucket, region: c.storage.s3.region, url_expiration: c.storage.s3.url_expiration }
        : null,
    },
    rate_limiter: { backend: built.limiter, on_error: c.redis.on_error },
    auth: { enabled: Object.keys(c.auth.api_keys).length > 0 || c.auth.admin_key !== "", users: new Set(Object.values(c.auth.api_keys)).size },
    content_urls: { allow: c.content_urls.allow.map(redactUrl) },
    models: Object.fromEntries(
      Object.entries(c.models).map(([name, m]) => [
        name,
        {
          provider: m.provider ?? null,
          context_window: m.context_window ?? DEFAULT_CONTEXT_WINDOW,
          pricing: m.pricing ?? c.pricing,
          ...(m.deployments ? { deployments: m.deployments } : {}),
          ...(m.fallbacks ? { fallbacks: m.fallbacks } : {}),
        },
      ]),
    ),
    routing: c.routing,
    providers: loaded.providers.map((p) => ({ name: p.name, base_url: redactUrl(p.baseUrl), models: p.models, api_key_set: p.apiKey !== null })),
  };
}
