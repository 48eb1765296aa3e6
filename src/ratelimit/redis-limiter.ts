// Buckets shared by every replica: one atomic Lua script per request, on the Redis server's clock
// (TIME), so replicas with drifting clocks still agree.
import { luaScript, type SharedRedis } from "../lib/redis.ts";
import type { RateLimiter } from "./limiter.ts";
import { decide, refillPerMs, type BucketSpec } from "./token-bucket.ts";

const TAKE = `
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(b[1])
local at = tonumber(b[2])
if tokens == nil then tokens = capacity; at = now end
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
local allowed = 0
if tokens >= 1 then tokens = tokens - 1; allowed = 1 end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / rate) + 1000)
return { allowed, tostring(tokens) }
`;

export function redisLimiter(client: SharedRedis, spec: BucketSpec, prefix = "textllm:rl:"): RateLimiter {
  const run = luaScript(client, TAKE);
  return {
    backend: "redis",
    async take(key) {
      const [allowed, tokens] = (await run([`${prefix}${key}`], [spec.capacity, refillPerMs(spec)])) as [number, string];
      return decide(spec, Number(tokens), Number(allowed) === 1);
    },
  };
}
