// Circuit states shared by every replica through Redis. The transition itself stays in TypeScript
// (circuit-breaker.ts): a read returns the state with the Redis server's TIME, so replicas judge
// windows and cool-downs on one clock, and a compare-and-set script writes the next state only if
// nobody changed it meanwhile (else the step is re-run on the fresh state). While Redis is
// unreachable the store fails and the caller treats the deployment as closed (see failover.ts).
import { luaScript, type SharedRedis } from "../lib/redis.ts";
import { CLOSED, type CircuitState } from "./circuit-breaker.ts";
import type { CircuitStore } from "./circuit-store.ts";

const READ = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = { tostring(now) }
for i, key in ipairs(KEYS) do out[i + 1] = redis.call('GET', key) or '' end
return out
`;

const COMPARE_AND_SET = `
local current = redis.call('GET', KEYS[1]) or ''
if current ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return 1
`;

const MAX_ATTEMPTS = 10;

export function redisCircuitStore(client: SharedRedis, opts: { ttlMs: number; prefix?: string }): CircuitStore {
  const read = luaScript(client, READ);
  const compareAndSet = luaScript(client, COMPARE_AND_SET);
  const prefix = opts.prefix ?? "textllm:circuit:";
  const parse = (raw: string): CircuitState => (raw ? (JSON.parse(raw) as CircuitState) : CLOSED);
  const encode = (s: CircuitState) => (s.status === "closed" && s.failures.length === 0 ? "" : JSON.stringify(s));
  const readRaw = async (keys: string[]) => {
    const [now, ...raws] = (await read(
      keys.map((k) => prefix + k),
      [],
    )) as string[];
    return { now: Number(now), raws: raws.map((r) => String(r ?? "")) };
  };
  return {
    backend: "redis",
    async apply(key, step) {
      for (let attempt = 1; ; attempt++) {
        const { now, raws } = await readRaw([key]);
        const before = raws[0]!;
        const { state, result } = step(parse(before), now);
        const after = encode(state);
        if (after === before) return result;
        if (Number(await compareAndSet([prefix + key], [before, after, opts.ttlMs])) === 1) return result;
        if (attempt >= MAX_ATTEMPTS) throw new Error(`circuit state of ${key} kept changing under us`);
      }
    },
    async read(keys) {
      const { now, raws } = await readRaw(keys);
      return { states: raws.map(parse), now };
    },
  };
}
