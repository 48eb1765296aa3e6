// The chunks of a streamed chat completion, read from the SDK's raw answer (`.asResponse()`):
// the SDK still sends the request, retries it until the answer starts and raises its typed errors,
// but its stream decoder (~150 µs of CPU per stream here, bench/sdk-modes.ts) is replaced by this
// light one with the same endings: [DONE] or the body's end finish the stream; an error event or
// an `error` payload raises APIError; a cancel ends it quietly; a consumer that stops early closes
// the connection.
import { createParser, type EventSourceMessage } from "eventsource-parser";
import * as OpenAIErrors from "openai/core/error";
import type { ChatCompletionChunk } from "./provider.ts";
import { isAbort } from "./upstream-error.ts";

export async function* sseChunks(response: Response, signal: AbortSignal | undefined): AsyncGenerator<ChatCompletionChunk> {
  if (!response.body) throw new OpenAIErrors.OpenAIError("Attempted to iterate over a response with no body");
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => events.push(event) });
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (signal?.aborted) return;
      parser.feed(done ? `${decoder.decode()}\n\n` : decoder.decode(value, { stream: true }));
      for (const event of events.splice(0)) {
        if (event.data === "[DONE]") {
          finished = true;
          return;
        }
        yield decode(event, response.headers);
      }
      if (done) {
        finished = true;
        return;
      }
    }
  } catch (err) {
    if ((isAbort(err) && !(err instanceof OpenAIErrors.APIError)) || (signal?.aborted && err === signal.reason)) return;
    throw err;
  } finally {
    if (!finished) void reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

function decode(event: EventSourceMessage, headers: Headers): ChatCompletionChunk {
  let data: any;
  try {
    data = JSON.parse(event.data);
  } catch {
    throw new SyntaxError("Error reading response: malformed server-sent event JSON.");
  }
  if (event.event === "error") throw new OpenAIErrors.APIError(undefined, data?.error ?? data, undefined, headers);
  if (data?.error) throw new OpenAIErrors.APIError(undefined, data.error, undefined, headers);
  return data as ChatCompletionChunk;
}
