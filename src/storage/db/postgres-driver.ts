// Production database: PostgreSQL through Bun's SQL client (a connection pool).
import { SQL as BunSQL } from "bun";
import { sql, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/bun-sql";
import { PgDialect } from "drizzle-orm/pg-core";
import { deadline, DeadlineExceeded, type Deadline } from "../../lib/deadline.ts";
import type { Executor, SqlDriver, Values } from "./driver.ts";
import { MIGRATIONS } from "./migrations.ts";
import { asDatabaseError, bounded } from "./postgres-availability.ts";
import { renderCache } from "./rendered.ts";

const render = new PgDialect();
/** Any constant: the key of the advisory lock that serialises migrations across replicas. */
const MIGRATION_LOCK = 7_315_020_001;

export interface PostgresOptions {
  url: string;
  poolSize: number;
  connectTimeoutSeconds?: number;
  /** Deadline of every statement, and of every transaction as a whole (database.query_timeout_ms). */
  queryTimeoutMs?: number;
}

export const DEFAULT_QUERY_TIMEOUT_MS = 5000;

type Runner = Pick<BunSQL, "unsafe">;

const PING = sql`SELECT 1`;

const prepare = renderCache((query: SQL) => render.sqlToQuery(query));

/** `limit` gives each statement its deadline: its own, or its transaction's. */
function executor(client: Runner, limit: () => Deadline, timeoutMs: number): Executor {
  const execute = (query: SQL, values?: Values) => {
    const { rendered, params } = prepare(query, values);
    return bounded(limit(), () => client.unsafe(rendered.sql, params), timeoutMs);
  };
  return {
    async all<T>(query: SQL, values?: Values) {
      return [...(await execute(query, values))] as T[];
    },
    async run(query: SQL, values?: Values) {
      const result = await execute(query, values);
      return Number((result as { count?: number }).count ?? 0);
    },
  };
}

export function openPostgres(opts: PostgresOptions): SqlDriver {
  const client = new BunSQL(opts.url, {
    max: opts.poolSize,
    connectionTimeout: opts.connectTimeoutSeconds ?? 10,
    idleTimeout: 60,
    onclose: () => {},
  });
  const timeoutMs = opts.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  const own = () => deadline(timeoutMs);
  const exec = executor(client, own, timeoutMs);
  return {
    dialect: "postgres",
    singleWriter: false,
    all: exec.all,
    run: exec.run,
    async transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
      const limit = own();
      const work = client.begin(async (tx) => {
        const value = await fn(executor(tx, () => limit, timeoutMs));
        // Its caller has been answered with a 503 meanwhile: roll back rather than commit.
        if (limit.expired()) throw new DeadlineExceeded(timeoutMs);
        return value;
      }) as Promise<T>;
      try {
        return await limit.race(work);
      } catch (err) {
        throw asDatabaseError(err, timeoutMs);
      }
    },
    json(value: unknown) {
      // Bun's client JSON-encodes a string bound to a jsonb column a second time; send text and cast.
      return sql`${JSON.stringify(value)}::text::jsonb`;
    },
    utcDay(column: SQL) {
      return sql`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD')`;
    },
    async migrate() {
      // Replicas starting together must not run the same DDL twice: hold an advisory lock on one
      // reserved connection while drizzle's migrator runs on it.
      const conn = await client.reserve();
      try {
        await conn.unsafe(`SELECT pg_advisory_lock(${MIGRATION_LOCK})`);
        const orm = drizzle({ client: conn as unknown as BunSQL });
        await render.migrate(MIGRATIONS, orm._.session as unknown as Parameters<PgDialect["migrate"]>[1], { migrationsFolder: "" });
      } finally {
        await conn.unsafe(`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`).catch(() => undefined);
        conn.release();
      }
    },
    async ping() {
      await exec.run(PING);
    },
    async close() {
      await client.close({ timeout: 5 });
    },
  };
}
