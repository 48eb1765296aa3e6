// The native chat routes: POST /chat (JSON; the server keeps the conversation) and the v1
// compatibility route POST /chat/stream (plain-text SSE frames).
import { Elysia, t } from "elysia";
import type { ChatContext } from "../../chat/chat-context.ts";
import type { ChatMessage } from "../../chat/messages.ts";
import { prepareTurn, type TurnInput } from "../../chat/prepare-turn.ts";
import { completeTurn, streamTurn } from "../../chat/run-turn.ts";
import { badRequest } from "../../errors.ts";
import { microsToUsd } from "../../pricing/money.ts";
import { linkedAbort } from "../abort.ts";
import { requestId } from "../request-id.ts";
import { NativeChatSchema } from "../schemas/chat.ts";
import { dataFrame, DONE_FRAME, sseResponse, textFrame } from "../sse.ts";

type NativeBody = typeof NativeChatSchema.static;

const OWN_FIELDS = new Set(["message", "messages", "conversation_id", "user_id", "model", "stream", "stream_options", "n"]);

export function toTurnInput(body: NativeBody, requestId: string, route: string): TurnInput {
  if ((body.message === undefined) === (body.messages === undefined)) {
    throw badRequest("Send either `message` (a string) or `messages` (an array), not both and not neither.", body.message === undefined ? "messages" : "message");
  }
  const messages: ChatMessage[] = body.messages ? (body.messages as ChatMessage[]) : [{ role: "user", content: body.message! }];
  const params = Object.fromEntries(Object.entries(body).filter(([k]) => !OWN_FIELDS.has(k)));
  return { requestId, route, userId: body.user_id ?? null, conversationId: body.conversation_id ?? null, model: body.model ?? null, messages, params };
}

export function chatRoutes(ctx: ChatContext) {
  return new Elysia({ name: "routes:chat", detail: { tags: ["Chat"] } })
    .use(requestId)
    .post(
      "/chat",
      async ({ body, request, requestId, set }) => {
        const p = await prepareTurn(ctx, toTurnInput(body, requestId, "/chat"));
        const controller = linkedAbort(request);
        const ids = { conversation_id: p.conversationId, user_id: p.userId };
        if (!body.stream) {
          const { completion, result } = await completeTurn(ctx, p, controller.signal);
          set.headers["x-conversation-id"] = p.conversationId;
          return {
            ...completion,
            ...ids,
            session_id: result.sessionId,
            message_number: result.messageNumber,
            cost: microsToUsd(result.cost),
            text: completion.choices[0]?.message?.content ?? "",
          };
        }
        const events = await streamTurn(ctx, p, controller.signal, () => controller.abort());
        async function* frames() {
          let last = { id: "", created: 0, model: p.model };
          for await (const e of events) {
            if (e.type === "chunk") {
              if (!e.chunk.choices?.length) continue; // the upstream's usage chunk: ours follows, with the cost
              last = { id: e.chunk.id, created: e.chunk.created, model: e.chunk.model };
              yield dataFrame({ ...e.chunk, ...ids });
              continue;
            }
            if (e.outcome.failure) {
              yield dataFrame({ ...e.outcome.failure.toBody(), ...ids });
              return;
            }
            const u = e.result.usage;
            yield dataFrame({
              ...last,
              object: "chat.completion.chunk",
              choices: [],
              usage: { prompt_tokens: u.prompt_tokens, completion_tokens: u.completion_tokens, total_tokens: u.prompt_tokens + u.completion_tokens, prompt_tokens_details: { cached_tokens: u.cached_tokens } },
              cost: microsToUsd(e.result.cost),
              ...ids,
              session_id: e.result.sessionId,
              message_number: e.result.messageNumber,
            });
          }
          yield DONE_FRAME;
        }
        return sseResponse(frames(), { "x-request-id": String(set.headers["x-request-id"]), "x-conversation-id": p.conversationId }, () => controller.abort());
      },
      {
        body: NativeChatSchema,
        detail: { summary: "Chat with stored history: send the new turn, the server supplies the rest (JSON or SSE)" },
      },
    )
    .post(
      "/chat/stream",
      async ({ body, request, requestId, set }) => {
        const p = await prepareTurn(ctx, toTurnInput({ message: body.message, conversation_id: body.conversation_id, user_id: body.user_id, model: body.model }, requestId, "/chat/stream"));
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
        body: t.Object({
          message: t.String({ minLength: 1 }),
          conversation_id: t.Optional(t.String({ minLength: 1, maxLength: 255 })),
          user_id: t.Optional(t.String({ minLength: 1, maxLength: 255 })),
          model: t.Optional(t.String({ minLength: 1, maxLength: 255 })),
        }),
        detail: { summary: "v1: stream the reply as plain-text SSE frames (data: <text>), X-Conversation-ID header" },
      },
    );
}
