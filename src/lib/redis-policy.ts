// What happens while Redis is unreachable (redis.on_error): "open" lets requests through without
// the shared limit and logs a warning (at most every 10 s); "closed" refuses them with a 503.
import { serviceUnavailable } from "../errors.ts";
import type { Logger } from "./logger.ts";

export type OnRedisError = "open" | "closed";

export function redisFailurePolicy(mode: OnRedisError, logger: Logger, what: string) {
  let lastWarning = 0;
  return async function guarded<T>(op: () => Promise<T>, whenOpen: () => T): Promise<T> {
    try {
      return await op();
    } catch (err) {
      if (mode === "closed") {
        throw serviceUnavailable(
          `The ${what} cannot reach Redis, and this server is set to refuse requests then (redis.on_error: closed). Try again shortly.`,
          "redis_unavailable",
        );
      }
      if (Date.now() - lastWarning > 10_000) {
        lastWarning = Date.now();
        logger.warn({ error: err instanceof Error ? err.message : String(err) }, `${what}: Redis unreachable; allowing requests (redis.on_error: open)`);
      }
      return whenOpen();
    }
  };
}
