// `textllm chat`, the real compiled binary, in a real terminal (tmux) and in pipes, against a
// test server with a mock upstream.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startTestApp, type TestApp } from "../support/app.ts";
import { makePdf } from "../support/fixtures.ts";
import { startMockUpstream, type MockUpstream } from "../support/mock-upstream.ts";
import { run } from "../support/server-process.ts";
import { tempDir, waitFor } from "../support/temp.ts";
import { openTerminal, TMUX, TMUX_SKIP_REASON, type Terminal } from "../support/tmux.ts";

const ROOT = join(import.meta.dir, "../..");
const dir = tempDir("textllm-cli-");
const binary = join(dir.path, "textllm");
let mock: MockUpstream;
let server: TestApp;
let url: string;
const env = () => ({ HOME: dir.path, TERM: "xterm-256color", NO_COLOR: "1" });

beforeAll(async () => {
  const build = await run([process.execPath, "run", "build"], { cwd: ROOT });
  if (build.code !== 0) throw new Error(`bun run build failed:\n${build.stderr}`);
  copyFileSync(join(ROOT, "textllm"), binary);
  await Bun.$`chmod +x ${binary}`;
  mock = startMockUpstream();
  server = await startTestApp({ config: { rate_limit_per_minute: 10_000 }, env: { OPENAI_BASE_URL: mock.baseUrl, OPENAI_API_KEY: "sk-up" } });
  url = server.listen();
}, 120_000);

afterAll(async () => {
  await server?.close();
  await mock?.stop();
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
    const done = await term.waitForScreen((s) => /kappa\s*\n\s*↳ \d+ in · \d+ out · \$[\d.]+ · this session \$[\d.]+/.test(s), "the full reply and its cost line");
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

  test("Ctrl-C stops a reply and returns to the prompt; Ctrl-D at the prompt leaves", async () => {
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

    await term.type("/help");
    await term.key("Enter");
    await term.waitForScreen((s) => s.includes("/attach PATH"), "the help");
    await term.key("C-d");
    expect(await waitFor(() => term.exitStatus().then((s) => (s === null ? undefined : s)), "the client to exit")).toBe(0);
  }, 60_000);
});

describe("non-interactive", () => {
  const chat = (args: string[], stdin?: string) => {
    const p = Bun.spawn([binary, "chat", ...args], { stdin: stdin === undefined ? "ignore" : new TextEncoder().encode(stdin), stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "", ...env() } });
    return Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]).then(([stdout, stderr, code]) => ({ stdout, stderr, code }));
  };

  test("-m prints the reply, plainly, and exits 0", async () => {
    const r = await chat(["--url", url, "-m", "what is two plus two"]);
    expect(r).toMatchObject({ code: 0, stdout: "Echo: what is two plus two\n", stderr: "" });
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
    const guarded = await startTestApp({
      config: { rate_limit_per_minute: 1, cost_limit_per_session: 0.000001 },
      env: { OPENAI_BASE_URL: mock.baseUrl, OPENAI_API_KEY: "sk-up", TEXTLLM_API_KEYS: "good-key-0001=u1" },
    });
    const gurl = guarded.listen();
    try {
      const wrong = await chat(["--url", gurl, "--api-key", "bad-key-0000", "-m", "x"]);
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(/^error: the server refused the API key \(401\)/);
      const budget = await chat(["--url", gurl, "--api-key", "good-key-0001", "-m", "x"]);
      expect(budget.code).toBe(1);
      expect(budget.stderr).toMatch(/^error: budget reached: /);
      const limited = await chat(["--url", gurl, "--api-key", "good-key-0001", "-m", "x"]);
      expect(limited.code).toBe(1);
      expect(limited.stderr).toMatch(/^error: rate limited — try again in \d+ seconds/);
    } finally {
      await guarded.close();
    }
  });
});
