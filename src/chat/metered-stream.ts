// Consumes an upstream stream for a client: passes chunks on, accumulates the reply, its finish
// reason and usage, and settles exactly once — after the last chunk, after a failure, or when the
// client goes away mid-reply (then from `finally`, with the partial text).
import type { ChatCompletionChunk } from "../providers/provider.ts";
import { AppError } from "../errors.ts";
import type { TokenUsage } from "../pricing/prices.ts";
import { fromUpstreamError, isAbort } from "../providers/upstream-error.ts";
import { idleWatch } from "./idle-timeout.ts";
import { fromUpstream } from "./usage.ts";
import type { ToolCall } from "../storage/db/repos/messages.ts";

export interface StreamOutcome {
  text: string;
  finishReason: string | null;
  /** Function calls the reply asked for, assembled from their deltas. */
  toolCalls: ToolCall[];
  usage: TokenUsage | null;
  /** Set when the upstream failed mid-reply. */
  failure: AppError | null;
  /** The client went away before the end. */
  aborted: boolean;
}

export type StreamEvent<R> = { type: "chunk"; chunk: ChatCompletionChunk } | { type: "end"; outcome: StreamOutcome; result: R };

export interface MeterOptions<R> {
  provider: string;
  signal: AbortSignal;
  idleTimeoutMs: number;
  /** Cancels the upstream request. */
  abort: () => void;
  /** Called once, when the first piece of reply text arrives. */
  onFirstToken?: () => void;
  settle: (outcome: StreamOutcome) => Promise<R>;
}

export async function* meteredStream<R>(upstream: AsyncIterable<ChatCompletionChunk>, opts: MeterOptions<R>): AsyncGenerator<StreamEvent<R>> {
  const outcome: StreamOutcome = { text: "", finishReason: null, toolCalls: [], usage: null, failure: null, aborted: false };
  let settled = false;
  const settle = () => {
    settled = true;
    return opts.settle(outcome);
  };
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
      // The SDK ends a cancelled stream quietly, so a stall shows here rather than as an error.
      if (watch.stalled) outcome.failure = watch.error();
      else if (!outcome.finishReason) {
        outcome.failure = new AppError(502, `The upstream provider '${opts.provider}' ended its reply before finishing it.`, "server_error", "upstream_stream_interrupted");
      }
    } catch (err) {
      // A stall is cancelled through the same signal as a departed client: tell them apart first.
      if (watch.stalled) outcome.failure = watch.error();
      else if (opts.signal.aborted && isAbort(err)) outcome.aborted = true;
      else outcome.failure = fromUpstreamError(err, opts.provider);
    } finally {
      watch.stop();
    }
    if (opts.signal.aborted && !watch.stalled) outcome.aborted = true;
    const result = await settle();
    yield { type: "end", outcome, result };
  } finally {
    // Reached without settling only when the client left while we were suspended at a yield.
    if (!settled) {
      outcome.aborted = true;
      opts.abort();
      await settle();
    }
  }
}

type ToolCallDelta = NonNullable<NonNullable<ChatCompletionChunk["choices"][number]["delta"]>["tool_calls"]>[number];

/** Streamed tool calls arrive in pieces keyed by index: the first names the call, the rest add arguments. */
export function addToolCallDelta(calls: ToolCall[], d: ToolCallDelta): void {
  const call = (calls[d.index] ??= { id: "", type: "function", function: { name: "", arguments: "" } });
  if (d.id) call.id = d.id;
  if (d.function?.name) call.function.name += d.function.name;
  if (d.function?.arguments) call.function.arguments += d.function.arguments;
}
