// Which provider serves a model: the model's own `provider:` in config.yaml, otherwise the first
// provider whose `models` globs match the name.
import type { LoadedConfig } from "../config/load.ts";
import { notFound } from "../errors.ts";
import type { ChatProvider } from "./provider.ts";

export interface Route {
  provider: ChatProvider;
  /** The name sent upstream (a model may be renamed with upstream_model). */
  upstreamModel: string;
}

export interface ModelEntry {
  id: string;
  owned_by: string;
}

export interface ProviderRegistry {
  route(model: string): Route;
  models(): ModelEntry[];
}

const globToRegExp = (glob: string) =>
  new RegExp(`^${glob.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);

export function createRegistry(loaded: LoadedConfig, make: (name: string) => ChatProvider): ProviderRegistry {
  const byName = new Map(loaded.providers.map((p) => [p.name, make(p.name)]));
  const patterns = loaded.providers.map((p) => ({ name: p.name, res: p.models.map(globToRegExp) }));
  const { models } = loaded.config;

  const providerNameFor = (model: string): string | undefined =>
    models[model]?.provider ?? patterns.find((p) => p.res.some((re) => re.test(model)))?.name;

  return {
    route(model) {
      const name = providerNameFor(model);
      const provider = name ? byName.get(name) : undefined;
      if (!provider) {
        throw notFound(`The model '${model}' does not exist or no configured provider serves it.`, "model_not_found");
      }
      return { provider, upstreamModel: models[model]?.upstream_model ?? model };
    },
    models() {
      const names = new Set([loaded.config.model, ...Object.keys(models)]);
      return [...names].map((id) => ({ id, owned_by: providerNameFor(id) ?? "unrouted" }));
    },
  };
}
