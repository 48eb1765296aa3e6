// Consumes an upstream stream for a client: passes chunks on, accumulates the reply, its finish
// reason and usage, and settles exactly once — after the last chunk, after a failure, when the
// client goes away mid-reply (then from `finally`, with the partial text), or when the server cuts
// the stream short at the end of a shutdown's grace period. A settlement that cannot be stored ends
// the stream with a `storage_unavailable` error event instead of breaking the connection.
import type { ChatCompletionChunk } from "../providers/provider.ts";
import { storageUnavailable, type AppError } from "../errors.ts";
import type { TokenUsage } from "../pricing/prices.ts";
import { fromStreamError, isAbort, streamInterrupted } from "../providers/upstream-error.ts";
import { idleWatch } from "./idle-timeout.ts";
import { fromUpstream } from "./usage.ts";
import type { ToolCall } from "../storage/db/repos/messages.ts";

export interface StreamOutcome {
  text: string;
  finishReason: string | null;
  /** Function calls the reply asked for, assembled from their deltas. */
  toolCalls: ToolCall[];
  usage: TokenUsage | null;
  /** Set when the upstream failed mid-reply, or when the server cut the stream (then `cut` too). */
  failure: AppError | null;
  /** The client went away before the end. */
  aborted: boolean;
  /** The server cut the stream short (shutdown): stored like a departed client's, answered with `failure`. */
  cut: boolean;
}

/** `result` is null only when the outcome could not be stored; `outcome.failure` then says so. */
export type StreamEvent<R> = { type: "chunk"; chunk: ChatCompletionChunk } | { type: "end"; outcome: StreamOutcome; result: R | null };

/** Cuts a running stream short with `error`; resolves once its outcome has been settled (stored). */
export type CutStream = (error: AppError) => Promise<void>;

export interface MeterOptions<R> {
  provider: string;
  signal: AbortSignal;
  idleTimeoutMs: number;
  /** Cancels the upstream request. */
  abort: () => void;
  /** Called once, when the first piece of reply text arrives. */
  onFirstToken?: () => void;
  /** Offers the stream's cut for as long as it runs (a shutdown uses it); returns the withdrawal. */
  track?: (cut: CutStream) => () => void;
  settle: (outcome: StreamOutcome) => Promise<R>;
}

export { storageUnavailable };

export function meteredStream<R>(upstream: AsyncIterable<ChatCompletionChunk>, opts: MeterOptions<R>): AsyncGenerator<StreamEvent<R>> {
  const outcome: StreamOutcome = { text: "", finishReason: null, toolCalls: [], usage: null, failure: null, aborted: false, cut: false };
  const state: CutState = { by: null };
  let settling: Promise<R> | null = null;
  const settle = () => (settling ??= opts.settle(outcome));
  const events = run(upstream, opts, outcome, state, settle);
  if (!opts.track) return events;
  const untrack = opts.track(async (error) => {
    if (settling) return void (await settling.catch(() => undefined));
    state.by = error;
    opts.abort();
    // Suspended at a chunk (a client that reads slowly or not at all): this runs its `finally`.
    // Mid-read: the abort ends the read, the outcome is settled, and the return follows.
    await events.return(undefined).catch(() => undefined);
    if (!settling) markCut(outcome, error); // never started: nothing ran yet
    await settle().catch(() => undefined);
  });
  return withFinally(events, untrack);
}

interface CutState {
  by: AppError | null;
}

function markCut(outcome: StreamOutcome, error: AppError): void {
  outcome.failure = error;
  outcome.cut = true;
}

async function* run<R>(
  upstream: AsyncIterable<ChatCompletionChunk>,
  opts: MeterOptions<R>,
  outcome: StreamOutcome,
  state: CutState,
  settle: () => Promise<R>,
): AsyncGenerator<StreamEvent<R>> {
  let settled = false;
  const watch = idleWatch(opts.idleTimeoutMs, opts.abort);
  try {
    try {
      for await (const chunk of upstream) {
        watch.received();
        if (chunk.usage) outcome.usage = fromUpstream(chunk.usage);
        const choice = chunk.choices?.[0];
        if (choice?.delta?.content) {
          if (!outcome.text) opts.onFirstToken?.();
          outcome.text += choice.delta.content;
        }
        for (const d of choice?.delta?.tool_calls ?? []) addToolCallDelta(outcome.toolCalls, d);
        if (choice?.finish_reason) outcome.finishReason = choice.finish_reason;
        yield { type: "chunk", chunk };
        watch.waiting();
      }
      // The SDK ends a cancelled stream quietly, so a stall or a cut shows here rather than as an error.
      if (watch.stalled) outcome.failure = watch.error();
      else if (state.by) markCut(outcome, state.by);
      else if (!outcome.finishReason && !opts.signal.aborted) outcome.failure = streamInterrupted(opts.provider);
    } catch (err) {
      // A stall or a cut is cancelled through the same signal as a departed client: tell them apart first.
      if (watch.stalled) outcome.failure = watch.error();
      else if (state.by) markCut(outcome, state.by);
      else if (opts.signal.aborted && isAbort(err)) outcome.aborted = true;
      else outcome.failure = fromStreamError(err, opts.provider);
    } finally {
      watch.stop();
    }
    if (opts.signal.aborted && !watch.stalled && !outcome.cut) outcome.aborted = true;
    settled = true;
    let result: R | null = null;
    try {
      result = await settle();
    } catch {
      // Whoever settles logs why; the client learns that its reply was not kept.
      outcome.failure = storageUnavailable();
    }
    yield { type: "end", outcome, result };
  } finally {
    // Reached without settling only when the client left (or the stream was cut) while we were
    // suspended at a yield.
    if (!settled) {
      if (state.by) markCut(outcome, state.by);
      else outcome.aborted = true;
      opts.abort();
      await settle().catch(() => undefined);
    }
  }
}

type ToolCallDelta = NonNullable<NonNullable<ChatCompletionChunk["choices"][number]["delta"]>["tool_calls"]>[number];

/** Streamed tool calls arrive in pieces keyed by index: the first names the call, the rest add arguments. */
export function addToolCallDelta(calls: ToolCall[], delta: ToolCallDelta): void {
  const call = (calls[delta.index] ??= { id: "", type: "function", function: { name: "", arguments: "" } });
  if (delta.id) call.id = delta.id;
  if (delta.function?.name) call.function.name += delta.function.name;
  if (delta.function?.arguments) call.function.arguments += delta.function.arguments;
}

/** Runs `done` once the generator is over, however it ends. */
async function* withFinally<T>(inner: AsyncGenerator<T>, done: () => void): AsyncGenerator<T> {
  try {
    yield* inner;
  } finally {
    done();
  }
}
