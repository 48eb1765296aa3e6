// Money reserved by requests in flight, per user and day. A request reserves its worst-case cost
// before calling the upstream and releases it once its real cost is stored, so concurrent requests
// see each other and cannot together spend past the limit. When the worst case does not fit, a
// request may take what is left instead (at least `minimum`) and lower its answer room to match.
//
// In Redis a reservation is a lease: it lapses LEASE_MS after it was last renewed, and the request
// renews it while it runs. So one whose release never arrives (a replica that died, a Redis that
// restarted with the reservation persisted but missed the release) holds nothing for long.
import { luaScript, type SharedRedis } from "../lib/redis.ts";

export interface LedgerAsk {
  /** Micro-dollars wanted: the request's worst case. */
  amount: number;
  /** The least worth reserving when `amount` does not fit (≤ amount). */
  minimum: number;
  limit: number;
  /** Stored spend of the day, before this request. */
  spent: number;
}

/** One request's reservation. */
export interface Hold {
  /** Micro-dollars reserved: the ask's amount, or less when only that was left. */
  readonly amount: number;
  release(): Promise<void>;
}

export interface BudgetLedger {
  readonly backend: "memory" | "redis";
  /**
   * Reserves `amount` if spent + everything reserved + amount stays within `limit`; else what is
   * left, if that is at least `minimum`. Null when nothing was reserved.
   */
  reserve(key: string, ask: LedgerAsk): Promise<Hold | null>;
}

/** What a request gets out of `available` micro-dollars: all it asks, what is left, or nothing. */
export function grant(available: number, ask: Pick<LedgerAsk, "amount" | "minimum">): number | null {
  if (available >= ask.amount) return ask.amount;
  return available >= ask.minimum ? available : null;
}

/** A hold that reserves nothing anywhere (a store that could not be asked, under on_error: open). */
export const unheld = (amount: number): Hold => ({ amount, release: async () => undefined });

export function memoryLedger(): BudgetLedger {
  const reserved = new Map<string, number>();
  return {
    backend: "memory",
    async reserve(key, ask) {
      const now = reserved.get(key) ?? 0;
      const amount = grant(ask.limit - ask.spent - now, ask);
      if (amount === null) return null;
      if (amount > 0) reserved.set(key, now + amount);
      return {
        amount,
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
// RESERVE applies grant() atomically and answers the amount reserved, or -1 for nothing.
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
local available = tonumber(ARGV[2]) - tonumber(ARGV[3]) - reserved
local amount = tonumber(ARGV[1])
if available < amount then
  if available < tonumber(ARGV[6]) then return -1 end
  amount = available
end
if amount > 0 then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[5] .. ':' .. amount)
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
return amount
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
    async reserve(key, ask) {
      const redisKey = `${prefix}${key}`;
      const id = crypto.randomUUID();
      const amount = Number(await reserve([redisKey], [ask.amount, ask.limit, ask.spent, leaseMs, id, ask.minimum]));
      if (amount < 0) return null;
      if (amount === 0) return unheld(0);
      const member = `${id}:${amount}`;
      const started = performance.now();
      // A renewal that fails (Redis away for a moment) is retried at the next tick; the lease is long enough.
      const renewal = setInterval(() => {
        if (performance.now() - started > MAX_HOLD_MS) clearInterval(renewal);
        else renew([redisKey], [member, leaseMs]).catch(() => undefined);
      }, renewEveryMs);
      renewal.unref();
      return {
        amount,
        async release() {
          clearInterval(renewal);
          await release([redisKey], [member]);
        },
      };
    },
  };
}
