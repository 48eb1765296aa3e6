// The day's spend kept by the one process that writes the embedded database: it must agree with
// what is stored, never count less than is stored (that would let a budget be overspent), and
// start each UTC day afresh.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { cachedDaySpend, storedDaySpend } from "../../src/budget/day-spend.ts";
import { recordCall, type CallRecord } from "../../src/chat/record.ts";
import { openStore } from "../../src/storage/db/open.ts";
import type { Store } from "../../src/storage/db/store.ts";
import { tempDir } from "../support/temp.ts";

const DAY = "2026-03-04";
let store: Store;
let cleanup: () => void;

beforeEach(async () => {
  const dir = tempDir();
  cleanup = dir.cleanup;
  store = openStore({ kind: "sqlite", path: join(dir.path, "textllm.db") });
  await store.migrate();
});
afterEach(async () => {
  await store.close();
  cleanup();
});

function call(userId: string, cost: number, day = DAY): CallRecord {
  return {
    requestId: `req_${Math.random()}`,
    route: "/v1/chat/completions",
    userId,
    model: "m",
    provider: "p",
    usage: { prompt_tokens: 1, completion_tokens: 1, cached_tokens: 0 },
    cost,
    latencyMs: 1,
    status: 200,
    errorCode: null,
    streamed: false,
    now: new Date(`${day}T12:00:00Z`),
  };
}

/** Stores a call's cost and tells the spend about it, as a budget settlement does. */
async function spendAndAdd(spend: ReturnType<typeof cachedDaySpend>, userId: string, cost: number) {
  await recordCall(store, call(userId, cost));
  spend.add(userId, DAY, cost);
}

describe("cached day spend (embedded database)", () => {
  test("starts from what is stored, then counts what this process stores without reading again", async () => {
    await recordCall(store, call("alice", 700));
    const spend = cachedDaySpend(store);
    expect(await spend.get("alice", DAY)).toBe(700);
    await spendAndAdd(spend, "alice", 50);
    await spendAndAdd(spend, "alice", 25);
    expect(await spend.get("alice", DAY)).toBe(775);
    expect(await spend.get("alice", DAY)).toBe(await storedDaySpend(store).get("alice", DAY));
    // Another user's spend is kept apart.
    expect(await spend.get("bob", DAY)).toBe(0);
  });

  test("a cost stored behind its back shows up once the entry is older than the refresh interval", async () => {
    let clock = 0;
    const spend = cachedDaySpend(store, 30, () => clock);
    expect(await spend.get("alice", DAY)).toBe(0);
    await recordCall(store, call("alice", 400)); // not announced through add()
    clock = 29;
    expect(await spend.get("alice", DAY)).toBe(0);
    clock = 40;
    expect(await spend.get("alice", DAY)).toBe(400);
  });

  test("costs stored while the first read is under way are never missed", async () => {
    const spend = cachedDaySpend(store);
    // Many requests finish while the spend is being read for the first time.
    const reading = spend.get("alice", DAY);
    await Promise.all(Array.from({ length: 20 }, () => spendAndAdd(spend, "alice", 10)));
    await reading;
    const stored = await storedDaySpend(store).get("alice", DAY);
    expect(stored).toBe(200);
    // A cost both in the read and announced meanwhile may count twice until the next read: the
    // error may refuse early, never let more through.
    const cached = await spend.get("alice", DAY);
    expect(cached).toBeGreaterThanOrEqual(stored);
    expect(cached).toBeLessThanOrEqual(2 * stored);
    // Concurrent first reads share one query and one answer.
    const fresh = cachedDaySpend(store);
    const [a, b] = await Promise.all([fresh.get("alice", DAY), fresh.get("alice", DAY)]);
    expect(a).toBe(200);
    expect(b).toBe(200);
  });

  test("a new UTC day starts from what is stored for that day", async () => {
    const spend = cachedDaySpend(store);
    await spendAndAdd(spend, "alice", 300);
    expect(await spend.get("alice", DAY)).toBe(300);
    expect(await spend.get("alice", "2026-03-05")).toBe(0);
    await recordCall(store, call("alice", 80, "2026-03-05"));
    spend.add("alice", "2026-03-05", 80);
    expect(await spend.get("alice", "2026-03-05")).toBe(80);
  });
});
