import { describe, expect, test } from "bun:test";
import { costMicros, pricesFor } from "../../src/pricing/prices.ts";
import { microsToUsd, usdToMicros } from "../../src/pricing/money.ts";
import type { Config } from "../../src/config/schema.ts";

const config = {
  pricing: { input_per_1k: 0.0025, output_per_1k: 0.01 },
  models: {
    "gpt-4o-mini": { context_window: 128000, pricing: { input_per_1k: 0.00015, cached_input_per_1k: 0.000075, output_per_1k: 0.0006 } },
    "no-cache-price": { context_window: 8192, pricing: { input_per_1k: 0.001, output_per_1k: 0.002 } },
  },
} as unknown as Config;

describe("cost in integer micro-dollars", () => {
  test("unknown models use the flat seed pricing: the seed's own example", () => {
    // 12 input + 15 output tokens at $0.0025/$0.01 per 1K = 0.00003 + 0.00015 = $0.000180
    expect(costMicros(pricesFor(config, "some-model"), { prompt_tokens: 12, completion_tokens: 15, cached_tokens: 0 })).toBe(180);
  });

  test("per-model prices apply, and cached prompt tokens are billed once, at the cached price", () => {
    const p = pricesFor(config, "gpt-4o-mini");
    // 1,000,000 prompt tokens of which 400,000 cached, 100,000 output:
    // 600,000 × 0.15/1M + 400,000 × 0.075/1M + 100,000 × 0.6/1M = 0.09 + 0.03 + 0.06 = $0.18
    expect(costMicros(p, { prompt_tokens: 1_000_000, completion_tokens: 100_000, cached_tokens: 400_000 })).toBe(180_000);
    // Without a cached price, cached tokens cost the normal input price — still billed only once.
    const q = pricesFor(config, "no-cache-price");
    expect(costMicros(q, { prompt_tokens: 1000, completion_tokens: 0, cached_tokens: 600 })).toBe(1000);
  });

  test("rounds half up once per request, exactly (no float drift)", () => {
    const p = pricesFor(config, "gpt-4o-mini");
    // 1 token at $0.00015/1K = 0.15 µ$ → 0; 4 tokens = 0.6 µ$ → 1; 10 tokens = 1.5 µ$ → 2
    expect(costMicros(p, { prompt_tokens: 1, completion_tokens: 0, cached_tokens: 0 })).toBe(0);
    expect(costMicros(p, { prompt_tokens: 4, completion_tokens: 0, cached_tokens: 0 })).toBe(1);
    expect(costMicros(p, { prompt_tokens: 10, completion_tokens: 0, cached_tokens: 0 })).toBe(2);
    // A hundred requests sum to exactly a hundred times one request.
    const one = costMicros(pricesFor(config, "x"), { prompt_tokens: 333, completion_tokens: 77, cached_tokens: 0 });
    expect(Array.from({ length: 100 }, () => one).reduce((a, b) => a + b, 0)).toBe(one * 100);
  });

  test("large token counts stay exact", () => {
    const c = costMicros(pricesFor(config, "x"), { prompt_tokens: 2_000_000_000, completion_tokens: 1_000_000_000, cached_tokens: 0 });
    expect(c).toBe(5_000_000_000 + 10_000_000_000); // $5,000 + $10,000
  });

  test("dollars ↔ micro-dollars", () => {
    expect(usdToMicros(5)).toBe(5_000_000);
    expect(usdToMicros(0.000165)).toBe(165);
    expect(microsToUsd(165)).toBe(0.000165);
  });

  test("the fast path agrees with exact integer arithmetic, near 2^53 too", () => {
    const exact = (p: ReturnType<typeof pricesFor>, u: { prompt_tokens: number; completion_tokens: number; cached_tokens: number }) => {
      const cached = BigInt(Math.min(Math.max(u.cached_tokens, 0), u.prompt_tokens));
      const pico = (BigInt(u.prompt_tokens) - cached) * p.input + cached * p.cachedInput + BigInt(u.completion_tokens) * p.output;
      return Number((pico + 500_000n) / 1_000_000n);
    };
    const p = pricesFor(config, "gpt-4o-mini");
    let seed = 7;
    const next = (max: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return Math.floor((seed / 2 ** 31) * max);
    };
    for (let i = 0; i < 2000; i++) {
      const max = [100, 10_000, 1e9, 1e12][i % 4]!;
      const u = { prompt_tokens: next(max), completion_tokens: next(max), cached_tokens: next(max) };
      expect(costMicros(p, u)).toBe(exact(p, u));
    }
    // Around the largest exact double: 2^53 / 600,000 pico per output token.
    for (const tokens of [15_011_998_757, 15_011_998_758, 15_011_998_759]) {
      const u = { prompt_tokens: 0, completion_tokens: tokens, cached_tokens: 0 };
      expect(costMicros(p, u)).toBe(exact(p, u));
    }
  });
});
