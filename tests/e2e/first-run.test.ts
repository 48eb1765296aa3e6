// The first run of the real process from source, as the README describes it: start-up says when
// no upstream is configured; with only OPENAI_API_KEY (and the mock as base URL) a chat works;
// `textllm healthcheck` probes a running server; an unwritable data directory is named, with why.
import { beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { cleanEnv, run, startServer, type RunningServer } from "../support/server-process.ts";
import { startMockUpstream, type MockUpstream } from "../support/mock-upstream.ts";
import { fileCleanups, waitFor } from "../support/temp.ts";

/** Explicit: under a full parallel suite these start processes or wait out upstream retries. */
const TIMEOUT_MS = 60_000;

const MAIN = join(import.meta.dir, "../../src/main.ts");
const SOURCE = [process.execPath, MAIN];

const { cleanups, scratch } = fileCleanups();

async function started(cwd: string, env: Record<string, string> = {}): Promise<RunningServer> {
  const s = await startServer(SOURCE, { cwd, env });
  cleanups.push(() => s.stop("SIGKILL"));
  return s;
}

const warnings = (s: RunningServer) => s.lines.filter((l) => l.includes('"level":"warn"') && l.includes("cannot be used"));

let mock: MockUpstream;
beforeAll(() => {
  mock = startMockUpstream();
  cleanups.push(() => mock.stop());
});

describe("provider set-up at start-up", () => {
  test(
    "with no key and no base URL, start-up warns once for each model, saying what to set",
    async () => {
      const s = await started(scratch());
      // They follow the "listening" line; the last model of the table comes last.
      await waitFor(() => (warnings(s).some((l) => l.includes('"model":"text-embedding-ada-002"')) ? true : undefined), "the start-up warnings");
      for (const model of ["gpt-4o", "gpt-4o-mini", "text-embedding-3-small"]) {
        const lines = warnings(s).filter((l) => l.includes(`"model":"${model}"`));
        expect({ model, count: lines.length }).toEqual({ model, count: 1 });
        expect(lines[0]).toContain("OPENAI_API_KEY");
        expect(lines[0]).toContain("OPENAI_BASE_URL");
      }
      const res = await fetch(`${s.url}/chat`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"message":"Hello!"}' });
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("provider_not_configured");
    },
    TIMEOUT_MS,
  );

  test(
    "with only OPENAI_API_KEY set, the README's chat works and start-up warns about nothing",
    async () => {
      const s = await started(scratch(), { OPENAI_API_KEY: "sk-readme", OPENAI_BASE_URL: mock.baseUrl });
      const chat = async (body: unknown) =>
        (await (
          await fetch(`${s.url}/chat`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
        ).json()) as Record<string, any>;
      const first = await chat({ message: "Hello!" });
      expect(first).toMatchObject({ object: "chat.completion", message_number: 2 });
      expect(first.conversation_id).toStartWith("conv_");
      expect(first.cost).toBeGreaterThan(0);
      const next = await chat({ message: "And then?", conversation_id: first.conversation_id });
      expect(next).toMatchObject({ conversation_id: first.conversation_id, message_number: 4 });
      expect(mock.requests.at(-1)!.headers.authorization).toBe("Bearer sk-readme");
      expect(s.lines.some((l) => l.includes("textllm listening"))).toBe(true);
      expect(warnings(s)).toEqual([]); // they would have been logged before the first request was served
    },
    TIMEOUT_MS,
  );
});

describe("textllm healthcheck", () => {
  test(
    "exit 0 when /health/live answers 200 (--url or PORT), non-zero otherwise",
    async () => {
      const s = await started(scratch());
      const cwd = scratch();
      const byUrl = await run([...SOURCE, "healthcheck", "--url", s.url], { cwd });
      expect(byUrl.code).toBe(0);
      const byPort = await run([...SOURCE, "healthcheck"], { cwd, env: { PORT: new URL(s.url).port } });
      expect(byPort.code).toBe(0);

      const notLive = await run([...SOURCE, "healthcheck", "--url", `${s.url}/health/nothing`], { cwd });
      expect(notLive.code).toBe(1);
      expect(notLive.stderr).toContain("answered 404");

      const closed = Bun.serve({ port: 0, fetch: () => new Response() });
      const deadPort = closed.port;
      await closed.stop(true);
      const down = await run([...SOURCE, "healthcheck"], { cwd, env: { PORT: String(deadPort) } });
      expect(down.code).toBe(1);
      expect(down.stderr).toContain(`http://127.0.0.1:${deadPort}/health/live`);

      const usage = await run([...SOURCE, "healthcheck", "--bogus"], { cwd });
      expect(usage.code).toBe(2);
    },
    TIMEOUT_MS,
  );
});

describe("an unwritable data directory", () => {
  // Root may write anywhere: as root the server runs as another user, as the image does (10001).
  const isRoot = process.getuid?.() === 0;
  const uid = isRoot ? 10001 : process.getuid!();

  function startAs(cwd: string, dataDir: string) {
    const proc = spawnSync(process.execPath, [MAIN], {
      cwd,
      env: cleanEnv({ HOME: cwd, PORT: "0", HOST: "127.0.0.1", TEXTLLM_DATA_DIR: dataDir }),
      ...(isRoot ? { uid, gid: uid } : {}),
      encoding: "utf8",
      timeout: 30_000,
    });
    return { code: proc.status, stderr: proc.stderr.trim() };
  }

  function lockedDir(): string {
    const cwd = scratch();
    chmodSync(cwd, 0o755); // the server's user may enter it...
    const locked = join(cwd, "locked");
    mkdirSync(locked);
    chmodSync(locked, isRoot ? 0o755 : 0o555); // ...but not write here
    return locked;
  }

  test(
    "one line names the database path, the reason and the user, exit 1",
    () => {
      const locked = lockedDir();
      for (const dataDir of [join(locked, "data"), locked]) {
        const { code, stderr } = startAs(join(locked, ".."), dataDir);
        expect(code).toBe(1);
        expect(stderr).toBe(`textllm: cannot create ${join(dataDir, "textllm.db")}: permission denied (running as uid ${uid})`);
      }
    },
    TIMEOUT_MS,
  );
});
