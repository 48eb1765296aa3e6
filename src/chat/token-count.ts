// Token counting for the context budget. The BPE tables take about half a second to load, so
// they are loaded only when a conversation gets near its model's window; below that, the UTF-8
// byte count (never fewer than the token count) proves the fit for free.

type Counter = (text: string) => number;
let counter: Promise<Counter> | null = null;

function loadCounter(): Promise<Counter> {
  counter ??= import("gpt-tokenizer/encoding/o200k_base").then((m) => (text: string) => m.countTokens(text));
  return counter;
}

/** Tokens a message costs beyond its text (role and separators, as OpenAI counts them). */
export const MESSAGE_OVERHEAD = 4;

export const upperBound = (text: string): number => Buffer.byteLength(text, "utf8");

/** Loads the tables ahead of need (a shutdown about to estimate the usage of the streams it cuts). */
export const warmTokenCounter = (): Promise<unknown> => loadCounter();

export async function countTokens(text: string): Promise<number> {
  return (await loadCounter())(text);
}
