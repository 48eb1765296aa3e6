// `bun run bench`: TextLLM (the compiled binary with an API key, persistence, rate limiting and
// budgets on) against the floor — a bare Bun pass-through proxy (bench/floor-proxy.ts) — and against
// calling the same mock upstream directly, all in one run on this machine. Every figure is reported
// beside the floor's and as a ratio, so runs on a busy machine compare. Writes bench/results.md.
// Options: --quick (short runs while developing; does not write results.md unless --write),
// --seconds=N (each 64-connection run), --soak=SECONDS (RSS over a long load), --no-postgres.
import { SQL } from "bun";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { load, ttft, type LoadResult, type Target } from "./load.ts";
import { ADMIN_KEY, freePort, procStat, startScript, startTextllm, waitUntilUp, type Server } from "./processes.ts";
import { report, type Measured, type RunResult } from "./report.ts";

const ROOT = join(import.meta.dir, "..");
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=") as [string, string]));
const QUICK = "quick" in args;
export const SETTINGS = {
  quick: QUICK,
  heavySeconds: Number(args.seconds ?? (QUICK ? 3 : 10)),
  oneSeconds: QUICK ? 2 : 5,
  streams: QUICK ? 200 : 1000,
  idleAfterMs: QUICK ? 2000 : 5000,
  soakSeconds: Number(args.soak ?? 0),
  users: 64,
};
const DATABASE_URL = "no-postgres" in args ? "" : (process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? "");
const AUTH = { authorization: `Bearer ${ADMIN_KEY}` };
const PROMPT = "Say something short.";

const users = (prefix: string) => Array.from({ length: SETTINGS.users }, (_, i) => `${prefix}${i}`);
const completionBodies = (prefix: string, stream = false) =>
  users(prefix).map((user) =>
    JSON.stringify({ model: "bench-model", messages: [{ role: "user", content: PROMPT }], user, ...(stream ? { stream: true } : {}) }),
  );
const completions = (base: string, prefix: string, stream = false): Target => ({
  url: `${base}/v1/chat/completions`,
  bodies: completionBodies(prefix, stream),
  headers: AUTH,
});

/** One conversation per user, begun with a first turn, so /chat and /v1/responses read history. */
async function conversations(base: string, prefix: string): Promise<Array<{ user: string; id: string }>> {
  return Promise.all(
    users(prefix).map(async (user) => {
      const res = await fetch(`${base}/chat`, {
        method: "POST",
        headers: { "content-type": "application/json", ...AUTH },
        body: JSON.stringify({ model: "bench-model", message: PROMPT, user_id: user }),
      });
      if (res.status !== 200) throw new Error(`/chat answered ${res.status}: ${await res.text()}`);
      return { user, id: ((await res.json()) as { conversation_id: string }).conversation_id };
    }),
  );
}

/** `load` while sampling the server's RSS, with the server's CPU time per answered request. */
async function heavy(server: Server, target: Target): Promise<Measured["heavy"]> {
  const pid = server.proc.pid;
  const before = procStat(pid);
  let peak = before.rssMb;
  const ticker = setInterval(() => (peak = Math.max(peak, procStat(pid).rssMb)), 50);
  const result: LoadResult = await load(target, 64, SETTINGS.heavySeconds);
  clearInterval(ticker);
  const after = procStat(pid);
  return { ...result, cpuPerRequestUs: ((after.cpuSeconds - before.cpuSeconds) / Math.max(1, result.requests)) * 1e6, peakMb: peak };
}

/** What every server is measured on: /v1/chat/completions whole and streamed, memory. */
async function measureCommon(server: Server, label: string): Promise<Measured> {
  console.log(`${label}...`);
  await Bun.sleep(1000);
  const idleStart = procStat(server.proc.pid);
  const warm = await load(completions(server.url, "warm-"), 8, QUICK ? 1 : 2);
  await Bun.sleep(SETTINGS.idleAfterMs); // quiet for a while: a server may collect its heap
  const idleAfter = procStat(server.proc.pid);
  const one = await load(completions(server.url, "one-conn"), 1, SETTINGS.oneSeconds);
  const many = await heavy(server, completions(server.url, "heavy-"));
  const stream1 = await ttft(completions(server.url, "stream-one-", true), 1, Math.floor(SETTINGS.streams / 2));
  const stream16 = await ttft(completions(server.url, "stream-", true), 16, SETTINGS.streams);
  return {
    idleStartMb: idleStart.rssMb,
    idleAfterMb: idleAfter.rssMb,
    one,
    heavy: many,
    stream1,
    stream16,
    answered: warm.requests + one.requests + many.requests + stream1.firsts.length + stream16.firsts.length,
    chat: null,
    responses: null,
    soak: null,
    usageRows: 0,
    calls: 0,
  };
}

