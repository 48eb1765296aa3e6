// The terminal client's pure parts: word wrapping of a streamed reply, the default user name.
import { describe, expect, test } from "bun:test";
import { defaultUser } from "../../src/cli/options.ts";
import { wordWrapper } from "../../src/cli/word-wrap.ts";

const wrapped = (pieces: string[], width: number, startColumn = 0) => {
  let out = "";
  const wrap = wordWrapper({ width, startColumn, write: (s) => (out += s) });
  for (const piece of pieces) wrap.write(piece);
  wrap.end();
  return out;
};

describe("wordWrapper", () => {
  test.each([
    ["words cut across pieces break before the word, never inside it", ["alp", "ha be", "ta gam", "ma delta"], 12, 0, "alpha beta \ngamma delta"],
    ["the column starts after the prompt label", ["one two three"], 10, 6, "one\ntwo three"],
    ["newlines in the reply reset the column", ["ab cd\nef gh ij"], 6, 0, "ab cd\nef gh\nij"],
    ["a word wider than the line starts a line and is left to the terminal", ["a abcdefghijkl b"], 5, 0, "a \nabcdefghijkl b"],
    ["a word held at the end is written by end()", ["tail"], 80, 0, "tail"],
  ])("%s", (_, pieces, width, start, expected) => {
    expect(wrapped(pieces, width, start)).toBe(expected);
  });

  test("no line is longer than the width", () => {
    const text = Array.from({ length: 200 }, (_, i) => "x".repeat((i % 9) + 1)).join(" ");
    const lines = wrapped(text.match(/.{1,7}/gs)!, 40).split("\n");
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(40);
    expect(lines.join(" ").split(/\s+/).filter(Boolean)).toEqual(text.split(" "));
  });
});

describe("defaultUser", () => {
  const passwd = () => `other:x:${process.getuid!() + 1}:100::/home/other:/bin/sh\nme:x:${process.getuid!()}:100::/home/me:/bin/sh\n`;
  test.each([
    ["$USER", { USER: "alice" }, passwd, "cli-alice"],
    ["$LOGNAME when $USER is unset", { LOGNAME: "bob" }, passwd, "cli-bob"],
    ["the passwd entry of this uid when both are unset", {}, passwd, "cli-me"],
    ["cli-user when nothing names the user", {}, () => "", "cli-user"],
    ["unsafe characters replaced", { USER: "dom\\ann e" }, passwd, "cli-dom_ann_e"],
  ])("%s", (_, env, lookup, expected) => {
    expect(defaultUser(env as Record<string, string>, lookup)).toBe(expected);
  });
});
