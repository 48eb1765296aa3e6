// The streamed answers this server knows of: their event logs (chat/event-log.ts, shared across
// replicas when the backend is) and the cancels of the generations running in this process, so
// POST /chat/streams/{id}/cancel can stop one whatever connection asked for it. With Redis, a
// cancel sent to another replica reaches the generating one: each running generation has a
// `running` key, a cancel sets a `cancel` key, and the generating replica looks for those (one
// MGET for all its running streams, polled — never a blocking read on the shared connection).
import type { SharedRedis } from "../lib/redis.ts";
import type { EventLog } from "./event-log.ts";

export interface AnswerStreams {
  log: EventLog;
  /** Keeps a running generation's cancel until the returned release is called. */
  running(streamId: string, cancel: () => void): () => void;
  /** Stops a generation running here (or, with Redis, on another replica); false when none is. */
  cancel(streamId: string): Promise<boolean>;
}

export interface AnswerStreamsOptions {
  /** Shares running generations and cancels across replicas. */
  redis?: SharedRedis | null;
  pollMs?: number;
  /** How long a running key lasts without renewal (longer than any answer takes). */
  liveMs?: number;
}

const runningKey = (streamId: string) => `textllm:stream:${streamId}:running`;
const cancelKey = (streamId: string) => `textllm:stream:${streamId}:cancel`;
const quiet = (p: Promise<unknown>) => p.catch(() => undefined);

export function answerStreams(log: EventLog, opts: AnswerStreamsOptions = {}): AnswerStreams {
  const { redis } = opts;
  const pollMs = opts.pollMs ?? 200;
  const liveMs = String(opts.liveMs ?? 3_600_000);
  const cancels = new Map<string, () => void>();
  let poller: ReturnType<typeof setInterval> | undefined;
  let polling = false;

  const cancelHere = (streamId: string) => {
    const cancel = cancels.get(streamId);
    if (!cancel) return false;
    cancels.delete(streamId);
    cancel();
    return true;
  };

  /** One MGET for every generation running here: any with a cancel key set is stopped. */
  async function poll(shared: SharedRedis): Promise<void> {
    if (polling || cancels.size === 0) return;
    polling = true;
    try {
      const ids = [...cancels.keys()];
      const flags = (await shared.send("MGET", ids.map(cancelKey))) as Array<string | null>;
      ids.forEach((streamId, index) => {
        if (flags[index] !== null && flags[index] !== undefined) cancelHere(streamId);
      });
    } catch {
      // Redis away: cancels through this replica still work; the next poll tries again.
    } finally {
      polling = false;
    }
  }

  return {
    log,
    running(streamId, cancel) {
      cancels.set(streamId, cancel);
      if (redis) {
        void quiet(redis.send("SET", [runningKey(streamId), "1", "PX", liveMs]));
        poller ??= setInterval(() => void poll(redis), pollMs);
        poller.unref?.();
      }
      return () => {
        cancels.delete(streamId);
        if (!redis) return;
        void quiet(redis.send("DEL", [runningKey(streamId), cancelKey(streamId)]));
        if (cancels.size === 0 && poller) {
          clearInterval(poller);
          poller = undefined;
        }
      };
    },
    async cancel(streamId) {
      if (cancelHere(streamId)) return true;
      if (!redis) return false;
      if ((await redis.send("EXISTS", [runningKey(streamId)])) === 0) return false;
      await redis.send("SET", [cancelKey(streamId), "1", "PX", "60000"]);
      return true;
    },
  };
}
