// A deterministic OpenAI-compatible upstream on port 0. By default it answers "Echo: <last user
// text>" with usage computed from word counts; tests script failures (status codes, hangs, cut
// streams, slow streams) per request and read back every request it received.

export interface RecordedRequest {
  path: string;
  headers: Record<string, string>;
  body: Record<string, any>;
}

export type Behaviour =
  | { kind: "reply"; text?: string; cachedTokens?: number; finishReason?: string; chunkDelayMs?: number; delayMs?: number; pause?: { afterChunks: number; ms: number } }
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
    return content.filter((p: { type?: string }) => p.type === "text").map((p: { text?: string }) => p.text ?? "").join("\n");
  }
  return "";
}

export function promptTokens(messages: Array<{ content?: unknown }>): number {
  return messages.reduce((n, m) => n + 3 + words(textOf(m.content)), 0);
}

export function defaultReply(body: Record<string, any>): string {
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
      if (req.method !== "POST" || url.pathname !== "/v1/chat/completions") {
        return Response.json({ error: { message: "not found", type: "invalid_request_error", param: null, code: null } }, { status: 404 });
      }
      const body = (await req.json()) as Record<string, any>;
      state.requests.push({ path: url.pathname, headers: Object.fromEntries(req.headers), body });
      const b = queue.shift() ?? fallback;
      if (b.kind === "reply" && b.delayMs) await Bun.sleep(b.delayMs);

      if (b.kind === "error") {
        return Response.json(
          { error: { message: b.message ?? `mock upstream error ${b.status}`, type: b.status === 429 ? "rate_limit_error" : "invalid_request_error", param: null, code: null } },
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

      const text = b.kind === "reply" && b.text !== undefined ? b.text : defaultReply(body);
      const model = String(body.model ?? "mock-model");
      const prompt = promptTokens(body.messages ?? []);
      const cached = b.kind === "reply" ? Math.min(b.cachedTokens ?? 0, prompt) : 0;
      const completion = words(text);
      const usage = {
        prompt_tokens: prompt,
        completion_tokens: completion,
        total_tokens: prompt + completion,
        prompt_tokens_details: { cached_tokens: cached },
      };
      const id = `chatcmpl-mock${state.requests.length}`;
      const created = 1_700_000_000;
      const finish = b.kind === "reply" ? (b.finishReason ?? "stop") : "stop";

      if (!body.stream) {
        return Response.json({
          id, object: "chat.completion", created, model, system_fingerprint: "fp_mock",
          choices: [{ index: 0, message: { role: "assistant", content: text, refusal: null }, logprobs: null, finish_reason: finish }],
          usage,
        });
      }

      const pieces = text.split(/(?<= )/); // words with their trailing space: joined they give `text` back
      const chunk = (delta: object, finish_reason: string | null, extra: object = {}) =>
        `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, system_fingerprint: "fp_mock", choices: [{ index: 0, delta, logprobs: null, finish_reason }], ...extra })}\n\n`;
      const frames: string[] = [chunk({ role: "assistant", content: "" }, null)];
      for (const p of pieces) frames.push(chunk({ content: p }, null));
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
              controller.enqueue(encoder.encode(`data: ${JSON.stringify({ error: { message: "mock upstream failed mid-stream", type: "server_error", param: null, code: null } })}\n\n`));
              controller.close();
            } else {
              // Bun prints this error; it is the test scenario, not a failure.
              controller.error(new Error("[expected in tests] the mock upstream breaks this stream on purpose"));
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
