// OpenAI's Responses API on any upstream: POST /v1/responses (whole or as the typed event stream),
// GET/DELETE /v1/responses/{id}, GET /v1/responses/{id}/input_items. A thin adapter: the request is
// one turn of a TextLLM conversation, run by the same pipeline as /chat.
import { Elysia, t } from "elysia";
import type { RouteDeps } from "../route-deps.ts";
import { ownerScope, type Principal } from "../../auth/principal.ts";
import { eventFrame, ResponseEvents } from "../../chat/responses/events.ts";
import { prepareResponse } from "../../chat/responses/run.ts";
import { responseStore } from "../../chat/responses/stored.ts";
import { completeTurn, streamTurn } from "../../chat/run-turn.ts";
import { boundedUserId } from "../../lib/ids.ts";
import { linkedAbort } from "../abort.ts";
import { accessFields, chatAdmission, budgetHeaders, streamOptions } from "../guard.ts";
import { requestId } from "../request-id.ts";
import { storageUnavailable } from "../../chat/metered-stream.ts";
import { operationDoc } from "../operation-doc.ts";
import { IdParams } from "../schemas/common.ts";
import { SseSchema } from "../schemas/completions.ts";
import { BODY_ERRORS, TURN_ERRORS } from "../schemas/errors.ts";
import {
  DELETED_RESPONSE_EXAMPLE,
  INPUT_ITEMS_EXAMPLE,
  RESPONSE_EXAMPLE,
  RESPONSE_REQUEST_EXAMPLES,
  RESPONSE_STREAM_EXAMPLE,
} from "../schemas/responses-examples.ts";
import { DeletedResponseSchema, InputItemListSchema, ResponseObjectSchema, ResponseRequestSchema, type ResponseObject } from "../schemas/responses.ts";
import { sseResponse, streamAnswer } from "../sse.ts";
import { badRequest } from "../../errors.ts";
import { cancelAndSettle, eventsToSkip, idFrames, inProgress, liveOwner, responseNotFound } from "../response-streams.ts";

/** In open mode (or with the admin key) OpenAI's `user` / `safety_identifier` names the user. */
function namedUser(principal: Principal, body: { user?: string; safety_identifier?: string }): string | undefined {
  if (principal.kind === "user") return undefined;
  const named = (body.user ?? body.safety_identifier)?.trim();
  return named ? boundedUserId(named) : undefined;
}

