// A /chat stream after its connection: GET /chat/streams/{id} replays the events after the
// client's Last-Event-ID (or ?after=N) from the answer's event log and follows the live ones to the
// end; POST /chat/streams/{id}/cancel stops the generation, which then stores what it made. A
// stream is visible to its own user only (another's is 404), for the replay window after its end.
import { Elysia, t } from "elysia";
import { actingUser, type Principal } from "../../auth/principal.ts";
import { badRequest, notFound } from "../../errors.ts";
import type { RouteDeps } from "../route-deps.ts";
import { operationDoc } from "../operation-doc.ts";
import { requestId } from "../request-id.ts";
import { SseSchema } from "../schemas/completions.ts";
import { NoBodySchema } from "../schemas/sessions.ts";
import { idFrames, sseResponse } from "../sse.ts";

const StreamParams = t.Object({ stream_id: t.String({ maxLength: 128 }) });
const CancelSchema = t.Object({ id: t.String(), object: t.Literal("chat.stream"), status: t.Union([t.Literal("cancelled"), t.Literal("not_running")]) });
const REPLAY_EXAMPLE =
  'id: 6\ndata: {"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"world"}}],"stream_id":"stream_01…"}\n\nid: 7\ndata: [DONE]\n\n';
const StreamQuery = t.Object({ after: t.Optional(t.String({ maxLength: 20 })), user_id: t.Optional(t.String({ maxLength: 255 })) });

/** The event the client has: Last-Event-ID, else ?after=N, else none (0: from the start). */
export function resumePoint(lastEventId: string | null, after: string | undefined): number {
  const raw = lastEventId ?? after;
  if (raw === null || raw === undefined || raw === "") return 0;
  if (!/^\d{1,15}$/.test(raw.trim()))
    throw badRequest(
      `The event id to resume after must be a non-negative integer, not '${raw.slice(0, 40)}'.`,
      lastEventId !== null ? "Last-Event-ID" : "after",
      "invalid_event_id",
    );
  return Number(raw.trim());
}

export function chatStreamRoutes(ctx: RouteDeps) {
  const { auth, tracker, streams } = ctx;
  /** Throws 404 unless the stream exists and belongs to the caller (the admin key sees every one). */
  async function ownStream(principal: Principal, streamId: string, userId: string | undefined): Promise<void> {
    const owner = await streams.log.owner(streamId);
    const mine = owner !== undefined && (principal.kind === "admin" || owner === actingUser(principal, userId || undefined));
    if (!mine)
      throw notFound(
        `No stream found with id '${streamId}': it never existed, belongs to another user, or ended more than ${ctx.loaded.config.streams.replay_minutes} minutes ago (the conversation has the answer).`,
        "stream_not_found",
      );
  }
  return new Elysia({ name: "routes:chat-streams", detail: { tags: ["Chat"] } })
    .use(requestId)
    .use(auth)
    .get(
      "/chat/streams/:stream_id",
      async ({ params, query, principal, request }) => {
        await ownStream(principal, params.stream_id, query.user_id);
        const after = resumePoint(request.headers.get("last-event-id"), query.after);
        return sseResponse(idFrames(streams.log, params.stream_id, after), {
          headers: { "x-stream-id": params.stream_id },
          onCancel: () => {},
          onClose: () => tracker.streamEnded(request),
          keepAliveMs: ctx.loaded.config.server.sse_keepalive_seconds * 1000,
        });
      },
      {
        params: StreamParams,
        query: StreamQuery,
        detail: operationDoc({
          summary: "Resume a /chat stream: the events after Last-Event-ID (or ?after=N), then the live ones to [DONE]",
          description:
            "Every streamed /chat answer has an id (X-Stream-ID, `stream_id` in its chunks) and every event an `id:` line. The answer keeps being generated when its client drops; this replays it for `streams.replay_minutes` after its end.",
          ok: {
            schema: SseSchema("the stream's events after the one named, each with its id: line"),
            example: REPLAY_EXAMPLE,
            contentType: "text/event-stream",
            description: "Server-sent events",
          },
          errors: [400, 404],
        }),
      },
    )
    .post(
      "/chat/streams/:stream_id/cancel",
      async ({ params, query, principal }) => {
        await ownStream(principal, params.stream_id, query.user_id);
        const cancelled = await streams.cancel(params.stream_id);
        return { id: params.stream_id, object: "chat.stream", status: cancelled ? "cancelled" : "not_running" };
      },
      {
        params: StreamParams,
        query: StreamQuery,
        detail: operationDoc({
          summary: "Stop a /chat stream's generation; what it made so far is stored",
          body: { required: false, json: { schema: NoBodySchema, example: {} } },
          ok: {
            schema: CancelSchema,
            example: { id: "stream_01…", object: "chat.stream", status: "cancelled" },
            description: "Whether a running generation was stopped",
          },
          errors: [404],
        }),
      },
    );
}
