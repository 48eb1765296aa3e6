// Retries stay inside the request's own deadline: `timeout_ms` after the call began. The SDK
// retries 408/409/429/5xx after the upstream's Retry-After (or its backoff) however long that is,
// so a 429 asking for 30 s held our client for a minute. This fetch, given to the SDK, sees each
// failed answer first; when the wait before the next attempt would end past the deadline it marks
// the answer `x-should-retry: false`, which the SDK obeys, and the failure (with its Retry-After)
// goes back to our client at once.

/**
 * Carries the call's deadline (epoch ms) from the provider to this fetch, as a key of the SDK's
 * `fetchOptions` (which it spreads into every attempt's init). A symbol is never sent upstream, so
 * the init goes to fetch untouched: no copy of the SDK's headers per attempt (a header that had to
 * be stripped again cost ~15 µs of CPU per call, bench/sdk-modes.ts).
 */
export const DEADLINE = Symbol("textllm.deadline");

/** The SDK's per-call `fetchOptions` that carry a deadline. */
export const withDeadline = (deadline: number): object => ({ [DEADLINE]: deadline });

/** The SDK's backoff when the upstream names no wait: 0.5 s doubling to 8 s (before its jitter). */
const backoffMs = (retriesSoFar: number) => Math.min(500 * 2 ** retriesSoFar, 8000);

/** How long the SDK would wait before the next attempt: what the upstream asks, else its backoff. */
export function nextWaitMs(headers: Headers, retriesSoFar: number, now = Date.now()): number {
  const ms = Number.parseFloat(headers.get("retry-after-ms") ?? "");
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const after = headers.get("retry-after");
  if (after) {
    const seconds = Number.parseFloat(after);
    const wait = Number.isNaN(seconds) ? Date.parse(after) - now : seconds * 1000;
    if (Number.isFinite(wait) && wait >= 0) return wait;
  }
  return backoffMs(retriesSoFar);
}

export interface DeadlineFetchOptions {
  /** Called for every attempt that is a retry of an earlier one. */
  onRetry?: () => void;
  fetch?: typeof fetch;
}

/** The SDK numbers its attempts in this header: 0 for the first. Its init's headers are a Headers. */
function retriesOf(headers: RequestInit["headers"]): number {
  if (!headers) return 0;
  const count = headers instanceof Headers ? headers.get("x-stainless-retry-count") : new Headers(headers).get("x-stainless-retry-count");
  return Number(count ?? 0);
}

/** A fetch for the SDK that enforces the deadline given with `withDeadline` on its retries. */
export function deadlineFetch(opts: DeadlineFetchOptions = {}): typeof fetch {
  const base = opts.fetch ?? fetch;
  const wrapped = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const retriesSoFar = retriesOf(init?.headers);
    if (retriesSoFar > 0) opts.onRetry?.();
    const deadline = Number((init as Record<symbol, unknown> | undefined)?.[DEADLINE] ?? 0);
    const response = await base(url, init);
    if (response.ok || !deadline) return response;
    const now = Date.now();
    if (now + nextWaitMs(response.headers, retriesSoFar, now) <= deadline) return response;
    const marked = new Headers(response.headers);
    marked.set("x-should-retry", "false");
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers: marked });
  };
  return Object.assign(wrapped, { preconnect: base.preconnect }) as typeof fetch;
}
