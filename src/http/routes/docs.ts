// API documentation that works with no internet: Swagger UI at /docs (and /docs/) and ReDoc at
// /redoc, both served from assets embedded in the program, and the OpenAPI document at
// /openapi.json. The pages name the document by absolute path, and a Content-Security-Policy keeps
// the browser from loading anything from elsewhere.
import { Elysia } from "elysia";
import swaggerCss from "swagger-ui-dist/swagger-ui.css" with { type: "file" };
import swaggerBundle from "swagger-ui-dist/swagger-ui-bundle.js" with { type: "file" };
import redocBundle from "redoc/bundles/redoc.standalone.js" with { type: "file" };
import { notFound } from "../../errors.ts";
import { NAME } from "../../lib/version.ts";

export const OPENAPI_PATH = "/openapi.json";
export const DOC_ASSET_PREFIX = "/docs/assets/";

/** ReDoc's sidebar shows a logo from its makers' CDN: served from here instead. */
const REDOC_CDN_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg";
const LOCAL_LOGO = `${DOC_ASSET_PREFIX}redoc-logo.svg`;
const LOGO_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="#32329f"/></svg>`;

const SWAGGER_INIT = `
    window.onload = () => {
      window.ui = SwaggerUIBundle({ url: ${JSON.stringify(OPENAPI_PATH)}, dom_id: "#swagger-ui", deepLinking: true, validatorUrl: null, persistAuthorization: true });
    };
  `;
/** The one inline script, allowed by its hash. */
const SWAGGER_INIT_HASH = `'sha256-${new Bun.CryptoHasher("sha256").update(SWAGGER_INIT).digest("base64")}'`;

type Asset = { type: string; body: () => Promise<Blob | string> };
let redocText: Promise<string> | undefined;

const ASSETS: Record<string, Asset> = {
  "swagger-ui.css": { type: "text/css; charset=utf-8", body: async () => Bun.file(swaggerCss) },
  "swagger-ui-bundle.js": { type: "text/javascript; charset=utf-8", body: async () => Bun.file(swaggerBundle) },
  "redoc.standalone.js": {
    type: "text/javascript; charset=utf-8",
    body: () =>
      (redocText ??= Bun.file(redocBundle)
        .text()
        .then((js) => js.replaceAll(REDOC_CDN_LOGO, LOCAL_LOGO))),
  },
  "redoc-logo.svg": { type: "image/svg+xml", body: async () => LOGO_SVG },
};

/** Only this server: scripts and styles from /docs/assets, the document and "Try it out" calls to here. */
const CSP = [
  "default-src 'none'",
  `script-src 'self' ${SWAGGER_INIT_HASH}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");

const page = (title: string, body: string, head = "") => `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <title>${title}</title>
  ${head}
</head>
<body>
${body}
</body>
</html>`;

const SWAGGER_PAGE = page(
  `${NAME} API`,
  `  <div id="swagger-ui"></div>
  <script src="${DOC_ASSET_PREFIX}swagger-ui-bundle.js"></script>
  <script>${SWAGGER_INIT}</script>`,
  `<link rel="stylesheet" href="${DOC_ASSET_PREFIX}swagger-ui.css" />`,
);

const REDOC_PAGE = page(
  `${NAME} API reference`,
  `  <redoc spec-url="${OPENAPI_PATH}"></redoc>
  <script src="${DOC_ASSET_PREFIX}redoc.standalone.js"></script>`,
  `<style>body { margin: 0; padding: 0; }</style>`,
);

const html = (text: string) => new Response(text, { headers: { "content-type": "text/html; charset=utf-8", "content-security-policy": CSP } });
const hidden = { detail: { hide: true } };

export function docsRoutes() {
  const plugin = new Elysia({ name: "routes:docs" });
  let cached: { routes: number; document: unknown } | undefined;
  return plugin
    .get("/docs", () => html(SWAGGER_PAGE), hidden)
    .get("/redoc", () => html(REDOC_PAGE), hidden)
    .get(
      OPENAPI_PATH,
      async () => {
        // The generator (@elysiajs/openapi) is loaded on the first request for the document, not at start-up.
        const { allRoutes, buildOpenApiDocument } = await import("../openapi-document.ts");
        // Routes are all added before the first request; rebuilt only if that ever changes.
        const routes = allRoutes(plugin).length;
        if (cached?.routes !== routes) cached = { routes, document: buildOpenApiDocument(plugin, { exclude: [/^\/docs\/assets\//] }) };
        return cached.document;
      },
      hidden,
    )
    .get(
      `${DOC_ASSET_PREFIX}:name`,
      async ({ params, set }) => {
        const asset = ASSETS[params.name];
        if (!asset) throw notFound(`No documentation asset named '${params.name}'.`);
        set.headers["content-type"] = asset.type;
        set.headers["cache-control"] = "public, max-age=86400";
        return asset.body();
      },
      hidden,
    );
}
