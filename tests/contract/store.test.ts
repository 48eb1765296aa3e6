// One storage contract, run against every database backend: the rest of the code relies on
// exactly these behaviours, whichever database is configured.
import { describe, expect, test } from "bun:test";
import type { Store } from "../../src/storage/db/store.ts";
import type { Message } from "../../src/storage/db/repos/messages.ts";
import { newId } from "../../src/lib/ids.ts";
import { BACKENDS, backendTitle, useBackendStore } from "../support/backends.ts";
import { HistoryWindows } from "../../src/chat/history-window.ts";
import type { TurnMessage, TurnReply } from "../../src/chat/record.ts";

const now = new Date(Date.UTC(2026, 0, 29, 12)).toISOString();
const lookupCall = { id: "call_1", type: "function" as const, function: { name: "lookup", arguments: '{"q":"x"}' } };
const pngImage = { kind: "image" as const, key: "k1", url: "/files/k1", filename: "a.png", content_type: "image/png" };
const at = (s: number) => new Date(Date.UTC(2026, 0, 29, 12, 0, s)).toISOString();

for (const backend of BACKENDS) {
  describe.skipIf(backend.skip !== null)(`store contract: ${backendTitle(backend)}`, () => {
    let store: Store;
    useBackendStore(backend, (opened) => (store = opened));

    test("migrations are idempotent and the database answers a ping", async () => {
      await store.migrate();
      await store.ping();
      expect(store.dialect).toBe(backend.name);
    });

    test("conversations: create, read back JSON columns and defaults, update, list newest first", async () => {
      const user = newId("user");
      const a = await store.conversations.create({
        id: newId("conv"),
        user_id: user,
        now: at(1),
        title: "first",
        tags: ["x", "ü"],
        metadata: { nested: { n: 1, s: "é" }, list: [1, 2] },
      });
      expect(a).toMatchObject({ user_id: user, title: "first", tags: ["x", "ü"], metadata: { nested: { n: 1, s: "é" }, list: [1, 2] } });
      expect(a).toMatchObject({ message_count: 0, total_cost: 0, total_tokens_input: 0, image_urls: [], is_deleted: false, created_at: at(1) });

      const b = await store.conversations.create({ id: newId("conv"), user_id: user, now: at(2) });
      const other = await store.conversations.create({ id: newId("conv"), user_id: newId("user"), now: at(3) });

      const updated = await store.conversations.update(a.id, { title: "renamed", tags: [], metadata: { k: true } }, at(4));
      expect(updated).toMatchObject({ title: "renamed", tags: [], metadata: { k: true }, updated_at: at(4) });

      const listed = await store.conversations.listByUser(user, { limit: 10, offset: 0 });
      expect(listed.map((c) => c.id)).toEqual([b.id, a.id]);
      expect(await store.conversations.countByUser(user)).toBe(2);
      expect((await store.conversations.listByUser(user, { limit: 1, offset: 1 })).map((c) => c.id)).toEqual([a.id]);
      expect((await store.conversations.get(other.id))?.user_id).toBe(other.user_id);
    });

    test("conversations: soft delete hides, hard delete removes the messages too", async () => {
      const user = newId("user");
      const soft = await store.conversations.create({ id: newId("conv"), user_id: user, now: at(1) });
      const hard = await store.conversations.create({ id: newId("conv"), user_id: user, now: at(2) });
      await store.messages.insert({ id: newId("msg"), conversation_id: hard.id, user_id: user, seq: 1, role: "user", content: "hi", created_at: at(3) });

      expect(await store.conversations.softDelete(soft.id, at(4))).toBe(true);
      expect(await store.conversations.softDelete(soft.id, at(5))).toBe(false);
      expect(await store.conversations.get(soft.id)).toBeNull();
      expect(await store.conversations.update(soft.id, { title: "x" }, at(6))).toBeNull();
      expect((await store.conversations.listByUser(user, { limit: 10, offset: 0 })).map((c) => c.id)).toEqual([hard.id]);

      expect(await store.transaction((tx) => tx.conversations.hardDelete(hard.id))).toBe(true);
      expect(await store.conversations.get(hard.id)).toBeNull();
      expect(await store.messages.list(hard.id, { limit: 10, order: "asc" })).toEqual([]);
    });

    test("messages: ordered pages, cursor, history window, unique message numbers", async () => {
      const user = newId("user");
      const conv = await store.conversations.create({ id: newId("conv"), user_id: user, now: at(0) });
      const ids: string[] = [];
      for (let seq = 1; seq <= 5; seq++) {
        const id = newId("msg");
        ids.push(id);
        await store.messages.insert({
          id,
          conversation_id: conv.id,
          user_id: user,
          seq,
          role: seq % 2 ? "user" : "assistant",
          content: `m${seq}`,
          created_at: at(seq),
          attachments: seq === 1 ? [{ kind: "image", key: "k", url: "/files/k", filename: "a.png", content_type: "image/png" }] : [],
          tokens_input: seq,
          tokens_output: 2 * seq,
          cost: 10 * seq,
          model: "gpt-test",
          finish_reason: seq % 2 ? null : "stop",
        });
      }
      const asc = await store.messages.list(conv.id, { limit: 10, order: "asc" });
      expect(asc.map((m) => m.content)).toEqual(["m1", "m2", "m3", "m4", "m5"]);
      expect(asc[0]!.attachments[0]).toMatchObject({ kind: "image", filename: "a.png" });
      expect(asc[1]).toMatchObject({ role: "assistant", tokens_input: 2, tokens_output: 4, cost: 20, finish_reason: "stop", model: "gpt-test" });
      expect((await store.messages.list(conv.id, { limit: 2, order: "desc" })).map((m) => m.seq)).toEqual([5, 4]);
      expect((await store.messages.list(conv.id, { limit: 10, order: "asc", after: ids[2] })).map((m) => m.seq)).toEqual([4, 5]);
      expect((await store.messages.list(conv.id, { limit: 10, order: "desc", after: ids[2] })).map((m) => m.seq)).toEqual([2, 1]);
      expect((await store.messages.latest(conv.id, 3)).map((m) => m.seq)).toEqual([3, 4, 5]);
      expect(await store.messages.lastSeq(conv.id)).toBe(5);

      const dup = store.messages.insert({ id: newId("msg"), conversation_id: conv.id, user_id: user, seq: 5, role: "user", content: "dup", created_at: at(9) });
      await expect(dup).rejects.toThrow();
    });

    test("insertAll: several messages in one statement, each as insert would store it; all or none", async () => {
      const user = newId("user");
      const conv = await store.conversations.create({ id: newId("conv"), user_id: user, now: at(0) });
      const call = { id: "call_1", type: "function" as const, function: { name: "f", arguments: "{}" } };
      const image = { kind: "image" as const, key: "k", url: "/files/k", filename: "a.png", content_type: "image/png" };
      const rows = [
        { role: "user" as const, content: "q", attachments: [image] },
        {
          role: "assistant" as const,
          content: "",
          tool_calls: [call],
          model: "gpt-test",
          tokens_input: 2,
          tokens_output: 4,
          cost: 20,
          finish_reason: "tool_calls",
        },
        { role: "tool" as const, content: "r", tool_call_id: "call_1" },
      ].map((m, i) => ({ id: newId("msg"), conversation_id: conv.id, user_id: user, seq: i + 1, created_at: at(i + 1), ...m }));
      const other = await store.conversations.create({ id: newId("conv"), user_id: user, now: at(0) });
      for (const m of rows) await store.messages.insert({ ...m, id: newId("msg"), conversation_id: other.id });
      await store.messages.insertAll(rows);
      const strip = ({ id: _id, conversation_id: _c, ...m }: Message) => m;
      const stored = await store.messages.list(conv.id, { limit: 10, order: "asc" });
      expect(stored.map(strip)).toEqual((await store.messages.list(other.id, { limit: 10, order: "asc" })).map(strip));
      expect(stored.map((m) => m.id)).toEqual(rows.map((m) => m.id));

      const failing = [
        { id: newId("msg"), conversation_id: conv.id, user_id: user, seq: 4, role: "user" as const, content: "lost", created_at: at(9) },
        { id: newId("msg"), conversation_id: conv.id, user_id: user, seq: 3, role: "assistant" as const, content: "dup", created_at: at(9) },
      ];
      await expect(store.messages.insertAll(failing)).rejects.toThrow();
      expect(await store.messages.lastSeq(conv.id)).toBe(3);
    });

    test("history: a live conversation's owner and newest messages, oldest first, the same as latest()", async () => {
      const user = newId("user");
      const conv = await store.conversations.create({ id: newId("conv"), user_id: user, now: at(0) });
      expect(await store.messages.history(conv.id, 20)).toEqual({ userId: user, messages: [] });
      const call = { id: "call_1", type: "function" as const, function: { name: "f", arguments: "{}" } };
      const image = { kind: "image" as const, key: "k", url: "/files/k", filename: "a.png", content_type: "image/png" };
      const shapes = [
        { role: "system" as const, content: "be brief" },
        { role: "user" as const, content: "q", attachments: [image] },
        { role: "assistant" as const, content: "", tool_calls: [call] },
        { role: "tool" as const, content: "42", tool_call_id: "call_1" },
        { role: "assistant" as const, content: "a" },
      ];
      for (const [i, m] of shapes.entries()) {
        await store.messages.insert({ id: newId("msg"), conversation_id: conv.id, user_id: user, seq: i + 1, created_at: at(i + 1), ...m });
      }
      const pick = ({ seq, role, content, attachments, tool_calls, tool_call_id }: Message) => ({
        seq,
        role,
        content,
        attachments,
        tool_calls,
        tool_call_id,
      });
      for (const limit of [1, 3, 5, 20]) {
        const got = await store.messages.history(conv.id, limit);
        expect(got!.userId).toBe(user);
        expect(got!.messages).toEqual((await store.messages.latest(conv.id, limit)).map(pick));
      }
      expect((await store.messages.history(conv.id, 3))!.messages.map((m) => m.seq)).toEqual([3, 4, 5]);
      expect((await store.messages.history(conv.id, 20))!.messages[2]).toMatchObject({ role: "assistant", tool_calls: [call], tool_call_id: null });

      expect(await store.messages.history(newId("conv"), 20)).toBeNull();
      await store.conversations.softDelete(conv.id, at(9));
      expect(await store.messages.history(conv.id, 20)).toBeNull();
    });

    test("a transaction commits all of a turn or none of it", async () => {
      const user = newId("user");
      const conv = await store.conversations.create({ id: newId("conv"), user_id: user, now: at(0) });
      const turn = { messages: 2, tokens_input: 10, tokens_output: 20, cost: 1234, image_urls: ["/files/a.png"], session_id: null, model: "m", now: at(1) };

      await store.transaction(async (tx) => {
        await tx.messages.insert({ id: newId("msg"), conversation_id: conv.id, user_id: user, seq: 1, role: "user", content: "q", created_at: at(1) });
        await tx.messages.insert({ id: newId("msg"), conversation_id: conv.id, user_id: user, seq: 2, role: "assistant", content: "a", created_at: at(1) });
        await tx.conversations.addTurn(conv.id, turn);
      });
      await expect(
        store.transaction(async (tx) => {
          await tx.messages.insert({ id: newId("msg"), conversation_id: conv.id, user_id: user, seq: 3, role: "user", content: "lost", created_at: at(2) });
          await tx.conversations.addTurn(conv.id, { ...turn, image_urls: [] });
          throw new Error("upstream failed after the writes");
        }),
      ).rejects.toThrow("upstream failed");

      const after = await store.conversations.get(conv.id);
      expect(after).toMatchObject({
        message_count: 2,
        total_tokens_input: 10,
        total_tokens_output: 20,
        total_cost: 1234,
        image_urls: ["/files/a.png"],
        last_image_url: "/files/a.png",
        model: "m",
      });
      expect(await store.messages.lastSeq(conv.id)).toBe(2);
    });

    test("concurrent transactions and plain statements do not interleave or lose updates", async () => {
      const user = newId("user");
      const conv = await store.conversations.create({ id: newId("conv"), user_id: user, now: at(0) });
      const turn = { messages: 1, tokens_input: 1, tokens_output: 1, cost: 7, image_urls: [], session_id: null, model: "m", now: at(1) };
      await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          i % 5 === 0
            ? store.conversations.get(conv.id)
            : store.transaction(async (tx) => {
                await tx.conversations.addTurn(conv.id, turn);
              }),
        ),
      );
      expect((await store.conversations.get(conv.id))?.total_cost).toBe(20 * 7);
    });

    test("group commit: concurrent writes all land; a failing one rolls back alone", async () => {
      const user = newId("user");
      const conv = await store.conversations.create({ id: newId("conv"), user_id: user, now: at(0) });
      const turn = { messages: 1, tokens_input: 1, tokens_output: 1, cost: 5, image_urls: [], session_id: null, model: "m", now: at(1) };
      const results = await Promise.allSettled(
        Array.from({ length: 40 }, (_, i) =>
          store.write(async (tx) => {
            await tx.conversations.addTurn(conv.id, turn);
            if (i % 10 === 3) throw new Error(`write ${i} fails after its update`);
            return i;
          }),
        ),
      );
      expect(results.filter((r) => r.status === "rejected").length).toBe(4);
      expect(results.filter((r) => r.status === "fulfilled").map((r) => (r as PromiseFulfilledResult<number>).value)).toHaveLength(36);
      expect((await store.conversations.get(conv.id))?.total_cost).toBe(36 * 5);
      expect((await store.conversations.get(conv.id))?.message_count).toBe(36);
    });

    test("sessions: one active per user and day, usage added in the same statement; ended sessions make way", async () => {
      const user = newId("user");
      const usage = (cost: number, now: string, conversations = 0) => ({ tokens_input: 3, tokens_output: 4, cost, requests: 1, conversations, now });
      const s1 = await store.sessions.record(user, "2026-01-29", newId("sess"), usage(99, at(1), 1));
      const again = await store.sessions.record(user, "2026-01-29", newId("sess"), usage(1, at(3)));
      expect(again).toBe(s1);
      expect(await store.sessions.get(s1)).toMatchObject({
        user_id: user,
        day: "2026-01-29",
        is_active: true,
        total_tokens: 14,
        total_tokens_input: 6,
        total_tokens_output: 8,
        total_cost: 100,
        request_count: 2,
        conversation_count: 1,
        created_at: at(1),
        last_activity: at(3),
      });

      expect(await store.sessions.end(s1, at(4))).toBe(true);
      expect(await store.sessions.end(s1, at(5))).toBe(false);
      const s2 = await store.sessions.record(user, "2026-01-29", newId("sess"), usage(5, at(6)));
      expect(s2).not.toBe(s1);
      const nextDay = await store.sessions.record(user, "2026-01-30", newId("sess"), usage(7, at(8)));
      expect(nextDay).not.toBe(s2);

      expect(await store.sessions.spentOnDay(user, "2026-01-29")).toBe(105);
      expect((await store.sessions.listByUser(user, 10)).map((s) => s.id)).toEqual([nextDay, s2, s1]);
      expect(await store.sessions.get(s1)).toMatchObject({ is_active: false, ended_at: at(4) });
    });

    test("concurrent requests of one user and day agree on one session and lose no usage", async () => {
      const user = newId("user");
      const ids = await Promise.all(
        Array.from({ length: 10 }, () =>
          store.sessions.record(user, "2026-02-01", newId("sess"), { tokens_input: 1, tokens_output: 1, cost: 3, requests: 1, conversations: 0, now: at(1) }),
        ),
      );
      expect(new Set(ids).size).toBe(1);
      expect(await store.sessions.get(ids[0]!)).toMatchObject({ total_cost: 30, request_count: 10, total_tokens: 20 });
    });

    // Postgres only: on SQLite the session and the usage row are written by two statements of one transaction.
    (backend.name === "sqlite" ? test.skip : test)(
      `session and usage row in one statement: both stored, or neither when the row fails${backend.name === "sqlite" ? " (skipped: Postgres only)" : ""}`,
      async () => {
        const user = newId("user");
        const usage = { tokens_input: 3, tokens_output: 4, cost: 10, requests: 1, conversations: 0, now: at(1) };
        const row = (id: string) => ({
          id,
          request_id: newId("req"),
          conversation_id: null,
          route: "/v1/chat/completions",
          model: "m",
          provider: "openai",
          tokens_cached: 1,
          latency_ms: 5,
          status: 200,
          error_code: null,
          streamed: false,
        });
        const first = row(newId("usage"));
        const sessionId = await store.sessions.recordWithUsage(user, "2026-02-02", newId("sess"), usage, first);
        expect(await store.usage.listByUser(user, 10)).toEqual([
          { ...first, user_id: user, session_id: sessionId, tokens_input: 3, tokens_output: 4, cost: 10, created_at: at(1) },
        ]);
        // A usage id already taken fails the statement: the session keeps its totals.
        await expect(store.sessions.recordWithUsage(user, "2026-02-02", newId("sess"), usage, row(first.id))).rejects.toThrow();
        expect(await store.sessions.get(sessionId)).toMatchObject({ total_cost: 10, request_count: 1 });
        expect(await store.sessions.recordWithUsage(user, "2026-02-02", newId("sess"), usage, row(newId("usage")))).toBe(sessionId);
        expect(await store.sessions.get(sessionId)).toMatchObject({ total_cost: 20, request_count: 2, total_tokens: 14 });
      },
    );

    test("files: insert, get, list by folder newest first, delete", async () => {
      const user = newId("user");
      const mk = (folder: string, name: string, s: number) => ({
        key: `LLM/${folder}/${user}/20260129_1200${String(s).padStart(2, "0")}_${name}`,
        user_id: user,
        folder,
        filename: name,
        content_type: "application/pdf",
        size: 1000 + s,
        backend: "local" as const,
        conversation_id: null,
        created_at: at(s),
      });
      const a = mk("uploads", "a.pdf", 1);
      const b = mk("documents", "b.pdf", 2);
      const c = mk("uploads", "c.pdf", 3);
      for (const f of [a, b, c]) await store.files.insert(f);
      expect(await store.files.get(a.key)).toEqual(a);
      expect((await store.files.list(user, { limit: 10 })).map((f) => f.filename)).toEqual(["c.pdf", "b.pdf", "a.pdf"]);
      expect((await store.files.list(user, { folder: "uploads", limit: 10 })).map((f) => f.filename)).toEqual(["c.pdf", "a.pdf"]);
      expect((await store.files.list(user, { folder: "uploads", limit: 1 })).map((f) => f.filename)).toEqual(["c.pdf"]);
      expect(await store.files.delete(a.key)).toBe(true);
      expect(await store.files.delete(a.key)).toBe(false);
      expect(await store.files.get(a.key)).toBeNull();
    });

    test("usage records: stored exactly, summed per model since a time", async () => {
      const user = newId("user");
      const rec = (model: string, s: number, cost: number) => ({
        id: newId("usage"),
        request_id: newId("req"),
        user_id: user,
        session_id: null,
        conversation_id: null,
        route: "/v1/chat/completions",
        model,
        provider: "openai",
        tokens_input: 100,
        tokens_output: 50,
        tokens_cached: 20,
        cost,
        latency_ms: 42,
        status: 200,
        error_code: null,
        streamed: s % 2 === 0,
        created_at: at(s),
      });
      const first = rec("gpt-a", 1, 1_000_001);
      await store.usage.insert(first);
      await store.usage.insert(rec("gpt-a", 2, 2));
      await store.usage.insert(rec("gpt-b", 3, 3));
      expect((await store.usage.listByUser(user, 10)).at(-1)).toEqual(first);
      expect(await store.usage.byModel(user, at(0))).toEqual([
        { model: "gpt-a", requests: 2, tokens_input: 200, tokens_output: 100, cost: 1_000_003 },
        { model: "gpt-b", requests: 1, tokens_input: 100, tokens_output: 50, cost: 3 },
      ]);
      expect(await store.usage.byModel(user, at(2))).toEqual([
        { model: "gpt-a", requests: 1, tokens_input: 100, tokens_output: 50, cost: 2 },
        { model: "gpt-b", requests: 1, tokens_input: 100, tokens_output: 50, cost: 3 },
      ]);
    });

    test("money beyond 32 bits survives a round trip as an exact integer", async () => {
      const user = newId("user");
      const conv = await store.conversations.create({ id: newId("conv"), user_id: user, now: at(0) });
      const big = 9_000_000_000_123; // $9,000,000.000123
      await store.conversations.addTurn(conv.id, {
        messages: 0,
        tokens_input: 0,
        tokens_output: 0,
        cost: big,
        image_urls: [],
        session_id: null,
        model: "m",
        now: at(1),
      });
      expect((await store.conversations.get(conv.id))?.total_cost).toBe(big);
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

    test("history windows: after this process's own turns, a window equals the database's", async () => {
      const windows = new HistoryWindows();
      const { id, user } = await newConversation();
      expect(await windows.read(store, id, 4)).toEqual({ userId: user, messages: [] });
      const turns: Array<[TurnMessage[], TurnReply]> = [
        [
          [
            { role: "system", content: "be brief" },
            { role: "user", content: "look", attachments: [pngImage] },
          ],
          { content: "", finishReason: "tool_calls", toolCalls: [lookupCall] },
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

    test("history windows: turns stored elsewhere (another replica) and out of order are read from the database", async () => {
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

    test("history windows: a deleted conversation is gone, whatever was kept", async () => {
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
