// The v1 compatibility routes of the architecture seed, with their v1 answer shapes:
// POST /chat/stream (plain-text SSE), POST /chat/image and POST /chat/file (multipart).
import { Elysia } from "elysia";
import type { RouteDeps } from "../route-deps.ts";
import { readAttachments } from "../../chat/attachments.ts";
import { prepareTurn } from "../../chat/prepare-turn.ts";
import { completeTurn, streamTurn, type TurnResult } from "../../chat/run-turn.ts";
import { badRequest } from "../../errors.ts";
import { microsToUsd } from "../../pricing/money.ts";
import { linkedAbort } from "../abort.ts";
import { accessFields, chatAdmission, budgetFields, budgetHeaders, streamOptions } from "../guard.ts";
import { incomingFiles, toTurnInput } from "../chat-input.ts";
import { operationDoc, withFieldExamples } from "../operation-doc.ts";
import { uploadsTo } from "../upload-fields.ts";
import { requestId } from "../request-id.ts";
import { ChatFileSchema, ChatImageSchema, ChatStreamSchema } from "../schemas/chat.ts";
import {
  CHAT_FILE_ANSWER_EXAMPLE,
  CHAT_IMAGE_ANSWER_EXAMPLE,
  CHAT_STREAM_REQUEST_EXAMPLE,
  ChatFileAnswerSchema,
  ChatImageAnswerSchema,
  PLAIN_STREAM_EVENTS,
} from "../schemas/chat-answers.ts";
import { SseSchema } from "../schemas/completions.ts";
import { BODY_ERRORS, TURN_ERRORS } from "../schemas/errors.ts";
import { streamAnswer, textFrame } from "../sse.ts";
import { errorFrame } from "../error-response.ts";

const ERRORS = [...BODY_ERRORS, ...TURN_ERRORS];
const FORM_EXAMPLE = { message: "What is in this picture?", user_id: "alice" };

/** The v1 answer: text, ids, usage as {input, output, total}, cost in dollars. */
function v1Answer(text: string, p: { conversationId: string; userId: string }, result: TurnResult) {
  return {
    text,
    conversation_id: p.conversationId,
    user_id: p.userId,
    message_number: result.messageNumber,
    usage: { input: result.usage.prompt_tokens, output: result.usage.completion_tokens, total: result.usage.prompt_tokens + result.usage.completion_tokens },
    cost: microsToUsd(result.cost),
    ...budgetFields(result.budget),
  };
}

type Headers = Record<string, string | number>;

