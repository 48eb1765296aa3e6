// Object keys: LLM/{folder}/{user_id}/{YYYYMMDD_HHMMSS}_{filename}. Every segment is made safe
// when a key is built, and a key that arrives from a client must have exactly this shape — so no
// "..", absolute path, backslash or encoded separator can reach a backend.
import { badRequest } from "../../errors.ts";

export const FOLDERS = ["uploads", "chat_images", "documents"] as const;
export type Folder = (typeof FOLDERS)[number];

const SAFE = /[^A-Za-z0-9._-]+/g;

/** A path segment anyone can read: unsafe runs become "_", no leading dots, at most `max` chars. */
export function safeSegment(raw: string, max = 100): string {
  const cleaned = raw
    .normalize("NFKC")
    .replace(SAFE, "_")
    .replace(/^[._]+/, "")
    .slice(0, max);
  return cleaned || "file";
}

/** A filename keeps its extension when it is cut to length. */
export function safeFilename(raw: string): string {
  const base = raw.split(/[\\/]/).pop() ?? "";
  const dot = base.lastIndexOf(".");
  const ext = dot > 0 ? safeSegment(base.slice(dot + 1), 10).toLowerCase() : "";
  const stem = safeSegment(dot > 0 ? base.slice(0, dot) : base, ext ? 99 - ext.length : 100);
  return ext ? `${stem}.${ext}` : stem;
}

const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, "").replace("T", "_").slice(0, 15); // YYYYMMDD_HHMMSS

export function buildKey(folder: Folder, userId: string, filename: string, at: Date): string {
  return `LLM/${folder}/${safeSegment(userId, 128)}/${stamp(at)}_${safeFilename(filename)}`;
}

/** The same key with "-2", "-3"... before the extension: for two uploads in one second. */
export function variantKey(key: string, n: number): string {
  const dot = key.lastIndexOf(".");
  const slash = key.lastIndexOf("/");
  return dot > slash ? `${key.slice(0, dot)}-${n}${key.slice(dot)}` : `${key}-${n}`;
}

const KEY_SHAPE = /^LLM\/(uploads|chat_images|documents)\/[A-Za-z0-9][A-Za-z0-9._-]{0,127}\/\d{8}_\d{6}_[A-Za-z0-9][A-Za-z0-9._-]{0,120}$/;

/** Refuses anything that is not a key this server could have made. */
export function assertValidKey(key: string): string {
  if (!KEY_SHAPE.test(key) || key.includes("..")) {
    throw badRequest("Invalid file key: expected LLM/{folder}/{user_id}/{YYYYMMDD_HHMMSS}_{filename}.", "key", "invalid_file_key");
  }
  return key;
}

export function isFolder(v: string): v is Folder {
  return (FOLDERS as readonly string[]).includes(v);
}
