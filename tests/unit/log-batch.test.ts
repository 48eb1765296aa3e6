// Log lines gathered per event-loop turn: handed on together, in order, no later than the next
// check phase, and at once on flush / flushSync / end. Also the logger itself, through pino, to a
// file: every line arrives whole and in order.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { batched } from "../../src/lib/log-batch.ts";
import { createLogger } from "../../src/lib/logger.ts";
import { tempDir } from "../support/temp.ts";

function recorder() {
  const writes: string[] = [];
  let flushed = 0;
  let ended = false;
  return {
    writes,
    flushes: () => flushed,
    ended: () => ended,
    dest: {
      write: (chunk: string) => void writes.push(chunk),
      flushSync: () => void flushed++,
      end: () => void (ended = true),
    },
  };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

test("lines written in one turn go out together, in order, at the next check phase", async () => {
  const r = recorder();
  const stream = batched(r.dest);
  stream.write("a\n");
  stream.write("b\n");
  stream.write("c\n");
  expect(r.writes).toEqual([]);
  await nextTurn();
  expect(r.writes).toEqual(["a\nb\nc\n"]);
  stream.write("d\n");
  await nextTurn();
  expect(r.writes).toEqual(["a\nb\nc\n", "d\n"]);
  stream.end();
});

test("flush, flushSync and end hand over what is gathered at once", async () => {
  const r = recorder();
  const stream = batched(r.dest);
  stream.write("a\n");
  stream.flushSync();
  expect(r.writes).toEqual(["a\n"]);
  expect(r.flushes()).toBe(1);
  stream.write("b\n");
  let called = false;
  stream.flush(() => (called = true));
  expect(r.writes).toEqual(["a\n", "b\n"]);
  expect(called).toBe(true);
  stream.write("c\n");
  stream.end();
  expect(r.writes).toEqual(["a\n", "b\n", "c\n"]);
  expect(r.ended()).toBe(true);
  await nextTurn();
  expect(r.writes).toHaveLength(3); // nothing written twice
});

test("the logger's file gets every line, whole and in order", async () => {
  const dir = tempDir();
  try {
    const logger = createLogger({ level: "info", logToFile: true, logDir: dir.path, stream: { write: () => {} } });
    for (let i = 0; i < 500; i++) logger.info({ i }, "line");
    await nextTurn();
    const lines = readFileSync(join(dir.path, "textllm.log"), "utf8").trim().split("\n");
    expect(lines.map((l) => JSON.parse(l).i)).toEqual(Array.from({ length: 500 }, (_, i) => i));
  } finally {
    dir.cleanup();
  }
});

test("lines gathered when the process exits still reach a piped stdout, in order", async () => {
  const logger = new URL("../../src/lib/logger.ts", import.meta.url).pathname;
  const script = `import { createLogger } from ${JSON.stringify(logger)};
const log = createLogger({ level: "info", logToFile: false, logDir: "." });
for (let i = 0; i < 1000; i++) log.info({ i }, "line");
process.exit(3);`;
  const proc = Bun.spawn([process.execPath, "-e", script], { stdout: "pipe", stderr: "ignore" });
  const [text, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
  expect(code).toBe(3);
  const order = text
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l).i);
  expect(order).toEqual(Array.from({ length: 1000 }, (_, i) => i));
});
