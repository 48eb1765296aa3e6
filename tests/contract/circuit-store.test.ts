// One contract for both circuit stores: transitions apply atomically, also when two clients (two
// replicas) report at once, and a state reads back the same from every client.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connectRedis, type SharedRedis } from "../../src/lib/redis.ts";
import { memoryCircuitStore, type CircuitStore } from "../../src/providers/circuit-store.ts";
import { redisCircuitStore } from "../../src/providers/circuit-store-redis.ts";
import { deploymentHealth, type DeploymentHealth } from "../../src/providers/deployment-health.ts";
import { REDIS_SKIP, testRedisUrl } from "../support/redis.ts";

const rules = { failures: 8, windowMs: 60_000, cooldownMs: 60_000 };

interface Backend {
  name: string;
  skip: string | null;
  /** Two clients of one store (two replicas for Redis). */
  open(): Promise<{ stores: [CircuitStore, CircuitStore]; close(): void }>;
}

const BACKENDS: Backend[] = [
  {
    name: "memory",
    skip: null,
    async open() {
      const store = memoryCircuitStore();
      return { stores: [store, store], close: () => {} };
    },
  },
  {
    name: "redis",
    skip: REDIS_SKIP,
    async open() {
      const url = await testRedisUrl();
      const clients: SharedRedis[] = [connectRedis(url), connectRedis(url)];
      const prefix = `textllm:test-circuit:${crypto.randomUUID()}:`;
      const stores = clients.map((c) => redisCircuitStore(c, { ttlMs: 120_000, prefix })) as [CircuitStore, CircuitStore];
      return { stores, close: () => clients.forEach((c) => c.close()) };
    },
  },
];

for (const backend of BACKENDS) {
  describe.skipIf(backend.skip !== null)(`circuit store contract: ${backend.name}${backend.skip ? ` (skipped: ${backend.skip})` : ""}`, () => {
    let one: DeploymentHealth;
    let two: DeploymentHealth;
    let close = () => {};
    beforeAll(async () => {
      const opened = await backend.open();
      close = opened.close;
      const fail = (err: unknown) => {
        throw err;
      };
      // A store error would be swallowed (counted as closed): surface it here instead.
      one = deploymentHealth(opened.stores[0], rules, fail);
      two = deploymentHealth(opened.stores[1], rules, fail);
    });
    afterAll(() => close());

    test("failures reported at once by two clients all count: the eighth opens the circuit for both", async () => {
      await Promise.all(Array.from({ length: 7 }, (_, i) => (i % 2 ? one : two).report("dep-a", "failure")));
      expect(await one.statuses(["dep-a"])).toEqual(["closed"]);
      await two.report("dep-a", "failure");
      expect(await one.statuses(["dep-a"])).toEqual(["open"]);
      expect(await two.acquire("dep-a")).toBe(false);
    });

    test("closed and unknown deployments read as closed; a success closes nothing that is closed", async () => {
      await one.report("dep-b", "success");
      expect(await two.statuses(["dep-b", "never-seen"])).toEqual(["closed", "closed"]);
      expect(await one.acquire("dep-b")).toBe(true);
    });
  });
}
