// API documentation that works with no internet: Swagger UI at /docs and ReDoc at /redoc, both
// served from assets embedded in the program, and the OpenAPI document at /openapi.json.
import { Elysia } from "elysia";
import { openapi } from "@elysiajs/openapi";
import swaggerCss from "swagger-ui-dist/swagger-ui.css" with { type: "file" };
import swaggerBundle from "swagger-ui-dist/swagger-ui-bundle.js" with { type: "file" };
import redocBundle from "redoc/bundles/redoc.standalone.js" with { type: "file" };
import { notFound } from "../../errors.ts";
import { NAME, VERSION } from "../../lib/version.ts";

export const OPENAPI_PATH = "/openapi.json";
export const DOC_ASSET_PREFIX = "/docs/assets/";

const ASSETS: Record<string, { file: string; type: string }> = {
  "swagger-ui.css": { file: swaggerCss, type: "text/css; charset=utf-8" },
  "swagger-ui-bundle.js": { file: swaggerBundle, type: "text/javascript; charset=utf-8" },
  "redoc.standalone.js": { file: redocBundle, type: "text/javascript; charset=utf-8" },
};

const REDOC_PAGE = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <title>${NAME} API reference</title>
  <style>body { margin: 0; padding: 0; }</style>
</head>
<body>
  <redoc spec-url="${OPENAPI_PATH}"></redoc>
  <script src="${DOC_ASSET_PREFIX}redoc.standalone.js"></script>
</body>
</html>`;

const hidden = { detail: { hide: true } };

export function docsRoutes() {
  return new Elysia({ name: "routes:docs" })
    .use(
      openapi({
        path: "/docs",
        specPath: OPENAPI_PATH,
        provider: "swagger-ui",
        swagger: {
          theme: `${DOC_ASSET_PREFIX}swagger-ui.css`,
          cdn: `${DOC_ASSET_PREFIX}swagger-ui-bundle.js`,
          autoDarkMode: false,
        },
        documentation: {
          info: {
            title: `${NAME} API`,
            version: VERSION,
            description:
              "OpenAI-compatible chat backend: /v1/chat/completions, stored conversations, documents and images, per-user limits and cost accounting.",
          },
        },
        exclude: { paths: [/^\/docs\/assets\//] },
      }),
    )
    .get("/redoc", () => new Response(REDOC_PAGE, { headers: { "content-type": "text/html; charset=utf-8" } }), hidden)
    .get(
      `${DOC_ASSET_PREFIX}:name`,
      ({ params, set }) => {
        const asset = ASSETS[params.name];
        if (!asset) throw notFound(`No documentation asset named '${params.name}'.`);
        set.headers["content-type"] = asset.type;
        set.headers["cache-control"] = "public, max-age=86400";
        return Bun.file(asset.file);
      },
      hidden,
    );
}
