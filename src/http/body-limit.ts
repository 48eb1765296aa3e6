// Request bodies are capped before anything reads them: a declared Content-Length over the cap is
// refused at once, and a chunked body (JSON or form) is read through a counting reader. Both answer 413
// with an OpenAI-style body (Bun's own limit, a backstop set slightly higher, answers without one).
import { Elysia } from "elysia";
import { badRequest, payloadTooLarge, unsupportedMediaType } from "../errors.ts";
import { formatBytes } from "../lib/format-bytes.ts";
import { assertJsonDepth } from "./json-depth.ts";
import { isForm, parseForm } from "./multipart.ts";

const tooLarge = (max: number) => payloadTooLarge(`Request body too large: the limit is ${formatBytes(max)} (server.max_body_mb).`);

/**
 * The body, at most `max` bytes. A body with a Content-Length (already checked against the cap) is
 * exactly that long, so it is read in one go; a chunked one goes through a counting reader.
 */
export async function readBody(request: Request, max: number): Promise<Uint8Array> {
  if (request.headers.has("content-length")) return new Uint8Array(await request.arrayBuffer());
  return readLimited(request.body, max);
}

async function readLimited(body: ReadableStream<Uint8Array> | null, max: number): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(max);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

const utf8 = new TextDecoder("utf-8", { fatal: false });

const isJson = (contentType: string) => /^application\/([\w.+-]+\+)?json\b/i.test(contentType);
/** Quick clients (fetch with a string, curl --data-binary) send JSON as text/plain or untyped. */
const isLooseJson = (contentType: string) => contentType === "" || /^text\/plain\b/i.test(contentType);

export function bodyLimit(maxBytes: number) {
  return new Elysia({ name: "body-limit" })
    .onRequest(({ request }) => {
      const declared = request.headers.get("content-length");
      if (declared !== null && Number(declared) > maxBytes) throw tooLarge(maxBytes);
    })
    .onParse({ as: "global" }, async ({ request, contentType = "" }) => {
      // Elysia hands over the bare type; the multipart boundary is in the full header.
      if (isForm(contentType)) return parseForm(await readBody(request, maxBytes), request.headers.get("content-type") ?? contentType);
      if (!isJson(contentType) && !isLooseJson(contentType)) {
        throw unsupportedMediaType(
          `Unsupported Content-Type '${contentType.split(";")[0]}': send application/json (or multipart/form-data where files are accepted).`,
        );
      }
      const text = utf8.decode(await readBody(request, maxBytes));
      if (text.trim() === "") return null;
      assertJsonDepth(text);
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        throw badRequest(`We could not parse the JSON body of your request (${(err as Error).message}). The API expects a JSON payload.`, null, "invalid_json");
      }
      // Every endpoint takes an object; saying so beats a confusing per-field message.
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw badRequest("The request body must be a JSON object.", null, "invalid_body");
      }
      return value;
    });
}
