// Images and documents sent with chat turns: what the upstream sees, what is stored, and what
// hostile files get. Runs on both blob backends.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { errorOf, type TestApp } from "../support/app.ts";
import { BLOB_BACKENDS, blobTitle, type BlobBackendHandle } from "../support/blob-backends.ts";
import { GIF_1PX, makeDamagedDocx, makeDocx, makePdf, PNG_1PX } from "../support/fixtures.ts";
import { textOf, type MockUpstream } from "../support/mock-upstream.ts";
import { startHarness, type Harness } from "../support/harness.ts";

const form = (fields: Record<string, string>, files: Array<[string, string, Uint8Array]>) => {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  for (const [field, name, bytes] of files) f.append(field, new File([bytes], name));
  return f;
};

/** The text parts and image URLs of the last user message the upstream received. */
function lastUserTurn(mock: MockUpstream) {
  const messages = mock.requests.at(-1)!.body.messages as Array<{ role: string; content: unknown }>;
  const user = messages.filter((m) => m.role === "user").at(-1)!;
  const parts = Array.isArray(user.content) ? (user.content as Array<Record<string, any>>) : [{ type: "text", text: user.content }];
  return {
    text: textOf(parts),
    images: parts.filter((p) => p.type === "image_url").map((p) => p.image_url.url as string),
    files: parts.filter((p) => p.type === "file").map((p) => p.file),
    all: messages,
  };
}

