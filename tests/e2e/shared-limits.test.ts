// Several replicas behind one Redis: one rate limit and one budget ledger for all of them; and
// what a replica does while Redis is unreachable (redis.on_error).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RunningServer } from "../support/server-process.ts";
import { startMockUpstream, type MockUpstream } from "../support/mock-upstream.ts";
import { startTestApp, errorOf } from "../support/app.ts";
import { startHarness, startProcessHarness, type ProcessHarness } from "../support/harness.ts";
import { tempDir } from "../support/temp.ts";
import { REDIS_SKIP, testRedisUrl } from "../support/redis.ts";
import { newId } from "../../src/lib/ids.ts";

let mock: MockUpstream;
beforeAll(() => {
  mock = startMockUpstream();
});
afterAll(() => mock.stop());

describe.skipIf(REDIS_SKIP !== null)(`two server processes on one Redis${REDIS_SKIP ? ` (skipped: ${REDIS_SKIP})` : ""}`, () => {
  const harnesses: ProcessHarness[] = [];
  const servers: RunningServer[] = [];
  const dir = tempDir();
  beforeAll(async () => {
    writeFileSync(join(dir.path, "config.yaml"), "rate_limit_per_minute: 5\ncost_limit_per_session: 0.002\n");
    const redisUrl = await testRedisUrl();
    for (const name of ["a", "b"]) {
      harnesses.push(await startProcessHarness({ mock, cwd: dir.path, env: { TEXTLLM_DATA_DIR: join(dir.path, `data-${name}`), REDIS_URL: redisUrl } }));
      servers.push(harnesses.at(-1)!.server);
    }
  }, 30_000);
  afterAll(async () => {
    for (const harness of harnesses) await harness.close();
    dir.cleanup();
  });

  const chat = (server: RunningServer, body: unknown) =>
    fetch(`${server.url}/chat`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

  test("share a single budget of requests", async () => {
    const user = newId("user");
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await chat(servers[i % 2]!, { message: `req ${i}`, user_id: user, max_tokens: 1 })).status);
    expect(statuses.filter((s) => s === 200).length).toBe(5);
    expect(statuses.filter((s) => s === 429).length).toBe(7);
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
  });

  test("share one budget ledger: concurrent requests on both replicas cannot overshoot", async () => {
    const user = newId("user");
    mock.setDefault({ kind: "reply", delayMs: 1000 }); // wide enough that all four overlap even on a busy machine
    try {
      // Each request may cost up to ~$0.0011 (100 answer tokens): under $0.002 only one fits at a time.
      const results = await Promise.all(
        Array.from({ length: 4 }, (_, i) => chat(servers[i % 2]!, { message: "together", user_id: `${user}`, max_tokens: 100 })),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 200).length).toBe(1);
      expect(statuses.filter((s) => s === 402).length).toBe(3);
    } finally {
      mock.setDefault({ kind: "reply" });
    }
  });
});

describe("while Redis is unreachable", () => {
  const deadRedis = "redis://127.0.0.1:1";

  test("on_error: open lets requests through and logs a warning", async () => {
    const lines: string[] = [];
    const { app: t } = await startHarness({ mock, config: { redis: { on_error: "open" } }, env: { REDIS_URL: deadRedis }, logLines: lines });
    try {
      const res = await t.request("POST", "/chat", { body: { message: "still served", user_id: newId("user") } });
      expect(res.status).toBe(200);
      expect(res.headers.get("x-ratelimit-limit-requests")).toBe("10");
      expect(lines.some((l) => l.includes("Redis unreachable") && l.includes("on_error: open"))).toBe(true);
    } finally {
      await t.close();
    }
  });

  test("a wrong REDIS_URL shows: in the start-up line, in /health, and (on_error: closed) in readiness", async () => {
    const dir = tempDir();
    try {
      const env = { REDIS_URL: deadRedis };
      const { server: open } = await startProcessHarness({ mock, cwd: dir.path, env });
      try {
        const started = JSON.parse(open.lines.find((l) => l.includes("textllm listening"))!) as Record<string, string>;
        expect(started.database).toStartWith("sqlite");
        expect(started.files).toStartWith("local");
        expect(started.limits).toContain("redis://127.0.0.1:1");
        const health = await fetch(`${open.url}/health`);
        const body = (await health.json()) as { status: string; checks: Record<string, { status: string; on_error?: string }> };
        expect(body.status).toBe("degraded");
        expect(body.checks.redis).toMatchObject({ status: "unhealthy", on_error: "open" });
        // Under on_error: open chat is still served, so the server stays ready.
        expect((await fetch(`${open.url}/health/ready`)).status).toBe(200);
      } finally {
        await open.stop("SIGKILL");
      }
      const closedDir = join(dir.path, "closed");
      mkdirSync(closedDir);
      writeFileSync(join(closedDir, "config.yaml"), "redis:\n  on_error: closed\n");
      const { server: closed } = await startProcessHarness({ mock, cwd: closedDir, env });
      try {
        const ready = await fetch(`${closed.url}/health/ready`);
        expect(ready.status).toBe(503);
        expect(await ready.json()).toMatchObject({ status: "not_ready", checks: { redis: { status: "unhealthy", on_error: "closed" } } });
      } finally {
        await closed.stop("SIGKILL");
      }
    } finally {
      dir.cleanup();
    }
  }, 30_000);

  test("on_error: closed refuses chat with a 503 and no upstream call; reads still work", async () => {
    const { app: t } = await startHarness({ mock, config: { redis: { on_error: "closed" } }, env: { REDIS_URL: deadRedis } });
    try {
      const before = mock.requests.length;
      const res = await t.request("POST", "/chat", { body: { message: "refused", user_id: newId("user") } });
      expect(res.status).toBe(503);
      expect((await errorOf(res)).code).toBe("redis_unavailable");
      expect(mock.requests.length).toBe(before);
      expect((await t.request("GET", "/conversations?user_id=x")).status).toBe(200);
    } finally {
      await t.close();
    }
  });
});

describe.skipIf(REDIS_SKIP !== null)(`/health with a reachable Redis${REDIS_SKIP ? ` (skipped: ${REDIS_SKIP})` : ""}`, () => {
  test("names Redis as a healthy check; without REDIS_URL there is no redis check", async () => {
    const withRedis = await startTestApp({ env: { REDIS_URL: await testRedisUrl() } });
    const without = await startTestApp();
    try {
      const body = (await (await withRedis.request("GET", "/health")).json()) as { checks: Record<string, { status: string }> };
      expect(body.checks.redis).toMatchObject({ status: "healthy", on_error: "open" });
      expect(await (await withRedis.request("GET", "/health/ready")).json()).toMatchObject({ status: "ready", checks: { redis: { status: "healthy" } } });
      const plain = (await (await without.request("GET", "/health")).json()) as { checks: Record<string, unknown> };
      expect(plain.checks.redis).toBeUndefined();
    } finally {
      await withRedis.close();
      await without.close();
    }
  });
});
