// Model prices and the cost of one request, in exact integer arithmetic. Config prices are USD per
// 1,000 tokens (the seeds' unit); internally a price is pico-dollars per token (1e-12 USD), so
// tokens × price is an exact integer, rounded once (half up) to the stored micro-dollars.
import type { Config, Price } from "../config/schema.ts";

export interface TokenPrices {
  input: bigint;
  cachedInput: bigint;
  output: bigint;
}

export interface TokenUsage {
  prompt_tokens: number;
  completion_tokens: number;
  /** Prompt tokens the upstream served from its cache (billed at the cached price, not twice). */
  cached_tokens: number;
}

/** USD per 1K tokens → pico-dollars per token: × 1e12 / 1e3. */
const picoPerToken = (usdPer1k: number): bigint => BigInt(Math.round(usdPer1k * 1e9));

export function pricesFor(config: Config, model: string): TokenPrices {
  const price: Price = config.models[model]?.pricing ?? config.pricing;
  const input = picoPerToken(price.input_per_1k);
  return {
    input,
    cachedInput: price.cached_input_per_1k === undefined ? input : picoPerToken(price.cached_input_per_1k),
    output: picoPerToken(price.output_per_1k),
  };
}

const PICO_PER_MICRO = 1_000_000n;

/** Cost in micro-dollars. */
export function costMicros(prices: TokenPrices, usage: TokenUsage): number {
  const cached = BigInt(Math.min(Math.max(usage.cached_tokens, 0), usage.prompt_tokens));
  const uncached = BigInt(usage.prompt_tokens) - cached;
  const pico = uncached * prices.input + cached * prices.cachedInput + BigInt(usage.completion_tokens) * prices.output;
  return Number((pico + PICO_PER_MICRO / 2n) / PICO_PER_MICRO);
}
