// The console's page and assets as served (from source here; tests/e2e/console.test.ts drives them
// in a browser from the compiled binary): open without a key, a strict Content-Security-Policy,
// no inline script or style, assets embedded, unknown assets a 404 with an OpenAI-style body.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { errorOf, startTestApp, type TestApp } from "../support/app.ts";
import { CONSOLE_CSP } from "../../src/http/routes/console.ts";

describe("console route", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { TEXTLLM_API_KEYS: "key-alice-0001=alice", TEXTLLM_ADMIN_KEY: "admin-key-0003" } });
  });
  afterAll(() => t.close());

  test("the page needs no key and carries a strict CSP; it holds no inline script or style", async () => {
    for (const path of ["/console", "/console/"]) {
      const res = await t.request("GET", path);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(res.headers.get("content-security-policy")).toBe(CONSOLE_CSP);
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      const html = await res.text();
      expect(html).toContain('<script type="module" src="/console/assets/console.js');
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // every script is a file of this server
      expect(html).not.toMatch(/\sstyle=|<style/);
    }
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).toContain("default-src 'none'");
    expect(CONSOLE_CSP).not.toContain("unsafe");
  });

  test("the script and stylesheet are embedded; nothing is loaded from elsewhere", async () => {
    const js = await t.request("GET", "/console/assets/console.js");
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    const code = await js.text();
    expect(code.length).toBeGreaterThan(5_000);
    expect(code).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/); // no CDN, no outside address
    expect(code).not.toContain("innerHTML");
    const css = await t.request("GET", "/console/assets/console.css");
    expect(css.status).toBe(200);
    expect(await css.text()).toContain(".chat");
    const missing = await t.request("GET", "/console/assets/other.js");
    expect(missing.status).toBe(404);
    await errorOf(missing);
  });

  test("the console's routes stay out of the API reference", async () => {
    const doc = (await (await t.request("GET", "/openapi.json")).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths).filter((p) => p.startsWith("/console"))).toEqual([]);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/me", "/stats/daily", "/users/{id}/stats/daily"]));
  });
});
