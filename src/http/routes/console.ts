// GET /console: the web console (chat, conversations, spend, files) — a page, one script and one
// stylesheet, all inside the program and loaded on the first request. The page holds no data: it
// signs in with an API key and then uses the public HTTP API like any client. A strict
// Content-Security-Policy allows only this server's own script, styles and API.
import { Elysia, t } from "elysia";
import { notFound } from "../../errors.ts";
import { NAME, VERSION } from "../../lib/version.ts";

export const CONSOLE_ASSET_PREFIX = "/console/assets/";

export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const PAGE = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <meta name="referrer" content="no-referrer" />
  <link rel="icon" href="data:," />
  <title>${NAME} console</title>
  <link rel="stylesheet" href="${CONSOLE_ASSET_PREFIX}console.css?v=${VERSION}" />
  <script type="module" src="${CONSOLE_ASSET_PREFIX}console.js?v=${VERSION}"></script>
</head>
<body><div id="app"></div></body>
</html>`;

const SECURITY_HEADERS = {
  "content-security-policy": CONSOLE_CSP,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

let bundle: Promise<typeof import("../../console/assets.ts")> | null = null;
const loadBundle = async () => (await (bundle ??= import("../../console/assets.ts"))).CONSOLE_BUNDLE;

const hidden = { detail: { hide: true } };

export function consoleRoutes() {
  const page = () => new Response(PAGE, { headers: { ...SECURITY_HEADERS, "content-type": "text/html; charset=utf-8", "cache-control": "no-cache" } });
  return new Elysia({ name: "routes:console" })
    .get("/console", page, hidden)
    .get("/console/", page, hidden)
    .get(
      `${CONSOLE_ASSET_PREFIX}:name`,
      async ({ params }) => {
        const kind = params.name === "console.js" ? "js" : params.name === "console.css" ? "css" : null;
        if (!kind) throw notFound(`No console asset named '${params.name}'.`);
        const text = (await loadBundle())[kind];
        const type = kind === "js" ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
        return new Response(text, { headers: { ...SECURITY_HEADERS, "content-type": type, "cache-control": "public, max-age=86400" } });
      },
      { params: t.Object({ name: t.String() }), ...hidden },
    );
}
