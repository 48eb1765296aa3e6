// `textllm serve`: load config, open the database (migrating it), listen, and stop cleanly on
// SIGTERM/SIGINT.
import { join } from "node:path";
import { buildApp } from "../app.ts";
import type { LoadedConfig } from "../config/load.ts";
import { databaseBackend, redactUrl } from "../config/public-view.ts";
import { closeDeps, createDeps } from "../deps.ts";
import { sqliteFileIn } from "../storage/db/open.ts";
import { VERSION } from "../lib/version.ts";
import { collectWhenQuiet } from "../observability/quiet-collector.ts";
import { setupHint } from "../providers/registry.ts";

/** Where data, files and the shared limits live — a wrong URL shows in the first line of the log. */
function backends(loaded: LoadedConfig): { database: string; files: string; limits: string } {
  const { database, storage, redis } = loaded.config;
  const s3 = storage.s3;
  return {
    database: databaseBackend(loaded) === "postgres" ? redactUrl(database.url) : `sqlite (${sqliteFileIn(loaded.dataDir)})`,
    files: s3.enabled ? `s3 (bucket ${s3.bucket}${s3.endpoint ? ` at ${redactUrl(s3.endpoint)}` : ""})` : `local (${join(loaded.dataDir, "files")})`,
    limits: redis.url ? `redis (${redactUrl(redis.url)}, on_error: ${redis.on_error})` : "memory (this process only)",
  };
}

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
      ...backends(loaded),
    },
    "textllm listening",
  );
  if (!deps.auth.enabled) {
    logger.warn(
      "OPEN MODE: no API keys are configured — anyone who can reach this server can use it and act as any user_id. Set TEXTLLM_API_KEYS (key=user_id,...) and TEXTLLM_ADMIN_KEY to require keys.",
    );
  }

  // Once per model: the first chat would otherwise be the first sign that no upstream is set.
  for (const m of deps.registry.models()) {
    const provider = loaded.providers.find((p) => p.name === m.owned_by);
    if (!provider || m.configured) continue;
    logger.warn({ model: m.id, provider: provider.name }, `model '${m.id}' cannot be used: provider '${provider.name}' has no API key and no base URL. ${setupHint(provider)}`);
  }

  const stopCollecting = collectWhenQuiet(deps.lifecycle, () => {
    const started = performance.now();
    Bun.gc(true);
    logger.debug({ ms: Math.round(performance.now() - started), rss_mb: Math.round(process.memoryUsage.rss() / 1048576) }, "quiet: heap collected");
  });

  // Graceful shutdown: readiness turns 503 and new work is refused at once; requests and streams
  // in flight finish (their usage written) within the grace period; then connections close.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const grace = loaded.config.server.shutdown_grace_seconds * 1000;
    logger.info({ signal, grace_seconds: grace / 1000 }, "draining: readiness is 503, new work is refused");
    deps.lifecycle.startDraining();
    stopCollecting();
    const drained = await deps.lifecycle.idle(grace);
    if (!drained) logger.warn({ grace_seconds: grace / 1000 }, "grace period over: closing the connections still open");
    await server.stop(true);
    await closeDeps(deps);
    logger.info("stopped");
    logger.flush();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}
