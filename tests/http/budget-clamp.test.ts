// Near the end of a daily budget: a request whose worst case no longer fits, but a useful answer
// does, goes ahead with its max tokens lowered to what fits — said in a header and a warning —
// and the spend still never passes the limit. On the in-process ledger and on Redis.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { errorOf, type TestApp } from "../support/app.ts";
import { startHarness, type Harness } from "../support/harness.ts";
import type { MockUpstream } from "../support/mock-upstream.ts";
import { readSse } from "../support/sse.ts";
import { REDIS_SKIP, testRedisUrl } from "../support/redis.ts";
import { newId } from "../../src/lib/ids.ts";

/** Explicit: under a full parallel suite these start processes or wait out upstream retries. */
const TIMEOUT_MS = 60_000;

const LEDGERS: Array<{ name: string; env: () => Promise<Record<string, string>>; skip: boolean }> = [
  { name: "in-process ledger", env: async () => ({}), skip: false },
  { name: `Redis ledger${REDIS_SKIP ? ` (skipped: ${REDIS_SKIP})` : ""}`, env: async () => ({ REDIS_URL: await testRedisUrl() }), skip: REDIS_SKIP !== null },
];

// Round prices: 1 µ$ per prompt token, 10 µ$ per answer token. $0.01 a day = 10,000 µ$, so a
// request with the default 4,096 tokens of answer room (≥ 40,960 µ$) never fits whole.
const CONFIG = {
  model: "round",
  rate_limit_per_minute: 100_000,
  cost_limit_per_session: 0.01,
  warn_at_cost: 0,
  models: { round: { pricing: { input_per_1k: 0.001, output_per_1k: 0.01 } } },
};
const LIMIT_MICROS = 10_000;

for (const ledger of LEDGERS) {
  describe.skipIf(ledger.skip)(`budget clamp: ${ledger.name}`, () => {
    let mock: MockUpstream;
    let t: TestApp;
    let base: string;
    let harness: Harness;
    beforeAll(async () => {
      harness = await startHarness({ config: CONFIG, env: await ledger.env() });
      ({ mock, app: t } = harness);
      base = t.listen();
    });
    afterAll(() => harness?.close());
    beforeEach(() => mock.reset());

    const chat = (body: Record<string, unknown>) =>
      fetch(`${base}/chat`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const spentBy = async (user: string) => (await t.deps.store.usage.listByUser(user, 100)).reduce((n, r) => n + r.cost, 0);

    test(
      "/chat without max_tokens: lowered to what fits, said in a header and the warning field",
      async () => {
        const user = newId("user");
        const res = await chat({ message: "a long answer, please", user_id: user });
        expect(res.status).toBe(200);
        const clamped = Number(res.headers.get("x-textllm-max-tokens-clamped"));
        expect(clamped).toBeGreaterThanOrEqual(256);
        expect(clamped).toBeLessThan(1000); // 10,000 µ$ at 10 µ$ per answer token, less the prompt
        // The mock is not OpenAI: the field every OpenAI-compatible server reads.
        expect(mock.requests[0]!.body.max_tokens).toBe(clamped);
        const body = (await res.json()) as { warning: string };
        expect(body.warning).toContain(`lowered from 4096 to ${clamped}`);
      },
      TIMEOUT_MS,
    );

    test(
      "a client's max_completion_tokens is the field lowered (official SDK, streamed)",
      async () => {
        const user = newId("user");
        const sdk = new OpenAI({ baseURL: `${base}/v1`, apiKey: "unused", maxRetries: 0 });
        const { data: stream, response } = await sdk.chat.completions
          .create({ model: "round", messages: [{ role: "user", content: "hi" }], max_completion_tokens: 2000, user, stream: true })
          .withResponse();
        for await (const _ of stream) {
          // drain
        }
        const clamped = Number(response.headers.get("x-textllm-max-tokens-clamped"));
        expect(clamped).toBeGreaterThanOrEqual(256);
        expect(clamped).toBeLessThan(1000);
        expect(mock.requests[0]!.body.max_completion_tokens).toBe(clamped);
        expect(mock.requests[0]!.body.max_tokens).toBeUndefined();
      },
      TIMEOUT_MS,
    );

    test(
      "a request that fits whole is not touched",
      async () => {
        const res = await chat({ message: "short", user_id: newId("user"), max_tokens: 300 });
        expect(res.status).toBe(200);
        expect(res.headers.get("x-textllm-max-tokens-clamped")).toBeNull();
        expect(mock.requests[0]!.body.max_tokens).toBe(300);
        expect(((await res.json()) as { warning?: string }).warning).toBeUndefined();
      },
      TIMEOUT_MS,
    );

    test(
      "when not even min_answer_tokens fit, a 402 before the upstream",
      async () => {
        const user = newId("user");
        const now = new Date();
        // 2,000 µ$ left: under 200 answer tokens.
        await t.deps.store.sessions.record(user, now.toISOString().slice(0, 10), newId("sess"), {
          tokens_input: 0,
          tokens_output: 0,
          cost: LIMIT_MICROS - 2000,
          requests: 1,
          conversations: 0,
          now: now.toISOString(),
        });
        const res = await chat({ message: "anything", user_id: user });
        expect(res.status).toBe(402);
        const e = await errorOf(res);
        expect(e).toMatchObject({ type: "insufficient_quota", code: "budget_exceeded" });
        expect(e.message).toContain("256 answer tokens");
        expect(mock.requests.length).toBe(0);
      },
      TIMEOUT_MS,
    );

    test(
      "answers that use all the room they get, all at once: the spend never passes the limit",
      async () => {
        const user = newId("user");
        mock.setDefault({ kind: "reply", fillMaxTokens: true, delayMs: 300 });
        const results = await Promise.all(Array.from({ length: 6 }, (_, i) => chat({ message: `all at once ${i}`, user_id: user, stream: i % 2 === 1 })));
        const statuses = results.map((r) => r.status);
        for (const r of results) if (r.status === 200 && r.headers.get("content-type")?.includes("event-stream")) await readSse(r);
        expect(statuses.every((s) => s === 200 || s === 402)).toBe(true);
        expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
        // Every answer used its whole (lowered) room, which the mock counts as tokens.
        expect(mock.requests.every((r) => Number(r.body.max_tokens) < 4096)).toBe(true);
        expect(await spentBy(user)).toBeGreaterThan(LIMIT_MICROS / 2);
        expect(await spentBy(user)).toBeLessThanOrEqual(LIMIT_MICROS);
      },
      TIMEOUT_MS,
    );
  });
}

test(
  "min_answer_tokens is configurable",
  async () => {
    const { mock, app: t, close } = await startHarness({ config: { ...CONFIG, min_answer_tokens: 2000 } });
    try {
      const res = await t.request("POST", "/chat", { body: { message: "hello", user_id: newId("user") } });
      expect(res.status).toBe(402);
      expect((await errorOf(res)).message).toContain("2000 answer tokens");
      expect(mock.requests.length).toBe(0);
    } finally {
      await close();
    }
  },
  TIMEOUT_MS,
);
