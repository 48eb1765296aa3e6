// Any OpenAI-compatible upstream, through the official SDK. Its built-in retry is the one we want:
// exponential backoff with jitter on 408/409/429/5xx and connection errors, honouring
// retry-after, and — for streams — only until the response starts, so never after a byte of a
// streamed reply has gone to our client. No wait between attempts outlasts the call's deadline,
// `timeout_ms` after it began (see retry-deadline.ts).
// The SDK is imported with the first call, not at start-up: it is ~10 MB of the idle server's
// memory (bench/notes.md, "Idle RSS"); the compiled binary keeps it in a chunk read only then.
import type OpenAI from "openai";
import type { ResolvedProvider } from "../config/providers.ts";
import type { CallOptions, ChatBody, ChatProvider, EmbeddingAnswer } from "./provider.ts";
import { deadlineFetch, withDeadline } from "./retry-deadline.ts";
import { memoiseHeaders } from "./sdk-headers.ts";
import { sseChunks } from "./sse-chunks.ts";

export interface ProviderHooks {
  /** Called for every attempt that is a retry of an earlier one. */
  onRetry?: (provider: string) => void;
}

/** An answer's body as the SDK's own parser reads it: JSON by media type, empty as undefined, else text. */
async function readBody(response: Response, signal: AbortSignal | undefined): Promise<unknown> {
  if (response.status === 204) return null;
  const mediaType = response.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  try {
    const text = await response.text();
    if (!mediaType?.includes("application/json") && !mediaType?.endsWith("+json")) return text;
    return text ? JSON.parse(text) : undefined;
  } catch (err) {
    // A cancel while the body is read surfaces as an abort, as the SDK's does.
    if (signal?.aborted && err === signal.reason && !(err instanceof Error && err.name === "AbortError"))
      throw new DOMException("This operation was aborted", "AbortError");
    throw err;
  }
}

/** Every provider's client comes from the one SDK module, imported once by whichever call is first. */
let sdk: Promise<typeof import("openai")> | undefined;
const loadSdk = () => (sdk ??= import("openai"));

export function openAICompatible(provider: ResolvedProvider, hooks: ProviderHooks = {}): ChatProvider {
  let made: OpenAI | undefined;
  const client = async (): Promise<OpenAI> =>
    (made ??= memoiseHeaders(
      new (await loadSdk()).default({
        apiKey: provider.apiKey ?? "not-needed", // local servers take any key; the SDK insists on one
        baseURL: provider.baseUrl,
        timeout: provider.timeoutMs,
        maxRetries: provider.maxRetries,
        fetch: deadlineFetch({ onRetry: () => hooks.onRetry?.(provider.name) }),
      }),
    ));
  const options = (signal: AbortSignal | undefined, call: CallOptions = {}) => ({
    signal,
    fetchOptions: withDeadline(Date.now() + provider.timeoutMs) as NonNullable<Awaited<Parameters<OpenAI["post"]>[1]>>["fetchOptions"],
    ...(call.maxRetries === undefined ? {} : { maxRetries: call.maxRetries }),
  });
  // `post` rather than `chat.completions.create`: the same request, retries and typed errors, but
  // `create` watches the body's serialization (a JSON.stringify replacer over every value) to learn
  // whether it streams — which our body says outright. ~10 µs of CPU per call (bench/sdk-modes.ts).
  const chat = async (body: object, stream: boolean, signal: AbortSignal | undefined, call: CallOptions | undefined) =>
    (made ?? (await client())).post("/chat/completions", { body, stream, ...options(signal, call) }).asResponse();

  return {
    name: provider.name,
    async complete(body, signal, call) {
      const { stream: _ignored, ...rest } = body;
      // The raw answer (retries and typed errors as before), parsed here: the SDK's own parsing and
      // wrapping cost ~45 µs of CPU per call (bench/sdk-modes.ts).
      const response = await chat({ ...(rest as object), stream: false }, false, signal, call);
      return (await readBody(response, signal)) as OpenAI.ChatCompletion;
    },
    async stream(body: ChatBody, signal, call) {
      // Always ask for usage: cost is computed from it. The caller decides what the client sees.
      const params = { ...body, stream: true, stream_options: { ...(body.stream_options ?? {}), include_usage: true } };
      const response = await chat(params, true, signal, call);
      return sseChunks(response, signal);
    },
    async embed(body, signal, call) {
      // The raw endpoint: `embeddings.create` would decode a base64 answer the client asked for.
      return (made ?? (await client())).post<EmbeddingAnswer>("/embeddings", { body, ...options(signal, call) });
    },
  };
}
