// The OpenAI-compatible surface: POST /v1/chat/completions and GET /v1/models.
import { Elysia } from "elysia";
import type { Principal } from "../../auth/principal.ts";
import { assertInputLength } from "../../chat/input-limits.ts";
import type { ChatMessage } from "../../chat/messages.ts";
import type { ChatContext } from "../../chat/chat-context.ts";
import { proxyComplete, proxyStream } from "../../chat/completions-proxy.ts";
import type { ChatBody, ChatCompletionChunk } from "../../providers/provider.ts";
import { linkedAbort } from "../abort.ts";
import type { AuthPlugin } from "../auth.ts";
import type { RequestTracker } from "../../observability/request-tracker.ts";
import { budgetHeaders, enforceRateLimit, rateKey } from "../guard.ts";
import { requestId } from "../request-id.ts";
import { CompletionRequestSchema } from "../schemas/chat.ts";
import { dataFrame, DONE_FRAME, sseResponse, stringHeaders } from "../sse.ts";

/**
 * The user a stateless call is billed to: the API key's user; without keys (or for the admin key)
 * OpenAI's own `user` field, else "anonymous". The `user` field itself goes upstream unchanged.
 */
function billedUser(principal: Principal, body: { user?: string }): string | null {
  if (principal.kind === "user") return principal.userId;
  return body.user?.trim() || null;
}

export function completionRoutes(ctx: ChatContext, auth: AuthPlugin, tracker: RequestTracker) {
  return new Elysia({ name: "routes:openai", detail: { tags: ["OpenAI-compatible"] } })
    .use(requestId)
    .use(auth)
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
      async ({ body, request, requestId, set, principal, server }) => {
        const named = billedUser(principal, body);
        await enforceRateLimit(ctx.limiter, rateKey(named, () => server?.requestIP(request)?.address), set.headers);
        assertInputLength(body.messages as ChatMessage[], ctx.loaded.config.max_input_length);
        const controller = linkedAbort(request);
        const input = { requestId, userId: named ?? "anonymous", body: body as unknown as ChatBody };
        tracker.annotate(request, { user: input.userId, model: body.model ?? ctx.loaded.config.model });
        if (!body.stream) {
          const { completion, budget } = await proxyComplete(ctx, input, controller.signal);
          tracker.annotate(request, { tokens_in: completion.usage?.prompt_tokens, tokens_out: completion.usage?.completion_tokens });
          budgetHeaders(budget, set.headers);
          return completion;
        }
        const wantsUsage = body.stream_options?.include_usage === true;
        const { events, budget } = await proxyStream(ctx, input, controller.signal, () => controller.abort());
        budgetHeaders(budget, set.headers);
        async function* frames() {
          for await (const e of events) {
            if (e.type === "chunk") {
              if (e.chunk.usage) tracker.annotate(request, { tokens_in: e.chunk.usage.prompt_tokens, tokens_out: e.chunk.usage.completion_tokens });
              const forwarded = forClient(e.chunk, wantsUsage);
              if (forwarded) yield dataFrame(forwarded);
            } else if (e.outcome.failure) {
              tracker.annotate(request, { error: e.outcome.failure.code });
              yield dataFrame(e.outcome.failure.toBody());
              return;
            }
          }
          yield DONE_FRAME;
        }
        return sseResponse(frames(), {
          headers: stringHeaders(set.headers),
          onCancel: () => controller.abort(),
          onClose: () => tracker.streamEnded(request),
          keepAliveMs: ctx.loaded.config.server.sse_keepalive_seconds * 1000,
        });
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
