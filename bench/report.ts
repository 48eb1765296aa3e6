// The benchmark's report: each target of issue 17 with its measured value, the floor's value from
// the same run, the ratio between them, and whether it is met. Returns bench/results.md's text;
// what bounds the numbers is written by hand in bench/notes.md and appended.
import { cpus } from "node:os";
import { GENERATOR, pct, type LoadResult } from "./load.ts";
import { readFileSync } from "node:fs";
import { join } from "node:path";

type Streams = { firsts: number[]; errors: number };
type Heavy = LoadResult & { cpuPerRequestUs: number; peakMb: number };

export interface Measured {
  idleStartMb: number;
  idleAfterMb: number;
  one: LoadResult;
  heavy: Heavy;
  stream1: Streams;
  stream16: Streams;
  chat: Heavy | null;
  responses: Heavy | null;
  soak: { startMb: number; endMb: number; samples: number[]; requests: number; errors: number } | null;
  usageRows: number;
  calls: number;
  answered: number;
}

export interface RunResult {
  direct: { one: LoadResult; stream1: Streams };
  floor: Measured;
  sqlite: Measured;
  postgres: Measured | null;
  startups: number[];
  settings: { quick: boolean; heavySeconds: number; oneSeconds: number; streams: number; soakSeconds: number; users: number };
}

interface Row {
  metric: string;
  value: string;
  floor: string;
  ratio: string;
  target: string;
  met: boolean | null;
  /** How far a missed target is from its bound. */
  gap?: string;
}

const ms = (x: number) => `${x.toFixed(2)} ms`;
const us = (x: number) => `${x.toFixed(0)} µs`;
const mb = (x: number) => `${x.toFixed(0)} MB`;
const rps = (x: number) => x.toFixed(0);
const times = (x: number) => `${x.toFixed(2)}×`;

/** A floor on a rate: met, or the factor still missing. */
const atLeast = (actual: number, bound: number) => ({
  met: actual >= bound,
  gap: actual >= bound ? undefined : `short by a factor of ${(bound / actual).toFixed(2)}`,
});
/** A ceiling: met, or by how much it is exceeded (as a factor, or in `unit` when given). */
const atMost = (actual: number, bound: number, unit?: (x: number) => string) => ({
  met: actual <= bound,
  gap: actual <= bound ? undefined : unit ? `${unit(actual - bound)} over` : `over by a factor of ${(actual / bound).toFixed(2)}`,
});

