// A streamed reply may stall after it started; the SDK's timeout only covers the wait for the
// response headers. Each chunk must arrive within `ms`, or the stream fails with a 504.
import { AppError } from "../errors.ts";

export async function* withIdleTimeout<T>(source: AsyncIterable<T>, ms: number, onTimeout: () => void): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  try {
    for (;;) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const stalled = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          onTimeout();
          reject(new AppError(504, `The upstream stopped sending for ${ms} ms in the middle of its reply.`, "server_error", "upstream_timeout"));
        }, ms);
      });
      let next: IteratorResult<T>;
      try {
        next = await Promise.race([it.next(), stalled]);
      } finally {
        clearTimeout(timer);
      }
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await it.return?.().catch(() => undefined);
  }
}
