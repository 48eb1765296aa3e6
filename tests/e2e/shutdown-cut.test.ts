// SIGTERM while 32 streams run longer than the grace period. When it ends, every stream still open
// is cut and stored — partial reply, finish reason `cancelled`, usage estimated as for a departed
// client, the first turn's conversation row — before the database closes; clients still reading
// get a `shutting_down` error event; the process exits 0. Work refused while draining carries its
// x-request-id and is logged as expected (info, no stack trace).
import { afterAll, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { startProcessHarness } from "../support/harness.ts";
import { startMockUpstream } from "../support/mock-upstream.ts";
import { tempDir, waitFor } from "../support/temp.ts";

const dir = tempDir();
const mock = startMockUpstream();
afterAll(async () => {
  await mock.stop();
  dir.cleanup();
});

const WORDS = Array.from({ length: 60 }, (_, i) => `word${i}`).join(" ");

interface OpenStream {
  route: string;
  conversationId: string | null;
  /** Everything received, once the stream is over. */
  done: Promise<string>;
}

/** Opens a stream and resolves once its first piece of reply text has arrived. */
async function openStream(url: string, route: string, body: unknown): Promise<OpenStream> {
  const res = await fetch(`${url}${route}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes("word0")) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`${route}: the stream ended before its first words`);
    text += decoder.decode(value, { stream: true });
  }
  const rest = (async () => {
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done) return text;
      text += decoder.decode(value, { stream: true });
    }
  })();
  return { route, conversationId: res.headers.get("x-conversation-id"), done: rest };
}

test("32 streams open when the grace period ends are cut and stored; refusals carry x-request-id; exit 0", async () => {
  const { server: s } = await startProcessHarness({ mock, cwd: dir.path, config: "server:\n  shutdown_grace_seconds: 2\n" });
  // 60 words, one every 300 ms: each stream would take 18 s, far past the 2 s grace period.
  mock.setDefault({ kind: "reply", text: WORDS, chunkDelayMs: 300 });

  const opening: Array<Promise<OpenStream>> = [];
  for (let i = 0; i < 24; i++) opening.push(openStream(s.url, "/chat", { message: `first turn ${i}`, user_id: `cut-chat-${i}`, stream: true }));
  for (let i = 0; i < 4; i++) opening.push(openStream(s.url, "/chat/stream", { message: `plain ${i}`, user_id: `cut-plain-${i}` }));
  for (let i = 0; i < 4; i++) {
    opening.push(
      openStream(s.url, "/v1/chat/completions", { model: "gpt-4o", messages: [{ role: "user", content: `drop-in ${i}` }], stream: true, user: `cut-v1-${i}` }),
    );
  }
  const streams = await Promise.all(opening);
  expect(streams.length).toBe(32);

  s.proc.kill("SIGTERM");
  await waitFor(async () => ((await fetch(`${s.url}/health/ready`)).status === 503 ? true : undefined), "readiness to turn 503", 2000);
  const refused = await fetch(`${s.url}/chat`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-request-id": "refused-while-draining" },
    body: JSON.stringify({ message: "too late" }),
  });
  const refusal = { status: refused.status, requestId: refused.headers.get("x-request-id"), body: await refused.json() };

  expect(await s.proc.exited).toBe(0);
  const received = await Promise.all(streams.map((st) => st.done));
  for (const [i, text] of received.entries()) {
    expect(text).toContain('"code":"shutting_down"');
    expect(text).not.toContain("data: [DONE]");
    if (streams[i]!.route === "/chat/stream") expect(text).toContain("event: error");
  }

  const db = new Database(join(dir.path, "data", "textllm.db"), { readonly: true });
  const usage = db.query("SELECT route, status, error_code, streamed, tokens_input, tokens_output, cost, conversation_id FROM usage_records").all() as Array<
    Record<string, any>
  >;
  expect(usage.length).toBe(32);
  for (const u of usage) {
    expect(u).toMatchObject({ status: 503, error_code: "shutting_down", streamed: 1 });
    expect(u.tokens_input).toBeGreaterThan(0);
    expect(u.tokens_output).toBeGreaterThan(0); // estimated from the partial reply
    expect(u.cost).toBeGreaterThan(0);
  }
  expect(usage.filter((u) => u.route === "/v1/chat/completions").length).toBe(4);
  for (const st of streams.filter((x) => x.route !== "/v1/chat/completions")) {
    const conversation = db.query("SELECT message_count FROM conversations WHERE id = ?").get(st.conversationId) as { message_count: number } | null;
    expect(conversation).not.toBeNull();
    const reply = db.query("SELECT content, finish_reason FROM messages WHERE conversation_id = ? AND role = 'assistant'").get(st.conversationId) as {
      content: string;
      finish_reason: string;
    };
    expect(reply.finish_reason).toBe("cancelled");
    expect(reply.content.startsWith("word0 ")).toBe(true);
    expect(WORDS.startsWith(reply.content)).toBe(true);
    expect(reply.content.length).toBeLessThan(WORDS.length);
    expect(usage.some((u) => u.conversation_id === st.conversationId)).toBe(true);
  }
  db.close();

  expect(refusal).toMatchObject({ status: 503, requestId: "refused-while-draining", body: { error: { code: "shutting_down" } } });
  const logged = s.lines.map((l) => {
    try {
      return JSON.parse(l) as Record<string, any>;
    } catch {
      return {};
    }
  });
  const refusalLine = logged.find((l) => l.request_id === "refused-while-draining" && l.msg !== "request");
  expect(refusalLine).toMatchObject({ level: "info" });
  expect(JSON.stringify(refusalLine)).not.toContain("stack");
  expect(logged.find((l) => typeof l.msg === "string" && l.msg.startsWith("grace period over"))).toMatchObject({ calls_cut: 32 });
  expect(logged.some((l) => l.msg === "stopped")).toBe(true);
}, 90_000);

test("calls still waiting for their upstream's answer when the grace period ends are cut and logged: 503 shutting_down; exit 0", async () => {
  const cwd = join(dir.path, "waiting");
  mkdirSync(cwd);
  const { server: s } = await startProcessHarness({ mock, cwd, config: "server:\n  shutdown_grace_seconds: 1\n" });
  mock.reset();
  mock.setDefault({ kind: "reply", delayMs: 30_000 }); // the answer would come long after the grace period
  const send = (path: string, body: unknown) =>
    fetch(`${s.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }).then(async (res) => ({
      status: res.status,
      body: await res.text(),
    }));
  const answers = Promise.all([
    send("/chat", { message: "a plain turn", user_id: "waiting-chat" }),
    send("/chat", { message: "a stream not yet started", user_id: "waiting-stream", stream: true }),
    send("/v1/chat/completions", { model: "gpt-4o", messages: [{ role: "user", content: "a plain drop-in call" }] }),
  ]);
  await waitFor(() => (mock.requests.length >= 3 ? true : undefined), "three calls waiting at the upstream");

  s.proc.kill("SIGTERM");
  expect(await s.proc.exited).toBe(0);
  for (const answer of await answers) {
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.body).error).toMatchObject({ code: "shutting_down", type: "service_unavailable" });
  }
  const db = new Database(join(cwd, "data", "textllm.db"), { readonly: true });
  const usage = db.query("SELECT route, user_id, status, error_code, cost FROM usage_records ORDER BY user_id").all();
  db.close();
  expect(usage).toEqual([
    { route: "/v1/chat/completions", user_id: "anonymous", status: 503, error_code: "shutting_down", cost: 0 },
    { route: "/chat", user_id: "waiting-chat", status: 503, error_code: "shutting_down", cost: 0 },
    { route: "/chat", user_id: "waiting-stream", status: 503, error_code: "shutting_down", cost: 0 },
  ]);
}, 60_000);
