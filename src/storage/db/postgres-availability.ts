// When Postgres does not answer — frozen, unreachable, refusing connections — a request must fail
// fast with a 503 `database_unavailable` (and Retry-After), not hang or look like a bug (500). Every
// statement runs against a deadline (database.query_timeout_ms); a transaction has one deadline for
// all its statements and is rolled back, never committed, once it has passed — its caller has been
// answered already.
import { databaseUnavailable } from "../../errors.ts";
import { DeadlineExceeded, type Deadline } from "../../lib/deadline.ts";

/** Bun's client codes for a connection that could not be made or was lost. */
const CONNECTION_CODE = /^ERR_POSTGRES_(CONNECTION|IDLE_TIMEOUT|LIFETIME_TIMEOUT|TLS|AUTHENTICATION|UNSUPPORTED_AUTHENTICATION|SASL|UNKNOWN_AUTHENTICATION)/;
/** SQLSTATEs of a server that refuses work: connection exceptions, shutting down, too many connections. */
const UNAVAILABLE_STATE = /^(08|57P0[1-3]$|53300$)/;

export function isUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; errno?: unknown; cause?: { errno?: unknown } } | null;
  if (!e) return false;
  const state = String(e.errno ?? e.cause?.errno ?? "");
  return (typeof e.code === "string" && CONNECTION_CODE.test(e.code)) || e.code === "ECONNREFUSED" || UNAVAILABLE_STATE.test(state);
}

/** The error a caller sees: a 503 for a database that is down or too slow, anything else as it is. */
export function asDatabaseError(err: unknown, timeoutMs: number): unknown {
  if (err instanceof DeadlineExceeded) {
    return databaseUnavailable(`The database did not answer within ${timeoutMs} ms (database.query_timeout_ms). Try again shortly.`);
  }
  if (isUnavailable(err)) {
    const reason = err instanceof Error ? err.message : String(err);
    return databaseUnavailable(`The database cannot be reached (${reason.slice(0, 120)}). Try again shortly.`);
  }
  return err;
}

interface CancellableQuery<T> extends Promise<T> {
  cancel(): unknown;
}

/**
 * Runs one statement within `limit`. A statement that misses it is cancelled: one still waiting
 * for a pooled connection is dropped, one under way is asked to stop.
 */
export async function bounded<T>(limit: Deadline, start: () => CancellableQuery<T>, timeoutMs: number): Promise<T> {
  // Bun's queries are lazy: one never started is never sent.
  if (limit.expired()) throw asDatabaseError(new DeadlineExceeded(timeoutMs), timeoutMs);
  const query = start();
  try {
    return await limit.race(query);
  } catch (err) {
    if (err instanceof DeadlineExceeded) {
      try {
        query.cancel();
      } catch {
        // already finished or never sent: nothing to stop
      }
    }
    throw asDatabaseError(err, timeoutMs);
  }
}
