// The Responses API's request and answer schemas (the parts TextLLM serves). Requests are checked
// here; fields not listed pass (clients send settings we may ignore, as OpenAI's own SDKs do).
import { t, type TSchema } from "elysia";
import { DELETED_RESPONSE_EXAMPLE, INPUT_ITEMS_EXAMPLE, RESPONSE_EXAMPLE, RESPONSE_REQUEST_EXAMPLES } from "./responses-examples.ts";

const Nullable = <S extends TSchema>(schema: S) => t.Optional(t.Union([schema, t.Null()]));
const Open = { additionalProperties: true };

const Format = t.Union([
  t.Object({ type: t.Literal("text") }, Open),
  t.Object({ type: t.Literal("json_object") }, Open),
  t.Object({ type: t.Literal("json_schema"), name: t.String({ minLength: 1, maxLength: 64 }), schema: t.Object({}, Open) }, Open),
]);

const InputItem = t.Object({ type: t.Optional(t.String({ minLength: 1 })) }, { ...Open, description: "a message, function_call or function_call_output item" });

export const ResponseRequestSchema = t.Object(
  {
    model: t.Optional(t.String({ minLength: 1, maxLength: 255 })),
    input: t.Union([t.String(), t.Array(InputItem, { minItems: 1 })], { description: "text, or a list of input items" }),
    instructions: Nullable(t.String()),
    max_output_tokens: Nullable(t.Integer({ minimum: 16 })),
    temperature: Nullable(t.Number({ minimum: 0, maximum: 2 })),
    top_p: Nullable(t.Number({ minimum: 0, maximum: 1 })),
    tools: t.Optional(t.Array(t.Object({ type: t.String({ minLength: 1 }) }, Open))),
    tool_choice: t.Optional(t.Union([t.Literal("auto"), t.Literal("none"), t.Literal("required"), t.Object({ type: t.String() }, Open)])),
    parallel_tool_calls: Nullable(t.Boolean()),
    text: Nullable(t.Object({ format: t.Optional(Format) }, Open)),
    reasoning: Nullable(t.Object({ effort: Nullable(t.String()) }, Open)),
    metadata: Nullable(t.Record(t.String({ maxLength: 64 }), t.String({ maxLength: 512 }), { maxProperties: 16 })),
    user: t.Optional(t.String()),
    safety_identifier: t.Optional(t.String({ maxLength: 64 })),
    store: Nullable(t.Boolean()),
    stream: Nullable(t.Boolean()),
    previous_response_id: Nullable(t.String({ minLength: 1, maxLength: 255 })),
    conversation: Nullable(
      t.Union([t.String({ minLength: 1, maxLength: 255 }), t.Object({ id: t.String({ minLength: 1, maxLength: 255 }) })], {
        description: "a TextLLM conversation id",
      }),
    ),
  },
  {
    ...Open,
    examples: [RESPONSE_REQUEST_EXAMPLES.text.value],
  },
);

export type ResponseRequest = typeof ResponseRequestSchema.static;

export const ResponseObjectSchema = t.Object(
  {
    id: t.String(),
    object: t.Literal("response"),
    created_at: t.Integer(),
    status: t.String(),
    model: t.String(),
    output: t.Array(t.Object({ type: t.String() }, Open)),
    usage: t.Optional(t.Object({}, Open)),
    previous_response_id: t.Union([t.String(), t.Null()]),
    error: t.Union([t.Object({}, Open), t.Null()]),
    incomplete_details: t.Union([t.Object({}, Open), t.Null()]),
  },
  { ...Open, examples: [RESPONSE_EXAMPLE] },
);

export type ResponseObject = typeof ResponseObjectSchema.static;

export const DeletedResponseSchema = t.Object(
  { id: t.String(), object: t.Literal("response"), deleted: t.Literal(true) },
  { examples: [DELETED_RESPONSE_EXAMPLE] },
);

export const InputItemListSchema = t.Object(
  {
    object: t.Literal("list"),
    data: t.Array(t.Object({ id: t.String(), type: t.String() }, Open)),
    first_id: t.Union([t.String(), t.Null()]),
    last_id: t.Union([t.String(), t.Null()]),
    has_more: t.Boolean(),
  },
  { examples: [INPUT_ITEMS_EXAMPLE] },
);
