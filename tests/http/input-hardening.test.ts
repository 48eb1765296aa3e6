// Request bodies that used to slip through or break things: JSON nested past any sane depth,
// form fields named after Object.prototype, uploads under names the route did not look at, and
// the wording of the rate-limit refusal.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { errorOf, type TestApp } from "../support/app.ts";
import { makePdf, PNG_1PX } from "../support/fixtures.ts";
import { textOf, type MockUpstream } from "../support/mock-upstream.ts";
import { startHarness, type Harness } from "../support/harness.ts";
import { newId } from "../../src/lib/ids.ts";

let mock: MockUpstream;
let t: TestApp;
let harness: Harness;
beforeAll(async () => {
  harness = await startHarness({ config: { rate_limit_per_minute: 100_000 } });
  ({ mock, app: t } = harness);
});
afterAll(() => harness?.close());
beforeEach(() => mock.reset());

const json = async (res: Response) => (await res.json()) as Record<string, any>;
const deep = (levels: number, leaf = '"x"') => "[".repeat(levels) + leaf + "]".repeat(levels);
const deepObject = (levels: number) => `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;

describe("JSON nesting depth", () => {
  test("a body nested 100,000 levels deep is a 400 json_too_deep on every route, and nothing goes upstream", async () => {
    const conv = await json(await t.request("POST", "/chat", { body: { message: "to patch" } }));
    mock.reset();
    const bodies: Array<[string, string, string]> = [
      ["POST", "/chat", `{"message":"hi","metadata":${deep(100_000)}}`],
      ["POST", "/v1/chat/completions", `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"tools":${deep(100_000)}}`],
      ["PATCH", `/conversations/${conv.conversation_id}`, `{"metadata":${deepObject(100_000)}}`],
    ];
    for (const [method, path, body] of bodies) {
      const res = await t.request(method, path, { body, headers: { "content-type": "application/json" } });
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(await errorOf(res)).toMatchObject({ type: "invalid_request_error", code: "json_too_deep" });
    }
    expect(mock.requests.length).toBe(0);
  });

  test("the 'messages' form field is held to the same depth", async () => {
    const form = new FormData();
    form.append("messages", `[{"role":"user","content":"hi","extra":${deep(1000)}}]`);
    const res = await t.request("POST", "/chat", { body: form });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ code: "json_too_deep", param: "messages" });
  });

  test("ordinary nesting, and brackets inside strings, still pass", async () => {
    const metadata = JSON.parse(deepObject(30));
    const res = await t.request("POST", "/chat", { body: { message: `${"[".repeat(500)} \\" ${"{".repeat(500)}`, metadata } });
    expect(res.status).toBe(200);
    expect(mock.requests[0]!.body.metadata).toEqual(metadata);
  });
});

describe("form field names", () => {
  for (const name of ["__proto__", "constructor", "prototype"]) {
    test(`a form field named '${name}' is a 400 naming it`, async () => {
      const form = new FormData();
      form.append("message", "hello");
      form.append(name, new File([PNG_1PX], "x.png"));
      form.append(name, "polluted");
      const res = await t.request("POST", "/chat", { body: form });
      expect(res.status).toBe(400);
      expect(await errorOf(res)).toMatchObject({ param: name, code: "invalid_field_name" });
      const encoded = await t.request("POST", "/chat", {
        body: `message=hi&${encodeURIComponent(name)}=x`,
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
      expect(encoded.status).toBe(400);
      expect(mock.requests.length).toBe(0);
    });
  }
});

describe("upload field names", () => {
  const withFile = (field: string, name: string, bytes: Uint8Array, fields: Record<string, string> = { message: "read this" }) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append(field, new File([bytes], name));
    return form;
  };
  const lastUserText = () =>
    textOf((mock.requests.at(-1)!.body.messages as Array<{ role: string; content: unknown }>).filter((m) => m.role === "user").at(-1)!.content);
  const lastImages = () => {
    const content = (mock.requests.at(-1)!.body.messages as Array<{ role: string; content: unknown }>).at(-1)!.content;
    return Array.isArray(content) ? content.filter((p: { type: string }) => p.type === "image_url") : [];
  };

  for (const field of ["file", "files", "files[]"]) {
    test(`/chat reads a document sent as '${field}'`, async () => {
      const res = await t.request("POST", "/chat", { body: withFile(field, "report.pdf", makePdf(["quarterly figures 4711"])) });
      expect(res.status).toBe(200);
      expect(lastUserText()).toContain("quarterly figures 4711");
      expect((await json(res)).file_urls).toHaveLength(1);
    });
  }

  for (const field of ["image", "images", "images[]"]) {
    test(`/chat and /chat/image read an image sent as '${field}'`, async () => {
      const chat = await t.request("POST", "/chat", { body: withFile(field, "dot.png", PNG_1PX) });
      expect(chat.status).toBe(200);
      expect(lastImages()).toHaveLength(1);
      const v1 = await t.request("POST", "/chat/image", { body: withFile(field, "dot.png", PNG_1PX) });
      expect(v1.status).toBe(200);
      expect((await json(v1)).image_count).toBe(1);
    });
  }

  test("/chat/file and /files/upload take the document under 'files' or 'files[]' too", async () => {
    const chat = await t.request("POST", "/chat/file", { body: withFile("files[]", "report.pdf", makePdf(["annual 0815"])) });
    expect(chat.status).toBe(200);
    expect(lastUserText()).toContain("annual 0815");
    const upload = await t.request("POST", "/files/upload", { body: withFile("files", "notes.txt", new TextEncoder().encode("notes"), { user_id: "u1" }) });
    expect(upload.status).toBe(200);
    expect((await json(upload)).filename).toBe("notes.txt");
  });

  test("a file under any other field name is a 400 naming the field, never ignored", async () => {
    for (const [path, field] of [
      ["/chat", "document"],
      ["/chat", "attachment[]"],
      ["/chat/image", "picture"],
      ["/chat/file", "upload"],
      ["/files/upload", "data"],
    ] as const) {
      const res = await t.request("POST", path, { body: withFile(field, "report.pdf", makePdf(["lost"]), { message: "x", user_id: "u1" }) });
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(await errorOf(res)).toMatchObject({ param: field, code: "unexpected_file_field" });
    }
    expect(mock.requests.length).toBe(0);
  });

  test("a single-file route refuses two files rather than keeping one", async () => {
    const form = withFile("file", "a.txt", new TextEncoder().encode("a"), { message: "x" });
    form.append("files", new File(["b"], "b.txt"));
    const res = await t.request("POST", "/chat/file", { body: form });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe("too_many_files");
  });
});

describe("rate-limit message", () => {
  let limited: TestApp;
  beforeAll(async () => {
    limited = (await startHarness({ mock, config: { rate_limit_per_minute: 60, rate_limit_burst: 2 } })).app;
  });
  afterAll(() => limited.close());

  test("the 429 names both the rate per minute and the burst", async () => {
    const user = newId("user");
    for (let i = 0; i < 2; i++) expect((await limited.request("POST", "/chat", { body: { message: "hi", user_id: user } })).status).toBe(200);
    const refused = await limited.request("POST", "/chat", { body: { message: "hi", user_id: user } });
    expect(refused.status).toBe(429);
    const { message } = await errorOf(refused);
    expect(message).toContain("60 requests per minute");
    expect(message).toContain("at most 2");
  });
});
