// What keeps a shared deployment safe and fair: rate limits, API keys and user isolation,
// budgets, input limits and CORS.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { errorOf, startTestApp, type TestApp } from "../support/app.ts";
import { startMockUpstream, type MockUpstream } from "../support/mock-upstream.ts";
import { startHarness } from "../support/harness.ts";
import { readSse } from "../support/sse.ts";
import { newId } from "../../src/lib/ids.ts";

let mock: MockUpstream;
beforeAll(() => {
  mock = startMockUpstream();
});
afterAll(() => mock.stop());
beforeEach(() => mock.reset());

const json = async (res: Response) => (await res.json()) as Record<string, any>;

describe("rate limiting (in-process)", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = (await startHarness({ mock, config: { rate_limit_per_minute: 5 } })).app;
  });
  afterAll(() => t.close());

  test("the sixth request in a minute gets a 429 with its headers, while another user is still served", async () => {
    const user = newId("user");
    for (let i = 1; i <= 5; i++) {
      const res = await t.request("POST", "/chat", { body: { message: `hi ${i}`, user_id: user } });
      expect(res.status).toBe(200);
      expect(res.headers.get("x-ratelimit-limit-requests")).toBe("5");
      expect(res.headers.get("x-ratelimit-remaining-requests")).toBe(String(5 - i));
      expect(res.headers.get("x-ratelimit-reset-requests")).toMatch(/^(\d+m)?\d+s$|^\d+ms$/);
    }
    const sixth = await t.request("POST", "/chat", { body: { message: "one too many", user_id: user } });
    expect(sixth.status).toBe(429);
    expect(Number(sixth.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(Number(sixth.headers.get("retry-after"))).toBeLessThanOrEqual(12);
    expect(sixth.headers.get("x-ratelimit-remaining-requests")).toBe("0");
    expect(await errorOf(sixth)).toMatchObject({ type: "rate_limit_error", code: "rate_limit_exceeded" });
    expect(mock.requests.length).toBe(5);

    const other = await t.request("POST", "/chat", { body: { message: "me too", user_id: newId("user") } });
    expect(other.status).toBe(200);
  });

  test("streams and /v1 carry the headers and count against the same bucket", async () => {
    const user = newId("user");
    const stream = await t.request("POST", "/chat", { body: { message: "s", user_id: user, stream: true } });
    expect(stream.headers.get("x-ratelimit-remaining-requests")).toBe("4");
    await readSse(stream);
    const sdk = new OpenAI({ baseURL: `${t.listen()}/v1`, apiKey: "x", maxRetries: 0 });
    for (let i = 0; i < 4; i++) await sdk.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "x" }], user });
    const refused = await sdk.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "x" }], user }).catch((e) => e);
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    expect(refused.code).toBe("rate_limit_exceeded");
  });

  test("rate limits apply to chat only: reading is not limited", async () => {
    const user = newId("user");
    for (let i = 0; i < 12; i++) expect((await t.request("GET", `/conversations?user_id=${user}`)).status).toBe(200);
  });
});

