// The upstream seam: a provider completes or streams an OpenAI chat request. Everything else is
// written against this interface; the OpenAI-compatible implementation is the only one needed,
// since Ollama, vLLM, llama.cpp, LM Studio and OpenRouter all speak the same protocol.
import type { ChatCompletion, ChatCompletionChunk } from "openai/resources/chat/completions";

export type { ChatCompletion, ChatCompletionChunk };

/** An OpenAI chat request as JSON: known fields typed loosely, unknown ones passed through. */
export interface ChatBody {
  model: string;
  messages: Array<Record<string, unknown>>;
  stream?: boolean;
  stream_options?: Record<string, unknown> | null;
  [field: string]: unknown;
}

/** Per-call settings: fewer SDK retries when another deployment can take over (failover.ts). */
export interface CallOptions {
  maxRetries?: number;
}

export interface ChatProvider {
  readonly name: string;
  complete(body: ChatBody, signal: AbortSignal, options?: CallOptions): Promise<ChatCompletion>;
  /** Resolves once the upstream has answered (retries are over); then yields its chunks. */
  stream(body: ChatBody, signal: AbortSignal, options?: CallOptions): Promise<AsyncIterable<ChatCompletionChunk>>;
  /** POST /embeddings, request and answer passed as they are (a base64 answer stays base64). */
  embed(body: EmbeddingBody, signal: AbortSignal, options?: CallOptions): Promise<EmbeddingAnswer>;
}

export interface EmbeddingBody {
  model: string;
  input: unknown;
  [field: string]: unknown;
}

export interface EmbeddingAnswer {
  object: "list";
  data: Array<{ object: "embedding"; index: number; embedding: number[] | string }>;
  model: string;
  usage?: { prompt_tokens?: number; total_tokens?: number };
}
