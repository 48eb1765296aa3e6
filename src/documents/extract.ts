// Text of a document, cut to the configured budget, as a clearly delimited block that names the
// file — what is added to the user's turn.
import type { FileInfo } from "./file-kind.ts";

// pdf.js and mammoth are large: loaded on the first document, not at start-up.
const pdfModule = () => import("./pdf-text.ts");
const docxModule = () => import("./docx-text.ts");

export interface ExtractLimits {
  maxChars: number;
  maxUnpackedBytes: number;
}

export interface Extracted {
  text: string;
  pages: number | null;
  /** Characters in the document before any cut. */
  totalChars: number;
  truncated: boolean;
}

export async function extractText(info: FileInfo, bytes: Uint8Array, limits: ExtractLimits, param: string): Promise<Extracted> {
  let text: string;
  let pages: number | null = null;
  if (info.kind === "pdf") ({ text, pages } = await (await pdfModule()).pdfText(info.name, bytes, param));
  else if (info.kind === "docx") text = await (await docxModule()).docxText(info.name, bytes, limits.maxUnpackedBytes, param);
  else text = new TextDecoder("utf-8").decode(bytes).replace(/^\uFEFF/, "");
  const totalChars = text.length;
  const truncated = totalChars > limits.maxChars;
  return { text: truncated ? text.slice(0, limits.maxChars) : text, pages, totalChars, truncated };
}

const attr = (s: string) => s.replace(/[&"<>]/g, (c) => ({ "&": "&amp;", '"': "&quot;", "<": "&lt;", ">": "&gt;" })[c]!);

export function documentBlock(info: FileInfo, doc: Extracted): string {
  const pages = doc.pages !== null ? ` pages="${doc.pages}"` : "";
  const note = doc.truncated
    ? `\n[Document truncated: showing the first ${doc.text.length.toLocaleString("en-US")} of ${doc.totalChars.toLocaleString("en-US")} characters.]`
    : "";
  const body = doc.text || "[No extractable text: the document may be scanned images.]";
  return `<document name="${attr(info.name)}" type="${info.kind}"${pages}>\n${body}${note}\n</document>`;
}
