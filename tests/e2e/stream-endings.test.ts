// How a stream ends when nothing is wrong with the client: a quiet upstream gets keep-alive comment
// lines and, past the provider's timeout, an `upstream_timeout` error event; an upstream silent
// longer than Elysia's default 30 s idle timeout neither cuts a stream nor a plain answer; an
// upstream connection that breaks mid-reply is named `upstream_stream_interrupted`.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { RunningServer } from "../support/server-process.ts";
import { startProcessHarness } from "../support/harness.ts";
import { startMockUpstream } from "../support/mock-upstream.ts";
import { tempDir } from "../support/temp.ts";

const dir = tempDir();
const mock = startMockUpstream();
afterAll(async () => {
  await mock.stop();
  dir.cleanup();
});

async function serverWith(name: string, configYaml: string): Promise<RunningServer> {
  const cwd = join(dir.path, name);
  mkdirSync(cwd);
  return (await startProcessHarness({ mock, cwd, config: configYaml })).server;
}

const post = (s: RunningServer, path: string, body: unknown) =>
  fetch(`${s.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

/** The raw SSE text; a connection broken instead of ended shows as a thrown error. */
const rawText = (res: Response) => res.text();

const lastData = (raw: string) =>
  JSON.parse(
    raw
      .trim()
      .split("\n\n")
      .map((e) => e.replace(/^id: \d+\n/, ""))
      .filter((e) => e.startsWith("data:") || e.startsWith("event:"))
      .at(-1)!
      .split("data: ")[1]!,
  );

describe("a quick keep-alive and a short provider timeout", () => {
  let s: RunningServer;
  beforeAll(async () => {
    s = await serverWith("quick", "server:\n  sse_keepalive_seconds: 0.2\nproviders:\n  - name: openai\n    timeout_ms: 1500\n    max_retries: 0\n");
  });
  afterAll(async () => {
    expect(await s.stop()).toBe(0);
  });

  test("a silent upstream: keep-alive comments while it waits, then an upstream_timeout error event", async () => {
    mock.script({ kind: "stall", afterChunks: 1 });
    const raw = await rawText(await post(s, "/chat", { message: "and then silence", stream: true }));
    const afterFirstWord = raw.slice(raw.indexOf("Echo"));
    expect(afterFirstWord).toContain("\n\n: keep-alive\n\n");
    expect(lastData(raw).error).toMatchObject({ code: "upstream_timeout", type: "server_error" });
    expect(raw).not.toContain("[DONE]");
  });

  test("an upstream connection broken mid-reply is upstream_stream_interrupted, on every stream route", async () => {
    mock.script({ kind: "cut", afterChunks: 2 }, { kind: "cut", afterChunks: 2 }, { kind: "cut", afterChunks: 2 });
    const answers = [
      await rawText(await post(s, "/chat", { message: "one two three four", stream: true })),
      await rawText(await post(s, "/chat/stream", { message: "one two three four" })),
      await rawText(await post(s, "/v1/chat/completions", { model: "gpt-4o", messages: [{ role: "user", content: "one two three four" }], stream: true })),
    ];
    for (const raw of answers) {
      const error = lastData(raw).error;
      expect(error).toMatchObject({ code: "upstream_stream_interrupted", type: "server_error" });
      expect(error.message).not.toContain("verbose");
    }
  });
});

describe("the default timeouts", () => {
  let s: RunningServer;
  beforeAll(async () => {
    s = await serverWith("defaults", "{}\n");
  });
  afterAll(async () => {
    expect(await s.stop()).toBe(0);
  });

  test("an upstream silent for 40 s (beyond Elysia's 30 s idle timeout, within the provider's 60 s) cuts neither a stream nor a plain answer", async () => {
    mock.script({ kind: "reply", text: "slow but sure", pause: { afterChunks: 1, ms: 40_000 } }, { kind: "reply", text: "late but whole", delayMs: 40_000 });
    const [streamed, plain] = await Promise.all([
      post(s, "/chat", { message: "wait for it", stream: true }).then(rawText),
      // The first scripted behaviour must go to the stream: start the plain call a moment later.
      Bun.sleep(500).then(() => post(s, "/chat", { message: "wait for it too" })),
    ]);
    expect(streamed).toContain(": keep-alive"); // every 15 s while it waits
    expect(streamed).toContain("data: [DONE]");
    expect(
      streamed
        .match(/"content":"([^"]*)"/g)!
        .map((m) => m.slice(11, -1))
        .join(""),
    ).toBe("slow but sure");
    expect(plain.status).toBe(200);
    expect(((await plain.json()) as { text: string }).text).toBe("late but whole");
  }, 90_000);
});
