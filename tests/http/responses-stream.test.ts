// The Responses API's typed event stream, read by the official SDK's stream helpers: the events in
// the spec's order with their sequence numbers, tool calls as argument deltas, failures as
// response.failed, and a client that leaves mid-reply still gets its partial reply stored.
import { afterAll, beforeAll, beforeEach, expect, test } from "bun:test";
import OpenAI from "openai";
import type { TestApp } from "../support/app.ts";
import type { MockUpstream } from "../support/mock-upstream.ts";
import { startHarness, type Harness } from "../support/harness.ts";
import { waitFor } from "../support/temp.ts";

let mock: MockUpstream;
let t: TestApp;
let base: string;
let sdk: OpenAI;
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({
    config: {
      model: "gpt-4o",
      rate_limit_per_minute: 100_000,
      models: { "gpt-4o": { pricing: { input_per_1k: 0.0025, output_per_1k: 0.01 } } },
      providers: [{ name: "openai", models: ["gpt-*"], max_retries: 0 }],
      // This suite checks the cancel on disconnect; responses-background.test.ts the default (the answer goes on).
      streams: { continue_after_disconnect: false },
    },
    upstreamKey: "sk-upstream",
  });
  ({ mock, app: t } = harness);
  base = t.listen();
  sdk = new OpenAI({ baseURL: `${base}/v1`, apiKey: "sk-client", maxRetries: 0 });
});
afterAll(() => harness?.close());
beforeEach(() => mock.reset());

const TOOL = { type: "function" as const, name: "lookup", strict: false, parameters: { type: "object", properties: { input: { type: "string" } } } };

test("a text stream: the spec's events in order, numbered; the helper's final response is the stored one", async () => {
  mock.script({ kind: "reply", text: "alpha beta gamma" });
  const stream = sdk.responses.stream({ model: "gpt-4o", input: "stream me" });
  const events: Array<{ type: string; sequence_number: number }> = [];
  const deltas: string[] = [];
  stream.on("response.output_text.delta", (e) => deltas.push(e.delta));
  for await (const e of stream) events.push(e);
  const final = await stream.finalResponse();

  expect(events.map((e) => e.type)).toEqual([
    "response.created",
    "response.in_progress",
    "response.output_item.added",
    "response.content_part.added",
    "response.output_text.delta",
    "response.output_text.delta",
    "response.output_text.delta",
    "response.output_text.done",
    "response.content_part.done",
    "response.output_item.done",
    "response.completed",
  ]);
  expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
  expect(deltas.join("")).toBe("alpha beta gamma");
  expect(final.output_text).toBe("alpha beta gamma");
  expect(final.status).toBe("completed");
  expect(final.usage?.output_tokens).toBe(3);
  expect(events[0]).toMatchObject({ response: { id: final.id, status: "in_progress", output: [] } });
  const stored = await sdk.responses.retrieve(final.id);
  expect(final.output).toMatchObject(stored.output);
  expect(stored.usage).toEqual(final.usage);
});

test("a streamed function call: added, argument deltas, done; then the tool's output continues the chain", async () => {
  const stream = sdk.responses.stream({ model: "gpt-4o", input: "find owls", tools: [TOOL] });
  const types: string[] = [];
  for await (const e of stream) types.push(e.type);
  const final = await stream.finalResponse();
  expect(types).toEqual([
    "response.created",
    "response.in_progress",
    "response.output_item.added",
    "response.function_call_arguments.delta",
    "response.function_call_arguments.delta",
    "response.function_call_arguments.done",
    "response.output_item.done",
    "response.completed",
  ]);
  const call = final.output[0]!;
  expect(call).toMatchObject({ type: "function_call", name: "lookup", arguments: '{"input":"find owls"}', status: "completed" });

  const next = await sdk.responses.create({
    model: "gpt-4o",
    tools: [TOOL],
    previous_response_id: final.id,
    stream: true,
    input: [{ type: "function_call_output", call_id: call.type === "function_call" ? call.call_id : "", output: "5 owls" }],
  });
  let done: OpenAI.Responses.Response | null = null;
  for await (const e of next) if (e.type === "response.completed") done = e.response;
  expect(
    done!.output_text ??
      done!.output
        .flatMap((i) => (i.type === "message" ? i.content : []))
        .map((c) => (c.type === "output_text" ? c.text : ""))
        .join(""),
  ).toBe("Tool said: 5 owls");
});

test("an upstream that fails mid-reply ends the stream with response.failed (stored as failed)", async () => {
  mock.script({ kind: "stream-error", afterChunks: 1 });
  const res = await fetch(`${base}/v1/responses`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "gpt-4o", input: "fail later", stream: true }),
  });
  expect(res.status).toBe(200);
  const text = await res.text();
  const events = text
    .split("\n\n")
    .filter(Boolean)
    .map((frame) =>
      JSON.parse(
        frame
          .split("\n")
          .find((l) => l.startsWith("data: "))!
          .slice(6),
      ),
    );
  const last = events.at(-1)!;
  expect(last.type).toBe("response.failed");
  expect(last.response).toMatchObject({ status: "failed", error: { code: "server_error" } });
  expect((await sdk.responses.retrieve(last.response.id)).status).toBe("failed");
});

test("a refused upstream call before the stream starts is a typed HTTP error", async () => {
  mock.script({ kind: "error", status: 400, message: "upstream says no" });
  const err = await sdk.responses.create({ model: "gpt-4o", input: "x", stream: true }).catch((e) => e);
  expect(err).toBeInstanceOf(OpenAI.APIError);
  expect(err.status).toBeGreaterThanOrEqual(400);
});

test("a client that leaves mid-stream: the partial reply is stored, the response is cancelled", async () => {
  mock.script({ kind: "reply", text: "one two three four five six seven eight nine ten", chunkDelayMs: 150 });
  const controller = new AbortController();
  const res = await fetch(`${base}/v1/responses`, {
    method: "POST",
    signal: controller.signal,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "gpt-4o", input: "long answer", stream: true }),
  });
  const conversationId = res.headers.get("x-conversation-id")!;
  const reader = res.body!.getReader();
  let received = "";
  while (!received.includes("two")) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`the stream ended early: ${received}`);
    received += new TextDecoder().decode(value);
  }
  const id = /"id":"(resp_[0-9a-f]+)"/.exec(received)![1]!;
  controller.abort();
  const conv = await waitFor(async () => {
    const c = await t.deps.store.conversations.get(conversationId);
    return c && c.message_count === 2 ? c : undefined;
  }, "the partial turn to be stored");
  const [, reply] = await t.deps.store.messages.list(conversationId, { limit: 10, order: "asc" });
  expect(reply!.finish_reason).toBe("cancelled");
  expect(reply!.content.startsWith("one two")).toBe(true);
  expect(conv.total_cost).toBe(reply!.cost);
  const stored = await sdk.responses.retrieve(id);
  expect(stored.status).toBe("cancelled");
});
