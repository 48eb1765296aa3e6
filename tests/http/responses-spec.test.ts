// Our answers checked against OpenAI's own OpenAPI schemas (extracted in tests/support/openai-spec.json):
// response objects whole and stored, every stream event, input item lists, Model and embeddings.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Validator } from "@cfworker/json-schema";
import OpenAI from "openai";
import spec from "../support/openai-spec.json";
import type { TestApp } from "../support/app.ts";
import type { MockUpstream } from "../support/mock-upstream.ts";
import { startHarness, type Harness } from "../support/harness.ts";

const EVENT_SCHEMAS: Record<string, string> = {
  "response.created": "ResponseCreatedEvent",
  "response.in_progress": "ResponseInProgressEvent",
  "response.output_item.added": "ResponseOutputItemAddedEvent",
  "response.content_part.added": "ResponseContentPartAddedEvent",
  "response.output_text.delta": "ResponseTextDeltaEvent",
  "response.output_text.done": "ResponseTextDoneEvent",
  "response.content_part.done": "ResponseContentPartDoneEvent",
  "response.function_call_arguments.delta": "ResponseFunctionCallArgumentsDeltaEvent",
  "response.function_call_arguments.done": "ResponseFunctionCallArgumentsDoneEvent",
  "response.output_item.done": "ResponseOutputItemDoneEvent",
  "response.completed": "ResponseCompletedEvent",
  "response.incomplete": "ResponseIncompleteEvent",
  "response.failed": "ResponseFailedEvent",
  error: "ResponseErrorEvent",
};

/** Asserts that `value` is valid for the spec's schema `name` (the errors name the failing paths). */
function expectValid(name: string, value: unknown): void {
  const validator = new Validator({ $ref: `#/components/schemas/${name}`, components: spec.components } as never, "2020-12", false);
  const result = validator.validate(value);
  const errors = result.errors.filter((e) => e.keyword !== "anyOf" && e.keyword !== "$ref" && e.keyword !== "allOf" && e.keyword !== "properties").slice(0, 5);
  expect({ name, valid: result.valid, errors: result.valid ? [] : errors.map((e) => `${e.instanceLocation}: ${e.error}`) }).toEqual({
    name,
    valid: true,
    errors: [],
  });
}

let mock: MockUpstream;
let t: TestApp;
let base: string;
let sdk: OpenAI;
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({
    config: { model: "gpt-4o", rate_limit_per_minute: 100_000, providers: [{ name: "openai", models: ["gpt-*", "text-embedding-*"], max_retries: 0 }] },
    upstreamKey: "sk-upstream",
  });
  ({ mock, app: t } = harness);
  base = `${t.listen()}/v1`;
  sdk = new OpenAI({ baseURL: base, apiKey: "sk-client", maxRetries: 0 });
});
afterAll(() => harness?.close());

const TOOL = {
  type: "function",
  name: "lookup",
  strict: true,
  parameters: { type: "object", properties: { input: { type: "string" } }, required: ["input"], additionalProperties: false },
};

async function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

async function eventsOf(res: Response): Promise<Array<Record<string, any>>> {
  const text = await res.text();
  return text
    .split("\n\n")
    .filter(Boolean)
    .map((frame) => {
      const [eventLine, dataLine] = frame.split("\n").filter((line) => !line.startsWith("id: ")); // every event has an id
      const event = JSON.parse(dataLine!.slice("data: ".length));
      expect(eventLine).toBe(`event: ${event.type}`);
      return event;
    });
}

test("response objects (text, tool call, incomplete, with every echoed setting) match the spec's Response", async () => {
  const bodies = [
    {
      model: "gpt-4o",
      input: "plain",
      instructions: "Be brief.",
      metadata: { k: "v" },
      temperature: 0.5,
      top_p: 0.9,
      max_output_tokens: 64,
      user: "spec-user",
    },
    { model: "gpt-4o", input: "call it", tools: [TOOL], tool_choice: "auto", parallel_tool_calls: false },
    {
      model: "gpt-4o",
      input: "json",
      text: { format: { type: "json_schema", name: "x", schema: { type: "object", properties: {}, additionalProperties: false }, strict: true } },
    },
  ];
  for (const body of bodies) {
    const res = await post("/responses", body);
    expect(res.status).toBe(200);
    const json = (await res.json()) as { id: string };
    expectValid("Response", json);
    expectValid("Response", await (await fetch(`${base}/responses/${json.id}`)).json());
    const items = await (await fetch(`${base}/responses/${json.id}/input_items`)).json();
    expectValid("ResponseItemList", items);
  }
  mock.script({ kind: "reply", text: "cut", finishReason: "length" });
  expectValid("Response", await (await post("/responses", { model: "gpt-4o", input: "long" })).json());
  const chained = await sdk.responses.create({
    model: "gpt-4o",
    input: [
      { role: "user", content: "a" },
      { type: "function_call", call_id: "c1", name: "lookup", arguments: "{}" },
      { type: "function_call_output", call_id: "c1", output: "r" },
    ],
  });
  expectValid("ResponseItemList", await (await fetch(`${base}/responses/${chained.id}/input_items`)).json());
});

test("every stream event matches its schema in the spec: text, a tool call, a failure", async () => {
  const seen = new Set<string>();
  mock.script(
    { kind: "reply", text: "one two" },
    { kind: "tool-calls", calls: [{ name: "lookup", arguments: '{"input":"q"}' }] },
    { kind: "stream-error", afterChunks: 1 },
  );
  for (const body of [{ input: "text" }, { input: "tool", tools: [TOOL] }, { input: "fail" }]) {
    const events = await eventsOf(await post("/responses", { model: "gpt-4o", stream: true, ...body }));
    for (const event of events) {
      const schema = EVENT_SCHEMAS[event.type];
      expect(schema).toBeDefined();
      expectValid(schema!, event);
      seen.add(event.type);
    }
  }
  expect([...seen].sort()).toEqual(
    Object.keys(EVENT_SCHEMAS)
      .filter((type) => type !== "error" && type !== "response.incomplete")
      .sort(),
  );
});

test("a turn that cannot be stored ends its stream with the spec's error event", async () => {
  const first = await sdk.responses.create({ model: "gpt-4o", input: "start" });
  const conversationId = (await t.deps.store.responses.get(first.id))!.conversation_id;
  mock.script({ kind: "reply", text: "one two three four", chunkDelayMs: 100 });
  const res = await post("/responses", { model: "gpt-4o", input: "next", previous_response_id: first.id, stream: true });
  await t.deps.store.transaction((tx) => tx.conversations.hardDelete(conversationId)); // gone while the reply streams
  const events = await eventsOf(res);
  const last = events.at(-1)!;
  expect(last.type).toBe("error");
  expectValid("ResponseErrorEvent", last);
});

test("Model and embeddings answers match the spec", async () => {
  expectValid("Model", await (await fetch(`${base}/models/gpt-4o`)).json());
  expectValid("CreateEmbeddingResponse", await (await post("/embeddings", { model: "text-embedding-3-small", input: ["a b", "c"] })).json());
});
