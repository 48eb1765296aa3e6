// PDF → text with pdf-parse. The worker is imported statically so that it is bundled into the
// compiled binary (which has no node_modules to load it from at run time).
import "./pdfjs-globals.ts";
import "pdfjs-dist/legacy/build/pdf.worker.mjs";
import { PDFParse } from "pdf-parse";
import { badRequest } from "../errors.ts";

export interface PdfText {
  text: string;
  pages: number;
}

export async function pdfText(name: string, bytes: Uint8Array, param: string): Promise<PdfText> {
  // pdf.js takes ownership of the buffer it is given; keep the caller's bytes intact.
  const parser = new PDFParse({ data: bytes.slice() });
  try {
    const result = await parser.getText({ pageJoiner: "" });
    return { text: result.text.trim(), pages: result.total };
  } catch (err) {
    const kind = (err as { name?: string }).name;
    if (kind === "PasswordException") {
      throw badRequest(`The PDF '${name}' is encrypted (password protected); send an unprotected copy.`, param, "encrypted_file");
    }
    throw badRequest(`The PDF '${name}' could not be read: it is damaged or not a valid PDF.`, param, "corrupt_file");
  } finally {
    await parser.destroy().catch(() => undefined);
  }
}
