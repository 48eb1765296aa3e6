// One chat turn as a stream: POST /chat (JSON, or multipart when files go with it) with
// `stream: true`, then its SSE frames — text deltas as they arrive, the closing frame with usage,
// cost, budget and the stored files' URLs, or an error frame.
import { createParser } from "eventsource-parser";
import { request } from "./api.ts";

export interface TurnRequest {
  message: string;
  userId: string;
  /** Empty: the server's default model. */
  model: string;
  conversationId: string | null;
  files: File[];
  signal: AbortSignal;
}

export interface TurnEnd {
  usage: { prompt_tokens: number; completion_tokens: number };
  cost: number;
  budget?: { remaining: number | null };
  file_urls?: string[];
  image_urls?: string[];
}

export interface TurnEvents {
  /** The conversation the turn is stored in (known before the first word). */
  conversation(id: string): void;
  text(delta: string): void;
  end(end: TurnEnd): void;
}

function requestInit(turn: TurnRequest): RequestInit {
  const fields: Record<string, string> = { message: turn.message, user_id: turn.userId };
  if (turn.model) fields.model = turn.model;
  if (turn.conversationId) fields.conversation_id = turn.conversationId;
  if (!turn.files.length) {
    return { method: "POST", body: JSON.stringify({ ...fields, stream: true }), headers: { "content-type": "application/json" }, signal: turn.signal };
  }
  const body = new FormData();
  for (const [name, value] of Object.entries({ ...fields, stream: "true" })) body.append(name, value);
  for (const file of turn.files) body.append("files", file);
  return { method: "POST", body, signal: turn.signal };
}

/** The server keeps generating after a disconnect: Stop asks it to end the answer there. */
function stopOnAbort(streamId: string | null, turn: TurnRequest): void {
  if (!streamId) return;
  const cancel = () => void request(`/chat/streams/${streamId}/cancel?user_id=${encodeURIComponent(turn.userId)}`, { method: "POST" }).catch(() => undefined);
  if (turn.signal.aborted) cancel();
  else turn.signal.addEventListener("abort", cancel, { once: true });
}

/** Runs the turn to its end; resolves with the message of an error frame, if the stream sent one. */
export async function streamTurn(turn: TurnRequest, on: TurnEvents): Promise<string | null> {
  const res = await request("/chat", requestInit(turn));
  stopOnAbort(res.headers.get("x-stream-id"), turn);
  const id = res.headers.get("x-conversation-id");
  if (id) on.conversation(id);
  let failure: string | null = null;
  const parser = createParser({
    onEvent(event) {
      if (event.data === "[DONE]") return;
      const data = JSON.parse(event.data);
      if (data.error) failure = data.error.message;
      const delta = data.choices?.[0]?.delta?.content;
      if (delta) on.text(delta);
      if (data.usage) on.end(data as TurnEnd);
    },
  });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) parser.feed(chunk.value);
  return failure;
}
