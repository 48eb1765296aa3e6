// How the server holds its port and its upstream connections: a busy port is a start-up error (no
// second server sharing the port's traffic), and more than Bun's default 256 upstream requests run
// at once (server.max_upstream_connections).
import { afterAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanEnv } from "../support/server-process.ts";
import { MAIN, startProcessHarness } from "../support/harness.ts";
import { startMockUpstream } from "../support/mock-upstream.ts";
import { tempDir, waitFor } from "../support/temp.ts";

const dir = tempDir();
const mock = startMockUpstream();
// Neither the rate limit nor the daily budget may refuse the crowd of the second test.
writeFileSync(join(dir.path, "config.yaml"), "rate_limit_per_minute: 100000\ncost_limit_per_session: 0\n");
afterAll(async () => {
  await mock.stop();
  dir.cleanup();
});

const envFor = (name: string) => ({ TEXTLLM_DATA_DIR: join(dir.path, `data-${name}`), OPENAI_BASE_URL: mock.baseUrl, OPENAI_API_KEY: "sk-up" });

test("a second server on a busy port fails to start: 'address already in use', exit non-zero", async () => {
  const { server: first } = await startProcessHarness({ mock, cwd: dir.path, env: envFor("first") });
  try {
    const port = new URL(first.url).port;
    const second = Bun.spawn([process.execPath, MAIN], {
      cwd: dir.path,
      env: cleanEnv({ ...envFor("second"), PORT: port, HOST: "127.0.0.1" }),
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
    const output = Promise.all([new Response(second.stdout).text(), new Response(second.stderr).text()]);
    // Either it exits (right) or it announces that it listens (wrong: then stop it).
    const outcome = await Promise.race([
      second.exited.then((code) => ({ code })),
      waitFor(async () => ((await Bun.file(join(dir.path, "data-second", "textllm.db")).exists()) ? true : undefined), "second server", 20_000)
        .then(() => Bun.sleep(3000))
        .then(() => ({ code: null as number | null })),
    ]);
    if (outcome.code === null) second.kill("SIGKILL");
    const [stdout, stderr] = await output;
    expect(stdout).not.toContain("textllm listening");
    expect(outcome.code).not.toBeNull();
    expect(outcome.code).not.toBe(0);
    expect(stderr).toContain("address already in use");
    expect((await fetch(`${first.url}/health/live`)).status).toBe(200);
  } finally {
    expect(await first.stop()).toBe(0);
  }
}, 60_000);

/** Sends one request on its own TCP connection (the test's own fetch has Bun's 256 limit too). */
async function rawPost(port: number, path: string, body: unknown) {
  const json = JSON.stringify(body);
  return Bun.connect({
    hostname: "127.0.0.1",
    port,
    socket: {
      open(socket) {
        socket.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`);
      },
      data() {},
    },
  });
}

test("300 concurrent upstream requests all reach the upstream at once (more than Bun's default 256)", async () => {
  const { server: s } = await startProcessHarness({ mock, cwd: dir.path, env: envFor("many") });
  mock.reset();
  mock.setDefault({ kind: "hang" });
  const port = Number(new URL(s.url).port);
  const sockets = await Promise.all(
    Array.from({ length: 300 }, (_, i) =>
      rawPost(port, "/v1/chat/completions", { model: "gpt-4o", messages: [{ role: "user", content: `slow ${i}` }], stream: true }),
    ),
  );
  try {
    // Every one is waiting at the upstream at the same time: none queued inside the server.
    const reached = await waitFor(() => (mock.requests.length >= 300 ? true : undefined), "300 upstream requests at once", 30_000).catch(() => false);
    expect(mock.requests.length).toBe(300);
    expect(reached).toBe(true);
    expect(s.lines.find((l) => l.includes("textllm listening"))).toContain('"max_upstream_connections":4096');
  } finally {
    await s.stop("SIGKILL");
    for (const socket of sockets) socket.end();
    mock.reset();
  }
}, 90_000);
