// Files sent with a chat turn. Everything is checked and extracted before the upstream is called
// (a bad file refuses the request with nothing stored); the bytes are stored only once the turn
// has a reply to be stored with.
import type { LoadedConfig } from "../config/load.ts";
import { badRequest } from "../errors.ts";
import { classify, type FileInfo, type FileKind } from "../documents/file-kind.ts";
import { documentBlock, extractText } from "../documents/extract.ts";
import { fileUrl, type FileService } from "../files/service.ts";
import type { Folder } from "../storage/blobs/keys.ts";
import type { FileRecord } from "../storage/db/repos/files.ts";
import type { Attachment } from "../storage/db/repos/messages.ts";
import type { ChatMessage } from "./messages.ts";

export const MAX_FILES_PER_REQUEST = 10;

export interface IncomingFile {
  /** The form field it came in: images only take images. */
  field: string;
  file: File;
}

export interface PreparedAttachment {
  info: FileInfo;
  bytes: Uint8Array;
  folder: Folder;
  /** The delimited text added to the user's turn (documents sent as text). */
  block: string | null;
  /** A PDF passed upstream as a file part (documents.pdf_mode: native). */
  native: boolean;
}

export async function readAttachments(loaded: LoadedConfig, incoming: IncomingFile[]): Promise<PreparedAttachment[]> {
  if (incoming.length > MAX_FILES_PER_REQUEST) {
    throw badRequest(`At most ${MAX_FILES_PER_REQUEST} files can be sent with one message (got ${incoming.length}).`, incoming[0]!.field, "too_many_files");
  }
  const { config } = loaded;
  const maxBytes = Math.floor(config.max_file_size_mb * 1024 * 1024);
  const limits = { maxChars: config.documents.max_chars, maxUnpackedBytes: config.documents.max_decompressed_mb * 1024 * 1024 };
  const out: PreparedAttachment[] = [];
  for (const { field, file } of incoming) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const allowed: FileKind[] | undefined = field === "images" ? ["image"] : undefined;
    const info = await classify(file.name || "upload", bytes, maxBytes, field, allowed);
    if (info.kind === "image") {
      out.push({ info, bytes, folder: "chat_images", block: null, native: false });
      continue;
    }
    // Read every document, even one sent natively: a corrupt or encrypted file is refused here.
    const extracted = await extractText(info, bytes, limits, field);
    const native = info.kind === "pdf" && config.documents.pdf_mode === "native";
    out.push({ info, bytes, folder: "documents", block: native ? null : documentBlock(info, extracted), native });
  }
  return out;
}

const dataUrl = (mime: string, bytes: Uint8Array) => `data:${mime.split(";")[0]};base64,${Buffer.from(bytes).toString("base64")}`;

export const imagePart = (mime: string, bytes: Uint8Array) => ({ type: "image_url", image_url: { url: dataUrl(mime, bytes) } });

/** The user's text plus the attachments, as the content of one user message. */
export function withAttachments(content: ChatMessage["content"], atts: PreparedAttachment[]): ChatMessage["content"] {
  if (!atts.length) return content;
  const parts: Array<Record<string, unknown>> = typeof content === "string" ? [{ type: "text", text: content }] : [...(content ?? [])];
  const blocks = atts.map((a) => a.block).filter((b): b is string => b !== null);
  if (blocks.length) parts.push({ type: "text", text: blocks.join("\n\n") });
  for (const a of atts) {
    if (a.info.kind === "image") parts.push(imagePart(a.info.mime, a.bytes));
    else if (a.native) parts.push({ type: "file", file: { filename: a.info.name, file_data: dataUrl("application/pdf", a.bytes) } });
  }
  return parts;
}

/** Stores the turn's files (they then show in GET /files) and describes them for the message. */
/** All of them or none: if one cannot be stored, those stored before it are removed again. */
export async function storeAttachments(files: FileService, userId: string, conversationId: string, atts: PreparedAttachment[]): Promise<Attachment[]> {
  const saved: FileRecord[] = [];
  try {
    for (const a of atts)
      saved.push(await files.save({ userId, folder: a.folder, filename: a.info.name, contentType: a.info.mime, bytes: a.bytes, conversationId }));
  } catch (err) {
    for (const record of saved) await files.delete(record).catch(() => undefined);
    throw err;
  }
  return saved.map((record, i) => {
    const a = atts[i]!;
    return {
      kind: a.info.kind === "image" ? "image" : "document",
      key: record.key,
      url: fileUrl(record.key),
      filename: a.info.name,
      content_type: a.info.mime,
    };
  });
}
