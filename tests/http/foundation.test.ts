// The server's base: probes, info, config, docs, the OpenAPI document and the error contract.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { openApiPath } from "../../src/http/openapi-document.ts";
import { errorOf, startTestApp, type TestApp } from "../support/app.ts";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ env: { OPENAI_API_KEY: "sk-test-never-shown", S3_SECRET_KEY: "s3-never-shown" } });
});
afterAll(() => t.close());

describe("health probes", () => {
  test("/health/live answers alive", async () => {
    const res = await t.request("GET", "/health/live");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "alive" });
  });

  test("/health/ready is ready while the database answers", async () => {
    const res = await t.request("GET", "/health/ready");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ready", checks: { database: { status: "healthy", backend: "sqlite" } } });
  });

  test("/health reports provider, database, storage and disk in the seed's shape", async () => {
    const res = await t.request("GET", "/health");
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, any>;
    expect(body.status).toBe("healthy");
    expect(Date.parse(body.timestamp)).not.toBeNaN();
    expect(body.uptime).toEqual({ uptime_seconds: expect.any(Number), uptime_human: expect.stringMatching(/^\d+:\d\d:\d\d$/) });
    expect(body.checks.openai_api.status).toBe("configured");
    expect(body.checks.database.status).toBe("healthy");
    expect(body.checks.storage).toMatchObject({ status: "healthy", writable: true });
    expect(body.checks.disk.free_gb).toBeGreaterThan(0);
  });

  test("without any provider key the server is degraded, not down", async () => {
    const bare = await startTestApp();
    try {
      const body = (await (await bare.request("GET", "/health")).json()) as Record<string, any>;
      expect(body.status).toBe("degraded");
      expect(body.checks.openai_api.status).toBe("not_configured");
      expect((await bare.request("GET", "/health/ready")).status).toBe(200);
    } finally {
      await bare.close();
    }
  });

  test("a local provider (base URL, no key) counts as configured", async () => {
    const local = await startTestApp({ env: { OPENAI_BASE_URL: "http://127.0.0.1:11434/v1" } });
    try {
      const body = (await (await local.request("GET", "/health")).json()) as Record<string, any>;
      expect(body.checks.openai_api.status).toBe("configured");
    } finally {
      await local.close();
    }
  });
});

describe("info and config", () => {
  test("GET / names the product, its version and its endpoints", async () => {
    const body = (await (await t.request("GET", "/")).json()) as Record<string, any>;
    expect(body.name).toBe("TextLLM");
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
    const endpoints = body.endpoints.map((e: { method: string; path: string }) => `${e.method} ${e.path}`);
    expect(endpoints).toEqual(
      expect.arrayContaining(["GET /health", "GET /health/live", "GET /health/ready", "GET /config", "GET /docs", "POST /conversations"]),
    );
  });

  test("GET /config shows the seed keys and no secret", async () => {
    const res = await t.request("GET", "/config");
    const text = await res.text();
    const body = JSON.parse(text);
    expect(body.config).toMatchObject({ model: "gpt-4o", max_input_length: 10000, max_file_size_mb: 20, rate_limit_per_minute: 10, stream_responses: true });
    expect(text).not.toContain("sk-test-never-shown");
    expect(text).not.toContain("s3-never-shown");
  });
});

describe("documentation", () => {
  test("/docs is Swagger UI whose scripts and styles are all served by this server", async () => {
    const html = await (await t.request("GET", "/docs")).text();
    expect(html).toContain("SwaggerUIBundle");
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThanOrEqual(2);
    for (const ref of refs) {
      expect(ref.startsWith("/")).toBe(true); // nothing from a CDN
      const asset = await t.request("GET", ref);
      expect(asset.status).toBe(200);
      expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(10_000);
    }
    expect(html).toContain("openapi.json");
  });

  test("/redoc is ReDoc, served locally too", async () => {
    const html = await (await t.request("GET", "/redoc")).text();
    expect(html).toContain('spec-url="/openapi.json"');
    const src = html.match(/<script src="([^"]+)"/)![1]!;
    expect(src.startsWith("/")).toBe(true);
    const js = await t.request("GET", src);
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toContain("javascript");
  });

  test("an unknown documentation asset is a 404 with an error body", async () => {
    const res = await t.request("GET", "/docs/assets/nothing.js");
    expect(res.status).toBe(404);
    await errorOf(res);
  });

  test("the OpenAPI document lists every route the server has", async () => {
    const spec = (await (await t.request("GET", "/openapi.json")).json()) as {
      openapi: string;
      info: { title: string };
      paths: Record<string, Record<string, unknown>>;
    };
    expect(spec.openapi).toMatch(/^3\./);
    expect(spec.info.title).toContain("TextLLM");
    const documented = new Set(Object.entries(spec.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)));
    const served = t.app.routes
      .filter(
        (r) =>
          r.method !== "OPTIONS" &&
          !r.path.startsWith("/docs/assets/") &&
          !r.path.startsWith("/console") &&
          !["/docs", "/redoc", "/openapi.json"].includes(r.path),
      )
      .map((r) => `${r.method} ${openApiPath(r.path, "key")}`);
    expect(served.length).toBeGreaterThan(8);
    for (const route of served) expect(documented).toContain(route);
  });
});

