// `bun run bench`: TextLLM (the compiled binary, persistence and rate limiting on) against calling
// the same mock upstream directly, in one run, on this machine. Prints a table and writes
// bench/results.md. Options: --soak=SECONDS (RSS over a long load), --seconds=N (the 64-connection run).
import { SQL } from "bun";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..");
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=") as [string, string]));
const HEAVY_SECONDS = Number(args.seconds ?? 10);
const ONE_SECONDS = 5;
const STREAMS = 2000;
const IDLE_AFTER_MS = 5000;
const SOAK_SECONDS = Number(args.soak ?? 0);
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? "";
const CLK_TCK = 100;

type Body = Record<string, unknown>;
const chatBody = (user: string, stream = false): Body => ({ model: "bench-model", messages: [{ role: "user", content: "Say something short." }], user, ...(stream ? { stream: true } : {}) });

// ---------- processes ----------

async function freePort(): Promise<number> {
  const s = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = s.port;
  s.stop(true);
  return port;
}

async function waitUntilUp(url: string, timeoutMs = 15_000): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < timeoutMs) {
    try {
      if ((await fetch(url)).status === 200) return performance.now() - start;
    } catch {
      // not yet listening
    }
    await Bun.sleep(1);
  }
  throw new Error(`${url} did not come up`);
}

function procStat(pid: number): { cpuSeconds: number; rssMb: number } {
  const stat = require("node:fs").readFileSync(`/proc/${pid}/stat`, "utf8") as string;
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const cpu = (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime + stime
  const status = require("node:fs").readFileSync(`/proc/${pid}/status`, "utf8") as string;
  const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  return { cpuSeconds: cpu, rssMb: rss };
}

async function startMock() {
  const proc = Bun.spawn([process.execPath, join(import.meta.dir, "mock-upstream.ts")], { stdout: "pipe", stderr: "inherit" });
  const reader = proc.stdout.getReader();
  let out = "";
  while (!/MOCK_PORT=\d+/.test(out)) out += new TextDecoder().decode((await reader.read()).value);
  reader.releaseLock();
  return { proc, url: `http://127.0.0.1:${/MOCK_PORT=(\d+)/.exec(out)![1]}` };
}

async function startTextllm(binary: string, env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), "textllm-bench-"));
  writeFileSync(
    join(dir, "config.yaml"),
    "rate_limit_per_minute: 100000000\ncost_limit_per_session: 1000\nmodels:\n  bench-model: { context_window: 8192, pricing: { input_per_1k: 0.0025, output_per_1k: 0.01 } }\n",
  );
  const port = await freePort();
  const log = Bun.file(join(dir, "server.log"));
  const proc = Bun.spawn([binary], { cwd: dir, env: { PATH: process.env.PATH ?? "", HOME: dir, PORT: String(port), HOST: "127.0.0.1", ...env }, stdout: log, stderr: log });
  const url = `http://127.0.0.1:${port}`;
  await waitUntilUp(`${url}/health/live`);
  return {
    proc, url, dir,
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------- load ----------

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

interface LoadResult {
  /** Milliseconds. */
  p50: number;
  p99: number;
  rps: number;
  /** Non-200 answers and failed connections. */
  errors: number;
  /** Answers received. */
  requests: number;
}

/** wrk (Debian package `wrk`) costs the shared cores far less than a JS client; without it, fetch. */
const WRK = Bun.which("wrk");
const GENERATOR = WRK ? "wrk" : "Bun's fetch (install wrk for a lighter load generator)";
const USERS = 64;

/** `connections` clients for `seconds`, requests spread over 64 users named `${users}N`. */
function load(url: string, connections: number, seconds: number, users: string): Promise<LoadResult> {
  return WRK ? wrkLoad(url, connections, seconds, users) : fetchLoad(url, connections, seconds, users);
}

async function wrkLoad(url: string, connections: number, seconds: number, users: string): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), "textllm-wrk-"));
  const script = join(dir, "chat.lua");
  const bodies = Array.from({ length: USERS }, (_, i) => JSON.stringify(chatBody(`${users}${i}`)));
  writeFileSync(script, `local reqs = {}
local i = 0
init = function(args)
  local bodies = { ${bodies.map((b) => `[==[${b}]==]`).join(", ")} }
  for k, b in ipairs(bodies) do reqs[k] = wrk.format("POST", nil, { ["content-type"] = "application/json" }, b) end
end
request = function()
  i = i % #reqs + 1
  return reqs[i]
end
`);
  const proc = Bun.spawn([WRK!, "-t1", `-c${connections}`, `-d${seconds}s`, "--latency", "-s", script, url], { stdout: "pipe", stderr: "pipe" });
  const out = await new Response(proc.stdout).text();
  await proc.exited;
  rmSync(dir, { recursive: true, force: true });
  const ms = (m: RegExpExecArray | null) => (m ? Number(m[1]) * ({ us: 0.001, ms: 1, s: 1000 } as Record<string, number>)[m[2]!]! : NaN);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    p50: ms(/^\s+50%\s+([\d.]+)(us|ms|s)$/m.exec(out)),
    p99: ms(/^\s+99%\s+([\d.]+)(us|ms|s)$/m.exec(out)),
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0),
    requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? 0),
    errors: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0) + (socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0),
  };
}

