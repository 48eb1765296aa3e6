// The circuit breakers of all deployments, over one store (memory or Redis): ask before a call,
// report its outcome after. A store that fails (Redis unreachable) never blocks a request: the
// deployment counts as closed and the outcome goes unrecorded, logged through `onError`.
import { acquire, failed, released, statusAt, succeeded, type CircuitRules, type CircuitState, type CircuitStatus } from "./circuit-breaker.ts";
import type { CircuitStore } from "./circuit-store.ts";

export interface DeploymentHealth {
  readonly backend: CircuitStore["backend"];
  readonly rules: CircuitRules;
  /** May a call go to this deployment now? Claims the probe of a half-open circuit. */
  acquire(key: string): Promise<boolean>;
  report(key: string, outcome: "success" | "failure" | "released"): Promise<void>;
  statuses(keys: string[]): Promise<CircuitStatus[]>;
}

export function deploymentHealth(store: CircuitStore, rules: CircuitRules, onError: (err: unknown) => void = () => {}): DeploymentHealth {
  const transitions: Record<"success" | "failure" | "released", (s: CircuitState, now: number) => CircuitState> = {
    success: (s) => succeeded(s),
    failure: (s, now) => failed(s, now, rules),
    released: (s) => released(s),
  };
  return {
    backend: store.backend,
    rules,
    async acquire(key) {
      try {
        return await store.apply(key, (state, now) => {
          const { allowed, state: next } = acquire(state, now, rules);
          return { state: next, result: allowed };
        });
      } catch (err) {
        onError(err);
        return true;
      }
    },
    async report(key, outcome) {
      try {
        await store.apply(key, (state, now) => ({ state: transitions[outcome](state, now), result: undefined }));
      } catch (err) {
        onError(err);
      }
    },
    async statuses(keys) {
      if (!keys.length) return [];
      const { states, now } = await store.read(keys);
      return states.map((s) => statusAt(s, now, rules));
    },
  };
}
