// The dialect seam. Queries are written once with drizzle's `sql` template (which renders `?` for
// SQLite and `$1` for Postgres); a driver only executes them. Everything dialect-specific lives
// behind this interface: how to run a statement, open a transaction, encode JSON and migrate.
import type { SQL } from "drizzle-orm";

export type Row = Record<string, unknown>;
export type Dialect = "sqlite" | "postgres";
/**
 * Values of a statement's `sql.placeholder(name)`s. A statement written once (a module constant)
 * with placeholders is rendered once per driver, not on every call: the hot writes use this.
 */
export type Values = object;

export interface Executor {
  /** Rows of a SELECT (or of INSERT/UPDATE ... RETURNING). */
  all<T = Row>(query: SQL, values?: Values): Promise<T[]>;
  /** A statement whose rows are not needed; returns how many rows it changed. */
  run(query: SQL, values?: Values): Promise<number>;
}

export interface SqlDriver extends Executor {
  readonly dialect: Dialect;
  /**
   * True for a single-writer database (SQLite), where committing many requests' writes together
   * pays; a connection pool (Postgres) writes them in parallel instead.
   */
  readonly singleWriter: boolean;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T>;
  /** A JSON value as a bound parameter of the right column type. */
  json(value: unknown): SQL;
  /** The UTC calendar day (YYYY-MM-DD) of a timestamp column, for grouping by day. */
  utcDay(column: SQL): SQL;
  /** Applies the embedded migrations that this database has not seen yet. */
  migrate(): Promise<void>;
  /** A cheap round trip that fails when the database is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
