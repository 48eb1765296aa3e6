// What every upstream call shares, /chat or /v1: its usage-log row, the answer to a failure, the
// idle timeout of its stream, and the cut a shutdown applies when its grace period ends.
import { OPENAI_DEFAULT_BASE_URL } from "../config/providers.ts";
import { costMicros, pricesFor, type TokenUsage } from "../pricing/prices.ts";
import type { ChatBody } from "../providers/provider.ts";
import type { Route } from "../providers/registry.ts";
import { fromUpstreamError } from "../providers/upstream-error.ts";
import type { AppError } from "../errors.ts";
import type { ChatContext } from "./chat-context.ts";
import type { Reservation } from "../budget/budget.ts";
import { textOf, type ChatMessage } from "./messages.ts";
import { MESSAGE_OVERHEAD, upperBound } from "./token-count.ts";
import { meteredStream, type StreamEvent, type StreamOutcome } from "./metered-stream.ts";
import { recordFailure, type CallRecord } from "./record.ts";
import { estimateUsage, ZERO_USAGE } from "./usage.ts";

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
function followAnswer(ctx: ChatContext, c: CallInfo, how: { note: boolean }): void {
  const answered = c.upstream.answered?.();
  if (answered) c.model = answered.model;
  if (how.note) ctx.registry.answers.note(c.requestId, { model: c.model, provider: c.upstream.provider.name });
}

/** The usage-log row of a finished upstream call; built once per call, so it is also where it is counted. */
export function callRecord(ctx: ChatContext, c: CallInfo, usage: TokenUsage, status: number, errorCode: string | null, streamed: boolean): CallRecord {
  followAnswer(ctx, c, { note: !streamed });
  const record: CallRecord = {
    requestId: c.requestId, route: c.route, userId: c.userId, model: c.model, provider: c.upstream.provider.name, usage,
    cost: costMicros(pricesFor(ctx.loaded.config, c.model), usage), latencyMs: performance.now() - c.startedAt,
    status, errorCode, streamed, now: ctx.now(),
  };
  const m = ctx.metrics;
  const provider = m.label.provider(record.provider ?? "unknown");
  const model = m.label.model(c.model);
  m.upstreamSeconds.observe({ provider, model, streamed: String(streamed) }, record.latencyMs / 1000);
  if (status >= 400 && status !== 499 && errorCode !== "shutting_down") m.upstreamErrors.inc({ provider, status: String(status) });
  m.tokens.inc({ model, direction: "input" }, usage.prompt_tokens);
  m.tokens.inc({ model, direction: "output" }, usage.completion_tokens);
  m.tokens.inc({ model, direction: "cached" }, usage.cached_tokens);
  m.costUsd.inc({ model }, record.cost / 1_000_000);
  return record;
}

/** Logs a failed upstream call (nothing spent) and returns the error our client gets. */
export async function upstreamFailed(ctx: ChatContext, c: CallInfo, err: unknown, streamed: boolean, conversationId: string | null = null): Promise<AppError> {
  const error = fromUpstreamError(err, c.upstream.provider.name);
  await recordFailure(ctx.store, callRecord(ctx, c, ZERO_USAGE, error.status, error.code, streamed), conversationId);
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
export async function callUpstream<T>(ctx: ChatContext, c: CallInfo, how: UpstreamCallOptions, send: (signal: AbortSignal) => Promise<T>): Promise<T> {
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
    followAnswer(ctx, c, { note: true });
    return answer;
  } catch (err) {
    throw await upstreamFailed(ctx, c, cut.by ?? err, how.streamed, how.conversationId ?? null);
  } finally {
    untrack();
    how.signal.removeEventListener("abort", follow);
    finish();
  }
}

/** A stream must keep flowing: the gap allowed between chunks is the provider's timeout. */
const idleTimeoutFor = (ctx: ChatContext, c: CallInfo) =>
  ctx.loaded.providers.find((p) => p.name === c.upstream.provider.name)?.timeoutMs ?? 60_000;

