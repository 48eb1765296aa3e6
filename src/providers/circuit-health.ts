// Picks where deployments' circuit states live — in this process, or in Redis when it is configured
// so that replicas agree — and reads the rules from `routing:`. While Redis is unreachable every
// deployment counts as closed (requests are never refused for want of the breaker's state); the
// outage is logged at most once a minute.
import type { Config } from "../config/schema.ts";
import type { Logger } from "../lib/logger.ts";
import type { SharedRedis } from "../lib/redis.ts";
import type { CircuitRules } from "./circuit-breaker.ts";
import { memoryCircuitStore } from "./circuit-store.ts";
import { redisCircuitStore } from "./circuit-store-redis.ts";
import { deploymentHealth, type DeploymentHealth } from "./deployment-health.ts";

const LOG_EVERY_MS = 60_000;

export function circuitRules(config: Config): CircuitRules {
  const r = config.routing;
  return { failures: r.failure_threshold, windowMs: r.failure_window_seconds * 1000, cooldownMs: r.cooldown_seconds * 1000 };
}

export function circuitHealth(config: Config, redis: SharedRedis | null, clock: () => number, logger: Logger): DeploymentHealth {
  const rules = circuitRules(config);
  // A state outlives its window and cool-down by a margin, then expires (closed).
  const ttlMs = 2 * (rules.windowMs + rules.cooldownMs);
  const store = redis ? redisCircuitStore(redis, { ttlMs }) : memoryCircuitStore(clock);
  let loggedAt = Number.NEGATIVE_INFINITY;
  return deploymentHealth(store, rules, (err) => {
    if (Date.now() - loggedAt < LOG_EVERY_MS) return;
    loggedAt = Date.now();
    logger.warn({ err }, "circuit states unavailable in Redis: deployments count as closed");
  });
}
