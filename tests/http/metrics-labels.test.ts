// /metrics stays bounded whatever clients send: label values come from configuration (models,
// providers) or a fixed list (HTTP methods); anything else is counted as "other".
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { TestApp } from "../support/app.ts";
import { startHarness, type Harness } from "../support/harness.ts";
import { readSse } from "../support/sse.ts";
import { waitFor } from "../support/temp.ts";

let t: TestApp;
let harness: Harness;
beforeAll(async () => {
  harness = await startHarness({ config: { rate_limit_per_minute: 100_000, models: { "house-model": { upstream_model: "mock-model" } } } });
  ({ app: t } = harness);
});
afterAll(() => harness?.close());

test("hundreds of made-up model names add no series: they are all 'other'; configured names keep theirs", async () => {
  const names = Array.from({ length: 150 }, (_, i) => `made-up-model-${i}-${"z".repeat(i % 7)}`);
  await t.request("POST", "/v1/chat/completions", { body: { model: "warm-up", messages: [{ role: "user", content: "hi" }] } });
  await readSse(await t.request("POST", "/chat", { body: { message: "warm", model: "warm-up-2", stream: true } }));

  for (const [i, model] of names.entries()) {
    const res =
      i % 2
        ? await t.request("POST", "/v1/chat/completions", { body: { model, messages: [{ role: "user", content: "hi" }] } })
        : await t.request("POST", "/chat", { body: { message: "hi", model, stream: i % 4 === 0 } });
    expect(res.status).toBe(200);
    await res.text();
  }
  for (const model of ["gpt-4o", "house-model"]) expect((await t.request("POST", "/chat", { body: { message: "hi", model } })).status).toBe(200);

  const text = await (await t.request("GET", "/metrics")).text();
  for (const name of names) expect(text).not.toContain(name);
  expect(text).toMatch(/textllm_tokens_total\{model="other",direction="input"\} [1-9]/);
  expect(text).toMatch(/textllm_upstream_time_to_first_token_seconds_count\{provider="openai",model="other"\} [1-9]/);
  expect(text).toMatch(/textllm_cost_usd_total\{model="gpt-4o"\}/);
  expect(text).toMatch(/textllm_cost_usd_total\{model="house-model"\}/);
  const modelLabels = new Set([...text.matchAll(/model="([^"]*)"/g)].map((m) => m[1]));
  expect([...modelLabels].sort()).toEqual(["gpt-4o", "house-model", "other"]);
});

test("a method outside the usual seven (Bun passes WebDAV's on) is counted as 'other'", async () => {
  const res = await fetch(`${t.listen()}/chat`, { method: "PROPFIND" });
  expect(res.status).toBeGreaterThanOrEqual(400);
  await res.text();
  const text = await waitFor(async () => {
    const body = await (await t.request("GET", "/metrics")).text();
    return body.includes('method="other"') || body.includes('method="PROPFIND"') ? body : undefined;
  }, "the PROPFIND request counted");
  expect(text).not.toContain("PROPFIND");
  expect(text).toMatch(/textllm_http_requests_total\{route="[^"]+",method="other",status="\d+"\} 1/);
});
