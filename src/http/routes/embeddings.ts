// POST /v1/embeddings: OpenAI's embeddings, passed to the provider that serves the model and
// metered like a chat call (rate limit, budget, usage record, cost).
import { Elysia } from "elysia";
import type { RouteDeps } from "../route-deps.ts";
import { createEmbeddings } from "../../chat/embeddings.ts";
import { microsToUsd } from "../../pricing/money.ts";
import { linkedAbort } from "../abort.ts";
import { budgetHeaders, enforceRateLimit, rateKey } from "../guard.ts";
import { requestId } from "../request-id.ts";
import { operationDoc } from "../operation-doc.ts";
import { BODY_ERRORS, TURN_ERRORS } from "../schemas/errors.ts";
import { EMBEDDING_EXAMPLE, EMBEDDING_REQUEST_EXAMPLES, EmbeddingRequestSchema, EmbeddingResponseSchema } from "../schemas/openai.ts";
import { billedUser } from "./completions.ts";

export function embeddingRoutes(ctx: RouteDeps) {
  const { auth, tracker } = ctx;
  return new Elysia({ name: "routes:embeddings", detail: { tags: ["OpenAI-compatible"] } })
    .use(requestId)
    .use(auth)
    .post(
      "/v1/embeddings",
      async ({ body, request, requestId, set, principal, server }) => {
        const named = billedUser(principal, body);
        await enforceRateLimit(
          ctx.limiter,
          rateKey(named, () => server?.requestIP(request)?.address),
          set.headers,
        );
        const userId = named ?? "anonymous";
        tracker.annotate(request, { user: userId, model: body.model });
        const { answer, budget, cost } = await createEmbeddings(ctx, { requestId, userId, body }, linkedAbort(request).signal);
        budgetHeaders(budget, set.headers);
        const tokens = answer.usage?.prompt_tokens ?? 0;
        tracker.annotate(request, { tokens_in: tokens, tokens_out: 0, cost_usd: microsToUsd(cost) });
        return { ...answer, usage: { prompt_tokens: tokens, total_tokens: answer.usage?.total_tokens ?? tokens } };
      },
      {
        body: EmbeddingRequestSchema,
        response: { 200: EmbeddingResponseSchema },
        detail: operationDoc({
          summary: "Create embeddings (passed to the provider that serves the model; metered and billed)",
          description: "OpenAI's request and answer; `encoding_format` and `dimensions` are passed on. The usage and cost are recorded like a chat call's.",
          body: { json: { schema: EmbeddingRequestSchema, example: EMBEDDING_REQUEST_EXAMPLES.text.value, examples: EMBEDDING_REQUEST_EXAMPLES } },
          ok: { schema: EmbeddingResponseSchema, example: EMBEDDING_EXAMPLE, description: "A list of embedding objects, one per input" },
          errors: [...BODY_ERRORS, ...TURN_ERRORS],
        }),
      },
    );
}
