// Retries against an upstream that says "slow down": they never wait past the request's own
// deadline (the provider's timeout_ms). A Retry-After longer than what is left is answered at
// once, as a 429 carrying that Retry-After; a short one is still waited for and retried.
import { afterAll, beforeAll, beforeEach, expect, test } from "bun:test";
import OpenAI from "openai";
import { errorOf, type TestApp } from "../support/app.ts";
import type { MockUpstream } from "../support/mock-upstream.ts";
import { startHarness, type Harness } from "../support/harness.ts";

let mock: MockUpstream;
let t: TestApp;
let sdk: OpenAI;
let harness: Harness;
beforeAll(async () => {
  harness = await startHarness({
    config: (upstream) => ({
      rate_limit_per_minute: 100_000,
      providers: [{ name: "slow", base_url: upstream.baseUrl, models: ["*"], timeout_ms: 3000, max_retries: 2 }],
    }),
    upstreamEnv: false,
  });
  ({ mock, app: t } = harness);
  sdk = new OpenAI({ baseURL: `${t.listen()}/v1`, apiKey: "x", maxRetries: 0 });
});
afterAll(() => harness?.close());
beforeEach(() => mock.reset());

const tooLong = (header: string, value: string) => ({ kind: "error" as const, status: 429, message: "slow down", headers: { [header]: value } });

test("a 429 whose Retry-After outlasts the deadline is answered at once, with that Retry-After (SDK, plain and streamed)", async () => {
  for (const stream of [false, true]) {
    mock.script(tooLong("retry-after", "30"));
    const err = await sdk.chat.completions.create({ model: "m", messages: [{ role: "user", content: "hi" }], stream }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err.headers.get("retry-after")).toBe("30");
    expect(err.message).toContain("slow down");
  }
  expect(mock.requests.length).toBe(2); // one attempt each: no retry was waited for
});

test("the same on /chat, for Retry-After as a date and as retry-after-ms", async () => {
  const inAMinute = new Date(Date.now() + 60_000).toUTCString();
  for (const [header, value] of [
    ["retry-after", inAMinute],
    ["retry-after-ms", "45000"],
  ] as const) {
    for (const stream of [false, true]) {
      mock.script(tooLong(header, value));
      const res = await t.request("POST", "/chat", { body: { message: "hi", stream } });
      expect(res.status).toBe(429);
      if (header === "retry-after") expect(res.headers.get("retry-after")).toBe(value);
      expect(await errorOf(res)).toMatchObject({ type: "rate_limit_error" });
    }
  }
  expect(mock.requests.length).toBe(4);
});

test("a Retry-After that fits in the deadline is waited for and retried", async () => {
  mock.script({ kind: "error", status: 429, headers: { "retry-after": "0" } }, { kind: "error", status: 503, headers: { "retry-after-ms": "20" } });
  const res = await t.request("POST", "/chat", { body: { message: "third time lucky" } });
  expect(res.status).toBe(200);
  expect(mock.requests.length).toBe(3);
  // The deadline travels inside this server only.
  expect(mock.requests.every((r) => !("x-textllm-deadline" in r.headers))).toBe(true);
});
