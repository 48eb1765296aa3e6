// A whole chat turn as ONE statement (Postgres only: SQLite has no data-modifying CTEs and writes
// a turn as statements of one group-committed transaction instead). The user's session for the
// day, the conversation's counters (or the new conversation), the usage row, the turn's messages
// and the stored response go in one statement, atomic by itself: any part failing leaves nothing
// written. (The caller still wraps it in a transaction, for the deadline: see recordTurn.)
//
// Message numbers come from the conversation's new message_count as on SQLite: the UPDATE takes
// the conversation's row lock, so concurrent turns on one conversation get distinct numbers. Should
// the conversation be gone, the count is NULL and so is every message's seq: the statement fails on
// the NOT NULL column rather than store a turn without it.
import { sql } from "drizzle-orm";
import type { Db } from "../database.ts";
import { num } from "../columns.ts";
import { turnSets } from "./conversations.ts";
import type { NewMessage } from "./messages.ts";
import type { StoredResponse } from "./responses.ts";
import { RECORD, type SessionUsage, sessionParams, type UsageOfSession, usageOfSession, usageOfSessionParams } from "./sessions.ts";
import { usageInsert } from "./usage.ts";

const p = sql.placeholder;
const SESSION_ID = sql`(SELECT id FROM session)`;

const ADD_TO_CONVERSATION = sql`
  UPDATE conversations SET ${turnSets(SESSION_ID)},
    image_urls = image_urls || ${p("images")}::text::jsonb,
    last_image_url = COALESCE(${p("last_image_url")}, last_image_url)
  WHERE id = ${p("conversation_id")}
  RETURNING message_count`;

/** The conversation as `conversations.create` and then `addTurn` would leave it. */
const CREATE_CONVERSATION = sql`
  INSERT INTO conversations (id, user_id, session_id, created_at, updated_at, last_used, title, model, message_count,
                             total_tokens_input, total_tokens_output, total_cost, image_urls, last_image_url)
  VALUES (${p("conversation_id")}, ${p("user_id")}, ${SESSION_ID}, ${p("now")}, ${p("now")}, ${p("now")}, ${p("title")}, ${p("model")},
          ${p("messages")}, ${p("tokens_input")}, ${p("tokens_output")}, ${p("cost")}, ${p("images")}::text::jsonb, ${p("last_image_url")})
  RETURNING message_count`;

// Any number of messages in one statement text: they travel as one JSON array.
const INSERT_MESSAGES = sql`
  INSERT INTO messages (id, conversation_id, user_id, seq, role, content, attachments, model, tokens_input,
                        tokens_output, cost, finish_reason, tool_calls, tool_call_id, created_at)
  SELECT m.id, ${p("conversation_id")}, ${p("user_id")}, (SELECT message_count FROM conversation) + m.position, m.role, m.content,
         m.attachments, m.model, m.tokens_input, m.tokens_output, m.cost, m.finish_reason, m.tool_calls, m.tool_call_id,
         ${p("now")}::timestamptz
  FROM jsonb_to_recordset(${p("message_rows")}::text::jsonb) AS m(id text, position int, role text, content text,
       attachments jsonb, model text, tokens_input bigint, tokens_output bigint, cost bigint, finish_reason text,
       tool_calls jsonb, tool_call_id text)`;

const INSERT_RESPONSE = sql`
  INSERT INTO responses (id, user_id, conversation_id, body, input_items, created_at)
  SELECT r.id, ${p("user_id")}, ${p("conversation_id")}, r.body, r.input_items, ${p("now")}::timestamptz
  FROM jsonb_to_recordset(${p("response_rows")}::text::jsonb) AS r(id text, body jsonb, input_items jsonb)`;

const turn = (conversation: typeof ADD_TO_CONVERSATION) => sql`
  WITH session AS (${RECORD}),
  conversation AS (${conversation}),
  usage AS (${usageInsert(usageOfSession)}),
  message AS (${INSERT_MESSAGES}),
  response AS (${INSERT_RESPONSE})
  SELECT ${SESSION_ID} AS session_id, (SELECT message_count FROM conversation) AS message_count`;

const TURN = turn(ADD_TO_CONVERSATION);
const FIRST_TURN = turn(CREATE_CONVERSATION);

/** One message of a turn; `position` is its number relative to the conversation's new message count (0 = the last). */
export type TurnMessageRow = Omit<NewMessage, "conversation_id" | "user_id" | "seq" | "created_at"> & { position: number };

export interface TurnWrite {
  conversationId: string;
  /** Set when this turn creates the conversation. */
  create: { title: string | null } | null;
  userId: string;
  day: string;
  newSessionId: string;
  /** What the turn adds to the session; `now` is the time of every row. */
  session: SessionUsage;
  usage: UsageOfSession;
  model: string;
  imageUrls: string[];
  messages: TurnMessageRow[];
  response: Pick<StoredResponse, "id" | "body" | "input_items"> | null;
}

function messageJson(m: TurnMessageRow) {
  // Absent keys read as NULL; a JSON null in a jsonb column would be stored as the JSON value null.
  return {
    id: m.id,
    position: m.position,
    role: m.role,
    content: m.content,
    attachments: m.attachments ?? [],
    model: m.model ?? undefined,
    tokens_input: m.tokens_input ?? 0,
    tokens_output: m.tokens_output ?? 0,
    cost: m.cost ?? 0,
    finish_reason: m.finish_reason ?? undefined,
    tool_calls: m.tool_calls?.length ? m.tool_calls : undefined,
    tool_call_id: m.tool_call_id ?? undefined,
  };
}

export function turnsRepo(db: Db) {
  return {
    /** Stores a turn in one statement (Postgres only); returns the session id and the conversation's new message count. */
    async record(t: TurnWrite): Promise<{ sessionId: string; messageCount: number }> {
      const [row] = await db.all(t.create ? FIRST_TURN : TURN, {
        ...sessionParams(t.userId, t.day, t.newSessionId, t.session),
        ...usageOfSessionParams(t.usage),
        conversation_id: t.conversationId,
        title: t.create?.title ?? null,
        model: t.model,
        messages: t.messages.length,
        images: JSON.stringify(t.imageUrls),
        last_image_url: t.imageUrls.at(-1) ?? null,
        message_rows: JSON.stringify(t.messages.map(messageJson)),
        response_rows: JSON.stringify(t.response ? [t.response] : []),
      });
      return { sessionId: String(row!.session_id), messageCount: num(row!.message_count) };
    },
  };
}

export type TurnsRepo = ReturnType<typeof turnsRepo>;
