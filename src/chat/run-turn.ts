// Runs a prepared /chat turn against its upstream — whole or streamed — and records it.
import type { ChatCompletion } from "../providers/provider.ts";
import type { TokenUsage } from "../pricing/prices.ts";
import type { ChatContext } from "./chat-context.ts";
import type { BudgetStatus, Reservation } from "../budget/budget.ts";
import { callRecord, callUpstream, reserveBudget, startMeteredStream } from "./call-meter.ts";
import type { StreamEvent } from "./metered-stream.ts";
import type { PreparedTurn } from "./prepare-turn.ts";
import { recordCall, recordTurn, type CallRecord, type Recorded, type TurnRecord, type TurnReply } from "./record.ts";
import { estimateUsage, fromUpstream } from "./usage.ts";
import { storeAttachments } from "./attachments.ts";
import type { Attachment } from "../storage/db/repos/messages.ts";

export interface TurnResult extends Recorded {
  usage: TokenUsage;
  /** Micro-dollars. */
  cost: number;
  /** The turn's stored files. */
  attachments: Attachment[];
  /** The user's daily budget after this turn. */
  budget: BudgetStatus;
  /** The model (a fallback, if it came to that) and provider that answered. */
  servedBy: { model: string; provider: string | null };
}

/** What a surface adds to the stored turn (the Responses API: its response object). */
export interface TurnExtras {
  response?: (reply: TurnReply, record: CallRecord) => TurnRecord["response"];
  /** Meter the call but keep nothing of the turn (the Responses API's store: false). */
  stateless?: boolean;
}

/**
 * Stores the turn's files, then the turn itself. If any of it fails, the files are removed again and
 * the budget reservation is released: nothing is left half-stored.
 */
async function save(ctx: ChatContext, p: PreparedTurn, reply: TurnReply, c: CallRecord, reservation: Reservation, extras: TurnExtras): Promise<TurnResult> {
  let attachments: Attachment[] = [];
  try {
    if (extras.stateless) {
      extras.response?.(reply, c);
      const sessionId = await recordCall(ctx.store, c);
      return { sessionId, messageNumber: 0, usage: c.usage, cost: c.cost, attachments, budget: await reservation.settle(c.cost), servedBy: { model: c.model, provider: c.provider } };
    }
    attachments = await storeAttachments(ctx.files, p.userId, p.conversationId, p.attachments);
    const lastUser = p.stored.findLastIndex((x) => x.role === "user");
    const messages = p.stored.map((m, i) => (i === lastUser ? { ...m, attachments } : m));
    const imageUrls = attachments.filter((a) => a.kind === "image").map((a) => a.url);
    const recorded = await recordTurn(ctx.store, { ...c, conversationId: p.conversationId, create: p.create, messages, reply, imageUrls, response: extras.response?.(reply, c) });
    return { ...recorded, usage: c.usage, cost: c.cost, attachments, budget: await reservation.settle(c.cost), servedBy: { model: c.model, provider: c.provider } };
  } catch (err) {
    await reservation.settle(0);
    await removeStored(ctx, attachments);
    throw err;
  }
}

async function removeStored(ctx: ChatContext, attachments: Attachment[]): Promise<void> {
  for (const a of attachments) await ctx.files.delete(await ctx.files.get(a.key, null)).catch(() => undefined);
}

const existingConversation = (p: PreparedTurn) => (p.create ? null : p.conversationId);

export async function completeTurn(ctx: ChatContext, p: PreparedTurn, signal: AbortSignal, extras: TurnExtras = {}): Promise<{ completion: ChatCompletion; result: TurnResult }> {
  const { reservation, body } = await reserveBudget(ctx, p, p.context, p.body);
  let completion: ChatCompletion;
  try {
    completion = await callUpstream(ctx, p, { signal, streamed: false, conversationId: existingConversation(p) }, (s) => p.upstream.provider.complete(body, s));
  } catch (err) {
    await reservation.settle(0);
    throw err;
  }
  const choice = completion.choices[0];
  const content = choice?.message?.content ?? "";
  const usage = fromUpstream(completion.usage) ?? (await estimateUsage(p.context, content));
  const toolCalls = (choice?.message?.tool_calls ?? []).flatMap((c) => (c.type === "function" ? [{ id: c.id, type: "function" as const, function: c.function }] : []));
  const reply = { content, finishReason: choice?.finish_reason ?? null, toolCalls };
  const result = await save(ctx, p, reply, callRecord(ctx, p, usage, 200, null, false), reservation, extras);
  return { completion, result };
}

/**
 * Starts a streamed turn. Resolves once the upstream has accepted the request (so a refusal can
 * still be answered with its HTTP status); the events then carry the chunks and, last, the result.
 */
export async function streamTurn(ctx: ChatContext, p: PreparedTurn, signal: AbortSignal, abort: () => void, extras: TurnExtras = {}): Promise<{ events: AsyncGenerator<StreamEvent<TurnResult>>; budget: BudgetStatus }> {
  const { reservation, body } = await reserveBudget(ctx, p, p.context, p.body);
  const events = await startMeteredStream(ctx, p, { body, prompt: p.context, signal, abort, conversationId: existingConversation(p) }, async (o, record) => {
    const finishReason = o.finishReason ?? (o.aborted || o.cut ? "cancelled" : "error");
    try {
      return await save(ctx, p, { content: o.text, finishReason, toolCalls: o.toolCalls.filter((c) => c.id) }, record, reservation, extras);
    } catch (err) {
      ctx.logger.error({ err, request_id: p.requestId, conversation_id: p.conversationId }, "could not store a streamed turn");
      throw err;
    }
  }).catch(async (err) => {
    await reservation.settle(0);
    throw err;
  });
  return { events, budget: reservation.before };
}
