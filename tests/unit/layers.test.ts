// Imports flow downward only: a module may import from its own folder or from a lower layer,
// never from a layer above (or beside) it. A new top-level folder must be given a layer here.
import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const SRC = resolve(import.meta.dir, "../../src");

/** Lower numbers are more basic. Folders on one layer must not import each other. */
const LAYER: Record<string, number> = {
  errors: 0,
  lib: 1,
  config: 2,
  pricing: 3,
  auth: 3,
  observability: 3,
  storage: 4,
  documents: 4,
  providers: 4,
  ratelimit: 4,
  budget: 5,
  files: 5,
  conversations: 5,
  sessions: 5,
  health: 5,
  chat: 6,
  http: 7,
  cli: 7,
  // The web console: browser code bundled at build time; like cli/, it talks to the HTTP API only.
  console: 6,
  deps: 8,
  app: 9,
  commands: 10,
  main: 11,
};

/** "chat/run-turn.ts" → "chat"; "errors.ts" → "errors". */
const unitOf = (file: string) => {
  const rel = relative(SRC, file);
  return rel.includes("/") ? rel.split("/")[0]! : rel.replace(/\.(d\.)?ts$/, "");
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sourceFiles(join(dir, d.name)) : d.name.endsWith(".ts") ? [join(dir, d.name)] : [],
  );
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s+["'](\.[^"']+)["']|import\(\s*["'](\.[^"']+)["']\s*\)/g;

test("imports never run back up the layers", () => {
  const wrong: string[] = [];
  const unknown = new Set<string>();
  for (const file of sourceFiles(SRC)) {
    const from = unitOf(file);
    if (from === "assets") continue; // type declarations for asset imports
    if (LAYER[from] === undefined) unknown.add(from);
    for (const match of readFileSync(file, "utf8").matchAll(IMPORT)) {
      const path = resolve(dirname(file), (match[1] ?? match[2])!);
      if (!path.startsWith(`${SRC}/`)) continue; // package.json and other files outside src/
      const target = unitOf(path);
      if (target === from || target === "assets") continue;
      if (LAYER[target] === undefined) unknown.add(target);
      else if ((LAYER[target] ?? 0) >= (LAYER[from] ?? 0)) wrong.push(`${relative(SRC, file)} imports ${target} (layer ${LAYER[target]} ≥ ${LAYER[from]})`);
    }
  }
  expect([...unknown].map((u) => `src/${u} has no layer in tests/unit/layers.test.ts`)).toEqual([]);
  expect(wrong).toEqual([]);
});
