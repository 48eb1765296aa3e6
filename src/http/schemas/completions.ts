// The OpenAI-compatible answers: a chat.completion, its stream of chunks, the model list. The
// upstream's extra fields (system_fingerprint, service_tier, ...) pass through, so objects stay open.
import { t } from "elysia";
import { Nullable } from "./common.ts";

export const UsageSchema = t.Object(
  {
    prompt_tokens: t.Integer(),
    completion_tokens: t.Integer(),
    total_tokens: t.Integer(),
    prompt_tokens_details: t.Optional(t.Object({ cached_tokens: t.Optional(t.Integer()) }, { additionalProperties: true })),
  },
  { additionalProperties: true },
);

/** The fields of OpenAI's chat.completion object (also the base of /chat's answer). */
export const CompletionFields = {
  id: t.String(),
  object: t.Literal("chat.completion"),
  created: t.Integer({ description: "Unix time, seconds" }),
  model: t.String(),
  choices: t.Array(
    t.Object(
      {
        index: t.Integer(),
        message: t.Object({ role: t.Literal("assistant"), content: Nullable(t.String()) }, { additionalProperties: true }),
        finish_reason: Nullable(t.String(), "stop, length, content_filter, tool_calls"),
      },
      { additionalProperties: true },
    ),
  ),
  usage: t.Optional(UsageSchema),
};

export const ChatCompletionSchema = t.Object(CompletionFields, { additionalProperties: true, description: "OpenAI's chat.completion object" });

export const COMPLETION_EXAMPLE = {
  id: "chatcmpl-abc123",
  object: "chat.completion",
  created: 1764493200,
  model: "gpt-4o",
  choices: [{ index: 0, message: { role: "assistant", content: "Hello! How can I help you today?", refusal: null }, logprobs: null, finish_reason: "stop" }],
  usage: { prompt_tokens: 19, completion_tokens: 9, total_tokens: 28, prompt_tokens_details: { cached_tokens: 0 } },
};

export const COMPLETION_REQUEST_EXAMPLE = {
  model: "gpt-4o",
  messages: [
    { role: "system", content: "You are a concise assistant." },
    { role: "user", content: "Hello!" },
  ],
};

export const COMPLETION_STREAM_EXAMPLE = [
  `data: {"id":"chatcmpl-abc123","object":"chat.completion.chunk","created":1764493200,"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":"Hello"},"finish_reason":null}]}`,
  `data: {"id":"chatcmpl-abc123","object":"chat.completion.chunk","created":1764493200,"model":"gpt-4o","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`,
  "data: [DONE]",
  "",
].join("\n\n");

export const SseSchema = (description: string) => t.String({ description });

export const ModelListSchema = t.Object(
  {
    object: t.Literal("list"),
    data: t.Array(t.Object({ id: t.String(), object: t.Literal("model"), created: t.Integer(), owned_by: t.String() }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

export const MODEL_LIST_EXAMPLE = { object: "list", data: [{ id: "gpt-4o", object: "model", created: 0, owned_by: "openai" }] };
