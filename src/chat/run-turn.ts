// Runs a prepared /chat turn against its upstream — whole or streamed — and records it.
import type { ChatCompletion, ChatCompletionChunk } from "../providers/provider.ts";
import { costMicros, pricesFor, type TokenUsage } from "../pricing/prices.ts";
import { fromUpstreamError, isAbort } from "../providers/upstream-error.ts";
import type { ChatContext } from "./chat-context.ts";
import { meteredStream, type StreamEvent, type StreamOutcome } from "./metered-stream.ts";
import type { PreparedTurn } from "./prepare-turn.ts";
import { recordFailure, recordTurn, type CallRecord, type Recorded } from "./record.ts";
import { estimateUsage, fromUpstream, ZERO_USAGE } from "./usage.ts";

export interface TurnResult extends Recorded {
  usage: TokenUsage;
  /** Micro-dollars. */
  cost: number;
}

function call(ctx: ChatContext, p: PreparedTurn, usage: TokenUsage, status: number, errorCode: string | null, streamed: boolean): CallRecord {
  return {
    requestId: p.requestId, route: p.route, userId: p.userId, model: p.model, provider: p.upstream.provider.name, usage,
    cost: costMicros(pricesFor(ctx.loaded.config, p.model), usage), latencyMs: performance.now() - p.startedAt,
    status, errorCode, streamed, now: ctx.now(),
  };
}

/** Records a failed upstream call and returns the error to answer with. */
async function failed(ctx: ChatContext, p: PreparedTurn, err: unknown, streamed: boolean) {
  const error = fromUpstreamError(err, p.upstream.provider.name);
  await recordFailure(ctx.store, call(ctx, p, ZERO_USAGE, error.status, error.code, streamed), p.create ? null : p.conversationId);
  return error;
}

async function save(ctx: ChatContext, p: PreparedTurn, reply: { content: string; finishReason: string | null }, c: CallRecord): Promise<TurnResult> {
  const recorded = await recordTurn(ctx.store, { ...c, conversationId: p.conversationId, create: p.create, messages: p.stored, reply, imageUrls: [] });
  return { ...recorded, usage: c.usage, cost: c.cost };
}

export async function completeTurn(ctx: ChatContext, p: PreparedTurn, signal: AbortSignal): Promise<{ completion: ChatCompletion; result: TurnResult }> {
  let completion: ChatCompletion;
  try {
    completion = await p.upstream.provider.complete(p.body, signal);
  } catch (err) {
    throw await failed(ctx, p, err, false);
  }
  const choice = completion.choices[0];
  const content = choice?.message?.content ?? "";
  const usage = fromUpstream(completion.usage) ?? (await estimateUsage(p.context, content));
  const result = await save(ctx, p, { content, finishReason: choice?.finish_reason ?? null }, call(ctx, p, usage, 200, null, false));
  return { completion, result };
}

/**
 * Starts a streamed turn. Resolves once the upstream has accepted the request (so a refusal can
 * still be answered with its HTTP status); the events then carry the chunks and, last, the result.
 */
export async function streamTurn(ctx: ChatContext, p: PreparedTurn, signal: AbortSignal, abort: () => void): Promise<AsyncGenerator<StreamEvent<TurnResult>>> {
  let upstream: AsyncIterable<ChatCompletionChunk>;
  try {
    upstream = await p.upstream.provider.stream(p.body, signal);
  } catch (err) {
    if (signal.aborted && isAbort(err)) throw err;
    throw await failed(ctx, p, err, true);
  }
  return meteredStream(upstream, {
    provider: p.upstream.provider.name,
    signal,
    idleTimeoutMs: ctx.loaded.providers.find((x) => x.name === p.upstream.provider.name)?.timeoutMs ?? 60_000,
    abort,
    settle: async (o: StreamOutcome) => {
      const usage = o.usage ?? (await estimateUsage(p.context, o.text));
      const status = o.aborted ? 499 : o.failure ? o.failure.status : 200;
      const finishReason = o.finishReason ?? (o.aborted ? "cancelled" : "error");
      try {
        return await save(ctx, p, { content: o.text, finishReason }, call(ctx, p, usage, status, o.failure?.code ?? (o.aborted ? "client_closed_request" : null), true));
      } catch (err) {
        ctx.logger.error({ err, request_id: p.requestId, conversation_id: p.conversationId }, "could not store a streamed turn");
        throw err;
      }
    },
  });
}
