// Table: what each kind of upstream failure becomes for our client (status, code, type, headers).
import { describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { AppError, forbidden } from "../../src/errors.ts";
import { fromUpstreamError, isAbort } from "../../src/providers/upstream-error.ts";

const apiError = (status: number, body: object | undefined, headers: Record<string, string> = {}) =>
  OpenAI.APIError.generate(status, body ? { error: body } : undefined, undefined, new Headers(headers));

interface Row {
  name: string;
  err: unknown;
  status: number;
  code: string | null;
  type: string;
  headers?: Record<string, string>;
  message?: RegExp;
}

const rows: Row[] = [
  {
    name: "connection timeout",
    err: new OpenAI.APIConnectionTimeoutError(),
    status: 504,
    code: "upstream_timeout",
    type: "server_error",
    message: /'mock' did not answer in time/,
  },
  { name: "connection refused", err: new OpenAI.APIConnectionError({ message: "refused" }), status: 502, code: "upstream_unreachable", type: "server_error" },
  { name: "client went away (SDK abort)", err: new OpenAI.APIUserAbortError(), status: 499, code: "client_closed_request", type: "invalid_request_error" },
  {
    name: "client went away (DOM abort)",
    err: Object.assign(new Error("aborted"), { name: "AbortError" }),
    status: 499,
    code: "client_closed_request",
    type: "invalid_request_error",
  },
  {
    name: "500 becomes 502",
    err: apiError(500, { message: "boom" }),
    status: 502,
    code: "upstream_error",
    type: "server_error",
    message: /failed \(500\): boom/,
  },
  {
    name: "502 stays 502 with the upstream's code",
    err: apiError(502, { message: "bad", code: "gateway" }),
    status: 502,
    code: "gateway",
    type: "server_error",
  },
  { name: "503 kept", err: apiError(503, { message: "overloaded" }), status: 503, code: "upstream_error", type: "server_error" },
  { name: "504 kept", err: apiError(504, { message: "slow" }), status: 504, code: "upstream_error", type: "server_error" },
  {
    name: "429 keeps retry-after",
    err: apiError(429, { message: "slow down" }, { "retry-after": "7" }),
    status: 429,
    code: "upstream_rate_limited",
    type: "rate_limit_error",
    headers: { "retry-after": "7" },
  },
  {
    name: "429 with the upstream's own type and code",
    err: apiError(429, { message: "quota", type: "insufficient_quota", code: "insufficient_quota" }),
    status: 429,
    code: "insufficient_quota",
    type: "insufficient_quota",
  },
  {
    name: "400 passes through with param",
    err: apiError(400, { message: "bad temperature", param: "temperature", code: "invalid_value" }),
    status: 400,
    code: "invalid_value",
    type: "invalid_request_error",
    message: /^bad temperature$/,
  },
  { name: "404 without a body", err: apiError(404, undefined), status: 404, code: null, type: "invalid_request_error" },
  { name: "anything else", err: new TypeError("weird"), status: 502, code: "upstream_error", type: "server_error", message: /failed: weird/ },
];

describe("fromUpstreamError", () => {
  test.each(rows)("$name", (row) => {
    const e = fromUpstreamError(row.err, "mock");
    expect(e).toBeInstanceOf(AppError);
    expect(e.status).toBe(row.status);
    expect(e.code).toBe(row.code);
    expect(e.type as string).toBe(row.type);
    if (row.headers) expect(e.headers).toEqual(row.headers);
    else expect(e.headers["retry-after"]).toBeUndefined();
    if (row.message) expect(e.message).toMatch(row.message);
    const body = e.toBody();
    expect(Object.keys(body.error).sort()).toEqual(["code", "message", "param", "type"]);
  });

  test("400 keeps the upstream's param", () => {
    expect(fromUpstreamError(apiError(400, { message: "x", param: "messages[0]" }), "mock").param).toBe("messages[0]");
  });

  test("an AppError passes unchanged", () => {
    const original = forbidden("teapot", "teapot");
    expect(fromUpstreamError(original, "mock")).toBe(original);
  });

  test("isAbort tells our own cancellations from failures", () => {
    expect(isAbort(new OpenAI.APIUserAbortError())).toBe(true);
    expect(isAbort(Object.assign(new Error("x"), { name: "AbortError" }))).toBe(true);
    expect(isAbort(new Error("x"))).toBe(false);
    expect(isAbort(new OpenAI.APIConnectionError({ message: "x" }))).toBe(false);
  });
});