export function responseRoutes(ctx: RouteDeps) {
  const { auth, tracker } = ctx;
  const stored = responseStore(ctx.store);
  return (
    new Elysia({ name: "routes:responses", detail: { tags: ["OpenAI-compatible"] } })
      .use(requestId)
      .use(auth)
      .get(
        "/v1/responses/:id",
        async ({ params, query, principal, request }) => {
          const scope = ownerScope(principal);
          if (query.stream === "true") {
            const after = eventsToSkip(query.starting_after);
            if ((await liveOwner(ctx.streams, params.id, scope)) === undefined) throw responseNotFound(params.id);
            return sseResponse(idFrames(ctx.streams.log, params.id, after), {
              headers: {},
              onCancel: () => {},
              onClose: () => tracker.streamEnded(request),
              keepAliveMs: ctx.loaded.config.server.sse_keepalive_seconds * 1000,
            }) as unknown as ResponseObject;
          }
          try {
            return (await stored.get(params.id, scope)) as ResponseObject;
          } catch (err) {
            // Not stored yet: still being generated (a background response, or a stream whose client left)?
            const running = (await liveOwner(ctx.streams, params.id, scope)) !== undefined ? await inProgress(ctx.streams, params.id) : null;
            if (!running) throw err;
            return running as ResponseObject;
          }
        },
        {
          params: IdParams,
          query: t.Object(
            { stream: t.Optional(t.String({ maxLength: 5 })), starting_after: t.Optional(t.String({ maxLength: 20 })) },
            { additionalProperties: true },
          ),
          response: { 200: ResponseObjectSchema },
          detail: operationDoc({
            summary: "Get a stored response (404 for unknown ids and other users' responses)",
            ok: {
              schema: ResponseObjectSchema,
              example: RESPONSE_EXAMPLE,
              description:
                "The `response` object as it was returned (`in_progress` while it is generated); with `stream=true` its events after `starting_after`, then the live ones",
            },
            errors: [400, 404],
          }),
        },
      )
      .post(
        "/v1/responses/:id/cancel",
        async ({ params, principal }) => {
          const scope = ownerScope(principal);
          if ((await liveOwner(ctx.streams, params.id, scope)) !== undefined) await cancelAndSettle(ctx.streams, params.id);
          return (await stored.get(params.id, scope)) as ResponseObject;
        },
        {
          params: IdParams,
          response: { 200: ResponseObjectSchema },
          detail: operationDoc({
            summary: "Cancel a response being generated (background or streamed); what it made is stored",
            body: { required: false, json: { schema: t.Object({}), example: {} } },
            ok: {
              schema: ResponseObjectSchema,
              example: { ...RESPONSE_EXAMPLE, status: "cancelled" },
              description: "The response, `cancelled` if it was still running",
            },
            errors: [400, 404],
          }),
        },
      )
      .delete("/v1/responses/:id", async ({ params, principal }) => stored.remove(params.id, ownerScope(principal)), {
        params: IdParams,
        response: { 200: DeletedResponseSchema },
        detail: operationDoc({
          summary: "Delete a stored response (its conversation keeps its messages)",
          ok: { schema: DeletedResponseSchema, example: DELETED_RESPONSE_EXAMPLE, description: "The response is deleted" },
          errors: [400, 404],
        }),
      })
      .get("/v1/responses/:id/input_items", async ({ params, query, principal }) => stored.inputItems(params.id, ownerScope(principal), query), {
        params: IdParams,
        query: t.Object(
          {
            limit: t.Integer({ minimum: 1, maximum: 100, default: 20 }),
            order: t.Union([t.Literal("asc"), t.Literal("desc")], { default: "desc" }),
            after: t.Optional(t.String({ minLength: 1, maxLength: 255 })),
            before: t.Optional(t.String({ minLength: 1, maxLength: 255 })),
          },
          { additionalProperties: true },
        ),
        response: { 200: InputItemListSchema },
        detail: operationDoc({
          summary: "List a stored response's input items (paginated: limit, order, after, before)",
          ok: {
            schema: InputItemListSchema,
            example: INPUT_ITEMS_EXAMPLE,
            description: "One page of input items; `after`/`before` take an item id (404 item_not_found for an unknown one)",
          },
          errors: [400, 404],
        }),
      })
      // Admission (acting user, rate limit) for creating a response only: reading one is not a chat call.
      .resolve(chatAdmission(ctx.limiter, (body: { user?: string; safety_identifier?: string }, principal: Principal) => namedUser(principal, body)))
      .post(
        "/v1/responses",
        async ({ body, request, requestId, set, actingUser }) => {
          const { turn, draft, extras } = await prepareResponse(ctx, { requestId, userId: actingUser, body });
          if (body.store !== false) set.headers["x-conversation-id"] = turn.conversationId;
          const background = (body as { background?: unknown }).background === true;
          if (background && body.store === false)
            throw badRequest("A background response must be stored: 'background: true' needs 'store' left true.", "background");
          const continues = background || (Boolean(body.stream) && ctx.loaded.config.streams.continue_after_disconnect);
          const controller = continues ? new AbortController() : linkedAbort(request);
          if (!body.stream && !background) {
            const { result } = await completeTurn(ctx, turn, controller.signal, extras);
            tracker.annotate(request, accessFields(turn, result));
            budgetHeaders(result.budget, set.headers);
            return draft.final as ResponseObject;
          }
          const { events, budget } = await streamTurn(ctx, turn, controller.signal, () => controller.abort(), extras);
          budgetHeaders(budget, set.headers);
          set.headers["x-stream-id"] = draft.id; // the stream's event log is the response's
          const writer = new ResponseEvents(draft);
          // The event stream is a hand-built Response (not checked against the schema, which documents the JSON answer).
          const answer = streamAnswer(
            events,
            {
              *start() {
                for (const e of writer.start()) yield eventFrame(e);
              },
              *chunk(chunk) {
                for (const out of writer.chunk(chunk)) yield eventFrame(out);
              },
              *end(result, failure) {
                if (!result) {
                  // The turn could not be stored (it was logged): the spec's `error` event ends the stream.
                  tracker.annotate(request, { error: failure?.code });
                  yield eventFrame(writer.error((failure ?? storageUnavailable()).toBody().error));
                  return;
                }
                tracker.annotate(request, accessFields(turn, result));
                for (const out of writer.finish(draft.final!)) yield eventFrame(out);
              },
              done: false,
            },
            {
              ...streamOptions(ctx, tracker, request, controller, set.headers),
              log: { streams: ctx.streams, streamId: draft.id, owner: actingUser, continueAfterDisconnect: continues },
            },
          );
          if (!background) return answer as unknown as ResponseObject;
          void answer.body?.cancel(); // nobody reads this connection: the answer runs into its log
          return { ...draft.build({ text: "", toolCalls: [], finishReason: null }), status: "in_progress", background: true } as unknown as ResponseObject;
        },
        {
          body: ResponseRequestSchema,
          response: { 200: ResponseObjectSchema },
          detail: operationDoc({
            summary: "Create a model response (OpenAI's Responses API, on any upstream; whole or as its event stream)",
            description:
              "Stored responses are turns of TextLLM conversations: `previous_response_id` (or `conversation`, a conversation id) continues one, " +
              "with the history supplied by the server; the conversation's id comes back in the X-Conversation-ID header. Input is text or a list of " +
              'message, function_call and function_call_output items; tools are function tools. With `"stream": true` the answer is the typed events ' +
              "`response.created` … `response.completed`.",
            body: { json: { schema: ResponseRequestSchema, example: RESPONSE_REQUEST_EXAMPLES.text.value, examples: RESPONSE_REQUEST_EXAMPLES } },
            ok: {
              schema: ResponseObjectSchema,
              example: RESPONSE_EXAMPLE,
              description:
                "A `response` object; with `stream: true` server-sent typed events (each with its sequence_number), ending with response.completed (or .incomplete / .failed)",
              headers: { "x-conversation-id": "the conversation's id (unless `store: false`)" },
              stream: {
                schema: SseSchema("response.* events: created, in_progress, output items and text deltas, then completed"),
                example: RESPONSE_STREAM_EXAMPLE,
              },
            },
            errors: [...BODY_ERRORS, ...TURN_ERRORS],
          }),
        },
      )
  );
}
