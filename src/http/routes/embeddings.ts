// POST /v1/embeddings: OpenAI's embeddings, passed to the provider that serves the model and
// metered like a chat call (rate limit, budget, usage record, cost).
import { Elysia } from "elysia";
import type { ChatContext } from "../../chat/chat-context.ts";
import { createEmbeddings } from "../../chat/embeddings.ts";
import { microsToUsd } from "../../pricing/money.ts";
import type { RequestTracker } from "../../observability/request-tracker.ts";
import { linkedAbort } from "../abort.ts";
import type { AuthPlugin } from "../auth.ts";
import { budgetHeaders, enforceRateLimit, rateKey } from "../guard.ts";
import { requestId } from "../request-id.ts";
import { EmbeddingRequestSchema, EmbeddingResponseSchema } from "../schemas/openai.ts";
import { billedUser } from "./completions.ts";

export function embeddingRoutes(ctx: ChatContext, auth: AuthPlugin, tracker: RequestTracker) {
  return new Elysia({ name: "routes:embeddings", detail: { tags: ["OpenAI-compatible"] } })
    .use(requestId)
    .use(auth)
    .post(
      "/v1/embeddings",
      async ({ body, request, requestId, set, principal, server }) => {
        const named = billedUser(principal, body);
        await enforceRateLimit(ctx.limiter, rateKey(named, () => server?.requestIP(request)?.address), set.headers);
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
        detail: {
          summary: "Create embeddings (passed to the provider that serves the model; metered and billed)",
          description: 'Example: `{"model":"text-embedding-3-small","input":"The food was delicious."}`; `encoding_format` and `dimensions` are passed on.',
        },
      },
    );
}
