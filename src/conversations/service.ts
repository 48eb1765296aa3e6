// Conversation management, framework-free: ids, limits and not-found semantics over the store.
import { badRequest, notFound } from "../errors.ts";
import { newId } from "../lib/ids.ts";
import type { Conversation, ConversationPatch } from "../storage/db/repos/conversations.ts";
import type { Message, MessagePage } from "../storage/db/repos/messages.ts";
import type { Store } from "../storage/db/store.ts";

/** Stored metadata stays small: it rides along with every conversation read. */
export const MAX_METADATA_BYTES = 16 * 1024;

export interface NewConversationInput {
  user_id?: string;
  title?: string | null;
  tags?: string[];
  metadata?: Record<string, unknown>;
  model?: string;
}

export function conversationService(store: Store, now: () => Date) {
  const checkMetadata = (metadata: Record<string, unknown> | undefined) => {
    if (metadata !== undefined && Buffer.byteLength(JSON.stringify(metadata)) > MAX_METADATA_BYTES) {
      throw badRequest(`metadata is too large: at most ${MAX_METADATA_BYTES / 1024} KB of JSON.`, "metadata");
    }
  };
  const missing = (id: string) => notFound(`No conversation found with id '${id}'.`, "conversation_not_found");

  return {
    async create(input: NewConversationInput): Promise<Conversation> {
      checkMetadata(input.metadata);
      return store.conversations.create({
        id: newId("conv"),
        user_id: input.user_id ?? newId("user"),
        title: input.title ?? null,
        tags: input.tags ?? [],
        metadata: input.metadata ?? {},
        model: input.model ?? null,
        now: now().toISOString(),
      });
    },

    /** A live conversation; `owner` (when set) must own it, else it does not exist for them. */
    async get(id: string, owner: string | null): Promise<Conversation> {
      const c = await store.conversations.get(id);
      if (!c || (owner !== null && c.user_id !== owner)) throw missing(id);
      return c;
    },

    /** A page of the user's conversations; `titleContains` (optional) filters by title. */
    async list(userId: string, page: { limit: number; offset: number }, titleContains = "") {
      const [data, total] = await Promise.all([
        store.conversations.listByUser(userId, page, titleContains),
        store.conversations.countByUser(userId, titleContains),
      ]);
      return { data, total, has_more: page.offset + data.length < total };
    },

    async update(id: string, patch: ConversationPatch, owner: string | null): Promise<Conversation> {
      checkMetadata(patch.metadata);
      await this.get(id, owner);
      const c = await store.conversations.update(id, patch, now().toISOString());
      if (!c) throw missing(id);
      return c;
    },

    /** Soft delete hides the conversation; hard delete removes it and its messages. */
    async remove(id: string, soft: boolean, owner: string | null): Promise<void> {
      await this.get(id, owner);
      const done = soft ? await store.conversations.softDelete(id, now().toISOString()) : await store.transaction((tx) => tx.conversations.hardDelete(id));
      if (!done) throw missing(id);
    },

    async messages(id: string, page: MessagePage, owner: string | null): Promise<{ data: Message[]; has_more: boolean }> {
      await this.get(id, owner);
      const rows = await store.messages.list(id, { ...page, limit: page.limit + 1 });
      return { data: rows.slice(0, page.limit), has_more: rows.length > page.limit };
    },
  };
}

export type ConversationService = ReturnType<typeof conversationService>;
