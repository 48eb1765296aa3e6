// The shape of config.yaml: the single source of truth for its keys, types and defaults.
// Top-level keys are the seeds' own (model, max_history_items, ... logging); the nested blocks
// are what the product adds (server, database, storage, redis, auth, models, providers).
import { Type as T, type Static } from "@sinclair/typebox";

const NonNegative = (description: string, def?: number) => T.Number({ minimum: 0, description, ...(def === undefined ? {} : { default: def }) });

export const PriceSchema = T.Object(
  {
    input_per_1k: NonNegative("USD per 1,000 prompt tokens"),
    output_per_1k: NonNegative("USD per 1,000 completion tokens"),
    cached_input_per_1k: T.Optional(NonNegative("USD per 1,000 cached prompt tokens (defaults to input_per_1k)")),
  },
  { additionalProperties: false },
);

export const DeploymentSchema = T.Object(
  {
    provider: T.String({ minLength: 1, description: "name of the provider of this deployment" }),
    upstream_model: T.Optional(T.String({ minLength: 1, description: "model name sent to it (default: the model's name)" })),
    weight: T.Optional(T.Number({ minimum: 0, description: "share of the requests it gets among healthy deployments (default 1)" })),
  },
  { additionalProperties: false },
);

export const ModelSchema = T.Object(
  {
    deployments: T.Optional(
      T.Array(DeploymentSchema, { minItems: 1, description: "several upstreams serving this model, spread by weight (instead of provider/upstream_model)" }),
    ),
    fallbacks: T.Optional(T.Array(T.String({ minLength: 1 }), { description: "models tried in order when every deployment fails before the answer starts" })),
    provider: T.Optional(T.String({ minLength: 1, description: "name of the provider that serves this model" })),
    upstream_model: T.Optional(T.String({ minLength: 1, description: "model name sent upstream, if different" })),
    context_window: T.Optional(T.Integer({ minimum: 256, description: "tokens the model accepts (default 128000)" })),
    max_output_tokens: T.Optional(T.Integer({ minimum: 1 })),
    pricing: T.Optional(PriceSchema),
  },
  { additionalProperties: false },
);

export const ProviderSchema = T.Object(
  {
    name: T.String({ minLength: 1, pattern: "^[A-Za-z0-9_.-]+$" }),
    base_url: T.Optional(T.String({ pattern: "^https?://", description: "OpenAI-compatible base URL, e.g. http://localhost:11434/v1" })),
    api_key_env: T.Optional(T.String({ pattern: "^[A-Za-z_][A-Za-z0-9_]*$", description: "name of the env var holding the key" })),
    models: T.Array(T.String({ minLength: 1 }), { default: ["*"], description: "model names or globs routed here" }),
    timeout_ms: T.Integer({ minimum: 100, default: 60000 }),
    max_retries: T.Integer({ minimum: 0, maximum: 10, default: 2 }),
  },
  { additionalProperties: false },
);

const LogLevel = T.Union(
  ["trace", "debug", "info", "warn", "warning", "error", "fatal", "silent"].map((l) => T.Literal(l)),
  { default: "info" },
);

