// Retries stay inside the request's own deadline: `timeout_ms` after the call began. The SDK
// retries 408/409/429/5xx after the upstream's Retry-After (or its backoff) however long that is,
// so a 429 asking for 30 s held our client for a minute. This fetch, given to the SDK, sees each
// failed answer first; when the wait before the next attempt would end past the deadline it marks
// the answer `x-should-retry: false`, which the SDK obeys, and the failure (with its Retry-After)
// goes back to our client at once.

/** Carries the call's deadline (epoch ms) from the provider to this fetch; never sent upstream. */
export const DEADLINE_HEADER = "x-textllm-deadline";

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

/** A fetch for the SDK that enforces the deadline set in DEADLINE_HEADER on its retries. */
export function deadlineFetch(opts: DeadlineFetchOptions = {}): typeof fetch {
  const base = opts.fetch ?? fetch;
  const wrapped = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const headers = new Headers(init?.headers);
    // The SDK numbers its attempts in this header: 0 for the first.
    const retriesSoFar = Number(headers.get("x-stainless-retry-count") ?? 0);
    if (retriesSoFar > 0) opts.onRetry?.();
    const deadline = Number(headers.get(DEADLINE_HEADER));
    headers.delete(DEADLINE_HEADER);
    const response = await base(url, { ...init, headers });
    if (response.ok || !deadline) return response;
    const now = Date.now();
    if (now + nextWaitMs(response.headers, retriesSoFar, now) <= deadline) return response;
    const marked = new Headers(response.headers);
    marked.set("x-should-retry", "false");
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers: marked });
  };
  return Object.assign(wrapped, { preconnect: base.preconnect }) as typeof fetch;
}
