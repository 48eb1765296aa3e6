// The rest of OpenAI's surface that clients call besides chat: models.retrieve, embeddings, and
// chat requests the spec allows (nullable parameters as null, function messages, long user ids),
// plus tool calls passing through /v1/chat/completions, whole and streamed.
import { afterAll, beforeAll, beforeEach, expect, test } from "bun:test";
import OpenAI from "openai";
import type { TestApp } from "../support/app.ts";
import type { MockUpstream } from "../support/mock-upstream.ts";
import { startHarness, type Harness } from "../support/harness.ts";
import { boundedUserId } from "../../src/lib/ids.ts";

let mock: MockUpstream;
let t: TestApp;
let sdk: OpenAI;
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({
    config: {
      model: "gpt-4o",
      rate_limit_per_minute: 100_000,
      models: {
        "gpt-4o": { pricing: { input_per_1k: 0.0025, output_per_1k: 0.01 } },
        "text-embedding-3-small": { pricing: { input_per_1k: 0.1, output_per_1k: 0 } },
      },
      providers: [{ name: "openai", models: ["gpt-*", "text-embedding-*"], max_retries: 0 }],
    },
    upstreamKey: "sk-upstream",
  });
  ({ mock, app: t } = harness);
  sdk = new OpenAI({ baseURL: `${t.listen()}/v1`, apiKey: "sk-client", maxRetries: 0 });
});
afterAll(() => harness?.close());
beforeEach(() => mock.reset());

test("models.retrieve returns the spec's Model; an unknown model is a typed 404 model_not_found", async () => {
  expect(await sdk.models.retrieve("gpt-4o")).toEqual({ id: "gpt-4o", object: "model", created: 0, owned_by: "openai" });
  const err = await sdk.models.retrieve("nope-1").catch((e) => e);
  expect(err).toBeInstanceOf(OpenAI.NotFoundError);
  expect(err.code).toBe("model_not_found");
});

test("embeddings.create (the SDK's default base64, and floats with dimensions) is passed on, recorded and billed", async () => {
  const res = await sdk.embeddings.create({ model: "text-embedding-3-small", input: ["one two three", "four"], user: "emb-user" });
  expect(res.data.map((d) => d.index)).toEqual([0, 1]);
  expect(res.data[0]!.embedding.length).toBe(8); // decoded by the SDK from base64
  expect(res.usage).toEqual({ prompt_tokens: 4, total_tokens: 4 });
  expect(mock.requests[0]!.body).toMatchObject({ model: "text-embedding-3-small", encoding_format: "base64" });

  const floats = await sdk.embeddings.create({ model: "text-embedding-3-small", input: "hello", dimensions: 3, encoding_format: "float", user: "emb-user" });
  expect(floats.data[0]!.embedding.length).toBe(3);
  expect(mock.requests[1]!.body).toMatchObject({ dimensions: 3, encoding_format: "float" });

  const records = await t.deps.store.usage.listByUser("emb-user", 10);
  const rows = records.map((r) => [r.route, r.tokens_input, r.tokens_output, r.status, r.cost]).sort((a, b) => Number(a[1]) - Number(b[1]));
  // $0.1 per 1K tokens: 100 micro-dollars a token.
  expect(rows).toEqual([
    ["/v1/embeddings", 1, 0, 200, 100],
    ["/v1/embeddings", 4, 0, 200, 400],
  ]);
});

test("embeddings of an unknown model are a 404; a bad input a 400 in OpenAI's shape", async () => {
  const missing = await sdk.embeddings.create({ model: "nope-embed", input: "x" }).catch((e) => e);
  expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
  const bad = await sdk.embeddings.create({ model: "text-embedding-3-small", input: 42 as never }).catch((e) => e);
  expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
  expect(bad.param).toBe("input");
});

test("every nullable chat-completions parameter may be null (treated as absent)", async () => {
  const nulls = {
    temperature: null,
    top_p: null,
    max_tokens: null,
    max_completion_tokens: null,
    stream: null,
    seed: null,
    presence_penalty: null,
    frequency_penalty: null,
    n: null,
    stop: null,
    logprobs: null,
    top_logprobs: null,
    logit_bias: null,
    stream_options: null,
    service_tier: null,
    response_format: null,
    reasoning_effort: null,
    modalities: null,
    audio: null,
    prediction: null,
    parallel_tool_calls: null,
    tool_choice: null,
    tools: null,
  };
  const res = await fetch(`${sdk.baseURL}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "null everything" }], ...nulls }),
  });
  expect(res.status).toBe(200);
  expect(((await res.json()) as { object: string }).object).toBe("chat.completion");
  const sent = mock.requests[0]!.body;
  for (const key of Object.keys(nulls)) if (key !== "stream" && key !== "stream_options") expect(sent).not.toHaveProperty(key);
});

test("a role:function message and a user id longer than 255 characters are accepted", async () => {
  const user = "u".repeat(300);
  const res = await sdk.chat.completions.create({
    model: "gpt-4o",
    user,
    messages: [
      { role: "user", content: "weather?" },
      { role: "assistant", content: null, function_call: { name: "weather", arguments: "{}" } },
      { role: "function", name: "weather", content: "sunny" },
      { role: "user", content: "thanks" },
    ],
  });
  expect(res.choices[0]!.message.content).toBe("Echo: thanks");
  expect(mock.requests[0]!.body.user).toBe(user); // the upstream gets it as sent
  const [rec] = await t.deps.store.usage.listByUser(boundedUserId(user), 1);
  expect(rec?.route).toBe("/v1/chat/completions");
});

test("tool calls pass through /v1/chat/completions, whole and streamed (tool_calls deltas)", async () => {
  const tools = [{ type: "function" as const, function: { name: "lookup", parameters: { type: "object", properties: { input: { type: "string" } } } } }];
  const whole = await sdk.chat.completions.create({ model: "gpt-4o", tools, messages: [{ role: "user", content: "find cats" }] });
  expect(whole.choices[0]!.finish_reason).toBe("tool_calls");
  const call = whole.choices[0]!.message.tool_calls![0]!;
  expect(call.type === "function" && call.function).toEqual({ name: "lookup", arguments: '{"input":"find cats"}' });

  const stream = sdk.chat.completions.stream({ model: "gpt-4o", tools, messages: [{ role: "user", content: "find dogs" }] });
  const done = await stream.finalChatCompletion();
  const streamed = done.choices[0]!.message.tool_calls![0]!;
  expect(streamed.type === "function" && streamed.function).toEqual({ name: "lookup", arguments: '{"input":"find dogs"}' });

  const answer = await sdk.chat.completions.create({
    model: "gpt-4o",
    tools,
    messages: [{ role: "user", content: "find cats" }, whole.choices[0]!.message, { role: "tool", tool_call_id: call.id, content: "3 cats" }],
  });
  expect(answer.choices[0]!.message.content).toBe("Tool said: 3 cats");
});
