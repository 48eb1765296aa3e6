// `textllm chat`, the real compiled binary, in a real terminal (tmux) and in pipes, against a
// test server with a mock upstream.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TestApp } from "../support/app.ts";
import { makePdf, PNG_1PX } from "../support/fixtures.ts";
import type { MockUpstream } from "../support/mock-upstream.ts";
import { startHarness, type Harness } from "../support/harness.ts";
import { run } from "../support/server-process.ts";
import { tempDir, waitFor } from "../support/temp.ts";
import { openTerminal, TMUX, TMUX_SKIP_REASON, type Terminal } from "../support/tmux.ts";

const ROOT = join(import.meta.dir, "../..");
const dir = tempDir("textllm-cli-");
const binary = join(dir.path, "textllm");
let mock: MockUpstream;
let server: TestApp;
let url: string;
let harness: Harness;
const env = () => ({ HOME: dir.path, TERM: "xterm-256color", NO_COLOR: "1" });

beforeAll(async () => {
  const build = await run([process.execPath, "run", "build"], { cwd: ROOT });
  if (build.code !== 0) throw new Error(`bun run build failed:\n${build.stderr}`);
  copyFileSync(join(ROOT, "textllm"), binary);
  await Bun.$`chmod +x ${binary}`;
  harness = await startHarness({ config: { rate_limit_per_minute: 10_000 } });
  ({ mock, app: server } = harness);
  url = server.listen();
}, 120_000);

afterAll(async () => {
  await harness?.close();
  dir.cleanup();
});

