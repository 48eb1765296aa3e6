// A program running in a real terminal (tmux on a private socket): type into it, read its screen.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "./temp.ts";

export const TMUX = Bun.which("tmux");
export const TMUX_SKIP_REASON = "tmux is not installed (apt-get install tmux)";

export interface Terminal {
  type(text: string): Promise<void>;
  /** Keys by tmux name: "Enter", "C-c", "C-d". */
  key(name: string): Promise<void>;
  screen(): Promise<string>;
  waitForScreen(test: (screen: string) => boolean, what: string, timeoutMs?: number): Promise<string>;
  /** The exit status once the program has ended, or null while it runs. */
  exitStatus(): Promise<number | null>;
  close(): Promise<void>;
}

export async function openTerminal(command: string[], env: Record<string, string>): Promise<Terminal> {
  const socket = `textllm-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const tmux = async (...args: string[]) => {
    const p = Bun.spawn([TMUX!, "-L", socket, ...args], { stdout: "pipe", stderr: "pipe", env: { ...process.env, ...env } });
    const out = await new Response(p.stdout).text();
    await p.exited;
    return out;
  };
  const quote = (a: string) => `'${a.replace(/'/g, "'\\''")}'`;
  const exports = Object.entries(env)
    .map(([k, v]) => `${k}=${quote(v)}`)
    .join(" ");
  // The shell around the program writes its exit code to a file: tmux's own pane status is not
  // always filled in when a pane dies.
  const statusFile = join(tmpdir(), `${socket}.status`);
  const script = `env ${exports} ${command.map(quote).join(" ")}; echo $? > ${quote(statusFile)}`;
  await tmux("new-session", "-d", "-s", "t", "-x", "140", "-y", "50");
  await tmux("set-option", "-t", "t", "remain-on-exit", "on");
  await tmux("respawn-pane", "-k", "-t", "t", `sh -c ${quote(script)}`);

  const term: Terminal = {
    async type(text) {
      await tmux("send-keys", "-t", "t", "-l", text);
    },
    async key(name) {
      await tmux("send-keys", "-t", "t", name);
    },
    screen: () => tmux("capture-pane", "-t", "t", "-p", "-J", "-S", "-200"),
    async waitForScreen(test, what, timeoutMs = 20000) {
      let last = "";
      try {
        return await waitFor(
          async () => {
            last = await term.screen();
            return test(last) ? last : undefined;
          },
          `the terminal to show ${what}`,
          timeoutMs,
        );
      } catch (err) {
        throw new Error(`${(err as Error).message}; the screen was:\n${last.trimEnd()}`);
      }
    },
    async exitStatus() {
      if (!existsSync(statusFile)) return null;
      const text = readFileSync(statusFile, "utf8").trim();
      return text === "" ? null : Number(text);
    },
    async close() {
      await tmux("kill-server");
      rmSync(statusFile, { force: true });
    },
  };
  return term;
}
