// The Responses API's background responses and resumable streams, through the official openai SDK:
// create with background: true (answered at once, in progress), poll with retrieve, resume the
// event stream with starting_after, cancel; a stream whose client leaves is generated to its end.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { startHarness, type Harness } from "../support/harness.ts";
import { waitFor } from "../support/temp.ts";
import { newId } from "../../src/lib/ids.ts";

const CONFIG = { rate_limit_per_minute: 100_000, providers: [{ name: "openai", models: ["gpt-*"], timeout_ms: 5000, max_retries: 0 }] };
const WORDS = Array.from({ length: 40 }, (_, i) => `w${i}`).join(" ");

describe("background responses and resumable response streams (openai SDK)", () => {
  let harness: Harness;
  let sdk: OpenAI;
  beforeAll(async () => {
    harness = await startHarness({ config: CONFIG });
    sdk = new OpenAI({ baseURL: `${harness.app.listen()}/v1`, apiKey: "sk-client", maxRetries: 0 });
  });
  afterAll(() => harness?.close());
  beforeEach(() => harness.mock.reset());

  test("create in the background, poll until completed, replay its events from starting_after", async () => {
    const user = newId("user");
    harness.mock.script({ kind: "reply", text: WORDS, chunkDelayMs: 10 });
    const created = await sdk.responses.create({ model: "gpt-4o", input: "work on this", background: true, user });
    expect(created.status).toBe("in_progress");
    expect(created.background).toBe(true);
    const polled = await sdk.responses.retrieve(created.id);
    expect(["in_progress", "completed"]).toContain(String(polled.status));

    const resumed = await sdk.responses.retrieve(created.id, { stream: true, starting_after: 1 });
    const events: Array<{ type: string; sequence_number: number }> = [];
    let text = "";
    for await (const event of resumed) {
      events.push(event);
      if (event.type === "response.output_text.delta") text += event.delta;
    }
    expect(events[0]!.sequence_number).toBe(2);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i + 2));
    expect(events.at(-1)!.type).toBe("response.completed");
    expect(text).toBe(WORDS);
    const done = await waitFor(async () => {
      const r = await sdk.responses.retrieve(created.id);
      return r.status === "completed" ? r : undefined;
    }, "the response to complete");
    expect(done.output_text).toBe(WORDS);
    expect(harness.mock.requests).toHaveLength(1);
  });

  test("cancel a background response: it stops, and what was made is stored as cancelled", async () => {
    harness.mock.script({ kind: "reply", text: WORDS, chunkDelayMs: 100 });
    const created = await sdk.responses.create({ model: "gpt-4o", input: "a long one", background: true, user: newId("user") });
    await waitFor(() => (harness.mock.requests.length === 1 ? true : undefined), "the upstream call");
    const cancelled = await sdk.responses.cancel(created.id);
    expect(cancelled.status).toBe("cancelled");
    expect((await sdk.responses.retrieve(created.id)).status).toBe("cancelled");
    await waitFor(() => (harness.mock.cancelled >= 1 ? true : undefined), "the upstream call to be cancelled");
  });

  test("a response stream whose client leaves is generated to its end and stored", async () => {
    harness.mock.script({ kind: "reply", text: WORDS, chunkDelayMs: 10 });
    const stream = await sdk.responses.create({ model: "gpt-4o", input: "stream and leave", stream: true, user: newId("user") });
    let id = "";
    for await (const event of stream) {
      if (event.type === "response.created") id = event.response.id;
      if (event.type === "response.output_text.delta") break; // leaves after the first words
    }
    const stored = await waitFor(async () => {
      const r = await sdk.responses.retrieve(id);
      return r.status === "completed" ? r : undefined;
    }, "the whole response to be stored");
    expect(stored.output_text).toBe(WORDS);
    expect(harness.mock.cancelled).toBe(0);
  });

  test("a background response that cannot be stored, and a bad starting_after, are 400", async () => {
    const refused = await sdk.responses.create({ model: "gpt-4o", input: "x", background: true, store: false }).then(
      () => null,
      (err) => err,
    );
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    const created = await sdk.responses.create({ model: "gpt-4o", input: "quick", user: newId("user"), background: true });
    const bad = await fetch(`${sdk.baseURL}/responses/${created.id}?stream=true&starting_after=soon`);
    expect(bad.status).toBe(400);
  });
});
