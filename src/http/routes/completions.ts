// The OpenAI-compatible surface: POST /v1/chat/completions and GET /v1/models.
import { Elysia } from "elysia";
import type { ChatContext } from "../../chat/chat-context.ts";
import { proxyComplete, proxyStream } from "../../chat/completions-proxy.ts";
import type { ChatBody, ChatCompletionChunk } from "../../providers/provider.ts";
import { linkedAbort } from "../abort.ts";
import { requestId } from "../request-id.ts";
import { CompletionRequestSchema } from "../schemas/chat.ts";
import { dataFrame, DONE_FRAME, sseResponse } from "../sse.ts";

/** The user a stateless call is billed to: OpenAI's own `user` field, when given. */
const userOf = (body: { user?: string }) => (body.user && body.user.trim() ? body.user.trim() : "anonymous");

export function completionRoutes(ctx: ChatContext) {
  return new Elysia({ name: "routes:openai", detail: { tags: ["OpenAI-compatible"] } })
    .use(requestId)
    .get(
      "/v1/models",
      () => ({
        object: "list" as const,
        data: ctx.registry.models().map((m) => ({ id: m.id, object: "model" as const, created: 0, owned_by: m.owned_by })),
      }),
      { detail: { summary: "The configured models" } },
    )
    .post(
      "/v1/chat/completions",
      async ({ body, request, requestId, set }) => {
        const controller = linkedAbort(request);
        const input = { requestId, userId: userOf(body), body: body as unknown as ChatBody };
        if (!body.stream) return proxyComplete(ctx, input, controller.signal);

        const wantsUsage = body.stream_options?.include_usage === true;
        const events = await proxyStream(ctx, input, controller.signal, () => controller.abort());
        async function* frames() {
          for await (const e of events) {
            if (e.type === "chunk") {
              const forwarded = forClient(e.chunk, wantsUsage);
              if (forwarded) yield dataFrame(forwarded);
            } else if (e.outcome.failure) {
              yield dataFrame(e.outcome.failure.toBody());
              return;
            }
          }
          yield DONE_FRAME;
        }
        return sseResponse(frames(), { "x-request-id": String(set.headers["x-request-id"]) }, () => controller.abort());
      },
      { body: CompletionRequestSchema, detail: { summary: "Create a chat completion (OpenAI drop-in, streaming or not)" } },
    );
}

/** The upstream is always asked for usage; the client sees it only when it asked too. */
function forClient(chunk: ChatCompletionChunk, wantsUsage: boolean): ChatCompletionChunk | null {
  if (wantsUsage || !chunk.usage) return chunk;
  if (!chunk.choices?.length) return null;
  const { usage: _dropped, ...rest } = chunk;
  return rest as ChatCompletionChunk;
}
