// From a /chat request (JSON or multipart) to the pipeline's TurnInput.
import type { PreparedAttachment, IncomingFile } from "../chat/attachments.ts";
import type { ChatMessage } from "../chat/messages.ts";
import { assertInputLength } from "../chat/input-limits.ts";
import type { TurnInput } from "../chat/prepare-turn.ts";
import { badRequest } from "../errors.ts";
import type { NativeChatSchema } from "./schemas/chat.ts";

export type NativeBody = typeof NativeChatSchema.static;

/** Fields that are ours; everything else is the caller's business with the upstream. */
const OWN_FIELDS = new Set(["message", "messages", "conversation_id", "user_id", "model", "stream", "stream_options", "n", "files", "images", "file", "image"]);

export function incomingFiles(body: Record<string, unknown>, fields: string[]): IncomingFile[] {
  return fields.flatMap((field) => {
    const v = body[field];
    const list = Array.isArray(v) ? v : v === undefined ? [] : [v];
    return list.filter((f): f is File => f instanceof Blob).map((file) => ({ field, file }));
  });
}

/** `userId`: who the turn acts for, already checked against the caller (see auth/principal.ts). */
export function toTurnInput(
  body: NativeBody,
  userId: string | null,
  requestId: string,
  route: string,
  attachments: PreparedAttachment[],
  maxInputLength: number,
): TurnInput {
  if ((body.message === undefined) === (body.messages === undefined)) {
    throw badRequest(
      "Send either `message` (a string) or `messages` (an array), not both and not neither.",
      body.message === undefined ? "messages" : "message",
    );
  }
  const messages: ChatMessage[] = body.messages ? (body.messages as ChatMessage[]) : [{ role: "user", content: body.message! }];
  assertInputLength(messages, maxInputLength, body.message !== undefined ? "message" : null);
  const params = Object.fromEntries(Object.entries(body).filter(([k, v]) => !OWN_FIELDS.has(k) && v !== null));
  return { requestId, route, userId, conversationId: body.conversation_id ?? null, model: body.model ?? null, messages, params, attachments };
}
