// Schemas of the smaller OpenAI resources served here: Model and embeddings. They document the
// routes (OpenAPI) and check requests; unknown request fields pass through to the upstream.
import { t } from "elysia";

export const ModelSchema = t.Object(
  { id: t.String(), object: t.Literal("model"), created: t.Integer(), owned_by: t.String() },
  { examples: [{ id: "gpt-4o", object: "model", created: 0, owned_by: "openai" }] },
);

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
  { additionalProperties: true, examples: [{ model: "text-embedding-3-small", input: "The food was delicious.", encoding_format: "float" }] },
);

export const EmbeddingResponseSchema = t.Object(
  {
    object: t.Literal("list"),
    data: t.Array(t.Object({ object: t.Literal("embedding"), index: t.Integer(), embedding: t.Union([t.Array(t.Number()), t.String()]) })),
    model: t.String(),
    usage: t.Object({ prompt_tokens: t.Integer(), total_tokens: t.Integer() }),
  },
  {
    examples: [{ object: "list", data: [{ object: "embedding", index: 0, embedding: [0.0023, -0.0093, 0.0151] }], model: "text-embedding-3-small", usage: { prompt_tokens: 5, total_tokens: 5 } }],
  },
);
