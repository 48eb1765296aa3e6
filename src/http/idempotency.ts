// Idempotency-Key on the routes that spend or store: POST /chat (JSON and multipart),
// /v1/chat/completions, /v1/responses, /files/upload. One plugin: before the handler, the key is
// claimed (chat/idempotency.ts) — a repeat of a finished request is answered with the first answer
// and `Idempotent-Replayed: true`, a repeat of a running one waits for it; after the handler (or
// its error) the answer is kept for the repeats. The request's digest is its method, path and body
// (a form by its fields and files, since every retry of a form gets a new boundary).
// A /chat, /v1/responses or /v1/chat/completions stream is kept by its event log: repeats follow the
// live stream from its first event, and once it has ended its whole SSE text is kept (one write) for
// the repeats after the replay window. A /v1/chat/completions stream is cancelled when its first
// client leaves; then the key is freed, as for any request whose client left before its answer.
import { Elysia } from "elysia";
import type { Principal } from "../auth/principal.ts";
import type { AnswerStreams } from "../chat/answer-streams.ts";
import type { IdempotencyService, StoredAnswer } from "../chat/idempotency.ts";
import type { RequestTracker } from "../observability/request-tracker.ts";
import { badRequest } from "../errors.ts";
import { toErrorAnswer } from "./error-response.ts";
import { idFrames, sseResponse } from "./sse.ts";

const ROUTES = new Set(["/chat", "/v1/chat/completions", "/v1/responses", "/files/upload"]);
/** The routes whose streams have an event log. */
const LOGGED_STREAMS = new Set(["/chat", "/v1/responses", "/v1/chat/completions"]);
/** The routes whose streams stop when their first client leaves (the rest run to their end). */
const CANCELLED_ON_DISCONNECT = new Set(["/v1/chat/completions"]);
/** Headers of an answer that a replay repeats. */
const KEPT_HEADERS = ["x-conversation-id", "x-stream-id", "x-budget-remaining-usd", "x-budget-warning", "x-textllm-max-tokens-clamped"];

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

export interface IdempotencyPluginDeps {
  idempotency: IdempotencyService;
  streams: AnswerStreams;
  tracker: RequestTracker;
  keepAliveMs: number;
}

export function idempotencyPlugin({ idempotency: service, streams, tracker, keepAliveMs }: IdempotencyPluginDeps) {
  const readable = async (streamId: string) => (await streams.log.owner(streamId)) !== undefined;
  /** A kept stream as SSE: its frames, then the end of the request in the access log. */
  const sse = (request: Request, frames: AsyncIterable<string>, headers: Record<string, string>) =>
    sseResponse(frames, {
      headers: { ...headers, "idempotent-replayed": "true" },
      onCancel: () => {},
      onClose: () => tracker.streamEnded(request),
      keepAliveMs,
    });
  /** Keeps a /chat stream's whole text once it has ended (read from its log, in this process). */
  async function keepStream(run: Run, request: Request, streamId: string, headers: Record<string, string>): Promise<void> {
    await run.attach({ status: 200, headers, body: "", streamId });
    let text = "";
    for await (const frame of idFrames(streams.log, streamId, 0)) text += frame;
    const cut = request.signal.aborted && CANCELLED_ON_DISCONNECT.has(new URL(request.url).pathname);
    if (cut) await run.abandon();
    else await run.finish({ status: 200, headers, body: text });
  }
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
      if (request.method === "POST" && request.headers.has("idempotency-key") && ROUTES.has(new URL(request.url).pathname))
        copies.set(request, request.clone() as Request);
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
      if (isStream(body) && !LOGGED_STREAMS.has(new URL(request.url).pathname)) return;
      const principal = (ctx as unknown as { principal: Principal }).principal;
      const begun = await service.begin(scopeOf(principal, body), key, await digestOf(copy), readable);
      if (begun.kind === "run") {
        runs.set(request, begun);
        return;
      }
      const { status, headers, body: text } = begun.answer;
      if (begun.kind === "attach") return sse(request, idFrames(streams.log, begun.answer.streamId, 0), headers);
      if (headers["content-type"]?.startsWith("text/event-stream"))
        return sse(
          request,
          (async function* () {
            yield text;
          })(),
          headers,
        );
      return new Response(text, { status, headers: { ...headers, "idempotent-replayed": "true" } });
    })
    .onAfterHandle({ as: "global" }, async ({ request, response, set }) => {
      if (!runs.has(request)) return;
      if (response instanceof Response) {
        const run = runs.get(request)!;
        runs.delete(request);
        const streamId = response.headers.get("x-stream-id");
        if (streamId) {
          const headers: Record<string, string> = {};
          for (const name of ["content-type", ...KEPT_HEADERS]) if (response.headers.has(name)) headers[name] = response.headers.get(name)!;
          void keepStream(run, request, streamId, headers).catch(() => run.abandon().catch(() => undefined));
          return;
        }
        await run.abandon().catch(() => undefined); // not kept (a file): the key is freed for the next attempt
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
