// One chat turn as a stream: POST /chat (JSON, or multipart when files go with it) with
// `stream: true`, then its SSE frames — text deltas as they arrive, the closing frame with usage,
// cost, budget and the stored files' URLs, or an error frame. While it streams, the stream's id,
// conversation, last event id and text so far stay in session storage, so that a reloaded page can
// follow the answer on with GET /chat/streams/{id} (the server generates it to its end regardless).
import { createParser } from "eventsource-parser";
import { enc, request } from "./api.ts";

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

/** A reply still streaming in this tab: what a reload needs to follow it on. */
export interface InFlight {
  streamId: string;
  conversationId: string;
  /** "0" before the first event: a resume then starts from the beginning. */
  lastEventId: string;
  /** The user's words and the answer received so far, shown again after a reload. */
  message: string;
  reply: string;
}

const IN_FLIGHT_KEY = "textllm.console.stream";

export function inFlightStream(): InFlight | null {
  const stored = sessionStorage.getItem(IN_FLIGHT_KEY);
  return stored ? (JSON.parse(stored) as InFlight) : null;
}

export function forgetStream(): void {
  sessionStorage.removeItem(IN_FLIGHT_KEY);
}

/** Stops the generation of the reply streaming in this tab, if any (the server stores what it made). */
export function cancelStream(userId: string): void {
  const record = inFlightStream();
  forgetStream();
  if (record) void request(`/chat/streams/${enc(record.streamId)}/cancel?user_id=${enc(userId)}`, { method: "POST" }).catch(() => {});
}

/** Reads the frames to [DONE] or an error frame; keeps `record` (if any) up to date meanwhile. */
async function readTurn(res: Response, on: TurnEvents, record: InFlight | null): Promise<string | null> {
  let failure: string | null = null;
  let ended = false;
  const parser = createParser({
    onEvent(event) {
      if (event.data === "[DONE]") {
        ended = true;
        return forgetStream();
      }
      const data = JSON.parse(event.data);
      if (data.error) failure = data.error.message;
      const delta = data.choices?.[0]?.delta?.content;
      if (delta) on.text(delta);
      if (data.usage) on.end(data as TurnEnd);
      if (failure) {
        ended = true;
        forgetStream();
      } else if (record && !ended && event.id) {
        record.reply += delta ?? "";
        record.lastEventId = event.id;
        sessionStorage.setItem(IN_FLIGHT_KEY, JSON.stringify(record));
      }
    },
  });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) parser.feed(chunk.value);
  return failure;
}

/** Runs the turn to its end; resolves with the message of an error frame, if the stream sent one. */
export async function streamTurn(turn: TurnRequest, on: TurnEvents): Promise<string | null> {
  const res = await request("/chat", requestInit(turn));
  const id = res.headers.get("x-conversation-id");
  if (id) on.conversation(id);
  const streamId = res.headers.get("x-stream-id");
  const record = id && streamId ? { streamId, conversationId: id, lastEventId: "0", message: turn.message, reply: "" } : null;
  if (record) sessionStorage.setItem(IN_FLIGHT_KEY, JSON.stringify(record));
  return readTurn(res, on, record);
}

/**
 * Follows a reply on after a reload: the events after the last one received, then the live ones.
 * Throws an ApiError with status 404 once the answer has ended and left the replay window.
 */
export async function resumeTurn(record: InFlight, options: { userId: string; signal: AbortSignal }, on: TurnEvents): Promise<string | null> {
  const res = await request(`/chat/streams/${enc(record.streamId)}?user_id=${enc(options.userId)}`, {
    headers: { "last-event-id": record.lastEventId },
    signal: options.signal,
  });
  return readTurn(res, on, { ...record });
}
