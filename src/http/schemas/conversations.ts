// /conversations: what a client sends to create, change and page through conversations, and the
// conversation and message records it gets back.
import { t } from "elysia";
import { ListOf, Nullable, Timestamp } from "./common.ts";

const UserId = t.String({ minLength: 1, maxLength: 255, description: "the user the conversation belongs to" });
const Title = t.Union([t.String({ maxLength: 500 }), t.Null()]);
const Tags = t.Array(t.String({ minLength: 1, maxLength: 100 }), { maxItems: 50 });
const Metadata = t.Object({}, { additionalProperties: true, description: "free-form JSON object, at most 16 KB" });

export const CreateConversationSchema = t.Optional(
  t.Object({
    user_id: t.Optional(UserId),
    title: t.Optional(Title),
    tags: t.Optional(Tags),
    metadata: t.Optional(Metadata),
    model: t.Optional(t.String({ minLength: 1, maxLength: 255 })),
  }),
);

export const UpdateConversationSchema = t.Object({ title: t.Optional(Title), tags: t.Optional(Tags), metadata: t.Optional(Metadata) });

export const ListConversationsQuery = t.Object({
  user_id: t.Optional(UserId),
  limit: t.Integer({ minimum: 1, maximum: 100, default: 50 }),
  offset: t.Integer({ minimum: 0, default: 0 }),
  q: t.Optional(t.String({ maxLength: 255, description: "only conversations whose title contains this (any case)" })),
});

export const DeleteConversationQuery = t.Object({ soft: t.Boolean({ default: true, description: "false also removes the messages" }) });

export const ListMessagesQuery = t.Object({
  limit: t.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  order: t.Union([t.Literal("asc"), t.Literal("desc")], { default: "asc" }),
  after: t.Optional(t.String({ minLength: 1, maxLength: 255, description: "a message id: return messages after it" })),
});

export const ConversationSchema = t.Object(
  {
    id: t.String(),
    object: t.Literal("conversation"),
    user_id: t.String(),
    session_id: Nullable(t.String(), "the session in which the conversation began"),
    title: Nullable(t.String()),
    summary: Nullable(t.String()),
    tags: t.Array(t.String()),
    metadata: Metadata,
    model: Nullable(t.String()),
    created_at: Timestamp(),
    updated_at: Timestamp(),
    last_used: Timestamp(),
    message_count: t.Integer(),
    total_tokens_input: t.Integer(),
    total_tokens_output: t.Integer(),
    total_cost: t.Number({ description: "dollars" }),
    image_urls: t.Array(t.String()),
    last_image_url: Nullable(t.String()),
  },
  { additionalProperties: false },
);

const AttachmentSchema = t.Object(
  { kind: t.Union([t.Literal("image"), t.Literal("document")]), key: t.String(), url: t.String(), filename: t.String(), content_type: t.String() },
  { additionalProperties: false },
);

export const MessageSchema = t.Object(
  {
    id: t.String(),
    object: t.Literal("conversation.message"),
    conversation_id: t.String(),
    message_number: t.Integer({ description: "position in the conversation, from 1" }),
    role: t.Union([t.Literal("system"), t.Literal("user"), t.Literal("assistant"), t.Literal("tool")]),
    content: t.String(),
    attachments: t.Array(AttachmentSchema),
    model: Nullable(t.String()),
    usage: t.Object({ prompt_tokens: t.Integer(), completion_tokens: t.Integer(), total_tokens: t.Integer() }, { additionalProperties: false }),
    cost: t.Number({ description: "dollars" }),
    finish_reason: Nullable(t.String()),
    created_at: Timestamp(),
  },
  { additionalProperties: false },
);

export const ConversationListSchema = ListOf(ConversationSchema, { total: t.Integer(), limit: t.Integer(), offset: t.Integer(), has_more: t.Boolean() });
export const MessageListSchema = ListOf(MessageSchema, { first_id: Nullable(t.String()), last_id: Nullable(t.String()), has_more: t.Boolean() });
export const DeletedConversationSchema = t.Object(
  { id: t.String(), object: t.Literal("conversation.deleted"), deleted: t.Literal(true), soft: t.Boolean() },
  { additionalProperties: false },
);

const at = "2026-11-30T09:15:00.000Z";
export const CONVERSATION_EXAMPLE = {
  id: "conv_01a22a365c74725c922ba500e42e3762",
  object: "conversation",
  user_id: "alice",
  session_id: "sess_01a22a365c9575b2887412a4e6e6b0e6",
  title: "Trip to Lisbon",
  summary: null,
  tags: ["travel"],
  metadata: { project: "holidays" },
  model: "gpt-4o",
  created_at: at,
  updated_at: at,
  last_used: at,
  message_count: 2,
  total_tokens_input: 24,
  total_tokens_output: 31,
  total_cost: 0.00037,
  image_urls: [],
  last_image_url: null,
};

export const MESSAGE_EXAMPLE = {
  id: "msg_01a22a365ca970eaa879af43332e6dc9",
  object: "conversation.message",
  conversation_id: CONVERSATION_EXAMPLE.id,
  message_number: 2,
  role: "assistant",
  content: "Lisbon is lovely in spring: mild, sunny and less crowded.",
  attachments: [],
  model: "gpt-4o",
  usage: { prompt_tokens: 24, completion_tokens: 31, total_tokens: 55 },
  cost: 0.00037,
  finish_reason: "stop",
  created_at: at,
};
