// What a file really is, from its bytes (file-type reads the magic numbers; text is what decodes
// as UTF-8 without NULs), checked against what its name claims. Mismatches and unsupported kinds
// are 415, empty files 400, files over max_file_size_mb 413.
import { badRequest, payloadTooLarge, unsupportedMediaType } from "../errors.ts";
import { formatBytes } from "../lib/format-bytes.ts";

export type FileKind = "image" | "pdf" | "docx" | "text";

export interface FileInfo {
  kind: FileKind;
  mime: string;
  /** The file name as sent, for messages and the context block. */
  name: string;
}

export const IMAGE_MIMES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);
const TEXT_EXTENSIONS = new Set(
  "txt text md markdown rst csv tsv json jsonl ndjson yaml yml toml ini cfg conf log xml html htm css scss sql sh bash zsh ps1 bat env py rb go rs java kt kts scala swift c h cc cpp cxx hpp cs php pl lua r m js mjs cjs ts tsx jsx vue svelte dart ex exs erl hs ml clj tf proto graphql gradle makefile dockerfile".split(
    " ",
  ),
);
const KIND_OF_EXTENSION: Record<string, FileKind> = { pdf: "pdf", docx: "docx", png: "image", jpg: "image", jpeg: "image", gif: "image", webp: "image" };
const REFUSED: Record<string, string> = {
  doc: "legacy Word .doc files are not supported: save it as .docx or PDF",
  xls: "spreadsheets are not supported: export it as CSV",
  xlsx: "spreadsheets are not supported: export it as CSV",
  ppt: "presentations are not supported: export it as PDF",
  pptx: "presentations are not supported: export it as PDF",
};

const extensionOf = (name: string) => {
  const base = name.toLowerCase().split(/[\\/]/).pop() ?? "";
  const dot = base.lastIndexOf(".");
  return dot > 0 ? base.slice(dot + 1) : base === "makefile" || base === "dockerfile" ? base : "";
};

function looksLikeText(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, 64 * 1024);
  if (sample.includes(0)) return false;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(sample.length < bytes.length ? trimPartialUtf8(sample) : sample);
    return true;
  } catch {
    return false;
  }
}

/** A sample cut mid-character must not count as invalid UTF-8. */
function trimPartialUtf8(b: Uint8Array): Uint8Array {
  const end = b.length;
  for (let i = 1; i <= 3 && end - i >= 0; i++) {
    const byte = b[end - i]!;
    if ((byte & 0xc0) === 0xc0) return b.subarray(0, end - i); // lead byte of an unfinished sequence
    if ((byte & 0xc0) !== 0x80) break;
  }
  return b;
}

async function sniff(bytes: Uint8Array): Promise<{ kind: FileKind; mime: string } | { kind: null; what: string }> {
  const { fileTypeFromBuffer } = await import("file-type"); // loaded with the first upload, not at start-up
  const found = await fileTypeFromBuffer(bytes);
  if (found) {
    if (IMAGE_MIMES.has(found.mime)) return { kind: "image", mime: found.mime };
    if (found.mime === "application/pdf") return { kind: "pdf", mime: found.mime };
    if (found.ext === "docx") return { kind: "docx", mime: found.mime };
    return { kind: null, what: `${found.ext.toUpperCase()} (${found.mime})` };
  }
  if (looksLikeText(bytes)) return { kind: "text", mime: "text/plain; charset=utf-8" };
  return { kind: null, what: "binary data of an unknown kind" };
}

const LABEL: Record<FileKind, string> = { image: "an image", pdf: "a PDF", docx: "a Word (.docx) document", text: "a text file" };

export async function classify(name: string, bytes: Uint8Array, maxBytes: number, param: string, allowed?: FileKind[]): Promise<FileInfo> {
  if (bytes.length === 0) throw badRequest(`The file '${name}' is empty.`, param, "empty_file");
  if (bytes.length > maxBytes) {
    throw payloadTooLarge(`The file '${name}' is ${formatBytes(bytes.length)}; the limit is ${formatBytes(maxBytes)} (max_file_size_mb).`, param);
  }
  const ext = extensionOf(name);
  if (REFUSED[ext]) throw unsupportedMediaType(`Cannot read '${name}': ${REFUSED[ext]}.`, param);
  const claimed: FileKind | null = KIND_OF_EXTENSION[ext] ?? (TEXT_EXTENSIONS.has(ext) ? "text" : null);

  const found = await sniff(bytes);
  if (found.kind === null) {
    throw unsupportedMediaType(`The file '${name}' is ${found.what}; supported are images (PNG, JPEG, GIF, WebP), PDF, DOCX and text files.`, param);
  }
  if (claimed && claimed !== found.kind) {
    throw unsupportedMediaType(`The file '${name}' is named like ${LABEL[claimed]} but its content is ${LABEL[found.kind]}.`, param);
  }
  if (allowed && !allowed.includes(found.kind)) {
    throw unsupportedMediaType(`The file '${name}' is ${LABEL[found.kind]}; this field takes ${allowed.map((k) => LABEL[k]).join(" or ")}.`, param);
  }
  return { kind: found.kind, mime: found.mime, name };
}
