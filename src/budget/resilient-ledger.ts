// The shared (Redis) budget ledger under the redis.on_error policy: with Redis away, `open` lets a
// request through on the stored spend alone (nothing held), `closed` refuses it.
import type { Logger } from "../lib/logger.ts";
import { redisFailurePolicy, type OnRedisError } from "../lib/redis-policy.ts";
import { grant, unheld, type BudgetLedger, type Hold } from "./ledger.ts";

export function resilientLedger(inner: BudgetLedger, mode: OnRedisError, logger: Logger): BudgetLedger {
  const guarded = redisFailurePolicy(mode, logger, "budget ledger");
  const guardedHold = (hold: Hold): Hold => ({
    amount: hold.amount,
    release: () =>
      guarded(
        () => hold.release(),
        () => undefined,
      ),
  });
  return {
    backend: inner.backend,
    reserve: (key, ask) =>
      guarded(
        async () => {
          const hold = await inner.reserve(key, ask);
          return hold && guardedHold(hold);
        },
        () => {
          const amount = grant(ask.limit - ask.spent, ask);
          return amount === null ? null : unheld(amount);
        },
      ),
  };
}
