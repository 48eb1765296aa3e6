// POST /v1/responses as one turn of a TextLLM conversation: the request is translated to a chat
// turn (previous_response_id or conversation names the conversation; the server supplies the
// history as /chat does), run through the same pipeline, and stored with its response object.
import { badRequest } from "../../errors.ts";
import { readAttachments } from "../attachments.ts";
import type { ChatContext } from "../chat-context.ts";
import { assertInputLength } from "../input-limits.ts";
import { prepareTurn, type PreparedTurn } from "../prepare-turn.ts";
import type { CallRecord, TurnReply } from "../record.ts";
import type { TurnExtras } from "../run-turn.ts";
import { ResponseDraft, type Ending } from "./draft.ts";
import { translateInput, translateParams } from "./input.ts";

type Item = Record<string, any>;

export interface ResponseRequest {
  requestId: string;
  /** Who the turn acts for (already admitted); null: a new user in open mode. */
  userId: string | null;
  body: Item;
}

export interface PreparedResponse {
  turn: PreparedTurn;
  draft: ResponseDraft;
  /** Passed to completeTurn / streamTurn: stores the response object with the turn. */
  extras: TurnExtras;
}

const previousNotFound = (id: string) => badRequest(`Previous response with id '${id}' not found.`, "previous_response_id", "previous_response_not_found");

/** The conversation the request continues, if any. */
async function conversationOf(ctx: ChatContext, req: ResponseRequest): Promise<string | null> {
  const { previous_response_id: previous, conversation } = req.body;
  if (previous && conversation) throw badRequest("Send either previous_response_id or conversation, not both.", "conversation", "invalid_request");
  if (conversation) return typeof conversation === "string" ? conversation : String(conversation.id);
  if (!previous) return null;
  const stored = await ctx.store.responses.get(previous);
  if (!stored || (req.userId !== null && stored.user_id !== req.userId)) throw previousNotFound(previous);
  return stored.conversation_id;
}

function endingOf(_reply: TurnReply, record: CallRecord): Ending {
  const usage = record.usage;
  if (record.status === 499) return { usage, cancelled: true };
  if (record.status !== 200) return { usage, error: { code: "server_error", message: `The upstream call failed (${record.errorCode ?? record.status}).` } };
  return { usage };
}

export async function prepareResponse(ctx: ChatContext, req: ResponseRequest): Promise<PreparedResponse> {
  const { body } = req;
  const conversationId = await conversationOf(ctx, req);
  const { messages, files, items } = translateInput(body.input, body.instructions);
  assertInputLength(messages, ctx.loaded.config.max_input_length, "input");
  const attachments = await readAttachments(ctx.loaded, files);
  const turn = await prepareTurn(ctx, {
    requestId: req.requestId,
    route: "/v1/responses",
    userId: req.userId,
    conversationId,
    model: body.model ?? null,
    messages,
    params: translateParams(body),
    attachments,
  });
  const draft = new ResponseDraft(body, turn.model, ctx.now(), turn.conversationId);
  const store = body.store !== false;
  const extras: TurnExtras = {
    stateless: !store,
    response: (reply, record) => {
      draft.final = draft.build({ text: reply.content, toolCalls: reply.toolCalls ?? [], finishReason: reply.finishReason }, endingOf(reply, record));
      return store ? { id: draft.id, body: draft.final, input_items: items } : undefined;
    },
  };
  return { turn, draft, extras };
}
