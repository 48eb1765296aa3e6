// Sessions (one user's usage for one UTC day) and a user's statistics.
import { t } from "elysia";
import { ListOf, Nullable, Timestamp } from "./common.ts";

export const SessionListQuery = t.Object({ limit: t.Integer({ minimum: 1, maximum: 365, default: 30 }) });
export const StatsQuery = t.Object({ days: t.Integer({ minimum: 1, maximum: 3650, default: 30 }) });

export const SessionSchema = t.Object(
  {
    id: t.String(),
    object: t.Literal("session"),
    user_id: t.String(),
    day: t.String({ description: "UTC day, YYYY-MM-DD" }),
    created_at: Timestamp(),
    last_activity: Timestamp(),
    ended_at: Nullable(Timestamp()),
    total_tokens: t.Integer(),
    total_tokens_input: t.Integer(),
    total_tokens_output: t.Integer(),
    total_cost: t.Number({ description: "dollars" }),
    request_count: t.Integer(),
    conversation_count: t.Integer(),
    is_active: t.Boolean(),
  },
  { additionalProperties: false },
);

export const SessionListSchema = ListOf(SessionSchema, { current: Nullable(SessionSchema, "today's active session, if any") });

export const StatsSchema = t.Object(
  {
    user_id: t.String(),
    days: t.Integer(),
    since: Timestamp("start of the counted period"),
    total_conversations: t.Integer(),
    total_messages: t.Integer(),
    total_requests: t.Integer(),
    total_tokens_input: t.Integer(),
    total_tokens_output: t.Integer(),
    total_cost: t.Number({ description: "dollars" }),
    by_model: t.Array(
      t.Object(
        { model: t.String(), requests: t.Integer(), tokens_input: t.Integer(), tokens_output: t.Integer(), cost: t.Number({ description: "dollars" }) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/** POST /sessions/{id}/end reads no body: documented as an optional empty object. */
export const NoBodySchema = t.Object({}, { description: "nothing is read from the body: send none, or {}" });

export const SESSION_EXAMPLE = {
  id: "sess_01a22a365c9575b2887412a4e6e6b0e6",
  object: "session",
  user_id: "alice",
  day: "2026-11-30",
  created_at: "2026-11-30T09:15:00.000Z",
  last_activity: "2026-11-30T11:42:10.000Z",
  ended_at: null,
  total_tokens: 145,
  total_tokens_input: 125,
  total_tokens_output: 20,
  total_cost: 0.000514,
  request_count: 5,
  conversation_count: 2,
  is_active: true,
};

export const STATS_EXAMPLE = {
  user_id: "alice",
  days: 30,
  since: "2026-10-31T09:15:00.000Z",
  total_conversations: 6,
  total_messages: 10,
  total_requests: 5,
  total_tokens_input: 125,
  total_tokens_output: 20,
  total_cost: 0.000514,
  by_model: [{ model: "gpt-4o", requests: 5, tokens_input: 125, tokens_output: 20, cost: 0.000514 }],
};

export const DailyQuery = t.Object({ days: t.Integer({ minimum: 1, maximum: 366, default: 30 }) });

export const DailyStatsSchema = t.Object(
  {
    object: t.Literal("list"),
    user_id: Nullable(t.String(), "the user, or null for everyone's (admin)"),
    days: t.Integer(),
    since: t.String({ description: "the first UTC day included (YYYY-MM-DD); today is the last" }),
    data: t.Array(
      t.Object({
        day: t.String({ description: "UTC day, YYYY-MM-DD" }),
        user_id: t.String(),
        model: t.String(),
        requests: t.Integer(),
        tokens_input: t.Integer(),
        tokens_output: t.Integer(),
        cost: t.Number({ description: "USD" }),
      }),
    ),
  },
  { description: "Requests, tokens and cost per UTC day, user and model (days without usage are absent)" },
);

export const DAILY_EXAMPLE = {
  object: "list",
  user_id: "alice",
  days: 30,
  since: "2026-11-01",
  data: [{ day: "2026-11-30", user_id: "alice", model: "gpt-4o-mini", requests: 12, tokens_input: 5400, tokens_output: 2100, cost: 0.00207 }],
};

export const MeSchema = t.Object(
  {
    object: t.Literal("principal"),
    kind: t.Union([t.Literal("admin"), t.Literal("user"), t.Literal("open")], { description: "the admin key, a user's key, or a server without keys" }),
    user_id: Nullable(t.String(), "the key's user (user keys only)"),
  },
  { description: "Who the caller is" },
);
