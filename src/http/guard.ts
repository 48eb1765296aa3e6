// What the chat routes add around a turn, as HTTP: the rate limit (x-ratelimit-* headers on every
// answer, 429 with Retry-After when refused), the budget (headers and fields), the access-log fields.
import { actingUser, type Principal } from "../auth/principal.ts";
import type { BudgetStatus } from "../budget/budget.ts";
import type { TurnResult } from "../chat/run-turn.ts";
import type { ChatContext } from "../chat/chat-context.ts";
import type { AccessFields, RequestTracker } from "../observability/request-tracker.ts";
import type { StreamAnswerOptions } from "./sse.ts";
import { rateLimited } from "../errors.ts";
import { microsToUsd } from "../pricing/money.ts";
import type { RateLimiter } from "../ratelimit/limiter.ts";
import { formatDuration, type Decision } from "../ratelimit/token-bucket.ts";

type Headers = Record<string, string | number>;

/** Whom a request counts against: its user, or — for anonymous calls in open mode — its address. */
export const rateKey = (userId: string | null, address: () => string | undefined) => (userId ? `user:${userId}` : `ip:${address() ?? "unknown"}`);

export async function enforceRateLimit(limiter: RateLimiter, key: string, headers: Headers): Promise<Decision> {
  const d = await limiter.take(key);
  headers["x-ratelimit-limit-requests"] = String(d.limit);
  headers["x-ratelimit-remaining-requests"] = String(d.remaining);
  headers["x-ratelimit-reset-requests"] = formatDuration(d.resetMs);
  if (!d.allowed) {
    const retryAfter = Math.max(1, Math.ceil(d.retryAfterMs / 1000));
    throw rateLimited(
      `Rate limit reached: ${d.perMinute} requests per minute, in bursts of at most ${d.limit}, for this user. Try again in ${retryAfter} s.`,
      retryAfter,
    );
  }
  return d;
}

interface AdmissionContext {
  body: unknown;
  principal: Principal;
  request: Request;
  server: { requestIP(request: Request): { address: string } | null } | null;
  set: { headers: Headers };
}

/**
 * A chat route group's admission, run once per request before its handler (an Elysia `resolve`):
 * who the request acts for — the user it names (`requested`), checked against the caller — counted
 * against the rate limit. Handlers receive `actingUser`.
 */
export function chatAdmission<B>(limiter: RateLimiter, requested: (body: B, principal: Principal) => string | undefined) {
  return async ({ body, principal, request, server, set }: AdmissionContext): Promise<{ actingUser: string | null }> => {
    const actingUserId = actingUser(principal, requested(body as B, principal));
    await enforceRateLimit(
      limiter,
      rateKey(actingUserId, () => server?.requestIP(request)?.address),
      set.headers,
    );
    return { actingUser: actingUserId };
  };
}

export function budgetHeaders(budget: BudgetStatus, headers: Headers): void {
  if (budget.remaining !== null) headers["x-budget-remaining-usd"] = microsToUsd(budget.remaining).toFixed(6);
  if (budget.warning) headers["x-budget-warning"] = budget.warning;
  if (budget.clamped) headers["x-textllm-max-tokens-clamped"] = String(budget.clamped.to);
}

/** Says that a request's max tokens were lowered to fit the budget, and by how much. */
const clampNote = (b: BudgetStatus) =>
  b.clamped ? `max_tokens was lowered from ${b.clamped.from} to ${b.clamped.to} to fit what is left of today's budget.` : null;

/** What /chat answers carry about the budget. */
export function budgetFields(budget: BudgetStatus) {
  const warning = [clampNote(budget), budget.warning].filter(Boolean).join(" ");
  return {
    budget: {
      limit: budget.limit === null ? null : microsToUsd(budget.limit),
      spent_today: microsToUsd(budget.spent),
      remaining: budget.remaining === null ? null : microsToUsd(budget.remaining),
    },
    ...(warning ? { warning } : {}),
  };
}

/** The access-log fields of a finished chat turn. */
export function accessFields(p: { userId: string; model: string; conversationId: string }, result: TurnResult): AccessFields {
  return {
    user: p.userId,
    model: p.model,
    conversation_id: p.conversationId,
    tokens_in: result.usage.prompt_tokens,
    tokens_out: result.usage.completion_tokens,
    cost_usd: microsToUsd(result.cost),
  };
}

/** How a chat route's stream is put on the wire: its headers, its cancel, its end in the access log, its keep-alives. */
export function streamOptions(ctx: ChatContext, tracker: RequestTracker, request: Request, controller: AbortController, headers: Headers): StreamAnswerOptions {
  return {
    headers,
    abort: () => controller.abort(),
    onClose: () => tracker.streamEnded(request),
    keepAliveSeconds: ctx.loaded.config.server.sse_keepalive_seconds,
  };
}
