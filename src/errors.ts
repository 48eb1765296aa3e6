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

export class AppError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: ErrorType,
    readonly code: string | null = null,
    readonly param: string | null = null,
    /** Extra response headers (Retry-After, Allow, ...). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toBody(): ErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export const badRequest = (message: string, param: string | null = null, code: string | null = null) =>
  new AppError(400, message, "invalid_request_error", code, param);

export const notFound = (message: string, code: string | null = "not_found") =>
  new AppError(404, message, "invalid_request_error", code);

export const forbidden = (message: string, code: string | null = "permission_denied") =>
  new AppError(403, message, "permission_error", code);

export const payloadTooLarge = (message: string, param: string | null = null) =>
  new AppError(413, message, "invalid_request_error", "payload_too_large", param);

export const unsupportedMediaType = (message: string, param: string | null = null) =>
  new AppError(415, message, "invalid_request_error", "unsupported_media_type", param);

export const serviceUnavailable = (message: string, code: string | null = "service_unavailable") =>
  new AppError(503, message, "service_unavailable", code);

export const internalError = () =>
  new AppError(500, "The server had an error while processing your request.", "server_error", "internal_error");

/** How long a client is asked to wait before retrying while the database does not answer. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

export const databaseUnavailable = (message: string) =>
  new AppError(503, message, "service_unavailable", "database_unavailable", null, { "retry-after": String(DATABASE_RETRY_AFTER_SECONDS) });

/** The disk (or a file-size limit) refused a write: nothing of it was kept. */
export const insufficientStorage = (message: string) => new AppError(507, message, "server_error", "insufficient_storage");
