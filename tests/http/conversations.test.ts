// /conversations over HTTP, on every database backend.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { BACKENDS, backendTitle, type BackendHandle } from "../support/backends.ts";
import { errorOf, startTestApp, type TestApp } from "../support/app.ts";
import { newId } from "../../src/lib/ids.ts";

for (const backend of BACKENDS) {
  describe.skipIf(backend.skip !== null)(`conversations API: ${backendTitle(backend)}`, () => {
    let handle: BackendHandle;
    let t: TestApp;
    beforeAll(async () => {
      handle = await backend.open();
      t = await startTestApp({ env: handle.env });
    }, 60_000); // may start this run's private Postgres
    afterAll(async () => {
      await t?.close();
      await handle?.cleanup();
    });

    const json = async <T = Record<string, any>>(res: Response) => (await res.json()) as T;

    test("create returns the seed's fields; a user id is generated when absent", async () => {
      const res = await t.request("POST", "/conversations", { body: { user_id: "user_xyz", metadata: { topic: "support" }, tags: ["a"] } });
      expect(res.status).toBe(200);
      const c = await json(res);
      expect(c).toMatchObject({
        user_id: "user_xyz",
        metadata: { topic: "support" },
        tags: ["a"],
        message_count: 0,
        total_cost: 0,
        total_tokens_input: 0,
        total_tokens_output: 0,
        title: null,
        image_urls: [],
      });
      expect(c.id).toMatch(/^conv_/);
      expect(Date.parse(c.created_at)).not.toBeNaN();

      const anon = await json(await t.request("POST", "/conversations", { body: {} }));
      expect(anon.user_id).toMatch(/^user_/);
      const noBody = await json(await t.request("POST", "/conversations"));
      expect(noBody.user_id).toMatch(/^user_/);
    });

    test("list: newest first, paginated, only the user's, soft-deleted left out", async () => {
      const user = newId("user");
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        ids.push((await json(await t.request("POST", "/conversations", { body: { user_id: user, title: `c${i}` } }))).id);
        await Bun.sleep(2);
      }
      await t.request("POST", "/conversations", { body: { user_id: newId("user") } });

      const all = await json(await t.request("GET", `/conversations?user_id=${user}`));
      expect(all).toMatchObject({ object: "list", total: 3, has_more: false, limit: 50, offset: 0 });
      expect(all.data.map((c: { id: string }) => c.id)).toEqual([...ids].reverse());

      const page = await json(await t.request("GET", `/conversations?user_id=${user}&limit=2&offset=1`));
      expect(page.data.map((c: { id: string }) => c.id)).toEqual([ids[1], ids[0]]);
      expect(page.has_more).toBe(false);
      expect((await json(await t.request("GET", `/conversations?user_id=${user}&limit=1`))).has_more).toBe(true);

      expect((await t.request("DELETE", `/conversations/${ids[2]}`)).status).toBe(200);
      const after = await json(await t.request("GET", `/conversations?user_id=${user}`));
      expect(after.data.map((c: { id: string }) => c.id)).toEqual([ids[1], ids[0]]);
      expect(after.total).toBe(2);
    });

    test("list: `q` finds titles containing it, in any case, with % and _ taken literally", async () => {
      const user = newId("user");
      for (const title of ["Quarterly REPORT", "report draft", "Holiday plans", "100% sure", "snake_case", null]) {
        await t.request("POST", "/conversations", { body: { user_id: user, title } });
        await Bun.sleep(2);
      }
      await t.request("POST", "/conversations", { body: { user_id: newId("user"), title: "another user's report" } });
      const titles = async (q: string) => {
        const res = await json(await t.request("GET", `/conversations?user_id=${user}&q=${encodeURIComponent(q)}`));
        return { titles: res.data.map((c: { title: string }) => c.title), total: res.total };
      };
      expect(await titles("report")).toEqual({ titles: ["report draft", "Quarterly REPORT"], total: 2 });
      expect(await titles("%")).toEqual({ titles: ["100% sure"], total: 1 });
      expect(await titles("_")).toEqual({ titles: ["snake_case"], total: 1 });
      expect(await titles("nothing like it")).toEqual({ titles: [], total: 0 });
      expect((await titles("")).total).toBe(6);
      const tooLong = await t.request("GET", `/conversations?user_id=${user}&q=${"x".repeat(256)}`);
      expect(tooLong.status).toBe(400);
      await errorOf(tooLong);
    });

    test("get, patch title/tags/metadata, and 404 for unknown ids", async () => {
      const c = await json(await t.request("POST", "/conversations", { body: { user_id: "u-patch" } }));
      const patched = await json(
        await t.request("PATCH", `/conversations/${c.id}`, { body: { title: "Renamed", tags: ["x", "y"], metadata: { a: [1, { b: null }] } } }),
      );
      expect(patched).toMatchObject({ id: c.id, title: "Renamed", tags: ["x", "y"], metadata: { a: [1, { b: null }] } });
      expect(await json(await t.request("GET", `/conversations/${c.id}`))).toMatchObject({ title: "Renamed", tags: ["x", "y"] });

      const partial = await json(await t.request("PATCH", `/conversations/${c.id}`, { body: { title: null } }));
      expect(partial).toMatchObject({ title: null, tags: ["x", "y"] });

      for (const [method, path] of [
        ["GET", "/conversations/conv_missing"],
        ["PATCH", "/conversations/conv_missing"],
        ["DELETE", "/conversations/conv_missing"],
        ["GET", "/conversations/conv_missing/messages"],
      ] as const) {
        const res = await t.request(method, path, method === "PATCH" ? { body: { title: "x" } } : {});
        expect(res.status).toBe(404);
        expect((await errorOf(res)).code).toBe("conversation_not_found");
      }
    });

    test("metadata over 16 KB is refused with 400", async () => {
      const res = await t.request("POST", "/conversations", { body: { metadata: { blob: "x".repeat(17_000) } } });
      expect(res.status).toBe(400);
      expect((await errorOf(res)).param).toBe("metadata");
    });

    test("soft delete keeps the messages; hard delete (soft=false) removes them", async () => {
      const user = newId("user");
      const soft = await json(await t.request("POST", "/conversations", { body: { user_id: user } }));
      const hard = await json(await t.request("POST", "/conversations", { body: { user_id: user } }));
      for (const conv of [soft, hard]) {
        await t.deps.store.messages.insert({
          id: newId("msg"),
          conversation_id: conv.id,
          user_id: user,
          seq: 1,
          role: "user",
          content: "kept?",
          created_at: new Date().toISOString(),
        });
      }
      const del = await json(await t.request("DELETE", `/conversations/${soft.id}?soft=true`));
      expect(del).toEqual({ id: soft.id, object: "conversation.deleted", deleted: true, soft: true });
      expect((await t.request("GET", `/conversations/${soft.id}`)).status).toBe(404);
      expect(await t.deps.store.messages.lastSeq(soft.id)).toBe(1);

      expect((await json(await t.request("DELETE", `/conversations/${hard.id}?soft=false`))).soft).toBe(false);
      expect(await t.deps.store.messages.lastSeq(hard.id)).toBe(0);
      expect((await t.request("DELETE", `/conversations/${hard.id}?soft=false`)).status).toBe(404);
    });

    test("messages: order, limit and after cursor", async () => {
      const user = newId("user");
      const conv = await json(await t.request("POST", "/conversations", { body: { user_id: user } }));
      const ids: string[] = [];
      for (let seq = 1; seq <= 4; seq++) {
        const id = newId("msg");
        ids.push(id);
        await t.deps.store.messages.insert({
          id,
          conversation_id: conv.id,
          user_id: user,
          seq,
          role: seq % 2 ? "user" : "assistant",
          content: `m${seq}`,
          created_at: new Date().toISOString(),
          tokens_input: 5,
          tokens_output: 7,
          cost: 1500,
        });
      }
      const asc = await json(await t.request("GET", `/conversations/${conv.id}/messages`));
      expect(asc).toMatchObject({ object: "list", first_id: ids[0], last_id: ids[3], has_more: false });
      expect(asc.data.map((m: { content: string }) => m.content)).toEqual(["m1", "m2", "m3", "m4"]);
      expect(asc.data[1]).toMatchObject({
        role: "assistant",
        message_number: 2,
        usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 },
        cost: 0.0015,
      });

      const desc = await json(await t.request("GET", `/conversations/${conv.id}/messages?order=desc&limit=2`));
      expect(desc.data.map((m: { message_number: number }) => m.message_number)).toEqual([4, 3]);
      expect(desc.has_more).toBe(true);
      const next = await json(await t.request("GET", `/conversations/${conv.id}/messages?order=desc&limit=2&after=${desc.last_id}`));
      expect(next.data.map((m: { message_number: number }) => m.message_number)).toEqual([2, 1]);
    });
  });
}
