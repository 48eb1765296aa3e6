// Draining for a graceful shutdown: once it starts, readiness is 503 and new work is refused, while
// the requests and streams already in flight are counted down to zero.
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
}

export function createLifecycle(): Lifecycle {
  let draining = false;
  let inflight = 0;
  let entered = 0;
  let waiters: Array<() => void> = [];
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
