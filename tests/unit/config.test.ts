import { afterEach, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { ConfigError } from "../../src/config/config-error.ts";
import { publicConfig } from "../../src/config/public-view.ts";
import { databaseBackend } from "../../src/deps.ts";
import { redactUrl } from "../../src/lib/redact-url.ts";
import { DEFAULT_SYSTEM_PROMPT, systemPromptFor } from "../../src/config/prompts.ts";
import { tempDir } from "../support/temp.ts";

let dirs: Array<() => void> = [];
afterEach(() => {
  for (const d of dirs) d();
  dirs = [];
});

function dirWith(files: Record<string, string>): string {
  const d = tempDir();
  dirs.push(d.cleanup);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(d.path, name), text);
  return d.path;
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

describe("config loading", () => {
  test("no config file: every seed key has its default, data under ./data, OpenAI provider", () => {
    const cwd = dirWith({});
    const { config, configPath, dataDir, providers, prompts } = loadConfig({ env: {}, cwd });
    expect(configPath).toBeNull();
    expect(config).toMatchObject({
      model: "gpt-4o",
      max_history_items: 100,
      rate_limit_per_minute: 10,
      max_input_length: 10000,
      max_file_size_mb: 20,
      cost_limit_per_session: 5,
      warn_at_cost: 1,
      pricing: { input_per_1k: 0.0025, output_per_1k: 0.01 },
      stream_responses: true,
      logging: { level: "info", log_to_file: false, log_dir: "./logs" },
      server: { host: "0.0.0.0", port: 8000 },
    });
    expect(dataDir).toBe(join(cwd, "data"));
    expect(providers).toEqual([expect.objectContaining({ name: "openai", baseUrl: "https://api.openai.com/v1", apiKey: null, models: ["*"] })]);
    expect(prompts.system).toBe(DEFAULT_SYSTEM_PROMPT);
  });

  test("the repository's own config.yaml and prompts.yaml load as they are", () => {
    const root = join(import.meta.dir, "../..");
    const { config, prompts } = loadConfig({ env: {}, cwd: root });
    expect(config.model).toBeTruthy();
    expect(Object.keys(config.models).length).toBeGreaterThan(0);
    expect(prompts.system.length).toBeGreaterThan(20);
  });

  test("file values, seed-style upper-case log level, per-model prompt, providers with keys from env", () => {
    const cwd = dirWith({
      "config.yaml": `
model: llama3
rate_limit_per_minute: 5
logging: { level: WARNING, log_to_file: false }
models:
  llama3: { provider: local, context_window: 8192, pricing: { input_per_1k: 0, output_per_1k: 0 } }
providers:
  - { name: local, base_url: "http://127.0.0.1:11434/v1/", models: ["llama*"] }
  - { name: openai, models: ["gpt-*"] }
  - { name: router, base_url: "https://router.example/api/v1", api_key_env: ROUTER_KEY, models: ["*"] }
`,
      "prompts.yaml": "system: Be brief.\nmodels:\n  llama3: Be very brief.\n",
    });
    const { config, providers, prompts } = loadConfig({ env: { ROUTER_KEY: "rk-1", OPENAI_API_KEY: "sk-1", OPENAI_BASE_URL: "http://proxy.local/v1" }, cwd });
    expect(config.logging.level).toBe("warning");
    expect(config.rate_limit_per_minute).toBe(5);
    expect(providers.map((p) => [p.name, p.baseUrl, p.apiKey])).toEqual([
      ["local", "http://127.0.0.1:11434/v1", null],
      ["openai", "http://proxy.local/v1", "sk-1"],
      ["router", "https://router.example/api/v1", "rk-1"],
    ]);
    expect(systemPromptFor(prompts, "llama3")).toBe("Be very brief.");
    expect(systemPromptFor(prompts, "other")).toBe("Be brief.");
  });

  test("environment variables override the file", () => {
    const cwd = dirWith({ "config.yaml": "server: { port: 9000, host: 127.0.0.1 }\nredis: { url: redis://file }\n" });
    const { config, dataDir } = loadConfig({
      env: {
        PORT: "8123",
        HOST: "::1",
        TEXTLLM_DATA_DIR: "/var/lib/textllm",
        LOG_LEVEL: "DEBUG",
        DATABASE_URL: "postgres://u:p@db/x",
        S3_ENABLED: "true",
        S3_BUCKET: "b",
        AWS_ACCESS_KEY_ID: "AKIA",
        AWS_SECRET_ACCESS_KEY: "shh",
        S3_URL_EXPIRATION: "600",
        REDIS_URL: "redis://env",
        TEXTLLM_API_KEYS: "key-aaaaaaaa=alice, key-bbbbbbbb=bob",
        TEXTLLM_ADMIN_KEY: "admin-key",
      },
      cwd,
    });
    expect(config.server).toMatchObject({ port: 8123, host: "::1" });
    expect(dataDir).toBe("/var/lib/textllm");
    expect(config.logging.level).toBe("debug");
    expect(config.database.url).toBe("postgres://u:p@db/x");
    expect(config.storage.s3).toMatchObject({ enabled: true, bucket: "b", access_key: "AKIA", secret_key: "shh", url_expiration: 600 });
    expect(config.redis.url).toBe("redis://env");
    expect(config.auth).toEqual({ api_keys: { "key-aaaaaaaa": "alice", "key-bbbbbbbb": "bob" }, admin_key: "admin-key" });
  });

  test("DATABASE_URL selects Postgres unless DATABASE_ENABLED=false keeps the embedded database", () => {
    const cwd = dirWith({});
    const pg = loadConfig({ env: { DATABASE_URL: "postgres://h/db" }, cwd });
    expect(databaseBackend(pg)).toBe("postgres");
    const off = loadConfig({ env: { DATABASE_URL: "postgres://h/db", DATABASE_ENABLED: "false" }, cwd });
    expect(databaseBackend(off)).toBe("sqlite");
    expect(databaseBackend(loadConfig({ env: {}, cwd }))).toBe("sqlite");
  });

  test("S3_* names win over their AWS_* aliases", () => {
    const { config } = loadConfig({ env: { S3_ACCESS_KEY: "s3", AWS_ACCESS_KEY_ID: "aws" }, cwd: dirWith({}) });
    expect(config.storage.s3.access_key).toBe("s3");
  });

  test("TEXTLLM_CONFIG picks the file; prompts.yaml is read beside it", () => {
    const cwd = dirWith({ "custom.yaml": "model: custom-model\n", "prompts.yaml": "system: From beside the config.\n" });
    const other = dirWith({});
    const { config, configPath, prompts } = loadConfig({ env: { TEXTLLM_CONFIG: join(cwd, "custom.yaml") }, cwd: other });
    expect(config.model).toBe("custom-model");
    expect(configPath).toBe(join(cwd, "custom.yaml"));
    expect(prompts.system).toBe("From beside the config.");
  });

  test("invalid values name the key, the value, where it came from and what is expected", () => {
    const cwd = dirWith({ "config.yaml": "rate_limit_per_minute: -3\nmax_file_size_mb: lots\nstream_responses: maybe\nlogging: { level: LOUD }\n" });
    const problems = problemsOf(() => loadConfig({ env: { PORT: "eighty" }, cwd }));
    const find = (key: string) => problems.find((p) => p.startsWith(`${key}:`)) ?? "";
    expect(find("rate_limit_per_minute")).toContain("-3");
    expect(find("rate_limit_per_minute")).toContain("config.yaml");
    expect(find("rate_limit_per_minute")).toMatch(/>= 1|≥ 1|greater/i);
    expect(find("max_file_size_mb")).toContain('"lots"');
    expect(find("stream_responses")).toContain('"maybe"');
    expect(find("logging.level")).toContain('"loud"');
    expect(find("logging.level")).toContain('"info"');
    expect(find("server.port")).toContain('"eighty"');
    expect(find("server.port")).toContain("(PORT)");
  });

  test("a misspelt key is reported instead of silently ignored", () => {
    const problems = problemsOf(() => loadConfig({ env: {}, cwd: dirWith({ "config.yaml": "rate_limt_per_minute: 5\n" }) }));
    expect(problems.join("\n")).toContain("rate_limt_per_minute: unknown key");
    expect(problems.join("\n")).toContain("did you mean 'rate_limit_per_minute'");
  });

  test("broken YAML, a non-mapping file, a missing TEXTLLM_CONFIG and a bad key list are clear errors", () => {
    expect(problemsOf(() => loadConfig({ env: {}, cwd: dirWith({ "config.yaml": "model: [unclosed\n" }) }))[0]).toContain("not valid YAML");
    expect(problemsOf(() => loadConfig({ env: {}, cwd: dirWith({ "config.yaml": "- a\n- b\n" }) }))[0]).toContain("mapping");
    expect(problemsOf(() => loadConfig({ env: { TEXTLLM_CONFIG: "/nonexistent/c.yaml" }, cwd: dirWith({}) }))[0]).toContain("TEXTLLM_CONFIG");
    const keyList = problemsOf(() => loadConfig({ env: { TEXTLLM_API_KEYS: "just-a-key" }, cwd: dirWith({}) }))[0]!;
    expect(keyList).toContain("TEXTLLM_API_KEYS");
    expect(keyList).not.toContain("just-a-key");
    expect(problemsOf(() => loadConfig({ env: {}, cwd: dirWith({ "prompts.yaml": "system: [1, 2]\n" }) }))[0]).toContain("system");
  });

  test("rules across keys: S3 needs a bucket, a model's provider must exist, provider names are unique", () => {
    expect(problemsOf(() => loadConfig({ env: { S3_ENABLED: "true" }, cwd: dirWith({}) }))[0]).toContain("S3_BUCKET");
    const cwd = dirWith({ "config.yaml": "models:\n  m: { provider: nowhere }\nproviders:\n  - { name: a }\n  - { name: a }\n" });
    const problems = problemsOf(() => loadConfig({ env: {}, cwd }));
    expect(problems.join("\n")).toContain("'a' is used twice");
    expect(problems.join("\n")).toContain('models.m.provider: "nowhere" is not valid');
  });
});

describe("public view of the configuration", () => {
  test("carries no secret: keys, passwords, S3 credentials, admin key", () => {
    const cwd = dirWith({ "config.yaml": "providers:\n  - { name: openai, api_key_env: OPENAI_API_KEY }\n" });
    const secrets = {
      OPENAI_API_KEY: "sk-secret-openai-0001",
      DATABASE_URL: "postgres://app:pg-secret-pass@db:5432/x?sslpassword=pg-ssl-secret",
      S3_ENABLED: "true",
      S3_BUCKET: "bucket",
      S3_ACCESS_KEY: "AKIA-SECRET-ID",
      S3_SECRET_KEY: "s3-secret-value",
      REDIS_URL: "redis://:redis-secret@r:6379",
      TEXTLLM_API_KEYS: "user-key-secret-1=alice",
      TEXTLLM_ADMIN_KEY: "admin-secret-key",
    };
    const view = JSON.stringify(publicConfig(loadConfig({ env: secrets, cwd }), { database: "postgres", storage: "s3", limiter: "redis" }));
    for (const s of [
      "sk-secret-openai-0001",
      "pg-secret-pass",
      "pg-ssl-secret",
      "AKIA-SECRET-ID",
      "s3-secret-value",
      "redis-secret",
      "user-key-secret-1",
      "admin-secret-key",
    ]) {
      expect(view).not.toContain(s);
    }
    expect(view).toContain('"api_key_set":true');
    expect(view).toContain('"backend":"postgres"');
  });

  test("redactUrl hides passwords and secret-looking query parameters", () => {
    expect(redactUrl("postgres://u:secret@h/db")).toBe("postgres://u:***@h/db");
    expect(redactUrl("postgres://h/db?password=x&application_name=a")).toBe("postgres://h/db?password=***&application_name=a");
    expect(redactUrl("not a url")).toBe("[unparseable url]");
  });
});
