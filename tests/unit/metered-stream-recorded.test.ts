// Recorded chunks through the stream meter: a clean end, a cut, a failure, a stall, a client that
// leaves. Whatever happens, `settle` runs exactly once with what was streamed.
import { describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { meteredStream, type StreamEvent, type StreamOutcome } from "../../src/chat/metered-stream.ts";
import type { ChatCompletionChunk } from "../../src/providers/provider.ts";

const chunk = (content: string | null, finish: string | null = null, usage?: object): ChatCompletionChunk =>
  ({
    id: "c1",
    object: "chat.completion.chunk",
    created: 1,
    model: "m",
    choices: content === null && finish === null ? [] : [{ index: 0, delta: content === null ? {} : { content }, finish_reason: finish }],
    ...(usage ? { usage } : {}),
  }) as ChatCompletionChunk;

const USAGE = { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9, prompt_tokens_details: { cached_tokens: 3 } };

/** An upstream that yields recorded chunks, then ends, throws, or hangs until aborted. */
async function* recorded(chunks: ChatCompletionChunk[], end: { throws?: unknown; hangUntil?: AbortSignal } = {}): AsyncGenerator<ChatCompletionChunk> {
  for (const c of chunks) yield c;
  if (end.throws) throw end.throws;
  if (end.hangUntil) {
    const signal = end.hangUntil;
    await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve())));
  }
}

/** An outcome as settled, its failure reduced to status and code. */
type Settled = Omit<StreamOutcome, "failure"> & { failure: { status: number; code: string | null } | null };

function meter(upstream: AsyncIterable<ChatCompletionChunk>, opts: { idleTimeoutMs?: number; controller?: AbortController } = {}) {
  const controller = opts.controller ?? new AbortController();
  const settled: Settled[] = [];
  let aborts = 0;
  let firstTokens = 0;
  const events = meteredStream(upstream, {
    provider: "mock",
    signal: controller.signal,
    idleTimeoutMs: opts.idleTimeoutMs ?? 5_000,
    abort: () => {
      aborts++;
      controller.abort();
    },
    onFirstToken: () => firstTokens++,
    settle: async (o) => {
      settled.push(structuredClone({ ...o, failure: o.failure ? { status: o.failure.status, code: o.failure.code } : null }));
      return "saved";
    },
  });
  return { events, settled, controller, aborts: () => aborts, firstTokens: () => firstTokens };
}

async function drain<R>(events: AsyncGenerator<StreamEvent<R>>): Promise<StreamEvent<R>[]> {
  const seen: StreamEvent<R>[] = [];
  for await (const e of events) seen.push(e);
  return seen;
}

describe("meteredStream", () => {
  test("a complete reply: chunks pass through, text and usage accumulate, settled once", async () => {
    const m = meter(recorded([chunk("Hel"), chunk("lo"), chunk(null, "stop"), chunk(null, null, USAGE)]));
    const seen = await drain(m.events);
    expect(seen.filter((e) => e.type === "chunk")).toHaveLength(4);
    const end = seen.at(-1)!;
    expect(end.type).toBe("end");
    expect(end.type === "end" && end.result).toBe("saved");
    expect(m.settled).toEqual([
      {
        text: "Hello",
        finishReason: "stop",
        usage: { prompt_tokens: 7, completion_tokens: 2, cached_tokens: 3 },
        failure: null,
        aborted: false,
        toolCalls: [],
        cut: false,
      },
    ]);
    expect(m.firstTokens()).toBe(1);
    expect(m.aborts()).toBe(0);
  });

  test("a cut: the upstream ends without a finish reason", async () => {
    const m = meter(recorded([chunk("partial")]));
    await drain(m.events);
    expect(m.settled).toHaveLength(1);
    expect(m.settled[0]!.text).toBe("partial");
    expect(m.settled[0]!.failure).toEqual({ status: 502, code: "upstream_stream_interrupted" });
    expect(m.settled[0]!.aborted).toBe(false);
  });

  test("a connection lost mid-reply is an interrupted stream", async () => {
    const m = meter(recorded([chunk("par")], { throws: new OpenAI.APIConnectionError({ message: "reset" }) }));
    await drain(m.events);
    expect(m.settled[0]!.text).toBe("par");
    expect(m.settled[0]!.failure).toEqual({ status: 502, code: "upstream_stream_interrupted" });
  });

  test("a stall: no chunk within the idle timeout cancels the upstream and fails with 504", async () => {
    const controller = new AbortController();
    const m = meter(recorded([chunk("wait")], { hangUntil: controller.signal }), { idleTimeoutMs: 50, controller });
    await drain(m.events);
    expect(m.aborts()).toBe(1);
    expect(m.settled).toHaveLength(1);
    expect(m.settled[0]!.failure).toEqual({ status: 504, code: "upstream_timeout" });
    expect(m.settled[0]!.aborted).toBe(false);
  });

  test("the client leaves while the upstream is waited for: aborted, partial text kept", async () => {
    const controller = new AbortController();
    const m = meter(recorded([chunk("so far")], { hangUntil: controller.signal, throws: new OpenAI.APIUserAbortError() }), { controller });
    const first = await m.events.next();
    expect(first.value?.type).toBe("chunk");
    const rest = drain(m.events);
    controller.abort();
    const seen = await rest;
    expect(seen.at(-1)?.type).toBe("end");
    expect(m.settled).toEqual([{ text: "so far", finishReason: null, usage: null, failure: null, aborted: true, toolCalls: [], cut: false }]);
  });

  test("the client leaves while a chunk is being delivered: settled from finally, upstream cancelled", async () => {
    const m = meter(recorded([chunk("one"), chunk("two"), chunk(null, "stop")]));
    await m.events.next();
    await m.events.return(undefined as never);
    expect(m.aborts()).toBe(1);
    expect(m.settled).toEqual([{ text: "one", finishReason: null, usage: null, failure: null, aborted: true, toolCalls: [], cut: false }]);
  });
});
