// One contract for both blob backends: what the files service relies on.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { existsSync, readdirSync } from "node:fs";
import { blobStore } from "../../src/deps.ts";
import { loadConfig } from "../../src/config/load.ts";
import type { BlobStore } from "../../src/storage/blobs/blob-store.ts";
import { BLOB_BACKENDS, blobTitle, type BlobBackendHandle } from "../support/blob-backends.ts";
import { tempDir } from "../support/temp.ts";

for (const backend of BLOB_BACKENDS) {
  describe.skipIf(backend.skip !== null)(`blob store contract: ${blobTitle(backend)}`, () => {
    let handle: BlobBackendHandle;
    let blobs: BlobStore;
    const dir = tempDir();

    beforeAll(async () => {
      handle = await backend.open();
      blobs = blobStore(loadConfig({ env: { TEXTLLM_DATA_DIR: join(dir.path, "data"), ...handle.env }, cwd: dir.path }));
    });
    afterAll(async () => {
      await handle?.cleanup();
      dir.cleanup();
    });

    const key = (name: string) => `LLM/uploads/user_a/20260129_120000_${name}`;
    const bytes = (s: string) => new TextEncoder().encode(s);

    test("put then read gives the same bytes; binary survives", async () => {
      const data = new Uint8Array(256).map((_, i) => i);
      await blobs.put(key("bin.dat"), data, "application/octet-stream");
      expect(await blobs.read(key("bin.dat"))).toEqual(data);
      expect(blobs.backend).toBe(backend.name);
    });

    test("reading or downloading a missing key gives null", async () => {
      expect(await blobs.read(key("missing.txt"))).toBeNull();
      expect(await blobs.download(key("missing.txt"), "text/plain")).toBeNull();
    });

    test("download: a body to stream (local) or a working presigned URL (S3)", async () => {
      await blobs.put(key("hello.txt"), bytes("hello, blob"), "text/plain");
      const d = (await blobs.download(key("hello.txt"), "text/plain"))!;
      const text = d.body ? await d.body.text() : await (await fetch(d.redirect!)).text();
      expect(text).toBe("hello, blob");
      if (backend.name === "s3") expect(d.redirect).toContain("X-Amz-Signature=");
    });

    test("overwrite replaces, delete removes (and deleting twice is fine)", async () => {
      await blobs.put(key("v.txt"), bytes("one"), "text/plain");
      await blobs.put(key("v.txt"), bytes("two"), "text/plain");
      expect(new TextDecoder().decode((await blobs.read(key("v.txt")))!)).toBe("two");
      await blobs.delete(key("v.txt"));
      await blobs.delete(key("v.txt"));
      expect(await blobs.read(key("v.txt"))).toBeNull();
    });

    test("staged bytes are invisible until committed; discarded ones leave nothing", async () => {
      const kept = await blobs.stage(bytes("kept"), "text/plain");
      expect(await blobs.read(key("staged.txt"))).toBeNull();
      await kept.commit(key("staged.txt"));
      expect(new TextDecoder().decode((await blobs.read(key("staged.txt")))!)).toBe("kept");
      const dropped = await blobs.stage(bytes("dropped"), "text/plain");
      await dropped.discard();
      expect(await blobs.read(key("staged.txt"))).not.toBeNull();
      if (backend.name === "local") expect(readdirSync(join(dir.path, "data", "files", ".staging"))).toEqual([]);
    });

    test("the health probe writes and removes an object", async () => {
      expect(await blobs.check()).toMatchObject({ status: "healthy", backend: backend.name, writable: true });
    });

    if (backend.name === "local") {
      test("local: files live under data/files/{key}; a key cannot leave that directory", async () => {
        await blobs.put(key("where.txt"), bytes("here"), "text/plain");
        expect(existsSync(join(dir.path, "data", "files", key("where.txt")))).toBe(true);
        await expect(blobs.put("../../escape.txt", bytes("x"), "text/plain")).rejects.toThrow("escapes");
        await expect(blobs.read("/etc/passwd")).rejects.toThrow("escapes");
        expect(existsSync(join(dir.path, "escape.txt"))).toBe(false);
      });
    }
  });
}
