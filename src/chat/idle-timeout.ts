// A streamed reply may stall after it started; the SDK's timeout only covers the wait for the
// response headers. While we wait for the upstream, each chunk must come within `ms` of the last,
// or `onStall` runs (it cancels the upstream call) and the stream fails with a 504. Time a chunk
// spends with a slow client does not count. One timer per stream, re-armed only when it fires: a
// chunk costs two assignments, not a timer and a promise race.
import { upstreamTimeout, type AppError } from "../errors.ts";

export interface IdleWatch {
  /** A chunk arrived: the upstream is not being waited for until `waiting()`. */
  received(): void;
  /** Waiting for the upstream's next chunk from now on. */
  waiting(): void;
  /** True once the upstream was given up on. */
  readonly stalled: boolean;
  /** The error a stalled stream fails with. */
  error(): AppError;
  stop(): void;
}

export function idleWatch(ms: number, onStall: () => void): IdleWatch {
  let waitingSince: number | null = performance.now();
  let stalled = false;
  let timer: ReturnType<typeof setTimeout>;
  const check = () => {
    const idle = waitingSince === null ? 0 : performance.now() - waitingSince;
    if (idle >= ms) {
      stalled = true;
      onStall();
    } else timer = setTimeout(check, ms - idle);
  };
  timer = setTimeout(check, ms);
  return {
    received() {
      waitingSince = null;
    },
    waiting() {
      waitingSince = performance.now();
    },
    get stalled() {
      return stalled;
    },
    error: () => upstreamTimeout(`The upstream stopped sending for ${ms} ms in the middle of its reply.`),
    stop() {
      clearTimeout(timer);
    },
  };
}
