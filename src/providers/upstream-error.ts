// What an upstream failure means for our client: 4xx come back with their status and the
// upstream's own message; 429 keeps its retry-after; 5xx become 502 (503/504 kept); a timeout is
// 504 and an unreachable upstream 502. Always an OpenAI-style body.
import * as OpenAIErrors from "openai/core/error"; // the classes alone: the SDK loads with the first call (openai-compatible.ts)
import { AppError, badGateway, clientClosedRequest, ErrorCode, upstreamAnswer, upstreamTimeout, type ErrorType } from "../errors.ts";

interface UpstreamBody {
  message?: unknown;
  type?: unknown;
  code?: unknown;
  param?: unknown;
}

export function fromUpstreamError(err: unknown, provider: string): AppError {
  if (err instanceof AppError) return err;
  // We cancelled the call because our client went away (nginx's 499): nobody reads this answer,
  // but the usage log says what happened.
  if (isAbort(err)) return clientClosedRequest();
  if (err instanceof OpenAIErrors.APIConnectionTimeoutError) {
    return upstreamTimeout(`The upstream provider '${provider}' did not answer in time.`);
  }
  if (err instanceof OpenAIErrors.APIConnectionError) {
    return badGateway(`The upstream provider '${provider}' could not be reached.`, "upstream_unreachable");
  }
  if (err instanceof OpenAIErrors.APIError && typeof err.status === "number") {
    const body = (err.error ?? {}) as UpstreamBody;
    const message = typeof body.message === "string" && body.message ? body.message : err.message;
    const code = typeof body.code === "string" ? body.code : null;
    const param = typeof body.param === "string" ? body.param : null;
    if (err.status >= 500) {
      const status = err.status === 503 || err.status === 504 ? err.status : 502;
      return upstreamAnswer({
        status,
        message: `The upstream provider '${provider}' failed (${err.status}): ${message}`,
        type: "server_error",
        code: code ?? "upstream_error",
      });
    }
    const headers: Record<string, string> = {};
    const retryAfter = err.headers?.get?.("retry-after");
    if (err.status === 429 && retryAfter) headers["retry-after"] = retryAfter;
    const type = typeof body.type === "string" ? (body.type as ErrorType) : err.status === 429 ? "rate_limit_error" : "invalid_request_error";
    return upstreamAnswer({ status: err.status, message, type, code: code ?? (err.status === 429 ? "upstream_rate_limited" : null), param, headers });
  }
  const detail = err instanceof Error ? err.message : String(err);
  return badGateway(`The upstream provider '${provider}' failed: ${detail}`);
}

/** True for an abort we caused (client went away), which is not an upstream failure. */
export const isAbort = (err: unknown) => err instanceof OpenAIErrors.APIUserAbortError || (err instanceof Error && err.name === "AbortError");

/** The upstream's reply broke off (connection lost, or the stream ended) before it was finished. */
export const streamInterrupted = (provider: string) =>
  badGateway(`The upstream provider '${provider}' ended its reply before finishing it.`, ErrorCode.upstreamStreamInterrupted);

/**
 * A failure while reading a streamed reply that had started: an error event from the upstream keeps
 * its meaning; anything else (the runtime's own socket errors among them) is an interrupted stream.
 */
export function fromStreamError(err: unknown, provider: string): AppError {
  const connection = err instanceof OpenAIErrors.APIConnectionError;
  if (err instanceof AppError || (err instanceof OpenAIErrors.APIError && !connection)) return fromUpstreamError(err, provider);
  return streamInterrupted(provider);
}
