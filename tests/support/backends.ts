// The database backends every contract and HTTP suite runs against. SQLite always; Postgres on
// TEST_DATABASE_URL, else on a private server started from the installed binaries — when neither
// is possible its suites are registered as skipped, with the reason in their name, so a run
// without Postgres says so instead of passing silently.
import { afterAll, beforeAll } from "bun:test";
import { join } from "node:path";
import { openStore, sqliteFileIn } from "../../src/storage/db/open.ts";
import type { Store } from "../../src/storage/db/store.ts";
import { createTempDatabase, POSTGRES_SKIP } from "./postgres.ts";
import { tempDir } from "./temp.ts";

export interface BackendHandle {
  /** Environment that points a TextLLM config at this database. */
  env: Record<string, string>;
  /** The data directory to use (SQLite lives in it; local files too). */
  dataDir: string;
  cleanup(): Promise<void>;
}

export interface Backend {
  name: "sqlite" | "postgres";
  /** Null when the backend can run; otherwise why it is skipped. */
  skip: string | null;
  open(): Promise<BackendHandle>;
}

export const BACKENDS: Backend[] = [
  {
    name: "sqlite",
    skip: null,
    async open() {
      const dir = tempDir();
      return { env: { TEXTLLM_DATA_DIR: join(dir.path, "data") }, dataDir: join(dir.path, "data"), cleanup: async () => dir.cleanup() };
    },
  },
  {
    name: "postgres",
    skip: POSTGRES_SKIP,
    async open() {
      const dir = tempDir();
      const db = await createTempDatabase();
      return {
        env: { TEXTLLM_DATA_DIR: join(dir.path, "data"), DATABASE_URL: db.url },
        dataDir: join(dir.path, "data"),
        cleanup: async () => {
          await db.drop();
          dir.cleanup();
        },
      };
    },
  },
];

/** Suite title that carries the skip reason, e.g. "postgres (skipped: TEST_DATABASE_URL is not set)". */
export const backendTitle = (b: Backend) => (b.skip ? `${b.name} (skipped: ${b.skip})` : b.name);

/** A store on an opened backend, as the contract suites use it (Postgres with a small pool). */
function openBackendStore(backend: Backend, handle: BackendHandle): Store {
  return backend.name === "sqlite"
    ? openStore({ kind: "sqlite", path: sqliteFileIn(handle.dataDir) })
    : openStore({ kind: "postgres", url: handle.env.DATABASE_URL!, poolSize: 4 });
}

/**
 * For a contract suite: opens the backend and its migrated store before the suite's tests (handing
 * the store to `use`) and closes both after them.
 */
export function useBackendStore(backend: Backend, use: (store: Store) => void): void {
  let handle: BackendHandle | undefined;
  let store: Store | undefined;
  beforeAll(async () => {
    handle = await backend.open();
    store = openBackendStore(backend, handle);
    await store.migrate();
    use(store);
  }, 60_000); // may start this run's private Postgres
  afterAll(async () => {
    await store?.close();
    await handle?.cleanup();
  });
}
