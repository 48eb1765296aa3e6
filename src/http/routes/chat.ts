// POST /chat: the unified chat route. JSON or multipart (files/images parts); the server keeps
// the conversation; the answer is a chat.completion (or its SSE stream) plus our fields.
import { Elysia } from "elysia";
import { readAttachments } from "../../chat/attachments.ts";
import type { ChatContext } from "../../chat/chat-context.ts";
import { prepareTurn } from "../../chat/prepare-turn.ts";
import { storageUnavailable } from "../../chat/metered-stream.ts";
import { completeTurn, streamTurn, type TurnResult } from "../../chat/run-turn.ts";
import { microsToUsd } from "../../pricing/money.ts";
import { linkedAbort } from "../abort.ts";
import type { AuthPlugin } from "../auth.ts";
import type { RequestTracker } from "../../observability/request-tracker.ts";
import { incomingFiles, toTurnInput } from "../chat-input.ts";
import { accessFields, admitChat, budgetFields, budgetHeaders } from "../guard.ts";
import { coerceChatForm, isForm } from "../multipart.ts";
import { uploadsTo } from "../upload-fields.ts";
import { requestId } from "../request-id.ts";
import { operationDoc } from "../operation-doc.ts";
import { NativeChatSchema } from "../schemas/chat.ts";
import { CHAT_ANSWER_EXAMPLE, CHAT_EXAMPLES, CHAT_STREAM_EVENTS, ChatAnswerSchema, ChatFormSchema, ChatJsonSchema } from "../schemas/chat-answers.ts";
import { SseSchema } from "../schemas/completions.ts";
import { BODY_ERRORS, TURN_ERRORS } from "../schemas/errors.ts";
import { dataFrame, DONE_FRAME, sseResponse, stringHeaders } from "../sse.ts";

/** What /chat adds to OpenAI's answer: where the turn was stored, what it cost, what is left. */
function turnFields(r: TurnResult) {
  return {
    session_id: r.sessionId,
    message_number: r.messageNumber,
    served_by: r.servedBy,
    cost: microsToUsd(r.cost),
    image_urls: r.attachments.filter((a) => a.kind === "image").map((a) => a.url),
    file_urls: r.attachments.filter((a) => a.kind === "document").map((a) => a.url),
    ...budgetFields(r.budget),
  };
}

export function chatRoutes(ctx: ChatContext, auth: AuthPlugin, tracker: RequestTracker) {
  return new Elysia({ name: "routes:chat", detail: { tags: ["Chat"] } })
    .use(requestId)
    .use(auth)
    .post(
      "/chat",
      async ({ body, request, requestId, principal, set, server }) => {
        const userId = await admitChat(ctx.limiter, principal, body.user_id, () => server?.requestIP(request)?.address, set.headers);
        const input = toTurnInput(body, userId, requestId, "/chat", [], ctx.loaded.config.max_input_length);
        input.attachments = await readAttachments(ctx.loaded, incomingFiles(body, ["files", "images"]));
        const p = await prepareTurn(ctx, input);
        const controller = linkedAbort(request);
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
        async function* frames() {
          let last = { id: "", created: 0, model: p.model };
          for await (const e of events) {
            if (e.type === "chunk") {
              if (!e.chunk.choices?.length) continue; // the upstream's usage chunk: ours follows, with the cost
              last = { id: e.chunk.id, created: e.chunk.created, model: e.chunk.model };
              yield dataFrame({ ...e.chunk, ...ids });
              continue;
            }
            if (e.result) tracker.annotate(request, accessFields(p, e.result));
            if (e.outcome.failure || !e.result) {
              const failure = e.outcome.failure ?? storageUnavailable();
              tracker.annotate(request, { error: failure.code });
              yield dataFrame({ ...failure.toBody(), ...ids });
              return;
            }
            const u = e.result.usage;
            yield dataFrame({
              ...last,
              object: "chat.completion.chunk",
              choices: [],
              usage: { prompt_tokens: u.prompt_tokens, completion_tokens: u.completion_tokens, total_tokens: u.prompt_tokens + u.completion_tokens, prompt_tokens_details: { cached_tokens: u.cached_tokens } },
              ...ids,
              ...turnFields(e.result),
            });
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
      {
        body: NativeChatSchema,
        transform({ body, request }) {
          uploadsTo({ documents: "files", images: "images" })({ body, request });
          if (isForm(request.headers.get("content-type")) && body && typeof body === "object") coerceChatForm(body as Record<string, unknown>);
        },
        detail: operationDoc({
          summary: "Chat with stored history: JSON or multipart with files/images (also file, image, files[], images[]); the server supplies the history (JSON or SSE)",
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
            description: "The reply as JSON; with `stream: true` as server-sent events: chat.completion.chunk objects with the ids, a last chunk with usage and cost, then [DONE]",
            headers: { "x-conversation-id": "the conversation's id" },
            stream: { schema: SseSchema("chat.completion.chunk events, then data: [DONE]"), example: CHAT_STREAM_EVENTS },
          },
          errors: [...BODY_ERRORS, ...TURN_ERRORS],
        }),
      },
    );
}
