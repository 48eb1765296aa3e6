// Money reserved by requests in flight, per user and day. A request reserves its worst-case cost
// before calling the upstream and releases it once its real cost is stored, so concurrent requests
// see each other and cannot together spend past the limit.
import { luaScript, type SharedRedis } from "../lib/redis.ts";

export interface BudgetLedger {
  readonly backend: "memory" | "redis";
  /** Reserves `amount` if spent + everything reserved + amount stays within `limit`. */
  reserve(key: string, amount: number, limit: number, spent: number): Promise<boolean>;
  release(key: string, amount: number): Promise<void>;
}

export function memoryLedger(): BudgetLedger {
  const reserved = new Map<string, number>();
  return {
    backend: "memory",
    async reserve(key, amount, limit, spent) {
      const now = reserved.get(key) ?? 0;
      if (spent + now + amount > limit) return false;
      reserved.set(key, now + amount);
      return true;
    },
    async release(key, amount) {
      const left = (reserved.get(key) ?? 0) - amount;
      if (left > 0) reserved.set(key, left);
      else reserved.delete(key);
    },
  };
}

const RESERVE = `
local reserved = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[3]) + reserved + tonumber(ARGV[1]) > tonumber(ARGV[2]) then return 0 end
redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
`;
const RELEASE = `
local left = redis.call('DECRBY', KEYS[1], ARGV[1])
if left <= 0 then redis.call('DEL', KEYS[1]) end
return left
`;
/** A replica that dies mid-request leaves its reservation; it lapses after this. */
const RESERVATION_TTL_MS = 15 * 60_000;

export function redisLedger(client: SharedRedis, prefix = "textllm:budget:"): BudgetLedger {
  const reserve = luaScript(client, RESERVE);
  const release = luaScript(client, RELEASE);
  return {
    backend: "redis",
    async reserve(key, amount, limit, spent) {
      return Number(await reserve([`${prefix}${key}`], [amount, limit, spent, RESERVATION_TTL_MS])) === 1;
    },
    async release(key, amount) {
      await release([`${prefix}${key}`], [amount]);
    },
  };
}
