// Model routing across several upstreams: each provider has its base URL and its key variable.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { errorOf, type TestApp } from "../support/app.ts";
import { startMockUpstream, type MockUpstream } from "../support/mock-upstream.ts";
import { startHarness, type Harness } from "../support/harness.ts";

let local: MockUpstream;
let router: MockUpstream;
let t: TestApp;
let harness: Harness;

beforeAll(async () => {
  // The harness's mock is the "local" provider; the second upstream is started beside it.
  router = startMockUpstream();
  harness = await startHarness({
    config: (upstream) => ({
      model: "llama3",
      models: { smart: { provider: "router", upstream_model: "vendor/smart-v2", context_window: 32000 } },
      providers: [
        { name: "local", base_url: upstream.baseUrl, models: ["llama*", "qwen*"] },
        { name: "router", base_url: router.baseUrl, api_key_env: "ROUTER_KEY", models: ["vendor/*"] },
      ],
    }),
    upstreamEnv: false,
    env: { ROUTER_KEY: "rk-routing-test" },
  });
  ({ mock: local, app: t } = harness);
});
afterAll(async () => {
  await harness?.close();
  await router?.stop();
});

test("models go to the provider whose globs match; the default model too", async () => {
  const a = await t.request("POST", "/v1/chat/completions", { body: { model: "qwen2.5", messages: [{ role: "user", content: "hi" }] } });
  expect(a.status).toBe(200);
  const b = await t.request("POST", "/chat", { body: { message: "default model" } });
  expect(b.status).toBe(200);
  expect(local.requests.map((r) => r.body.model)).toEqual(["qwen2.5", "llama3"]);
  expect(router.requests.length).toBe(0);
});

test("a model's own provider and upstream name win; the provider's key is sent", async () => {
  const res = await t.request("POST", "/chat", { body: { message: "route me", model: "smart" } });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { model: string; user_id: string };
  expect(body.model).toBe("vendor/smart-v2"); // what the upstream answered with
  expect(router.requests[0]!.body.model).toBe("vendor/smart-v2");
  expect(router.requests[0]!.headers.authorization).toBe("Bearer rk-routing-test");
  // Prices and records use the name the client chose.
  const [rec] = await t.deps.store.usage.listByUser(body.user_id, 1);
  expect(rec).toMatchObject({ model: "smart", provider: "router", status: 200 });
});

test("a model no provider serves is a 404 model_not_found, and /v1/models says who serves what", async () => {
  const res = await t.request("POST", "/v1/chat/completions", { body: { model: "gpt-4o", messages: [{ role: "user", content: "hi" }] } });
  expect(res.status).toBe(404);
  expect((await errorOf(res)).code).toBe("model_not_found");
  const models = (await (await t.request("GET", "/v1/models")).json()) as { data: Array<{ id: string; owned_by: string }> };
  expect(models.data).toEqual(
    expect.arrayContaining([expect.objectContaining({ id: "llama3", owned_by: "local" }), expect.objectContaining({ id: "smart", owned_by: "router" })]),
  );
});