describe("errors are OpenAI-style with the right status", () => {
  test("unknown route → 404 naming method and path", async () => {
    const res = await t.request("POST", "/v1/nothing-here");
    expect(res.status).toBe(404);
    const e = await errorOf(res);
    expect(e).toMatchObject({ type: "invalid_request_error", code: "unknown_url", param: null });
    expect(e.message).toContain("POST /v1/nothing-here");
  });

  test("malformed JSON → 400 invalid_json", async () => {
    const res = await t.request("POST", "/conversations", { body: '{"user_id": "a",', headers: { "content-type": "application/json" } });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ type: "invalid_request_error", code: "invalid_json" });
  });

  test("a JSON body that is not an object → 400", async () => {
    for (const body of ["[1,2]", '"text"', "42", "null"]) {
      const res = await t.request("PATCH", "/conversations/conv_x", { body, headers: { "content-type": "application/json" } });
      expect(res.status).toBe(400);
      expect((await errorOf(res)).code).toBe("invalid_body");
    }
  });

  test("wrong field types → 400 (not 422) naming the parameter", async () => {
    const cases: Array<[unknown, string]> = [
      [{ user_id: 42 }, "user_id"],
      [{ tags: "not-a-list" }, "tags"],
      [{ tags: [1] }, "tags[0]"],
      [{ metadata: "x" }, "metadata"],
      [{ title: { nested: true } }, "title"],
    ];
    for (const [body, param] of cases) {
      const res = await t.request("POST", "/conversations", { body });
      expect(res.status).toBe(400);
      const e = await errorOf(res);
      expect(e.type).toBe("invalid_request_error");
      expect(e.param).toBe(param);
      expect(e.message).toContain(param);
    }
  });

  test("invalid query parameters → 400 saying what is expected", async () => {
    const res = await t.request("GET", "/conversations?user_id=u&limit=many");
    expect(res.status).toBe(400);
    const e = await errorOf(res);
    expect(e.param).toBe("limit");
    expect(e.message).toContain("integer");
    const order = await errorOf(await t.request("GET", "/conversations/conv_x/messages?order=sideways"));
    expect(order.message).toContain('"asc"');
  });

  test("an unsupported content type → 415", async () => {
    const res = await t.request("POST", "/conversations", { body: "<user/>", headers: { "content-type": "application/xml" } });
    expect(res.status).toBe(415);
    expect((await errorOf(res)).code).toBe("unsupported_media_type");
  });

  test("JSON sent as text/plain (fetch's default for strings) is accepted", async () => {
    const res = await t.request("POST", "/conversations", { body: '{"user_id":"plain-user"}', headers: { "content-type": "text/plain;charset=UTF-8" } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { user_id: string }).user_id).toBe("plain-user");
  });

  test("every response carries x-request-id; a client's own id is echoed", async () => {
    for (const [method, path] of [
      ["GET", "/health/live"],
      ["GET", "/missing"],
      ["POST", "/conversations"],
    ] as const) {
      const res = await t.request(method, path, method === "POST" ? { body: "{bad", headers: { "content-type": "application/json" } } : {});
      expect(res.headers.get("x-request-id")).toMatch(/^req_[0-9a-f]{32}$/);
    }
    const echoed = await t.request("GET", "/health/live", { headers: { "x-request-id": "client-trace-123" } });
    expect(echoed.headers.get("x-request-id")).toBe("client-trace-123");
    const hostile = await t.request("GET", "/health/live", { headers: { "x-request-id": "bad id\twith spaces" } });
    expect(hostile.headers.get("x-request-id")).toMatch(/^req_/);
  });
});

describe("oversized bodies", () => {
  let small: TestApp;
  beforeAll(async () => {
    small = await startTestApp({ config: { server: { max_body_mb: 0.01 } } }); // ~10 KB
  });
  afterAll(() => small.close());

  test("a declared Content-Length over the limit → 413 with an error body", async () => {
    const res = await small.request("POST", "/conversations", { body: JSON.stringify({ title: "x".repeat(20_000) }) });
    expect(res.status).toBe(413);
    const e = await errorOf(res);
    expect(e.code).toBe("payload_too_large");
    expect(e.message).toContain("max_body_mb");
  });

  test("a chunked body without Content-Length is cut off at the limit → 413", async () => {
    const chunk = new TextEncoder().encode(`"${"y".repeat(4096)}",`);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('{"tags":['));
      },
      pull(c) {
        if (sent++ < 10) c.enqueue(chunk);
        else {
          c.enqueue(new TextEncoder().encode('"z"]}'));
          c.close();
        }
      },
    });
    const res = await small.request("POST", "/conversations", { body: stream, headers: { "content-type": "application/json" } });
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe("payload_too_large");
  });

  test("a body under the limit still works", async () => {
    const res = await small.request("POST", "/conversations", { body: { title: "small" } });
    expect(res.status).toBe(200);
  });
});