describe("API keys and user isolation", () => {
  let t: TestApp;
  const alice = { authorization: "Bearer key-alice-0001" };
  const bob = { authorization: "Bearer key-bob-00002" };
  const admin = { authorization: "Bearer admin-key-0003" };
  beforeAll(async () => {
    t = (
      await startHarness({
        mock,
        config: { rate_limit_per_minute: 1000 },
        env: { TEXTLLM_API_KEYS: "key-alice-0001=alice,key-bob-00002=bob", TEXTLLM_ADMIN_KEY: "admin-key-0003" },
      })
    ).app;
  });
  afterAll(() => t.close());

  test("without a valid key every route but health and docs is a 401 invalid_api_key", async () => {
    for (const [method, path] of [
      ["POST", "/chat"],
      ["POST", "/v1/chat/completions"],
      ["GET", "/v1/models"],
      ["GET", "/conversations?user_id=alice"],
      ["GET", "/files?user_id=alice"],
      ["GET", "/config"],
      ["GET", "/"],
      ["GET", "/users/alice/stats"],
      ["POST", "/files/upload"],
    ] as const) {
      for (const headers of [{}, { authorization: "Bearer wrong-key-9999" }, { authorization: "key-alice-0001" }] as Array<Record<string, string>>) {
        const res = await t.request(method, path, { headers, body: method === "POST" ? { message: "x" } : undefined });
        expect({ path, status: res.status }).toEqual({ path, status: 401 });
        expect((await errorOf(res)).code).toBe("invalid_api_key");
        expect(res.headers.get("www-authenticate")).toContain("Bearer");
      }
    }
    for (const path of ["/health", "/health/live", "/health/ready", "/docs", "/redoc", "/openapi.json"]) {
      expect((await t.request("GET", path)).status).toBe(200);
    }
    expect(mock.requests.length).toBe(0);
  });

  test("the key decides the user; a request cannot act for someone else", async () => {
    const mine = await json(await t.request("POST", "/chat", { headers: alice, body: { message: "I am alice" } }));
    expect(mine.user_id).toBe("alice");
    const spoof = await t.request("POST", "/chat", { headers: alice, body: { message: "pretend", user_id: "bob" } });
    expect(spoof.status).toBe(404);
    const sdk = new OpenAI({ baseURL: `${t.listen()}/v1`, apiKey: "key-bob-00002", maxRetries: 0 });
    await sdk.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "billed to bob" }], user: "alice" });
    const [rec] = await t.deps.store.usage.listByUser("bob", 1);
    expect(rec).toMatchObject({ route: "/v1/chat/completions", status: 200 });
    expect(mock.requests.at(-1)!.body.user).toBe("alice"); // OpenAI's own field still reaches the upstream
  });

  test("a user cannot read, list, change or delete another user's conversations, messages, sessions, stats or files", async () => {
    const chat = await json(await t.request("POST", "/chat", { headers: alice, body: { message: "private thoughts" } }));
    const form = new FormData();
    form.append("file", new File(["alice's notes"], "notes.txt"));
    const file = await json(await t.request("POST", "/files/upload", { headers: alice, body: form }));
    expect(file.user_id).toBe("alice");
    const session = (await json(await t.request("GET", "/users/alice/sessions", { headers: alice }))).current;

    const attempts: Array<[string, string, unknown?]> = [
      ["GET", `/conversations/${chat.conversation_id}`],
      ["PATCH", `/conversations/${chat.conversation_id}`, { title: "mine now" }],
      ["DELETE", `/conversations/${chat.conversation_id}`],
      ["DELETE", `/conversations/${chat.conversation_id}?soft=false`],
      ["GET", `/conversations/${chat.conversation_id}/messages`],
      ["GET", "/conversations?user_id=alice"],
      ["POST", "/chat", { message: "continue it", conversation_id: chat.conversation_id }],
      ["GET", `/sessions/${session.id}`],
      ["POST", `/sessions/${session.id}/end`, {}],
      ["GET", "/users/alice/sessions"],
      ["GET", "/users/alice/stats"],
      ["GET", "/files?user_id=alice"],
      ["GET", file.url],
      ["DELETE", file.url],
      ["GET", `${file.url}?user_id=alice`],
    ];
    for (const [method, path, body] of attempts) {
      const res = await t.request(method, path, { headers: bob, body });
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 404 });
    }
    // Bob's own listing shows none of Alice's things.
    expect((await json(await t.request("GET", "/conversations", { headers: bob }))).data.every((c: { user_id: string }) => c.user_id === "bob")).toBe(true);
    expect((await json(await t.request("GET", "/files", { headers: bob }))).data).toEqual([]);

    // Everything of Alice's is intact, and she still sees it.
    const conv = await json(await t.request("GET", `/conversations/${chat.conversation_id}`, { headers: alice }));
    expect(conv).toMatchObject({ message_count: 2, user_id: "alice" });
    expect(conv.title).toBe("private thoughts");
    expect((await t.request("GET", file.url, { headers: alice })).status).toBe(200);
    expect((await json(await t.request("GET", `/sessions/${session.id}`, { headers: alice }))).is_active).toBe(true);
  });

  test("the admin key may act for any user", async () => {
    const chat = await json(await t.request("POST", "/chat", { headers: alice, body: { message: "for the admin to see" } }));
    expect((await t.request("GET", `/conversations/${chat.conversation_id}`, { headers: admin })).status).toBe(200);
    expect((await json(await t.request("GET", "/conversations?user_id=alice", { headers: admin }))).total).toBeGreaterThan(0);
    expect((await t.request("GET", "/users/alice/stats", { headers: admin })).status).toBe(200);
    const forBob = await json(await t.request("POST", "/chat", { headers: admin, body: { message: "on bob's behalf", user_id: "bob" } }));
    expect(forBob.user_id).toBe("bob");
  });
});

