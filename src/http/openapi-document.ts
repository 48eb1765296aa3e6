// The OpenAPI document, built from the routes themselves, with the few corrections Elysia's
// generator needs here, all in this one place:
// - request bodies: the generator leaves `content` empty when a global parser reads the body (ours
//   does, for the size cap and OpenAI-style errors), so the route's documented body, or else its
//   declared `body` schema as JSON, is put back;
// - responses and path parameters documented in a route's `detail` are kept beside generated ones;
//   a query parameter with a default is not required;
// - wildcard paths (`/files/*`, keys hold slashes) are shown as `/files/{key}`;
// - Elysia's markers on file schemas (`elysiaMeta`, `default: "File"`) and the numeric-string
//   branch of its integers are dropped;
// - an API-key security scheme, used by every route that does not say it is open.
import { toOpenAPISchema } from "@elysiajs/openapi";
import type { AnyElysia } from "elysia";
import { NAME, VERSION } from "../lib/version.ts";

const OPENAPI_VERSION = "3.1.2";

interface RouteLike {
  method: string;
  path: string;
  hooks: { body?: unknown; detail?: Record<string, unknown> & { hide?: boolean } };
}

type Operation = Record<string, unknown> & {
  parameters?: { name: string; in: string; required?: boolean; schema?: { default?: unknown } }[];
  requestBody?: { required?: boolean; content?: Record<string, unknown> };
  responses?: Record<string, unknown>;
};

/** Every route of the whole app, from any plugin inside it (Elysia keeps this accessor protected). */
export const allRoutes = (app: AnyElysia) => (app as unknown as { getGlobalRoutes(): RouteLike[] }).getGlobalRoutes();

/** Elysia's route path → OpenAPI's: `:id` → `{id}`, a trailing `*` → `{name}` (the route's documented path parameter). */
export function openApiPath(path: string, wildcardName = "path"): string {
  return path.replace(/:([^/]+)/g, "{$1}").replace(/\/\*$/, `/{${wildcardName}}`);
}

const wildcardNameOf = (detail: Operation | undefined) => detail?.parameters?.find((p) => p.in === "path")?.name;

export function buildOpenApiDocument(app: AnyElysia, opts: { exclude: RegExp[] }) {
  const generated = toOpenAPISchema(app, { paths: opts.exclude }, undefined, undefined, OPENAPI_VERSION) as {
    paths: Record<string, Record<string, Operation>>;
    components: { schemas: Record<string, unknown> };
  };
  const paths: Record<string, Record<string, Operation>> = {};
  for (const route of allRoutes(app)) {
    const method = route.method.toLowerCase();
    const op = generated.paths[route.path.replace(/:([^/]+)/g, "{$1}")]?.[method];
    if (!op) continue; // hidden or excluded
    const detail = route.hooks.detail as Operation | undefined;
    const fixed: Operation = { ...op };
    if (detail?.requestBody) fixed.requestBody = detail.requestBody;
    else if (route.hooks.body && !Object.keys(op.requestBody?.content ?? {}).length) {
      fixed.requestBody = { required: true, content: { "application/json": { schema: route.hooks.body } } };
    }
    if (detail?.responses) fixed.responses = { ...op.responses, ...detail.responses };
    const documentedPathParams = (detail?.parameters ?? []).filter((p) => p.in === "path");
    const generatedParams = (op.parameters ?? [])
      .filter((p) => !documentedPathParams.some((d) => d.name === p.name && p.in === "path"))
      // A query parameter with a default may be left out, though its schema is not Optional.
      .map((p) => (p.in === "query" && p.schema?.default !== undefined ? { ...p, required: false } : p));
    if (documentedPathParams.length || generatedParams.length) fixed.parameters = [...documentedPathParams, ...generatedParams];
    const name = wildcardNameOf(detail);
    if (route.path.endsWith("*") && typeof op.operationId === "string")
      fixed.operationId = op.operationId.replace("*", `By${(name ?? "path").replace(/^./, (c) => c.toUpperCase())}`);
    const path = openApiPath(route.path, name);
    (paths[path] ??= {})[method] = fixed;
  }
  return cleanSchemas({
    openapi: OPENAPI_VERSION,
    info: {
      title: `${NAME} API`,
      version: VERSION,
      description:
        "OpenAI-compatible chat backend: /v1/chat/completions, stored conversations, documents and images, per-user limits and cost accounting. " +
        'Every error is an OpenAI-style body {"error":{"message","type","param","code"}}. When API keys are configured, send one as `Authorization: Bearer <key>` (the Authorize button).',
    },
    security: [{ apiKey: [] }],
    paths,
    components: {
      schemas: generated.components.schemas,
      securitySchemes: {
        apiKey: {
          type: "http",
          scheme: "bearer",
          description: "An API key from config.yaml auth.api_keys (or the admin key); not needed when none are configured.",
        },
      },
    },
  });
}

/** Elysia's `t.Integer` also takes a numeric string: `anyOf: [{type: string, format: integer}, {type: integer}]`. */
const isNumericStringBranch = (s: { type?: unknown; format?: unknown }) => s.type === "string" && (s.format === "integer" || s.format === "numeric");

/** A plain JSON copy without Elysia's internal markers on file fields and numbers. */
function cleanSchemas<T>(doc: T): T {
  return JSON.parse(
    JSON.stringify(doc, (key, value) => {
      if (key === "elysiaMeta") return undefined;
      if (value && typeof value === "object" && Array.isArray(value.anyOf) && value.anyOf.length === 2 && value.anyOf.some(isNumericStringBranch)) {
        const { anyOf, ...rest } = value;
        return { ...anyOf.find((branch: { type?: unknown; format?: unknown }) => !isNumericStringBranch(branch)), ...rest };
      }
      if (value && typeof value === "object" && value.format === "binary" && (value.default === "File" || value.default === "Files")) {
        const { default: _marker, ...rest } = value;
        return rest;
      }
      if (value && typeof value === "object" && value.type === "array" && value.default === "Files") {
        const { default: _marker, ...rest } = value;
        return rest;
      }
      return value;
    }),
  );
}