describe.skipIf(!TMUX)(`interactive, in a terminal${TMUX ? "" : ` (skipped: ${TMUX_SKIP_REASON})`}`, () => {
  let term: Terminal;
  afterAll(() => term?.close());

  test("a question streams its reply; /new, /list, /open, /attach with a PDF and /quit behave", async () => {
    term = await openTerminal([binary, "chat", "--url", url, "--user", "tty-user"], env());
    await term.waitForScreen((s) => s.includes("/help for commands"), "the welcome line");

    // Streamed: the reply grows on screen before it is complete.
    mock.script({ kind: "reply", text: "alpha beta gamma delta epsilon zeta eta theta iota kappa", chunkDelayMs: 120 });
    await term.type("tell me the greek letters");
    await term.key("Enter");
    const partial = await term.waitForScreen((s) => s.includes("assistant › alpha beta"), "the first words of the reply");
    expect(partial).not.toContain("kappa");
    const done = await term.waitForScreen((s) => /kappa\s*\n\s*↳ \d+ in · \d+ out · \$[\d.]+ · this run \$[\d.]+/.test(s), "the full reply and its cost line");
    expect(done).toContain("alpha beta gamma delta epsilon zeta eta theta iota kappa");
    const first = server.deps.store;
    const [conv] = await first.conversations.listByUser("tty-user", { limit: 1, offset: 0 });
    expect(conv!.title).toBe("tell me the greek letters");

    await term.type("/new");
    await term.key("Enter");
    await term.waitForScreen((s) => s.includes("New conversation"), "/new's answer");

    const pdf = join(dir.path, "report.pdf");
    writeFileSync(pdf, makePdf(["Terminal attachments work"]));
    await term.type(`/attach ${pdf}`);
    await term.key("Enter");
    await term.waitForScreen((s) => s.includes("Attached") && s.includes("report.pdf"), "/attach's answer");
    await term.type("summarise the report");
    await term.key("Enter");
    await term.waitForScreen((s) => (s.match(/↳ \d+ in/g) ?? []).length >= 2, "the second reply");
    const sent = mock.requests.at(-1)!.body.messages.at(-1);
    expect(JSON.stringify(sent.content)).toContain("Terminal attachments work");
    expect(mock.requests.at(-1)!.body.messages.length).toBe(2); // a new conversation: system + this turn

    await term.type("/list");
    await term.key("Enter");
    const listed = await term.waitForScreen((s) => s.includes("summarise the report") && s.includes(conv!.id), "both conversations in /list");
    expect(listed).toContain("tell me the greek letters");

    await term.type(`/open ${conv!.id}`);
    await term.key("Enter");
    const after = (s: string) => s.split(`Switched to ${conv!.id}`)[1] ?? "";
    const opened = await term.waitForScreen((s) => after(s).includes("assistant › alpha beta"), "/open's answer and the conversation's history");
    expect(after(opened)).toContain("you › tell me the greek letters");

    await term.type("/quit");
    await term.key("Enter");
    expect(await waitFor(() => term.exitStatus().then((s) => (s === null ? undefined : s)), "the client to exit")).toBe(0);
  }, 60_000);

  test("Ctrl-C stops a reply and returns to the prompt, still showing its tokens and cost; Ctrl-D at the prompt leaves", async () => {
    await term?.close();
    term = await openTerminal([binary, "chat", "--url", url, "--user", "tty-user-2"], env());
    await term.waitForScreen((s) => s.includes("/help for commands"), "the welcome line");
    mock.script({ kind: "reply", text: "slow words that go on and on and on for quite a while yet", chunkDelayMs: 250 });
    await term.type("talk slowly");
    await term.key("Enter");
    await term.waitForScreen((s) => s.includes("assistant › slow"), "the reply to start");
    await term.key("C-c");
    const stopped = await term.waitForScreen((s) => s.includes("↳ stopped"), "the reply to stop");
    expect(stopped).not.toContain("quite a while yet");
    expect(await term.exitStatus()).toBeNull();
    const line = await term.waitForScreen((s) => /↳ stopped · \d+ in · \d+ out · \$[\d.]+ · this run \$[\d.]+/.test(s), "the stopped reply's tokens and cost");
    const [, cost, run] = line.match(/↳ stopped · \d+ in · [1-9]\d* out · (\$[\d.]+) · this run (\$[\d.]+)/)!;
    expect(run).toBe(cost!);
    expect(Number(cost!.slice(1))).toBeGreaterThan(0);

    // The run's total and the server's record of the day agree.
    await term.type("/cost");
    await term.key("Enter");
    const costs = await term.waitForScreen((s) => s.includes("Last 30 days"), "/cost's answer");
    expect(costs).toContain(`This run: ${run}`);
    expect(costs).toContain(`Today's session: ${run} ·`);

    await term.type("/help");
    await term.key("Enter");
    await term.waitForScreen((s) => s.includes("/attach PATH"), "the help");
    await term.key("C-d");
    expect(await waitFor(() => term.exitStatus().then((s) => (s === null ? undefined : s)), "the client to exit")).toBe(0);
  }, 60_000);

  test("/open by list number and by id prefix; /history framed apart from the chat; /delete asks first", async () => {
    await term?.close();
    term = await openTerminal([binary, "chat", "--url", url, "--user", "tty-user-3"], env());
    await term.waitForScreen((s) => s.includes("/help for commands"), "the welcome line");
    for (const question of ["first question", "second question"]) {
      await term.type("/new");
      await term.key("Enter");
      await term.type(question);
      await term.key("Enter");
      await term.waitForScreen(
        (s) => s.includes(`Echo: ${question}`) && /Echo: second|↳ \d+ in/.test(s.split(`Echo: ${question}`)[1] ?? ""),
        `the reply to '${question}'`,
      );
    }
    const [second, first] = await server.deps.store.conversations.listByUser("tty-user-3", { limit: 2, offset: 0 });

    await term.type("/list");
    await term.key("Enter");
    const listed = await term.waitForScreen((s) => s.includes("/open NUMBER"), "the numbered list");
    expect(listed).toMatch(new RegExp(`\\b1[* ] ${second!.id}  second question`));
    expect(listed).toMatch(new RegExp(`\\b2[* ] ${first!.id}  first question`));

    await term.type("/open 2");
    await term.key("Enter");
    const byNumber = await term.waitForScreen((s) => s.includes(`Switched to ${first!.id}`) && s.includes("└─ end of history"), "/open 2");
    const history = byNumber.split(`Switched to ${first!.id}`)[1]!;
    // Stored messages are framed and marked, unlike the live chat's lines.
    expect(history).toContain(`┌─ history of ${first!.id}`);
    expect(history).toMatch(/│ #1 you › first question/);
    expect(history).toMatch(/│ #2 assistant › Echo: first question/);

    await term.type("/history");
    await term.key("Enter");
    await term.waitForScreen((s) => (s.match(/└─ end of history/g) ?? []).length === 2, "/history's frame");

    // The first characters that tell the two apart, typed without the "conv_".
    let differ = 0;
    while (second!.id[differ] === first!.id[differ]) differ++;
    const prefix = second!.id.slice("conv_".length, differ + 1);
    await term.type(`/open ${prefix}`);
    await term.key("Enter");
    await term.waitForScreen((s) => s.includes(`Switched to ${second!.id}`), "/open by id prefix");
    await term.type("/open conv_");
    await term.key("Enter");
    await term.waitForScreen((s) => s.includes("'conv_' is the start of 2 conversations' ids"), "an ambiguous prefix refused");

    await term.type("/delete");
    await term.key("Enter");
    await term.waitForScreen((s) => s.includes(`Delete ${second!.id} and its messages? [y/N]`), "the confirmation question");
    await term.key("Enter");
    await term.waitForScreen((s) => s.includes(`Kept ${second!.id}.`), "a plain Enter keeping it");
    expect(await server.deps.store.conversations.get(second!.id)).toMatchObject({ id: second!.id });
    await term.type("/delete");
    await term.key("Enter");
    await term.waitForScreen((s) => (s.match(/\[y\/N\]/g) ?? []).length === 2, "the question again");
    await term.type("y");
    await term.key("Enter");
    await term.waitForScreen((s) => s.includes(`Deleted ${second!.id}.`), "the deletion");
    const remaining = await server.deps.store.conversations.listByUser("tty-user-3", { limit: 10, offset: 0 });
    expect(remaining.map((conv) => conv.id)).toEqual([first!.id]);
  }, 60_000);

  test("paths with ~; /image refuses a non-image at once; replies wrap at word boundaries", async () => {
    await term?.close();
    term = await openTerminal([binary, "chat", "--url", url, "--user", "tty-user-4"], env());
    await term.waitForScreen((s) => s.includes("/help for commands"), "the welcome line");
    writeFileSync(join(dir.path, "tilde-notes.txt"), "notes found through the tilde");
    writeFileSync(join(dir.path, "dot.png"), PNG_1PX);

    await term.type("/image ~/tilde-notes.txt");
    await term.key("Enter");
    await term.waitForScreen((s) => s.includes("error: ~/tilde-notes.txt is not an image"), "/image refusing a text file");
    await term.type("/image ~/dot.png");
    await term.key("Enter");
    await term.waitForScreen((s) => s.includes("Attached ~/dot.png"), "/image with ~");
    await term.type("/attach ~/tilde-notes.txt");
    await term.key("Enter");
    await term.waitForScreen((s) => s.includes("Attached ~/tilde-notes.txt"), "/attach with ~");

    // 140 columns: a reply of many words, streamed in pieces cut mid-word.
    const words = Array.from({ length: 80 }, (_, i) => `${["amber", "basalt", "cobalt", "dolomite", "emerald"][i % 5]}${i}`);
    mock.script({ kind: "reply", text: words.join(" ") });
    await term.type("describe these");
    await term.key("Enter");
    const screen = await term.waitForScreen((s) => /↳ \d+ in/.test(s), "the long reply");
    const turn = mock.requests.at(-1)!.body.messages.at(-1);
    expect(JSON.stringify(turn.content)).toContain("notes found through the tilde");
    expect(JSON.stringify(turn.content)).toContain("data:image/png;base64,");
    expect(JSON.stringify(turn.content).match(/data:image\//g)?.length).toBe(1); // the refused file was never queued
    const reply = screen.slice(screen.indexOf("assistant › "), screen.indexOf("↳")).trimEnd().split("\n");
    expect(reply.length).toBeGreaterThan(2);
    for (const row of reply) expect(row.length).toBeLessThanOrEqual(140);
    expect(reply.join(" ").replace("assistant › ", "").split(/\s+/).filter(Boolean)).toEqual(words);
  }, 60_000);
});

describe("non-interactive", () => {
  const chat = (args: string[], stdin?: string) => {
    const p = Bun.spawn([binary, "chat", ...args], {
      stdin: stdin === undefined ? "ignore" : new TextEncoder().encode(stdin),
      stdout: "pipe",
      stderr: "pipe",
      env: { PATH: process.env.PATH ?? "", ...env() },
    });
    return Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]).then(([stdout, stderr, code]) => ({ stdout, stderr, code }));
  };

  test("-m prints the reply, plainly, and exits 0", async () => {
    const r = await chat(["--url", url, "-m", "what is two plus two"]);
    expect(r).toMatchObject({ code: 0, stdout: "Echo: what is two plus two\n", stderr: "" });
  });

  test("without $USER the user is cli-<login name>; with it, cli-$USER", async () => {
    const login = (await Bun.$`id -un`.text()).trim();
    expect((await chat(["--url", url, "-m", "who am I without USER"])).code).toBe(0); // env() sets no USER
    const [mine] = await server.deps.store.conversations.listByUser(`cli-${login}`, { limit: 1, offset: 0 });
    expect(mine?.title).toBe("who am I without USER");
    const p = Bun.spawn([binary, "chat", "--url", url, "-m", "who am I as alice"], {
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      env: { PATH: process.env.PATH ?? "", ...env(), USER: "alice" },
    });
    expect(await p.exited).toBe(0);
    const [alices] = await server.deps.store.conversations.listByUser("cli-alice", { limit: 1, offset: 0 });
    expect(alices?.title).toBe("who am I as alice");
  });

  test("a piped question prints the reply and exits 0; attachments work too", async () => {
    const doc = join(dir.path, "notes.txt");
    writeFileSync(doc, "piped notes content");
    const r = await chat(["--url", url, "--attach", doc], "question from a pipe\n");
    expect(r.code).toBe(0);
    expect(r.stdout).toStartWith("Echo: question from a pipe");
    expect(r.stdout).toContain("piped notes content");
    expect(r.stdout).not.toContain("\u001b["); // no colours when stdout is not a terminal
  });

  test("failures are one clear line and a non-zero exit", async () => {
    const closed = Bun.serve({ port: 0, fetch: () => new Response() });
    const deadPort = closed.port;
    await closed.stop(true);
    const cases: Array<[string[], string | undefined, RegExp, number]> = [
      [["--url", `http://127.0.0.1:${deadPort}`, "-m", "hello?"], undefined, /^error: cannot reach the TextLLM server at .* is it running\?/, 1],
      [["--url", url, "-m", "x", "--attach", join(dir.path, "missing.pdf")], undefined, /^error: cannot read .*missing\.pdf: no such file/, 1],
      [["--url", url, "-m", "x", "--conversation", "conv_nope"], undefined, /^error: No conversation found with id 'conv_nope'/, 1],
      [["--url", url], "", /^error: nothing to ask/, 2],
      [["--no-such-flag"], undefined, /^error: Unknown option '--no-such-flag'/, 2],
    ];
    for (const [args, stdin, pattern, code] of cases) {
      const r = await chat(args, stdin);
      expect({ args, code: r.code }).toEqual({ args, code });
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr.trim().split("\n").length).toBe(1);
      expect(r.stdout).toBe("");
    }
  });

  test("a wrong key, a rate limit and a spent budget each read like a tool's error", async () => {
    const { app: guarded } = await startHarness({
      mock,
      config: { rate_limit_per_minute: 1, cost_limit_per_session: 0.000001 },
      env: { TEXTLLM_API_KEYS: "good-key-0001=u1" },
    });
    const gurl = guarded.listen();
    try {
      const wrong = await chat(["--url", gurl, "--api-key", "bad-key-0000", "-m", "x"]);
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(/^error: the server refused the API key \(401\)/);
      const budget = await chat(["--url", gurl, "--api-key", "good-key-0001", "-m", "x"]);
      expect(budget.code).toBe(1);
      expect(budget.stderr).toMatch(/^error: budget reached: /);
      expect(budget.stderr).toContain("$0.000001"); // the real limit, not "$0.00"
      const limited = await chat(["--url", gurl, "--api-key", "good-key-0001", "-m", "x"]);
      expect(limited.code).toBe(1);
      expect(limited.stderr).toMatch(/^error: rate limited — try again in \d+ seconds/);
    } finally {
      await guarded.close();
    }
  });
});
