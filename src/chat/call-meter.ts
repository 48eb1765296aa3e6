// The parts every upstream call is made of, /chat or /v1: its usage-log row, the answer to a
// failure, the idle timeout of its stream, the cut a shutdown applies when its grace period ends,
// and what a chat call reserves from the budget. metered-call.ts puts them together.
import { OPENAI_DEFAULT_BASE_URL } from "../config/providers.ts";
import { costMicros, pricesFor, type TokenUsage } from "../pricing/prices.ts";
import type { ChatBody } from "../providers/provider.ts";
import type { Route } from "../providers/registry.ts";
import { fromUpstreamError } from "../providers/upstream-error.ts";
import { ErrorCode, type AppError } from "../errors.ts";
import type { ChatContext } from "./chat-context.ts";
import { worstCaseAsk } from "../budget/worst-case.ts";
import type { BudgetAsk } from "../budget/budget.ts";
import type { ChatMessage } from "./messages.ts";
import { answerRoom, requestedAnswerTokens } from "./answer-room.ts";
import { countCall } from "./call-metrics.ts";
import { promptUpperBound } from "./prompt-size.ts";
import { meteredStream, type StreamEvent, type StreamOutcome } from "./metered-stream.ts";
import { recordFailure, type CallRecord } from "./record.ts";
import { estimateUsage, ZERO_USAGE } from "./usage.ts";

/** What a call reserves from the daily budget, and how its body's answer room is lowered when only part fits. */
export interface CallBudget<B> {
  ask: BudgetAsk;
  withAnswerRoom?: (body: B, tokens: number) => B;
}

export interface CallInfo {
  requestId: string;
  route: string;
  userId: string;
  /** The model as the client named it: what prices and records use. */
  model: string;
  upstream: Route;
  startedAt: number;
}

/**
 * After a fallback, prices, records and the answer's headers follow the model that answered. The
 * headers' note is taken before the answer goes out (never at a stream's end, when it is gone).
 */
function followAnswer(ctx: ChatContext, info: CallInfo, how: { note: boolean }): void {
  const answered = info.upstream.answered?.();
  if (answered) info.model = answered.model;
  if (how.note) ctx.registry.answers.note(info.requestId, { model: info.model, provider: info.upstream.provider.name });
}

export interface CallOutcome {
  usage: TokenUsage;
  /** The HTTP status the call ended with (200, or the failure's). */
  status: number;
  errorCode: string | null;
  streamed: boolean;
}

/** The usage-log row of a finished upstream call, priced at the prices of the model that answered. */
export function callRecord(ctx: ChatContext, info: CallInfo, outcome: CallOutcome): CallRecord {
  followAnswer(ctx, info, { note: !outcome.streamed });
  return {
    requestId: info.requestId,
    route: info.route,
    userId: info.userId,
    model: info.model,
    provider: info.upstream.provider.name,
    usage: outcome.usage,
    cost: costMicros(pricesFor(ctx.loaded.config, info.model), outcome.usage),
    latencyMs: performance.now() - info.startedAt,
    status: outcome.status,
    errorCode: outcome.errorCode,
    streamed: outcome.streamed,
    now: ctx.now(),
  };
}

/** Logs a failed upstream call (nothing spent) and returns the error our client gets. */
export async function upstreamFailed(
  ctx: ChatContext,
  info: CallInfo,
  err: unknown,
  streamed: boolean,
  conversationId: string | null = null,
): Promise<AppError> {
  const error = fromUpstreamError(err, info.upstream.provider.name);
  const record = callRecord(ctx, info, { usage: ZERO_USAGE, status: error.status, errorCode: error.code, streamed });
  countCall(ctx.metrics, record);
  await recordFailure(ctx.store, record, conversationId);
  return error;
}

export interface UpstreamCallOptions {
  signal: AbortSignal;
  /** Cancels the call (a stream's own); without it the call gets a controller that follows `signal`. */
  abort?: () => void;
  streamed: boolean;
  /** The conversation a failure is logged against, if it already exists. */
  conversationId?: string | null;
}

/**
 * An upstream call until its answer starts (all of a plain call; a stream until its response
 * headers): a failure is logged and becomes our client's error. A shutdown whose grace period ends
 * meanwhile cuts it: the call fails with `shutting_down`, logged like any failure, before the cut
 * resolves — so the record is written before the database closes.
 */
export async function callUpstream<T>(ctx: ChatContext, info: CallInfo, how: UpstreamCallOptions, send: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const own = how.abort ? null : new AbortController();
  const follow = () => own?.abort();
  if (own) {
    if (how.signal.aborted) follow();
    else how.signal.addEventListener("abort", follow, { once: true });
  }
  const abort = how.abort ?? follow;
  const cut: { by: AppError | null } = { by: null };
  let finish = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const untrack = ctx.lifecycle.trackCall(async (error) => {
    cut.by = error;
    abort();
    await finished;
  });
  try {
    const answer = await send(own?.signal ?? how.signal);
    followAnswer(ctx, info, { note: true });
    return answer;
  } catch (err) {
    throw await upstreamFailed(ctx, info, cut.by ?? err, how.streamed, how.conversationId ?? null);
  } finally {
    untrack();
    how.signal.removeEventListener("abort", follow);
    finish();
  }
}

