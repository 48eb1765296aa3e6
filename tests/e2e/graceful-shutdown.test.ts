// SIGTERM with a stream in flight: readiness turns 503 and new work is refused at once, the stream
// finishes, its usage is written, and the process exits 0.
import { afterAll, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { startProcessHarness } from "../support/harness.ts";
import { startMockUpstream } from "../support/mock-upstream.ts";
import { tempDir } from "../support/temp.ts";

const dir = tempDir();
const mock = startMockUpstream();
afterAll(async () => {
  await mock.stop();
  dir.cleanup();
});

test("a stream in flight finishes and is recorded; readiness and new work are refused; exit 0", async () => {
  const { server: s } = await startProcessHarness({ mock, cwd: dir.path });
  const words = "one two three four five six seven eight nine ten";
  mock.script({ kind: "reply", text: words, chunkDelayMs: 150 });
  const res = await fetch(`${s.url}/chat`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ message: "long one", user_id: "drain", stream: true }),
  });
  const conversationId = res.headers.get("x-conversation-id")!;
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes("one")) {
    const { done, value } = await reader.read();
    if (done) throw new Error("stream ended early");
    text += decoder.decode(value);
  }

  s.proc.kill("SIGTERM");
  let ready: Response | null = null;
  for (let i = 0; i < 100 && ready?.status !== 503; i++) {
    ready = await fetch(`${s.url}/health/ready`);
    if (ready.status !== 503) await Bun.sleep(10);
  }
  expect(ready!.status).toBe(503);
  expect(await ready!.json()).toMatchObject({ status: "shutting_down" });
  const refused = await fetch(`${s.url}/chat`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ message: "too late" }),
  });
  expect(refused.status).toBe(503);
  expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("shutting_down");

  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value);
  }
  expect(text).toContain("data: [DONE]");
  expect(text).toContain('"cost"');
  expect(await s.proc.exited).toBe(0);

  const db = new Database(join(dir.path, "data", "textllm.db"), { readonly: true });
  const reply = db.query("SELECT content, finish_reason FROM messages WHERE conversation_id = ? AND role = 'assistant'").get(conversationId) as {
    content: string;
    finish_reason: string;
  };
  expect(reply).toEqual({ content: words, finish_reason: "stop" });
  const usage = db.query("SELECT status, streamed FROM usage_records WHERE conversation_id = ?").all(conversationId);
  expect(usage).toEqual([{ status: 200, streamed: 1 }]);
  db.close();
  expect(s.lines.some((l) => l.includes("draining"))).toBe(true);
  expect(s.lines.some((l) => l.includes('"msg":"stopped"'))).toBe(true);
}, 60_000);
