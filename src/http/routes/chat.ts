// POST /chat: the unified chat route. JSON or multipart (files/images parts); the server keeps
// the conversation; the answer is a chat.completion (or its SSE stream) plus our fields.
import { Elysia } from "elysia";
import type { RouteDeps } from "../route-deps.ts";
import { readAttachments } from "../../chat/attachments.ts";
import { prepareTurn } from "../../chat/prepare-turn.ts";
import { completeTurn, streamTurn, type TurnResult } from "../../chat/run-turn.ts";
import { microsToUsd } from "../../pricing/money.ts";
import { linkedAbort } from "../abort.ts";
import { incomingFiles, toTurnInput } from "../chat-input.ts";
import { errorFrame } from "../error-response.ts";
import { accessFields, chatAdmission, budgetFields, budgetHeaders, streamOptions } from "../guard.ts";
import { coerceChatForm, isForm } from "../multipart.ts";
import { uploadsTo } from "../upload-fields.ts";
import { requestId } from "../request-id.ts";
import { operationDoc } from "../operation-doc.ts";
import { NativeChatSchema } from "../schemas/chat.ts";
import { CHAT_ANSWER_EXAMPLE, CHAT_EXAMPLES, CHAT_STREAM_EVENTS, ChatAnswerSchema, ChatFormSchema, ChatJsonSchema } from "../schemas/chat-answers.ts";
import { SseSchema } from "../schemas/completions.ts";
import { BODY_ERRORS, TURN_ERRORS } from "../schemas/errors.ts";
import { dataFrame, streamAnswer } from "../sse.ts";
import { newId } from "../../lib/ids.ts";

/** What /chat adds to OpenAI's answer: where the turn was stored, what it cost, what is left. */
function turnFields(result: TurnResult) {
  return {
    session_id: result.sessionId,
    message_number: result.messageNumber,
    served_by: result.servedBy,
    cost: microsToUsd(result.cost),
    image_urls: result.attachments.filter((a) => a.kind === "image").map((a) => a.url),
    file_urls: result.attachments.filter((a) => a.kind === "document").map((a) => a.url),
    ...budgetFields(result.budget),
  };
}

export function chatRoutes(ctx: RouteDeps) {
  const { auth, tracker } = ctx;
  return new Elysia({ name: "routes:chat", detail: { tags: ["Chat"] } })
    .use(requestId)
    .use(auth)
    .resolve(chatAdmission(ctx.limiter, (body: { user_id?: string }) => body.user_id))
    .post(
      "/chat",
      async ({ body, request, requestId, actingUser, set }) => {
        const input = toTurnInput(body, actingUser, requestId, "/chat", [], ctx.loaded.config.max_input_length);
        input.attachments = await readAttachments(ctx.loaded, incomingFiles(body, ["files", "images"]));
        const p = await prepareTurn(ctx, input);
        // A stream that outlives its connection is cancelled only by its own cancel (or a shutdown's cut).
        const continues = Boolean(body.stream) && ctx.loaded.config.streams.continue_after_disconnect;
        const controller = continues ? new AbortController() : linkedAbort(request);
        const ids = { conversation_id: p.conversationId, user_id: p.userId };
        // A new conversation is named only once it exists: a failed first turn stores none.
        const nameConversation = () => {
          set.headers["x-conversation-id"] = p.conversationId;
        };
        if (!p.create) nameConversation();
        if (!body.stream) {
          const { completion, result } = await completeTurn(ctx, p, controller.signal);
          nameConversation();
          tracker.annotate(request, accessFields(p, result));
          budgetHeaders(result.budget, set.headers);
          return { ...completion, ...ids, ...turnFields(result), text: completion.choices[0]?.message?.content ?? "" };
        }
        const { events, budget } = await streamTurn(ctx, p, controller.signal, () => controller.abort());
        // The upstream has accepted: the turn is stored however the stream ends.
        nameConversation();
        budgetHeaders(budget, set.headers);
        const streamId = newId("stream");
        set.headers["x-stream-id"] = streamId;
        let last = { id: "", created: 0, model: p.model };
        return streamAnswer(
          events,
          {
            *chunk(chunk) {
              if (!chunk.choices?.length) return; // the upstream's usage chunk: ours follows, with the cost
              last = { id: chunk.id, created: chunk.created, model: chunk.model };
              yield dataFrame({ ...chunk, ...ids, stream_id: streamId });
            },
            *end(result, failure) {
              if (result) tracker.annotate(request, accessFields(p, result));
              if (failure) {
                tracker.annotate(request, { error: failure.code });
                yield errorFrame(failure, { extra: ids });
                return;
              }
              const u = result!.usage;
              yield dataFrame({
                ...last,
                object: "chat.completion.chunk",
                choices: [],
                usage: {
                  prompt_tokens: u.prompt_tokens,
                  completion_tokens: u.completion_tokens,
                  total_tokens: u.prompt_tokens + u.completion_tokens,
                  prompt_tokens_details: { cached_tokens: u.cached_tokens },
                },
                ...ids,
                ...turnFields(result!),
              });
            },
            done: true,
          },
          {
            ...streamOptions(ctx, tracker, request, controller, set.headers),
            log: { streams: ctx.streams, streamId, owner: actingUser, continueAfterDisconnect: continues },
          },
        );
      },
      {
        body: NativeChatSchema,
        transform({ body, request }) {
          uploadsTo({ documents: "files", images: "images" })({ body, request });
          if (isForm(request.headers.get("content-type")) && body && typeof body === "object") coerceChatForm(body as Record<string, unknown>);
        },
        detail: operationDoc({
          summary:
            "Chat with stored history: JSON or multipart with files/images (also file, image, files[], images[]); the server supplies the history (JSON or SSE)",
          description:
            "Send `message` (or OpenAI-style `messages`); the server adds the conversation's history and stores the turn. Without `conversation_id` a new conversation begins: " +
            "its id comes back in the answer and the X-Conversation-ID header. As multipart/form-data, attach documents (`files`) and images (`images`). Other OpenAI parameters pass through.",
          body: {
            json: { schema: ChatJsonSchema, example: CHAT_EXAMPLES.new.value, examples: CHAT_EXAMPLES },
            multipart: { schema: ChatFormSchema, example: { message: "What is in these files?", user_id: "alice" } },
          },
          ok: {
            schema: ChatAnswerSchema,
            example: CHAT_ANSWER_EXAMPLE,
            description:
              "The reply as JSON; with `stream: true` as server-sent events: chat.completion.chunk objects with the ids, a last chunk with usage and cost, then [DONE]",
            headers: { "x-conversation-id": "the conversation's id" },
            stream: { schema: SseSchema("chat.completion.chunk events, then data: [DONE]"), example: CHAT_STREAM_EVENTS },
          },
          errors: [...BODY_ERRORS, ...TURN_ERRORS],
        }),
      },
    );
}
