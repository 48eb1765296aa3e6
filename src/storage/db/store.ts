// The one store interface the rest of the code uses. Built over any SqlDriver; inside
// `transaction` the same repositories run on the transaction's connection.
import type { Dialect, Executor, SqlDriver } from "./driver.ts";
import type { Db } from "./database.ts";
import { groupCommit } from "./group-commit.ts";
import { conversationsRepo } from "./repos/conversations.ts";
import { messagesRepo } from "./repos/messages.ts";
import { sessionsRepo } from "./repos/sessions.ts";
import { filesRepo } from "./repos/files.ts";
import { usageRepo } from "./repos/usage.ts";
import { responsesRepo } from "./repos/responses.ts";
import { idempotencyRepo } from "./repos/idempotency.ts";
import { turnsRepo } from "./repos/turns.ts";

function repos(db: Db) {
  return {
    conversations: conversationsRepo(db),
    messages: messagesRepo(db),
    sessions: sessionsRepo(db),
    files: filesRepo(db),
    usage: usageRepo(db),
    responses: responsesRepo(db),
    idempotency: idempotencyRepo(db),
    turns: turnsRepo(db),
  };
}

export type Repos = ReturnType<typeof repos>;

export interface Store extends Repos {
  readonly dialect: Dialect;
  transaction<T>(fn: (tx: Repos) => Promise<T>): Promise<T>;
  /**
   * Like transaction, for the writes every request makes; all-or-nothing for this request. On a
   * single-writer database it is committed together with other requests' writes (group commit).
   */
  write<T>(fn: (tx: Repos) => Promise<T>): Promise<T>;
  migrate(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function createStore(driver: SqlDriver): Store {
  // SQLite hands every transaction the same executor: its repositories are built once.
  const built = new WeakMap<Executor, Repos>();
  const reposOn = (exec: Executor): Repos => {
    let r = built.get(exec);
    if (!r) {
      r = repos({ all: exec.all, run: exec.run, json: driver.json, utcDay: driver.utcDay });
      built.set(exec, r);
    }
    return r;
  };
  const grouped = driver.singleWriter ? groupCommit(driver) : driver.transaction.bind(driver);
  return {
    ...reposOn(driver),
    dialect: driver.dialect,
    transaction: (fn) => driver.transaction((tx) => fn(reposOn(tx))),
    write: (fn) => grouped((tx) => fn(reposOn(tx))),
    migrate: () => driver.migrate(),
    ping: () => driver.ping(),
    close: () => driver.close(),
  };
}
