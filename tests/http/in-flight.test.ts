// The in-flight count (what a shutdown waits for, and what the quiet-time collection reads) returns
// to zero after every request, whatever its method or outcome — measured on a real port.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { TestApp } from "../support/app.ts";
import type { MockUpstream } from "../support/mock-upstream.ts";
import { startHarness, type Harness } from "../support/harness.ts";
import { waitFor } from "../support/temp.ts";

let mock: MockUpstream;
let t: TestApp;
let url: string;
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ config: { rate_limit_per_minute: 1000, server: { max_body_mb: 1, cors_origins: ["https://app.example"] } } });
  ({ mock, app: t } = harness);
  url = t.listen();
});
afterAll(() => harness?.close());

const settled = () => waitFor(() => (t.deps.lifecycle.inflight === 0 ? true : undefined), "the in-flight count to return to 0").catch(() => false);

async function expectBackToZero(what: string, send: () => Promise<unknown>) {
  await send();
  expect({ what, settled: await settled(), inflight: t.deps.lifecycle.inflight }).toEqual({ what, settled: true, inflight: 0 });
}

const json = { "content-type": "application/json" };

test("OPTIONS (preflight and plain), 404, 413 and refused requests each count out again", async () => {
  const preflight = { origin: "https://app.example", "access-control-request-method": "POST" };
  await expectBackToZero("preflight", async () => expect((await fetch(`${url}/chat`, { method: "OPTIONS", headers: preflight })).status).toBe(204));
  await expectBackToZero("plain OPTIONS", () => fetch(`${url}/nowhere`, { method: "OPTIONS" }));
  await expectBackToZero("OPTIONS on a route", async () => {
    for (let i = 0; i < 5; i++) await fetch(`${url}/health/live`, { method: "OPTIONS" });
  });
  await expectBackToZero("404", async () => expect((await fetch(`${url}/nowhere`)).status).toBe(404));
  await expectBackToZero("413", async () => {
    const res = await fetch(`${url}/chat`, { method: "POST", headers: json, body: JSON.stringify({ message: "x".repeat(2 * 1024 * 1024) }) });
    expect(res.status).toBe(413);
  });
  await expectBackToZero("400", async () => expect((await fetch(`${url}/chat`, { method: "POST", headers: json, body: "{not json" })).status).toBe(400));
});

test("an upload abandoned mid-body and a stream abandoned mid-reply each count out again", async () => {
  await expectBackToZero("aborted upload", async () => {
    const port = Number(new URL(url).port);
    const socket = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } });
    socket.write(`POST /chat HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"message":"`);
    await waitFor(() => (t.deps.lifecycle.inflight > 0 ? true : undefined), "the upload to be in flight");
    socket.end();
  });
  await expectBackToZero("aborted stream", async () => {
    mock.script({ kind: "reply", text: "one two three four five six seven eight", chunkDelayMs: 200 });
    const controller = new AbortController();
    const res = await fetch(`${url}/chat`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({ message: "long", stream: true }),
      signal: controller.signal,
    });
    await res.body!.getReader().read();
    controller.abort();
  });
});
