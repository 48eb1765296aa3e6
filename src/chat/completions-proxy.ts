// /v1/chat/completions: a stateless drop-in. The client's request goes upstream as it is (unknown
// fields included, model routed); the answer comes back as the upstream gave it. Each call is
// metered into the user's session and the usage log.
import type { ChatBody, ChatCompletion, ChatCompletionChunk } from "../providers/provider.ts";
import { costMicros, pricesFor, type TokenUsage } from "../pricing/prices.ts";
import type { Route } from "../providers/registry.ts";
import { fromUpstreamError, isAbort } from "../providers/upstream-error.ts";
import type { ChatContext } from "./chat-context.ts";
import type { ChatMessage } from "./messages.ts";
import { meteredStream, type StreamEvent } from "./metered-stream.ts";
import { recordCall, recordFailure, type CallRecord } from "./record.ts";
import { estimateUsage, fromUpstream, ZERO_USAGE } from "./usage.ts";

export interface ProxyInput {
  requestId: string;
  userId: string;
  body: ChatBody;
}

interface Prepared {
  input: ProxyInput;
  model: string;
  upstream: Route;
  body: ChatBody;
  startedAt: number;
}

function prepare(ctx: ChatContext, input: ProxyInput): Prepared {
  const model = input.body.model || ctx.loaded.config.model;
  const upstream = ctx.registry.route(model);
  return { input, model, upstream, body: { ...input.body, model: upstream.upstreamModel }, startedAt: performance.now() };
}

function record(ctx: ChatContext, p: Prepared, usage: TokenUsage, status: number, errorCode: string | null, streamed: boolean): CallRecord {
  return {
    requestId: p.input.requestId, route: "/v1/chat/completions", userId: p.input.userId, model: p.model, provider: p.upstream.provider.name,
    usage, cost: costMicros(pricesFor(ctx.loaded.config, p.model), usage), latencyMs: performance.now() - p.startedAt,
    status, errorCode, streamed, now: ctx.now(),
  };
}

async function failed(ctx: ChatContext, p: Prepared, err: unknown, streamed: boolean) {
  const error = fromUpstreamError(err, p.upstream.provider.name);
  await recordFailure(ctx.store, record(ctx, p, ZERO_USAGE, error.status, error.code, streamed));
  return error;
}

export async function proxyComplete(ctx: ChatContext, input: ProxyInput, signal: AbortSignal): Promise<ChatCompletion> {
  const p = prepare(ctx, input);
  let completion: ChatCompletion;
  try {
    completion = await p.upstream.provider.complete(p.body, signal);
  } catch (err) {
    throw await failed(ctx, p, err, false);
  }
  const usage = fromUpstream(completion.usage) ?? (await estimateUsage(p.body.messages as ChatMessage[], completion.choices[0]?.message?.content ?? ""));
  await recordCall(ctx.store, record(ctx, p, usage, 200, null, false));
  return completion;
}

export async function proxyStream(ctx: ChatContext, input: ProxyInput, signal: AbortSignal, abort: () => void): Promise<AsyncGenerator<StreamEvent<void>>> {
  const p = prepare(ctx, input);
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
    settle: async (o) => {
      const usage = o.usage ?? (await estimateUsage(p.body.messages as ChatMessage[], o.text));
      const status = o.aborted ? 499 : o.failure ? o.failure.status : 200;
      const c = record(ctx, p, usage, status, o.failure?.code ?? (o.aborted ? "client_closed_request" : null), true);
      try {
        if (status === 200 || o.text) await recordCall(ctx.store, c);
        else await recordFailure(ctx.store, c);
      } catch (err) {
        ctx.logger.error({ err, request_id: p.input.requestId }, "could not record a streamed call");
      }
    },
  });
}
