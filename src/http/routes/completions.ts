// The OpenAI-compatible surface: POST /v1/chat/completions and GET /v1/models.
import { Elysia, t } from "elysia";
import type { RouteDeps } from "../route-deps.ts";
import type { Principal } from "../../auth/principal.ts";
import { assertInputLength } from "../../chat/input-limits.ts";
import type { ChatMessage } from "../../chat/messages.ts";
import { proxyComplete, proxyStream } from "../../chat/completions-proxy.ts";
import type { ChatBody, ChatCompletionChunk } from "../../providers/provider.ts";
import { linkedAbort } from "../abort.ts";
import { budgetHeaders, enforceRateLimit, rateKey, streamOptions } from "../guard.ts";
import { requestId } from "../request-id.ts";
import { CompletionRequestSchema, withoutNulls } from "../schemas/chat.ts";
import { MODEL_EXAMPLE, ModelSchema } from "../schemas/openai.ts";
import { boundedUserId, newId } from "../../lib/ids.ts";
import { notFound } from "../../errors.ts";
import { operationDoc } from "../operation-doc.ts";
import {
  COMPLETION_EXAMPLE,
  COMPLETION_REQUEST_EXAMPLE,
  COMPLETION_STREAM_EXAMPLE,
  ChatCompletionSchema,
  MODEL_LIST_EXAMPLE,
  ModelListSchema,
  SseSchema,
} from "../schemas/completions.ts";
import { BODY_ERRORS, TURN_ERRORS } from "../schemas/errors.ts";
import { dataFrame, streamAnswer } from "../sse.ts";
import { errorFrame } from "../error-response.ts";

/**
 * The user a stateless call is billed to: the API key's user; without keys (or for the admin key)
 * OpenAI's own `user` field, else "anonymous". The `user` field itself goes upstream unchanged.
 */
export function billedUser(principal: Principal, body: { user?: string | null }): string | null {
  if (principal.kind === "user") return principal.userId;
  const named = body.user?.trim();
  return named ? boundedUserId(named) : null;
}

export function completionRoutes(ctx: RouteDeps) {
  const { auth, tracker } = ctx;
  return new Elysia({ name: "routes:openai", detail: { tags: ["OpenAI-compatible"] } })
    .use(requestId)
    .use(auth)
    .get(
      "/v1/models",
      () => ({
        object: "list" as const,
        data: ctx.registry.models().map((m) => ({ id: m.id, object: "model" as const, created: 0, owned_by: m.owned_by })),
      }),
      {
        detail: operationDoc({
          summary: "The configured models",
          ok: { schema: ModelListSchema, example: MODEL_LIST_EXAMPLE, description: "OpenAI's model list" },
        }),
      },
    )
    .get(
      "/v1/models/:model",
      ({ params }) => {
        const found = ctx.registry.models().find((m) => m.id === params.model);
        if (!found) throw notFound(`The model '${params.model}' does not exist.`, "model_not_found");
        return { id: found.id, object: "model" as const, created: 0, owned_by: found.owned_by };
      },
      {
        params: t.Object({ model: t.String({ minLength: 1 }) }),
        response: { 200: ModelSchema },
        detail: operationDoc({
          summary: "One configured model (404 model_not_found for others)",
          ok: { schema: ModelSchema, example: MODEL_EXAMPLE, description: "OpenAI's model object" },
          errors: [404],
        }),
      },
    )
    .post(
      "/v1/chat/completions",
      async ({ body: sent, request, requestId, set, principal, server }) => {
        const body = withoutNulls(sent);
        const named = billedUser(principal, body);
        await enforceRateLimit(
          ctx.limiter,
          rateKey(named, () => server?.requestIP(request)?.address),
          set.headers,
        );
        assertInputLength(body.messages as ChatMessage[], ctx.loaded.config.max_input_length);
        const input = { requestId, userId: named ?? "anonymous", body: body as unknown as ChatBody };
        tracker.annotate(request, { user: input.userId, model: body.model ?? ctx.loaded.config.model });
        if (!body.stream) {
          // The upstream call gets its own controller following the client's signal (callUpstream).
          const { completion, budget } = await proxyComplete(ctx, input, request.signal);
          tracker.annotate(request, { tokens_in: completion.usage?.prompt_tokens, tokens_out: completion.usage?.completion_tokens });
          budgetHeaders(budget, set.headers);
          return completion;
        }
        const wantsUsage = body.stream_options?.include_usage === true;
        const controller = linkedAbort(request);
        const { events, budget } = await proxyStream(ctx, input, controller.signal, () => controller.abort());
        budgetHeaders(budget, set.headers);
        // With an Idempotency-Key the stream goes through an event log, for the repeats to follow
        // (http/idempotency.ts); its own client's disconnect still cancels the upstream call.
        const streamId = request.headers.has("idempotency-key") ? newId("stream") : null;
        if (streamId) set.headers["x-stream-id"] = streamId;
        const options = streamOptions(ctx, tracker, request, controller, set.headers);
        return streamAnswer(
          events,
          {
            *chunk(chunk) {
              if (chunk.usage) tracker.annotate(request, { tokens_in: chunk.usage.prompt_tokens, tokens_out: chunk.usage.completion_tokens });
              const forwarded = forClient(chunk, wantsUsage);
              if (forwarded) yield dataFrame(forwarded);
            },
            *end(_result, failure) {
              if (!failure) return;
              tracker.annotate(request, { error: failure.code });
              yield errorFrame(failure);
            },
            done: true,
          },
          streamId ? { ...options, log: { streams: ctx.streams, streamId, owner: named, continueAfterDisconnect: false } } : options,
        );
      },
      {
        body: CompletionRequestSchema,
        detail: operationDoc({
          summary: "Create a chat completion (OpenAI drop-in, streaming or not)",
          description: "OpenAI's request and answer, unchanged; nothing is stored but usage and cost. Point any OpenAI client's base URL at /v1.",
          body: {
            json: {
              schema: CompletionRequestSchema,
              example: COMPLETION_REQUEST_EXAMPLE,
              examples: {
                plain: { summary: "A question", value: COMPLETION_REQUEST_EXAMPLE },
                stream: { summary: "Streamed, with usage", value: { ...COMPLETION_REQUEST_EXAMPLE, stream: true, stream_options: { include_usage: true } } },
              },
            },
          },
          ok: {
            schema: ChatCompletionSchema,
            example: COMPLETION_EXAMPLE,
            description: "A chat.completion; with `stream: true` server-sent chat.completion.chunk events, then [DONE]",
            stream: { schema: SseSchema("chat.completion.chunk events, then data: [DONE]"), example: COMPLETION_STREAM_EXAMPLE },
          },
          errors: [...BODY_ERRORS, ...TURN_ERRORS],
        }),
      },
    );
}

/** The upstream is always asked for usage; the client sees it only when it asked too. */
function forClient(chunk: ChatCompletionChunk, wantsUsage: boolean): ChatCompletionChunk | null {
  if (wantsUsage || !chunk.usage) return chunk;
  if (!chunk.choices?.length) return null;
  const { usage: _dropped, ...rest } = chunk;
  return rest as ChatCompletionChunk;
}
