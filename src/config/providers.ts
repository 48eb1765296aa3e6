// Upstream providers: the `providers:` list of config.yaml with their keys read from the
// environment. With no list, one provider named "openai" serves every model, reached through
// OPENAI_BASE_URL (default OpenAI) with OPENAI_API_KEY.
import type { Config, ProviderConfig } from "./schema.ts";
import type { EnvRecord } from "./env.ts";

export const OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1";

export interface ResolvedProvider {
  name: string;
  baseUrl: string;
  apiKeyEnv: string | null;
  /** The key itself: a secret, never logged or shown by /config. */
  apiKey: string | null;
  models: string[];
  timeoutMs: number;
  maxRetries: number;
}

export function resolveProviders(config: Config, env: EnvRecord): ResolvedProvider[] {
  const list: ProviderConfig[] = config.providers.length
    ? config.providers
    : [{ name: "openai", api_key_env: "OPENAI_API_KEY", models: ["*"], timeout_ms: 60000, max_retries: 2 }];
  return list.map((p) => {
    const isOpenAI = p.name === "openai";
    const keyEnv = p.api_key_env ?? (isOpenAI ? "OPENAI_API_KEY" : null);
    const baseUrl = p.base_url ?? (isOpenAI ? env.OPENAI_BASE_URL || OPENAI_DEFAULT_BASE_URL : OPENAI_DEFAULT_BASE_URL);
    return {
      name: p.name,
      baseUrl: baseUrl.replace(/\/+$/, ""),
      apiKeyEnv: keyEnv,
      apiKey: keyEnv ? env[keyEnv] || null : null,
      models: p.models,
      timeoutMs: p.timeout_ms,
      maxRetries: p.max_retries,
    };
  });
}

/** A provider is usable when it has a key, or points somewhere other than OpenAI (local servers need none). */
export function isProviderConfigured(provider: ResolvedProvider): boolean {
  return provider.apiKey !== null || provider.baseUrl !== OPENAI_DEFAULT_BASE_URL;
}
