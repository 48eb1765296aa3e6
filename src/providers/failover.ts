// One request over a model's deployments and then its fallback models. Deployments are tried in a
// weighted order (skipping those whose circuit is open); a failure before the answer starts —
// connection error, timeout, 429, 5xx, or a stream that ends or breaks before its first chunk —
// moves on to the next one, and when every deployment of the model has failed, to the next model
// of `fallbacks`, with its body re-fitted to that model's context window. Other 4xx come back at
// once. A stream is handed on only once its first chunk has arrived: from then on a failure is the
// client's error event, never a silent switch. `answered()` says which model and deployment answered.
import * as OpenAIErrors from "openai/core/error";
import { AppError, serviceUnavailable, upstreamTimeout } from "../errors.ts";
import type { Deployment } from "../config/deployments.ts";
import type { DeploymentHealth } from "./deployment-health.ts";
import type { CallOptions, ChatBody, ChatCompletionChunk, ChatProvider } from "./provider.ts";
import { isAbort, streamInterrupted } from "./upstream-error.ts";
import { weightedOrder } from "./weighted-order.ts";

export interface Target extends Deployment {
  client: ChatProvider;
  timeoutMs: number;
  maxRetries: number;
}

export interface ChainLink {
  model: string;
  targets: Target[];
}

export interface Answered {
  model: string;
  provider: string;
  upstreamModel: string;
}

export interface FailoverOptions {
  /** The requested model first, then its fallbacks. */
  chain: ChainLink[];
  health: DeploymentHealth;
  /** The body for a fallback model: its messages fitted to that model's context window. */
  refit: <B extends { model: string }>(body: B, model: string) => Promise<B>;
  /** SDK retries per deployment while another candidate remains. */
  retriesWithAlternatives: number;
  random?: () => number;
}

export type FailoverProvider = ChatProvider & { answered(): Answered | null };

/** Worth trying elsewhere: the deployment could not answer, as opposed to refusing the request. */
export function isFailover(err: unknown): boolean {
  if (err instanceof AppError) return err.status === 408 || err.status === 429 || err.status >= 500;
  if (err instanceof OpenAIErrors.APIError && typeof err.status === "number") return err.status === 408 || err.status === 429 || err.status >= 500;
  return true; // connection errors, timeouts, and anything else that kept an answer from arriving
}

export function failoverProvider(opts: FailoverOptions): FailoverProvider {
  let current: Target = opts.chain[0]!.targets[0]!;
  let answered: Answered | null = null;

  async function attempt<B extends { model: string }, T>(
    body: B,
    signal: AbortSignal,
    run: (t: Target, body: B, signal: AbortSignal, call: CallOptions) => Promise<T>,
  ): Promise<T> {
    let lastError: unknown = null;
    const links = opts.chain;
    for (const [linkIndex, link] of links.entries()) {
      let fitted: B;
      try {
        fitted = linkIndex === 0 ? body : await opts.refit(body, link.model);
      } catch (err) {
        lastError ??= err;
        continue;
      }
      const order = weightedOrder(link.targets, opts.random);
      for (const [i, target] of order.entries()) {
        if (!(await opts.health.acquire(target.key))) continue;
        const alternatives = i < order.length - 1 || linkIndex < links.length - 1;
        const retries = alternatives ? Math.min(target.maxRetries, opts.retriesWithAlternatives) : target.maxRetries;
        current = target;
        const own = new AbortController();
        const follow = () => own.abort();
        if (signal.aborted) own.abort();
        else signal.addEventListener("abort", follow, { once: true });
        try {
          const result = await run(target, { ...fitted, model: target.upstreamModel }, own.signal, { maxRetries: retries });
          await opts.health.report(target.key, "success");
          answered = { model: link.model, provider: target.provider, upstreamModel: target.upstreamModel };
          return result;
        } catch (err) {
          signal.removeEventListener("abort", follow);
          if (signal.aborted || isAbort(err)) {
            await opts.health.report(target.key, "released");
            throw err;
          }
          if (!isFailover(err)) {
            // The deployment answered; the request was refused. Not its failure, and not for another to try.
            await opts.health.report(target.key, "success");
            throw err;
          }
          own.abort();
          await opts.health.report(target.key, "failure");
          lastError = err;
        }
      }
    }
    if (lastError) throw lastError;
    const wait = String(Math.ceil(opts.health.rules.cooldownMs / 1000));
    throw serviceUnavailable(
      `Every deployment of '${links[0]!.model}'${links.length > 1 ? " and its fallbacks" : ""} failed repeatedly and is paused; retry in ${wait} s.`,
      "upstream_unavailable",
      { "retry-after": wait },
    );
  }

  return {
    get name() {
      return current.provider;
    },
    answered: () => answered,
    complete: (body, signal) => attempt(body, signal, (t, b, s, call) => t.client.complete(b, s, call)),
    embed: (body, signal) => attempt(body, signal, (t, b, s, call) => t.client.embed(b, s, call)),
    stream: (body, signal) =>
      attempt(body, signal, async (t, b, s, call) => {
        const abortAttempt = new AbortController();
        const both = AbortSignal.any([s, abortAttempt.signal]);
        return firstChunkFirst(await t.client.stream(b as ChatBody, both, call), {
          timeoutMs: t.timeoutMs,
          provider: t.provider,
          abort: () => abortAttempt.abort(),
        });
      }),
  };
}

/**
 * Waits for a stream's first chunk (at most `timeoutMs`) before handing it on: a stream that ends,
 * breaks or stays silent before it has sent anything has failed like a refused call.
 */
async function firstChunkFirst(
  stream: AsyncIterable<ChatCompletionChunk>,
  o: { timeoutMs: number; provider: string; abort: () => void },
): Promise<AsyncIterable<ChatCompletionChunk>> {
  const iterator = stream[Symbol.asyncIterator]();
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Rejects before the abort's own rejection of `next()` can arrive, so the race reports the timeout.
  const silence = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(upstreamTimeout(`The upstream provider '${o.provider}' sent nothing within ${o.timeoutMs} ms.`));
      o.abort();
    }, o.timeoutMs);
  });
  let first: IteratorResult<ChatCompletionChunk>;
  try {
    first = await Promise.race([iterator.next(), silence]);
  } finally {
    clearTimeout(timer);
  }
  if (first.done) throw streamInterrupted(o.provider);
  return (async function* () {
    yield first.value;
    yield* { [Symbol.asyncIterator]: () => iterator };
  })();
}
