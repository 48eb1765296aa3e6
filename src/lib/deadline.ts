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
// One promise and one timer: every database statement runs through this, so no race of two
// promises inside an async function (~2 µs a statement). Whichever side settles first wins; the
// other's outcome is ignored (a late rejection of `work` is handled here, never unhandled).
export function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => Error = () => new DeadlineExceeded(ms)): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
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
