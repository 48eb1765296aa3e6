// Server-sent events from an async iterable of frames. Frames are flushed as they come (no
// buffering); when the client goes away the producer is told (onCancel) and its iterator closed,
// which runs its `finally` — where partial replies get stored.

export const dataFrame = (payload: unknown): string => `data: ${typeof payload === "string" ? payload : JSON.stringify(payload)}\n\n`;

/** Plain-text SSE (v1 /chat/stream): a multi-line text becomes one event with several data lines. */
export const textFrame = (text: string): string => `${text.split("\n").map((line) => `data: ${line}`).join("\n")}\n\n`;

export const DONE_FRAME = "data: [DONE]\n\n";

/** `onClose` runs once when the stream is over: finished, failed, or left by its client. */
export function sseResponse(frames: AsyncIterable<string>, headers: Record<string, string>, onCancel: () => void, onClose: () => void = () => {}): Response {
  const iterator = frames[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await iterator.next();
        if (done) {
          controller.close();
          onClose();
        } else controller.enqueue(encoder.encode(value));
      } catch (err) {
        controller.error(err);
        onClose();
      }
    },
    async cancel() {
      onCancel();
      try {
        await iterator.return?.();
      } finally {
        onClose();
      }
    },
  });
  return new Response(body, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
      "x-accel-buffering": "no",
      ...headers,
    },
  });
}

/** Elysia's response headers (set.headers) as plain strings, for a hand-built Response. */
export function stringHeaders(headers: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => [k, String(v)]));
}