export function chatV1Routes(ctx: RouteDeps) {
  const { auth, tracker } = ctx;
  const maxInput = ctx.loaded.config.max_input_length;

  /** One non-streamed turn with the given files, for /chat/image and /chat/file. */
  const runWithFiles = async (
    body: Record<string, unknown>,
    field: string,
    route: string,
    requestId: string,
    request: Request,
    userId: string | null,
    headers: Headers,
  ) => {
    const input = toTurnInput(body as never, userId, requestId, route, [], maxInput);
    const files = incomingFiles(body, [field]);
    if (!files.length) throw badRequest(`Send at least one file in the '${field}' field.`, field, "missing_required_parameter");
    input.attachments = await readAttachments(ctx.loaded, files);
    const p = await prepareTurn(ctx, input);
    const { completion, result } = await completeTurn(ctx, p, linkedAbort(request).signal);
    tracker.annotate(request, accessFields(p, result));
    budgetHeaders(result.budget, headers);
    headers["x-conversation-id"] = p.conversationId;
    return { p, result, text: completion.choices[0]?.message?.content ?? "" };
  };

  return new Elysia({ name: "routes:chat-v1", detail: { tags: ["Chat (v1 compatibility)"] } })
    .use(requestId)
    .use(auth)
    .resolve(chatAdmission(ctx.limiter, (body: { user_id?: string }) => body.user_id))
    .post(
      "/chat/stream",
      async ({ body, request, requestId, set, actingUser }) => {
        const input = toTurnInput(
          { message: body.message, conversation_id: body.conversation_id, model: body.model },
          actingUser,
          requestId,
          "/chat/stream",
          [],
          maxInput,
        );
        const p = await prepareTurn(ctx, input);
        const controller = linkedAbort(request);
        const { events, budget } = await streamTurn(ctx, p, controller.signal, () => controller.abort());
        budgetHeaders(budget, set.headers);
        set.headers["x-conversation-id"] = p.conversationId;
        return streamAnswer(
          events,
          {
            *chunk(chunk) {
              const text = chunk.choices?.[0]?.delta?.content;
              if (text) yield textFrame(text);
            },
            *end(result, failure) {
              if (result) tracker.annotate(request, accessFields(p, result));
              if (failure) {
                tracker.annotate(request, { error: failure.code });
                yield errorFrame(failure, { event: "error" });
              }
            },
            done: true,
          },
          streamOptions(ctx, tracker, request, controller, set.headers),
        );
      },
      {
        body: ChatStreamSchema,
        detail: operationDoc({
          summary: "Stream the reply as plain-text SSE frames (data: <text>); X-Conversation-ID header",
          body: { json: { schema: ChatStreamSchema, example: CHAT_STREAM_REQUEST_EXAMPLE } },
          ok: {
            contentType: "text/event-stream",
            schema: SseSchema("one `data:` frame per piece of text, then data: [DONE]; a failure mid-stream is an `event: error` frame with an error body"),
            example: PLAIN_STREAM_EVENTS,
            description: "The reply's text as it is written",
            headers: { "x-conversation-id": "the conversation's id" },
          },
          errors: ERRORS,
        }),
      },
    )
    .post(
      "/chat/image",
      async ({ body, request, requestId, set, actingUser }) => {
        const { p, result, text } = await runWithFiles(body, "images", "/chat/image", requestId, request, actingUser, set.headers);
        const imageUrls = result.attachments.map((a) => a.url);
        return { ...v1Answer(text, p, result), image_urls: imageUrls, image_count: imageUrls.length };
      },
      {
        body: ChatImageSchema,
        transform: uploadsTo({ documents: "images", images: "images" }),
        detail: operationDoc({
          summary: "Chat about one or more images (multipart: message, images[])",
          body: { multipart: { schema: withFieldExamples(ChatImageSchema, FORM_EXAMPLE), example: FORM_EXAMPLE } },
          ok: { schema: ChatImageAnswerSchema, example: CHAT_IMAGE_ANSWER_EXAMPLE, description: "The reply and the stored images' URLs" },
          errors: ERRORS,
        }),
      },
    )
    .post(
      "/chat/file",
      async ({ body, request, requestId, set, actingUser }) => {
        const { p, result, text } = await runWithFiles({ ...body, files: [body.file] }, "files", "/chat/file", requestId, request, actingUser, set.headers);
        const doc = result.attachments[0]!;
        const dot = doc.filename.lastIndexOf(".");
        return { ...v1Answer(text, p, result), file_url: doc.url, file_type: dot > 0 ? doc.filename.slice(dot).toLowerCase() : "" };
      },
      {
        body: ChatFileSchema,
        transform: uploadsTo({ documents: "file", images: "file", single: true }),
        detail: operationDoc({
          summary: "Chat about a document (multipart: message, file)",
          body: {
            multipart: {
              schema: withFieldExamples(ChatFileSchema, { ...FORM_EXAMPLE, message: "Summarise this document." }),
              example: { ...FORM_EXAMPLE, message: "Summarise this document." },
            },
          },
          ok: { schema: ChatFileAnswerSchema, example: CHAT_FILE_ANSWER_EXAMPLE, description: "The reply and the stored document's URL" },
          errors: ERRORS,
        }),
      },
    );
}