for (const backend of BLOB_BACKENDS) {
  describe.skipIf(backend.skip !== null)(`chat with files: ${blobTitle(backend)}`, () => {
    let handle: BlobBackendHandle;
    let mock: MockUpstream;
    let t: TestApp;
    let harness: Harness;
    beforeAll(async () => {
      handle = await backend.open();
      harness = await startHarness({
        config: { max_file_size_mb: 1, rate_limit_per_minute: 100_000, documents: { max_chars: 2000, max_decompressed_mb: 5 } },
        env: handle.env,
      });
      ({ mock, app: t } = harness);
    });
    afterAll(async () => {
      await harness?.close();
      await handle?.cleanup();
    });
    beforeEach(() => mock.reset());

    const chat = (fields: Record<string, string>, files: Array<[string, string, Uint8Array]>, path = "/chat") =>
      t.request("POST", path, { body: form(fields, files) });
    const json = async (res: Response) => (await res.json()) as Record<string, any>;

    test("a PDF, a DOCX and a TXT posted to /chat put their text in front of the upstream", async () => {
      const res = await chat({ message: "Summarise these", user_id: "reader" }, [
        ["files", "report.pdf", makePdf(["Revenue grew 12 percent", "Costs fell"])],
        ["files", "memo.docx", makeDocx(["The memo says hello", "Second paragraph"])],
        ["files", "notes.txt", new TextEncoder().encode("Plain notes: remember the milk")],
      ]);
      expect(res.status).toBe(200);
      const body = await json(res);
      const turn = lastUserTurn(mock);
      expect(turn.text).toContain("Summarise these");
      expect(turn.text).toContain('<document name="report.pdf" type="pdf" pages="1">');
      expect(turn.text).toContain("Revenue grew 12 percent");
      expect(turn.text).toContain('<document name="memo.docx" type="docx">');
      expect(turn.text).toContain("The memo says hello");
      expect(turn.text).toContain("Plain notes: remember the milk");

      expect(body.file_urls.length).toBe(3);
      for (const url of body.file_urls) expect(url).toMatch(/^\/files\/LLM\/documents\/reader\/\d{8}_\d{6}_/);
      const listed = await json(await t.request("GET", "/files?user_id=reader&folder=documents"));
      expect(listed.data.map((f: { url: string }) => f.url).sort()).toEqual([...body.file_urls].sort());
      expect(listed.data.every((f: { conversation_id: string }) => f.conversation_id === body.conversation_id)).toBe(true);

      const msgs = await json(await t.request("GET", `/conversations/${body.conversation_id}/messages`));
      expect(msgs.data[0].attachments.map((a: { filename: string }) => a.filename)).toEqual(["report.pdf", "memo.docx", "notes.txt"]);
      expect(msgs.data[0].content).toContain("Revenue grew 12 percent"); // stored as sent: the next turn still has it

      await t.request("POST", "/chat", { body: { message: "And the costs?", conversation_id: body.conversation_id } });
      expect(textOf(mock.requests.at(-1)!.body.messages[1].content)).toContain("Costs fell");
    });

    test("long documents are cut to documents.max_chars with a visible note", async () => {
      const long = "word ".repeat(1000); // 5,000 characters
      await chat({ message: "read this" }, [["files", "long.md", new TextEncoder().encode(long)]]);
      const { text } = lastUserTurn(mock);
      expect(text).toContain("[Document truncated: showing the first 2,000 of 5,000 characters.]");
      expect(text.length).toBeLessThan(2600);
    });

    test("an image reaches the upstream as a data URL; its stored URL is in the reply and the conversation", async () => {
      const res = await chat({ messages: JSON.stringify([{ role: "user", content: "What is in this picture?" }]), user_id: "viewer" }, [
        ["images", "dot.png", PNG_1PX],
      ]);
      expect(res.status).toBe(200);
      const body = await json(res);
      const turn = lastUserTurn(mock);
      expect(turn.text).toBe("What is in this picture?");
      expect(turn.images).toEqual([`data:image/png;base64,${Buffer.from(PNG_1PX).toString("base64")}`]);
      expect(body.image_urls.length).toBe(1);
      expect(body.image_urls[0]).toMatch(/^\/files\/LLM\/chat_images\/viewer\/\d{8}_\d{6}_dot\.png$/);

      const conv = await json(await t.request("GET", `/conversations/${body.conversation_id}`));
      expect(conv.image_urls).toEqual(body.image_urls);
      expect(conv.last_image_url).toBe(body.image_urls[0]);
      const msgs = await json(await t.request("GET", `/conversations/${body.conversation_id}/messages`));
      expect(msgs.data[0].attachments[0]).toMatchObject({ kind: "image", url: body.image_urls[0], content_type: "image/png" });

      // The follow-up question still shows the model the picture.
      await t.request("POST", "/chat", { body: { message: "What colour is it?", conversation_id: body.conversation_id } });
      const history = mock.requests.at(-1)!.body.messages;
      expect(history[1].content.find((p: { type: string }) => p.type === "image_url").image_url.url).toStartWith("data:image/png;base64,");
    });

    test("POST /chat/image answers in the v1 shape", async () => {
      const res = await chat(
        { message: "Two pictures", user_id: "v1user" },
        [
          ["images", "a.png", PNG_1PX],
          ["images", "b.gif", GIF_1PX],
        ],
        "/chat/image",
      );
      expect(res.status).toBe(200);
      const body = await json(res);
      expect(body).toMatchObject({ text: "Echo: Two pictures", user_id: "v1user", message_number: 2, image_count: 2 });
      expect(body.usage).toEqual({ input: expect.any(Number), output: 3, total: body.usage.input + 3 });
      expect(body.cost).toBeGreaterThan(0);
      expect(body.image_urls.length).toBe(2);
      expect(lastUserTurn(mock).images.map((u) => u.slice(0, 22))).toEqual(["data:image/png;base64,", "data:image/gif;base64,"]);
    });

    test("POST /chat/file answers in the v1 shape", async () => {
      const res = await chat({ message: "What does it say?" }, [["file", "brief.docx", makeDocx(["Brief content here"])]], "/chat/file");
      expect(res.status).toBe(200);
      const body = await json(res);
      expect(body).toMatchObject({ file_type: ".docx", message_number: 2 });
      expect(body.file_url).toMatch(/^\/files\/LLM\/documents\//);
      expect(lastUserTurn(mock).text).toContain("Brief content here");
    });

    test("image parts inside JSON messages pass through as they are", async () => {
      const dataUrl = `data:image/gif;base64,${Buffer.from(GIF_1PX).toString("base64")}`;
      const content = [
        { type: "text", text: "and this?" },
        { type: "image_url", image_url: { url: dataUrl } },
        { type: "image_url", image_url: { url: "https://example.com/cat.jpg", detail: "low" } },
      ];
      const res = await t.request("POST", "/chat", { body: { messages: [{ role: "user", content }] } });
      expect(res.status).toBe(200);
      const sent = mock.requests.at(-1)!.body.messages.at(-1);
      expect(sent.content).toEqual(content);
    });

    test("each hostile file gets its 4xx, nothing is stored or sent, and the server stays healthy", async () => {
      const cases: Array<[string, string, Uint8Array, number]> = [
        ["files", "empty.pdf", new Uint8Array(0), 400],
        ["files", "huge.txt", new Uint8Array(1024 * 1024 + 10).fill(66), 413],
        ["files", "corrupt.pdf", new TextEncoder().encode("%PDF-1.4\n%%garbage"), 400],
        ["files", "locked.pdf", makePdf(["secret"], { encrypt: true }), 400],
        ["files", "bomb.docx", makeDocx(["boom"], 8 * 1024 * 1024), 400],
        ["files", "damaged.docx", makeDamagedDocx(), 400],
        ["files", "liar.pdf", PNG_1PX, 415],
        ["files", "liar.png", makePdf(["pdf"]), 415],
        ["images", "notes.txt", new TextEncoder().encode("text is not an image"), 415],
        ["files", "elf", new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 415],
      ];
      for (const [field, name, bytes, status] of cases) {
        const res = await chat({ message: "look", user_id: "attacker" }, [[field, name, bytes]]);
        expect({ name, status: res.status }).toEqual({ name, status });
        const e = await errorOf(res);
        expect(e.param).toBe(field);
        expect(e.message).toContain(name);
      }
      // A bad file next to a good one refuses the whole request.
      const mixed = await chat({ message: "both", user_id: "attacker" }, [
        ["files", "ok.txt", new TextEncoder().encode("fine")],
        ["files", "bad.pdf", new Uint8Array(0)],
      ]);
      expect(mixed.status).toBe(400);

      expect(mock.requests.length).toBe(0);
      expect((await json(await t.request("GET", "/files?user_id=attacker"))).data).toEqual([]);
      expect(await t.deps.store.conversations.countByUser("attacker")).toBe(0);
      expect((await t.request("GET", "/health")).status).toBe(200);
    });

    test("malformed multipart and form fields are 400s", async () => {
      const broken = await t.request("POST", "/chat", {
        body: '--xyz\r\nContent-Disposition: form-data; name="message"\r\n\r\nhi',
        headers: { "content-type": "multipart/form-data; boundary=xyz" },
      });
      expect(broken.status).toBe(400);
      await errorOf(broken);
      expect((await chat({ messages: "[not json" }, [])).status).toBe(400);
      expect((await chat({ message: "x", stream: "perhaps" }, [])).status).toBe(400);
      const tooMany = Array.from({ length: 11 }, (_, i) => ["files", `f${i}.txt`, new TextEncoder().encode("x")] as [string, string, Uint8Array]);
      const many = await chat({ message: "x" }, tooMany);
      expect(many.status).toBe(400);
      expect((await errorOf(many)).code).toBe("too_many_files");
      expect((await chat({ message: "no images here" }, [], "/chat/image")).status).toBe(400);
    });

    test("a failed upstream call stores no file", async () => {
      mock.script({ kind: "error", status: 400 });
      const res = await chat({ message: "fails", user_id: "unlucky" }, [["files", "a.txt", new TextEncoder().encode("content")]]);
      expect(res.status).toBe(400);
      expect((await json(await t.request("GET", "/files?user_id=unlucky"))).data).toEqual([]);
    });
  });
}

describe("documents.pdf_mode: native", () => {
  let mock: MockUpstream;
  let t: TestApp;
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ config: { documents: { pdf_mode: "native" } } });
    ({ mock, app: t } = harness);
  });
  afterAll(() => harness?.close());

  test("a PDF goes upstream as a file part; other documents still as text", async () => {
    const pdf = makePdf(["Native PDF text"]);
    const res = await t.request("POST", "/chat", {
      body: form({ message: "read" }, [
        ["files", "n.pdf", pdf],
        ["files", "t.txt", new TextEncoder().encode("as text")],
      ]),
    });
    expect(res.status).toBe(200);
    const turn = lastUserTurn(mock);
    expect(turn.files).toEqual([{ filename: "n.pdf", file_data: `data:application/pdf;base64,${Buffer.from(pdf).toString("base64")}` }]);
    expect(turn.text).not.toContain("Native PDF text");
    expect(turn.text).toContain("as text");
    const locked = await t.request("POST", "/chat", { body: form({ message: "read" }, [["files", "x.pdf", makePdf(["s"], { encrypt: true })]]) });
    expect(locked.status).toBe(400); // still read first: no encrypted PDF goes upstream
  });
});

