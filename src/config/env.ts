// Environment variables that override config.yaml. The names are part of the public interface
// (SPEC "Environment"): keep them. Each maps onto one config path; the first variable of a group
// that is set wins (S3_ACCESS_KEY before AWS_ACCESS_KEY_ID, ...).

export type EnvRecord = Record<string, string | undefined>;

interface Override {
  vars: string[];
  path: string[];
  parse?: (raw: string, name: string) => unknown;
}

/** `key=user_id,key2=user_id2` → { key: user_id, ... }. */
export function parseApiKeyList(raw: string, name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = item.indexOf("=");
    if (eq <= 0 || eq === item.length - 1) {
      throw new Error(`${name}: each entry must look like key=user_id (got an entry of ${item.length} characters without a usable "=")`);
    }
    out[item.slice(0, eq).trim()] = item.slice(eq + 1).trim();
  }
  return out;
}

const OVERRIDES: Override[] = [
  { vars: ["PORT"], path: ["server", "port"] },
  { vars: ["HOST"], path: ["server", "host"] },
  { vars: ["TEXTLLM_DATA_DIR"], path: ["data_dir"] },
  { vars: ["LOG_LEVEL"], path: ["logging", "level"], parse: (raw) => raw.toLowerCase() },
  { vars: ["DATABASE_ENABLED"], path: ["database", "enabled"] },
  { vars: ["DATABASE_URL"], path: ["database", "url"] },
  { vars: ["S3_ENABLED"], path: ["storage", "s3", "enabled"] },
  { vars: ["S3_ENDPOINT"], path: ["storage", "s3", "endpoint"] },
  { vars: ["S3_BUCKET"], path: ["storage", "s3", "bucket"] },
  { vars: ["S3_REGION", "AWS_REGION"], path: ["storage", "s3", "region"] },
  { vars: ["S3_ACCESS_KEY", "AWS_ACCESS_KEY_ID"], path: ["storage", "s3", "access_key"] },
  { vars: ["S3_SECRET_KEY", "AWS_SECRET_ACCESS_KEY"], path: ["storage", "s3", "secret_key"] },
  { vars: ["S3_URL_EXPIRATION"], path: ["storage", "s3", "url_expiration"] },
  { vars: ["REDIS_URL"], path: ["redis", "url"] },
  { vars: ["TEXTLLM_API_KEYS"], path: ["auth", "api_keys"], parse: parseApiKeyList },
  { vars: ["TEXTLLM_ADMIN_KEY"], path: ["auth", "admin_key"] },
];

/** Variables read directly (not config paths): listed so `--help` and the README stay complete. */
export const DIRECT_ENV_VARS = ["TEXTLLM_CONFIG", "OPENAI_API_KEY", "OPENAI_BASE_URL"] as const;
export const OVERRIDE_ENV_VARS = OVERRIDES.flatMap((o) => o.vars);

/**
 * Writes every set override into `raw` (a parsed config.yaml) and returns, per dotted path,
 * the name of the variable it came from, so validation errors can name the real source.
 */
export function applyEnvOverrides(raw: Record<string, unknown>, env: EnvRecord): Map<string, string> {
  const sources = new Map<string, string>();
  for (const o of OVERRIDES) {
    const name = o.vars.find((v) => env[v] !== undefined && env[v] !== "");
    if (!name) continue;
    const value = o.parse ? o.parse(env[name]!, name) : env[name]!;
    setPath(raw, o.path, value);
    sources.set(o.path.join("."), name);
  }
  return sources;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== "object" || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}
