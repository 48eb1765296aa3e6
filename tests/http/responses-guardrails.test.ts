// What /chat has applies to /v1/responses: API keys and isolation (another user's response is a
// 404), the rate limit (typed 429), the budget, and store: false keeping nothing but the meter.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import type { TestApp } from "../support/app.ts";
import { startMockUpstream, type MockUpstream } from "../support/mock-upstream.ts";
import { startHarness } from "../support/harness.ts";

let mock: MockUpstream;
beforeAll(() => {
  mock = startMockUpstream();
});
afterAll(async () => {
  await mock?.stop();
});

/** The key this file's apps send upstream. */
const upstreamKey = "sk-upstream";
const client = (base: string, apiKey: string) => new OpenAI({ baseURL: `${base}/v1`, apiKey, maxRetries: 0 });

describe("with API keys", () => {
  let t: TestApp;
  let alice: OpenAI;
  let bob: OpenAI;
  let base: string;
  beforeAll(async () => {
    t = (
      await startHarness({ mock, upstreamKey, config: { rate_limit_per_minute: 1000 }, env: { TEXTLLM_API_KEYS: "key-alice-0001=alice,key-bob-00002=bob" } })
    ).app;
    base = t.listen();
    alice = client(base, "key-alice-0001");
    bob = client(base, "key-bob-00002");
  });
  afterAll(async () => {
    await t?.close();
  });

  test("a wrong key is a typed 401; a response belongs to its key's user, others get 404", async () => {
    expect(
      await client(base, "nope")
        .responses.create({ model: "gpt-4o", input: "x" })
        .catch((e) => e),
    ).toBeInstanceOf(OpenAI.AuthenticationError);
    const mine = await alice.responses.create({ model: "gpt-4o", input: "alice's secret", user: "someone-else" });
    const [record] = await t.deps.store.usage.listByUser("alice", 1);
    expect(record).toMatchObject({ route: "/v1/responses", status: 200 });

    expect(await bob.responses.retrieve(mine.id).catch((e) => e)).toBeInstanceOf(OpenAI.NotFoundError);
    expect(await bob.responses.inputItems.list(mine.id).catch((e) => e)).toBeInstanceOf(OpenAI.NotFoundError);
    expect(await bob.responses.delete(mine.id).catch((e) => e)).toBeInstanceOf(OpenAI.NotFoundError);
    const chained = await bob.responses.create({ model: "gpt-4o", input: "tell me", previous_response_id: mine.id }).catch((e) => e);
    expect(chained).toBeInstanceOf(OpenAI.BadRequestError);
    expect(chained.code).toBe("previous_response_not_found");
    const conversationId = (await t.deps.store.responses.get(mine.id))!.conversation_id;
    const viaConversation = await bob.responses.create({ model: "gpt-4o", input: "tell me", conversation: conversationId }).catch((e) => e);
    expect(viaConversation).toBeInstanceOf(OpenAI.NotFoundError);
    expect((await alice.responses.retrieve(mine.id)).id).toBe(mine.id);
  });
});

describe("rate limit and store: false", () => {
  let t: TestApp;
  let sdk: OpenAI;
  beforeAll(async () => {
    ({ app: t } = await startHarness({
      mock,
      upstreamKey,
      config: {
        rate_limit_per_minute: 3,
        rate_limit_burst: 3,
        cost_limit_per_session: 1,
        models: { "gpt-4o": { pricing: { input_per_1k: 0.0025, output_per_1k: 0.01 } } },
      },
    }));
    sdk = client(t.listen(), "unused");
  });
  afterAll(async () => {
    await t?.close();
  });

  test("store: false answers, meters the call, and keeps neither the response nor the turn", async () => {
    const { data: r, response: raw } = await sdk.responses.create({ model: "gpt-4o", input: "forget me", store: false, user: "forgetful" }).withResponse();
    expect(r).toMatchObject({ status: "completed", store: false });
    expect(r.output_text).toBe("Echo: forget me");
    expect(raw.headers.get("x-conversation-id")).toBeNull();
    expect(raw.headers.get("x-budget-remaining-usd")).not.toBeNull();
    expect(await sdk.responses.retrieve(r.id).catch((e) => e)).toBeInstanceOf(OpenAI.NotFoundError);
    const [record] = await t.deps.store.usage.listByUser("forgetful", 1);
    expect(record).toMatchObject({ route: "/v1/responses", status: 200, conversation_id: null });
    expect(record!.cost).toBeGreaterThan(0);
    expect(await t.deps.store.conversations.countByUser("forgetful")).toBe(0);
  });

  test("past the rate limit: a typed 429 with Retry-After", async () => {
    let refused: unknown = null;
    for (let i = 0; i < 5 && !refused; i++) {
      refused = await sdk.responses.create({ model: "gpt-4o", input: `burst ${i}`, user: "bursty" }).then(
        () => null,
        (e) => e,
      );
    }
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    expect((refused as InstanceType<typeof OpenAI.RateLimitError>).headers?.get("retry-after")).toMatch(/^\d+$/);
  });
});

describe("budget", () => {
  let t: TestApp;
  let sdk: OpenAI;
  beforeAll(async () => {
    ({ app: t } = await startHarness({
      mock,
      upstreamKey,
      config: {
        rate_limit_per_minute: 1000,
        cost_limit_per_session: 0.0001,
        models: {
          "gpt-4o": { pricing: { input_per_1k: 1, output_per_1k: 1 } },
          "text-embedding-3-small": { provider: "openai", pricing: { input_per_1k: 1, output_per_1k: 0 } },
        },
      },
    }));
    sdk = client(t.listen(), "unused");
  });
  afterAll(async () => {
    await t?.close();
  });

  test("a response or embedding whose worst case does not fit the day's budget is a 402, before the upstream", async () => {
    mock.reset();
    for (const call of [
      () => sdk.responses.create({ model: "gpt-4o", input: "too dear", user: "thrifty" }),
      () => sdk.responses.create({ model: "gpt-4o", input: "too dear", user: "thrifty", stream: true }),
      () => sdk.embeddings.create({ model: "text-embedding-3-small", input: "x".repeat(200), user: "thrifty" }),
    ]) {
      const err = await call().catch((e) => e);
      expect(err).toBeInstanceOf(OpenAI.APIError);
      expect(err.status).toBe(402);
      expect(err.code).toBe("budget_exceeded");
    }
    expect(mock.requests.length).toBe(0);
  });
});
