// Issue 16: a model served by several deployments (spread by weight, skipped while their circuit is
// open) and fallback models, against three mock upstreams. The server's clock is the test's, so a
// cool-down passes without waiting.
import { afterAll, beforeAll, beforeEach, expect, test } from "bun:test";
import OpenAI from "openai";
import { startTestApp, errorOf, type TestApp } from "../support/app.ts";
import { startMockUpstream, type MockUpstream } from "../support/mock-upstream.ts";
import { readSse } from "../support/sse.ts";
import { newId } from "../../src/lib/ids.ts";
import { waitFor } from "../support/temp.ts";

let a: MockUpstream;
let b: MockUpstream;
let c: MockUpstream;
let t: TestApp;
let clock = Date.parse("2026-11-30T10:00:00Z");
const logLines: string[] = [];

const pricing = (input: number, output: number) => ({ input_per_1k: input, output_per_1k: output });
/** One model's deployments on a and b; weight 0 on b keeps a first, so the order is known. */
const pair = (name: string, weights: [number, number] = [1, 0]) => ({
  deployments: [
    { provider: "a", upstream_model: `${name}-a`, weight: weights[0] },
    { provider: "b", upstream_model: `${name}-b`, weight: weights[1] },
  ],
  pricing: pricing(0.01, 0.03),
});

beforeAll(async () => {
  [a, b, c] = [startMockUpstream(), startMockUpstream(), startMockUpstream()];
  t = await startTestApp({
    logLines,
    now: () => new Date(clock),
    config: {
      model: "spread",
      rate_limit_per_minute: 100000,
      cost_limit_per_session: 0,
      routing: { failure_threshold: 3, failure_window_seconds: 30, cooldown_seconds: 30 },
      models: {
        spread: pair("spread", [3, 1]),
        flaky: pair("flaky"),
        primary: { ...pair("primary"), fallbacks: ["cheap"] },
        streamy: { ...pair("streamy"), fallbacks: ["cheap"] },
        picky: { ...pair("picky"), fallbacks: ["cheap"] },
        vectors: { ...pair("vectors"), pricing: pricing(0.0001, 0) },
        patient: {
          deployments: [
            { provider: "a-quick", upstream_model: "patient-a", weight: 1 },
            { provider: "b", upstream_model: "patient-b", weight: 0 },
          ],
        },
        cheap: { provider: "c", upstream_model: "cheap-c", context_window: 512, pricing: pricing(0.001, 0.002) },
      },
      providers: [
        { name: "a", base_url: a.baseUrl, models: [] },
        { name: "b", base_url: b.baseUrl, models: [] },
        { name: "c", base_url: c.baseUrl, models: [] },
        { name: "a-quick", base_url: a.baseUrl, models: [], timeout_ms: 300 },
      ],
    },
  });
});
afterAll(async () => {
  await t.close();
  for (const m of [a, b, c]) await m.stop();
});
beforeEach(() => {
  for (const m of [a, b, c]) m.reset();
});

const complete = (model: string, extra: Record<string, unknown> = {}) =>
  t.request("POST", "/v1/chat/completions", { body: { model, messages: [{ role: "user", content: "hello there" }], ...extra } });

const deploymentStates = async () => {
  const health = (await (await t.request("GET", "/health")).json()) as {
    checks: { openai_api: { deployments: Array<{ model: string; provider: string; state: string }> } };
  };
  return Object.fromEntries(health.checks.openai_api.deployments.map((d) => [`${d.model}/${d.provider}`, d.state]));
};

test("requests spread over two deployments by weight (3:1)", async () => {
  const n = 400;
  for (let i = 0; i < n; i++) expect((await complete("spread")).status).toBe(200);
  expect(a.requests.length + b.requests.length).toBe(n);
  expect(a.requests.every((r) => r.body.model === "spread-a")).toBe(true);
  // 3:1 is 75 %; ±10 points is more than four standard deviations at 400 requests.
  expect(a.requests.length / n).toBeGreaterThan(0.65);
  expect(a.requests.length / n).toBeLessThan(0.85);
});

