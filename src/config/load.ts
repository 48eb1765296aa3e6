// Loads config.yaml (+ prompts.yaml), applies environment overrides and validates the result.
// Any problem stops start-up with a ConfigError whose lines name the key, the bad value and
// what is expected; the caller prints it and exits.
import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { Value, ValueErrorType } from "@sinclair/typebox/value";
import { parse as parseYaml } from "yaml";
import { ConfigSchema, type Config } from "./schema.ts";
import { applyEnvOverrides, type EnvRecord } from "./env.ts";
import { ConfigError } from "./config-error.ts";
import { loadPrompts, type Prompts } from "./prompts.ts";
import { resolveProviders, type ResolvedProvider } from "./providers.ts";
import { withBuiltinModels } from "./builtin-models.ts";
import { routingProblems } from "./deployments.ts";

export interface LoadedConfig {
  config: Config;
  /** Absolute path of the config file, or null when running on built-in defaults. */
  configPath: string | null;
  /** Absolute data directory (embedded database and local files). */
  dataDir: string;
  prompts: Prompts;
  providers: ResolvedProvider[];
}

export interface LoadOptions {
  env: EnvRecord;
  cwd: string;
}

export function loadConfig({ env, cwd }: LoadOptions): LoadedConfig {
  const explicit = env.TEXTLLM_CONFIG;
  const configPath = resolve(cwd, explicit || "config.yaml");
  if (explicit && !existsSync(configPath)) {
    throw new ConfigError([`TEXTLLM_CONFIG: file not found: ${configPath} (unset it to run on the built-in defaults)`]);
  }
  const present = existsSync(configPath);
  const raw = present ? readYamlObject(configPath) : {};
  normaliseLegacyValues(raw);

  let sources: Map<string, string>;
  try {
    sources = applyEnvOverrides(raw, env);
  } catch (err) {
    throw new ConfigError([(err as Error).message]);
  }

  const config = validate(raw, sources, present ? configPath : "defaults");
  crossCheck(config, present ? configPath : "defaults");
  config.models = withBuiltinModels(config.models);
  const base = present ? dirname(configPath) : cwd;
  const dataDir = isAbsolute(config.data_dir) ? config.data_dir : resolve(cwd, config.data_dir);
  const prompts = loadPrompts(resolve(base, config.prompts_file));
  const providers = resolveProviders(config, env);
  return { config, configPath: present ? configPath : null, dataDir, prompts, providers };
}

function readYamlObject(path: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, "utf8"));
  } catch (err) {
    throw new ConfigError([`${path}: not valid YAML: ${(err as Error).message.split("\n")[0]}`]);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== "object" || Array.isArray(doc)) {
    throw new ConfigError([`${path}: expected a mapping of keys (model: ..., server: ...) at the top level`]);
  }
  return doc as Record<string, unknown>;
}

/** The seeds write log levels in Python's upper case (INFO, WARNING). */
function normaliseLegacyValues(raw: Record<string, unknown>): void {
  const logging = raw.logging as Record<string, unknown> | undefined;
  if (logging && typeof logging.level === "string") logging.level = logging.level.toLowerCase();
}

function validate(raw: Record<string, unknown>, sources: Map<string, string>, origin: string): Config {
  const value = Value.Convert(ConfigSchema, Value.Default(ConfigSchema, raw));
  const problems: string[] = [];
  for (const e of Value.Errors(ConfigSchema, value)) {
    // A union reports one error per branch; the first says enough.
    const key = e.path.replace(/^\//, "").replaceAll("/", ".") || "(top level)";
    if (problems.some((p) => p.includes(` ${key}: `) || p.startsWith(`${key}: `))) continue;
    const from = sources.get(key) ?? origin;
    if (e.type === ValueErrorType.ObjectAdditionalProperties) {
      problems.push(`${key}: unknown key (${from})${suggest(key, e.schema)}`);
      continue;
    }
    problems.push(`${key}: ${describe(e.value)} is not valid (${from}): ${expectation(e)}`);
    if (problems.length >= 20) break;
  }
  if (problems.length) throw new ConfigError(problems);
  return value as Config;
}

function describe(value: unknown): string {
  if (value === undefined) return "a missing value";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function expectation(e: { message: string; schema: Record<string, unknown> }): string {
  const s = e.schema;
  if (s.description && typeof s.description === "string") return `${e.message} — ${s.description}`;
  if (Array.isArray(s.anyOf)) {
    const options = (s.anyOf as Array<{ const?: unknown }>).map((o) => JSON.stringify(o.const)).join(", ");
    return `expected one of ${options}`;
  }
  return e.message;
}

/** "; did you mean 'rate_limit_per_minute'?" when a known key is one or two edits away. */
function suggest(key: string, parent: Record<string, unknown>): string {
  const name = key.split(".").at(-1)!;
  const known = Object.keys((parent.properties as Record<string, unknown> | undefined) ?? {});
  const best = known
    .map((k) => ({ k, d: editDistance(name, k) }))
    .filter((c) => c.d <= 2)
    .sort((a, b) => a.d - b.d)[0];
  return best ? `; did you mean '${best.k}'?` : `; known keys here: ${known.join(", ")}`;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** Rules that span keys: providers are named once, and a model's provider exists. */
function crossCheck(config: Config, origin: string): void {
  const problems: string[] = [];
  const names = config.providers.map((p) => p.name);
  for (const dup of new Set(names.filter((n, i) => names.indexOf(n) !== i))) {
    problems.push(`providers: the name '${dup}' is used twice (${origin}); give each provider its own name`);
  }
  const known = new Set(names.length ? names : ["openai"]);
  for (const [model, m] of Object.entries(config.models)) {
    if (m.provider && !known.has(m.provider)) {
      problems.push(`models.${model}.provider: "${m.provider}" is not valid (${origin}): expected one of ${[...known].map((n) => `"${n}"`).join(", ")}`);
    }
  }
  problems.push(...routingProblems(config, known, origin));
  const s3 = config.storage.s3;
  if (s3.enabled && !s3.bucket) problems.push(`storage.s3.bucket: "" is not valid (${origin}): S3_ENABLED needs a bucket — set S3_BUCKET`);
  if (problems.length) throw new ConfigError(problems);
}
