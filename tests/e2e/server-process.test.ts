// The server as a user starts it: a real process, a real port, a fresh directory.
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SQL } from "bun";
import { startServer, run, type RunningServer } from "../support/server-process.ts";
import { fileCleanups, waitFor } from "../support/temp.ts";
import { createTempDatabase, POSTGRES_SKIP } from "../support/postgres.ts";
import { proxyDatabase } from "../support/tcp-proxy.ts";

const MAIN = join(import.meta.dir, "../../src/main.ts");
const SOURCE = [process.execPath, MAIN];
setDefaultTimeout(60_000); // each test starts processes; a busy machine makes that slow

const { cleanups, scratch } = fileCleanups();

async function started(cmd: string[], cwd: string, env: Record<string, string> = {}): Promise<RunningServer> {
  const s = await startServer(cmd, { cwd, env });
  cleanups.push(() => s.stop("SIGKILL"));
  return s;
}

describe("textllm from source", () => {
  test("starts with no configuration at all, creates its SQLite database, stops cleanly on SIGTERM", async () => {
    const cwd = scratch();
    const s = await started(SOURCE, cwd);
    const res = await fetch(`${s.url}/health/live`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "alive" });
    expect(existsSync(join(cwd, "data", "textllm.db"))).toBe(true);
    expect(s.lines.some((l) => l.includes('"level":"warn"') && l.includes("OPEN MODE"))).toBe(true);
    expect(await s.stop("SIGTERM")).toBe(0);
  });

  test("with API keys configured it does not warn about open mode", async () => {
    const s = await started(SOURCE, scratch(), { TEXTLLM_API_KEYS: "key-12345678=alice" });
    expect((await fetch(`${s.url}/health/live`)).status).toBe(200);
    expect((await fetch(`${s.url}/config`)).status).toBe(401);
    expect(s.lines.some((l) => l.includes("OPEN MODE"))).toBe(false);
  });

  test("reads .env from the working directory and TEXTLLM_CONFIG for the config file", async () => {
    const cwd = scratch();
    const confDir = scratch();
    writeFileSync(join(confDir, "my.yaml"), "model: from-config-file\nrate_limit_per_minute: 7\n");
    writeFileSync(join(cwd, ".env"), `TEXTLLM_DATA_DIR=./from-dotenv\nTEXTLLM_CONFIG=${join(confDir, "my.yaml")}\n`);
    const s = await started(SOURCE, cwd);
    const config = (await (await fetch(`${s.url}/config`)).json()) as { config: { model: string; rate_limit_per_minute: number } };
    expect(config.config).toMatchObject({ model: "from-config-file", rate_limit_per_minute: 7 });
    expect(existsSync(join(cwd, "from-dotenv", "textllm.db"))).toBe(true);
  });

  test("secrets from the environment appear neither in logs nor in any answer", async () => {
    const secrets = {
      OPENAI_API_KEY: "sk-log-secret-1",
      TEXTLLM_ADMIN_KEY: "admin-log-secret-2",
      S3_SECRET_KEY: "s3-log-secret-3",
      TEXTLLM_API_KEYS: "user-log-secret-4=alice",
    };
    const s = await started(SOURCE, scratch(), { ...secrets, LOG_LEVEL: "debug" });
    const answers = await Promise.all(
      ["/", "/config", "/health", "/missing", "/openapi.json"].map(async (p) =>
        (await fetch(`${s.url}${p}`, { headers: { authorization: "Bearer sk-log-secret-1" } })).text(),
      ),
    );
    await s.stop("SIGTERM");
    const everything = [...s.lines, ...answers].join("\n");
    expect(s.lines.length).toBeGreaterThan(0);
    for (const secret of Object.values(secrets)) expect(everything).not.toContain(secret.split("=")[0]!);
  });

  test("invalid configuration stops start-up with a message naming key, value and source", async () => {
    const cwd = scratch();
    writeFileSync(join(cwd, "config.yaml"), "max_file_size_mb: -1\n");
    const { code, stderr } = await run(SOURCE, { cwd, env: { PORT: "not-a-port" } });
    expect(code).toBe(78);
    expect(stderr).toContain("max_file_size_mb: -1 is not valid");
    expect(stderr).toContain('server.port: "not-a-port" is not valid (PORT)');
    expect(stderr).not.toContain("    at "); // no stack trace
  });

  test("migrate, --version, --help and an unknown command", async () => {
    const cwd = scratch();
    const migrated = await run([...SOURCE, "migrate"], { cwd });
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).toContain("migrations applied");
    expect(existsSync(join(cwd, "data", "textllm.db"))).toBe(true);

    const version = await run([...SOURCE, "--version"], { cwd });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = await run([...SOURCE, "--help"], { cwd });
    expect(help.stdout).toContain("textllm migrate");
    expect(help.stdout).toContain("TEXTLLM_DATA_DIR");
    const bad = await run([...SOURCE, "frobnicate"], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("unknown command 'frobnicate'");
  });
});

describe.skipIf(POSTGRES_SKIP !== null)(`textllm on Postgres${POSTGRES_SKIP ? ` (skipped: ${POSTGRES_SKIP})` : ""}`, () => {
  test("creates its tables in an empty database; readiness follows the database's reachability", async () => {
    const db = await createTempDatabase();
    cleanups.push(() => db.drop());
    const { proxy, url: viaProxy } = proxyDatabase(db.url);
    cleanups.push(() => proxy.stop());

    const s = await started(SOURCE, scratch(), { DATABASE_URL: viaProxy });
    const direct = new SQL(db.url, { max: 1 });
    const tables = (await direct`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`).map(
      (r: { table_name: string }) => r.table_name,
    );
    await direct.close();
    expect(tables).toEqual(["conversations", "files", "idempotency_keys", "messages", "responses", "sessions", "usage_records"]);

    const ready = await fetch(`${s.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: "ready", checks: { database: { backend: "postgres", status: "healthy" } } });

    proxy.cut();
    const down = await waitFor(async () => {
      const r = await fetch(`${s.url}/health/ready`);
      return r.status === 503 ? r : undefined;
    }, "readiness to turn 503");
    expect(await down.json()).toMatchObject({ status: "not_ready", checks: { database: { status: "unhealthy" } } });
    const health = await fetch(`${s.url}/health`);
    expect(health.status).toBe(503);
    expect(((await health.json()) as { status: string }).status).toBe("unhealthy");
    expect((await fetch(`${s.url}/health/live`)).status).toBe(200);

    proxy.restore();
    await waitFor(async () => ((await fetch(`${s.url}/health/ready`)).status === 200 ? true : undefined), "readiness to recover");
  }, 60_000);
});
