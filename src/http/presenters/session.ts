import { microsToUsd } from "../../pricing/money.ts";
import type { DailyStats, UserStats } from "../../sessions/service.ts";
import type { Session } from "../../storage/db/repos/sessions.ts";

export function presentSession(session: Session) {
  return {
    id: session.id,
    object: "session" as const,
    user_id: session.user_id,
    day: session.day,
    created_at: session.created_at,
    last_activity: session.last_activity,
    ended_at: session.ended_at,
    total_tokens: session.total_tokens,
    total_tokens_input: session.total_tokens_input,
    total_tokens_output: session.total_tokens_output,
    total_cost: microsToUsd(session.total_cost),
    request_count: session.request_count,
    conversation_count: session.conversation_count,
    is_active: session.is_active,
  };
}

export function presentStats(stats: UserStats) {
  return {
    ...stats,
    total_cost: microsToUsd(stats.total_cost),
    by_model: stats.by_model.map((m) => ({ ...m, cost: microsToUsd(m.cost) })),
  };
}

export function presentDaily(daily: DailyStats) {
  return { object: "list" as const, ...daily, data: daily.data.map((d) => ({ ...d, cost: microsToUsd(d.cost) })) };
}