test("a deployment answering 500s: its requests go to the other, it is skipped after 3 failures and probed after the cool-down", async () => {
  a.setDefault({ kind: "error", status: 500 });
  for (let i = 0; i < 3; i++) {
    const res = await complete("flaky");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-textllm-provider")).toBe("b");
  }
  expect(a.requests.length).toBe(3); // no SDK retries while another deployment can answer
  expect((await deploymentStates())["flaky/a"]).toBe("open");

  expect((await complete("flaky")).status).toBe(200);
  expect(a.requests.length).toBe(3); // skipped while open
  expect(b.requests.length).toBe(4);

  clock += 30_000;
  expect((await deploymentStates())["flaky/a"]).toBe("half_open");
  expect((await complete("flaky")).status).toBe(200); // the probe fails: open again
  expect(a.requests.length).toBe(4);
  expect((await deploymentStates())["flaky/a"]).toBe("open");
  expect((await complete("flaky")).status).toBe(200);
  expect(a.requests.length).toBe(4);

  a.setDefault({ kind: "reply" });
  clock += 30_000;
  const probe = await complete("flaky");
  expect(probe.headers.get("x-textllm-provider")).toBe("a"); // the probe succeeds: closed
  expect((await deploymentStates())["flaky/a"]).toBe("closed");
  expect((await complete("flaky")).headers.get("x-textllm-provider")).toBe("a");
});

test("every deployment failing before the answer: the fallback model answers, re-fitted, and is named and priced", async () => {
  a.script({ kind: "error", status: 500 });
  b.script({ kind: "error", status: 429, message: "slow down" });
  const long = "word ".repeat(700);
  const user = newId("user");
  const res = await t.request("POST", "/v1/chat/completions", {
    headers: { "x-textllm-user": user },
    body: {
      model: "primary",
      user,
      max_tokens: 50,
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: long },
        { role: "assistant", content: long },
        { role: "user", content: "and now?" },
      ],
    },
  });
  expect(res.status).toBe(200);
  expect(res.headers.get("x-textllm-model")).toBe("cheap");
  expect(res.headers.get("x-textllm-provider")).toBe("c");
  expect(a.requests[0]!.body.messages.length).toBe(4);
  // cheap's 512-token window cannot hold the old turns: the system prompt and the question stay.
  expect(c.requests[0]!.body).toMatchObject({
    model: "cheap-c",
    messages: [
      { role: "system", content: "Be brief." },
      { role: "user", content: "and now?" },
    ],
  });
  const body = (await res.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
  const records = await t.deps.store.usage.listByUser(user, 5);
  expect(records.length).toBe(1);
  const [rec] = records;
  expect(rec).toMatchObject({ model: "cheap", provider: "c", status: 200 });
  // The access line is written just after the response has gone out.
  const access = await waitFor(
    () => logLines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === "request" && l.request_id === rec!.request_id),
    "the access line",
  );
  expect(access).toMatchObject({ model: "cheap", provider: "c", status: 200 });
  // cheap's prices: $0.001 / $0.002 per 1K tokens, in micro-dollars.
  expect(rec!.cost).toBe(Math.round(body.usage.prompt_tokens * 1 + body.usage.completion_tokens * 2));
});

test("/chat names the answering model in its fields and headers, whole and streamed", async () => {
  a.script({ kind: "error", status: 503 }, { kind: "error", status: 503 });
  b.script({ kind: "error", status: 502 }, { kind: "error", status: 502 });
  const whole = await t.request("POST", "/chat", { body: { message: "hi", model: "primary" } });
  expect(whole.status).toBe(200);
  expect(((await whole.json()) as { served_by: unknown }).served_by).toEqual({ model: "cheap", provider: "c" });
  const streamed = await t.request("POST", "/chat", { body: { message: "hi", model: "primary", stream: true } });
  expect(streamed.status).toBe(200);
  expect(streamed.headers.get("x-textllm-model")).toBe("cheap");
  const frames = await readSse(streamed);
  expect(frames.at(-1)).toBe("[DONE]");
  const last = JSON.parse(frames.at(-2)!) as { served_by: unknown };
  expect(last.served_by).toEqual({ model: "cheap", provider: "c" });
});

