// The web console in a real browser (Debian's chromium driven by playwright-core) against the
// compiled binary and the mock upstream: sign in, stream a reply, attach a PDF, reopen after a
// reload, follow a reply on across a reload, rename/tag and delete, the spend chart against the
// stats API, user isolation, the keyboard. Screenshots of every page at desktop and phone width go to test-artifacts/console/
// (gitignored). Without chromium the suite is skipped with the reason in its name.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { compiledBinary } from "../support/binary.ts";
import { makePdf, PNG_1PX } from "../support/fixtures.ts";
import { startMockUpstream, type MockUpstream } from "../support/mock-upstream.ts";
import { startServer, type RunningServer } from "../support/server-process.ts";
import { tempDir, waitFor } from "../support/temp.ts";
import { openStore, sqliteFileIn } from "../../src/storage/db/open.ts";
import { newId } from "../../src/lib/ids.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SKIP = existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing (apt-get install chromium)`;
const SHOTS = join(import.meta.dir, "../../test-artifacts/console");
const KEYS = { alice: "key-alice-console-1", bob: "key-bob-console-22", admin: "admin-console-333" };
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

/** Four weeks of earlier usage for alice and bob, so the charts have days, models and users to show. */
async function seedPastUsage(dataDir: string): Promise<void> {
  const store = openStore({ kind: "sqlite", path: sqliteFileIn(dataDir) });
  await store.migrate();
  for (let daysAgo = 1; daysAgo < 30; daysAgo++) {
    for (const [user, model, scale] of [
      ["alice", "gpt-4o", 3],
      ["alice", "gpt-4o-mini", 1],
      ["bob", "gpt-4o", 2],
    ] as const) {
      const tokens = 200 + ((daysAgo * 37 * scale) % 900);
      await store.usage.insert({
        id: newId("usage"),
        request_id: newId("req"),
        user_id: user,
        session_id: null,
        conversation_id: null,
        route: "/chat",
        model,
        provider: "openai",
        tokens_input: tokens,
        tokens_output: Math.round(tokens / 3),
        tokens_cached: 0,
        cost: tokens * scale * 5,
        latency_ms: 100,
        status: 200,
        error_code: null,
        streamed: true,
        created_at: new Date(Date.now() - daysAgo * 86_400_000).toISOString(),
      });
    }
  }
  await store.close();
}

