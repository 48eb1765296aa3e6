// A deterministic OpenAI-compatible upstream on port 0. By default it answers "Echo: <last user
// text>" with usage computed from word counts; tests script failures (status codes, hangs, cut
// streams, slow streams) per request and read back every request it received.
// With tools offered and a user message last, it calls the first tool (arguments {"input": <text>});
// after a tool result it answers "Tool said: <result>". /v1/embeddings answers deterministic vectors.

export interface RecordedRequest {
  path: string;
  headers: Record<string, string>;
  body: Record<string, any>;
}

export type Behaviour =
  | {
      kind: "reply";
      text?: string;
      cachedTokens?: number;
      finishReason?: string;
      chunkDelayMs?: number;
      delayMs?: number;
      fillMaxTokens?: boolean;
      pause?: { afterChunks: number; ms: number };
    }
  /** Asks for these function calls (finish_reason "tool_calls"); streamed as tool_calls deltas. */
  | { kind: "tool-calls"; calls: Array<{ name: string; arguments: string }> }
  | { kind: "error"; status: number; message?: string; headers?: Record<string, string> }
  /** Accepts the request and never answers. */
  | { kind: "hang" }
  /** Streams `afterChunks` content chunks (paced, so they really leave), then breaks the connection. */
  | { kind: "cut"; afterChunks: number }
  /** Streams `afterChunks` content chunks, then sends an error event instead of finishing. */
  | { kind: "stream-error"; afterChunks: number }
  /** Streams `afterChunks` content chunks, then sends nothing more until its reader gives up. */
  | { kind: "stall"; afterChunks: number };

/** Gap between chunks of a failing stream: long enough for the first ones to be flushed. */
const FAILING_STREAM_PACE_MS = 30;

export interface MockUpstream {
  /** Base URL including /v1, as OPENAI_BASE_URL expects. */
  baseUrl: string;
  requests: RecordedRequest[];
  /** How many streamed responses were cancelled by their reader before they finished. */
  cancelled: number;
  /** Behaviours for the next requests, in order; afterwards the default reply. */
  script(...behaviours: Behaviour[]): void;
  /** The behaviour of every request that has no scripted one (default: an immediate reply). */
  setDefault(behaviour: Behaviour): void;
  reset(): void;
  stop(): Promise<void>;
}

const words = (s: string) => s.split(/\s+/).filter(Boolean).length;

export function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .filter((p: { type?: string }) => p.type === "text")
      .map((p: { text?: string }) => p.text ?? "")
      .join("\n");
  }
  return "";
}

export function promptTokens(messages: Array<{ content?: unknown }>): number {
  return messages.reduce((n, m) => n + 3 + words(textOf(m.content)), 0);
}

/** The default answer to a request that offers tools: call the first one with the user's text. */
function autoToolCall(body: Record<string, any>): Behaviour | null {
  const last = body.messages?.at(-1);
  const tool = body.tools?.find((t: { type?: string }) => t.type === "function");
  if (!tool || last?.role !== "user" || body.tool_choice === "none") return null;
  return { kind: "tool-calls", calls: [{ name: tool.function.name, arguments: JSON.stringify({ input: textOf(last.content) }) }] };
}

/** A deterministic unit-free vector per text (float32 little-endian when base64 is asked for). */
function embeddingOf(text: string, dimensions: number, base64: boolean): number[] | string {
  const values = Array.from({ length: dimensions }, (_, i) => Math.sin(text.length + i * 31 + (text.charCodeAt(i % Math.max(1, text.length)) || 0)));
  if (!base64) return values;
  return Buffer.from(new Float32Array(values).buffer).toString("base64");
}

