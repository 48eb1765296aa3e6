import { microsToUsd } from "../../pricing/money.ts";
import type { DailyStats, UserStats } from "../../sessions/service.ts";
import type { Session } from "../../storage/db/repos/sessions.ts";

export function presentSession(s: Session) {
  return {
    id: s.id,
    object: "session" as const,
    user_id: s.user_id,
    day: s.day,
    created_at: s.created_at,
    last_activity: s.last_activity,
    ended_at: s.ended_at,
    total_tokens: s.total_tokens,
    total_tokens_input: s.total_tokens_input,
    total_tokens_output: s.total_tokens_output,
    total_cost: microsToUsd(s.total_cost),
    request_count: s.request_count,
    conversation_count: s.conversation_count,
    is_active: s.is_active,
  };
}

export function presentStats(s: UserStats) {
  return {
    ...s,
    total_cost: microsToUsd(s.total_cost),
    by_model: s.by_model.map((m) => ({ ...m, cost: microsToUsd(m.cost) })),
  };
}

export function presentDaily(s: DailyStats) {
  return { object: "list" as const, ...s, data: s.data.map((d) => ({ ...d, cost: microsToUsd(d.cost) })) };
}
