// The OpenAPI document is complete and true: every operation in it (new ones too) documents its
// request body, a success schema and an example; every example fits its schema; the real answers
// of the running server fit the documented schemas; the examples work when sent as they are.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Value } from "@sinclair/typebox/value";
import type { TSchema } from "@sinclair/typebox";
import { allRoutes, openApiPath } from "../../src/http/openapi-document.ts";
import { errorOf, type TestApp } from "../support/app.ts";
import { PNG_1PX } from "../support/fixtures.ts";
import { startHarness, type Harness } from "../support/harness.ts";

type Media = { schema?: Record<string, unknown>; example?: unknown; examples?: Record<string, { value: unknown }> };
type Operation = {
  requestBody?: { content?: Record<string, Media> };
  responses?: Record<string, { content?: Record<string, Media> }>;
  parameters?: { name: string; in: string }[];
};
type Spec = { paths: Record<string, Record<string, Operation>> };

let t: TestApp;
let spec: Spec;
let harness: Harness;
beforeAll(async () => {
  harness = await startHarness({ config: { cost_limit_per_session: 5, rate_limit_per_minute: 1000 }, upstreamKey: "sk-upstream" });
  t = harness.app;
  spec = (await (await t.request("GET", "/openapi.json")).json()) as Spec;
});
afterAll(() => harness?.close());

const operations = () =>
  Object.entries(spec.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, method, path, op })),
  );
const examplesOf = (m: Media) => [...(m.example !== undefined ? [m.example] : []), ...Object.values(m.examples ?? {}).map((e) => e.value)];
const isEmptySchema = (s: Record<string, unknown> | undefined) => !s || Object.keys(s).filter((k) => k !== "description").length === 0;

describe("every documented operation is complete", () => {
  test("the document has the routes, with /files/{key} instead of /files/*", () => {
    const names = operations().map((o) => o.name);
    expect(names.length).toBeGreaterThan(20);
    expect(names).toContain("GET /files/{key}");
    expect(names).toContain("DELETE /files/{key}");
    expect(names.some((n) => n.includes("*"))).toBe(false);
  });

  test("every POST and PATCH documents a non-empty request body schema for each content type", () => {
    const missing: string[] = [];
    for (const { name, method, op } of operations()) {
      if (method !== "post" && method !== "patch") continue;
      const content = Object.entries(op.requestBody?.content ?? {});
      if (!content.length || content.some(([, media]) => isEmptySchema(media.schema))) missing.push(name);
    }
    expect(missing).toEqual([]);
  });

  test("every operation has a 200/201 schema and an example of its answer or its request", () => {
    const problems: string[] = [];
    for (const { name, op } of operations()) {
      const ok = op.responses?.["200"] ?? op.responses?.["201"];
      const media = Object.values(ok?.content ?? {});
      if (!media.length || media.some((m) => isEmptySchema(m.schema))) problems.push(`${name}: no success schema`);
      const requestExamples = Object.values(op.requestBody?.content ?? {}).flatMap(examplesOf);
      if (!media.some((m) => examplesOf(m).length) && !requestExamples.length) problems.push(`${name}: no example`);
      for (const [status, r] of Object.entries(op.responses ?? {})) {
        if (Number(status) < 400) continue;
        if (status === "503" && name.startsWith("GET /health")) continue; // a probe's 503 carries its report
        const body = r.content?.["application/json"];
        if (!(body?.schema?.properties as Record<string, unknown> | undefined)?.error || !examplesOf(body!).length)
          problems.push(`${name}: ${status} is not the error body`);
      }
      for (const param of name.matchAll(/\{(\w+)\}/g)) {
        if (!op.parameters?.some((p) => p.in === "path" && p.name === param[1])) problems.push(`${name}: path parameter ${param[1]} undocumented`);
      }
    }
    expect(problems).toEqual([]);
  });

  test("integers are documented as integers; a query parameter with a default is optional", () => {
    expect(JSON.stringify(spec)).not.toContain('"format":"integer"');
    const limit = spec.paths["/conversations"]!.get!.parameters!.find((p) => p.name === "limit") as unknown as {
      required: boolean;
      schema: { type: string; default: number };
    };
    expect(limit).toMatchObject({ required: false, schema: { type: "integer", default: 50 } });
    for (const { name, op } of operations()) {
      for (const p of (op.parameters ?? []) as { name: string; in: string; required?: boolean; schema?: { default?: unknown } }[]) {
        if (p.in === "query" && p.schema?.default !== undefined)
          expect({ name, param: p.name, required: p.required }).toEqual({ name, param: p.name, required: false });
      }
    }
  });

  test("a multipart body shows its file fields as binary, without Elysia's markers", () => {
    const upload = spec.paths["/files/upload"]!.post!.requestBody!.content!["multipart/form-data"]!.schema as {
      properties: Record<string, Record<string, unknown>>;
    };
    expect(upload.properties.file).toMatchObject({ type: "string", format: "binary" });
    expect(JSON.stringify(spec)).not.toContain("elysiaMeta");
    const chat = spec.paths["/chat"]!.post!.requestBody!.content!;
    expect(Object.keys(chat).sort()).toEqual(["application/json", "multipart/form-data"]);
  });
});

