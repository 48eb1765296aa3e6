// Two server processes on one Redis agree on a deployment's circuit: failures seen by one open it
// for both, and the other then keeps off it without having seen a failure itself.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { startServer, type RunningServer } from "../support/server-process.ts";
import { startMockUpstream, type MockUpstream } from "../support/mock-upstream.ts";
import { tempDir } from "../support/temp.ts";
import { REDIS_SKIP, testRedisUrl } from "../support/redis.ts";

const MAIN = join(import.meta.dir, "../../src/main.ts");

describe.skipIf(REDIS_SKIP !== null)(`two server processes share circuit states in Redis${REDIS_SKIP ? ` (skipped: ${REDIS_SKIP})` : ""}`, () => {
  let a: MockUpstream;
  let b: MockUpstream;
  const servers: RunningServer[] = [];
  const dir = tempDir();
  // Circuit states outlive a run in the shared Redis: a fresh upstream name per run starts closed.
  const upstream = `flaky-${crypto.randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    [a, b] = [startMockUpstream(), startMockUpstream()];
    writeFileSync(
      join(dir.path, "config.yaml"),
      stringify({
        model: "flaky",
        rate_limit_per_minute: 100000,
        routing: { failure_threshold: 2, cooldown_seconds: 600 },
        models: {
          flaky: {
            deployments: [
              { provider: "a", upstream_model: upstream, weight: 1 },
              { provider: "b", upstream_model: upstream, weight: 0 },
            ],
          },
        },
        providers: [
          { name: "a", base_url: a.baseUrl, models: [] },
          { name: "b", base_url: b.baseUrl, models: [] },
        ],
      }),
    );
    const redisUrl = await testRedisUrl();
    for (const name of ["one", "two"]) {
      servers.push(
        await startServer([process.execPath, MAIN], { cwd: dir.path, env: { TEXTLLM_DATA_DIR: join(dir.path, `data-${name}`), REDIS_URL: redisUrl } }),
      );
    }
  }, 30_000);
  afterAll(async () => {
    for (const s of servers) await s.stop("SIGKILL");
    await a.stop();
    await b.stop();
    dir.cleanup();
  });

  const ask = (server: RunningServer) =>
    fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "flaky", messages: [{ role: "user", content: "hi" }] }),
    });
  const stateOn = async (server: RunningServer, provider: string) => {
    const health = (await (await fetch(`${server.url}/health`)).json()) as {
      checks: { openai_api: { deployments: Array<{ provider: string; state: string }> } };
    };
    return health.checks.openai_api.deployments.find((d) => d.provider === provider)?.state;
  };

  test("failures seen by one replica open the circuit for the other", async () => {
    const [one, two] = [servers[0]!, servers[1]!];
    expect(await stateOn(two, "a")).toBe("closed");
    a.setDefault({ kind: "error", status: 500 });
    for (let i = 0; i < 2; i++) {
      const res = await ask(one);
      expect(res.status).toBe(200);
      expect(res.headers.get("x-textllm-provider")).toBe("b");
    }
    expect(a.requests.length).toBe(2);
    expect(await stateOn(two, "a")).toBe("open");
    const res = await ask(two);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-textllm-provider")).toBe("b");
    expect(a.requests.length).toBe(2); // server two never tried the open deployment
  });
});
