// Schemas of the smaller OpenAI resources served here: Model and embeddings. They document the
// routes (OpenAPI) and check requests; unknown request fields pass through to the upstream.
import { t } from "elysia";

export const MODEL_EXAMPLE = { id: "gpt-4o", object: "model", created: 0, owned_by: "openai" };

export const ModelSchema = t.Object({ id: t.String(), object: t.Literal("model"), created: t.Integer(), owned_by: t.String() }, { examples: [MODEL_EXAMPLE] });

export const EMBEDDING_REQUEST_EXAMPLES = {
  text: { summary: "One text", value: { model: "text-embedding-3-small", input: "The food was delicious.", encoding_format: "float" } },
  batch: {
    summary: "Several texts, fewer dimensions",
    value: { model: "text-embedding-3-small", input: ["The food was delicious.", "The service was slow."], dimensions: 256 },
  },
};

export const EmbeddingRequestSchema = t.Object(
  {
    model: t.String({ minLength: 1, maxLength: 255 }),
    input: t.Union(
      [
        t.String(),
        t.Array(t.String(), { minItems: 1, maxItems: 2048 }),
        t.Array(t.Integer(), { minItems: 1 }),
        t.Array(t.Array(t.Integer(), { minItems: 1 }), { minItems: 1, maxItems: 2048 }),
      ],
      { description: "a string, an array of strings, or token ids" },
    ),
    encoding_format: t.Optional(t.Union([t.Literal("float"), t.Literal("base64")])),
    dimensions: t.Optional(t.Integer({ minimum: 1 })),
    user: t.Optional(t.String()),
  },
  { additionalProperties: true, examples: [EMBEDDING_REQUEST_EXAMPLES.text.value] },
);

export const EMBEDDING_EXAMPLE = {
  object: "list",
  data: [{ object: "embedding", index: 0, embedding: [0.0023064255, -0.009327292, 0.015797347, -0.0077780345] }],
  model: "text-embedding-3-small",
  usage: { prompt_tokens: 5, total_tokens: 5 },
};

export const EmbeddingResponseSchema = t.Object(
  {
    object: t.Literal("list"),
    data: t.Array(t.Object({ object: t.Literal("embedding"), index: t.Integer(), embedding: t.Union([t.Array(t.Number()), t.String()]) })),
    model: t.String(),
    usage: t.Object({ prompt_tokens: t.Integer(), total_tokens: t.Integer() }),
  },
  { examples: [EMBEDDING_EXAMPLE] },
);
