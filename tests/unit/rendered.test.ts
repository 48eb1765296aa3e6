// The render cache must give exactly the text and parameters drizzle itself renders, for queries
// built anew on every call (found by shape) as for constants with placeholders, on both dialects.
import { describe, expect, test } from "bun:test";
import { fillPlaceholders, sql, type SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import { renderCache } from "../../src/storage/db/rendered.ts";

const p = sql.placeholder;
const json = (v: unknown) => sql`${JSON.stringify(v)}::text::jsonb`;
const filter = (text: string) => (text ? sql`AND title LIKE ${`%${text}%`}` : sql``);

/** Queries as the repositories build them: the same code path with different values. */
const built = (i: number): SQL[] => [
  sql`SELECT * FROM t WHERE id = ${`id${i}`} AND n > ${i} AND flag = ${i % 2 === 0}`,
  sql`INSERT INTO t (a, b, c, d, e) VALUES (${i}, ${null}, ${json({ i })}, ${BigInt(i)}, ${i % 2 ? "x" : null})`,
  sql`SELECT * FROM t WHERE u = ${`u${i}`} ${filter(i % 2 ? "" : `t${i}`)} ORDER BY seq ${i % 3 ? sql`DESC` : sql`ASC`} LIMIT ${i}`,
  sql`UPDATE t SET ${sql.join([sql`a = ${i}`, sql`b = ${`b${i}`}`], sql`, `)} WHERE id = ${i}`,
  sql`SELECT ${undefined} 1 FROM t WHERE a = ${i}`,
  sql`SELECT * FROM t WHERE id IN ${[i, i + 1, i + 2].slice(0, 1 + (i % 3))}`, // arrays: rendered by drizzle
  sql`SELECT * FROM t WHERE a = ${`v${i}`}`.inlineParams(), // inlined: rendered by drizzle
  sql`SELECT * FROM t WHERE d = ${new Date(Date.UTC(2026, 0, i + 1))}`, // objects: rendered by drizzle
];

const CONSTANT = sql`SELECT * FROM t WHERE id = ${p("id")} AND n > ${p("n")} AND k = ${"fixed"} LIMIT ${p("limit")}`;

for (const dialect of [new SQLiteSyncDialect(), new PgDialect()]) {
  describe(`render cache: ${dialect.constructor.name}`, () => {
    const prepare = renderCache((query: SQL) => dialect.sqlToQuery(query));

    test("queries built per call: drizzle's own text and parameters, rendered once per shape", () => {
      const seen = new Map<string, unknown>();
      for (let i = 0; i < 12; i++) {
        for (const [n, query] of built(i).entries()) {
          const want = dialect.sqlToQuery(query);
          const got = prepare(query);
          expect(got.rendered.sql).toBe(want.sql);
          expect(got.params).toEqual(want.params);
          // The same shape again reuses what was rendered (and, on SQLite, the prepared statement).
          const key = `${n}:${want.sql}`;
          if (n < 5 && seen.has(key)) expect(got.rendered as unknown).toBe(seen.get(key));
          seen.set(key, got.rendered);
        }
      }
    });

    test("text that is no template's (sql.raw) fills the kept shapes, then is rendered as it is", () => {
      for (let i = 0; i < 21_000; i++) {
        const query = i % 1000 ? sql.raw(`SELECT ${i}`) : sql`SELECT * FROM t WHERE id = ${i} AND raw = ${sql.raw(`'${i}'`)}`;
        const want = dialect.sqlToQuery(query);
        const got = prepare(query);
        expect(got.rendered.sql).toBe(want.sql);
        expect(got.params).toEqual(want.params);
      }
    });

    test("a constant with placeholders: rendered once, bound on every call", () => {
      const first = prepare(CONSTANT, { id: "a", n: 1, limit: 5 });
      const second = prepare(CONSTANT, { id: "b", n: 2, limit: 6 });
      expect(second.rendered).toBe(first.rendered);
      expect(first.rendered.sql).toBe(dialect.sqlToQuery(CONSTANT).sql);
      expect(second.params).toEqual(fillPlaceholders(dialect.sqlToQuery(CONSTANT).params, { id: "b", n: 2, limit: 6 }));
      expect(() => prepare(CONSTANT, { id: "c" })).toThrow();
    });
  });
}
