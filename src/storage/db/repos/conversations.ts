import { sql, type SQLWrapper } from "drizzle-orm";
import type { Db } from "../database.ts";
import { bool, iso, json, num, strOrNull } from "../columns.ts";
import type { Row } from "../driver.ts";

export interface Conversation {
  id: string;
  user_id: string;
  session_id: string | null;
  created_at: string;
  updated_at: string;
  last_used: string;
  message_count: number;
  total_tokens_input: number;
  total_tokens_output: number;
  /** Micro-dollars. */
  total_cost: number;
  image_urls: string[];
  last_image_url: string | null;
  tags: string[];
  title: string | null;
  summary: string | null;
  metadata: Record<string, unknown>;
  model: string | null;
  is_deleted: boolean;
}

export interface NewConversation {
  id: string;
  user_id: string;
  session_id?: string | null;
  title?: string | null;
  tags?: string[];
  metadata?: Record<string, unknown>;
  model?: string | null;
  now: string;
}

export interface ConversationPatch {
  title?: string | null;
  summary?: string | null;
  tags?: string[];
  metadata?: Record<string, unknown>;
}

/** What one chat turn adds to a conversation's counters. */
export interface TurnTotals {
  messages: number;
  tokens_input: number;
  tokens_output: number;
  cost: number;
  image_urls: string[];
  session_id: string | null;
  model: string;
  now: string;
}

function decode(row: Row): Conversation {
  return {
    id: String(row.id),
    user_id: String(row.user_id),
    session_id: strOrNull(row.session_id),
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    last_used: iso(row.last_used),
    message_count: num(row.message_count),
    total_tokens_input: num(row.total_tokens_input),
    total_tokens_output: num(row.total_tokens_output),
    total_cost: num(row.total_cost),
    image_urls: json<string[]>(row.image_urls, []),
    last_image_url: strOrNull(row.last_image_url),
    tags: json<string[]>(row.tags, []),
    title: strOrNull(row.title),
    summary: strOrNull(row.summary),
    metadata: json<Record<string, unknown>>(row.metadata, {}),
    model: strOrNull(row.model),
    is_deleted: bool(row.is_deleted),
  };
}

const p = sql.placeholder;

/** What a turn sets on its conversation: counters added to, the session (`sessionId`, if not null), model and times. */
export function turnSets(sessionId: SQLWrapper) {
  return sql`
    message_count = message_count + ${p("messages")},
    total_tokens_input = total_tokens_input + ${p("tokens_input")},
    total_tokens_output = total_tokens_output + ${p("tokens_output")},
    total_cost = total_cost + ${p("cost")},
    session_id = COALESCE(${sessionId}, session_id),
    model = ${p("model")},
    last_used = ${p("now")},
    updated_at = ${p("now")}`;
}

const ADD_TURN = sql`UPDATE conversations SET ${turnSets(p("session_id"))} WHERE id = ${p("id")} RETURNING message_count, image_urls`;

/** Titles containing `text` in any case (ASCII case-folding on SQLite); % and _ match themselves. */
function titleFilter(text: string) {
  if (!text) return sql``;
  const pattern = `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql`AND LOWER(COALESCE(title, '')) LIKE ${pattern} ESCAPE '\\'`;
}

export function conversationsRepo(db: Db) {
  const byId = async (id: string): Promise<Conversation | null> => {
    const [row] = await db.all(sql`SELECT * FROM conversations WHERE id = ${id}`);
    return row ? decode(row) : null;
  };

  return {
    async create(c: NewConversation): Promise<Conversation> {
      const [row] = await db.all(sql`
        INSERT INTO conversations (id, user_id, session_id, created_at, updated_at, last_used, title, tags, metadata, model)
        VALUES (${c.id}, ${c.user_id}, ${c.session_id ?? null}, ${c.now}, ${c.now}, ${c.now}, ${c.title ?? null},
                ${db.json(c.tags ?? [])}, ${db.json(c.metadata ?? {})}, ${c.model ?? null})
        RETURNING *`);
      return decode(row!);
    },

    /** A live conversation, or null when it does not exist or was soft-deleted. */
    async get(id: string): Promise<Conversation | null> {
      const c = await byId(id);
      return c && !c.is_deleted ? c : null;
    },

    /** The user's live conversations, most recently used first. */
    /** A user's conversations, most recently used first; `titleContains` filters by title (any case). */
    async listByUser(userId: string, page: { limit: number; offset: number }, titleContains = ""): Promise<Conversation[]> {
      const rows = await db.all(sql`
        SELECT * FROM conversations WHERE user_id = ${userId} AND is_deleted = ${false} ${titleFilter(titleContains)}
        ORDER BY last_used DESC, id DESC LIMIT ${page.limit} OFFSET ${page.offset}`);
      return rows.map(decode);
    },

    async countByUser(userId: string, titleContains = ""): Promise<number> {
      const [row] = await db.all(sql`
        SELECT COUNT(*) AS n FROM conversations WHERE user_id = ${userId} AND is_deleted = ${false} ${titleFilter(titleContains)}`);
      return num(row?.n);
    },

    /** Conversations the user started since `since` (deleted ones included: they were used). */
    async countCreatedSince(userId: string, since: string): Promise<number> {
      const [row] = await db.all(sql`SELECT COUNT(*) AS n FROM conversations WHERE user_id = ${userId} AND created_at >= ${since}`);
      return num(row?.n);
    },

    async update(id: string, patch: ConversationPatch, now: string): Promise<Conversation | null> {
      const sets = [sql`updated_at = ${now}`];
      if (patch.title !== undefined) sets.push(sql`title = ${patch.title}`);
      if (patch.summary !== undefined) sets.push(sql`summary = ${patch.summary}`);
      if (patch.tags !== undefined) sets.push(sql`tags = ${db.json(patch.tags)}`);
      if (patch.metadata !== undefined) sets.push(sql`metadata = ${db.json(patch.metadata)}`);
      const [row] = await db.all(sql`
        UPDATE conversations SET ${sql.join(sets, sql`, `)}
        WHERE id = ${id} AND is_deleted = ${false} RETURNING *`);
      return row ? decode(row) : null;
    },

    /**
     * Adds one turn's messages, tokens and cost to the counters and returns the new message count,
     * which numbers the turn's messages. Run inside the turn's transaction: the UPDATE takes the
     * row lock first, so concurrent turns on one conversation get distinct numbers.
     */
    async addTurn(id: string, t: TurnTotals): Promise<number> {
      const [row] = await db.all(ADD_TURN, { ...t, id });
      if (!row) throw new Error(`conversation ${id} vanished during a turn`);
      if (t.image_urls.length) {
        const images = [...json<string[]>(row.image_urls, []), ...t.image_urls];
        await db.run(sql`UPDATE conversations SET image_urls = ${db.json(images)}, last_image_url = ${t.image_urls.at(-1)!} WHERE id = ${id}`);
      }
      return num(row.message_count);
    },

    async softDelete(id: string, now: string): Promise<boolean> {
      const n = await db.run(sql`UPDATE conversations SET is_deleted = ${true}, updated_at = ${now} WHERE id = ${id} AND is_deleted = ${false}`);
      return n > 0;
    },

    /** Removes the conversation and (by cascade) its messages. */
    async hardDelete(id: string): Promise<boolean> {
      await db.run(sql`DELETE FROM messages WHERE conversation_id = ${id}`);
      return (await db.run(sql`DELETE FROM conversations WHERE id = ${id}`)) > 0;
    },
  };
}

export type ConversationsRepo = ReturnType<typeof conversationsRepo>;
