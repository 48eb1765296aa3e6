// What a user has spent on a UTC day: the base the daily budget is checked against. Read from the
// sessions table, either on every request (several servers share the database) or once per user
// and day and then kept up to date by this process (it is the database's only writer).
import type { Store } from "../storage/db/store.ts";

export interface DaySpend {
  /** Micro-dollars spent by `userId` on `day` (YYYY-MM-DD), as stored. */
  get(userId: string, day: string): Promise<number>;
  /** A cost this process has just stored for `userId` on `day`. */
  add(userId: string, day: string, cost: number): void;
}

/** Every check reads the database: right however many servers write to it. */
export function storedDaySpend(store: Store): DaySpend {
  return {
    get: (userId, day) => store.sessions.spentOnDay(userId, day),
    add() {},
  };
}

interface Entry {
  /** The stored spend as last read, plus what this process added since that read started. */
  value: number;
  /** The clock's time of that read (ms). */
  readAt: number;
}

/**
 * For a database this process alone writes (the embedded SQLite file): the spend is read once per
 * user and day, then every cost this process stores is added to it. A read is repeated after
 * `refreshMs` all the same, so no drift can outlive that.
 *
 * A cost stored while a read is under way may be counted twice until the next read (it is added
 * here and may also be in the read), never missed: the error can only refuse early, not overspend.
 */
export function cachedDaySpend(store: Store, refreshMs = 60_000, clock: () => number = () => performance.now()): DaySpend {
  let today = "";
  const entries = new Map<string, Entry>();
  /** Reads in flight, with what was added meanwhile (the read's result does not hold it yet). */
  const reads = new Map<string, { result: Promise<number>; added: number }>();

  function read(key: string, userId: string, day: string): Promise<number> {
    const readAt = clock();
    const pending = { result: Promise.resolve(0), added: 0 };
    pending.result = store.sessions
      .spentOnDay(userId, day)
      .then((stored) => {
        const value = stored + pending.added;
        if (day === today) entries.set(key, { value, readAt });
        return value;
      })
      .finally(() => reads.delete(key));
    reads.set(key, pending);
    return pending.result;
  }

  return {
    async get(userId, day) {
      if (day !== today) {
        // A new UTC day: yesterday's entries are of no further use.
        today = day;
        entries.clear();
      }
      const key = `${day}|${userId}`;
      const entry = entries.get(key);
      if (entry && clock() - entry.readAt < refreshMs) return entry.value;
      return reads.get(key)?.result ?? read(key, userId, day);
    },
    add(userId, day, cost) {
      if (!cost) return;
      const key = `${day}|${userId}`;
      const entry = entries.get(key);
      if (entry) entry.value += cost;
      const pending = reads.get(key);
      if (pending) pending.added += cost;
    },
  };
}
