// Stored files: bytes in the blob store, metadata in the files table. The bytes are staged first
// (a full disk fails there, before anything is claimed — deleting a row on a full disk may fail
// too), then a row is claimed (its primary key makes two uploads of one name in one second get
// "-2"), then the staged bytes become the object; if they cannot, the row goes again. Nothing is
// left half-stored, and running out of room answers 507.
import { notFound } from "../errors.ts";
import type { BlobStore, Download } from "../storage/blobs/blob-store.ts";
import { assertValidKey, buildKey, variantKey, type Folder } from "../storage/blobs/keys.ts";
import type { FileRecord } from "../storage/db/repos/files.ts";
import type { Store } from "../storage/db/store.ts";
import { asStorageError } from "../storage/out-of-space.ts";

export interface NewFile {
  userId: string;
  folder: Folder;
  filename: string;
  contentType: string;
  bytes: Uint8Array;
  conversationId?: string | null;
}

/** The stable URL of a stored file: served (or redirected to S3) by this server. */
export const fileUrl = (key: string) => `/files/${key}`;

const isUniqueViolation = (err: unknown) => {
  const e = err as { code?: string; errno?: string | number; cause?: { errno?: string }; message?: string };
  return (
    e.code === "SQLITE_CONSTRAINT_PRIMARYKEY" || e.errno === "23505" || e.cause?.errno === "23505" || /UNIQUE constraint|duplicate key/i.test(e.message ?? "")
  );
};

export function fileService(store: Store, blobs: BlobStore, now: () => Date) {
  /** Claims a free key with a files row, then commits the bytes under it (or removes the row again). */
  async function claimAndCommit(file: NewFile, commit: (key: string) => Promise<void>): Promise<FileRecord> {
    const at = now();
    const base = buildKey(file.folder, file.userId, file.filename, at);
    for (let n = 1; n <= 50; n++) {
      const record: FileRecord = {
        key: n === 1 ? base : variantKey(base, n),
        user_id: file.userId,
        folder: file.folder,
        filename: file.filename.slice(0, 255),
        content_type: file.contentType,
        size: file.bytes.length,
        backend: blobs.backend,
        conversation_id: file.conversationId ?? null,
        created_at: at.toISOString(),
      };
      try {
        await store.files.insert(record);
      } catch (err) {
        if (isUniqueViolation(err)) continue;
        throw err;
      }
      try {
        await commit(record.key);
      } catch (err) {
        await store.files.delete(record.key).catch(() => undefined);
        throw err;
      }
      return record;
    }
    throw new Error(`no free key for ${base}`);
  }

  return {
    async save(file: NewFile): Promise<FileRecord> {
      const what = `'${file.filename.slice(0, 100)}'`;
      const staged = await blobs.stage(file.bytes, file.contentType).catch((err) => {
        throw asStorageError(err, what);
      });
      try {
        return await claimAndCommit(file, staged.commit);
      } catch (err) {
        await staged.discard();
        throw asStorageError(err, what);
      }
    },

    /** A file's metadata; `owner` (when given) must match, else it does not exist for the caller. */
    async get(key: string, owner?: string | null): Promise<FileRecord> {
      const record = await store.files.get(assertValidKey(key));
      if (!record || (owner && record.user_id !== owner)) throw notFound(`No file found with key '${key}'.`, "file_not_found");
      return record;
    },

    list: (userId: string, opts: { folder?: Folder; limit: number }) => store.files.list(userId, opts),

    async download(record: FileRecord): Promise<Download> {
      const d = await blobs.download(record.key, record.content_type);
      if (!d) throw notFound(`The file '${record.key}' is listed but its content is missing.`, "file_not_found");
      return d;
    },

    read: (key: string) => blobs.read(key),

    async delete(record: FileRecord): Promise<void> {
      await blobs.delete(record.key);
      await store.files.delete(record.key);
    },
  };
}

export type FileService = ReturnType<typeof fileService>;
