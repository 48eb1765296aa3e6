// Structured access logs and Prometheus metrics.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { TestApp } from "../support/app.ts";
import type { MockUpstream } from "../support/mock-upstream.ts";
import { startHarness, type Harness } from "../support/harness.ts";
import { readSse } from "../support/sse.ts";
import { waitFor } from "../support/temp.ts";

let mock: MockUpstream;
let t: TestApp;
let harness: Harness;
const lines: string[] = [];
const entries = () => lines.map((l) => JSON.parse(l) as Record<string, any>);

beforeAll(async () => {
  harness = await startHarness({
    config: { rate_limit_per_minute: 3 },
    upstreamKey: "sk-upstream-secret",
    env: { TEXTLLM_ADMIN_KEY: "admin-secret-key" },
    logLines: lines,
  });
  ({ mock, app: t } = harness);
});
afterAll(() => harness?.close());

const admin = { authorization: "Bearer admin-secret-key" };

test("one JSON access line per request: id, route, status, latency, user, model, tokens, cost — and no content or secret", async () => {
  lines.length = 0;
  const res = await t.request("POST", "/chat", {
    headers: { ...admin, "x-request-id": "trace-abc-1" },
    body: { message: "a very private sentence", user_id: "logged-user" },
  });
  expect(res.status).toBe(200);
  const stream = await t.request("POST", "/chat", { headers: admin, body: { message: "streamed private words", user_id: "logged-user", stream: true } });
  await readSse(stream);
  await t.request("GET", "/conversations/conv_nope", { headers: admin });
  await t.request("GET", "/health/live", { headers: { authorization: "Bearer wrong" } });

  // Access lines are written just after each response has gone out.
  const access = await waitFor(() => {
    const found = entries().filter((e) => e.msg === "request");
    return found.length >= 4 ? found : undefined;
  }, "four access lines");
  expect(access.length).toBe(4);
  const [chat, streamed, missing, live] = access;
  expect(chat).toMatchObject({
    level: "info",
    request_id: "trace-abc-1",
    method: "POST",
    route: "/chat",
    status: 200,
    user: "logged-user",
    model: "gpt-4o",
    tokens_in: expect.any(Number),
    tokens_out: 5,
  });
  expect(chat!.latency_ms).toBeGreaterThanOrEqual(0);
  expect(chat!.cost_usd).toBeGreaterThan(0);
  expect(streamed).toMatchObject({ route: "/chat", status: 200, user: "logged-user", tokens_out: 4 });
  expect(missing).toMatchObject({ route: "/conversations/:id", status: 404 });
  expect(live).toMatchObject({ route: "/health/live", status: 200 });
  const all = lines.join("\n");
  for (const secret of ["a very private sentence", "streamed private words", "admin-secret-key", "sk-upstream-secret", "Bearer wrong"])
    expect(all).not.toContain(secret);
});

test("/metrics speaks Prometheus: requests, latency, upstream timings, tokens, cost, refusals, streams", async () => {
  for (let i = 0; i < 4; i++) await t.request("POST", "/chat", { headers: admin, body: { message: "count me", user_id: "metered" } });
  mock.script(
    { kind: "error", status: 500, headers: { "retry-after-ms": "1" } },
    { kind: "error", status: 500, headers: { "retry-after-ms": "1" } },
    { kind: "error", status: 500, headers: { "retry-after-ms": "1" } },
  );
  await t.request("POST", "/chat", { headers: admin, body: { message: "fails", user_id: "metered-2" } });

  const res = await t.request("GET", "/metrics"); // open to the scraper, even with keys on
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/plain");
  const text = await res.text();
  expect(text).toMatch(/textllm_http_requests_total\{route="\/chat",method="POST",status="200"\} \d+/);
  expect(text).toMatch(/textllm_http_requests_total\{route="\/chat",method="POST",status="429"\} 1/);
  expect(text).toContain('textllm_http_request_duration_seconds_bucket{le="0.005",route="/chat",method="POST"}');
  expect(text).toMatch(/textllm_upstream_duration_seconds_count\{provider="openai",model="gpt-4o",streamed="false"\} \d+/);
  expect(text).toMatch(/textllm_upstream_time_to_first_token_seconds_count\{provider="openai",model="gpt-4o"\} [1-9]/);
  expect(text).toMatch(/textllm_upstream_errors_total\{provider="openai",status="502"\} 1/);
  expect(text).toMatch(/textllm_upstream_retries_total\{provider="openai"\} 2/);
  expect(text).toMatch(/textllm_tokens_total\{model="gpt-4o",direction="input"\} [1-9]\d*/);
  expect(text).toMatch(/textllm_cost_usd_total\{model="gpt-4o"\} 0\.\d+/);
  expect(text).toMatch(/textllm_rate_limit_refusals_total 1/);
  expect(text).toContain("textllm_budget_refusals_total 0");
  expect(text).toContain("textllm_active_streams 0");
  expect(text).toContain("textllm_process_resident_memory_bytes");
  expect(text).not.toContain("metered"); // no user ids in labels
});
