// How a route describes itself in the OpenAPI document, passed as its `detail`: the request body
// per content type (JSON, multipart) with examples one can send from Swagger's "Try it out", the
// success answer with an example, and the error answers. Only documentation: validation stays with
// the route's own `body`/`query`/`params` schemas. openapi-document.ts puts the request body back
// where Elysia's generator leaves it empty (our bodies are parsed by a global parser).
import type { TObject, TSchema } from "@sinclair/typebox";
import type { DocumentDecoration } from "elysia";
import { COMMON_ERRORS, errorResponses, type ErrorStatus } from "./schemas/errors.ts";

export interface Media {
  schema: TSchema;
  example?: unknown;
  /** Several named examples (Swagger offers a choice). */
  examples?: Record<string, { summary: string; value: unknown }>;
}

export interface OperationDocInput {
  summary: string;
  description?: string;
  body?: { json?: Media; multipart?: Media; required?: boolean; description?: string };
  /** The success answer; `contentType` defaults to JSON; `stream`: the same answer as server-sent events. */
  ok: Media & { status?: 200 | 201; description: string; contentType?: string; headers?: Record<string, string>; stream?: Media };
  /** Further non-error answers, e.g. a stream or a redirect. */
  also?: Record<string, { description: string; content?: Record<string, Media>; headers?: Record<string, string> }>;
  /** Error statuses beyond 401/500 (which every route can give). */
  errors?: readonly ErrorStatus[];
  /** Path parameters the generator cannot see (a wildcard path); see openapi-document.ts. */
  pathParams?: { name: string; description: string; example: string }[];
  /** Open even when API keys are configured. */
  open?: boolean;
}

const mediaObject = ({ schema, example, examples }: Media) => ({
  schema,
  ...(example !== undefined ? { example } : {}),
  ...(examples ? { examples } : {}),
});

const headerObjects = (headers: Record<string, string> | undefined) =>
  headers ? { headers: Object.fromEntries(Object.entries(headers).map(([name, description]) => [name, { description, schema: { type: "string" } }])) } : {};

export function operationDoc(doc: OperationDocInput): DocumentDecoration {
  const content: Record<string, ReturnType<typeof mediaObject>> = {};
  if (doc.body?.json) content["application/json"] = mediaObject(doc.body.json);
  if (doc.body?.multipart) content["multipart/form-data"] = mediaObject(doc.body.multipart);
  const okContent = {
    [doc.ok.contentType ?? "application/json"]: mediaObject(doc.ok),
    ...(doc.ok.stream ? { "text/event-stream": mediaObject(doc.ok.stream) } : {}),
  };
  const ok = { description: doc.ok.description, ...headerObjects(doc.ok.headers), content: okContent };
  const also = Object.fromEntries(
    Object.entries(doc.also ?? {}).map(([status, r]) => [
      status,
      {
        description: r.description,
        ...headerObjects(r.headers),
        ...(r.content ? { content: Object.fromEntries(Object.entries(r.content).map(([type, m]) => [type, mediaObject(m)])) } : {}),
      },
    ]),
  );
  const errors = [...new Set([...(doc.open ? [500 as const] : COMMON_ERRORS), ...(doc.errors ?? [])])].sort((a, b) => a - b);
  return {
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    ...(doc.body
      ? { requestBody: { required: doc.body.required ?? true, ...(doc.body.description ? { description: doc.body.description } : {}), content } }
      : {}),
    ...(doc.pathParams
      ? {
          parameters: doc.pathParams.map((p) => ({
            name: p.name,
            in: "path",
            required: true,
            description: p.description,
            example: p.example,
            schema: { type: "string" },
          })),
        }
      : {}),
    responses: { [String(doc.ok.status ?? 200)]: ok, ...also, ...errorResponses(errors) },
    ...(doc.open ? { security: [] } : {}),
  } as DocumentDecoration;
}

/** A copy of an object schema whose fields carry `example`s, for Swagger's form fields. Documentation only. */
export function withFieldExamples<T extends TObject>(schema: T, examples: Record<string, unknown>): T {
  const properties = Object.fromEntries(
    Object.entries(schema.properties).map(([name, field]) => [name, name in examples ? { ...(field as TSchema), example: examples[name] } : field]),
  );
  return { ...schema, properties };
}
