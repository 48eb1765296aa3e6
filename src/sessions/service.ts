// Sessions (a user's usage bucket for one UTC day) and per-user statistics, framework-free.
import { notFound } from "../errors.ts";
import type { Session } from "../storage/db/repos/sessions.ts";
import type { DailyUsage, ModelUsage } from "../storage/db/repos/usage.ts";
import type { Store } from "../storage/db/store.ts";
import { utcDay } from "../lib/time.ts";

export interface UserStats {
  user_id: string;
  days: number;
  since: string;
  total_conversations: number;
  total_messages: number;
  total_requests: number;
  total_tokens_input: number;
  total_tokens_output: number;
  /** Micro-dollars. */
  total_cost: number;
  by_model: ModelUsage[];
}

export interface DailyStats {
  /** The user, or null for everyone's (admin). */
  user_id: string | null;
  days: number;
  /** The first UTC day included (today is the last). */
  since: string;
  data: DailyUsage[];
}

export function sessionService(store: Store, now: () => Date) {
  const missing = (id: string) => notFound(`No session found with id '${id}'.`, "session_not_found");

  return {
    /** A session; `owner` (when set) must own it, else it does not exist for them. */
    async get(id: string, owner: string | null): Promise<Session> {
      const s = await store.sessions.get(id);
      if (!s || (owner !== null && s.user_id !== owner)) throw missing(id);
      return s;
    },

    /** The user's sessions, newest first, and today's active one if there is one. */
    async listForUser(userId: string, limit: number): Promise<{ data: Session[]; current: Session | null }> {
      const data = await store.sessions.listByUser(userId, limit);
      const today = utcDay(now());
      return { data, current: data.find((s) => s.is_active && s.day === today) ?? null };
    },

    /** Ends a session (idempotent); the user's next chat opens a new one. */
    async end(id: string, owner: string | null): Promise<Session> {
      await this.get(id, owner);
      await store.sessions.end(id, now().toISOString());
      return this.get(id, owner);
    },

    /** Per-day, per-model (and per-user) totals of the last `days` UTC days, today included. */
    async daily(userId: string | null, days: number): Promise<DailyStats> {
      const since = utcDay(new Date(now().getTime() - (days - 1) * 86_400_000));
      return { user_id: userId, days, since, data: await store.usage.daily(userId, `${since}T00:00:00.000Z`) };
    },

    async stats(userId: string, days: number): Promise<UserStats> {
      const since = new Date(now().getTime() - days * 86_400_000).toISOString();
      const [conversations, messages, byModel] = await Promise.all([
        store.conversations.countCreatedSince(userId, since),
        store.messages.countSince(userId, since),
        store.usage.byModel(userId, since),
      ]);
      const sum = (key: keyof Omit<ModelUsage, "model">) => byModel.reduce((n, m) => n + m[key], 0);
      return {
        user_id: userId,
        days,
        since,
        total_conversations: conversations,
        total_messages: messages,
        total_requests: sum("requests"),
        total_tokens_input: sum("tokens_input"),
        total_tokens_output: sum("tokens_output"),
        total_cost: sum("cost"),
        by_model: byModel,
      };
    },
  };
}

export type SessionService = ReturnType<typeof sessionService>;
