// The memoised header building sends exactly what the openai SDK itself sends, attempt by attempt
// (retries included), plain and streamed, per-call headers and key changes included.
import { expect, test } from "bun:test";
import OpenAI from "openai";
import { memoiseHeaders } from "../../src/providers/sdk-headers.ts";

/** A fetch that fails the first attempt of each call with a 500 (retried at once), then answers. */
function recordingFetch() {
  const sent: Array<Array<[string, string]>> = [];
  let attempt = 0;
  const fetch = (async (_url: string, init: RequestInit) => {
    sent.push([...(init.headers as Headers)]);
    const first = attempt++ % 2 === 0;
    return first
      ? new Response("{}", { status: 500, headers: { "content-type": "application/json", "retry-after-ms": "0" } })
      : new Response("{}", { status: 200, headers: { "content-type": "application/json" } });
  }) as unknown as typeof globalThis.fetch;
  return { sent, fetch };
}

async function callsOf(client: OpenAI) {
  const body = { model: "m", messages: [{ role: "user" as const, content: "hi" }] };
  for (let i = 0; i < 3; i++) {
    await client.post("/chat/completions", { body: { ...body, stream: false }, stream: false }).asResponse();
    await client.post("/chat/completions", { body: { ...body, stream: true }, stream: true }).asResponse();
    await client.chat.completions.create(body).asResponse();
    await client.post("/chat/completions", { body, headers: { "x-extra": String(i) } }).asResponse();
    await client.post("/embeddings", { body: { model: "e", input: "x" }, timeout: 5000 }).asResponse();
  }
  client.apiKey = "sk-other";
  await client.post("/chat/completions", { body }).asResponse();
}

test("every attempt carries the SDK's own headers", async () => {
  const stock = recordingFetch();
  const memoised = recordingFetch();
  const options = { apiKey: "sk-test", baseURL: "http://upstream.invalid/v1", maxRetries: 2, timeout: 60_000 };
  await callsOf(new OpenAI({ ...options, fetch: stock.fetch }));
  await callsOf(memoiseHeaders(new OpenAI({ ...options, fetch: memoised.fetch })));
  expect(memoised.sent.length).toBe(stock.sent.length);
  expect(memoised.sent).toEqual(stock.sent);
  expect(stock.sent.at(-1)).toContainEqual(["authorization", "Bearer sk-other"]);
  expect(stock.sent[1]).toContainEqual(["x-stainless-retry-count", "1"]);
});
