// What a new user meets first, over real HTTP: a server with no provider key says what to set
// instead of retrying an upstream that cannot answer; a failed first turn names no conversation;
// without any config.yaml the common models are listed and billed at their own prices.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { errorOf, startTestApp, type TestApp } from "../support/app.ts";
import type { MockUpstream } from "../support/mock-upstream.ts";
import { startHarness, type Harness } from "../support/harness.ts";
import { PNG_1PX } from "../support/fixtures.ts";
import { newId } from "../../src/lib/ids.ts";

/** Explicit: under a full parallel suite these start processes or wait out upstream retries. */
const TIMEOUT_MS = 60_000;

const post = (base: string, path: string, body: unknown) =>
  fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

function form(fields: Record<string, string>, files: Array<[string, File]>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  for (const [k, file] of files) f.append(k, file);
  return f;
}

describe("no provider key and no base URL", () => {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    t = await startTestApp({ config: { rate_limit_per_minute: 1000 }, env: {} });
    base = t.listen();
  });
  afterAll(() => t.close());

  test(
    "every route that calls upstream answers 503 provider_not_configured saying what to set, and stores nothing",
    async () => {
      const user = newId("user");
      const answers: Array<[string, Response]> = [
        ["/chat", await post(base, "/chat", { message: "Hello!", user_id: user })],
        ["/chat stream", await post(base, "/chat", { message: "Hello!", user_id: user, stream: true })],
        ["/chat/stream", await post(base, "/chat/stream", { message: "Hello!", user_id: user })],
        [
          "/chat/image",
          await fetch(`${base}/chat/image`, {
            method: "POST",
            body: form({ message: "what is it?", user_id: user }, [["images", new File([PNG_1PX], "a.png")]]),
          }),
        ],
        [
          "/chat/file",
          await fetch(`${base}/chat/file`, {
            method: "POST",
            body: form({ message: "summarise", user_id: user }, [["file", new File(["some text"], "a.txt")]]),
          }),
        ],
        ["/v1/chat/completions", await post(base, "/v1/chat/completions", { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], user })],
      ];
      for (const [route, res] of answers) {
        expect({ route, status: res.status }).toEqual({ route, status: 503 });
        expect(res.headers.get("x-conversation-id")).toBeNull();
        const e = await errorOf(res);
        expect(e).toMatchObject({ type: "service_unavailable", code: "provider_not_configured" });
        for (const hint of ["OPENAI_API_KEY", "OPENAI_BASE_URL", "Ollama", "providers:", "config.yaml"]) expect(e.message).toContain(hint);
      }
      expect(await t.deps.store.conversations.countByUser(user)).toBe(0);
      expect(await t.deps.store.usage.listByUser(user, 10)).toEqual([]);
    },
    TIMEOUT_MS,
  );

  test(
    "the official SDK gets the same 503 with its message, for a stream too",
    async () => {
      const sdk = new OpenAI({ baseURL: `${base}/v1`, apiKey: "unused", maxRetries: 0 });
      for (const stream of [false, true]) {
        const err = await sdk.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }], stream }).then(
          () => null,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(OpenAI.APIError);
        expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
        expect((err as InstanceType<typeof OpenAI.APIError>).code).toBe("provider_not_configured");
      }
    },
    TIMEOUT_MS,
  );
});

test(
  "a provider of providers: without its key names its own variable",
  async () => {
    const t = await startTestApp({ config: { model: "vendor/x", providers: [{ name: "router", api_key_env: "ROUTER_KEY", models: ["vendor/*"] }] }, env: {} });
    try {
      const res = await t.request("POST", "/chat", { body: { message: "hi" } });
      expect(res.status).toBe(503);
      const e = await errorOf(res);
      expect(e.code).toBe("provider_not_configured");
      expect(e.message).toContain("ROUTER_KEY");
      expect(e.message).toContain("base_url for provider 'router'");
    } finally {
      await t.close();
    }
  },
  TIMEOUT_MS,
);

describe("with an upstream", () => {
  let mock: MockUpstream;
  let t: TestApp;
  let base: string;
  let harness: Harness;
  beforeAll(async () => {
    // An empty config.yaml: only the built-in model table knows gpt-4o-mini.
    harness = await startHarness({ config: {}, upstreamKey: "sk-only-key" });
    ({ mock, app: t } = harness);
    base = t.listen();
  });
  afterAll(() => harness?.close());
  beforeEach(() => mock.reset());

  test(
    "a failed first turn names no conversation; a stored one is named and exists",
    async () => {
      const user = newId("user");
      mock.script({ kind: "error", status: 500 }, { kind: "error", status: 500 }, { kind: "error", status: 500 });
      const failed = await post(base, "/chat", { message: "first try", user_id: user });
      expect(failed.status).toBe(502);
      expect(failed.headers.get("x-conversation-id")).toBeNull();

      mock.script({ kind: "error", status: 500 }, { kind: "error", status: 500 }, { kind: "error", status: 500 });
      const failedStream = await post(base, "/chat", { message: "first try, streamed", user_id: user, stream: true });
      expect(failedStream.status).toBe(502);
      expect(failedStream.headers.get("x-conversation-id")).toBeNull();
      expect(await t.deps.store.conversations.countByUser(user)).toBe(0);

      for (const stream of [false, true]) {
        const ok = await post(base, "/chat", { message: "second try", user_id: user, stream });
        expect(ok.status).toBe(200);
        await ok.text();
        const id = ok.headers.get("x-conversation-id");
        expect(id).toStartWith("conv_");
        expect((await fetch(`${base}/conversations/${id}`)).status).toBe(200);
      }
    },
    TIMEOUT_MS,
  );

  test(
    "a failed turn in an existing conversation still names it",
    async () => {
      const first = (await (await post(base, "/chat", { message: "hello" })).json()) as { conversation_id: string };
      mock.script({ kind: "error", status: 400, message: "bad request upstream" });
      const res = await post(base, "/chat", { message: "again", conversation_id: first.conversation_id });
      expect(res.status).toBe(400);
      expect(res.headers.get("x-conversation-id")).toBe(first.conversation_id);
    },
    TIMEOUT_MS,
  );

  test(
    "/v1/models lists the built-in models, chat and embedding, without a models: section",
    async () => {
      const sdk = new OpenAI({ baseURL: `${base}/v1`, apiKey: "unused", maxRetries: 0 });
      const ids = (await sdk.models.list()).data.map((m) => m.id);
      for (const id of ["gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "text-embedding-3-small", "text-embedding-3-large"]) expect(ids).toContain(id);
    },
    TIMEOUT_MS,
  );

  test(
    "a gpt-4o-mini turn is billed at gpt-4o-mini's price, not the flat one",
    async () => {
      const res = await post(base, "/chat", { message: "how much is this?", model: "gpt-4o-mini" });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { cost: number; usage: { prompt_tokens: number; completion_tokens: number } };
      // $0.15 and $0.60 per million tokens: micro-dollars are 0.15 per prompt and 0.6 per answer token.
      const expected = Math.round(body.usage.prompt_tokens * 0.15 + body.usage.completion_tokens * 0.6) / 1e6;
      const flat = (body.usage.prompt_tokens * 2.5 + body.usage.completion_tokens * 10) / 1e6;
      expect(body.cost).toBe(expected);
      expect(body.cost).toBeLessThan(flat / 10);
    },
    TIMEOUT_MS,
  );
});
