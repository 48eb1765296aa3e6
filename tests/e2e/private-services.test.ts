// `bun test` on a machine with no TEST_DATABASE_URL / TEST_REDIS_URL: the Postgres and Redis
// suites run on private servers the run starts itself, which are gone when it ends — also when
// the run is killed. A TEST_DATABASE_URL naming a database that does not exist yet gets it made.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SQL } from "bun";
import { POSTGRES_SKIP, postgresBaseUrl } from "../support/postgres.ts";
import { REDIS_SKIP } from "../support/redis.ts";
import { tempDir, waitFor } from "../support/temp.ts";

const ROOT = join(import.meta.dir, "../..");
const SUPPORT = join(import.meta.dir, "../support");
const dir = tempDir("textllm-services-");
afterAll(() => dir.cleanup());

// A small suite that needs both services and says which servers it was given.
const fixture = join(dir.path, "uses-services.test.ts");
writeFileSync(
  fixture,
  `import { expect, test } from "bun:test";
import { RedisClient, SQL } from "bun";
import { createTempDatabase } from ${JSON.stringify(join(SUPPORT, "postgres.ts"))};
import { testRedisUrl } from ${JSON.stringify(join(SUPPORT, "redis.ts"))};

test("a Postgres database to work in", async () => {
  const db = await createTempDatabase();
  const sql = new SQL(db.url, { max: 1 });
  const [row] = await sql\`SELECT current_setting('port') AS port, current_setting('data_directory') AS data\`;
  await sql.close();
  await db.drop();
  console.log("POSTGRES " + JSON.stringify(row));
});

test("a Redis to talk to", async () => {
  const url = await testRedisUrl();
  const redis = new RedisClient(url);
  expect(await redis.send("PING", [])).toBe("PONG");
  const { dir } = (await redis.send("CONFIG", ["GET", "dir"])) as { dir: string };
  redis.close();
  console.log("REDIS " + JSON.stringify({ port: new URL(url).port, dir }));
  if (process.env.FIXTURE_THEN_HANG) await new Promise(() => {});
});
`,
);

const withoutServiceUrls = (extra: Record<string, string> = {}) => {
  const env = { ...process.env } as Record<string, string>;
  delete env.TEST_DATABASE_URL;
  delete env.TEST_REDIS_URL;
  return { ...env, ...extra };
};

const childRun = (env: Record<string, string>) =>
  Bun.spawn([process.execPath, "test", fixture], { cwd: ROOT, env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });

const reported = (output: string, name: string) => JSON.parse(output.match(new RegExp(`${name} (\\{.*\\})`))![1]!);

const refuses = async (port: number) => {
  try {
    const socket = await Bun.connect({ hostname: "127.0.0.1", port: Number(port), socket: { data() {} } });
    socket.end();
    return false;
  } catch {
    return true;
  }
};

const skip = POSTGRES_SKIP ?? REDIS_SKIP;
describe.skipIf(skip !== null)(`bun test without service URLs${skip ? ` (skipped: ${skip})` : ""}`, () => {
  test("runs the Postgres and Redis tests on private servers and stops them afterwards", async () => {
    const child = childRun(withoutServiceUrls());
    const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
    const output = stdout + stderr;
    expect({ code, output }).toMatchObject({ code: 0 });
    expect(output).toMatch(/\b2 pass\b/);
    expect(output).not.toMatch(/\bskip\b/);
    const postgres = reported(output, "POSTGRES");
    const redis = reported(output, "REDIS");
    expect([5432, 6379]).not.toContain(Number(postgres.port));
    expect([5432, 6379]).not.toContain(Number(redis.port));
    expect(await refuses(postgres.port)).toBe(true);
    expect(await refuses(redis.port)).toBe(true);
    expect(existsSync(postgres.data)).toBe(false);
    expect(existsSync(redis.dir)).toBe(false);
  }, 120_000);

  test("a run that is killed takes its private servers with it", async () => {
    const child = childRun(withoutServiceUrls({ FIXTURE_THEN_HANG: "1" }));
    let output = "";
    const collect = async (stream: ReadableStream<Uint8Array>) => {
      for await (const chunk of stream) output += new TextDecoder().decode(chunk);
    };
    void collect(child.stdout);
    void collect(child.stderr);
    await waitFor(() => (/REDIS \{/.test(output) ? true : undefined), "the fixture to reach both servers", 60_000);
    const postgres = reported(output, "POSTGRES");
    const redis = reported(output, "REDIS");
    child.kill("SIGKILL");
    await child.exited;
    await waitFor(async () => ((await refuses(postgres.port)) && (await refuses(redis.port)) ? true : undefined), "both private servers to stop");
    // Nothing ran the cleanup: remove what the killed run left behind.
    for (const path of [join(postgres.data, ".."), redis.dir]) rmSync(path, { recursive: true, force: true });
  }, 120_000);

  test("a TEST_DATABASE_URL whose database does not exist: the run creates it", async () => {
    const server = await postgresBaseUrl();
    const name = `textllm_missing_${Date.now().toString(36)}`;
    const missing = new URL(server);
    missing.pathname = `/${name}`;
    const child = childRun(withoutServiceUrls({ TEST_DATABASE_URL: missing.toString() }));
    const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
    expect({ code, output: stdout + stderr }).toMatchObject({ code: 0 });
    expect(stdout + stderr).toMatch(/\b2 pass\b/);
    const admin = new SQL(server, { max: 1 });
    try {
      const rows = await admin`SELECT datname FROM pg_database WHERE datname = ${name}`;
      expect(rows.length).toBe(1);
      await admin.unsafe(`DROP DATABASE ${name} WITH (FORCE)`);
    } finally {
      await admin.close();
    }
  }, 120_000);
});
