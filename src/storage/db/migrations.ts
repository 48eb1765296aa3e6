import type { MigrationMeta } from "drizzle-orm/migrator";
import { embeddedMigrations } from "./migrations-macro.ts" with { type: "macro" };

/** The migrations of drizzle/, inlined into the program when it is bundled. */
export const MIGRATIONS: MigrationMeta[] = embeddedMigrations();
