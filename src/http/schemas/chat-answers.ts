// What the chat routes answer: /chat's chat.completion plus where the turn was stored and what it
// cost; the v1 routes' {text, usage: {input, output, total}, cost}; and examples of each, requests
// included (JSON and multipart), that can be sent as they are from Swagger's "Try it out".
import { t } from "elysia";
import { Nullable } from "./common.ts";
import { CompletionFields, COMPLETION_EXAMPLE } from "./completions.ts";
import { type ChatStreamSchema, NativeChatSchema } from "./chat.ts";

const BudgetSchema = t.Object(
  {
    limit: Nullable(t.Number(), "the user's daily budget in dollars (cost_limit_per_session); null: none"),
    spent_today: t.Number({ description: "dollars spent today (UTC)" }),
    remaining: Nullable(t.Number(), "dollars left today; null: no budget"),
  },
  { additionalProperties: false },
);

const TurnFields = {
  conversation_id: t.String({ description: "the stored conversation; send it back to continue (also the X-Conversation-ID header)" }),
  user_id: t.String(),
  message_number: t.Integer({ description: "the reply's position in the conversation, from 1" }),
  cost: t.Number({ description: "the turn's cost in dollars" }),
  budget: BudgetSchema,
  warning: t.Optional(t.String({ description: "present when the day's spending passed warn_at_cost" })),
};

export const ChatAnswerSchema = t.Object(
  {
    ...CompletionFields,
    ...TurnFields,
    session_id: t.String({ description: "the user's session of the day" }),
    image_urls: t.Array(t.String(), { description: "stored images of this turn (GET them under /files/...)" }),
    file_urls: t.Array(t.String(), { description: "stored documents of this turn" }),
    text: t.String({ description: "the reply's text (choices[0].message.content)" }),
    served_by: t.Optional(
      t.Object(
        {
          model: t.String({ description: "the configured model that answered (a fallback, if it came to that)" }),
          provider: Nullable(t.String(), "its provider"),
        },
        { description: "who answered; also the x-textllm-model and x-textllm-provider headers" },
      ),
    ),
  },
  { additionalProperties: true, description: "OpenAI's chat.completion plus where the turn was stored and what it cost" },
);

const V1Fields = {
  text: t.String(),
  ...TurnFields,
  usage: t.Object({ input: t.Integer(), output: t.Integer(), total: t.Integer() }, { additionalProperties: false }),
};

export const ChatImageAnswerSchema = t.Object({ ...V1Fields, image_urls: t.Array(t.String()), image_count: t.Integer() }, { additionalProperties: false });

export const ChatFileAnswerSchema = t.Object(
  { ...V1Fields, file_url: t.String(), file_type: t.String({ description: "the file's extension, e.g. .pdf" }) },
  { additionalProperties: false },
);

/** /chat as a form: the same fields, `messages` as JSON text, files as parts. Documentation only. */
export const ChatFormSchema = t.Object(
  {
    message: t.Optional(t.String({ description: "a single user message (instead of messages)", example: "What is in these files?" })),
    messages: t.Optional(t.String({ description: 'instead of message: the messages as a JSON array, e.g. [{"role":"user","content":"Hi"}]' })),
    conversation_id: NativeChatSchema.properties.conversation_id,
    user_id: t.Optional(t.String({ minLength: 1, maxLength: 255, example: "alice" })),
    model: NativeChatSchema.properties.model,
    stream: t.Optional(t.Boolean({ description: "true: answer as server-sent events", example: false })),
    files: t.Optional(t.Array(t.String({ format: "binary" }), { description: "documents (PDF, DOCX, text) or images" })),
    images: t.Optional(t.Array(t.String({ format: "binary" }), { description: "images (PNG, JPEG, GIF, WebP)" })),
  },
  { additionalProperties: true },
);

/** /chat as JSON: the files fields exist only in forms. Documentation only. */
export const ChatJsonSchema = t.Omit(NativeChatSchema, ["files", "images"]);

const ids = { conversation_id: "conv_01a22a365c74725c922ba500e42e3762", user_id: "alice" };
const budget = { budget: { limit: 5, spent_today: 0.00009, remaining: 4.99991 } };

export const CHAT_EXAMPLES = {
  new: { summary: "Start a conversation", value: { message: "Hello! What can you do?", user_id: "alice" } },
  continue: { summary: "Continue a conversation", value: { message: "And in one sentence?", ...ids } },
  messages: {
    summary: "OpenAI-style messages, streamed",
    value: { messages: [{ role: "user", content: "Write a haiku about tea." }], user_id: "alice", stream: true },
  },
};

export const CHAT_ANSWER_EXAMPLE = {
  ...COMPLETION_EXAMPLE,
  ...ids,
  session_id: "sess_01a22a365c9575b2887412a4e6e6b0e6",
  message_number: 2,
  served_by: { model: "gpt-4o", provider: "openai" },
  cost: 0.00009,
  image_urls: [],
  file_urls: [],
  ...budget,
  text: COMPLETION_EXAMPLE.choices[0]!.message.content,
};

export const CHAT_STREAM_EVENTS = [
  `data: {"id":"chatcmpl-abc123","object":"chat.completion.chunk","created":1764493200,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":"Hello"},"finish_reason":null}],"conversation_id":"${ids.conversation_id}","user_id":"alice"}`,
  `data: {"id":"chatcmpl-abc123","object":"chat.completion.chunk","created":1764493200,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":19,"completion_tokens":9,"total_tokens":28},"conversation_id":"${ids.conversation_id}","user_id":"alice","session_id":"sess_01a22a365c9575b2887412a4e6e6b0e6","message_number":2,"cost":0.00009,"image_urls":[],"file_urls":[],"budget":{"limit":5,"spent_today":0.00009,"remaining":4.99991}}`,
  "data: [DONE]",
  "",
].join("\n\n");

export const CHAT_STREAM_REQUEST_EXAMPLE: typeof ChatStreamSchema.static = { message: "Tell me a short story.", user_id: "alice" };
export const PLAIN_STREAM_EVENTS = ["data: Once upon", "data:  a time...", "data: [DONE]", ""].join("\n\n");

const v1 = { ...ids, message_number: 2, usage: { input: 25, output: 12, total: 37 }, cost: 0.000183, ...budget };
export const CHAT_IMAGE_ANSWER_EXAMPLE = {
  text: "A small red dot on a white background.",
  ...v1,
  image_urls: ["/files/LLM/chat_images/alice/20261130_091500_photo.png"],
  image_count: 1,
};
export const CHAT_FILE_ANSWER_EXAMPLE = {
  text: "The report says sales grew 12% in Q3.",
  ...v1,
  file_url: "/files/LLM/documents/alice/20261130_091500_report.pdf",
  file_type: ".pdf",
};
