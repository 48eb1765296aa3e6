// Server-sent events from an async iterable of frames. Frames are flushed as they come (no
// buffering); when the client goes away the producer is told (onCancel) and its iterator closed,
// which runs its `finally` — where partial replies get stored. While the producer waits, a
// keep-alive comment goes out at a fixed interval, so no proxy in between drops a quiet stream.

export const dataFrame = (payload: unknown): string => `data: ${typeof payload === "string" ? payload : JSON.stringify(payload)}\n\n`;

/** Plain-text SSE (v1 /chat/stream): a multi-line text becomes one event with several data lines. */
export const textFrame = (text: string): string => `${text.split("\n").map((line) => `data: ${line}`).join("\n")}\n\n`;

export const DONE_FRAME = "data: [DONE]\n\n";

/** An SSE comment line: ignored by clients, but it keeps proxies from closing a quiet connection. */
export const KEEP_ALIVE_FRAME = ": keep-alive\n\n";

export interface SseOptions {
  headers: Record<string, string>;
  /** The client went away. */
  onCancel: () => void;
  /** Runs once when the stream is over: finished, failed, or left by its client. */
  onClose?: () => void;
  /** A keep-alive comment goes out whenever nothing else has for this long (0: never). */
  keepAliveMs?: number;
}

export function sseResponse(frames: AsyncIterable<string>, opts: SseOptions): Response {
  const { onCancel, onClose = () => {}, keepAliveMs = 0 } = opts;
  const iterator = frames[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  // One timer per stream, re-armed only when it fires: a frame costs one assignment.
  let lastSent = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stopBeating = () => clearTimeout(timer);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      if (keepAliveMs <= 0) return;
      const beat = () => {
        const quiet = performance.now() - lastSent;
        if (quiet >= keepAliveMs) {
          try {
            controller.enqueue(encoder.encode(KEEP_ALIVE_FRAME));
          } catch {
            return; // closed meanwhile
          }
          lastSent = performance.now();
        }
        timer = setTimeout(beat, quiet >= keepAliveMs ? keepAliveMs : keepAliveMs - quiet);
      };
      timer = setTimeout(beat, keepAliveMs);
    },
    async pull(controller) {
      try {
        const { done, value } = await iterator.next();
        if (done) {
          stopBeating();
          controller.close();
          onClose();
        } else {
          lastSent = performance.now();
          controller.enqueue(encoder.encode(value));
        }
      } catch (err) {
        stopBeating();
        controller.error(err);
        onClose();
      }
    },
    async cancel() {
      stopBeating();
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
      ...opts.headers,
    },
  });
}

/** Elysia's response headers (set.headers) as plain strings, for a hand-built Response. */
export function stringHeaders(headers: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => [k, String(v)]));
}
