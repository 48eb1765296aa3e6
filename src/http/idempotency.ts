// Idempotency-Key on the routes that spend or store: POST /chat (JSON and multipart),
// /v1/chat/completions, /v1/responses, /files/upload. One plugin: before the handler, the key is
// claimed (chat/idempotency.ts) — a repeat of a finished request is answered with the first answer
// and `Idempotent-Replayed: true`, a repeat of a running one waits for it; after the handler (or
// its error) the answer is kept for the repeats. The request's digest is its method, path and body
// (a form by its fields and files, since every retry of a form gets a new boundary).
// Streamed answers are not covered yet: a stream with a key runs as if it had none.
import { Elysia } from "elysia";
import type { Principal } from "../auth/principal.ts";
import type { IdempotencyService, StoredAnswer } from "../chat/idempotency.ts";
import { badRequest } from "../errors.ts";
import { toErrorAnswer } from "./error-response.ts";

const ROUTES = new Set(["/chat", "/v1/chat/completions", "/v1/responses", "/files/upload"]);
/** Headers of an answer that a replay repeats. */
const KEPT_HEADERS = ["x-conversation-id", "x-budget-remaining-usd", "x-budget-warning", "x-textllm-max-tokens-clamped"];

type Run = Extract<Awaited<ReturnType<IdempotencyService["begin"]>>, { kind: "run" }>;

async function digestOf(copy: Request): Promise<string> {
  const hasher = new Bun.CryptoHasher("sha256");
  hasher.update(`${copy.method} ${new URL(copy.url).pathname}\n`);
  if ((copy.headers.get("content-type") ?? "").startsWith("multipart/form-data")) {
    const raw = copy.clone() as Request;
    try {
      for (const [name, value] of await copy.formData()) {
        hasher.update(`${name}\0`);
        if (typeof value === "string") hasher.update(value);
        else hasher.update(`${value.name}\0${value.type}\0`).update(await value.arrayBuffer());
        hasher.update("\0");
      }
      return hasher.digest("hex");
    } catch {
      copy = raw; // not a readable form: the route answers it; digest its bytes
    }
  }
  hasher.update(await copy.arrayBuffer());
  return hasher.digest("hex");
}

/** Whose keys these are: the API key's user, else the user the body names. */
function scopeOf(principal: Principal, body: unknown): string {
  if (principal.kind === "user") return principal.userId;
  const fields = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
  const named = fields.user_id ?? fields.user ?? fields.safety_identifier;
  return typeof named === "string" ? named : "";
}

const isStream = (body: unknown) => {
  const stream = body && typeof body === "object" ? (body as Record<string, unknown>).stream : undefined;
  return stream === true || stream === "true";
};

export function idempotencyPlugin(service: IdempotencyService) {
  const copies = new WeakMap<Request, Request>();
  const runs = new WeakMap<Request, Run>();
  const finish = (request: Request, answer: StoredAnswer) => {
    const run = runs.get(request);
    if (!run) return;
    runs.delete(request);
    return run.finish(answer).catch(() => undefined);
  };
  return new Elysia({ name: "idempotency" })
    .onRequest(({ request }) => {
      if (request.method === "POST" && request.headers.has("idempotency-key") && ROUTES.has(new URL(request.url).pathname)) copies.set(request, request.clone() as Request);
    })
    .onBeforeHandle({ as: "global" }, async (ctx) => {
      const { request, body } = ctx;
      const copy = copies.get(request);
      if (!copy) return;
      copies.delete(request);
      const key = request.headers.get("idempotency-key")!;
      if (key.length < 1 || key.length > 255 || !/^[\x21-\x7e]+$/.test(key)) {
        throw badRequest("The Idempotency-Key header must be 1 to 255 visible ASCII characters.", "Idempotency-Key", "invalid_idempotency_key");
      }
      if (isStream(body)) return;
      const principal = (ctx as unknown as { principal: Principal }).principal;
      const begun = await service.begin(scopeOf(principal, body), key, await digestOf(copy));
      if (begun.kind === "run") {
        runs.set(request, begun);
        return;
      }
      const { status, headers, body: text } = begun.answer;
      return new Response(text, { status, headers: { ...headers, "idempotent-replayed": "true" } });
    })
    .onAfterHandle({ as: "global" }, async ({ request, response, set }) => {
      if (!runs.has(request)) return;
      if (response instanceof Response) {
        // Not kept (a file, a stream): the key is freed for the next attempt.
        const run = runs.get(request)!;
        runs.delete(request);
        await run.abandon().catch(() => undefined);
        return;
      }
      const headers: Record<string, string> = { "content-type": typeof response === "string" ? "text/plain; charset=utf-8" : "application/json" };
      for (const name of KEPT_HEADERS) if (set.headers[name] !== undefined) headers[name] = String(set.headers[name]);
      const status = typeof set.status === "number" ? set.status : 200;
      await finish(request, { status, headers, body: typeof response === "string" ? response : JSON.stringify(response) });
    })
    .onError({ as: "global" }, async ({ code, error, request, path }) => {
      if (!runs.has(request)) return;
      const answer = toErrorAnswer(code, error, request.method, path);
      await finish(request, { status: answer.status, headers: { ...answer.headers, "content-type": "application/json" }, body: JSON.stringify(answer.body) });
    });
}
