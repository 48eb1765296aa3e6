// The circuit breaker's transitions, table-driven, and the in-process store applying them.
import { describe, expect, test } from "bun:test";
import { acquire, CLOSED, failed, released, statusAt, succeeded, type CircuitState } from "../../src/providers/circuit-breaker.ts";
import { memoryCircuitStore } from "../../src/providers/circuit-store.ts";
import { deploymentHealth } from "../../src/providers/deployment-health.ts";

const rules = { failures: 3, windowMs: 10_000, cooldownMs: 5_000 };
const open = (since: number): CircuitState => ({ status: "open", failures: [], since });
const probing = (since: number): CircuitState => ({ status: "half_open", failures: [], since });
const closedWith = (...failures: number[]): CircuitState => ({ status: "closed", failures, since: 0 });

describe("acquire", () => {
  test.each([
    ["closed lets calls through", CLOSED, 1_000, true, CLOSED],
    ["open skips during the cool-down", open(1_000), 5_999, false, open(1_000)],
    ["open past the cool-down: this call probes", open(1_000), 6_000, true, probing(6_000)],
    ["half-open with a probe running: others skip", probing(6_000), 7_000, false, probing(6_000)],
    ["a probe silent for a whole cool-down is replaced", probing(6_000), 11_000, true, probing(11_000)],
  ] as const)("%s", (_name, state, now, allowed, next) => {
    expect(acquire(state, now, rules)).toEqual({ allowed, state: next });
  });
});

describe("failed", () => {
  test.each([
    ["a first failure is counted", CLOSED, 1_000, closedWith(1_000)],
    ["the threshold within the window opens", closedWith(1_000, 2_000), 3_000, open(3_000)],
    ["failures older than the window do not count", closedWith(1_000, 2_000), 12_500, closedWith(12_500)],
    ["one old, one recent: not yet open", closedWith(1_000, 5_000), 12_000, closedWith(5_000, 12_000)],
    ["a failed probe opens again", probing(6_000), 6_500, open(6_500)],
  ] as const)("%s", (_name, state, now, next) => {
    expect(failed(state, now, rules)).toEqual(next);
  });
});

describe("succeeded, released, statusAt", () => {
  test.each([
    ["a successful probe closes", succeeded(probing(6_000)), CLOSED],
    ["success keeps recent failures of a closed circuit", succeeded(closedWith(1_000)), closedWith(1_000)],
    ["a released probe lets the next call probe", released(probing(6_000)), probing(0)],
    ["release leaves an open circuit open", released(open(1_000)), open(1_000)],
  ] as const)("%s", (_name, got, expected) => {
    expect(got).toEqual(expected);
  });
  test.each([
    [open(1_000), 2_000, "open"],
    [open(1_000), 6_000, "half_open"],
    [probing(6_000), 6_001, "half_open"],
    [CLOSED, 0, "closed"],
  ] as const)("statusAt(%j, %d) is %s", (state, now, status) => {
    expect(statusAt(state, now, rules)).toBe(status);
  });
});

test("through the memory store: opens after N failures, one probe after the cool-down, closes on its success", async () => {
  let now = 0;
  const health = deploymentHealth(
    memoryCircuitStore(() => now),
    rules,
  );
  for (let i = 0; i < 3; i++) {
    expect(await health.acquire("a")).toBe(true);
    await health.report("a", "failure");
  }
  expect(await health.statuses(["a", "b"])).toEqual(["open", "closed"]);
  expect(await health.acquire("a")).toBe(false);
  now = 5_000;
  expect(await health.acquire("a")).toBe(true); // the probe
  expect(await health.acquire("a")).toBe(false); // the others keep off it
  await health.report("a", "success");
  expect(await health.statuses(["a"])).toEqual(["closed"]);
  expect(await health.acquire("a")).toBe(true);
});

test("a store that fails never blocks a call", async () => {
  const broken = { backend: "redis" as const, apply: async () => Promise.reject(new Error("down")), read: async () => Promise.reject(new Error("down")) };
  const errors: unknown[] = [];
  const health = deploymentHealth(broken, rules, (err) => errors.push(err));
  expect(await health.acquire("a")).toBe(true);
  await health.report("a", "failure");
  expect(errors.length).toBe(2);
});
