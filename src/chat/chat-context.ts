import type { LoadedConfig } from "../config/load.ts";
import type { BudgetService } from "../budget/budget.ts";
import type { FileService } from "../files/service.ts";
import type { Lifecycle } from "../observability/lifecycle.ts";
import type { Metrics } from "../observability/metrics.ts";
import type { RateLimiter } from "../ratelimit/limiter.ts";
import type { Logger } from "../lib/logger.ts";
import type { ProviderRegistry } from "../providers/registry.ts";
import type { Store } from "../storage/db/store.ts";

/** What the chat pipeline needs, passed in explicitly. */
export interface ChatContext {
  loaded: LoadedConfig;
  store: Store;
  files: FileService;
  registry: ProviderRegistry;
  limiter: RateLimiter;
  budget: BudgetService;
  metrics: Metrics;
  /** Where running upstream calls offer their cut for a shutdown. */
  lifecycle: Lifecycle;
  logger: Logger;
  now: () => Date;
}
