// Writing what a chat request did, in one transaction per request: the turn's messages, the
// conversation's counters, the user's session for the day and the usage record. Totals therefore
// always equal the sum of the per-request records.
import { newId } from "../lib/ids.ts";
import type { TokenUsage } from "../pricing/prices.ts";
import type { Attachment, ToolCall } from "../storage/db/repos/messages.ts";
import type { StoredResponse } from "../storage/db/repos/responses.ts";
import type { TurnMessageRow } from "../storage/db/repos/turns.ts";
import type { Repos, Store } from "../storage/db/store.ts";

/** One row of the usage log, before ids and the session are known. */
export interface CallRecord {
  requestId: string;
  route: string;
  userId: string;
  model: string;
  provider: string | null;
  usage: TokenUsage;
  /** Micro-dollars. */
  cost: number;
  latencyMs: number;
  status: number;
  errorCode: string | null;
  streamed: boolean;
  now: Date;
}

export interface TurnMessage {
  role: "system" | "user" | "assistant" | "tool";
  content: string;
  attachments?: Attachment[];
  tool_calls?: ToolCall[];
  tool_call_id?: string;
}

export interface TurnReply {
  content: string;
  finishReason: string | null;
  toolCalls?: ToolCall[];
}

export interface TurnRecord extends CallRecord {
  conversationId: string;
  /** Set when this turn creates the conversation. */
  create: { title: string | null } | null;
  messages: TurnMessage[];
  reply: TurnReply;
  imageUrls: string[];
  /** A Responses API turn also stores its response object, in the same transaction. */
  response?: Omit<StoredResponse, "conversation_id" | "user_id" | "created_at">;
}

export interface Recorded {
  sessionId: string;
  /** message_number of the stored reply. */
  messageNumber: number;
}

async function meter(tx: Repos, call: CallRecord, where: { conversationId: string | null; newConversation: boolean }): Promise<string> {
  const now = call.now.toISOString();
  const sessionId = await tx.sessions.record(call.userId, now.slice(0, 10), newId("sess"), sessionUsage(call, where, now));
  await tx.usage.insert(usageRow(call, sessionId, where.conversationId, now));
  return sessionId;
}

/** `now` is the call's time as ISO text, formatted once per record (its first 10 characters are the UTC day). */
function sessionUsage(call: CallRecord, { newConversation }: { newConversation: boolean }, now: string) {
  return {
    tokens_input: call.usage.prompt_tokens,
    tokens_output: call.usage.completion_tokens,
    cost: call.cost,
    requests: 1,
    conversations: newConversation ? 1 : 0,
    now,
  };
}

function usageRow(call: CallRecord, sessionId: string | null, conversationId: string | null, now = call.now.toISOString()) {
  return {
    id: newId("usage"),
    request_id: call.requestId,
    user_id: call.userId,
    session_id: sessionId,
    conversation_id: conversationId,
    route: call.route,
    model: call.model,
    provider: call.provider,
    tokens_input: call.usage.prompt_tokens,
    tokens_output: call.usage.completion_tokens,
    tokens_cached: call.usage.cached_tokens,
    cost: call.cost,
    latency_ms: Math.round(call.latencyMs),
    status: call.status,
    error_code: call.errorCode,
    streamed: call.streamed,
    created_at: now,
  };
}

/** The turn's messages and its reply, numbered relative to the conversation's new message count (the reply is 0). */
function turnMessages(turnRecord: TurnRecord): TurnMessageRow[] {
  const n = turnRecord.messages.length;
  const rows: TurnMessageRow[] = turnRecord.messages.map((m, i) => ({
    id: newId("msg"),
    position: i - n,
    role: m.role,
    content: m.content,
    attachments: m.attachments ?? [],
    tool_calls: m.tool_calls,
    tool_call_id: m.tool_call_id,
  }));
  rows.push({
    id: newId("msg"),
    position: 0,
    role: "assistant",
    content: turnRecord.reply.content,
    model: turnRecord.model,
    tokens_input: turnRecord.usage.prompt_tokens,
    tokens_output: turnRecord.usage.completion_tokens,
    cost: turnRecord.cost,
    finish_reason: turnRecord.reply.finishReason,
    tool_calls: turnRecord.reply.toolCalls,
  });
  return rows;
}

export async function recordTurn(store: Store, turnRecord: TurnRecord): Promise<Recorded> {
  const now = turnRecord.now.toISOString();
  const messages = turnMessages(turnRecord);
  const where = { conversationId: turnRecord.conversationId, newConversation: turnRecord.create !== null };
  // On Postgres the whole turn is one statement. It still runs in a transaction: a statement held
  // up past the deadline (its caller answered 503 meanwhile) is rolled back, never committed.
  if (store.dialect === "postgres") {
    const { sessionId, messageCount } = await store.write((tx) =>
      tx.turns.record({
        conversationId: turnRecord.conversationId,
        create: turnRecord.create,
        userId: turnRecord.userId,
        day: now.slice(0, 10),
        newSessionId: newId("sess"),
        session: sessionUsage(turnRecord, where, now),
        usage: usageRow(turnRecord, null, turnRecord.conversationId, now),
        model: turnRecord.model,
        imageUrls: turnRecord.imageUrls,
        messages,
        response: turnRecord.response ?? null,
      }),
    );
    return { sessionId, messageNumber: messageCount };
  }
  return store.write(async (tx) => {
    if (turnRecord.create) {
      await tx.conversations.create({
        id: turnRecord.conversationId,
        user_id: turnRecord.userId,
        title: turnRecord.create.title,
        model: turnRecord.model,
        now,
      });
    }
    const sessionId = await meter(tx, turnRecord, where);
    const count = await tx.conversations.addTurn(turnRecord.conversationId, {
      messages: messages.length,
      tokens_input: turnRecord.usage.prompt_tokens,
      tokens_output: turnRecord.usage.completion_tokens,
      cost: turnRecord.cost,
      image_urls: turnRecord.imageUrls,
      session_id: sessionId,
      model: turnRecord.model,
      now,
    });
    await tx.messages.insertAll(
      messages.map(({ position, ...m }) => ({
        ...m,
        conversation_id: turnRecord.conversationId,
        user_id: turnRecord.userId,
        seq: count + position,
        created_at: now,
      })),
    );
    if (turnRecord.response)
      await tx.responses.insert({ ...turnRecord.response, user_id: turnRecord.userId, conversation_id: turnRecord.conversationId, created_at: now });
    return { sessionId, messageNumber: count };
  });
}

/** A stateless call (/v1/chat/completions) that succeeded: session and usage log. Returns the session id. */
export async function recordCall(store: Store, call: CallRecord): Promise<string> {
  // On Postgres the session and the usage row go in one statement: one round trip, atomic by itself.
  if (store.dialect === "postgres") {
    const now = call.now.toISOString();
    return store.sessions.recordWithUsage(
      call.userId,
      now.slice(0, 10),
      newId("sess"),
      sessionUsage(call, { newConversation: false }, now),
      usageRow(call, null, null, now),
    );
  }
  return store.write((tx) => meter(tx, call, { conversationId: null, newConversation: false }));
}

/** A call that failed or was refused: the usage log only (nothing was spent). */
export async function recordFailure(store: Store, call: CallRecord, conversationId: string | null = null): Promise<void> {
  await store.write((tx) => tx.usage.insert(usageRow(call, null, conversationId)));
}