test("a stream failing before its first chunk moves on; one cut mid-answer ends with an error event, not [DONE], and does not fall back", async () => {
  a.script({ kind: "cut", afterChunks: -1 });
  const sdk = new OpenAI({ baseURL: `${t.listen()}/v1`, apiKey: "unused", maxRetries: 0 });
  const { data: stream, response } = await sdk.chat.completions
    .create({ model: "streamy", stream: true, messages: [{ role: "user", content: "one two" }] })
    .withResponse();
  let text = "";
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
  expect(text).toBe("Echo: one two");
  expect(response.headers.get("x-textllm-provider")).toBe("b");

  a.reset();
  b.reset();
  a.script({ kind: "cut", afterChunks: 2 });
  const res = await complete("streamy", { stream: true });
  expect(res.status).toBe(200);
  const frames = await readSse(res);
  expect(frames).not.toContain("[DONE]");
  expect(JSON.parse(frames.at(-1)!).error.code).toBe("upstream_stream_interrupted");
  expect(b.requests.length + c.requests.length).toBe(0);
});

test("a stream that answers but sends no chunk within its provider's timeout moves on", async () => {
  a.script({ kind: "stall", afterChunks: -1 });
  const res = await complete("patient", { stream: true });
  expect(res.status).toBe(200);
  expect(res.headers.get("x-textllm-provider")).toBe("b");
  const frames = await readSse(res);
  expect(frames.at(-1)).toBe("[DONE]");
  expect(a.requests.length).toBe(1);
  expect(a.cancelled).toBe(1);
});

test("a 400 from the upstream is not retried elsewhere and comes back as a 400", async () => {
  a.script({ kind: "error", status: 400, message: "bad parameter" });
  const res = await complete("picky");
  expect(res.status).toBe(400);
  expect((await errorOf(res)).message).toBe("bad parameter");
  expect(a.requests.length).toBe(1);
  expect(b.requests.length + c.requests.length).toBe(0);
});

test("embeddings fail over too", async () => {
  a.script({ kind: "error", status: 500 });
  const res = await t.request("POST", "/v1/embeddings", { body: { model: "vectors", input: "two words" } });
  expect(res.status).toBe(200);
  expect(res.headers.get("x-textllm-provider")).toBe("b");
  expect(((await res.json()) as { model: string }).model).toBe("vectors");
  expect(b.requests[0]!.body.model).toBe("vectors-b");
});

test("/v1/models lists each model once", async () => {
  const list = (await (await t.request("GET", "/v1/models")).json()) as { data: Array<{ id: string; owned_by: string }> };
  const ids = list.data.map((m) => m.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(list.data).toEqual(expect.arrayContaining([expect.objectContaining({ id: "primary", owned_by: "a" })]));
});

test("the budget reserves for the most expensive candidate, a fallback included", async () => {
  const tight = await startTestApp({
    config: {
      cost_limit_per_session: 0.01, // 10,000 micro-dollars a day
      models: {
        thrifty: { provider: "a", pricing: pricing(0, 0.001), fallbacks: ["lavish"] }, // 1 micro-dollar per answer token
        lavish: { provider: "c", pricing: pricing(0, 0.1) }, // 100 per answer token
      },
      providers: [
        { name: "a", base_url: a.baseUrl, models: [] },
        { name: "c", base_url: c.baseUrl, models: [] },
      ],
    },
  });
  try {
    const ask = (model: string) =>
      tight.request("POST", "/v1/chat/completions", { body: { model, user: "saver", max_tokens: 1000, messages: [{ role: "user", content: "hi" }] } });
    // 1,000 answer tokens at lavish's price is 100,000 micro-dollars: not even min_answer_tokens fit.
    const refused = await ask("thrifty");
    expect(refused.status).toBe(402);
    expect((await errorOf(refused)).code).toBe("budget_exceeded");
    expect(a.requests.length).toBe(0);
  } finally {
    await tight.close();
  }
});

test("/v1/responses falls back too, and /metrics counts the answering model", async () => {
  a.script({ kind: "error", status: 500 });
  b.script({ kind: "error", status: 500 });
  const sdk = new OpenAI({ baseURL: `${t.listen()}/v1`, apiKey: "unused", maxRetries: 0 });
  const { data: response, response: raw } = await sdk.responses.create({ model: "primary", input: "respond please" }).withResponse();
  expect(response.output_text).toBe("Echo: respond please");
  expect(raw.headers.get("x-textllm-model")).toBe("cheap");
  const metrics = await (await t.request("GET", "/metrics")).text();
  expect(metrics).toMatch(/textllm_tokens_total\{model="cheap",direction="output"\} [1-9]/);
});
