// Budget reservations in Redis follow their request: a lease renewed while the request runs, so
// a reservation whose release never arrives — here because Redis restarted (with persistence)
// while the request finished — lapses within a minute instead of blocking the user's budget.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { errorOf, type TestApp } from "../support/app.ts";
import type { MockUpstream } from "../support/mock-upstream.ts";
import { startHarness, type Harness } from "../support/harness.ts";
import { REDIS_SERVER, startPrivateRedis, type PrivateRedis } from "../support/private-redis.ts";
import { startTcpProxy } from "../support/tcp-proxy.ts";
import { waitFor } from "../support/temp.ts";
import { LEASE_MS, redisLedger } from "../../src/budget/ledger.ts";
import { connectRedis } from "../../src/lib/redis.ts";
import { newId } from "../../src/lib/ids.ts";

const skip = REDIS_SERVER ? "" : " (skipped: redis-server is not installed)";

describe.skipIf(!REDIS_SERVER)(`budget reservations in a Redis that restarts${skip}`, () => {
  let redis: PrivateRedis;
  let mock: MockUpstream;
  let t: TestApp;
  let harness: Harness;
  beforeAll(async () => {
    redis = await startPrivateRedis();
    // With max_tokens 100 a request's worst case is ~$0.0015: one fits in this budget, two do not.
    harness = await startHarness({ config: { cost_limit_per_session: 0.0025 }, env: { REDIS_URL: redis.url } });
    ({ mock, app: t } = harness);
  }, 30_000);
  afterAll(async () => {
    await harness?.close();
    await redis?.stop();
  });

  /** Each reservation of `user` with how long it has left, by the Redis server's clock. */
  async function leases(user: string): Promise<{ keyTtlMs: number; leftMs: number[] }> {
    const client = redis.client();
    try {
      const [key] = (await client.send("KEYS", [`textllm:budget:${user}:*`])) as string[];
      if (!key) return { keyTtlMs: -2, leftMs: [] };
      const [seconds, micros] = (await client.send("TIME", [])) as [string, string];
      const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
      const type = await client.send("TYPE", [key]);
      const scored = type === "zset" ? ((await client.send("ZRANGE", [key, "0", "-1", "WITHSCORES"])) as Array<[string, number]> | string[]) : [];
      const scores = scored
        .flat()
        .filter((_, i) => i % 2 === 1)
        .map(Number);
      return { keyTtlMs: Number(await client.send("PTTL", [key])), leftMs: scores.map((s) => s - now) };
    } finally {
      client.close();
    }
  }

  const chat = (user: string) => t.request("POST", "/chat", { body: { message: "spend", user_id: user, max_tokens: 100 } });

  test("a reservation stranded by a restart lapses within a minute; a running request keeps its own", async () => {
    const user = newId("user");
    mock.setDefault({ kind: "reply", delayMs: 1500 });
    const seen = mock.requests.length;
    const pending = chat(user);
    try {
      await waitFor(() => (mock.requests.length > seen ? true : undefined), "the upstream call");
      // While the request runs: its reservation is there, on a short lease, and it refuses a second.
      const held = await leases(user);
      expect(held.leftMs.length).toBe(1);
      expect(held.leftMs[0]!).toBeLessThanOrEqual(LEASE_MS);
      const refused = await chat(user);
      expect(refused.status).toBe(402);
      expect((await errorOf(refused)).code).toBe("budget_exceeded");
      // Redis goes away before the request settles: its release cannot arrive.
      await redis.kill();
      expect((await pending).status).toBe(200);
    } finally {
      mock.setDefault({ kind: "reply" });
    }
    await redis.start();
    const stranded = await leases(user);
    expect(stranded.leftMs.length).toBe(1); // restored from the append-only file
    expect(stranded.leftMs[0]!).toBeLessThanOrEqual(60_000);
    expect(stranded.keyTtlMs).toBeGreaterThan(0);
    expect(stranded.keyTtlMs).toBeLessThanOrEqual(60_000);
  }, 30_000);
});

describe.skipIf(!REDIS_SERVER)(`a reservation's lease${skip}`, () => {
  let redis: PrivateRedis;
  beforeAll(async () => {
    redis = await startPrivateRedis();
  }, 30_000);
  afterAll(async () => redis?.stop());

  test("is renewed while its request runs, and lapses once nothing renews it", async () => {
    const proxy = startTcpProxy("127.0.0.1", redis.port);
    const direct = connectRedis(redis.url);
    const viaProxy = connectRedis(`redis://127.0.0.1:${proxy.port}`);
    try {
      const lease = { leaseMs: 1500, renewEveryMs: 200 };
      const running = redisLedger(viaProxy, lease);
      const other = redisLedger(direct, lease);
      const key = newId("user");
      const hold = await running.reserve(key, { amount: 60, minimum: 60, limit: 100, spent: 0 });
      expect(hold).not.toBeNull();
      // Longer than a lease: only the renewals keep it.
      await Bun.sleep(2 * lease.leaseMs);
      expect(await other.reserve(key, { amount: 60, minimum: 60, limit: 100, spent: 0 })).toBeNull();
      // Its holder loses Redis (no renewal, no release): the reservation lapses by itself.
      proxy.cut();
      await hold!.release().catch(() => undefined);
      const next = await waitFor(async () => (await other.reserve(key, { amount: 60, minimum: 60, limit: 100, spent: 0 })) ?? undefined, "the lease to lapse");
      await next.release();
    } finally {
      direct.close();
      viaProxy.close();
      proxy.stop();
    }
  }, 30_000);
});
