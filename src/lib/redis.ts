// Redis for the pieces that replicas share (rate limits, budget reservations). A Redis that is down
// must never make a request hang: commands are not queued while disconnected, every call has a
// short deadline, and after a failure connecting is not retried for a moment (so an outage costs
// each request nothing, not a timeout).
import { RedisClient } from "bun";
import { withDeadline } from "./deadline.ts";

export const REDIS_DEADLINE_MS = 500;
const RETRY_CONNECT_AFTER_MS = 1000;

export interface SharedRedis {
  send(command: string, args: string[]): Promise<unknown>;
  /** A round trip (PING); fails when Redis is unreachable. */
  ping(): Promise<void>;
  close(): void;
}

export function connectRedis(url: string): SharedRedis {
  const client = new RedisClient(url, { connectionTimeout: REDIS_DEADLINE_MS, enableOfflineQueue: false, autoReconnect: false });
  let connecting: Promise<void> | null = null;
  let downUntil = 0;

  const ensureConnected = async () => {
    if (client.connected) return;
    if (Date.now() < downUntil) throw new Error("Redis is unreachable (retrying shortly)");
    connecting ??= redisDeadline(client.connect()).finally(() => (connecting = null));
    try {
      await connecting;
    } catch (err) {
      downUntil = Date.now() + RETRY_CONNECT_AFTER_MS;
      throw err;
    }
  };

  const send = async (command: string, args: string[]) => {
    await ensureConnected();
    return redisDeadline(client.send(command, args));
  };
  return {
    send,
    async ping() {
      await send("PING", []);
    },
    close: () => client.close(),
  };
}

/** Runs a Lua script by its digest, loading it once (again after a NOSCRIPT). */
export function luaScript(client: SharedRedis, source: string) {
  let sha: string | null = null;
  const load = async () => (sha = String(await client.send("SCRIPT", ["LOAD", source])));
  return async (keys: string[], args: Array<string | number>): Promise<unknown> => {
    const argv = [String(keys.length), ...keys, ...args.map(String)];
    const call = async () => client.send("EVALSHA", [sha ?? (await load()), ...argv]);
    try {
      return await call();
    } catch (err) {
      if (!String(err).includes("NOSCRIPT")) throw err;
      await load();
      return call();
    }
  };
}

const redisDeadline = <T>(p: Promise<T>) => withDeadline(p, REDIS_DEADLINE_MS, () => new Error(`Redis did not answer within ${REDIS_DEADLINE_MS} ms`));
