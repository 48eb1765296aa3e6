// The shutdown cut and a failed save, on recorded chunks: a stream cut while its reader is mid-read,
// while its reader is away (suspended at a chunk), or before it was ever read, is settled exactly
// once as cut (`shutting_down`); a settlement that throws ends the stream with storage_unavailable.
import { expect, test } from "bun:test";
import { meteredStream, type StreamEvent, type StreamOutcome } from "../../src/chat/metered-stream.ts";
import { createLifecycle } from "../../src/observability/lifecycle.ts";
import type { ChatCompletionChunk } from "../../src/providers/provider.ts";

const chunk = (content: string): ChatCompletionChunk =>
  ({
    id: "c",
    object: "chat.completion.chunk",
    created: 0,
    model: "m",
    choices: [{ index: 0, delta: { content }, finish_reason: null }],
  }) as ChatCompletionChunk;

/** Two chunks, then waits (like a slow upstream) until aborted, then ends quietly as the SDK does. */
function slowUpstream(signal: AbortSignal): AsyncIterable<ChatCompletionChunk> {
  return (async function* () {
    yield chunk("one ");
    yield chunk("two ");
    await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
  })();
}

function setUp(opts: { settle?: (o: StreamOutcome) => Promise<string> } = {}) {
  const lifecycle = createLifecycle();
  const controller = new AbortController();
  const settled: StreamOutcome[] = [];
  const events = meteredStream(slowUpstream(controller.signal), {
    provider: "p",
    signal: controller.signal,
    idleTimeoutMs: 60_000,
    abort: () => controller.abort(),
    track: (cut) => lifecycle.trackCall(cut),
    settle:
      opts.settle ??
      (async (o) => {
        settled.push({ ...o });
        return "stored";
      }),
  });
  return { lifecycle, events, settled };
}

const cases: Array<{ name: string; readBeforeCut: number; readDuringCut: boolean }> = [
  { name: "mid-read (waiting for the upstream)", readBeforeCut: 2, readDuringCut: true },
  { name: "with its reader away (suspended at a chunk)", readBeforeCut: 1, readDuringCut: false },
  { name: "before it was ever read", readBeforeCut: 0, readDuringCut: false },
];

for (const c of cases) {
  test(`a stream cut ${c.name} is stored once, as cut`, async () => {
    const { lifecycle, events, settled } = setUp();
    for (let i = 0; i < c.readBeforeCut; i++) await events.next();
    const pending = c.readDuringCut ? events.next() : null;
    const result = await lifecycle.cutCalls(5000);
    expect(result).toEqual({ cut: 1, stored: true });
    expect(settled.length).toBe(1);
    expect(settled[0]).toMatchObject({ cut: true, aborted: false, finishReason: null, failure: { status: 503, code: "shutting_down" } });
    expect(settled[0]!.text).toBe(["", "one ", "one two "][c.readBeforeCut]!);
    if (pending) {
      const end = (await pending).value as StreamEvent<string>;
      expect(end).toMatchObject({ type: "end", result: "stored", outcome: { cut: true, failure: { code: "shutting_down" } } });
    }
    expect((await events.next()).done).toBe(true);
    expect(await lifecycle.cutCalls(5000)).toEqual({ cut: 0, stored: true }); // withdrawn once over
  });
}

test("a stream whose settlement throws ends with a storage_unavailable event, not an exception", async () => {
  const finished = (async function* () {
    yield chunk("all ");
    yield { ...chunk("done"), choices: [{ index: 0, delta: { content: "done" }, finish_reason: "stop" }] } as ChatCompletionChunk;
  })();
  const events = meteredStream(finished, {
    provider: "p",
    signal: new AbortController().signal,
    idleTimeoutMs: 60_000,
    abort: () => {},
    settle: () => Promise.reject(new Error("database is gone")),
  });
  const seen: Array<StreamEvent<never>> = [];
  for await (const e of events) seen.push(e);
  expect(seen.map((e) => e.type)).toEqual(["chunk", "chunk", "end"]);
  expect(seen[2]).toMatchObject({
    type: "end",
    result: null,
    outcome: { text: "all done", finishReason: "stop", failure: { status: 503, code: "storage_unavailable", type: "service_unavailable" } },
  });
});
