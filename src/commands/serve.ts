// `textllm serve`: load config, open the database (migrating it), listen, and stop cleanly on
// SIGTERM/SIGINT.
import { join } from "node:path";
import { buildApp } from "../app.ts";
import type { LoadedConfig } from "../config/load.ts";
import { redactUrl } from "../lib/redact-url.ts";
import { closeDeps, createDeps, type Deps } from "../deps.ts";
import { sqliteFileIn } from "../storage/db/open.ts";
import { VERSION } from "../lib/version.ts";
import { warmTokenCounter } from "../chat/token-count.ts";
import { idleTimeoutSeconds } from "../http/server-timeouts.ts";
import { upstreamLimit } from "./start-environment.ts";
import { collectWhenQuiet } from "../observability/quiet-collector.ts";
import { setupHint } from "../providers/registry.ts";

/** Where data, files and the shared limits live, as built — a wrong URL shows in the first line of the log. */
function backends(loaded: LoadedConfig, built: Pick<Deps, "store" | "blobs" | "limiter">): { database: string; files: string; limits: string } {
  const { database, storage, redis } = loaded.config;
  const s3 = storage.s3;
  return {
    database: built.store.dialect === "postgres" ? redactUrl(database.url) : `sqlite (${sqliteFileIn(loaded.dataDir)})`,
    files:
      built.blobs.backend === "s3"
        ? `s3 (bucket ${s3.bucket}${s3.endpoint ? ` at ${redactUrl(s3.endpoint)}` : ""})`
        : `local (${join(loaded.dataDir, "files")})`,
    limits: built.limiter.backend === "redis" ? `redis (${redactUrl(redis.url)}, on_error: ${redis.on_error})` : "memory (this process only)",
  };
}

/** How long the calls cut at the end of the grace period may take to be stored. */
const CUT_STORE_TIMEOUT_MS = 10_000;
/** How long their final error events get to reach the clients. */
const FINAL_FRAMES_MS = 1_000;

/** A busy port is a start-up error that says so. */
function listenError(err: unknown, address: string): Error {
  const code = (err as { code?: string } | null)?.code;
  if (code === "EADDRINUSE") return new Error(`address already in use: ${address} (is another server listening on it?)`);
  return err instanceof Error ? err : new Error(String(err));
}

export async function serve(loaded: LoadedConfig): Promise<void> {
  const deps = await createDeps(loaded);
  const { logger } = deps;
  const app = buildApp(deps);
  const { host, port } = loaded.config.server;
  try {
    app.listen({ hostname: host, port });
  } catch (err) {
    await closeDeps(deps);
    throw listenError(err, `${host}:${port}`);
  }
  const server = app.server!;

  logger.info(
    {
      version: VERSION,
      url: `http://${host}:${server.port}`,
      config: loaded.configPath ?? "built-in defaults",
      data_dir: loaded.dataDir,
      ...backends(loaded, deps),
      idle_timeout_seconds: idleTimeoutSeconds(loaded),
      max_upstream_connections: upstreamLimit(),
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
    logger.warn(
      { model: m.id, provider: provider.name },
      `model '${m.id}' cannot be used: provider '${provider.name}' has no API key and no base URL. ${setupHint(provider)}`,
    );
  }

  // The binary starts with the JIT reluctant (package.json's build, --compile-jit-policy): code that
  // runs only during start-up stays interpreted instead of being compiled, which cost ~6 MB of
  // resident memory. From here on, the request path tiers up as usual.
  Bun.unsafe.setJITPolicy(1);

  // Start-up garbage (config, migrations, route compilation) is returned before the first request.
  setTimeout(() => Bun.gc(true), 200).unref();
  const stopCollecting = collectWhenQuiet(deps.lifecycle, () => {
    const started = performance.now();
    Bun.gc(true);
    logger.debug({ ms: Math.round(performance.now() - started), rss_mb: Math.round(process.memoryUsage.rss() / 1048576) }, "quiet: heap collected");
  });

  // Graceful shutdown: readiness turns 503 and new work is refused at once; requests and streams
  // in flight finish (their usage written) within the grace period. Streams still open then are
  // cut and stored (partial reply, usage estimated) before connections and the database close.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const grace = loaded.config.server.shutdown_grace_seconds * 1000;
    logger.info({ signal, grace_seconds: grace / 1000, in_flight: deps.lifecycle.inflight }, "draining: readiness is 503, new work is refused");
    deps.lifecycle.startDraining();
    stopCollecting();
    // Streams cut when the grace period ends have their usage estimated: have the tokenizer ready.
    if (deps.lifecycle.inflight > 0) void warmTokenCounter();
    const drained = await deps.lifecycle.idle(grace);
    if (!drained) {
      const { cut, stored } = await deps.lifecycle.cutCalls(CUT_STORE_TIMEOUT_MS);
      const line = { grace_seconds: grace / 1000, calls_cut: cut, in_flight: deps.lifecycle.inflight };
      if (stored) logger.warn(line, "grace period over: upstream calls cut and stored; closing the connections still open");
      else logger.error(line, "grace period over: some cut calls could not be stored in time");
      // Their last answers (a shutting_down error, as an event on streams) go out to clients that still read.
      await deps.lifecycle.idle(FINAL_FRAMES_MS);
    }
    await server.stop(true);
    await closeDeps(deps);
    logger.info("stopped");
    logger.flush();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}
