// Idempotency-Key: the first request with a key runs; a repeat of the same request gets the first
// one's answer (waiting for it while it runs), a different request under the same key is refused.
// A first request that failed with a 5xx (or whose client left, 499) frees the key for another attempt. The claim is a row in
// the database with a lease kept alive while the request runs, so it holds across replicas and a
// claim left by a replica that died is taken over once its lease has run out.
import { idempotencyKeyReused } from "../errors.ts";
import type { StoredAnswer } from "../storage/db/repos/idempotency.ts";
import type { Store } from "../storage/db/store.ts";

export type { StoredAnswer };

export interface IdempotencyOptions {
  ttlMs: number;
  leaseMs: number;
  /** How often a waiting repeat looks whether the first has finished. */
  pollMs?: number;
  now: () => number;
}

export type Begun =
  | { kind: "replay"; answer: StoredAnswer }
  /** The first is a stream still running, readable here: follow its event log. */
  | { kind: "attach"; answer: StoredAnswer & { streamId: string } }
  | { kind: "run"; attach(answer: StoredAnswer & { streamId: string }): Promise<void>; finish(answer: StoredAnswer): Promise<void>; abandon(): Promise<void> };

export function idempotencyService(store: Store, opts: IdempotencyOptions) {
  const repo = store.idempotency;
  const pollMs = opts.pollMs ?? 50;
  return {
    /**
     * Claims `key` for this request, or returns the first one's answer once it has one — or, when
     * the first is a stream whose log `readable` here, that stream to follow.
     */
    async begin(userId: string, key: string, digest: string, readable: (streamId: string) => Promise<boolean>): Promise<Begun> {
      for (;;) {
        const token = Bun.randomUUIDv7();
        if (await repo.claim({ userId, key, digest, token, now: opts.now(), leaseMs: opts.leaseMs, ttlMs: opts.ttlMs })) {
          const renewal = setInterval(
            () => {
              repo.renew(userId, key, token, opts.now() + opts.leaseMs).catch(() => undefined);
            },
            Math.max(100, opts.leaseMs / 3),
          );
          renewal.unref();
          return {
            kind: "run",
            async attach(answer) {
              await repo.attach(userId, key, token, answer);
            },
            async finish(answer) {
              clearInterval(renewal);
              if (answer.status >= 500 || answer.status === 499) await repo.release(userId, key, token);
              else await repo.complete(userId, key, token, answer);
            },
            async abandon() {
              clearInterval(renewal);
              await repo.release(userId, key, token);
            },
          };
        }
        const row = await repo.get(userId, key, opts.now());
        if (!row) continue; // released or expired meanwhile: try to claim it again
        if (row.digest !== digest) {
          throw idempotencyKeyReused(`The Idempotency-Key '${key.slice(0, 80)}' was already used for a different request; use a new key for a new request.`);
        }
        if (row.answer && row.finished) return { kind: "replay", answer: row.answer };
        const streamId = row.answer?.streamId;
        if (row.answer && streamId && (await readable(streamId))) return { kind: "attach", answer: { ...row.answer, streamId } };
        await Bun.sleep(pollMs);
      }
    },
  };
}

export type IdempotencyService = ReturnType<typeof idempotencyService>;
