// A session is one user's usage bucket for one UTC day. At most one is active per user and day
// (a partial unique index); ending it makes the next chat open a fresh one.
import { sql, type SQLWrapper } from "drizzle-orm";
import type { Db } from "../database.ts";
import { bool, iso, isoOrNull, num } from "../columns.ts";
import type { Row } from "../driver.ts";
import { usageInsert } from "./usage.ts";

export interface Session {
  id: string;
  user_id: string;
  /** UTC day, YYYY-MM-DD. */
  day: string;
  created_at: string;
  last_activity: string;
  ended_at: string | null;
  total_tokens: number;
  total_tokens_input: number;
  total_tokens_output: number;
  /** Micro-dollars. */
  total_cost: number;
  request_count: number;
  conversation_count: number;
  is_active: boolean;
}

export interface SessionUsage {
  tokens_input: number;
  tokens_output: number;
  cost: number;
  requests: number;
  conversations: number;
  now: string;
}

function decode(row: Row): Session {
  return {
    id: String(row.id),
    user_id: String(row.user_id),
    day: String(row.day),
    created_at: iso(row.created_at),
    last_activity: iso(row.last_activity),
    ended_at: isoOrNull(row.ended_at),
    total_tokens: num(row.total_tokens),
    total_tokens_input: num(row.total_tokens_input),
    total_tokens_output: num(row.total_tokens_output),
    total_cost: num(row.total_cost),
    request_count: num(row.request_count),
    conversation_count: num(row.conversation_count),
    is_active: bool(row.is_active),
  };
}

const p = sql.placeholder;

/** Opens (or finds) the user's active session for the day and adds one request's usage to it. */
export const RECORD = sql`
  INSERT INTO sessions (id, user_id, day, created_at, last_activity, total_tokens, total_tokens_input,
                        total_tokens_output, total_cost, request_count, conversation_count)
  VALUES (${p("id")}, ${p("user_id")}, ${p("day")}, ${p("now")}, ${p("now")}, ${p("tokens")}, ${p("tokens_input")},
          ${p("tokens_output")}, ${p("cost")}, ${p("requests")}, ${p("conversations")})
  ON CONFLICT (user_id, day) WHERE is_active DO UPDATE SET
    total_tokens = sessions.total_tokens + excluded.total_tokens,
    total_tokens_input = sessions.total_tokens_input + excluded.total_tokens_input,
    total_tokens_output = sessions.total_tokens_output + excluded.total_tokens_output,
    total_cost = sessions.total_cost + excluded.total_cost,
    request_count = sessions.request_count + excluded.request_count,
    conversation_count = sessions.conversation_count + excluded.conversation_count,
    last_activity = excluded.last_activity
  RETURNING id`;

/** Columns of a usage row that hold the same value as the session's RECORD placeholder of that name. */
const FROM_SESSION: Record<string, string> = {
  user_id: "user_id",
  tokens_input: "tokens_input",
  tokens_output: "tokens_output",
  cost: "cost",
  created_at: "now",
};

/**
 * The values of a usage row written in one statement with its session (a CTE named `session`):
 * the session's id, user, usage and time, the rest from placeholders named `usage_<column>`
 * (`usageOfSessionParams`).
 */
export function usageOfSession(column: string): SQLWrapper {
  if (column === "session_id") return sql`(SELECT id FROM session)`;
  return p(FROM_SESSION[column] ?? `usage_${column}`);
}

export function usageOfSessionParams(usage: UsageOfSession) {
  return {
    usage_id: usage.id,
    usage_request_id: usage.request_id,
    usage_conversation_id: usage.conversation_id,
    usage_route: usage.route,
    usage_model: usage.model,
    usage_provider: usage.provider,
    usage_tokens_cached: usage.tokens_cached,
    usage_latency_ms: usage.latency_ms,
    usage_status: usage.status,
    usage_error_code: usage.error_code,
    usage_streamed: usage.streamed,
  };
}

/**
 * RECORD and the request's usage row as one statement (a data-modifying CTE; Postgres only): atomic
 * on its own, so a stateless call is stored in one round trip instead of a transaction's four.
 */
const RECORD_WITH_USAGE = sql`
  WITH session AS (${RECORD})
  ${usageInsert(usageOfSession)}
  RETURNING session_id`;

/** The usage row written with its session by `recordWithUsage` (its session id and time come from the session). */
export interface UsageOfSession {
  id: string;
  request_id: string;
  conversation_id: string | null;
  route: string;
  model: string;
  provider: string | null;
  tokens_cached: number;
  latency_ms: number;
  status: number;
  error_code: string | null;
  streamed: boolean;
}

const SPENT_ON_DAY = sql`SELECT SUM(total_cost) AS c FROM sessions WHERE user_id = ${p("user_id")} AND day = ${p("day")}`;

/** The parameters of RECORD: the session to open (or find) and the usage added to it. */
export function sessionParams(userId: string, day: string, newId: string, usage: SessionUsage) {
  return {
    id: newId,
    user_id: userId,
    day,
    now: usage.now,
    tokens: usage.tokens_input + usage.tokens_output,
    tokens_input: usage.tokens_input,
    tokens_output: usage.tokens_output,
    cost: usage.cost,
    requests: usage.requests,
    conversations: usage.conversations,
  };
}

export function sessionsRepo(db: Db) {
  return {
    /** Opens (or finds) the user's active session for `day` and adds one request's usage to it: one statement. */
    async record(userId: string, day: string, newId: string, usage: SessionUsage): Promise<string> {
      const [row] = await db.all(RECORD, sessionParams(userId, day, newId, usage));
      return String(row!.id);
    },

    /** `record` and the request's usage row in one statement (Postgres only, see RECORD_WITH_USAGE). */
    async recordWithUsage(userId: string, day: string, newId: string, session: SessionUsage, usage: UsageOfSession): Promise<string> {
      const [row] = await db.all(RECORD_WITH_USAGE, {
        ...sessionParams(userId, day, newId, session),
        ...usageOfSessionParams(usage),
      });
      return String(row!.session_id);
    },

    async get(id: string): Promise<Session | null> {
      const [row] = await db.all(sql`SELECT * FROM sessions WHERE id = ${id}`);
      return row ? decode(row) : null;
    },

    async listByUser(userId: string, limit: number): Promise<Session[]> {
      const rows = await db.all(sql`
        SELECT * FROM sessions WHERE user_id = ${userId} ORDER BY created_at DESC, id DESC LIMIT ${limit}`);
      return rows.map(decode);
    },

    /** Ends an active session; false when it was not active (or does not exist). */
    async end(id: string, now: string): Promise<boolean> {
      return (await db.run(sql`UPDATE sessions SET is_active = ${false}, ended_at = ${now} WHERE id = ${id} AND is_active`)) > 0;
    },

    /** Spend of every session of the user on `day`, active or ended: the daily budget's base. */
    async spentOnDay(userId: string, day: string): Promise<number> {
      const [row] = await db.all(SPENT_ON_DAY, { user_id: userId, day });
      return num(row?.c);
    },
  };
}

export type SessionsRepo = ReturnType<typeof sessionsRepo>;
