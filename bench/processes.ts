// The benchmark's processes: the mock upstream, the floor proxy and the TextLLM binary, each in its
// own process, and what /proc says about their CPU time and memory.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const CLK_TCK = 100;
export const ADMIN_KEY = "sk-bench-admin-key";

export async function freePort(): Promise<number> {
  const socket = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = socket.port;
  socket.stop(true);
  return port;
}

export async function waitUntilUp(url: string, timeoutMs = 15_000): Promise<number> {
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

export function procStat(pid: number): { cpuSeconds: number; rssMb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime + stime
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const rssMb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  return { cpuSeconds, rssMb };
}

export interface Server {
  proc: ReturnType<typeof Bun.spawn>;
  url: string;
  stop(): Promise<void>;
}

/** A script of bench/ that prints `NAME_PORT=n` once it listens. */
export async function startScript(file: string, portName: string, env: Record<string, string> = {}): Promise<Server> {
  const proc = Bun.spawn([process.execPath, join(import.meta.dir, file)], { stdout: "pipe", stderr: "inherit", env: { ...process.env, ...env } });
  const reader = proc.stdout.getReader();
  const pattern = new RegExp(`${portName}=(\\d+)`);
  let out = "";
  while (!pattern.test(out)) out += new TextDecoder().decode((await reader.read()).value);
  reader.releaseLock();
  return {
    proc,
    url: `http://127.0.0.1:${pattern.exec(out)![1]}`,
    async stop() {
      proc.kill();
      await proc.exited;
    },
  };
}

export interface Textllm extends Server {
  dir: string;
}

export async function startTextllm(binary: string, env: Record<string, string>): Promise<Textllm> {
  const dir = mkdtempSync(join(tmpdir(), "textllm-bench-"));
  writeFileSync(
    join(dir, "config.yaml"),
    "rate_limit_per_minute: 100000000\ncost_limit_per_session: 1000\nmax_history_items: 20\nmodels:\n  bench-model: { context_window: 8192, pricing: { input_per_1k: 0.0025, output_per_1k: 0.01 } }\n",
  );
  const port = await freePort();
  const log = Bun.file(join(dir, "server.log"));
  const proc = Bun.spawn([binary], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", HOME: dir, PORT: String(port), HOST: "127.0.0.1", TEXTLLM_ADMIN_KEY: ADMIN_KEY, ...env },
    stdout: log,
    stderr: log,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntilUp(`${url}/health/live`);
  return {
    proc,
    url,
    dir,
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
