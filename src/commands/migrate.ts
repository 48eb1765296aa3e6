// `textllm migrate`: apply pending migrations to the configured database and exit.
import type { LoadedConfig } from "../config/load.ts";
import { databaseTarget } from "../deps.ts";
import { openStore } from "../storage/db/open.ts";

export async function migrate(loaded: LoadedConfig, out: (line: string) => void): Promise<void> {
  const target = databaseTarget(loaded);
  const store = openStore(target);
  try {
    await store.migrate();
    out(`migrations applied (${target.kind === "sqlite" ? target.path : "postgres"})`);
  } finally {
    await store.close();
  }
}
