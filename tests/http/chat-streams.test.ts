// Streams that outlive their connection (/chat): every event has an id, the answer is generated to
// its end when the client drops, GET /chat/streams/{id} with Last-Event-ID resumes it without a gap
// or a duplicate, and POST …/cancel stops it and stores what was made. Real HTTP on a port.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { errorOf } from "../support/app.ts";
import { startHarness, type Harness } from "../support/harness.ts";
import { contentOf, parseEvents, readThenDrop } from "../support/sse.ts";
import { waitFor } from "../support/temp.ts";
import { newId } from "../../src/lib/ids.ts";

const CONFIG = { rate_limit_per_minute: 100_000, providers: [{ name: "openai", models: ["gpt-*"], timeout_ms: 5000, max_retries: 0 }] };
const WORDS = Array.from({ length: 200 }, (_, i) => `w${i}`);
const REPLY = WORDS.join(" ");

describe("/chat streams that outlive their connection", () => {
  let harness: Harness;
  let base: string;
  beforeAll(async () => {
    harness = await startHarness({ config: CONFIG });
    base = harness.app.listen();
  });
  afterAll(() => harness?.close());
  beforeEach(() => harness.mock.reset());

  const post = (path: string, body: unknown, init: RequestInit = {}) =>
    fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), ...init });

  async function dropAfterFive(user: string) {
    harness.mock.script({ kind: "reply", text: REPLY, chunkDelayMs: 5 });
    const controller = new AbortController();
    const res = await post("/chat", { message: "two hundred words please", stream: true, user_id: user }, { signal: controller.signal });
    expect(res.status).toBe(200);
    const streamId = res.headers.get("x-stream-id")!;
    expect(streamId).toStartWith("stream_");
    const first = await readThenDrop(res, controller, 5);
    expect(first.every((e, i) => e.id === i + 1)).toBe(true);
    expect(JSON.parse(first[0]!.data).stream_id).toBe(streamId);
    return { streamId, first, conversationId: res.headers.get("x-conversation-id")! };
  }

  test("a client drops after 5 of 200 words and resumes with Last-Event-ID: exactly the rest; one call, the full turn stored", async () => {
    const user = newId("user");
    const { streamId, first, conversationId } = await dropAfterFive(user);
    await Bun.sleep(1000); // the client is away a while; the generation goes on
    const res = await fetch(`${base}/chat/streams/${streamId}?user_id=${user}`, { headers: { "last-event-id": String(first.at(-1)!.id) } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith("text/event-stream");
    const rest = parseEvents(await res.text());
    const all = [...first, ...rest];
    expect(all.map((e) => e.id)).toEqual(all.map((_, i) => i + 1)); // no gap, no duplicate
    expect(rest.at(-1)!.data).toBe("[DONE]");
    expect(contentOf(all)).toBe(REPLY);

    const messages = await waitFor(async () => {
      const list = await harness.app.deps.store.messages.list(conversationId, { limit: 10, order: "asc" });
      return list.length === 2 ? list : undefined;
    }, "the turn to be stored");
    expect(messages[1]).toMatchObject({ content: REPLY, finish_reason: "stop" });
    expect(harness.mock.requests).toHaveLength(1);
    const records = await harness.app.deps.store.usage.listByUser(user, 10);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ status: 200, streamed: true });
  });

  test("?after=N replays from there; a finished stream replays whole; another user's stream and a bad event id are refused", async () => {
    const user = newId("user");
    const res = await post("/chat", { message: "short one", stream: true, user_id: user });
    const streamId = res.headers.get("x-stream-id")!;
    const whole = parseEvents(await res.text());
    expect(whole.at(-1)!.data).toBe("[DONE]");

    const again = parseEvents(await (await fetch(`${base}/chat/streams/${streamId}?user_id=${user}`)).text());
    expect(again).toEqual(whole);
    const tail = parseEvents(await (await fetch(`${base}/chat/streams/${streamId}?user_id=${user}&after=2`)).text());
    expect(tail).toEqual(whole.slice(2));

    const stranger = await fetch(`${base}/chat/streams/${streamId}?user_id=mallory`);
    expect(stranger.status).toBe(404);
    expect((await errorOf(stranger)).code).toBe("stream_not_found");
    expect((await fetch(`${base}/chat/streams/stream_nope?user_id=${user}`)).status).toBe(404);
    const bad = await fetch(`${base}/chat/streams/${streamId}?user_id=${user}`, { headers: { "last-event-id": "soon" } });
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).code).toBe("invalid_event_id");
    expect(harness.mock.requests).toHaveLength(1);
  });

  test("POST /chat/streams/{id}/cancel stops the generation and stores what was made", async () => {
    const user = newId("user");
    harness.mock.script({ kind: "reply", text: REPLY, chunkDelayMs: 50 });
    const controller = new AbortController();
    const res = await post("/chat", { message: "long", stream: true, user_id: user }, { signal: controller.signal });
    const streamId = res.headers.get("x-stream-id")!;
    const conversationId = res.headers.get("x-conversation-id")!;
    await readThenDrop(res, controller, 3);

    expect((await post(`/chat/streams/${streamId}/cancel?user_id=mallory`, {})).status).toBe(404);
    const cancel = await post(`/chat/streams/${streamId}/cancel?user_id=${user}`, {});
    expect(await cancel.json()).toMatchObject({ id: streamId, status: "cancelled" });

    const replay = parseEvents(await (await fetch(`${base}/chat/streams/${streamId}?user_id=${user}`)).text());
    const text = contentOf(replay);
    expect(text.length).toBeLessThan(REPLY.length);
    const messages = await waitFor(async () => {
      const list = await harness.app.deps.store.messages.list(conversationId, { limit: 10, order: "asc" });
      return list.length === 2 ? list : undefined;
    }, "the partial turn to be stored");
    expect(messages[1]!.finish_reason).toBe("cancelled");
    expect(messages[1]!.content).toBe(text);
    await waitFor(() => (harness.mock.cancelled >= 1 ? true : undefined), "the upstream call to be cancelled");
  });
});
