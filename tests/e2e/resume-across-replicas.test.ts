// Two server processes sharing Postgres and Redis: a client reads 5 of 200 words from one, drops,
// and resumes on the other with Last-Event-ID — exactly the rest, from the Redis Stream the first
// one publishes to; the turn is stored in full once, from one upstream call and one usage record.
// A cancel sent to the other replica stops the generation too (through a Redis key), storing the
// partial reply as cancelled.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { BACKENDS, type BackendHandle } from "../support/backends.ts";
import { startProcessHarness, type ProcessHarness } from "../support/harness.ts";
import { startMockUpstream, type MockUpstream } from "../support/mock-upstream.ts";
import { REDIS_SKIP, testRedisUrl } from "../support/redis.ts";
import { contentOf, parseEvents, readThenDrop } from "../support/sse.ts";
import { tempDir, waitFor } from "../support/temp.ts";
import { newId } from "../../src/lib/ids.ts";
import { openStore } from "../../src/storage/db/open.ts";

const postgres = BACKENDS.find((b) => b.name === "postgres")!;
const WORDS = Array.from({ length: 200 }, (_, i) => `w${i}`).join(" ");
const LONG = Array.from({ length: 400 }, (_, i) => `w${i}`).join(" ");

/** A streamed /chat request on one replica, with the controller that drops it. */
async function startStream(url: string, user: string) {
  const controller = new AbortController();
  const res = await fetch(`${url}/chat`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ message: "go", user_id: user, stream: true }),
    signal: controller.signal,
  });
  return { controller, res, streamId: res.headers.get("x-stream-id")!, conversationId: res.headers.get("x-conversation-id")! };
}

describe.skipIf(postgres.skip !== null || REDIS_SKIP !== null)("a stream resumed on another replica (Postgres + Redis)", () => {
  let mock: MockUpstream;
  let handle: BackendHandle;
  const dir = tempDir();
  const replicas: ProcessHarness[] = [];
  beforeAll(async () => {
    mock = startMockUpstream();
    handle = await postgres.open();
    const redisUrl = await testRedisUrl();
    for (const name of ["a", "b"]) {
      const env = { ...handle.env, TEXTLLM_DATA_DIR: `${dir.path}/data-${name}`, REDIS_URL: redisUrl };
      replicas.push(await startProcessHarness({ mock, cwd: dir.path, config: { rate_limit_per_minute: 1000 }, env }));
    }
  }, 60_000);
  afterAll(async () => {
    for (const replica of replicas) await replica.close();
    await mock?.stop();
    await handle?.cleanup();
    dir.cleanup();
  });

  test("5 words from replica a, the rest from replica b: no gap, no duplicate, one call, the full turn stored", async () => {
    const [a, b] = [replicas[0]!.server, replicas[1]!.server];
    const user = newId("user");
    mock.script({ kind: "reply", text: WORDS, chunkDelayMs: 15 }); // ~3 s: the resume on b follows a live stream
    const { controller, res, streamId, conversationId } = await startStream(a.url, user);
    const first = await readThenDrop(res, controller, 5);
    await Bun.sleep(1000);

    const resumed = await fetch(`${b.url}/chat/streams/${streamId}?user_id=${user}`, { headers: { "last-event-id": String(first.at(-1)!.id) } });
    expect(resumed.status).toBe(200);
    const rest = parseEvents(await resumed.text());
    const all = [...first, ...rest];
    expect(all.map((e) => e.id)).toEqual(all.map((_, i) => i + 1));
    expect(rest.at(-1)!.data).toBe("[DONE]");
    expect(contentOf(all)).toBe(WORDS);
    expect((await fetch(`${b.url}/chat/streams/${streamId}?user_id=someone-else`)).status).toBe(404);

    const messages = await waitFor(async () => {
      const page = (await (await fetch(`${b.url}/conversations/${conversationId}/messages`)).json()) as { data: Array<{ content: string }> };
      return page.data?.length === 2 ? page.data : undefined;
    }, "the turn to be stored");
    expect(messages[1]!.content).toBe(WORDS);
    expect(mock.requests).toHaveLength(1);
    const store = openStore({ kind: "postgres", url: handle.env.DATABASE_URL!, poolSize: 2, queryTimeoutMs: 5000 });
    try {
      expect(await store.usage.listByUser(user, 10)).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  test("a cancel sent to replica b stops the generation on replica a; the partial turn is stored as cancelled", async () => {
    const [a, b] = [replicas[0]!.server, replicas[1]!.server];
    const user = newId("user");
    const [callsBefore, cancelledBefore] = [mock.requests.length, mock.cancelled];
    mock.script({ kind: "reply", text: LONG, chunkDelayMs: 50 }); // ~20 s uncancelled
    const { controller, res, streamId, conversationId } = await startStream(a.url, user);
    await readThenDrop(res, controller, 3);

    const cancel = await fetch(`${b.url}/chat/streams/${streamId}/cancel?user_id=${user}`, { method: "POST" });
    expect(await cancel.json()).toMatchObject({ id: streamId, status: "cancelled" });

    const replay = parseEvents(await (await fetch(`${b.url}/chat/streams/${streamId}?user_id=${user}`)).text());
    const text = contentOf(replay);
    expect(text.length).toBeGreaterThan(0);
    expect(text.length).toBeLessThan(LONG.length);
    const messages = await waitFor(async () => {
      const page = (await (await fetch(`${b.url}/conversations/${conversationId}/messages`)).json()) as {
        data: Array<{ content: string; finish_reason: string | null }>;
      };
      return page.data?.length === 2 ? page.data : undefined;
    }, "the partial turn to be stored");
    expect(messages[1]!.finish_reason).toBe("cancelled");
    expect(messages[1]!.content).toBe(text);
    await waitFor(() => (mock.cancelled > cancelledBefore ? true : undefined), "the upstream call to be cancelled");
    expect(mock.requests.length - callsBefore).toBe(1);
  });
});
