// The full collection after a burst: only once traffic has stopped for a whole interval, once per
// burst, never while a request is in flight. Intervals are ticked by hand, so timing cannot flake.
import { expect, test } from "bun:test";
import { createLifecycle } from "../../src/observability/lifecycle.ts";
import { collectWhenQuiet, quietCollector } from "../../src/observability/quiet-collector.ts";

test("collects once after a burst goes quiet; not before any traffic, not under load, not with a request in flight", () => {
  const lifecycle = createLifecycle();
  let collections = 0;
  const collector = quietCollector(lifecycle, () => collections++);
  const serveOne = () => {
    lifecycle.enter();
    lifecycle.leave();
  };

  for (let i = 0; i < 3; i++) collector.tick();
  expect(collections).toBe(0); // nothing served yet: nothing to give back

  for (let i = 0; i < 5; i++) {
    serveOne(); // under load: requests start within every interval
    collector.tick();
  }
  expect(collections).toBe(0);

  for (let i = 0; i < 3; i++) collector.tick();
  expect(collections).toBe(1); // quiet now: one collection, not one per interval

  lifecycle.enter(); // a long request: nothing new starts, yet it is still in flight
  for (let i = 0; i < 3; i++) collector.tick();
  expect(collections).toBe(1);
  lifecycle.leave();
  collector.tick();
  expect(collections).toBe(2);
});

test("the timer version ticks on its own and stops", async () => {
  const lifecycle = createLifecycle();
  let collections = 0;
  const stop = collectWhenQuiet(lifecycle, () => collections++, 10);
  lifecycle.enter();
  lifecycle.leave();
  await Bun.sleep(100);
  stop();
  expect(collections).toBe(1);
  lifecycle.enter();
  lifecycle.leave();
  await Bun.sleep(60);
  expect(collections).toBe(1);
});
