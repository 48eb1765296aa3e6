// `bun run migration:new <name>`: adds drizzle/NNNN_<name>.sql and its journal entry. The SQL is
// written by hand, portable between SQLite and Postgres (one migration set serves both), with
// `--> statement-breakpoint` between statements; the journal is only the list the runtime reads.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const DRIZZLE_DIR = join(import.meta.dir, "..", "drizzle");
export const JOURNAL_PATH = join(DRIZZLE_DIR, "meta", "_journal.json");

export interface JournalEntry {
  idx: number;
  version: string;
  when: number;
  tag: string;
  breakpoints: boolean;
}

export interface Journal {
  version: string;
  dialect: string;
  entries: JournalEntry[];
}

export const readJournal = (): Journal => JSON.parse(readFileSync(JOURNAL_PATH, "utf8")) as Journal;

function main(name: string | undefined): void {
  if (!name || !/^[a-z0-9_]+$/.test(name)) {
    console.error("usage: bun run migration:new <name>   (lower case, digits and _)");
    process.exit(64);
  }
  const journal = readJournal();
  const idx = journal.entries.length;
  const tag = `${String(idx).padStart(4, "0")}_${name}`;
  const file = join(DRIZZLE_DIR, `${tag}.sql`);
  if (existsSync(file)) throw new Error(`${file} exists already`);
  const last = journal.entries.at(-1)?.when ?? 0;
  journal.entries.push({ idx, version: journal.version, when: Math.max(Date.now(), last + 1), tag, breakpoints: true });
  writeFileSync(file, "-- Portable SQL (SQLite and Postgres). Separate statements with: --> statement-breakpoint\n");
  writeFileSync(JOURNAL_PATH, `${JSON.stringify(journal, null, 2)}\n`);
  console.log(`created drizzle/${tag}.sql and its journal entry`);
}

if (import.meta.main) main(process.argv[2]);
