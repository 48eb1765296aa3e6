import { sql } from "drizzle-orm";
import type { Db } from "../database.ts";
import { iso, json, num, strOrNull } from "../columns.ts";
import type { Row } from "../driver.ts";

export interface Attachment {
  kind: "image" | "document";
  key: string;
  url: string;
  filename: string;
  content_type: string;
}

/** A function call the assistant asked for, in chat completions' shape. */
export interface ToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export interface Message {
  id: string;
  conversation_id: string;
  user_id: string;
  /** 1-based position in the conversation (the API's message_number). */
  seq: number;
  role: "system" | "user" | "assistant" | "tool";
  content: string;
  attachments: Attachment[];
  model: string | null;
  tokens_input: number;
  tokens_output: number;
  /** Micro-dollars. */
  cost: number;
  finish_reason: string | null;
  /** Calls an assistant message asked for (null: none). */
  tool_calls: ToolCall[] | null;
  /** The call a tool message answers. */
  tool_call_id: string | null;
  created_at: string;
}

type Optional = "attachments" | "model" | "tokens_input" | "tokens_output" | "cost" | "finish_reason" | "tool_calls" | "tool_call_id";
export type NewMessage = Omit<Message, Optional> & Partial<Pick<Message, Optional>>;

export interface MessagePage {
  limit: number;
  order: "asc" | "desc";
  /** A message id: only messages after it (in the chosen order) are returned. */
  after?: string;
}

/** What a chat turn reads of a stored message to send it upstream again. */
export type HistoryMessage = Pick<Message, "seq" | "role" | "content" | "attachments" | "tool_calls" | "tool_call_id">;

/** A live conversation's owner and the messages a turn's context is built from. */
export interface History {
  userId: string;
  /** The newest messages, oldest first. */
  messages: HistoryMessage[];
}

const p = sql.placeholder;
// Every continued turn runs this: one statement (one round trip on Postgres) that checks the
// conversation and reads its newest messages after a given one, newest first along the
// (conversation_id, seq) index with no sort, and only the columns a turn's context needs. A
// conversation with no such messages gives one row whose message columns are null; an unknown or
// deleted one gives no rows.
const HISTORY = sql`
  SELECT c.user_id, m.seq, m.role, m.content, m.attachments, m.tool_calls, m.tool_call_id
  FROM conversations c LEFT JOIN messages m ON m.conversation_id = c.id AND m.seq > ${p("after")}
  WHERE c.id = ${p("id")} AND NOT c.is_deleted
  ORDER BY m.seq DESC LIMIT ${p("limit")}`;

const decodeHistory = (row: Row): HistoryMessage => ({
  seq: num(row.seq),
  role: String(row.role) as Message["role"],
  content: String(row.content),
  attachments: json<Attachment[]>(row.attachments, []),
  tool_calls: json<ToolCall[] | null>(row.tool_calls, null),
  tool_call_id: strOrNull(row.tool_call_id),
});

function decode(row: Row): Message {
  return {
    id: String(row.id),
    conversation_id: String(row.conversation_id),
    user_id: String(row.user_id),
    seq: num(row.seq),
    role: String(row.role) as Message["role"],
    content: String(row.content),
    attachments: json<Attachment[]>(row.attachments, []),
    model: strOrNull(row.model),
    tokens_input: num(row.tokens_input),
    tokens_output: num(row.tokens_output),
    cost: num(row.cost),
    finish_reason: strOrNull(row.finish_reason),
    tool_calls: json<ToolCall[] | null>(row.tool_calls, null),
    tool_call_id: strOrNull(row.tool_call_id),
    created_at: iso(row.created_at),
  };
}

export function messagesRepo(db: Db) {
  /** Several messages in one statement (a turn's: one statement where there were one per message). */
  async function insertAll(ms: NewMessage[]): Promise<void> {
    const rows = ms.map(
      (m) => sql`(${m.id}, ${m.conversation_id}, ${m.user_id}, ${m.seq}, ${m.role}, ${m.content},
              ${db.json(m.attachments ?? [])}, ${m.model ?? null}, ${m.tokens_input ?? 0},
              ${m.tokens_output ?? 0}, ${m.cost ?? 0}, ${m.finish_reason ?? null},
              ${m.tool_calls?.length ? db.json(m.tool_calls) : null}, ${m.tool_call_id ?? null}, ${m.created_at})`,
    );
    await db.run(sql`
      INSERT INTO messages (id, conversation_id, user_id, seq, role, content, attachments, model,
                            tokens_input, tokens_output, cost, finish_reason, tool_calls, tool_call_id, created_at)
      VALUES ${sql.join(rows, sql`, `)}`);
  }

  return {
    async insert(m: NewMessage): Promise<void> {
      await insertAll([m]);
    },

    insertAll,

    /** The highest message number so far (0 for an empty conversation). */
    async lastSeq(conversationId: string): Promise<number> {
      const [row] = await db.all(sql`SELECT MAX(seq) AS seq FROM messages WHERE conversation_id = ${conversationId}`);
      return num(row?.seq);
    },

    async list(conversationId: string, page: MessagePage): Promise<Message[]> {
      const desc = page.order === "desc";
      const cursor = page.after
        ? desc
          ? sql`AND seq < (SELECT seq FROM messages WHERE id = ${page.after} AND conversation_id = ${conversationId})`
          : sql`AND seq > (SELECT seq FROM messages WHERE id = ${page.after} AND conversation_id = ${conversationId})`
        : sql``;
      const rows = await db.all(sql`
        SELECT * FROM messages WHERE conversation_id = ${conversationId} ${cursor}
        ORDER BY seq ${desc ? sql`DESC` : sql`ASC`} LIMIT ${page.limit}`);
      return rows.map(decode);
    },

    async countSince(userId: string, since: string): Promise<number> {
      const [row] = await db.all(sql`SELECT COUNT(*) AS n FROM messages WHERE user_id = ${userId} AND created_at >= ${since}`);
      return num(row?.n);
    },

    /**
     * A live conversation's owner and its newest `limit` messages numbered above `after` (all of
     * them: 0); null when there is no such conversation.
     */
    async history(conversationId: string, limit: number, after = 0): Promise<History | null> {
      // LIMIT 0 would hide the conversation itself (the configuration asks for at least 1).
      const rows = await db.all(HISTORY, { id: conversationId, after, limit: Math.max(limit, 1) });
      if (!rows.length) return null;
      return { userId: String(rows[0]!.user_id), messages: rows[0]!.seq === null ? [] : rows.map(decodeHistory).reverse() };
    },

    /** The newest `limit` messages, returned oldest first: the history window of a conversation. */
    async latest(conversationId: string, limit: number): Promise<Message[]> {
      const rows = await db.all(sql`
        SELECT * FROM messages WHERE conversation_id = ${conversationId} ORDER BY seq DESC LIMIT ${limit}`);
      return rows.map(decode).reverse();
    },
  };
}

export type MessagesRepo = ReturnType<typeof messagesRepo>;
