// Storing a chat turn (recordTurn) on every database backend: Postgres writes it as one statement,
// SQLite as statements of one transaction; both must leave exactly the same rows, number messages
// the same way (also under concurrent turns on one conversation) and write nothing of a turn that fails.
import { describe, expect, test } from "bun:test";
import { recordTurn, type TurnRecord } from "../../src/chat/record.ts";
import { newId } from "../../src/lib/ids.ts";
import type { Store } from "../../src/storage/db/store.ts";
import { BACKENDS, backendTitle, useBackendStore } from "../support/backends.ts";

const NOW = new Date(Date.UTC(2026, 2, 3, 9, 30, 0));

function turn(userId: string, conversationId: string, over: Partial<TurnRecord> = {}): TurnRecord {
  return {
    requestId: newId("req"),
    route: "/chat",
    userId,
    model: "gpt-test",
    provider: "openai",
    usage: { prompt_tokens: 11, completion_tokens: 7, cached_tokens: 2 },
    cost: 123,
    latencyMs: 42.4,
    status: 200,
    errorCode: null,
    streamed: false,
    now: NOW,
    conversationId,
    create: null,
    messages: [{ role: "user", content: "hello" }],
    reply: { content: "hi there", finishReason: "stop" },
    imageUrls: [],
    ...over,
  };
}

for (const backend of BACKENDS) {
  describe.skipIf(backend.skip !== null)(`turn write: ${backendTitle(backend)}`, () => {
    let store: Store;
    useBackendStore(backend, (opened) => (store = opened));

    test("a first turn creates the conversation; the next adds to it; every row as expected", async () => {
      const user = newId("user");
      const conv = newId("conv");
      const image = { kind: "image" as const, key: "k/1.png", url: "http://x/1.png", filename: "1.png", content_type: "image/png" };
      const toolCall = { id: "call_1", type: "function" as const, function: { name: "f", arguments: "{}" } };
      const first = await recordTurn(
        store,
        turn(user, conv, {
          create: { title: "A title" },
          messages: [
            { role: "system", content: "be brief" },
            { role: "user", content: "look", attachments: [image] },
          ],
          reply: { content: "", finishReason: "tool_calls", toolCalls: [toolCall] },
          imageUrls: [image.url],
          response: { id: newId("resp"), body: { object: "response", n: 1 }, input_items: [{ id: "i1", type: "message" }] },
        }),
      );
      expect(first.messageNumber).toBe(3);
      const second = await recordTurn(
        store,
        turn(user, conv, {
          messages: [{ role: "tool", content: "42", tool_call_id: "call_1" }],
          imageUrls: ["http://x/2.png", "http://x/3.png"],
        }),
      );
      expect(second).toEqual({ sessionId: first.sessionId, messageNumber: 5 });

      expect(await store.conversations.get(conv)).toMatchObject({
        user_id: user,
        session_id: first.sessionId,
        created_at: NOW.toISOString(),
        last_used: NOW.toISOString(),
        message_count: 5,
        total_tokens_input: 22,
        total_tokens_output: 14,
        total_cost: 246,
        image_urls: [image.url, "http://x/2.png", "http://x/3.png"],
        last_image_url: "http://x/3.png",
        tags: [],
        metadata: {},
        title: "A title",
        model: "gpt-test",
        is_deleted: false,
      });
      const messages = await store.messages.list(conv, { limit: 10, order: "asc" });
      expect(messages.map(({ id: _id, ...m }) => m)).toEqual([
        { ...plain(conv, user, 1), role: "system", content: "be brief" },
        { ...plain(conv, user, 2), role: "user", content: "look", attachments: [image] },
        { ...reply(conv, user, 3), content: "", finish_reason: "tool_calls", tool_calls: [toolCall] },
        { ...plain(conv, user, 4), role: "tool", content: "42", tool_call_id: "call_1" },
        { ...reply(conv, user, 5), content: "hi there", finish_reason: "stop" },
      ]);
      expect(await store.sessions.get(first.sessionId)).toMatchObject({
        total_cost: 246,
        total_tokens: 36,
        request_count: 2,
        conversation_count: 1,
      });
      const usage = await store.usage.listByUser(user, 10);
      expect(usage).toHaveLength(2);
      for (const u of usage)
        expect(u).toMatchObject({ session_id: first.sessionId, conversation_id: conv, route: "/chat", tokens_cached: 2, latency_ms: 42, cost: 123 });
    });

    test("a turn that fails in any part leaves nothing written", async () => {
      const user = newId("user");
      const conv = newId("conv");
      const taken = newId("resp");
      const first = await recordTurn(store, turn(user, conv, { create: { title: null }, response: { id: taken, body: {}, input_items: [] } }));
      const before = {
        conversation: await store.conversations.get(conv),
        session: await store.sessions.get(first.sessionId),
        messages: await store.messages.list(conv, { limit: 10, order: "asc" }),
        usage: await store.usage.listByUser(user, 10),
      };
      // The last part of the turn (its stored response) fails: its id is taken.
      await expect(
        recordTurn(store, turn(user, conv, { imageUrls: ["http://x/9.png"], response: { id: taken, body: {}, input_items: [] } })),
      ).rejects.toThrow();
      // A new conversation whose id is taken fails before anything else.
      await expect(recordTurn(store, turn(user, conv, { create: { title: "again" } }))).rejects.toThrow();
      // A new conversation whose response fails is not created either.
      const other = newId("conv");
      await expect(recordTurn(store, turn(user, other, { create: { title: null }, response: { id: taken, body: {}, input_items: [] } }))).rejects.toThrow();
      expect(await store.conversations.get(other)).toBeNull();
      expect({
        conversation: await store.conversations.get(conv),
        session: await store.sessions.get(first.sessionId),
        messages: await store.messages.list(conv, { limit: 10, order: "asc" }),
        usage: await store.usage.listByUser(user, 10),
      }).toEqual(before);
    });

    test("concurrent turns on one conversation get distinct, gapless message numbers", async () => {
      const user = newId("user");
      const conv = newId("conv");
      await recordTurn(store, turn(user, conv, { create: { title: null } }));
      const numbers = await Promise.all(Array.from({ length: 12 }, () => recordTurn(store, turn(user, conv))));
      expect(numbers.map((n) => n.messageNumber).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => 4 + 2 * i));
      const seqs = (await store.messages.list(conv, { limit: 100, order: "asc" })).map((m) => m.seq);
      expect(seqs).toEqual(Array.from({ length: 26 }, (_, i) => i + 1));
      expect(await store.conversations.get(conv)).toMatchObject({ message_count: 26, total_cost: 13 * 123 });
    });
  });
}

function plain(conversationId: string, userId: string, seq: number) {
  return {
    conversation_id: conversationId,
    user_id: userId,
    seq,
    attachments: [],
    model: null,
    tokens_input: 0,
    tokens_output: 0,
    cost: 0,
    finish_reason: null,
    tool_calls: null,
    tool_call_id: null,
    created_at: NOW.toISOString(),
  };
}

function reply(conversationId: string, userId: string, seq: number) {
  return { ...plain(conversationId, userId, seq), role: "assistant" as const, model: "gpt-test", tokens_input: 11, tokens_output: 7, cost: 123 };
}
