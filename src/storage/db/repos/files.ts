import { sql } from "drizzle-orm";
import type { Db } from "../database.ts";
import { iso, num, strOrNull } from "../columns.ts";
import type { Row } from "../driver.ts";

export interface FileRecord {
  key: string;
  user_id: string;
  folder: string;
  filename: string;
  content_type: string;
  size: number;
  backend: "local" | "s3";
  conversation_id: string | null;
  created_at: string;
}

function decode(row: Row): FileRecord {
  return {
    key: String(row.key),
    user_id: String(row.user_id),
    folder: String(row.folder),
    filename: String(row.filename),
    content_type: String(row.content_type),
    size: num(row.size),
    backend: String(row.backend) as FileRecord["backend"],
    conversation_id: strOrNull(row.conversation_id),
    created_at: iso(row.created_at),
  };
}

export function filesRepo(db: Db) {
  return {
    async insert(file: FileRecord): Promise<void> {
      await db.run(sql`
        INSERT INTO files (key, user_id, folder, filename, content_type, size, backend, conversation_id, created_at)
        VALUES (${file.key}, ${file.user_id}, ${file.folder}, ${file.filename}, ${file.content_type}, ${file.size}, ${file.backend},
                ${file.conversation_id}, ${file.created_at})`);
    },

    async get(key: string): Promise<FileRecord | null> {
      const [row] = await db.all(sql`SELECT * FROM files WHERE key = ${key}`);
      return row ? decode(row) : null;
    },

    async list(userId: string, opts: { folder?: string; limit: number }): Promise<FileRecord[]> {
      const folder = opts.folder ? sql`AND folder = ${opts.folder}` : sql``;
      const rows = await db.all(sql`
        SELECT * FROM files WHERE user_id = ${userId} ${folder} ORDER BY created_at DESC, key DESC LIMIT ${opts.limit}`);
      return rows.map(decode);
    },

    async delete(key: string): Promise<boolean> {
      return (await db.run(sql`DELETE FROM files WHERE key = ${key}`)) > 0;
    },
  };
}

export type FilesRepo = ReturnType<typeof filesRepo>;
