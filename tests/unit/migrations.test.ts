// The journal is the list of migrations the runtime applies: it must name every SQL file in
// drizzle/, in order, and nothing else (a file missing from it would silently never run).
import { expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { DRIZZLE_DIR, readJournal } from "../../scripts/new-migration.ts";
import { MIGRATIONS } from "../../src/storage/db/migrations.ts";

test("journal entries and SQL files agree, numbered in order", () => {
  const journal = readJournal();
  const files = readdirSync(DRIZZLE_DIR)
    .filter((f) => f.endsWith(".sql"))
    .sort();
  expect(journal.entries.map((e) => `${e.tag}.sql`)).toEqual(files);
  journal.entries.forEach((e, i) => {
    expect(e.idx).toBe(i);
    expect(e.tag.startsWith(`${String(i).padStart(4, "0")}_`)).toBe(true);
    if (i > 0) expect(e.when).toBeGreaterThan(journal.entries[i - 1]!.when);
  });
});

test("the embedded migrations are the journal's", () => {
  expect(MIGRATIONS.length).toBe(readJournal().entries.length);
});
