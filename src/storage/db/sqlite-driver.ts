// The embedded default: one SQLite file through bun:sqlite. Statements are synchronous, so the
// only thing to arrange is that an async transaction has the connection to itself: a queue makes
// other callers wait until it commits.
import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { sql, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/bun-sqlite";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import type { Executor, Row, SqlDriver, Values } from "./driver.ts";
import { MIGRATIONS } from "./migrations.ts";
import { renderCache } from "./rendered.ts";

const render = new SQLiteSyncDialect();
type Binding = string | number | bigint | boolean | null | Uint8Array;

export function openSqlite(path: string): SqlDriver {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { create: true, strict: false });
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA foreign_keys = ON");
  db.exec("PRAGMA busy_timeout = 5000");

  // The prepared statement is kept with the rendered text.
  const prepare = renderCache((query: SQL) => {
    const q = render.sqlToQuery(query);
    return { ...q, statement: db.query(q.sql) };
  });
  const exec: Executor = {
    async all<T>(query: SQL, values?: Values) {
      const { rendered, params } = prepare(query, values);
      return rendered.statement.all(...(params as Binding[])) as T[];
    },
    async run(query: SQL, values?: Values) {
      const { rendered, params } = prepare(query, values);
      return rendered.statement.run(...(params as Binding[])).changes;
    },
  };

  // Tail of the queue of transactions; plain statements wait for it too.
  let tail: Promise<unknown> = Promise.resolve();
  let inTransaction = false;
  const waitTurn = async () => {
    while (inTransaction) await tail;
  };

  return {
    dialect: "sqlite",
    singleWriter: true,
    async all<T = Row>(query: SQL, values?: Values) {
      if (inTransaction) await waitTurn();
      return exec.all<T>(query, values);
    },
    async run(query: SQL, values?: Values) {
      if (inTransaction) await waitTurn();
      return exec.run(query, values);
    },
    transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
      const result = tail.then(async () => {
        inTransaction = true;
        db.exec("BEGIN IMMEDIATE");
        try {
          const value = await fn(exec);
          db.exec("COMMIT");
          return value;
        } catch (err) {
          db.exec("ROLLBACK");
          throw err;
        } finally {
          inTransaction = false;
        }
      });
      tail = result.catch(() => undefined);
      return result;
    },
    json(value: unknown) {
      return sql`${JSON.stringify(value)}`;
    },
    utcDay(column: SQL) {
      return sql`substr(${column}, 1, 10)`; // timestamps are stored as ISO text in UTC
    },
    async migrate() {
      const orm = drizzle({ client: db });
      // drizzle's migrator reads files from disk; ours are embedded, so hand them to the dialect.
      render.migrate(MIGRATIONS, (orm as unknown as { session: Parameters<SQLiteSyncDialect["migrate"]>[1] }).session, { migrationsFolder: "" });
    },
    async ping() {
      db.query("SELECT 1").get();
    },
    async close() {
      await tail;
      db.close();
    },
  };
}
