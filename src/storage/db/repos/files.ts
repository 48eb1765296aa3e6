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

function decode(r: Row): FileRecord {
  return {
    key: String(r.key),
    user_id: String(r.user_id),
    folder: String(r.folder),
    filename: String(r.filename),
    content_type: String(r.content_type),
    size: num(r.size),
    backend: String(r.backend) as FileRecord["backend"],
    conversation_id: strOrNull(r.conversation_id),
    created_at: iso(r.created_at),
  };
}

export function filesRepo(db: Db) {
  return {
    async insert(f: FileRecord): Promise<void> {
      await db.run(sql`
        INSERT INTO files (key, user_id, folder, filename, content_type, size, backend, conversation_id, created_at)
        VALUES (${f.key}, ${f.user_id}, ${f.folder}, ${f.filename}, ${f.content_type}, ${f.size}, ${f.backend},
                ${f.conversation_id}, ${f.created_at})`);
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