/** A stream must keep flowing: the gap allowed between chunks is the provider's timeout. */
const idleTimeoutFor = (ctx: ChatContext, c: CallInfo) => ctx.loaded.providers.find((p) => p.name === c.upstream.provider.name)?.timeoutMs ?? 60_000;

/** Status and error code of a stream that ended: finished, failed, cut by a shutdown, or left by its client (499). */
function streamStatus(o: { aborted: boolean; cut: boolean; failure: AppError | null }): { status: number; code: string | null } {
  if (o.cut && o.failure) return { status: o.failure.status, code: o.failure.code };
  if (o.aborted) return { status: 499, code: ErrorCode.clientClosedRequest };
  if (o.failure) return { status: o.failure.status, code: o.failure.code };
  return { status: 200, code: null };
}

export interface StreamCall {
  body: ChatBody;
  /** What was sent, to estimate usage from when the upstream's own never arrives. */
  prompt: ChatMessage[];
  signal: AbortSignal;
  abort: () => void;
  /** The conversation a refused call is logged against, if it already exists. */
  conversationId?: string | null;
}

/**
 * Opens an upstream stream (a refusal becomes an AppError, logged) and meters it; `settle` gets
 * the outcome and its usage-log row once, however the stream ends.
 */
export async function startMeteredStream<R>(
  ctx: ChatContext,
  info: CallInfo,
  call: StreamCall,
  settle: (outcome: StreamOutcome, record: CallRecord) => Promise<R>,
): Promise<AsyncGenerator<StreamEvent<R>>> {
  const how = { signal: call.signal, abort: call.abort, streamed: true, conversationId: call.conversationId ?? null };
  const upstream = await callUpstream(ctx, info, how, (signal) => info.upstream.provider.stream(call.body, signal));
  const provider = info.upstream.provider.name;
  const labels = { provider: ctx.metrics.label.provider(provider), model: ctx.metrics.label.model(info.model) };
  ctx.metrics.activeStreams.inc();
  return meteredStream(upstream, {
    provider,
    signal: call.signal,
    idleTimeoutMs: idleTimeoutFor(ctx, info),
    abort: call.abort,
    track: (cut) => ctx.lifecycle.trackCall(cut),
    onFirstToken: () => ctx.metrics.upstreamTtftSeconds.observe(labels, (performance.now() - info.startedAt) / 1000),
    settle: async (o) => {
      ctx.metrics.activeStreams.dec();
      const usage = o.usage ?? (await estimateUsage(call.prompt, o.text));
      const { status, code } = streamStatus(o);
      const record = callRecord(ctx, info, { usage, status, errorCode: code, streamed: true });
      countCall(ctx.metrics, record);
      return settle(o, record);
    },
  });
}

/**
 * What a chat call reserves from the daily budget: its worst case (budget/worst-case.ts) — the
 * prompt's upper bound and all the answer room it may use. When that does not fit but
 * `min_answer_tokens` do, the body's answer room is lowered to what fits.
 */
export function chatBudget(ctx: ChatContext, info: CallInfo, prompt: ChatMessage[], body: ChatBody): CallBudget<ChatBody> {
  const { config } = ctx.loaded;
  return {
    ask: worstCaseAsk({
      // A fallback may answer: the most expensive candidate is reserved for.
      prices: (info.upstream.candidates ?? [info.model]).map((model) => pricesFor(config, model)),
      promptTokens: promptUpperBound(prompt),
      answerTokens: answerRoom(config, info.model, requestedAnswerTokens(body)),
      minAnswerTokens: config.min_answer_tokens,
    }),
    withAnswerRoom: (sent, tokens) => withAnswerRoom(ctx, info, sent, tokens),
  };
}

/** Lowers whichever limit the client set (both, if both); with neither, the one its upstream reads. */
function withAnswerRoom(ctx: ChatContext, info: CallInfo, body: ChatBody, tokens: number): ChatBody {
  const out = { ...body };
  const set = (field: "max_tokens" | "max_completion_tokens") => out[field] !== undefined && out[field] !== null;
  if (set("max_tokens")) out.max_tokens = tokens;
  if (set("max_completion_tokens")) out.max_completion_tokens = tokens;
  if (!set("max_tokens") && !set("max_completion_tokens")) {
    // OpenAI's reasoning models refuse max_tokens; local OpenAI-compatible servers all read it.
    const provider = ctx.loaded.providers.find((p) => p.name === info.upstream.provider.name);
    out[provider?.baseUrl === OPENAI_DEFAULT_BASE_URL ? "max_completion_tokens" : "max_tokens"] = tokens;
  }
  return out;
}
