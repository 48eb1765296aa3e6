// A throwaway PostgreSQL server for a test run without TEST_DATABASE_URL: initdb into a temp dir,
// postgres on a free port (TCP on 127.0.0.1, its socket in the temp dir), trust auth, no fsync.
// Postgres refuses to run as root, so under root it runs as the `postgres` OS user (else `nobody`).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { SQL } from "bun";
import { endProcess, freePort, osUser, type PrivateService, runAs, serviceDir, SETPRIV, spawnTied } from "./private-service.ts";
import { waitFor } from "./temp.ts";

/** Where initdb and postgres are: the newest /usr/lib/postgresql/N/bin, else the PATH. */
function postgresBinDir(): string | null {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const bin = join(root, version, "bin");
    if (existsSync(join(bin, "postgres")) && existsSync(join(bin, "initdb"))) return bin;
  }
  const initdb = Bun.which("initdb");
  return initdb && Bun.which("postgres") ? dirname(initdb) : null;
}

const BIN = postgresBinDir();
const AS_ROOT = process.getuid?.() === 0;
const RUN_AS = AS_ROOT ? osUser(["postgres", "nobody"]) : null;

/** Null when a private Postgres can be started here; otherwise why not. */
export const POSTGRES_INSTALL_SKIP: string | null = !BIN
  ? "TEST_DATABASE_URL is not set and no PostgreSQL server is installed (see README: Testing)"
  : AS_ROOT && (!SETPRIV || !RUN_AS)
    ? "TEST_DATABASE_URL is not set, and a private Postgres started as root needs setpriv and a `postgres` user (see README: Testing)"
    : null;

export async function startPrivatePostgres(): Promise<PrivateService> {
  if (!BIN || POSTGRES_INSTALL_SKIP) throw new Error(POSTGRES_INSTALL_SKIP ?? "no PostgreSQL binaries");
  const dir = serviceDir("textllm-pg-", RUN_AS);
  const data = join(dir.path, "data");
  const logFile = join(dir.path, "postgres.log");
  try {
    await runAs([join(BIN, "initdb"), "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"], { user: RUN_AS, cwd: dir.path });
    // A port found free can be taken before postgres binds it: try a few.
    for (let attempt = 1; ; attempt++) {
      const port = freePort();
      const settings = ["listen_addresses=127.0.0.1", "fsync=off", "synchronous_commit=off", "full_page_writes=off", "max_connections=200"];
      const proc = spawnTied([join(BIN, "postgres"), "-D", data, "-p", String(port), "-k", dir.path, ...settings.flatMap((s) => ["-c", s])], {
        user: RUN_AS,
        deathSignal: "SIGINT",
        cwd: dir.path,
        logFile,
      });
      const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
      const ready = await waitFor(
        async () => {
          if (proc.exitCode !== null) return false;
          const sql = new SQL(url, { max: 1 });
          try {
            await sql`SELECT 1`;
            return true;
          } finally {
            await sql.close();
          }
        },
        "the private Postgres to accept connections",
        30_000,
      ).catch(async (err) => {
        await endProcess(proc, "SIGKILL");
        throw new Error(`${(err as Error).message}\n${readFileSync(logFile, "utf8")}`);
      });
      if (ready) {
        return {
          url,
          async stop() {
            await endProcess(proc, "SIGINT");
            dir.cleanup();
          },
        };
      }
      const log = readFileSync(logFile, "utf8");
      if (attempt >= 3 || !log.includes("already in use")) throw new Error(`the private Postgres did not start:\n${log}`);
    }
  } catch (err) {
    dir.cleanup();
    throw err;
  }
}
