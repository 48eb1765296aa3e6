// Usage as the upstream reports it, and an estimate for when it cannot (a reply cut short by a
// client that went away never receives the upstream's final usage chunk).
import type { CompletionUsage } from "openai/resources/completions";
import type { TokenUsage } from "../pricing/prices.ts";
import type { ChatMessage } from "./messages.ts";
import { promptTokenCount } from "./prompt-size.ts";
import { countTokens } from "./token-count.ts";

export function fromUpstream(usage: CompletionUsage | null | undefined): TokenUsage | null {
  if (!usage) return null;
  return {
    prompt_tokens: usage.prompt_tokens ?? 0,
    completion_tokens: usage.completion_tokens ?? 0,
    cached_tokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
  };
}

export async function estimateUsage(prompt: ChatMessage[], completion: string): Promise<TokenUsage> {
  return { prompt_tokens: await promptTokenCount(prompt), completion_tokens: completion ? await countTokens(completion) : 0, cached_tokens: 0 };
}

export const ZERO_USAGE: TokenUsage = { prompt_tokens: 0, completion_tokens: 0, cached_tokens: 0 };
