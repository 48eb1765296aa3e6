// Per-day usage series (what the console's spend charts draw): a user's own, everyone's for the
// admin, on every database backend; their sums equal the totals of /users/{id}/stats and of the
// stored usage records. Plus GET /me, which tells the console who a key belongs to.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { BACKENDS, backendTitle, type BackendHandle } from "../support/backends.ts";
import { errorOf, startTestApp, type TestApp } from "../support/app.ts";
import { startMockUpstream, type MockUpstream } from "../support/mock-upstream.ts";
import { newId } from "../../src/lib/ids.ts";

const CONFIG = {
  model: "gpt-4o",
  rate_limit_per_minute: 100_000,
  models: {
    "gpt-4o": { pricing: { input_per_1k: 0.0025, output_per_1k: 0.01 } },
    "gpt-4o-mini": { pricing: { input_per_1k: 0.00015, output_per_1k: 0.0006 } },
  },
  providers: [{ name: "openai", models: ["gpt-*"] }],
};

type Day = { day: string; user_id: string; model: string; requests: number; tokens_input: number; tokens_output: number; cost: number };

const today = () => new Date().toISOString().slice(0, 10);

for (const backend of BACKENDS) {
  describe.skipIf(backend.skip !== null)(`daily stats: ${backendTitle(backend)}`, () => {
    let handle: BackendHandle;
    let mock: MockUpstream;
    let t: TestApp;
    beforeAll(async () => {
      handle = await backend.open();
      mock = startMockUpstream();
      t = await startTestApp({ config: CONFIG, env: { ...handle.env, OPENAI_BASE_URL: mock.baseUrl, OPENAI_API_KEY: "sk-up" } });
    });
    afterAll(async () => {
      await t?.close();
      await mock?.stop();
      await handle?.cleanup();
    });
    const json = async (res: Response) => {
      expect(res.status).toBe(200);
      return (await res.json()) as Record<string, any>;
    };

    test("a user's series: one row per day and model, summing to the user's stats and usage records", async () => {
      const user = newId("user");
      await json(await t.request("POST", "/chat", { body: { message: "one two three", user_id: user } }));
      await json(await t.request("POST", "/chat", { body: { message: "four five", user_id: user, model: "gpt-4o-mini" } }));
      await json(await t.request("POST", "/chat", { body: { message: "six", user_id: user } }));
      // Yesterday's record (written as the recorder would have) lands on its own day.
      const yesterday = new Date(Date.now() - 86_400_000);
      const [rec] = await t.deps.store.usage.listByUser(user, 1);
      await t.deps.store.usage.insert({ ...rec!, id: newId("usage"), request_id: newId("req"), cost: 1_234, created_at: yesterday.toISOString() });

      const daily = await json(await t.request("GET", `/users/${user}/stats/daily?days=30`));
      expect(daily).toMatchObject({ object: "list", user_id: user, days: 30 });
      const rows = daily.data as Day[];
      expect(rows.map((r) => [r.day, r.model])).toEqual([
        [yesterday.toISOString().slice(0, 10), rec!.model],
        [today(), "gpt-4o"],
        [today(), "gpt-4o-mini"],
      ]);
      expect(rows.every((r) => r.user_id === user)).toBe(true);
      expect(rows[1]!.requests).toBe(2);
      expect(rows[0]!.cost).toBeCloseTo(0.001234, 9);

      const stats = await json(await t.request("GET", `/users/${user}/stats?days=30`));
      const sum = (key: keyof Day) => rows.reduce((n, r) => n + (r[key] as number), 0);
      expect(sum("cost")).toBeCloseTo(stats.total_cost, 9);
      expect(sum("tokens_input")).toBe(stats.total_tokens_input);
      expect(sum("tokens_output")).toBe(stats.total_tokens_output);
      expect(sum("requests")).toBe(stats.total_requests);
      const records = await t.deps.store.usage.listByUser(user, 100);
      expect(Math.round(sum("cost") * 1e6)).toBe(records.reduce((n, r) => n + r.cost, 0));

      // days=1 is today only
      const todayOnly = (await json(await t.request("GET", `/users/${user}/stats/daily?days=1`))).data as Day[];
      expect(todayOnly.map((r) => r.day)).toEqual([today(), today()]);
    });

    test("everyone's series (open server) holds each user's rows; bad `days` is a 400", async () => {
      const [ann, ben] = [newId("user"), newId("user")];
      await json(await t.request("POST", "/chat", { body: { message: "from ann", user_id: ann } }));
      await json(await t.request("POST", "/chat", { body: { message: "from ben", user_id: ben } }));
      const all = (await json(await t.request("GET", "/stats/daily"))).data as Day[];
      for (const user of [ann, ben]) {
        const own = (await json(await t.request("GET", `/users/${user}/stats/daily`))).data as Day[];
        expect(all.filter((r) => r.user_id === user)).toEqual(own);
      }
      for (const path of ["/stats/daily?days=0", "/stats/daily?days=400", "/stats/daily?days=x", `/users/${ann}/stats/daily?days=-1`]) {
        const res = await t.request("GET", path);
        expect({ path, status: res.status }).toEqual({ path, status: 400 });
        await errorOf(res);
      }
      expect(await json(await t.request("GET", "/me"))).toEqual({ object: "principal", kind: "open", user_id: null });
    });
  });
}

describe("daily stats with API keys", () => {
  let mock: MockUpstream;
  let t: TestApp;
  const alice = { authorization: "Bearer key-alice-0001" };
  const admin = { authorization: "Bearer admin-key-0003" };
  beforeAll(async () => {
    mock = startMockUpstream();
    t = await startTestApp({
      config: CONFIG,
      env: {
        OPENAI_BASE_URL: mock.baseUrl,
        OPENAI_API_KEY: "sk-up",
        TEXTLLM_API_KEYS: "key-alice-0001=alice,key-bob-00002=bob",
        TEXTLLM_ADMIN_KEY: "admin-key-0003",
      },
    });
    for (const key of ["key-alice-0001", "key-bob-00002"]) {
      expect((await t.request("POST", "/chat", { headers: { authorization: `Bearer ${key}` }, body: { message: "hi" } })).status).toBe(200);
    }
  });
  afterAll(async () => {
    await t?.close();
    await mock?.stop();
  });

  test("a user key sees its own series only; everyone's is the admin's", async () => {
    const own = await t.request("GET", "/users/alice/stats/daily", { headers: alice });
    expect(((await own.json()) as { data: Day[] }).data.map((r) => r.user_id)).toEqual(["alice"]);
    const other = await t.request("GET", "/users/bob/stats/daily", { headers: alice });
    expect(other.status).toBe(404);
    const everyone = await t.request("GET", "/stats/daily", { headers: alice });
    expect(everyone.status).toBe(403);
    expect((await errorOf(everyone)).type).toBe("permission_error");
    const asAdmin = (await (await t.request("GET", "/stats/daily", { headers: admin })).json()) as { data: Day[]; user_id: string | null };
    expect(asAdmin.user_id).toBeNull();
    expect(asAdmin.data.map((r) => r.user_id).sort()).toEqual(["alice", "bob"]);
    expect((await t.request("GET", "/stats/daily")).status).toBe(401);
  });

  test("GET /me names the key's user, or the admin", async () => {
    expect(await (await t.request("GET", "/me", { headers: alice })).json()).toEqual({ object: "principal", kind: "user", user_id: "alice" });
    expect(await (await t.request("GET", "/me", { headers: admin })).json()).toEqual({ object: "principal", kind: "admin", user_id: null });
    expect((await t.request("GET", "/me")).status).toBe(401);
  });
});
