// A Postgres that hangs (frozen behind a TCP proxy, like a SIGSTOPped server) or refuses
// connections: every request answers within database.query_timeout_ms with a 503
// `database_unavailable` and Retry-After, readiness turns 503, and a turn whose request was
// answered so is never stored later.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SQL } from "bun";
import { errorOf, type TestApp } from "../support/app.ts";
import type { MockUpstream } from "../support/mock-upstream.ts";
import { startHarness, type Harness } from "../support/harness.ts";
import { createTempDatabase, POSTGRES_SKIP, type TempDatabase } from "../support/postgres.ts";
import { proxyDatabase, type TcpProxy } from "../support/tcp-proxy.ts";
import { waitFor } from "../support/temp.ts";
import { newId } from "../../src/lib/ids.ts";

const title = `Postgres that hangs or refuses${POSTGRES_SKIP ? ` (skipped: ${POSTGRES_SKIP})` : ""}`;

describe.skipIf(POSTGRES_SKIP !== null)(title, () => {
  let db: TempDatabase;
  let proxy: TcpProxy;
  let mock: MockUpstream;
  let harness: Harness;
  let t: TestApp;

  beforeAll(async () => {
    db = await createTempDatabase();
    const proxied = proxyDatabase(db.url);
    proxy = proxied.proxy;
    harness = await startHarness({ config: { database: { query_timeout_ms: 700 } }, env: { DATABASE_URL: proxied.url } });
    ({ mock, app: t } = harness);
  });
  afterAll(async () => {
    proxy?.thaw();
    await harness?.close();
    proxy?.stop();
    await db?.drop();
  });

  const chat = (user: string, message: string) => t.request("POST", "/chat", { body: { message, user_id: user } });
  const ready = async () => (await t.request("GET", "/health/ready")).status;

  async function expectUnavailable(res: Response) {
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
    const err = await errorOf(res);
    expect(err.code).toBe("database_unavailable");
    expect(err.type).toBe("service_unavailable");
  }

  async function storedMessages(user: string): Promise<number> {
    const direct = new SQL(db.url, { max: 1 });
    try {
      const [row] = await direct`SELECT count(*)::int AS n FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE c.user_id = ${user}`;
      return (row as { n: number }).n;
    } finally {
      await direct.close();
    }
  }

  test("frozen: requests answer 503 database_unavailable instead of hanging; readiness is 503", async () => {
    expect((await chat(newId("user"), "before")).status).toBe(200);
    proxy.freeze();
    try {
      await expectUnavailable(await chat(newId("user"), "while frozen"));
      await expectUnavailable(await t.request("GET", `/conversations?user_id=${newId("user")}`));
      expect(await ready()).toBe(503);
      const health = await t.request("GET", "/health");
      expect(health.status).toBe(503);
    } finally {
      proxy.thaw();
    }
    await waitFor(async () => ((await ready()) === 200 ? true : undefined), "readiness to recover");
    expect((await chat(newId("user"), "after")).status).toBe(200);
  }, 30_000);

  test("a turn whose writes miss the deadline is not stored once the database answers again", async () => {
    const user = newId("user");
    mock.setDefault({ kind: "reply", delayMs: 1500 });
    const seen = mock.requests.length;
    const pending = chat(user, "answered late");
    try {
      // The database freezes while the upstream is still answering: only the writes meet it.
      await waitFor(() => (mock.requests.length > seen ? true : undefined), "the upstream call");
      proxy.freeze();
      await expectUnavailable(await pending);
    } finally {
      mock.setDefault({ kind: "reply" });
      proxy.thaw();
    }
    await waitFor(async () => ((await ready()) === 200 ? true : undefined), "readiness to recover");
    // Let the pool's connections drain what was held back, then look.
    const other = newId("user");
    expect((await chat(other, "after the thaw")).status).toBe(200);
    expect(await storedMessages(other)).toBe(2);
    expect(await storedMessages(user)).toBe(0);
  }, 30_000);

  test("refusing connections: 503 database_unavailable, not 500", async () => {
    proxy.cut();
    try {
      await expectUnavailable(await t.request("GET", `/conversations?user_id=${newId("user")}`));
      await expectUnavailable(await chat(newId("user"), "refused"));
      expect(await ready()).toBe(503);
    } finally {
      proxy.restore();
    }
    await waitFor(async () => ((await ready()) === 200 ? true : undefined), "readiness to recover");
  }, 30_000);
});
