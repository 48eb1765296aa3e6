// The circuit breaker of one deployment, as pure transitions over a small state, so the same rules
// run over an in-process map or a state shared by replicas in Redis (circuit-store.ts). Closed: calls
// go through and failures within `windowMs` are counted; `failures` of them open it. Open: calls skip
// the deployment for `cooldownMs`. Then half-open: one call (the probe) goes through while others
// still skip it; its success closes the circuit, its failure opens it again. A probe that never
// reports (its process died) is replaced after another cool-down.

export type CircuitStatus = "closed" | "open" | "half_open";

export interface CircuitState {
  status: CircuitStatus;
  /** Times (ms) of the recent failures while closed, oldest first, at most `failures` of them. */
  failures: number[];
  /** When it opened (open), or when its probe started (half_open). */
  since: number;
}

export interface CircuitRules {
  failures: number;
  windowMs: number;
  cooldownMs: number;
}

export const CLOSED: CircuitState = { status: "closed", failures: [], since: 0 };

/** What a caller may do now, and the state after asking (the probe is claimed by asking). */
export function acquire(state: CircuitState, now: number, rules: CircuitRules): { allowed: boolean; state: CircuitState } {
  if (state.status === "closed") return { allowed: true, state };
  if (now - state.since < rules.cooldownMs) return { allowed: false, state };
  // An open circuit whose cool-down is over, or a probe that never reported: this call probes.
  return { allowed: true, state: { status: "half_open", failures: [], since: now } };
}

export function succeeded(state: CircuitState): CircuitState {
  return state.status === "closed" ? state : CLOSED;
}

export function failed(state: CircuitState, now: number, rules: CircuitRules): CircuitState {
  if (state.status !== "closed") return { status: "open", failures: [], since: now };
  const failures = [...state.failures.filter((at) => now - at < rules.windowMs), now].slice(-rules.failures);
  if (failures.length >= rules.failures) return { status: "open", failures: [], since: now };
  return { status: "closed", failures, since: 0 };
}

/** A probe whose caller went away without an answer: the next call may probe at once. */
export function released(state: CircuitState): CircuitState {
  return state.status === "half_open" ? { ...state, since: 0 } : state;
}

/** The status as /health shows it: an open circuit past its cool-down is ready to probe. */
export function statusAt(state: CircuitState, now: number, rules: CircuitRules): CircuitStatus {
  if (state.status === "open" && now - state.since >= rules.cooldownMs) return "half_open";
  return state.status;
}
