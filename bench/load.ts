// The benchmark's load: a fixed set of request bodies sent round-robin by wrk (or, without it, Bun's
// fetch) over N connections for S seconds, and time to first token of streamed replies.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Where to send, what (one body per simulated user, sent in turn) and with which headers. */
export interface Target {
  url: string;
  bodies: string[];
  headers: Record<string, string>;
}

export interface LoadResult {
  /** Milliseconds. */
  p50: number;
  p99: number;
  rps: number;
  /** Non-200 answers and failed connections. */
  errors: number;
  /** Answers received. */
  requests: number;
}

export const pct = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

/** wrk (Debian package `wrk`) costs the shared cores far less than a JS client; without it, fetch. */
const WRK = Bun.which("wrk");
export const GENERATOR = WRK ? "wrk" : "Bun's fetch (install wrk for a lighter load generator)";

export function load(target: Target, connections: number, seconds: number): Promise<LoadResult> {
  return WRK ? wrkLoad(WRK, target, connections, seconds) : fetchLoad(target, connections, seconds);
}

const luaString = (text: string) => `[==[${text}]==]`;

async function wrkLoad(wrk: string, target: Target, connections: number, seconds: number): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), "textllm-wrk-"));
  const script = join(dir, "load.lua");
  const headers = Object.entries({ "content-type": "application/json", ...target.headers }).map(([k, v]) => `[ ${luaString(k)} ] = ${luaString(v)}`);
  writeFileSync(
    script,
    `local reqs = {}
local i = 0
init = function(args)
  local bodies = { ${target.bodies.map(luaString).join(", ")} }
  for k, b in ipairs(bodies) do reqs[k] = wrk.format("POST", nil, { ${headers.join(", ")} }, b) end
end
request = function()
  i = i % #reqs + 1
  return reqs[i]
end
`,
  );
  const proc = Bun.spawn([wrk, "-t1", `-c${connections}`, `-d${seconds}s`, "--latency", "-s", script, target.url], { stdout: "pipe", stderr: "pipe" });
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

async function fetchLoad(target: Target, connections: number, seconds: number): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async (_, worker) => {
      const body = target.bodies[worker % target.bodies.length]!;
      while (performance.now() < end) {
        const t0 = performance.now();
        try {
          const res = await fetch(target.url, { method: "POST", headers: { "content-type": "application/json", ...target.headers }, body });
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

/** Time to the first content chunk of streamed replies; `target.bodies` must ask for a stream. */
export async function ttft(target: Target, connections: number, requests: number): Promise<{ firsts: number[]; errors: number }> {
  const firsts: number[] = [];
  let errors = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: connections }, async (_, worker) => {
      const body = target.bodies[worker % target.bodies.length]!;
      while (next < requests) {
        next++;
        const t0 = performance.now();
        try {
          const res = await fetch(target.url, { method: "POST", headers: { "content-type": "application/json", ...target.headers }, body });
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
