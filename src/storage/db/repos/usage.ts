// The per-request usage log: one row per upstream call (or refused request), the ground truth that
// conversation, session and user totals must add up to.
import { sql, type SQLWrapper } from "drizzle-orm";
import type { Db } from "../database.ts";
import { bool, iso, num, strOrNull } from "../columns.ts";
import type { Row } from "../driver.ts";

export interface UsageRecord {
  id: string;
  request_id: string;
  user_id: string;
  session_id: string | null;
  conversation_id: string | null;
  route: string;
  model: string;
  provider: string | null;
  tokens_input: number;
  tokens_output: number;
  tokens_cached: number;
  /** Micro-dollars. */
  cost: number;
  latency_ms: number;
  status: number;
  error_code: string | null;
  streamed: boolean;
  created_at: string;
}

export interface UsageTotals {
  requests: number;
  tokens_input: number;
  tokens_output: number;
  cost: number;
}

export interface ModelUsage extends UsageTotals {
  model: string;
}

/** One UTC day's totals of one user and model. */
export interface DailyUsage extends ModelUsage {
  day: string;
  user_id: string;
}

function decode(row: Row): UsageRecord {
  return {
    id: String(row.id),
    request_id: String(row.request_id),
    user_id: String(row.user_id),
    session_id: strOrNull(row.session_id),
    conversation_id: strOrNull(row.conversation_id),
    route: String(row.route),
    model: String(row.model),
    provider: strOrNull(row.provider),
    tokens_input: num(row.tokens_input),
    tokens_output: num(row.tokens_output),
    tokens_cached: num(row.tokens_cached),
    cost: num(row.cost),
    latency_ms: num(row.latency_ms),
    status: num(row.status),
    error_code: strOrNull(row.error_code),
    streamed: bool(row.streamed),
    created_at: iso(row.created_at),
  };
}

const COLUMNS = [
  "id",
  "request_id",
  "user_id",
  "session_id",
  "conversation_id",
  "route",
  "model",
  "provider",
  "tokens_input",
  "tokens_output",
  "tokens_cached",
  "cost",
  "latency_ms",
  "status",
  "error_code",
  "streamed",
  "created_at",
] as const;

/**
 * The INSERT of one usage row, each column's value given by `value` (a placeholder, or an expression
 * such as the session of the same statement): one text for the plain insert and the combined writes.
 */
export function usageInsert(value: (column: (typeof COLUMNS)[number]) => SQLWrapper) {
  return sql`INSERT INTO usage_records (${sql.raw(COLUMNS.join(", "))}) VALUES (${sql.join(
    COLUMNS.map((c) => value(c)),
    sql`, `,
  )})`;
}

const INSERT = usageInsert((column) => sql.placeholder(column));

export function usageRepo(db: Db) {
  return {
    async insert(usage: UsageRecord): Promise<void> {
      await db.run(INSERT, usage);
    },

    async listByUser(userId: string, limit: number): Promise<UsageRecord[]> {
      const rows = await db.all(sql`
        SELECT * FROM usage_records WHERE user_id = ${userId} ORDER BY created_at DESC, id DESC LIMIT ${limit}`);
      return rows.map(decode);
    },

    /** Per-model totals of a user's requests since `since` (ISO time). */
    async byModel(userId: string, since: string): Promise<ModelUsage[]> {
      const rows = await db.all(sql`
        SELECT model, COUNT(*) AS requests, SUM(tokens_input) AS tokens_input,
               SUM(tokens_output) AS tokens_output, SUM(cost) AS cost
        FROM usage_records WHERE user_id = ${userId} AND created_at >= ${since}
        GROUP BY model ORDER BY model`);
      return rows.map((r) => ({
        model: String(r.model),
        requests: num(r.requests),
        tokens_input: num(r.tokens_input),
        tokens_output: num(r.tokens_output),
        cost: num(r.cost),
      }));
    },

    /**
     * Totals per UTC day, user and model since `since` (ISO time): one user's, or (userId null)
     * everyone's. Oldest day first.
     */
    async daily(userId: string | null, since: string): Promise<DailyUsage[]> {
      const day = db.utcDay(sql`created_at`);
      const who = userId === null ? sql`` : sql`AND user_id = ${userId}`;
      const rows = await db.all(sql`
        SELECT ${day} AS day, user_id, model, COUNT(*) AS requests, SUM(tokens_input) AS tokens_input,
               SUM(tokens_output) AS tokens_output, SUM(cost) AS cost
        FROM usage_records WHERE created_at >= ${since} ${who}
        GROUP BY 1, user_id, model ORDER BY 1, user_id, model`);
      return rows.map((r) => ({
        day: String(r.day),
        user_id: String(r.user_id),
        model: String(r.model),
        requests: num(r.requests),
        tokens_input: num(r.tokens_input),
        tokens_output: num(r.tokens_output),
        cost: num(r.cost),
      }));
    },
  };
}

export type UsageRepo = ReturnType<typeof usageRepo>;
