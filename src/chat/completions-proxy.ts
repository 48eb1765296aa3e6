// /v1/chat/completions: a stateless drop-in. The client's request goes upstream as it is (unknown
// fields included, model routed); the answer comes back as the upstream gave it. Each call is
// metered into the user's session and the usage log.
import type { ChatBody, ChatCompletion } from "../providers/provider.ts";
import type { ChatContext } from "./chat-context.ts";
import { assertContentUrls } from "./content-urls.ts";
import type { BudgetStatus } from "../budget/budget.ts";
import { chatBudget, type CallInfo } from "./call-meter.ts";
import { runStreamedCall, runWholeCall, type MeteredCall, type Settled } from "./metered-call.ts";
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
    requestId: input.requestId,
    route: "/v1/chat/completions",
    userId: input.userId,
    model,
    upstream,
    body: { ...input.body, model: upstream.upstreamModel },
    startedAt: performance.now(),
  };
}

const promptOf = (p: Prepared) => p.body.messages as ChatMessage[];

const proxyCall = (ctx: ChatContext, p: Prepared, signal: AbortSignal): MeteredCall<ChatBody> => ({
  info: p,
  body: p.body,
  budget: chatBudget(ctx, p, promptOf(p), p.body),
  signal,
});

export async function proxyComplete(ctx: ChatContext, input: ProxyInput, signal: AbortSignal): Promise<{ completion: ChatCompletion; budget: BudgetStatus }> {
  const p = prepare(ctx, input);
  const { answer, result } = await runWholeCall(ctx, proxyCall(ctx, p, signal), {
    send: (body, s) => p.upstream.provider.complete(body, s),
    usage: async (completion) => fromUpstream(completion.usage) ?? (await estimateUsage(promptOf(p), completion.choices[0]?.message?.content ?? "")),
    save: async (_completion, record) => {
      await recordCall(ctx.store, record);
      return {};
    },
  });
  return { completion: answer, budget: result.budget };
}

export async function proxyStream(
  ctx: ChatContext,
  input: ProxyInput,
  signal: AbortSignal,
  abort: () => void,
): Promise<{ events: AsyncGenerator<StreamEvent<Settled<object>>>; budget: BudgetStatus }> {
  const p = prepare(ctx, input);
  return runStreamedCall(ctx, { ...proxyCall(ctx, p, signal), prompt: promptOf(p), abort }, async (o, record) => {
    // Whatever was generated was paid for upstream, finished or not.
    if (record.status === 200 || o.text) await recordCall(ctx.store, record);
    else await recordFailure(ctx.store, record);
    return {};
  });
}
