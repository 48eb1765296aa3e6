// The Responses API through the official openai SDK, on every database backend: a stored response is
// a turn of a TextLLM conversation, chains continue it, /chat and /v1/responses share it.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { BACKENDS, backendTitle, type BackendHandle } from "../support/backends.ts";
import type { TestApp } from "../support/app.ts";
import { startHarness, type Harness } from "../support/harness.ts";
import type { MockUpstream } from "../support/mock-upstream.ts";
import { PNG_1PX } from "../support/fixtures.ts";
import { newId } from "../../src/lib/ids.ts";

const CONFIG = {
  model: "gpt-4o",
  rate_limit_per_minute: 100_000,
  max_history_items: 50,
  models: { "gpt-4o": { context_window: 128000, pricing: { input_per_1k: 0.0025, cached_input_per_1k: 0.00125, output_per_1k: 0.01 } } },
  providers: [{ name: "openai", models: ["gpt-*"], max_retries: 0 }],
};

const LOOKUP = {
  type: "function" as const,
  name: "lookup",
  description: "Look something up",
  strict: false,
  parameters: { type: "object", properties: { input: { type: "string" } }, required: ["input"] },
};

for (const backend of BACKENDS) {
  describe.skipIf(backend.skip !== null)(`responses: ${backendTitle(backend)}`, () => {
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
    });
    afterAll(async () => {
      await harness?.close();
      await handle?.cleanup();
    });
    beforeEach(() => mock.reset());

    const messagesOf = async (conversationId: string) =>
      ((await (await fetch(`${base}/conversations/${conversationId}/messages`)).json()) as { data: Array<Record<string, any>> }).data;

    test("a text answer is a response object as the spec shapes it, stored as a conversation turn", async () => {
      const { data: res, response: raw } = await sdk.responses
        .create({ model: "gpt-4o", input: "Hello there", instructions: "Be brief.", metadata: { topic: "greeting" } })
        .withResponse();
      expect(res.id).toStartWith("resp_");
      expect(res).toMatchObject({
        object: "response",
        status: "completed",
        model: "gpt-4o",
        instructions: "Be brief.",
        metadata: { topic: "greeting" },
        previous_response_id: null,
        error: null,
        incomplete_details: null,
      });
      expect(res.output_text).toBe("Echo: Hello there");
      expect(res.output).toEqual([
        {
          id: expect.stringMatching(/^msg_/),
          type: "message",
          status: "completed",
          role: "assistant",
          content: [{ type: "output_text", text: "Echo: Hello there", annotations: [], logprobs: [] }],
        },
      ]);
      expect(res.usage).toEqual({
        input_tokens: 10,
        input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
        output_tokens: 3,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: 13,
      });
      // The instructions replace the configured prompt, as a client system message does on /chat.
      expect(mock.requests[0]!.body.messages).toEqual([
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hello there" },
      ]);
      const conversationId = raw.headers.get("x-conversation-id")!;
      expect((await messagesOf(conversationId)).map((m) => [m.role, m.content])).toEqual([
        ["system", "Be brief."],
        ["user", "Hello there"],
        ["assistant", "Echo: Hello there"],
      ]);
      expect(await sdk.responses.retrieve(res.id)).toMatchObject({ id: res.id, output: res.output, usage: res.usage });
    });

    test("previous_response_id chains three turns: the server supplies the history, and the chain is one conversation", async () => {
      const r1 = await sdk.responses.create({ model: "gpt-4o", input: "one" });
      const r2 = await sdk.responses.create({ model: "gpt-4o", input: "two", previous_response_id: r1.id });
      const { data: r3, response: raw } = await sdk.responses
        .create({ model: "gpt-4o", input: [{ role: "user", content: [{ type: "input_text", text: "three" }] }], previous_response_id: r2.id })
        .withResponse();
      expect(r3.previous_response_id).toBe(r2.id);
      expect(mock.requests[2]!.body.messages.map((m: any) => [m.role, m.content])).toEqual([
        ["system", "You are the test assistant."],
        ["user", "one"],
        ["assistant", "Echo: one"],
        ["user", "two"],
        ["assistant", "Echo: two"],
        ["user", [{ type: "text", text: "three" }]],
      ]);
      const messages = await messagesOf(raw.headers.get("x-conversation-id")!);
      expect(messages.map((m) => m.content)).toEqual(["one", "Echo: one", "two", "Echo: two", "three", "Echo: three"]);
    });

    test("a /chat conversation continues on /v1/responses and back, with its history intact", async () => {
      const chat = (await (
        await fetch(`${base}/chat`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ message: "from chat" }) })
      ).json()) as Record<string, any>;
      const r = await sdk.responses.create({ model: "gpt-4o", input: "from responses", conversation: chat.conversation_id });
      expect(r.conversation).toEqual({ id: chat.conversation_id });
      await fetch(`${base}/chat`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ message: "chat again", conversation_id: chat.conversation_id }),
      });
      const r2 = await sdk.responses.create({ model: "gpt-4o", input: "and responses again", previous_response_id: r.id });
      expect(r2.output_text).toBe("Echo: and responses again");
      expect(mock.requests[3]!.body.messages.slice(1).map((m: any) => m.content)).toEqual([
        "from chat",
        "Echo: from chat",
        "from responses",
        "Echo: from responses",
        "chat again",
        "Echo: chat again",
        "and responses again",
      ]);
      expect((await messagesOf(chat.conversation_id)).length).toBe(8);
    });

    test("a function tool round trip with function_call_output; the calls are stored as messages", async () => {
      const { data: first, response: raw } = await sdk.responses.create({ model: "gpt-4o", input: "find cats", tools: [LOOKUP] }).withResponse();
      const call = first.output.find((i) => i.type === "function_call")!;
      expect(call).toEqual({
        id: expect.stringMatching(/^fc_/),
        type: "function_call",
        status: "completed",
        call_id: expect.any(String),
        name: "lookup",
        arguments: '{"input":"find cats"}',
      });
      expect(first.output_text).toBe("");
      expect(mock.requests[0]!.body.tools).toEqual([
        { type: "function", function: { name: "lookup", description: "Look something up", strict: false, parameters: LOOKUP.parameters } },
      ]);
      expect(first.tools).toEqual([LOOKUP]);

      const second = await sdk.responses.create({
        model: "gpt-4o",
        tools: [LOOKUP],
        previous_response_id: first.id,
        input: [{ type: "function_call_output", call_id: call.type === "function_call" ? call.call_id : "", output: "3 cats" }],
      });
      expect(second.output_text).toBe("Tool said: 3 cats");
      const sent = mock.requests[1]!.body.messages;
      expect(sent.at(-2)).toMatchObject({ role: "assistant", tool_calls: [{ type: "function", function: { name: "lookup" } }] });
      expect(sent.at(-1)).toMatchObject({ role: "tool", content: "3 cats" });
      const stored = await messagesOf(raw.headers.get("x-conversation-id")!);
      expect(stored.map((m) => m.role)).toEqual(["user", "assistant", "tool", "assistant"]);
      expect(stored[1]!.tool_calls[0].function.name).toBe("lookup");
      expect(stored[2]!.tool_call_id).toBe(call.type === "function_call" ? call.call_id : "");

      // The client may also send the whole exchange itself, without a previous response.
      const manual = await sdk.responses.create({
        model: "gpt-4o",
        tools: [LOOKUP],
        input: [
          { role: "user", content: "find dogs" },
          { type: "function_call", call_id: "call_1", name: "lookup", arguments: '{"input":"dogs"}' },
          { type: "function_call_output", call_id: "call_1", output: "2 dogs" },
        ],
      });
      expect(manual.output_text).toBe("Tool said: 2 dogs");
    });

    test("text.format json_schema becomes response_format; an image input passes as an image_url part", async () => {
      const schema = { type: "object", properties: { answer: { type: "string" } }, required: ["answer"], additionalProperties: false };
      mock.script({ kind: "reply", text: '{"answer":"yes"}' });
      const r = await sdk.responses.create({
        model: "gpt-4o",
        input: "json please",
        text: { format: { type: "json_schema", name: "verdict", schema, strict: true } },
      });
      expect(JSON.parse(r.output_text)).toEqual({ answer: "yes" });
      expect(r.text?.format).toMatchObject({ type: "json_schema", name: "verdict" });
      expect(mock.requests[0]!.body.response_format).toEqual({ type: "json_schema", json_schema: { name: "verdict", schema, strict: true } });

      const url = `data:image/png;base64,${Buffer.from(PNG_1PX).toString("base64")}`;
      await sdk.responses.create({
        model: "gpt-4o",
        input: [
          {
            role: "user",
            content: [
              { type: "input_text", text: "what is this?" },
              { type: "input_image", image_url: url, detail: "low" },
            ],
          },
        ],
      });
      expect(mock.requests[1]!.body.messages.at(-1).content).toEqual([
        { type: "text", text: "what is this?" },
        { type: "image_url", image_url: { url, detail: "low" } },
      ]);
    });

    test("an input_file as a data URL is read like /chat's documents and stored with the turn", async () => {
      const data = `data:text/plain;base64,${Buffer.from("The launch code is 0000.").toString("base64")}`;
      const { response: raw } = await sdk.responses
        .create({
          model: "gpt-4o",
          input: [
            {
              role: "user",
              content: [
                { type: "input_text", text: "what is in the file?" },
                { type: "input_file", filename: "notes.txt", file_data: data },
              ],
            },
          ],
        })
        .withResponse();
      const sent = JSON.stringify(mock.requests[0]!.body.messages.at(-1).content);
      expect(sent).toContain('<document name=\\"notes.txt\\"');
      expect(sent).toContain("The launch code is 0000.");
      const [user] = await messagesOf(raw.headers.get("x-conversation-id")!);
      expect(user!.attachments).toEqual([expect.objectContaining({ kind: "document", filename: "notes.txt" })]);
      const noData = await sdk.responses
        .create({ model: "gpt-4o", input: [{ role: "user", content: [{ type: "input_file", file_id: "file-123" }] }] })
        .catch((e) => e);
      expect(noData).toBeInstanceOf(OpenAI.BadRequestError);
      expect(noData.param).toBe("input[0].content[0]");
    });

    test("max_output_tokens and a cut reply: status incomplete with its reason", async () => {
      mock.script({ kind: "reply", text: "cut short", finishReason: "length" });
      const r = await sdk.responses.create({ model: "gpt-4o", input: "long answer please", max_output_tokens: 16, reasoning: { effort: "low" } });
      expect(r.status).toBe("incomplete");
      expect(r.incomplete_details).toEqual({ reason: "max_output_tokens" });
      expect(mock.requests[0]!.body).toMatchObject({ max_completion_tokens: 16, reasoning_effort: "low" });
    });

    test("retrieve, inputItems.list (paginated), delete; unknown ids are typed 404s", async () => {
      const r = await sdk.responses.create({
        model: "gpt-4o",
        input: [
          { role: "user", content: "a" },
          { role: "assistant", content: "b" },
          { role: "user", content: "c" },
        ],
      });
      const all = await sdk.responses.inputItems.list(r.id, { order: "asc" });
      expect(all.data.map((i) => i.type === "message" && i.role)).toEqual(["user", "assistant", "user"]);
      const page = await sdk.responses.inputItems.list(r.id, { limit: 2 });
      expect(page.data.length).toBe(2);
      expect(page.has_more).toBe(true);
      expect(page.data[0]!.id).toBe(all.data[2]!.id); // newest first by default
      const rest = await page.getNextPage();
      expect(rest.data.map((i) => i.id)).toEqual([all.data[0]!.id]);

      expect(await sdk.responses.delete(r.id)).toMatchObject({ id: r.id, object: "response", deleted: true });
      const gone = await sdk.responses.retrieve(r.id).catch((e) => e);
      expect(gone).toBeInstanceOf(OpenAI.NotFoundError);
      expect(await sdk.responses.inputItems.list(r.id).catch((e) => e)).toBeInstanceOf(OpenAI.NotFoundError);
      expect(await sdk.responses.delete(r.id).catch((e) => e)).toBeInstanceOf(OpenAI.NotFoundError);
      const badPrevious = await sdk.responses.create({ model: "gpt-4o", input: "x", previous_response_id: r.id }).catch((e) => e);
      expect(badPrevious).toBeInstanceOf(OpenAI.BadRequestError);
      expect(badPrevious.code).toBe("previous_response_not_found");
    });

    test("bad requests are OpenAI-style 400s", async () => {
      const badTemp = await sdk.responses.create({ model: "gpt-4o", input: "x", temperature: 9 }).catch((e) => e);
      expect(badTemp).toBeInstanceOf(OpenAI.BadRequestError);
      expect(badTemp.param).toBe("temperature");
      const badTool = await sdk.responses.create({ model: "gpt-4o", input: "x", tools: [{ type: "web_search" }] }).catch((e) => e);
      expect(badTool).toBeInstanceOf(OpenAI.BadRequestError);
      expect(badTool.param).toBe("tools[0].type");
      for (const [input, param] of [
        [[{ type: "function_call", name: "f" }], "input[0].call_id"],
        [[{ type: "function_call_output", call_id: "c" }], "input[0].output"],
        [[{ role: "user", content: [null] }], "input[0].content[0].type"],
        [[{ role: "user", content: 5 }], "input[0].content"],
        [[{ role: "tool", content: "x" }], "input[0].role"],
        [[{ type: "item_reference", id: "x" }], "input[0].type"],
      ] as const) {
        const err = await sdk.responses.create({ model: "gpt-4o", input: input as never }).catch((e) => e);
        expect(err).toBeInstanceOf(OpenAI.BadRequestError);
        expect(err.param).toBe(param);
      }
      const noName = await sdk.responses.create({ model: "gpt-4o", input: "x", tools: [{ type: "function" } as never] }).catch((e) => e);
      expect(noName.param).toBe("tools[0].name");
      const noInput = await sdk.responses.create({ model: "gpt-4o" } as never).catch((e) => e);
      expect(noInput).toBeInstanceOf(OpenAI.BadRequestError);
      expect(mock.requests.length).toBe(0);
    });

    test("usage and cost totals equal the sum of the records (responses, chat and streams together)", async () => {
      const user = newId("user");
      const r1 = await sdk.responses.create({ model: "gpt-4o", input: "first", user });
      await sdk.responses.create({ model: "gpt-4o", input: "second", previous_response_id: r1.id, user });
      const stream = await sdk.responses.create({ model: "gpt-4o", input: "third", previous_response_id: r1.id, user, stream: true });
      for await (const _ of stream) {
        /* drain */
      }
      await sdk.responses.create({ model: "gpt-4o", input: "find", tools: [LOOKUP], user });
      const records = await t.deps.store.usage.listByUser(user, 100);
      expect(records.map((r) => r.route)).toEqual(Array(4).fill("/v1/responses"));
      const sum = (key: "cost" | "tokens_input" | "tokens_output") => records.reduce((n, r) => n + r[key], 0);
      const stats = (await (await fetch(`${base}/users/${user}/stats?days=30`)).json()) as Record<string, any>;
      expect(stats).toMatchObject({
        total_conversations: 2,
        total_messages: 8,
        total_tokens_input: sum("tokens_input"),
        total_tokens_output: sum("tokens_output"),
      });
      expect(stats.total_cost * 1e6).toBeCloseTo(sum("cost"), 6);
      const conv = await t.deps.store.conversations.get(records.find((r) => r.tokens_output === 2)!.conversation_id!);
      const inConv = records.filter((r) => r.conversation_id === conv!.id);
      expect(inConv.length).toBe(3);
      expect(conv!.total_cost).toBe(inConv.reduce((n, r) => n + r.cost, 0));
    });
  });
}
