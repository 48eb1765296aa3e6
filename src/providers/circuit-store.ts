// Where deployments' circuit states live: one tiny interface, an in-process map here and a Redis
// hash shared by replicas in circuit-store-redis.ts. A store only applies a pure transition
// (circuit-breaker.ts) atomically, with its own clock; the rules live in one place.
import { CLOSED, type CircuitState } from "./circuit-breaker.ts";

/** A transition: the state now and the time → the next state and what the caller learns. */
export type CircuitStep<T> = (state: CircuitState, now: number) => { state: CircuitState; result: T };

export interface CircuitStore {
  readonly backend: "memory" | "redis";
  /** Applies `step` to the state of `key` atomically and returns its result. */
  apply<T>(key: string, step: CircuitStep<T>): Promise<T>;
  /** The states of these keys (closed when unknown) and the store's time, for /health. */
  read(keys: string[]): Promise<{ states: CircuitState[]; now: number }>;
}

export function memoryCircuitStore(clock: () => number = Date.now): CircuitStore {
  const states = new Map<string, CircuitState>();
  return {
    backend: "memory",
    async apply(key, step) {
      const { state, result } = step(states.get(key) ?? CLOSED, clock());
      if (state === CLOSED || (state.status === "closed" && state.failures.length === 0)) states.delete(key);
      else states.set(key, state);
      return result;
    },
    async read(keys) {
      return { states: keys.map((k) => states.get(k) ?? CLOSED), now: clock() };
    },
  };
}
