// The event log shared by replicas: each answer's frames also go to a Redis Stream (one key per
// answer; entry id N-0 for event N, then an `end` entry), so a client can resume on any replica.
// The replica that generates an answer keeps its own copy in process (chat/event-log.ts) and
// serves its own readers from it; other replicas read the Redis Stream, polling XRANGE (a blocking
// XREAD would hold the one connection every other shared command uses). Keys expire: a live
// answer's after `liveMs`, a finished one's after the replay window. A Redis failure never stops a
// generation: the local log and the stored conversation still get everything.
import type { SharedRedis } from "../lib/redis.ts";
import { memoryEventLog, type EventLog, type LoggedEvent } from "./event-log.ts";

export interface RedisEventLogOptions {
  replayMs: number;
  /** How long a stream still being generated is kept (longer than any answer takes). */
  liveMs?: number;
  pollMs?: number;
  /** Frames kept per answer at most (older ones are trimmed). */
  maxFrames?: number;
}

const framesKey = (streamId: string) => `textllm:stream:${streamId}`;
const metaKey = (streamId: string) => `textllm:stream:${streamId}:meta`;
const quiet = (p: Promise<unknown>) => p.catch(() => undefined);

type Entry = [string, string[]];

export function redisEventLog(redis: SharedRedis, opts: RedisEventLogOptions): EventLog {
  const local = memoryEventLog({ replayMs: opts.replayMs });
  const liveMs = String(opts.liveMs ?? 3_600_000);
  const pollMs = opts.pollMs ?? 50;
  const maxFrames = String(opts.maxFrames ?? 100_000);
  const counts = new Map<string, number>();

  async function* remote(streamId: string, after: number): AsyncGenerator<LoggedEvent> {
    let next = after;
    for (;;) {
      const entries = (await redis.send("XRANGE", [framesKey(streamId), `${next + 1}-0`, "+", "COUNT", "500"])) as Entry[] | null;
      for (const [id, fields] of entries ?? []) {
        if (fields[0] === "end") return;
        next = Number(id.split("-")[0]);
        yield { id: next, frame: fields[1] ?? "" };
      }
      if (entries?.length) continue;
      if ((await redis.send("EXISTS", [metaKey(streamId)])) === 0) return; // expired, or its replica died long ago
      await Bun.sleep(pollMs);
    }
  }

  return {
    async open(streamId, owner) {
      await local.open(streamId, owner);
      counts.set(streamId, 0);
      await quiet(redis.send("SET", [metaKey(streamId), JSON.stringify({ owner }), "PX", liveMs]));
    },
    async append(streamId, frame) {
      await local.append(streamId, frame);
      const n = (counts.get(streamId) ?? 0) + 1;
      counts.set(streamId, n);
      await quiet(redis.send("XADD", [framesKey(streamId), "MAXLEN", "~", maxFrames, `${n}-0`, "frame", frame]));
      if (n === 1) await quiet(redis.send("PEXPIRE", [framesKey(streamId), liveMs]));
    },
    async end(streamId) {
      await local.end(streamId);
      const n = (counts.get(streamId) ?? 0) + 1;
      counts.delete(streamId);
      const replayMs = String(opts.replayMs);
      await quiet(redis.send("XADD", [framesKey(streamId), `${n}-0`, "end", "1"]));
      await quiet(redis.send("PEXPIRE", [framesKey(streamId), replayMs]));
      await quiet(redis.send("PEXPIRE", [metaKey(streamId), replayMs]));
    },
    async owner(streamId) {
      const here = await local.owner(streamId);
      if (here !== undefined) return here;
      const meta = (await redis.send("GET", [metaKey(streamId)])) as string | null;
      return meta === null ? undefined : ((JSON.parse(meta) as { owner: string | null }).owner ?? null);
    },
    async *read(streamId, after) {
      if ((await local.owner(streamId)) !== undefined) yield* local.read(streamId, after);
      else yield* remote(streamId, after);
    },
  };
}
