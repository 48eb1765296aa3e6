// URLs in content parts reach the upstream, which may fetch them from inside its own network: only
// data: URLs and https: URLs to public hosts pass, plus the operator's allowed prefixes. Anything
// else is a 400 naming the part, on /chat and on /v1/chat/completions, before any upstream call.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { errorOf, type TestApp } from "../support/app.ts";
import { startMockUpstream, type MockUpstream } from "../support/mock-upstream.ts";
import { startHarness } from "../support/harness.ts";

const PNG_DATA_URL = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

const REFUSED = [
  "file:///etc/passwd",
  "gopher://127.0.0.1:6379/_FLUSHALL",
  "ftp://example.com/a.png",
  "http://example.com/cat.png",
  "https://169.254.169.254/latest/meta-data/",
  "https://127.0.0.1/x.png",
  "https://2130706433/x.png",
  "https://0x7f.1/x.png",
  "https://localhost/x.png",
  "https://app.localhost/x.png",
  "https://10.1.2.3/x.png",
  "https://172.20.0.1/x.png",
  "https://192.168.1.1/x.png",
  "https://100.64.0.1/x.png",
  "https://0.0.0.0/x.png",
  "https://[::1]/x.png",
  "https://[::ffff:127.0.0.1]/x.png",
  "https://[fe80::1]/x.png",
  "https://[fd00::1]/x.png",
  "https://metadata.google.internal/computeMetadata/v1/",
  "https://printer.local/x.png",
  "https://intranet/x.png",
  "https://user:secret@example.com/x.png",
  "https://example.com\\@169.254.169.254/x.png",
  "not a url at all",
];

const imagePart = (url: string) => ({ type: "image_url", image_url: { url } });
const messagesWith = (part: Record<string, unknown>) => [{ role: "user", content: [{ type: "text", text: "look" }, part] }];

let mock: MockUpstream;
beforeAll(() => {
  mock = startMockUpstream();
});
afterAll(() => mock.stop());
beforeEach(() => mock.reset());

describe("default rules", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = (await startHarness({ mock, config: { rate_limit_per_minute: 100_000 } })).app;
  });
  afterAll(() => t.close());

  test("every non-public or non-https image URL is a 400 naming the part, on both chat surfaces", async () => {
    for (const url of REFUSED) {
      for (const [path, body] of [
        ["/chat", { messages: messagesWith(imagePart(url)) }],
        ["/v1/chat/completions", { model: "gpt-4o", messages: messagesWith(imagePart(url)), stream: true }],
      ] as const) {
        const res = await t.request("POST", path, { body });
        expect({ url, path, status: res.status }).toEqual({ url, path, status: 400 });
        expect(await errorOf(res)).toMatchObject({ type: "invalid_request_error", code: "invalid_url", param: "messages[0].content[1].image_url.url" });
      }
    }
    expect(mock.requests.length).toBe(0);
  });

  test("file_url parts, file.file_url, and parts of later messages are checked the same way", async () => {
    const cases: Array<[unknown[], string]> = [
      [messagesWith({ type: "file_url", file_url: { url: "http://192.168.0.10/report.pdf" } }), "messages[0].content[1].file_url.url"],
      [messagesWith({ type: "file_url", file_url: "https://169.254.169.254/" }), "messages[0].content[1].file_url"],
      [messagesWith({ type: "file", file: { file_url: "file:///etc/shadow", filename: "x.pdf" } }), "messages[0].content[1].file.file_url"],
      [
        [
          { role: "user", content: "first" },
          { role: "assistant", content: "ok" },
          { role: "user", content: [imagePart("https://[::1]/")] },
        ],
        "messages[2].content[0].image_url.url",
      ],
    ];
    for (const [messages, param] of cases) {
      const res = await t.request("POST", "/v1/chat/completions", { body: { model: "gpt-4o", messages } });
      expect({ param, status: res.status }).toEqual({ param, status: 400 });
      expect((await errorOf(res)).param).toBe(param);
    }
    expect(mock.requests.length).toBe(0);
  });

  test("the official SDK sees a BadRequestError with the param", async () => {
    const sdk = new OpenAI({ baseURL: `${t.listen()}/v1`, apiKey: "x", maxRetries: 0 });
    const err = await sdk.chat.completions
      .create({ model: "gpt-4o", messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://169.254.169.254/" } }] }] })
      .catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.param).toBe("messages[0].content[0].image_url.url");
  });

  test("data: URLs and public https: URLs go upstream unchanged", async () => {
    for (const url of [PNG_DATA_URL, "https://example.com/cat.png", "https://93.184.216.34/cat.png", "https://[2606:4700::1111]/cat.png"]) {
      const res = await t.request("POST", "/chat", { body: { messages: messagesWith(imagePart(url)) } });
      expect({ url, status: res.status }).toEqual({ url, status: 200 });
      const sent = mock.requests.at(-1)!.body.messages.at(-1).content;
      expect(sent.find((p: { type: string }) => p.type === "image_url").image_url.url).toBe(url);
    }
  });
});

describe("allowed prefixes for self-hosted upstreams", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = (
      await startHarness({ mock, config: { rate_limit_per_minute: 100_000, content_urls: { allow: ["http://10.0.0.5:8080", "https://files.lan/public/"] } } })
    ).app;
  });
  afterAll(() => t.close());

  test("a URL under an allowed prefix passes; its neighbours do not", async () => {
    for (const url of ["http://10.0.0.5:8080/img.png", "https://files.lan/public/a.png"]) {
      const res = await t.request("POST", "/v1/chat/completions", { body: { model: "gpt-4o", messages: messagesWith(imagePart(url)) } });
      expect({ url, status: res.status }).toEqual({ url, status: 200 });
    }
    for (const url of [
      "http://10.0.0.5:8081/img.png",
      "http://10.0.0.5:8080.evil.example/img.png",
      "https://files.lan/private/a.png",
      "http://10.0.0.50:8080/",
    ]) {
      const res = await t.request("POST", "/v1/chat/completions", { body: { model: "gpt-4o", messages: messagesWith(imagePart(url)) } });
      expect({ url, status: res.status }).toEqual({ url, status: 400 });
    }
    expect(mock.requests.length).toBe(2);
  });
});
