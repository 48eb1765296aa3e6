// The daily budget (cost_limit_per_session): what a user may still spend today (UTC), refusing a
// request whose worst case would pass it — before any upstream call — and saying how much is left.
// Near the end of the budget a request whose full answer room no longer fits, but a useful answer
// does (min_answer_tokens), goes ahead with its answer room lowered to what fits.
import type { Config } from "../config/schema.ts";
import { budgetExceeded } from "../errors.ts";
import type { Logger } from "../lib/logger.ts";
import { utcDay } from "../lib/time.ts";
import { formatUsd, usdToMicros } from "../pricing/money.ts";
import type { DaySpend } from "./day-spend.ts";
import type { BudgetLedger } from "./ledger.ts";

/** A request's answer room lowered to fit the budget. */
export interface Clamp {
  from: number;
  to: number;
}

export interface BudgetStatus {
  /** Micro-dollars; null when there is no limit. */
  limit: number | null;
  spent: number;
  remaining: number | null;
  /** Past warn_at_cost. */
  warning: string | null;
  /** Set when this request's max tokens were lowered to fit. */
  clamped: Clamp | null;
}

/** What a request may cost, as a function of the answer room it gets. */
export interface BudgetAsk {
  /** Micro-dollars at most, with `outputTokens` of answer room. */
  costOf(outputTokens: number): number;
  /** The answer room asked for (or assumed). */
  outputTokens: number;
  /** The least answer room still worth a call (at most `outputTokens`). */
  minOutputTokens: number;
}

export interface Reservation {
  /** The budget before this request. */
  before: BudgetStatus;
  /** The answer room granted: `outputTokens` of the ask, or fewer when clamped. */
  outputTokens: number;
  /** Frees the reservation (once the real cost is stored) and returns the budget after it. */
  settle(actualCost: number): Promise<BudgetStatus>;
}

/** The most answer room in [low, high] whose cost stays within `amount` (cost grows with it). */
function roomFor(ask: BudgetAsk, amount: number, low: number, high: number): number {
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (ask.costOf(mid) <= amount) low = mid;
    else high = mid - 1;
  }
  return low;
}

export function budgetService(config: Config, spend: DaySpend, ledger: BudgetLedger, now: () => Date, logger: Logger) {
  const limit = usdToMicros(config.cost_limit_per_session);
  const warnAt = usdToMicros(config.warn_at_cost);

  const status = (spent: number, clamped: Clamp | null): BudgetStatus => ({
    limit: limit || null,
    spent,
    remaining: limit ? Math.max(0, limit - spent) : null,
    warning: warnAt && spent >= warnAt ? `Today's spend of ${formatUsd(spent)} is past the warning level of ${formatUsd(warnAt)}.` : null,
    clamped,
  });

  return {
    async reserve(userId: string, ask: BudgetAsk): Promise<Reservation> {
      const today = utcDay(now());
      const spent = await spend.get(userId, today);
      /** Counts the stored cost once, then lets `release` free what was held for the request. */
      const settlement = (outputTokens: number, release: () => Promise<void>): Reservation => {
        const clamped = outputTokens < ask.outputTokens ? { from: ask.outputTokens, to: outputTokens } : null;
        let settled = false;
        return {
          before: status(spent, clamped),
          outputTokens,
          async settle(cost) {
            if (!settled) {
              settled = true;
              // The stored cost counts before the reservation goes, so no check sees neither.
              spend.add(userId, today, cost);
              await release();
            }
            return status(spent + cost, clamped);
          },
        };
      };
      if (!limit) return settlement(ask.outputTokens, async () => undefined);

      const key = `${userId}:${today}`;
      const refuse = budgetExceeded;
      if (spent >= limit) {
        throw refuse(`The daily budget of ${formatUsd(limit)} is used up (${formatUsd(spent)} spent today, UTC). It renews at midnight UTC.`);
      }
      const fewest = Math.min(ask.minOutputTokens, ask.outputTokens);
      const worstCase = ask.costOf(ask.outputTokens);
      const hold = await ledger.reserve(key, { amount: worstCase, minimum: ask.costOf(fewest), limit, spent });
      if (!hold) {
        throw refuse(
          `This request could cost up to ${formatUsd(worstCase)}, and even ${fewest} answer tokens would cost more than is left of today's ${formatUsd(limit)} budget once requests in progress are counted. Lower max_tokens or try again later.`,
        );
      }
      const outputTokens = hold.amount >= worstCase ? ask.outputTokens : roomFor(ask, hold.amount, fewest, ask.outputTokens);
      // Should the release fail, the reservation's lease lapses by itself (see ledger.ts).
      return settlement(outputTokens, () => hold.release().catch((err) => logger.warn({ err }, "could not release a budget reservation")));
    },
  };
}

export type BudgetService = ReturnType<typeof budgetService>;
