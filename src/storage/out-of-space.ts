// A write refused for want of room — a full disk (ENOSPC), a file-size limit (EFBIG), a quota
// (EDQUOT), a full SQLite file or Postgres disk — is the operator's problem, not a bug: it answers
// 507 insufficient_storage, and whatever was half-written is removed.
import { AppError, insufficientStorage } from "../errors.ts";

const ERRNO_CODES = new Set(["ENOSPC", "EFBIG", "EDQUOT", "SQLITE_FULL"]);
/** Postgres: disk_full. */
const DISK_FULL_STATE = "53100";

export function isOutOfSpace(err: unknown): boolean {
  const e = err as { code?: unknown; errno?: unknown; cause?: { errno?: unknown } } | null;
  if (!e || err instanceof AppError) return false;
  return ERRNO_CODES.has(String(e.code)) || String(e.errno ?? e.cause?.errno) === DISK_FULL_STATE;
}

/** `err` as a 507 when it is one; otherwise unchanged. */
export function asStorageError(err: unknown, what: string): unknown {
  if (!isOutOfSpace(err)) return err;
  const code = (err as { code?: unknown }).code;
  return insufficientStorage(
    `There is no room to store ${what} (${String(code ?? "disk full")}); nothing of it was kept. Try again later or ask the operator to free space.`,
  );
}
