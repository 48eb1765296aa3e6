// Stored responses of the Responses API. Each is one turn of a conversation (its messages live in
// `messages`); the row keeps what the Responses API returns about it: the response object and the
// input items as the client sent them.
import { sql } from "drizzle-orm";
import type { Db } from "../database.ts";
import { iso, json } from "../columns.ts";
import type { Row } from "../driver.ts";

export interface InputItem {
  id: string;
  type: string;
  [field: string]: unknown;
}

export interface StoredResponse {
  id: string;
  user_id: string;
  conversation_id: string;
  body: Record<string, unknown>;
  input_items: InputItem[];
  created_at: string;
}

function decode(row: Row): StoredResponse {
  return {
    id: String(row.id),
    user_id: String(row.user_id),
    conversation_id: String(row.conversation_id),
    body: json<Record<string, unknown>>(row.body, {}),
    input_items: json<InputItem[]>(row.input_items, []),
    created_at: iso(row.created_at),
  };
}

export function responsesRepo(db: Db) {
  return {
    async insert(stored: StoredResponse): Promise<void> {
      await db.run(sql`
        INSERT INTO responses (id, user_id, conversation_id, body, input_items, created_at)
        VALUES (${stored.id}, ${stored.user_id}, ${stored.conversation_id}, ${db.json(stored.body)}, ${db.json(stored.input_items)}, ${stored.created_at})`);
    },

    async get(id: string): Promise<StoredResponse | null> {
      const [row] = await db.all(sql`SELECT * FROM responses WHERE id = ${id}`);
      return row ? decode(row) : null;
    },

    async remove(id: string): Promise<boolean> {
      const rows = await db.all(sql`DELETE FROM responses WHERE id = ${id} RETURNING id`);
      return rows.length > 0;
    },
  };
}

export type ResponsesRepo = ReturnType<typeof responsesRepo>;
