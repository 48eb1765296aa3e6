// Idempotency-Key claims, one row per (user, key). `claim` is one atomic upsert: it takes a key
// that is free, expired, or held by a claim whose lease ran out (its replica died) — so of many
// concurrent requests on any number of replicas, exactly one runs. The others read the row: the
// digest of the request that holds it and, once finished, the answer to replay.
import { sql } from "drizzle-orm";
import type { Db } from "../database.ts";
import { json } from "../columns.ts";

export interface StoredAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** A stream still running: its event log, which repeats follow until it has ended. */
  streamId?: string;
}

export interface IdempotencyRow {
  digest: string;
  /** The finished answer, or a running stream's (with streamId). */
  answer: StoredAnswer | null;
  finished: boolean;
  leaseUntil: number;
}

export interface Claim {
  userId: string;
  key: string;
  digest: string;
  token: string;
  now: number;
  leaseMs: number;
  ttlMs: number;
}

export function idempotencyRepo(db: Db) {
  return {
    /** True when this claim now holds the key. */
    async claim(c: Claim): Promise<boolean> {
      const rows = await db.all(sql`
        INSERT INTO idempotency_keys (user_id, idem_key, digest, claim_token, lease_until, status_code, answer, expires_at)
        VALUES (${c.userId}, ${c.key}, ${c.digest}, ${c.token}, ${c.now + c.leaseMs}, NULL, NULL, ${c.now + c.ttlMs})
        ON CONFLICT (user_id, idem_key) DO UPDATE SET
          digest = excluded.digest, claim_token = excluded.claim_token, lease_until = excluded.lease_until,
          status_code = NULL, answer = NULL, expires_at = excluded.expires_at
        WHERE idempotency_keys.expires_at < ${c.now} OR (idempotency_keys.status_code IS NULL AND idempotency_keys.lease_until < ${c.now})
        RETURNING claim_token`);
      return rows.length === 1 && String(rows[0]!.claim_token) === c.token;
    },

    async get(userId: string, key: string, now: number): Promise<IdempotencyRow | null> {
      const [row] = await db.all(
        sql`SELECT digest, status_code, answer, lease_until FROM idempotency_keys WHERE user_id = ${userId} AND idem_key = ${key} AND expires_at >= ${now}`,
      );
      if (!row) return null;
      return {
        digest: String(row.digest),
        answer: json<StoredAnswer | null>(row.answer, null),
        finished: row.status_code !== null,
        leaseUntil: Number(row.lease_until),
      };
    },

    /** Keeps a running claim's lease; false when the claim was lost. */
    async renew(userId: string, key: string, token: string, leaseUntil: number): Promise<boolean> {
      return (
        (await db.run(
          sql`UPDATE idempotency_keys SET lease_until = ${leaseUntil} WHERE user_id = ${userId} AND idem_key = ${key} AND claim_token = ${token}`,
        )) > 0
      );
    },

    /** A running stream's answer so far (its stream id): repeats attach to it. */
    async attach(userId: string, key: string, token: string, answer: StoredAnswer): Promise<void> {
      await db.run(sql`UPDATE idempotency_keys SET answer = ${db.json(answer)} WHERE user_id = ${userId} AND idem_key = ${key} AND claim_token = ${token}`);
    },

    async complete(userId: string, key: string, token: string, answer: StoredAnswer): Promise<void> {
      await db.run(sql`
        UPDATE idempotency_keys SET status_code = ${answer.status}, answer = ${db.json(answer)}
        WHERE user_id = ${userId} AND idem_key = ${key} AND claim_token = ${token}`);
    },

    /** Frees the key for a new attempt (the first failed with a 5xx or was cut). */
    async release(userId: string, key: string, token: string): Promise<void> {
      await db.run(sql`DELETE FROM idempotency_keys WHERE user_id = ${userId} AND idem_key = ${key} AND claim_token = ${token}`);
    },
  };
}

export type IdempotencyRepo = ReturnType<typeof idempotencyRepo>;