function rowsFor(r: RunResult, m: Measured, name: string): Row[] {
  const f = r.floor;
  const d = r.direct;
  const added = (x: LoadResult, p: 50 | 99) => (p === 50 ? x.p50 - d.one.p50 : x.p99 - d.one.p99);
  const ttftOver = (s: Streams) => pct(s.firsts, 50) - pct(d.stream1.firsts, 50);
  const ttft16 = (s: Streams) => pct(s.firsts, 50) - pct(f.stream16.firsts, 50);
  const rows: Row[] = [
    {
      metric: `${name}: req/s, /v1/chat/completions, 64 connections`,
      value: rps(m.heavy.rps),
      floor: rps(f.heavy.rps),
      ratio: times(m.heavy.rps / f.heavy.rps),
      target: name === "SQLite" ? "≥ 0.40× floor" : "—",
      ...(name === "SQLite" ? atLeast(m.heavy.rps, 0.4 * f.heavy.rps) : { met: null }),
    },
    {
      metric: `${name}: server CPU per request`,
      value: us(m.heavy.cpuPerRequestUs),
      floor: us(f.heavy.cpuPerRequestUs),
      ratio: times(m.heavy.cpuPerRequestUs / f.heavy.cpuPerRequestUs),
      target: name === "SQLite" ? "≤ 2.5× floor" : "—",
      ...(name === "SQLite" ? atMost(m.heavy.cpuPerRequestUs, 2.5 * f.heavy.cpuPerRequestUs) : { met: null }),
    },
    {
      metric: `${name}: added latency p50, 1 connection (vs direct ${ms(d.one.p50)})`,
      value: ms(added(m.one, 50)),
      floor: ms(added(f.one, 50)),
      ratio: "",
      target: "≤ 0.3 ms",
      ...atMost(added(m.one, 50), 0.3, ms),
    },
    {
      metric: `${name}: added latency p99, 1 connection (vs direct ${ms(d.one.p99)})`,
      value: ms(added(m.one, 99)),
      floor: ms(added(f.one, 99)),
      ratio: "",
      target: "≤ 1.5 ms",
      ...atMost(added(m.one, 99), 1.5, ms),
    },
    {
      metric: `${name}: time to first token p50, 1 stream (over direct ${ms(pct(d.stream1.firsts, 50))})`,
      value: ms(ttftOver(m.stream1)),
      floor: ms(ttftOver(f.stream1)),
      ratio: "",
      target: "≤ 0.5 ms",
      ...atMost(ttftOver(m.stream1), 0.5, ms),
    },
    {
      metric: `${name}: time to first token p50, 16 streams (over the floor's)`,
      value: ms(pct(m.stream16.firsts, 50)),
      floor: ms(pct(f.stream16.firsts, 50)),
      ratio: `+${ms(ttft16(m.stream16))}`,
      target: "—",
      met: null,
    },
    {
      metric: `${name}: idle RSS, started, before its first chat request`,
      value: mb(m.idleStartMb),
      floor: mb(f.idleStartMb),
      ratio: times(m.idleStartMb / f.idleStartMb),
      target: "≤ 60 MB",
      ...atMost(m.idleStartMb, 60, mb),
    },
    {
      metric: `${name}: idle RSS after a warm-up and ${r.settings.quick ? 2 : 5} s quiet`,
      value: mb(m.idleAfterMb),
      floor: mb(f.idleAfterMb),
      ratio: times(m.idleAfterMb / f.idleAfterMb),
      target: "—",
      met: null,
    },
    {
      metric: `${name}: peak RSS, 64 connections`,
      value: mb(m.heavy.peakMb),
      floor: mb(f.heavy.peakMb),
      ratio: times(m.heavy.peakMb / f.heavy.peakMb),
      target: "≤ 150 MB",
      ...atMost(m.heavy.peakMb, 150, mb),
    },
    {
      metric: `${name}: errors (64 connections, streams)`,
      value: `${m.heavy.errors}, ${m.stream1.errors + m.stream16.errors}`,
      floor: `${f.heavy.errors}, ${f.stream1.errors + f.stream16.errors}`,
      ratio: "",
      target: "0",
      met: m.heavy.errors + m.stream1.errors + m.stream16.errors + (m.chat?.errors ?? 0) + (m.responses?.errors ?? 0) === 0,
    },
  ];
  if (m.chat && m.responses) {
    rows.push(
      {
        metric: `${name}: req/s, /chat (history read, two messages written), 64 connections`,
        value: rps(m.chat.rps),
        floor: rps(f.heavy.rps),
        ratio: `${times(m.chat.rps / f.heavy.rps)} floor, ${times(m.chat.rps / m.heavy.rps)} completions`,
        target: "≥ 0.70× /v1/chat/completions",
        ...atLeast(m.chat.rps, 0.7 * m.heavy.rps),
      },
      {
        metric: `${name}: server CPU per request, /chat`,
        value: us(m.chat.cpuPerRequestUs),
        floor: us(f.heavy.cpuPerRequestUs),
        ratio: times(m.chat.cpuPerRequestUs / f.heavy.cpuPerRequestUs),
        target: "—",
        met: null,
      },
      {
        metric: `${name}: req/s, /v1/responses (same conversation shape), 64 connections`,
        value: rps(m.responses.rps),
        floor: rps(f.heavy.rps),
        ratio: `${times(m.responses.rps / f.heavy.rps)} floor, ${times(m.responses.rps / m.chat.rps)} /chat`,
        target: "≥ 0.85× /chat",
        ...atLeast(m.responses.rps, 0.85 * m.chat.rps),
      },
      {
        metric: `${name}: server CPU per request, /v1/responses`,
        value: us(m.responses.cpuPerRequestUs),
        floor: us(f.heavy.cpuPerRequestUs),
        ratio: times(m.responses.cpuPerRequestUs / f.heavy.cpuPerRequestUs),
        target: "—",
        met: null,
      },
    );
  }
  // Every upstream call is recorded; a request abandoned before its upstream call is recorded too
  // (a 499, no call). The answered requests are those the load generators saw finish.
  const abandoned = 1 + 8 + 16 + 3 * 64 + 64 * (m.soak?.samples.length ?? 0);
  const consistent = m.calls <= m.usageRows && m.usageRows - m.answered <= abandoned && m.calls >= m.answered;
  rows.push({
    metric: `${name}: usage records / upstream calls / answered requests`,
    value: `${m.usageRows} / ${m.calls} / ${m.answered}`,
    floor: "—",
    ratio: "",
    target: "one call, one record per request",
    met: consistent,
  });
  if (m.soak) {
    rows.push({
      metric: `${name}: RSS over a ${r.settings.soakSeconds} s soak (${m.soak.requests} requests, ${m.soak.errors} errors)`,
      value: `${mb(m.soak.startMb)} → ${mb(m.soak.endMb)}`,
      floor: "—",
      ratio: "",
      target: "no growth (within 10%), no errors",
      met: m.soak.endMb <= m.soak.startMb * 1.1 && m.soak.errors === 0,
    });
  }
  return rows;
}

