// Why the embedded database file cannot be opened, in words a person can act on. SQLite itself only
// says "unable to open database file"; the usual causes — a data directory the server's user may
// not write, a read-only volume, a path through a file — are found by asking the file system.
import { accessSync, constants, existsSync } from "node:fs";
import { dirname } from "node:path";

const REASONS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "read-only file system",
  ENOTDIR: "a part of the path is not a directory",
  ENOSPC: "no space left on device",
  EISDIR: "it is a directory",
  EEXIST: "a file stands where the data directory should be",
};

const errnoOf = (err: unknown): string | undefined => (err as { code?: unknown } | null)?.code as string | undefined;

/** The first failing file-system check on the way to `path`, as an errno code. */
function probe(path: string): string | undefined {
  const dir = dirname(path);
  try {
    if (existsSync(path)) accessSync(path, constants.R_OK | constants.W_OK);
    accessSync(dir, constants.W_OK | constants.X_OK);
    return undefined;
  } catch (err) {
    return errnoOf(err);
  }
}

/** `cannot create /data/textllm.db: permission denied (running as uid 10001)`. */
export function sqliteOpenError(path: string, cause: unknown): Error {
  const verb = existsSync(path) ? "open" : "create";
  // SQLite's own errors carry no errno (SQLITE_CANTOPEN): then the file system says why.
  const code = [errnoOf(cause), probe(path)].find((c) => c !== undefined && c in REASONS);
  const reason = code ? REASONS[code] : cause instanceof Error ? cause.message : String(cause);
  const uid = process.getuid?.();
  return new Error(`cannot ${verb} ${path}: ${reason}${uid === undefined ? "" : ` (running as uid ${uid})`}`, { cause });
}
