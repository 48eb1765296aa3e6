// The one lifecycle of a metered upstream call, whole or streamed, for every surface (/chat, the v1
// routes, the Responses API, embeddings): reserve the worst case from the budget → call → usage →
// usage-log row → the caller's save step → settle the reservation to the real cost. The
// reservation is owned here: whatever fails, it is released exactly once, and no caller can forget.
import type { BudgetStatus } from "../budget/budget.ts";
import type { TokenUsage } from "../pricing/prices.ts";
import type { ChatBody } from "../providers/provider.ts";
import type { ChatContext } from "./chat-context.ts";
import { callRecord, callUpstream, startMeteredStream, type CallBudget, type CallInfo } from "./call-meter.ts";
import { countCall } from "./call-metrics.ts";
import type { ChatMessage } from "./messages.ts";
import type { StreamEvent, StreamOutcome } from "./metered-stream.ts";
import type { CallRecord } from "./record.ts";

export interface MeteredCall<B> {
  info: CallInfo;
  body: B;
  budget: CallBudget<B>;
  signal: AbortSignal;
  /** The conversation a failed call is logged against, if it already exists. */
  conversationId?: string | null;
}

/** What the caller's save step returned, with the user's budget once the call is settled. */
export type Settled<R> = R & { budget: BudgetStatus };

export interface WholeSteps<B, A, R> {
  send: (body: B, signal: AbortSignal) => Promise<A>;
  /** The call's usage: the upstream's, or an estimate. */
  usage: (answer: A) => Promise<TokenUsage>;
  /** Stores what the call produced; the reservation settles to the record's cost once it has. */
  save: (answer: A, record: CallRecord) => Promise<R>;
}

async function reserve<B>(ctx: ChatContext, call: MeteredCall<B>) {
  const reservation = await ctx.budget.reserve(call.info.userId, call.budget.ask);
  const clamp = reservation.before.clamped && call.budget.withAnswerRoom;
  return { reservation, body: clamp ? clamp(call.body, reservation.outputTokens) : call.body };
}

export async function runWholeCall<B, A, R>(ctx: ChatContext, call: MeteredCall<B>, steps: WholeSteps<B, A, R>): Promise<{ answer: A; result: Settled<R> }> {
  const { reservation, body } = await reserve(ctx, call);
  try {
    const how = { signal: call.signal, streamed: false, conversationId: call.conversationId ?? null };
    const answer = await callUpstream(ctx, call.info, how, (signal) => steps.send(body, signal));
    const record = callRecord(ctx, call.info, { usage: await steps.usage(answer), status: 200, errorCode: null, streamed: false });
    countCall(ctx.metrics, record);
    const saved = await steps.save(answer, record);
    return { answer, result: { ...saved, budget: await reservation.settle(record.cost) } };
  } catch (err) {
    await reservation.settle(0);
    throw err;
  }
}

export interface StreamedCall extends MeteredCall<ChatBody> {
  /** What was sent, to estimate usage from when the upstream's own never arrives. */
  prompt: ChatMessage[];
  abort: () => void;
}

/**
 * Starts a streamed call. Resolves once the upstream has accepted it (so a refusal can still be
 * answered with its HTTP status); the events then carry the chunks and, last, the saved result —
 * null when the save failed (logged here; the stream then ends with storage_unavailable).
 */
export async function runStreamedCall<R>(
  ctx: ChatContext,
  call: StreamedCall,
  save: (outcome: StreamOutcome, record: CallRecord) => Promise<R>,
): Promise<{ events: AsyncGenerator<StreamEvent<Settled<R>>>; budget: BudgetStatus }> {
  const { reservation, body } = await reserve(ctx, call);
  const stream = { body, prompt: call.prompt, signal: call.signal, abort: call.abort, conversationId: call.conversationId ?? null };
  try {
    const events = await startMeteredStream(ctx, call.info, stream, async (outcome, record): Promise<Settled<R>> => {
      try {
        const saved = await save(outcome, record);
        return { ...saved, budget: await reservation.settle(record.cost) };
      } catch (err) {
        ctx.logger.error({ err, request_id: call.info.requestId, conversation_id: call.conversationId ?? undefined }, "could not store a streamed call");
        await reservation.settle(0);
        throw err;
      }
    });
    return { events, budget: reservation.before };
  } catch (err) {
    await reservation.settle(0);
    throw err;
  }
}
