// The most a call can cost, as the budget reserves it: every prompt token at the input price and
// all the answer room at the output price — a function of the answer room, so the budget can lower
// it to what is left (min_answer_tokens at least) instead of refusing outright.
import { costMicros, type TokenPrices } from "../pricing/prices.ts";
import type { BudgetAsk } from "./budget.ts";

export interface WorstCase {
  /** The prices of every model that may answer (a fallback may): the most expensive is reserved for. */
  prices: TokenPrices[];
  /** An upper bound of the prompt's tokens. */
  promptTokens: number;
  /** The answer room the call may use (0 for calls without an answer, e.g. embeddings). */
  answerTokens: number;
  /** The least answer room still worth the call. */
  minAnswerTokens: number;
}

export function worstCaseAsk(worstCase: WorstCase): BudgetAsk {
  return {
    costOf: (outputTokens) =>
      Math.max(...worstCase.prices.map((p) => costMicros(p, { prompt_tokens: worstCase.promptTokens, completion_tokens: outputTokens, cached_tokens: 0 }))),
    outputTokens: worstCase.answerTokens,
    minOutputTokens: Math.min(worstCase.minAnswerTokens, worstCase.answerTokens),
  };
}
