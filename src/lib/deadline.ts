// A promise deadline: the answer, or a rejection once `ms` have passed. It does not cancel the work
// (a promise cannot be cancelled); it only makes sure that nobody waits on it longer than that.
// Callers that must also stop the work check `expired()` on the handle of `deadline()`.

/** The error a deadline rejects with when the caller gave none. */
export class DeadlineExceeded extends Error {
  constructor(
    readonly ms: number,
    what = "the operation",
  ) {
    super(`${what} did not finish within ${ms} ms`);
  }
}

/** Resolves or rejects like `work`, or rejects with `onTimeout()` after `ms`, whichever is first. */
export async function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => Error = () => new DeadlineExceeded(ms)): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  // The losing side must not surface later as an unhandled rejection.
  work.catch(() => undefined);
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

export interface Deadline {
  /** True once the time is up: work still running should stop rather than take effect. */
  expired(): boolean;
  /** `work` raced against what is left of this deadline. */
  race<T>(work: Promise<T>): Promise<T>;
}

/** One deadline shared by several steps (say, the statements of one transaction). */
export function deadline(ms: number, onTimeout: () => Error = () => new DeadlineExceeded(ms)): Deadline {
  const endsAt = performance.now() + ms;
  return {
    expired: () => performance.now() >= endsAt,
    race: (work) => withDeadline(work, Math.max(0, endsAt - performance.now()), onTimeout),
  };
}
