// The one home of "how long may the answer be": the room a request's answer may take (budgets
// reserve for it) and the room kept free for it in the context window (history is fitted around
// it). Both start from what the request asked for (max_completion_tokens / max_tokens).
import type { Config } from "../config/schema.ts";

/** Answer room assumed when neither the request nor its model says. */
export const DEFAULT_ANSWER_TOKENS = 4096;

/** The answer room the request asked for, or 0 when it did not say. */
export function requestedAnswerTokens(params: object): number {
  const { max_completion_tokens, max_tokens } = params as { max_completion_tokens?: unknown; max_tokens?: unknown };
  const asked = Number(max_completion_tokens ?? max_tokens ?? 0);
  return Math.max(asked, 0);
}

/** The most the answer can take: what was asked, else the model's max_output_tokens, else the default. */
export function answerRoom(config: Config, model: string, requested: number): number {
  return requested > 0 ? requested : (config.models[model]?.max_output_tokens ?? DEFAULT_ANSWER_TOKENS);
}

/** Room kept free in the context window: what was asked, else the default but at most a quarter of the window. */
export function contextReserve(contextWindow: number, requested: number): number {
  return requested > 0 ? requested : Math.min(DEFAULT_ANSWER_TOKENS, Math.floor(contextWindow / 4));
}
