// The one home of prompt-size arithmetic: what a list of messages costs in prompt tokens, counted
// exactly (the tokenizer), or bounded from above for free (every UTF-8 byte a token). Budgets use
// the bound, the context window both, usage estimates the count.
import { textOf, type ChatMessage } from "./messages.ts";
import { countTokens, MESSAGE_OVERHEAD, upperBound } from "./token-count.ts";

/** Every reply is primed with a few tokens of its own (OpenAI's counting). */
const REPLY_PRIMING = 3;
/** A generous bound on what one image costs in prompt tokens. */
const IMAGE_TOKENS_BOUND = 1500;

type Measure = (text: string) => number | Promise<number>;

/** The messages' text and per-message overhead, as `measure` counts text. */
export async function textTokens(messages: ChatMessage[], measure: Measure): Promise<number> {
  let total = 0;
  for (const m of messages) total += (await measure(textOf(m.content))) + MESSAGE_OVERHEAD;
  return total;
}

/** What the prompt costs, counted with the tokenizer: for usage the upstream did not report. */
export async function promptTokenCount(messages: ChatMessage[]): Promise<number> {
  return REPLY_PRIMING + (await textTokens(messages, countTokens));
}

/** The most the prompt can cost: every byte a token, images and files at a generous bound. */
export function promptUpperBound(messages: ChatMessage[]): number {
  let tokens = REPLY_PRIMING;
  for (const m of messages) {
    tokens += upperBound(textOf(m.content)) + MESSAGE_OVERHEAD;
    if (!Array.isArray(m.content)) continue;
    for (const part of m.content) {
      if (part.type === "image_url") tokens += IMAGE_TOKENS_BOUND;
      else if (part.type === "file") tokens += JSON.stringify(part).length;
    }
  }
  return tokens;
}
