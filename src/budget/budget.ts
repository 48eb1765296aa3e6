// The daily budget (cost_limit_per_session): what a user may still spend today (UTC), refusing a
// request whose worst case would pass it — before any upstream call — and saying how much is left.
import type { Config } from "../config/schema.ts";
import { AppError } from "../errors.ts";
import type { Logger } from "../lib/logger.ts";
import { utcDay } from "../lib/time.ts";
import { formatUsd, usdToMicros } from "../pricing/money.ts";
import type { DaySpend } from "./day-spend.ts";
import type { BudgetLedger } from "./ledger.ts";

export interface BudgetStatus {
  /** Micro-dollars; null when there is no limit. */
  limit: number | null;
  spent: number;
  remaining: number | null;
  /** Past warn_at_cost. */
  warning: string | null;
}

export interface Reservation {
  /** The budget before this request. */
  before: BudgetStatus;
  /** Frees the reservation (once the real cost is stored) and returns the budget after it. */
  settle(actualCost: number): Promise<BudgetStatus>;
}

export function budgetService(config: Config, spend: DaySpend, ledger: BudgetLedger, now: () => Date, logger: Logger) {
  const limit = usdToMicros(config.cost_limit_per_session);
  const warnAt = usdToMicros(config.warn_at_cost);

  const status = (spent: number): BudgetStatus => ({
    limit: limit || null,
    spent,
    remaining: limit ? Math.max(0, limit - spent) : null,
    warning: warnAt && spent >= warnAt ? `Today's spend of ${formatUsd(spent)} is past the warning level of ${formatUsd(warnAt)}.` : null,
  });

  return {
    async reserve(userId: string, worstCase: number): Promise<Reservation> {
      const today = utcDay(now());
      const spent = await spend.get(userId, today);
      const before = status(spent);
      /** Counts the stored cost once, then lets `release` free what was held for the request. */
      const settlement = (release: () => Promise<void>): Reservation => {
        let settled = false;
        return {
          before,
          async settle(cost) {
            if (!settled) {
              settled = true;
              // The stored cost counts before the reservation goes, so no check sees neither.
              spend.add(userId, today, cost);
              await release();
            }
            return status(spent + cost);
          },
        };
      };
      if (!limit) return settlement(async () => undefined);

      const key = `${userId}:${today}`;
      const refuse = (message: string) => new AppError(402, message, "insufficient_quota", "budget_exceeded");
      if (spent >= limit) {
        throw refuse(`The daily budget of ${formatUsd(limit)} is used up (${formatUsd(spent)} spent today, UTC). It renews at midnight UTC.`);
      }
      if (!(await ledger.reserve(key, worstCase, limit, spent))) {
        throw refuse(
          `This request could cost up to ${formatUsd(worstCase)}, more than is left of today's ${formatUsd(limit)} budget once requests in progress are counted. Lower max_tokens or try again later.`,
        );
      }
      return settlement(() => ledger.release(key, worstCase).catch((err) => logger.warn({ err }, "could not release a budget reservation")));
    },
  };
}

export type BudgetService = ReturnType<typeof budgetService>;
