// The shared (Redis) rate limiter under the redis.on_error policy.
import type { Logger } from "../lib/logger.ts";
import { redisFailurePolicy, type OnRedisError } from "../lib/redis-policy.ts";
import type { RateLimiter } from "./limiter.ts";
import type { BucketSpec } from "./token-bucket.ts";

export function resilientLimiter(inner: RateLimiter, spec: BucketSpec, mode: OnRedisError, logger: Logger): RateLimiter {
  const guarded = redisFailurePolicy(mode, logger, "rate limiter");
  const unlimited = () => ({ allowed: true, limit: spec.capacity, perMinute: spec.perMinute, remaining: spec.capacity, resetMs: 0, retryAfterMs: 0 });
  return { backend: inner.backend, take: (key) => guarded(() => inner.take(key), unlimited) };
}