describe("examples fit their schemas", () => {
  test("every JSON example in the routes' documentation passes its schema (and the route's own validation)", () => {
    const failures: string[] = [];
    let checked = 0;
    for (const route of allRoutes(t.app)) {
      const detail = route.hooks.detail as Operation | undefined;
      if (!detail || (detail as { hide?: boolean }).hide) continue;
      const name = `${route.method} ${openApiPath(route.path, "key")}`;
      const jsonBody = detail.requestBody?.content?.["application/json"];
      const media: [string, Media, TSchema | undefined][] = [
        ...(jsonBody ? [["request", jsonBody, route.hooks.body as TSchema | undefined] as [string, Media, TSchema | undefined]] : []),
        ...Object.entries(detail.responses ?? {}).flatMap(([status, r]) =>
          r.content?.["application/json"] ? [[status, r.content["application/json"], undefined] as [string, Media, undefined]] : [],
        ),
      ];
      for (const [where, m, validation] of media) {
        for (const example of examplesOf(m)) {
          checked++;
          for (const schema of [m.schema as unknown as TSchema, validation]) {
            if (schema && !Value.Check(schema, example))
              failures.push(`${name} ${where}: ${[...Value.Errors(schema, example)].map((e) => `${e.path} ${e.message}`).join("; ")}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(50);
  });
});

/** The in-memory schema a route documents for its JSON success answer. */
function okSchema(method: string, path: string): TSchema {
  const route = allRoutes(t.app).find((r) => r.method === method && r.path === path);
  const responses = (route?.hooks.detail as Operation | undefined)?.responses;
  const schema = responses?.["200"]?.content?.["application/json"]?.schema;
  if (!schema) throw new Error(`no documented JSON answer for ${method} ${path}`);
  return schema as unknown as TSchema;
}

async function expectDocumented(method: string, path: string, res: Response): Promise<any> {
  expect(res.status).toBe(200);
  const body = await res.json();
  const schema = okSchema(method, path);
  const errors = [...Value.Errors(schema, body)].map((e) => `${e.path}: ${e.message}`);
  expect({ route: `${method} ${path}`, errors }).toEqual({ route: `${method} ${path}`, errors: [] });
  return body;
}

const form = (fields: Record<string, string | File>) => {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  return f;
};

describe("the real answers fit the documented schemas", () => {
  test("chat, completions, files, conversations, sessions, stats, info and probes", async () => {
    const chat = await expectDocumented("POST", "/chat", await t.request("POST", "/chat", { body: { message: "Hello there", user_id: "alice" } }));
    await expectDocumented(
      "POST",
      "/chat",
      await t.request("POST", "/chat", { body: form({ message: "Look", user_id: "alice", images: new File([PNG_1PX], "dot.png", { type: "image/png" }) }) }),
    );
    await expectDocumented(
      "POST",
      "/v1/chat/completions",
      await t.request("POST", "/v1/chat/completions", { body: { messages: [{ role: "user", content: "Hi" }] } }),
    );
    await expectDocumented("GET", "/v1/models", await t.request("GET", "/v1/models"));
    await expectDocumented(
      "POST",
      "/chat/image",
      await t.request("POST", "/chat/image", {
        body: form({ message: "What is it?", user_id: "alice", images: new File([PNG_1PX], "dot.png", { type: "image/png" }) }),
      }),
    );
    await expectDocumented(
      "POST",
      "/chat/file",
      await t.request("POST", "/chat/file", {
        body: form({ message: "Sum up", user_id: "alice", file: new File(["hello doc"], "notes.txt", { type: "text/plain" }) }),
      }),
    );

    const uploaded = await expectDocumented(
      "POST",
      "/files/upload",
      await t.request("POST", "/files/upload", { body: form({ user_id: "alice", file: new File(["hello doc"], "notes.txt", { type: "text/plain" }) }) }),
    );
    await expectDocumented("GET", "/files", await t.request("GET", "/files?user_id=alice"));
    await expectDocumented("DELETE", "/files/*", await t.request("DELETE", `/files/${uploaded.key}`));

    const id = chat.conversation_id;
    await expectDocumented("POST", "/conversations", await t.request("POST", "/conversations", { body: { user_id: "alice", title: "T", tags: ["x"] } }));
    await expectDocumented("GET", "/conversations", await t.request("GET", "/conversations?user_id=alice"));
    await expectDocumented("GET", "/conversations/:id", await t.request("GET", `/conversations/${id}`));
    await expectDocumented("GET", "/conversations/:id/messages", await t.request("GET", `/conversations/${id}/messages`));
    await expectDocumented("PATCH", "/conversations/:id", await t.request("PATCH", `/conversations/${id}`, { body: { metadata: { a: 1 } } }));
    await expectDocumented("GET", "/sessions/:id", await t.request("GET", `/sessions/${chat.session_id}`));
    await expectDocumented("GET", "/users/:id/sessions", await t.request("GET", "/users/alice/sessions"));
    await expectDocumented("GET", "/users/:id/stats", await t.request("GET", "/users/alice/stats"));
    await expectDocumented("POST", "/sessions/:id/end", await t.request("POST", `/sessions/${chat.session_id}/end`));
    await expectDocumented("DELETE", "/conversations/:id", await t.request("DELETE", `/conversations/${id}`));
    for (const path of ["/", "/config", "/health", "/health/ready", "/health/live"]) await expectDocumented("GET", path, await t.request("GET", path));
  });

  test("the Responses API (create, stream, retrieve, input items, delete), embeddings and one model", async () => {
    const created = await expectDocumented(
      "POST",
      "/v1/responses",
      await t.request("POST", "/v1/responses", { body: { model: "gpt-4o", instructions: "Answer briefly.", input: "Hello!" } }),
    );
    const tools = [{ type: "function", name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } }];
    const called = await expectDocumented(
      "POST",
      "/v1/responses",
      await t.request("POST", "/v1/responses", { body: { model: "gpt-4o", input: "Weather in Lisbon?", tools } }),
    );
    expect(called.output[0].type).toBe("function_call");
    await expectDocumented(
      "POST",
      "/v1/responses",
      await t.request("POST", "/v1/responses", { body: { model: "gpt-4o", previous_response_id: created.id, input: "Again" } }),
    );
    await expectDocumented("GET", "/v1/responses/:id", await t.request("GET", `/v1/responses/${created.id}`));
    await expectDocumented("GET", "/v1/responses/:id/input_items", await t.request("GET", `/v1/responses/${created.id}/input_items?order=asc`));
    await expectDocumented("DELETE", "/v1/responses/:id", await t.request("DELETE", `/v1/responses/${created.id}`));
    await expectDocumented(
      "POST",
      "/v1/embeddings",
      await t.request("POST", "/v1/embeddings", { body: { model: "text-embedding-3-small", input: ["one", "two"] } }),
    );
    await expectDocumented("GET", "/v1/models/:model", await t.request("GET", "/v1/models/gpt-4o"));
  });

  test("the documented event stream of POST /v1/responses has the events a real stream sends, in order", async () => {
    const eventNames = (text: string) => [...text.matchAll(/^event: (.+)$/gm)].map((m) => m[1]!);
    const documented = spec.paths["/v1/responses"]!.post!.responses!["200"]!.content!["text/event-stream"]!.example as string;
    const res = await t.request("POST", "/v1/responses", { body: { model: "gpt-4o", input: "Hello!", stream: true } });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const real = eventNames(await res.text());
    expect(real.length).toBeGreaterThan(5);
    // The example shows two text deltas; the mock may send another number of them.
    const collapse = (names: string[]) => names.filter((n, i) => !(n === "response.output_text.delta" && names[i - 1] === n));
    expect(collapse(eventNames(documented))).toEqual(collapse(real));
  });

  test("an error answer fits the documented error body", async () => {
    const res = await t.request("GET", "/conversations/nope");
    expect(res.status).toBe(404);
    const e = await errorOf(res);
    const schema = (allRoutes(t.app).find((r) => r.path === "/conversations/:id")!.hooks.detail as Operation).responses!["404"]!.content!["application/json"]!
      .schema;
    expect(Value.Check(schema as unknown as TSchema, { error: e })).toBe(true);
  });
});

describe("the examples work as sent from Swagger's Try it out", () => {
  test("each JSON request example of the chat and conversation routes is accepted", async () => {
    for (const path of ["/chat", "/v1/chat/completions", "/chat/stream", "/conversations"]) {
      const body = spec.paths[path]!.post!.requestBody!.content!["application/json"]!;
      // An example that continues a conversation needs one that exists: those are checked in chat.test.ts.
      for (const example of examplesOf(body).filter((e) => !(e as Record<string, unknown>).conversation_id)) {
        const res = await t.request("POST", path, { body: example });
        expect({ path, example, status: res.status }).toEqual({ path, example, status: 200 });
        await res.text();
      }
    }
  });

  test("each request example of /v1/responses and /v1/embeddings is accepted (a continuation once its ids exist)", async () => {
    const tools = [{ type: "function", name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } }];
    const asked = (await (await t.request("POST", "/v1/responses", { body: { model: "gpt-4o", input: "Weather in Lisbon?", tools } })).json()) as {
      id: string;
      output: { call_id: string }[];
    };
    const withRealIds = (example: Record<string, any>) => {
      if (!example.previous_response_id) return example;
      const input = Array.isArray(example.input)
        ? example.input.map((item: Record<string, unknown>) => (item.call_id ? { ...item, call_id: asked.output[0]!.call_id } : item))
        : example.input;
      return { ...example, previous_response_id: asked.id, input };
    };
    const cases: [string, Record<string, any>][] = [
      ...examplesOf(spec.paths["/v1/responses"]!.post!.requestBody!.content!["application/json"]!).map(
        (e) => ["/v1/responses", withRealIds(e as Record<string, any>)] as [string, Record<string, any>],
      ),
      ...examplesOf(spec.paths["/v1/embeddings"]!.post!.requestBody!.content!["application/json"]!).map(
        (e) => ["/v1/embeddings", e as Record<string, any>] as [string, Record<string, any>],
      ),
    ];
    expect(cases.length).toBeGreaterThan(5);
    expect(cases.some(([, e]) => e.previous_response_id === asked.id)).toBe(true);
    for (const [path, example] of cases) {
      const res = await t.request("POST", path, { body: example });
      expect({ path, example, status: res.status }).toEqual({ path, example, status: 200 });
      await res.text();
    }
  });

  test("multipart examples with a chosen file are accepted", async () => {
    const cases: [string, string, File][] = [
      ["/chat", "files", new File(["a note"], "note.txt", { type: "text/plain" })],
      ["/chat/image", "images", new File([PNG_1PX], "dot.png", { type: "image/png" })],
      ["/chat/file", "file", new File(["a note"], "note.txt", { type: "text/plain" })],
      ["/files/upload", "file", new File(["a note"], "note.txt", { type: "text/plain" })],
    ];
    for (const [path, field, file] of cases) {
      const example = spec.paths[path]!.post!.requestBody!.content!["multipart/form-data"]!.example as Record<string, string>;
      const res = await t.request("POST", path, { body: form({ ...example, [field]: file }) });
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
    }
  });

  test("a file key sent percent-encoded (as Swagger sends path parameters) finds the file", async () => {
    const up = (await (
      await t.request("POST", "/files/upload", { body: form({ user_id: "bob", file: new File(["encoded"], "e.txt", { type: "text/plain" }) }) })
    ).json()) as { key: string };
    const res = await t.request("GET", `/files/${encodeURIComponent(up.key)}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("encoded");
    const bad = await t.request("GET", "/files/%ZZ");
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).code).toBe("invalid_file_key");
  });
});
