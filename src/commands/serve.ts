// `textllm serve`: load config, open the database (migrating it), listen, and stop cleanly on
// SIGTERM/SIGINT.
import { buildApp } from "../app.ts";
import type { LoadedConfig } from "../config/load.ts";
import { databaseBackend, redactUrl } from "../config/public-view.ts";
import { closeDeps, createDeps } from "../deps.ts";
import { VERSION } from "../lib/version.ts";

export async function serve(loaded: LoadedConfig): Promise<void> {
  const deps = await createDeps(loaded);
  const { logger } = deps;
  const app = buildApp(deps);
  const { host, port } = loaded.config.server;
  app.listen({ hostname: host, port });
  const server = app.server!;

  logger.info(
    {
      version: VERSION,
      url: `http://${host}:${server.port}`,
      config: loaded.configPath ?? "built-in defaults",
      data_dir: loaded.dataDir,
      database: databaseBackend(loaded) === "postgres" ? redactUrl(loaded.config.database.url) : "sqlite",
    },
    "textllm listening",
  );
  if (!deps.auth.enabled) {
    logger.warn(
      "OPEN MODE: no API keys are configured — anyone who can reach this server can use it and act as any user_id. Set TEXTLLM_API_KEYS (key=user_id,...) and TEXTLLM_ADMIN_KEY to require keys.",
    );
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    const grace = loaded.config.server.shutdown_grace_seconds * 1000;
    const forced = setTimeout(() => server.stop(true), grace);
    await server.stop(false);
    clearTimeout(forced);
    await closeDeps(deps);
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}