describe("budgets", () => {
  let t: TestApp;
  beforeAll(async () => {
    // $0.003 a day; a warning from $0.0002. A request asking for 100 tokens may cost up to ~$0.0015.
    t = (await startHarness({ mock, config: { rate_limit_per_minute: 1000, cost_limit_per_session: 0.003, warn_at_cost: 0.0002 } })).app;
  });
  afterAll(() => t.close());

  test("every answer says what is left; past warn_at_cost a warning comes in a header and a field", async () => {
    const user = newId("user");
    const first = await t.request("POST", "/chat", { body: { message: "hello", user_id: user, max_tokens: 100 } });
    const a = await json(first);
    expect(a.budget.limit).toBe(0.003);
    expect(a.budget.remaining).toBeCloseTo(0.003 - a.cost, 9);
    expect(Number(first.headers.get("x-budget-remaining-usd"))).toBeCloseTo(a.budget.remaining, 6);
    let warned: Response | null = null;
    for (let i = 0; i < 5 && !warned; i++) {
      const res = await t.request("POST", "/chat", { body: { message: "more", user_id: user, max_tokens: 100 } });
      if (res.headers.get("x-budget-warning")) warned = res;
    }
    expect(warned).not.toBeNull();
    const body = await json(warned!);
    expect(body.warning).toContain("warning level");
  });

  test("a request whose worst case does not fit what is left is refused, before the upstream", async () => {
    const user = newId("user");
    let refused: Response | null = null;
    let calls = 0;
    for (let i = 0; i < 40 && !refused; i++) {
      calls = mock.requests.length;
      const res = await t.request("POST", "/chat", { body: { message: "spend", user_id: user, max_tokens: 100 } });
      if (res.status === 402) refused = res;
      else expect(res.status).toBe(200);
    }
    expect(refused).not.toBeNull();
    expect(mock.requests.length).toBe(calls);
    expect((await errorOf(refused!)).message).toContain("Lower max_tokens");
    const spent = (await t.deps.store.usage.listByUser(user, 100)).reduce((n, r) => n + r.cost, 0);
    expect(spent).toBeLessThanOrEqual(3000);
  });

  test("a user at the cost limit is refused on every chat route with no upstream call", async () => {
    const user = newId("user");
    const now = new Date();
    await t.deps.store.sessions.record(user, now.toISOString().slice(0, 10), newId("sess"), {
      tokens_input: 0,
      tokens_output: 0,
      cost: 3000,
      requests: 1,
      conversations: 0,
      now: now.toISOString(),
    });
    const attempts: Array<[string, unknown]> = [
      ["/chat", { message: "anything", user_id: user, max_tokens: 1 }],
      ["/chat", { message: "anything", user_id: user, stream: true }],
      ["/chat/stream", { message: "anything", user_id: user }],
      ["/v1/chat/completions", { model: "gpt-4o", messages: [{ role: "user", content: "x" }], user, max_tokens: 1 }],
    ];
    for (const [path, body] of attempts) {
      const res = await t.request("POST", path, { body });
      expect(res.status).toBe(402);
      const e = await errorOf(res);
      expect(e).toMatchObject({ type: "insufficient_quota", code: "budget_exceeded" });
      expect(e.message).toContain("used up");
    }
    expect(mock.requests.length).toBe(0);
  });

  test("concurrent requests cannot push the spend past the limit", async () => {
    const user = newId("user");
    mock.setDefault({ kind: "reply", delayMs: 600 }); // wide enough that the requests overlap even on a busy machine
    const results = await Promise.all(
      Array.from({ length: 12 }, () => t.request("POST", "/chat", { body: { message: "all at once", user_id: user, max_tokens: 100 } })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 402).length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 200 || s === 402)).toBe(true);
    expect(mock.requests.length).toBe(statuses.filter((s) => s === 200).length);
    const spent = (await t.deps.store.usage.listByUser(user, 100)).reduce((n, r) => n + r.cost, 0);
    expect(spent).toBeLessThanOrEqual(3000);
  });
});

