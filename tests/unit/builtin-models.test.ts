// The binary's built-in model table and the repository's config.yaml say the same thing, and
// config.yaml's models: extends or overrides the table field by field.
import { afterEach, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { BUILTIN_MODELS } from "../../src/config/builtin-models.ts";
import { loadConfig } from "../../src/config/load.ts";
import { pricesFor } from "../../src/pricing/prices.ts";
import { tempDir } from "../support/temp.ts";

const ROOT = join(import.meta.dir, "../..");
let cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

function configIn(yaml: string | null): string {
  const d = tempDir();
  cleanups.push(d.cleanup);
  if (yaml !== null) writeFileSync(join(d.path, "config.yaml"), yaml);
  return d.path;
}

describe("built-in model table", () => {
  test("the repository's config.yaml lists exactly the built-in models, with the same values", () => {
    const file = parse(readFileSync(join(ROOT, "config.yaml"), "utf8")) as { models: Record<string, unknown> };
    expect(file.models).toEqual(BUILTIN_MODELS as Record<string, unknown>);
  });

  test("it covers the common chat and embedding models, each with a context window and prices", () => {
    for (const name of ["gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "text-embedding-3-small", "text-embedding-3-large"]) {
      const m = BUILTIN_MODELS[name]!;
      expect(m.context_window).toBeGreaterThan(0);
      expect(m.pricing!.input_per_1k).toBeGreaterThan(0);
    }
    expect(BUILTIN_MODELS["text-embedding-3-small"]!.pricing!.output_per_1k).toBe(0);
  });

  test("without config.yaml the table applies: gpt-4o-mini is not billed at the flat price", () => {
    const { config } = loadConfig({ env: {}, cwd: configIn(null) });
    expect(config.models["gpt-4o-mini"]).toEqual(BUILTIN_MODELS["gpt-4o-mini"]!);
    // Pico-dollars per token: $0.15 and $0.60 per million, against gpt-4o's $2.50 and $10.
    expect(pricesFor(config, "gpt-4o-mini")).toMatchObject({ input: 150_000n, output: 600_000n });
    expect(pricesFor(config, "gpt-4o")).toMatchObject({ input: 2_500_000n, output: 10_000_000n });
    expect(config.models["gpt-4o-mini"]!.context_window).toBe(128_000);
  });

  test("config.yaml adds models and overrides only the fields it names", () => {
    const { config } = loadConfig({
      env: {},
      cwd: configIn(`
models:
  gpt-4o-mini: { provider: openai, context_window: 64000 }
  gpt-4o: { pricing: { input_per_1k: 0.001, output_per_1k: 0.002 } }
  my-local: { context_window: 8192 }
`),
    });
    expect(config.models["gpt-4o-mini"]).toEqual({ ...BUILTIN_MODELS["gpt-4o-mini"]!, provider: "openai", context_window: 64000 });
    expect(config.models["gpt-4o"]!.pricing).toEqual({ input_per_1k: 0.001, output_per_1k: 0.002 });
    expect(config.models["my-local"]).toEqual({ context_window: 8192 });
    expect(config.models["text-embedding-3-large"]).toEqual(BUILTIN_MODELS["text-embedding-3-large"]!);
  });
});
