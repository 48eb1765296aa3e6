// The v1 compatibility routes of the architecture seed, with their v1 answer shapes:
// POST /chat/stream (plain-text SSE), POST /chat/image and POST /chat/file (multipart).
import { Elysia, t } from "elysia";
import { readAttachments } from "../../chat/attachments.ts";
import type { ChatContext } from "../../chat/chat-context.ts";
import { prepareTurn } from "../../chat/prepare-turn.ts";
import { completeTurn, streamTurn, type TurnResult } from "../../chat/run-turn.ts";
import { badRequest } from "../../errors.ts";
import { microsToUsd } from "../../pricing/money.ts";
import { linkedAbort } from "../abort.ts";
import { incomingFiles, toTurnInput } from "../chat-input.ts";
import { requestId } from "../request-id.ts";
import { dataFrame, DONE_FRAME, sseResponse, textFrame } from "../sse.ts";

const Ids = {
  conversation_id: t.Optional(t.String({ minLength: 1, maxLength: 255 })),
  user_id: t.Optional(t.String({ minLength: 1, maxLength: 255 })),
  model: t.Optional(t.String({ minLength: 1, maxLength: 255 })),
};

/** The v1 answer: text, ids, usage as {input, output, total}, cost in dollars. */
function v1Answer(text: string, p: { conversationId: string; userId: string }, r: TurnResult) {
  return {
    text,
    conversation_id: p.conversationId,
    user_id: p.userId,
    message_number: r.messageNumber,
    usage: { input: r.usage.prompt_tokens, output: r.usage.completion_tokens, total: r.usage.prompt_tokens + r.usage.completion_tokens },
    cost: microsToUsd(r.cost),
  };
}

export function chatV1Routes(ctx: ChatContext) {
  /** One non-streamed turn with the given files, for /chat/image and /chat/file. */
  const runWithFiles = async (body: Record<string, unknown>, field: string, route: string, requestId: string, request: Request) => {
    const files = incomingFiles(body, [field]);
    if (!files.length) throw badRequest(`Send at least one file in the '${field}' field.`, field, "missing_required_parameter");
    const attachments = await readAttachments(ctx.loaded, files);
    const p = await prepareTurn(ctx, toTurnInput(body as never, requestId, route, attachments));
    const { completion, result } = await completeTurn(ctx, p, linkedAbort(request).signal);
    return { p, result, text: completion.choices[0]?.message?.content ?? "" };
  };

  return new Elysia({ name: "routes:chat-v1", detail: { tags: ["Chat (v1 compatibility)"] } })
    .use(requestId)
    .post(
      "/chat/stream",
      async ({ body, request, requestId, set }) => {
        const p = await prepareTurn(ctx, toTurnInput({ message: body.message, conversation_id: body.conversation_id, user_id: body.user_id, model: body.model }, requestId, "/chat/stream", []));
        const controller = linkedAbort(request);
        const events = await streamTurn(ctx, p, controller.signal, () => controller.abort());
        async function* frames() {
          for await (const e of events) {
            if (e.type === "chunk") {
              const text = e.chunk.choices?.[0]?.delta?.content;
              if (text) yield textFrame(text);
            } else if (e.outcome.failure) {
              yield `event: error\n${dataFrame(e.outcome.failure.toBody())}`;
              return;
            }
          }
          yield DONE_FRAME;
        }
        return sseResponse(frames(), { "x-request-id": String(set.headers["x-request-id"]), "x-conversation-id": p.conversationId }, () => controller.abort());
      },
      {
        body: t.Object({ message: t.String({ minLength: 1 }), ...Ids }),
        detail: { summary: "Stream the reply as plain-text SSE frames (data: <text>); X-Conversation-ID header" },
      },
    )
    .post(
      "/chat/image",
      async ({ body, request, requestId, set }) => {
        const { p, result, text } = await runWithFiles(body, "images", "/chat/image", requestId, request);
        set.headers["x-conversation-id"] = p.conversationId;
        const imageUrls = result.attachments.map((a) => a.url);
        return { ...v1Answer(text, p, result), image_urls: imageUrls, image_count: imageUrls.length };
      },
      {
        body: t.Object({ message: t.String({ minLength: 1 }), images: t.Files({ description: "one or more images" }), ...Ids }),
        detail: { summary: "Chat about one or more images (multipart: message, images[])" },
      },
    )
    .post(
      "/chat/file",
      async ({ body, request, requestId, set }) => {
        const { p, result, text } = await runWithFiles({ ...body, files: [body.file] }, "files", "/chat/file", requestId, request);
        set.headers["x-conversation-id"] = p.conversationId;
        const doc = result.attachments[0]!;
        const dot = doc.filename.lastIndexOf(".");
        return { ...v1Answer(text, p, result), file_url: doc.url, file_type: dot > 0 ? doc.filename.slice(dot).toLowerCase() : "" };
      },
      {
        body: t.Object({ message: t.String({ minLength: 1 }), file: t.File({ description: "a PDF, DOCX or text document" }), ...Ids }),
        detail: { summary: "Chat about a document (multipart: message, file)" },
      },
    );
}
