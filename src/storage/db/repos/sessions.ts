// A session is one user's usage bucket for one UTC day. At most one is active per user and day
// (a partial unique index); ending it makes the next chat open a fresh one.
import { sql } from "drizzle-orm";
import type { Db } from "../database.ts";
import { bool, iso, isoOrNull, num } from "../columns.ts";
import type { Row } from "../driver.ts";

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

function decode(r: Row): Session {
  return {
    id: String(r.id),
    user_id: String(r.user_id),
    day: String(r.day),
    created_at: iso(r.created_at),
    last_activity: iso(r.last_activity),
    ended_at: isoOrNull(r.ended_at),
    total_tokens: num(r.total_tokens),
    total_tokens_input: num(r.total_tokens_input),
    total_tokens_output: num(r.total_tokens_output),
    total_cost: num(r.total_cost),
    request_count: num(r.request_count),
    conversation_count: num(r.conversation_count),
    is_active: bool(r.is_active),
  };
}

export function sessionsRepo(db: Db) {
  return {
    /** The user's active session for `day`, created with `newId` when there is none. */
    async open(userId: string, day: string, newId: string, now: string): Promise<Session> {
      const [row] = await db.all(sql`
        INSERT INTO sessions (id, user_id, day, created_at, last_activity)
        VALUES (${newId}, ${userId}, ${day}, ${now}, ${now})
        ON CONFLICT (user_id, day) WHERE is_active DO UPDATE SET last_activity = sessions.last_activity
        RETURNING *`);
      return decode(row!);
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

    async addUsage(id: string, u: SessionUsage): Promise<void> {
      await db.run(sql`
        UPDATE sessions SET
          total_tokens = total_tokens + ${u.tokens_input + u.tokens_output},
          total_tokens_input = total_tokens_input + ${u.tokens_input},
          total_tokens_output = total_tokens_output + ${u.tokens_output},
          total_cost = total_cost + ${u.cost},
          request_count = request_count + ${u.requests},
          conversation_count = conversation_count + ${u.conversations},
          last_activity = ${u.now}
        WHERE id = ${id}`);
    },

    /** Ends an active session; false when it was not active (or does not exist). */
    async end(id: string, now: string): Promise<boolean> {
      return (await db.run(sql`UPDATE sessions SET is_active = ${false}, ended_at = ${now} WHERE id = ${id} AND is_active`)) > 0;
    },

    /** Spend of every session of the user on `day`, active or ended: the daily budget's base. */
    async spentOnDay(userId: string, day: string): Promise<number> {
      const [row] = await db.all(sql`SELECT SUM(total_cost) AS c FROM sessions WHERE user_id = ${userId} AND day = ${day}`);
      return num(row?.c);
    },
  };
}

export type SessionsRepo = ReturnType<typeof sessionsRepo>;
