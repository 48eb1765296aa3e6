// Money reserved by requests in flight, per user and day. A request reserves its worst-case cost
// before calling the upstream and releases it once its real cost is stored, so concurrent requests
// see each other and cannot together spend past the limit.
//
// In Redis a reservation is a lease: it lapses LEASE_MS after it was last renewed, and the request
// renews it while it runs. So one whose release never arrives (a replica that died, a Redis that
// restarted with the reservation persisted but missed the release) holds nothing for long.
import { luaScript, type SharedRedis } from "../lib/redis.ts";

/** One request's reservation. */
export interface Hold {
  release(): Promise<void>;
}

export interface BudgetLedger {
  readonly backend: "memory" | "redis";
  /** Reserves `amount` if spent + everything reserved + amount stays within `limit`; null if not. */
  reserve(key: string, amount: number, limit: number, spent: number): Promise<Hold | null>;
}

export function memoryLedger(): BudgetLedger {
  const reserved = new Map<string, number>();
  return {
    backend: "memory",
    async reserve(key, amount, limit, spent) {
      const now = reserved.get(key) ?? 0;
      if (spent + now + amount > limit) return null;
      reserved.set(key, now + amount);
      return {
        async release() {
          const left = (reserved.get(key) ?? 0) - amount;
          if (left > 0) reserved.set(key, left);
          else reserved.delete(key);
        },
      };
    },
  };
}

// One sorted set per user and day: a member per reservation ("<id>:<amount>"), scored with the
// time its lease ends on the Redis server's clock (TIME), so replicas' clocks do not matter.
const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;
const RESERVE = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local reserved = 0
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  reserved = reserved + tonumber(string.match(member, ':(%d+)$'))
end
if tonumber(ARGV[3]) + reserved + tonumber(ARGV[1]) > tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
`;
const RENEW = `${NOW}
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`;
const RELEASE = `return redis.call('ZREM', KEYS[1], ARGV[1])`;

/** A reservation lapses this long after its last renewal... */
export const LEASE_MS = 30_000;
/** ...and is renewed this often while its request runs. */
const RENEW_EVERY_MS = 10_000;
/** A request that never settled (a bug) stops renewing after this; its lease then lapses. */
const MAX_HOLD_MS = 15 * 60_000;

export interface RedisLedgerOptions {
  prefix?: string;
  leaseMs?: number;
  renewEveryMs?: number;
}

export function redisLedger(client: SharedRedis, opts: RedisLedgerOptions = {}): BudgetLedger {
  const prefix = opts.prefix ?? "textllm:budget:";
  const leaseMs = opts.leaseMs ?? LEASE_MS;
  const renewEveryMs = opts.renewEveryMs ?? RENEW_EVERY_MS;
  const reserve = luaScript(client, RESERVE);
  const renew = luaScript(client, RENEW);
  const release = luaScript(client, RELEASE);
  return {
    backend: "redis",
    async reserve(key, amount, limit, spent) {
      const redisKey = `${prefix}${key}`;
      const member = `${crypto.randomUUID()}:${amount}`;
      if (Number(await reserve([redisKey], [amount, limit, spent, leaseMs, member])) !== 1) return null;
      const started = performance.now();
      // A renewal that fails (Redis away for a moment) is retried at the next tick; the lease is long enough.
      const renewal = setInterval(() => {
        if (performance.now() - started > MAX_HOLD_MS) clearInterval(renewal);
        else renew([redisKey], [member, leaseMs]).catch(() => undefined);
      }, renewEveryMs);
      renewal.unref();
      return {
        async release() {
          clearInterval(renewal);
          await release([redisKey], [member]);
        },
      };
    },
  };
}