function embeddings(body: Record<string, any>): Response {
  const inputs: unknown[] = Array.isArray(body.input) ? body.input : [body.input];
  const texts = inputs.map((i) => (typeof i === "string" ? i : JSON.stringify(i)));
  const tokens = texts.reduce((n, t) => n + words(t), 0);
  return Response.json({
    object: "list",
    model: String(body.model ?? "mock-embedding"),
    data: texts.map((text, index) => ({ object: "embedding", index, embedding: embeddingOf(text, body.dimensions ?? 8, body.encoding_format === "base64") })),
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
}

export function defaultReply(body: Record<string, any>): string {
  const last = body.messages?.at(-1);
  if (last?.role === "tool") return `Tool said: ${textOf(last.content)}`;
  const users = (body.messages ?? []).filter((m: { role: string }) => m.role === "user");
  return `Echo: ${textOf(users.at(-1)?.content).slice(0, 200)}`;
}

export function startMockUpstream(): MockUpstream {
  let queue: Behaviour[] = [];
  let fallback: Behaviour = { kind: "reply" };
  const state = { requests: [] as RecordedRequest[], cancelled: 0 };
  const pendingHangs = new Set<() => void>();

  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 0,
    async fetch(req) {
      const url = new URL(req.url);
      if (req.method === "GET" && url.pathname === "/v1/models") {
        return Response.json({ object: "list", data: [{ id: "mock-model", object: "model", created: 0, owned_by: "mock" }] });
      }
      if (req.method === "POST" && url.pathname === "/v1/embeddings") {
        const body = (await req.json()) as Record<string, any>;
        state.requests.push({ path: url.pathname, headers: Object.fromEntries(req.headers), body });
        const b = queue.shift() ?? fallback;
        if (b.kind === "error")
          return Response.json(
            { error: { message: b.message ?? `mock upstream error ${b.status}`, type: "invalid_request_error", param: null, code: null } },
            { status: b.status },
          );
        return embeddings(body);
      }
      if (req.method !== "POST" || url.pathname !== "/v1/chat/completions") {
        return Response.json({ error: { message: "not found", type: "invalid_request_error", param: null, code: null } }, { status: 404 });
      }
      const body = (await req.json()) as Record<string, any>;
      state.requests.push({ path: url.pathname, headers: Object.fromEntries(req.headers), body });
      const b = queue.shift() ?? (fallback.kind === "reply" && !fallback.text ? autoToolCall(body) : null) ?? fallback;
      if (b.kind === "reply" && b.delayMs) await Bun.sleep(b.delayMs);

      if (b.kind === "error") {
        return Response.json(
          {
            error: {
              message: b.message ?? `mock upstream error ${b.status}`,
              type: b.status === 429 ? "rate_limit_error" : "invalid_request_error",
              param: null,
              code: null,
            },
          },
          { status: b.status, headers: b.headers },
        );
      }
      if (b.kind === "hang") {
        return new Promise<Response>((resolve) => {
          const release = () => resolve(new Response("released", { status: 503 }));
          pendingHangs.add(release);
          req.signal.addEventListener("abort", () => pendingHangs.delete(release));
        });
      }

      const calls =
        b.kind === "tool-calls" ? b.calls.map((c, i) => ({ id: `call_mock${state.requests.length}_${i}`, type: "function" as const, function: c })) : null;
      // fillMaxTokens: the longest answer the request allows, one word (= one token here) per token.
      const room = Number(body.max_completion_tokens ?? body.max_tokens ?? 0);
      const filled = b.kind === "reply" && b.fillMaxTokens && room > 0 ? "w ".repeat(room).trim() : undefined;
      const text = calls ? "" : (filled ?? (b.kind === "reply" && b.text !== undefined ? b.text : defaultReply(body)));
      const model = String(body.model ?? "mock-model");
      const prompt = promptTokens(body.messages ?? []);
      const cached = b.kind === "reply" ? Math.min(b.cachedTokens ?? 0, prompt) : 0;
      const completion = words(text) + (calls ? calls.reduce((n, c) => n + 1 + words(c.function.arguments.replace(/[{}",:]/g, " ")), 0) : 0);
      const usage = {
        prompt_tokens: prompt,
        completion_tokens: completion,
        total_tokens: prompt + completion,
        prompt_tokens_details: { cached_tokens: cached },
      };
      const id = `chatcmpl-mock${state.requests.length}`;
      const created = 1_700_000_000;
      const finish = calls ? "tool_calls" : b.kind === "reply" ? (b.finishReason ?? "stop") : "stop";

      if (!body.stream) {
        return Response.json({
          id,
          object: "chat.completion",
          created,
          model,
          system_fingerprint: "fp_mock",
          choices: [
            {
              index: 0,
              message: { role: "assistant", content: calls ? null : text, refusal: null, ...(calls ? { tool_calls: calls } : {}) },
              logprobs: null,
              finish_reason: finish,
            },
          ],
          usage,
        });
      }

      const pieces = text.split(/(?<= )/); // words with their trailing space: joined they give `text` back
      const chunk = (delta: object, finish_reason: string | null, extra: object = {}) =>
        `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, system_fingerprint: "fp_mock", choices: [{ index: 0, delta, logprobs: null, finish_reason }], ...extra })}\n\n`;
      const frames: string[] = [chunk({ role: "assistant", content: "" }, null)];
      if (!calls) for (const p of pieces) frames.push(chunk({ content: p }, null));
      for (const [index, c] of (calls ?? []).entries()) {
        // As OpenAI streams them: id and name first, then the arguments in pieces.
        frames.push(chunk({ tool_calls: [{ index, id: c.id, type: "function", function: { name: c.function.name, arguments: "" } }] }, null));
        const args = c.function.arguments;
        const half = Math.ceil(args.length / 2);
        for (const piece of [args.slice(0, half), args.slice(half)])
          if (piece) frames.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }, null));
      }
      frames.push(chunk({}, finish));
      if (body.stream_options?.include_usage) {
        frames.push(`data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [], usage })}\n\n`);
      }
      frames.push("data: [DONE]\n\n");

      const delay = b.kind === "reply" ? (b.chunkDelayMs ?? 0) : FAILING_STREAM_PACE_MS;
      const stopAfter = b.kind === "cut" || b.kind === "stream-error" || b.kind === "stall" ? 1 + b.afterChunks : Infinity;
      let i = 0;
      const encoder = new TextEncoder();
      const stream = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (delay && i > 0) await Bun.sleep(delay);
          // A silent spell mid-reply: `afterChunks` content chunks, then nothing for `ms`.
          if (b.kind === "reply" && b.pause && i === 1 + b.pause.afterChunks) await Bun.sleep(b.pause.ms);
          if (i >= stopAfter) {
            if (b.kind === "stall") return new Promise<void>(() => {}); // pull never completes; cancel() still runs
            if (b.kind === "stream-error") {
              controller.enqueue(
                encoder.encode(
                  `data: ${JSON.stringify({ error: { message: "mock upstream failed mid-stream", type: "server_error", param: null, code: null } })}\n\n`,
                ),
              );
              controller.close();
            } else {
              // Erroring with no reason drops the connection without Bun printing a stack trace;
              // one line says that this is the test scenario, not a failure.
              console.warn("[expected in tests] the mock upstream breaks a stream on purpose");
              controller.error(undefined);
            }
            return;
          }
          const frame = frames[i++];
          if (frame === undefined) controller.close();
          else controller.enqueue(encoder.encode(frame));
        },
        cancel() {
          if (i < frames.length) state.cancelled++;
        },
      });
      return new Response(stream, { headers: { "content-type": "text/event-stream", "cache-control": "no-cache" } });
    },
  });

  return {
    baseUrl: `http://127.0.0.1:${server.port}/v1`,
    get requests() {
      return state.requests;
    },
    get cancelled() {
      return state.cancelled;
    },
    script(...behaviours) {
      queue.push(...behaviours);
    },
    setDefault(behaviour) {
      fallback = behaviour;
    },
    reset() {
      queue = [];
      fallback = { kind: "reply" };
      state.requests.length = 0;
      state.cancelled = 0;
    },
    async stop() {
      for (const release of pendingHangs) release();
      await server.stop(true);
    },
  };
}
