// POST /v1/embeddings: passed to the provider that serves the model, metered like a chat call —
// rate limit (by the route), budget reservation of the input's worst case, one usage record, cost.
import type { EmbeddingAnswer, EmbeddingBody } from "../providers/provider.ts";
import type { BudgetStatus } from "../budget/budget.ts";
import { costMicros, pricesFor } from "../pricing/prices.ts";
import { callRecord, upstreamFailed, type CallInfo } from "./call-meter.ts";
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

export async function createEmbeddings(ctx: ChatContext, input: EmbeddingInput, signal: AbortSignal): Promise<{ answer: EmbeddingAnswer; budget: BudgetStatus; cost: number }> {
  const model = input.body.model;
  const upstream = ctx.registry.route(model);
  const call: CallInfo = { requestId: input.requestId, route: "/v1/embeddings", userId: input.userId, model, upstream, startedAt: performance.now() };
  const candidates = upstream.candidates ?? [model];
  const worstCase = Math.max(...candidates.map((m) => costMicros(pricesFor(ctx.loaded.config, m), { prompt_tokens: inputBound(input.body.input), completion_tokens: 0, cached_tokens: 0 })));
  const reservation = await ctx.budget.reserve(input.userId, { costOf: () => worstCase, outputTokens: 0, minOutputTokens: 0 });
  let answer: EmbeddingAnswer;
  try {
    answer = await upstream.provider.embed({ ...input.body, model: upstream.upstreamModel }, signal);
  } catch (err) {
    await reservation.settle(0);
    throw await upstreamFailed(ctx, call, err, false);
  }
  const promptTokens = answer.usage?.prompt_tokens ?? answer.usage?.total_tokens ?? inputBound(input.body.input);
  const record = callRecord(ctx, call, { prompt_tokens: promptTokens, completion_tokens: 0, cached_tokens: 0 }, 200, null, false);
  try {
    await recordCall(ctx.store, record);
  } catch (err) {
    await reservation.settle(0);
    throw err;
  }
  return { answer: { ...answer, model: call.model }, budget: await reservation.settle(record.cost), cost: record.cost };
}
