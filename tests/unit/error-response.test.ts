// Table: every failure the HTTP layer meets becomes one status and one OpenAI-style error body.
import { describe, expect, test } from "bun:test";
import { badRequest, rateLimited } from "../../src/errors.ts";
import { jsonPathToParam, toErrorAnswer } from "../../src/http/error-response.ts";

const validation = (type: string, valueError: object) => ({ type, valueError });

describe("toErrorAnswer", () => {
  test.each([
    { name: "our own error", code: "UNKNOWN", error: rateLimited("slow", 3), status: 429, errCode: "rate_limit_exceeded", headers: { "retry-after": "3" } },
    {
      name: "our error wrapped by a parser",
      code: "PARSE",
      error: { cause: badRequest("bad form", "message", "invalid_form") },
      status: 400,
      errCode: "invalid_form",
      param: "message",
    },
    { name: "unknown route", code: "NOT_FOUND", error: new Error("nf"), status: 404, errCode: "unknown_url", message: "Invalid URL (POST /nope)" },
    { name: "unparseable body", code: "PARSE", error: new Error("json"), status: 400, errCode: "invalid_body" },
    { name: "file type", code: "INVALID_FILE_TYPE", error: new Error("not an image"), status: 415, errCode: "unsupported_media_type", message: "not an image" },
    {
      name: "anything else",
      code: "INTERNAL_SERVER_ERROR",
      error: new Error("secret detail"),
      status: 500,
      errCode: "internal_error",
      message: "The server had an error while processing your request.",
    },
    {
      name: "a missing field",
      code: "VALIDATION",
      error: validation("body", { path: "/messages", message: "Expected array", value: undefined }),
      status: 400,
      errCode: "missing_required_parameter",
      param: "messages",
      message: "Invalid field 'messages': expected array; got nothing.",
    },
    {
      name: "a wrong type deep inside",
      code: "VALIDATION",
      error: validation("body", { path: "/messages/0/content", message: "Expected string", value: 5 }),
      status: 400,
      errCode: "invalid_type",
      param: "messages[0].content",
      message: "Invalid field 'messages[0].content': expected string; got number 5.",
    },
    {
      name: "a query integer out of range",
      code: "VALIDATION",
      error: validation("query", {
        path: "/limit",
        message: "Expected union value",
        value: "-1",
        schema: { anyOf: [{ type: "integer", minimum: 1, maximum: 100 }, { type: "string" }] },
      }),
      status: 400,
      errCode: "invalid_type",
      param: "limit",
      message: "Invalid query parameter 'limit': expected an integer ≥ 1 and ≤ 100; got \"-1\".",
    },
    {
      name: "a query boolean",
      code: "VALIDATION",
      error: validation("query", {
        path: "/soft",
        message: "Expected union value",
        value: "maybe",
        schema: { anyOf: [{ type: "boolean" }, { type: "string" }] },
      }),
      status: 400,
      errCode: "invalid_type",
      param: "soft",
      message: "Invalid query parameter 'soft': expected true or false; got \"maybe\".",
    },
    {
      name: "an enum",
      code: "VALIDATION",
      error: validation("query", { path: "/order", message: "Expected union value", value: "up", schema: { anyOf: [{ const: "asc" }, { const: "desc" }] } }),
      status: 400,
      errCode: "invalid_type",
      param: "order",
      message: 'Invalid query parameter \'order\': expected one of "asc", "desc"; got "up".',
    },
    {
      name: "a long string value is described, not echoed",
      code: "VALIDATION",
      error: validation("body", {
        path: "/model",
        message: "Expected string length less or equal to 255",
        value: "m".repeat(300),
        schema: { description: "a model id" },
      }),
      status: 400,
      errCode: "invalid_type",
      param: "model",
      message: "Invalid field 'model': expected string length less or equal to 255 (a model id); got a string of 300 characters.",
    },
    {
      name: "a validation without a path",
      code: "VALIDATION",
      error: validation("body", { message: "Expected object" }),
      status: 400,
      errCode: "invalid_request",
      message: "Invalid request body: Expected object.",
    },
  ] as { name: string; code: string; error: unknown; status: number; errCode: string; param?: string; message?: string; headers?: Record<string, string> }[])(
    "$name",
    ({ code, error, status, errCode, param, message, headers }) => {
      const answer = toErrorAnswer(code, error, "POST", "/nope");
      expect(answer.status).toBe(status);
      expect(Object.keys(answer.body.error).sort()).toEqual(["code", "message", "param", "type"]);
      expect(answer.body.error.code).toBe(errCode);
      expect(answer.body.error.param).toBe(param ?? null);
      if (message) expect(answer.body.error.message).toBe(message);
      expect(answer.headers).toEqual(headers ?? {});
    },
  );
});

describe("jsonPathToParam", () => {
  test.each([
    ["/messages/0/content", "messages[0].content"],
    ["/a/b/c", "a.b.c"],
    ["/tools/2", "tools[2]"],
    ["/metadata/a~1b/c~0d", "metadata.a/b.c~d"],
    ["", ""],
  ])("%p → %p", (path, param) => {
    expect(jsonPathToParam(path)).toBe(param);
  });
});