async function measureTextllm(binary: string, label: string, upstreamCalls: () => Promise<number>, env: Record<string, string>): Promise<Measured> {
  const server = await startTextllm(binary, { LOG_LEVEL: "info", ...env });
  const callsBefore = await upstreamCalls();
  const m = await measureCommon(server, `TextLLM (${label})`);
  const chatConversations = await conversations(server.url, "chat-");
  m.chat = await heavy(server, {
    url: `${server.url}/chat`,
    headers: AUTH,
    bodies: chatConversations.map((c) => JSON.stringify({ model: "bench-model", message: PROMPT, conversation_id: c.id, user_id: c.user })),
  });
  const responseConversations = await conversations(server.url, "responses-");
  m.responses = await heavy(server, {
    url: `${server.url}/v1/responses`,
    headers: AUTH,
    bodies: responseConversations.map((c) => JSON.stringify({ model: "bench-model", input: PROMPT, conversation: c.id, user: c.user })),
  });
  m.answered += m.chat.requests + m.responses.requests + 2 * SETTINGS.users;
  if (SETTINGS.soakSeconds > 0) {
    console.log(`soak for ${SETTINGS.soakSeconds} s...`);
    const samples: number[] = [];
    let requests = 0;
    let errors = 0;
    const end = performance.now() + SETTINGS.soakSeconds * 1000;
    while (performance.now() < end) {
      const round = await load(completions(server.url, "soak-"), 64, 10);
      requests += round.requests;
      errors += round.errors;
      samples.push(procStat(server.proc.pid).rssMb);
    }
    m.soak = { startMb: samples[0] ?? 0, endMb: samples.at(-1) ?? 0, samples, requests, errors };
    m.answered += requests;
  }
  await Bun.sleep(500); // requests the load generator abandoned at its deadline finish meanwhile
  m.calls = (await upstreamCalls()) - callsBefore;
  m.usageRows = await countUsage(server.dir, env.DATABASE_URL);
  await server.stop();
  return m;
}

async function startups(binary: string, times: number): Promise<number[]> {
  const { mkdtempSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const out: number[] = [];
  for (let i = 0; i < times; i++) {
    const dir = mkdtempSync(join(tmpdir(), "textllm-start-"));
    const port = await freePort();
    const t0 = performance.now();
    const proc = Bun.spawn([binary], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? "", PORT: String(port), HOST: "127.0.0.1" },
      stdout: "ignore",
      stderr: "ignore",
    });
    await waitUntilUp(`http://127.0.0.1:${port}/health/live`);
    out.push(performance.now() - t0);
    proc.kill();
    await proc.exited;
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

async function countUsage(dir: string, databaseUrl?: string): Promise<number> {
  if (databaseUrl) {
    const db = new SQL(databaseUrl, { max: 1 });
    const [row] = await db`SELECT COUNT(*)::int AS n FROM usage_records`;
    await db.close();
    return Number(row.n);
  }
  const { Database } = await import("bun:sqlite");
  const db = new Database(join(dir, "data", "textllm.db"), { readonly: true });
  const n = (db.query("SELECT COUNT(*) AS n FROM usage_records").get() as { n: number }).n;
  db.close();
  return n;
}

async function main() {
  console.log("building the binary...");
  const build = Bun.spawnSync([process.execPath, "run", "build"], { cwd: ROOT, stdout: "ignore", stderr: "pipe" });
  if (build.exitCode !== 0) throw new Error(build.stderr.toString());
  const binary = join(ROOT, "textllm");

  const mock = await startScript("mock-upstream.ts", "MOCK_PORT");
  const upstreamCalls = async () => Number(await (await fetch(`${mock.url}/count`)).text());
  console.log("direct to the mock upstream...");
  await load(completions(mock.url, "w"), 8, 1);
  const direct = {
    one: await load(completions(mock.url, "direct"), 1, SETTINGS.oneSeconds),
    stream1: await ttft(completions(mock.url, "direct-stream-one-", true), 1, Math.floor(SETTINGS.streams / 2)),
  };
  const floorServer = await startScript("floor-proxy.ts", "FLOOR_PORT", { UPSTREAM_URL: `${mock.url}/v1` });
  const floor = await measureCommon(floorServer, "the floor (a bare Bun proxy)");
  await floorServer.stop();

  const env = { OPENAI_BASE_URL: `${mock.url}/v1`, OPENAI_API_KEY: "sk-bench" };
  const sqlite = await measureTextllm(binary, "SQLite", upstreamCalls, env);
  let postgres: Measured | null = null;
  if (DATABASE_URL) {
    const name = `textllm_bench_${Date.now()}`;
    const admin = new SQL(DATABASE_URL, { max: 1 });
    await admin.unsafe(`CREATE DATABASE ${name}`);
    const url = new URL(DATABASE_URL);
    url.pathname = `/${name}`;
    try {
      postgres = await measureTextllm(binary, "Postgres", upstreamCalls, { ...env, DATABASE_URL: url.toString() });
    } finally {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.close();
    }
  }
  console.log("binary start-up...");
  const run: RunResult = { direct, floor, sqlite, postgres, startups: await startups(binary, QUICK ? 2 : 5), settings: SETTINGS };
  await mock.stop();
  const md = report(run);
  if (!QUICK || "write" in args) {
    writeFileSync(join(import.meta.dir, "results.md"), md);
    console.log("written: bench/results.md");
  }
}

await main();
