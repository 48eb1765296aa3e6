// Which provider serves a model: the model's own `provider:` in config.yaml, otherwise the first
// provider whose `models` globs match the name. A provider with neither a key nor a base URL of
// its own cannot answer: requests routed to it are refused at once with what to set, instead of
// retrying an upstream that will never accept them.
import type { LoadedConfig } from "../config/load.ts";
import { isProviderConfigured, type ResolvedProvider } from "../config/providers.ts";
import { notFound, serviceUnavailable } from "../errors.ts";
import type { ChatProvider } from "./provider.ts";

export interface Route {
  provider: ChatProvider;
  /** The name sent upstream (a model may be renamed with upstream_model). */
  upstreamModel: string;
}

export interface ModelEntry {
  id: string;
  owned_by: string;
  /** False when its provider has no key and no base URL: requests for it get 503 provider_not_configured. */
  configured: boolean;
}

export interface ProviderRegistry {
  route(model: string): Route;
  models(): ModelEntry[];
}

const globToRegExp = (glob: string) =>
  new RegExp(`^${glob.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);

/** What to set so that `provider` can answer: its key, a base URL, or a providers: list. */
export function setupHint(provider: ResolvedProvider): string {
  const key = provider.apiKeyEnv ?? `an api_key_env for provider '${provider.name}' in config.yaml`;
  const local =
    provider.name === "openai"
      ? "OPENAI_BASE_URL for a local OpenAI-compatible server such as Ollama or vLLM (e.g. http://localhost:11434/v1)"
      : `a base_url for provider '${provider.name}' in config.yaml for a local OpenAI-compatible server such as Ollama or vLLM`;
  return `Set ${key}, or ${local}, or configure \`providers:\` in config.yaml.`;
}

export function createRegistry(loaded: LoadedConfig, make: (name: string) => ChatProvider): ProviderRegistry {
  const byName = new Map(loaded.providers.map((p) => [p.name, make(p.name)]));
  const resolved = new Map(loaded.providers.map((p) => [p.name, p]));
  const patterns = loaded.providers.map((p) => ({ name: p.name, res: p.models.map(globToRegExp) }));
  const { models } = loaded.config;

  const providerNameFor = (model: string): string | undefined =>
    models[model]?.provider ?? patterns.find((p) => p.res.some((re) => re.test(model)))?.name;
  const configured = (name: string | undefined) => {
    const p = name ? resolved.get(name) : undefined;
    return p !== undefined && isProviderConfigured(p);
  };

  return {
    route(model) {
      const name = providerNameFor(model);
      const provider = name ? byName.get(name) : undefined;
      if (!provider) {
        throw notFound(`The model '${model}' does not exist or no configured provider serves it.`, "model_not_found");
      }
      if (!configured(name)) {
        const p = resolved.get(name!)!;
        throw serviceUnavailable(`The model '${model}' is served by provider '${p.name}', which has no API key and no base URL. ${setupHint(p)}`, "provider_not_configured");
      }
      return { provider, upstreamModel: models[model]?.upstream_model ?? model };
    },
    models() {
      // The default model, then every configured or built-in model some provider serves.
      const names = [...new Set([loaded.config.model, ...Object.keys(models)])];
      return names
        .map((id) => ({ id, provider: providerNameFor(id) }))
        .filter((m) => m.id === loaded.config.model || m.provider !== undefined)
        .map((m) => ({ id: m.id, owned_by: m.provider ?? "unrouted", configured: configured(m.provider) }));
    },
  };
}
