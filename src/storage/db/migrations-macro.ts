// Runs at bundle time (imported `with { type: "macro" }`): the migration files of drizzle/ are read
// from disk while building and inlined as data, so the compiled binary carries them.
import { readMigrationFiles, type MigrationMeta } from "drizzle-orm/migrator";
import { join } from "node:path";

export function embeddedMigrations(): MigrationMeta[] {
  return readMigrationFiles({ migrationsFolder: join(import.meta.dir, "../../../drizzle") });
}
