// The context sent upstream: the system prompt, then as much stored history as fits, then the new
// turn. History is bounded by max_history_items and by the model's context window (minus room for
// the answer); the oldest turns are dropped first; the system prompt and the new turn always stay.
import { badRequest } from "../errors.ts";
import type { ChatMessage } from "./messages.ts";
import { textTokens } from "./prompt-size.ts";
import { countTokens, upperBound } from "./token-count.ts";

export interface ContextInput {
  systemPrompt: string;
  /** Stored messages, oldest first. */
  history: ChatMessage[];
  newTurn: ChatMessage[];
  maxHistoryItems: number;
  contextWindow: number;
  /** Tokens kept free for the answer. */
  reserveForOutput: number;
}

export interface Context {
  messages: ChatMessage[];
  /** How many stored messages were left out to fit. */
  dropped: number;
}

export async function buildContext(input: ContextInput): Promise<Context> {
  const system: ChatMessage[] = input.systemPrompt ? [{ role: "system", content: input.systemPrompt }] : [];
  let history = input.history.slice(-input.maxHistoryItems);
  // A tool result whose call was cut off is meaningless upstream (and refused): drop it too.
  while (history[0]?.role === "tool") history = history.slice(1);
  const budget = input.contextWindow - input.reserveForOutput;
  const dropped0 = input.history.length - history.length;

  const all = () => [...system, ...history, ...input.newTurn];
  if ((await textTokens(all(), upperBound)) <= budget) return { messages: all(), dropped: dropped0 };

  // Near the limit: count exactly, then drop the oldest history until it fits.
  const fixed = await textTokens([...system, ...input.newTurn], countTokens);
  if (fixed > budget) {
    throw badRequest(
      `This model's context window is ${input.contextWindow} tokens; the new message and system prompt alone need about ${fixed} (with ${input.reserveForOutput} kept for the answer). Shorten the message.`,
      "messages",
      "context_length_exceeded",
    );
  }
  const sizes = await Promise.all(history.map((m) => textTokens([m], countTokens)));
  let total = fixed + sizes.reduce((a, b) => a + b, 0);
  let start = 0;
  while (total > budget && start < history.length) total -= sizes[start++]!;
  // Never start the kept history with an assistant reply whose question was dropped.
  while (start < history.length && history[start]!.role !== "user") start++;
  history = history.slice(start);
  return { messages: all(), dropped: dropped0 + start };
}
