// prompts.yaml: the system prompt sent in front of every conversation, optionally per model.
import { existsSync, readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { ConfigError } from "./config-error.ts";

export interface Prompts {
  system: string;
  /** Model name → system prompt that replaces `system` for that model. */
  models: Record<string, string>;
}

export const DEFAULT_SYSTEM_PROMPT = "You are a helpful assistant. Answer clearly and accurately; say so when you are not sure.";

export function loadPrompts(path: string): Prompts {
  if (!existsSync(path)) return { system: DEFAULT_SYSTEM_PROMPT, models: {} };
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, "utf8"));
  } catch (err) {
    throw new ConfigError([`${path}: not valid YAML: ${(err as Error).message.split("\n")[0]}`]);
  }
  const obj = (doc ?? {}) as Record<string, unknown>;
  if (typeof obj !== "object" || Array.isArray(obj)) {
    throw new ConfigError([`${path}: expected a mapping with a "system" key`]);
  }
  const system = obj.system ?? DEFAULT_SYSTEM_PROMPT;
  if (typeof system !== "string") throw new ConfigError([`${path}: system: expected a string`]);
  const models: Record<string, string> = {};
  const perModel = obj.models ?? {};
  if (typeof perModel !== "object" || perModel === null || Array.isArray(perModel)) {
    throw new ConfigError([`${path}: models: expected a mapping of model name → prompt`]);
  }
  for (const [name, prompt] of Object.entries(perModel)) {
    if (typeof prompt !== "string") throw new ConfigError([`${path}: models.${name}: expected a string`]);
    models[name] = prompt;
  }
  return { system: system.trim(), models };
}

export function systemPromptFor(prompts: Prompts, model: string): string {
  return prompts.models[model] ?? prompts.system;
}
