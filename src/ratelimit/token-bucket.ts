// Token-bucket arithmetic, shared by every store: a bucket holds up to `capacity` requests and
// refills continuously at `perMinute` a minute. Pure functions of (state, now).

export interface BucketSpec {
  capacity: number;
  perMinute: number;
}

export interface BucketState {
  tokens: number;
  /** When `tokens` was computed (ms). */
  at: number;
}

export interface Decision {
  allowed: boolean;
  /** The burst: requests allowed at once (x-ratelimit-limit-requests). */
  limit: number;
  /** The sustained rate the bucket refills at. */
  perMinute: number;
  remaining: number;
  /** Until the bucket is full again (x-ratelimit-reset-requests). */
  resetMs: number;
  /** Until the next request would be allowed (Retry-After); 0 when allowed. */
  retryAfterMs: number;
}

export const refillPerMs = (spec: BucketSpec) => spec.perMinute / 60_000;

export function take(state: BucketState | undefined, spec: BucketSpec, now: number): { state: BucketState; decision: Decision } {
  const rate = refillPerMs(spec);
  const current = state ? Math.min(spec.capacity, state.tokens + Math.max(0, now - state.at) * rate) : spec.capacity;
  const allowed = current >= 1;
  const tokens = allowed ? current - 1 : current;
  return { state: { tokens, at: now }, decision: decide(spec, tokens, allowed) };
}

/** The answer for a bucket left with `tokens` after this request. */
export function decide(spec: BucketSpec, tokens: number, allowed: boolean): Decision {
  const rate = refillPerMs(spec);
  return {
    allowed,
    limit: spec.capacity,
    perMinute: spec.perMinute,
    remaining: Math.max(0, Math.floor(tokens)),
    resetMs: Math.ceil((spec.capacity - tokens) / rate),
    retryAfterMs: allowed ? 0 : Math.ceil((1 - tokens) / rate),
  };
}

/** OpenAI's duration format for x-ratelimit-reset-*: "1s", "6m0s", "1h2m3s", "250ms". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.ceil(ms))}ms`;
  const total = Math.ceil(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${h ? `${h}h` : ""}${h || m ? `${m}m` : ""}${s}s`;
}
