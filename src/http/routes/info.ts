// GET / (what this server is and what it offers) and GET /config (non-secret settings).
import { Elysia } from "elysia";
import type { Deps } from "../../deps.ts";
import { publicConfig } from "../../config/public-view.ts";
import { NAME, VERSION } from "../../lib/version.ts";

export interface RouteEntry {
  method: string;
  path: string;
}

export function infoRoutes(deps: Deps, listRoutes: () => RouteEntry[]) {
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
      { detail: { summary: "API information and endpoint list" } },
    )
    .get("/config", () => ({ config: publicConfig(deps.loaded) }), {
      detail: { summary: "Non-secret configuration" },
    });
}
