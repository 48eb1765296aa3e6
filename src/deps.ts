// The ONE place that turns configuration into running backends: which database, where files go,
// the logger. Everything else receives these as explicit dependencies.
import { join } from "node:path";
import type { LoadedConfig } from "./config/load.ts";
import { createLogger, type Logger } from "./lib/logger.ts";
import { openAICompatible } from "./providers/openai-compatible.ts";
import { createRegistry, type ProviderRegistry } from "./providers/registry.ts";
import { circuitHealth } from "./providers/circuit-health.ts";
import { refitFor } from "./chat/refit.ts";
import { createAuthenticator, type Authenticator } from "./auth/api-keys.ts";
import { budgetService, type BudgetService } from "./budget/budget.ts";
import { cachedDaySpend, storedDaySpend } from "./budget/day-spend.ts";
import { memoryLedger, redisLedger } from "./budget/ledger.ts";
import { fileService, type FileService } from "./files/service.ts";
import { conversationService, type ConversationService } from "./conversations/service.ts";
import { sessionService, type SessionService } from "./sessions/service.ts";
import { connectRedis, type SharedRedis } from "./lib/redis.ts";
import { createLifecycle, type Lifecycle } from "./observability/lifecycle.ts";
import { createMetrics, type Metrics } from "./observability/metrics.ts";
import { createRequestTracker, type RequestTracker } from "./observability/request-tracker.ts";
import { memoryLimiter, type RateLimiter } from "./ratelimit/limiter.ts";
import { redisLimiter } from "./ratelimit/redis-limiter.ts";
import { resilientLimiter } from "./ratelimit/resilient.ts";
import { resilientLedger } from "./budget/resilient-ledger.ts";
import type { BlobStore } from "./storage/blobs/blob-store.ts";
import { localBlobStore } from "./storage/blobs/local-blob-store.ts";
import { s3BlobStore } from "./storage/blobs/s3-blob-store.ts";
import { openStore, sqliteFileIn, type DatabaseTarget } from "./storage/db/open.ts";
import type { Store } from "./storage/db/store.ts";
import { answerStreams, type AnswerStreams } from "./chat/answer-streams.ts";
import { memoryEventLog } from "./chat/event-log.ts";
import { redisEventLog } from "./chat/redis-event-log.ts";
import { idempotencyService, type IdempotencyService } from "./chat/idempotency.ts";

export interface Deps {
  loaded: LoadedConfig;
  store: Store;
  registry: ProviderRegistry;
  blobs: BlobStore;
  files: FileService;
  conversations: ConversationService;
  sessions: SessionService;
  auth: Authenticator;
  limiter: RateLimiter;
  budget: BudgetService;
  /** Set when rate limits and budget reservations are shared through Redis. */
  redis: SharedRedis | null;
  metrics: Metrics;
  lifecycle: Lifecycle;
  tracker: RequestTracker;
  /** Streamed answers' event logs (resume after a dropped connection) and running generations. */
  streams: AnswerStreams;
  /** Idempotency-Key claims and kept answers, in the database (shared by replicas on Postgres). */
  idempotency: IdempotencyService;
  logger: Logger;
  now: () => Date;
  startedAt: Date;
}

/** Postgres when a DATABASE_URL is set (and DATABASE_ENABLED is not false), else the embedded SQLite file. */
export function databaseBackend(loaded: LoadedConfig): "postgres" | "sqlite" {
  const { enabled, url } = loaded.config.database;
  return enabled && url !== "" ? "postgres" : "sqlite";
}

export function databaseTarget(loaded: LoadedConfig): DatabaseTarget {
  return databaseBackend(loaded) === "postgres"
    ? { kind: "postgres", url: loaded.config.database.url, poolSize: loaded.config.database.pool_size, queryTimeoutMs: loaded.config.database.query_timeout_ms }
    : { kind: "sqlite", path: sqliteFileIn(loaded.dataDir) };
}

export function blobStore(loaded: LoadedConfig): BlobStore {
  const s3 = loaded.config.storage.s3;
  return s3.enabled
    ? s3BlobStore({
        endpoint: s3.endpoint,
        bucket: s3.bucket,
        region: s3.region,
        accessKeyId: s3.access_key,
        secretAccessKey: s3.secret_key,
        urlExpirationSeconds: s3.url_expiration,
      })
    : localBlobStore(join(loaded.dataDir, "files"));
}

export interface DepsOverrides {
  logger?: Logger;
  now?: () => Date;
}

/** Opens the database, applies pending migrations and assembles the dependencies. */
export async function createDeps(loaded: LoadedConfig, overrides: DepsOverrides = {}): Promise<Deps> {
  const c = loaded.config;
  const logger = overrides.logger ?? createLogger({ level: c.logging.level, logToFile: c.logging.log_to_file, logDir: c.logging.log_dir });
  const target = databaseTarget(loaded);
  const store = openStore(target);
  try {
    await store.migrate();
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  const now = overrides.now ?? (() => new Date());
  const metrics = createMetrics({ models: [c.model, ...Object.keys(c.models)], providers: loaded.providers.map((p) => p.name) });
  const lifecycle = createLifecycle();
  const onRetry = (provider: string) => metrics.upstreamRetries.inc({ provider });
  const redis = c.redis.url ? connectRedis(c.redis.url) : null;
  const registry = createRegistry(loaded, (name) => openAICompatible(loaded.providers.find((p) => p.name === name)!, { onRetry }), {
    health: circuitHealth(c, redis, () => now().getTime(), logger),
    refit: refitFor(c),
  });
  const blobs = blobStore(loaded);
  const spec = { capacity: c.rate_limit_burst ?? c.rate_limit_per_minute, perMinute: c.rate_limit_per_minute };
  const limiter = redis ? resilientLimiter(redisLimiter(redis, spec), spec, c.redis.on_error, logger) : memoryLimiter(spec);
  const ledger = redis ? resilientLedger(redisLedger(redis), c.redis.on_error, logger) : memoryLedger();
  // The embedded database has one writer, this process, which can keep each day's spend itself;
  // servers sharing Postgres each read it.
  const spend = target.kind === "sqlite" ? cachedDaySpend(store) : storedDaySpend(store);
  const replayMs = c.streams.replay_minutes * 60_000;
  return {
    loaded,
    store,
    registry,
    blobs,
    files: fileService(store, blobs, now),
    auth: createAuthenticator(c.auth),
    limiter,
    conversations: conversationService(store, now),
    sessions: sessionService(store, now),
    budget: budgetService(c, spend, ledger, now, logger),
    redis,
    metrics,
    lifecycle,
    tracker: createRequestTracker(logger, metrics, lifecycle),
    // With Redis, a stream can be resumed and cancelled on any replica; without, on the one that generates it.
    streams: answerStreams(redis ? redisEventLog(redis, { replayMs }) : memoryEventLog({ replayMs }), { redis }),
    idempotency: idempotencyService(store, {
      ttlMs: c.idempotency.ttl_hours * 3_600_000,
      leaseMs: c.idempotency.lease_seconds * 1000,
      now: () => now().getTime(),
    }),
    logger,
    now,
    startedAt: now(),
  };
}

export async function closeDeps(deps: Deps): Promise<void> {
  deps.redis?.close();
  await deps.store.close();
  deps.logger.flush();
}
