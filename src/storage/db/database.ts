// What repositories are given: an executor (the pool, or an open transaction) plus the dialect's
// JSON encoding. Repositories never see which database they run on.
import type { SQL } from "drizzle-orm";
import type { Executor } from "./driver.ts";

export interface Db extends Executor {
  json(value: unknown): SQL;
  utcDay(column: SQL): SQL;
}
