// A model's deployments (provider + upstream model + weight) and fallbacks, read from `models:`.
// The single-provider form (`provider:`, `upstream_model:`, or a provider's `models` globs) is one
// deployment of weight 1; `deployments:` lists several. Checked at start-up with the other keys.
import type { Config } from "./schema.ts";
import { BUILTIN_MODELS } from "./builtin-models.ts";

export interface Deployment {
  provider: string;
  upstreamModel: string;
  weight: number;
  /** Names the deployment in circuit states and /health: provider/upstream model. */
  key: string;
}

/** The deployments of `model`; `providerFor` finds the provider whose `models` globs match a model without one. */
export function deploymentsOf(config: Config, model: string, providerFor: (model: string) => string | undefined): Deployment[] {
  const m = config.models[model];
  if (m?.deployments?.length) {
    return m.deployments.map((d) => {
      const upstreamModel = d.upstream_model ?? model;
      return { provider: d.provider, upstreamModel, weight: d.weight ?? 1, key: `${d.provider}/${upstreamModel}` };
    });
  }
  const provider = m?.provider ?? providerFor(model);
  if (!provider) return [];
  const upstreamModel = m?.upstream_model ?? model;
  return [{ provider, upstreamModel, weight: 1, key: `${provider}/${upstreamModel}` }];
}

/** Start-up problems: unknown providers in deployments, fallbacks that name no model or loop back. */
export function routingProblems(config: Config, providers: Set<string>, origin: string): string[] {
  const problems: string[] = [];
  const expected = [...providers].map((n) => `"${n}"`).join(", ");
  for (const [model, m] of Object.entries(config.models)) {
    (m.deployments ?? []).forEach((d, i) => {
      if (!providers.has(d.provider))
        problems.push(`models.${model}.deployments.${i}.provider: "${d.provider}" is not valid (${origin}): expected one of ${expected}`);
    });
    if (m.deployments?.length && (m.provider || m.upstream_model)) {
      problems.push(`models.${model}: give either deployments or provider/upstream_model, not both (${origin})`);
    }
    for (const fallback of m.fallbacks ?? []) {
      if (fallback === model) problems.push(`models.${model}.fallbacks: "${fallback}" is the model itself (${origin})`);
      else if (!config.models[fallback] && !BUILTIN_MODELS[fallback]) {
        problems.push(
          `models.${model}.fallbacks: "${fallback}" is not valid (${origin}): a fallback must be a model listed under models: (for its prices and context window)`,
        );
      }
    }
  }
  return problems;
}
