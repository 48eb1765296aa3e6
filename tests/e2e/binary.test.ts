// The single executable, built the way users build it (`bun run build`) and run from an empty
// directory: migrations and documentation assets must be inside it.
import { beforeAll, describe, expect, test, afterAll } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { run, startServer, type RunningServer } from "../support/server-process.ts";
import { tempDir } from "../support/temp.ts";
import { compiledBinary } from "../support/binary.ts";
import { startProcessHarness } from "../support/harness.ts";
import { makeDocx, makePdf, PNG_1PX } from "../support/fixtures.ts";

let dir: ReturnType<typeof tempDir>;
let binary: string;
let server: RunningServer | null = null;

beforeAll(async () => {
  dir = tempDir("textllm-bin-");
  binary = await compiledBinary(join(dir.path, "textllm"));
}, 120_000);

afterAll(async () => {
  await server?.stop("SIGKILL");
  dir?.cleanup();
});

describe("compiled binary", () => {
  test("--version prints the version", async () => {
    const { stdout, code } = await run([binary, "--version"], { cwd: dir.path });
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  test("starts on an empty data dir, migrates, answers /health/live and serves embedded docs", async () => {
    server = await startServer([binary], { cwd: dir.path, env: { TEXTLLM_DATA_DIR: join(dir.path, "empty-data") } });
    const live = await fetch(`${server.url}/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: "alive" });
    expect(existsSync(join(dir.path, "empty-data", "textllm.db"))).toBe(true);

    const ready = await fetch(`${server.url}/health/ready`);
    expect(ready.status).toBe(200);
    const conv = await fetch(`${server.url}/conversations`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"user_id":"bin-user"}',
    });
    expect(conv.status).toBe(200); // tables exist: the embedded migrations ran

    for (const asset of ["/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css", "/docs/assets/redoc.standalone.js"]) {
      const res = await fetch(`${server.url}${asset}`);
      expect(res.status).toBe(200);
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(10_000);
    }
    expect(await server.stop("SIGTERM")).toBe(0);
    server = null;
  });

  test("`textllm migrate` applies the embedded migrations", async () => {
    const { stdout, code } = await run([binary, "migrate"], { cwd: dir.path, env: { TEXTLLM_DATA_DIR: join(dir.path, "migrate-only") } });
    expect(code).toBe(0);
    expect(stdout).toContain("migrations applied");
    expect(existsSync(join(dir.path, "migrate-only", "textllm.db"))).toBe(true);
  });

  test("alone, it knows the common models' prices, and `textllm healthcheck` probes it", async () => {
    const { server: s, close } = await startProcessHarness({
      cmd: [binary],
      cwd: dir.path,
      upstreamKey: "sk-bin",
      env: { TEXTLLM_DATA_DIR: join(dir.path, "price-data") },
    });
    try {
      const models = (await (await fetch(`${s.url}/v1/models`)).json()) as { data: Array<{ id: string }> };
      expect(models.data.map((m) => m.id)).toEqual(expect.arrayContaining(["gpt-4o", "gpt-4o-mini", "text-embedding-3-small"]));
      const res = await fetch(`${s.url}/chat`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"message":"price check","model":"gpt-4o-mini"}',
      });
      const body = (await res.json()) as { cost: number; usage: { prompt_tokens: number; completion_tokens: number } };
      // gpt-4o-mini: $0.15 / $0.60 per million tokens, not the flat gpt-4o price.
      expect(body.cost).toBe(Math.round(body.usage.prompt_tokens * 0.15 + body.usage.completion_tokens * 0.6) / 1e6);

      expect((await run([binary, "healthcheck", "--url", s.url], { cwd: dir.path })).code).toBe(0);
      expect((await run([binary, "healthcheck"], { cwd: dir.path, env: { PORT: new URL(s.url).port } })).code).toBe(0);
    } finally {
      await s.stop("SIGTERM");
      await close();
    }
    expect((await run([binary, "healthcheck", "--url", s.url], { cwd: dir.path })).code).toBe(1);
  }, 60_000);

  test("extracts PDF, DOCX and text documents and sends images, inside the binary", async () => {
    const {
      mock,
      server: s,
      close,
    } = await startProcessHarness({ cmd: [binary], cwd: dir.path, upstreamKey: "sk-bin", env: { TEXTLLM_DATA_DIR: join(dir.path, "doc-data") } });
    try {
      const form = new FormData();
      form.append("message", "What do these say?");
      form.append("files", new File([makePdf(["Binary PDF extraction works"])], "a.pdf"));
      form.append("files", new File([makeDocx(["Binary DOCX extraction works"])], "b.docx"));
      form.append("files", new File(["Binary text works"], "c.txt"));
      form.append("images", new File([PNG_1PX], "d.png"));
      const res = await fetch(`${s.url}/chat`, { method: "POST", body: form });
      expect(res.status).toBe(200);
      const user = mock.requests[0]!.body.messages.at(-1);
      const text = user.content
        .filter((p: { type: string }) => p.type === "text")
        .map((p: { text: string }) => p.text)
        .join("\n");
      expect(text).toContain("Binary PDF extraction works");
      expect(text).toContain("Binary DOCX extraction works");
      expect(text).toContain("Binary text works");
      expect(
        user.content.some(
          (p: { type: string; image_url?: { url: string } }) => p.type === "image_url" && p.image_url!.url.startsWith("data:image/png;base64,"),
        ),
      ).toBe(true);
    } finally {
      await s.stop("SIGTERM");
      await close();
    }
  });
});
