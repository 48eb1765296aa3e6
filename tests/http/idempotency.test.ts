// Idempotency-Key over real HTTP on every database backend: one run per key and request, its answer
// replayed to every repeat (concurrent ones wait for it), a key reused for another request refused,
// a 4xx kept and a 5xx freeing the key. The official SDK sends the header as a request option.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { BACKENDS, backendTitle, type BackendHandle } from "../support/backends.ts";
import { errorOf } from "../support/app.ts";
import { startHarness, type Harness } from "../support/harness.ts";
import { waitFor } from "../support/temp.ts";
import { newId } from "../../src/lib/ids.ts";

const CONFIG = { rate_limit_per_minute: 100_000, providers: [{ name: "openai", models: ["gpt-*"], timeout_ms: 5000, max_retries: 0 }] };

for (const backend of BACKENDS) {
  describe.skipIf(backend.skip !== null)(`Idempotency-Key: ${backendTitle(backend)}`, () => {
    let handle: BackendHandle;
    let harness: Harness;
    let base: string;
    beforeAll(async () => {
      handle = await backend.open();
      harness = await startHarness({ config: CONFIG, env: handle.env });
      base = harness.app.listen();
    }, 60_000);
    afterAll(async () => {
      await harness?.close();
      await handle?.cleanup();
    });
    beforeEach(() => harness.mock.reset());

    const post = (path: string, body: unknown, key: string) =>
      fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json", "idempotency-key": key }, body: JSON.stringify(body) });

    test("50 concurrent /chat requests with one key: one upstream call, one stored turn, one usage record, 50 identical answers", async () => {
      const user = newId("user");
      const key = newId("req");
      harness.mock.script({ kind: "reply", text: "only once", delayMs: 300 });
      const answers = await Promise.all(Array.from({ length: 50 }, () => post("/chat", { message: "charge me once", user_id: user }, key)));
      expect(answers.map((r) => r.status)).toEqual(Array(50).fill(200));
      const bodies = await Promise.all(answers.map((r) => r.text()));
      expect(new Set(bodies).size).toBe(1);
      expect(JSON.parse(bodies[0]!).text).toBe("only once");
      expect(answers.filter((r) => r.headers.get("idempotent-replayed") === "true")).toHaveLength(49);
      expect(new Set(answers.map((r) => r.headers.get("x-conversation-id"))).size).toBe(1);
      expect(harness.mock.requests).toHaveLength(1);
      expect(await harness.app.deps.store.conversations.countByUser(user)).toBe(1);
      expect(await harness.app.deps.store.usage.listByUser(user, 10)).toHaveLength(1);

      const later = await post("/chat", { message: "charge me once", user_id: user }, key);
      expect(later.headers.get("idempotent-replayed")).toBe("true");
      expect(await later.text()).toBe(bodies[0]!);
      expect(harness.mock.requests).toHaveLength(1);
    });

    test("50 concurrent /v1/chat/completions streams with one key through the SDK: one upstream call, one usage record, 50 identical event sequences; a later repeat is replayed", async () => {
      const sdk = new OpenAI({ baseURL: `${base}/v1`, apiKey: "sk-client", maxRetries: 0 });
      const user = newId("user");
      const key = newId("req");
      const words = Array.from({ length: 40 }, (_, i) => `w${i}`).join(" ");
      harness.mock.script({ kind: "reply", text: words, chunkDelayMs: 5 });
      const ask = async () => {
        const { data, response } = await sdk.chat.completions
          .create({ model: "gpt-4o", messages: [{ role: "user", content: "stream once" }], user, stream: true }, { headers: { "Idempotency-Key": key } })
          .withResponse();
        const chunks: unknown[] = [];
        for await (const chunk of data) chunks.push(chunk);
        return {
          replayed: response.headers.get("idempotent-replayed"),
          events: JSON.stringify(chunks),
          content: chunks.map((c) => (c as { choices: Array<{ delta?: { content?: string } }> }).choices[0]?.delta?.content ?? "").join(""),
        };
      };
      const answers = await Promise.all(Array.from({ length: 50 }, ask));
      expect(new Set(answers.map((a) => a.events)).size).toBe(1);
      expect(answers[0]!.content).toBe(words);
      expect(answers.filter((a) => a.replayed === "true")).toHaveLength(49);
      expect(harness.mock.requests).toHaveLength(1);
      expect(await harness.app.deps.store.usage.listByUser(user, 10)).toHaveLength(1);

      const later = await waitFor(async () => {
        const again = await ask();
        return again.replayed === "true" ? again : undefined;
      }, "a replay after the end");
      expect(later.events).toBe(answers[0]!.events);
      expect(harness.mock.requests).toHaveLength(1);
      expect(await harness.app.deps.store.usage.listByUser(user, 10)).toHaveLength(1);
    });

    test("a /v1/chat/completions stream with a key is still cancelled when its client leaves, and the key is freed", async () => {
      const user = newId("user");
      const key = newId("req");
      const words = Array.from({ length: 300 }, (_, i) => `w${i}`).join(" ");
      harness.mock.script({ kind: "reply", text: words, chunkDelayMs: 20 });
      const body = { model: "gpt-4o", messages: [{ role: "user", content: "cut me" }], user, stream: true };
      const controller = new AbortController();
      const first = await fetch(`${base}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": key },
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      const reader = first.body!.getReader();
      let seen = "";
      while (!seen.includes("w3")) seen += new TextDecoder().decode((await reader.read()).value);
      controller.abort();
      await waitFor(() => (harness.mock.cancelled >= 1 ? true : undefined), "the upstream call to be cancelled");
      harness.mock.script({ kind: "reply", text: "second try" });
      const retry = await waitFor(async () => {
        const answer = await post("/v1/chat/completions", body, key);
        const text = await answer.text();
        return answer.headers.get("idempotent-replayed") === null ? text : undefined;
      }, "the key to be freed");
      expect(retry).toContain(`"content":"second "`);
      expect(harness.mock.requests).toHaveLength(2);
    });

    test("the same key with another body → 422 idempotency_key_reused; another user's same key is theirs", async () => {
      const user = newId("user");
      const key = newId("req");
      expect((await post("/chat", { message: "first", user_id: user }, key)).status).toBe(200);
      const reused = await post("/chat", { message: "second", user_id: user }, key);
      expect(reused.status).toBe(422);
      expect(await errorOf(reused)).toMatchObject({ code: "idempotency_key_reused", type: "invalid_request_error", param: "Idempotency-Key" });
      expect((await post("/chat", { message: "second", user_id: newId("user") }, key)).headers.get("idempotent-replayed")).toBeNull();
      expect(harness.mock.requests).toHaveLength(2);
      const bad = await post("/chat", { message: "x", user_id: user }, "key with spaces");
      expect(bad.status).toBe(400);
      expect((await errorOf(bad)).code).toBe("invalid_idempotency_key");
    });

    test("a 4xx is replayed as that 4xx; after a 5xx the request may run again", async () => {
      const user = newId("user");
      const missing = newId("req");
      const first = await post("/chat", { message: "hi", user_id: user, conversation_id: "conv_nope" }, missing);
      expect(first.status).toBe(404);
      const again = await post("/chat", { message: "hi", user_id: user, conversation_id: "conv_nope" }, missing);
      expect(again.status).toBe(404);
      expect(again.headers.get("idempotent-replayed")).toBe("true");
      expect(await errorOf(again)).toMatchObject({ code: "conversation_not_found" });

      const key = newId("req");
      harness.mock.script({ kind: "error", status: 500 });
      expect((await post("/chat", { message: "flaky", user_id: user }, key)).status).toBe(502);
      const retried = await post("/chat", { message: "flaky", user_id: user }, key);
      expect(retried.status).toBe(200);
      expect(retried.headers.get("idempotent-replayed")).toBeNull();
      expect(harness.mock.requests).toHaveLength(2);
    });

    test("the openai SDK with an Idempotency-Key header on /v1/chat/completions and /v1/responses; /files/upload as a form", async () => {
      const sdk = new OpenAI({ baseURL: `${base}/v1`, apiKey: "sk-client", maxRetries: 0 });
      const user = newId("user");
      const ask = () =>
        sdk.chat.completions.create(
          { model: "gpt-4o", messages: [{ role: "user", content: "once" }], user },
          { headers: { "Idempotency-Key": `sdk-1-${user}` } },
        );
      const [one, two] = [await ask(), await ask()];
      expect({ ...two, _request_id: null }).toEqual({ ...one, _request_id: null }); // the SDK adds each answer's own request id
      const replies = () => sdk.responses.create({ model: "gpt-4o", input: "once more", user }, { headers: { "Idempotency-Key": `sdk-2-${user}` } });
      const [r1, r2] = [await replies(), await replies()];
      expect(r2.id).toBe(r1.id);
      expect(harness.mock.requests).toHaveLength(2);

      const upload = () => {
        const form = new FormData();
        form.append("file", new File(["same bytes"], "note.txt", { type: "text/plain" }));
        form.append("user_id", user);
        return fetch(`${base}/files/upload`, { method: "POST", headers: { "idempotency-key": `upload-${user}` }, body: form });
      };
      const [u1, u2] = [await upload(), await upload()];
      expect(u2.headers.get("idempotent-replayed")).toBe("true");
      expect(await u2.json()).toEqual(await u1.json());
    });
  });
}

describe("Idempotency-Key on /chat streams", () => {
  let harness: Harness;
  let base: string;
  beforeAll(async () => {
    harness = await startHarness({ config: CONFIG });
    base = harness.app.listen();
  });
  afterAll(() => harness?.close());
  beforeEach(() => harness.mock.reset());

  const stream = (body: unknown, key: string, init: RequestInit = {}) =>
    fetch(`${base}/chat`, {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": key },
      body: JSON.stringify({ ...(body as object), stream: true }),
      ...init,
    });
  const words = Array.from({ length: 60 }, (_, i) => `w${i}`).join(" ");

  test("50 concurrent streams with one key: one upstream call and stored turn, 50 identical event streams", async () => {
    const user = newId("user");
    const key = newId("req");
    harness.mock.script({ kind: "reply", text: words, chunkDelayMs: 5 });
    const answers = await Promise.all(Array.from({ length: 50 }, () => stream({ message: "stream once", user_id: user }, key)));
    const texts = await Promise.all(answers.map((r) => r.text()));
    expect(new Set(texts).size).toBe(1);
    expect(texts[0]).toContain("data: [DONE]");
    expect(texts[0]).toContain("id: 1\n");
    expect(answers.filter((r) => r.headers.get("idempotent-replayed") === "true")).toHaveLength(49);
    expect(harness.mock.requests).toHaveLength(1);
    expect(await harness.app.deps.store.conversations.countByUser(user)).toBe(1);
    expect(await harness.app.deps.store.usage.listByUser(user, 10)).toHaveLength(1);
  });

  test("a /v1/responses stream with a key: the repeat gets the same events, from one upstream call", async () => {
    const key = newId("req");
    const body = JSON.stringify({ model: "gpt-4o", input: "respond once", stream: true, user: newId("user") });
    const send = () => fetch(`${base}/v1/responses`, { method: "POST", headers: { "content-type": "application/json", "idempotency-key": key }, body });
    const [first, second] = await Promise.all([send(), send()]);
    const [a, b] = [await first.text(), await second.text()];
    expect(b).toBe(a);
    expect(a).toContain("event: response.completed");
    expect([first, second].filter((r) => r.headers.get("idempotent-replayed") === "true")).toHaveLength(1);
    expect(harness.mock.requests).toHaveLength(1);
  });

  test("a retry after a network cut mid-stream replays the whole stream; no second call or charge", async () => {
    const user = newId("user");
    const key = newId("req");
    harness.mock.script({ kind: "reply", text: words, chunkDelayMs: 20 });
    const controller = new AbortController();
    const first = await stream({ message: "cut me", user_id: user }, key, { signal: controller.signal });
    const reader = first.body!.getReader();
    let seen = "";
    while (!seen.includes("w3")) seen += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    const retry = await stream({ message: "cut me", user_id: user }, key);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    const text = await retry.text();
    expect(text.startsWith(seen.slice(0, seen.indexOf("\n\n")))).toBe(true); // from the first event
    const content = text
      .split("\n\n")
      .filter((e) => e.includes("data: {"))
      .map((e) => JSON.parse(e.slice(e.indexOf("data: ") + 6)).choices?.[0]?.delta?.content ?? "")
      .join("");
    expect(content).toBe(words);
    // After the end: the kept text, the same again.
    const after = await waitFor(async () => {
      const r = await stream({ message: "cut me", user_id: user }, key);
      const body = await r.text();
      return body === text ? body : undefined;
    }, "the kept stream");
    expect(after).toBe(text);
    expect(harness.mock.requests).toHaveLength(1);
    expect(await harness.app.deps.store.usage.listByUser(user, 10)).toHaveLength(1);
  });
});
