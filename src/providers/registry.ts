// Which provider serves a model: the model's own `provider:` in config.yaml, otherwise the first
// provider whose `models` globs match the name. A provider with neither a key nor a base URL of
// its own cannot answer: requests routed to it are refused at once with what to set, instead of
// retrying an upstream that will never accept them.
import type { LoadedConfig } from "../config/load.ts";
import { isProviderConfigured, type ResolvedProvider } from "../config/providers.ts";
import { notFound, serviceUnavailable } from "../errors.ts";
import type { ChatProvider } from "./provider.ts";
import { deploymentsOf } from "../config/deployments.ts";
import { deploymentHealth, type DeploymentHealth } from "./deployment-health.ts";
import { failoverProvider, type Answered, type ChainLink, type FailoverOptions } from "./failover.ts";
import { memoryCircuitStore } from "./circuit-store.ts";
import { circuitRules } from "./circuit-health.ts";
import type { CircuitStatus } from "./circuit-breaker.ts";
import { answerNotes, type AnswerNotes } from "./answer-notes.ts";

export interface Route {
  provider: ChatProvider;
  /** The name sent upstream (a model may be renamed with upstream_model). */
  upstreamModel: string;
  /** Every model that may answer — the requested one, then its fallbacks — for the budget's worst case. */
  candidates?: string[];
  /** Which model and deployment answered, once one has (only for models with several candidates). */
  answered?: () => Answered | null;
}

export interface DeploymentStatus {
  model: string;
  provider: string;
  upstream_model: string;
  weight: number;
  state: CircuitStatus;
}

export interface RoutingOptions {
  health?: DeploymentHealth;
  refit?: FailoverOptions["refit"];
  random?: () => number;
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
  /** The circuit state of every deployment of a model with several candidates (for /health). */
  deployments(): Promise<DeploymentStatus[]>;
  /** Who answered each request in flight (for the answer's headers). */
  readonly answers: AnswerNotes;
}

const globToRegExp = (glob: string) =>
  new RegExp(
    `^${glob
      .split("*")
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );

/** What to set so that `provider` can answer: its key, a base URL, or a providers: list. */
export function setupHint(provider: ResolvedProvider): string {
  const key = provider.apiKeyEnv ?? `an api_key_env for provider '${provider.name}' in config.yaml`;
  const local =
    provider.name === "openai"
      ? "OPENAI_BASE_URL for a local OpenAI-compatible server such as Ollama or vLLM (e.g. http://localhost:11434/v1)"
      : `a base_url for provider '${provider.name}' in config.yaml for a local OpenAI-compatible server such as Ollama or vLLM`;
  return `Set ${key}, or ${local}, or configure \`providers:\` in config.yaml.`;
}

export function createRegistry(loaded: LoadedConfig, make: (name: string) => ChatProvider, routing: RoutingOptions = {}): ProviderRegistry {
  const byName = new Map(loaded.providers.map((p) => [p.name, make(p.name)]));
  const resolved = new Map(loaded.providers.map((p) => [p.name, p]));
  const patterns = loaded.providers.map((p) => ({ name: p.name, res: p.models.map(globToRegExp) }));
  const { models } = loaded.config;

  const providerNameFor = (model: string): string | undefined => models[model]?.provider ?? patterns.find((p) => p.res.some((re) => re.test(model)))?.name;
  const configured = (name: string | undefined) => {
    const p = name ? resolved.get(name) : undefined;
    return p !== undefined && isProviderConfigured(p);
  };

  const rules = loaded.config.routing;
  const health = routing.health ?? deploymentHealth(memoryCircuitStore(), circuitRules(loaded.config));
  const refit = routing.refit ?? (async (body) => body);
  const deploymentsFor = (model: string) => deploymentsOf(loaded.config, model, providerNameFor);
  /** Models served by more than one deployment, or with fallbacks, go through failover.ts. */
  const failsOver = (model: string) => deploymentsFor(model).length > 1 || (models[model]?.fallbacks?.length ?? 0) > 0;
  const link = (model: string): ChainLink => ({
    model,
    targets: deploymentsFor(model)
      .filter((d) => configured(d.provider))
      .map((d) => ({
        ...d,
        client: byName.get(d.provider)!,
        timeoutMs: resolved.get(d.provider)!.timeoutMs,
        maxRetries: resolved.get(d.provider)!.maxRetries,
      })),
  });

  const single = (model: string): Route => {
    const deployment = deploymentsFor(model)[0];
    const name = deployment?.provider;
    const provider = name ? byName.get(name) : undefined;
    if (!provider) {
      throw notFound(`The model '${model}' does not exist or no configured provider serves it.`, "model_not_found");
    }
    if (!configured(name)) {
      const p = resolved.get(name!)!;
      throw serviceUnavailable(
        `The model '${model}' is served by provider '${p.name}', which has no API key and no base URL. ${setupHint(p)}`,
        "provider_not_configured",
      );
    }
    return { provider, upstreamModel: deployment!.upstreamModel };
  };

  return {
    answers: answerNotes(),
    route(model) {
      if (!failsOver(model)) return single(model);
      const chain = [model, ...(models[model]?.fallbacks ?? [])].map(link).filter((l) => l.targets.length > 0);
      if (!chain.length) {
        const p = resolved.get(deploymentsFor(model)[0]!.provider)!;
        throw serviceUnavailable(`No deployment of the model '${model}' has a configured provider. ${setupHint(p)}`, "provider_not_configured");
      }
      const provider = failoverProvider({ chain, health, refit, retriesWithAlternatives: rules.retries_with_alternatives, random: routing.random });
      return { provider, upstreamModel: chain[0]!.targets[0]!.upstreamModel, candidates: chain.map((l) => l.model), answered: provider.answered };
    },
    async deployments() {
      const list = Object.keys(models)
        .filter(failsOver)
        .flatMap((model) => deploymentsFor(model).map((d) => ({ model, d })));
      const states = await health.statuses(list.map((x) => x.d.key));
      return list.map(({ model, d }, i) => ({ model, provider: d.provider, upstream_model: d.upstreamModel, weight: d.weight, state: states[i]! }));
    },
    models() {
      // The default model, then every configured or built-in model some provider serves.
      const names = [...new Set([loaded.config.model, ...Object.keys(models)])];
      return names
        .map((id) => ({ id, providers: deploymentsFor(id).map((d) => d.provider) }))
        .filter((m) => m.id === loaded.config.model || m.providers.length > 0)
        .map((m) => ({ id: m.id, owned_by: m.providers[0] ?? "unrouted", configured: m.providers.some(configured) }));
    },
  };
}
