// Draining for a graceful shutdown: once it starts, readiness is 503 and new work is refused, while
// the requests and streams already in flight are counted down to zero. Upstream calls still running
// when the grace period ends (streams, and plain calls waiting for their answer) are cut: each
// offers its cut while it runs, and the shutdown waits until every cut call is recorded before the
// database closes.
import { ErrorCode, serviceUnavailable, type AppError } from "../errors.ts";

/** Cuts one running call with the given error; resolves once its outcome is stored. */
export type CallCut = (error: AppError) => Promise<void>;

export interface Lifecycle {
  readonly draining: boolean;
  /** Requests started since the server did. */
  readonly entered: number;
  readonly inflight: number;
  startDraining(): void;
  enter(): void;
  leave(): void;
  /** Resolves true once nothing is in flight, or false when `timeoutMs` passes first. */
  idle(timeoutMs: number): Promise<boolean>;
  /** A running upstream call offers its cut; the returned function withdraws it when the call is over. */
  trackCall(cut: CallCut): () => void;
  /**
   * Cuts every running call (`shutting_down`) and resolves with how many were cut once all of them
   * are stored — or `timeoutMs` passed first (then `stored` is false).
   */
  cutCalls(timeoutMs: number): Promise<{ cut: number; stored: boolean }>;
}

export const shuttingDown = () => serviceUnavailable("The server is shutting down; retry on another instance.", ErrorCode.shuttingDown);

export function createLifecycle(): Lifecycle {
  let draining = false;
  let inflight = 0;
  let entered = 0;
  let waiters: Array<() => void> = [];
  const calls = new Set<CallCut>();
  const wake = () => {
    if (inflight > 0) return;
    for (const w of waiters) w();
    waiters = [];
  };
  return {
    get draining() {
      return draining;
    },
    get entered() {
      return entered;
    },
    get inflight() {
      return inflight;
    },
    startDraining() {
      draining = true;
    },
    enter() {
      inflight++;
      entered++;
    },
    leave() {
      inflight = Math.max(0, inflight - 1);
      wake();
    },
    trackCall(cut) {
      calls.add(cut);
      return () => void calls.delete(cut);
    },
    async cutCalls(timeoutMs) {
      const running = [...calls];
      const error = shuttingDown();
      const all = Promise.all(running.map((cut) => cut(error).catch(() => undefined))).then(() => true);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
      const stored = await Promise.race([all, late]);
      clearTimeout(timer);
      return { cut: running.length, stored };
    },
    idle(timeoutMs) {
      if (inflight === 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        waiters.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    },
  };
}
