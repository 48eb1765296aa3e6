// Server-sent events from an async iterable of frames. Frames are flushed as they come (no
// buffering); when the client goes away the producer is told (onCancel) and its iterator closed,
// which runs its `finally` — where partial replies get stored. While the producer waits, a
// keep-alive comment goes out at a fixed interval, so no proxy in between drops a quiet stream.
// streamAnswer puts a metered chat stream on the wire, for every chat surface alike.
import type { AnswerStreams } from "../chat/answer-streams.ts";
import type { EventLog } from "../chat/event-log.ts";
import { storageUnavailable, type StreamEvent } from "../chat/metered-stream.ts";
import type { AppError } from "../errors.ts";
import type { ChatCompletionChunk } from "../providers/provider.ts";

export const dataFrame = (payload: unknown): string => `data: ${typeof payload === "string" ? payload : JSON.stringify(payload)}\n\n`;

/** Plain-text SSE (v1 /chat/stream): a multi-line text becomes one event with several data lines. */
export const textFrame = (text: string): string =>
  `${text
    .split("\n")
    .map((line) => `data: ${line}`)
    .join("\n")}\n\n`;

export const DONE_FRAME = "data: [DONE]\n\n";

/**
 * Not a frame: the frames so far go out before the next one is asked for. Bun writes what a stream
 * enqueued only when its event loop turns — for a response from an async handler, not before the
 * second turn (measured) — so when an upstream's frames arrive together, the first token waited
 * until the whole stream and its metering at the end had run: +0.3 ms to the first token at one
 * stream. streamAnswer flushes once, after the first token.
 */
export const FLUSH = Symbol("flush");

const loopTurn = () => new Promise((resolve) => setImmediate(resolve));

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

export function sseResponse(frames: AsyncIterable<string | typeof FLUSH>, opts: SseOptions): Response {
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
        let { done, value } = await iterator.next();
        while (value === FLUSH && !done) {
          await loopTurn();
          await loopTurn();
          ({ done, value } = await iterator.next());
        }
        if (done) {
          stopBeating();
          controller.close();
          onClose();
        } else {
          lastSent = performance.now();
          controller.enqueue(encoder.encode(value as string));
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
  return Object.fromEntries(
    Object.entries(headers)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => [k, String(v)]),
  );
}

/** How one chat surface frames a metered stream (chat/metered-stream.ts events). */
export interface StreamSurface<R> {
  /** Frames before the first chunk (the Responses API's response.created …). */
  start?(): Iterable<string>;
  /** Frames for one upstream chunk (none to leave it out). */
  chunk(chunk: ChatCompletionChunk): Iterable<string>;
  /**
   * Frames that end the stream. `failure` is set when it failed — upstream, cut, or its save
   * (then `result` is null); a failed stream ends there, without OpenAI's [DONE].
   */
  end(result: R | null, failure: AppError | null): Iterable<string>;
  /** OpenAI's `data: [DONE]` after a stream that did not fail (the Responses API has none). */
  done: boolean;
}

export interface StreamAnswerOptions {
  headers: Record<string, unknown>;
  /** Cancels the upstream call (the client went away). */
  abort: () => void;
  /** Runs once the stream is over (the access log's end of the request). */
  onClose: () => void;
  keepAliveSeconds: number;
  /** Puts the answer through an event log: frames get ids, and clients are served from the log. */
  log?: LoggedAnswer;
}

export interface LoggedAnswer {
  streams: AnswerStreams;
  streamId: string;
  /** The user who may resume the stream. */
  owner: string | null;
  /** A departed client leaves the generation running (else it is cancelled, as without a log). */
  continueAfterDisconnect: boolean;
}

/** A log's frames after event `after`, each with its `id:` line, following the live ones to the end. */
export async function* idFrames(log: EventLog, streamId: string, after: number): AsyncGenerator<string> {
  for await (const event of log.read(streamId, after)) yield `id: ${event.id}\n${event.frame}`;
}

/** The SSE answer of a metered stream: every surface's loop, error ending and [DONE], once. */
export function streamAnswer<R>(events: AsyncIterable<StreamEvent<R>>, surface: StreamSurface<R>, opts: StreamAnswerOptions): Response {
  async function* frames(): AsyncGenerator<string | typeof FLUSH> {
    if (surface.start) yield* surface.start();
    let firstToken = true;
    for await (const e of events) {
      if (e.type === "chunk") {
        yield* surface.chunk(e.chunk);
        if (firstToken && carriesToken(e.chunk)) {
          firstToken = false;
          yield FLUSH;
        }
        continue;
      }
      const result = (e.result as R | null) ?? null;
      const failure = e.outcome.failure ?? (result === null ? storageUnavailable() : null);
      yield* surface.end(result, failure);
      if (failure) return;
    }
    if (surface.done) yield DONE_FRAME;
  }
  if (opts.log) return loggedAnswer(frames(), opts.log, opts);
  return sseResponse(frames(), {
    headers: stringHeaders(opts.headers),
    onCancel: opts.abort,
    onClose: opts.onClose,
    keepAliveMs: opts.keepAliveSeconds * 1000,
  });
}

/** A chunk with something generated in it (not just the opening role and empty content). */
const carriesToken = (chunk: ChatCompletionChunk): boolean =>
  chunk.choices?.some((choice) => Object.entries(choice.delta ?? {}).some(([key, value]) => key !== "role" && value !== "" && value != null)) ?? false;

/**
 * The generation drains its frames into the event log on its own, whether or not anyone reads;
 * the client reads the log. The request is over (access log, shutdown's drain) once both the
 * generation and its first client's connection are.
 */
function loggedAnswer(frames: AsyncGenerator<string | typeof FLUSH>, logged: LoggedAnswer, opts: StreamAnswerOptions): Response {
  const { streams, streamId } = logged;
  let open = 2;
  const closeOne = () => {
    if (--open === 0) opts.onClose();
  };
  const release = streams.running(streamId, opts.abort);
  const opened = streams.log.open(streamId, logged.owner);
  void (async () => {
    try {
      await opened.catch(() => undefined); // the answer is generated and stored even if its log fails
      for await (const frame of frames) if (frame !== FLUSH) await streams.log.append(streamId, frame).catch(() => undefined);
    } finally {
      release();
      await streams.log.end(streamId).catch(() => undefined);
      closeOne();
    }
  })().catch(() => undefined);
  async function* served(): AsyncGenerator<string> {
    await opened.catch(() => undefined);
    yield* idFrames(streams.log, streamId, 0);
  }
  return sseResponse(served(), {
    headers: stringHeaders(opts.headers),
    onCancel: logged.continueAfterDisconnect ? () => {} : opts.abort,
    onClose: closeOne,
    keepAliveMs: opts.keepAliveSeconds * 1000,
  });
}
