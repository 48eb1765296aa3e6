// Money reserved by requests in flight, per user and day. A request reserves its worst-case cost
// before calling the upstream and releases it once its real cost is stored, so concurrent requests
// see each other and cannot together spend past the limit. When the worst case does not fit, a
// request may take what is left instead (at least `minimum`) and lower its answer room to match.
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

export interface BudgetLedger {
  readonly backend: "memory" | "redis";
  /**
   * Reserves `amount` if spent + everything reserved + amount stays within `limit`; else what is
   * left, if that is at least `minimum`. Returns what was reserved, or null when nothing was.
   */
  reserve(key: string, ask: LedgerAsk): Promise<number | null>;
  release(key: string, amount: number): Promise<void>;
}

/** What a request gets out of `available` micro-dollars: all it asks, what is left, or nothing. */
export function grant(available: number, ask: Pick<LedgerAsk, "amount" | "minimum">): number | null {
  if (available >= ask.amount) return ask.amount;
  return available >= ask.minimum ? available : null;
}

export function memoryLedger(): BudgetLedger {
  const reserved = new Map<string, number>();
  return {
    backend: "memory",
    async reserve(key, ask) {
      const now = reserved.get(key) ?? 0;
      const granted = grant(ask.limit - ask.spent - now, ask);
      if (granted !== null && granted > 0) reserved.set(key, now + granted);
      return granted;
    },
    async release(key, amount) {
      const left = (reserved.get(key) ?? 0) - amount;
      if (left > 0) reserved.set(key, left);
      else reserved.delete(key);
    },
  };
}

// The same rule as grant(), atomically. -1: nothing reserved.
const RESERVE = `
local reserved = tonumber(redis.call('GET', KEYS[1]) or '0')
local available = tonumber(ARGV[2]) - tonumber(ARGV[3]) - reserved
local amount = tonumber(ARGV[1])
if available < amount then
  if available < tonumber(ARGV[5]) then return -1 end
  amount = available
end
if amount > 0 then redis.call('INCRBY', KEYS[1], amount) end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return amount
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
    async reserve(key, ask) {
      const granted = Number(await reserve([`${prefix}${key}`], [ask.amount, ask.limit, ask.spent, RESERVATION_TTL_MS, ask.minimum]));
      return granted < 0 ? null : granted;
    },
    async release(key, amount) {
      if (amount > 0) await release([`${prefix}${key}`], [amount]);
    },
  };
}
