// The history windows a process keeps for its turns must always equal what the database holds:
// after its own turns, after turns another replica stored, after deletions, on every backend.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { HistoryWindows } from "../../src/chat/history-window.ts";
import type { TurnMessage, TurnReply } from "../../src/chat/record.ts";
import { newId } from "../../src/lib/ids.ts";
import { openStore, sqliteFileIn } from "../../src/storage/db/open.ts";
import type { Store } from "../../src/storage/db/store.ts";
import { BACKENDS, backendTitle, type BackendHandle } from "../support/backends.ts";

const now = new Date(Date.UTC(2026, 0, 29, 12)).toISOString();
const call = { id: "call_1", type: "function" as const, function: { name: "lookup", arguments: '{"q":"x"}' } };
const image = { kind: "image" as const, key: "k1", url: "/files/k1", filename: "a.png", content_type: "image/png" };

for (const backend of BACKENDS) {
  describe.skipIf(backend.skip !== null)(`history windows: ${backendTitle(backend)}`, () => {
    let handle: BackendHandle;
    let store: Store;

    beforeAll(async () => {
      handle = await backend.open();
      store =
        backend.name === "sqlite"
          ? openStore({ kind: "sqlite", path: sqliteFileIn(handle.dataDir) })
          : openStore({ kind: "postgres", url: handle.env.DATABASE_URL!, poolSize: 4 });
      await store.migrate();
    }, 60_000);

    afterAll(async () => {
      await store?.close();
      await handle?.cleanup();
    });

    /** Stores a turn as recordTurn does; returns the number of its first message. */
    async function storeTurn(conversationId: string, userId: string, turn: TurnMessage[], reply: TurnReply): Promise<number> {
      return store.transaction(async (tx) => {
        const count = await tx.conversations.addTurn(conversationId, {
          messages: turn.length + 1,
          tokens_input: 1,
          tokens_output: 1,
          cost: 1,
          image_urls: [],
          session_id: null,
          model: "m",
          now,
        });
        let seq = count - turn.length;
        for (const m of [...turn, { role: "assistant" as const, content: reply.content, tool_calls: reply.toolCalls }]) {
          await tx.messages.insert({ id: newId("msg"), conversation_id: conversationId, user_id: userId, seq: seq++, created_at: now, ...m });
        }
        return count - turn.length;
      });
    }

    async function newConversation() {
      const user = newId("user");
      const conv = await store.conversations.create({ id: newId("conv"), user_id: user, now });
      return { id: conv.id, user };
    }

    test("after this process's own turns, a window equals the database's", async () => {
      const windows = new HistoryWindows();
      const { id, user } = await newConversation();
      expect(await windows.read(store, id, 4)).toEqual({ userId: user, messages: [] });
      const turns: Array<[TurnMessage[], TurnReply]> = [
        [
          [
            { role: "system", content: "be brief" },
            { role: "user", content: "look", attachments: [image] },
          ],
          { content: "", finishReason: "tool_calls", toolCalls: [call] },
        ],
        [[{ role: "tool", content: "42", tool_call_id: "call_1" }], { content: "It is 42.", finishReason: "stop", toolCalls: [] }],
        [[{ role: "user", content: "odd \ud800 text" }], { content: "ok", finishReason: "stop" }],
        [[{ role: "user", content: "more" }], { content: "done", finishReason: "stop" }],
      ];
      for (const [turn, reply] of turns) {
        windows.stored(id, await storeTurn(id, user, turn, reply), turn, reply);
        expect(await windows.read(store, id, 4)).toEqual(await store.messages.history(id, 4));
      }
      expect(await windows.read(store, id, 20)).toEqual(await store.messages.history(id, 20));
      expect((await windows.read(store, id, 20))!.messages).toHaveLength(9);
    });

    test("turns stored elsewhere (another replica) and out of order are read from the database", async () => {
      const windows = new HistoryWindows();
      const { id, user } = await newConversation();
      await windows.read(store, id, 3);
      await storeTurn(id, user, [{ role: "user", content: "from another replica" }], { content: "a", finishReason: "stop" });
      expect(await windows.read(store, id, 3)).toEqual(await store.messages.history(id, 3));
      for (let i = 0; i < 4; i++) await storeTurn(id, user, [{ role: "user", content: `elsewhere ${i}` }], { content: `r${i}`, finishReason: "stop" });
      expect(await windows.read(store, id, 3)).toEqual(await store.messages.history(id, 3));
      // Two turns of this process committing out of order: the later one does not follow the window.
      const first = await storeTurn(id, user, [{ role: "user", content: "first" }], { content: "1", finishReason: "stop" });
      const second = await storeTurn(id, user, [{ role: "user", content: "second" }], { content: "2", finishReason: "stop" });
      windows.stored(id, second, [{ role: "user", content: "second" }], { content: "2", finishReason: "stop" });
      windows.stored(id, first, [{ role: "user", content: "first" }], { content: "1", finishReason: "stop" });
      expect(await windows.read(store, id, 3)).toEqual(await store.messages.history(id, 3));
      expect(await windows.read(store, id, 5)).toEqual(await store.messages.history(id, 5));
    });

    test("a deleted conversation is gone, whatever was kept", async () => {
      const windows = new HistoryWindows();
      const soft = await newConversation();
      const hard = await newConversation();
      for (const c of [soft, hard]) {
        await storeTurn(c.id, c.user, [{ role: "user", content: "q" }], { content: "a", finishReason: "stop" });
        expect((await windows.read(store, c.id, 5))!.messages).toHaveLength(2);
      }
      await store.conversations.softDelete(soft.id, now);
      await store.conversations.hardDelete(hard.id);
      expect(await windows.read(store, soft.id, 5)).toBeNull();
      expect(await windows.read(store, hard.id, 5)).toBeNull();
      expect(await windows.read(store, newId("conv"), 5)).toBeNull();
    });
  });
}
