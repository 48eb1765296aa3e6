// Each Postgres suite gets its own empty database, created on the test server and dropped after.
// The server is TEST_DATABASE_URL's (its database is created when missing), else a private one
// this run starts from the installed binaries (tests/support/private-postgres.ts).
import { SQL } from "bun";
import { POSTGRES_INSTALL_SKIP, startPrivatePostgres } from "./private-postgres.ts";
import { privateService } from "./private-service.ts";

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? "";
/** Null when Postgres suites can run; otherwise why they are skipped. */
export const POSTGRES_SKIP: string | null = TEST_DATABASE_URL ? null : POSTGRES_INSTALL_SKIP;

let base: Promise<string> | null = null;

/** The server to create test databases on: TEST_DATABASE_URL, or this run's private Postgres. */
export function postgresBaseUrl(): Promise<string> {
  if (POSTGRES_SKIP) return Promise.reject(new Error(`Postgres is not available: ${POSTGRES_SKIP}`));
  base ??= TEST_DATABASE_URL
    ? ensureDatabase(TEST_DATABASE_URL).then(() => TEST_DATABASE_URL)
    : privateService("postgres", startPrivatePostgres).then((service) => service.url);
  return base;
}

export interface TempDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createTempDatabase(baseUrl?: string): Promise<TempDatabase> {
  const server = baseUrl ?? (await postgresBaseUrl());
  const name = `textllm_t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new SQL(server, { max: 1 });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.close();
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const a = new SQL(server, { max: 1 });
      await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.close();
    },
  };
}

/** A configured database that does not exist yet is created; anything else wrong fails loudly. */
export async function ensureDatabase(url: string): Promise<void> {
  const where = new URL(url);
  where.password = where.password ? "***" : "";
  const probe = new SQL(url, { max: 1 });
  try {
    await probe`SELECT 1`;
    return;
  } catch (err) {
    if ((err as { errno?: string }).errno !== "3D000") throw new Error(`TEST_DATABASE_URL (${where}) does not answer: ${(err as Error).message}`);
  } finally {
    await probe.close();
  }
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const maintenance = new URL(url);
  maintenance.pathname = "/postgres";
  const admin = new SQL(maintenance.toString(), { max: 1 });
  try {
    await admin.unsafe(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } catch (err) {
    // Another test run may have created it meanwhile.
    if ((err as { errno?: string }).errno !== "42P04") {
      throw new Error(`TEST_DATABASE_URL (${where}) names database '${name}', which does not exist and could not be created: ${(err as Error).message}`);
    }
  } finally {
    await admin.close();
  }
}
