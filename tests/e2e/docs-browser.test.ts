// The documentation pages work offline: /docs, /docs/ and /redoc name only this server's assets
// (HTML check, always), and in a real headless Chromium (when installed) they render the API while
// every request to anywhere else goes to a trap that records it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { startTestApp, type TestApp } from "../support/app.ts";
import { tempDir } from "../support/temp.ts";

const CHROMIUM = "/usr/bin/chromium";
/** Chromium's own background services: it calls them whatever the page does. */
const BROWSER_SERVICES = /(^|\.)(google\.com|gvt1\.com)$|^(?!fonts\.)[a-z0-9-]+\.googleapis\.com$/;

let t: TestApp;
let base: string;
beforeAll(async () => {
  t = await startTestApp();
  base = t.listen();
});
afterAll(() => t.close());

describe("documentation pages name only this server", () => {
  for (const path of ["/docs", "/docs/", "/redoc", "/redoc/"]) {
    test(`${path}: every asset is served here, the document by absolute path, a CSP that forbids elsewhere`, async () => {
      const res = await fetch(`${base}${path}`);
      expect(res.status).toBe(200);
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("default-src 'none'");
      expect(csp).not.toMatch(/https?:|\*/);
      const html = await res.text();
      const refs = [...html.matchAll(/(?:src|href|spec-url)="([^"]+)"/g)].map((m) => m[1]!);
      expect(refs.length).toBeGreaterThanOrEqual(1);
      for (const ref of refs) {
        expect(ref).toMatch(/^\/[^/]/); // same origin, absolute path: right under /docs/ too
        expect((await fetch(`${base}${ref}`)).status).toBe(200);
      }
      expect(html).toContain("/openapi.json");
    });
  }

  test("the served ReDoc bundle takes its logo from here, not from its makers' CDN", async () => {
    const js = await (await fetch(`${base}/docs/assets/redoc.standalone.js`)).text();
    expect(js).not.toContain("cdn.redoc.ly");
    expect(js).toContain("/docs/assets/redoc-logo.svg");
    const logo = await fetch(`${base}/docs/assets/redoc-logo.svg`);
    expect(logo.status).toBe(200);
    expect(logo.headers.get("content-type")).toContain("image/svg+xml");
  });
});

/** Loads a page in headless Chromium; returns its rendered DOM and the outside hosts it tried. */
async function render(url: string): Promise<{ dom: string; outside: string[] }> {
  const seen: string[] = [];
  const trap = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      data(socket, data) {
        // "CONNECT host:443 HTTP/1.1" or "GET http://host/path HTTP/1.1"
        const target = new TextDecoder().decode(data).split("\r\n")[0]!.split(" ")[1] ?? "";
        seen.push(target.includes("://") ? new URL(target).hostname : target.split(":")[0]!);
        socket.end();
      },
    },
  });
  const profile = tempDir("textllm-chromium-");
  try {
    const proc = Bun.spawn(
      [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--disable-default-apps",
        "--no-pings",
        "--disable-domain-reliability",
        `--user-data-dir=${profile.path}`,
        `--proxy-server=http://127.0.0.1:${trap.port}`,
        "--virtual-time-budget=10000",
        "--dump-dom",
        url,
      ],
      { stdout: "pipe", stderr: "ignore" },
    );
    const dom = await new Response(proc.stdout).text();
    await proc.exited;
    return { dom, outside: [...new Set(seen)].filter((host) => !BROWSER_SERVICES.test(host)) };
  } finally {
    trap.stop(true);
    profile.cleanup();
  }
}

describe.skipIf(!existsSync(CHROMIUM))("documentation in headless Chromium", () => {
  test("Swagger UI at /docs/ renders every operation and loads nothing from elsewhere", async () => {
    const { dom, outside } = await render(`${base}/docs/`);
    expect(outside).toEqual([]);
    expect(dom).toContain("opblock-summary-path");
    expect(dom).toContain("/v1/chat/completions");
    expect(dom).toContain("/files/{key}");
  }, 120_000);

  test("ReDoc at /redoc renders the API and loads nothing from elsewhere", async () => {
    const { dom, outside } = await render(`${base}/redoc`);
    expect(outside).toEqual([]);
    expect(dom).toContain("/v1/chat/completions");
    expect(dom).toContain("redoc-logo.svg");
  }, 120_000);
});
