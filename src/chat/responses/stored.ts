// Reading and deleting stored responses: GET /v1/responses/{id}, its input_items (paginated as the
// spec's list), DELETE. Another user's response does not exist for the caller (404).
import { notFound } from "../../errors.ts";
import type { Store } from "../../storage/db/store.ts";
import type { StoredResponse } from "../../storage/db/repos/responses.ts";

export interface ItemPage {
  limit: number;
  order: "asc" | "desc";
  after?: string;
  before?: string;
}

export function responseStore(store: Store) {
  /** `owner` null: any user's (open mode, admin key). */
  const find = async (id: string, owner: string | null): Promise<StoredResponse> => {
    const found = await store.responses.get(id);
    if (!found || (owner !== null && found.user_id !== owner)) throw notFound(`No response found with id '${id}'.`, "response_not_found");
    return found;
  };

  return {
    async get(id: string, owner: string | null) {
      return (await find(id, owner)).body;
    },

    async remove(id: string, owner: string | null) {
      await find(id, owner);
      await store.responses.remove(id);
      return { id, object: "response" as const, deleted: true as const };
    },

    async inputItems(id: string, owner: string | null, page: ItemPage) {
      const { input_items: all } = await find(id, owner);
      let items = page.order === "asc" ? all : [...all].reverse();
      const at = (cursor: string, param: string) => {
        const index = items.findIndex((i) => i.id === cursor);
        if (index < 0) throw notFound(`No input item found with id '${cursor}' (${param}).`, "item_not_found");
        return index;
      };
      if (page.after) items = items.slice(at(page.after, "after") + 1);
      if (page.before) items = items.slice(0, at(page.before, "before"));
      const data = items.slice(0, page.limit);
      return { object: "list" as const, data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: items.length > data.length };
    },
  };
}

export type ResponseStore = ReturnType<typeof responseStore>;
