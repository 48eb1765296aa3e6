// Any OpenAI-compatible upstream, through the official SDK. Its built-in retry is the one we want:
// exponential backoff with jitter on 408/409/429/5xx and connection errors, honouring
// retry-after, and — for streams — only until the response starts, so never after a byte of a
// streamed reply has gone to our client. No wait between attempts outlasts the call's deadline,
// `timeout_ms` after it began (see retry-deadline.ts).
import OpenAI from "openai";
import type { ResolvedProvider } from "../config/providers.ts";
import type { CallOptions, ChatBody, ChatProvider, EmbeddingAnswer } from "./provider.ts";
import { DEADLINE_HEADER, deadlineFetch } from "./retry-deadline.ts";

export interface ProviderHooks {
  /** Called for every attempt that is a retry of an earlier one. */
  onRetry?: (provider: string) => void;
}

export function openAICompatible(p: ResolvedProvider, hooks: ProviderHooks = {}): ChatProvider {
  const client = new OpenAI({
    apiKey: p.apiKey ?? "not-needed", // local servers take any key; the SDK insists on one
    baseURL: p.baseUrl,
    timeout: p.timeoutMs,
    maxRetries: p.maxRetries,
    fetch: deadlineFetch({ onRetry: () => hooks.onRetry?.(p.name) }),
  });
  const options = (signal: AbortSignal | undefined, call: CallOptions = {}) => ({
    signal,
    headers: { [DEADLINE_HEADER]: String(Date.now() + p.timeoutMs) },
    ...(call.maxRetries === undefined ? {} : { maxRetries: call.maxRetries }),
  });

  return {
    name: p.name,
    async complete(body, signal, call) {
      const { stream: _ignored, ...rest } = body;
      return client.chat.completions.create({ ...(rest as object), stream: false } as OpenAI.ChatCompletionCreateParamsNonStreaming, options(signal, call));
    },
    async stream(body: ChatBody, signal, call) {
      // Always ask for usage: cost is computed from it. The caller decides what the client sees.
      const params = { ...body, stream: true, stream_options: { ...(body.stream_options ?? {}), include_usage: true } };
      return client.chat.completions.create(params as unknown as OpenAI.ChatCompletionCreateParamsStreaming, options(signal, call));
    },
    async embed(body, signal, call) {
      // The raw endpoint: `embeddings.create` would decode a base64 answer the client asked for.
      return client.post<EmbeddingAnswer>("/embeddings", { body, ...options(signal, call) });
    },
  };
}