describe("input limits", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = (await startHarness({ mock, config: { max_input_length: 50, rate_limit_per_minute: 1000 } })).app;
  });
  afterAll(() => t.close());

  test("max_input_length: a 400 naming the message, before any upstream call", async () => {
    const long = "x".repeat(51);
    const cases: Array<[string, unknown, string]> = [
      ["/chat", { message: long }, "message"],
      [
        "/chat",
        {
          messages: [
            { role: "user", content: "short" },
            { role: "user", content: [{ type: "text", text: long }] },
          ],
        },
        "messages[1].content",
      ],
      ["/v1/chat/completions", { model: "gpt-4o", messages: [{ role: "user", content: long }] }, "messages[0].content"],
      ["/chat/stream", { message: long }, "message"],
    ];
    for (const [path, body, param] of cases) {
      const res = await t.request("POST", path, { body });
      expect(res.status).toBe(400);
      expect(await errorOf(res)).toMatchObject({ code: "input_too_long", param });
    }
    expect((await t.request("POST", "/chat", { body: { message: "x".repeat(50) } })).status).toBe(200);
    expect(mock.requests.length).toBe(1);
  });
});

describe("CORS", () => {
  test("only the configured origins are allowed, with explicit headers", async () => {
    const t = await startTestApp({ config: { server: { cors_origins: ["https://app.example.com"] } } });
    try {
      const ok = await t.request("OPTIONS", "/v1/chat/completions", {
        headers: { origin: "https://app.example.com", "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type" },
      });
      expect(ok.status).toBeLessThan(300);
      expect(ok.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
      expect(ok.headers.get("access-control-allow-headers")).toContain("authorization");
      expect(ok.headers.get("vary")).not.toBe("*");

      const get = await t.request("GET", "/health/live", { headers: { origin: "https://app.example.com" } });
      expect(get.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
      expect(get.headers.get("access-control-expose-headers")).toContain("x-request-id");
      // A browser may retry safely and resume a stream: the headers of both features pass.
      expect(ok.headers.get("access-control-allow-headers")).toContain("idempotency-key");
      expect(ok.headers.get("access-control-allow-headers")).toContain("last-event-id");
      expect(get.headers.get("access-control-expose-headers")).toContain("x-stream-id");
      expect(get.headers.get("access-control-expose-headers")).toContain("idempotent-replayed");

      const evil = await t.request("GET", "/health/live", { headers: { origin: "https://evil.example.net" } });
      expect(evil.headers.get("access-control-allow-origin")).toBeNull();
    } finally {
      await t.close();
    }
  });

  test("with no origins configured no cross-origin access is granted", async () => {
    const t = await startTestApp();
    try {
      const res = await t.request("GET", "/health/live", { headers: { origin: "https://anything.example" } });
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
    } finally {
      await t.close();
    }
  });
});