describe("when storage fails in the middle of a turn", () => {
  test("no file stays behind, nothing is recorded, and the budget reservation is released", async () => {
    // With max_tokens 100 one request's worst case is ~$0.0015: one fits in this budget, two do not,
    // so a leaked reservation would refuse the next request.
    const { app: t, close } = await startHarness({ config: { cost_limit_per_session: 0.0025 } });
    try {
      const stage = t.deps.blobs.stage.bind(t.deps.blobs);
      let calls = 0;
      t.deps.blobs.stage = async (data, type) => {
        if (++calls === 2) throw Object.assign(new Error("disk full"), { code: "ENOSPC" });
        return stage(data, type);
      };
      const res = await t.request("POST", "/chat", {
        body: form({ message: "two files", user_id: "unlucky-disk", max_tokens: "100" }, [
          ["files", "a.txt", new TextEncoder().encode("first")],
          ["files", "b.txt", new TextEncoder().encode("second")],
        ]),
      });
      expect(res.status).toBe(507);
      expect((await errorOf(res)).code).toBe("insufficient_storage");
      expect(((await (await t.request("GET", "/files?user_id=unlucky-disk")).json()) as { data: unknown[] }).data).toEqual([]);
      expect(await t.deps.store.conversations.countByUser("unlucky-disk")).toBe(0);

      t.deps.blobs.stage = stage;
      const next = await t.request("POST", "/chat", { body: { message: "still within budget", user_id: "unlucky-disk", max_tokens: 100 } });
      expect(next.status).toBe(200);
    } finally {
      await close();
    }
  });
});
