// `bun run build`: the single executable, ./textllm, in two passes. The first build is started once
// (in a scratch directory, on a free port, until its first answer) with BUN_BYTECODE_ORDER_OUT set:
// it records which functions start-up uses. The second build lays that bytecode out together at
// the front (--bytecode-order), so a starting server reads ~4 MB fewer pages of itself. The
// profile is made fresh each build, never stored. Should the first build not start here, its
// output is kept as it is: the same program, only laid out without the profile.
//
// Flags: --splitting puts code used only later (PDF, DOCX, the tokenizer, the docs UI, the openai
// SDK, the terminal client) into chunks read when first used; --compile-jit-policy starts the JIT
// reluctant, so start-up code stays interpreted (serve sets the normal policy once listening).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..");
const OUT = join(ROOT, "textllm");
const FLAGS = ["--compile", "--bytecode", "--splitting", "--format=esm", "--minify", "--sourcemap", "--compile-jit-policy=100"];

function build(extra: string[]): void {
  const result = Bun.spawnSync([process.execPath, "build", "src/main.ts", ...FLAGS, ...extra, "--outfile", OUT], {
    cwd: ROOT,
    stdout: "inherit",
    stderr: "inherit",
  });
  if (result.exitCode !== 0) process.exit(result.exitCode ?? 1);
}

/** Starts the binary until it answers /health/live, then stops it; returns the order file, or null. */
async function recordStartup(dir: string): Promise<string | null> {
  const order = join(dir, "bytecode-order.txt");
  const proc = Bun.spawn([OUT, "serve"], {
    cwd: dir,
    // Keys set as a configured server has them (nothing is called with them): start-up takes that path.
    env: {
      PATH: process.env.PATH ?? "",
      HOME: dir,
      HOST: "127.0.0.1",
      PORT: "0",
      OPENAI_API_KEY: "sk-build-profile",
      TEXTLLM_ADMIN_KEY: "sk-build-profile-admin-0123456789",
      BUN_BYTECODE_ORDER_OUT: order,
    },
    stdout: "pipe",
    stderr: "ignore",
  });
  const timer = setTimeout(() => proc.kill("SIGKILL"), 20_000);
  try {
    const reader = proc.stdout.getReader();
    let log = "";
    let url: string | undefined;
    while (!url) {
      const { value, done } = await reader.read();
      if (done) return null;
      log += new TextDecoder().decode(value);
      url = /"url":"(http:\/\/[^"]+)"/.exec(log)?.[1];
    }
    void (async () => {
      while (!(await reader.read()).done); // the rest of its log, read so its writes never block
    })();
    await (await fetch(`${url}/health/live`)).text();
    await Bun.sleep(1000); // what the first second runs too (the post-start-up collection)
    proc.kill("SIGTERM");
    return (await proc.exited) === 0 && (await Bun.file(order).exists()) ? order : null;
  } catch {
    proc.kill("SIGKILL");
    return null;
  } finally {
    clearTimeout(timer);
  }
}

build([]);
const dir = mkdtempSync(join(tmpdir(), "textllm-build-"));
try {
  const order = await recordStartup(dir);
  if (order) build([`--bytecode-order=${order}`]);
  else console.warn("build: the first build did not start here; ./textllm is built without a start-up profile");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