export function report(r: RunResult): string {
  const rows = rowsFor(r, r.sqlite, "SQLite");
  rows.push({ metric: "binary: exec → first 200 (median)", value: ms(pct(r.startups, 50)), floor: "—", ratio: "", target: "—", met: null });
  if (r.postgres) {
    const pg = r.postgres;
    const s = r.sqlite;
    rows.push(
      {
        metric: "Postgres: req/s against SQLite's, 64 connections",
        value: rps(pg.heavy.rps),
        floor: `SQLite ${rps(s.heavy.rps)}`,
        ratio: times(pg.heavy.rps / s.heavy.rps),
        target: "≥ 0.70× SQLite",
        ...atLeast(pg.heavy.rps, 0.7 * s.heavy.rps),
      },
      {
        metric: "Postgres: CPU per request against SQLite's",
        value: us(pg.heavy.cpuPerRequestUs),
        floor: `SQLite ${us(s.heavy.cpuPerRequestUs)}`,
        ratio: times(pg.heavy.cpuPerRequestUs / s.heavy.cpuPerRequestUs),
        target: "≤ 1.5× SQLite",
        ...atMost(pg.heavy.cpuPerRequestUs, 1.5 * s.heavy.cpuPerRequestUs),
      },
      ...rowsFor(r, pg, "Postgres").map((row) => (row.target.includes("floor") ? { ...row, target: "—", met: null, gap: undefined } : row)),
    );
  }
  const verdict = (m: boolean | null) => (m === null ? "" : m ? "met" : "MISSED");
  const table = [
    "| metric | TextLLM | floor (bare Bun proxy) | ratio | target | |",
    "|---|---|---|---|---|---|",
    ...rows.map((x) => `| ${x.metric} | ${x.value} | ${x.floor} | ${x.ratio} | ${x.target} | ${verdict(x.met)} |`),
  ].join("\n");
  console.log(`\n${table}\n`);
  const cpu = cpus();
  const st = r.settings;
  const missed = rows.filter((x) => x.met === false);
  return `# Benchmark results

Produced by \`bun run bench\`${st.quick ? " --quick" : ""} on ${new Date().toISOString().slice(0, 10)}: ${cpu.length} × ${cpu[0]?.model ?? "CPU"}, Bun ${Bun.version}.
TextLLM is the compiled binary with an admin API key, SQLite${r.postgres ? " (and Postgres)" : ""}, rate limiting, budgets and
access logs on, calling a mock upstream that answers at once. The **floor** is a bare Bun pass-through
proxy (bench/floor-proxy.ts) measured in the same run on the same requests: the least any Bun gateway
costs here. "Direct" is the same load sent straight to the mock. The load generator (${GENERATOR}), the mock
and the server share the same ${cpu.length} cores, with other work on the machine: compare ratios, not absolutes.
Requests go to 64 users (${st.heavySeconds} s per 64-connection run, ${st.oneSeconds} s at 1 connection;
${Math.floor(st.streams / 2)} streams one at a time and ${st.streams} at 16, timed by a Bun client to the first content chunk).
/chat and /v1/responses continue one stored conversation per user: its history read (the bench's config sets
\`max_history_items: 20\`; the conversations grow through the run) and two messages written per turn.

${table}

## Missed targets
${missed.length ? missed.map((x) => `- ${x.metric}: ${x.value} (${x.ratio || "—"}) against ${x.target}${x.gap ? `: ${x.gap}` : ""}`).join("\n") : "None in this run."}

${readFileSync(join(import.meta.dir, "notes.md"), "utf8")}`;
}
