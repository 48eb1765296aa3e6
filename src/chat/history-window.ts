// The history window of recently continued conversations, kept per store, so that a turn reads
// from the database only the messages added since (normally none: this process stored them) rather
// than decoding the whole window again on every turn. The database stays the truth: every read
// still asks it whether the conversation is live and whose it is, and for every message numbered
// after the last one kept — so turns stored by another replica, or a deletion, are always seen.
import type { HistoryMessage, History } from "../storage/db/repos/messages.ts";
import type { Store } from "../storage/db/store.ts";
import type { TurnMessage, TurnReply } from "./record.ts";

interface Window {
  /** The newest `limit` messages up to `lastSeq` (all of them when there are fewer), oldest first. */
  limit: number;
  lastSeq: number;
  messages: HistoryMessage[];
  size: number;
}

/** Bounds on what is kept: recently used conversations first, the rest are read again. */
const MAX_CONVERSATIONS = 2000;
const MAX_CHARS = 2_000_000;

const sizeOf = (messages: HistoryMessage[]) => messages.reduce((n, m) => n + m.content.length + 64, 0);

/** A value as reading its JSON column back gives it. */
const roundTrip = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export class HistoryWindows {
  readonly #windows = new Map<string, Window>();
  #size = 0;

  /** A live conversation's owner and newest `limit` messages, oldest first; null when there is none. */
  async read(store: Store, conversationId: string, limit: number): Promise<History | null> {
    const kept = this.#windows.get(conversationId);
    const base = kept?.limit === limit ? kept : undefined;
    const found = await store.messages.history(conversationId, limit, base?.lastSeq ?? 0);
    if (!found) {
      this.#drop(conversationId);
      return null;
    }
    // Fewer than `limit` new messages are all of them, so they follow the kept ones directly.
    const messages = base && found.messages.length < limit ? [...base.messages, ...found.messages].slice(-limit) : found.messages;
    this.#keep(conversationId, { limit, lastSeq: messages.at(-1)?.seq ?? 0, messages, size: sizeOf(messages) });
    return { userId: found.userId, messages: messages.slice() };
  }

  /**
   * A committed turn's messages, numbered from `firstSeq` (its reply last): they extend a kept
   * window only when they directly follow it; otherwise the next read asks the database.
   */
  stored(conversationId: string, firstSeq: number, turn: TurnMessage[], reply: TurnReply): void {
    const kept = this.#windows.get(conversationId);
    if (kept?.lastSeq !== firstSeq - 1) return;
    const added: HistoryMessage[] = [...turn, { role: "assistant" as const, content: reply.content, tool_calls: reply.toolCalls }].map((m, i) => ({
      seq: firstSeq + i,
      role: m.role,
      content: m.content.toWellFormed(), // as the database gives text back
      attachments: roundTrip(("attachments" in m && m.attachments) || []),
      tool_calls: m.tool_calls?.length ? roundTrip(m.tool_calls) : null,
      tool_call_id: ("tool_call_id" in m && m.tool_call_id) || null,
    }));
    const messages = [...kept.messages, ...added].slice(-kept.limit);
    this.#keep(conversationId, { limit: kept.limit, lastSeq: firstSeq + added.length - 1, messages, size: sizeOf(messages) });
  }

  #keep(conversationId: string, window: Window): void {
    this.#drop(conversationId);
    this.#windows.set(conversationId, window); // a Map iterates in insertion order: oldest use first
    this.#size += window.size;
    for (const [id, w] of this.#windows) {
      if (this.#windows.size <= MAX_CONVERSATIONS && this.#size <= MAX_CHARS) break;
      this.#windows.delete(id);
      this.#size -= w.size;
    }
  }

  #drop(conversationId: string): void {
    const w = this.#windows.get(conversationId);
    if (!w) return;
    this.#windows.delete(conversationId);
    this.#size -= w.size;
  }
}

const perStore = new WeakMap<Store, HistoryWindows>();

/** The windows kept for one store (each app, and each test, has its own). */
export function historyWindows(store: Store): HistoryWindows {
  let windows = perStore.get(store);
  if (!windows) {
    windows = new HistoryWindows();
    perStore.set(store, windows);
  }
  return windows;
}
