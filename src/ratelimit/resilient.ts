// The shared (Redis) stores under the redis.on_error policy.
import { grant, type BudgetLedger } from "../budget/ledger.ts";
import type { Logger } from "../lib/logger.ts";
import { redisFailurePolicy, type OnRedisError } from "../lib/redis-policy.ts";
import type { RateLimiter } from "./limiter.ts";
import type { BucketSpec } from "./token-bucket.ts";

export function resilientLimiter(inner: RateLimiter, spec: BucketSpec, mode: OnRedisError, logger: Logger): RateLimiter {
  const guarded = redisFailurePolicy(mode, logger, "rate limiter");
  const unlimited = () => ({ allowed: true, limit: spec.capacity, remaining: spec.capacity, resetMs: 0, retryAfterMs: 0 });
  return { backend: inner.backend, take: (key) => guarded(() => inner.take(key), unlimited) };
}

export function resilientLedger(inner: BudgetLedger, mode: OnRedisError, logger: Logger): BudgetLedger {
  const guarded = redisFailurePolicy(mode, logger, "budget ledger");
  return {
    backend: inner.backend,
    reserve: (key, ask) => guarded(() => inner.reserve(key, ask), () => grant(ask.limit - ask.spent, ask)),
    release: (key, amount) => guarded(() => inner.release(key, amount), () => undefined),
  };
}
