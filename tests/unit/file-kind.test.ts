// Table: what a file is, from its bytes, checked against what its name claims.
import { describe, expect, test } from "bun:test";
import { classify, type FileKind } from "../../src/documents/file-kind.ts";
import { AppError } from "../../src/errors.ts";
import { GIF_1PX, JPEG_HEAD, makeDocx, makePdf, PNG_1PX } from "../support/fixtures.ts";

const MB = 1024 * 1024;
const text = (s: string) => new TextEncoder().encode(s);

describe("classify accepts", () => {
  test.each([
    { name: "a.png", bytes: PNG_1PX, kind: "image", mime: "image/png" },
    { name: "a.gif", bytes: GIF_1PX, kind: "image", mime: "image/gif" },
    { name: "a.jpg", bytes: JPEG_HEAD, kind: "image", mime: "image/jpeg" },
    { name: "no-extension", bytes: PNG_1PX, kind: "image", mime: "image/png" },
    { name: "a.pdf", bytes: makePdf(["hello"]), kind: "pdf", mime: "application/pdf" },
    { name: "a.docx", bytes: makeDocx(["hello"]), kind: "docx", mime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document" },
    { name: "notes.md", bytes: text("# hi"), kind: "text", mime: "text/plain; charset=utf-8" },
    { name: "Makefile", bytes: text("all:\n\techo"), kind: "text", mime: "text/plain; charset=utf-8" },
    { name: "data.unknownext", bytes: text("héllo wörld"), kind: "text", mime: "text/plain; charset=utf-8" },
  ] as { name: string; bytes: Uint8Array; kind: FileKind; mime: string }[])("$name", async ({ name, bytes, kind, mime }) => {
    expect(await classify(name, bytes, MB, "files")).toEqual({ kind, mime, name });
  });

  test("a UTF-8 character cut at the 64 KiB sample boundary is still text", async () => {
    const bytes = text(`${"a".repeat(64 * 1024 - 1)}é tail`);
    expect((await classify("big.txt", bytes, MB, "files")).kind).toBe("text");
  });
});

describe("classify refuses", () => {
  test.each([
    { why: "empty", name: "a.txt", bytes: new Uint8Array(), status: 400, code: "empty_file" },
    { why: "too large", name: "a.txt", bytes: text("x".repeat(11)), status: 413, code: "payload_too_large", max: 10 },
    { why: "legacy .doc", name: "a.doc", bytes: text("hello"), status: 415, code: "unsupported_media_type" },
    { why: "spreadsheet", name: "a.xlsx", bytes: makeDocx(["x"]), status: 415, code: "unsupported_media_type" },
    { why: "binary of an unknown kind", name: "a.bin", bytes: new Uint8Array([0, 1, 2, 3, 0, 255]), status: 415, code: "unsupported_media_type" },
    { why: "invalid UTF-8", name: "a.txt", bytes: new Uint8Array([0x61, 0xff, 0xfe, 0x62]), status: 415, code: "unsupported_media_type" },
    { why: "a PNG named .pdf", name: "a.pdf", bytes: PNG_1PX, status: 415, code: "unsupported_media_type" },
    { why: "text named .png", name: "a.png", bytes: text("not an image"), status: 415, code: "unsupported_media_type" },
    {
      why: "a zip that is not a docx",
      name: "a.zip",
      bytes: new Uint8Array([0x50, 0x4b, 0x03, 0x04, ...new Array(40).fill(0)]),
      status: 415,
      code: "unsupported_media_type",
    },
  ])("$why", async ({ name, bytes, status, code, max }) => {
    const err = await classify(name, bytes, max ?? MB, "files[0]").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(status);
    expect((err as AppError).code).toBe(code);
    expect((err as AppError).param).toBe("files[0]");
    expect((err as AppError).message).toContain(name);
  });

  test("a field restricted to images refuses a PDF", async () => {
    const err = (await classify("a.pdf", makePdf(["x"]), MB, "images", ["image"]).catch((e: unknown) => e)) as AppError;
    expect(err.status).toBe(415);
    expect(err.message).toContain("this field takes an image");
  });
});
