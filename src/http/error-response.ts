// The one function that turns any failure into an HTTP answer with OpenAI's error body.
import { AppError, badRequest, internalError, notFound, unsupportedMediaType, type ErrorBody } from "../errors.ts";
import { asStorageError } from "../storage/out-of-space.ts";

export interface ErrorAnswer {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
}

interface SchemaInfo {
  type?: unknown;
  const?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  anyOf?: SchemaInfo[];
}

interface ValidationIssue {
  path?: string;
  message?: string;
  value?: unknown;
  schema?: SchemaInfo;
}

/** Maps Elysia's error codes and our AppError to status + body. Unknown errors become a bare 500. */
export function toErrorAnswer(code: string | number, error: unknown, method: string, path: string): ErrorAnswer {
  const app = classify(code, error, method, path);
  return { status: app.status, body: app.toBody(), headers: app.headers };
}

function classify(code: string | number, error: unknown, method: string, path: string): AppError {
  if (error instanceof AppError) return error;
  // Elysia wraps whatever a body parser throws (our 400/413 included) in its ParseError.
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (cause instanceof AppError) return cause;
  switch (code) {
    case "NOT_FOUND":
      return notFound(`Invalid URL (${method} ${path})`, "unknown_url");
    case "PARSE":
      return badRequest("We could not parse the body of your request: it is not valid for its Content-Type.", null, "invalid_body");
    case "VALIDATION":
      return fromValidation(error);
    case "INVALID_FILE_TYPE":
      return unsupportedMediaType((error as Error).message);
    default: {
      // A full disk under the database (or anything else that writes) is a 507, not a bug.
      const storage = asStorageError(error, "what this request wrote");
      return storage instanceof AppError ? storage : internalError();
    }
  }
}

function fromValidation(error: unknown): AppError {
  const e = error as { type?: string; valueError?: ValidationIssue; all?: ValidationIssue[] };
  const issue = e.valueError ?? e.all?.[0];
  const where = e.type === "query" ? "query parameter" : e.type === "params" ? "path parameter" : e.type === "headers" ? "header" : "field";
  const param = issue?.path ? jsonPathToParam(issue.path) : null;
  if (!issue || !param) {
    return badRequest(`Invalid request ${e.type ?? "body"}: ${issue?.message ?? "it does not match the expected shape"}.`, null, "invalid_request");
  }
  const got = issue.value === undefined ? "nothing" : describeValue(issue.value);
  const detail = issue.schema?.description ? ` (${issue.schema.description})` : "";
  return badRequest(
    `Invalid ${where} '${param}': ${expected(issue)}${detail}; got ${got}.`,
    param,
    issue.value === undefined ? "missing_required_parameter" : "invalid_type",
  );
}

/** "/messages/0/content" → "messages[0].content", the way OpenAI names parameters. */
export function jsonPathToParam(path: string): string {
  return path
    .split("/")
    .filter(Boolean)
    .map((seg) => seg.replaceAll("~1", "/").replaceAll("~0", "~"))
    .reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), "");
}

function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return v.length > 40 ? `a string of ${v.length} characters` : JSON.stringify(v);
  if (typeof v === "object") return "an object";
  return `${typeof v} ${String(v)}`;
}

/** Elysia turns query integers and booleans into unions ("Expected union value"): say what is meant. */
function expected(issue: ValidationIssue): string {
  const options = issue.schema?.anyOf;
  if (!options) return lowerFirst(issue.message ?? "invalid value");
  const consts = options.filter((o) => o.const !== undefined).map((o) => JSON.stringify(o.const));
  if (consts.length === options.length) return `expected one of ${consts.join(", ")}`;
  const typed = options.find((o) => o.type === "integer" || o.type === "number" || o.type === "boolean");
  if (typed?.type === "boolean") return "expected true or false";
  if (typed) {
    const range = [typed.minimum !== undefined ? `≥ ${typed.minimum}` : "", typed.maximum !== undefined ? `≤ ${typed.maximum}` : ""]
      .filter(Boolean)
      .join(" and ");
    return `expected ${typed.type === "integer" ? "an integer" : "a number"}${range ? ` ${range}` : ""}`;
  }
  const types = options.map((o) => (o.type === "null" ? "null" : typeof o.type === "string" ? `${/^[aeiou]/.test(o.type) ? "an" : "a"} ${o.type}` : null));
  if (types.every(Boolean)) return `expected ${types.join(" or ")}`;
  return lowerFirst(issue.message ?? "invalid value");
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/**
 * A failure in the middle of an SSE stream, as its last frame: OpenAI's error body (plus `extra`
 * fields, e.g. /chat's ids), under an `event:` name where the surface's clients expect one.
 */
export function errorFrame(error: AppError, opts: { event?: string; extra?: Record<string, unknown> } = {}): string {
  const data = `data: ${JSON.stringify({ ...error.toBody(), ...opts.extra })}\n\n`;
  return opts.event ? `event: ${opts.event}\n${data}` : data;
}
