// Runs TextLLM as a real process (from source or the compiled binary) and finds its address in
// the start-up log line, so tests can use PORT=0.
import type { Subprocess } from "bun";

export interface RunningServer {
  url: string;
  proc: Subprocess<"ignore", "pipe", "pipe">;
  /** Every stdout line so far. */
  lines: string[];
  stop(signal?: NodeJS.Signals): Promise<number>;
}

/** The environment a process gets: only what the test names, plus PATH and HOME. */
export function cleanEnv(extra: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", ...extra };
}

export async function startServer(cmd: string[], opts: { cwd: string; env: Record<string, string>; timeoutMs?: number }): Promise<RunningServer> {
  const proc = Bun.spawn(cmd, { cwd: opts.cwd, env: cleanEnv({ PORT: "0", HOST: "127.0.0.1", ...opts.env }), stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const lines: string[] = [];
  const reader = proc.stdout.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  const deadline = Date.now() + (opts.timeoutMs ?? 20000);

  let url: string | null = null;
  while (!url) {
    const next = await Promise.race([reader.read(), Bun.sleep(Math.max(0, deadline - Date.now())).then(() => null)]);
    if (!next || next.done) {
      proc.kill("SIGKILL");
      const err = await new Response(proc.stderr).text();
      throw new Error(`server did not start: ${err || lines.join("\n") || "no output"}`);
    }
    buffered += decoder.decode(next.value, { stream: true });
    let nl: number;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      lines.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === "textllm listening" && entry.url) url = entry.url;
      } catch {
        // not a JSON log line
      }
    }
  }
  // Keep draining stdout so the child never blocks on a full pipe.
  void (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      lines.push(...decoder.decode(value).split("\n").filter(Boolean));
    }
  })();

  return {
    url,
    proc,
    lines,
    async stop(signal = "SIGTERM") {
      proc.kill(signal);
      return proc.exited;
    },
  };
}

/** Runs a command to completion. */
export async function run(cmd: string[], opts: { cwd: string; env?: Record<string, string> }) {
  const proc = Bun.spawn(cmd, { cwd: opts.cwd, env: cleanEnv(opts.env ?? {}), stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { stdout, stderr, code };
}
