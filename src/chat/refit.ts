// A request moving to a fallback model gets that model's context window: its messages are fitted
// again with the history rules of /chat (history.ts) — the system prompt and the newest turn stay,
// the oldest history goes first. A request that already fits is sent unchanged.
import type { Config } from "../config/schema.ts";
import { DEFAULT_CONTEXT_WINDOW } from "../config/schema.ts";
import { buildContext } from "./history.ts";
import type { ChatMessage } from "./messages.ts";
import { textOf } from "./messages.ts";
import { contextReserve, requestedAnswerTokens } from "./answer-room.ts";

export function refitFor(config: Config) {
  return async <B extends { model: string }>(body: B, model: string): Promise<B> => {
    const messages = (body as { messages?: unknown }).messages;
    if (!Array.isArray(messages) || messages.length === 0) return body; // embeddings: nothing to fit
    const all = messages as ChatMessage[];
    const contextWindow = config.models[model]?.context_window ?? DEFAULT_CONTEXT_WINDOW;
    const leadingSystem = all[0]?.role === "system" && typeof all[0].content === "string";
    const lastUser = all.findLastIndex((m) => m.role === "user");
    const start = leadingSystem ? 1 : 0;
    const turnStart = Math.max(lastUser, start);
    const { messages: fitted } = await buildContext({
      systemPrompt: leadingSystem ? textOf(all[0]!.content) : "",
      history: all.slice(start, turnStart),
      newTurn: all.slice(turnStart),
      maxHistoryItems: all.length,
      contextWindow,
      reserveForOutput: contextReserve(contextWindow, requestedAnswerTokens(body)),
    });
    return { ...body, messages: fitted };
  };
}
