// Each Postgres suite gets its own empty database, created from TEST_DATABASE_URL and dropped after.
import { SQL } from "bun";

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? "";
export const POSTGRES_SKIP_REASON = "TEST_DATABASE_URL is not set (see README: Testing)";

export interface TempDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createTempDatabase(baseUrl = TEST_DATABASE_URL): Promise<TempDatabase> {
  const name = `textllm_t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new SQL(baseUrl, { max: 1 });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.close();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const a = new SQL(baseUrl, { max: 1 });
      await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.close();
    },
  };
}
