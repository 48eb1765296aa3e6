// POST /v1/embeddings: passed to the provider that serves the model, metered like a chat call —
// rate limit (by the route), budget reservation of the input's worst case, one usage record, cost.
import type { EmbeddingAnswer, EmbeddingBody } from "../providers/provider.ts";
import type { BudgetStatus } from "../budget/budget.ts";
import { worstCaseAsk } from "../budget/worst-case.ts";
import { pricesFor } from "../pricing/prices.ts";
import type { CallInfo } from "./call-meter.ts";
import { runWholeCall } from "./metered-call.ts";
import type { ChatContext } from "./chat-context.ts";
import { recordCall } from "./record.ts";
import { upperBound } from "./token-count.ts";

export interface EmbeddingInput {
  requestId: string;
  userId: string;
  body: EmbeddingBody;
}

/** Every byte of text (or every token id) of the input, counted as a token. */
function inputBound(input: unknown): number {
  if (typeof input === "string") return upperBound(input);
  if (typeof input === "number") return 1;
  if (Array.isArray(input)) return input.reduce((n: number, item) => n + inputBound(item), 0);
  return upperBound(JSON.stringify(input ?? ""));
}

export async function createEmbeddings(
  ctx: ChatContext,
  input: EmbeddingInput,
  signal: AbortSignal,
): Promise<{ answer: EmbeddingAnswer; budget: BudgetStatus; cost: number }> {
  const model = input.body.model;
  const upstream = ctx.registry.route(model);
  const info: CallInfo = { requestId: input.requestId, route: "/v1/embeddings", userId: input.userId, model, upstream, startedAt: performance.now() };
  const prices = (upstream.candidates ?? [model]).map((m) => pricesFor(ctx.loaded.config, m));
  const worstCase = worstCaseAsk({ prices, promptTokens: inputBound(input.body.input), answerTokens: 0, minAnswerTokens: 0 });
  const { answer, result } = await runWholeCall(
    ctx,
    { info, body: { ...input.body, model: upstream.upstreamModel }, budget: { ask: worstCase }, signal },
    {
      send: (body, s) => upstream.provider.embed(body, s),
      usage: async (a) => ({
        prompt_tokens: a.usage?.prompt_tokens ?? a.usage?.total_tokens ?? inputBound(input.body.input),
        completion_tokens: 0,
        cached_tokens: 0,
      }),
      save: async (_answer, record) => {
        await recordCall(ctx.store, record);
        return { cost: record.cost };
      },
    },
  );
  // After a fallback, info.model names the model that answered.
  return { answer: { ...answer, model: info.model }, budget: result.budget, cost: result.cost };
}
