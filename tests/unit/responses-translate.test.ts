// The Responses API's wire format ↔ chat completions, table by table: input items to messages,
// settings to chat parameters, and chat chunks to the typed stream events.
import { describe, expect, test } from "bun:test";
import { ResponseDraft } from "../../src/chat/responses/draft.ts";
import { ResponseEvents } from "../../src/chat/responses/events.ts";
import { translateInput, translateParams } from "../../src/chat/responses/input.ts";
import type { ChatCompletionChunk } from "../../src/providers/provider.ts";

describe("input items → chat messages", () => {
  const cases: Array<[string, unknown, string | null, unknown[]]> = [
    ["a string is one user message", "hi", null, [{ role: "user", content: "hi" }]],
    [
      "instructions come first, as a system message",
      "hi",
      "Be brief.",
      [
        { role: "system", content: "Be brief." },
        { role: "user", content: "hi" },
      ],
    ],
    [
      "text and image parts",
      [
        {
          role: "user",
          content: [
            { type: "input_text", text: "see" },
            { type: "input_image", image_url: "https://x/y.png", detail: "high" },
          ],
        },
      ],
      null,
      [
        {
          role: "user",
          content: [
            { type: "text", text: "see" },
            { type: "image_url", image_url: { url: "https://x/y.png", detail: "high" } },
          ],
        },
      ],
    ],
    [
      "an assistant's output_text parts become its text",
      [
        {
          type: "message",
          role: "assistant",
          content: [
            { type: "output_text", text: "a" },
            { type: "output_text", text: "b" },
          ],
        },
      ],
      null,
      [{ role: "assistant", content: "ab" }],
    ],
    [
      "consecutive function calls are one assistant message; outputs are tool messages",
      [
        { type: "function_call", call_id: "c1", name: "f", arguments: "{}" },
        { type: "function_call", call_id: "c2", name: "g", arguments: '{"a":1}' },
        { type: "function_call_output", call_id: "c1", output: "one" },
        { type: "function_call_output", call_id: "c2", output: [{ type: "input_text", text: "two" }] },
      ],
      null,
      [
        {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: "c1", type: "function", function: { name: "f", arguments: "{}" } },
            { id: "c2", type: "function", function: { name: "g", arguments: '{"a":1}' } },
          ],
        },
        { role: "tool", tool_call_id: "c1", content: "one" },
        { role: "tool", tool_call_id: "c2", content: '[{"type":"input_text","text":"two"}]' },
      ],
    ],
    [
      "reasoning items are skipped",
      [
        { type: "reasoning", id: "rs_1", summary: [] },
        { role: "user", content: "q" },
      ],
      null,
      [{ role: "user", content: "q" }],
    ],
  ];
  test.each(cases)("%s", (_name, input, instructions, expected) => {
    expect(translateInput(input, instructions).messages).toEqual(expected as never);
  });

  test("input items are listed with ids, messages with content parts", () => {
    const { items } = translateInput(
      [
        { role: "user", content: "q" },
        { type: "function_call_output", call_id: "c", output: "r" },
      ],
      null,
    );
    expect(items).toEqual([
      { id: expect.stringMatching(/^msg_/), type: "message", status: "completed", role: "user", content: [{ type: "input_text", text: "q" }] },
      { id: expect.stringMatching(/^fc_/), type: "function_call_output", status: "completed", call_id: "c", output: "r" },
    ]);
  });
});

describe("settings → chat parameters", () => {
  const cases: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
    [
      "sampling and limits",
      { temperature: 0.2, top_p: 0.5, max_output_tokens: 100, user: "u" },
      { temperature: 0.2, top_p: 0.5, max_completion_tokens: 100, user: "u" },
    ],
    ["nulls are absent", { temperature: null, top_p: null, max_output_tokens: null }, {}],
    ["reasoning effort", { reasoning: { effort: "high" } }, { reasoning_effort: "high" }],
    [
      "function tools and a named tool choice",
      {
        tools: [{ type: "function", name: "f", parameters: { type: "object" }, strict: true }],
        tool_choice: { type: "function", name: "f" },
        parallel_tool_calls: false,
      },
      {
        tools: [{ type: "function", function: { name: "f", parameters: { type: "object" }, strict: true } }],
        tool_choice: { type: "function", function: { name: "f" } },
        parallel_tool_calls: false,
      },
    ],
    ["parallel_tool_calls only goes with tools", { parallel_tool_calls: true }, {}],
    ["text.format json_object", { text: { format: { type: "json_object" } } }, { response_format: { type: "json_object" } }],
    ["text.format text adds nothing", { text: { format: { type: "text" } } }, {}],
  ];
  test.each(cases)("%s", (_name, body, expected) => {
    expect(translateParams(body)).toEqual(expected);
  });
});

describe("chat chunks → stream events", () => {
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
    ({
      id: "c",
      object: "chat.completion.chunk",
      created: 0,
      model: "m",
      choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    }) as ChatCompletionChunk;

  test("text then a tool call: the message is closed before the call opens; indexes and sequence numbers agree", () => {
    const draft = new ResponseDraft({}, "m", new Date(0), null);
    const events = new ResponseEvents(draft);
    const all = [
      ...events.start(),
      ...events.chunk(chunk({ role: "assistant", content: "" })),
      ...events.chunk(chunk({ content: "Let me look." })),
      ...events.chunk(chunk({ tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "f", arguments: "" } }] })),
      ...events.chunk(chunk({ tool_calls: [{ index: 0, function: { arguments: "{}" } }] }, "tool_calls")),
    ];
    draft.final = draft.build(
      { text: "Let me look.", toolCalls: [{ id: "call_1", type: "function", function: { name: "f", arguments: "{}" } }], finishReason: "tool_calls" },
      { usage: null },
    );
    all.push(...events.finish(draft.final));
    expect(all.map((e) => [e.type, e.output_index ?? null])).toEqual([
      ["response.created", null],
      ["response.in_progress", null],
      ["response.output_item.added", 0],
      ["response.content_part.added", 0],
      ["response.output_text.delta", 0],
      ["response.output_text.done", 0],
      ["response.content_part.done", 0],
      ["response.output_item.done", 0],
      ["response.output_item.added", 1],
      ["response.function_call_arguments.delta", 1],
      ["response.function_call_arguments.done", 1],
      ["response.output_item.done", 1],
      ["response.completed", null],
    ]);
    expect(all.map((e) => e.sequence_number)).toEqual(all.map((_, i) => i));
    expect(all.at(-2)!.item).toEqual(draft.final.output[1]);
  });

  test("a reply cut by the length limit ends with response.incomplete", () => {
    const draft = new ResponseDraft({}, "m", new Date(0), null);
    const events = new ResponseEvents(draft);
    events.start();
    events.chunk(chunk({ content: "cut" }, "length"));
    const end = events.finish(draft.build({ text: "cut", toolCalls: [], finishReason: "length" }, { usage: null }));
    expect(end.at(-1)).toMatchObject({ type: "response.incomplete", response: { status: "incomplete", incomplete_details: { reason: "max_output_tokens" } } });
  });
});
