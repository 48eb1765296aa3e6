// GET / (what this server is and what it offers) and GET /config (non-secret settings).
import { Elysia } from "elysia";
import type { RouteDeps } from "../route-deps.ts";
import { publicConfig } from "../../config/public-view.ts";
import { NAME, VERSION } from "../../lib/version.ts";
import { operationDoc } from "../operation-doc.ts";
import { CONFIG_EXAMPLE, ConfigSchema, INFO_EXAMPLE, InfoSchema } from "../schemas/info.ts";

export function infoRoutes({ loaded, listRoutes, store, blobs, limiter }: RouteDeps) {
  return new Elysia({ name: "routes:info", detail: { tags: ["Info"] } })
    .get(
      "/",
      () => ({
        name: NAME,
        version: VERSION,
        description: "Self-hosted, OpenAI-compatible chat backend",
        docs: "/docs",
        redoc: "/redoc",
        openapi: "/openapi.json",
        endpoints: listRoutes(),
      }),
      {
        detail: operationDoc({
          summary: "API information and endpoint list",
          ok: { schema: InfoSchema, example: INFO_EXAMPLE, description: "What this server is" },
        }),
      },
    )
    .get("/config", () => ({ config: publicConfig(loaded, { database: store.dialect, storage: blobs.backend, limiter: limiter.backend }) }), {
      detail: operationDoc({
        summary: "Non-secret configuration",
        ok: { schema: ConfigSchema, example: CONFIG_EXAMPLE, description: "The settings in force" },
      }),
    });
}
