// Log lines are gathered for the rest of the event loop's turn and handed to their destination in
// one write. Under load, lines written straight to an async sonic-boom arrive while its previous
// write is in flight; it appends each one to its pending string and measures that whole string's
// UTF-8 length again per line (measured: ~6.2 µs per access line through pino and sonic-boom, 40
// lines a loop turn; ~3.7 µs batched). No line is held longer than the current loop turn: the
// batch goes out at the next check phase, on `flush`/`flushSync`, and on exit.
import type pino from "pino";

interface Destination {
  write(chunk: string): unknown;
  flush?(cb?: (err?: Error) => void): void;
  flushSync?(): void;
  end?(): void;
}

export interface BatchedStream extends pino.DestinationStream {
  flush(cb?: (err?: Error) => void): void;
  flushSync(): void;
  end(): void;
}

export function batched(dest: Destination): BatchedStream {
  let pending: string[] = [];
  let scheduled = false;
  const drain = () => {
    scheduled = false;
    if (pending.length === 0) return;
    const out = pending.join("");
    pending = [];
    dest.write(out);
  };
  // The destination's own exit hook (pino's, for an async sonic-boom) flushes what it holds; this
  // one, registered after it, hands over what is still gathered here and flushes that too.
  const onExit = () => {
    drain();
    try {
      dest.flushSync?.();
    } catch {
      // not open yet or already closed: nothing more can be written
    }
  };
  process.on("exit", onExit);
  return {
    write(line: string) {
      pending.push(line);
      if (!scheduled) {
        scheduled = true;
        setImmediate(drain);
      }
    },
    flush(cb) {
      drain();
      if (dest.flush) dest.flush(cb);
      else cb?.();
    },
    flushSync() {
      drain();
      dest.flushSync?.();
    },
    end() {
      drain();
      process.off("exit", onExit);
      dest.end?.();
    },
  };
}