/** Status and error code of a stream that ended: finished, failed, cut by a shutdown, or left by its client (499). */
function streamStatus(o: { aborted: boolean; cut: boolean; failure: AppError | null }): { status: number; code: string | null } {
  if (o.cut && o.failure) return { status: o.failure.status, code: o.failure.code };
  if (o.aborted) return { status: 499, code: "client_closed_request" };
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
  c: CallInfo,
  call: StreamCall,
  settle: (outcome: StreamOutcome, record: CallRecord) => Promise<R>,
): Promise<AsyncGenerator<StreamEvent<R>>> {
  const how = { signal: call.signal, abort: call.abort, streamed: true, conversationId: call.conversationId ?? null };
  const upstream = await callUpstream(ctx, c, how, (signal) => c.upstream.provider.stream(call.body, signal));
  const provider = c.upstream.provider.name;
  const labels = { provider: ctx.metrics.label.provider(provider), model: ctx.metrics.label.model(c.model) };
  ctx.metrics.activeStreams.inc();
  return meteredStream(upstream, {
    provider,
    signal: call.signal,
    idleTimeoutMs: idleTimeoutFor(ctx, c),
    abort: call.abort,
    track: (cut) => ctx.lifecycle.trackCall(cut),
    onFirstToken: () => ctx.metrics.upstreamTtftSeconds.observe(labels, (performance.now() - c.startedAt) / 1000),
    settle: async (o) => {
      ctx.metrics.activeStreams.dec();
      const usage = o.usage ?? (await estimateUsage(call.prompt, o.text));
      const { status, code } = streamStatus(o);
      return settle(o, callRecord(ctx, c, usage, status, code, true));
    },
  });
}

/** Answer room assumed when a request sets no max_tokens and its model no max_output_tokens. */
const DEFAULT_MAX_OUTPUT = 4096;
/** A generous bound on what one image costs in prompt tokens. */
const IMAGE_TOKENS_BOUND = 1500;

function promptBound(prompt: ChatMessage[]): number {
  let tokens = 3;
  for (const m of prompt) {
    tokens += upperBound(textOf(m.content)) + MESSAGE_OVERHEAD;
    if (!Array.isArray(m.content)) continue;
    for (const part of m.content) {
      if (part.type === "image_url") tokens += IMAGE_TOKENS_BOUND;
      else if (part.type === "file") tokens += JSON.stringify(part).length;
    }
  }
  return tokens;
}

/**
 * Reserves the call's worst case from the user's daily budget — every prompt byte a token, and all
 * the answer room it asked for. When that does not fit but `min_answer_tokens` do, the answer room
 * is lowered to what fits and the body says so to the upstream; 402 when not even that fits.
 */
export async function reserveBudget(ctx: ChatContext, c: CallInfo, prompt: ChatMessage[], body: ChatBody): Promise<{ reservation: Reservation; body: ChatBody }> {
  const { config } = ctx.loaded;
  const asked = Number(body.max_completion_tokens ?? body.max_tokens ?? 0);
  const prices = (c.upstream.candidates ?? [c.model]).map((model) => pricesFor(config, model));
  const promptTokens = promptBound(prompt);
  const reservation = await ctx.budget.reserve(c.userId, {
    // A fallback may answer: reserve for the most expensive candidate.
    costOf: (outputTokens) => Math.max(...prices.map((p) => costMicros(p, { prompt_tokens: promptTokens, completion_tokens: outputTokens, cached_tokens: 0 }))),
    outputTokens: asked > 0 ? asked : (config.models[c.model]?.max_output_tokens ?? DEFAULT_MAX_OUTPUT),
    minOutputTokens: config.min_answer_tokens,
  });
  if (!reservation.before.clamped) return { reservation, body };
  return { reservation, body: withAnswerRoom(ctx, c, body, reservation.outputTokens) };
}

/** Lowers whichever limit the client set (both, if both); with neither, the one its upstream reads. */
function withAnswerRoom(ctx: ChatContext, c: CallInfo, body: ChatBody, tokens: number): ChatBody {
  const out = { ...body };
  const set = (field: "max_tokens" | "max_completion_tokens") => out[field] !== undefined && out[field] !== null;
  if (set("max_tokens")) out.max_tokens = tokens;
  if (set("max_completion_tokens")) out.max_completion_tokens = tokens;
  if (!set("max_tokens") && !set("max_completion_tokens")) {
    // OpenAI's reasoning models refuse max_tokens; local OpenAI-compatible servers all read it.
    const provider = ctx.loaded.providers.find((p) => p.name === c.upstream.provider.name);
    out[provider?.baseUrl === OPENAI_DEFAULT_BASE_URL ? "max_completion_tokens" : "max_tokens"] = tokens;
  }
  return out;
}
