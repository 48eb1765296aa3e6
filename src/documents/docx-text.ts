// DOCX → text with mammoth, after proving the archive is safe to open: every entry is inflated
// once through a counting stream (fflate), so a zip bomb is refused by what it really unpacks
// to — not by the sizes its headers claim.
import { Unzip, UnzipInflate } from "fflate";
import mammoth from "mammoth";
import { badRequest } from "../errors.ts";

function unpackedSize(bytes: Uint8Array, limit: number): number {
  let total = 0;
  let over = false;
  const unzip = new Unzip((entry) => {
    entry.ondata = (err, chunk) => {
      if (err) throw err;
      total += chunk.length;
      if (total > limit && !over) {
        over = true;
        entry.terminate();
      }
    };
    if (!over) entry.start();
  });
  unzip.register(UnzipInflate);
  const step = 64 * 1024;
  for (let i = 0; i < bytes.length && !over; i += step) unzip.push(bytes.subarray(i, i + step), i + step >= bytes.length);
  return over ? Infinity : total;
}

export async function docxText(name: string, bytes: Uint8Array, maxUnpackedBytes: number, param: string): Promise<string> {
  let size: number;
  try {
    size = unpackedSize(bytes, maxUnpackedBytes);
  } catch {
    throw badRequest(`The document '${name}' could not be read: its zip archive is damaged.`, param, "corrupt_file");
  }
  if (size === Infinity) {
    throw badRequest(
      `The document '${name}' unpacks to more than ${Math.round(maxUnpackedBytes / 1024 / 1024)} MB (documents.max_decompressed_mb): refused as a possible zip bomb.`,
      param,
      "decompression_limit",
    );
  }
  try {
    const { value } = await mammoth.extractRawText({ buffer: Buffer.from(bytes) });
    return value.trim();
  } catch {
    throw badRequest(`The document '${name}' could not be read: it is damaged or not a Word document.`, param, "corrupt_file");
  }
}