async function fetchLoad(url: string, connections: number, seconds: number, users: string): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async (_, w) => {
      const payload = JSON.stringify(chatBody(`${users}${w % USERS}`));
      while (performance.now() < end) {
        const t0 = performance.now();
        try {
          const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: payload });
          await res.arrayBuffer();
          if (res.status !== 200) errors++;
        } catch {
          errors++;
        }
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  return { p50: pct(latencies, 50), p99: pct(latencies, 99), rps: latencies.length / elapsed, errors, requests: latencies.length };
}

/** Time to the first content chunk of streamed replies. */
async function ttft(url: string, connections: number, requests: number): Promise<{ firsts: number[]; errors: number }> {
  const firsts: number[] = [];
  let errors = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: connections }, async (_, w) => {
      const payload = JSON.stringify(chatBody(`bench-stream-${w}`, true));
      while (next < requests) {
        next++;
        const t0 = performance.now();
        try {
          const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: payload });
          const reader = res.body!.getReader();
          const decoder = new TextDecoder();
          let seen = "";
          let first = -1;
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            seen += decoder.decode(value, { stream: true });
            if (first < 0 && seen.includes('"content":"The')) first = performance.now() - t0;
          }
          if (first < 0 || !seen.includes("[DONE]")) errors++;
          else firsts.push(first);
        } catch {
          errors++;
        }
      }
    }),
  );
  return { firsts, errors };
}

// ---------- the run ----------

