// Runs a prepared /chat turn (or a Responses API turn) through the metered call — whole or
// streamed — and stores it: its files, its messages, its usage record, in one transaction.
import type { ChatCompletion } from "../providers/provider.ts";
import type { TokenUsage } from "../pricing/prices.ts";
import type { ChatContext } from "./chat-context.ts";
import type { BudgetStatus } from "../budget/budget.ts";
import { chatBudget } from "./call-meter.ts";
import { runStreamedCall, runWholeCall, type MeteredCall, type Settled } from "./metered-call.ts";
import type { StreamEvent } from "./metered-stream.ts";
import type { PreparedTurn } from "./prepare-turn.ts";
import { recordCall, recordTurn, type CallRecord, type Recorded, type TurnRecord, type TurnReply } from "./record.ts";
import { estimateUsage, fromUpstream } from "./usage.ts";
import { storeAttachments } from "./attachments.ts";
import { historyWindows } from "./history-window.ts";
import type { Attachment } from "../storage/db/repos/messages.ts";

export interface StoredTurn extends Recorded {
  usage: TokenUsage;
  /** Micro-dollars. */
  cost: number;
  /** The turn's stored files. */
  attachments: Attachment[];
  /** The model (a fallback, if it came to that) and provider that answered. */
  servedBy: { model: string; provider: string | null };
}

/** A stored turn with the user's daily budget after it. */
export type TurnResult = Settled<StoredTurn>;

/** What a surface adds to the stored turn (the Responses API: its response object). */
export interface TurnExtras {
  response?: (reply: TurnReply, record: CallRecord) => TurnRecord["response"];
  /** Meter the call but keep nothing of the turn (the Responses API's store: false). */
  stateless?: boolean;
}

/**
 * Stores the turn's files, then the turn itself. If any of it fails, the files are removed again
 * (the metered call releases the budget reservation): nothing is left half-stored.
 */
async function save(ctx: ChatContext, turn: PreparedTurn, reply: TurnReply, record: CallRecord, extras: TurnExtras): Promise<StoredTurn> {
  let attachments: Attachment[] = [];
  try {
    if (extras.stateless) {
      extras.response?.(reply, record);
      const sessionId = await recordCall(ctx.store, record);
      return { sessionId, messageNumber: 0, usage: record.usage, cost: record.cost, attachments, servedBy: { model: record.model, provider: record.provider } };
    }
    attachments = await storeAttachments(ctx.files, turn.userId, turn.conversationId, turn.attachments);
    const lastUser = turn.stored.findLastIndex((x) => x.role === "user");
    const messages = turn.stored.map((m, i) => (i === lastUser ? { ...m, attachments } : m));
    const imageUrls = attachments.filter((a) => a.kind === "image").map((a) => a.url);
    const recorded = await recordTurn(ctx.store, {
      ...record,
      conversationId: turn.conversationId,
      create: turn.create,
      messages,
      reply,
      imageUrls,
      response: extras.response?.(reply, record),
    });
    historyWindows(ctx.store).stored(turn.conversationId, recorded.messageNumber - messages.length, messages, reply);
    return { ...recorded, usage: record.usage, cost: record.cost, attachments, servedBy: { model: record.model, provider: record.provider } };
  } catch (err) {
    await removeStored(ctx, attachments);
    throw err;
  }
}

async function removeStored(ctx: ChatContext, attachments: Attachment[]): Promise<void> {
  for (const a of attachments) await ctx.files.delete(await ctx.files.get(a.key, null)).catch(() => undefined);
}

const turnCall = (ctx: ChatContext, p: PreparedTurn, signal: AbortSignal): MeteredCall<PreparedTurn["body"]> => ({
  info: p,
  body: p.body,
  budget: chatBudget(ctx, p, p.context, p.body),
  signal,
  conversationId: p.create ? null : p.conversationId,
});

export async function completeTurn(
  ctx: ChatContext,
  turn: PreparedTurn,
  signal: AbortSignal,
  extras: TurnExtras = {},
): Promise<{ completion: ChatCompletion; result: TurnResult }> {
  const { answer, result } = await runWholeCall(ctx, turnCall(ctx, turn, signal), {
    send: (body, s) => turn.upstream.provider.complete(body, s),
    usage: async (completion) => fromUpstream(completion.usage) ?? (await estimateUsage(turn.context, completion.choices[0]?.message?.content ?? "")),
    save: (completion, record) => {
      const choice = completion.choices[0];
      const toolCalls = (choice?.message?.tool_calls ?? []).flatMap((c) =>
        c.type === "function" ? [{ id: c.id, type: "function" as const, function: c.function }] : [],
      );
      return save(ctx, turn, { content: choice?.message?.content ?? "", finishReason: choice?.finish_reason ?? null, toolCalls }, record, extras);
    },
  });
  return { completion: answer, result };
}

/**
 * Starts a streamed turn. Resolves once the upstream has accepted the request (so a refusal can
 * still be answered with its HTTP status); the events then carry the chunks and, last, the result.
 */
export async function streamTurn(
  ctx: ChatContext,
  turn: PreparedTurn,
  signal: AbortSignal,
  abort: () => void,
  extras: TurnExtras = {},
): Promise<{ events: AsyncGenerator<StreamEvent<TurnResult>>; budget: BudgetStatus }> {
  return runStreamedCall(ctx, { ...turnCall(ctx, turn, signal), prompt: turn.context, abort }, (o, record) => {
    const finishReason = o.finishReason ?? (o.aborted || o.cut ? "cancelled" : "error");
    return save(ctx, turn, { content: o.text, finishReason, toolCalls: o.toolCalls.filter((c) => c.id) }, record, extras);
  });
}