describe.skipIf(SKIP !== null)(`web console in chromium${SKIP ? ` (skipped: ${SKIP})` : ""}`, () => {
  let dir: ReturnType<typeof tempDir>;
  let mock: MockUpstream;
  let server: RunningServer;
  let browser: Browser;
  const problems: string[] = [];
  let conversationId = "";

  beforeAll(async () => {
    dir = tempDir("textllm-console-");
    const binary = await compiledBinary(join(dir.path, "textllm"));
    mock = startMockUpstream();
    writeFileSync(
      join(dir.path, "config.yaml"),
      [
        "model: gpt-4o",
        "cost_limit_per_session: 2",
        "models:",
        "  gpt-4o: { pricing: { input_per_1k: 0.0025, output_per_1k: 0.01 } }",
        "  gpt-4o-mini: { pricing: { input_per_1k: 0.00015, output_per_1k: 0.0006 } }",
        "",
      ].join("\n"),
    );
    await seedPastUsage(join(dir.path, "data"));
    server = await startServer([binary], {
      cwd: dir.path,
      env: {
        TEXTLLM_DATA_DIR: join(dir.path, "data"),
        OPENAI_BASE_URL: mock.baseUrl,
        OPENAI_API_KEY: "sk-console",
        TEXTLLM_API_KEYS: `${KEYS.alice}=alice,${KEYS.bob}=bob`,
        TEXTLLM_ADMIN_KEY: KEYS.admin,
      },
    });
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
    mkdirSync(SHOTS, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop("SIGTERM");
    await mock?.stop();
    dir?.cleanup();
  });

  const api = async <T = any>(path: string, key: string) =>
    (await (await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${key}` } })).json()) as T;

  async function open(viewport: typeof DESKTOP): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport });
    context.setDefaultTimeout(45_000); // a busy shared machine; every wait is for a condition
    const page = await context.newPage();
    page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
    page.on("console", (msg) => {
      // Refused requests (a wrong key, another user's conversation) are checked where they happen.
      if (/^Failed to load resource/.test(msg.text())) return;
      if (msg.type() === "error" || /content security policy/i.test(msg.text())) problems.push(`console: ${msg.text()}`);
    });
    page.on("dialog", (dialog) => void dialog.accept());
    return { context, page };
  }

  async function signIn(page: Page, key: string, user = ""): Promise<void> {
    await page.goto(`${server.url}/console`);
    await page.getByLabel("API key").fill(key);
    if (user) await page.getByLabel("User id").fill(user);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForSelector(".chat[data-ready]");
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  test("sign in, stream a reply, attach a PDF, reopen after a reload", async () => {
    const { context, page } = await open(DESKTOP);
    await page.goto(`${server.url}/console`);
    await shot(page, "signin-desktop");
    await page.getByLabel("API key").fill("not-a-key");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert").textContent()).resolves.toContain("API key");
    await signIn(page, KEYS.alice);
    expect(await page.locator(".who").textContent()).toBe("alice");
    expect(page.url()).not.toContain(KEYS.alice);

    // Streamed: the answer's words appear while the turn is still running (no cost line yet).
    mock.script({ kind: "reply", text: "Streaming **works** in the console, word by word, until the end.", chunkDelayMs: 120 });
    await page.getByLabel("Message").fill("Hello console");
    await page.getByLabel("Message").press("Enter");
    await page.locator(".msg.assistant:has(.meta:empty)", { hasText: "Streaming" }).waitFor();
    await page.locator(".msg.assistant .meta", { hasText: /in · \d+ out · \$/ }).waitFor();
    expect(await page.locator(".msg.assistant strong").textContent()).toBe("works"); // markdown rendered
    const spent = (await api<{ data: Array<{ cost: number }> }>("/users/alice/stats/daily?days=1", KEYS.alice)).data.reduce((n, d) => n + d.cost, 0);
    expect(spent).toBeGreaterThan(0);
    expect(await page.locator(".budget").textContent()).toBe(`Budget left today: $${(2 - spent).toFixed(6)}`);
    conversationId = new URL(page.url()).hash.replace("#/chat/", "");
    expect(conversationId).toMatch(/^conv_/);

    // Shift+Enter is a new line, not a send.
    await page.getByLabel("Message").fill("line one");
    await page.getByLabel("Message").press("Shift+Enter");
    await page.getByLabel("Message").type("line two");
    expect(await page.getByLabel("Message").inputValue()).toBe("line one\nline two");
    expect(mock.requests.length).toBe(1);
    await page.getByLabel("Message").fill("");

    // Dropping a file on the messages adds it to the turn (removed again: this turn sends the PDF only).
    const dropped = await page.evaluateHandle(() => {
      const transfer = new (globalThis as any).DataTransfer(); // the page's globals (no DOM types in the tests)
      transfer.items.add(new File(["dropped notes"], "notes.txt", { type: "text/plain" }));
      return transfer;
    });
    await page.dispatchEvent(".messages", "drop", { dataTransfer: dropped });
    expect(await page.locator(".pending").textContent()).toContain("notes.txt");
    await page.getByRole("button", { name: "Remove notes.txt" }).click();
    expect(await page.locator(".pending li").count()).toBe(0);

    // A PDF, attached through the file picker, is shown in the turn and reaches the model as text.
    await page
      .locator("input[type=file]")
      .setInputFiles({ name: "report.pdf", mimeType: "application/pdf", buffer: Buffer.from(makePdf(["Quarterly console revenue was 42"])) });
    expect(await page.locator(".pending").textContent()).toContain("report.pdf");
    await page.getByLabel("Message").fill("What does the report say?");
    await page.getByRole("button", { name: "Send" }).click();
    await page.locator(".msg.assistant .meta:not(:empty)").nth(1).waitFor();
    expect(await page.locator(".msg.user").nth(1).locator(".attachments button").textContent()).toBe("report.pdf");
    const sent = JSON.stringify(mock.requests.at(-1)!.body.messages.at(-1));
    expect(sent).toContain("Quarterly console revenue was 42");
    await shot(page, "chat-desktop");

    // After a reload the conversation comes back from the server, attachment included.
    await page.reload();
    await page.locator(".msg").nth(3).waitFor();
    expect(await page.locator(".msg").count()).toBe(4);
    expect(await page.locator(".msg.user").first().textContent()).toContain("Hello console");
    expect(await page.locator(".msg.user").nth(1).textContent()).toContain("What does the report say?");
    expect(await page.locator(".msg.user").nth(1).textContent()).not.toContain("Quarterly"); // the document's text stays hidden
    expect(await page.locator(".msg.user .attachments button").textContent()).toBe("report.pdf");
    expect(await page.locator(".msg.assistant .meta").first().textContent()).toMatch(/\$/);
    await context.close();
    expect(problems).toEqual([]);
  }, 120_000);

  test("HTML in an answer is shown as text, never run; only http(s) links are links", async () => {
    const { context, page } = await open(DESKTOP);
    await signIn(page, KEYS.alice);
    mock.script({
      kind: "reply",
      text: `<img src=x onerror="document.title='pwned'"> <script>document.title='pwned'</script> [bad](javascript:alert(1)) [good](https://example.com/a) \`<b>code</b>\``,
    });
    await page.getByLabel("Message").fill("Show me some HTML");
    await page.getByLabel("Message").press("Enter");
    const answer = page.locator(".msg.assistant");
    await answer.locator(".meta:not(:empty)").waitFor();
    expect(await answer.locator("img, script, b").count()).toBe(0);
    expect(await answer.textContent()).toContain("<img src=x onerror=");
    expect(await answer.locator("a").count()).toBe(1);
    expect(await answer.locator("a").getAttribute("href")).toBe("https://example.com/a");
    expect(await answer.locator("code").textContent()).toBe("<b>code</b>");
    expect(await page.title()).not.toBe("pwned");
    await context.close();
  }, 120_000);

  test("Esc stops a reply; the partial answer is kept", async () => {
    const { context, page } = await open(DESKTOP);
    await signIn(page, KEYS.alice);
    mock.script({ kind: "reply", text: Array.from({ length: 60 }, (_, i) => `word${i}`).join(" "), chunkDelayMs: 150 });
    await page.getByLabel("Message").fill("Tell me a long story");
    await page.getByLabel("Message").press("Enter");
    await page.locator(".msg.assistant", { hasText: "word2" }).waitFor();
    await page.keyboard.press("Escape");
    await page.locator(".msg.assistant .meta", { hasText: "Stopped" }).waitFor();
    expect(await page.getByRole("button", { name: "Send" }).isVisible()).toBe(true);
    const id = new URL(page.url()).hash.replace("#/chat/", "");
    // The stopped turn (and a new conversation with it) is stored once the server has wound the stream up.
    const stored = await waitFor(async () => {
      const page = await api<{ data?: Array<{ role: string; finish_reason: string | null }> }>(`/conversations/${id}/messages`, KEYS.alice);
      return page.data?.find((m) => m.role === "assistant");
    }, "the stopped turn to be stored");
    expect(stored.finish_reason).toBe("cancelled");
    await context.close();
  }, 120_000);

  test("a reply streaming when the page is reloaded goes on in the reloaded page and is stored once", async () => {
    const { context, page } = await open(DESKTOP);
    await signIn(page, KEYS.alice);
    const text = Array.from({ length: 40 }, (_, i) => `piece${i}`).join(" ");
    mock.script({ kind: "reply", text, chunkDelayMs: 150 });
    const resumes: Array<{ url: string; lastEventId: string | undefined; authorization: string | undefined }> = [];
    page.on("request", (req) => {
      if (req.url().includes("/chat/streams/"))
        resumes.push({ url: req.url(), lastEventId: req.headers()["last-event-id"], authorization: req.headers().authorization });
    });
    const calls = mock.requests.length;
    await page.getByLabel("Message").fill("Keep going after a reload");
    await page.getByLabel("Message").press("Enter");
    await page.locator(".msg.assistant", { hasText: "piece3" }).waitFor();
    await page.reload();

    // The reloaded page shows the turn and follows the reply on to its end, nothing lost or doubled.
    await page.locator(".msg.assistant .meta", { hasText: /in · \d+ out · \$/ }).waitFor();
    expect(await page.locator(".msg").count()).toBe(2);
    expect(await page.locator(".msg.user").textContent()).toContain("Keep going after a reload");
    expect((await page.locator(".msg.assistant .content").textContent())!.trim()).toBe(text);
    expect(resumes.length).toBe(1);
    expect(resumes[0]!.url).toMatch(/\/chat\/streams\/stream_[^/?]+\?user_id=alice$/);
    expect(Number(resumes[0]!.lastEventId)).toBeGreaterThan(3); // after the words already shown
    expect(resumes[0]!.authorization).toBe(`Bearer ${KEYS.alice}`);
    expect(await page.evaluate(() => (globalThis as any).sessionStorage.getItem("textllm.console.stream"))).toBeNull();

    const id = new URL(page.url()).hash.replace("#/chat/", "");
    const stored = await api<{ data: Array<{ role: string; content: string; finish_reason: string | null }> }>(
      `/conversations/${id}/messages?order=asc`,
      KEYS.alice,
    );
    expect(stored.data.filter((m) => m.role !== "system").map((m) => [m.role, m.content])).toEqual([
      ["user", "Keep going after a reload"],
      ["assistant", text],
    ]);
    expect(stored.data.at(-1)!.finish_reason).toBe("stop");
    expect(mock.requests.length).toBe(calls + 1); // one upstream call for the turn

    // A reply that has left the replay window (404): the reloaded page shows the stored conversation.
    await page.evaluate(
      (conversationId) =>
        (globalThis as any).sessionStorage.setItem(
          "textllm.console.stream",
          JSON.stringify({ streamId: "stream_long_gone", conversationId, lastEventId: "7", message: "Keep going after a reload", reply: "piece0" }),
        ),
      id,
    );
    await page.reload();
    await page.waitForSelector(".chat[data-ready]");
    await page.waitForFunction(() => (globalThis as any).sessionStorage.getItem("textllm.console.stream") === null);
    expect(resumes.at(-1)!.url).toContain("/chat/streams/stream_long_gone");
    expect(await page.locator(".msg").count()).toBe(2);
    expect((await page.locator(".msg.assistant .content").textContent())!.trim()).toBe(text);
    expect(await page.getByRole("alert").count()).toBe(0);
    await context.close();
    expect(problems).toEqual([]);
  }, 120_000);

  test("rename, tag and search conversations; a user key sees none of another user's", async () => {
    const { context, page } = await open(DESKTOP);
    await signIn(page, KEYS.alice);
    await page.getByRole("link", { name: "Conversations" }).click();
    const row = page.locator(`.row[data-id="${conversationId}"]`);
    await row.getByRole("button", { name: "Rename / tag" }).click();
    await row.getByLabel("Title").fill("Quarterly report chat");
    await row.getByLabel("Tags").fill("finance, e2e");
    await row.getByRole("button", { name: "Save" }).click();
    await row.locator(".title").waitFor();
    expect(await row.locator(".title").textContent()).toBe("Quarterly report chat");
    expect(await api(`/conversations/${conversationId}`, KEYS.alice)).toMatchObject({ title: "Quarterly report chat", tags: ["finance", "e2e"] });
    await page.getByLabel("Search by title").fill("QUARTERLY");
    await page.locator(".row").nth(1).waitFor({ state: "detached" });
    expect(await page.locator(".row .title").allTextContents()).toEqual(["Quarterly report chat"]);
    await page.getByLabel("Search by title").fill("no such title");
    await page.getByText("No conversation has that in its title.").waitFor();
    await page.getByLabel("Search by title").fill("");
    await page.locator(".row").nth(1).waitFor();
    await shot(page, "conversations-desktop");
    await context.close();

    const asBob = await open(DESKTOP);
    await signIn(asBob.page, KEYS.bob);
    await asBob.page.getByRole("link", { name: "Conversations" }).click();
    await asBob.page.getByText("No conversations yet.").waitFor();
    await asBob.page.goto(`${server.url}/console#/chat/${conversationId}`);
    await asBob.page.getByRole("alert").waitFor();
    expect(await asBob.page.getByRole("alert").textContent()).toContain("No conversation found");
    expect(await asBob.page.locator(".msg").count()).toBe(0);
    await asBob.context.close();
  }, 120_000);

  test("spend: today's cost in the chart equals the stats API's figure; the admin sees users", async () => {
    const { context, page } = await open(DESKTOP);
    await signIn(page, KEYS.alice);
    await page.getByRole("link", { name: "Spend" }).click();
    await page.locator(".chart").first().waitFor();
    const today = new Date().toISOString().slice(0, 10);
    const daily = await api<{ data: Array<{ day: string; cost: number }> }>("/users/alice/stats/daily?days=1", KEYS.alice);
    const apiToday = daily.data.filter((d) => d.day === today).reduce((n, d) => n + d.cost, 0);
    expect(apiToday).toBeGreaterThan(0);
    const charted = Number(await page.locator(`.spend-group[data-by=model] figure`).first().locator(`g[data-day="${today}"]`).getAttribute("data-total"));
    expect(charted).toBeCloseTo(apiToday, 9);
    expect(await page.locator("[data-figure=today-cost] strong").textContent()).toBe(`$${apiToday.toFixed(apiToday < 0.01 ? 6 : 4)}`);
    expect(await page.locator(".spend-group[data-by=user_id]").count()).toBe(0);
    expect(await page.locator(".settings").textContent()).toContain("$2.00 per user per UTC day");
    await shot(page, "spend-desktop");
    await page.setViewportSize({ width: 1000, height: 640 });
    await page.screenshot({ path: join(SHOTS, "readme-spend.png") }); // the README's picture (docs/console-spend.png)
    await context.close();

    const admin = await open(DESKTOP);
    await signIn(admin.page, KEYS.admin, "alice");
    await admin.page.getByRole("link", { name: "Spend" }).click();
    await admin.page.locator(".spend-group[data-by=user_id] table").waitFor();
    expect(await admin.page.locator(".spend-group[data-by=user_id] tbody").textContent()).toContain("alice");
    await shot(admin.page, "spend-admin-desktop");
    await admin.context.close();
  }, 120_000);

  test("files list the PDF; deleting the conversation (confirmed) removes it", async () => {
    const { context, page } = await open(DESKTOP);
    await signIn(page, KEYS.alice);
    await page.getByRole("link", { name: "Files" }).click();
    await page.locator("td.name", { hasText: "report.pdf" }).waitFor();
    expect(await page.locator("tbody tr").first().textContent()).toContain("application/pdf");
    await shot(page, "files-desktop");
    const downloading = page.waitForEvent("download");
    await page.getByRole("button", { name: "Download" }).first().click(); // fetched with the key in a header
    const downloaded = await downloading;
    expect(downloaded.suggestedFilename()).toBe("report.pdf");
    expect(new TextDecoder().decode(Buffer.from(await Bun.file((await downloaded.path())!).arrayBuffer()).subarray(0, 5))).toBe("%PDF-");

    await page.getByRole("link", { name: "Conversations" }).click();
    const row = page.locator(`.row[data-id="${conversationId}"]`);
    await row.getByRole("button", { name: "Delete" }).click(); // the confirmation dialog is accepted
    await row.waitFor({ state: "detached" });
    const res = await fetch(`${server.url}/conversations/${conversationId}`, { headers: { authorization: `Bearer ${KEYS.alice}` } });
    expect(res.status).toBe(404);

    await page.getByRole("link", { name: "Files" }).click();
    await page.locator("td.name", { hasText: "report.pdf" }).waitFor();
    await page.getByRole("button", { name: "Delete" }).first().click();
    await page.locator("td.name", { hasText: "report.pdf" }).waitFor({ state: "detached" });
    expect((await api<{ data: unknown[] }>("/files", KEYS.alice)).data).toEqual([]);
    await context.close();
    expect(problems).toEqual([]);
  }, 120_000);

  test("no key ever appears in the server's log", () => {
    expect(server.lines.length).toBeGreaterThan(10); // the access lines of everything above
    for (const key of Object.values(KEYS)) expect(server.lines.join("\n")).not.toContain(key);
  });

  test("every page at phone width", async () => {
    const { context, page } = await open(PHONE);
    await page.goto(`${server.url}/console`);
    await shot(page, "signin-phone");
    await signIn(page, KEYS.alice);
    await page.locator("input[type=file]").setInputFiles({ name: "dot.png", mimeType: "image/png", buffer: Buffer.from(PNG_1PX) });
    await page.getByLabel("Message").fill("A question from a phone");
    await page.getByLabel("Message").press("Enter");
    await page.locator(".msg.assistant .meta:not(:empty)").waitFor();
    await page.locator(".msg.user img.thumb[src^='blob:']").waitFor(); // the stored image, fetched with the key
    expect(JSON.stringify(mock.requests.at(-1)!.body.messages.at(-1))).toContain("data:image/png;base64,");
    await shot(page, "chat-phone");
    for (const name of ["conversations", "spend", "files"]) {
      await page.getByRole("link", { name: name[0]!.toUpperCase() + name.slice(1) }).click();
      await page.waitForSelector(name === "spend" ? ".chart" : name === "files" ? "tbody tr" : ".row");
      const overflow = await page.evaluate(() => {
        const { document: doc, innerWidth } = globalThis as any; // the page's globals (no DOM types in the tests)
        return doc.documentElement.scrollWidth - innerWidth;
      });
      expect({ name, overflow }).toEqual({ name, overflow: 0 }); // nothing wider than the phone
      await shot(page, `${name}-phone`);
    }
    await context.close();
    expect(problems).toEqual([]);
  }, 120_000);
});
