// Table: object keys are built safe and a client's key must have exactly the shape we build.
import { describe, expect, test } from "bun:test";
import { AppError } from "../../src/errors.ts";
import { assertValidKey, buildKey, isFolder, safeFilename, safeSegment, variantKey } from "../../src/storage/blobs/keys.ts";

const at = new Date("2026-03-04T05:06:07.890Z");

describe("buildKey", () => {
  test.each([
    ["uploads", "alice", "report.pdf", "LLM/uploads/alice/20260304_050607_report.pdf"],
    ["chat_images", "bob@example.com", "My Photo.PNG", "LLM/chat_images/bob_example.com/20260304_050607_My_Photo.png"],
    ["documents", "../../etc", "../../passwd", "LLM/documents/etc/20260304_050607_passwd"],
    ["uploads", "u", "C:\\Users\\x\\evil.txt", "LLM/uploads/u/20260304_050607_evil.txt"],
    ["uploads", "u", ".hidden", "LLM/uploads/u/20260304_050607_hidden"],
    ["uploads", "", "", "LLM/uploads/file/20260304_050607_file"],
  ] as const)("%s / %p / %p", (folder, user, name, key) => {
    const built = buildKey(folder, user, name, at);
    expect(built).toBe(key);
    expect(assertValidKey(built)).toBe(built);
  });

  test("long names are cut but keep their extension", () => {
    const name = safeFilename(`${"a".repeat(300)}.docx`);
    expect(name.length).toBeLessThanOrEqual(100);
    expect(name.endsWith(".docx")).toBe(true);
  });

  test("safeSegment folds unicode look-alikes and strips leading dots", () => {
    expect(safeSegment("ｆｉｌｅ")).toBe("file");
    expect(safeSegment("...x")).toBe("x");
    expect(safeSegment("a/b\\c")).toBe("a_b_c");
  });
});

describe("assertValidKey", () => {
  test.each([
    "LLM/uploads/alice/20260304_050607_a/../../x",
    "LLM/uploads/../../20260304_050607_x",
    "/etc/passwd",
    "LLM/other/alice/20260304_050607_x.txt",
    "LLM/uploads/alice/2026_x.txt",
    "LLM/uploads/alice/20260304_050607_x%2F..",
    "LLM/uploads/.alice/20260304_050607_x.txt",
    "LLM/uploads/alice/20260304_050607_..",
    "",
  ])("refuses %p", (key) => {
    try {
      assertValidKey(key);
      throw new Error("accepted");
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).status).toBe(400);
      expect((err as AppError).code).toBe("invalid_file_key");
    }
  });
});

test("variantKey numbers a second upload in the same second", () => {
  expect(variantKey("LLM/uploads/a/20260304_050607_x.pdf", 2)).toBe("LLM/uploads/a/20260304_050607_x-2.pdf");
  expect(variantKey("LLM/uploads/a.b/20260304_050607_x", 3)).toBe("LLM/uploads/a.b/20260304_050607_x-3");
});

test("isFolder knows the three folders", () => {
  expect(["uploads", "chat_images", "documents", "other"].map(isFolder)).toEqual([true, true, true, false]);
});
