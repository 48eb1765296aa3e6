// models.<name>.deployments / fallbacks in config.yaml: the forms accepted and the mistakes refused at start-up.
import { afterAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { ConfigError } from "../../src/config/config-error.ts";
import { deploymentsOf } from "../../src/config/deployments.ts";
import { tempDir } from "../support/temp.ts";

const dirs: Array<() => void> = [];
afterAll(() => dirs.forEach((cleanup) => cleanup()));

const load = (yaml: string) => {
  const d = tempDir();
  dirs.push(d.cleanup);
  writeFileSync(join(d.path, "config.yaml"), yaml);
  return loadConfig({ env: {}, cwd: d.path });
};
const problemsOf = (yaml: string): string[] => {
  try {
    load(yaml);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error("expected a ConfigError");
};

const PROVIDERS = "providers:\n  - { name: local, base_url: 'http://127.0.0.1:1/v1' }\n  - { name: hosted, api_key_env: HOSTED_KEY }\n";

test("deployments with weights (default 1); the single-provider form is one deployment", () => {
  const { config } = load(`${PROVIDERS}models:
  duo:
    deployments:
      - { provider: local, upstream_model: qwen, weight: 3 }
      - { provider: hosted }
    fallbacks: [gpt-4o-mini]
  solo: { provider: hosted, upstream_model: vendor/solo }
`);
  expect(deploymentsOf(config, "duo", () => undefined)).toEqual([
    { provider: "local", upstreamModel: "qwen", weight: 3, key: "local/qwen" },
    { provider: "hosted", upstreamModel: "duo", weight: 1, key: "hosted/duo" },
  ]);
  expect(deploymentsOf(config, "solo", () => undefined)).toEqual([{ provider: "hosted", upstreamModel: "vendor/solo", weight: 1, key: "hosted/vendor/solo" }]);
  expect(deploymentsOf(config, "glob-matched", () => "local")).toEqual([
    { provider: "local", upstreamModel: "glob-matched", weight: 1, key: "local/glob-matched" },
  ]);
  expect(config.routing).toEqual({ failure_threshold: 5, failure_window_seconds: 30, cooldown_seconds: 30, retries_with_alternatives: 0 });
});

test.each([
  [
    "an unknown provider in a deployment",
    "models:\n  m: { deployments: [{ provider: nowhere }] }\n",
    'models.m.deployments.0.provider: "nowhere" is not valid',
  ],
  [
    "deployments and provider together",
    "models:\n  m: { provider: local, deployments: [{ provider: hosted }] }\n",
    "models.m: give either deployments or provider/upstream_model, not both",
  ],
  ["a fallback that is no listed model", "models:\n  m: { provider: local, fallbacks: [mystery] }\n", 'models.m.fallbacks: "mystery" is not valid'],
  ["a model falling back to itself", "models:\n  m: { provider: local, fallbacks: [m] }\n", 'models.m.fallbacks: "m" is the model itself'],
  ["a negative weight", "models:\n  m: { deployments: [{ provider: local, weight: -1 }] }\n", "models.m.deployments.0.weight"],
  ["an unknown routing key", "routing: { cooldown: 5 }\n", "routing.cooldown: unknown key"],
])("%s is refused at start-up", (_name, yaml, expected) => {
  const problems = problemsOf(`${PROVIDERS}${yaml}`);
  expect(problems.some((p) => p.includes(expected))).toBe(true);
});
