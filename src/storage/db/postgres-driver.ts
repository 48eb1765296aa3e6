// Production database: PostgreSQL through Bun's SQL client (a connection pool).
import { SQL as BunSQL } from "bun";
import { sql, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/bun-sql";
import { PgDialect } from "drizzle-orm/pg-core";
import type { Executor, Row, SqlDriver, Values } from "./driver.ts";
import { MIGRATIONS } from "./migrations.ts";
import { renderCache } from "./rendered.ts";

const render = new PgDialect();
/** Any constant: the key of the advisory lock that serialises migrations across replicas. */
const MIGRATION_LOCK = 7_315_020_001;

export interface PostgresOptions {
  url: string;
  poolSize: number;
  connectTimeoutSeconds?: number;
}

type Runner = Pick<BunSQL, "unsafe">;

const prepare = renderCache((query: SQL) => render.sqlToQuery(query));

function executor(client: Runner): Executor {
  return {
    async all<T>(query: SQL, values?: Values) {
      const { rendered, params } = prepare(query, values);
      return [...(await client.unsafe(rendered.sql, params))] as T[];
    },
    async run(query: SQL, values?: Values) {
      const { rendered, params } = prepare(query, values);
      const result = await client.unsafe(rendered.sql, params);
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
  const exec = executor(client);
  return {
    dialect: "postgres",
    singleWriter: false,
    all: exec.all,
    run: exec.run,
    transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
      return client.begin((tx) => fn(executor(tx))) as Promise<T>;
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
      await client.unsafe("SELECT 1");
    },
    async close() {
      await client.close({ timeout: 5 });
    },
  };
}
