// /v1/chat/completions: a stateless drop-in. The client's request goes upstream as it is (unknown
// fields included, model routed); the answer comes back as the upstream gave it. Each call is
// metered into the user's session and the usage log.
import type { ChatBody, ChatCompletion } from "../providers/provider.ts";
import type { ChatContext } from "./chat-context.ts";
import { assertContentUrls } from "./content-urls.ts";
import type { BudgetStatus } from "../budget/budget.ts";
import { callRecord, callUpstream, reserveBudget, startMeteredStream, type CallInfo } from "./call-meter.ts";
import type { ChatMessage } from "./messages.ts";
import type { StreamEvent } from "./metered-stream.ts";
import { recordCall, recordFailure } from "./record.ts";
import { estimateUsage, fromUpstream } from "./usage.ts";

export interface ProxyInput {
  requestId: string;
  userId: string;
  body: ChatBody;
}

type Prepared = CallInfo & { body: ChatBody };

function prepare(ctx: ChatContext, input: ProxyInput): Prepared {
  assertContentUrls(input.body.messages as ChatMessage[], ctx.loaded.config.content_urls.allow);
  const model = input.body.model || ctx.loaded.config.model;
  const upstream = ctx.registry.route(model);
  return {
    requestId: input.requestId, route: "/v1/chat/completions", userId: input.userId, model, upstream,
    body: { ...input.body, model: upstream.upstreamModel }, startedAt: performance.now(),
  };
}

const promptOf = (p: Prepared) => p.body.messages as ChatMessage[];

export async function proxyComplete(ctx: ChatContext, input: ProxyInput, signal: AbortSignal): Promise<{ completion: ChatCompletion; budget: BudgetStatus }> {
  const p = prepare(ctx, input);
  const { reservation, body } = await reserveBudget(ctx, p, promptOf(p), p.body);
  let completion: ChatCompletion;
  try {
    completion = await callUpstream(ctx, p, { signal, streamed: false }, (s) => p.upstream.provider.complete(body, s));
  } catch (err) {
    await reservation.settle(0);
    throw err;
  }
  const usage = fromUpstream(completion.usage) ?? (await estimateUsage(promptOf(p), completion.choices[0]?.message?.content ?? ""));
  const record = callRecord(ctx, p, usage, 200, null, false);
  try {
    await recordCall(ctx.store, record);
  } catch (err) {
    await reservation.settle(0);
    throw err;
  }
  return { completion, budget: await reservation.settle(record.cost) };
}

export async function proxyStream(ctx: ChatContext, input: ProxyInput, signal: AbortSignal, abort: () => void): Promise<{ events: AsyncGenerator<StreamEvent<BudgetStatus>>; budget: BudgetStatus }> {
  const p = prepare(ctx, input);
  const { reservation, body } = await reserveBudget(ctx, p, promptOf(p), p.body);
  const events = await startMeteredStream(ctx, p, { body, prompt: promptOf(p), signal, abort }, async (o, record) => {
    try {
      // Whatever was generated was paid for upstream, finished or not.
      if (record.status === 200 || o.text) await recordCall(ctx.store, record);
      else await recordFailure(ctx.store, record);
      return await reservation.settle(record.cost);
    } catch (err) {
      // The client is told (storage_unavailable), rather than answered as if the call was kept.
      ctx.logger.error({ err, request_id: p.requestId }, "could not record a streamed call");
      await reservation.settle(0);
      throw err;
    }
  }).catch(async (err) => {
    await reservation.settle(0);
    throw err;
  });
  return { events, budget: reservation.before };
}
