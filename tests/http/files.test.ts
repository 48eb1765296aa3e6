// The Files API on both blob backends: the same upload/list/download/delete behaviour, the seed's
// key layout, hostile uploads refused with nothing stored, and keys that try to escape refused.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { S3Client } from "bun";
import { errorOf, startTestApp, type TestApp } from "../support/app.ts";
import { BLOB_BACKENDS, blobTitle, type BlobBackendHandle } from "../support/blob-backends.ts";
import { makeDamagedDocx, makeDocx, makePdf, PNG_1PX } from "../support/fixtures.ts";

const KEY = /^LLM\/uploads\/[A-Za-z0-9._-]+\/\d{8}_\d{6}_[A-Za-z0-9._-]+$/;

for (const backend of BLOB_BACKENDS) {
  describe.skipIf(backend.skip !== null)(`files API: ${blobTitle(backend)}`, () => {
    let handle: BlobBackendHandle;
    let t: TestApp;
    beforeAll(async () => {
      handle = await backend.open();
      t = await startTestApp({ config: { max_file_size_mb: 1, documents: { max_decompressed_mb: 5 } }, env: handle.env });
    });
    afterAll(async () => {
      await t?.close();
      await handle?.cleanup();
    });

    const upload = (name: string, bytes: Uint8Array, user = "user_files", folder?: string) => {
      const form = new FormData();
      form.append("file", new File([bytes], name));
      form.append("user_id", user);
      if (folder) form.append("folder", folder);
      return t.request("POST", "/files/upload", { body: form });
    };
    const json = async (res: Response) => (await res.json()) as Record<string, any>;

    test("upload answers {success, key, url, size} with the seed's key layout", async () => {
      const pdf = makePdf(["Quarterly report"]);
      const res = await upload("Q3 report (final).pdf", pdf);
      expect(res.status).toBe(200);
      const body = await json(res);
      expect(body).toMatchObject({
        success: true,
        size: pdf.length,
        filename: "Q3 report (final).pdf",
        content_type: "application/pdf",
        folder: "uploads",
        backend: backend.name,
      });
      expect(body.key).toMatch(KEY);
      expect(body.key).toStartWith("LLM/uploads/user_files/");
      expect(body.key).toEndWith("_Q3_report_final_.pdf");
      expect(body.url).toBe(`/files/${body.key}`);

      if (handle.s3) {
        const s3 = new S3Client({
          endpoint: handle.s3.endpoint,
          bucket: handle.s3.bucket,
          accessKeyId: "S3RVER",
          secretAccessKey: "S3RVER",
          region: "us-east-1",
        });
        const listed = await s3.list({ prefix: "LLM/uploads/user_files/" });
        expect((listed.contents ?? []).map((o) => o.key)).toContain(body.key);
      }
    });

    test("two uploads of one name in the same second get distinct keys", async () => {
      const [a, b] = await Promise.all([upload("same.txt", new TextEncoder().encode("first")), upload("same.txt", new TextEncoder().encode("second"))]);
      const ka = (await json(a)).key;
      const kb = (await json(b)).key;
      expect(ka).not.toBe(kb);
      const texts = await Promise.all([ka, kb].map(async (k) => await downloadText(k)));
      expect(texts.sort()).toEqual(["first", "second"]);
    });

    async function downloadText(key: string, query = ""): Promise<string> {
      const res = await t.request("GET", `/files/${key}${query}`);
      if (res.status === 302) return (await fetch(res.headers.get("location")!)).text();
      expect(res.status).toBe(200);
      return res.text();
    }

    test("list by user and folder, newest first; download gives the bytes back; delete removes", async () => {
      const user = `lister_${backend.name}`;
      const doc = await json(await upload("notes.md", new TextEncoder().encode("# Notes\nbody"), user, "documents"));
      await Bun.sleep(5);
      const img = await json(await upload("pixel.png", PNG_1PX, user, "chat_images"));
      const all = await json(await t.request("GET", `/files?user_id=${user}`));
      expect(all.data.map((f: { key: string }) => f.key)).toEqual([img.key, doc.key]);
      const docs = await json(await t.request("GET", `/files?user_id=${user}&folder=documents`));
      expect(docs.data.map((f: { key: string }) => f.key)).toEqual([doc.key]);
      expect(docs.data[0]).toMatchObject({ filename: "notes.md", folder: "documents", content_type: "text/plain; charset=utf-8" });

      expect(await downloadText(doc.key)).toBe("# Notes\nbody");
      const local = await t.request("GET", `/files/${img.key}`);
      if (backend.name === "local") {
        expect(local.headers.get("content-type")).toBe("image/png");
        expect(local.headers.get("content-disposition")).toContain('filename="pixel.png"');
        expect(new Uint8Array(await local.arrayBuffer())).toEqual(PNG_1PX);
      } else {
        expect(local.status).toBe(302);
        expect(local.headers.get("location")).toContain("X-Amz-Signature=");
      }

      const del = await t.request("DELETE", `/files/${doc.key}`);
      expect(await json(del)).toEqual({ success: true, key: doc.key, deleted: true });
      expect((await t.request("GET", `/files/${doc.key}`)).status).toBe(404);
      expect((await t.request("DELETE", `/files/${doc.key}`)).status).toBe(404);
      expect((await json(await t.request("GET", `/files?user_id=${user}`))).data.length).toBe(1);
    });

    test("hostile uploads get a clear 4xx and leave nothing behind", async () => {
      const user = `hostile_${backend.name}`;
      const cases: Array<[string, Uint8Array, number, string]> = [
        ["empty.txt", new Uint8Array(0), 400, "empty_file"],
        ["big.txt", new Uint8Array(1024 * 1024 + 1).fill(65), 413, "payload_too_large"],
        ["fake.pdf", new TextEncoder().encode("just text pretending"), 415, "unsupported_media_type"],
        ["photo.png", makePdf(["not an image"]), 415, "unsupported_media_type"],
        ["report.docx", makePdf(["a pdf named docx"]), 415, "unsupported_media_type"],
        ["program.bin", new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 1, 2, 3]), 415, "unsupported_media_type"],
        ["legacy.doc", new TextEncoder().encode("old word"), 415, "unsupported_media_type"],
        ["broken.pdf", new TextEncoder().encode("%PDF-1.7\n1 0 obj garbage without end"), 400, "corrupt_file"],
        ["locked.pdf", makePdf(["secret"], { encrypt: true }), 400, "encrypted_file"],
        ["bomb.docx", makeDocx(["boom"], 8 * 1024 * 1024), 400, "decompression_limit"],
        ["damaged.docx", makeDamagedDocx(), 400, "corrupt_file"],
        ["truncated.docx", makeDocx(["x"]).slice(0, 200), 415, "unsupported_media_type"],
      ];
      for (const [name, bytes, status, code] of cases) {
        const res = await upload(name, bytes, user);
        expect({ name, status: res.status }).toEqual({ name, status });
        expect({ name, code: (await errorOf(res)).code }).toEqual({ name, code });
      }
      expect((await json(await t.request("GET", `/files?user_id=${user}`))).data).toEqual([]);
      expect((await t.request("GET", "/health/live")).status).toBe(200);
    });

    test("bad upload requests: no file, no user, unknown folder, text in the file field", async () => {
      const noFile = new FormData();
      noFile.append("user_id", "u");
      expect((await t.request("POST", "/files/upload", { body: noFile })).status).toBe(400);
      const noUser = new FormData();
      noUser.append("file", new File(["x"], "x.txt"));
      expect((await t.request("POST", "/files/upload", { body: noUser })).status).toBe(400);
      expect((await upload("x.txt", new TextEncoder().encode("x"), "u", "secrets")).status).toBe(400);
      const textAsFile = new FormData();
      textAsFile.append("file", "not a file");
      textAsFile.append("user_id", "u");
      expect((await t.request("POST", "/files/upload", { body: textAsFile })).status).toBe(400);
    });

    test("keys that try to escape are refused; another user's file does not exist for them", async () => {
      const mine = await json(await upload("private.txt", new TextEncoder().encode("mine only"), "owner"));
      // Dot segments in the path itself are resolved by URL parsing before any route sees them.
      for (const path of ["/files/LLM/uploads/owner/../../../../etc/passwd", "/files/../../etc/passwd", "/files/%2e%2e/%2e%2e/%2e%2e/etc/passwd"]) {
        const res = await t.request("GET", path);
        expect([400, 404]).toContain(res.status);
        await errorOf(res);
      }
      const tricks = [
        "/files/LLM/uploads/owner/../../x/y",
        "/files/LLM/uploads/%2e%2e/%2e%2e/x",
        "/files/LLM%2Fuploads%2Fowner%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "/files//etc/passwd",
        "/files/LLM/uploads/owner/20260101_000000_..",
        "/files/LLM/uploads/owner/20260101_000000_x\\..\\..\\y",
        "/files/LLM/secrets/owner/20260101_000000_x.txt",
      ];
      for (const path of tricks) {
        for (const method of ["GET", "DELETE"]) {
          const res = await t.request(method, path);
          expect({ path, method, status: res.status }).toEqual({ path, method, status: 400 });
          expect((await errorOf(res)).code).toBe("invalid_file_key");
        }
      }
      expect((await t.request("GET", `/files/${mine.key}?user_id=intruder`)).status).toBe(404);
      expect((await t.request("DELETE", `/files/${mine.key}?user_id=intruder`)).status).toBe(404);
      expect(await downloadText(mine.key, "?user_id=owner")).toBe("mine only");
    });
  });
}
