// Group commit: the writes of requests that finish together go into one transaction, each inside
// its own SAVEPOINT (the same SQL on SQLite and Postgres), so a failing write rolls back alone and
// everyone else's still commits. Under light load a batch is a single write and adds no delay;
// under heavy load one commit serves many requests.
import { sql } from "drizzle-orm";
import type { Executor, SqlDriver } from "./driver.ts";

interface Job {
  fn: (tx: Executor) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

const SAVEPOINT = sql`SAVEPOINT textllm_write`;
const RELEASE = sql`RELEASE SAVEPOINT textllm_write`;
const ROLLBACK = sql`ROLLBACK TO SAVEPOINT textllm_write`;

/** Writes in one batch at most; the rest wait for the next commit. */
const MAX_BATCH = 128;

export function groupCommit(driver: SqlDriver) {
  let queue: Job[] = [];
  let _running: Promise<void> | null = null;

  async function flush(): Promise<void> {
    while (queue.length) {
      const jobs = queue.slice(0, MAX_BATCH);
      queue = queue.slice(jobs.length);
      const outcomes: Array<{ ok: boolean; value: unknown }> = [];
      try {
        await driver.transaction(async (tx) => {
          for (const job of jobs) {
            await tx.run(SAVEPOINT);
            try {
              const value = await job.fn(tx);
              await tx.run(RELEASE);
              outcomes.push({ ok: true, value });
            } catch (err) {
              await tx.run(ROLLBACK);
              await tx.run(RELEASE);
              outcomes.push({ ok: false, value: err });
            }
          }
        });
      } catch (err) {
        // The commit itself failed: nothing of this batch is stored.
        for (const job of jobs) job.reject(err);
        continue;
      }
      jobs.forEach((job, i) => (outcomes[i]!.ok ? job.resolve(outcomes[i]!.value) : job.reject(outcomes[i]!.value)));
    }
  }

  return function write<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      // Let the requests of this turn of the event loop join the batch, then write it.
      _running ??= new Promise<void>((done) =>
        setImmediate(() =>
          flush().finally(() => {
            _running = null;
            done();
          }),
        ),
      );
    });
  };
}
