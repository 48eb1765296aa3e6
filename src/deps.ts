// The ONE place that turns configuration into running backends: which database, where files go,
// the logger. Everything else receives these as explicit dependencies.
import { join } from "node:path";
import type { LoadedConfig } from "./config/load.ts";
import { databaseBackend } from "./config/public-view.ts";
import { createLogger, type Logger } from "./lib/logger.ts";
import { openAICompatible } from "./providers/openai-compatible.ts";
import { createRegistry, type ProviderRegistry } from "./providers/registry.ts";
import { fileService, type FileService } from "./files/service.ts";
import type { BlobStore } from "./storage/blobs/blob-store.ts";
import { localBlobStore } from "./storage/blobs/local-blob-store.ts";
import { s3BlobStore } from "./storage/blobs/s3-blob-store.ts";
import { openStore, sqliteFileIn, type DatabaseTarget } from "./storage/db/open.ts";
import type { Store } from "./storage/db/store.ts";

export interface Deps {
  loaded: LoadedConfig;
  store: Store;
  registry: ProviderRegistry;
  blobs: BlobStore;
  files: FileService;
  logger: Logger;
  now: () => Date;
  startedAt: Date;
}

export function databaseTarget(loaded: LoadedConfig): DatabaseTarget {
  return databaseBackend(loaded) === "postgres"
    ? { kind: "postgres", url: loaded.config.database.url, poolSize: loaded.config.database.pool_size }
    : { kind: "sqlite", path: sqliteFileIn(loaded.dataDir) };
}

export function blobStore(loaded: LoadedConfig): BlobStore {
  const s3 = loaded.config.storage.s3;
  return s3.enabled
    ? s3BlobStore({ endpoint: s3.endpoint, bucket: s3.bucket, region: s3.region, accessKeyId: s3.access_key, secretAccessKey: s3.secret_key, urlExpirationSeconds: s3.url_expiration })
    : localBlobStore(join(loaded.dataDir, "files"));
}

export interface DepsOverrides {
  logger?: Logger;
  now?: () => Date;
}

/** Opens the database, applies pending migrations and assembles the dependencies. */
export async function createDeps(loaded: LoadedConfig, overrides: DepsOverrides = {}): Promise<Deps> {
  const c = loaded.config;
  const logger =
    overrides.logger ??
    createLogger({ level: c.logging.level, logToFile: c.logging.log_to_file, logDir: c.logging.log_dir });
  const store = openStore(databaseTarget(loaded));
  try {
    await store.migrate();
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  const now = overrides.now ?? (() => new Date());
  const registry = createRegistry(loaded, (name) => openAICompatible(loaded.providers.find((p) => p.name === name)!));
  const blobs = blobStore(loaded);
  return { loaded, store, registry, blobs, files: fileService(store, blobs, now), logger, now, startedAt: now() };
}

export async function closeDeps(deps: Deps): Promise<void> {
  await deps.store.close();
  deps.logger.flush();
}