export const ConfigSchema = T.Object(
  {
    // --- keys of the seeds ---
    model: T.String({ minLength: 1, default: "gpt-4o", description: "default model" }),
    max_history_items: T.Integer({ minimum: 1, default: 100 }),
    rate_limit_per_minute: T.Integer({ minimum: 1, default: 10 }),
    rate_limit_burst: T.Optional(T.Integer({ minimum: 1, description: "requests a user may make at once (default: rate_limit_per_minute)" })),
    max_input_length: T.Integer({ minimum: 1, default: 10000, description: "characters per user message" }),
    max_file_size_mb: T.Number({ exclusiveMinimum: 0, default: 20 }),
    cost_limit_per_session: NonNegative("USD a user may spend per UTC day; 0 disables", 5),
    warn_at_cost: NonNegative("USD after which answers carry a warning; 0 disables", 1),
    min_answer_tokens: T.Integer({
      minimum: 1,
      default: 256,
      description: "near the daily budget's end, a request whose max_tokens no longer fits goes ahead with fewer if at least this many fit",
    }),
    pricing: T.Object(
      { input_per_1k: NonNegative("USD per 1,000 prompt tokens", 0.0025), output_per_1k: NonNegative("USD per 1,000 completion tokens", 0.01) },
      { additionalProperties: false, default: {} },
    ),
    stream_responses: T.Boolean({ default: true }),
    logging: T.Object(
      {
        level: LogLevel,
        log_to_file: T.Boolean({ default: false }),
        log_dir: T.String({ minLength: 1, default: "./logs" }),
      },
      { additionalProperties: false, default: { level: "info" } },
    ),

    // --- what the product adds ---
    data_dir: T.String({ minLength: 1, default: "./data", description: "embedded database and local files" }),
    prompts_file: T.String({ minLength: 1, default: "prompts.yaml", description: "relative to config.yaml" }),
    server: T.Object(
      {
        host: T.String({ minLength: 1, default: "0.0.0.0" }),
        port: T.Integer({ minimum: 0, maximum: 65535, default: 8000 }),
        max_body_mb: T.Number({ exclusiveMinimum: 0, default: 50, description: "largest request body accepted" }),
        cors_origins: T.Array(T.String({ minLength: 1 }), { default: [] }),
        shutdown_grace_seconds: T.Number({ minimum: 0, maximum: 300, default: 15 }),
        sse_keepalive_seconds: T.Number({
          exclusiveMinimum: 0,
          maximum: 255,
          default: 15,
          description: "a `: keep-alive` comment line this often while a stream waits",
        }),
        max_upstream_connections: T.Integer({
          minimum: 1,
          maximum: 65535,
          default: 4096,
          description: "upstream requests at once (Bun's fetch limit, BUN_CONFIG_MAX_HTTP_REQUESTS)",
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    database: T.Object(
      {
        enabled: T.Boolean({ default: true, description: "false ignores url and uses the embedded database" }),
        url: T.String({ default: "", description: "postgres:// URL; empty means embedded SQLite" }),
        pool_size: T.Integer({ minimum: 1, maximum: 1000, default: 10 }),
        query_timeout_ms: T.Integer({
          minimum: 10,
          default: 5000,
          description: "deadline of each Postgres statement and transaction; past it a request answers 503",
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    storage: T.Object(
      {
        s3: T.Object(
          {
            enabled: T.Boolean({ default: false }),
            endpoint: T.String({ default: "" }),
            bucket: T.String({ default: "" }),
            region: T.String({ default: "us-east-1" }),
            access_key: T.String({ default: "" }),
            secret_key: T.String({ default: "" }),
            url_expiration: T.Integer({ minimum: 1, maximum: 604800, default: 86400 }),
          },
          { additionalProperties: false, default: {} },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    documents: T.Object(
      {
        max_chars: T.Integer({ minimum: 1000, default: 100000, description: "extracted characters sent per document before it is cut" }),
        pdf_mode: T.Union([T.Literal("text"), T.Literal("native")], {
          default: "text",
          description: "native sends PDFs as file parts to upstreams that read them",
        }),
        max_decompressed_mb: T.Number({ exclusiveMinimum: 0, default: 100, description: "largest unpacked size of a DOCX (zip bomb guard)" }),
      },
      { additionalProperties: false, default: {} },
    ),
    idempotency: T.Object(
      {
        ttl_hours: T.Number({ exclusiveMinimum: 0, maximum: 8760, default: 24, description: "how long an Idempotency-Key's answer is kept for replay" }),
        lease_seconds: T.Number({
          minimum: 1,
          maximum: 3600,
          default: 30,
          description: "a claim not renewed this long (its server died) is taken over by a retry",
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    streams: T.Object(
      {
        continue_after_disconnect: T.Boolean({
          default: true,
          description: "a /chat stream whose client leaves is generated to its end and stored in full (GET /chat/streams/{id} resumes it)",
        }),
        replay_minutes: T.Number({ exclusiveMinimum: 0, maximum: 1440, default: 10, description: "how long a finished stream's events can still be replayed" }),
      },
      { additionalProperties: false, default: {} },
    ),
    redis: T.Object(
      {
        url: T.String({ default: "" }),
        on_error: T.Union([T.Literal("open"), T.Literal("closed")], { default: "open", description: "rate limiting while Redis is unreachable" }),
      },
      { additionalProperties: false, default: {} },
    ),
    auth: T.Object(
      {
        api_keys: T.Record(T.String({ minLength: 8 }), T.String({ minLength: 1 }), { default: {}, description: "API key → user id" }),
        admin_key: T.String({ default: "" }),
      },
      { additionalProperties: false, default: {} },
    ),
    content_urls: T.Object(
      {
        allow: T.Array(T.String({ minLength: 1 }), {
          default: [],
          description: "URL prefixes content parts may point to besides data: and public https: URLs (e.g. http://10.0.0.5:8080/)",
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    routing: T.Object(
      {
        failure_threshold: T.Integer({ minimum: 1, default: 5, description: "failures within failure_window_seconds that open a deployment's circuit" }),
        failure_window_seconds: T.Number({ exclusiveMinimum: 0, default: 30 }),
        cooldown_seconds: T.Number({ exclusiveMinimum: 0, default: 30, description: "how long an open circuit skips its deployment before one probe" }),
        retries_with_alternatives: T.Integer({
          minimum: 0,
          maximum: 10,
          default: 0,
          description: "SDK retries per deployment while another candidate remains (the provider's max_retries otherwise)",
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    models: T.Record(T.String({ minLength: 1 }), ModelSchema, { default: {} }),
    providers: T.Array(ProviderSchema, { default: [] }),
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;
export type Price = Static<typeof PriceSchema>;
export type ModelConfig = Static<typeof ModelSchema>;
export type ProviderConfig = Static<typeof ProviderSchema>;
export type DeploymentConfig = Static<typeof DeploymentSchema>;

/** A model's context window when config.yaml does not give one. */
export const DEFAULT_CONTEXT_WINDOW = 128_000;