async function main() {
  console.log("building the binary...");
  const build = Bun.spawnSync([process.execPath, "run", "build"], { cwd: ROOT, stdout: "ignore", stderr: "pipe" });
  if (build.exitCode !== 0) throw new Error(build.stderr.toString());
  const binary = join(ROOT, "textllm");

  const mock = await startMock();
  const direct = `${mock.url}/v1/chat/completions`;
  const upstreamCalls = async () => Number(await (await fetch(`${mock.url}/count`)).text());
  console.log(`direct to the mock upstream (load from ${GENERATOR})...`);
  await load(direct, 8, 2, "w");
  const d1 = await load(direct, 1, ONE_SECONDS, "direct");
  const d64 = await load(direct, 64, HEAVY_SECONDS, "direct-");
  const dStream = await ttft(direct, 16, STREAMS);

  async function measure(label: string, env: Record<string, string>) {
    console.log(`TextLLM (${label})...`);
    const t = await startTextllm(binary, { OPENAI_BASE_URL: `${mock.url}/v1`, OPENAI_API_KEY: "sk-bench", LOG_LEVEL: "info", ...env });
    const via = `${t.url}/v1/chat/completions`;
    const callsBefore = await upstreamCalls();
    const warm = await load(via, 8, 2, "warm-");
    await Bun.sleep(IDLE_AFTER_MS); // idle: no request for a while (the server collects its heap once quiet)
    const idle = procStat(t.proc.pid);
    const one = await load(via, 1, ONE_SECONDS, "one-conn");
    const before = procStat(t.proc.pid);
    let peak = before.rssMb;
    const ticker = setInterval(() => (peak = Math.max(peak, procStat(t.proc.pid).rssMb)), 50);
    const heavy = await load(via, 64, HEAVY_SECONDS, "heavy-");
    clearInterval(ticker);
    const after = procStat(t.proc.pid);
    const streams = await ttft(via, 16, STREAMS);
    let soak: { startMb: number; endMb: number; samples: number[]; requests: number; errors: number } | null = null;
    if (SOAK_SECONDS > 0) {
      console.log(`soak for ${SOAK_SECONDS} s...`);
      const samples: number[] = [];
      let requests = 0;
      let errors = 0;
      const end = performance.now() + SOAK_SECONDS * 1000;
      while (performance.now() < end) {
        const round = await load(via, 64, 10, "soak-");
        requests += round.requests;
        errors += round.errors;
        samples.push(procStat(t.proc.pid).rssMb);
      }
      soak = { startMb: samples[0] ?? 0, endMb: samples.at(-1) ?? 0, samples, requests, errors };
    }
    await Bun.sleep(500); // requests the load generator abandoned at its deadline finish meanwhile
    const calls = (await upstreamCalls()) - callsBefore;
    const usageRows = await countUsage(t.dir, env.DATABASE_URL);
    await t.stop();
    const answered = warm.requests + one.requests + heavy.requests + streams.firsts.length + (soak?.requests ?? 0);
    return { idle, one, heavy, streams, cpuPerRequestUs: ((after.cpuSeconds - before.cpuSeconds) / heavy.requests) * 1e6, peak, soak, usageRows, calls, answered };
  }

  const sqlite = await measure("SQLite", {});
  let postgres: Awaited<ReturnType<typeof measure>> | null = null;
  if (DATABASE_URL) {
    const name = `textllm_bench_${Date.now()}`;
    const admin = new SQL(DATABASE_URL, { max: 1 });
    await admin.unsafe(`CREATE DATABASE ${name}`);
    const url = new URL(DATABASE_URL);
    url.pathname = `/${name}`;
    try {
      postgres = await measure("Postgres", { DATABASE_URL: url.toString() });
    } finally {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.close();
    }
  }

  console.log("binary start-up...");
  const startups: number[] = [];
  for (let i = 0; i < 5; i++) {
    const dir = mkdtempSync(join(tmpdir(), "textllm-start-"));
    const port = await freePort();
    const t0 = performance.now();
    const proc = Bun.spawn([binary], { cwd: dir, env: { PATH: process.env.PATH ?? "", PORT: String(port), HOST: "127.0.0.1" }, stdout: "ignore", stderr: "ignore" });
    await waitUntilUp(`http://127.0.0.1:${port}/health/live`);
    startups.push(performance.now() - t0);
    proc.kill();
    await proc.exited;
    rmSync(dir, { recursive: true, force: true });
  }
  mock.proc.kill();

  report({ d1, d64, dStream, sqlite, postgres, startups });
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

// ---------- the report ----------

interface Row {
  metric: string;
  textllm: string;
  direct: string;
  target: string;
  met: boolean | null;
}

function report(r: any) {
  const ms = (x: number) => `${x.toFixed(3)} ms`;
  const s = r.sqlite;
  const added = (p: 50 | 99, via: LoadResult, direct: LoadResult) => (p === 50 ? via.p50 - direct.p50 : via.p99 - direct.p99);
  /** Requests still in flight when a load generator stops at its deadline are answered after it left. */
  const abandoned = 1 + 8 + 64 + 64 * (s.soak?.samples.length ?? 0);
  // Every upstream call is recorded; a request abandoned before its upstream call is recorded
  // too (a 499, no call). The answered requests are those the load generators saw finish.
  const onePerRequest = (m: typeof s) => m.calls <= m.usageRows && m.usageRows - m.answered <= abandoned && m.calls >= m.answered;
  const rows: Row[] = [
    { metric: "added latency p50, 1 connection", textllm: ms(added(50, s.one, r.d1)), direct: ms(r.d1.p50), target: "≤ 0.5 ms", met: added(50, s.one, r.d1) <= 0.5 },
    { metric: "added latency p99, 1 connection", textllm: ms(added(99, s.one, r.d1)), direct: ms(r.d1.p99), target: "≤ 2 ms", met: added(99, s.one, r.d1) <= 2 },
    { metric: "added latency p50, 64 connections", textllm: ms(added(50, s.heavy, r.d64)), direct: ms(r.d64.p50), target: "—", met: null },
    { metric: "added latency p99, 64 connections", textllm: ms(added(99, s.heavy, r.d64)), direct: ms(r.d64.p99), target: "—", met: null },
    { metric: "requests/s, 64 connections (SQLite)", textllm: s.heavy.rps.toFixed(0), direct: r.d64.rps.toFixed(0), target: "≥ 10,000", met: s.heavy.rps >= 10_000 },
    { metric: "errors, 64 connections", textllm: String(s.heavy.errors), direct: String(r.d64.errors), target: "0", met: s.heavy.errors === 0 },
    { metric: "usage records / upstream calls / answered requests", textllm: `${s.usageRows} / ${s.calls} / ${s.answered}`, direct: "—", target: "one call and one record per request", met: onePerRequest(s) },
    { metric: "server CPU per request", textllm: `${s.cpuPerRequestUs.toFixed(0)} µs`, direct: "—", target: "≤ 100 µs", met: s.cpuPerRequestUs <= 100 },
    { metric: "TTFT overhead p50, 16 streams", textllm: ms(pct(s.streams.firsts, 50) - pct(r.dStream.firsts, 50)), direct: ms(pct(r.dStream.firsts, 50)), target: "≤ 1 ms", met: pct(s.streams.firsts, 50) - pct(r.dStream.firsts, 50) <= 1 },
    { metric: "TTFT overhead p99, 16 streams", textllm: ms(pct(s.streams.firsts, 99) - pct(r.dStream.firsts, 99)), direct: ms(pct(r.dStream.firsts, 99)), target: "≤ 3 ms", met: pct(s.streams.firsts, 99) - pct(r.dStream.firsts, 99) <= 3 },
    { metric: "idle RSS", textllm: `${s.idle.rssMb.toFixed(0)} MB`, direct: "—", target: "≤ 80 MB", met: s.idle.rssMb <= 80 },
    { metric: "peak RSS under load", textllm: `${s.peak.toFixed(0)} MB`, direct: "—", target: "≤ 200 MB", met: s.peak <= 200 },
    { metric: "binary: exec → first 200 (median of 5)", textllm: ms(pct(r.startups, 50)), direct: "—", target: "≤ 100 ms", met: pct(r.startups, 50) <= 100 },
  ];
  if (r.postgres) {
    const pg = r.postgres.heavy.rps;
    rows.push({ metric: "requests/s, 64 connections (Postgres)", textllm: pg.toFixed(0), direct: "—", target: "within 30% of SQLite", met: pg >= 0.7 * s.heavy.rps });
    rows.push({ metric: "usage records / upstream calls / answered requests (Postgres)", textllm: `${r.postgres.usageRows} / ${r.postgres.calls} / ${r.postgres.answered}`, direct: "—", target: "one call and one record per request", met: onePerRequest(r.postgres) });
    rows.push({ metric: "server CPU per request (Postgres)", textllm: `${r.postgres.cpuPerRequestUs.toFixed(0)} µs`, direct: "—", target: "—", met: null });
  }
  if (s.soak) {
    rows.push({ metric: `RSS over a ${SOAK_SECONDS} s soak (${s.soak.requests.toLocaleString("en-US")} requests)`, textllm: `${s.soak.startMb.toFixed(0)} → ${s.soak.endMb.toFixed(0)} MB`, direct: "—", target: "no growth (within 10%)", met: s.soak.endMb <= s.soak.startMb * 1.1 });
    rows.push({ metric: "errors during the soak", textllm: String(s.soak.errors), direct: "—", target: "0", met: s.soak.errors === 0 });
  }

  const verdict = (m: boolean | null) => (m === null ? "" : m ? "met" : "MISSED");
  const table = [
    "| metric | TextLLM | direct to mock | target | |",
    "|---|---|---|---|---|",
    ...rows.map((x) => `| ${x.metric} | ${x.textllm} | ${x.direct} | ${x.target} | ${verdict(x.met)} |`),
  ].join("\n");
  console.log(`\n${table}\n`);
  const cpus = require("node:os").cpus();
  const md = `# Benchmark results

Produced by \`bun run bench\` on ${new Date().toISOString().slice(0, 10)}: ${cpus.length} × ${cpus[0]?.model ?? "CPU"}, Bun ${Bun.version}.
TextLLM is the compiled binary with SQLite${r.postgres ? " (and Postgres)" : ""}, persistence, rate limiting, budgets and access logs
on, calling a mock upstream that answers at once; "direct" is the same load sent to that mock.
The load generator (${GENERATOR}), the mock and the server share the same ${cpus.length} cores. Requests are
\`POST /v1/chat/completions\` over 64 users (${HEAVY_SECONDS} s at 64 connections, ${ONE_SECONDS} s at 1; ${STREAMS.toLocaleString("en-US")} streams at 16,
timed by a Bun client to the first content chunk).

${table}

## Where targets are missed, and why
${notes(rows)}
`;
  writeFileSync(join(import.meta.dir, "results.md"), md);
  console.log("written: bench/results.md");
}

function notes(rows: Row[]): string {
  const missed = rows.filter((r) => r.met === false);
  if (!missed.length) return "All targets are met in this run.\n";
  return `${missed.map((r) => `- ${r.metric}: ${r.textllm} against ${r.target}`).join("\n")}\n\n${READ_ME_NOTES}`;
}

/** Kept with the code so the results file explains its own numbers. */
const READ_ME_NOTES = `What bounds them, measured on this machine (CPU profiles of the server under this load with
\`bun --cpu-prof\`, and the pieces timed alone):

- **The openai SDK: ~78 µs of CPU per call, against ~27 µs for a bare \`fetch\` of the same request**
  (timed alone against the same mock). It builds every request's headers through generators and
  \`Headers\` objects, links abort signals and a timeout controller, and wraps the answer. The stack
  routes every upstream call through the SDK, so ~50 µs of each request is spent there — half the
  100 µs target before anything of ours runs. For streams its SSE decoder is ~25% of the server's
  JavaScript time.
- **SQLite writes, ~15%.** Each request updates its session and inserts its usage record in one
  transaction; group commit shares the commit between the requests that finish together.
  Statements are rendered once and bound per call; the budget's day spend is kept in memory.
- **Elysia and our hooks, ~10%; logging and metrics, ~7%.** One JSON access line per request
  (written without path redaction, which had cost 13 µs a line) and the histograms.
- **The rest is Bun's HTTP server and client, and garbage collection** (a bare Bun proxy of the
  same requests costs ~31 µs of CPU per request here).
- **Postgres:** a spend read and a four-statement transaction (BEGIN, session upsert, usage
  insert, COMMIT) per request, each a round trip through Bun's SQL client: ~340 µs of CPU per
  request. Next levers: one statement per request, and the day spend kept beside the Redis
  reservations instead of read from the database.
- **Time to first token at 16 streams** is queueing: a stream costs ~300 µs of server CPU (SDK
  decoding, our metering and SSE framing), 16 of them share two cores with the mock and the Bun
  client that times them. At one stream the overhead is ~0.7 ms.
- **Idle RSS:** the compiled server is at ~80 MB before its first request — the runtime (~25 MB)
  plus the libraries it loads (Elysia ~15 MB, the openai SDK ~8, prom-client ~6, the docs plugin
  ~6, the database and Redis clients ~10). After a burst the heap and the engine's compiled code
  stay larger; a full collection once traffic stops gives part of it back.

Changes that moved these numbers (see the git log): bodies with a Content-Length read in one go
(was ~70 µs per request through a stream reader), access lines without redaction, statements
rendered once, the day spend cached on SQLite, group commit, one idle timer per stream.

Runs vary on this shared machine: on the same build, runs of this benchmark and shorter wrk runs
measured 5,900–8,300 requests/s and 146–192 µs of CPU per request at 64 connections on SQLite.`;

await main();
