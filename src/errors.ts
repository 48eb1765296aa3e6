// One error type for the whole server, rendered in one place as OpenAI's error body
// {"error":{"message","type","param","code"}}. Services throw these; only the HTTP layer renders.

export type ErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "rate_limit_error"
  | "insufficient_quota"
  | "server_error"
  | "service_unavailable";

export interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** The error codes the server itself branches on (metrics, logging, stream endings). */
export const ErrorCode = {
  rateLimitExceeded: "rate_limit_exceeded",
  budgetExceeded: "budget_exceeded",
  shuttingDown: "shutting_down",
  clientClosedRequest: "client_closed_request",
  storageUnavailable: "storage_unavailable",
  databaseUnavailable: "database_unavailable",
  upstreamTimeout: "upstream_timeout",
  upstreamStreamInterrupted: "upstream_stream_interrupted",
} as const;

export interface AppErrorOptions {
  status: number;
  message: string;
  type: ErrorType;
  code?: string | null;
  param?: string | null;
  /** Extra response headers (Retry-After, WWW-Authenticate, ...). */
  headers?: Record<string, string>;
}

export class AppError extends Error {
  readonly status: number;
  readonly type: ErrorType;
  readonly code: string | null;
  readonly param: string | null;
  readonly headers: Record<string, string>;

  constructor(o: AppErrorOptions) {
    super(o.message);
    this.status = o.status;
    this.type = o.type;
    this.code = o.code ?? null;
    this.param = o.param ?? null;
    this.headers = o.headers ?? {};
  }

  toBody(): ErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

// One named constructor per answer the server gives; nothing else builds an AppError by hand.

export const badRequest = (message: string, param: string | null = null, code: string | null = null) =>
  new AppError({ status: 400, message, type: "invalid_request_error", code, param });

export const unauthorized = (message: string, code: string | null = "invalid_api_key") =>
  new AppError({ status: 401, message, type: "invalid_request_error", code, headers: { "www-authenticate": 'Bearer realm="textllm"' } });

export const budgetExceeded = (message: string) => new AppError({ status: 402, message, type: "insufficient_quota", code: ErrorCode.budgetExceeded });

export const forbidden = (message: string, code: string | null = "permission_denied") => new AppError({ status: 403, message, type: "permission_error", code });

export const notFound = (message: string, code: string | null = "not_found") => new AppError({ status: 404, message, type: "invalid_request_error", code });

export const payloadTooLarge = (message: string, param: string | null = null) =>
  new AppError({ status: 413, message, type: "invalid_request_error", code: "payload_too_large", param });

export const unsupportedMediaType = (message: string, param: string | null = null) =>
  new AppError({ status: 415, message, type: "invalid_request_error", code: "unsupported_media_type", param });

/** An Idempotency-Key already used for a different request (method, path or body). */
export const idempotencyKeyReused = (message: string) =>
  new AppError({ status: 422, message, type: "invalid_request_error", code: "idempotency_key_reused", param: "Idempotency-Key" });

/** Our rate limit: `retryAfterSeconds` goes to the Retry-After header. */
export const rateLimited = (message: string, retryAfterSeconds: number) =>
  new AppError({ status: 429, message, type: "rate_limit_error", code: ErrorCode.rateLimitExceeded, headers: { "retry-after": String(retryAfterSeconds) } });

/** The client went away before its answer was complete (nginx's 499): for the usage log, nobody reads it. */
export const clientClosedRequest = () =>
  new AppError({
    status: 499,
    message: "The client closed the request before the reply was complete.",
    type: "invalid_request_error",
    code: ErrorCode.clientClosedRequest,
  });

export const internalError = () =>
  new AppError({ status: 500, message: "The server had an error while processing your request.", type: "server_error", code: "internal_error" });

/** An upstream that failed, could not be reached, or broke off its reply. */
export const badGateway = (message: string, code: string | null = "upstream_error") => new AppError({ status: 502, message, type: "server_error", code });

export const serviceUnavailable = (message: string, code: string | null = "service_unavailable", headers: Record<string, string> = {}) =>
  new AppError({ status: 503, message, type: "service_unavailable", code, headers });

export const upstreamTimeout = (message: string) => new AppError({ status: 504, message, type: "server_error", code: ErrorCode.upstreamTimeout });

/** The disk (or a file-size limit) refused a write: nothing of it was kept. */
export const insufficientStorage = (message: string) => new AppError({ status: 507, message, type: "server_error", code: "insufficient_storage" });

/** An upstream's own 4xx/5xx answer, passed on with its status, type, code and param. */
export const upstreamAnswer = (o: AppErrorOptions) => new AppError(o);

/** How long a client is asked to wait before retrying while the database does not answer. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

export const databaseUnavailable = (message: string) =>
  serviceUnavailable(message, ErrorCode.databaseUnavailable, { "retry-after": String(DATABASE_RETRY_AFTER_SECONDS) });

/** A streamed reply that could not be stored: its client is told rather than answered as if it were kept. */
export const storageUnavailable = () =>
  serviceUnavailable("The reply could not be stored: the server's storage is unavailable. Retry later.", ErrorCode.storageUnavailable);
