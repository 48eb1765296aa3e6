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

/** Converted once per configured price (config is not changed in place): every request prices its call. */
const converted = new WeakMap<Price, TokenPrices>();

export function pricesFor(config: Config, model: string): TokenPrices {
  const price: Price = config.models[model]?.pricing ?? config.pricing;
  let prices = converted.get(price);
  if (!prices) {
    const input = picoPerToken(price.input_per_1k);
    prices = {
      input,
      cachedInput: price.cached_input_per_1k === undefined ? input : picoPerToken(price.cached_input_per_1k),
      output: picoPerToken(price.output_per_1k),
    };
    converted.set(price, prices);
  }
  return prices;
}

const PICO_PER_MICRO = 1_000_000n;

const isCount = (n: number) => Number.isInteger(n) && n >= 0;

/** Cost in micro-dollars. */
export function costMicros(prices: TokenPrices, usage: TokenUsage): number {
  const cached = Math.min(Math.max(usage.cached_tokens, 0), usage.prompt_tokens);
  const uncached = usage.prompt_tokens - cached;
  // Integers below 2^53 are exact in floating point, so are their products and sums while they
  // stay below it: every ordinary call. Larger ones take BigInt; both round half up once.
  const pico = uncached * Number(prices.input) + cached * Number(prices.cachedInput) + usage.completion_tokens * Number(prices.output) + 500_000;
  if (pico <= Number.MAX_SAFE_INTEGER && isCount(uncached) && isCount(cached) && isCount(usage.completion_tokens)) {
    return (pico - (pico % 1_000_000)) / 1_000_000;
  }
  const exact = BigInt(uncached) * prices.input + BigInt(cached) * prices.cachedInput + BigInt(usage.completion_tokens) * prices.output;
  return Number((exact + PICO_PER_MICRO / 2n) / PICO_PER_MICRO);
}
