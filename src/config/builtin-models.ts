// The models the binary knows without any config.yaml: OpenAI's public list prices (USD per 1,000
// tokens) and context windows. Without this table the binary alone billed every model at the flat
// `pricing:` (gpt-4o's), 16× too much for gpt-4o-mini. config.yaml's `models:` extends it and
// overrides it field by field; the repository's config.yaml lists the same values (a test checks).
import type { ModelConfig } from "./schema.ts";

const chat = (context_window: number, input: number, cached: number, output: number): ModelConfig => ({
  context_window,
  pricing: { input_per_1k: input, cached_input_per_1k: cached, output_per_1k: output },
});

/** Embedding models bill input only. */
const embedding = (context_window: number, input: number): ModelConfig => ({
  context_window,
  pricing: { input_per_1k: input, output_per_1k: 0 },
});

export const BUILTIN_MODELS: Readonly<Record<string, ModelConfig>> = {
  "gpt-4o": chat(128_000, 0.0025, 0.00125, 0.01),
  "gpt-4o-mini": chat(128_000, 0.00015, 0.000075, 0.0006),
  "gpt-4.1": chat(1_047_576, 0.002, 0.0005, 0.008),
  "gpt-4.1-mini": chat(1_047_576, 0.0004, 0.0001, 0.0016),
  "gpt-4.1-nano": chat(1_047_576, 0.0001, 0.000025, 0.0004),
  "gpt-5": chat(400_000, 0.00125, 0.000125, 0.01),
  "gpt-5-mini": chat(400_000, 0.00025, 0.000025, 0.002),
  "gpt-5-nano": chat(400_000, 0.00005, 0.000005, 0.0004),
  o3: chat(200_000, 0.002, 0.0005, 0.008),
  "o4-mini": chat(200_000, 0.0011, 0.000275, 0.0044),
  "text-embedding-3-small": embedding(8_191, 0.00002),
  "text-embedding-3-large": embedding(8_191, 0.00013),
  "text-embedding-ada-002": embedding(8_191, 0.0001),
};

/**
 * The built-in table with config.yaml's `models:` laid over it: a configured model replaces the
 * built-in fields it names (a whole `pricing` block at once) and keeps the others.
 */
export function withBuiltinModels(configured: Record<string, ModelConfig>): Record<string, ModelConfig> {
  const merged: Record<string, ModelConfig> = {};
  for (const [name, model] of Object.entries(BUILTIN_MODELS)) merged[name] = { ...model };
  for (const [name, model] of Object.entries(configured)) merged[name] = { ...merged[name], ...model };
  return merged;
}
