// The one error body every route answers with, {"error":{message,type,param,code}}, and a typical
// example for each status the server uses — so every route documents its failures the same way.
import { t } from "elysia";

export const ErrorBodySchema = t.Object(
  {
    error: t.Object({
      message: t.String({ description: "what went wrong and how to fix it, for a person" }),
      type: t.String({ description: "the error family, as in OpenAI's API: invalid_request_error, rate_limit_error, server_error, ..." }),
      param: t.Union([t.String(), t.Null()], { description: "the request field at fault, when there is one" }),
      code: t.Union([t.String(), t.Null()], { description: "a stable machine-readable code: missing_required_parameter, rate_limit_exceeded, ..." }),
    }),
  },
  { description: "OpenAI-style error body" },
);

const error = (message: string, type: string, code: string, param: string | null = null) => ({ error: { message, type, param, code } });

/** The statuses this server answers with, each with what it means and a body it really sends. */
export const ERRORS = {
  400: {
    description: "Invalid request: a missing or malformed field, bad JSON, a bad file",
    example: error("Invalid field 'messages': expected array; got nothing.", "invalid_request_error", "missing_required_parameter", "messages"),
  },
  401: {
    description: "Missing or unknown API key (only when API keys are configured)",
    example: error("You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.", "invalid_request_error", "invalid_api_key"),
  },
  402: {
    description: "The user's daily budget (cost_limit_per_session) is spent",
    example: error("The daily budget of $1.00 is used up ($1.0012 spent today, UTC). It renews at midnight UTC.", "insufficient_quota", "budget_exceeded"),
  },
  403: {
    description: "The key may not do this (e.g. a user key asking for every user's statistics)",
    example: error("Everyone's statistics need the admin key.", "permission_error", "permission_denied"),
  },
  404: {
    description: "No such record (or it belongs to another user), model or route",
    example: error("No conversation found with id 'conv_123'.", "invalid_request_error", "conversation_not_found"),
  },
  413: {
    description: "The request body is larger than server.max_body_mb, or a file larger than max_file_size_mb",
    example: error("Request body too large: the limit is 25 MB (server.max_body_mb).", "invalid_request_error", "payload_too_large"),
  },
  415: {
    description: "Unsupported Content-Type, or a file whose content is not an accepted type",
    example: error(
      "Unsupported Content-Type 'application/xml': send application/json (or multipart/form-data where files are accepted).",
      "invalid_request_error",
      "unsupported_media_type",
    ),
  },
  429: {
    description: "Rate limit reached; the Retry-After header says when to try again",
    example: error(
      "Rate limit reached: 10 requests per minute, in bursts of at most 10, for this user. Try again in 6 s.",
      "rate_limit_error",
      "rate_limit_exceeded",
    ),
  },
  500: {
    description: "Unexpected server error",
    example: error("The server had an error while processing your request.", "server_error", "internal_error"),
  },
  502: {
    description: "The upstream provider failed or could not be reached",
    example: error("The upstream provider 'openai' could not be reached.", "server_error", "upstream_unreachable"),
  },
  503: {
    description:
      "Unavailable: the server is shutting down, the database is unreachable (database_unavailable, with Retry-After), or the model's provider has no key (provider_not_configured)",
    example: error("The server is shutting down; retry on another instance.", "service_unavailable", "shutting_down"),
  },
  507: {
    description: "No room left to store what the request writes; nothing of it was kept",
    example: error(
      "There is no room to store the upload (ENOSPC); nothing of it was kept. Try again later or ask the operator to free space.",
      "server_error",
      "insufficient_storage",
    ),
  },
  504: {
    description: "The upstream provider did not answer in time",
    example: error("The upstream provider 'openai' did not answer in time.", "server_error", "upstream_timeout"),
  },
} as const;

export type ErrorStatus = keyof typeof ERRORS;

/** The error answers a route can give, as OpenAPI response objects. */
export function errorResponses(statuses: readonly ErrorStatus[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      String(status),
      { description: ERRORS[status].description, content: { "application/json": { schema: ErrorBodySchema, example: ERRORS[status].example } } },
    ]),
  );
}

/** Every route can meet these: a bad key, a server fault, a server shutting down. */
export const COMMON_ERRORS: readonly ErrorStatus[] = [401, 500, 503];
/** What a route with a JSON body adds: bad fields or JSON, too large, wrong Content-Type. */
export const BODY_ERRORS: readonly ErrorStatus[] = [400, 413, 415];
/** What a route that stores something adds: a full disk. */
export const WRITE_ERRORS: readonly ErrorStatus[] = [507];
/** What a chat turn adds: the rate limit, the budget, the upstream, storing the turn. */
export const TURN_ERRORS: readonly ErrorStatus[] = [402, 404, 429, 502, 504, ...WRITE_ERRORS];
