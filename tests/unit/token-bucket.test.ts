// Table: the token-bucket arithmetic every limiter store shares, as pure functions of (state, now).
import { describe, expect, test } from "bun:test";
import { decide, formatDuration, take, type BucketState } from "../../src/ratelimit/token-bucket.ts";

const spec = { capacity: 3, perMinute: 60 }; // one token a second

describe("take", () => {
  test("a new bucket starts full and spends one token", () => {
    const { state, decision } = take(undefined, spec, 1_000);
    expect(state).toEqual({ tokens: 2, at: 1_000 });
    expect(decision).toEqual({ allowed: true, limit: 3, perMinute: 60, remaining: 2, resetMs: 1_000, retryAfterMs: 0 });
  });

  test.each([
    { name: "empty bucket, no time passed", tokens: 0, elapsed: 0, allowed: false, remaining: 0, retryAfterMs: 1_000 },
    { name: "half a token refilled", tokens: 0, elapsed: 500, allowed: false, remaining: 0, retryAfterMs: 500 },
    { name: "one token refilled", tokens: 0, elapsed: 1_000, allowed: true, remaining: 0, retryAfterMs: 0 },
    { name: "refill stops at capacity", tokens: 0, elapsed: 3_600_000, allowed: true, remaining: 2, retryAfterMs: 0 },
    { name: "a clock that went backwards refills nothing", tokens: 0.5, elapsed: -5_000, allowed: false, remaining: 0, retryAfterMs: 500 },
  ])("$name", ({ tokens, elapsed, allowed, remaining, retryAfterMs }) => {
    const before: BucketState = { tokens, at: 10_000 };
    const { decision } = take(before, spec, 10_000 + elapsed);
    expect(decision.allowed).toBe(allowed);
    expect(decision.remaining).toBe(remaining);
    expect(decision.retryAfterMs).toBe(retryAfterMs);
  });

  test("exactly `capacity` requests pass in a burst, the next is refused", () => {
    let state: BucketState | undefined;
    const allowed: boolean[] = [];
    for (let i = 0; i < 4; i++) {
      const r = take(state, spec, 0);
      state = r.state;
      allowed.push(r.decision.allowed);
    }
    expect(allowed).toEqual([true, true, true, false]);
  });

  test("a refused request does not spend a token", () => {
    const { state } = take({ tokens: 0.25, at: 0 }, spec, 0);
    expect(state.tokens).toBe(0.25);
  });
});

describe("decide", () => {
  test("reset is the time to refill the bucket completely", () => {
    expect(decide({ capacity: 20, perMinute: 60 }, 10, true).resetMs).toBe(10_000);
    expect(decide({ capacity: 20, perMinute: 60 }, 20, true).resetMs).toBe(0);
  });
});

describe("formatDuration", () => {
  test.each([
    [0, "0ms"],
    [250.2, "251ms"],
    [999, "999ms"],
    [1_000, "1s"],
    [1_001, "2s"],
    [60_000, "1m0s"],
    [360_000, "6m0s"],
    [3_723_000, "1h2m3s"],
    [3_600_000, "1h0m0s"],
    [-5, "0ms"],
  ])("%p ms → %p", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
