// The openai SDK rebuilds the same dozen request headers for every attempt of every call: its
// user agent, platform and retry headers, the bearer token and the body's content type, each passed
// through a token check, a lower-casing and a delete + append on a Headers — ~15–20 µs of CPU per
// call here, a fifth of what the SDK costs over a bare fetch (bench/sdk-modes.ts). For a call that
// names no headers of its own, the result depends only on the attempt number, the timeout, the
// body's content type and the token: this builds it once per such key with the SDK's own code and
// hands each attempt a copy. Anything else (per-call headers, helper metadata, workload identity,
// an idempotency header) goes through the SDK unchanged. tests/unit/sdk-headers.test.ts holds the
// copies to what the SDK itself sends, so an SDK upgrade that changes its headers fails there.
import type OpenAI from "openai";

type NullableHeaders = { values: Headers; nulls: Set<string> };

interface BuildHeadersArgs {
  options: { headers?: unknown; timeout?: number; __metadata?: unknown };
  bodyHeaders?: Record<string, string>;
  authenticationHeaders?: NullableHeaders;
  retryCount?: number;
  x509Headers?: unknown;
}

/** The SDK's own header steps, which it keeps protected or private. */
interface HeaderSteps {
  apiKey: unknown;
  idempotencyHeader?: string;
  _workloadIdentityAuth?: unknown;
  authHeaders(opts: unknown, schemes?: Record<string, boolean>): Promise<NullableHeaders | undefined>;
  buildHeaders(args: BuildHeadersArgs): Promise<Headers>;
}

/** Memoises a client's per-call header building in place; the client stays the SDK's own class. */
export function memoiseHeaders(client: OpenAI): OpenAI {
  const steps = client as unknown as HeaderSteps;
  const authHeaders = steps.authHeaders;
  const buildHeaders = steps.buildHeaders;
  // A plain API key gives the same Authorization header to every call (a key callback or workload
  // identity does not: they go through the SDK every time).
  let auth: { apiKey: string; schemes: string; headers: Promise<NullableHeaders | undefined> } | null = null;
  /** The headers built for the current key, by attempt, timeout and content type. */
  let built = new Map<string, Headers>();
  let resolvedAuth: NullableHeaders | undefined;

  steps.authHeaders = function (opts, schemes) {
    if (typeof this.apiKey !== "string" || this._workloadIdentityAuth) return authHeaders.call(this, opts, schemes);
    const key = JSON.stringify(schemes ?? null);
    if (auth?.apiKey !== this.apiKey || auth.schemes !== key) {
      const headers = authHeaders.call(this, opts, schemes);
      auth = { apiKey: this.apiKey, schemes: key, headers };
      built = new Map();
      resolvedAuth = undefined;
      void headers.then((h) => auth?.headers === headers && (resolvedAuth = h)).catch(() => undefined);
    }
    return auth.headers;
  };

  steps.buildHeaders = async function (args) {
    const { options, bodyHeaders } = args;
    const plainBody = bodyHeaders === undefined || (Object.keys(bodyHeaders).length === 1 && "content-type" in bodyHeaders);
    const memoised = resolvedAuth !== undefined && args.authenticationHeaders === resolvedAuth;
    if (!memoised || args.x509Headers || options.headers != null || options.__metadata || this.idempotencyHeader || !plainBody) {
      return buildHeaders.call(this, args);
    }
    const key = `${args.retryCount ?? 0}\n${options.timeout ?? ""}\n${bodyHeaders?.["content-type"] ?? ""}`;
    const forThisKey = built;
    const ready = forThisKey.get(key);
    if (ready) return new Headers(ready);
    const headers = await buildHeaders.call(this, args);
    forThisKey.set(key, new Headers(headers));
    return headers;
  };
  return client;
}
