#!/usr/bin/env bun
// Entry point of the single binary: argv → serve | migrate | chat | healthcheck | --version | --help.
import { ConfigError } from "./config/config-error.ts";
import { loadConfig } from "./config/load.ts";
import { HELP } from "./commands/help.ts";
import { healthcheck } from "./commands/healthcheck.ts";
import { migrate } from "./commands/migrate.ts";
import { applyStartEnvironment } from "./commands/start-environment.ts";
import { VERSION } from "./lib/version.ts";

async function main(argv: string[]): Promise<number> {
  const [command = "serve", ...rest] = argv;
  if (command === "--version" || command === "-v" || command === "version") {
    console.log(VERSION);
    return 0;
  }
  if (command === "--help" || command === "-h" || command === "help") {
    console.log(HELP);
    return 0;
  }
  if (command === "chat") return (await import("./cli/chat-command.ts")).chatCommand(rest, process.env); // the terminal client: not loaded by the server
  if (command === "healthcheck") return healthcheck(rest, { env: process.env, out: (line) => console.log(line), err: (line) => console.error(line) });
  if (command !== "serve" && command !== "migrate") {
    console.error(`textllm: unknown command '${command}'. Run 'textllm --help' for the list.`);
    return 2;
  }
  if (rest.length) {
    console.error(`textllm ${command}: unexpected argument '${rest[0]}'. Run 'textllm --help'.`);
    return 2;
  }
  const loaded = loadConfig({ env: process.env, cwd: process.cwd() });
  if (command === "migrate") {
    await migrate(loaded, (line) => console.log(line));
    return 0;
  }
  applyStartEnvironment(loaded.config.server.max_upstream_connections);
  // Loaded only now: the re-execution above happens before the server's modules are evaluated.
  const { serve } = await import("./commands/serve.ts");
  await serve(loaded);
  return -1; // keep running
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    if (err instanceof ConfigError) {
      console.error(`textllm: ${err.message}`);
      process.exit(78); // EX_CONFIG
    }
    console.error(`textllm: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
