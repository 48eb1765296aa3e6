// Request schemas shared by the chat routes. Unknown fields are allowed (and passed upstream):
// the OpenAI API grows faster than any copy of it.
import { t, type TSchema } from "elysia";

export const ChatMessageSchema = t.Object(
  {
    role: t.Union([t.Literal("system"), t.Literal("developer"), t.Literal("user"), t.Literal("assistant"), t.Literal("tool"), t.Literal("function")]),
    content: t.Optional(t.Union([t.String(), t.Array(t.Object({ type: t.String({ minLength: 1 }) }, { additionalProperties: true })), t.Null()])),
  },
  { additionalProperties: true },
);

export const StreamOptionsSchema = t.Union([t.Object({ include_usage: t.Optional(t.Boolean()) }, { additionalProperties: true }), t.Null()]);

/** OpenAI's nullable parameters: null means "not set" (see withoutNulls). */
const Nullable = <S extends TSchema>(schema: S) => t.Optional(t.Union([schema, t.Null()]));

/** Sampling parameters checked before they cost an upstream round trip. */
export const SamplingSchema = {
  temperature: Nullable(t.Number({ minimum: 0, maximum: 2 })),
  top_p: Nullable(t.Number({ minimum: 0, maximum: 1 })),
  max_tokens: Nullable(t.Integer({ minimum: 1 })),
  max_completion_tokens: Nullable(t.Integer({ minimum: 1 })),
  presence_penalty: Nullable(t.Number({ minimum: -2, maximum: 2 })),
  frequency_penalty: Nullable(t.Number({ minimum: -2, maximum: 2 })),
  seed: Nullable(t.Integer()),
  stop: t.Optional(t.Union([t.String(), t.Array(t.String(), { maxItems: 4 }), t.Null()])),
};

/** A request's top-level nulls dropped: the spec's nullable parameters, treated as absent. */
export function withoutNulls<T extends Record<string, unknown>>(body: T): T {
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== null)) as T;
}

export const CompletionRequestSchema = t.Object(
  {
    model: t.Optional(t.String({ minLength: 1, maxLength: 255 })),
    messages: t.Array(ChatMessageSchema, { minItems: 1, description: "the conversation so far, as in OpenAI's API" }),
    stream: Nullable(t.Boolean()),
    stream_options: t.Optional(StreamOptionsSchema),
    user: t.Optional(t.String({ description: "an end-user id of any length; over 255 characters, usage is kept under its digest" })),
    ...SamplingSchema,
  },
  { additionalProperties: true },
);

export const NativeChatSchema = t.Object(
  {
    message: t.Optional(t.String({ minLength: 1, description: "a single user message (instead of messages)" })),
    messages: t.Optional(t.Array(ChatMessageSchema, { minItems: 1 })),
    conversation_id: t.Optional(t.String({ minLength: 1, maxLength: 255, description: "continue this stored conversation" })),
    user_id: t.Optional(t.String({ minLength: 1, maxLength: 255 })),
    model: t.Optional(t.String({ minLength: 1, maxLength: 255 })),
    stream: t.Optional(t.Boolean()),
    n: t.Optional(t.Literal(1, { description: "a stored conversation keeps one reply per turn" })),
    files: t.Optional(t.Files({ description: "multipart only: documents (PDF, DOCX, text) or images" })),
    images: t.Optional(t.Files({ description: "multipart only: images (PNG, JPEG, GIF, WebP)" })),
    ...SamplingSchema,
  },
  { additionalProperties: true },
);

const V1Ids = {
  conversation_id: t.Optional(t.String({ minLength: 1, maxLength: 255 })),
  user_id: t.Optional(t.String({ minLength: 1, maxLength: 255 })),
  model: t.Optional(t.String({ minLength: 1, maxLength: 255 })),
};

/** POST /chat/stream (JSON). */
export const ChatStreamSchema = t.Object({ message: t.String({ minLength: 1 }), ...V1Ids });
/** POST /chat/image (multipart). */
export const ChatImageSchema = t.Object({
  message: t.String({ minLength: 1 }),
  images: t.Files({ description: "one or more images (also accepted as images[], image)" }),
  ...V1Ids,
});
/** POST /chat/file (multipart). */
export const ChatFileSchema = t.Object({
  message: t.String({ minLength: 1 }),
  file: t.File({ description: "a PDF, DOCX or text document (also accepted as files, files[])" }),
  ...V1Ids,
});
