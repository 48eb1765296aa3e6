// The weighted draw: first choices follow the weights; every item appears once.
import { expect, test } from "bun:test";
import { weightedOrder } from "../../src/providers/weighted-order.ts";

/** A small deterministic generator (mulberry32), so the spread is reproducible. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test("first choices match the weights within a tolerance", () => {
  const items = [
    { name: "a", weight: 3 },
    { name: "b", weight: 1 },
  ];
  const random = seeded(42);
  const firsts = { a: 0, b: 0 };
  for (let i = 0; i < 4000; i++) firsts[weightedOrder(items, random)[0]!.name as "a" | "b"]++;
  expect(firsts.a / 4000).toBeGreaterThan(0.72);
  expect(firsts.a / 4000).toBeLessThan(0.78);
});

test.each([
  ["every item once, the drawn one first", [0.9], ["c", "a", "b"]],
  ["a random draw at 0 takes the first", [0, 0], ["a", "b", "c"]],
] as const)("%s", (_name, draws, expected) => {
  const queue = [...draws];
  const items = [
    { name: "a", weight: 1 },
    { name: "b", weight: 1 },
    { name: "c", weight: 1 },
  ];
  expect(weightedOrder(items, () => queue.shift() ?? 0).map((i) => i.name)).toEqual([...expected]);
});

test("weight 0 is never first while another has weight; all zero keeps the listed order", () => {
  const items = [
    { name: "off", weight: 0 },
    { name: "on", weight: 2 },
  ];
  for (const r of [0, 0.5, 0.999]) expect(weightedOrder(items, () => r)[0]!.name).toBe("on");
  expect(
    weightedOrder(
      [
        { name: "x", weight: 0 },
        { name: "y", weight: 0 },
      ],
      () => 0.7,
    ).map((i) => i.name),
  ).toEqual(["x", "y"]);
});
