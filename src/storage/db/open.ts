// Opens the configured database. deps.ts decides which one; this only knows how.
import { join } from "node:path";
import type { SqlDriver } from "./driver.ts";
import { openPostgres } from "./postgres-driver.ts";
import { openSqlite } from "./sqlite-driver.ts";
import { sqliteOpenError } from "./sqlite-open-error.ts";
import { createStore, type Store } from "./store.ts";

export type DatabaseTarget = { kind: "sqlite"; path: string } | { kind: "postgres"; url: string; poolSize: number; queryTimeoutMs?: number };

export const sqliteFileIn = (dataDir: string) => join(dataDir, "textllm.db");

export function openStore(target: DatabaseTarget): Store {
  const driver: SqlDriver =
    target.kind === "sqlite"
      ? openSqliteFile(target.path)
      : openPostgres({ url: target.url, poolSize: target.poolSize, queryTimeoutMs: target.queryTimeoutMs });
  return createStore(driver);
}

function openSqliteFile(path: string): SqlDriver {
  try {
    return openSqlite(path);
  } catch (err) {
    throw sqliteOpenError(path, err);
  }
}
