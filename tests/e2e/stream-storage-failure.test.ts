// A stream whose final save fails — here Postgres, reached through a TCP proxy, is cut off while the
// reply streams — ends with an OpenAI-style `storage_unavailable` error event and a clean end of
// the response (no TCP reset, no [DONE]), and its access line says so.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { RunningServer } from "../support/server-process.ts";
import { startProcessHarness, type ProcessHarness } from "../support/harness.ts";
import type { MockUpstream } from "../support/mock-upstream.ts";
import { createTempDatabase, POSTGRES_SKIP, type TempDatabase } from "../support/postgres.ts";
import { proxyDatabase, type TcpProxy } from "../support/tcp-proxy.ts";
import { waitFor } from "../support/temp.ts";

describe.skipIf(POSTGRES_SKIP !== null)(`a stream whose save fails${POSTGRES_SKIP ? ` (skipped: ${POSTGRES_SKIP})` : ""}`, () => {
  let harness: ProcessHarness;
  let mock: MockUpstream;
  let db: TempDatabase;
  let proxy: TcpProxy;
  let s: RunningServer;

  beforeAll(async () => {
    db = await createTempDatabase();
    const proxied = proxyDatabase(db.url);
    proxy = proxied.proxy;
    harness = await startProcessHarness({ env: { DATABASE_URL: proxied.url } });
    ({ mock, server: s } = harness);
  }, 30_000);
  afterAll(async () => {
    await harness?.close();
    proxy?.stop();
    await db?.drop();
  });

  /** Opens a stream, waits for its first words, and returns the promise of the whole of it. */
  async function openStream(path: string, body: unknown): Promise<{ all: Promise<string> }> {
    const res = await fetch(`${s.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": `save-fails-${path.replaceAll("/", "-")}` },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    while (!text.includes("alpha")) {
      const { done, value } = await reader.read();
      if (done) throw new Error("the stream ended before its first words");
      text += decoder.decode(value, { stream: true });
    }
    const all = (async () => {
      for (;;) {
        const { done, value } = await reader.read(); // a reset connection throws here
        if (done) return text;
        text += decoder.decode(value, { stream: true });
      }
    })();
    return { all };
  }

  test("/chat and /v1/chat/completions: a storage_unavailable error event, a clean end, an access line that says so", async () => {
    const reply = {
      kind: "reply" as const,
      text: "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon phi chi psi omega",
      chunkDelayMs: 300,
    };
    mock.script(reply, reply);
    const [chat, v1] = await Promise.all([
      openStream("/chat", { message: "store me", user_id: "save-fails", stream: true }),
      openStream("/v1/chat/completions", { model: "gpt-4o", messages: [{ role: "user", content: "bill me" }], stream: true }),
    ]);
    proxy.cut();
    // The server has seen the database go (before the replies end, 7 s after they started).
    await waitFor(async () => ((await fetch(`${s.url}/health/ready`)).status === 503 ? true : undefined), "readiness to turn 503");

    for (const text of [await chat.all, await v1.all]) {
      const last = text
        .trim()
        .split("\n\n")
        .at(-1)!
        .replace(/^id: \d+\n/, ""); // /chat events carry ids
      expect(last.startsWith("data: ")).toBe(true);
      expect(JSON.parse(last.slice(6)).error).toMatchObject({ code: "storage_unavailable", type: "service_unavailable", param: null });
      expect(text).not.toContain("[DONE]");
      expect(text).toContain("omega"); // the whole reply came before the save failed
    }
    const lines = await waitFor(() => {
      const access = s.lines.filter((l) => l.includes('"msg":"request"') && l.includes("save-fails-")).map((l) => JSON.parse(l) as Record<string, unknown>);
      return access.length === 2 ? access : undefined;
    }, "two access lines");
    for (const line of lines) expect(line).toMatchObject({ status: 200, error: "storage_unavailable" });
    proxy.restore();
  }, 60_000);
});
