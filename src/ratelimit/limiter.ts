// A rate limiter answers one question per request: may this key go ahead now?
import { take, type BucketSpec, type BucketState, type Decision } from "./token-bucket.ts";

export interface RateLimiter {
  readonly backend: "memory" | "redis";
  take(key: string): Promise<Decision>;
}

/** One process's buckets. Full, idle buckets are dropped so the map does not grow forever. */
export function memoryLimiter(spec: BucketSpec, now: () => number = Date.now): RateLimiter {
  const buckets = new Map<string, BucketState>();
  const fullAfterMs = (spec.capacity / spec.perMinute) * 60_000;
  let lastSweep = now();
  return {
    backend: "memory",
    async take(key) {
      const t = now();
      if (t - lastSweep > 60_000) {
        for (const [k, b] of buckets) if (t - b.at > fullAfterMs) buckets.delete(k);
        lastSweep = t;
      }
      const { state, decision } = take(buckets.get(key), spec, t);
      buckets.set(key, state);
      return decision;
    },
  };
}
