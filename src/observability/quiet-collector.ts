// After a burst of traffic the heap holds the garbage of thousands of requests, and the engine's
// own collector returns it only lazily: a server that has just gone quiet stayed ~20 MB above where
// a full collection brings it. Once no request has started for a whole interval (and some had
// since the last collection), one full collection runs. It never runs under load, and costs the
// request path nothing: it only reads the lifecycle's counters.
import type { Lifecycle } from "./lifecycle.ts";

type Counters = Pick<Lifecycle, "entered" | "inflight">;

/** The decision, one interval at a time: `tick` collects when the interval just over was quiet. */
export function quietCollector(lifecycle: Counters, collect: () => void) {
  let seen = lifecycle.entered;
  let collectedAt = seen;
  return {
    tick() {
      const now = lifecycle.entered;
      if (now === seen && now !== collectedAt && lifecycle.inflight === 0) {
        collectedAt = now;
        collect();
      }
      seen = now;
    },
  };
}

/** Ticks every `intervalMs` (not keeping the process alive); returns the function that stops it. */
export function collectWhenQuiet(lifecycle: Counters, collect: () => void = () => Bun.gc(true), intervalMs = 2000): () => void {
  const collector = quietCollector(lifecycle, collect);
  const timer = setInterval(collector.tick, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
