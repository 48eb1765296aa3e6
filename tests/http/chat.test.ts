// Chat over real HTTP with the official openai SDK as the client and a deterministic mock
// upstream, on every database backend.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { BACKENDS, backendTitle, type BackendHandle } from "../support/backends.ts";
import { errorOf, startTestApp, type TestApp } from "../support/app.ts";
import { startHarness, type Harness } from "../support/harness.ts";
import { defaultReply, type MockUpstream } from "../support/mock-upstream.ts";
import { readSse } from "../support/sse.ts";
import { waitFor } from "../support/temp.ts";
import { newId } from "../../src/lib/ids.ts";

const CONFIG = {
  model: "gpt-4o",
  rate_limit_per_minute: 100_000, // this suite is not about rate limits (see guardrails.test.ts)
  max_history_items: 50,
  models: { "gpt-4o": { context_window: 128000, pricing: { input_per_1k: 0.0025, cached_input_per_1k: 0.00125, output_per_1k: 0.01 } } },
  providers: [{ name: "openai", models: ["gpt-*"], timeout_ms: 400, max_retries: 2 }],
  // This suite checks the cancel on disconnect; chat-streams.test.ts the default (the answer goes on).
  streams: { continue_after_disconnect: false },
};

for (const backend of BACKENDS) {
  describe.skipIf(backend.skip !== null)(`chat: ${backendTitle(backend)}`, () => {
    let handle: BackendHandle;
    let mock: MockUpstream;
    let t: TestApp;
    let base: string;
    let sdk: OpenAI;
    let harness: Harness;

    beforeAll(async () => {
      handle = await backend.open();
      harness = await startHarness({ config: CONFIG, prompts: { system: "You are the test assistant." }, env: handle.env, upstreamKey: "sk-upstream" });
      ({ mock, app: t } = harness);
      base = t.listen();
      sdk = new OpenAI({ baseURL: `${base}/v1`, apiKey: "sk-client", maxRetries: 0 });
    }, 60_000); // may start this run's private Postgres
    afterAll(async () => {
      await harness?.close();
      await handle?.cleanup();
    });
    beforeEach(() => mock.reset());

    const post = (path: string, body: unknown, init: RequestInit = {}) =>
      fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), ...init });
    const get = async <T = any>(path: string) => (await (await fetch(`${base}${path}`)).json()) as T;

    describe("/v1/chat/completions with the official SDK", () => {
      test("non-stream: the answer, the upstream's usage, unknown fields passed through, the call recorded", async () => {
        const user = newId("user");
        const res = await sdk.chat.completions.create({
          model: "gpt-4o",
          messages: [{ role: "user", content: "hello there" }],
          user,
          temperature: 0.5,
          // @ts-expect-error a field the SDK does not know must still reach the upstream
          vendor_extension: { keep: true },
        });
        expect(res.object).toBe("chat.completion");
        expect(res.choices[0]!.message.content).toBe("Echo: hello there");
        expect(res.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 });
        expect(mock.requests[0]!.body).toMatchObject({ model: "gpt-4o", temperature: 0.5, vendor_extension: { keep: true }, user });

        const [rec] = await t.deps.store.usage.listByUser(user, 10);
        expect(rec).toMatchObject({
          route: "/v1/chat/completions",
          model: "gpt-4o",
          provider: "openai",
          tokens_input: 5,
          tokens_output: 3,
          status: 200,
          streamed: false,
        });
        expect(rec!.cost).toBe(43); // 5 × $2.5/1M + 3 × $10/1M = 42.5 µ$, rounded half up once
      });

      test("stream without include_usage: chunks only, yet usage is asked for upstream and recorded", async () => {
        const user = newId("user");
        const stream = await sdk.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "stream me please" }], stream: true, user });
        let text = "";
        let sawUsage = false;
        for await (const chunk of stream) {
          expect(chunk.object).toBe("chat.completion.chunk");
          text += chunk.choices[0]?.delta?.content ?? "";
          if (chunk.usage) sawUsage = true;
        }
        expect(text).toBe("Echo: stream me please");
        expect(sawUsage).toBe(false);
        expect(mock.requests[0]!.body.stream_options).toEqual({ include_usage: true });
        const [rec] = await t.deps.store.usage.listByUser(user, 10);
        expect(rec).toMatchObject({ tokens_input: 6, tokens_output: 4, streamed: true, status: 200 });
      });

      test("stream with include_usage: the final usage chunk reaches the client", async () => {
        const stream = await sdk.chat.completions.create({
          model: "gpt-4o",
          messages: [{ role: "user", content: "count" }],
          stream: true,
          stream_options: { include_usage: true },
        });
        let usage: OpenAI.CompletionUsage | undefined;
        for await (const chunk of stream) if (chunk.usage) usage = chunk.usage;
        expect(usage).toMatchObject({ prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 });
      });

      test("errors arrive as the SDK's typed classes: 400, 401, 404, 429, 5xx", async () => {
        const ask = (model = "gpt-4o") => sdk.chat.completions.create({ model, messages: [{ role: "user", content: "x" }] });

        mock.script({ kind: "error", status: 400, message: "upstream says no" });
        const bad = await ask().catch((e) => e);
        expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
        expect(bad.message).toContain("upstream says no");

        mock.script({ kind: "error", status: 401, message: "bad upstream key" });
        expect(await ask().catch((e) => e)).toBeInstanceOf(OpenAI.AuthenticationError);

        const before = mock.requests.length;
        const missing = await ask("no-such-model").catch((e) => e);
        expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
        expect(missing.code).toBe("model_not_found");
        expect(mock.requests.length).toBe(before); // never sent upstream

        mock.script(...Array.from({ length: 3 }, () => ({ kind: "error" as const, status: 429, headers: { "retry-after": "0" } })));
        const limited = await ask().catch((e) => e);
        expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
        expect(limited.headers.get("retry-after")).toBe("0");

        mock.script(...Array.from({ length: 3 }, () => ({ kind: "error" as const, status: 500, headers: { "retry-after-ms": "1" } })));
        expect(await ask().catch((e) => e)).toBeInstanceOf(OpenAI.InternalServerError);

        const invalid = await sdk.chat.completions.create({ model: "gpt-4o", messages: [] }).catch((e) => e);
        expect(invalid).toBeInstanceOf(OpenAI.BadRequestError);
        expect(invalid.param).toBe("messages");
      });

      test("GET /v1/models lists the configured models in OpenAI's list shape", async () => {
        const models = await sdk.models.list();
        expect(models.data.map((m) => m.id)).toContain("gpt-4o");
        expect(models.data[0]).toMatchObject({ object: "model", owned_by: "openai" });
      });
    });

    describe("/chat with stored conversations", () => {
      test("a second turn sends system prompt, earlier turns and the new one; four messages stored in order", async () => {
        const first = await post("/chat", { message: "What is the capital of France?\nAnswer briefly." });
        expect(first.status).toBe(200);
        const a = (await first.json()) as Record<string, any>;
        expect(a).toMatchObject({ object: "chat.completion", message_number: 2, text: "Echo: What is the capital of France?\nAnswer briefly." });
        expect(a.conversation_id).toMatch(/^conv_/);
        expect(a.user_id).toMatch(/^user_/);
        expect(a.cost).toBeGreaterThan(0);

        const second = (await (await post("/chat", { message: "And of Italy?", conversation_id: a.conversation_id })).json()) as Record<string, any>;
        expect(second).toMatchObject({ conversation_id: a.conversation_id, user_id: a.user_id, message_number: 4 });

        const sent = mock.requests[1]!.body.messages;
        expect(sent.map((m: { role: string }) => m.role)).toEqual(["system", "user", "assistant", "user"]);
        expect(sent[0].content).toBe("You are the test assistant.");
        expect(sent[1].content).toBe("What is the capital of France?\nAnswer briefly.");
        expect(sent[2].content).toBe("Echo: What is the capital of France?\nAnswer briefly.");
        expect(sent[3].content).toBe("And of Italy?");

        const msgs = await get(`/conversations/${a.conversation_id}/messages`);
        expect(msgs.data.map((m: any) => [m.message_number, m.role, m.content])).toEqual([
          [1, "user", "What is the capital of France?\nAnswer briefly."],
          [2, "assistant", "Echo: What is the capital of France?\nAnswer briefly."],
          [3, "user", "And of Italy?"],
          [4, "assistant", "Echo: And of Italy?"],
        ]);
        expect(msgs.data[1]).toMatchObject({ model: "gpt-4o", finish_reason: "stop" });

        const conv = await get(`/conversations/${a.conversation_id}`);
        const assistants = msgs.data.filter((m: any) => m.role === "assistant");
        expect(conv).toMatchObject({ message_count: 4, title: "What is the capital of France?", model: "gpt-4o" });
        expect(conv.total_tokens_input).toBe(assistants.reduce((n: number, m: any) => n + m.usage.prompt_tokens, 0));
        expect(conv.total_tokens_output).toBe(assistants.reduce((n: number, m: any) => n + m.usage.completion_tokens, 0));
        expect(conv.total_cost).toBeCloseTo(a.cost + second.cost, 12);
      });

      test("a system message from the client replaces the configured prompt; sampling parameters pass through", async () => {
        await post("/chat", {
          messages: [
            { role: "system", content: "Answer in French." },
            { role: "user", content: "Hi" },
          ],
          temperature: 0.2,
          max_tokens: 50,
        });
        const sent = mock.requests[0]!.body;
        expect(sent.messages[0]).toEqual({ role: "system", content: "Answer in French." });
        expect(sent).toMatchObject({ temperature: 0.2, max_tokens: 50, model: "gpt-4o" });
        expect(sent.conversation_id).toBeUndefined();
      });

      test("streaming /chat: chunks name the conversation, the last frame carries usage and cost", async () => {
        const res = await post("/chat", { message: "stream this", stream: true });
        expect(res.status).toBe(200);
        expect(res.headers.get("content-type")).toContain("text/event-stream");
        const conversationId = res.headers.get("x-conversation-id")!;
        expect(conversationId).toMatch(/^conv_/);
        expect(res.headers.get("x-request-id")).toMatch(/^req_/);
        const frames = await readSse(res);
        expect(frames.at(-1)).toBe("[DONE]");
        const events = frames.slice(0, -1).map((f) => JSON.parse(f));
        expect(events.every((e) => e.conversation_id === conversationId)).toBe(true);
        const text = events.map((e) => e.choices[0]?.delta?.content ?? "").join("");
        expect(text).toBe("Echo: stream this");
        const last = events.at(-1);
        expect(last).toMatchObject({
          object: "chat.completion.chunk",
          choices: [],
          message_number: 2,
          usage: { prompt_tokens: expect.any(Number), completion_tokens: 3 },
        });
        expect(last.cost).toBeGreaterThan(0);
        const msgs = await get(`/conversations/${conversationId}/messages`);
        expect(msgs.data.map((m: any) => m.content)).toEqual(["stream this", "Echo: stream this"]);
      });

      test("POST /chat/stream (v1): plain text frames and the X-Conversation-ID header", async () => {
        const res = await post("/chat/stream", { message: "old style" });
        const conversationId = res.headers.get("x-conversation-id")!;
        const frames = await readSse(res);
        expect(frames.at(-1)).toBe("[DONE]");
        expect(frames.slice(0, -1).join("")).toBe("Echo: old style");
        const next = await post("/chat/stream", { message: "again", conversation_id: conversationId });
        await readSse(next);
        expect(mock.requests[1]!.body.messages.map((m: any) => m.content).slice(1)).toEqual(["old style", "Echo: old style", "again"]);
      });

      test("a stream aborted by the client keeps the partial reply and its usage; the upstream call is cancelled", async () => {
        mock.script({ kind: "reply", text: "one two three four five six seven eight nine ten", chunkDelayMs: 150 });
        const controller = new AbortController();
        const res = await post("/chat", { message: "long answer please", stream: true }, { signal: controller.signal });
        const conversationId = res.headers.get("x-conversation-id")!;
        const reader = res.body!.getReader();
        let received = "";
        while (!received.includes("two")) {
          const { done, value } = await reader.read();
          if (done) throw new Error(`the stream ended before its second word: ${received}`);
          received += new TextDecoder().decode(value);
        }
        controller.abort();

        const stored = await waitFor(async () => {
          const c = await t.deps.store.conversations.get(conversationId);
          return c && c.message_count === 2 ? c : undefined;
        }, "the partial turn to be stored");
        const [, reply] = await t.deps.store.messages.list(conversationId, { limit: 10, order: "asc" });
        expect(reply!.finish_reason).toBe("cancelled");
        expect(reply!.content.startsWith("one two")).toBe(true);
        expect(reply!.content.length).toBeLessThan("one two three four five six seven eight nine ten".length);
        expect(reply!.tokens_input).toBeGreaterThan(0);
        expect(reply!.tokens_output).toBeGreaterThan(0);
        expect(stored.total_cost).toBe(reply!.cost);
        const [rec] = await t.deps.store.usage.listByUser(stored.user_id, 10);
        expect(rec).toMatchObject({ status: 499, error_code: "client_closed_request", streamed: true, cost: reply!.cost });
        await waitFor(() => (mock.cancelled >= 1 ? true : undefined), "the upstream stream to be cancelled");
      });

      test("unknown or someone else's conversation → 404; malformed requests → 400", async () => {
        const missing = await post("/chat", { message: "hi", conversation_id: "conv_nope" });
        expect(missing.status).toBe(404);
        expect((await errorOf(missing)).code).toBe("conversation_not_found");

        const mine = (await (await post("/chat", { message: "mine", user_id: "alice" })).json()) as Record<string, any>;
        const stolen = await post("/chat", { message: "let me in", conversation_id: mine.conversation_id, user_id: "mallory" });
        expect(stolen.status).toBe(404);

        for (const body of [
          {},
          { message: "a", messages: [{ role: "user", content: "b" }] },
          { message: "" },
          { messages: [{ role: "system", content: "only a system prompt" }] },
          { message: "x", n: 2 },
          { message: "x", temperature: 7 },
        ]) {
          const res = await post("/chat", body);
          expect(res.status).toBe(400);
          await errorOf(res);
        }
        expect(mock.requests.length).toBe(1); // only the valid "mine" turn went upstream
      });
    });

    describe("accounting", () => {
      test("cost, session and user totals equal the sum of the stored per-request records", async () => {
        const user = newId("user");
        const c1 = (await (await post("/chat", { message: "first of many", user_id: user })).json()) as Record<string, any>;
        mock.script({ kind: "reply", cachedTokens: 20 });
        await post("/chat", { message: "second, partly cached", user_id: user, conversation_id: c1.conversation_id });
        await readSse(await post("/chat", { message: "third, streamed", user_id: user, conversation_id: c1.conversation_id, stream: true }));
        await post("/chat", { message: "another conversation", user_id: user });
        await sdk.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "stateless call" }], user });
        mock.script({ kind: "error", status: 400 });
        await post("/chat", { message: "this one fails", user_id: user });

        const records = await t.deps.store.usage.listByUser(user, 100);
        expect(records.length).toBe(6);
        const ok = records.filter((r) => r.status === 200);
        const sum = (key: "cost" | "tokens_input" | "tokens_output") => ok.reduce((n, r) => n + r[key], 0);
        expect(records.find((r) => r.status === 400)).toMatchObject({ cost: 0, tokens_input: 0 });
        expect(records.some((r) => r.tokens_cached === 20)).toBe(true);

        const sessions = await get(`/users/${user}/sessions`);
        expect(sessions.data.length).toBe(1);
        const session = sessions.current;
        expect(session.total_cost * 1e6).toBeCloseTo(sum("cost"), 6);
        expect(session).toMatchObject({
          total_tokens_input: sum("tokens_input"),
          total_tokens_output: sum("tokens_output"),
          total_tokens: sum("tokens_input") + sum("tokens_output"),
          request_count: 5,
          conversation_count: 2,
          is_active: true,
        });
        expect(await get(`/sessions/${session.id}`)).toEqual(session);

        const stats = await get(`/users/${user}/stats?days=30`);
        expect(stats).toMatchObject({
          total_conversations: 2,
          total_messages: 8,
          total_tokens_input: sum("tokens_input"),
          total_tokens_output: sum("tokens_output"),
        });
        expect(stats.total_cost * 1e6).toBeCloseTo(sum("cost"), 6);
        expect(stats.by_model).toEqual([expect.objectContaining({ model: "gpt-4o", requests: 6, tokens_input: sum("tokens_input") })]);

        const conv = await t.deps.store.conversations.get(c1.conversation_id);
        const convRecords = ok.filter((r) => r.conversation_id === c1.conversation_id);
        expect(convRecords.length).toBe(3);
        expect(conv!.total_cost).toBe(convRecords.reduce((n, r) => n + r.cost, 0));
        const cachedRecord = records.find((r) => r.tokens_cached === 20)!;
        expect(cachedRecord.cost).toBe(Math.round((cachedRecord.tokens_input - 20) * 2.5 + 20 * 1.25 + cachedRecord.tokens_output * 10));
      });

      test("ending a session makes the next chat open a new one", async () => {
        const user = newId("user");
        await post("/chat", { message: "before", user_id: user });
        const { current } = await get(`/users/${user}/sessions`);
        const ended = (await (await post(`/sessions/${current.id}/end`, {})).json()) as Record<string, any>;
        expect(ended).toMatchObject({ id: current.id, is_active: false });
        expect(ended.ended_at).not.toBeNull();
        await post("/chat", { message: "after", user_id: user });
        const after = await get(`/users/${user}/sessions`);
        expect(after.data.length).toBe(2);
        expect(after.current.id).not.toBe(current.id);
        expect(after.current.request_count).toBe(1);
        expect((await fetch(`${base}/sessions/sess_missing`)).status).toBe(404);
      });
    });

    describe("upstream failures", () => {
      test("429 with retry-after is retried, then succeeds", async () => {
        mock.script({ kind: "error", status: 429, headers: { "retry-after": "0" } }, { kind: "error", status: 429, headers: { "retry-after": "0" } });
        const res = await post("/chat", { message: "eventually" });
        expect(res.status).toBe(200);
        expect(mock.requests.length).toBe(3);
      });

      test("a 500 is retried at least twice, then answered 502 with an error body and logged", async () => {
        const user = newId("user");
        mock.script(...Array.from({ length: 3 }, () => ({ kind: "error" as const, status: 500, headers: { "retry-after-ms": "1" } })));
        const res = await post("/chat", { message: "doomed", user_id: user });
        expect(res.status).toBe(502);
        expect((await errorOf(res)).type).toBe("server_error");
        expect(mock.requests.length).toBe(3);
        const [rec] = await t.deps.store.usage.listByUser(user, 10);
        expect(rec).toMatchObject({ status: 502, cost: 0 });
        expect(await t.deps.store.conversations.countByUser(user)).toBe(0); // nothing half-stored
      });

      test("other 4xx are not retried and keep their status", async () => {
        mock.script({ kind: "error", status: 422, message: "unprocessable" });
        const res = await post("/chat", { message: "x" });
        expect(res.status).toBe(422);
        expect((await errorOf(res)).message).toContain("unprocessable");
        expect(mock.requests.length).toBe(1);
      });

      test("an upstream that never answers times out: 504, no hang", async () => {
        mock.script({ kind: "hang" }, { kind: "hang" }, { kind: "hang" });
        const res = await post("/chat", { message: "hello?" });
        expect(res.status).toBe(504);
        expect((await errorOf(res)).code).toBe("upstream_timeout");
      });

      test("a stream cut mid-way: the client gets what came and an error event; the partial reply is stored", async () => {
        mock.script({ kind: "cut", afterChunks: 2 });
        const stream = await sdk.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "alpha beta gamma delta" }], stream: true });
        let text = "";
        const err = await (async () => {
          for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
        })().catch((e) => e);
        expect(err).toBeInstanceOf(OpenAI.APIError);
        expect(text.length).toBeGreaterThan(0);

        mock.script({ kind: "stream-error", afterChunks: 2 });
        const res = await post("/chat", { message: "one two three four", stream: true });
        const conversationId = res.headers.get("x-conversation-id")!;
        const frames = await readSse(res);
        const lastEvent = JSON.parse(frames.at(-1)!);
        expect(lastEvent.error).toMatchObject({ type: "server_error" });
        expect(lastEvent.conversation_id).toBe(conversationId);
        const [, reply] = await t.deps.store.messages.list(conversationId, { limit: 10, order: "asc" });
        expect(reply).toMatchObject({ role: "assistant", finish_reason: "error" });
        expect(reply!.content.length).toBeGreaterThan(0);
      });

      test("a stream that stalls mid-reply: after the provider's timeout an upstream_timeout event; the partial reply and a 504 are stored", async () => {
        const user = newId("user");
        // Two words, then silence; the provider's timeout (the gap allowed between chunks) is 400 ms.
        mock.script({ kind: "stall", afterChunks: 2 });
        const res = await post("/chat", { message: "take your time", user_id: user, stream: true });
        const conversationId = res.headers.get("x-conversation-id")!;
        const frames = await readSse(res);
        const lastEvent = JSON.parse(frames.at(-1)!);
        expect(lastEvent.error).toMatchObject({ code: "upstream_timeout" });
        await waitFor(() => (mock.cancelled >= 1 ? true : undefined), "the stalled upstream stream to be cancelled");
        const [rec] = await waitFor(async () => {
          const rows = await t.deps.store.usage.listByUser(user, 10);
          return rows.length ? rows : undefined;
        }, "the usage record");
        expect(rec).toMatchObject({ status: 504, error_code: "upstream_timeout", streamed: true });
        const [, reply] = await t.deps.store.messages.list(conversationId, { limit: 10, order: "asc" });
        expect(reply).toMatchObject({ role: "assistant", finish_reason: "error" });
        const firstTwoWords = defaultReply(mock.requests.at(-1)!.body)
          .split(/(?<= )/)
          .slice(0, 2)
          .join("");
        expect(reply!.content).toBe(firstTwoWords);
      });

      test("a client that leaves during a non-stream call: the upstream call is cancelled and logged as 499", async () => {
        const user = newId("user");
        mock.script({ kind: "hang" });
        const controller = new AbortController();
        const pending = post("/chat", { message: "never mind", user_id: user }, { signal: controller.signal }).catch((e) => e);
        await waitFor(() => (mock.requests.length === 1 ? true : undefined), "the request to reach the upstream");
        controller.abort();
        expect(await pending).toBeInstanceOf(Error);
        const [rec] = await waitFor(async () => {
          const rows = await t.deps.store.usage.listByUser(user, 10);
          return rows.length ? rows : undefined;
        }, "the usage record");
        expect(rec).toMatchObject({ status: 499, error_code: "client_closed_request", cost: 0 });
        expect(await t.deps.store.conversations.countByUser(user)).toBe(0);
      });

      test("an unreachable upstream is a 502 after retries", async () => {
        const closed = Bun.serve({ port: 0, fetch: () => new Response() });
        const deadPort = closed.port;
        await closed.stop(true);
        const dead = await startTestApp({
          config: { providers: [{ name: "openai", timeout_ms: 500, max_retries: 2 }] },
          env: { ...handle.env, OPENAI_BASE_URL: `http://127.0.0.1:${deadPort}/v1` },
        });
        try {
          const res = await dead.request("POST", "/chat", { body: { message: "anyone?" } });
          expect(res.status).toBe(502);
          expect((await errorOf(res)).code).toBe("upstream_unreachable");
        } finally {
          await dead.close();
        }
      });
    });
  });
}
